//! SCuBA privileged-role rules: between 2 and 8 Global Administrators (active and eligible,
//! direct and through groups, each user once), finer-grained roles rather than Global
//! Administrator, cloud-only holders, no permanent active assignment to a highly privileged
//! role and none made outside PIM.

use super::model::{Evidence, Finding, Inputs, Rule, Severity, Status, s};
use std::collections::BTreeMap;

/// Global Administrator's template id.
const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";

/// The roles SCuBA names highly privileged (template ids from the Entra built-in roles list).
pub const HIGHLY_PRIVILEGED: &[&str] = &[
    GLOBAL_ADMIN,
    "e8611ab8-c189-46e8-94e1-60213ab1f814", // Privileged Role Administrator
    "fe930be7-5e62-47db-91af-98c3a49a38b1", // User Administrator
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", // SharePoint Administrator
    "29232cdf-9323-42fd-ade2-1d097af3e4de", // Exchange Administrator
    "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2", // Hybrid Identity Administrator
    "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", // Application Administrator
    "158c047a-c907-4556-b7ef-446551a6b5f7", // Cloud Application Administrator
];

static GA_COUNT: Rule = Rule {
    id: "MS.AAD.7.1",
    scuba: Some("MS.AAD.7.1v1"),
    eidsca: None,
    cis: None,
    title: "Between 2 and 8 users hold Global Administrator",
    severity: Severity::High,
    remediation: "Keep at least two Global Administrators (break-glass included) and no more than eight; give others a narrower role.",
    reads: "GET /roleManagement/directory/roleAssignments, roleEligibilityScheduleInstances (expand principal), role groups' members",
};
static PERMANENT: Rule = Rule {
    id: "MS.AAD.7.4",
    scuba: Some("MS.AAD.7.4v1"),
    eidsca: None,
    cis: None,
    title: "No permanent active assignment to a highly privileged role",
    severity: Severity::High,
    remediation: "Make the assignment eligible through PIM (or time-bound); only the break-glass accounts stay permanent.",
    reads: "GET /roleManagement/directory/roleAssignmentScheduleInstances",
};

static CLOUD_ONLY: Rule = Rule {
    id: "MS.AAD.7.3",
    scuba: Some("MS.AAD.7.3v1"),
    eidsca: None,
    cis: Some("1.1.1"),
    title: "Users holding highly privileged roles are cloud-only",
    severity: Severity::High,
    remediation: "Give the role to a cloud-only account; keep synced (on-premises) accounts out of highly privileged roles.",
    reads: "role assignments and eligibility (expand principal), role groups' members, GET /users (onPremisesSyncEnabled)",
};

static FINE_GRAINED: Rule = Rule {
    id: "MS.AAD.7.2",
    scuba: Some("MS.AAD.7.2v1"),
    eidsca: None,
    cis: None,
    title: "Privileged users hold finer-grained roles rather than Global Administrator",
    severity: Severity::Medium,
    remediation: "Give administrators the narrowest role that does their job (User, Exchange, SharePoint Administrator…); keep no more Global Administrators than holders of the other highly privileged roles.",
    reads: "role assignments and eligibility (expand principal), role groups' members",
};
static OUTSIDE_PIM: Rule = Rule {
    id: "MS.AAD.7.5",
    scuba: Some("MS.AAD.7.5v1"),
    eidsca: None,
    cis: Some("5.3.1"),
    title: "Highly privileged roles are assigned through PIM only",
    severity: Severity::High,
    remediation: "Remove the assignment and make it again in Privileged Identity Management (eligible, or active with a start and an end).",
    reads: "GET /roleManagement/directory/roleAssignmentScheduleInstances (assignmentType, startDateTime)",
};

pub static RULES: [&Rule; 5] = [
    &GA_COUNT,
    &FINE_GRAINED,
    &CLOUD_ONLY,
    &PERMANENT,
    &OUTSIDE_PIM,
];

/// The users holding a role (active or eligible, direct or through a group), each once.
fn holders(r: &crate::roles::RoleFacts, wanted: impl Fn(&str) -> bool) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for a in r.active.iter().chain(&r.eligible) {
        if !wanted(a["roleDefinitionId"].as_str().unwrap_or_default()) {
            continue;
        }
        let pid = s(a, "principalId");
        match r.group_members.get(&pid) {
            Some(m) => {
                for x in m {
                    out.insert(s(x, "id"), s(x, "displayName"));
                }
            }
            None if a["principal"]["@odata.type"] != "#microsoft.graph.group" => {
                out.insert(pid, s(&a["principal"], "displayName"));
            }
            None => {}
        }
    }
    out
}

/// 7.2 counts as SCuBA's tools do: Global Administrators against holders of the other highly
/// privileged roles; it passes while the first are no more than the second.
fn fine_grained(i: &Inputs) -> Finding {
    let r = match &i.roles {
        Ok(r) => r,
        Err(e) => return super::model::not_evaluable(&FINE_GRAINED, e),
    };
    let ga = holders(r, |x| x == GLOBAL_ADMIN);
    let others = holders(r, |x| x != GLOBAL_ADMIN && HIGHLY_PRIVILEGED.contains(&x));
    let pass = !others.is_empty() && ga.len() <= others.len();
    Finding {
        rule: &FINE_GRAINED,
        status: if pass { Status::Pass } else { Status::Fail },
        detail: format!(
            "{} Global Administrators, {} holders of the other highly privileged roles",
            ga.len(),
            others.len()
        ),
        evidence: if pass {
            Vec::new()
        } else {
            ga.into_iter()
                .map(|(id, name)| Evidence {
                    blade: "users",
                    id,
                    name,
                    note: "Global Administrator; could a narrower role do?".into(),
                })
                .collect()
        },
    }
}

/// 7.5: an active assignment Graph reports as `Assigned` with no start was made directly (role
/// assignments API or the old roles blade), not through PIM, which always records a start.
fn outside_pim(i: &Inputs) -> Finding {
    let list = match &i.assignments {
        Ok(l) => l,
        Err(e) => return super::model::not_evaluable(&OUTSIDE_PIM, e),
    };
    let evidence = privileged_active(i, list, "assigned outside PIM (no start)", |a| {
        a["assignmentType"] == "Assigned" && a["startDateTime"].is_null()
    });
    super::model::judged(
        &OUTSIDE_PIM,
        evidence,
        "every highly privileged assignment went through PIM (break-glass accounts aside)",
        "highly privileged assignments made outside PIM",
    )
}

/// Active instances of highly privileged roles that `keep` picks, break-glass accounts aside,
/// as evidence ("User Administrator permanently active").
fn privileged_active(
    i: &Inputs,
    list: &[serde_json::Value],
    what: &str,
    keep: impl Fn(&serde_json::Value) -> bool,
) -> Vec<Evidence> {
    let bg = |id: &str| i.break_glass.iter().any(|b| b.eq_ignore_ascii_case(id));
    list.iter()
        .filter(|a| HIGHLY_PRIVILEGED.contains(&a["roleDefinitionId"].as_str().unwrap_or_default()))
        .filter(|a| keep(a))
        .filter(|a| !bg(a["principalId"].as_str().unwrap_or_default()))
        .map(|a| Evidence {
            blade: "roles",
            id: s(a, "principalId"),
            name: s(&a["principal"], "displayName"),
            note: format!("{} {what}", role_name(i, &s(a, "roleDefinitionId"))),
        })
        .collect()
}

/// A role's display name (its id when the definitions were not read).
pub(super) fn role_name(i: &Inputs, id: &str) -> String {
    i.roles
        .as_ref()
        .ok()
        .and_then(|r| r.definition(id))
        .and_then(|d| d["displayName"].as_str())
        .unwrap_or(id)
        .to_string()
}

/// Holders of highly privileged roles (active or eligible, direct or through a group) whose
/// account is synced from on-premises.
fn cloud_only(i: &Inputs) -> Finding {
    let (r, users) = match (&i.roles, &i.users) {
        (Ok(r), Ok(u)) => (r, u),
        (Err(e), _) | (_, Err(e)) => return super::model::not_evaluable(&CLOUD_ONLY, e),
    };
    let synced = |id: &str| {
        users
            .iter()
            .find(|u| u["id"] == id)
            .is_some_and(|u| u["onPremisesSyncEnabled"] == true)
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut evidence = Vec::new();
    for a in r.active.iter().chain(&r.eligible) {
        let role = a["roleDefinitionId"].as_str().unwrap_or_default();
        if !HIGHLY_PRIVILEGED.contains(&role) {
            continue;
        }
        let pid = s(a, "principalId");
        let holders: Vec<(String, String)> = match r.group_members.get(&pid) {
            Some(m) => m
                .iter()
                .map(|x| (s(x, "id"), s(x, "displayName")))
                .collect(),
            None => vec![(pid, s(&a["principal"], "displayName"))],
        };
        for (id, name) in holders {
            if synced(&id) && seen.insert(id.clone()) {
                let role_name = r
                    .definition(role)
                    .and_then(|d| d["displayName"].as_str())
                    .unwrap_or(role);
                evidence.push(Evidence {
                    blade: "users",
                    id,
                    name,
                    note: format!("synced from on-premises, holds {role_name}"),
                });
            }
        }
    }
    super::model::judged(
        &CLOUD_ONLY,
        evidence,
        "every highly privileged holder is cloud-only",
        "synced accounts hold highly privileged roles",
    )
}

fn ga_count(i: &Inputs) -> Finding {
    let r = match &i.roles {
        Ok(r) => r,
        Err(e) => return super::model::not_evaluable(&GA_COUNT, e),
    };
    // Each user once, whichever way they hold it.
    let mut users: BTreeMap<String, (String, Vec<String>)> = BTreeMap::new();
    for (list, state) in [(&r.active, "active"), (&r.eligible, "eligible")] {
        for a in list
            .iter()
            .filter(|a| a["roleDefinitionId"] == GLOBAL_ADMIN)
        {
            let p = &a["principal"];
            let pid = s(a, "principalId");
            if p["@odata.type"] == "#microsoft.graph.group" {
                for m in r.group_members.get(&pid).into_iter().flatten() {
                    let e = users
                        .entry(s(m, "id"))
                        .or_insert((s(m, "displayName"), Vec::new()));
                    e.1.push(format!("{state} through group {}", s(p, "displayName")));
                }
            } else {
                let e = users
                    .entry(pid)
                    .or_insert((s(p, "displayName"), Vec::new()));
                e.1.push(format!("{state}, direct"));
            }
        }
    }
    let n = users.len();
    let evidence = users
        .into_iter()
        .map(|(id, (name, how))| Evidence {
            blade: "users",
            id,
            name,
            note: how.join("; "),
        })
        .collect();
    Finding {
        rule: &GA_COUNT,
        status: if (2..=8).contains(&n) {
            Status::Pass
        } else {
            Status::Fail
        },
        detail: format!(
            "{n} user{} hold Global Administrator",
            if n == 1 { "" } else { "s" }
        ),
        evidence,
    }
}

fn permanent(i: &Inputs) -> Finding {
    let list = match &i.assignments {
        Ok(l) => l,
        Err(e) => return super::model::not_evaluable(&PERMANENT, e),
    };
    let evidence = privileged_active(i, list, "permanently active", |a| {
        a["assignmentType"] != "Activated" && a["endDateTime"].is_null()
    });
    super::model::judged(
        &PERMANENT,
        evidence,
        "every highly privileged active assignment is time-bound or a break-glass account's",
        "permanent active assignments to highly privileged roles",
    )
}

pub fn run(i: &Inputs) -> Vec<Finding> {
    vec![
        ga_count(i),
        fine_grained(i),
        cloud_only(i),
        permanent(i),
        outside_pim(i),
    ]
}

//! SCuBA Conditional Access rules: legacy authentication, high-risk users and sign-ins, MFA for
//! all users and device code flow. A policy counts when it is on, takes in all users and all
//! apps, and excludes no one but the profile's break-glass accounts (a policy that does the
//! right thing but excludes others is a near miss).

use super::{Evidence, Finding, Inputs, Rule, Severity, Status, s};
use crate::ca::strs;
use serde_json::Value;

static LEGACY: Rule = Rule {
    id: "MS.AAD.1.1",
    scuba: Some("MS.AAD.1.1v1"),
    title: "Legacy authentication is blocked",
    severity: Severity::High,
    remediation: "Turn on a policy for all users and all apps, client apps Exchange ActiveSync and other clients, grant: block.",
    reads: "GET /identity/conditionalAccess/policies",
};
static RISKY_USERS: Rule = Rule {
    id: "MS.AAD.2.1",
    scuba: Some("MS.AAD.2.1v1"),
    title: "Users detected as high risk are blocked",
    severity: Severity::High,
    remediation: "Turn on a policy for all users and all apps with user risk high, grant: block (Identity Protection needs Entra ID P2).",
    reads: "GET /identity/conditionalAccess/policies",
};
static RISKY_SIGN_INS: Rule = Rule {
    id: "MS.AAD.2.3",
    scuba: Some("MS.AAD.2.3v1"),
    title: "Sign-ins detected as high risk are blocked",
    severity: Severity::High,
    remediation: "Turn on a policy for all users and all apps with sign-in risk high, grant: block (needs Entra ID P2).",
    reads: "GET /identity/conditionalAccess/policies",
};
static MFA: Rule = Rule {
    id: "MS.AAD.3.2",
    scuba: Some("MS.AAD.3.2v1"),
    title: "MFA is required for all users",
    severity: Severity::High,
    remediation: "Turn on (not report-only) a policy for all users and all apps that requires MFA or an authentication strength.",
    reads: "GET /identity/conditionalAccess/policies",
};
static DEVICE_CODE: Rule = Rule {
    id: "MS.AAD.3.9",
    scuba: None,
    title: "Device code flow is blocked",
    severity: Severity::Medium,
    remediation: "Turn on a policy for all users and all apps with authentication flows: device code flow, grant: block.",
    reads: "GET /identity/conditionalAccess/policies",
};

pub static RULES: [&Rule; 5] = [&LEGACY, &RISKY_USERS, &RISKY_SIGN_INS, &MFA, &DEVICE_CODE];

/// How much of the tenant a policy takes in.
enum Coverage {
    /// All users, no one excluded but break-glass accounts.
    All,
    /// All users, but others are excluded too (named).
    Excluding(Vec<String>),
    No,
}

fn coverage(p: &Value, i: &Inputs) -> Coverage {
    let u = &p["conditions"]["users"];
    if !strs(&u["includeUsers"]).iter().any(|x| x == "All") {
        return Coverage::No;
    }
    let bg = |id: &String| i.break_glass.iter().any(|b| b.eq_ignore_ascii_case(id));
    let mut others: Vec<String> = strs(&u["excludeUsers"])
        .into_iter()
        .filter(|x| !bg(x))
        .collect();
    // An excluded group holding only break-glass accounts is their exclusion.
    let members = |g: &str| -> Option<Vec<String>> {
        let r = i.roles.as_ref().ok()?;
        r.group_members.get(g).map(|m| {
            m.iter()
                .filter_map(|x| x["id"].as_str().map(str::to_string))
                .collect()
        })
    };
    for g in strs(&u["excludeGroups"]) {
        let only_bg = i
            .group_members
            .get(&g)
            .cloned()
            .or_else(|| members(&g))
            .is_some_and(|m| !m.is_empty() && m.iter().all(bg));
        if !only_bg {
            others.push(format!("group {g}"));
        }
    }
    for r in strs(&u["excludeRoles"]) {
        others.push(format!("role {r}"));
    }
    if others.is_empty() {
        Coverage::All
    } else {
        Coverage::Excluding(others)
    }
}

fn all_apps(p: &Value) -> bool {
    strs(&p["conditions"]["applications"]["includeApplications"])
        .iter()
        .any(|x| x == "All")
}

fn grants(p: &Value, control: &str) -> bool {
    strs(&p["grantControls"]["builtInControls"])
        .iter()
        .any(|c| c == control)
}

/// Judge a rule: the enabled policies matching `does`, taking in everyone.
fn judge(rule: &'static Rule, i: &Inputs, does: impl Fn(&Value) -> bool) -> Finding {
    let f = match &i.facts {
        Ok(f) if f.lacking(&[crate::protect::Part::Policies]).is_none() => f,
        Ok(f) => {
            return super::not_evaluable(
                rule,
                &f.lacking(&[crate::protect::Part::Policies])
                    .unwrap_or_default(),
            );
        }
        Err(e) => return super::not_evaluable(rule, e),
    };
    // Near misses: on, but excluding more than the break-glass accounts; `off`: the right
    // policy, not enforced (a failure, named as evidence).
    let (mut near, mut off) = (Vec::new(), Vec::new());
    for p in f.policies.iter().filter(|p| does(p) && all_apps(p)) {
        let name = s(p, "displayName");
        let ev = |note: String| Evidence {
            blade: "ca-policies",
            id: s(p, "id"),
            name: name.clone(),
            note,
        };
        if p["state"] != "enabled" {
            off.push(ev(format!(
                "{}: not enforced",
                crate::protect::state_label(&s(p, "state"))
            )));
            continue;
        }
        match coverage(p, i) {
            Coverage::All => {
                return Finding {
                    rule,
                    status: Status::Pass,
                    detail: format!("{name} does it"),
                    evidence: vec![ev(
                        "on, all users (break-glass excluded at most), all apps".into()
                    )],
                };
            }
            Coverage::Excluding(o) => near.push(ev(format!("excludes {}", o.join(", ")))),
            Coverage::No => {}
        }
    }
    let status = if near.is_empty() {
        Status::Fail
    } else {
        Status::NearMiss
    };
    let detail = match (near.is_empty(), off.is_empty()) {
        (false, _) => {
            "it passes only for the users the policy does not exclude (more than the break-glass accounts)"
        }
        (true, false) => "the policy that would do it is not enforced",
        (true, true) => "no policy does it",
    };
    near.extend(off);
    Finding {
        rule,
        status,
        detail: detail.into(),
        evidence: near,
    }
}

pub fn run(i: &Inputs) -> Vec<Finding> {
    let levels = |p: &Value, k: &str| strs(&p["conditions"][k]).iter().any(|l| l == "high");
    vec![
        judge(&LEGACY, i, |p| {
            let apps = strs(&p["conditions"]["clientAppTypes"]);
            grants(p, "block")
                && apps.iter().any(|a| a == "exchangeActiveSync")
                && apps.iter().any(|a| a == "other")
        }),
        judge(&RISKY_USERS, i, |p| {
            grants(p, "block") && levels(p, "userRiskLevels")
        }),
        judge(&RISKY_SIGN_INS, i, |p| {
            grants(p, "block") && levels(p, "signInRiskLevels")
        }),
        judge(&MFA, i, |p| {
            let c = &p["conditions"];
            (grants(p, "mfa") || !p["grantControls"]["authenticationStrength"].is_null())
                && c["locations"].is_null()
                && c["platforms"].is_null()
                && strs(&c["userRiskLevels"]).is_empty()
                && strs(&c["signInRiskLevels"]).is_empty()
                && strs(&c["clientAppTypes"]).iter().all(|a| a == "all")
        }),
        judge(&DEVICE_CODE, i, |p| {
            grants(p, "block")
                && p["conditions"]["authenticationFlows"]["transferMethods"]
                    .as_str()
                    .is_some_and(|m| m.contains("deviceCodeFlow"))
        }),
    ]
}

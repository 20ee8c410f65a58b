//! SCuBA Conditional Access rules: legacy authentication, high-risk users and sign-ins,
//! (phishing-resistant) MFA, managed devices and device code flow. A policy counts when it is on, takes in all users and all
//! apps, and excludes no one but the profile's break-glass accounts (a policy that does the
//! right thing but excludes others is a near miss).

use super::model::{Evidence, Finding, Inputs, Rule, Severity, Status, s};
use crate::ca::strs;
use serde_json::Value;

static LEGACY: Rule = Rule {
    id: "MS.AAD.1.1",
    scuba: Some("MS.AAD.1.1v1"),
    eidsca: None,
    cis: Some("5.2.2.3"),
    title: "Legacy authentication is blocked",
    severity: Severity::High,
    remediation: "Turn on a policy for all users and all apps, client apps Exchange ActiveSync and other clients, grant: block.",
    reads: "GET /identity/conditionalAccess/policies",
};
static RISKY_USERS: Rule = Rule {
    id: "MS.AAD.2.1",
    scuba: Some("MS.AAD.2.1v1"),
    eidsca: None,
    cis: None,
    title: "Users detected as high risk are blocked",
    severity: Severity::High,
    remediation: "Turn on a policy for all users and all apps with user risk high, grant: block (Identity Protection needs Entra ID P2).",
    reads: "GET /identity/conditionalAccess/policies",
};
static RISKY_SIGN_INS: Rule = Rule {
    id: "MS.AAD.2.3",
    scuba: Some("MS.AAD.2.3v1"),
    eidsca: None,
    cis: None,
    title: "Sign-ins detected as high risk are blocked",
    severity: Severity::High,
    remediation: "Turn on a policy for all users and all apps with sign-in risk high, grant: block (needs Entra ID P2).",
    reads: "GET /identity/conditionalAccess/policies",
};
static MFA: Rule = Rule {
    id: "MS.AAD.3.2",
    scuba: Some("MS.AAD.3.2v1"),
    eidsca: None,
    cis: Some("5.2.2.2"),
    title: "MFA is required for all users",
    severity: Severity::High,
    remediation: "Turn on (not report-only) a policy for all users and all apps that requires MFA or an authentication strength.",
    reads: "GET /identity/conditionalAccess/policies",
};
static DEVICE_CODE: Rule = Rule {
    id: "MS.AAD.3.9",
    scuba: None,
    eidsca: None,
    cis: Some("5.2.2.12"),
    title: "Device code flow is blocked",
    severity: Severity::Medium,
    remediation: "Turn on a policy for all users and all apps with authentication flows: device code flow, grant: block.",
    reads: "GET /identity/conditionalAccess/policies",
};

static PHISHING_RESISTANT: Rule = Rule {
    id: "MS.AAD.3.1",
    scuba: Some("MS.AAD.3.1v1"),
    eidsca: None,
    cis: None,
    title: "Phishing-resistant MFA is required for all users",
    severity: Severity::High,
    remediation: "Turn on a policy for all users and all apps with grant: require authentication strength Phishing-resistant MFA.",
    reads: "GET /identity/conditionalAccess/policies (grantControls.authenticationStrength)",
};
static PRIVILEGED_PHISHING_RESISTANT: Rule = Rule {
    id: "MS.AAD.3.6",
    scuba: Some("MS.AAD.3.6v1"),
    eidsca: None,
    cis: Some("5.2.2.5"),
    title: "Phishing-resistant MFA is required for highly privileged roles",
    severity: Severity::High,
    remediation: "Turn on a policy that includes every highly privileged role (Global, Privileged Role, User, SharePoint, Exchange, Hybrid Identity, Application and Cloud Application Administrator), all apps, grant: authentication strength Phishing-resistant MFA.",
    reads: "GET /identity/conditionalAccess/policies, GET /roleManagement/directory/roleDefinitions",
};
static MANAGED_DEVICE: Rule = Rule {
    id: "MS.AAD.3.7",
    scuba: Some("MS.AAD.3.7v1"),
    eidsca: None,
    cis: None,
    title: "A managed device is required to sign in",
    severity: Severity::Medium,
    remediation: "Turn on a policy for all users and all apps with grant: require a compliant device or a Microsoft Entra hybrid joined device.",
    reads: "GET /identity/conditionalAccess/policies",
};
static MANAGED_REGISTRATION: Rule = Rule {
    id: "MS.AAD.3.8",
    scuba: Some("MS.AAD.3.8v1"),
    eidsca: None,
    cis: None,
    title: "A managed device is required to register MFA",
    severity: Severity::Medium,
    remediation: "Turn on a policy for all users, user action Register security information, grant: require a compliant device or a Microsoft Entra hybrid joined device.",
    reads: "GET /identity/conditionalAccess/policies (includeUserActions)",
};

pub static RULES: [&Rule; 9] = [
    &LEGACY,
    &RISKY_USERS,
    &RISKY_SIGN_INS,
    &PHISHING_RESISTANT,
    &MFA,
    &PRIVILEGED_PHISHING_RESISTANT,
    &MANAGED_DEVICE,
    &MANAGED_REGISTRATION,
    &DEVICE_CODE,
];

/// The built-in Phishing-resistant MFA strength (authenticationStrengthPolicy ids are fixed
/// for the built-in ones) and the methods a custom strength may allow and still be one.
const PHISHING_RESISTANT_STRENGTH: &str = "00000000-0000-0000-0000-000000000004";
const PHISHING_RESISTANT_METHODS: [&str; 3] = [
    "windowsHelloForBusiness",
    "fido2",
    "x509CertificateMultiFactor",
];

/// Whether the policy's grant is an authentication strength that only phishing-resistant
/// methods satisfy.
fn phishing_resistant(p: &Value) -> bool {
    let st = &p["grantControls"]["authenticationStrength"];
    st["id"] == PHISHING_RESISTANT_STRENGTH
        || st["allowedCombinations"].as_array().is_some_and(|c| {
            !c.is_empty()
                && c.iter().all(|m| {
                    m.as_str()
                        .is_some_and(|m| PHISHING_RESISTANT_METHODS.contains(&m))
                })
        })
}

/// Whether the grant lets only a managed device through: with OR every control is a device
/// control; with AND at least one is.
fn managed_device(p: &Value) -> bool {
    let controls = strs(&p["grantControls"]["builtInControls"]);
    let device = |c: &String| c == "compliantDevice" || c == "domainJoinedDevice";
    match p["grantControls"]["operator"].as_str() {
        Some("AND") => controls.iter().any(device),
        _ => !controls.is_empty() && controls.iter().all(device),
    }
}

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
    let others = excluded_others(p, i);
    if others.is_empty() {
        Coverage::All
    } else {
        Coverage::Excluding(others)
    }
}

/// Whom the policy excludes beyond the break-glass accounts (users, groups, roles).
fn excluded_others(p: &Value, i: &Inputs) -> Vec<String> {
    let u = &p["conditions"]["users"];
    let bg = |id: &String| i.break_glass.iter().any(|b| b.eq_ignore_ascii_case(id));
    // Users by their UPN when the audit read them (ids are what the policy holds).
    let upn = |id: String| {
        i.users
            .as_ref()
            .ok()
            .and_then(|us| us.iter().find(|u| u["id"] == id.as_str()))
            .and_then(|u| u["userPrincipalName"].as_str())
            .map_or(id.clone(), str::to_string)
    };
    let mut others: Vec<String> = strs(&u["excludeUsers"])
        .into_iter()
        .filter(|x| !bg(x))
        .map(upn)
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
            others.push(format!(
                "group {}",
                i.group_names.get(&g).map_or(g.as_str(), String::as_str)
            ));
        }
    }
    for r in strs(&u["excludeRoles"]) {
        others.push(format!("role {}", super::roles::role_name(i, &r)));
    }
    others
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
            return super::model::not_evaluable(
                rule,
                &f.lacking(&[crate::protect::Part::Policies])
                    .unwrap_or_default(),
            );
        }
        Err(e) => return super::model::not_evaluable(rule, e),
    };
    // Near misses: on, but excluding more than the break-glass accounts; `off`: the right
    // policy, not enforced (a failure, named as evidence).
    let (mut near, mut off) = (Vec::new(), Vec::new());
    for p in f.policies.iter().filter(|p| does(p)) {
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
                        "on, all users (break-glass excluded at most), all apps or the user action"
                            .into(),
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

/// No condition narrows the policy: every location, platform, risk level and client app.
fn unconditional(p: &Value) -> bool {
    let c = &p["conditions"];
    c["locations"].is_null()
        && c["platforms"].is_null()
        && strs(&c["userRiskLevels"]).is_empty()
        && strs(&c["signInRiskLevels"]).is_empty()
        && strs(&c["clientAppTypes"]).iter().all(|a| a == "all")
}

/// 3.6: the enabled phishing-resistant policies for all apps, together including every highly
/// privileged role. Evidence names the roles no such policy covers and the policies that
/// cover some (or are not enforced).
fn privileged(i: &Inputs) -> Finding {
    let rule = &PRIVILEGED_PHISHING_RESISTANT;
    let f = match &i.facts {
        Ok(f) if f.lacking(&[crate::protect::Part::Policies]).is_none() => f,
        Ok(f) => {
            let why = f
                .lacking(&[crate::protect::Part::Policies])
                .unwrap_or_default();
            return super::model::not_evaluable(rule, &why);
        }
        Err(e) => return super::model::not_evaluable(rule, e),
    };
    let mut covered = std::collections::BTreeSet::new();
    let mut evidence = Vec::new();
    let mut near = false;
    for p in f
        .policies
        .iter()
        .filter(|p| phishing_resistant(p) && all_apps(p))
    {
        let roles = strs(&p["conditions"]["users"]["includeRoles"]);
        let everyone = strs(&p["conditions"]["users"]["includeUsers"])
            .iter()
            .any(|x| x == "All");
        let ev = |note: String| Evidence {
            blade: "ca-policies",
            id: s(p, "id"),
            name: s(p, "displayName"),
            note,
        };
        if p["state"] != "enabled" {
            evidence.push(ev(format!(
                "{}: not enforced",
                crate::protect::state_label(&s(p, "state"))
            )));
            continue;
        }
        let others = excluded_others(p, i);
        if !others.is_empty() {
            near = true;
            evidence.push(ev(format!("excludes {}", others.join(", "))));
            continue;
        }
        for r in super::roles::HIGHLY_PRIVILEGED {
            if everyone || roles.iter().any(|x| x == r) {
                covered.insert(*r);
            }
        }
    }
    let missing: Vec<String> = super::roles::HIGHLY_PRIVILEGED
        .iter()
        .filter(|r| !covered.contains(*r))
        .map(|r| super::roles::role_name(i, r))
        .collect();
    if missing.is_empty() {
        return Finding {
            rule,
            status: Status::Pass,
            detail: "every highly privileged role needs phishing-resistant MFA".into(),
            evidence: Vec::new(),
        };
    }
    evidence.insert(
        0,
        Evidence {
            blade: "tenant",
            id: "highlyPrivilegedRoles".into(),
            name: format!("{} highly privileged roles", missing.len()),
            note: format!("no enforced policy covers {}", missing.join(", ")),
        },
    );
    Finding {
        rule,
        status: if near && covered.is_empty() {
            Status::NearMiss
        } else {
            Status::Fail
        },
        detail: format!(
            "{} of {} highly privileged roles are not covered",
            missing.len(),
            super::roles::HIGHLY_PRIVILEGED.len()
        ),
        evidence,
    }
}

pub fn run(i: &Inputs) -> Vec<Finding> {
    let levels = |p: &Value, k: &str| strs(&p["conditions"][k]).iter().any(|l| l == "high");
    vec![
        judge(&LEGACY, i, |p| {
            let apps = strs(&p["conditions"]["clientAppTypes"]);
            all_apps(p)
                && grants(p, "block")
                && apps.iter().any(|a| a == "exchangeActiveSync")
                && apps.iter().any(|a| a == "other")
        }),
        judge(&RISKY_USERS, i, |p| {
            all_apps(p) && grants(p, "block") && levels(p, "userRiskLevels")
        }),
        judge(&RISKY_SIGN_INS, i, |p| {
            all_apps(p) && grants(p, "block") && levels(p, "signInRiskLevels")
        }),
        judge(&PHISHING_RESISTANT, i, |p| {
            all_apps(p) && phishing_resistant(p) && unconditional(p)
        }),
        judge(&MFA, i, |p| {
            all_apps(p)
                && (grants(p, "mfa") || !p["grantControls"]["authenticationStrength"].is_null())
                && unconditional(p)
        }),
        privileged(i),
        judge(&MANAGED_DEVICE, i, |p| {
            all_apps(p) && managed_device(p) && unconditional(p)
        }),
        judge(&MANAGED_REGISTRATION, i, |p| {
            strs(&p["conditions"]["applications"]["includeUserActions"])
                .iter()
                .any(|a| a == "urn:user:registersecurityinfo")
                && managed_device(p)
        }),
        judge(&DEVICE_CODE, i, |p| {
            all_apps(p)
                && grants(p, "block")
                && p["conditions"]["authenticationFlows"]["transferMethods"]
                    .as_str()
                    .is_some_and(|m| m.contains("deviceCodeFlow"))
        }),
    ]
}

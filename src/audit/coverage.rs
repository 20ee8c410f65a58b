//! Conditional Access coverage: for each population (members, guests, holders of highly
//! privileged roles, break-glass accounts, accounts some enabled policy excludes) and each app
//! target (all resources, Office 365, admin portals, Microsoft Graph, Azure management), which
//! users an enabled policy requires MFA (or a strength) of or blocks, which only under
//! conditions a sign-in decides (location, platform, client app, risk: "partly"), which none
//! does, and whose legacy-client sign-ins an enabled policy blocks. Each user is evaluated with the What If evaluator (`ca::eval`), their groups (the
//! ones policies name) and active roles given, everything else left unknown.

use super::model::{Evidence, Finding, Inputs, Rule, Severity, Status, not_evaluable};
use crate::ca::eval::{SignIn, Target, Tri, evaluate};
use crate::sanitize::clean;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// The app targets, in words and as the evaluator names them.
pub const APPS: &[(&str, &str)] = &[
    ("all resources", "All"),
    ("Office 365", "Office365"),
    ("admin portals", "MicrosoftAdminPortals"),
    ("Microsoft Graph", "00000003-0000-0000-c000-000000000000"),
    ("Azure management", "797f4846-ba00-4fd7-ba43-dac1f8f63013"),
];

/// What an enabled policy does to a sign-in it applies to, for coverage: requires MFA (or an
/// authentication strength), blocks, or neither.
fn control(p: &Value) -> Option<&'static str> {
    let g = &p["grantControls"];
    let built: Vec<String> = crate::ca::strs(&g["builtInControls"]);
    if built.iter().any(|c| c == "block") {
        Some("block")
    } else if built.iter().any(|c| c == "mfa") || g["authenticationStrength"].is_object() {
        Some("MFA")
    } else {
        None
    }
}

/// An app target in words ("Office 365" for `Office365`), as the matrix names it.
fn app_words(id: &str) -> String {
    APPS.iter()
        .find(|(_, a)| *a == id)
        .map(|(l, _)| l.to_string())
        .unwrap_or_else(|| clean(id))
}

/// One user's answer for one app: `MFA` / `block` (by which policy), `partly`, or `none`; and
/// the policies that would have covered them but exclude the app ("CA012 … excludes Office 365").
fn judged(policies: &[Value], s: &SignIn, app: &str) -> (&'static str, Vec<String>, Vec<String>) {
    let mut partly = Vec::new();
    let mut excluded_by = Vec::new();
    for p in policies.iter().filter(|p| p["state"] == "enabled") {
        let Some(what) = control(p) else { continue };
        // "All resources" is covered only by a policy that targets all of them; one that
        // excludes some apps covers them only partly (MFA except for those apps).
        let a = &p["conditions"]["applications"];
        let name = clean(p["displayName"].as_str().unwrap_or("?"));
        if app == "All" {
            if !crate::ca::strs(&a["includeApplications"])
                .iter()
                .any(|a| a == "All")
            {
                continue;
            }
            let gone = crate::ca::strs(&a["excludeApplications"]);
            if !gone.is_empty() {
                if what == "MFA" && evaluate(p, s).applies != Tri::No {
                    let gone: Vec<String> = gone.iter().map(|g| app_words(g)).collect();
                    partly.push(format!("{name} (except {})", gone.join(", ")));
                }
                continue;
            }
        }
        let o = evaluate(p, s);
        match o.applies {
            Tri::Yes => return (what, vec![name], Vec::new()),
            // It would apply but for the app, which it excludes: the gap's cause.
            Tri::No
                if o.reasons.iter().all(|r| r.code == "application")
                    && crate::ca::strs(&a["excludeApplications"])
                        .iter()
                        .any(|x| x == app) =>
            {
                excluded_by.push(format!("{name} excludes {}", app_words(app)))
            }
            // MFA asked only under conditions a sign-in decides (location, platform, risk):
            // partly. A block under conditions (legacy clients, countries) is not coverage.
            Tri::Unknown if what == "MFA" && o.reasons.iter().all(|r| r.code != "application") => {
                partly.push(name)
            }
            _ => {}
        }
    }
    if partly.is_empty() {
        ("none", Vec::new(), excluded_by)
    } else {
        ("partly", partly, excluded_by)
    }
}

/// Whether an enabled block applies to this user's legacy sign-ins (Exchange ActiveSync and
/// the other legacy clients alike) for the app: blocked for both, for certain.
fn legacy_blocked(policies: &[Value], s: &SignIn) -> bool {
    ["exchangeActiveSync", "other"].iter().all(|client| {
        let s = SignIn {
            client_app: Some((*client).to_string()),
            ..s.clone()
        };
        policies
            .iter()
            .filter(|p| p["state"] == "enabled" && control(p) == Some("block"))
            .any(|p| evaluate(p, &s).applies == Tri::Yes)
    })
}

/// The populations a user belongs to.
fn populations(
    i: &Inputs,
    u: &Value,
    privileged: &BTreeSet<String>,
    excluded: &BTreeSet<String>,
) -> Vec<&'static str> {
    let id = u["id"].as_str().unwrap_or_default();
    let mut out = Vec::new();
    if u["userType"] == "Guest" {
        out.push("guests");
    } else {
        out.push("members");
    }
    if privileged.contains(id) {
        out.push("privileged role holders");
    }
    if i.break_glass.iter().any(|b| b == id) {
        out.push("break-glass accounts");
    }
    if excluded.contains(id) {
        out.push("excluded somewhere");
    }
    out
}

/// Every cell of the matrix, population by app: how many users, how many covered by MFA, by a
/// block, partly, and the users no enabled policy covers (by name).
pub fn matrix(i: &Inputs) -> Result<Vec<Value>, String> {
    let users = i
        .users
        .as_ref()
        .map_err(|e| format!("users not read: {e}"))?;
    let facts = i
        .facts
        .as_ref()
        .map_err(|e| format!("policies not read: {e}"))?;
    let roles = i.roles.as_ref().ok();
    let policies = &facts.policies;
    // Groups policies name, and their members (the audit reads them).
    let group_of = |uid: &str| -> BTreeSet<String> {
        i.group_members
            .iter()
            .filter(|(_, m)| m.iter().any(|x| x == uid))
            .map(|(g, _)| g.clone())
            .collect()
    };
    // Active roles (template ids) by user, directly or through a role-holding group.
    let roles_of = |uid: &str| -> BTreeSet<String> {
        let Some(r) = roles else {
            return BTreeSet::new();
        };
        r.active
            .iter()
            .filter(|a| {
                let p = a["principalId"].as_str().unwrap_or_default();
                p == uid
                    || r.group_members
                        .get(p)
                        .is_some_and(|m| m.iter().any(|x| x["id"] == uid))
            })
            .filter_map(|a| {
                let rid = a["roleDefinitionId"].as_str()?;
                let d = r.definitions.iter().find(|d| d["id"] == rid);
                Some(
                    d.and_then(|d| d["templateId"].as_str())
                        .unwrap_or(rid)
                        .to_string(),
                )
            })
            .collect()
    };
    let mut excluded = BTreeSet::new();
    for p in policies.iter().filter(|p| p["state"] == "enabled") {
        let u = &p["conditions"]["users"];
        excluded.extend(crate::ca::strs(&u["excludeUsers"]));
        for g in crate::ca::strs(&u["excludeGroups"]) {
            excluded.extend(i.group_members.get(&g).cloned().unwrap_or_default());
        }
    }
    let mut cells: Vec<Value> = Vec::new();
    for u in users.iter().filter(|u| u["accountEnabled"] != false) {
        let Some(uid) = u["id"].as_str() else {
            continue;
        };
        let held = roles_of(uid);
        let privileged: BTreeSet<String> = if held
            .iter()
            .any(|r| super::roles::HIGHLY_PRIVILEGED.contains(&r.as_str()))
        {
            BTreeSet::from([uid.to_string()])
        } else {
            BTreeSet::new()
        };
        let pops = populations(i, u, &privileged, &excluded);
        let name = clean(
            u["userPrincipalName"]
                .as_str()
                .or(u["displayName"].as_str())
                .unwrap_or(uid),
        );
        for (label, app) in APPS {
            let s = SignIn {
                user_id: uid.to_string(),
                guest: Some(u["userType"] == "Guest"),
                groups: Some(group_of(uid)),
                roles: Some(held.clone()),
                target: Target::App((*app).to_string()),
                ..Default::default()
            };
            let (how, by, excluded_by) = judged(policies, &s, app);
            let legacy = legacy_blocked(policies, &s);
            for pop in &pops {
                let at = match cells
                    .iter()
                    .position(|c| c["population"] == *pop && c["app"] == *label)
                {
                    Some(at) => at,
                    None => {
                        cells.push(json!({"id": format!("{pop}/{label}"), "population": pop,
                            "app": label, "users": 0, "MFA": 0, "block": 0, "partly": 0,
                            "none": [], "partlyUsers": [], "partlyBy": [], "legacy": 0,
                            "legacyOpen": [], "excludedBy": []}));
                        cells.len() - 1
                    }
                };
                let c = &mut cells[at];
                c["users"] = json!(c["users"].as_u64().unwrap_or(0) + 1);
                if let Some(a) = c["excludedBy"].as_array_mut() {
                    for e in &excluded_by {
                        if !a.iter().any(|x| x == e) {
                            a.push(json!(e));
                        }
                    }
                }
                if legacy {
                    c["legacy"] = json!(c["legacy"].as_u64().unwrap_or(0) + 1);
                } else if let Some(a) = c["legacyOpen"].as_array_mut() {
                    a.push(json!(name));
                }
                match how {
                    "none" => {
                        if let Some(a) = c["none"].as_array_mut() {
                            a.push(json!(name));
                        }
                    }
                    k => {
                        c[k] = json!(c[k].as_u64().unwrap_or(0) + 1);
                        if k == "partly" {
                            if let Some(a) = c["partlyUsers"].as_array_mut() {
                                a.push(json!(name));
                            }
                            if let Some(a) = c["partlyBy"].as_array_mut() {
                                for b in &by {
                                    if !a.iter().any(|x| x == b) {
                                        a.push(json!(b));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    let order = |c: &Value| {
        let p = [
            "members",
            "guests",
            "privileged role holders",
            "break-glass accounts",
            "excluded somewhere",
        ]
        .iter()
        .position(|x| c["population"] == *x)
        .unwrap_or(9);
        let a = APPS.iter().position(|(l, _)| c["app"] == *l).unwrap_or(9);
        (p, a)
    };
    cells.sort_by_key(order);
    Ok(cells)
}

/// A cell's gap in words, or `None` when every user is covered: those no enabled policy
/// requires MFA of (or blocks), and those it asks only under conditions a sign-in decides.
pub fn gap(c: &Value) -> Option<String> {
    let none = c["none"].as_array().map_or(0, Vec::len);
    let partly = c["partly"].as_u64().unwrap_or(0);
    if none == 0 && partly == 0 {
        return None;
    }
    let by: Vec<&str> = c["partlyBy"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let head = format!(
        "{}, {}: {} of {}",
        c["population"].as_str().unwrap_or("?"),
        c["app"].as_str().unwrap_or("?"),
        none as u64 + partly,
        c["users"],
    );
    let mut words = if partly == 0 {
        format!("{head} not required MFA by any enabled policy")
    } else {
        format!(
            "{head} not always required MFA ({none} by no enabled policy at all, {partly} only under conditions: {})",
            by.join(", ")
        )
    };
    let excluded: Vec<&str> = c["excludedBy"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if !excluded.is_empty() {
        words.push_str(&format!("; {}", excluded.join("; ")));
    }
    if c["population"] == "break-glass accounts" {
        words.push_str(" (expected: break-glass accounts are left out on purpose)");
    }
    Some(words)
}

static COVERAGE: Rule = Rule {
    id: "EC.12",
    scuba: None,
    eidsca: None,
    cis: None,
    title: "Every enabled member and guest is required MFA (or blocked) for all resources and the admin portals",
    severity: Severity::High,
    remediation: "Extend a Conditional Access policy requiring MFA (or an authentication strength) to the users named, for all resources and the admin portals; exclude only the break-glass accounts",
    reads: "CA policies, /users, the members of the groups policies name, role assignments",
};

/// EC.12: the members and guests no enabled policy requires MFA of (or blocks), for all
/// resources and the admin portals; each user named with the gap.
pub fn run(i: &Inputs) -> Vec<Finding> {
    let cells = match matrix(i) {
        Ok(c) => c,
        Err(why) => return vec![not_evaluable(&COVERAGE, &why)],
    };
    let mut evidence: Vec<Evidence> = Vec::new();
    let mut gaps = Vec::new();
    // The break-glass accounts are meant to be left out (the remediation says so).
    let glass = |n: &Value| {
        i.break_glass
            .iter()
            .any(|b| n.as_str().is_some_and(|n| n.eq_ignore_ascii_case(b)))
    };
    for c in cells.iter().filter(|c| {
        matches!(c["population"].as_str(), Some("members" | "guests"))
            && matches!(c["app"].as_str(), Some("all resources" | "admin portals"))
    }) {
        let mut c = c.clone();
        for list in ["none", "partlyUsers"] {
            if let Some(a) = c[list].as_array_mut() {
                a.retain(|n| !glass(n));
            }
        }
        c["partly"] = json!(c["partlyUsers"].as_array().map_or(0, Vec::len));
        let Some(g) = gap(&c) else { continue };
        gaps.push(g);
        let uncovered = c["none"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(c["partlyUsers"].as_array().into_iter().flatten());
        for n in uncovered {
            let name = n.as_str().unwrap_or_default().to_string();
            if let Some(e) = evidence.iter_mut().find(|e| e.name == name) {
                e.note
                    .push_str(&format!(", {}", c["app"].as_str().unwrap_or("?")));
                continue;
            }
            let id = i
                .users
                .as_ref()
                .ok()
                .and_then(|us| us.iter().find(|u| u["userPrincipalName"] == name.as_str()))
                .and_then(|u| u["id"].as_str())
                .unwrap_or_default()
                .to_string();
            evidence.push(Evidence {
                blade: "users",
                id,
                name,
                note: format!("no MFA required for {}", c["app"].as_str().unwrap_or("?")),
            });
        }
    }
    let (status, detail) = if gaps.is_empty() {
        (
            Status::Pass,
            "every enabled member and guest is covered (break-glass accounts aside)".to_string(),
        )
    } else {
        (Status::Fail, gaps.join("; "))
    };
    vec![Finding {
        rule: &COVERAGE,
        status,
        detail,
        evidence,
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_in_words() {
        assert_eq!(
            control(&json!({"grantControls": {"builtInControls": ["mfa"]}})),
            Some("MFA")
        );
        assert_eq!(
            control(&json!({"grantControls": {"builtInControls": ["block"]}})),
            Some("block")
        );
        assert_eq!(
            control(&json!({"grantControls": {"authenticationStrength": {"id": "x"}}})),
            Some("MFA")
        );
        assert_eq!(
            control(&json!({"grantControls": {"builtInControls": ["compliantDevice"]}})),
            None
        );
    }
}

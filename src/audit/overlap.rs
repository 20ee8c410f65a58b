//! How Conditional Access policies relate to each other: an enabled block that covers every
//! sign-in another enabled policy grants under (the grant never takes effect), an enabled
//! policy whose sign-ins and controls another already covers (a near duplicate), and a policy
//! that excludes everything it includes (never applies). Scopes are compared conservatively:
//! a pair is named only when one policy provably applies wherever the other does.

use super::model::{Evidence, Finding, Inputs, Rule, Severity, Status, not_evaluable};
use crate::ca::strs;
use crate::sanitize::clean;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// A relation found between policies (or one policy that never applies).
#[derive(Clone, Debug, PartialEq)]
pub struct Relation {
    /// `contradiction`, `near duplicate` or `never applies`.
    pub kind: &'static str,
    /// (id, display name) of the policies concerned: the wider one first.
    pub policies: Vec<(String, String)>,
    /// The relation in words.
    pub detail: String,
}

fn set(v: &Value) -> BTreeSet<String> {
    strs(v).into_iter().collect()
}

/// No condition of this kind: absent, empty, `all`, or every value included with none excluded.
fn unconditioned(key: &str, v: &Value) -> bool {
    match key {
        "clientAppTypes" => strs(v).is_empty() || strs(v).iter().any(|c| c == "all"),
        "platforms" => {
            v.is_null()
                || (strs(&v["includePlatforms"]).iter().all(|p| p == "all")
                    && strs(&v["excludePlatforms"]).is_empty())
        }
        "locations" => {
            v.is_null()
                || (strs(&v["includeLocations"]).iter().all(|l| l == "All")
                    && strs(&v["excludeLocations"]).is_empty())
        }
        _ => match v {
            Value::Null => true,
            Value::Array(a) => a.is_empty(),
            Value::Object(o) => o.is_empty(),
            _ => false,
        },
    }
}

/// The conditions besides users and applications that a policy can set (conditionalAccess
/// conditionSet.md); any other key Graph adds is compared as it came.
const CONDITIONS: &[&str] = &[
    "clientAppTypes",
    "platforms",
    "locations",
    "signInRiskLevels",
    "userRiskLevels",
    "servicePrincipalRiskLevels",
    "insiderRiskLevels",
    "devices",
    "clientApplications",
    "authenticationFlows",
];

/// Every user `n` applies to, `w` applies to as well.
fn users_contain(w: &Value, n: &Value) -> bool {
    let includes = if set(&w["includeUsers"]).contains("All") {
        true
    } else {
        ["includeUsers", "includeGroups", "includeRoles"]
            .iter()
            .all(|k| set(&n[*k]).is_subset(&set(&w[*k])))
            && (n["includeGuestsOrExternalUsers"].is_null()
                || n["includeGuestsOrExternalUsers"] == w["includeGuestsOrExternalUsers"])
    };
    includes
        && ["excludeUsers", "excludeGroups", "excludeRoles"]
            .iter()
            .all(|k| set(&w[*k]).is_subset(&set(&n[*k])))
        && (w["excludeGuestsOrExternalUsers"].is_null()
            || w["excludeGuestsOrExternalUsers"] == n["excludeGuestsOrExternalUsers"])
}

/// Every app, user action and context `n` targets, `w` targets as well.
fn apps_contain(w: &Value, n: &Value) -> bool {
    let apps_n = set(&n["includeApplications"]);
    let apps_w = set(&w["includeApplications"]);
    (apps_n.is_empty() || apps_w.contains("All") || apps_n.is_subset(&apps_w))
        && set(&n["includeUserActions"]).is_subset(&set(&w["includeUserActions"]))
        && set(&n["includeAuthenticationContextClassReferences"])
            .is_subset(&set(&w["includeAuthenticationContextClassReferences"]))
        && set(&w["excludeApplications"]).is_subset(&set(&n["excludeApplications"]))
        && (w["applicationFilter"].is_null() || w["applicationFilter"] == n["applicationFilter"])
}

/// `w` applies to every sign-in `n` applies to.
pub fn contains(w: &Value, n: &Value) -> bool {
    let (cw, cn) = (&w["conditions"], &n["conditions"]);
    users_contain(&cw["users"], &cn["users"])
        && apps_contain(&cw["applications"], &cn["applications"])
        && CONDITIONS
            .iter()
            .all(|k| unconditioned(k, &cw[*k]) || cw[*k] == cn[*k])
}

/// What a policy asks in a comparable form: block, or the grant controls (as a set, with the
/// operator when more than one), the strength and terms of use; and its session controls.
fn controls(p: &Value) -> (Value, Value) {
    let g = &p["grantControls"];
    let built = set(&g["builtInControls"]);
    let grant = json!({
        "built": built,
        "operator": if built.len() > 1 { g["operator"].clone() } else { Value::Null },
        "strength": g["authenticationStrength"]["id"],
        "terms": set(&g["termsOfUse"]),
    });
    let session = match &p["sessionControls"] {
        Value::Object(o) if o.values().any(|v| !v.is_null()) => p["sessionControls"].clone(),
        _ => Value::Null,
    };
    (grant, session)
}

fn blocks(p: &Value) -> bool {
    set(&p["grantControls"]["builtInControls"]).contains("block")
}

/// A grant that asks something (MFA, a device, a strength, terms, a password change).
fn grants(p: &Value) -> bool {
    !blocks(p)
        && (!strs(&p["grantControls"]["builtInControls"]).is_empty()
            || p["grantControls"]["authenticationStrength"].is_object()
            || !strs(&p["grantControls"]["termsOfUse"]).is_empty())
}

fn name(p: &Value) -> String {
    clean(p["displayName"].as_str().unwrap_or("?"))
}

fn who(p: &Value) -> (String, String) {
    (p["id"].as_str().unwrap_or_default().to_string(), name(p))
}

/// Why a policy can never apply, if it cannot: it includes no one, or excludes every user,
/// app, location or platform it includes (a user also when a group it excludes holds them).
pub fn never_applies(
    p: &Value,
    members: &std::collections::HashMap<String, Vec<String>>,
) -> Option<String> {
    let c = &p["conditions"];
    let u = &c["users"];
    if set(&u["includeUsers"]).contains("None") {
        return Some("it includes no users (None)".into());
    }
    let excluded_user = |id: &String| {
        set(&u["excludeUsers"]).contains(id)
            || strs(&u["excludeGroups"])
                .iter()
                .any(|g| members.get(g).is_some_and(|m| m.contains(id)))
    };
    let inc_users = set(&u["includeUsers"]);
    let any_include = !inc_users.is_empty()
        || !strs(&u["includeGroups"]).is_empty()
        || !strs(&u["includeRoles"]).is_empty()
        || !u["includeGuestsOrExternalUsers"].is_null();
    if any_include
        && !inc_users.contains("All")
        && !inc_users.contains("GuestsOrExternalUsers")
        && u["includeGuestsOrExternalUsers"].is_null()
        && inc_users.iter().all(excluded_user)
        && set(&u["includeGroups"]).is_subset(&set(&u["excludeGroups"]))
        && set(&u["includeRoles"]).is_subset(&set(&u["excludeRoles"]))
    {
        return Some("it excludes every user, group and role it includes".into());
    }
    let a = &c["applications"];
    let apps = set(&a["includeApplications"]);
    if !apps.is_empty()
        && !apps.contains("All")
        && apps.is_subset(&set(&a["excludeApplications"]))
        && strs(&a["includeUserActions"]).is_empty()
        && strs(&a["includeAuthenticationContextClassReferences"]).is_empty()
    {
        return Some("it excludes every app it includes".into());
    }
    for (key, inc, exc) in [
        ("locations", "includeLocations", "excludeLocations"),
        ("platforms", "includePlatforms", "excludePlatforms"),
    ] {
        let (i, e) = (set(&c[key][inc]), set(&c[key][exc]));
        let all = |s: &BTreeSet<String>| s.contains("All") || s.contains("all");
        if !i.is_empty() && (i.is_subset(&e) || all(&e)) {
            return Some(format!(
                "it excludes every {} it includes",
                &key[..key.len() - 1]
            ));
        }
    }
    None
}

/// Every relation among the policies: contradictions and near duplicates among the enabled
/// ones, and the enabled or report-only policies that never apply.
pub fn relations(
    policies: &[Value],
    members: &std::collections::HashMap<String, Vec<String>>,
) -> Vec<Relation> {
    let mut out = Vec::new();
    let on: Vec<&Value> = policies
        .iter()
        .filter(|p| p["state"] == "enabled")
        .collect();
    for (i, w) in on.iter().enumerate() {
        for (j, n) in on.iter().enumerate() {
            if i == j || !contains(w, n) {
                continue;
            }
            let mutual = contains(n, w);
            if blocks(w) && grants(n) {
                out.push(Relation {
                    kind: "contradiction",
                    policies: vec![who(w), who(n)],
                    detail: format!(
                        "\"{}\" blocks every sign-in that \"{}\" applies to, so the second policy's grant ({}) never takes effect",
                        name(w),
                        name(n),
                        strs(&n["grantControls"]["builtInControls"]).join(", ")
                    ),
                });
            } else if controls(w) == controls(n) && (!mutual || i < j) {
                out.push(Relation {
                    kind: "near duplicate",
                    policies: vec![who(w), who(n)],
                    detail: if mutual {
                        format!(
                            "\"{}\" and \"{}\" apply to the same sign-ins with the same controls",
                            name(w),
                            name(n)
                        )
                    } else {
                        format!(
                            "\"{}\" already applies to every sign-in \"{}\" does, with the same controls: the narrower one adds nothing",
                            name(w),
                            name(n)
                        )
                    },
                });
            }
        }
    }
    for p in policies
        .iter()
        .filter(|p| p["state"] == "enabled" || p["state"] == "enabledForReportingButNotEnforced")
    {
        if let Some(why) = never_applies(p, members) {
            out.push(Relation {
                kind: "never applies",
                policies: vec![who(p)],
                detail: format!("\"{}\" never applies: {why}", name(p)),
            });
        }
    }
    out
}

/// The relations as rows of the coverage view (after its matrix): the policies' short names,
/// the kind, and the sentence.
pub fn rows(i: &Inputs) -> Vec<Value> {
    let Ok(f) = &i.facts else {
        return Vec::new();
    };
    relations(&f.policies, &i.group_members)
        .into_iter()
        .map(|r| {
            let short: Vec<String> = r.policies.iter().map(|(_, n)| short(n)).collect();
            json!({
                "id": format!("relation/{}/{}", r.kind, r.policies.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>().join("/")),
                "relation": r.kind,
                "population": short.join(" / "),
                "app": r.kind,
                "detail": r.detail,
                "policies": r.policies.iter().map(|(_, n)| n).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// "CA004" for "CA004 - Block access from blocked countries"; a name without such a prefix as
/// it is.
fn short(n: &str) -> String {
    match n.split_once(" - ") {
        Some((head, _)) if head.chars().count() <= 10 => head.to_string(),
        _ => n.to_string(),
    }
}

static CONTRADICTION: Rule = Rule {
    id: "EC.13",
    scuba: None,
    eidsca: None,
    cis: None,
    title: "No enabled policy's grant is cancelled by a block that covers all its sign-ins",
    severity: Severity::Medium,
    remediation: "Narrow the blocking policy (exclude the users, apps or locations the other policy is meant to let in under its controls), or remove the policy that never takes effect",
    reads: "GET /identity/conditionalAccess/policies",
};
static DUPLICATE: Rule = Rule {
    id: "EC.14",
    scuba: None,
    eidsca: None,
    cis: None,
    title: "No enabled policy repeats the sign-ins and controls of another",
    severity: Severity::Low,
    remediation: "Remove or merge the narrower policy (if it is kept on purpose as a second line, waive the finding with that rationale)",
    reads: "GET /identity/conditionalAccess/policies",
};
static NEVER: Rule = Rule {
    id: "EC.15",
    scuba: None,
    eidsca: None,
    cis: None,
    title: "Every enabled or report-only policy can apply to some sign-in",
    severity: Severity::Medium,
    remediation: "Fix the policy's assignments (it excludes everything it includes) or turn it off",
    reads: "GET /identity/conditionalAccess/policies, the members of the groups policies exclude",
};

pub static RULES: [&Rule; 3] = [&CONTRADICTION, &DUPLICATE, &NEVER];

/// EC.13-EC.15, each naming its policies.
pub fn run(i: &Inputs) -> Vec<Finding> {
    let f = match &i.facts {
        Ok(f) => f,
        Err(e) => return RULES.iter().map(|r| not_evaluable(r, e)).collect(),
    };
    let found = relations(&f.policies, &i.group_members);
    [
        (&CONTRADICTION, "contradiction"),
        (&DUPLICATE, "near duplicate"),
        (&NEVER, "never applies"),
    ]
    .into_iter()
    .map(|(rule, kind)| {
        let mine: Vec<&Relation> = found.iter().filter(|r| r.kind == kind).collect();
        let mut evidence: Vec<Evidence> = Vec::new();
        for r in &mine {
            for (id, n) in &r.policies {
                evidence.push(Evidence {
                    blade: "ca-policies",
                    id: id.clone(),
                    name: n.clone(),
                    note: r.detail.clone(),
                });
            }
        }
        Finding {
            rule,
            status: if mine.is_empty() {
                Status::Pass
            } else {
                Status::Fail
            },
            detail: if mine.is_empty() {
                format!("no {kind} among the policies")
            } else {
                mine.iter()
                    .map(|r| r.detail.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            },
            evidence,
        }
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn policy(id: &str, users: Value, apps: Value, extra: Value, grant: &[&str]) -> Value {
        let mut conditions =
            json!({"users": users, "applications": apps, "clientAppTypes": ["all"]});
        if let (Some(c), Some(e)) = (conditions.as_object_mut(), extra.as_object()) {
            c.extend(e.clone());
        }
        json!({"id": id, "displayName": format!("{id} - policy"), "state": "enabled",
            "conditions": conditions, "grantControls": {"operator": "OR", "builtInControls": grant}})
    }

    #[test]
    fn a_wider_block_cancels_a_grant_but_not_the_other_way() {
        let all = json!({"includeUsers": ["All"], "excludeGroups": ["bg"]});
        let group = json!({"includeGroups": ["sales"], "excludeGroups": ["bg"]});
        let apps = json!({"includeApplications": ["All"]});
        let loc = json!({"locations": {"includeLocations": ["nk"], "excludeLocations": []}});
        let block = policy("B", all.clone(), apps.clone(), loc.clone(), &["block"]);
        let mfa = policy("M", group.clone(), apps.clone(), loc.clone(), &["mfa"]);
        let found = relations(&[block.clone(), mfa.clone()], &HashMap::new());
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].kind, "contradiction");
        assert_eq!(found[0].policies[0].0, "B");
        // The grant excluding fewer than the block: the block does not cover all of it.
        let mut wider = mfa.clone();
        wider["conditions"]["users"]["excludeGroups"] = json!([]);
        assert!(relations(&[block.clone(), wider], &HashMap::new()).is_empty());
        // A block under a location the grant does not have: not covering.
        let anywhere = policy("M2", group, apps, json!({}), &["mfa"]);
        assert!(relations(&[block, anywhere], &HashMap::new()).is_empty());
    }

    #[test]
    fn same_scope_and_controls_are_near_duplicates_once() {
        let users = json!({"includeUsers": ["All"]});
        let apps = json!({"includeApplications": ["All"]});
        let a = policy("A", users.clone(), apps.clone(), json!({}), &["mfa"]);
        let b = policy("B", users.clone(), apps.clone(), json!({}), &["mfa"]);
        let found = relations(&[a.clone(), b], &HashMap::new());
        assert_eq!(found.len(), 1, "one relation for the pair: {found:?}");
        assert!(found[0].detail.contains("the same sign-ins"));
        // Other controls: not duplicates.
        let c = policy("C", users, apps, json!({}), &["compliantDevice"]);
        assert!(relations(&[a, c], &HashMap::new()).is_empty());
    }

    #[test]
    fn a_policy_excluding_what_it_includes_never_applies() {
        let members = HashMap::from([("g".to_string(), vec!["u1".to_string()])]);
        let p = policy(
            "P",
            json!({"includeUsers": ["u1"], "excludeGroups": ["g"]}),
            json!({"includeApplications": ["All"]}),
            json!({}),
            &["mfa"],
        );
        assert!(never_applies(&p, &members).unwrap().contains("every user"));
        assert_eq!(never_applies(&p, &HashMap::new()), None);
        let none = policy(
            "N",
            json!({"includeUsers": ["None"]}),
            json!({}),
            json!({}),
            &["mfa"],
        );
        assert!(never_applies(&none, &members).is_some());
        let apps = policy(
            "A",
            json!({"includeUsers": ["All"]}),
            json!({"includeApplications": ["Office365"], "excludeApplications": ["Office365"]}),
            json!({}),
            &["mfa"],
        );
        assert!(never_applies(&apps, &members).unwrap().contains("app"));
        let locs = policy(
            "L",
            json!({"includeUsers": ["All"]}),
            json!({"includeApplications": ["All"]}),
            json!({"locations": {"includeLocations": ["AllTrusted"], "excludeLocations": ["AllTrusted"]}}),
            &["mfa"],
        );
        assert!(never_applies(&locs, &members).unwrap().contains("location"));
    }
}

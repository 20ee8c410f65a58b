//! Directory roles' PIM policies as files and as changes: one byte-stable JSON document per
//! role (`pim backup`), a TOML baseline of rule values (`pim harden --baseline`, `H` in PIM
//! settings), and what turns either into PATCHes: each rule that differs, said in words
//! ("Approval_EndUser_Assignment: setting.isApprovalRequired: false → true").

use crate::sanitize::clean;
use serde_json::{Map, Value, json};

/// A role's policy as `pim backup` writes it: the role, its policy id (in this tenant), and
/// every rule sorted by id, keys sorted (the same settings always write the same bytes).
pub fn document(role_id: &str, role_name: &str, assignment: &Value) -> Value {
    let mut rules: Vec<Value> = assignment["policy"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    rules.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    crate::ca::backup::canonical(&json!({
        "roleDefinitionId": role_id,
        "roleDisplayName": role_name,
        "scopeId": assignment["scopeId"],
        "scopeType": assignment["scopeType"],
        "policyId": assignment["policyId"],
        "rules": rules,
    }))
}

/// One rule to send: which role and policy, the rule as it is and as it will be, in words.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleChange {
    pub role: String,
    pub policy_id: String,
    pub rule_id: String,
    pub before: Value,
    pub after: Value,
    pub words: Vec<String>,
}

/// A value in a line: compact JSON (strings bare), cleaned of control characters and cut.
fn shown(v: &Value) -> String {
    let s = match v {
        Value::Null => "unset".to_string(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let s = clean(&s);
    if s.chars().count() > 80 {
        format!("{}…", s.chars().take(79).collect::<String>())
    } else {
        s
    }
}

/// Where `before` and `after` differ, by dotted path (objects compared key by key, arrays as
/// wholes); the rule's own `@odata.type`, `id` and `target` are not settings.
pub fn differences(before: &Value, after: &Value) -> Vec<String> {
    fn walk(path: &str, b: &Value, a: &Value, out: &mut Vec<String>) {
        match (b, a) {
            (Value::Object(bm), Value::Object(am)) => {
                let mut keys: Vec<&String> = bm.keys().chain(am.keys()).collect();
                keys.sort();
                keys.dedup();
                for k in keys {
                    if path.is_empty() && matches!(k.as_str(), "@odata.type" | "id" | "target") {
                        continue;
                    }
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    let null = Value::Null;
                    walk(
                        &p,
                        bm.get(k).unwrap_or(&null),
                        am.get(k).unwrap_or(&null),
                        out,
                    );
                }
            }
            (b, a) if b != a => out.push(format!("{path}: {} → {}", shown(b), shown(a))),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", before, after, &mut out);
    out
}

/// `into` with `over`'s keys laid on it, objects merged key by key (what a baseline's partial
/// rule means: only the values it names change).
pub fn merged(into: &Value, over: &Value) -> Value {
    match (into, over) {
        (Value::Object(i), Value::Object(o)) => {
            let mut m: Map<String, Value> = i.clone();
            for (k, v) in o {
                let next = match m.get(k) {
                    Some(old) => merged(old, v),
                    None => v.clone(),
                };
                m.insert(k.clone(), next);
            }
            Value::Object(m)
        }
        (_, o) => o.clone(),
    }
}

/// A baseline read from TOML: its name, which roles it applies to (names or ids; `privileged`
/// for the highly privileged ones), and the rule values it sets.
#[derive(Clone, Debug, PartialEq)]
pub struct Baseline {
    pub name: String,
    pub roles: Vec<String>,
    pub rules: Vec<Value>,
}

/// The rule ids a baseline may set: the 17 of a directory role's policy
/// (policyroot-list-rolemanagementpolicyassignments.md, example 2). Anything else is a typo.
const RULES: &[&str] = &[
    "Expiration_Admin_Eligibility",
    "Enablement_Admin_Eligibility",
    "Notification_Admin_Admin_Eligibility",
    "Notification_Requestor_Admin_Eligibility",
    "Notification_Approver_Admin_Eligibility",
    "Expiration_Admin_Assignment",
    "Enablement_Admin_Assignment",
    "Notification_Admin_Admin_Assignment",
    "Notification_Requestor_Admin_Assignment",
    "Notification_Approver_Admin_Assignment",
    "Expiration_EndUser_Assignment",
    "Enablement_EndUser_Assignment",
    "Approval_EndUser_Assignment",
    "AuthenticationContext_EndUser_Assignment",
    "Notification_Admin_EndUser_Assignment",
    "Notification_Requestor_EndUser_Assignment",
    "Notification_Approver_EndUser_Assignment",
];

/// Parse a baseline file:
/// ```toml
/// name = "Tier 0"
/// roles = ["privileged"]            # or role names / ids
/// [[rule]]
/// id = "Expiration_EndUser_Assignment"
/// maximumDuration = "PT2H"
/// ```
pub fn baseline(text: &str) -> Result<Baseline, String> {
    let v: toml::Value = toml::from_str(text)
        .map_err(|e| format!("not a baseline: {}", crate::sanitize::toml_error(text, &e)))?;
    let v = serde_json::to_value(v).map_err(|e| e.to_string())?;
    let roles: Vec<String> = match &v["roles"] {
        Value::Null => vec!["privileged".into()],
        Value::Array(a) => a
            .iter()
            .map(|r| r.as_str().map(str::to_string))
            .collect::<Option<_>>()
            .ok_or("roles: a list of role names or ids")?,
        _ => return Err("roles: a list of role names or ids".into()),
    };
    let rules = v["rule"].as_array().cloned().unwrap_or_default();
    if rules.is_empty() {
        return Err("the baseline sets no rule ([[rule]] tables with an id)".into());
    }
    for r in &rules {
        let id = r["id"].as_str().unwrap_or_default();
        if !RULES.contains(&id) {
            return Err(format!(
                "[[rule]] id {}: not a rule of a directory role's PIM policy",
                clean(if id.is_empty() { "(none)" } else { id })
            ));
        }
        if r.as_object().is_some_and(|m| m.len() < 2) {
            return Err(format!("[[rule]] {id} sets no value"));
        }
        checked(id, r).map_err(|e| format!("[[rule]] {id}: {e}"))?;
    }
    Ok(Baseline {
        name: v["name"].as_str().unwrap_or("baseline").to_string(),
        roles,
        rules,
    })
}

/// ISO 8601 durations of days, hours and minutes (`P365D`, `PT8H`, `PT90M`), in minutes.
fn minutes(d: &str) -> Option<u64> {
    let rest = d.strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((d, t)) => (d, t),
        None => (rest, ""),
    };
    let mut total = 0u64;
    if !days.is_empty() {
        total += days.strip_suffix('D')?.parse::<u64>().ok()? * 24 * 60;
    }
    let mut num = String::new();
    for c in time.chars() {
        match c {
            '0'..='9' => num.push(c),
            'H' => total += std::mem::take(&mut num).parse::<u64>().ok()? * 60,
            'M' => total += std::mem::take(&mut num).parse::<u64>().ok()?,
            _ => return None,
        }
    }
    (num.is_empty() && (!days.is_empty() || !time.is_empty())).then_some(total)
}

/// The values a rule of this kind takes, checked as Graph documents them (the rule types of
/// unifiedrolemanagementpolicyrule.md): a name it does not have, a value of the wrong type or
/// out of range is refused here rather than sent.
fn checked(id: &str, r: &Value) -> Result<(), String> {
    let keys: &[&str] = match id.split('_').next().unwrap_or_default() {
        "Expiration" => &["isExpirationRequired", "maximumDuration"],
        "Enablement" => &["enabledRules"],
        "Approval" => &["setting"],
        "AuthenticationContext" => &["isEnabled", "claimValue"],
        _ => &[
            "notificationType",
            "recipientType",
            "notificationLevel",
            "isDefaultRecipientsEnabled",
            "notificationRecipients",
        ],
    };
    let Some(m) = r.as_object() else {
        return Err("not a table".into());
    };
    for (k, v) in m {
        if k == "id" || k == "@odata.type" || k == "target" {
            continue;
        }
        if !keys.contains(&k.as_str()) {
            return Err(format!(
                "`{}` is not a setting of this rule (it has {})",
                clean(k),
                keys.join(", ")
            ));
        }
        let bad = |what: &str| {
            Err(format!(
                "`{k}` must be {what}, not {}",
                clean(&v.to_string())
            ))
        };
        match k.as_str() {
            "isExpirationRequired" | "isEnabled" | "isDefaultRecipientsEnabled"
                if !v.is_boolean() =>
            {
                return bad("true or false");
            }
            "maximumDuration" => {
                let Some(mins) = v.as_str().and_then(minutes) else {
                    return bad("an ISO 8601 duration such as PT8H or P365D");
                };
                // An activation lasts half an hour to a day (the range `e` and PIM's own
                // settings page allow).
                if id == "Expiration_EndUser_Assignment" && !(30..=24 * 60).contains(&mins) {
                    return bad("between PT30M and PT24H for an activation");
                }
            }
            "enabledRules" => {
                let ok = v.as_array().is_some_and(|a| {
                    a.iter().all(|x| {
                        matches!(
                            x.as_str(),
                            Some("MultiFactorAuthentication" | "Justification" | "Ticketing")
                        )
                    })
                });
                if !ok {
                    return bad("a list of MultiFactorAuthentication, Justification, Ticketing");
                }
            }
            "notificationLevel" if !matches!(v.as_str(), Some("None" | "Critical" | "All")) => {
                return bad("None, Critical or All");
            }
            "notificationRecipients"
                if !v.as_array().is_some_and(|a| {
                    a.iter()
                        .all(|x| x.as_str().is_some_and(|e| e.contains('@')))
                }) =>
            {
                return bad("a list of email addresses");
            }
            "claimValue" | "notificationType" | "recipientType" if !v.is_string() => {
                return bad("a string");
            }
            "setting" if !v.is_object() => {
                return bad("a table (isApprovalRequired, approvalStages…)");
            }
            _ => {}
        }
    }
    Ok(())
}

impl Baseline {
    /// The role names the baseline gives that no role of `names` has (ids, and `privileged`,
    /// are not names): a typo would otherwise change nothing and say all is well.
    pub fn unknown_roles(&self, names: &[(String, String)]) -> Vec<String> {
        self.roles
            .iter()
            .filter(|r| r.as_str() != "privileged")
            .filter(|r| {
                !names
                    .iter()
                    .any(|(id, name)| id == *r || name.eq_ignore_ascii_case(r))
            })
            .cloned()
            .collect()
    }

    /// Whether the baseline applies to a role (by id, template id or name; `privileged`: the
    /// highly privileged roles).
    pub fn covers(&self, id: &str, name: &str, privileged: bool) -> bool {
        self.roles
            .iter()
            .any(|r| (r == "privileged" && privileged) || r == id || r.eq_ignore_ascii_case(name))
    }

    /// The rules of `assignment` (a role's policy assignment, policy expanded) the baseline
    /// changes: each with the baseline's values laid over it.
    pub fn changes(&self, role: &str, assignment: &Value) -> Vec<RuleChange> {
        let policy_id = policy_id(assignment);
        let current = assignment["policy"]["rules"].as_array();
        self.rules
            .iter()
            .filter_map(|over| {
                let id = over["id"].as_str()?;
                let before = current?.iter().find(|r| r["id"] == id)?;
                let after = merged(before, over);
                let words = differences(before, &after);
                (!words.is_empty()).then(|| RuleChange {
                    role: role.to_string(),
                    policy_id: policy_id.clone(),
                    rule_id: id.to_string(),
                    before: before.clone(),
                    after,
                    words,
                })
            })
            .collect()
    }
}

/// The policy id of an assignment (its `policyId`, else the expanded policy's id).
pub fn policy_id(assignment: &Value) -> String {
    assignment["policyId"]
        .as_str()
        .or(assignment["policy"]["id"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// What restoring `saved` (a backup document) over `assignment` (the role's policy now) sends:
/// every saved rule that differs from the tenant's, whole (a rule is replaced, not merged).
pub fn restore_changes(role: &str, saved: &Value, assignment: &Value) -> Vec<RuleChange> {
    let policy_id = policy_id(assignment);
    let current = assignment["policy"]["rules"].as_array();
    saved["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|rule| {
            let id = rule["id"].as_str()?;
            let before = current?.iter().find(|r| r["id"] == id)?;
            let words = differences(before, rule);
            (!words.is_empty()).then(|| RuleChange {
                role: role.to_string(),
                policy_id: policy_id.clone(),
                rule_id: id.to_string(),
                before: before.clone(),
                after: rule.clone(),
                words,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assignment() -> Value {
        json!({"policyId": "p1", "policy": {"rules": [
            {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
             "id": "Expiration_EndUser_Assignment", "isExpirationRequired": true,
             "maximumDuration": "PT8H", "target": {"caller": "EndUser"}},
            {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
             "id": "Approval_EndUser_Assignment",
             "setting": {"isApprovalRequired": false, "approvalMode": "SingleStage"}}
        ]}})
    }

    #[test]
    fn a_baseline_changes_only_what_differs_and_says_it() {
        let b = baseline(
            r#"
name = "Tier 0"
roles = ["privileged", "Helpdesk Administrator"]
[[rule]]
id = "Expiration_EndUser_Assignment"
maximumDuration = "PT2H"
[[rule]]
id = "Approval_EndUser_Assignment"
setting = { isApprovalRequired = false }
"#,
        )
        .unwrap();
        assert!(b.covers("x", "helpdesk administrator", false));
        assert!(b.covers("y", "Global Administrator", true));
        assert!(!b.covers("z", "Reports Reader", false));
        let c = b.changes("Global Administrator", &assignment());
        assert_eq!(c.len(), 1, "approval already matches: {c:?}");
        assert_eq!(c[0].rule_id, "Expiration_EndUser_Assignment");
        assert_eq!(c[0].words, ["maximumDuration: PT8H → PT2H"]);
        assert_eq!(c[0].after["target"]["caller"], "EndUser", "the rest kept");
        assert_eq!(c[0].policy_id, "p1");
    }

    #[test]
    fn values_are_checked_before_anything_is_sent() {
        let rule = |body: &str| baseline(&format!("[[rule]]\n{body}"));
        let e = rule("id = \"Expiration_EndUser_Assignment\"\nmaximumDuration = \"2 hours\"")
            .unwrap_err();
        assert!(e.contains("ISO 8601"), "{e}");
        let e = rule("id = \"Expiration_EndUser_Assignment\"\nmaximumDuration = \"PT48H\"")
            .unwrap_err();
        assert!(e.contains("PT24H"), "{e}");
        let e =
            rule("id = \"Expiration_EndUser_Assignment\"\nmaximumDurtion = \"PT1H\"").unwrap_err();
        assert!(e.contains("`maximumDurtion` is not a setting"), "{e}");
        let e =
            rule("id = \"Enablement_EndUser_Assignment\"\nenabledRules = [\"Mfa\"]").unwrap_err();
        assert!(e.contains("MultiFactorAuthentication"), "{e}");
        assert!(rule("id = \"Expiration_Admin_Eligibility\"\nmaximumDuration = \"P365D\"").is_ok());
        assert!(
            rule("id = \"Expiration_EndUser_Assignment\"\nmaximumDuration = \"PT90M\"").is_ok()
        );
        let b = baseline("roles = [\"Global Admin\", \"privileged\"]\n[[rule]]\nid = \"Expiration_EndUser_Assignment\"\nmaximumDuration = \"PT2H\"").unwrap();
        let names = vec![("62e9".to_string(), "Global Administrator".to_string())];
        assert_eq!(b.unknown_roles(&names), ["Global Admin"]);
    }

    #[test]
    fn bad_baselines_are_named() {
        assert!(baseline("roles = [").is_err());
        let e = baseline("[[rule]]\nid = \"Expiry\"\nx = 1").unwrap_err();
        assert!(e.contains("Expiry"), "{e}");
        assert!(baseline("name = \"x\"").unwrap_err().contains("no rule"));
        let e = baseline("[[rule]]\nid = \"Approval_EndUser_Assignment\"").unwrap_err();
        assert!(e.contains("sets no value"), "{e}");
    }

    #[test]
    fn documents_are_byte_stable_and_restores_send_whole_rules() {
        let a = assignment();
        let d1 = serde_json::to_string_pretty(&document("r", "Role", &a)).unwrap();
        let mut shuffled = a.clone();
        shuffled["policy"]["rules"]
            .as_array_mut()
            .unwrap()
            .reverse();
        let d2 = serde_json::to_string_pretty(&document("r", "Role", &shuffled)).unwrap();
        assert_eq!(d1, d2);
        let mut saved = document("r", "Role", &a);
        saved["rules"][0]["setting"]["isApprovalRequired"] = json!(true);
        let c = restore_changes("Role", &saved, &a);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].words, ["setting.isApprovalRequired: false → true"]);
        assert_eq!(c[0].after["setting"]["approvalMode"], "SingleStage");
    }
}

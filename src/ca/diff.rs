//! Semantic differences between two versions of a policy or named location ("MFA removed",
//! "state On → Report-only", "excludeUsers + 1 (name)"), the merge patch between them, and the
//! read-only properties a draft must not send.

use crate::protect::state_label;
use serde_json::{Map, Value};

/// Server-managed properties: never sent in a create or update body.
pub const READ_ONLY: &[&str] = &[
    "id",
    "createdDateTime",
    "modifiedDateTime",
    "templateId",
    "deletedDateTime",
];

/// The object as an editable draft: read-only properties and OData annotations removed
/// (`@odata.type` stays: named locations need it to be created).
pub fn draft(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| {
                    !READ_ONLY.contains(&k.as_str())
                        && (!k.starts_with('@') || k.as_str() == "@odata.type")
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Null, `[]`, `{}` and a missing property all mean "not set".
fn empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.values().all(empty),
        _ => false,
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => x.keys().chain(y.keys()).all(|k| {
            same(
                x.get(k).unwrap_or(&Value::Null),
                y.get(k).unwrap_or(&Value::Null),
            )
        }),
        _ if empty(a) && empty(b) => true,
        _ => a == b,
    }
}

/// The merge patch that turns `base` into `new`: objects recurse, arrays and values replace,
/// removed properties become `null`. `None` when nothing changed.
pub fn merge_patch(base: &Value, new: &Value) -> Option<Value> {
    if same(base, new) {
        return None;
    }
    match (base, new) {
        (Value::Object(b), Value::Object(n)) => {
            let mut out = Map::new();
            for (k, v) in n {
                let old = b.get(k).unwrap_or(&Value::Null);
                if let Some(p) = merge_patch(old, v) {
                    out.insert(k.clone(), if old.is_object() { p } else { v.clone() });
                }
            }
            for k in b.keys() {
                if !n.contains_key(k) && !empty(&b[k]) {
                    out.insert(k.clone(), Value::Null);
                }
            }
            Some(Value::Object(out))
        }
        _ => Some(new.clone()),
    }
}

/// Apply a merge patch the way Graph's PATCH does (objects merge, everything else replaces).
pub fn apply(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                match t.get_mut(k) {
                    Some(existing @ Value::Object(_)) if v.is_object() => apply(existing, v),
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

/// Leaf paths of a patch ("conditions.users.excludeUsers"), for conflict checks.
pub fn paths(patch: &Value) -> Vec<String> {
    fn walk(v: &Value, prefix: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, v) in m {
                    let p = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    walk(v, &p, out);
                }
            }
            _ => out.push(prefix.to_string()),
        }
    }
    let mut out = Vec::new();
    walk(patch, "", &mut out);
    out
}

fn control(c: &str) -> String {
    match c {
        "mfa" => "MFA".into(),
        "block" => "Block".into(),
        "compliantDevice" => "Compliant device".into(),
        "domainJoinedDevice" => "Hybrid-joined device".into(),
        "approvedApplication" => "Approved app".into(),
        "compliantApplication" => "App protection policy".into(),
        "passwordChange" => "Password change".into(),
        other => other.into(),
    }
}

fn short(v: &Value) -> String {
    match v {
        Value::Null => "none".into(),
        Value::String(s) => crate::sanitize::clean(s),
        other => crate::sanitize::clean(&other.to_string()),
    }
}

/// Readable change lines from `before` to `after`; `name` turns ids into names.
pub fn describe(before: &Value, after: &Value, name: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut out = Vec::new();
    walk(before, after, "", name, &mut out);
    out
}

fn walk(b: &Value, a: &Value, path: &str, name: &dyn Fn(&str) -> String, out: &mut Vec<String>) {
    if same(b, a) {
        return;
    }
    let leaf = path.rsplit('.').next().unwrap_or(path);
    let shown = path.strip_prefix("conditions.").unwrap_or(path);
    match (b, a) {
        _ if path == "state" => out.push(format!(
            "state {} → {}",
            state_label(b.as_str().unwrap_or_default()),
            state_label(a.as_str().unwrap_or_default())
        )),
        _ if leaf == "authenticationStrength" => {
            let n = |v: &Value| {
                v["displayName"]
                    .as_str()
                    .map(str::to_string)
                    .or_else(|| v["id"].as_str().map(name))
                    .unwrap_or_else(|| "none".into())
            };
            out.push(format!("authentication strength {} → {}", n(b), n(a)));
        }
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().collect();
            keys.extend(y.keys().filter(|k| !x.contains_key(*k)));
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    &p,
                    name,
                    out,
                );
            }
        }
        (Value::Object(_), _) if empty(a) => out.push(format!("{shown} removed")),
        (_, Value::Object(y)) if empty(b) => {
            let before = Value::Object(y.keys().map(|k| (k.clone(), Value::Null)).collect());
            walk(&before, a, path, name, out);
        }
        _ if a.is_array() || b.is_array() => {
            let list = |v: &Value| -> Vec<String> {
                v.as_array()
                    .map(|l| {
                        l.iter()
                            .map(|x| x.as_str().map(str::to_string).unwrap_or(x.to_string()))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let (old, new) = (list(b), list(a));
            let added: Vec<&String> = new.iter().filter(|x| !old.contains(x)).collect();
            let removed: Vec<&String> = old.iter().filter(|x| !new.contains(x)).collect();
            if leaf == "builtInControls" {
                out.extend(added.iter().map(|c| format!("{} added", control(c))));
                out.extend(removed.iter().map(|c| format!("{} removed", control(c))));
                return;
            }
            let names = |l: &[&String]| {
                l.iter()
                    .map(|x| crate::sanitize::clean(&name(x)))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if !added.is_empty() {
                out.push(format!("{shown} + {} ({})", added.len(), names(&added)));
            }
            if !removed.is_empty() {
                out.push(format!("{shown} - {} ({})", removed.len(), names(&removed)));
            }
            if added.is_empty() && removed.is_empty() {
                out.push(format!("{shown} reordered"));
            }
        }
        _ => out.push(format!("{shown}: {} → {}", short(b), short(a))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(v: Value) -> Value {
        v
    }

    #[test]
    fn semantic_lines() {
        let before = p(json!({"displayName": "x", "state": "enabled",
            "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": ["a"]}},
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}));
        let after = p(
            json!({"displayName": "x", "state": "enabledForReportingButNotEnforced",
            "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": ["a", "b"]}},
            "grantControls": {"operator": "OR", "builtInControls": ["compliantDevice"]}}),
        );
        let lines = describe(&before, &after, &|id| format!("<{id}>"));
        assert_eq!(
            lines,
            [
                "state On → Report-only",
                "users.excludeUsers + 1 (<b>)",
                "Compliant device added",
                "MFA removed"
            ]
        );
        assert!(describe(&before, &before, &|i| i.into()).is_empty());
    }

    #[test]
    fn null_empty_and_missing_are_the_same() {
        let a = json!({"conditions": {"platforms": null, "userRiskLevels": []}});
        let b = json!({"conditions": {}});
        assert!(merge_patch(&a, &b).is_none());
        assert!(describe(&a, &b, &|i| i.into()).is_empty());
    }

    #[test]
    fn patch_round_trips() {
        let base = json!({"state": "enabled", "sessionControls": {"x": 1},
            "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": []}, "clientAppTypes": ["all"]}});
        let new = json!({"state": "disabled",
            "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": ["u"]}, "clientAppTypes": ["all"]}});
        let patch = merge_patch(&base, &new).unwrap();
        assert_eq!(
            patch,
            json!({"state": "disabled", "conditions": {"users": {"excludeUsers": ["u"]}}, "sessionControls": null})
        );
        let mut applied = base.clone();
        apply(&mut applied, &patch);
        assert!(merge_patch(&applied, &new).is_none());
        assert_eq!(
            paths(&patch),
            ["state", "conditions.users.excludeUsers", "sessionControls"]
        );
        let d = draft(
            &json!({"id": "1", "@odata.context": "x", "@odata.type": "t", "displayName": "n"}),
        );
        assert_eq!(d, json!({"@odata.type": "t", "displayName": "n"}));
    }
}

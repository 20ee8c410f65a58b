//! Drift between two audits: each finding marked `new`, `open` or `fixed` against an earlier
//! JSON report (`audit --baseline FILE`), and what moved in between: CA policies (added,
//! removed, changed fields), role assignments (added, removed), each role's effective holders
//! (direct, through a group, eligible) and protected actions' contexts.

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The state an audit saw, kept in its JSON report so a later one can compare.
pub fn state(i: &super::Inputs) -> Value {
    let policies: Vec<Value> = i
        .facts
        .as_ref()
        .map(|f| {
            f.policies
                .iter()
                .map(|p| {
                    json!({"id": p["id"], "displayName": p["displayName"], "state": p["state"],
                        "conditions": p["conditions"], "grantControls": p["grantControls"],
                        "sessionControls": p["sessionControls"]})
                })
                .collect()
        })
        .unwrap_or_default();
    let assignments: Vec<Value> = i
        .assignments
        .as_ref()
        .map(|l| {
            l.iter()
                .map(|a| {
                    let role = i
                        .roles
                        .as_ref()
                        .ok()
                        .and_then(|r| r.definition(a["roleDefinitionId"].as_str().unwrap_or_default()))
                        .map_or(Value::Null, |d| d["displayName"].clone());
                    json!({"principalId": a["principalId"], "principal": a["principal"]["displayName"], "role": role,
                        "roleDefinitionId": a["roleDefinitionId"], "assignmentType": a["assignmentType"],
                        "directoryScopeId": a["directoryScopeId"]})
                })
                .collect()
        })
        .unwrap_or_default();
    let contexts: BTreeMap<String, Value> = i
        .facts
        .as_ref()
        .map(|f| {
            f.actions
                .iter()
                .filter(|a| a["isAuthenticationContextSettable"] == true)
                .filter_map(|a| {
                    Some((
                        a["name"].as_str()?.to_string(),
                        a["authenticationContextId"].clone(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    json!({"policies": policies, "roleAssignments": assignments, "contexts": contexts,
        "roleHolders": holders(i)})
}

/// Every role's effective holders: each user who holds it, directly or as a member of a
/// role-holding group, active or eligible (a new Global Administrator added to "Tier0 - Global
/// Admins" changes no assignment, but changes this).
fn holders(i: &super::Inputs) -> Vec<Value> {
    let Ok(r) = &i.roles else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (a, kind) in r
        .active
        .iter()
        .map(|a| (a, "active"))
        .chain(r.eligible.iter().map(|a| (a, "eligible")))
    {
        let rid = a["roleDefinitionId"].as_str().unwrap_or_default();
        let role = r
            .definition(rid)
            .and_then(|d| d["displayName"].as_str())
            .unwrap_or(rid);
        let pid = a["principalId"].as_str().unwrap_or_default();
        let name = a["principal"]["displayName"].as_str().unwrap_or(pid);
        match r.group_members.get(pid) {
            Some(members) => {
                for m in members {
                    out.push(json!({"role": role, "id": m["id"],
                        "name": m["displayName"].as_str().or(m["id"].as_str()),
                        "via": format!("via {name}"), "kind": kind}));
                }
            }
            None => out.push(json!({"role": role, "id": pid, "name": name,
                "via": "direct", "kind": kind})),
        }
    }
    out.sort_by_key(|h| h.to_string());
    out.dedup();
    out
}

fn key(a: &Value) -> String {
    format!(
        "{}|{}|{}|{}",
        a["principalId"].as_str().unwrap_or_default(),
        a["roleDefinitionId"].as_str().unwrap_or_default(),
        a["directoryScopeId"].as_str().unwrap_or("/"),
        a["assignmentType"].as_str().unwrap_or_default()
    )
}

/// Mark each finding of `now` against `before` (both JSON reports) and list what changed.
pub fn compare(now: &mut Value, before: &Value) -> Value {
    let failed = |r: &Value| -> BTreeMap<String, BTreeSet<String>> {
        r["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["status"] == "fail" || f["status"] == "nearMiss")
            .map(|f| {
                let ids = f["evidence"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|e| e["id"].as_str().map(str::to_string))
                    .collect();
                (f["id"].as_str().unwrap_or_default().to_string(), ids)
            })
            .collect()
    };
    let was = failed(before);
    let is = failed(now);
    if let Some(list) = now["findings"].as_array_mut() {
        for f in list {
            let id = f["id"].as_str().unwrap_or_default().to_string();
            let drift = match (was.contains_key(&id), is.contains_key(&id)) {
                (true, true) => "open",
                (false, true) => "new",
                (true, false) => "fixed",
                (false, false) => "unchanged",
            };
            f["drift"] = json!(drift);
            if let (Some(old), Some(new)) = (was.get(&id), is.get(&id)) {
                f["newObjects"] = json!(new.difference(old).collect::<Vec<_>>());
                f["fixedObjects"] = json!(old.difference(new).collect::<Vec<_>>());
            }
        }
    }
    // What moved: policies by id and field, assignments by key, contexts by permission.
    let by_id = |r: &Value| -> BTreeMap<String, Value> {
        r["state"]["policies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p["id"].as_str()?.to_string(), p.clone())))
            .collect()
    };
    let (old_p, new_p) = (by_id(before), by_id(now));
    let name = |p: &Value| p["displayName"].as_str().unwrap_or_default().to_string();
    let added: Vec<String> = new_p
        .iter()
        .filter(|(k, _)| !old_p.contains_key(*k))
        .map(|(_, p)| name(p))
        .collect();
    let removed: Vec<String> = old_p
        .iter()
        .filter(|(k, _)| !new_p.contains_key(*k))
        .map(|(_, p)| name(p))
        .collect();
    let changed: Vec<Value> = new_p
        .iter()
        .filter_map(|(k, p)| {
            let o = old_p.get(k)?;
            let fields: Vec<&str> = [
                "displayName",
                "state",
                "conditions",
                "grantControls",
                "sessionControls",
            ]
            .into_iter()
            .filter(|f| o[*f] != p[*f])
            .collect();
            (!fields.is_empty()).then(|| {
                json!({"policy": name(p), "fields": fields,
                "state": {"before": o["state"], "after": p["state"]}})
            })
        })
        .collect();
    let keys = |r: &Value| -> BTreeMap<String, Value> {
        r["state"]["roleAssignments"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| (key(a), a.clone()))
            .collect()
    };
    let (old_a, new_a) = (keys(before), keys(now));
    let show = |a: &Value| {
        let role = a["role"]
            .as_str()
            .or(a["roleDefinitionId"].as_str())
            .unwrap_or_default();
        format!(
            "{} {role} ({})",
            a["principal"].as_str().unwrap_or_default(),
            a["assignmentType"].as_str().unwrap_or_default()
        )
    };
    let a_added: Vec<String> = new_a
        .iter()
        .filter(|(k, _)| !old_a.contains_key(*k))
        .map(|(_, a)| show(a))
        .collect();
    let a_removed: Vec<String> = old_a
        .iter()
        .filter(|(k, _)| !new_a.contains_key(*k))
        .map(|(_, a)| show(a))
        .collect();
    // Holders by role, principal, route and kind: an added member of a role-holding group is a
    // new holder of its roles (named with the group).
    let holder_keys = |r: &Value| -> BTreeMap<String, Value> {
        r["state"]["roleHolders"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| {
                (
                    format!("{}|{}|{}|{}", h["role"], h["id"], h["via"], h["kind"]),
                    h.clone(),
                )
            })
            .collect()
    };
    let (old_h, new_h) = (holder_keys(before), holder_keys(now));
    // "Global Administrator holders added: Chen Wei (via Tier0 - Global Admins)".
    let holder = |h: &Value, word: &str| {
        let mut route: Vec<&str> = Vec::new();
        if let Some(via) = h["via"].as_str().filter(|v| *v != "direct") {
            route.push(via);
        }
        if h["kind"] == "eligible" {
            route.push("eligible");
        }
        let route = if route.is_empty() {
            String::new()
        } else {
            format!(" ({})", route.join(", "))
        };
        format!(
            "{} holders {word}: {}{route}",
            h["role"].as_str().unwrap_or_default(),
            h["name"].as_str().unwrap_or_default()
        )
    };
    // A baseline made before holders were kept has none: then nothing is said about them.
    let compared = before["state"]["roleHolders"].is_array();
    let h_added: Vec<String> = new_h
        .iter()
        .filter(|(k, _)| compared && !old_h.contains_key(*k))
        .map(|(_, h)| holder(h, "added"))
        .collect();
    let h_removed: Vec<String> = old_h
        .iter()
        .filter(|(k, _)| !new_h.contains_key(*k))
        .map(|(_, h)| holder(h, "removed"))
        .collect();
    let ctx = |r: &Value| {
        r["state"]["contexts"]
            .as_object()
            .cloned()
            .unwrap_or_default()
    };
    let (old_c, new_c) = (ctx(before), ctx(now));
    let contexts: Vec<Value> = new_c
        .iter()
        .filter(|(k, v)| old_c.get(*k).is_some_and(|o| o != *v))
        .map(|(k, v)| json!({"permission": k, "before": old_c[k], "after": v}))
        .collect();
    json!({
        "baselineTime": before["time"],
        "policies": {"added": added, "removed": removed, "changed": changed},
        "roleAssignments": {"added": a_added, "removed": a_removed},
        "roleHolders": {"added": h_added, "removed": h_removed},
        "contexts": contexts,
    })
}

/// The changes in Markdown (after the findings).
pub fn markdown(changes: &Value) -> String {
    let list = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .map(|x| match x.as_str() {
                Some(s) => crate::sanitize::md_cell(s),
                None => crate::sanitize::md_cell(&x.to_string()),
            })
            .collect()
    };
    let mut o = format!(
        "\n## Since the baseline ({})\n\n",
        changes["baselineTime"].as_str().unwrap_or("?")
    );
    for (label, v) in [
        ("CA policies added", &changes["policies"]["added"]),
        ("CA policies removed", &changes["policies"]["removed"]),
        (
            "Role assignments added",
            &changes["roleAssignments"]["added"],
        ),
        (
            "Role assignments removed",
            &changes["roleAssignments"]["removed"],
        ),
    ] {
        let items = list(v);
        o.push_str(&format!(
            "- {label}: {}\n",
            if items.is_empty() {
                "none".into()
            } else {
                items.join("; ")
            }
        ));
    }
    // Each holder change is its own line ("Global Administrator holders added: …").
    let holders: Vec<String> = ["added", "removed"]
        .iter()
        .flat_map(|k| list(&changes["roleHolders"][*k]))
        .collect();
    if holders.is_empty() {
        o.push_str("- Role holders added or removed: none\n");
    }
    for h in holders {
        o.push_str(&format!("- {h}\n"));
    }
    for c in changes["policies"]["changed"]
        .as_array()
        .into_iter()
        .flatten()
    {
        o.push_str(&format!(
            "- CA policy changed: {} ({})\n",
            crate::sanitize::md_cell(c["policy"].as_str().unwrap_or_default()),
            list(&c["fields"]).join(", ")
        ));
    }
    for c in changes["contexts"].as_array().into_iter().flatten() {
        o.push_str(&format!(
            "- Context of {}: {} → {}\n",
            crate::sanitize::md_cell(c["permission"].as_str().unwrap_or_default()),
            c["before"],
            c["after"]
        ));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn findings_are_new_open_or_fixed_and_changes_are_named() {
        let before = json!({"time": "t0", "findings": [
                {"id": "A", "status": "fail", "evidence": [{"id": "x"}]},
                {"id": "B", "status": "fail", "evidence": []}],
            "state": {"policies": [{"id": "p1", "displayName": "P1", "state": "enabled"},
                                   {"id": "p2", "displayName": "P2", "state": "enabled"}],
                      "roleAssignments": [{"principalId": "u", "principal": "U", "roleDefinitionId": "r", "assignmentType": "Assigned"}],
                      "contexts": {"perm": "c1"}}});
        let mut now = json!({"findings": [
                {"id": "A", "status": "fail", "evidence": [{"id": "x"}, {"id": "y"}]},
                {"id": "B", "status": "pass", "evidence": []},
                {"id": "C", "status": "fail", "evidence": []}],
            "state": {"policies": [{"id": "p1", "displayName": "P1", "state": "disabled"},
                                   {"id": "p3", "displayName": "P3", "state": "enabled"}],
                      "roleAssignments": [],
                      "contexts": {"perm": null}}});
        let changes = compare(&mut now, &before);
        let drift: Vec<&str> = now["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["drift"].as_str().unwrap())
            .collect();
        assert_eq!(drift, ["open", "fixed", "new"]);
        assert_eq!(now["findings"][0]["newObjects"], json!(["y"]));
        assert_eq!(changes["policies"]["added"], json!(["P3"]));
        assert_eq!(changes["policies"]["removed"], json!(["P2"]));
        assert_eq!(
            changes["policies"]["changed"][0]["fields"],
            json!(["state"])
        );
        assert_eq!(
            changes["roleAssignments"]["removed"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        assert_eq!(changes["contexts"][0]["before"], "c1");
        assert!(markdown(&changes).contains("CA policies removed: P2"));
    }
}

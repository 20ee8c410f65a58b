//! Backup and restore of Conditional Access: every policy and named location as one JSON file
//! (sorted keys, stable names, git-friendly) and a restore that recreates missing named
//! locations first and remaps their ids inside the policies it then recreates.

use super::diff::draft;
use crate::graph::{GraphClient, GraphError, Method, Request};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const POLICIES: &str = "/identity/conditionalAccess/policies";
pub const LOCATIONS: &str = "/identity/conditionalAccess/namedLocations";

/// What a backup or restore did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub policies: usize,
    pub locations: usize,
    /// Objects left as they are because they still exist.
    pub kept: usize,
    pub lines: Vec<String>,
}

/// Keys sorted at every level: the same object always writes the same bytes.
pub fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let sorted: BTreeMap<&String, Value> =
                m.iter().map(|(k, v)| (k, canonical(v))).collect();
            Value::Object(
                sorted
                    .into_iter()
                    .map(|(k, v)| (k.clone(), v))
                    .collect::<Map<_, _>>(),
            )
        }
        Value::Array(a) => Value::Array(a.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// A Graph error as one line on stderr; its `Display` already carries Graph's inner message
/// (`1064: ...`), once.
pub fn graph(e: GraphError) -> String {
    e.to_string()
}

/// A file name from the display name and the id: `ca001-require-mfa-781b9a43.json`.
fn file_name(v: &Value) -> String {
    let name: String = v["displayName"]
        .as_str()
        .unwrap_or("unnamed")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let name = name
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let name: String = name.chars().take(60).collect();
    let id: String = v["id"].as_str().unwrap_or("new").chars().take(8).collect();
    format!("{name}-{id}.json")
}

fn io(e: std::io::Error, p: &Path) -> String {
    format!("{}: {e}", p.display())
}

fn write_all(dir: &Path, items: &[Value]) -> Result<(), String> {
    // Policies are tenant configuration: folders the backup makes are 0700 and its files
    // 0600, like the cache (a folder the admin made keeps its own mode).
    crate::private::create_dir(dir).map_err(|e| io(e, dir))?;
    for v in items {
        let mut clean = v.clone();
        if let Some(m) = clean.as_object_mut() {
            m.retain(|k, _| !k.starts_with("@odata.") || k == "@odata.type");
        }
        let text = serde_json::to_string_pretty(&canonical(&clean)).unwrap_or_default() + "\n";
        let path = dir.join(file_name(v));
        crate::private::write(&path, text.as_bytes()).map_err(|e| io(e, &path))?;
    }
    Ok(())
}

/// Write all policies and named locations under `dir/policies` and `dir/named-locations`.
pub async fn backup(client: &GraphClient, dir: &Path) -> Result<Summary, String> {
    let policies = client
        .get_all(Request::get(POLICIES))
        .await
        .map_err(graph)?;
    let locations = client
        .get_all(Request::get(LOCATIONS))
        .await
        .map_err(graph)?;
    write_all(&dir.join("named-locations"), &locations)?;
    write_all(&dir.join("policies"), &policies)?;
    Ok(Summary {
        policies: policies.len(),
        locations: locations.len(),
        ..Default::default()
    })
}

fn read_dir(dir: &Path) -> Result<Vec<(PathBuf, Value)>, String> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(io(e, dir)),
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p).map_err(|e| io(e, &p))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not valid JSON: {e}", p.display()))?;
        out.push((p, v));
    }
    Ok(out)
}

/// Replace old named-location ids with new ones inside a policy's location condition.
pub fn remap(policy: &mut Value, ids: &BTreeMap<String, String>) {
    for key in ["includeLocations", "excludeLocations"] {
        if let Some(list) = policy["conditions"]["locations"][key].as_array_mut() {
            for v in list {
                if let Some(new) = v.as_str().and_then(|s| ids.get(s)) {
                    *v = Value::String(new.clone());
                }
            }
        }
    }
}

/// Send a create; on a claims challenge (a protected action) ask `step_up` once, then retry.
async fn create(
    client: &GraphClient,
    path: &str,
    body: Value,
    step_up: &impl AsyncFn(String) -> Result<(), String>,
    journal: &impl AsyncFn(Written),
) -> Result<Value, String> {
    let req = Request::new(Method::Post, path).json(body);
    write(client, &req, step_up, journal).await
}

/// Send a write of a headless command; on a claims challenge (a protected action, a PIM
/// policy that demands a context) ask `step_up` once, then retry; journal the attempt.
pub async fn write(
    client: &GraphClient,
    req: &Request,
    step_up: &impl AsyncFn(String) -> Result<(), String>,
    journal: &impl AsyncFn(Written),
) -> Result<Value, String> {
    let mut stepped_up = None;
    // Sent, and the answer lost on the way back: the tenant may have carried it out.
    let mut lost = false;
    let result = match client.send(req).await {
        Ok(r) => Ok(r),
        Err(e) => match e.api().and_then(|a| a.claims.clone()) {
            Some(ch) => match step_up(ch.claims.clone()).await {
                Ok(()) => {
                    stepped_up = ch.acrs.clone();
                    client.send(req).await.map_err(|e| {
                        lost = e.answer_lost();
                        graph(e)
                    })
                }
                Err(why) => Err(why),
            },
            None => {
                lost = e.answer_lost();
                Err(graph(e))
            }
        },
    };
    // Every write attempt is journaled, sent or refused, like the console's own writes; one
    // whose answer was lost is "unknown", never "failed".
    let (outcome, request_id) = match &result {
        Ok(r) => ("ok".to_string(), r.request_id.clone()),
        Err(e) if lost => (format!("unknown: {e}"), None),
        Err(e) => (format!("failed: {e}"), None),
    };
    journal(Written {
        method: req.method.as_str(),
        path: req.path.clone(),
        after: req.body.as_ref().map(Value::to_string),
        outcome,
        request_id,
        claims_context: stepped_up,
    })
    .await;
    result.map(|r| r.body).map_err(|e| {
        if lost {
            format!(
                "the answer was lost after it was sent ({e}): the tenant may have carried it out; it was not sent again"
            )
        } else {
            e
        }
    })
}

/// One write of a restore, for the journal.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    pub method: &'static str,
    pub path: String,
    pub after: Option<String>,
    pub outcome: String,
    pub request_id: Option<String>,
    /// The authentication context stepped up to, when the write needed one.
    pub claims_context: Option<String>,
}

/// Recreate what the folder holds and the tenant lacks (matched by id): named locations first,
/// then policies with location ids remapped. Existing objects are left as they are. Creates are
/// protected actions in many tenants: `step_up` answers a claims challenge.
pub async fn restore(
    client: &GraphClient,
    dir: &Path,
    step_up: impl AsyncFn(String) -> Result<(), String>,
    journal: impl AsyncFn(Written),
) -> Result<Summary, String> {
    let mut s = Summary::default();
    let ids_of = |items: &[Value]| -> Vec<String> {
        items
            .iter()
            .filter_map(|v| v["id"].as_str().map(str::to_string))
            .collect()
    };
    let existing_locations = ids_of(
        &client
            .get_all(Request::get(LOCATIONS))
            .await
            .map_err(graph)?,
    );
    let existing_policies = ids_of(
        &client
            .get_all(Request::get(POLICIES))
            .await
            .map_err(graph)?,
    );
    let mut ids = BTreeMap::new();
    for (path, v) in read_dir(&dir.join("named-locations"))? {
        let old = v["id"].as_str().unwrap_or_default().to_string();
        if existing_locations.contains(&old) {
            s.kept += 1;
            continue;
        }
        super::location::validate(&v).map_err(|e| format!("{}: {e}", path.display()))?;
        let created = create(client, LOCATIONS, draft(&v), &step_up, &journal).await?;
        let new = created["id"].as_str().unwrap_or_default().to_string();
        s.lines.push(format!(
            "named location {} recreated ({old} -> {new})",
            v["displayName"].as_str().unwrap_or_default()
        ));
        ids.insert(old, new);
        s.locations += 1;
    }
    for (path, mut v) in read_dir(&dir.join("policies"))? {
        let old = v["id"].as_str().unwrap_or_default().to_string();
        if existing_policies.contains(&old) {
            s.kept += 1;
            continue;
        }
        remap(&mut v, &ids);
        let body = draft(&v);
        super::validate_policy(&body).map_err(|e| format!("{}: {e}", path.display()))?;
        let created = create(client, POLICIES, body, &step_up, &journal).await?;
        s.lines.push(format!(
            "policy {} recreated ({old} -> {})",
            v["displayName"].as_str().unwrap_or_default(),
            created["id"].as_str().unwrap_or_default()
        ));
        s.policies += 1;
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_sorts_and_names_are_stable() {
        let v = json!({"b": 1, "a": {"d": 2, "c": [{"z": 1, "y": 2}]}});
        assert_eq!(
            serde_json::to_string(&canonical(&v)).unwrap(),
            r#"{"a":{"c":[{"y":2,"z":1}],"d":2},"b":1}"#
        );
        let p = json!({"displayName": "CA001 - Require MFA: admins!", "id": "781b9a43-d04c"});
        assert_eq!(file_name(&p), "ca001-require-mfa-admins-781b9a43.json");
        let mut pol = json!({"conditions": {"locations": {"includeLocations": ["old", "All"]}}});
        remap(&mut pol, &[("old".to_string(), "new".to_string())].into());
        assert_eq!(
            pol["conditions"]["locations"]["includeLocations"],
            json!(["new", "All"])
        );
    }
}

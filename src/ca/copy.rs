//! A Conditional Access policy copied to another tenant: every object it names is found in the
//! target by name (users and groups by display name, named locations, authentication contexts
//! and custom strengths by display name; directory roles, built-in strengths and applications
//! keep their ids, which are the same in every tenant), the remapping said line by line, the
//! objects the target lacks named (refused unless they may be left out), and the copy made
//! report-only.

use crate::graph::{GraphClient, Request};
use crate::sanitize::clean;
use serde_json::{Value, json};

const POLICIES: &str = "/identity/conditionalAccess/policies";
const LOCATIONS: &str = "/identity/conditionalAccess/namedLocations";
const CONTEXTS: &str = "/identity/conditionalAccess/authenticationContextClassReferences";
const STRENGTHS: &str = "/policies/authenticationStrengthPolicies";

/// The policy ready to create in the target, and what was done to it.
#[derive(Debug, Default)]
pub struct Prepared {
    pub body: Value,
    pub name: String,
    /// "group Sales Team: 21c8… → 7f3e…", one line per object.
    pub lines: Vec<String>,
    /// The objects the target lacks, in words.
    pub missing: Vec<String>,
}

/// Keywords that are not object ids.
fn keyword(id: &str) -> bool {
    matches!(
        id,
        "All"
            | "None"
            | "GuestsOrExternalUsers"
            | "AllTrusted"
            | "Office365"
            | "MicrosoftAdminPortals"
    )
}

/// An OData string literal (a quote doubled).
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The source policy: by id, else by display name (one match).
async fn find(source: &GraphClient, policy: &str) -> Result<Value, String> {
    let all = source
        .get_all(Request::get(POLICIES))
        .await
        .map_err(|e| format!("the source's policies could not be read: {e}"))?;
    let hits: Vec<&Value> = all
        .iter()
        .filter(|p| {
            p["id"] == policy
                || p["displayName"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(policy))
        })
        .collect();
    match hits.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(format!("no policy {} in the source", clean(policy))),
        _ => Err(format!(
            "{} names {} policies in the source: give its id",
            clean(policy),
            hits.len()
        )),
    }
}

/// The display name of a directory object in the source.
async fn source_name(source: &GraphClient, path: &str) -> Option<String> {
    source
        .get_json(&Request::get(path.to_string()).select(&["id", "displayName"]))
        .await
        .ok()
        .and_then(|v| v["displayName"].as_str().map(str::to_string))
}

/// The target's object of that display name, in a collection read once.
fn by_name<'a>(items: &'a [Value], name: &str) -> Vec<&'a Value> {
    items
        .iter()
        .filter(|v| v["displayName"].as_str() == Some(name))
        .collect()
}

/// Read the source policy and remap it for the target.
pub async fn prepare(
    source: &GraphClient,
    target: &GraphClient,
    policy: &str,
) -> Result<Prepared, String> {
    let p = find(source, policy).await?;
    let name = p["displayName"].as_str().unwrap_or_default().to_string();
    let existing = target
        .get_all(Request::get(POLICIES))
        .await
        .map_err(|e| format!("the target's policies could not be read: {e}"))?;
    if !by_name(&existing, &name).is_empty() {
        return Err(format!(
            "the target already has a policy named \"{}\": nothing copied",
            clean(&name)
        ));
    }
    let mut out = Prepared {
        body: crate::ca::diff::draft(&p),
        name: name.clone(),
        ..Default::default()
    };
    // Users and groups, by display name (a name two objects share is not guessed).
    for (kind, keys, path) in [
        ("user", ["includeUsers", "excludeUsers"], "/users"),
        ("group", ["includeGroups", "excludeGroups"], "/groups"),
    ] {
        for key in keys {
            let ids = crate::ca::strs(&p["conditions"]["users"][key]);
            let mut mapped = Vec::new();
            for id in ids {
                if keyword(&id) {
                    mapped.push(id);
                    continue;
                }
                let Some(n) = source_name(source, &format!("{path}/{id}")).await else {
                    out.missing
                        .push(format!("{kind} {id}: not readable in the source"));
                    continue;
                };
                let hits = target
                    .get_all(
                        Request::get(path)
                            .filter(format!("displayName eq {}", literal(&n)))
                            .select(&["id", "displayName"]),
                    )
                    .await
                    .map_err(|e| format!("the target's {kind}s could not be searched: {e}"))?;
                match hits.as_slice() {
                    [one] => {
                        let new = one["id"].as_str().unwrap_or_default().to_string();
                        out.lines
                            .push(format!("{kind} {}: {id} → {new}", clean(&n)));
                        mapped.push(new);
                    }
                    [] => out
                        .missing
                        .push(format!("{kind} {} ({key}): not in the target", clean(&n))),
                    many => out.missing.push(format!(
                        "{kind} {} ({key}): {} in the target share that name",
                        clean(&n),
                        many.len()
                    )),
                }
            }
            out.body["conditions"]["users"][key] = json!(mapped);
        }
    }
    // Named locations, contexts and custom strengths: the target's lists, by display name.
    let lists = async |path: &str| -> Result<(Vec<Value>, Vec<Value>), String> {
        let s = source
            .get_all(Request::get(path))
            .await
            .map_err(|e| format!("{path} (source): {e}"))?;
        let t = target
            .get_all(Request::get(path))
            .await
            .map_err(|e| format!("{path} (target): {e}"))?;
        Ok((s, t))
    };
    let remap =
        |kind: &str, id: &str, s: &[Value], t: &[Value], out: &mut Prepared| -> Option<String> {
            let n = s.iter().find(|v| v["id"] == id)?["displayName"]
                .as_str()?
                .to_string();
            match by_name(t, &n).as_slice() {
                [one] => {
                    let new = one["id"].as_str().unwrap_or_default().to_string();
                    out.lines
                        .push(format!("{kind} {}: {id} → {new}", clean(&n)));
                    Some(new)
                }
                [] => {
                    out.missing
                        .push(format!("{kind} {}: not in the target", clean(&n)));
                    None
                }
                many => {
                    out.missing.push(format!(
                        "{kind} {}: {} in the target share that name",
                        clean(&n),
                        many.len()
                    ));
                    None
                }
            }
        };
    let locs = &p["conditions"]["locations"];
    if !locs.is_null() {
        let (s, t) = lists(LOCATIONS).await?;
        for key in ["includeLocations", "excludeLocations"] {
            let mut mapped = Vec::new();
            for id in crate::ca::strs(&locs[key]) {
                if keyword(&id) {
                    mapped.push(id);
                } else if let Some(new) = remap("named location", &id, &s, &t, &mut out) {
                    mapped.push(new);
                }
            }
            out.body["conditions"]["locations"][key] = json!(mapped);
        }
    }
    let ctxs = crate::ca::strs(
        &p["conditions"]["applications"]["includeAuthenticationContextClassReferences"],
    );
    if !ctxs.is_empty() {
        let (s, t) = lists(CONTEXTS).await?;
        let mapped: Vec<String> = ctxs
            .iter()
            .filter_map(|id| remap("authentication context", id, &s, &t, &mut out))
            .collect();
        out.body["conditions"]["applications"]["includeAuthenticationContextClassReferences"] =
            json!(mapped);
    }
    if let Some(sid) = p["grantControls"]["authenticationStrength"]["id"].as_str() {
        // Built-in strengths have the same ids everywhere (00000000-0000-0000-0000-00000000000N).
        if sid.starts_with("00000000-0000-0000-0000-") {
            out.body["grantControls"]["authenticationStrength"] = json!({"id": sid});
        } else {
            let (s, t) = lists(STRENGTHS).await?;
            match remap("authentication strength", sid, &s, &t, &mut out) {
                Some(new) => {
                    out.body["grantControls"]["authenticationStrength"] = json!({"id": new})
                }
                None => out.body["grantControls"]["authenticationStrength"] = Value::Null,
            }
        }
    }
    if !crate::ca::strs(&p["conditions"]["users"]["includeRoles"]).is_empty()
        || !crate::ca::strs(&p["conditions"]["users"]["excludeRoles"]).is_empty()
    {
        out.lines
            .push("directory roles: kept (role template ids are the same in every tenant)".into());
    }
    // The copy lands report-only, whatever the source's state.
    out.body["state"] = json!("enabledForReportingButNotEnforced");
    Ok(out)
}

/// Why the copy, with the missing objects left out, would not be a policy, if it would not.
pub fn left_out_refusal(body: &Value) -> Option<String> {
    let u = &body["conditions"]["users"];
    let includes = ["includeUsers", "includeGroups", "includeRoles"]
        .iter()
        .any(|k| !crate::ca::strs(&u[*k]).is_empty())
        || !u["includeGuestsOrExternalUsers"].is_null();
    if !includes {
        return Some("with the missing objects left out the copy would include no one".into());
    }
    crate::ca::validate_policy(body).err()
}

/// The create request for the target.
pub fn create(p: &Prepared) -> Request {
    Request::new(crate::graph::Method::Post, POLICIES).json(p.body.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odata_literals_double_quotes_and_keywords_stay() {
        assert_eq!(literal("O'Brien"), "'O''Brien'");
        assert!(keyword("All") && keyword("AllTrusted") && !keyword("c1"));
        assert!(
            left_out_refusal(&json!({"conditions": {"users": {"includeGroups": []}}})).is_some()
        );
    }
}

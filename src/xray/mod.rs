//! xray: one user → their groups (with the nesting path) → directory roles (active or
//! eligible, direct or through which group) → the Conditional Access policies whose users
//! condition takes them in and what each requires (the offline evaluator) → the protected
//! actions their roles allow and the context each demands. Read once, shown in the TUI (`x`)
//! and by `entra-console xray USER --format md|json`; a part that cannot be read is named in
//! `notRead` and the rest is still shown.

pub mod render;

use crate::ca::eval::{self, SignIn, Tri};
use crate::graph::endpoints::path_segment;
use crate::graph::{GraphClient, GraphError, Request};
use crate::protect::Facts;
use crate::roles::{RoleFacts, grants};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What xray reads about one user.
#[derive(Debug, Default)]
pub struct Input {
    pub user: Value,
    /// The groups the user is a direct member of.
    pub direct: Vec<Value>,
    /// Every group the user is in, through nesting too.
    pub transitive: Vec<Value>,
    /// group id -> the groups it is a direct member of.
    pub parents: HashMap<String, Vec<String>>,
    pub roles: Option<RoleFacts>,
    pub facts: Option<Facts>,
    /// The user's Identity Protection record (`Null`: never risky, Graph's 404), when read.
    pub risk: Option<Value>,
    /// Authentication methods registration (MFA / passwordless capable, default method).
    pub registration: Option<Value>,
    pub not_read: Vec<String>,
}

fn groups_only(items: Vec<Value>) -> Vec<Value> {
    items
        .into_iter()
        .filter(|v| crate::graph::model::odata_kind(v) == "group")
        .collect()
}

/// Read everything xray shows about `key` (a UPN or an object id). Only the user itself must be
/// readable; every other part that fails is named.
pub async fn read(client: &GraphClient, key: &str) -> Result<Input, GraphError> {
    let user = client
        .get_json(
            &Request::get(format!("/users/{}", path_segment(key))).select(&[
                "id",
                "displayName",
                "userPrincipalName",
                "userType",
                "accountEnabled",
                "onPremisesSyncEnabled",
            ]),
        )
        .await?;
    let id = user["id"].as_str().unwrap_or_default().to_string();
    if id.trim().is_empty() {
        // Never `/users//memberOf`: without the user's id nothing below can be asked.
        return Err(GraphError::NoId(format!(
            "Graph's answer for user {key} has no id, so its groups, roles and policies cannot be read"
        )));
    }
    let mut input = Input {
        user,
        ..Default::default()
    };
    let groups = |path: String| {
        Request::get(path)
            .select(&["id", "displayName", "isAssignableToRole", "groupTypes"])
            .top(999)
    };
    match client
        .get_all(groups(format!("/users/{}/memberOf", path_segment(&id))))
        .await
    {
        Ok(v) => input.direct = groups_only(v),
        Err(e) => input.not_read.push(format!("direct groups: {e}")),
    }
    match client
        .get_all(groups(format!(
            "/users/{}/transitiveMemberOf",
            path_segment(&id)
        )))
        .await
    {
        Ok(v) => input.transitive = groups_only(v),
        Err(e) => input.not_read.push(format!("groups through nesting: {e}")),
    }
    // The nesting path: the parents of every group reached through another one.
    let direct: BTreeSet<&str> = input
        .direct
        .iter()
        .filter_map(|g| g["id"].as_str())
        .collect();
    let nested: Vec<String> = input
        .transitive
        .iter()
        .filter_map(|g| g["id"].as_str())
        .filter(|g| !direct.contains(g))
        .map(str::to_string)
        .collect();
    let reqs: Vec<Request> = input
        .transitive
        .iter()
        .filter_map(|g| g["id"].as_str())
        .map(|g| Request::get(format!("/groups/{}/memberOf", path_segment(g))).select(&["id"]))
        .collect();
    if !nested.is_empty() {
        let ids: Vec<String> = input
            .transitive
            .iter()
            .filter_map(|g| g["id"].as_str().map(str::to_string))
            .collect();
        for (g, r) in ids.into_iter().zip(client.get_many(reqs, 4).await) {
            match r {
                Ok(v) => {
                    let parents = v["value"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|p| p["id"].as_str().map(str::to_string))
                        .collect();
                    input.parents.insert(g, parents);
                }
                Err(e) => input.not_read.push(format!("the groups {g} is in: {e}")),
            }
        }
    }
    match client
        .get_json(&crate::graph::resources::risky_users::one(&id))
        .await
    {
        Ok(v) => input.risk = Some(v),
        // Not in Identity Protection's list: never at risk.
        Err(e) if e.api().is_some_and(|a| a.status == 404) => input.risk = Some(Value::Null),
        // Optional parts (P2, reports permissions): said in their section, not a failed xray.
        Err(e) => input.risk = Some(json!({ "notRead": e.to_string() })),
    }
    match client
        .get_json(&crate::graph::resources::users::registration(&id))
        .await
    {
        // userregistrationdetails-get.md's example wraps the object in `value`.
        Ok(v) => {
            let inner = v.get("value").filter(|x| x.is_object()).cloned();
            input.registration = Some(inner.unwrap_or(v));
        }
        Err(e) => input.registration = Some(json!({ "notRead": e.to_string() })),
    }
    match RoleFacts::load(client).await {
        Ok(r) => input.roles = Some(r),
        Err(e) => input.not_read.push(format!("directory roles: {e}")),
    }
    match Facts::load(client).await {
        Ok(f) => {
            for (part, why) in &f.missing {
                input.not_read.push(format!("{}: {why}", part.label()));
            }
            input.facts = Some(f);
        }
        Err(e) => input
            .not_read
            .push(format!("policies and protected actions: {e}")),
    }
    Ok(input)
}

/// What xray shows about `key` from the cache alone (offline, a snapshot): the synced user,
/// their groups from the synced memberships (nesting followed), and the roles and protection
/// `sync` kept. A part the cache lacks is named, never guessed.
pub fn read_cached(store: &crate::cache::Store, key: &str) -> Result<Input, GraphError> {
    let cache = |e: crate::cache::CacheError| GraphError::Cache(e.to_string());
    let user = store.user(key).map_err(cache)?.ok_or_else(|| {
        GraphError::Cache(format!(
            "{key} is not in this cache: run `entra-console sync users` online first"
        ))
    })?;
    let id = user["id"].as_str().unwrap_or_default().to_string();
    if id.is_empty() {
        return Err(GraphError::NoId(format!("the cached user {key}")));
    }
    let mut input = Input {
        user,
        ..Default::default()
    };
    let group = |gid: &str| -> Value {
        let name = store
            .names_of(&[gid.to_string()])
            .ok()
            .and_then(|n| n.into_iter().next())
            .map_or(Value::Null, |(_, n)| Value::from(n));
        json!({"id": gid, "displayName": name, "@odata.type": "#microsoft.graph.group"})
    };
    match store.member_of(&id).map_err(cache)? {
        None => input
            .not_read
            .push("groups: memberships are not in this cache (sync group-members)".into()),
        Some(direct) => {
            input.direct = direct.iter().map(|g| group(g)).collect();
            // Nesting: the groups each group is in, until none is new.
            let mut seen: BTreeSet<String> = direct.iter().cloned().collect();
            let mut frontier = direct;
            while let Some(g) = frontier.pop() {
                let parents = store.member_of(&g).map_err(cache)?.unwrap_or_default();
                for p in &parents {
                    if seen.insert(p.clone()) {
                        frontier.push(p.clone());
                    }
                }
                input.parents.insert(g, parents);
            }
            input.transitive = seen.iter().map(|g| group(g)).collect();
        }
    }
    match crate::audit::cached::roles(store) {
        Ok(r) => input.roles = Some(r),
        Err(e) => input.not_read.push(format!("directory roles: {e}")),
    }
    match crate::audit::cached::facts(store) {
        Ok(f) => input.facts = Some(f),
        Err(e) => input
            .not_read
            .push(format!("policies and protected actions: {e}")),
    }
    Ok(input)
}

/// The path from the user to each group: `[direct group, …, the group]`.
fn paths(input: &Input) -> BTreeMap<String, Vec<String>> {
    let name = |id: &str| {
        input
            .transitive
            .iter()
            .chain(&input.direct)
            .find(|g| g["id"] == id)
            .and_then(|g| g["displayName"].as_str())
            .unwrap_or(id)
            .to_string()
    };
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut todo: Vec<(String, Vec<String>)> = input
        .direct
        .iter()
        .filter_map(|g| g["id"].as_str())
        .map(|g| (g.to_string(), vec![name(g)]))
        .collect();
    // Breadth first: each group keeps its shortest path.
    while !todo.is_empty() {
        let mut next = Vec::new();
        for (g, path) in todo {
            if out.contains_key(&g) {
                continue;
            }
            for p in input.parents.get(&g).into_iter().flatten() {
                let mut longer = path.clone();
                longer.push(name(p));
                next.push((p.clone(), longer));
            }
            out.insert(g, path);
        }
        todo = next;
    }
    out
}

/// The xray as JSON: `user`, `groups`, `roles`, `policies`, `protectedActions`, `notRead`.
pub fn build(input: &Input) -> Value {
    let uid = input.user["id"].as_str().unwrap_or_default();
    let paths = paths(input);
    let mut group_ids: BTreeSet<String> = BTreeSet::new();
    let groups: Vec<Value> = input
        .transitive
        .iter()
        .chain(
            input
                .direct
                .iter()
                .filter(|d| !input.transitive.iter().any(|t| t["id"] == d["id"])),
        )
        .map(|g| {
            let id = g["id"].as_str().unwrap_or_default().to_string();
            group_ids.insert(id.clone());
            let path = paths
                .get(&id)
                .cloned()
                .unwrap_or_else(|| vec![g["displayName"].as_str().unwrap_or(&id).to_string()]);
            json!({
                "id": id,
                "displayName": g["displayName"],
                "direct": input.direct.iter().any(|d| d["id"] == g["id"]),
                "path": path,
                "isAssignableToRole": g["isAssignableToRole"],
            })
        })
        .collect();
    // Roles: the user's own and those of any group they are in.
    let mut roles = Vec::new();
    let mut active_templates = BTreeSet::new();
    let mut permissions: Vec<(String, String)> = Vec::new();
    if let Some(r) = &input.roles {
        for (list, state) in [(&r.active, "active"), (&r.eligible, "eligible")] {
            for a in list {
                let pid = a["principalId"].as_str().unwrap_or_default();
                let via = if pid == uid {
                    "direct".to_string()
                } else if group_ids.contains(pid) {
                    format!(
                        "group {}",
                        a["principal"]["displayName"].as_str().unwrap_or(pid)
                    )
                } else {
                    continue;
                };
                let rid = a["roleDefinitionId"].as_str().unwrap_or_default();
                let def = r.definition(rid);
                let role = def
                    .and_then(|d| d["displayName"].as_str())
                    .unwrap_or(rid)
                    .to_string();
                if state == "active" {
                    active_templates.insert(rid.to_string());
                }
                for p in def
                    .and_then(|d| d["rolePermissions"].as_array())
                    .into_iter()
                    .flatten()
                    .flat_map(|p| {
                        p["allowedResourceActions"]
                            .as_array()
                            .cloned()
                            .unwrap_or_default()
                    })
                {
                    if let Some(p) = p.as_str() {
                        permissions.push((p.to_string(), format!("{role} ({state})")));
                    }
                }
                roles.push(json!({
                    "role": role,
                    "roleDefinitionId": rid,
                    "state": state,
                    "via": via,
                    "scope": a["directoryScopeId"],
                    "privileged": def.is_some_and(|d| d["isPrivileged"] == true),
                    "until": a["endDateTime"],
                }));
            }
        }
    }
    let mut policies = Vec::new();
    let mut actions = Vec::new();
    if let Some(f) = &input.facts {
        let sign_in = SignIn {
            user_id: uid.to_string(),
            guest: Some(input.user["userType"] == "Guest"),
            groups: (!input
                .not_read
                .iter()
                .any(|n| n.starts_with("groups through")))
            .then(|| group_ids.clone()),
            roles: input.roles.as_ref().map(|_| active_templates.clone()),
            ..Default::default()
        };
        for p in &f.policies {
            let o = eval::evaluate(p, &sign_in);
            let excluded = o
                .reasons
                .iter()
                .find(|r| r.code == "users" && o.applies == Tri::No);
            let scope = match (o.applies, excluded) {
                (Tri::No, Some(r)) if r.text.contains("exclud") => "excluded",
                (Tri::No, _) => continue,
                (Tri::Yes, _) => "applies to every sign-in",
                (Tri::Unknown, _) => "takes the user in; applies depending on the sign-in",
            };
            let state = p["state"].as_str().unwrap_or_default();
            if state == "disabled" {
                continue;
            }
            policies.push(json!({
                "id": p["id"],
                "displayName": p["displayName"],
                "state": crate::protect::state_label(state),
                "scope": scope,
                "requires": crate::protect::requirement(p),
                "conditions": o.reasons.iter().map(|r| r.text.clone()).collect::<Vec<_>>(),
            }));
        }
        // The protected actions: the permissions whose context can be set.
        for a in f
            .actions
            .iter()
            .filter(|a| a["isAuthenticationContextSettable"] == true)
        {
            let name = a["name"].as_str().unwrap_or_default();
            let Some(by) = permissions.iter().find(|(g, _)| grants(g, name)) else {
                continue;
            };
            let ctx = a["authenticationContextId"].as_str();
            let context = ctx.and_then(|c| f.contexts.iter().find(|x| x["id"] == c));
            actions.push(json!({
                "permission": name,
                "grantedBy": by.1,
                "context": ctx,
                "contextName": context.map(|c| c["displayName"].clone()),
                "published": context.map(|c| c["isAvailable"] == true),
            }));
        }
    }
    json!({
        "user": input.user,
        "groups": groups,
        "roles": roles,
        "policies": policies,
        "protectedActions": actions,
        "risk": input.risk.as_ref().map(|r| if r["notRead"].is_string() { r.clone() } else { json!({
            "riskLevel": r.get("riskLevel").cloned().unwrap_or(json!("none")),
            "riskState": r.get("riskState").cloned().unwrap_or(json!("none")),
            "riskDetail": r.get("riskDetail").cloned().unwrap_or(Value::Null),
            "riskLastUpdatedDateTime": r.get("riskLastUpdatedDateTime").cloned().unwrap_or(Value::Null),
        })}),
        "registration": input.registration.as_ref().map(|r| if r["notRead"].is_string() { r.clone() } else { json!({
            "isMfaCapable": r["isMfaCapable"],
            "isPasswordlessCapable": r["isPasswordlessCapable"],
            "defaultMfaMethod": r["defaultMfaMethod"],
            "methodsRegistered": r["methodsRegistered"],
        })}),
        "notRead": input.not_read,
    })
}

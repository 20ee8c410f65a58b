//! The demo tenant's group membership writes, with Graph's answers: `POST
//! /groups/{id}/members/$ref` and `PATCH /groups/{id}` with `members@odata.bind` (at most 20,
//! all or nothing) answer 204, 400 for an existing member, 404 for a missing object, and refuse
//! manual members on a dynamic group; `DELETE /groups/{id}/members/{id}/$ref` removes one.

use super::server::{Ctx, Shared};
use super::store::{Kind, Tenant};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

/// Graph's message when a member is added twice (graph-api.md §5).
const EXISTS: &str = "One or more added object references already exist for the following modified properties: 'members'.";

/// Most references one `members@odata.bind` may carry (group-post-members.md).
const MAX_BINDS: usize = 20;

/// The object id a reference URL names (`…/directoryObjects/{id}`).
fn referenced(url: &str) -> String {
    url.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Why `ids` cannot be added to `group` (all of them), as the response for the request.
fn refusal(ctx: &Ctx, t: &Tenant, group: &str, ids: &[String]) -> Option<Response> {
    let Some(g) = t.group(group) else {
        return Some(ctx.not_found(group));
    };
    let dynamic = g["groupTypes"]
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x == "DynamicMembership"));
    if dynamic {
        return Some(ctx.error(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        ));
    }
    let current = t.members.get(group).cloned().unwrap_or_default();
    for id in ids {
        if t.object(id).is_none() {
            return Some(ctx.not_found(id));
        }
        if current.iter().any(|m| m.eq_ignore_ascii_case(id)) {
            return Some(ctx.error(400, "Request_BadRequest", EXISTS));
        }
    }
    None
}

fn add(t: &mut Tenant, group: &str, ids: Vec<String>) {
    for id in ids {
        let list = t.members.entry(group.to_string()).or_default();
        if !list.contains(&id) {
            list.push(id.clone());
            // A membership change is a change of the group (delta reports it).
            t.record_member(group, &id, true);
        }
    }
}

/// `POST /groups/{id}/members/$ref`.
pub async fn add_ref(
    State(state): State<Shared>,
    Path((_version, group)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    let Some(url) = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["@odata.id"].as_str().map(str::to_string))
    else {
        return ctx.error(400, "BadRequest", "Unable to read JSON request payload.");
    };
    let Ok(mut t) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let ids = vec![referenced(&url)];
    if let Some(r) = refusal(&ctx, &t, &group, &ids) {
        return r;
    }
    add(&mut t, &group, ids);
    ctx.no_content()
}

/// `PATCH /groups/{id}` with `members@odata.bind` (the only property the demo patches).
pub async fn patch_group(
    State(state): State<Shared>,
    Path((_version, group)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    let Some(patch) = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.as_object().cloned())
    else {
        return ctx.error(400, "BadRequest", "Unable to read JSON request payload.");
    };
    let writable = ["members@odata.bind", "displayName", "description"];
    if let Some(k) = patch.keys().find(|k| !writable.contains(&k.as_str())) {
        return ctx.error(
            400,
            "Request_BadRequest",
            &format!("Property '{k}' is not supported by the demo tenant's group PATCH."),
        );
    }
    let binds: Vec<String> = patch
        .get("members@odata.bind")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).map(referenced).collect())
        .unwrap_or_default();
    if binds.len() > MAX_BINDS {
        return ctx.error(
            400,
            "Request_BadRequest",
            &format!(
                "A request may add at most {MAX_BINDS} members; this one has {}.",
                binds.len()
            ),
        );
    }
    let Ok(mut t) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    if !binds.is_empty()
        && let Some(r) = refusal(&ctx, &t, &group, &binds)
    {
        return r;
    }
    if t.group(&group).is_none() {
        return ctx.not_found(&group);
    }
    let mut props = patch.clone();
    props.remove("members@odata.bind");
    if props
        .get("displayName")
        .is_some_and(|n| n.as_str().is_none_or(|s| s.trim().is_empty()))
    {
        return ctx.error(
            400,
            "Request_BadRequest",
            "Invalid value specified for property 'displayName' of resource 'Group'.",
        );
    }
    if !props.is_empty() {
        t.patch(Kind::Group, &group, &Value::Object(props));
    }
    if !binds.is_empty() {
        add(&mut t, &group, binds);
    }
    ctx.no_content()
}

/// `DELETE /groups/{id}`: a Microsoft 365 group goes to deleted items (30 days), another is
/// gone (group-delete.md).
pub async fn delete_group(
    State(state): State<Shared>,
    Path((_version, group)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (ctx, mut t) = match super::server::writing(&state, &headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let Some(g) = t.group(&group).cloned() else {
        return ctx.not_found(&group);
    };
    // licensing-group-advanced.md, "Deleting a group with an assigned license": "It isn't
    // possible to delete a group with an active license assigned ... we require any licenses
    // to be removed from the group first". The docs show the refusal only as a screenshot;
    // the demo answers Graph's usual 400 with that rule in the message.
    if g["assignedLicenses"]
        .as_array()
        .is_some_and(|a| !a.is_empty())
    {
        return ctx.error(
            400,
            "Request_BadRequest",
            "Cannot delete a group with licenses assigned. Remove the licenses from the group before deleting it.",
        );
    }
    let unified = g["groupTypes"]
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x == "Unified"));
    let id = g["id"].as_str().unwrap_or_default().to_string();
    t.remove(Kind::Group, &id);
    if unified {
        let mut d = g;
        d["deletedDateTime"] =
            Value::from(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        d["@odata.type"] = Value::from("#microsoft.graph.group");
        t.deleted.push(d);
    }
    ctx.no_content()
}

/// `DELETE /groups/{id}/members/{member}/$ref`.
pub async fn remove_ref(
    State(state): State<Shared>,
    Path((_version, group, member)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let (ctx, mut t) = match super::server::writing(&state, &headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    if t.group(&group).is_none() {
        return ctx.not_found(&group);
    }
    let list = t.members.entry(group.clone()).or_default();
    let before = list.len();
    list.retain(|m| !m.eq_ignore_ascii_case(&member));
    if list.len() == before {
        return ctx.not_found(&member);
    }
    t.record_member(&group, &member, false);
    ctx.no_content()
}

/// `POST /groups`: 201 with the new group. `displayName`, `mailEnabled`, `mailNickname` and
/// `securityEnabled` are required (group-post-groups.md); a missing one is Graph's 400.
pub async fn create_group(
    State(state): State<Shared>,
    Path(_version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    let Some(mut g) = serde_json::from_slice::<Value>(&body)
        .ok()
        .filter(Value::is_object)
    else {
        return ctx.error(400, "BadRequest", "Unable to read JSON request payload.");
    };
    for required in [
        "displayName",
        "mailEnabled",
        "mailNickname",
        "securityEnabled",
    ] {
        if g.get(required).is_none_or(Value::is_null) {
            return ctx.error(
                400,
                "Request_BadRequest",
                &format!("A value is required for property '{required}' of resource 'Group'."),
            );
        }
    }
    // A dynamic group needs a rule the service can read.
    let dynamic = super::rules::strings(&g["groupTypes"])
        .iter()
        .any(|t| t == "DynamicMembership");
    if dynamic {
        let rule = g["membershipRule"].as_str().unwrap_or_default();
        if let Some(why) = super::dynamic::invalid(rule) {
            return ctx.error(
                400,
                "Request_BadRequest",
                &format!("Dynamic membership rule validation error: {why}."),
            );
        }
    }
    let Ok(mut t) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    // group-post-groups.md: owners and members may be bound in the create, "a maximum of 20
    // relationships, such as owners and members"; each bind names an existing object.
    let mut bound = |key: &str| -> Result<Vec<String>, String> {
        let urls = match g.as_object_mut().and_then(|o| o.remove(key)) {
            None | Some(Value::Null) => return Ok(Vec::new()),
            Some(Value::Array(a)) => a,
            Some(_) => return Err(format!("Invalid value for '{key}': an array of URLs.")),
        };
        let mut ids = Vec::new();
        for u in urls {
            let url = u.as_str().unwrap_or_default();
            let oid = url.rsplit('/').next().unwrap_or_default().to_string();
            if t.user(&oid).is_none() && t.group(&oid).is_none() {
                return Err(format!(
                    "Resource '{oid}' does not exist or one of its queried reference-property objects are not present."
                ));
            }
            if !ids.contains(&oid) {
                ids.push(oid);
            }
        }
        Ok(ids)
    };
    let (owners, members) = match (bound("owners@odata.bind"), bound("members@odata.bind")) {
        (Ok(o), Ok(m)) => (o, m),
        (Err(e), _) | (_, Err(e)) => return ctx.error(400, "Request_BadRequest", &e),
    };
    if owners.len() + members.len() > 20 {
        return ctx.error(
            400,
            "Request_BadRequest",
            "A maximum of 20 relationships (owners and members together) can be added when a group is created.",
        );
    }
    if let Some(o) = owners.iter().find(|o| t.group(o).is_some()) {
        return ctx.error(
            400,
            "Request_BadRequest",
            &format!(
                "Group '{o}' cannot be an owner of a group: owners are users or service principals."
            ),
        );
    }
    // Who owns it when no owner is named: a non-admin creator, or an admin creating a
    // Microsoft 365 group (not a security group), becomes its owner (group-post-groups.md).
    let mut owners = owners;
    if owners.is_empty()
        && let Ok(me) = super::membership::me_id(&t, &headers)
    {
        let groups = super::membership::groups_of(&t, &me);
        let admin = !super::membership::roles_of(&t, &me, &groups).is_empty();
        let unified = super::rules::strings(&g["groupTypes"])
            .iter()
            .any(|x| x == "Unified");
        if !admin || unified {
            owners.push(me);
        }
    }
    let id = uuid::Uuid::new_v4().to_string();
    g["id"] = Value::from(id.clone());
    if g.get("groupTypes").is_none() {
        g["groupTypes"] = Value::Array(Vec::new());
    }
    g["createdDateTime"] = Value::from(chrono::Utc::now().to_rfc3339());
    t.upsert(Kind::Group, g.clone());
    t.members.insert(id.clone(), Vec::new());
    for m in &members {
        if let Some(list) = t.members.get_mut(&id) {
            list.push(m.clone());
        }
        t.record_member(&id, m, true);
    }
    t.owners.insert(id, owners);
    ctx.respond(axum::http::StatusCode::CREATED, g)
}

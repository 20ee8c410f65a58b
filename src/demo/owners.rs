//! The demo tenant's group owner writes, with Graph's answers (group-post-owners.md,
//! group-delete-owners.md): `POST /groups/{id}/owners/$ref` 204, 400 when already an owner,
//! 404 for a missing object; `DELETE /groups/{id}/owners/{id}/$ref` 204, refused for the last
//! user owner.

use super::server::Shared;
use super::store::Kind;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

/// `POST /groups/{id}/owners/$ref`: owners are users (or service principals, which the demo
/// tenant does not hold); a group is refused.
pub async fn add_owner(
    State(state): State<Shared>,
    Path((_version, group)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (ctx, mut t) = match super::server::writing(&state, &headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let Some(url) = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v["@odata.id"].as_str().map(str::to_string))
    else {
        return ctx.error(400, "BadRequest", "Unable to read JSON request payload.");
    };
    let id = url
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    if t.group(&group).is_none() {
        return ctx.not_found(&group);
    }
    match t.object(&id) {
        None => return ctx.not_found(&id),
        Some((Kind::Group, _)) => {
            return ctx.error(
                400,
                "Request_BadRequest",
                "A group cannot be an owner: owners are users or service principals.",
            );
        }
        Some(_) => {}
    }
    let list = t.owners.entry(group.clone()).or_default();
    if list.iter().any(|o| o.eq_ignore_ascii_case(&id)) {
        return ctx.error(
            400,
            "Request_BadRequest",
            "One or more added object references already exist for the following modified properties: 'owners'.",
        );
    }
    list.push(id);
    t.patch(Kind::Group, &group, &Value::Object(Default::default()));
    ctx.no_content()
}

/// `DELETE /groups/{id}/owners/{owner}/$ref`.
pub async fn remove_owner(
    State(state): State<Shared>,
    Path((_version, group, owner)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let (ctx, mut t) = match super::server::writing(&state, &headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    if t.group(&group).is_none() {
        return ctx.not_found(&group);
    }
    let list = t.owners.get(&group).cloned().unwrap_or_default();
    if !list.iter().any(|o| o.eq_ignore_ascii_case(&owner)) {
        return ctx.not_found(&owner);
    }
    // group-delete-owners.md: once a group has owners, its last user owner stays.
    let users_left = list
        .iter()
        .filter(|o| !o.eq_ignore_ascii_case(&owner))
        .filter(|o| matches!(t.object(o), Some((Kind::User, _))))
        .count();
    if users_left == 0 {
        return ctx.error(
            400,
            "Request_BadRequest",
            "The group must keep at least one owner: its last owner cannot be removed.",
        );
    }
    if let Some(l) = t.owners.get_mut(&group) {
        l.retain(|o| !o.eq_ignore_ascii_case(&owner));
    }
    t.patch(Kind::Group, &group, &Value::Object(Default::default()));
    ctx.no_content()
}

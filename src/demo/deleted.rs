//! The demo tenant's deleted items (directory-deleteditems-*.md): listed by type through the
//! required cast segment (`/directory/deletedItems/microsoft.graph.user`, or the SDKs' short
//! `graph.user`), read one by id, restored (`POST …/{id}/restore`, 200; a user whose UPN or
//! proxy address is taken now is refused unless the body says `newUserPrincipalName` or
//! `autoReconcileProxyConflict`) and deleted for good (`DELETE …/{id}`, 204, the protected
//! action `microsoft.directory/deletedItems/delete`: the token must carry its context).

use super::server::{Ctx, Shared};
use super::store::Kind;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

const FIXTURE: &str = include_str!("../../assets/demo-tenant/deleted-items.json");

/// The fixture's deleted objects, their deletion times moved so the newest was deleted a day
/// ago (the days left stay meaningful whenever the demo runs).
pub fn load() -> Result<Vec<Value>, String> {
    let mut items = super::store::collection(FIXTURE, "deleted-items.json")?;
    super::store::rebase_times(&mut items, "deletedDateTime", chrono::Duration::days(1));
    Ok(items)
}

/// The type a cast segment names (`microsoft.graph.user` or `graph.user`), if it is one Graph
/// lists deleted items of.
fn cast(segment: &str) -> Option<&'static str> {
    let t = segment
        .strip_prefix("microsoft.graph.")
        .or_else(|| segment.strip_prefix("graph."))?;
    [
        "user",
        "group",
        "application",
        "servicePrincipal",
        "administrativeUnit",
    ]
    .into_iter()
    .find(|k| k.eq_ignore_ascii_case(t))
}

fn type_of(v: &Value) -> &str {
    v["@odata.type"]
        .as_str()
        .unwrap_or_default()
        .trim_start_matches("#microsoft.graph.")
}

/// `GET /directory/deletedItems` without a cast: Graph does not support it.
pub async fn list_all(headers: HeaderMap) -> Response {
    Ctx::new(&headers).error(
        400,
        "Request_BadRequest",
        "Listing deleted items requires a type cast segment, such as microsoft.graph.user.",
    )
}

/// `GET /directory/deletedItems/{cast}` (the list of one type) or `/{id}` (one object).
pub async fn get(
    State(state): State<Shared>,
    Path((_version, segment)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    let Ok(t) = state.tenant.read() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    if let Some(kind) = cast(&segment) {
        // Items of a cast list carry no @odata.type: the context names their type.
        let items: Vec<Value> = t
            .deleted
            .iter()
            .filter(|v| type_of(v) == kind)
            .map(|v| {
                let mut v = v.clone();
                if let Some(o) = v.as_object_mut() {
                    o.remove("@odata.type");
                }
                v
            })
            .collect();
        let context = format!(
            "{}/v1.0/$metadata#directory/deletedItems/microsoft.graph.{kind}",
            ctx.origin
        );
        return ctx.respond(
            StatusCode::OK,
            json!({"@odata.context": context, "value": items}),
        );
    }
    match t.deleted.iter().find(|v| v["id"] == segment.as_str()) {
        Some(v) => ctx.respond(StatusCode::OK, v.clone()),
        None if segment.contains('.') => ctx.error(
            400,
            "BadRequest",
            &format!("Resource not found for the segment '{segment}'."),
        ),
        None => ctx.not_found(&segment),
    }
}

/// `POST /directory/deletedItems/{id}/restore`.
pub async fn restore(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (ctx, mut t) = match super::server::writing(&state, &headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let options: Value = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => return ctx.error(400, "BadRequest", "Unable to read JSON request payload."),
        }
    };
    let Some(at) = t.deleted.iter().position(|v| v["id"] == id.as_str()) else {
        return ctx.not_found(&id);
    };
    let mut object = t.deleted[at].clone();
    let kind = type_of(&object).to_string();
    if kind == "user" {
        if let Some(upn) = options["newUserPrincipalName"].as_str() {
            object["userPrincipalName"] = json!(upn);
        }
        let upn = object["userPrincipalName"].as_str().unwrap_or_default();
        if t.user(upn).is_some() {
            return ctx.error(
                400,
                "Request_BadRequest",
                "Another object with the same value for property userPrincipalName already exists.",
            );
        }
        let mine: Vec<String> = super::rules::strings(&object["proxyAddresses"]);
        let taken: Vec<String> = mine
            .iter()
            .filter(|p| {
                t.users.iter().chain(&t.groups).any(|o| {
                    super::rules::strings(&o["proxyAddresses"])
                        .iter()
                        .any(|q| q.eq_ignore_ascii_case(p))
                })
            })
            .cloned()
            .collect();
        if !taken.is_empty() {
            if options["autoReconcileProxyConflict"] != true {
                return ctx.error(
                    400,
                    "Request_BadRequest",
                    "Another object with the same value for property proxyAddresses already exists.",
                );
            }
            let kept: Vec<String> = mine.into_iter().filter(|p| !taken.contains(p)).collect();
            object["proxyAddresses"] = json!(kept);
        }
    }
    t.deleted.remove(at);
    let mut live = object.clone();
    if let Some(o) = live.as_object_mut() {
        o.remove("deletedDateTime");
        o.remove("@odata.type");
    }
    match kind.as_str() {
        "user" => t.upsert(Kind::User, live),
        "group" => {
            let gid = id.clone();
            t.upsert(Kind::Group, live);
            t.members.entry(gid).or_default();
        }
        _ => t.restored_apps.push(live),
    }
    if let Some(o) = object.as_object_mut() {
        o.remove("deletedDateTime");
    }
    ctx.respond(StatusCode::OK, object)
}

/// `DELETE /directory/deletedItems/{id}`: gone for good.
pub async fn purge(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    let path = format!("/directory/deletedItems/{id}");
    if let Some(r) = super::policy::enforce(&state, &ctx, &headers, "DELETE", &path) {
        return r;
    }
    let Ok(mut t) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let before = t.deleted.len();
    t.deleted.retain(|v| v["id"] != id.as_str());
    if t.deleted.len() == before {
        return ctx.not_found(&id);
    }
    ctx.no_content()
}

//! The demo tenant's Conditional Access writes: policies and named locations (POST 201, PATCH
//! 204, DELETE 204), validated as Graph validates (400 with `1064:`-style inner messages) and
//! protected by authentication contexts where the tenant says so.
// Handlers answer early with a full `Response`; boxing it would only add noise.
#![allow(clippy::result_large_err)]

use super::policy::{Coll, enforce};
use super::server::{Ctx, Shared};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

/// Graph's validation error: 400 BadRequest with the numbered reason in `innerError.message`.
pub(super) fn validation(ctx: &Ctx, inner: &str) -> Response {
    let mut body = json!({"error": {
        "code": "BadRequest",
        "message": "The server could not process the request because it is malformed or incorrect.",
        "innerError": {"message": inner, "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(), "request-id": ctx.request_id}
    }});
    body["error"]["innerError"]["client-request-id"] = json!(ctx.client_request_id);
    ctx.respond(StatusCode::BAD_REQUEST, body)
}

fn now() -> Value {
    json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

fn not_found(ctx: &Ctx, id: &str) -> Response {
    ctx.error(
        404,
        "ResourceNotFound",
        &format!("The requested resource '{id}' was not found."),
    )
}

/// Parse a write body, or the 400 Graph sends for one that is not a JSON object.
fn body_object(ctx: &Ctx, body: &Bytes) -> Result<Value, Response> {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) if v.is_object() => Ok(v),
        Ok(_) => Err(validation(
            ctx,
            "1001: The request body must be a JSON object.",
        )),
        Err(_) => Err(validation(ctx, "1001: The request body is not valid JSON.")),
    }
}

/// Authorization, the protected-action check and the body: the start of every write.
fn prelude(
    state: &Shared,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    body: Option<&Bytes>,
) -> Result<(Ctx, Value), Response> {
    let ctx = Ctx::new(headers);
    super::server::authorize(&ctx, headers)?;
    if let Some(r) = enforce(state, &ctx, headers, method, path) {
        return Err(r);
    }
    let v = match body {
        Some(b) => body_object(&ctx, b)?,
        None => Value::Null,
    };
    Ok((ctx, v))
}

fn coll_path(coll: Coll) -> &'static str {
    match coll {
        Coll::Locations => "/identity/conditionalAccess/namedLocations",
        _ => "/identity/conditionalAccess/policies",
    }
}

fn check(coll: Coll, v: &Value) -> Result<(), String> {
    match coll {
        Coll::Locations => super::validate::location(v),
        _ => super::validate::policy(v),
    }
}

/// `POST` a policy or named location: validated, 201 with the object.
async fn create(
    state: Shared,
    version: String,
    headers: HeaderMap,
    body: Bytes,
    coll: Coll,
) -> Response {
    let (ctx, mut v) = match prelude(&state, &headers, "POST", coll_path(coll), Some(&body)) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Err(e) = check(coll, &v) {
        return validation(&ctx, &e);
    }
    v["id"] = json!(uuid::Uuid::new_v4().to_string());
    v["createdDateTime"] = now();
    v["modifiedDateTime"] = if coll == Coll::Locations {
        now()
    } else {
        Value::Null
    };
    let Ok(mut tenant) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    tenant.policy.items_mut(coll).push(v.clone());
    v["@odata.context"] = json!(format!(
        "{}/{version}/$metadata#{}/$entity",
        ctx.origin,
        coll_path(coll).trim_start_matches('/')
    ));
    ctx.respond(StatusCode::CREATED, v)
}

/// `PATCH` a policy or named location: merged, the result validated, 204.
async fn update(
    state: Shared,
    id: String,
    headers: HeaderMap,
    body: Bytes,
    coll: Coll,
) -> Response {
    let path = format!("{}/{id}", coll_path(coll));
    let (ctx, patch) = match prelude(&state, &headers, "PATCH", &path, Some(&body)) {
        Ok(x) => x,
        Err(r) => return r,
    };
    // Graph documents the type as required in a named-location update; its error text is not
    // documented, so the wording here is the demo's.
    if coll == Coll::Locations && patch["@odata.type"].as_str().is_none() {
        return validation(
            &ctx,
            "The request must specify the @odata.type of the named location (#microsoft.graph.ipNamedLocation or #microsoft.graph.countryNamedLocation).",
        );
    }
    let Ok(mut tenant) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let Some(obj) = tenant
        .policy
        .items_mut(coll)
        .iter_mut()
        .find(|p| p["id"].as_str() == Some(id.as_str()))
    else {
        return not_found(&ctx, &id);
    };
    let mut merged = obj.clone();
    super::rules::merge(&mut merged, &patch);
    if let Err(e) = check(coll, &merged) {
        return validation(&ctx, &e);
    }
    merged["id"] = json!(id);
    merged["modifiedDateTime"] = now();
    *obj = merged;
    ctx.no_content()
}

/// `DELETE` a policy or named location: 204. A named location a policy still uses is refused
/// (the admin center refuses it too; the demo's wording).
async fn delete(state: Shared, id: String, headers: HeaderMap, coll: Coll) -> Response {
    let path = format!("{}/{id}", coll_path(coll));
    let (ctx, _) = match prelude(&state, &headers, "DELETE", &path, None) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(mut tenant) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    if coll == Coll::Locations
        && let Some(p) = tenant.policy.policies.iter().find(|p| {
            ["includeLocations", "excludeLocations"]
                .iter()
                .any(|k| super::rules::strings(&p["conditions"]["locations"][*k]).contains(&id))
        })
    {
        let name = p["displayName"].as_str().unwrap_or_default().to_string();
        return validation(
            &ctx,
            &format!(
                "1064: The named location is used by the policy '{name}' and cannot be deleted."
            ),
        );
    }
    if !super::store::remove_by_id(tenant.policy.items_mut(coll), &id) {
        return not_found(&ctx, &id);
    }
    ctx.no_content()
}

macro_rules! writes {
    ($create:ident, $update:ident, $delete:ident, $coll:expr) => {
        pub async fn $create(
            State(s): State<Shared>,
            Path(v): Path<String>,
            h: HeaderMap,
            b: Bytes,
        ) -> Response {
            create(s, v, h, b, $coll).await
        }
        pub async fn $update(
            State(s): State<Shared>,
            Path((_v, id)): Path<(String, String)>,
            h: HeaderMap,
            b: Bytes,
        ) -> Response {
            update(s, id, h, b, $coll).await
        }
        pub async fn $delete(
            State(s): State<Shared>,
            Path((_v, id)): Path<(String, String)>,
            h: HeaderMap,
        ) -> Response {
            delete(s, id, h, $coll).await
        }
    };
}

writes!(create_policy, patch_policy, delete_policy, Coll::Policies);
writes!(
    create_location,
    patch_location,
    delete_location,
    Coll::Locations
);

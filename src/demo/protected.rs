//! The demo tenant's protected-action writes: setting or clearing a resource action's
//! authentication context (itself a protected action) and the authentication context upsert.

use super::policy::enforce;
use super::server::{Ctx, Shared};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{Value, json};

fn is_context_id(s: &str) -> bool {
    s.strip_prefix('c')
        .and_then(|n| n.parse::<u32>().ok())
        .is_some_and(|n| (1..=99).contains(&n))
}

/// `PATCH /beta/roleManagement/directory/resourceNamespaces/microsoft.directory/resourceActions/{id}`
/// with `{"authenticationContextId": "c1" | null}` (inferred from the SDK, graph-api.md §2).
pub async fn patch_action(
    State(state): State<Shared>,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    if version != "beta" {
        return ctx.error(
            400,
            "BadRequest",
            "Resource not found for the segment 'resourceNamespaces'.",
        );
    }
    let path = format!(
        "/roleManagement/directory/resourceNamespaces/microsoft.directory/resourceActions/{id}"
    );
    if let Some(r) = enforce(&state, &ctx, &headers, "PATCH", &path) {
        return r;
    }
    let Ok(patch) = serde_json::from_slice::<Value>(&body) else {
        return ctx.error(400, "BadRequest", "The request body is not valid JSON.");
    };
    let new = match patch.get("authenticationContextId") {
        Some(Value::Null) => None,
        Some(Value::String(c)) if is_context_id(c) => Some(c.clone()),
        _ => {
            return ctx.error(
                400,
                "BadRequest",
                "authenticationContextId must be c1..c99 or null.",
            );
        }
    };
    let Ok(mut tenant) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    if let Some(c) = &new
        && !tenant
            .policy
            .contexts
            .iter()
            .any(|x| x["id"].as_str() == Some(c.as_str()))
    {
        return ctx.error(
            400,
            "BadRequest",
            &format!("The authentication context '{c}' does not exist."),
        );
    }
    let Some(action) = tenant
        .policy
        .actions
        .iter_mut()
        .find(|a| a["id"].as_str() == Some(id.as_str()))
    else {
        return ctx.error(
            404,
            "ResourceNotFound",
            &format!("The resource action '{id}' was not found."),
        );
    };
    if action["isAuthenticationContextSettable"] != json!(true) {
        return ctx.error(
            400,
            "BadRequest",
            &format!("The resource action '{id}' does not support an authentication context."),
        );
    }
    action["authenticationContextId"] = new.map(Value::String).unwrap_or(Value::Null);
    ctx.no_content()
}

/// `PATCH /identity/conditionalAccess/authenticationContextClassReferences/{id}`: an upsert
/// that answers 204 (graph-api.md §3).
pub async fn patch_context(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    if !is_context_id(&id) {
        return ctx.error(
            400,
            "BadRequest",
            &format!("'{id}' is not a valid authentication context id (c1 through c99)."),
        );
    }
    let patch = if body.is_empty() {
        json!({})
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(v) if v.is_object() => v,
            _ => return ctx.error(400, "BadRequest", "The request body must be a JSON object."),
        }
    };
    let Ok(mut tenant) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let contexts = &mut tenant.policy.contexts;
    let obj = match contexts
        .iter_mut()
        .position(|c| c["id"].as_str() == Some(id.as_str()))
    {
        Some(i) => &mut contexts[i],
        None => {
            contexts.push(
                json!({"id": id, "displayName": null, "description": null, "isAvailable": false}),
            );
            let last = contexts.len() - 1;
            &mut contexts[last]
        }
    };
    for key in ["displayName", "description", "isAvailable"] {
        if let Some(v) = patch.get(key) {
            obj[key] = v.clone();
        }
    }
    ctx.no_content()
}

/// `DELETE /identity/conditionalAccess/authenticationContextClassReferences/{id}`: 204.
pub async fn delete_context(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    let Ok(mut tenant) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    if !super::store::remove_by_id(&mut tenant.policy.contexts, &id) {
        return ctx.error(
            404,
            "ResourceNotFound",
            &format!("The authentication context '{id}' was not found."),
        );
    }
    ctx.no_content()
}

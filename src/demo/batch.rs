//! The demo tenant's `$batch`: up to 20 inner requests, each dispatched through the full router
//! (so each is authorized, throttled and faulted individually), answered in one 200.

use super::server::{Ctx, Shared};
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::HashSet;
use tower::ServiceExt;

pub async fn handle(
    State(state): State<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let ctx = Ctx::new(&headers);
    let Ok(doc) = serde_json::from_slice::<Value>(&body) else {
        return ctx.error(400, "BadRequest", "Invalid batch payload format.");
    };
    let Some(requests) = doc["requests"].as_array() else {
        return ctx.error(400, "BadRequest", "Invalid batch payload format.");
    };
    if requests.len() > 20 {
        return ctx.error(
            400,
            "BadRequest",
            "The number of requests in the batch exceeds the limit of 20.",
        );
    }
    let mut ids = HashSet::new();
    for r in requests {
        let Some(id) = r["id"].as_str() else {
            return ctx.error(400, "BadRequest", "Every batch request needs an id.");
        };
        if !ids.insert(id.to_string()) {
            return ctx.error(
                400,
                "BadRequest",
                &format!("Batch request ids must be unique; '{id}' repeats."),
            );
        }
    }
    if let Ok(mut b) = state.faults.batches.lock() {
        b.push(requests.len());
    }
    let Some(router) = state.router.get().cloned() else {
        return ctx.error(500, "UnknownError", "demo router unavailable");
    };
    let auth = headers.get("authorization").cloned();
    let calls = requests.iter().map(|r| {
        let router = router.clone();
        let auth = auth.clone();
        let version = version.clone();
        async move {
            let id = r["id"].as_str().unwrap_or_default().to_string();
            let method = r["method"].as_str().unwrap_or("GET").to_ascii_uppercase();
            let url = r["url"].as_str().unwrap_or_default();
            let uri = format!("/{version}/{}", url.trim_start_matches('/'));
            let mut b = Request::builder().method(method.as_str()).uri(uri).header("x-demo-inner", "1");
            if let Some(a) = &auth {
                b = b.header("authorization", a);
            }
            if let Some(h) = r["headers"].as_object() {
                for (k, v) in h {
                    if let Some(v) = v.as_str() {
                        b = b.header(k.as_str(), v);
                    }
                }
            }
            let body = r.get("body").map(|v| Body::from(v.to_string())).unwrap_or_else(Body::empty);
            let Ok(req) = b.body(body) else {
                return json!({"id": id, "status": 400, "body": {"error": {"code": "BadRequest", "message": "Invalid request URL."}}});
            };
            let resp = match router.oneshot(req).await {
                Ok(r) => r,
                Err(e) => match e {},
            };
            let status = resp.status().as_u16();
            let mut hs = serde_json::Map::new();
            for k in ["retry-after", "content-type", "request-id", "x-ms-resource-unit"] {
                if let Some(v) = resp.headers().get(k).and_then(|v| v.to_str().ok()) {
                    hs.insert(k.to_string(), json!(v));
                }
            }
            let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX).await.unwrap_or_default();
            let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
            json!({"id": id, "status": status, "headers": hs, "body": body})
        }
    });
    let responses: Vec<Value> = futures::future::join_all(calls).await;
    ctx.respond(StatusCode::OK, json!({"responses": responses}))
}

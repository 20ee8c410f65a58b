//! The demo tenant's devices (device.md and its list, get, update, delete and relation pages):
//! `GET /devices` with `$select`, `$filter`, `$top`, `$count` and `$expand=registeredOwners`;
//! one device; `PATCH` of the properties an admin may set (204; a read-only or unknown property
//! is a 400); `DELETE` (204; gone for good); `registeredOwners`, `registeredUsers` and
//! `memberOf` of a device.

// Handlers return a ready `Response` as their error.
#![allow(clippy::result_large_err)]

use super::server::{Ctx, Shared};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, HashMap};

const FIXTURE: &str = include_str!("../../assets/demo-tenant/devices.json");

/// The devices and, per device id, the ids of its owners, users and groups.
pub type Relations = HashMap<String, Value>;

/// The fixture's devices (their last sign-ins moved so the newest was two hours ago) and
/// their relations.
pub fn load() -> Result<(Vec<Value>, Relations), String> {
    let mut items = super::store::collection(FIXTURE, "devices.json")?;
    super::store::rebase_times(
        &mut items,
        "approximateLastSignInDateTime",
        chrono::Duration::hours(2),
    );
    let doc: Value = serde_json::from_str(FIXTURE).map_err(|e| format!("devices.json: {e}"))?;
    let relations = doc["@demo.relations"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    Ok((items, relations))
}

/// Properties an admin may PATCH (device-update.md's request body).
const WRITABLE: &[&str] = &[
    "accountEnabled",
    "displayName",
    "operatingSystem",
    "operatingSystemVersion",
    "extensionAttributes",
    "physicalIds",
];

fn known(devices: &[Value]) -> BTreeSet<String> {
    devices
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|o| o.keys().cloned())
        .collect()
}

fn begin(headers: &HeaderMap) -> Result<Ctx, Response> {
    let ctx = Ctx::new(headers);
    super::server::authorize(&ctx, headers)?;
    Ok(ctx)
}

/// A device projected to `$select`, with its owners when `$expand` asks for them.
fn project(
    t: &super::store::Tenant,
    d: &Value,
    select: Option<&[String]>,
    expand: Option<&str>,
) -> Value {
    let mut out = match select {
        None => d.clone(),
        Some(fields) => {
            let mut m = Map::new();
            for f in fields {
                m.insert(f.clone(), d.get(f).cloned().unwrap_or(Value::Null));
            }
            Value::Object(m)
        }
    };
    if expand.is_some_and(|e| e.starts_with("registeredOwners")) {
        let id = d["id"].as_str().unwrap_or_default();
        out["registeredOwners"] = Value::Array(related(t, id, "registeredOwners"));
    }
    out
}

/// The directory objects of one relation of a device, typed as Graph types them.
fn related(t: &super::store::Tenant, id: &str, relation: &str) -> Vec<Value> {
    let ids: Vec<String> = t
        .device_relations
        .get(id)
        .map_or_else(Vec::new, |r| super::rules::strings(&r[relation]));
    ids.iter()
        .filter_map(|i| t.object(i))
        .map(|(kind, o)| {
            let mut v = json!({
                "@odata.type": kind.odata_type(),
                "id": o["id"],
                "displayName": o["displayName"],
            });
            for k in ["userPrincipalName", "securityEnabled", "groupTypes", "mail"] {
                if let Some(x) = o.get(k) {
                    v[k] = x.clone();
                }
            }
            v
        })
        .collect()
}

/// `GET /devices`.
pub async fn list(
    State(state): State<Shared>,
    Path(version): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    raw: RawQuery,
) -> Response {
    let ctx = match begin(&headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(t) = state.tenant.read() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let pairs = super::server::pairs(raw.0);
    let opts = match super::query::parse(
        &pairs,
        ctx.eventual,
        "microsoft.graph.device",
        &known(&t.devices),
        999,
    ) {
        Ok(o) => o,
        Err(e) => return ctx.error(e.status, e.code, &e.message),
    };
    let expand = pairs
        .iter()
        .find(|(k, _)| k == "$expand")
        .map(|(_, v)| v.clone());
    let items: Vec<&Value> = t.devices.iter().filter(|d| opts.keep(d)).collect();
    let select = opts.select.clone();
    super::server::page_response(
        &ctx,
        uri.path(),
        items,
        &opts,
        &format!("{version}/$metadata#devices"),
        &|d| project(&t, d, select.as_deref(), expand.as_deref()),
    )
}

/// `GET /devices/{id}`.
pub async fn get(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    raw: RawQuery,
) -> Response {
    let ctx = match begin(&headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(t) = state.tenant.read() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let pairs = super::server::pairs(raw.0);
    let opts = match super::query::parse(
        &pairs,
        ctx.eventual,
        "microsoft.graph.device",
        &known(&t.devices),
        999,
    ) {
        Ok(o) => o,
        Err(e) => return ctx.error(e.status, e.code, &e.message),
    };
    match t.devices.iter().find(|d| d["id"] == id.as_str()) {
        Some(d) => ctx.respond(StatusCode::OK, project(&t, d, opts.select.as_deref(), None)),
        None => ctx.not_found(&id),
    }
}

/// `GET /devices/{id}/registeredOwners|registeredUsers|memberOf`.
pub async fn relation(
    State(state): State<Shared>,
    Path((_version, id, relation)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let ctx = match begin(&headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(t) = state.tenant.read() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    if !t.devices.iter().any(|d| d["id"] == id.as_str()) {
        return ctx.not_found(&id);
    }
    if !["registeredOwners", "registeredUsers", "memberOf"].contains(&relation.as_str()) {
        return ctx.error(
            400,
            "BadRequest",
            &format!("Resource not found for the segment '{relation}'."),
        );
    }
    let value = related(&t, &id, &relation);
    ctx.respond(
        StatusCode::OK,
        json!({"@odata.context": format!("{}/v1.0/$metadata#directoryObjects", ctx.origin), "value": value}),
    )
}

/// `PATCH /devices/{id}`: 204, or a 400 naming the property that cannot be written.
pub async fn update(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ctx = match begin(&headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let path = format!("/devices/{id}");
    if let Some(r) = super::policy::enforce(&state, &ctx, &headers, "PATCH", &path) {
        return r;
    }
    let Ok(Value::Object(changes)) = serde_json::from_slice::<Value>(&body) else {
        return ctx.error(400, "BadRequest", "Unable to read JSON request payload.");
    };
    if let Some(k) = changes.keys().find(|k| !WRITABLE.contains(&k.as_str())) {
        return ctx.error(
            400,
            "Request_BadRequest",
            &format!("Property '{k}' is read-only and cannot be set."),
        );
    }
    if changes
        .get("accountEnabled")
        .is_some_and(|v| !v.is_boolean())
    {
        return ctx.error(
            400,
            "Request_BadRequest",
            "Invalid value specified for property 'accountEnabled' of resource 'Device'.",
        );
    }
    let Ok(mut t) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let Some(d) = t.devices.iter_mut().find(|d| d["id"] == id.as_str()) else {
        return ctx.not_found(&id);
    };
    for (k, v) in changes {
        d[k.as_str()] = v;
    }
    ctx.no_content()
}

/// `DELETE /devices/{id}`: 204; the device is gone (it is not kept in Deleted items).
pub async fn delete(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let ctx = match begin(&headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let path = format!("/devices/{id}");
    if let Some(r) = super::policy::enforce(&state, &ctx, &headers, "DELETE", &path) {
        return r;
    }
    let Ok(mut t) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let before = t.devices.len();
    t.devices.retain(|d| d["id"] != id.as_str());
    if t.devices.len() == before {
        return ctx.not_found(&id);
    }
    t.device_relations.remove(&id);
    ctx.no_content()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixture_loads_with_relations() {
        let (devices, relations) = load().unwrap();
        assert!(devices.len() >= 10);
        assert!(devices.iter().all(|d| d["id"].is_string()));
        assert!(
            devices
                .iter()
                .any(|d| d["approximateLastSignInDateTime"].is_null())
        );
        assert!(relations.len() == devices.len());
    }
}

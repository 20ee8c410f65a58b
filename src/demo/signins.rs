//! The demo tenant's sign-in logs (`GET /auditLogs/signIns`, signin.md): a blocked admin, a
//! sign-in that needed MFA, a wrong password and successes, with the Conditional Access
//! results of each, report-only ones included. Graph names report-only results only to a
//! client that sends `Prefer: include-unknown-enum-members`; to others they are
//! `unknownFutureValue`. Newest first, as Graph lists them.

use super::server::{Ctx, Shared};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use serde_json::{Value, json};

const FIXTURE: &str = include_str!("../../assets/demo-tenant/sign-ins.json");

/// The fixture's sign-ins, moved so the newest happened two hours ago.
pub fn load() -> Result<Vec<Value>, String> {
    let mut items = super::store::collection(FIXTURE, "sign-ins.json")?;
    super::store::rebase_times(&mut items, "createdDateTime", chrono::Duration::hours(2));
    items.sort_by(|a, b| {
        b["createdDateTime"]
            .as_str()
            .cmp(&a["createdDateTime"].as_str())
    });
    Ok(items)
}

/// Properties of a sign-in only the beta endpoint returns (signin.md in beta; v1.0's resource
/// has neither).
const BETA_ONLY: &[&str] = &["authenticationDetails", "authenticationRequirement"];

/// A sign-in as `version` returns it: beta-only properties dropped on v1.0, report-only
/// results hidden as `unknownFutureValue` from a client that did not ask for them by name.
fn shaped(o: &Value, version: &str, named: bool) -> Value {
    let mut v = o.clone();
    if version != "beta"
        && let Some(m) = v.as_object_mut()
    {
        for k in BETA_ONLY {
            m.remove(*k);
        }
    }
    if !named {
        for p in v["appliedConditionalAccessPolicies"]
            .as_array_mut()
            .into_iter()
            .flatten()
        {
            if p["result"]
                .as_str()
                .is_some_and(|r| r.starts_with("reportOnly"))
            {
                p["result"] = json!("unknownFutureValue");
            }
        }
    }
    v
}

/// `GET /auditLogs/signIns/{id}` (signin-get.md): one sign-in, or Graph's 404.
pub async fn get(
    State(state): State<Shared>,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (ctx, t) = match super::server::reading(&state, &headers) {
        Ok(x) => x,
        Err(r) => return r,
    };
    match t.sign_ins.iter().find(|s| s["id"] == id.as_str()) {
        Some(s) => {
            let mut v = shaped(s, &version, names_unknown_members(&headers));
            v["@odata.context"] = json!(format!(
                "{}/{version}/$metadata#auditLogs/signIns/$entity",
                ctx.origin
            ));
            ctx.respond(axum::http::StatusCode::OK, v)
        }
        None => ctx.not_found(&id),
    }
}

/// A user's `signInActivity` (signinactivity.md) from the sign-in logs: the last interactive
/// sign-in, the last successful one (null when none).
pub fn activity(t: &super::store::Tenant, uid: &str) -> Value {
    let mine: Vec<&Value> = t.sign_ins.iter().filter(|s| s["userId"] == uid).collect();
    let newest = |pred: &dyn Fn(&Value) -> bool| -> (Value, Value) {
        mine.iter()
            .filter(|s| pred(s))
            .max_by(|a, b| {
                a["createdDateTime"]
                    .as_str()
                    .cmp(&b["createdDateTime"].as_str())
            })
            .map(|s| (s["createdDateTime"].clone(), s["id"].clone()))
            .unwrap_or((Value::Null, Value::Null))
    };
    let (last, last_id) = newest(&|s| s["isInteractive"] != false);
    let (ok, ok_id) = newest(&|s| s["status"]["errorCode"] == 0);
    json!({
        "lastSignInDateTime": last,
        "lastSignInRequestId": last_id,
        "lastNonInteractiveSignInDateTime": null,
        "lastNonInteractiveSignInRequestId": null,
        "lastSuccessfulSignInDateTime": ok,
        "lastSuccessfulSignInRequestId": ok_id,
    })
}

/// Whether the client asked for evolvable enum members by name.
fn names_unknown_members(headers: &HeaderMap) -> bool {
    headers
        .get_all("prefer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| {
            v.to_ascii_lowercase()
                .contains("include-unknown-enum-members")
        })
}

/// `GET /auditLogs/signIns` with `$filter`, `$top` (at most 1000) and `$select`.
pub async fn list(
    State(state): State<Shared>,
    Path(version): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    let Ok(t) = state.tenant.read() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let items = &t.sign_ins;
    let known = items
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|m| m.keys().cloned())
        .collect();
    let opts = match super::query::parse(
        &super::server::pairs(raw),
        ctx.eventual,
        "microsoft.graph.signIn",
        &known,
        1000,
    ) {
        Ok(o) => o,
        Err(e) => return ctx.error(e.status, e.code, &e.message),
    };
    let named = names_unknown_members(&headers);
    let kept: Vec<&Value> = items.iter().filter(|o| opts.keep(o)).collect();
    let select = opts.select.clone();
    super::server::page_response(
        &ctx,
        uri.path(),
        kept,
        &opts,
        &format!("{version}/$metadata#auditLogs/signIns"),
        &|o| {
            let v = shaped(o, &version, named);
            match &select {
                Some(fields) => Value::Object(
                    fields
                        .iter()
                        .map(|f| (f.clone(), v.get(f).cloned().unwrap_or(Value::Null)))
                        .collect(),
                ),
                None => v,
            }
        },
    )
}

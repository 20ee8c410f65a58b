//! The demo tenant's Identity Protection (riskyuser-*.md, riskdetection-list.md): risky users
//! and detections are served by the policy collections; here are the writes
//! (`confirmCompromised`, `dismiss`: 204, applied at once), a user's history, and the answer of
//! a tenant without Entra ID P2 (`--no-p2`: 403).

use super::policy::Coll;
use super::server::{Ctx, Shared};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

/// The 403 of a tenant without the licence Identity Protection needs.
pub(super) fn premium(state: &Shared, ctx: &Ctx, coll: Coll) -> Option<Response> {
    let risk = matches!(coll, Coll::RiskyUsers | Coll::RiskDetections);
    (risk && state.no_p2).then(|| not_licensed(ctx))
}

/// PIM on a tenant without P2 (or ID Governance): Graph's 400, as tenants report it
/// (`AadPremiumLicenseRequired`; the body is not in the reference docs).
pub(super) fn pim_unlicensed(state: &Shared, ctx: &Ctx) -> Option<Response> {
    state.no_p2.then(|| {
        ctx.error(
            400,
            "AadPremiumLicenseRequired",
            "The tenant needs to have Microsoft Entra ID P2 or Microsoft Entra ID Governance license.",
        )
    })
}

fn not_licensed(ctx: &Ctx) -> Response {
    ctx.error(
        403,
        "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
        "Neither tenant is B2C or tenant doesn't have premium license",
    )
}

/// A history item recording a risky user's current state (riskyuserhistoryitem.md).
pub fn history_item(u: &Value) -> Value {
    let by = match u["riskDetail"].as_str() {
        Some(d) if d.starts_with("admin") => "66080f17-4c96-48e2-9cbd-0ba3a1a6bcde",
        _ => "",
    };
    json!({
        "id": u["id"],
        "userId": u["id"],
        "initiatedBy": if by.is_empty() { Value::Null } else { json!(by) },
        "activity": {"eventTypes": [], "detail": u["riskDetail"]},
        "riskLastUpdatedDateTime": u["riskLastUpdatedDateTime"],
        "riskLevel": u["riskLevel"],
        "riskState": u["riskState"],
        "riskDetail": u["riskDetail"],
        "isDeleted": false,
        "isProcessing": false,
        "userDisplayName": u["userDisplayName"],
        "userPrincipalName": u["userPrincipalName"],
    })
}

/// `GET /identityProtection/riskyUsers/{id}/history`.
pub async fn history(
    State(state): State<Shared>,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    if state.no_p2 {
        return not_licensed(&ctx);
    }
    let Ok(t) = state.tenant.read() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    if !t.policy.risky.iter().any(|u| u["id"] == id.as_str()) {
        return ctx.not_found(&id);
    }
    let items: Vec<Value> = t
        .policy
        .risk_history
        .iter()
        .filter(|h| h["userId"] == id.as_str())
        .rev()
        .cloned()
        .collect();
    let context = format!(
        "{}/{version}/$metadata#identityProtection/riskyUsers('{id}')/history",
        ctx.origin
    );
    ctx.respond(
        StatusCode::OK,
        json!({"@odata.context": context, "value": items}),
    )
}

/// `POST /identityProtection/riskyUsers/confirmCompromised` `{"userIds": [...]}`.
pub async fn confirm_compromised(
    State(state): State<Shared>,
    Path(_version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    change(
        &state,
        &headers,
        &body,
        "confirmedCompromised",
        "high",
        "adminConfirmedUserCompromised",
    )
}

/// `POST /identityProtection/riskyUsers/dismiss` `{"userIds": [...]}`.
pub async fn dismiss(
    State(state): State<Shared>,
    Path(_version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    change(
        &state,
        &headers,
        &body,
        "dismissed",
        "none",
        "adminDismissedAllRiskForUser",
    )
}

fn change(
    state: &Shared,
    headers: &HeaderMap,
    body: &[u8],
    risk_state: &str,
    level: &str,
    detail: &str,
) -> Response {
    let ctx = Ctx::new(headers);
    if let Err(r) = super::server::authorize(&ctx, headers) {
        return r;
    }
    if state.no_p2 {
        return not_licensed(&ctx);
    }
    let ids: Vec<String> = match serde_json::from_slice::<Value>(body) {
        Ok(v) => match v["userIds"].as_array() {
            Some(a) if !a.is_empty() => a
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => {
                return ctx.error(
                    400,
                    "BadRequest",
                    "userIds is required and cannot be empty.",
                );
            }
        },
        Err(_) => return ctx.error(400, "BadRequest", "Unable to read JSON request payload."),
    };
    let Ok(mut t) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    // A user Identity Protection does not know yet becomes a risky user (confirm compromised
    // works on anyone); an id that is no user is refused.
    for id in &ids {
        if t.user(id).is_none() {
            return ctx.not_found(id);
        }
    }
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    for id in ids {
        let user = t.user(&id).cloned().unwrap_or(Value::Null);
        let at = t.policy.risky.iter().position(|u| u["id"] == id.as_str());
        let entry = match at {
            Some(i) => &mut t.policy.risky[i],
            None => {
                t.policy.risky.push(json!({
                    "id": id, "isDeleted": false, "isProcessing": false,
                    "userDisplayName": user["displayName"],
                    "userPrincipalName": user["userPrincipalName"],
                }));
                let last = t.policy.risky.len() - 1;
                &mut t.policy.risky[last]
            }
        };
        entry["riskState"] = json!(risk_state);
        entry["riskLevel"] = json!(level);
        entry["riskDetail"] = json!(detail);
        entry["riskLastUpdatedDateTime"] = json!(now);
        let item = history_item(entry);
        t.policy.risk_history.push(item);
    }
    ctx.no_content()
}

//! The demo tenant's licence assignment (user-assignlicense.md, group-assignlicense.md):
//! `POST /users/{id}/assignLicense` answers 200 with the user at once; `POST
//! /groups/{id}/assignLicense` answers 202 and applies the licences to the members in the
//! background (QueueForProcessing, ProcessingInProgress, ProcessingComplete), each member
//! ending Active or in the error Entra gives (no usage location, not enough licences).

use super::server::{Ctx, Shared};
use super::store::{Kind, Tenant};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use std::time::Duration;

/// How long each step of a group's processing takes in the demo (Graph gives no figure).
const STEP: Duration = Duration::from_millis(1500);

/// What an assignLicense body asks: (skuId, disabledPlans) to add, skuIds to remove.
type Change = (Vec<(String, Value)>, Vec<String>);

/// The body's two lists. Graph requires both (an empty list is fine).
fn parse(ctx: &Ctx, body: &[u8]) -> Result<Change, Box<Response>> {
    let bad = |m: &str| Box::new(ctx.error(400, "Request_BadRequest", m));
    let v: Value = serde_json::from_slice(body).map_err(|_| {
        Box::new(ctx.error(400, "BadRequest", "Unable to read JSON request payload."))
    })?;
    let (Some(add), Some(remove)) = (v["addLicenses"].as_array(), v["removeLicenses"].as_array())
    else {
        return Err(bad(
            "Both addLicenses and removeLicenses are required (an empty collection is allowed).",
        ));
    };
    let add = add
        .iter()
        .map(|a| {
            let sku = a["skuId"].as_str().unwrap_or_default().to_string();
            let off = a.get("disabledPlans").cloned().unwrap_or(json!([]));
            (sku, off)
        })
        .collect();
    let remove = remove
        .iter()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    Ok((add, remove))
}

/// The subscribed SKU with this id.
fn sku<'a>(t: &'a mut Tenant, id: &str) -> Option<&'a mut Value> {
    t.policy.skus.iter_mut().find(|s| {
        s["skuId"]
            .as_str()
            .is_some_and(|i| i.eq_ignore_ascii_case(id))
    })
}

/// Seats of a SKU left (enabled minus consumed).
fn left(t: &mut Tenant, id: &str) -> i64 {
    sku(t, id).map_or(0, |s| {
        s["prepaidUnits"]["enabled"].as_i64().unwrap_or(0)
            - s["consumedUnits"].as_i64().unwrap_or(0)
    })
}

fn consume(t: &mut Tenant, id: &str, n: i64) {
    if let Some(s) = sku(t, id) {
        let c = s["consumedUnits"].as_i64().unwrap_or(0);
        s["consumedUnits"] = json!((c + n).max(0));
    }
}

/// Give `user` the SKU (`by`: the group, or null for direct), in the state Entra would:
/// active, or in error for want of a usage location or of seats.
fn license(t: &mut Tenant, user: &str, sku_id: &str, off: &Value, by: Value) {
    let Some(u) = t.user(user).cloned() else {
        return;
    };
    let mut states = u["licenseAssignmentStates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if states
        .iter()
        .any(|s| s["skuId"] == sku_id && s["assignedByGroup"] == by)
    {
        return;
    }
    let located = u["usageLocation"].as_str().is_some_and(|l| !l.is_empty());
    let error = if !located {
        "ProhibitedInUsageLocationViolation"
    } else if left(t, sku_id) <= 0 {
        "CountViolation"
    } else {
        "None"
    };
    let active = error == "None";
    states.push(json!({
        "skuId": sku_id, "assignedByGroup": by, "disabledPlans": off,
        "state": if active { "Active" } else { "Error" }, "error": error,
        "lastUpdatedDateTime": chrono::Utc::now().to_rfc3339(),
    }));
    let mut assigned = u["assignedLicenses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if active {
        if !assigned.iter().any(|a| a["skuId"] == sku_id) {
            assigned.push(json!({"skuId": sku_id, "disabledPlans": off}));
        }
        consume(t, sku_id, 1);
    }
    let id = u["id"].as_str().unwrap_or_default().to_string();
    t.patch(
        Kind::User,
        &id,
        &json!({"licenseAssignmentStates": states, "assignedLicenses": assigned}),
    );
}

/// Take the SKU assigned by `by` (a group id, or null for direct) away from `user`.
fn unlicense(t: &mut Tenant, user: &str, sku_id: &str, by: &Value) {
    let Some(u) = t.user(user).cloned() else {
        return;
    };
    let mut states = u["licenseAssignmentStates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let before = states.len();
    let was_active = states
        .iter()
        .any(|s| s["skuId"] == sku_id && s["assignedByGroup"] == *by && s["state"] == "Active");
    states.retain(|s| !(s["skuId"] == sku_id && s["assignedByGroup"] == *by));
    if states.len() == before {
        return;
    }
    let still = states
        .iter()
        .any(|s| s["skuId"] == sku_id && s["state"] == "Active");
    let mut assigned = u["assignedLicenses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !still {
        assigned.retain(|a| a["skuId"] != sku_id);
        if was_active {
            consume(t, sku_id, -1);
        }
    }
    let id = u["id"].as_str().unwrap_or_default().to_string();
    t.patch(
        Kind::User,
        &id,
        &json!({"licenseAssignmentStates": states, "assignedLicenses": assigned}),
    );
}

/// `POST /users/{id}/assignLicense`: 200 with the user; 400 without a usage location, for an
/// unknown SKU, or when no seat is left.
pub async fn user(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (ctx, mut t) = match super::server::writing(&state, &headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let (add, remove) = match parse(&ctx, &body) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let Some(u) = t.user(&id).cloned() else {
        return ctx.not_found(&id);
    };
    let uid = u["id"].as_str().unwrap_or_default().to_string();
    for (s, _) in &add {
        if sku(&mut t, s).is_none() {
            return ctx.error(
                400,
                "Request_BadRequest",
                &format!("License {s} does not correspond to a valid company License."),
            );
        }
        if u["usageLocation"].as_str().is_none_or(str::is_empty) {
            return ctx.error(
                400,
                "Request_BadRequest",
                "License assignment cannot be done for user with invalid usage location.",
            );
        }
        if left(&mut t, s) <= 0 {
            return ctx.error(
                400,
                "Request_BadRequest",
                &format!("Subscription {s} does not have any available licenses."),
            );
        }
    }
    for s in &remove {
        unlicense(&mut t, &uid, s, &Value::Null);
    }
    for (s, off) in &add {
        license(&mut t, &uid, s, off, Value::Null);
    }
    let updated = t.user(&uid).cloned().unwrap_or(Value::Null);
    ctx.respond(StatusCode::OK, updated)
}

/// `POST /groups/{id}/assignLicense`: 202 with the group; the members follow in the
/// background, the group's `licenseProcessingState` telling how far.
pub async fn group(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (ctx, mut t) = match super::server::writing(&state, &headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let (add, remove) = match parse(&ctx, &body) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let Some(g) = t.group(&id).cloned() else {
        return ctx.not_found(&id);
    };
    for (s, _) in &add {
        if sku(&mut t, s).is_none() {
            return ctx.error(
                400,
                "Request_BadRequest",
                &format!("License {s} does not correspond to a valid company License."),
            );
        }
    }
    let gid = g["id"].as_str().unwrap_or_default().to_string();
    let mut assigned = g["assignedLicenses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assigned.retain(|a| !remove.iter().any(|r| a["skuId"] == r.as_str()));
    for (s, off) in &add {
        assigned.retain(|a| a["skuId"] != s.as_str());
        assigned.push(json!({"skuId": s, "disabledPlans": off}));
    }
    t.patch(
        Kind::Group,
        &gid,
        &json!({"assignedLicenses": assigned,
            "licenseProcessingState": {"state": "QueueForProcessing"}}),
    );
    let answer = t.group(&gid).cloned().unwrap_or(Value::Null);
    drop(t);
    let shared = state.clone();
    tokio::spawn(async move {
        tokio::time::sleep(STEP).await;
        let progress = json!({"licenseProcessingState": {"state": "ProcessingInProgress"}});
        if let Ok(mut t) = shared.tenant.write() {
            t.patch(Kind::Group, &gid, &progress);
        }
        tokio::time::sleep(STEP).await;
        let Ok(mut t) = shared.tenant.write() else {
            return;
        };
        let members: Vec<String> = t
            .transitive_members(&gid)
            .into_iter()
            .filter(|m| t.user(m).is_some())
            .collect();
        let by = Value::from(gid.clone());
        for m in &members {
            for s in &remove {
                unlicense(&mut t, m, s, &by);
            }
            for (s, off) in &add {
                license(&mut t, m, s, off, by.clone());
            }
        }
        let done = json!({"licenseProcessingState": {"state": "ProcessingComplete"}});
        t.patch(Kind::Group, &gid, &done);
    });
    ctx.respond(StatusCode::ACCEPTED, answer)
}

/// The ids of a group's members whose licence from this group is in error
/// (`GET /groups/{id}/membersWithLicenseErrors`).
pub fn members_with_errors(t: &Tenant, group: &str) -> Vec<String> {
    t.transitive_members(group)
        .into_iter()
        .filter(|m| {
            t.user(m).is_some_and(|u| {
                u["licenseAssignmentStates"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|s| {
                        s["assignedByGroup"]
                            .as_str()
                            .is_some_and(|g| g.eq_ignore_ascii_case(group))
                            && s["error"].as_str().is_some_and(|e| e != "None")
                    })
            })
        })
        .collect()
}

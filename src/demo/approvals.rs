//! PIM approvals in the demo tenant: the activation requests waiting for the signed-in
//! admin's decision (`filterByCurrentUser(on='approver')`, v1.0), an approval's steps and the
//! decision on one (`roleAssignmentApprovals/{id}/steps`, beta: approvalstep-update.md answers
//! 204, 409 when the stage was already decided, 404 for an unknown approval).

use super::server::Shared;
use super::store::Tenant;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

const REQUESTS: &str = include_str!("../../assets/demo-tenant/pim-requests.json");

/// The requests waiting at start, their `createdDateTime` given as an age (`-PT25M`) made a
/// time now; each request is its own approval (`approvalId` is the request's id).
pub fn seed() -> Result<Vec<Value>, String> {
    let mut out = super::store::collection(REQUESTS, "pim-requests.json")?;
    aged(&mut out);
    Ok(out)
}

/// Requests' `createdDateTime` ages (`-PT25M`) made times now; each request its own approval.
pub(super) fn aged(out: &mut [Value]) {
    let now = chrono::Utc::now();
    for r in out.iter_mut() {
        if let Some(age) = r["createdDateTime"]
            .as_str()
            .and_then(|a| a.strip_prefix("-PT"))
            && let Some(m) = age.strip_suffix('M').and_then(|m| m.parse::<i64>().ok())
        {
            r["createdDateTime"] = json!(
                (now - chrono::Duration::minutes(m))
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
        }
        r["approvalId"] = r["id"].clone();
    }
}

/// Whether `me` decides requests for `role`: a primary approver of the role's policy, or (no
/// approver set: pim-how-to-change-default-settings.md) a Global Administrator or Privileged
/// Role Administrator.
fn approver(t: &Tenant, role: &str, me: &str) -> bool {
    let stages = t
        .pim_policies
        .iter()
        .find(|p| p["roleDefinitionId"] == role)
        .and_then(|p| {
            p["policy"]["rules"]
                .as_array()?
                .iter()
                .find(|r| r["id"] == "Approval_EndUser_Assignment")
                .cloned()
        })
        .map(|r| r["setting"]["approvalStages"].clone())
        .unwrap_or(Value::Null);
    let named: Vec<&str> = stages
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|s| s["primaryApprovers"].as_array().into_iter().flatten())
        .filter_map(|a| a["userId"].as_str().or(a["id"].as_str()))
        .collect();
    if !named.is_empty() {
        return named.contains(&me);
    }
    by_default(t, me)
}

/// PIM's approvers when a policy names none: Global Administrators and Privileged Role
/// Administrators (pim-how-to-change-default-settings.md).
pub(super) fn by_default(t: &Tenant, me: &str) -> bool {
    const DEFAULT: [&str; 2] = [
        "62e90394-69f5-4237-9190-012177145e10",
        "e8611ab8-c189-46e8-94e1-60213ab1f814",
    ];
    t.roles.assignments.iter().any(|a| {
        a["principalId"] == me
            && DEFAULT
                .iter()
                .any(|d| a["roleDefinitionId"].as_str() == Some(d))
    })
}

/// `GET /roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')`
/// with an optional `$filter=status eq '…'` and `$expand` of `principal` and `roleDefinition`.
pub async fn for_approver(
    State(state): State<Shared>,
    Path(_version): Path<String>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let (ctx, t) = match super::server::reading(&state, &headers) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let me = match super::membership::me_id(&t, &headers) {
        Ok(id) => id,
        Err(why) => return ctx.error(400, "BadRequest", why),
    };
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(q.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let param = |k: &str| {
        query
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let status = super::pim::filtered(&param("$filter"), "status");
    let expand = param("$expand");
    let value: Vec<Value> = t
        .roles
        .requests
        .iter()
        .filter(|r| r["approvalId"].is_string())
        .filter(|r| approver(&t, r["roleDefinitionId"].as_str().unwrap_or_default(), &me))
        .filter(|r| status.as_deref().is_none_or(|s| r["status"] == s))
        .map(|r| {
            let mut r = r.clone();
            if expand.contains("principal") {
                r["principal"] = principal(&t, &r["principalId"]);
            }
            if expand.contains("roleDefinition") {
                let d = t
                    .roles
                    .definitions
                    .iter()
                    .find(|d| d["id"] == r["roleDefinitionId"]);
                r["roleDefinition"] = d.map_or(
                    Value::Null,
                    |d| json!({"id": d["id"], "displayName": d["displayName"]}),
                );
            }
            r
        })
        .collect();
    ctx.respond(
        StatusCode::OK,
        json!({"@odata.context": format!("{}/v1.0/$metadata#Collection(unifiedRoleAssignmentScheduleRequest)", ctx.origin), "value": value}),
    )
}

/// A request's principal as `$expand=principal` gives it (a user).
pub(super) fn principal(t: &Tenant, id: &Value) -> Value {
    id.as_str()
        .and_then(|id| t.user(id))
        .map_or(Value::Null, |u| {
            json!({"@odata.type": "#microsoft.graph.user", "id": u["id"],
            "displayName": u["displayName"], "userPrincipalName": u["userPrincipalName"]})
        })
}

/// A decision's body: `reviewResult` Approve or Deny, and a justification (approvalstage-
/// update.md); otherwise the message of Graph's 400. `true` approves.
pub(super) fn decision(req: &Value) -> Result<bool, &'static str> {
    let result = req["reviewResult"].as_str().unwrap_or_default();
    if !matches!(result, "Approve" | "Deny") {
        return Err("reviewResult must be Approve or Deny.");
    }
    if req["justification"]
        .as_str()
        .is_none_or(|j| j.trim().is_empty())
    {
        return Err("A justification is required.");
    }
    Ok(result == "Approve")
}

/// The approval's one stage, as the approver sees it (`review`: the decision made on it).
fn step(r: &Value, review: Option<&Value>) -> Value {
    let decided = review.is_some();
    let review = review.cloned().unwrap_or(Value::Null);
    json!({
        "id": format!("{}-1", r["id"].as_str().unwrap_or_default()),
        "displayName": null,
        "status": if decided { "Completed" } else { "InProgress" },
        "assignedToMe": true,
        "reviewResult": if decided { review["reviewResult"].clone() } else { json!("NotReviewed") },
        "justification": if decided { review["justification"].clone() } else { json!("") },
        "reviewedBy": if decided { review["reviewedBy"].clone() } else { Value::Null },
        "reviewedDateTime": if decided { review["reviewedDateTime"].clone() } else { Value::Null },
    })
}

/// `GET /beta/roleManagement/directory/roleAssignmentApprovals/{id}/steps`.
pub async fn steps(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (ctx, t) = match super::server::reading(&state, &headers) {
        Ok(r) => r,
        Err(r) => return r,
    };
    match t
        .roles
        .requests
        .iter()
        .find(|r| r["approvalId"] == id.as_str())
    {
        Some(r) => ctx.respond(
            StatusCode::OK,
            json!({"value": [step(r, t.roles.reviews.get(&id))]}),
        ),
        None => ctx.error(404, "ResourceNotFound", "The approval was not found."),
    }
}

/// `PATCH /beta/roleManagement/directory/roleAssignmentApprovals/{id}/steps/{stepId}` with
/// `reviewResult` (`Approve` or `Deny`) and `justification`: approved, the requester's role is
/// active for the duration asked; denied, the request is `Denied`.
pub async fn decide(
    State(state): State<Shared>,
    Path((_version, id, step_id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (ctx, mut t, req) = match super::server::writing_json(&state, &headers, &body) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let me = match super::membership::me_id(&t, &headers) {
        Ok(id) => id,
        Err(why) => return ctx.error(400, "BadRequest", why),
    };
    let approved = match decision(&req) {
        Ok(a) => a,
        Err(why) => return ctx.error(400, "BadRequest", why),
    };
    let result = if approved { "Approve" } else { "Deny" };
    let Some(at) = t
        .roles
        .requests
        .iter()
        .position(|r| r["approvalId"] == id.as_str())
    else {
        return ctx.error(404, "ResourceNotFound", "The approval was not found.");
    };
    let r = t.roles.requests[at].clone();
    if step(&r, None)["id"] != step_id.as_str() {
        return ctx.error(404, "ResourceNotFound", "The approval step was not found.");
    }
    if !approver(&t, r["roleDefinitionId"].as_str().unwrap_or_default(), &me)
        || r["principalId"] == me.as_str()
    {
        return ctx.error(
            403,
            "Forbidden",
            "The caller is not an approver of this request.",
        );
    }
    if t.roles.reviews.contains_key(&id) || r["status"] != "PendingApproval" {
        return ctx.error(
            409,
            "Conflict",
            "The request was already reviewed in this stage.",
        );
    }
    let now = chrono::Utc::now();
    let stamp =
        |d: chrono::DateTime<chrono::Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let minutes = r["scheduleInfo"]["expiration"]["duration"]
        .as_str()
        .and_then(|d| d.strip_prefix("PT"))
        .and_then(|d| {
            d.strip_suffix('H')
                .and_then(|h| h.parse::<i64>().ok().map(|h| h * 60))
                .or_else(|| d.strip_suffix('M').and_then(|m| m.parse().ok()))
        })
        .unwrap_or(60);
    t.roles.reviews.insert(
        id,
        json!({"reviewResult": result, "justification": req["justification"],
            "reviewedBy": {"id": me}, "reviewedDateTime": stamp(now)}),
    );
    t.roles.requests[at]["status"] = json!(if approved { "Provisioned" } else { "Denied" });
    if approved {
        t.roles.assignments.push(json!({
            "id": uuid::Uuid::new_v4().to_string(),
            "principalId": r["principalId"], "roleDefinitionId": r["roleDefinitionId"],
            "directoryScopeId": r["directoryScopeId"],
            "startDateTime": stamp(now),
            "endDateTime": stamp(now + chrono::Duration::minutes(minutes)),
            "@activated": true,
        }));
    }
    ctx.no_content()
}

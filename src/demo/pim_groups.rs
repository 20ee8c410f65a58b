//! The demo tenant's PIM for groups: eligible memberships and ownerships
//! (`eligibilityScheduleInstances`), active ones (`assignmentScheduleInstances`), each group's
//! policy (served with the directory roles' by `pim::policy_assignments`, scope type `Group`),
//! `selfActivate` / `selfDeactivate` requests (the policy's rules checked as for a role, a
//! membership added to or taken from the group), requests waiting for an approver
//! (`filterByCurrentUser`) and the approval with its stage (`assignmentApprovals/{id}`).

use super::server::Shared;
use super::store::Tenant;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

const FIXTURE: &str = include_str!("../../assets/demo-tenant/pim-groups.json");

/// PIM for groups' state.
#[derive(Debug, Default)]
pub struct Store {
    pub eligibility: Vec<Value>,
    /// Activated memberships and ownerships (instances with `assignmentType` `activated`).
    pub assignments: Vec<Value>,
    /// Schedule requests, newest last; each waiting one is its own approval.
    pub requests: Vec<Value>,
    /// Approvers' decisions by approval id.
    pub reviews: std::collections::HashMap<String, Value>,
}

/// The fixture, and a policy (over PIM's defaults) for every group and access it names: Graph
/// has one for each group onboarded to PIM. The policies join the directory roles' in
/// `policies` (scope type `Group`, scope id the group, role definition id the access).
pub fn load(policies: &mut Vec<Value>) -> Result<Store, String> {
    let v: Value =
        serde_json::from_str(FIXTURE).map_err(|e| format!("fixture pim-groups.json: {e}"))?;
    let list = |k: &str| v[k].as_array().cloned().unwrap_or_default();
    let eligibility = list("eligibility");
    let own = list("policies");
    let mut scopes: Vec<(String, String)> = eligibility
        .iter()
        .chain(&own)
        .filter_map(|e| {
            let access = e["accessId"].as_str().or(e["access"].as_str())?;
            Some((e["groupId"].as_str()?.to_string(), access.to_string()))
        })
        .collect();
    scopes.sort();
    scopes.dedup();
    for (group, access) in scopes {
        let rules = own
            .iter()
            .find(|p| p["groupId"] == group.as_str() && p["access"] == access.as_str())
            .and_then(|p| p["rules"].as_array().cloned())
            .unwrap_or_default();
        let policy = format!("Group_{group}_{access}");
        policies.push(json!({
            "id": format!("{policy}_{access}"),
            "policyId": policy,
            "scopeId": group,
            "scopeType": "Group",
            "roleDefinitionId": access,
            "policy": {
                "id": policy, "displayName": "Group", "description": "Group",
                "isOrganizationDefault": false, "scopeId": group, "scopeType": "Group",
                "lastModifiedDateTime": null, "lastModifiedBy": {"displayName": null, "id": null},
                "rules": super::pim::over_defaults(rules),
            }
        }));
    }
    let mut requests = list("requests");
    super::approvals::aged(&mut requests);
    Ok(Store {
        eligibility,
        assignments: Vec::new(),
        requests,
        reviews: std::collections::HashMap::new(),
    })
}

fn policy<'a>(t: &'a Tenant, group: &str, access: &str) -> Option<&'a Value> {
    t.pim_policies.iter().find(|p| {
        p["scopeType"] == "Group" && p["scopeId"] == group && p["roleDefinitionId"] == access
    })
}

/// The group as `$expand=group` gives it.
fn expanded_group(t: &Tenant, id: &Value) -> Value {
    id.as_str()
        .and_then(|g| t.group(g))
        .map_or(Value::Null, |g| {
            json!({"id": g["id"], "displayName": g["displayName"], "description": g["description"],
            "isAssignableToRole": g["isAssignableToRole"]})
        })
}

/// A schedule-instance list: `$filter` on `principalId` or `groupId` is required
/// (privilegedaccessgroup-list-eligibilityscheduleinstances.md); `$expand=group` supported.
fn instances(
    state: &Shared,
    headers: &HeaderMap,
    raw: Option<String>,
    pick: fn(&Tenant) -> &[Value],
) -> Response {
    let (ctx, t) = match super::server::reading(state, headers) {
        Ok(r) => r,
        Err(r) => return r,
    };
    if let Some(r) = super::risk::pim_unlicensed(state, &ctx) {
        return r;
    }
    let items = pick(&t);
    let q = super::server::pairs(raw);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let filter = get("$filter").unwrap_or_default();
    let principal = super::pim::filtered(&filter, "principalId");
    let group = super::pim::filtered(&filter, "groupId");
    if principal.is_none() && group.is_none() {
        return ctx.error(
            400,
            "BadRequest",
            "The request must be filtered on principalId or groupId.",
        );
    }
    let expand = get("$expand").is_some_and(|e| e.contains("group"));
    let value: Vec<Value> = items
        .iter()
        .filter(|i| principal.as_deref().is_none_or(|p| i["principalId"] == p))
        .filter(|i| group.as_deref().is_none_or(|g| i["groupId"] == g))
        .map(|i| {
            let mut i = i.clone();
            if expand {
                i["group"] = expanded_group(&t, &i["groupId"]);
            }
            i
        })
        .collect();
    ctx.respond(StatusCode::OK, json!({"value": value}))
}

/// `GET /identityGovernance/privilegedAccess/group/eligibilityScheduleInstances`.
pub async fn eligibility(
    State(state): State<Shared>,
    Path(_version): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    instances(&state, &headers, raw, |t| &t.pim_groups.eligibility)
}

/// `GET /identityGovernance/privilegedAccess/group/assignmentScheduleInstances`.
pub async fn assignments(
    State(state): State<Shared>,
    Path(_version): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    instances(&state, &headers, raw, |t| &t.pim_groups.assignments)
}

/// Whether `me` decides requests for the group's access: a primary approver its policy names,
/// else PIM's default approvers.
fn approver(t: &Tenant, r: &Value, me: &str) -> bool {
    let group = r["groupId"].as_str().unwrap_or_default();
    let access = r["accessId"].as_str().unwrap_or("member");
    let named: Vec<String> =
        super::pim::rule(policy(t, group, access), "Approval_EndUser_Assignment")
            .map(|r| r["setting"]["approvalStages"].clone())
            .and_then(|s| s.as_array().cloned())
            .into_iter()
            .flatten()
            .flat_map(|s| {
                s["primaryApprovers"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|a| {
                a["userId"]
                    .as_str()
                    .or(a["id"].as_str())
                    .map(str::to_string)
            })
            .collect();
    if named.is_empty() {
        super::approvals::by_default(t, me)
    } else {
        named.iter().any(|n| n == me)
    }
}

/// `GET …/assignmentScheduleRequests/filterByCurrentUser(on='principal' | 'approver')`, with
/// `$filter` on `status` (and `groupId`) and `$expand` of `principal` and `group`.
async fn for_current(state: Shared, headers: HeaderMap, raw: Option<String>, on: &str) -> Response {
    let (ctx, t) = match super::server::reading(&state, &headers) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let me = match super::membership::me_id(&t, &headers) {
        Ok(id) => id,
        Err(why) => return ctx.error(400, "BadRequest", why),
    };
    let q = super::server::pairs(raw);
    let get = |k: &str| {
        q.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let filter = get("$filter");
    let status = super::pim::filtered(&filter, "status");
    let group = super::pim::filtered(&filter, "groupId");
    let expand = get("$expand");
    let value: Vec<Value> = t
        .pim_groups
        .requests
        .iter()
        .filter(|r| match on {
            "approver" => r["approvalId"].is_string() && approver(&t, r, &me),
            _ => r["principalId"] == me.as_str(),
        })
        .filter(|r| status.as_deref().is_none_or(|s| r["status"] == s))
        .filter(|r| group.as_deref().is_none_or(|g| r["groupId"] == g))
        .map(|r| {
            let mut r = r.clone();
            if expand.contains("principal") {
                r["principal"] = super::approvals::principal(&t, &r["principalId"]);
            }
            if expand.contains("group") {
                r["group"] = expanded_group(&t, &r["groupId"]);
            }
            r
        })
        .collect();
    ctx.respond(StatusCode::OK, json!({"value": value}))
}

pub async fn for_principal(
    State(state): State<Shared>,
    Path(_version): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    for_current(state, headers, raw, "principal").await
}

pub async fn for_approver(
    State(state): State<Shared>,
    Path(_version): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    for_current(state, headers, raw, "approver").await
}

fn stamp(d: chrono::DateTime<chrono::Utc>) -> String {
    d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The membership (or ownership) a request grants, in the group and as an activated instance.
fn grant(t: &mut Tenant, r: &Value, minutes: i64) {
    let (Some(group), Some(who)) = (r["groupId"].as_str(), r["principalId"].as_str()) else {
        return;
    };
    let (group, who) = (group.to_string(), who.to_string());
    let now = chrono::Utc::now();
    t.pim_groups.assignments.push(json!({
        "id": uuid::Uuid::new_v4().to_string(), "groupId": group, "principalId": who,
        "accessId": r["accessId"], "assignmentType": "activated", "memberType": "direct",
        "startDateTime": stamp(now), "endDateTime": stamp(now + chrono::Duration::minutes(minutes)),
        "assignmentScheduleId": r["id"],
    }));
    if r["accessId"] == "owner" {
        let owners = t.owners.entry(group.clone()).or_default();
        if !owners.contains(&who) {
            owners.push(who);
        }
    } else if !t.members.get(&group).is_some_and(|m| m.contains(&who)) {
        t.members
            .entry(group.clone())
            .or_default()
            .push(who.clone());
        t.record_member(&group, &who, true);
    }
}

/// `POST /identityGovernance/privilegedAccess/group/assignmentScheduleRequests`: the admin's
/// `selfActivate` (eligible, the policy's rules met; approval makes it wait) or
/// `selfDeactivate` (an activated one ended). The principal must be the caller: a request
/// naming the group (the classic mistake) is refused.
pub async fn request(
    State(state): State<Shared>,
    Path(_version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (ctx, mut t, req) = match super::server::writing_json(&state, &headers, &body) {
        Ok(w) => w,
        Err(r) => return r,
    };
    if let Some(r) = super::risk::pim_unlicensed(&state, &ctx) {
        return r;
    }
    let me = match super::membership::me_id(&t, &headers) {
        Ok(id) => id,
        Err(why) => return ctx.error(400, "BadRequest", why),
    };
    let action = req["action"].as_str().unwrap_or_default().to_string();
    let group = req["groupId"].as_str().unwrap_or_default().to_string();
    let access = req["accessId"].as_str().unwrap_or_default().to_string();
    if !matches!(access.as_str(), "member" | "owner") || t.group(&group).is_none() {
        return ctx.error(
            400,
            "BadRequest",
            "accessId (member or owner) and an existing groupId are required.",
        );
    }
    if req["principalId"].as_str() != Some(me.as_str()) {
        return ctx.error(
            403,
            "AuthorizationFailed",
            "A self-service request must name the signed-in user as its principal.",
        );
    }
    let now = chrono::Utc::now();
    let id = uuid::Uuid::new_v4().to_string();
    // The fields of the published answer (privilegedaccessgroup-post-assignmentschedulerequests.md).
    let mut answer = json!({
        "id": id, "status": null, "completedDateTime": null, "createdDateTime": stamp(now),
        "approvalId": null, "customData": null,
        "createdBy": {"user": {"id": me}}, "action": action, "isValidationOnly": false,
        "justification": req["justification"], "scheduleInfo": req["scheduleInfo"],
        "ticketInfo": req["ticketInfo"], "accessId": access, "principalId": me, "groupId": group,
        "targetScheduleId": format!("{group}_{access}_{id}"),
    });
    match action.as_str() {
        "selfDeactivate" => {
            let before = t.pim_groups.assignments.len();
            t.pim_groups.assignments.retain(|a| {
                !(a["principalId"] == me.as_str()
                    && a["groupId"] == group.as_str()
                    && a["accessId"] == access.as_str())
            });
            if t.pim_groups.assignments.len() == before {
                return ctx.error(
                    400,
                    "RoleAssignmentDoesNotExist",
                    "There is no activated assignment to deactivate.",
                );
            }
            if access == "owner" {
                t.owners
                    .entry(group.clone())
                    .or_default()
                    .retain(|o| o != &me);
            } else {
                t.members
                    .entry(group.clone())
                    .or_default()
                    .retain(|m| m != &me);
                t.record_member(&group, &me, false);
            }
            answer["status"] = json!("Revoked");
            answer["completedDateTime"] = json!(stamp(now));
            t.pim_groups.requests.push(answer.clone());
            ctx.respond(StatusCode::CREATED, answer)
        }
        "selfActivate" => {
            let eligible = t.pim_groups.eligibility.iter().any(|e| {
                e["principalId"] == me.as_str()
                    && e["groupId"] == group.as_str()
                    && e["accessId"] == access.as_str()
            });
            if !eligible {
                return ctx.error(
                    400,
                    "RoleAssignmentRequestPolicyValidationFailed",
                    "The principal is not eligible for this group.",
                );
            }
            let p = policy(&t, &group, &access).cloned();
            if let Some(refused) = super::pim::refusal(&ctx, p.as_ref(), &req, &headers) {
                return refused;
            }
            let asked = req["scheduleInfo"]["expiration"]["duration"]
                .as_str()
                .and_then(super::pim::minutes);
            if super::pim::rule(p.as_ref(), "Approval_EndUser_Assignment")
                .is_some_and(|r| r["setting"]["isApprovalRequired"] == true)
            {
                answer["status"] = json!("PendingApproval");
                answer["approvalId"] = answer["id"].clone();
                t.pim_groups.requests.push(answer.clone());
                return ctx.respond(StatusCode::CREATED, answer);
            }
            grant(&mut t, &answer, asked.unwrap_or(60));
            answer["status"] = json!("Provisioned");
            answer["completedDateTime"] = json!(stamp(now));
            t.pim_groups.requests.push(answer.clone());
            ctx.respond(StatusCode::CREATED, answer)
        }
        other => ctx.error(
            400,
            "BadRequest",
            &format!("The demo tenant handles selfActivate and selfDeactivate, not '{other}'."),
        ),
    }
}

/// The approval's one stage as `me` sees it.
fn stage(t: &Tenant, r: &Value, me: &str) -> Value {
    let id = r["approvalId"].as_str().unwrap_or_default();
    let review = t.pim_groups.reviews.get(id);
    let decided = review.is_some() || r["status"] != "PendingApproval";
    let review = review.cloned().unwrap_or(Value::Null);
    json!({
        "id": format!("{id}-1"), "displayName": null,
        "status": if decided { "Completed" } else { "InProgress" },
        "assignedToMe": approver(t, r, me) && r["principalId"] != me,
        "reviewResult": review.get("reviewResult").cloned().unwrap_or(json!("NotReviewed")),
        "justification": review.get("justification").cloned().unwrap_or(json!("")),
        "reviewedBy": review.get("reviewedBy").cloned().unwrap_or(Value::Null),
        "reviewedDateTime": review.get("reviewedDateTime").cloned().unwrap_or(Value::Null),
    })
}

/// `GET /identityGovernance/privilegedAccess/group/assignmentApprovals/{id}`: the approval
/// with its stages (approval-get.md).
pub async fn approval(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (ctx, t) = match super::server::reading(&state, &headers) {
        Ok(r) => r,
        Err(r) => return r,
    };
    let me = super::membership::me_id(&t, &headers).unwrap_or_default();
    match t
        .pim_groups
        .requests
        .iter()
        .find(|r| r["approvalId"] == id.as_str())
    {
        Some(r) => ctx.respond(
            StatusCode::OK,
            json!({"id": id, "stages": [stage(&t, r, &me)]}),
        ),
        None => ctx.error(404, "ResourceNotFound", "The approval was not found."),
    }
}

/// `PATCH …/assignmentApprovals/{id}/stages/{stageId}` (and the `steps` segment the v1.0 page
/// writes): 204; 403 for a caller who is not its approver, 404 unknown, 409 already decided.
pub async fn decide(
    State(state): State<Shared>,
    Path((_version, id, stage_id)): Path<(String, String, String)>,
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
    let approved = match super::approvals::decision(&req) {
        Ok(a) => a,
        Err(why) => return ctx.error(400, "BadRequest", why),
    };
    let result = if approved { "Approve" } else { "Deny" };
    let Some(at) = t
        .pim_groups
        .requests
        .iter()
        .position(|r| r["approvalId"] == id.as_str())
    else {
        return ctx.error(404, "ResourceNotFound", "The approval was not found.");
    };
    let r = t.pim_groups.requests[at].clone();
    let st = stage(&t, &r, &me);
    if st["id"] != stage_id.as_str() {
        return ctx.error(404, "ResourceNotFound", "The approval stage was not found.");
    }
    if st["status"] != "InProgress" {
        return ctx.error(
            409,
            "Conflict",
            "The request was already reviewed in this stage.",
        );
    }
    if st["assignedToMe"] != true {
        return ctx.error(
            403,
            "Forbidden",
            "The caller is not an approver of this request.",
        );
    }
    let now = chrono::Utc::now();
    t.pim_groups.reviews.insert(
        id,
        json!({"reviewResult": result, "justification": req["justification"],
            "reviewedBy": {"id": me}, "reviewedDateTime": stamp(now)}),
    );
    t.pim_groups.requests[at]["status"] = json!(if approved { "Provisioned" } else { "Denied" });
    if approved {
        let minutes = r["scheduleInfo"]["expiration"]["duration"]
            .as_str()
            .and_then(super::pim::minutes);
        grant(&mut t, &r, minutes.unwrap_or(60));
    }
    ctx.no_content()
}

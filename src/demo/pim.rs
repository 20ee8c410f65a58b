//! The demo tenant's PIM for directory roles: each role's management policy
//! (`GET /policies/roleManagementPolicyAssignments` with its rules: maximum duration,
//! justification, ticket, MFA, approval, authentication context) and the admin's own requests
//! (`POST /roleManagement/directory/roleAssignmentScheduleRequests`, `selfActivate` /
//! `selfDeactivate`): 201 with the request, `PendingApproval` when the policy wants approval; an
//! activation whose policy demands an authentication context the token lacks is refused with
//! `RoleAssignmentRequestAcrsValidationFailed` and the claims in the message, as PIM does.

use super::server::{Ctx, Shared};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

const POLICIES: &str = include_str!("../../assets/demo-tenant/pim-policies.json");

/// Every directory role's policy assignment, as Graph has one for each (the documented Global
/// Administrator example returns its policy): the fixture's settings over the defaults PIM
/// gives a role (the 17 rules of policyroot-list-rolemanagementpolicyassignments.md, example 2).
pub fn load(definitions: &[Value]) -> Result<Vec<Value>, String> {
    let mut set = super::store::collection(POLICIES, "pim-policies.json")?;
    for a in &mut set {
        let own = a["policy"]["rules"].as_array().cloned().unwrap_or_default();
        a["policy"]["rules"] = Value::Array(over_defaults(own));
    }
    for d in definitions {
        let Some(role) = d["id"].as_str() else {
            continue;
        };
        if set.iter().any(|a| a["roleDefinitionId"] == role) {
            continue;
        }
        let policy = format!("DirectoryRole_tailspin_{}", &role[..8.min(role.len())]);
        set.push(json!({
            "id": format!("{policy}_{role}"),
            "policyId": policy,
            "scopeId": "/",
            "scopeType": "DirectoryRole",
            "roleDefinitionId": role,
            "policy": {
                "id": policy,
                "displayName": "DirectoryRole",
                "description": "DirectoryRole",
                "isOrganizationDefault": false,
                "scopeId": "/",
                "scopeType": "DirectoryRole",
                "lastModifiedDateTime": null,
                "lastModifiedBy": {"displayName": null, "id": null},
                "rules": default_rules(),
            }
        }));
    }
    Ok(set)
}

/// A fixture's rules over the defaults (a rule it names replaces the default of that id).
pub(super) fn over_defaults(own: Vec<Value>) -> Vec<Value> {
    let mut rules = default_rules();
    for r in own {
        match rules.iter_mut().find(|d| d["id"] == r["id"]) {
            Some(d) => *d = r,
            None => rules.push(r),
        }
    }
    rules
}

/// The rules PIM gives a directory role (and a group's membership or ownership) until someone
/// changes them.
fn default_rules() -> Vec<Value> {
    let target = |caller: &str, level: &str| {
        json!({"caller": caller, "operations": ["all"], "level": level,
               "inheritableSettings": [], "enforcedSettings": []})
    };
    let notes = |caller: &str, level: &str, tag: &str| -> Vec<Value> {
        ["Admin", "Requestor", "Approver"]
            .iter()
            .map(|who| {
                json!({
                    "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule",
                    "id": format!("Notification_{who}_{tag}_{level}"),
                    "notificationType": "Email",
                    "recipientType": who,
                    "notificationLevel": "All",
                    "isDefaultRecipientsEnabled": true,
                    "notificationRecipients": [],
                    "target": target(caller, level),
                })
            })
            .collect()
    };
    let expiration = |caller: &str, level: &str, required: bool, max: &str| {
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
            "id": format!("Expiration_{caller}_{level}"),
            "isExpirationRequired": required,
            "maximumDuration": max,
            "target": target(caller, level),
        })
    };
    let enablement = |caller: &str, level: &str, rules: &[&str]| {
        json!({
            "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
            "id": format!("Enablement_{caller}_{level}"),
            "enabledRules": rules,
            "target": target(caller, level),
        })
    };
    let mut out = vec![
        expiration("Admin", "Eligibility", false, "P365D"),
        enablement("Admin", "Eligibility", &[]),
    ];
    out.extend(notes("Admin", "Eligibility", "Admin"));
    out.push(expiration("Admin", "Assignment", false, "P180D"));
    out.push(enablement("Admin", "Assignment", &["Justification"]));
    out.extend(notes("Admin", "Assignment", "Admin"));
    out.push(expiration("EndUser", "Assignment", true, "PT8H"));
    out.push(enablement(
        "EndUser",
        "Assignment",
        &["MultiFactorAuthentication", "Justification"],
    ));
    out.push(json!({
        "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
        "id": "Approval_EndUser_Assignment",
        "target": target("EndUser", "Assignment"),
        "setting": {
            "isApprovalRequired": false,
            "isApprovalRequiredForExtension": false,
            "isRequestorJustificationRequired": true,
            "approvalMode": "SingleStage",
            "approvalStages": [{
                "approvalStageTimeOutInDays": 1,
                "isApproverJustificationRequired": true,
                "escalationTimeInMinutes": 0,
                "isEscalationEnabled": false,
                "primaryApprovers": [],
                "escalationApprovers": []
            }]
        }
    }));
    out.push(json!({
        "@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule",
        "id": "AuthenticationContext_EndUser_Assignment",
        "isEnabled": false,
        "claimValue": null,
        "target": target("EndUser", "Assignment"),
    }));
    out.extend(notes("EndUser", "Assignment", "EndUser"));
    out
}

/// The value of `name eq '…'` in a `$filter`, if the filter has that term.
pub(super) fn filtered(filter: &str, name: &str) -> Option<String> {
    let key = format!("{name} eq '");
    let at = filter.find(&key)? + key.len();
    let rest = &filter[at..];
    Some(rest[..rest.find('\'')?].to_string())
}

/// `GET /policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq
/// 'DirectoryRole' [and roleDefinitionId eq '…']&$expand=policy($expand=rules)`.
pub async fn policy_assignments(
    State(state): State<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    if let Some(r) = super::risk::pim_unlicensed(&state, &ctx) {
        return r;
    }
    let q = super::server::pairs(raw);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let filter = get("$filter").unwrap_or_default();
    // policies-list: scopeId and scopeType are required in the filter.
    if !filter.contains("scopeId eq") || !filter.contains("scopeType eq") {
        return ctx.error(
            400,
            "BadRequest",
            "The filter must name scopeId and scopeType.",
        );
    }
    let expand = get("$expand").is_some_and(|e| e.contains("policy"));
    let Ok(t) = state.tenant.read() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let role = filtered(&filter, "roleDefinitionId");
    // Only the scope asked for: directory roles' policies under `DirectoryRole`, the same
    // assignments under `Directory` (example 1), a PIM group's under `Group` and its id.
    let scope_type = filtered(&filter, "scopeType").unwrap_or_default();
    let scope_id = filtered(&filter, "scopeId").unwrap_or_default();
    let asked = if scope_type == "Directory" {
        "DirectoryRole"
    } else {
        scope_type.as_str()
    };
    let items: Vec<Value> = t
        .pim_policies
        .iter()
        .filter(|a| a["scopeType"] == asked && a["scopeId"] == scope_id.as_str())
        .filter(|a| role.as_deref().is_none_or(|r| a["roleDefinitionId"] == r))
        .map(|a| {
            let mut a = a.clone();
            if scope_type == "Directory" {
                a["scopeType"] = json!("Directory");
            }
            if !expand && let Some(m) = a.as_object_mut() {
                m.remove("policy");
            }
            a
        })
        .collect();
    let context = format!(
        "{}/{version}/$metadata#policies/roleManagementPolicyAssignments",
        ctx.origin
    );
    ctx.respond(
        StatusCode::OK,
        json!({"@odata.context": context, "value": items}),
    )
}

pub(super) fn rule<'a>(assignment: Option<&'a Value>, id: &str) -> Option<&'a Value> {
    assignment?["policy"]["rules"]
        .as_array()?
        .iter()
        .find(|r| r["id"] == id)
}

/// ISO 8601 `PTnH` / `PTnM` / `PnD` in minutes (what the demo's policies use).
pub(super) fn minutes(d: &str) -> Option<i64> {
    let d = d.strip_prefix('P')?;
    if let Some(days) = d.strip_suffix('D') {
        return days.parse::<i64>().ok().map(|n| n * 1440);
    }
    let t = d.strip_prefix('T')?;
    let (mut total, mut num) = (0, String::new());
    for c in t.chars() {
        match c {
            '0'..='9' => num.push(c),
            'H' => total += std::mem::take(&mut num).parse::<i64>().ok()? * 60,
            'M' => total += std::mem::take(&mut num).parse::<i64>().ok()?,
            _ => return None,
        }
    }
    Some(total)
}

/// `POST /roleManagement/directory/roleAssignmentScheduleRequests` (`selfActivate`,
/// `selfDeactivate`).
pub async fn schedule_request(
    State(state): State<Shared>,
    Path(_version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (ctx, mut t) = match super::server::writing(&state, &headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    if let Some(r) = super::risk::pim_unlicensed(&state, &ctx) {
        return r;
    }
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return ctx.error(400, "BadRequest", "Unable to read JSON request payload.");
    };
    let me = match super::membership::me_id(&t, &headers) {
        Ok(id) => id,
        Err(why) => return ctx.error(400, "BadRequest", why),
    };
    let action = req["action"].as_str().unwrap_or_default().to_string();
    let role = req["roleDefinitionId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let scope = req["directoryScopeId"].as_str().unwrap_or("/").to_string();
    if req["principalId"].as_str() != Some(me.as_str()) {
        return ctx.error(
            403,
            "AuthorizationFailed",
            "A self-service request must name the signed-in user as its principal.",
        );
    }
    let now = chrono::Utc::now();
    let stamp =
        |d: chrono::DateTime<chrono::Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    // The fields of Graph's published answer (unifiedroleassignmentschedulerequest-post.md):
    // the request is its own target schedule; `approvalId` is set while it waits.
    let id = uuid::Uuid::new_v4().to_string();
    let mut answer = json!({
        "id": id, "status": null, "createdDateTime": stamp(now), "completedDateTime": null,
        "approvalId": null, "customData": null,
        "action": action, "principalId": me, "roleDefinitionId": role,
        "directoryScopeId": scope, "appScopeId": null, "isValidationOnly": false,
        "targetScheduleId": id, "justification": req["justification"],
        "createdBy": {"application": null, "device": null, "user": {"displayName": null, "id": me}},
        "scheduleInfo": req["scheduleInfo"], "ticketInfo": req["ticketInfo"],
    });
    match action.as_str() {
        "selfDeactivate" => {
            let before = t.roles.assignments.len();
            t.roles.assignments.retain(|a| {
                !(a["principalId"] == me.as_str()
                    && a["roleDefinitionId"] == role.as_str()
                    && a["@activated"] == true)
            });
            if t.roles.assignments.len() == before {
                return ctx.error(
                    400,
                    "RoleAssignmentDoesNotExist",
                    "The role is not active through an activation: there is nothing to deactivate.",
                );
            }
            answer["status"] = json!("Revoked");
            answer["completedDateTime"] = json!(stamp(now));
            t.roles.requests.push(answer.clone());
            ctx.respond(StatusCode::CREATED, answer)
        }
        "selfActivate" => {
            let eligible =
                t.roles.eligibility.iter().any(|e| {
                    e["principalId"] == me.as_str() && e["roleDefinitionId"] == role.as_str()
                });
            if !eligible {
                return ctx.error(
                    400,
                    "RoleAssignmentRequestPolicyValidationFailed",
                    "The principal is not eligible for this role.",
                );
            }
            let policy = t
                .pim_policies
                .iter()
                .find(|p| p["roleDefinitionId"] == role.as_str())
                .cloned();
            if let Some(refused) = refusal(&ctx, policy.as_ref(), &req, &headers) {
                return refused;
            }
            let asked = req["scheduleInfo"]["expiration"]["duration"]
                .as_str()
                .and_then(minutes);
            let max = rule(policy.as_ref(), "Expiration_EndUser_Assignment")
                .and_then(|r| r["maximumDuration"].as_str())
                .and_then(minutes);
            let approval = rule(policy.as_ref(), "Approval_EndUser_Assignment")
                .is_some_and(|r| r["setting"]["isApprovalRequired"] == true);
            if approval {
                answer["status"] = json!("PendingApproval");
                // The request is its own approval (approval-list-steps.md: the steps of PIM
                // for roles are listed by the schedule request's id).
                answer["approvalId"] = answer["id"].clone();
                t.roles.requests.push(answer.clone());
                return ctx.respond(StatusCode::CREATED, answer);
            }
            let end = now + chrono::Duration::minutes(asked.or(max).unwrap_or(60));
            t.roles.assignments.push(json!({
                "id": uuid::Uuid::new_v4().to_string(),
                "principalId": me, "roleDefinitionId": role, "directoryScopeId": scope,
                "startDateTime": stamp(now), "endDateTime": stamp(end),
                "@activated": true,
            }));
            answer["status"] = json!("Provisioned");
            answer["completedDateTime"] = json!(stamp(now));
            t.roles.requests.push(answer.clone());
            ctx.respond(StatusCode::CREATED, answer)
        }
        other => ctx.error(
            400,
            "BadRequest",
            &format!("The demo tenant handles selfActivate and selfDeactivate, not '{other}'."),
        ),
    }
}

/// What the policy's activation rules refuse in a `selfActivate` request (the same for a
/// directory role and a PIM group): a missing justification or ticket, a duration past the
/// maximum, or a token without the authentication context the policy demands
/// (`RoleAssignmentRequestAcrsValidationFailed` with the claims in the message, as PIM answers
/// both: msgraph-sdk-powershell #2800 shows it for a group).
pub(super) fn refusal(
    ctx: &Ctx,
    policy: Option<&Value>,
    req: &Value,
    headers: &HeaderMap,
) -> Option<Response> {
    let enabled = super::rules::strings(
        &rule(policy, "Enablement_EndUser_Assignment")
            .map_or(Value::Null, |r| r["enabledRules"].clone()),
    );
    if enabled.iter().any(|r| r == "Justification")
        && req["justification"]
            .as_str()
            .is_none_or(|j| j.trim().is_empty())
    {
        return Some(ctx.error(
            400,
            "JustificationRule",
            "The policy requires a justification.",
        ));
    }
    if enabled.iter().any(|r| r == "Ticketing")
        && req["ticketInfo"]["ticketNumber"]
            .as_str()
            .is_none_or(|n| n.trim().is_empty())
    {
        return Some(ctx.error(
            400,
            "TicketingRule",
            "The policy requires ticket information.",
        ));
    }
    let asked = req["scheduleInfo"]["expiration"]["duration"]
        .as_str()
        .and_then(minutes);
    let max = rule(policy, "Expiration_EndUser_Assignment")
        .and_then(|r| r["maximumDuration"].as_str())
        .and_then(minutes);
    if let (Some(a), Some(m)) = (asked, max)
        && a > m
    {
        return Some(ctx.error(
            400,
            "ExpirationRule",
            "The requested duration is longer than the policy allows.",
        ));
    }
    let acrs = rule(policy, "AuthenticationContext_EndUser_Assignment")
        .filter(|r| r["isEnabled"] == true)
        .and_then(|r| r["claimValue"].as_str());
    if let Some(c) = acrs {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !crate::auth::token_acrs(token).iter().any(|x| x == c) {
            let claims =
                format!(r#"{{"access_token":{{"acrs":{{"essential":true,"value":"{c}"}}}}}}"#);
            let encoded: String = url::form_urlencoded::byte_serialize(claims.as_bytes()).collect();
            return Some(ctx.error(
                400,
                "RoleAssignmentRequestAcrsValidationFailed",
                &format!("&claims={encoded}"),
            ));
        }
    }
    None
}

/// `PATCH /policies/roleManagementPolicies/{policyId}/rules/{ruleId}`
/// (unifiedrolemanagementpolicyrule-update.md): the body names the rule's `@odata.type`; the
/// rule's updatable properties are replaced in every assignment of that policy; 204.
pub async fn update_rule(
    State(state): State<Shared>,
    Path((_version, policy, rule_id)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (ctx, mut t, patch) = match super::server::writing_json(&state, &headers, &body) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let mut found = false;
    for a in t
        .pim_policies
        .iter_mut()
        .filter(|a| a["policyId"] == policy.as_str())
    {
        let Some(rules) = a["policy"]["rules"].as_array_mut() else {
            continue;
        };
        let Some(r) = rules.iter_mut().find(|r| r["id"] == rule_id.as_str()) else {
            continue;
        };
        if patch["@odata.type"] != r["@odata.type"] {
            return ctx.error(
                400,
                "InvalidPolicyRule",
                "The @odata.type of the rule must be included in the body and match the rule.",
            );
        }
        const UPDATABLE: &[&str] = &[
            "claimValue",
            "enabledRules",
            "isDefaultRecipientsEnabled",
            "isEnabled",
            "isExpirationRequired",
            "maximumDuration",
            "notificationLevel",
            "notificationRecipients",
            "notificationType",
            "recipientType",
            "setting",
            "target",
        ];
        for k in UPDATABLE {
            if let Some(v) = patch.get(*k) {
                r[*k] = v.clone();
            }
        }
        found = true;
    }
    if !found {
        return ctx.error(404, "ResourceNotFound", "The policy rule was not found.");
    }
    ctx.no_content()
}

//! PIM for directory roles (`unifiedRoleManagementPolicyAssignment`,
//! `unifiedRoleAssignmentScheduleRequest`): a role's policy with its rules, and the signed-in
//! admin's own activation and its early end (unifiedroleassignmentschedulerequest-post.md).

use crate::graph::{Method, Request};
use serde_json::{Value, json};

/// The role's PIM policy with its rules (policy assignments filtered to the directory scope,
/// `$expand=policy($expand=rules)`: policyroot-list-rolemanagementpolicyassignments.md).
pub fn policy_of_role(role_id: &str) -> Request {
    Request::get("/policies/roleManagementPolicyAssignments")
        .filter(format!(
            "scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '{}'",
            role_id.replace('\'', "''")
        ))
        .expand("policy($expand=rules)")
}

/// Every directory role's PIM policy assignment with its policy and rules (the list of
/// policyroot-list-rolemanagementpolicyassignments.md, scoped to directory roles).
pub fn policies_of_roles() -> Request {
    Request::get("/policies/roleManagementPolicyAssignments")
        .filter("scopeId eq '/' and scopeType eq 'DirectoryRole'")
        .expand("policy($expand=rules)")
}

const ROLE_NAME: &[&str] = &["id", "displayName", "templateId"];

/// The directory roles by id and name (rbacapplication-list-roledefinitions.md).
pub fn role_names() -> Request {
    Request::get("/roleManagement/directory/roleDefinitions").select(ROLE_NAME)
}

/// One directory role's id and name (unifiedroledefinition-get.md).
pub fn role_name(id: &str) -> Request {
    Request::get(format!(
        "/roleManagement/directory/roleDefinitions/{}",
        crate::graph::endpoints::path_segment(id)
    ))
    .select(ROLE_NAME)
}

const REQUESTS: &str = "/roleManagement/directory/roleAssignmentScheduleRequests";

/// A principal's role schedule instances, each with its role definition: `eligible` the
/// eligibility instances, else the assignment instances (permanent or activated)
/// (rbacapplication-list-roleeligibilityscheduleinstances.md,
/// rbacapplication-list-roleassignmentscheduleinstances.md).
pub fn instances_of(principal: &str, eligible: bool) -> Request {
    let path = if eligible {
        "/roleManagement/directory/roleEligibilityScheduleInstances"
    } else {
        "/roleManagement/directory/roleAssignmentScheduleInstances"
    };
    Request::get(path)
        .filter(format!(
            "principalId eq '{}'",
            principal.replace('\'', "''")
        ))
        .expand("roleDefinition")
}

/// A principal's activation requests waiting for an approver.
pub fn pending_of(principal: &str) -> Request {
    Request::get(REQUESTS)
        .filter(format!(
            "principalId eq '{}' and status eq 'PendingApproval'",
            principal.replace('\'', "''")
        ))
        .expand("roleDefinition")
}

/// A rule of a role's PIM policy replaced by `rule` (unifiedrolemanagementpolicyrule-update.md:
/// the body carries the rule's `@odata.type`; 204).
pub fn update_rule(policy_id: &str, rule: &Value) -> Request {
    Request::new(
        Method::Patch,
        format!(
            "/policies/roleManagementPolicies/{}/rules/{}",
            crate::graph::endpoints::path_segment(policy_id),
            crate::graph::endpoints::path_segment(rule["id"].as_str().unwrap_or_default())
        ),
    )
    .json(rule.clone())
}

/// The activation requests waiting for the signed-in admin's decision, with the requester and
/// the role (unifiedroleassignmentschedulerequest-filterbycurrentuser.md: `on='approver'`;
/// `$filter` and `$expand` are supported).
pub fn awaiting_my_approval() -> Request {
    Request::get(format!("{REQUESTS}/filterByCurrentUser(on='approver')"))
        .filter("status eq 'PendingApproval'")
        .expand("principal,roleDefinition")
}

/// An approval's stages (approval-list-steps.md: for PIM for roles only in beta; the approval
/// is named by the request's `approvalId`).
pub fn approval_steps(approval_id: &str) -> Request {
    Request::get(format!(
        "/roleManagement/directory/roleAssignmentApprovals/{}/steps",
        crate::graph::endpoints::path_segment(approval_id)
    ))
    .beta()
}

/// The approver's decision on a stage (approvalstep-update.md, beta: `reviewResult` Approve or
/// Deny with a justification; 204, and 409 when another approver decided the stage first).
pub fn review(approval_id: &str, step_id: &str, approve: bool, justification: &str) -> Request {
    Request::new(
        Method::Patch,
        format!(
            "/roleManagement/directory/roleAssignmentApprovals/{}/steps/{}",
            crate::graph::endpoints::path_segment(approval_id),
            crate::graph::endpoints::path_segment(step_id)
        ),
    )
    .beta()
    .json(json!({
        "reviewResult": if approve { "Approve" } else { "Deny" },
        "justification": justification,
    }))
}

/// What an activation carries: whose, which role at which scope, why, and the ticket (empty:
/// none).
pub struct Activate<'a> {
    pub principal: &'a str,
    pub role_id: &'a str,
    pub scope: &'a str,
    pub justification: &'a str,
    pub ticket: &'a str,
    /// ISO 8601 (`PT1H`).
    pub duration: &'a str,
}

/// `selfActivate` for `duration` from now.
pub fn self_activate(a: &Activate) -> Request {
    let mut body = json!({
        "action": "selfActivate",
        "principalId": a.principal,
        "roleDefinitionId": a.role_id,
        "directoryScopeId": a.scope,
        "justification": a.justification,
        "scheduleInfo": {
            "startDateTime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "expiration": {"type": "afterDuration", "duration": a.duration}
        }
    });
    if !a.ticket.is_empty() {
        body["ticketInfo"] = json!({"ticketNumber": a.ticket, "ticketSystem": "entra-console"});
    }
    Request::new(Method::Post, REQUESTS).json(body)
}

/// `selfDeactivate`: an activation ended before its time.
pub fn self_deactivate(principal: &Value, role_id: &Value, scope: &str) -> Request {
    Request::new(Method::Post, REQUESTS).json(json!({
        "action": "selfDeactivate",
        "principalId": principal,
        "roleDefinitionId": role_id,
        "directoryScopeId": scope,
    }))
}

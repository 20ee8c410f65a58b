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

const REQUESTS: &str = "/roleManagement/directory/roleAssignmentScheduleRequests";

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

//! Role assignments (`unifiedRoleAssignment`) and PIM eligibility given by an admin
//! (`unifiedRoleEligibilityScheduleRequest`, action `adminAssign`), and the administrative
//! units an assignment can be scoped to.

use crate::graph::{Method, Request};
use serde_json::json;

/// The administrative units (`GET /directory/administrativeUnits`,
/// directory-list-administrativeunits.md), for the scope of an assignment.
pub fn administrative_units() -> Request {
    Request::get("/directory/administrativeUnits")
        .select(&["id", "displayName"])
        .top(999)
}

/// The write that assigns a role: active (graph-api.md §1.2), or eligible through a PIM
/// `adminAssign` request with justification and duration (§1.3).
pub fn assign_request(
    role_id: &str,
    principal_id: &str,
    eligible: Option<(&str, Option<&str>)>,
) -> Request {
    match eligible {
        Some((justification, duration)) => {
            let expiration = match duration {
                // expirationPattern: the documented enum members are camelCase.
                Some(d) => json!({"type": "afterDuration", "duration": d}),
                None => json!({"type": "noExpiration"}),
            };
            Request::new(Method::Post, "/roleManagement/directory/roleEligibilityScheduleRequests").json(json!({
                "action": "adminAssign",
                "justification": justification,
                "principalId": principal_id,
                "roleDefinitionId": role_id,
                "directoryScopeId": "/",
                "scheduleInfo": {
                    "startDateTime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "expiration": expiration
                }
            }))
        }
        None => {
            Request::new(Method::Post, "/roleManagement/directory/roleAssignments").json(json!({
                "@odata.type": "#microsoft.graph.unifiedRoleAssignment",
                "roleDefinitionId": role_id,
                "principalId": principal_id,
                "directoryScopeId": "/"
            }))
        }
    }
}

//! PIM for groups (`privilegedAccessGroup…`): the signed-in admin's eligible and active
//! memberships and ownerships, a group's PIM policy, the admin's own activation and its early
//! end, and the approver's side (requests waiting, an approval's stages, the decision).

use crate::graph::endpoints::path_segment;
use crate::graph::{Method, Request};
use serde_json::{Value, json};

const ROOT: &str = "/identityGovernance/privilegedAccess/group";

fn quoted(s: &str) -> String {
    s.replace('\'', "''")
}

/// The groups a principal may activate a membership or ownership of, each with its group
/// (privilegedaccessgroup-list-eligibilityscheduleinstances.md: the list must be filtered on
/// `principalId` or `groupId`).
pub fn eligibility_of(principal: &str) -> Request {
    Request::get(format!("{ROOT}/eligibilityScheduleInstances"))
        .filter(format!("principalId eq '{}'", quoted(principal)))
        .expand("group")
}

/// A principal's active memberships and ownerships of PIM groups, permanent or activated
/// (privilegedaccessgroup-list-assignmentscheduleinstances.md; `assignmentType` says which).
pub fn assignments_of(principal: &str) -> Request {
    Request::get(format!("{ROOT}/assignmentScheduleInstances"))
        .filter(format!("principalId eq '{}'", quoted(principal)))
        .expand("group")
}

/// The signed-in admin's own requests waiting for an approver
/// (privilegedaccessgroupassignmentschedulerequest-filterbycurrentuser.md, `on='principal'`,
/// example 1 filters on `status`).
pub fn my_pending() -> Request {
    Request::get(format!(
        "{ROOT}/assignmentScheduleRequests/filterByCurrentUser(on='principal')"
    ))
    .filter("status eq 'PendingApproval'")
    .expand("group")
}

/// The requests waiting for the signed-in admin's decision (the same function, `on='approver'`),
/// with the requester and the group.
pub fn awaiting_my_approval() -> Request {
    Request::get(format!(
        "{ROOT}/assignmentScheduleRequests/filterByCurrentUser(on='approver')"
    ))
    .filter("status eq 'PendingApproval'")
    .expand("principal,group")
}

/// The group's PIM policy for `access` (`member` or `owner`) with its rules: the policy
/// assignments filtered to the group's scope (policyroot-list-rolemanagementpolicyassignments.md,
/// "For PIM for groups": `scopeType eq 'Group'` and `roleDefinitionId` the access).
pub fn policy(group_id: &str, access: &str) -> Request {
    Request::get("/policies/roleManagementPolicyAssignments")
        .filter(format!(
            "scopeId eq '{}' and scopeType eq 'Group' and roleDefinitionId eq '{}'",
            quoted(group_id),
            quoted(access)
        ))
        .expand("policy($expand=rules)")
}

/// An approval with its stages, named by the request it decides (approval-get.md, "To get
/// approval objects in PIM for Groups": v1.0, the stages come with the approval).
pub fn approval(request_id: &str) -> Request {
    Request::get(format!(
        "{ROOT}/assignmentApprovals/{}",
        path_segment(request_id)
    ))
}

/// The approver's decision on a stage: `reviewResult` Approve or Deny with a justification
/// (approvalstage-update.md, "PIM for groups"; 204, 409 when another approver decided first).
/// The v1.0 page writes the segment `steps`, but v1.0's `approval` has only `stages` (the
/// approval-get.md answer and the v1.0 SDKs' paths); `stages` is what v1.0 routes.
pub fn review(request_id: &str, stage_id: &str, approve: bool, justification: &str) -> Request {
    Request::new(
        Method::Patch,
        format!(
            "{ROOT}/assignmentApprovals/{}/stages/{}",
            path_segment(request_id),
            path_segment(stage_id)
        ),
    )
    .json(json!({
        "reviewResult": if approve { "Approve" } else { "Deny" },
        "justification": justification,
    }))
}

/// What a group activation carries: whose (always the signed-in admin: never the group, the
/// classic mistake), which group and access, why, the ticket (empty: none) and how long.
pub struct Activate<'a> {
    pub principal: &'a str,
    pub group_id: &'a str,
    pub access: &'a str,
    pub justification: &'a str,
    pub ticket: &'a str,
    /// ISO 8601 (`PT1H`).
    pub duration: &'a str,
}

/// `selfActivate` of an eligible membership or ownership for `duration` from now
/// (privilegedaccessgroup-post-assignmentschedulerequests.md, example 2).
pub fn self_activate(a: &Activate) -> Request {
    let mut body = json!({
        "accessId": a.access,
        "principalId": a.principal,
        "groupId": a.group_id,
        "action": "selfActivate",
        "scheduleInfo": {
            "startDateTime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "expiration": {"type": "afterDuration", "duration": a.duration}
        },
        "justification": a.justification,
    });
    if !a.ticket.is_empty() {
        body["ticketInfo"] = json!({"ticketNumber": a.ticket, "ticketSystem": "entra-console"});
    }
    Request::new(Method::Post, format!("{ROOT}/assignmentScheduleRequests")).json(body)
}

/// `selfDeactivate`: an activated membership or ownership ended before its time.
pub fn self_deactivate(principal: &Value, group_id: &Value, access: &Value) -> Request {
    Request::new(Method::Post, format!("{ROOT}/assignmentScheduleRequests")).json(json!({
        "accessId": access,
        "principalId": principal,
        "groupId": group_id,
        "action": "selfDeactivate",
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_names_the_admin_never_the_group() {
        let r = self_activate(&Activate {
            principal: "me",
            group_id: "g",
            access: "owner",
            justification: "why",
            ticket: "",
            duration: "PT2H",
        });
        let b = r.body.unwrap();
        assert_eq!(b["principalId"], "me");
        assert_eq!(b["groupId"], "g");
        assert_eq!(b["accessId"], "owner");
        assert!(b.get("ticketInfo").is_none());
        assert_eq!(
            r.path,
            "/identityGovernance/privilegedAccess/group/assignmentScheduleRequests"
        );
    }
}

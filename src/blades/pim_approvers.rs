//! `e` on PIM settings, the approvers: add a user or a group (its members approve) found by
//! name to the role's approvers, or clear the named ones (PIM's defaults then decide:
//! Privileged Role Administrators and Global Administrators). The confirm says the approvers
//! before → after by name, and only the approval rule is sent.

use super::def::{Pick, PickThen, Step};
use super::pim_harden::rule;
use crate::graph::model::odata_kind;
use crate::sanitize::clean;
use serde_json::{Value, json};

const DEFAULT: &str =
    "none named (Privileged Role Administrators and Global Administrators decide)";

fn approvers(r: &Value) -> Vec<Value> {
    r["setting"]["approvalStages"][0]["primaryApprovers"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// An approver by name: its `description` (Graph's samples put the name there), else its kind
/// and id.
fn named(a: &Value) -> String {
    let id = a["userId"]
        .as_str()
        .or(a["groupId"].as_str())
        .unwrap_or("?");
    let group = a["@odata.type"]
        .as_str()
        .is_some_and(|t| t.ends_with("groupMembers"));
    let name = a["description"]
        .as_str()
        .filter(|d| !d.is_empty())
        .map(clean)
        .unwrap_or_else(|| id.to_string());
    if group {
        format!("members of {name}")
    } else {
        name
    }
}

fn list(approvers: &[Value]) -> String {
    if approvers.is_empty() {
        DEFAULT.into()
    } else {
        approvers.iter().map(named).collect::<Vec<_>>().join(", ")
    }
}

/// What the option says now.
pub fn now(role: &Value) -> String {
    rule(role, "Approval_EndUser_Assignment")
        .map(|r| list(&approvers(r)))
        .unwrap_or_else(|| "—".into())
}

/// The approval rule with `after` as its first stage's primary approvers, and the confirm.
fn with_approvers(role: &Value, r: &Value, after: Vec<Value>) -> Step {
    let before = approvers(r);
    let mut new = r.clone();
    new["setting"]["approvalStages"][0]["primaryApprovers"] = Value::Array(after.clone());
    let mut change = format!("approvers: {} → {}", list(&before), list(&after));
    if r["setting"]["isApprovalRequired"] != true {
        change.push_str(" (approval stays not required: they decide once it is)");
    }
    super::pim_harden::rule_confirm(role, r, new, &change)
}

/// Add one: a user or a group found by name.
pub fn add(role: &Value) -> Result<Vec<Step>, String> {
    rule(role, "Approval_EndUser_Assignment")
        .ok_or("the role's policy has no rule Approval_EndUser_Assignment: nothing to change")?;
    Ok(vec![Step::Pick(Pick {
        title: format!(
            "Add an approver of {}'s activations: type a name, Enter searches (a user, or a group whose members approve)",
            clean(role["displayName"].as_str().unwrap_or("?"))
        ),
        then: PickThen {
            with: role.clone(),
            run: picked,
        },
    })])
}

fn picked(principal: &Value, role: &Value) -> Result<Vec<Step>, String> {
    let r = rule(role, "Approval_EndUser_Assignment")
        .ok_or("the role's policy has no approval rule")?;
    let id = principal["id"].as_str().ok_or("the principal has no id")?;
    let name = principal["displayName"].as_str().unwrap_or(id);
    let mut list = approvers(r);
    if list.iter().any(|a| a["userId"] == id || a["groupId"] == id) {
        return Err(format!("{} approves already", clean(name)));
    }
    // unifiedRoleManagementPolicyApprovalRule: singleUser (userId) or groupMembers (groupId).
    list.push(match odata_kind(principal) {
        "group" => json!({"@odata.type": "#microsoft.graph.groupMembers", "isBackup": false,
            "groupId": id, "description": name}),
        "user" => json!({"@odata.type": "#microsoft.graph.singleUser", "isBackup": false,
            "userId": id, "description": name}),
        other => return Err(format!("a {other} cannot approve: a user or a group")),
    });
    Ok(vec![with_approvers(role, r, list)])
}

/// Clear the named approvers.
pub fn clear(role: &Value) -> Result<Vec<Step>, String> {
    let r = rule(role, "Approval_EndUser_Assignment")
        .ok_or("the role's policy has no rule Approval_EndUser_Assignment: nothing to change")?;
    if approvers(r).is_empty() {
        return Err("no approver is named: nothing to clear".into());
    }
    Ok(vec![with_approvers(role, r, Vec::new())])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role() -> Value {
        json!({"displayName": "Exchange Administrator", "assignment": {"policyId": "P1", "policy": {"rules": [
            {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
             "id": "Approval_EndUser_Assignment", "setting": {"isApprovalRequired": true,
             "approvalStages": [{"primaryApprovers": [{"@odata.type": "#microsoft.graph.singleUser",
                "userId": "u1", "description": "Julia Novak"}]}]}}]}}})
    }

    #[test]
    fn approvers_by_name_before_and_after() {
        let r = role();
        assert_eq!(now(&r), "Julia Novak");
        let steps = picked(
            &json!({"id": "g1", "displayName": "Tier0 approvers", "@odata.type": "#microsoft.graph.group"}),
            &r,
        )
        .unwrap();
        let Some(Step::Confirm(c)) = steps.first() else {
            unreachable!("a confirm")
        };
        assert!(
            c.title
                .contains("approvers: Julia Novak → Julia Novak, members of Tier0 approvers"),
            "{}",
            c.title
        );
        let body = c.request.body.clone().unwrap();
        assert_eq!(
            body["setting"]["approvalStages"][0]["primaryApprovers"][1]["groupId"],
            "g1"
        );
        let again = picked(
            &json!({"id": "u1", "displayName": "Julia Novak", "@odata.type": "#microsoft.graph.user"}),
            &r,
        );
        assert!(matches!(again, Err(e) if e.contains("approves already")));
        let steps = clear(&r).unwrap();
        let Some(Step::Confirm(c)) = steps.first() else {
            unreachable!("a confirm")
        };
        assert!(
            c.title.contains("approvers: Julia Novak → none named"),
            "{}",
            c.title
        );
    }
}

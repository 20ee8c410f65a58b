//! `H` on PIM settings: harden the marked roles (or the selected one, or the page's) to a
//! baseline. Built in: the SCuBA checks the audit runs (MS.AAD.7.6: Global Administrator's
//! activation needs approval; 7.7: eligible and active assignments to a highly privileged role
//! alert someone; 7.8 and 7.9: its activations do), the alert recipients asked. Or a TOML file
//! of rule values (`pim_policy::baseline`, the file `pim harden --baseline` reads). The confirm
//! says each change in words, rule by rule, and only the rules that change are sent (one PATCH
//! each: unifiedrolemanagementpolicyrule-update.md, 204). A role already at the baseline, and
//! a role the baseline asks nothing of, are named and skipped.

use super::def::{Choose, ChooseThen, Prompt, Step, Then, Verb};
use super::verb::{Confirm, Scope, Target};
use crate::sanitize::clean;
use serde_json::{Value, json};

const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";

/// The notification rules an alert of the baseline lives in, with what they alert on.
const ALERTS: &[(&str, &str)] = &[
    (
        "Notification_Admin_Admin_Eligibility",
        "alert on an eligible assignment",
    ),
    (
        "Notification_Admin_Admin_Assignment",
        "alert on an active assignment",
    ),
    (
        "Notification_Admin_EndUser_Assignment",
        "alert on an activation",
    ),
];

/// One rule's change: the role, the rule before and after, and the change in words.
struct Change {
    role: String,
    policy: String,
    before: Value,
    after: Value,
    words: String,
}

/// A rule of a PIM settings row's policy (its assignment, policy expanded).
pub fn rule<'a>(role: &'a Value, id: &str) -> Option<&'a Value> {
    role["assignment"]["policy"]["rules"]
        .as_array()?
        .iter()
        .find(|r| r["id"] == id)
}

/// The confirm of one rule's change of a settings row's policy (`e` and its approvers).
pub fn rule_confirm(role: &Value, before: &Value, after: Value, change: &str) -> Step {
    let policy = role["assignment"]["policyId"]
        .as_str()
        .or(role["assignment"]["policy"]["id"].as_str())
        .unwrap_or_default();
    let title = format!(
        "Change {}'s PIM setting: {change} (only this rule is sent: {})",
        clean(role["displayName"].as_str().unwrap_or("?")),
        before["id"].as_str().unwrap_or("?")
    );
    let request = crate::graph::resources::pim::update_rule(policy, &after);
    let id = before["id"].as_str().unwrap_or_default().to_string();
    Confirm::one(title, &id, request, Some(before.clone())).into()
}

/// The baseline's changes to one role (none when it already matches). `None`: the baseline
/// asks nothing of the role (not highly privileged).
fn changes(role: &Value, recipients: &[String]) -> Option<Vec<Change>> {
    if role["privileged"] != true {
        return None;
    }
    let name = clean(role["displayName"].as_str().unwrap_or("?"));
    let policy = role["assignment"]["policyId"]
        .as_str()
        .or(role["assignment"]["policy"]["id"].as_str())
        .unwrap_or_default()
        .to_string();
    let mut out = Vec::new();
    let mut change = |before: &Value, after: Value, words: String| {
        out.push(Change {
            role: name.clone(),
            policy: policy.clone(),
            before: before.clone(),
            after,
            words,
        });
    };
    if role["id"] == GLOBAL_ADMIN
        && let Some(r) = rule(role, "Approval_EndUser_Assignment")
        && r["setting"]["isApprovalRequired"] != true
    {
        let mut after = r.clone();
        after["setting"]["isApprovalRequired"] = json!(true);
        let named = r["setting"]["approvalStages"][0]["primaryApprovers"]
            .as_array()
            .is_some_and(|a| !a.is_empty());
        let who = if named {
            "the approvers named in the policy decide"
        } else {
            "no approver named: Privileged Role Administrators and Global Administrators decide"
        };
        change(
            r,
            after,
            format!("approval on activation: not required → required ({who})"),
        );
    }
    for (id, what) in ALERTS {
        let Some(r) = rule(role, id) else {
            continue;
        };
        let has = r["notificationRecipients"]
            .as_array()
            .is_some_and(|a| !a.is_empty());
        if has {
            continue;
        }
        let mut after = r.clone();
        after["notificationRecipients"] = json!(recipients);
        change(
            r,
            after,
            format!(
                "{what}: default recipients only → {}",
                recipients.join(", ")
            ),
        );
    }
    Some(out)
}

/// The recipients typed: email addresses, separated by commas or spaces.
fn recipients(typed: &str) -> Result<Vec<String>, String> {
    let list: Vec<String> = typed
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if list.is_empty() {
        return Err("at least one recipient is needed (an email address)".into());
    }
    if let Some(bad) = list.iter().find(|r| {
        let parts: Vec<&str> = r.split('@').collect();
        parts.len() != 2 || parts[0].is_empty() || !parts[1].contains('.')
    }) {
        return Err(format!("not an email address: {}", clean(bad)));
    }
    Ok(list)
}

/// `H`: which baseline, for the targets: SCuBA's (built in) or a TOML file of rule values.
fn harden(s: &Scope) -> Vec<Step> {
    let roles = s.targets();
    if roles.is_empty() {
        return Vec::new();
    }
    // Every role's id and name, for a baseline that names a role the tenant lacks (a typo).
    let all: Vec<Value> = s
        .table
        .map(|t| {
            t.all_rows()
                .map(|r| {
                    let o = r.object();
                    json!([o["id"], o["displayName"]])
                })
                .collect()
        })
        .unwrap_or_default();
    vec![Step::Choose(Choose {
        title: format!("Harden {} to which baseline", names(&roles).join(", ")),
        options: vec![
            "SCuBA MS.AAD.7.6-7.9 (built in: approval for Global Administrator, alerts)".into(),
            "a TOML baseline file of rule values (`pim harden --baseline` reads the same)".into(),
        ],
        selected: 0,
        note: None,
        inline: false,
        then: ChooseThen {
            with: json!({"roles": roles, "all": all}),
            run: |at, with| {
                Ok(if at == 0 {
                    scuba(&with["roles"])
                } else {
                    file(with)
                })
            },
        },
    })]
}

fn names(roles: &[Value]) -> Vec<String> {
    roles
        .iter()
        .map(|r| clean(r["displayName"].as_str().unwrap_or("?")))
        .collect()
}

/// The built-in baseline asks who the alerts go to.
fn scuba(roles: &Value) -> Vec<Step> {
    let list = roles.as_array().cloned().unwrap_or_default();
    vec![Step::Prompt(Prompt::text(
        format!(
            "Harden {} to the SCuBA baseline (MS.AAD.7.6-7.9): alert recipients (emails)",
            names(&list).join(", ")
        ),
        "",
        Then {
            with: roles.clone(),
            run: typed,
        },
    ))]
}

/// A baseline file: its path asked, read and checked in place (a bad file keeps the prompt).
fn file(roles: &Value) -> Vec<Step> {
    vec![Step::Prompt(Prompt::text(
        "Baseline file (TOML: name, roles, [[rule]] tables with an id and the values to set)"
            .into(),
        "",
        Then {
            with: roles.clone(),
            run: from_file,
        },
    ))]
}

fn from_file(path: &str, with: &Value) -> Result<Vec<Step>, String> {
    let roles = &with["roles"];
    let path = match path.strip_prefix("~/") {
        Some(rest) => std::env::var_os("HOME")
            .map(|h| std::path::PathBuf::from(h).join(rest))
            .unwrap_or_else(|| path.into()),
        None => path.into(),
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e}", clean(&path.display().to_string())))?;
    let b = crate::pim_policy::baseline(&text)?;
    let known: Vec<(String, String)> = with["all"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let s = |i: usize| p[i].as_str().unwrap_or_default().to_string();
            (s(0), s(1))
        })
        .collect();
    if !known.is_empty() {
        let unknown = b.unknown_roles(&known);
        if !unknown.is_empty() {
            return Err(format!(
                "the baseline names roles this tenant has not: {}",
                unknown
                    .iter()
                    .map(|u| clean(u))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    let mut all = Vec::new();
    let (mut matching, mut not_named) = (Vec::new(), Vec::new());
    for role in roles.as_array().into_iter().flatten() {
        let name = clean(role["displayName"].as_str().unwrap_or("?"));
        let id = role["id"].as_str().unwrap_or_default();
        if !b.covers(id, &name, role["privileged"] == true) {
            not_named.push(name);
            continue;
        }
        let c = b.changes(&name, &role["assignment"]);
        if c.is_empty() {
            matching.push(name);
        }
        all.extend(c.into_iter().map(|c| Change {
            role: c.role,
            policy: c.policy_id,
            before: c.before,
            after: c.after,
            words: format!("{}: {}", c.rule_id, c.words.join(", ")),
        }));
    }
    let mut skipped = Vec::new();
    if !matching.is_empty() {
        skipped.push(format!("already at the baseline: {}", matching.join(", ")));
    }
    if !not_named.is_empty() {
        skipped.push(format!(
            "not among the baseline's roles: {}",
            not_named.join(", ")
        ));
    }
    Ok(confirm(&clean(&b.name), all, skipped))
}

/// The confirm of the SCuBA baseline: every change in words, rule by rule; the roles skipped
/// and why.
fn typed(text: &str, roles: &Value) -> Result<Vec<Step>, String> {
    let to = recipients(text)?;
    let mut all = Vec::new();
    let (mut matching, mut not_asked) = (Vec::new(), Vec::new());
    for role in roles.as_array().into_iter().flatten() {
        let name = clean(role["displayName"].as_str().unwrap_or("?"));
        match changes(role, &to) {
            None => not_asked.push(name),
            Some(c) if c.is_empty() => matching.push(name),
            Some(c) => all.extend(c),
        }
    }
    let mut skipped = Vec::new();
    if !matching.is_empty() {
        skipped.push(format!("already at the baseline: {}", matching.join(", ")));
    }
    if !not_asked.is_empty() {
        skipped.push(format!(
            "not highly privileged, the baseline asks nothing of: {}",
            not_asked.join(", ")
        ));
    }
    Ok(confirm("the SCuBA baseline", all, skipped))
}

/// One confirm for all the changes (one PATCH each), or a line saying there is nothing to send.
fn confirm(baseline: &str, all: Vec<Change>, skipped: Vec<String>) -> Vec<Step> {
    if all.is_empty() {
        return vec![Step::say(format!(
            "nothing to send: {}",
            skipped.join("; ")
        ))];
    }
    let lines: Vec<String> = all
        .iter()
        .map(|c| format!("{}: {}", c.role, c.words))
        .collect();
    let title = format!(
        "Harden to {baseline}: {} rule change{} (only these are sent, one request each): {}{}",
        all.len(),
        if all.len() == 1 { "" } else { "s" },
        lines.join("; "),
        if skipped.is_empty() {
            String::new()
        } else {
            format!(". Skipped: {}", skipped.join("; "))
        }
    );
    let targets: Vec<Target> = all
        .into_iter()
        .map(|c| Target {
            name: format!("{}: {}", c.role, c.words),
            current: Value::Null,
            request: crate::graph::resources::pim::update_rule(&c.policy, &c.after),
            object: c.before,
        })
        .collect();
    let first = &targets[0];
    let id = first.object["id"].as_str().unwrap_or_default().to_string();
    let mut confirm = Confirm::one(
        title,
        &id,
        first.request.clone(),
        Some(first.object.clone()),
    );
    if targets.len() > 1 {
        confirm.targets = targets;
    }
    vec![confirm.into()]
}

pub const HARDEN: Verb = Verb {
    name: "harden",
    keys: &["H"],
    label: "harden",
    help: "Harden the marked roles (or this one) to a baseline: SCuBA MS.AAD.7.6-7.9 (approval for Global Administrator, alerts on assignment and activation) or a TOML file of rule values",
    writes: true,
    run: harden,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn role(id: &str, privileged: bool, recipients: &[&str], approval: bool) -> Value {
        let note = |id: &str| {
            json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule",
                "id": id, "notificationRecipients": recipients})
        };
        json!({"id": id, "displayName": "R", "privileged": privileged,
            "assignment": {"policyId": "P1", "policy": {"id": "P1", "rules": [
                {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule",
                 "id": "Approval_EndUser_Assignment",
                 "setting": {"isApprovalRequired": approval, "approvalStages": [{"primaryApprovers": []}]}},
                note("Notification_Admin_Admin_Eligibility"),
                note("Notification_Admin_Admin_Assignment"),
                note("Notification_Admin_EndUser_Assignment")]}}})
    }

    #[test]
    fn only_what_differs_from_the_baseline_changes() {
        let to = vec!["secops@contoso.com".to_string()];
        let ga = changes(&role(GLOBAL_ADMIN, true, &[], false), &to).unwrap_or_default();
        assert_eq!(ga.len(), 4);
        assert!(
            ga[0]
                .words
                .starts_with("approval on activation: not required → required")
        );
        assert_eq!(
            ga[1].after["notificationRecipients"],
            json!(["secops@contoso.com"])
        );
        // Another highly privileged role: the alerts only, and none where someone hears already.
        assert_eq!(
            changes(&role("x", true, &[], false), &to)
                .unwrap_or_default()
                .len(),
            3
        );
        assert!(
            changes(&role(GLOBAL_ADMIN, true, &["a@b.c"], true), &to).is_some_and(|c| c.is_empty())
        );
        assert!(changes(&role("y", false, &[], false), &to).is_none());
    }

    #[test]
    fn recipients_are_email_addresses() {
        assert_eq!(
            recipients("a@b.com, c@d.org").unwrap_or_default(),
            vec!["a@b.com", "c@d.org"]
        );
        assert!(recipients("secops").is_err());
        assert!(recipients("  ").is_err());
    }
}

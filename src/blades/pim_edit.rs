//! `e` on PIM settings: change one setting of a role's activation (its maximum duration,
//! whether it needs MFA, a justification, ticket information or approval, and its approvers:
//! `pim_approvers`). The confirm says the change in words ("activation maximum: 8h → 4h"),
//! and only the rule that holds the setting is sent (`PATCH …/rules/{ruleId}`:
//! unifiedrolemanagementpolicyrule-update.md). Graph's refusal is shown on the confirm with
//! the draft kept, as for every write.

use super::def::{Choose, ChooseThen, Prompt, Step, Then, Verb};
use super::pim_harden::{rule, rule_confirm as confirm};
use super::pim_rules::duration_words;
use super::verb::Scope;
use crate::sanitize::clean;
use serde_json::{Value, json};

/// The settings `e` changes: their words and the enablement rule's name for the toggles.
const SETTINGS: &[(&str, Option<&str>)] = &[
    ("activation maximum duration", None),
    ("MFA on activation", Some("MultiFactorAuthentication")),
    ("justification on activation", Some("Justification")),
    ("ticket information on activation", Some("Ticketing")),
    ("approval on activation", None),
    ("approvers: add a user or group", None),
    ("approvers: clear the named ones", None),
];

fn enabled(role: &Value, what: &str) -> bool {
    rule(role, "Enablement_EndUser_Assignment").is_some_and(|r| {
        r["enabledRules"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == what))
    })
}

fn approval(role: &Value) -> bool {
    rule(role, "Approval_EndUser_Assignment")
        .is_some_and(|r| r["setting"]["isApprovalRequired"] == true)
}

fn maximum(role: &Value) -> String {
    rule(role, "Expiration_EndUser_Assignment")
        .and_then(|r| r["maximumDuration"].as_str())
        .unwrap_or("PT8H")
        .to_string()
}

fn words(on: bool) -> &'static str {
    if on { "required" } else { "not required" }
}

/// `e`: which setting.
fn edit(s: &Scope) -> Vec<Step> {
    let Some(role) = super::verb::one(s) else {
        return Vec::new();
    };
    let now = |i: usize| match SETTINGS[i] {
        (_, Some(what)) => words(enabled(&role, what)).to_string(),
        (w, None) if w.starts_with("approvers") => super::pim_approvers::now(&role),
        (w, None) if w.starts_with("approval") => words(approval(&role)).to_string(),
        _ => duration_words(&maximum(&role)),
    };
    vec![Step::Choose(Choose {
        title: format!(
            "Change which PIM setting of {}",
            clean(role["displayName"].as_str().unwrap_or("?"))
        ),
        options: (0..SETTINGS.len())
            .map(|i| format!("{} (now {})", SETTINGS[i].0, now(i)))
            .collect(),
        selected: 0,
        then: ChooseThen {
            with: role,
            run: chosen,
        },
        note: None,
        inline: false,
    })]
}

fn chosen(at: usize, role: &Value) -> Result<Vec<Step>, String> {
    let missing = |id: &str| format!("the role's policy has no rule {id}: nothing to change");
    match SETTINGS.get(at) {
        Some((_, Some(what))) => {
            let r = rule(role, "Enablement_EndUser_Assignment")
                .ok_or_else(|| missing("Enablement_EndUser_Assignment"))?;
            let on = enabled(role, what);
            let mut list: Vec<Value> = r["enabledRules"].as_array().cloned().unwrap_or_default();
            if on {
                list.retain(|x| x != what);
            } else {
                list.push(json!(what));
            }
            let mut after = r.clone();
            after["enabledRules"] = Value::Array(list);
            let change = format!("{}: {} → {}", SETTINGS[at].0, words(on), words(!on));
            Ok(vec![confirm(role, r, after, &change)])
        }
        Some((w, None)) if w.starts_with("approvers: add") => super::pim_approvers::add(role),
        Some((w, None)) if w.starts_with("approvers: clear") => super::pim_approvers::clear(role),
        Some((w, None)) if w.starts_with("approval") => {
            let r = rule(role, "Approval_EndUser_Assignment")
                .ok_or_else(|| missing("Approval_EndUser_Assignment"))?;
            let on = approval(role);
            let mut after = r.clone();
            after["setting"]["isApprovalRequired"] = json!(!on);
            let named = r["setting"]["approvalStages"][0]["primaryApprovers"]
                .as_array()
                .is_some_and(|a| !a.is_empty());
            let who = match (on, named) {
                (true, _) => "",
                (false, true) => " (the approvers named in the policy decide)",
                (false, false) => {
                    " (no approver named: Privileged Role Administrators and Global Administrators decide)"
                }
            };
            let change = format!(
                "approval on activation: {} → {}{who}",
                words(on),
                words(!on)
            );
            Ok(vec![confirm(role, r, after, &change)])
        }
        Some(_) => Ok(vec![Step::Prompt(Prompt::text(
            format!(
                "Activation maximum duration of {} (hours, 0.5 to 24)",
                clean(role["displayName"].as_str().unwrap_or("?"))
            ),
            hours(&maximum(role)),
            Then {
                with: role.clone(),
                run: duration_typed,
            },
        ))]),
        None => Ok(Vec::new()),
    }
}

/// `PT8H` → `8`, `PT30M` → `0.5`.
fn hours(d: &str) -> String {
    let t = d.strip_prefix("PT").unwrap_or(d);
    if let Some(h) = t.strip_suffix('H') {
        return h.to_string();
    }
    if let Some(m) = t.strip_suffix('M').and_then(|m| m.parse::<f64>().ok()) {
        return format!("{}", m / 60.0);
    }
    String::new()
}

/// The hours typed as an ISO 8601 duration: PIM activations last half an hour to a day.
fn iso(typed: &str) -> Result<String, String> {
    let h: f64 = typed
        .trim()
        .trim_end_matches('h')
        .trim()
        .parse()
        .map_err(|_| format!("not a number of hours: {}", clean(typed)))?;
    if !(0.5..=24.0).contains(&h) {
        return Err("PIM activations last from 0.5 to 24 hours".into());
    }
    let minutes = (h * 60.0).round() as u32;
    Ok(if minutes.is_multiple_of(60) {
        format!("PT{}H", minutes / 60)
    } else {
        format!("PT{minutes}M")
    })
}

fn duration_typed(typed: &str, role: &Value) -> Result<Vec<Step>, String> {
    let d = iso(typed)?;
    let r = rule(role, "Expiration_EndUser_Assignment")
        .ok_or("the role's policy has no rule Expiration_EndUser_Assignment: nothing to change")?;
    let before = maximum(role);
    if before == d {
        return Err(format!("the maximum is {} already", duration_words(&d)));
    }
    let mut after = r.clone();
    after["maximumDuration"] = json!(d);
    after["isExpirationRequired"] = json!(true);
    let change = format!(
        "activation maximum: {} → {}",
        duration_words(&before),
        duration_words(&d)
    );
    Ok(vec![confirm(role, r, after, &change)])
}

pub const EDIT: Verb = Verb {
    name: "edit-setting",
    keys: &["e"],
    label: "edit",
    help: "Change one activation setting of the role (maximum duration, MFA, justification, ticket, approval, approvers by name); only that rule is sent",
    writes: true,
    run: edit,
};

#[cfg(test)]
mod tests {
    use super::*;

    fn role() -> Value {
        json!({"displayName": "Exchange Administrator", "assignment": {"policyId": "P1", "policy": {"rules": [
            {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule",
             "id": "Expiration_EndUser_Assignment", "isExpirationRequired": true, "maximumDuration": "PT8H"},
            {"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyEnablementRule",
             "id": "Enablement_EndUser_Assignment", "enabledRules": ["MultiFactorAuthentication", "Justification"]},
        ]}}})
    }

    #[test]
    fn hours_as_pim_takes_them() {
        assert_eq!(iso("4").ok().as_deref(), Some("PT4H"));
        assert_eq!(iso("1.5h").ok().as_deref(), Some("PT90M"));
        assert!(iso("25").is_err());
        assert!(iso("soon").is_err());
        assert_eq!(hours("PT30M"), "0.5");
    }

    #[test]
    fn one_rule_changes_and_the_confirm_says_how() {
        let r = role();
        let steps = chosen(1, &r).unwrap_or_default();
        let Some(Step::Confirm(c)) = steps.first() else {
            unreachable!("a confirm")
        };
        assert!(
            c.title
                .contains("MFA on activation: required → not required"),
            "{}",
            c.title
        );
        assert!(
            c.request
                .path
                .ends_with("/roleManagementPolicies/P1/rules/Enablement_EndUser_Assignment")
        );
        assert_eq!(
            c.request.body.as_ref().map(|b| b["enabledRules"].clone()),
            Some(json!(["Justification"]))
        );
        let steps = duration_typed("4", &r).unwrap_or_default();
        let Some(Step::Confirm(c)) = steps.first() else {
            unreachable!("a confirm")
        };
        assert!(
            c.title.contains("activation maximum: 8h → 4h"),
            "{}",
            c.title
        );
        assert!(
            duration_typed("8", &r).is_err(),
            "no change is refused in place"
        );
    }
}

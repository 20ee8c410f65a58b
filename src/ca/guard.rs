//! The lockout guard: whether a policy as it will be after a save blocks a break-glass account
//! or the signed-in admin, and whether the save leaves a protected action's context with no
//! enabled policy (the never-satisfied loop).

use super::eval::{Target, Tri, blocks, evaluate};
use super::{SignIn, strs};
use crate::protect::Facts;
use serde_json::Value;
use std::collections::BTreeSet;

/// An account the guard protects, with what is known of its memberships.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Account {
    /// UPN or id as configured (or "you").
    pub label: String,
    pub id: Option<String>,
    pub guest: Option<bool>,
    pub groups: Option<BTreeSet<String>>,
    pub roles: Option<BTreeSet<String>>,
    /// The signed-in admin (not a break-glass account).
    pub me: bool,
    /// Why the account could not be read, if it could not.
    pub problem: Option<String>,
}

/// The accounts the guard checks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GuardFacts {
    pub accounts: Vec<Account>,
}

impl Account {
    fn sign_in(&self) -> Option<SignIn> {
        Some(SignIn {
            user_id: self.id.clone()?,
            guest: self.guest,
            groups: self.groups.clone(),
            roles: self.roles.clone(),
            target: Target::AdminAccess,
            ..Default::default()
        })
    }

    fn who(&self) -> String {
        if self.me {
            format!("you ({})", crate::sanitize::clean(&self.label))
        } else {
            format!("break-glass {}", crate::sanitize::clean(&self.label))
        }
    }
}

/// What the guard found for one save.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Lockouts the save introduces: the save is refused unless overridden.
    pub refusals: Vec<String>,
    /// Lockouts the policy already had before the save and keeps: shown, not refused (the
    /// save does not make them worse).
    pub existing: Vec<String>,
}

/// Judge a save: the accounts the enforced policy `after` may block that `before` (the
/// server's version; `None` for a create) did not already block. A change that only narrows
/// a policy (an exclusion, a state switched off) can never be refused.
pub fn judge(before: Option<&Value>, after: &Value, facts: &GuardFacts) -> Verdict {
    let was: Vec<usize> = before
        .map(|b| locked(b, facts).into_iter().map(|(i, _)| i).collect())
        .unwrap_or_default();
    let (existing, refusals): (Vec<_>, Vec<_>) = locked(after, facts)
        .into_iter()
        .partition(|(i, _)| was.contains(i));
    let text = |v: Vec<(usize, String)>| v.into_iter().map(|(_, l)| l).collect();
    Verdict {
        refusals: text(refusals),
        existing: text(existing),
    }
}

/// Each account the enforced policy would block. Conditions other than users and apps
/// (location, platform, client apps, risk ...) count as "may match": an emergency sign-in can
/// come from anywhere; the message names them.
pub fn lockouts(after: &Value, facts: &GuardFacts) -> Vec<String> {
    locked(after, facts).into_iter().map(|(_, l)| l).collect()
}

/// The accounts (by index in `facts`) the policy would block, each with the reason.
fn locked(after: &Value, facts: &GuardFacts) -> Vec<(usize, String)> {
    if after["state"].as_str() != Some("enabled") {
        return Vec::new();
    }
    let Some(what) = blocks(after) else {
        return Vec::new();
    };
    let when = match super::conditions_summary(after) {
        c if c.is_empty() => String::new(),
        c => format!(" when the sign-in matches {c}"),
    };
    let mut out = Vec::new();
    for (i, a) in facts.accounts.iter().enumerate() {
        let Some(s) = a.sign_in() else {
            if !a.me {
                out.push((
                    i,
                    format!(
                        "{} could not be checked ({}): this policy {what}{when}",
                        a.who(),
                        a.problem.as_deref().unwrap_or("not found")
                    ),
                ));
            }
            continue;
        };
        let o = evaluate(after, &s);
        // Only users and apps decide; anything else may match in an emergency.
        let decisive = o
            .reasons
            .iter()
            .any(|r| matches!(r.code, "users" | "application") && o.applies == Tri::No);
        if decisive {
            continue;
        }
        let how = if o.reasons.iter().any(|r| r.code == "users") {
            "may include"
        } else {
            "includes"
        };
        out.push((
            i,
            format!(
                "{}: the policy {what}{when} and {how} this account",
                a.who()
            ),
        ));
    }
    out
}

/// Contexts an enabled policy targets.
fn enabled_contexts(p: Option<&Value>) -> BTreeSet<String> {
    p.filter(|p| p["state"].as_str() == Some("enabled"))
        .map(|p| {
            strs(&p["conditions"]["applications"]["includeAuthenticationContextClassReferences"])
                .into_iter()
                .collect()
        })
        .unwrap_or_default()
}

/// Warnings when the save stops enforcing a context that protected actions use and no other
/// enabled policy targets.
pub fn context_warnings(
    before: Option<&Value>,
    after: Option<&Value>,
    facts: &Facts,
) -> Vec<String> {
    let id = before
        .or(after)
        .and_then(|p| p["id"].as_str())
        .unwrap_or_default();
    let kept = enabled_contexts(after);
    let mut out = Vec::new();
    for c in enabled_contexts(before).difference(&kept) {
        let used: Vec<&str> = facts
            .actions
            .iter()
            .filter(|a| a["authenticationContextId"].as_str() == Some(c.as_str()))
            .filter_map(|a| a["name"].as_str())
            .collect();
        if used.is_empty() {
            continue;
        }
        let others = facts
            .policies_targeting(c)
            .into_iter()
            .filter(|p| p["id"].as_str() != Some(id) && p["state"].as_str() == Some("enabled"))
            .count();
        if others == 0 {
            out.push(format!(
                "context {c} protects {} permission(s) ({}); after this change no enabled policy targets it, so those actions can never be satisfied",
                used.len(),
                used.first().copied().unwrap_or_default()
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bg() -> GuardFacts {
        GuardFacts {
            accounts: vec![Account {
                label: "bg@x".into(),
                id: Some("bg1".into()),
                guest: Some(false),
                groups: Some(BTreeSet::new()),
                roles: Some(BTreeSet::new()),
                ..Default::default()
            }],
        }
    }

    fn block_all(exclude: &[&str]) -> Value {
        json!({"state": "enabled", "conditions": {
            "users": {"includeUsers": ["All"], "excludeUsers": exclude},
            "applications": {"includeApplications": ["All"]},
            "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}},
            "grantControls": {"operator": "OR", "builtInControls": ["block"]}})
    }

    #[test]
    fn refuses_block_all_without_break_glass_exclusion() {
        let r = lockouts(&block_all(&[]), &bg());
        assert_eq!(r.len(), 1, "{r:?}");
        assert!(r[0].contains("break-glass bg@x"), "{r:?}");
        assert!(lockouts(&block_all(&["bg1"]), &bg()).is_empty());
        let mut report_only = block_all(&[]);
        report_only["state"] = json!("enabledForReportingButNotEnforced");
        assert!(lockouts(&report_only, &bg()).is_empty());
        let mut mfa = block_all(&[]);
        mfa["grantControls"]["builtInControls"] = json!(["mfa"]);
        assert!(lockouts(&mfa, &bg()).is_empty());
    }

    /// Issue 11, item 2: an exclusion only narrows a policy: never refused, and the lockout the
    /// policy already had is shown with the conditions that make it "may match".
    #[test]
    fn a_change_that_only_narrows_is_not_refused() {
        let mut legacy = block_all(&[]);
        legacy["conditions"]["clientAppTypes"] = json!(["exchangeActiveSync", "other"]);
        let mut narrower = legacy.clone();
        narrower["conditions"]["users"]["excludeUsers"] = json!(["someone"]);
        let v = judge(Some(&legacy), &narrower, &bg());
        assert!(v.refusals.is_empty(), "{v:?}");
        assert_eq!(v.existing.len(), 1);
        assert!(
            v.existing[0].contains("exchangeActiveSync other"),
            "{:?}",
            v.existing
        );
        // Switching a blocking policy on introduces the lockout: refused.
        let mut off = legacy.clone();
        off["state"] = json!("disabled");
        assert_eq!(judge(Some(&off), &legacy, &bg()).refusals.len(), 1);
        // A create has no before.
        assert_eq!(judge(None, &legacy, &bg()).refusals.len(), 1);
    }

    #[test]
    fn unknown_accounts_refuse_too() {
        let facts = GuardFacts {
            accounts: vec![Account {
                label: "gone@x".into(),
                problem: Some("not found".into()),
                ..Default::default()
            }],
        };
        assert_eq!(lockouts(&block_all(&[]), &facts).len(), 1);
    }

    #[test]
    fn switching_off_the_only_context_policy_warns() {
        let cap = json!({"id": "p1", "state": "enabled", "conditions": {"applications": {"includeAuthenticationContextClassReferences": ["c1"]}}});
        let facts = Facts {
            actions: vec![
                json!({"name": "microsoft.directory/conditionalAccessPolicies/basic/update", "authenticationContextId": "c1"}),
            ],
            policies: vec![cap.clone()],
            ..Default::default()
        };
        let mut off = cap.clone();
        off["state"] = json!("disabled");
        assert_eq!(context_warnings(Some(&cap), Some(&off), &facts).len(), 1);
        assert_eq!(context_warnings(Some(&cap), None, &facts).len(), 1);
        assert!(context_warnings(Some(&cap), Some(&cap), &facts).is_empty());
    }
}

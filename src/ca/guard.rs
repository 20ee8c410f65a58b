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

/// Reasons the save must be refused: each account the enforced policy would block. Conditions
/// other than users and apps (location, platform, risk ...) count as "may match": an emergency
/// sign-in can come from anywhere.
pub fn lockouts(after: &Value, facts: &GuardFacts) -> Vec<String> {
    if after["state"].as_str() != Some("enabled") {
        return Vec::new();
    }
    let Some(what) = blocks(after) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for a in &facts.accounts {
        let Some(s) = a.sign_in() else {
            if !a.me {
                out.push(format!(
                    "{} could not be checked ({}): this policy {what}",
                    a.who(),
                    a.problem.as_deref().unwrap_or("not found")
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
        out.push(format!(
            "{}: the policy {what} and {how} this account",
            a.who()
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

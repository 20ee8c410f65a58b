//! The risk verbs of Risky users: `C` confirms the targets compromised, `D` dismisses their
//! risk, each behind a confirm naming every user and the Conditional Access policies that act
//! on a high user risk. The contain walk's first stage is `C`.

use super::def::{Step, Verb};
use super::verb::{Confirm, Scope, count, name_of};
use serde_json::Value;

/// `C`: confirm the targets compromised (one request for all, `{"userIds": [...]}`).
pub fn compromised(s: &Scope) -> Vec<Step> {
    change_risk(s, true)
}

/// `D`: dismiss the targets' risk.
fn dismiss(s: &Scope) -> Vec<Step> {
    change_risk(s, false)
}

/// The confirm of `C` / `D` for every target (the page's user, else the marked rows, else
/// the selected one), naming every user and what follows.
fn change_risk(s: &Scope, compromised: bool) -> Vec<Step> {
    let users = s.targets();
    if users.is_empty() {
        return Vec::new();
    }
    let ids: Vec<&str> = users.iter().filter_map(|u| u["id"].as_str()).collect();
    // Every user the one request names is named in the confirm.
    let names: Vec<String> = users.iter().map(name_of).collect();
    let (verb, follows) = if compromised {
        (
            "Confirm compromised",
            // riskyuser-confirmcompromised.md: "sets the targeted user's risk level to
            // high"; the confirm lists the policies that act on it (`acting`).
            "their user risk becomes high",
        )
    } else {
        (
            "Dismiss the risk of",
            "their user risk becomes none; risk policies stop acting on them",
        )
    };
    let title = format!(
        "{verb} {}: {} ({follows}). The list is read again afterwards and shows what Graph says then",
        count(users.len(), "user"),
        names.join(", ")
    );
    let request = crate::graph::resources::risky_users::change_risk(&ids, compromised);
    let first = ids.first().copied().unwrap_or_default();
    let mut c = Confirm::one(title, first, request, None);
    if compromised {
        c.follows = Some(acting);
    }
    vec![c.into()]
}

/// The policies that act on a user whose risk becomes high: every policy with a `high`
/// user-risk condition, with its state and what it demands ("CA010 … (On): password change
/// and MFA"); report-only and off ones are named as not acting.
pub fn acting(f: &crate::protect::Facts, _: &str) -> Vec<String> {
    let risky: Vec<&Value> = f
        .policies
        .iter()
        .filter(|p| {
            p["conditions"]["userRiskLevels"]
                .as_array()
                .is_some_and(|l| l.iter().any(|x| x == "high"))
        })
        .collect();
    if risky.is_empty() {
        return vec![
            "no Conditional Access policy has a high user-risk condition: nothing acts on them \
             but this console's record"
                .into(),
        ];
    }
    risky
        .iter()
        .map(|p| {
            let name = crate::sanitize::clean(p["displayName"].as_str().unwrap_or("?"));
            let state = p["state"].as_str().unwrap_or_default();
            let what = crate::protect::requirement(p);
            match state {
                "enabled" => format!("{name} (On) acts: {what} at their next sign-in"),
                "enabledForReportingButNotEnforced" => {
                    format!("{name} (Report-only) only logs what it would do: {what}")
                }
                _ => format!("{name} (Off) does nothing ({what} when on)"),
            }
        })
        .collect()
}

pub const COMPROMISED: Verb = Verb {
    name: "compromised",
    keys: &["C"],
    label: "compromised",
    help: "Confirm the marked users (or the selected one) compromised: their risk becomes high",
    writes: true,
    run: compromised,
};

pub const DISMISS: Verb = Verb {
    name: "dismiss",
    keys: &["D"],
    label: "dismiss",
    help: "Dismiss the risk of the marked users (or the selected one): their risk becomes none",
    writes: true,
    run: dismiss,
};

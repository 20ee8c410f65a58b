//! Identity Protection writes and an object's related lists: `C` confirms the marked risky
//! users (or the selected one) compromised, `D` dismisses their risk — one request for all
//! (`{"userIds": [...]}`), the confirm naming every user and what follows; `h` / `e` open a
//! risky user's history and detections.

use super::{App, Effect, View};
use crate::blades::{ListSource, SubDef, SubKind};
use crate::graph::{Method, Request};
use crate::sanitize::clean;
use serde_json::{Value, json};

impl App {
    /// A list of the object on top (its page, or the selected row).
    pub fn open_sub(&mut self, def: &'static SubDef) -> Vec<Effect> {
        let Some((id, name)) = self.focused_object() else {
            return Vec::new();
        };
        let source = ListSource::Sub {
            def: SubKind(def),
            id,
            name,
        };
        self.push(View::List(super::view::ListView::new(source)))
    }

    /// The risky users a key applies to: the page's, else the marked rows, else the selected.
    fn risky_targets(&self) -> Vec<Value> {
        match self.top() {
            View::Detail(d) => d.object.iter().cloned().collect(),
            View::List(l) => l
                .table
                .marked_or_selected()
                .iter()
                .map(|r| r.object())
                .collect(),
        }
    }

    /// `C` (compromised) / `D` (dismiss): the confirm for every target.
    pub fn change_risk(&mut self, compromised: bool) -> Vec<Effect> {
        let users = self.risky_targets();
        if users.is_empty() {
            return Vec::new();
        }
        let ids: Vec<&str> = users.iter().filter_map(|u| u["id"].as_str()).collect();
        // Every user the one request names is named in the confirm.
        let names: Vec<String> = users
            .iter()
            .map(|u| {
                clean(
                    u["userDisplayName"]
                        .as_str()
                        .or(u["id"].as_str())
                        .unwrap_or("?"),
                )
            })
            .collect();
        let (verb, path, follows) = if compromised {
            (
                "Confirm compromised",
                "/identityProtection/riskyUsers/confirmCompromised",
                // riskyuser-confirmcompromised.md: "sets the targeted user's risk level to
                // high"; the confirm lists the policies that act on it (`acting`).
                "their user risk becomes high".to_string(),
            )
        } else {
            (
                "Dismiss the risk of",
                "/identityProtection/riskyUsers/dismiss",
                "their user risk becomes none; risk policies stop acting on them".to_string(),
            )
        };
        let title = format!(
            "{verb} {} user{}: {} ({follows}). The list is read again afterwards and shows what Graph says then",
            users.len(),
            if users.len() == 1 { "" } else { "s" },
            names.join(", ")
        );
        let request = Request::new(Method::Post, path).json(json!({ "userIds": ids }));
        let first = ids.first().map(|s| s.to_string()).unwrap_or_default();
        let effects = self.begin_write(title, first, request, None, None);
        if compromised && let Some(w) = &mut self.write {
            w.follows = Some(acting);
        }
        effects
    }
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
            let name = clean(p["displayName"].as_str().unwrap_or("?"));
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

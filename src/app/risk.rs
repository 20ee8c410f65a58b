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
        // The risk policies that act on a high user risk, when the policies are read.
        let acting: Vec<String> = self
            .tenant
            .facts
            .as_ref()
            .map(|f| {
                f.policies
                    .iter()
                    .filter(|p| p["state"] == "enabled")
                    .filter(|p| {
                        p["conditions"]["userRiskLevels"]
                            .as_array()
                            .is_some_and(|l| l.iter().any(|x| x == "high"))
                    })
                    .filter_map(|p| p["displayName"].as_str().map(clean))
                    .collect()
            })
            .unwrap_or_default();
        let (verb, path, follows) = if compromised {
            let policies = if acting.is_empty() {
                "risk-based Conditional Access policies act on them".to_string()
            } else {
                format!("these policies act on them: {}", acting.join(", "))
            };
            (
                "Confirm compromised",
                "/identityProtection/riskyUsers/confirmCompromised",
                format!("their user risk becomes high and {policies}"),
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
        self.begin_write(title, first, request, None, None)
    }
}

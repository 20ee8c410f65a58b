//! The review before a Conditional Access save: the semantic diff against the server's current
//! version, changes made there meanwhile, the lockout guard (refused unless the policy's name is
//! typed) and the never-satisfied warning; kept up to date while the admin changes the choice.

use serde_json::Value;

/// What the save does to the object.
#[derive(Clone, Debug, PartialEq)]
pub enum Mode {
    /// The state choice of the pending write is applied to the current version.
    State,
    /// The object as it will be after the save (a create or an edited update).
    Save(Value),
    Delete,
}

/// The review shown in the confirm step of a CA write.
#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    pub mode: Mode,
    /// Lockout guard and context warnings apply to policies, not named locations.
    pub policy: bool,
    pub diff: Vec<String>,
    /// Changes someone else made since the editor opened (re-read just before sending).
    pub conflicts: Vec<String>,
    pub lockouts: Vec<String>,
    pub warnings: Vec<String>,
    /// The name to type to override the guard, and what has been typed.
    pub name: String,
    pub typed: String,
    /// The guarded accounts are still being read.
    pub guard_pending: bool,
    /// The re-read just before sending, in flight.
    pub verifying: Option<crate::msg::RequestId>,
}

impl Review {
    pub fn new(mode: Mode, policy: bool, name: &str) -> Review {
        Review {
            mode,
            policy,
            diff: Vec::new(),
            conflicts: Vec::new(),
            lockouts: Vec::new(),
            warnings: Vec::new(),
            name: name.to_string(),
            typed: String::new(),
            guard_pending: false,
            verifying: None,
        }
    }

    /// Why Enter may not send yet, if it may not.
    pub fn blocker(&self) -> Option<String> {
        if self.guard_pending {
            return Some("checking the break-glass accounts and your own account first".into());
        }
        if !self.lockouts.is_empty() && self.typed.trim() != self.name.trim() {
            return Some(format!(
                "refused by the lockout guard: type the policy name \"{}\" to override",
                crate::sanitize::clean(&self.name)
            ));
        }
        if self.diff.is_empty() {
            return Some("nothing changes: there is nothing to save".into());
        }
        None
    }
}

/// What a create brings, in the list's short forms.
pub(crate) fn created(a: &Value, policy: bool) -> Vec<String> {
    let name = crate::sanitize::clean(a["displayName"].as_str().unwrap_or_default());
    if !policy {
        return vec![
            format!("new named location: {name}"),
            crate::ca::location::summary(a),
        ];
    }
    vec![
        format!("new policy: {name}"),
        format!(
            "state {}",
            crate::protect::state_label(a["state"].as_str().unwrap_or_default())
        ),
        format!("users: {}", crate::blades::ca::users_summary(a)),
        format!("target: {}", crate::blades::ca::target_summary(a)),
        format!("grant: {}", crate::protect::requirement(a)),
    ]
}

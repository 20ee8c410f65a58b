//! What the console has read from the signed-in tenant besides the views: protection and role
//! facts, scopes, the lockout guard's accounts, names of ids, the token's contexts. One value,
//! so `:ctx` replaces all of it at once (with the ids of the reads it started).

use crate::msg::RequestId;
use std::collections::HashMap;

/// A background read: not asked for, in flight (with its request id), read, or failed (why).
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Loadable<T> {
    #[default]
    Idle,
    Loading(RequestId),
    Ready(T),
    Failed(String),
}

impl<T> Loadable<T> {
    pub fn ready(&self) -> Option<&T> {
        match self {
            Loadable::Ready(t) => Some(t),
            _ => None,
        }
    }

    /// The request in flight, if any.
    pub fn request(&self) -> Option<RequestId> {
        match self {
            Loadable::Loading(id) => Some(*id),
            _ => None,
        }
    }

    /// Why the read failed, if it did.
    pub fn failed(&self) -> Option<&str> {
        match self {
            Loadable::Failed(why) => Some(why),
            _ => None,
        }
    }

    /// Neither read nor being read (a failed read is asked again when needed).
    pub fn wanted(&self) -> bool {
        matches!(self, Loadable::Idle | Loadable::Failed(_))
    }
}

/// The tenant state (see the module doc).
#[derive(Debug, Default)]
pub struct TenantState {
    /// Protected actions, contexts and policies, read when a write needs them (a part that
    /// could not be read is named in `missing`).
    pub facts: Option<crate::protect::Facts>,
    pub facts_request: Option<RequestId>,
    /// Role definitions, assignments, eligibility and role-group members.
    pub roles: Loadable<crate::roles::RoleFacts>,
    /// The audit's open findings by object id ("EC.2 FAIL: uses c3 …"), from the Findings
    /// blade's last run: rows carry a badge, pages list them.
    pub findings: HashMap<String, Vec<String>>,
    /// When the findings come from the audit kept in the cache: the time of its reads.
    pub findings_as_of: Option<String>,
    /// Subscribed SKUs and licensed groups (licence pickers, licence-error rows).
    pub licences: Loadable<crate::licensing::LicenceFacts>,
    /// Break-glass accounts and the signed-in admin, for the lockout guard.
    pub guard: Option<crate::ca::guard::GuardFacts>,
    pub guard_request: Option<RequestId>,
    /// Names of ids seen in policies (users, groups, roles, locations, strengths, apps).
    pub names: HashMap<String, String>,
    pub names_request: Option<RequestId>,
    pub names_pending: Vec<String>,
    /// What lists join to their rows, by the join's name (the risk of each user), as last read.
    pub joined: HashMap<&'static str, std::sync::Arc<crate::blades::join::Joined>>,
    /// The latest read of each join: an older answer arriving late is dropped.
    pub join_requests: HashMap<&'static str, RequestId>,
    /// `acrs` of the token after the last step-up.
    pub token_acrs: Vec<String>,
    /// Report-only policies' impact in words ("6 sign-ins of 5 users would have been blocked …"), by policy id:
    /// their page and the `t` confirm say it.
    pub impacts: HashMap<String, String>,
    /// The impact reads in flight: request → policy id.
    pub impact_reads: HashMap<RequestId, String>,
    /// A write being saved as a change plan (`S` in its confirm): the request in flight.
    pub plan_save: Option<RequestId>,
    /// A plan being read and reviewed for `:plan FILE`.
    pub plan_load: Option<RequestId>,
    /// The time-boxed exclusions still open in the journal (read at start, added as made):
    /// a policy's page names them, the start message counts the due ones.
    pub exceptions: Vec<crate::exceptions::Exception>,
    pub exceptions_read: Option<RequestId>,
}

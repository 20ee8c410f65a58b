//! The principal picker: type a name, Enter searches users and groups (`$search`), pick one
//! with the arrows and Enter; used to add role assignments (active, or eligible through PIM).

use super::new_group::GroupDraft;
pub use crate::graph::resources::directory::search as search_requests;
use crate::graph::{Method, Request};
use crate::msg::RequestId;
use serde_json::{Value, json};

/// What the picked principal is for.
#[derive(Clone, Debug, PartialEq)]
pub enum Purpose {
    /// Assign a role: active (a role assignment) or eligible (a PIM adminAssign request).
    Assign {
        role_id: String,
        role_name: String,
        eligible: bool,
    },
    /// Exclude the picked user or group from a Conditional Access policy.
    Exclude { policy: Value },
    /// `:protect` step 1: the name of the new authentication context.
    ProtectContext { id: String },
    /// The name of a new group.
    NewGroup,
    /// The kind of the new group named `name` (one of [`GROUP_KINDS`]).
    NewGroupKind { name: String },
    /// The membership rule of a new dynamic group.
    NewGroupRule { name: String, m365: bool },
    /// The owners, then the members, of a new group (picked one by one).
    NewGroupPeople(Box<GroupDraft>),
    /// Assign or remove a licence of a user or group.
    Licence(Box<super::licence::LicenceTarget>),
}

/// The kinds of group `a` creates: (label, Microsoft 365, dynamic membership).
pub const GROUP_KINDS: &[(&str, bool, bool)] = &[
    ("Security group, assigned members", false, false),
    ("Microsoft 365 group, assigned members", true, false),
    ("Security group, dynamic members (a rule)", false, true),
    ("Microsoft 365 group, dynamic members (a rule)", true, true),
];

/// Where the picker is: searching, then (for PIM eligibility) the justification and duration.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Stage {
    #[default]
    Search,
    /// A name to type (a new authentication context).
    Name,
    Justify {
        principal: Value,
    },
    Duration {
        principal: Value,
        justification: String,
        selected: usize,
    },
    /// One of a few options, ↑/↓ and Enter (what the options mean is in the purpose).
    Choose {
        options: Vec<String>,
        selected: usize,
    },
    /// A SKU's service plans, Space turning one off or on.
    Plans {
        sku: Value,
        off: Vec<bool>,
        selected: usize,
    },
}

/// PIM eligibility durations offered (ISO 8601, `None` = no expiration).
pub const DURATIONS: &[(&str, Option<&str>)] = &[
    ("30 days", Some("P30D")),
    ("90 days", Some("P90D")),
    ("180 days", Some("P180D")),
    ("365 days", Some("P365D")),
    ("no expiration", None),
];

/// Picker state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Picker {
    pub title: String,
    pub purpose: Option<Purpose>,
    /// What Enter on the typed text does, when a blade's verb asked for it (the prompt holds
    /// its own continuation).
    pub then: Option<crate::blades::Then>,
    /// The input is a secret: shown as dots, and Enter on nothing hands `""` to `then`.
    pub secret: bool,
    /// Enter on nothing hands `""` to `then` (an optional answer).
    pub optional: bool,
    /// What Enter on a found principal does, when a blade's verb asked ([`Stage::Search`]).
    pub picked: Option<crate::blades::PickThen>,
    /// What Enter on an option of [`Stage::Choose`] does, when a blade's verb asked.
    pub chose: Option<crate::blades::ChooseThen>,
    pub stage: Stage,
    pub input: String,
    /// Where the cursor is in `input` (`None`: at the end).
    pub cursor: crate::widgets::input::Cursor,
    /// The query the results are for.
    pub searched: String,
    pub results: Vec<Value>,
    pub selected: usize,
    pub request: Option<RequestId>,
    pub error: Option<String>,
}

/// The write that assigns a role: active (graph-api.md §1.2), or eligible through a PIM
/// `adminAssign` request with justification and duration (§1.3).
pub fn assign_request(
    role_id: &str,
    principal_id: &str,
    eligible: Option<(&str, Option<&str>)>,
) -> Request {
    match eligible {
        Some((justification, duration)) => {
            let expiration = match duration {
                // expirationPattern: the documented enum members are camelCase.
                Some(d) => json!({"type": "afterDuration", "duration": d}),
                None => json!({"type": "noExpiration"}),
            };
            Request::new(Method::Post, "/roleManagement/directory/roleEligibilityScheduleRequests").json(json!({
                "action": "adminAssign",
                "justification": justification,
                "principalId": principal_id,
                "roleDefinitionId": role_id,
                "directoryScopeId": "/",
                "scheduleInfo": {
                    "startDateTime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "expiration": expiration
                }
            }))
        }
        None => {
            Request::new(Method::Post, "/roleManagement/directory/roleAssignments").json(json!({
                "@odata.type": "#microsoft.graph.unifiedRoleAssignment",
                "roleDefinitionId": role_id,
                "principalId": principal_id,
                "directoryScopeId": "/"
            }))
        }
    }
}

//! The principal picker: type a name, Enter searches users and groups (`$search`), pick one
//! with the arrows and Enter; used to add role assignments (active, or eligible through PIM).

use super::new_group::GroupDraft;
pub use crate::graph::resources::directory::search as search_requests;
use crate::msg::RequestId;
use serde_json::Value;

/// What the picked principal is for.
#[derive(Clone, Debug, PartialEq)]
pub enum Purpose {
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

/// Where the picker is: searching, a line to type, one of a few options, a SKU's plans.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Stage {
    #[default]
    Search,
    /// A name to type (a new authentication context).
    Name,
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
    /// A line said above the options of [`Stage::Choose`].
    pub note: Option<String>,
    /// The options of [`Stage::Choose`] on one line (←/→).
    pub inline: bool,
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

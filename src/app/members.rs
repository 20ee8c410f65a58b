//! The group whose member or owner list is on top, as `:import` needs it (the list's verbs
//! are the blades' own: `blades::member_verbs`).

use crate::blades::groups::Relation;
use serde_json::Value;

/// The group whose list is on top.
pub(crate) struct GroupList {
    pub id: String,
    pub name: String,
    /// The group object, when its page was read.
    pub object: Option<Value>,
    pub relation: Relation,
}

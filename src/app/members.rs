//! Group membership and ownership writes from a group's lists: `a` adds a user or group found
//! by name (`POST /groups/{id}/members/$ref`, or `owners/$ref` for a user owner), `d` removes
//! the selected one (`DELETE .../members/{id}/$ref`, never a plain DELETE, which would delete
//! the object itself). A dynamic group's members are refused before anything is sent, as is
//! the last owner; a role-assignable group says a privileged role is needed. The nested
//! members list is read-only.

use crate::blades::groups::Relation;
use crate::graph::endpoints::Link;
use serde_json::Value;

/// The group whose list is on top.
pub(crate) struct GroupList {
    pub id: String,
    pub name: String,
    /// The group object, when its page was read.
    pub object: Option<Value>,
    pub relation: Relation,
}

impl GroupList {
    /// The reference list a write changes (none for the nested members).
    pub(crate) fn link(&self) -> Option<Link> {
        match self.relation {
            Relation::Members => Some(Link::Members),
            Relation::Owners => Some(Link::Owners),
            Relation::Transitive | Relation::LicenceErrors => None,
        }
    }
}

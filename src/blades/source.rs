//! How a blade's list is read (`Load`, `Reading`, a computation, a join), what it declares
//! beside its rows (`Marks`, export `Records`) and which of a group's lists is shown.

use crate::graph::Request;
use crate::widgets::table::TableRow;
use serde_json::Value;

/// A blade's export records: a header and one record per row it makes of the objects read
/// (given the licence facts, read live for a blade that refines its rows with them).
#[derive(Clone, Copy)]
pub struct Records {
    pub columns: &'static [&'static str],
    pub of: fn(Vec<Value>, Option<&crate::licensing::LicenceFacts>) -> Vec<Vec<String>>,
}

/// Whether a list's rows can be marked (Space) for a bulk verb, and where the status bar
/// says "mark" among the verbs' words.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Marks {
    No,
    /// Before the verbs (marking is what the list is for: protected actions).
    First,
    /// After the verbs.
    Last,
}

/// How a blade's list is read.
pub enum Load {
    /// A Graph collection, paged, written through to the cache under the blade's command.
    Graph(fn() -> Request),
    /// Built from the protection facts: the parts it shows (one that could not be read is
    /// named above the rows) and its rows.
    Facts {
        parts: &'static [crate::protect::Part],
        rows: fn(&crate::protect::Facts) -> Vec<TableRow>,
    },
    /// Built from the role facts.
    Roles(fn(&crate::roles::RoleFacts) -> Vec<TableRow>),
    /// The journal of this console's writes, from the cache only.
    Journal,
    /// Several Graph collections read one after the other into one list (deleted items of each
    /// type); a part that fails is named and the others are shown. Not cached.
    Parts(fn() -> Vec<Request>),
    /// Computed from reads that depend on each other (the signed-in admin's roles: `/me`
    /// first); the computation answers a JSON array of the list's objects.
    Computed(Computed),
}

/// How a list view is read, typed (no fake paths, no string keys).
#[derive(Clone, Debug)]
pub enum Reading {
    /// Paged from Graph, written through to the cache when it has a key.
    Graph {
        request: Request,
        cache: Option<crate::cache::CacheKey>,
    },
    Facts,
    Roles,
    Journal,
    WhatIf(crate::ca::whatif::WhatIfQuery),
    /// Several Graph collections into one list.
    Parts(Vec<Request>),
    /// Computed by a function; the key is what it is computed for.
    Computed(Computed, String),
}

/// The reads of a computed page, running on the runtime.
pub type Computing = std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<Value, crate::graph::GraphError>> + Send>,
>;

/// A page computed from several reads (xray) instead of one object's request.
#[derive(Clone, Copy)]
pub struct Computed {
    pub name: &'static str,
    /// The client, the cache (when there is one) and the key (a user, the break-glass list…).
    pub run: fn(
        crate::graph::GraphClient,
        Option<std::sync::Arc<crate::cache::Store>>,
        String,
    ) -> Computing,
}

impl PartialEq for Computed {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl std::fmt::Debug for Computed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Computed({})", self.name)
    }
}

/// Which of a group's lists is shown: its direct members (writable), every member through
/// nesting (read-only), or its owners (writable: users and service principals).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Relation {
    Members,
    Transitive,
    Owners,
    /// Members whose licence from this group is in error (`membersWithLicenseErrors`).
    LicenceErrors,
}

impl Relation {
    pub fn title(self) -> &'static str {
        match self {
            Relation::Members => "Members",
            Relation::Transitive => "All members (nested)",
            Relation::Owners => "Owners",
            Relation::LicenceErrors => "Members with licence errors",
        }
    }

    /// The Graph navigation property (`members`, `transitiveMembers`, `owners`).
    pub fn segment(self) -> &'static str {
        match self {
            Relation::Members => "members",
            Relation::Transitive => "transitiveMembers",
            Relation::Owners => "owners",
            Relation::LicenceErrors => "membersWithLicenseErrors",
        }
    }
}

/// What a blade joins to its rows. Compared (and shown) by name.
pub struct Join {
    /// What is read, in words ("risk"): said when it cannot be read.
    pub name: &'static str,
    pub request: fn() -> Request,
    /// The cache collection read for it offline (the blade that lists it writes it through).
    pub cache: &'static str,
    /// The field of a joined object naming the row's object id.
    pub by: &'static str,
    /// Where the match goes on the row's object: a console key (`@…`), never Graph's. The
    /// blade's row reads it from there.
    pub field: &'static str,
    /// The joined object's properties kept there (an export carries no more than these).
    pub keep: &'static [&'static str],
}

impl PartialEq for Join {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl std::fmt::Debug for Join {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Join({})", self.name)
    }
}

/// A page (or list) whose key is the object itself, as JSON the list held: nothing is read
/// (a finding's page, a coverage cell's, a finding's objects).
pub fn from_key(
    _: crate::graph::GraphClient,
    _: Option<std::sync::Arc<crate::cache::Store>>,
    key: String,
) -> Computing {
    Box::pin(async move {
        serde_json::from_str(&key)
            .map_err(|e| crate::graph::GraphError::Cache(format!("the page cannot be shown: {e}")))
    })
}

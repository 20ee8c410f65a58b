//! The blades: what each list shows (columns, request, rows) and what Enter opens. A blade adds
//! only its columns, requests, sheets and drill-downs; the shell does the rest.

pub mod activation;
pub mod auth_methods;
pub mod ca;
pub mod ca_detail;
pub mod contexts;
pub mod deleted;
pub mod devices;
pub mod findings;
pub mod group_verbs;
pub mod groups;
pub mod join;
pub mod journal;
pub mod license_errors;
pub mod licensed_groups;
pub mod licenses;
mod list_source;
pub mod locations;
pub mod my_roles;
pub mod pim_rules;
pub mod pim_settings;
pub mod protected;
pub mod risky;
pub mod roles;
pub mod signin_blade;
pub mod signin_page;
pub mod signins;
pub mod strengths;
pub mod user_verbs;
pub mod users;
pub mod verb;
pub mod whatif;
pub mod xray;

use crate::graph::Request;
use crate::graph::model::odata_kind;
use crate::theme::Theme;
use crate::widgets::sheet::Sheet;
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

/// Everything the shell needs to know about one blade's list, as a table of plain functions
/// declared once in the blade's own file (`pub static BLADE`). A table rather than a trait:
/// a blade keeps no state of its own (views and the tenant state hold it), the table is built
/// at compile time, and a blade reads as one declaration that the registry below lists.
pub struct BladeDef {
    pub title: &'static str,
    /// The short name in the navigation list.
    pub nav_label: &'static str,
    /// The name used by `:`, `export` and `sync` (`groups`); also its cache collection.
    pub command: &'static str,
    /// Other names `:` knows the blade by (`licensing` for `licenses`); its navigation label
    /// and title are known too.
    pub aliases: &'static [&'static str],
    pub load: Load,
    pub columns: fn() -> Vec<Column>,
    /// The row of one object (a page, the cache, an export).
    pub row: fn(Value) -> TableRow,
    /// For a blade that lists several rows per object (or none), its rows of one object;
    /// rows then are not merged by object id.
    pub rows_of: Option<fn(Value) -> Vec<TableRow>>,
    pub style: fn(&TableRow, usize, &Theme) -> Option<Style>,
    /// Rows that name licences are completed from the licence facts once read (product and
    /// group names, how many licences are short); the blade's reads then include them.
    pub refine: Option<fn(&TableRow, &crate::licensing::LicenceFacts) -> TableRow>,
    /// What Enter on a row opens.
    pub opens: Option<ObjectKind>,
    /// How `sync` fills the blade's cache collection, when it does.
    pub sync: Option<fn() -> crate::cache::sync::Spec>,
    /// Whether its rows can be marked (Space) for its verbs.
    pub marks: Marks,
    /// How the blade reads a query typed for it (`/?adele` on Users: `$search`), when it
    /// answers any: a list of its objects found rather than filtered here.
    pub query: Option<fn(&str) -> Reading>,
    /// The verbs of the blade's list, declared next to their handlers (keys, words, whether
    /// they write): the keymap, the status bar, `?` and read-only mode read them here.
    pub verbs: &'static [verb::Verb],
    /// A collection read beside the list and joined to its rows by id (risk on Users).
    pub join: Option<&'static join::Join>,
    /// What `export` writes when its columns are not the table's, else `None` (the rows).
    pub records: Option<Records>,
}

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

/// A blade: its entry in the registry. Compared by command.
#[derive(Clone, Copy)]
pub struct BladeKind(pub &'static BladeDef);

impl PartialEq for BladeKind {
    fn eq(&self, other: &Self) -> bool {
        self.0.command == other.0.command
    }
}

impl Eq for BladeKind {}

impl std::hash::Hash for BladeKind {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.command.hash(state);
    }
}

impl std::fmt::Debug for BladeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BladeKind({})", self.0.command)
    }
}

/// A list of one object's related items: declared next to the blade it belongs to.
pub struct SubDef {
    pub title: &'static str,
    pub request: fn(&str) -> Request,
    pub columns: fn() -> Vec<Column>,
    pub row: fn(Value) -> TableRow,
    pub style: fn(&TableRow, usize, &Theme) -> Option<Style>,
    /// What Enter on a row opens, if anything (a sign-in opens the policy that decided it).
    pub open: fn(&Value) -> Option<ObjectRef>,
    /// The verbs of the list (a verb sees the object the list is of as `Scope::parent`).
    pub verbs: &'static [verb::Verb],
}

/// A [`SubDef`] row opens nothing.
pub fn opens_nothing(_: &Value) -> Option<ObjectRef> {
    None
}

/// A [`SubDef`], compared by title.
#[derive(Clone, Copy)]
pub struct SubKind(pub &'static SubDef);

impl PartialEq for SubKind {
    fn eq(&self, other: &Self) -> bool {
        self.0.title == other.0.title
    }
}

impl std::fmt::Debug for SubKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SubKind({})", self.0.title)
    }
}

/// Names for the blades code refers to by name (a new blade needs none: the registry line is
/// enough).
#[allow(non_upper_case_globals)]
impl BladeKind {
    pub const Groups: BladeKind = BladeKind(&groups::BLADE);
    pub const Users: BladeKind = BladeKind(&users::BLADE);
    pub const Roles: BladeKind = BladeKind(&roles::BLADE);
    pub const CaPolicies: BladeKind = BladeKind(&ca::BLADE);
    pub const NamedLocations: BladeKind = BladeKind(&locations::BLADE);
    pub const AuthStrengths: BladeKind = BladeKind(&strengths::BLADE);
    pub const ProtectedActions: BladeKind = BladeKind(&protected::BLADE);
    pub const AuthContexts: BladeKind = BladeKind(&contexts::BLADE);
    pub const Journal: BladeKind = BladeKind(&journal::BLADE);
}

impl BladeKind {
    /// The registry: the navigation list, `:` completion, `export`, `sync`, help and the
    /// CLI's blade names all come from it, in this order. One line per blade.
    pub const ALL: &'static [BladeKind] = &[
        BladeKind(&groups::BLADE),
        BladeKind(&users::BLADE),
        BladeKind(&roles::BLADE),
        BladeKind(&ca::BLADE),
        BladeKind(&locations::BLADE),
        BladeKind(&strengths::BLADE),
        BladeKind(&protected::BLADE),
        BladeKind(&contexts::BLADE),
        BladeKind(&licenses::BLADE),
        BladeKind(&license_errors::BLADE),
        BladeKind(&licensed_groups::BLADE),
        BladeKind(&my_roles::BLADE),
        BladeKind(&pim_settings::BLADE),
        BladeKind(&risky::BLADE),
        BladeKind(&signin_blade::BLADE),
        BladeKind(&deleted::BLADE),
        BladeKind(&devices::BLADE),
        BladeKind(&findings::BLADE),
        BladeKind(&journal::BLADE),
    ];

    pub fn def(self) -> &'static BladeDef {
        self.0
    }

    pub fn title(self) -> &'static str {
        self.0.title
    }

    /// The short name in the navigation list.
    pub fn nav_label(self) -> &'static str {
        self.0.nav_label
    }

    /// The name used by `:` and the CLI (`groups`).
    pub fn command(self) -> &'static str {
        self.0.command
    }

    /// Every name `:` knows the blade by, lowercase and hyphenated: its command, its
    /// navigation label (`Lic. errors` as `lic-errors`), its title and its aliases.
    pub fn names(self) -> Vec<String> {
        let hyphenate = |s: &str| {
            s.to_lowercase()
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join("-")
        };
        let mut names = vec![self.command().to_string()];
        for n in [self.nav_label(), self.title()]
            .into_iter()
            .chain(self.0.aliases.iter().copied())
        {
            let n = hyphenate(n);
            if !names.contains(&n) {
                names.push(n);
            }
        }
        names
    }

    /// The verbs of the blade's list (`page: false`) or of the page its rows open.
    pub fn verbs(self, page: bool) -> &'static [verb::Verb] {
        if page {
            self.0.opens.map_or(&[], |k| k.0.verbs)
        } else {
            self.0.verbs
        }
    }

    /// The blade's verb of that name, on its list or its page.
    pub fn verb(self, name: &str, page: bool) -> Option<&'static verb::Verb> {
        self.verbs(page).iter().find(|v| v.name == name)
    }

    /// The blade a name means: its command first, else any of its other names (`licensing`,
    /// `deleted`, `lic-errors`), as `:` knows them.
    pub fn from_command(s: &str) -> Option<BladeKind> {
        let s = s.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|b| b.command().eq_ignore_ascii_case(s))
            .or_else(|| {
                let s = s.to_lowercase();
                Self::ALL.iter().copied().find(|b| b.names().contains(&s))
            })
    }
}

/// What `sync` can fill, in the order it runs: every blade with a sync spec, then the members
/// of the cached groups (`group-members`, a fan-out rather than a collection).
pub fn sync_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = BladeKind::ALL
        .iter()
        .filter(|b| b.0.sync.is_some())
        .map(|b| b.command())
        .collect();
    names.push(GROUP_MEMBERS);
    names.push(AUDIT_READS);
    names
}

/// The `sync` name of the audit's reads (roles, protection, policies, domains…), kept so any
/// synced cache audits offline and the console's roles and protected actions work offline.
pub const AUDIT_READS: &str = "audit";

/// The `sync` name of the members fan-out.
pub const GROUP_MEMBERS: &str = "group-members";

/// The sync spec of a blade, by its command.
pub fn sync_spec(name: &str) -> Option<crate::cache::sync::Spec> {
    BladeKind::from_command(name)
        .and_then(|b| b.0.sync)
        .map(|f| f())
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

/// What a list view lists.
#[derive(Clone, Debug, PartialEq)]
pub enum ListSource {
    Blade(BladeKind),
    /// A role's active and eligible assignments.
    RoleAssignments {
        role_id: String,
        role_name: String,
    },
    /// Everyone who can use a permission, through roles, groups and eligibility.
    WhoCan {
        permission: String,
    },
    /// A group's members (direct or through nesting) or its owners.
    GroupMembers {
        group_id: String,
        group_name: String,
        relation: groups::Relation,
    },
    /// The groups (and directory roles) a user is in, directly or through nesting.
    MemberOf {
        user_id: String,
        user_name: String,
    },
    /// A list that belongs to one object (a risky user's history, its detections), declared
    /// by its blade as a [`SubDef`].
    Sub {
        def: SubKind,
        id: String,
        name: String,
    },
    /// The objects behind one audit finding (Enter on one opens it in its blade).
    Evidence {
        rule: String,
        items: String,
    },
    /// A blade's objects found by Graph rather than filtered here (`/?adele` on Users:
    /// `$search`; `/?$filter=…`: an advanced `$filter`), for tenants too large to sync.
    Query {
        blade: BladeKind,
        query: String,
    },
    /// Every policy evaluated for one sign-in.
    WhatIf {
        query: crate::ca::whatif::WhatIfQuery,
    },
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

/// Everything the shell needs to know about one kind of object's page, declared in the
/// blade's file (`pub static DETAIL`), like [`BladeDef`].
pub struct DetailDef {
    /// Its name ("user"), which also identifies it.
    pub name: &'static str,
    /// The cache collection the object is kept in (offline pages read it there).
    pub collection: &'static str,
    pub request: fn(&str) -> Request,
    /// The sheet from the object, the protection facts (when read) and names of ids.
    pub sheet: fn(&Value, Option<&crate::protect::Facts>, &Names) -> Sheet,
    /// The page lists the protection facts (read in the background when it opens).
    pub needs_facts: bool,
    /// A user or group: the page lists its directory roles (read in the background).
    pub principal: bool,
    /// The page is computed from several reads (its `request` is then unused).
    pub computed: Option<Computed>,
    /// The page has a members list (`m`).
    pub members: bool,
    /// The verbs of the page (as [`BladeDef::verbs`]).
    pub verbs: &'static [verb::Verb],
}

/// The kind of object a detail view shows: its entry in the detail registry, compared by name.
#[derive(Clone, Copy)]
pub struct ObjectKind(pub &'static DetailDef);

impl PartialEq for ObjectKind {
    fn eq(&self, other: &Self) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for ObjectKind {}

impl std::fmt::Debug for ObjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ObjectKind({})", self.0.name)
    }
}

/// Pages no blade's rows open, reached from a sub-list (a sign-in's): their verbs are bound
/// everywhere and answer only on their page.
pub static PAGES: &[ObjectKind] = &[ObjectKind(&signin_page::DETAIL)];

/// Names for the kinds code refers to by name.
#[allow(non_upper_case_globals)]
impl ObjectKind {
    pub const User: ObjectKind = ObjectKind(&users::DETAIL);
    pub const Group: ObjectKind = ObjectKind(&groups::DETAIL);
    pub const CaPolicy: ObjectKind = ObjectKind(&ca::DETAIL);
    pub const ProtectedAction: ObjectKind = ObjectKind(&protected::DETAIL);
    pub const AuthContext: ObjectKind = ObjectKind(&contexts::DETAIL);
    pub const Role: ObjectKind = ObjectKind(&roles::DETAIL);
    pub const NamedLocation: ObjectKind = ObjectKind(&locations::DETAIL);
    pub const AuthStrength: ObjectKind = ObjectKind(&strengths::DETAIL);
}

/// An object to open: kind, id and the name to show while it loads.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectRef {
    pub kind: ObjectKind,
    pub id: String,
    pub name: String,
}

/// The only row of a list built from one object (a facts- or roles-backed blade's row for an
/// export or the cache), or an empty row when the object gives none.
pub fn only_row(rows: Vec<TableRow>) -> TableRow {
    rows.into_iter()
        .next()
        .unwrap_or_else(|| TableRow::new(Value::Null, Vec::new()))
}

impl ObjectKind {
    pub fn def(self) -> &'static DetailDef {
        self.0
    }

    pub fn request(self, id: &str) -> Request {
        (self.0.request)(id)
    }

    /// The detail sheet. `roles` is `Ok(None)` while the role facts are being read and
    /// `Err(why)` when they could not be: a user's or group's page says which.
    pub fn sheet(
        self,
        v: &Value,
        facts: Option<&crate::protect::Facts>,
        roles: Result<Option<&crate::roles::RoleFacts>, &str>,
        names: &Names,
    ) -> Sheet {
        let mut sheet = (self.0.sheet)(v, facts, names);
        if !self.0.principal {
            return sheet;
        }
        match (roles, v["id"].as_str()) {
            (Ok(Some(r)), Some(id)) => {
                roles::principal_sections(&mut sheet, id, self == ObjectKind::User, r);
            }
            (Ok(None), _) => sheet
                .section("Directory roles")
                .push((String::new(), "loading…".into())),
            (Err(why), _) => sheet
                .section("Directory roles")
                .push(("unavailable".into(), why.to_string())),
            (Ok(Some(_)), None) => {}
        }
        sheet
    }

    /// The cache collection of this kind.
    pub fn collection(self) -> &'static str {
        self.0.collection
    }

    pub fn has_members(self) -> bool {
        self.0.members
    }
}

/// A sheet section listing policies with their state: `empty` when there are none, "loading…"
/// while the facts are not read yet, and why when the policies could not be read.
pub fn policy_section(
    sheet: &mut Sheet,
    title: &str,
    facts: Option<&crate::protect::Facts>,
    select: impl FnOnce(&crate::protect::Facts) -> Vec<&Value>,
    empty: &str,
) {
    let u = sheet.section(title);
    let Some(f) = facts else {
        u.push((String::new(), "loading…".into()));
        return;
    };
    if let Some(m) = f.lacking(&[crate::protect::Part::Policies]) {
        u.push(("unknown".into(), m));
        return;
    }
    let list = select(f);
    if list.is_empty() {
        u.push((String::new(), empty.to_string()));
    }
    for p in list {
        u.push((
            crate::protect::state_label(p["state"].as_str().unwrap_or_default()).into(),
            crate::widgets::sheet::show(&p["displayName"]),
        ));
    }
}

/// Names for ids (users, groups, role templates, locations, strengths, apps).
pub type Names = std::collections::HashMap<String, String>;

pub use crate::graph::endpoints::path_segment;

/// The date part of a Graph timestamp (`2024-05-01T...Z` -> `2024-05-01`).
pub fn date(v: &Value) -> String {
    v.as_str()
        .map(|s| s.chars().take(10).collect())
        .unwrap_or_default()
}

/// A string property or empty.
pub fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

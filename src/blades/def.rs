//! The declarations a blade is made of, which name each other: a blade (`BladeDef`), its
//! pages (`DetailDef`) and sub-lists (`SubDef`), its verbs (`Verb`) and the steps they answer
//! (`Step`, which may open a list of a blade: `ListSource`). Kept in one file because each
//! refers to the others; the registry in `mod.rs` lists the blades.

use super::common::Names;
use super::source::{Computed, Join, Load, Marks, Reading, Records, Relation};
use super::verb::{Confirm, Flow, Scope};
use crate::graph::Request;
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
    pub verbs: &'static [Verb],
    /// A collection read beside the list and joined to its rows by id (risk on Users).
    pub join: Option<&'static Join>,
    /// What `export` writes when its columns are not the table's, else `None` (the rows).
    pub records: Option<Records>,
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
    pub verbs: &'static [Verb],
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

impl BladeKind {
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
    pub fn verbs(self, page: bool) -> &'static [Verb] {
        if page {
            self.0.opens.map_or(&[], |k| k.0.verbs)
        } else {
            self.0.verbs
        }
    }

    /// The blade's verb of that name, on its list or its page.
    pub fn verb(self, name: &str, page: bool) -> Option<&'static Verb> {
        self.verbs(page).iter().find(|v| v.name == name)
    }
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
        relation: Relation,
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
    pub verbs: &'static [Verb],
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

/// An object to open: kind, id and the name to show while it loads.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectRef {
    pub kind: ObjectKind,
    pub id: String,
    pub name: String,
}

impl ObjectKind {
    pub fn def(self) -> &'static DetailDef {
        self.0
    }

    pub fn request(self, id: &str) -> Request {
        (self.0.request)(id)
    }

    /// The cache collection of this kind.
    pub fn collection(self) -> &'static str {
        self.0.collection
    }

    pub fn has_members(self) -> bool {
        self.0.members
    }
}

/// One verb of a blade's list or of an object's page (k9s: a key action declared by its view).
pub struct Verb {
    /// Its name on its blade (`compromised`): the keymap binds `risky-users:compromised`, and a
    /// user keymap's `[[blade.risky-users.binding]]` may name it alone.
    pub name: &'static str,
    /// The keys it has by default (keymap notation: `"C"`, `"ctrl-d"`).
    pub keys: &'static [&'static str],
    /// The short words of the status bar (`compromised`).
    pub label: &'static str,
    /// What `?` says of it.
    pub help: &'static str,
    /// It changes the tenant (or opens the way to a change): a read-only session hides it and
    /// refuses it.
    pub writes: bool,
    pub run: fn(&Scope) -> Vec<Step>,
}

/// A verb as a key's meaning: compared by name (one view never declares a name twice).
#[derive(Clone, Copy)]
pub struct VerbRef(pub &'static Verb);

impl PartialEq for VerbRef {
    fn eq(&self, other: &Self) -> bool {
        self.0.name == other.0.name
    }
}

impl Eq for VerbRef {}

impl std::hash::Hash for VerbRef {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.name.hash(state);
    }
}

impl std::fmt::Debug for VerbRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Verb({})", self.0.name)
    }
}

/// Unused: `Action`'s derives want one; no key resolves to it.
impl Default for VerbRef {
    fn default() -> Self {
        VerbRef(&NOTHING)
    }
}

static NOTHING: Verb = Verb {
    name: "",
    keys: &[],
    label: "",
    help: "",
    writes: false,
    run: |_| Vec::new(),
};

/// What a verb asks of the shell, in order.
pub enum Step {
    /// Open the confirm of a write (nothing is sent before Enter on it).
    Confirm(Box<Confirm>),
    /// Ask for a line of text; Enter hands it to the prompt's continuation.
    Prompt(Prompt),
    /// Find a user, group or service principal by name (Enter searches, ↑/↓ and Enter pick
    /// one); Enter on one hands it to the continuation.
    Pick(Pick),
    /// Ask for one of a few options (↑/↓, Enter); Enter hands its index to the continuation.
    Choose(Choose),
    /// A list of the focused object (a risky user's history).
    Sub(&'static SubDef),
    /// Another list on top.
    List(ListSource),
    /// An object's page on top.
    Open(ObjectRef),
    /// An object's page named rather than referred to (`"user"`): the shell finds it in the
    /// registry. For a link back up a drill-down (a sign-in's user, whose page lists the
    /// sign-ins), so that two blade files never name each other.
    OpenPage {
        page: &'static str,
        id: String,
        name: String,
    },
    /// A message in the status bar (`error`: in the error colour).
    Say { text: String, error: bool },
    /// Read one JSON answer, then continue with it (a count before a refusal).
    Read { request: Request, then: ReadThen },
    /// One of the shell's guided flows (editors, pickers with a search, PIM activation).
    Flow(Flow),
    /// A guided walk: stages run one after the other on one object, each skippable.
    Walk(Walk),
}

/// A guided walk of verbs on one object (containing a user): each stage's steps run when the
/// one before has ended (its write done, or skipped with Esc); a write that fails stops the
/// walk, which then says what was and was not done. The writes share one incident id in the
/// journal.
#[derive(Clone, Debug)]
pub struct Walk {
    /// What the walk does, in words ("Contain Chen Wei").
    pub title: String,
    /// The object every stage acts on (the stage sees it as its page).
    pub with: Value,
    pub stages: &'static [Stage],
}

/// One stage of a walk: its name in the summary, and its steps.
#[derive(Clone, Copy)]
pub struct Stage {
    pub name: &'static str,
    pub run: fn(&Scope) -> Vec<Step>,
}

impl std::fmt::Debug for Stage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Stage({})", self.name)
    }
}

impl Step {
    pub fn say(text: impl Into<String>) -> Step {
        Step::Say {
            text: text.into(),
            error: false,
        }
    }

    pub fn refuse(text: impl Into<String>) -> Step {
        Step::Say {
            text: text.into(),
            error: true,
        }
    }
}

/// The verb names a keymap may bind everywhere (`action = "remove"` in `[[binding]]`): a key
/// so bound means the verb of that name the view on top declares, if it declares one.
pub const GENERIC: &[Verb] = &[
    generic("members", false),
    generic("set-state", true),
    generic("remove", true),
    generic("add", true),
    generic("add-eligible", true),
    generic("edit", true),
    generic("duplicate", true),
    generic("exclude", true),
    generic("reprocess", true),
    generic("what-if", false),
];

const fn generic(name: &'static str, writes: bool) -> Verb {
    Verb {
        name,
        keys: &[],
        label: name,
        help: "",
        writes,
        run: |_| Vec::new(),
    }
}

/// A verb bound by its generic name (its keys are the keymap's general binding of that name)
/// that opens a shell flow; `label` is what the status bar says on this view.
#[macro_export]
macro_rules! flow_verb {
    ($name:literal, $label:literal, $writes:expr, $flow:expr) => {
        $crate::blades::def::Verb {
            name: $name,
            keys: &[],
            label: $label,
            help: "",
            writes: $writes,
            run: |_| $crate::blades::def::flow($flow),
        }
    };
}

/// A verb that opens a shell flow.
pub fn flow(f: Flow) -> Vec<Step> {
    vec![Step::Flow(f)]
}

impl From<Confirm> for Step {
    fn from(c: Confirm) -> Step {
        Step::Confirm(Box::new(c))
    }
}

/// A line of text to ask for, and what Enter does with it.
pub struct Prompt {
    pub title: String,
    /// What the input starts with (the current value, to edit).
    pub input: String,
    pub then: Then,
    /// Shown as dots (a password being typed); Enter on nothing is allowed and hands `""`.
    pub secret: bool,
    /// Enter on nothing is allowed and hands `""` (an optional justification).
    pub optional: bool,
}

impl Prompt {
    /// A prompt for a line of text (never empty) starting from `input`.
    pub fn text(title: String, input: impl Into<String>, then: Then) -> Prompt {
        Prompt {
            title,
            input: input.into(),
            then,
            secret: false,
            optional: false,
        }
    }
}

/// A prompt's continuation: the object it is about and the function Enter calls with the text
/// typed (trimmed, never empty). `Err` is said under the input and the prompt stays.
#[derive(Clone, Debug)]
pub struct Then {
    pub with: Value,
    pub run: fn(&str, &Value) -> Result<Vec<Step>, String>,
}

/// One of a few options to pick (a duration): the first preselected unless `selected` says.
#[derive(Clone, Debug, PartialEq)]
pub struct Choose {
    pub title: String,
    pub options: Vec<String>,
    pub selected: usize,
    pub then: ChooseThen,
    /// A line said above the options (what was answered before).
    pub note: Option<String>,
    /// The options on one line (←/→): a few short ones (durations).
    pub inline: bool,
}

/// What Enter on an option does: its index and what the verb carried, to the next steps (or a
/// refusal said in place).
#[derive(Clone, Debug)]
pub struct ChooseThen {
    pub with: Value,
    pub run: fn(usize, &Value) -> Result<Vec<Step>, String>,
}

impl PartialEq for ChooseThen {
    fn eq(&self, other: &Self) -> bool {
        self.with == other.with && std::ptr::fn_addr_eq(self.run, other.run)
    }
}

impl PartialEq for Then {
    fn eq(&self, other: &Self) -> bool {
        self.with == other.with && std::ptr::fn_addr_eq(self.run, other.run)
    }
}

/// A list of the object a key is about (its page's, else the selected row's).
pub fn list_of(s: &Scope, list: impl FnOnce(String, String) -> ListSource) -> Vec<Step> {
    match s.focused.clone() {
        Some((id, name)) => vec![Step::List(list(id, name))],
        None => Vec::new(),
    }
}

/// A read's continuation: what it is about and the function its answer goes to.
#[derive(Clone, Debug)]
pub struct ReadThen {
    pub with: Value,
    pub run: fn(Result<Value, crate::graph::GraphError>, &Value) -> Vec<Step>,
}

/// A principal to find by name, and what picking one does.
pub struct Pick {
    pub title: String,
    pub then: PickThen,
}

/// What Enter on a found principal does: the principal and what the verb carried, to the next
/// steps (or a refusal said in the picker, which stays).
#[derive(Clone, Debug)]
pub struct PickThen {
    pub with: Value,
    pub run: fn(&Value, &Value) -> Result<Vec<Step>, String>,
}

impl PartialEq for PickThen {
    fn eq(&self, other: &Self) -> bool {
        self.with == other.with && std::ptr::fn_addr_eq(self.run, other.run)
    }
}

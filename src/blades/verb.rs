//! A blade's verbs: declared in the blade's own file with their keys, words and whether they
//! write; run against a narrow [`Scope`] (never the whole app) and answered with [`Step`]s the
//! shell carries out (a confirm, a prompt, a list, a page, a message).

use super::{ListSource, ObjectRef, SubDef};
use crate::graph::Request;
use serde_json::Value;

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

/// What a verb sees: the view it acts on and what the session knows. Read-only.
pub struct Scope<'a> {
    /// The object of the page on top, when the view is a page (as read, or as the list had it).
    pub page: Option<&'a Value>,
    /// The marked rows' objects, else the selected row's (a list); empty on a page.
    pub rows: Vec<Value>,
    /// The selected row's object (a list).
    pub selected: Option<Value>,
    /// The object a key is about, as (id, name): the page's, else the selected row's.
    pub focused: Option<(String, String)>,
    /// On a list of one object's things (a user's authentication methods): that object, as
    /// (id, name).
    pub parent: Option<(String, String)>,
    /// The protection facts, when read.
    pub facts: Option<&'a crate::protect::Facts>,
    /// Accounts never to lock out (UPNs or object ids, from the profile).
    pub break_glass: &'a [String],
    /// The licence facts (products by name, seats), when read.
    pub licences: Option<&'a crate::licensing::LicenceFacts>,
}

impl Scope<'_> {
    /// What a verb on "the marked rows or the selected one, or this page" applies to.
    pub fn targets(&self) -> Vec<Value> {
        match self.page {
            Some(p) => vec![p.clone()],
            None => self.rows.clone(),
        }
    }
}

/// What a verb asks of the shell, in order.
pub enum Step {
    /// Open the confirm of a write (nothing is sent before Enter on it).
    Confirm(Box<Confirm>),
    /// Ask for a line of text; Enter hands it to the prompt's continuation.
    Prompt(Prompt),
    /// Ask for one of a few options (↑/↓, Enter); Enter hands its index to the continuation.
    Choose(Choose),
    /// A list of the focused object (a risky user's history).
    Sub(&'static SubDef),
    /// Another list on top.
    List(ListSource),
    /// An object's page on top.
    Open(ObjectRef),
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

/// The shell's guided flows a verb opens: stateful editors and multi-step pickers that stay
/// with the shell (the Conditional Access editor and its review, the people and licence
/// pickers, PIM activation). Each acts on the view on top, as the verb's key did.
#[derive(Clone, Debug)]
pub enum Flow {
    /// The licence picker for a user or a group (assign with plans, or remove).
    Licence { object: Value, group: bool },
    /// The What If prompt, prefilled with the selected user.
    WhatIf,
    /// The state choice for the object on top (a policy's state, a protected action's
    /// context, a context's publication).
    SetState,
    /// The guided creation of a group (kind, rule, owners, members).
    NewGroup,
    /// The JSON editor on the selected policy or named location.
    Edit,
    /// The editor on a copy of it (a policy as report-only).
    Duplicate,
    /// The editor on a new policy or named location (`countries`: a country location).
    New { countries: bool },
    /// The review of deleting the selected policy or named location.
    Delete,
    /// Exclude a user or group from the selected policy (a people picker).
    Exclude,
    /// Assign the role shown to a principal found by name (`eligible`: through PIM).
    Assign { eligible: bool },
    /// Remove the selected role assignment.
    RemoveAssignment,
    /// Add a member or owner found by name to the group shown.
    AddMember,
    /// Remove the selected member or owner of the group shown (by reference).
    RemoveMember,
    /// Reprocess each listed (or marked) member with licence errors.
    ReprocessMembers,
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
        $crate::blades::verb::Verb {
            name: $name,
            keys: &[],
            label: $label,
            help: "",
            writes: $writes,
            run: |_| $crate::blades::verb::flow($flow),
        }
    };
}

/// A verb that opens a shell flow.
pub fn flow(f: Flow) -> Vec<Step> {
    vec![Step::Flow(f)]
}

/// A write as its confirm shows it: the words, the request, the objects it names.
pub struct Confirm {
    /// What it does, naming the objects ("Delete device KIOSK-01 for good: …").
    pub title: String,
    /// The object it changes (the list is read again around it).
    pub object_id: String,
    pub request: Request,
    /// A choice among values shown in the confirm (←/→).
    pub choice: Option<Choice>,
    /// The object before the change (for the journal).
    pub before: Option<Value>,
    /// Every object of a bulk write, sent one after the other (the first is `request`).
    pub targets: Vec<Target>,
    /// What follows the write in the tenant, in words, from the protection facts.
    pub follows: Option<fn(&crate::protect::Facts, &str) -> Vec<String>>,
    /// A secret the write makes, shown once after Graph accepts it and never kept.
    pub reveal: Option<Reveal>,
}

/// A secret a write makes: shown once on the result, copyable (OSC 52), never journaled,
/// logged, cached or exported.
#[derive(Clone, Debug, PartialEq)]
pub enum Reveal {
    /// Made here before sending (a generated temporary password).
    Known {
        label: &'static str,
        secret: crate::graph::Secret,
    },
    /// In Graph's answer, under `field` (a Temporary Access Pass).
    Answer {
        label: &'static str,
        field: &'static str,
    },
}

impl Confirm {
    /// A write to one object.
    pub fn one(title: String, object_id: &str, request: Request, before: Option<Value>) -> Self {
        Confirm {
            title,
            object_id: object_id.to_string(),
            request,
            choice: None,
            before,
            targets: Vec::new(),
            follows: None,
            reveal: None,
        }
    }

    /// A write to each of `targets` (one confirm names them all), or to the only one.
    pub fn each(title: String, targets: Vec<Target>, choice: Option<Choice>) -> Option<Self> {
        let first = targets.first()?;
        let mut c = Confirm {
            title,
            object_id: first.object["id"].as_str().unwrap_or_default().to_string(),
            request: first.request.clone(),
            choice,
            before: Some(first.object.clone()),
            targets: Vec::new(),
            follows: None,
            reveal: None,
        };
        if targets.len() > 1 {
            c.targets = targets;
        }
        Some(c)
    }
}

impl From<Confirm> for Step {
    fn from(c: Confirm) -> Step {
        Step::Confirm(Box::new(c))
    }
}

/// A choice among values (a policy's state), shown in the confirm step.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub field: String,
    pub current: Value,
    /// (label, value)
    pub options: Vec<(String, Value)>,
    pub selected: usize,
}

/// One object of a bulk write: its name, its value of the chosen field before, the object
/// (for the journal) and the request that changes it.
#[derive(Clone, Debug)]
pub struct Target {
    pub name: String,
    pub current: Value,
    pub object: Value,
    pub request: Request,
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

/// The object a verb on one object applies to: its page's, else the selected row's.
pub fn one(s: &Scope) -> Option<Value> {
    s.page.cloned().or_else(|| s.selected.clone())
}

/// A read's continuation: what it is about and the function its answer goes to.
#[derive(Clone, Debug)]
pub struct ReadThen {
    pub with: Value,
    pub run: fn(Result<Value, crate::graph::GraphError>, &Value) -> Vec<Step>,
}

/// The name an object goes by in words (its display name, else its id).
pub fn name_of(o: &Value) -> String {
    crate::sanitize::clean(
        o["displayName"]
            .as_str()
            .or(o["userDisplayName"].as_str())
            .or(o["id"].as_str())
            .unwrap_or("?"),
    )
}

/// "1 user" / "3 users".
pub fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

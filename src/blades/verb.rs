//! What a verb sees (`Scope`) and the writes it asks for (`Confirm` and its targets, choices
//! and secrets), the shell flows it may open, and the words verbs share. The verbs and steps
//! themselves are declared with the blades in `def`.

use crate::graph::Request;
use serde_json::Value;

/// What a verb sees: the view it acts on and what the session knows. Read-only.
pub struct Scope<'a> {
    /// The object of the page on top, when the view is a page (as read, or as the list had it).
    pub page: Option<&'a Value>,
    /// The marked rows' objects, else the selected row's (a list); empty on a page.
    pub rows: Vec<Value>,
    /// `rows` are marked rows (Space), not only the selected one.
    pub marked: bool,
    /// The list's table (every row, filtered or not), on a list.
    pub table: Option<&'a crate::widgets::table::ObjectTable>,
    /// The page of the `parent` object, when it is open below (a group's page under its
    /// members).
    pub parent_page: Option<&'a Value>,
    /// The Graph root this session talks to (an `@odata.id` names objects under it).
    pub graph_root: &'a str,
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

/// The shell's guided flows a verb opens: stateful editors and multi-step pickers that stay
/// with the shell (the Conditional Access editor and its review, the people and licence
/// pickers, PIM activation). Each acts on the view on top, as the verb's key did.
#[derive(Clone, Debug)]
pub enum Flow {
    /// The licence picker for a user or a group (assign with plans, or remove).
    Licence { object: Value, group: bool },
    /// The What If prompt, prefilled with the selected user.
    WhatIf,
    /// The state of the selected Conditional Access policy, chosen in the confirm with the
    /// CA review (protection, lockout guard) beside it.
    CaState,
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

/// A choice among values (a policy's state), shown in the confirm step.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    pub field: String,
    pub current: Value,
    /// (label, value)
    pub options: Vec<(String, Value)>,
    pub selected: usize,
    /// Options read from the protection facts: a choice opened before they were read (only
    /// its first option) is filled when they arrive, still on the current value.
    pub refill: Option<Refill>,
}

/// The options of a [`Choice`] from the protection facts.
#[derive(Clone, Copy)]
pub struct Refill(pub fn(Option<&crate::protect::Facts>) -> Vec<(String, Value)>);

impl PartialEq for Refill {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::fn_addr_eq(self.0, other.0)
    }
}

impl std::fmt::Debug for Refill {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Refill")
    }
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

/// The object a verb on one object applies to: its page's, else the selected row's.
pub fn one(s: &Scope) -> Option<Value> {
    s.page.cloned().or_else(|| s.selected.clone())
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

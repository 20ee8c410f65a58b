//! The keys each view answers besides the global ones (k9s shows them in its header; here
//! the status bar), and the refusal of a key the view does not answer.

use super::{Action, App, View};
use crate::blades::{ListSource, Marks};

/// The view-specific actions with short labels, in the order the status bar shows them.
pub fn view_actions(view: &View) -> Vec<(Action, &'static str)> {
    let declared: &[(Action, &str)] = declared(view);
    let verbs = match view {
        View::List(l) => match &l.source {
            ListSource::Blade(b) | ListSource::Query { blade: b, .. } => b.def().verbs,
            ListSource::Sub { def, .. } => def.0.verbs,
            _ => &[],
        },
        View::Detail(d) => d.target.kind.def().verbs,
    };
    let verbs = verbs
        .iter()
        .map(|v| (Action::Verb(crate::blades::VerbRef(v)), v.label));
    match view {
        // A list for marking says so first.
        View::List(l)
            if matches!(&l.source, ListSource::Blade(b) | ListSource::Query { blade: b, .. }
                if b.def().marks == Marks::First) =>
        {
            declared.iter().copied().chain(verbs).collect()
        }
        _ => verbs.chain(declared.iter().copied()).collect(),
    }
}

use crate::blades::VerbRef;
use crate::blades::{groups, roles, whatif};
const ASSIGNMENTS: &[(Action, &str)] = &[
    (Action::Verb(VerbRef(&roles::ASSIGN)), "assign"),
    (Action::Verb(VerbRef(&roles::ASSIGN_ELIGIBLE)), "eligible"),
    (Action::Verb(VerbRef(&roles::REMOVE_ASSIGNMENT)), "remove"),
];
const MARK: &[(Action, &str)] = &[(Action::Mark, "mark")];
const WHAT_IF: &[(Action, &str)] = &[(Action::Verb(VerbRef(&whatif::STATE)), "state")];
const MEMBERS: &[(Action, &str)] = &[
    (Action::Verb(VerbRef(&groups::ADD_MEMBER)), "add member"),
    (
        Action::Verb(VerbRef(&groups::REMOVE_MEMBER)),
        "remove member",
    ),
];
const OWNERS: &[(Action, &str)] = &[
    (Action::Verb(VerbRef(&groups::ADD_OWNER)), "add owner"),
    (Action::Verb(VerbRef(&groups::REMOVE_OWNER)), "remove owner"),
];
const IN_ERROR: &[(Action, &str)] = &[(
    Action::Verb(VerbRef(&groups::REPROCESS_ALL)),
    "reprocess all",
)];

/// The keys a view answers besides its blade's verbs: its blade's declared shell keys, or the
/// verbs of a list that belongs to no blade (a role's assignments, a group's members).
fn declared(view: &View) -> &'static [(Action, &'static str)] {
    use crate::blades::groups::Relation;
    match view {
        View::List(l) => match &l.source {
            // Marking is declared with the blade.
            ListSource::Blade(b) | ListSource::Query { blade: b, .. } => {
                if b.def().marks == Marks::No {
                    &[]
                } else {
                    MARK
                }
            }
            ListSource::RoleAssignments { .. } => ASSIGNMENTS,
            ListSource::WhatIf { .. } => WHAT_IF,
            ListSource::GroupMembers { relation, .. } => match relation {
                Relation::Members => MEMBERS,
                Relation::Owners => OWNERS,
                Relation::LicenceErrors => IN_ERROR,
                Relation::Transitive => &[],
            },
            _ => &[],
        },
        // A page answers its kind's verbs only.
        View::Detail(_) => &[],
    }
}

/// Actions that belong to some views only (the others work everywhere).
fn view_specific(a: Action) -> bool {
    matches!(a, Action::Verb(_) | Action::Mark)
}

impl App {
    /// The blade whose keys the view on top answers: a blade's list (or a query of it), else
    /// the blade whose rows open the page on top (a group's page is the Groups blade's, from
    /// wherever it was opened), else the blade shown.
    pub fn key_blade(&self) -> &'static str {
        use crate::blades::BladeKind;
        let owner = match self.top() {
            View::List(l) => match &l.source {
                ListSource::Blade(b) | ListSource::Query { blade: b, .. } => Some(*b),
                _ => None,
            },
            View::Detail(d) => BladeKind::ALL
                .iter()
                .copied()
                .find(|b| b.def().opens == Some(d.target.kind)),
        };
        owner.unwrap_or(self.blade).command()
    }

    /// `Some(message)` when `a` is a key this view does not answer: said, not ignored.
    pub(super) fn unsupported(&self, a: Action) -> Option<String> {
        if !view_specific(a) || view_actions(self.top()).iter().any(|(x, _)| *x == a) {
            return None;
        }
        let key = self
            .keymap
            .hint_on(a, Some(self.key_blade()))
            .unwrap_or_else(|| a.name().to_string());
        Some(format!(
            "{key} ({}) does nothing on {}",
            a.name(),
            crate::sanitize::clean(&self.top().title())
        ))
    }

    /// "E edit  t state  …" for the status bar, from the keymap (no write keys when read-only).
    pub fn view_hints(&self) -> Vec<(String, &'static str)> {
        view_actions(self.top())
            .iter()
            .filter(|(a, label)| !(label.is_empty() || self.ctx.read_only && a.writes()))
            .filter_map(|(a, label)| {
                self.keymap
                    .hint_on(*a, Some(self.key_blade()))
                    .map(|k| (k, *label))
            })
            .collect()
    }
}

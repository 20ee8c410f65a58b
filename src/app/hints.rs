//! The keys each view answers besides the global ones (k9s shows them in its header; here
//! the status bar), and the refusal of a key the view does not answer.

use super::{Action, App, View};
use crate::blades::ListSource;

/// The view-specific actions with short labels, in the order the status bar shows them.
pub fn view_actions(view: &View) -> Vec<(Action, &'static str)> {
    let declared: &[(Action, &str)] = declared(view);
    let verbs = match view {
        View::List(l) => match &l.source {
            ListSource::Blade(b) | ListSource::Query { blade: b, .. } => b.def().verbs,
            _ => &[],
        },
        View::Detail(d) => d.target.kind.def().verbs,
    };
    verbs
        .iter()
        .map(|v| (Action::Verb(crate::blades::verb::VerbRef(v)), v.label))
        .chain(declared.iter().copied())
        .collect()
}

/// The shell actions a view answers (the keys its blade has not moved to verbs yet).
fn declared(view: &View) -> &'static [(Action, &'static str)] {
    use crate::blades::groups::Relation;
    use Action::{Add, AddEligible, Remove, Reprocess, SetState};
    match view {
        View::List(l) => match &l.source {
            // A blade's keys are declared with the blade.
            ListSource::Blade(b) | ListSource::Query { blade: b, .. } => b.def().keys,
            ListSource::RoleAssignments { .. } => &[
                (Add, "assign"),
                (AddEligible, "eligible"),
                (Remove, "remove"),
            ],
            ListSource::WhatIf { .. } => &[(SetState, "state")],
            ListSource::GroupMembers { relation, .. } => match relation {
                Relation::Members => &[(Add, "add member"), (Remove, "remove member")],
                Relation::Owners => &[(Add, "add owner"), (Remove, "remove owner")],
                Relation::LicenceErrors => &[(Reprocess, "reprocess all")],
                Relation::Transitive => &[],
            },
            _ => &[],
        },
        // An object's page keys are declared with its kind.
        View::Detail(d) => d.target.kind.def().keys,
    }
}

/// Actions that belong to some views only (the others work everywhere).
fn view_specific(a: Action) -> bool {
    if let Action::Verb(_) = a {
        return true;
    }
    use Action::{
        Add, AddEligible, Duplicate, Edit, Exclude, Mark, Members, Remove, Reprocess, SetState,
        WhatIf,
    };
    matches!(
        a,
        Reprocess
            | Members
            | SetState
            | Remove
            | Add
            | AddEligible
            | Mark
            | Edit
            | Duplicate
            | Exclude
            | WhatIf
    )
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
            .filter(|(a, _)| !(self.ctx.read_only && a.writes()))
            .filter_map(|(a, label)| {
                self.keymap
                    .hint_on(*a, Some(self.key_blade()))
                    .map(|k| (k, *label))
            })
            .collect()
    }
}

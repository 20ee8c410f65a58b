//! `Action`: what a key means, independent of which key it was.

/// A user intent, produced by the keymap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    Quit,
    Help,
    Palette,
    Back,
    FocusNav,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Filter,
    Sort,
    SortReverse,
    Refresh,
    CopyId,
    NextTab,
    Members,
    SetState,
    Remove,
    Add,
    AddEligible,
    Mark,
    Rename,
    Edit,
    Duplicate,
    Exclude,
    WhatIf,
}

const NAMES: &[(Action, &str)] = &[
    (Action::Quit, "quit"),
    (Action::Help, "help"),
    (Action::Palette, "palette"),
    (Action::Back, "back"),
    (Action::FocusNav, "focus-nav"),
    (Action::Up, "up"),
    (Action::Down, "down"),
    (Action::PageUp, "page-up"),
    (Action::PageDown, "page-down"),
    (Action::Top, "top"),
    (Action::Bottom, "bottom"),
    (Action::Open, "open"),
    (Action::Filter, "filter"),
    (Action::Sort, "sort"),
    (Action::SortReverse, "sort-reverse"),
    (Action::Refresh, "refresh"),
    (Action::CopyId, "copy-id"),
    (Action::NextTab, "next-tab"),
    (Action::Members, "members"),
    (Action::SetState, "set-state"),
    (Action::Remove, "remove"),
    (Action::Add, "add"),
    (Action::AddEligible, "add-eligible"),
    (Action::Mark, "mark"),
    (Action::Rename, "rename"),
    (Action::Edit, "edit"),
    (Action::Duplicate, "duplicate"),
    (Action::Exclude, "exclude"),
    (Action::WhatIf, "what-if"),
];

impl Action {
    /// The keymap name (`page-down`).
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(a, _)| *a == self)
            .map(|(_, n)| *n)
            .unwrap_or("?")
    }

    pub fn from_name(name: &str) -> Option<Action> {
        NAMES.iter().find(|(_, n)| *n == name).map(|(a, _)| *a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for (a, n) in NAMES {
            assert_eq!(Action::from_name(n), Some(*a));
            assert_eq!(a.name(), *n);
        }
        assert_eq!(Action::from_name("nope"), None);
    }
}

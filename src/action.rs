//! `Action`: what a key means, independent of which key it was.

/// A user intent, produced by the keymap. Its keymap name is the variant in kebab case
/// (`PageDown` is `page-down`), derived rather than kept in a table by hand.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    strum::EnumString,
    strum::IntoStaticStr,
    strum::EnumIter,
)]
#[strum(serialize_all = "kebab-case")]
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
    Mark,
    /// A verb the view's blade declares (`risky-users:compromised`): the blade owns its key,
    /// its words and whether it writes.
    #[strum(disabled)]
    Verb(crate::blades::VerbRef),
}

impl Action {
    /// Whether the action changes the tenant (or opens the way to a change: the editor, the
    /// pickers). A read-only session hides these keys and refuses them.
    pub fn writes(self) -> bool {
        match self {
            Action::Verb(v) => v.0.writes,
            _ => false,
        }
    }

    /// The keymap name (`page-down`).
    pub fn name(self) -> &'static str {
        match self {
            Action::Verb(v) => v.0.name,
            _ => self.into(),
        }
    }

    pub fn from_name(name: &str) -> Option<Action> {
        name.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        use strum::IntoEnumIterator;
        for a in Action::iter().filter(|a| !matches!(a, Action::Verb(_))) {
            assert_eq!(Action::from_name(a.name()), Some(a));
        }
        // The names keymap files use.
        assert_eq!(Action::PageDown.name(), "page-down");
        assert_eq!(Action::NextTab.name(), "next-tab");
        assert_eq!(Action::from_name("focus-nav"), Some(Action::FocusNav));
        assert_eq!(Action::from_name("nope"), None);
    }
}

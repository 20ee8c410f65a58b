//! The shell's side of a guided walk (containing a user): run a walk's stages one after the
//! other on its object, each skippable; record what was done, skipped or failed; stop at a
//! failure and say what was and was not done. Nothing here names a blade.

use crate::blades::Walk;

/// A walk under way.
#[derive(Clone, Debug)]
pub struct WalkState {
    pub walk: Walk,
    /// The stage whose steps run now, if one is under way.
    pub running: Option<usize>,
    /// The next stage to start.
    pub next: usize,
    /// The id the walk's writes carry in the journal.
    pub incident: String,
    /// Each stage ended so far: its name and "done", "skipped" or "failed: …".
    pub outcomes: Vec<(&'static str, String)>,
    /// The running stage's write was carried out.
    pub stage_done: bool,
    /// A list the running stage opened (its blade and depth): the stage lasts while it is
    /// shown, and its writes are the incident's.
    pub view: Option<(crate::blades::BladeKind, usize)>,
}

impl WalkState {
    pub(crate) fn summary(&self) -> String {
        let list = |want: &dyn Fn(&str) -> bool| {
            self.outcomes
                .iter()
                .filter(|(_, o)| want(o))
                .map(|(n, _)| *n)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let or_none = |s: String| if s.is_empty() { "none".into() } else { s };
        format!(
            "done: {}; skipped: {}",
            or_none(list(&|o| o == "done")),
            or_none(list(&|o| o == "skipped"))
        )
    }
}

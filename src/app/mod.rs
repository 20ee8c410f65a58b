//! The application state (Elm style): one `App` owns all UI state; `update` turns `Msg`s into
//! state changes and `Effect`s; `run` drives it with the terminal and tokio tasks.

mod ca_actions;
mod cached;
pub mod editor;
mod flow;
pub mod hints;
pub mod import;
mod keys;
pub mod licence;
mod members;
pub use crate::msg;
pub mod new_group;
mod palette;
pub mod picker;
pub mod plans;
pub mod recovery;
pub mod review;
pub mod run;
pub mod tenant;
mod update;
pub mod whatif;
pub use palette::{
    Command, completion as palette_completion, palette_matches as update_palette_matches,
};
mod verbs;
pub mod view;
pub mod walk;
pub mod wizard;
pub mod words;
pub mod write;

pub use crate::action::Action;
use crate::blades::{BladeKind, ListSource};
use crate::keymap::Keymap;
pub use crate::msg::{Effect, Msg, RequestId};
pub use crate::session::Context;
use crate::theme::Theme;
use chrono::{DateTime, Utc};
pub use view::{DetailTab, DetailView, ListView, LoadState, View};

/// The `:` palette's input and selection.
#[derive(Clone, Debug, Default)]
pub struct Palette {
    pub input: String,
    /// Where the cursor is in `input` (`None`: at the end).
    pub cursor: crate::widgets::input::Cursor,
    pub selected: usize,
}

/// What is drawn over the panes.
#[derive(Clone, Debug, Default)]
pub enum Overlay {
    #[default]
    None,
    Help {
        scroll: u16,
    },
    Palette(Palette),
    Picker(Box<picker::Picker>),
    /// `:messages`: every status message of this session, newest last.
    Messages {
        scroll: u16,
    },
    /// `:import FILE`: the bulk import's report (and, after a dry run, its confirm).
    Import {
        scroll: u16,
    },
}

/// A short message in the status bar.
#[derive(Clone, Debug)]
pub struct Toast {
    /// When it was said (the message log shows it).
    pub at: DateTime<Utc>,
    pub text: String,
    pub error: bool,
    pub until: DateTime<Utc>,
}

/// All UI state.
#[derive(Debug)]
pub struct App {
    pub ctx: Context,
    pub theme: Theme,
    pub keymap: Keymap,
    /// The blade whose stack is shown.
    pub blade: BladeKind,
    pub nav_focus: bool,
    pub nav_cursor: usize,
    /// Breadcrumbs: the blade's list at the bottom, drill-downs above.
    pub stack: Vec<View>,
    pub overlay: Overlay,
    pub toast: Option<Toast>,
    /// Every status message of the session (the toast shows only what fits): `:messages`.
    pub messages: Vec<Toast>,
    pub now: DateTime<Utc>,
    pub quit: bool,
    /// A quit was asked while a draft is unsaved: the next quit key confirms it.
    quit_armed: bool,
    /// This key comes right after such a warning.
    quit_confirms: bool,
    /// Something changed since the last frame.
    pub dirty: bool,
    /// The write being confirmed, sent or stepped up (its draft).
    pub write: Option<write::PendingWrite>,
    /// Everything read from the signed-in tenant besides the views (replaced whole by `:ctx`).
    pub tenant: tenant::TenantState,
    /// The `:protect` guided setup in progress.
    pub wizard: Option<wizard::Wizard>,
    /// The JSON editor of a policy or named location (its draft).
    pub editor: Option<editor::Editor>,
    /// `:import FILE` in progress.
    pub import: Option<import::Import>,
    /// The `:ctx` in flight (the last one asked wins).
    switch_request: Option<RequestId>,
    /// The cache failed its integrity check (the status bar says so for the whole session).
    pub cache_damaged: bool,
    /// How far the scrolled overlay on screen can scroll (the frame that drew it sets it; keys
    /// stop there instead of scrolling into a blank box).
    pub overlay_scroll_max: std::cell::Cell<u16>,
    /// A verb's read in flight and what continues it (a group's member count before its
    /// delete is refused).
    pub(crate) pending_read: Option<(RequestId, crate::blades::ReadThen)>,
    /// A guided walk under way (containing a user).
    pub walk: Option<walk::WalkState>,
    /// A confirm opened by a result (not a key) is not on screen yet: the run loop drops the
    /// keys typed before it is drawn (`confirm_drawn`).
    pub confirm_unseen: bool,
    next_id: RequestId,
}

impl App {
    pub fn new(ctx: Context, theme: Theme, keymap: Keymap, now: DateTime<Utc>) -> Self {
        App {
            ctx,
            theme,
            keymap,
            blade: BladeKind::Groups,
            nav_focus: false,
            nav_cursor: 0,
            stack: vec![View::List(ListView::new(ListSource::Blade(
                BladeKind::Groups,
            )))],
            overlay: Overlay::None,
            toast: None,
            messages: Vec::new(),
            now,
            quit: false,
            quit_armed: false,
            quit_confirms: false,
            dirty: true,
            write: None,
            tenant: tenant::TenantState::default(),
            wizard: None,
            editor: None,
            import: None,
            switch_request: None,
            cache_damaged: false,
            overlay_scroll_max: std::cell::Cell::new(u16::MAX),
            pending_read: None,
            walk: None,
            confirm_unseen: false,
            next_id: 1,
        }
    }

    /// A new profile is connected: start over on the same blade with the new context.
    pub fn switched(&mut self, ctx: Context) -> Vec<Effect> {
        let profile = ctx.profile.clone();
        // The data folder is the same whichever profile is signed in.
        let plans = ctx.plans.clone().or_else(|| self.ctx.plans.clone());
        self.ctx = ctx;
        self.ctx.plans = plans;
        // Everything read from the previous tenant goes, and so do the ids of its reads (the
        // runner aborted them): a user's roles, names, scopes and protection are the new
        // tenant's, and the next loads are not skipped as "already in flight".
        self.write = None;
        self.editor = None;
        self.wizard = None;
        self.tenant = tenant::TenantState::default();
        self.switch_request = None;
        // A verb's read of the old tenant (the units before an assignment) is not continued.
        self.pending_read = None;
        self.overlay = Overlay::None;
        self.toast(format!("now on profile {profile}"), false);
        self.switch_blade(self.blade)
    }

    /// The effects to run at start: load the first blade.
    pub fn init(&mut self) -> Vec<Effect> {
        let mut effects = self.reload_top();
        // Badges from the last audit kept in the cache, until the Findings blade runs.
        effects.push(Effect::LoadCachedFindings {
            break_glass: self.ctx.break_glass.clone(),
            waivers: self.ctx.waivers.clone(),
        });
        // The time-boxed exclusions the journal holds (the due ones said at start).
        let id = self.fresh_id();
        self.tenant.exceptions_read = Some(id);
        effects.push(Effect::LoadJournal { id });
        effects
    }

    /// The journal was read at start: the open exceptions kept, the due ones said.
    fn on_exceptions(&mut self, items: &[serde_json::Value]) {
        self.tenant.exceptions_read = None;
        self.tenant.exceptions = crate::exceptions::open(items);
        let due = self
            .tenant
            .exceptions
            .iter()
            .filter(|e| e.due <= self.now)
            .count();
        if due > 0 {
            self.toast(
                format!(
                    "{due} time-boxed exclusion{} due: entra-console revert-due puts {} back",
                    if due == 1 { " is" } else { "s are" },
                    if due == 1 { "it" } else { "them" }
                ),
                false,
            );
        }
    }

    pub fn top(&self) -> &View {
        // The stack is never empty: Back stops at the blade's list.
        &self.stack[self.stack.len() - 1]
    }

    pub fn top_mut(&mut self) -> &mut View {
        let n = self.stack.len() - 1;
        &mut self.stack[n]
    }

    /// The breadcrumb trail.
    pub fn breadcrumbs(&self) -> Vec<String> {
        self.stack.iter().map(View::title).collect()
    }

    fn fresh_id(&mut self) -> RequestId {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// What would be lost by quitting now, if anything.
    pub fn unsaved_draft(&self) -> Option<String> {
        if let Some(w) = &self.write
            && !matches!(w.phase, write::Phase::Done(_))
        {
            return Some(format!(
                "the change \"{}\"",
                crate::sanitize::clean(w.title.trim())
            ));
        }
        self.editor.as_ref().filter(|e| e.changed()).map(|e| {
            format!(
                "the draft in the editor ({})",
                crate::sanitize::clean(&e.title)
            )
        })
    }

    /// Quit, unless a draft would be lost: then say so, and quit on the next quit key.
    pub(super) fn ask_quit(&mut self) {
        match self.unsaved_draft() {
            Some(what) if !self.quit_confirms => {
                self.quit_armed = true;
                self.toast(
                    format!("{what} is not saved: Ctrl-C or q again quits and loses it; any other key keeps it"),
                    true,
                );
            }
            _ => self.quit = true,
        }
    }

    /// Show a message in the status bar for a few seconds.
    pub fn toast(&mut self, text: impl Into<String>, error: bool) {
        let toast = self.log(text, error);
        self.toast = Some(toast);
        self.dirty = true;
    }

    /// Keep a message in the session's log (`:messages`) without showing it in the status bar
    /// (a panel on screen says it already).
    pub fn log(&mut self, text: impl Into<String>, error: bool) -> Toast {
        let toast = Toast {
            at: self.now,
            text: text.into(),
            error,
            until: self.now + chrono::Duration::seconds(4),
        };
        // The log keeps the last 500 messages whole.
        if self.messages.len() >= 500 {
            self.messages.remove(0);
        }
        self.messages.push(toast.clone());
        toast
    }
}

#[cfg(test)]
mod tests;

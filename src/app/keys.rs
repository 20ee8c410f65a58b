//! Keys first: who takes a key (quit, text inputs, overlays, a confirm, the editor, the
//! filter prompt) before the keymap turns it into an action.

use super::view::{ListView, View};
use super::{Action, App, Effect, Overlay};
use crate::blades::ListSource;
use crate::keymap::Scope;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

impl App {
    /// Keys while the help or the messages are open: j/k scroll, any other key closes.
    fn overlay_key(&mut self, code: KeyCode) -> Vec<Effect> {
        let max = self.overlay_scroll_max.get();
        if let Overlay::Help { scroll } | Overlay::Messages { scroll } = &mut self.overlay {
            match code {
                KeyCode::Down | KeyCode::Char('j') => *scroll = scroll.saturating_add(1).min(max),
                KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
                KeyCode::PageDown => *scroll = scroll.saturating_add(10).min(max),
                KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
                _ => self.overlay = Overlay::None,
            }
        }
        self.dirty = true;
        Vec::new()
    }

    fn scopes(&self) -> Vec<Scope> {
        if self.nav_focus {
            return vec![Scope::Nav, Scope::List, Scope::Global];
        }
        match self.top() {
            View::List(_) => vec![Scope::List, Scope::Global],
            View::Detail(_) => vec![Scope::Detail, Scope::Global],
        }
    }

    pub(super) fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.kind == KeyEventKind::Release {
            return Vec::new();
        }
        let ctrl_c =
            key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
        // A quit key right after the unsaved-draft warning confirms it; any other key keeps
        // the draft.
        self.quit_confirms = std::mem::take(&mut self.quit_armed);
        if ctrl_c || (self.quit_confirms && key.code == KeyCode::Char('q')) {
            self.ask_quit();
            return Vec::new();
        }
        if self.quit_confirms {
            self.toast("kept: nothing was discarded", false);
        }
        // Between a walk's stages, while the next one reads what it needs, a key has nothing
        // of the walk's to act on: it is not passed to the list underneath (an Enter typed
        // ahead opened a page under the next confirm).
        if let Some(w) = &self.walk
            && self.write.is_none()
            && matches!(self.overlay, Overlay::None)
            && self.pending_read.is_some()
        {
            let title = w.walk.title.clone();
            self.toast(
                format!("{title}: reading before the next step; that key was not used"),
                false,
            );
            return Vec::new();
        }
        // Text inputs take the keys first.
        if let Overlay::Palette(_) = self.overlay {
            return self.palette_key(key);
        }
        if let Overlay::Picker(_) = self.overlay {
            return self.picker_key(key);
        }
        if let Overlay::Import { .. } = self.overlay {
            return self.import_key(key.code);
        }
        // An overlay drawn over a confirm takes the keys before it (Enter typed for
        // `:messages` once applied the confirm underneath).
        if matches!(
            self.overlay,
            Overlay::Help { .. } | Overlay::Messages { .. }
        ) {
            return self.overlay_key(key.code);
        }
        if let Some(effects) = self.write_key(key) {
            return effects;
        }
        if self.editor.is_some() {
            return self.editor_key(key);
        }
        if let View::List(l) = self.top_mut()
            && l.editing
        {
            let mut f = l.table.filter.clone();
            if crate::widgets::input::edit(&mut f, &mut l.filter_cursor, key) {
                // A cursor move has nothing to match again.
                let job = (f != l.table.filter).then(|| {
                    l.table.set_filter(&f);
                    l.table.take_job()
                });
                self.dirty = true;
                return job.flatten().map(Effect::Filter).into_iter().collect();
            }
            match key.code {
                KeyCode::Enter => {
                    l.editing = false;
                    // `?…` on a blade that answers queries (Users: `$search`) asks for them
                    // instead of filtering what was read.
                    let query = match &l.source {
                        ListSource::Blade(b) if b.def().query.is_some() => l
                            .table
                            .filter
                            .strip_prefix('?')
                            .map(|q| (*b, q.trim().to_string()))
                            .filter(|(_, q)| !q.is_empty()),
                        _ => None,
                    };
                    if let Some((blade, query)) = query {
                        l.table.set_filter("");
                        let source = ListSource::Query { blade, query };
                        return self.push(View::List(ListView::new(source)));
                    }
                    self.dirty = true;
                    return Vec::new();
                }
                KeyCode::Esc => {
                    l.editing = false;
                    l.table.set_filter("");
                    self.dirty = true;
                    return Vec::new();
                }
                _ => {}
            }
        }
        if let Overlay::Help { .. } | Overlay::Messages { .. } = self.overlay {
            return self.overlay_key(key.code);
        }
        let here = super::hints::view_actions(self.top());
        let answers =
            |a: Action| !matches!(a, Action::Verb(_)) || here.iter().any(|(x, _)| *x == a);
        match self
            .keymap
            .lookup_where(&key, &self.scopes(), Some(self.key_blade()), &answers)
        {
            Some(a) => self.act(a),
            // A letter that means nothing here is said, not silently dropped.
            None => {
                if let KeyCode::Char(c) = key.code
                    && !key.modifiers.contains(KeyModifiers::CONTROL)
                    && !c.is_whitespace()
                {
                    let here = crate::sanitize::clean(&self.top().title());
                    self.toast(
                        format!("{c} does nothing on {here} (? lists the keys)"),
                        false,
                    );
                }
                Vec::new()
            }
        }
    }
}

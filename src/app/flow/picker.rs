//! The picker's keys: type, search, pick; Enter hands the choice to what the picker is for (state:
//! `app::picker`).

use crate::app::picker::{GROUP_KINDS, Purpose, Stage};
use crate::app::{App, Effect, Overlay, RequestId};
use crate::graph::GraphError;
use crossterm::event::{KeyCode, KeyEvent};
use serde_json::Value;

impl App {
    pub(crate) fn picker_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Overlay::Picker(p) = &mut self.overlay else {
            return Vec::new();
        };
        self.dirty = true;
        match (&mut p.stage, key.code) {
            (_, KeyCode::Esc) => {
                // Dropping step 1's name ends the guided setup.
                if matches!(p.purpose, Some(Purpose::ProtectContext { .. })) {
                    self.wizard = None;
                }
                self.overlay = Overlay::None
            }
            // ↑↓ (and j/k, as in every list; h/l on a line of options).
            (
                Stage::Choose { selected, .. },
                KeyCode::Up | KeyCode::Left | KeyCode::Char('k' | 'h'),
            ) => *selected = selected.saturating_sub(1),
            (
                Stage::Choose { selected, options },
                KeyCode::Down | KeyCode::Right | KeyCode::Char('j' | 'l'),
            ) => *selected = (*selected + 1).min(options.len().saturating_sub(1)),
            (Stage::Choose { selected, .. }, KeyCode::Enter) => {
                let at = *selected;
                return self.chosen(at);
            }
            (Stage::Choose { .. }, _) => {}
            (Stage::Plans { selected, .. }, KeyCode::Up) => *selected = selected.saturating_sub(1),
            (Stage::Plans { selected, off, .. }, KeyCode::Down) => {
                *selected = (*selected + 1).min(off.len().saturating_sub(1))
            }
            (Stage::Plans { selected, off, .. }, KeyCode::Char(' ')) => {
                if let Some(o) = off.get_mut(*selected) {
                    *o = !*o;
                }
            }
            (Stage::Plans { sku, off, .. }, KeyCode::Enter) => {
                let (sku, off) = (sku.clone(), off.clone());
                return self.assign_licence(sku, off);
            }
            (Stage::Plans { .. }, _) => {}
            // Every text stage edits with the one input widget (Ctrl-U, Ctrl-W, Alt-B/F …).
            (_, _) if crate::widgets::input::edit(&mut p.input, &mut p.cursor, key) => {}
            (Stage::Name, KeyCode::Enter) => {
                let name = p.input.trim().to_string();
                if p.secret
                    && let Some(then) = p.then.clone()
                {
                    // A secret is handed as typed (spaces are characters of a password).
                    let typed = p.input.clone();
                    return self.prompt_entered(then, &typed);
                }
                if p.optional
                    && let Some(then) = p.then.clone()
                {
                    return self.prompt_entered(then, &name);
                }
                if name.is_empty() {
                    p.error = Some("a name is required".into());
                    return Vec::new();
                }
                if let Some(then) = p.then.clone() {
                    return self.prompt_entered(then, &name);
                }
                if let Some(Purpose::ProtectContext { id }) = p.purpose.clone() {
                    self.overlay = Overlay::None;
                    return self.wizard_context(id, name);
                }
                if let Some(Purpose::NewGroup) = p.purpose.clone() {
                    p.purpose = Some(Purpose::NewGroupKind { name: name.clone() });
                    p.title = format!(
                        "New group \"{}\": which kind",
                        crate::sanitize::clean(&name)
                    );
                    p.stage = Stage::Choose {
                        options: GROUP_KINDS.iter().map(|k| k.0.to_string()).collect(),
                        selected: 0,
                    };
                    p.error = None;
                    return Vec::new();
                }
                if let Some(Purpose::NewGroupRule { name: group, m365 }) = p.purpose.clone() {
                    // `name` is the rule here; Graph validates it (a 400 names what is wrong).
                    return self.ask_people(group, m365, Some(name));
                }
                return Vec::new();
            }
            (Stage::Search, KeyCode::Down) => {
                p.selected = (p.selected + 1).min(p.results.len().saturating_sub(1))
            }
            (Stage::Search, KeyCode::Up) => p.selected = p.selected.saturating_sub(1),
            (Stage::Search, KeyCode::Enter)
                if p.input.trim().is_empty()
                    && matches!(p.purpose, Some(Purpose::NewGroupPeople(_))) =>
            {
                return self.people_next();
            }
            (Stage::Search, KeyCode::Enter)
                if p.input.trim() != p.searched || p.results.is_empty() =>
            {
                if p.input.trim().is_empty() {
                    return Vec::new();
                }
                let id = self.fresh_id();
                let Overlay::Picker(p) = &mut self.overlay else {
                    return Vec::new();
                };
                p.searched = p.input.trim().to_string();
                p.request = Some(id);
                p.error = None;
                return vec![Effect::Search {
                    id,
                    query: p.searched.clone(),
                }];
            }
            (Stage::Search, KeyCode::Enter) => {
                let Some(principal) = p.results.get(p.selected).cloned() else {
                    return Vec::new();
                };
                if let Some(then) = p.picked.clone() {
                    return match (then.run)(&principal, &then.with) {
                        Ok(steps) => {
                            self.overlay = Overlay::None;
                            self.steps(steps)
                        }
                        Err(why) => {
                            p.error = Some(why);
                            Vec::new()
                        }
                    };
                }
                if let Some(Purpose::Exclude { policy }) = p.purpose.clone() {
                    return self.exclude(policy, principal);
                }
                if let Some(Purpose::NewGroupPeople(_)) = &p.purpose {
                    return self.people_picked(&principal);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// Enter on option `at` of a [`Stage::Choose`].
    fn chosen(&mut self, at: usize) -> Vec<Effect> {
        let Overlay::Picker(p) = &mut self.overlay else {
            return Vec::new();
        };
        if let Some(then) = p.chose.clone() {
            return match (then.run)(at, &then.with) {
                Ok(steps) => {
                    self.overlay = Overlay::None;
                    self.steps(steps)
                }
                Err(why) => {
                    p.error = Some(why);
                    Vec::new()
                }
            };
        }
        match p.purpose.clone() {
            Some(Purpose::NewGroupKind { name }) => {
                let Some(&(_, m365, dynamic)) = GROUP_KINDS.get(at) else {
                    return Vec::new();
                };
                if !dynamic {
                    return self.ask_people(name, m365, None);
                }
                p.purpose = Some(Purpose::NewGroupRule {
                    name: name.clone(),
                    m365,
                });
                p.title = format!(
                    "Membership rule of \"{}\" (e.g. user.department -eq \"Sales\")",
                    crate::sanitize::clean(&name)
                );
                p.stage = Stage::Name;
                p.input.clear();
                Vec::new()
            }
            Some(Purpose::Licence(l)) => self.licence_chosen(*l, at),
            _ => Vec::new(),
        }
    }

    pub(crate) fn on_search(&mut self, id: RequestId, results: Result<Vec<Value>, GraphError>) {
        let Overlay::Picker(p) = &mut self.overlay else {
            return;
        };
        if p.request != Some(id) {
            return;
        }
        p.request = None;
        p.selected = 0;
        match results {
            Ok(r) => p.results = r,
            Err(e) => p.error = Some(e.to_string()),
        }
        self.dirty = true;
    }
}

//! The `:` palette's keys and what Enter on a command does (its matching and completion:
//! `app::palette`).

use crate::app::palette::{Command, palette_matches};
use crate::app::{App, Effect, Overlay};
use crossterm::event::{KeyCode, KeyEvent};

impl App {
    pub(crate) fn palette_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Overlay::Palette(p) = &mut self.overlay else {
            return Vec::new();
        };
        self.dirty = true;
        match key.code {
            KeyCode::Esc => self.overlay = Overlay::None,
            _ if crate::widgets::input::edit(&mut p.input, &mut p.cursor, key) => {
                p.selected = 0;
            }
            KeyCode::Down => {
                p.selected = (p.selected + 1).min(
                    palette_matches(&p.input, &self.ctx.profiles)
                        .len()
                        .saturating_sub(1),
                )
            }
            KeyCode::Up => p.selected = p.selected.saturating_sub(1),
            KeyCode::Tab => {
                if let Some((name, _)) =
                    palette_matches(&p.input, &self.ctx.profiles).get(p.selected)
                {
                    p.input.clone_from(name);
                    p.cursor = None;
                }
            }
            KeyCode::Enter => {
                let cmd = palette_matches(&p.input, &self.ctx.profiles)
                    .get(p.selected)
                    .map(|(_, c)| c.clone());
                let typed = p.input.clone();
                self.overlay = Overlay::None;
                return match cmd {
                    Some(Command::Blade(b)) => self.switch_blade(b),
                    Some(Command::WhoCan(p)) => self.who_can(p),
                    Some(Command::Protect(force)) => self.start_protect(force),
                    Some(Command::WhatIf(q)) => self.what_if(&q),
                    Some(Command::Context(name)) => {
                        // Another tenant cannot take this one's draft: keep it.
                        if let Some(what) = self.unsaved_draft() {
                            self.toast(
                                format!(
                                    "{what} is not saved: save it or drop it (Esc) before :ctx"
                                ),
                                true,
                            );
                            return Vec::new();
                        }
                        self.toast(format!("switching to profile {name}…"), false);
                        let id = self.fresh_id();
                        self.switch_request = Some(id);
                        vec![Effect::SwitchProfile { id, name }]
                    }
                    Some(Command::Import(path)) => self.start_import(&path),
                    Some(Command::Plan(path)) => self.open_plan(&path),
                    Some(Command::Contain(user)) if user.is_empty() => {
                        self.toast("contain USER: a UPN or an object id", true);
                        Vec::new()
                    }
                    Some(Command::Contain(_)) if self.ctx.read_only => {
                        self.toast("read-only mode: writes are disabled", true);
                        Vec::new()
                    }
                    Some(Command::Contain(user)) => {
                        self.steps(crate::blades::user_verbs::contain_user(&user))
                    }
                    Some(Command::Messages) => {
                        self.overlay = Overlay::Messages { scroll: 0 };
                        Vec::new()
                    }
                    Some(Command::Help) => {
                        self.overlay = Overlay::Help { scroll: 0 };
                        Vec::new()
                    }
                    Some(Command::Quit) => {
                        self.ask_quit();
                        Vec::new()
                    }
                    None => {
                        let typed = crate::sanitize::clean(typed.trim());
                        let msg = match typed.strip_prefix("ctx ") {
                            // A profile that is not in config.toml: say which ones are.
                            Some(name) => format!(
                                "no profile \"{}\" (profiles: {})",
                                name.trim(),
                                self.ctx.profiles.join(", ")
                            ),
                            None => format!(
                                "no blade or command named \"{typed}\" (: then Tab lists them)"
                            ),
                        };
                        self.toast(msg, true);
                        Vec::new()
                    }
                };
            }
            _ => {}
        }
        Vec::new()
    }
}

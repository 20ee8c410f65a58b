//! The `:` palette: blades, `:ctx`, `:whocan`, `:whatif`, `:protect`, messages, help and quit, matched as
//! you type (prefix first), Tab to complete, Enter to run.

use super::{App, Effect, Overlay};
use crate::blades::BladeKind;
use crossterm::event::{KeyCode, KeyEvent};

/// A palette entry: what `:name` does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Blade(BladeKind),
    /// `:ctx NAME`: switch to another profile without restarting.
    Context(String),
    /// `:whocan PERMISSION`.
    WhoCan(String),
    /// `:protect` (`:protect new`: set up a new context even when one protects already).
    Protect(bool),
    /// `:whatif USER [key=value ...]`.
    WhatIf(String),
    /// `:messages`: the log of status messages.
    Messages,
    /// `:import FILE`: bulk-add members to the group whose members are open.
    Import(String),
    Help,
    Quit,
}

/// Palette entries matching the input (prefix matches first, then substring).
pub fn palette_matches(input: &str, profiles: &[String]) -> Vec<(String, Command)> {
    let mut all: Vec<(String, Command)> = BladeKind::ALL
        .iter()
        .map(|b| (b.command().to_string(), Command::Blade(*b)))
        .collect();
    all.extend(
        profiles
            .iter()
            .map(|p| (format!("ctx {p}"), Command::Context(p.clone()))),
    );
    let typed = input.trim();
    match typed
        .strip_prefix("whocan ")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(perm) => all.push((format!("whocan {perm}"), Command::WhoCan(perm.to_string()))),
        None => all.push((
            "whocan microsoft.directory/conditionalAccessPolicies/create".into(),
            Command::WhoCan("microsoft.directory/conditionalAccessPolicies/create".into()),
        )),
    }
    match typed
        .strip_prefix("whatif ")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(q) => all.push((format!("whatif {q}"), Command::WhatIf(q.to_string()))),
        None => all.push(("whatif ".into(), Command::WhatIf(String::new()))),
    }
    match typed.strip_prefix("import ").map(str::trim) {
        Some(path) if !path.is_empty() => {
            all.push((format!("import {path}"), Command::Import(path.to_string())))
        }
        _ => all.push(("import ".into(), Command::Import(String::new()))),
    }
    all.push(("protect".into(), Command::Protect(false)));
    all.push(("protect new".into(), Command::Protect(true)));
    all.push(("messages".into(), Command::Messages));
    all.push(("help".into(), Command::Help));
    all.push(("quit".into(), Command::Quit));
    let q = input.trim().to_lowercase();
    let (mut prefix, rest): (Vec<_>, Vec<_>) = all
        .into_iter()
        .filter(|(n, _)| n.to_lowercase().contains(&q))
        .partition(|(n, _)| n.to_lowercase().starts_with(&q));
    prefix.extend(rest);
    // An exact name wins (`protect` before `protected-actions`).
    prefix.sort_by_key(|(n, _)| n.to_lowercase() != q);
    prefix
}

impl App {
    pub(super) fn palette_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Overlay::Palette(p) = &mut self.overlay else {
            return Vec::new();
        };
        self.dirty = true;
        match key.code {
            KeyCode::Esc => self.overlay = Overlay::None,
            KeyCode::Char(c) => {
                p.input.push(c);
                p.selected = 0;
            }
            KeyCode::Backspace => {
                p.input.pop();
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

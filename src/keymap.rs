//! The keymap: key chords to `Action`s per context, loaded from `assets/keymap.toml` and an
//! optional user file; every binding carries the description the help overlay shows.

use crate::action::Action;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use std::path::Path;

pub const DEFAULT_KEYMAP: &str = include_str!("../assets/keymap.toml");

/// Where a binding applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Global,
    List,
    Detail,
    Nav,
}

/// A key with modifiers, as written in the keymap (`ctrl-c`, `G`, `pgdn`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chord {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Chord {
    pub fn parse(s: &str) -> Result<Chord, String> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                mods |= KeyModifiers::CONTROL;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                mods |= KeyModifiers::ALT;
                rest = r;
            } else {
                break;
            }
        }
        let code = match rest {
            "esc" => KeyCode::Esc,
            "enter" => KeyCode::Enter,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "pgup" => KeyCode::PageUp,
            "pgdn" => KeyCode::PageDown,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "space" => KeyCode::Char(' '),
            f if f.starts_with('f') && f.len() > 1 && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            c if c.chars().count() == 1 => KeyCode::Char(c.chars().next().unwrap_or(' ')),
            other => return Err(format!("unknown key \"{other}\"")),
        };
        Ok(Chord { code, mods })
    }

    /// Does a terminal key event match? Shift is implied by the character for printable keys.
    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let mods = ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT);
        let code = match ev.code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            c => c,
        };
        code == self.code && mods == self.mods
    }

    pub fn label(&self) -> String {
        let mut s = String::new();
        if self.mods.contains(KeyModifiers::CONTROL) {
            s.push_str("Ctrl-");
        }
        if self.mods.contains(KeyModifiers::ALT) {
            s.push_str("Alt-");
        }
        s.push_str(&match self.code {
            KeyCode::Esc => "Esc".into(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::Char(' ') => "Space".into(),
            KeyCode::Char(c) => c.to_string(),
            _ => "?".into(),
        });
        s
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBinding {
    action: String,
    keys: Vec<String>,
    #[serde(default)]
    context: Option<Scope>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKeymap {
    #[serde(default)]
    binding: Vec<RawBinding>,
    /// `[[blade.ca-policies.binding]]`: bindings that apply on one blade only (its lists and
    /// pages), before the general ones.
    #[serde(default)]
    blade: std::collections::BTreeMap<String, RawSection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    #[serde(default)]
    binding: Vec<RawBinding>,
}

/// One binding: action, keys, scope and its help text.
#[derive(Clone, Debug)]
pub struct Binding {
    pub action: Action,
    pub keys: Vec<Chord>,
    pub scope: Scope,
    pub description: String,
    /// The blade (its command) the binding is limited to, if it is.
    pub blade: Option<String>,
}

/// All bindings, in file order.
#[derive(Clone, Debug)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

fn parse_bindings(text: &str, require_description: bool) -> Result<Vec<Binding>, String> {
    let raw: RawKeymap = toml::from_str(text).map_err(|e| e.message().to_string())?;
    let mut all: Vec<(Option<String>, RawBinding)> =
        raw.binding.into_iter().map(|b| (None, b)).collect();
    for (blade, section) in raw.blade {
        if crate::blades::BladeKind::from_command(&blade).is_none() {
            return Err(format!("unknown blade \"{blade}\" in [blade.{blade}]"));
        }
        all.extend(
            section
                .binding
                .into_iter()
                .map(|b| (Some(blade.clone()), b)),
        );
    }
    all.into_iter()
        .map(|(blade, b)| {
            let scope = b.context.unwrap_or(Scope::Global);
            let (action, blade) = resolve(&b.action, blade, scope)
                .ok_or_else(|| format!("unknown action \"{}\"", b.action))?;
            let keys = b
                .keys
                .iter()
                .map(|k| Chord::parse(k))
                .collect::<Result<Vec<_>, _>>()?;
            let description = match b.description {
                Some(d) if !d.trim().is_empty() => d,
                _ if require_description => {
                    return Err(format!("binding \"{}\" has no description", b.action));
                }
                _ => String::new(),
            };
            Ok(Binding {
                action,
                keys,
                scope,
                description,
                blade,
            })
        })
        .collect()
}

/// What a binding's `action` names: a shell action (`page-down`), a blade's verb as
/// `blade:verb` (`risky-users:compromised`), or, in a `[blade.NAME]` section, that blade's
/// verb by its name alone. A verb is bound on its blade, on its list or (`context = "detail"`)
/// its page.
fn resolve(name: &str, section: Option<String>, scope: Scope) -> Option<(Action, Option<String>)> {
    let (blade, verb) = match name.split_once(':') {
        Some((b, v)) => (Some(b.to_string()), v),
        None => (section.clone(), name),
    };
    if let Some(b) = blade
        .as_deref()
        .and_then(crate::blades::BladeKind::from_command)
    {
        let page = scope == Scope::Detail;
        if let Some(v) = b.verb(verb, page).or_else(|| b.verb(verb, !page)) {
            let action = Action::Verb(crate::blades::VerbRef(v));
            return Some((action, Some(b.command().to_string())));
        }
    }
    if name.contains(':') {
        return None;
    }
    if let Some(a) = Action::from_name(name) {
        return Some((a, section));
    }
    // A verb name bound everywhere: the view on top's verb of that name.
    crate::blades::GENERIC
        .iter()
        .find(|v| v.name == name)
        .map(|v| (Action::Verb(crate::blades::VerbRef(v)), section))
}

/// The default bindings of every blade's verbs, on the blade that declares them.
fn verb_bindings() -> Vec<Binding> {
    let mut out = Vec::new();
    for b in crate::blades::BladeKind::ALL {
        for (page, scope) in [(false, Scope::List), (true, Scope::Detail)] {
            for v in b.verbs(page) {
                out.push(Binding {
                    action: Action::Verb(crate::blades::VerbRef(v)),
                    // Declared keys are checked by a unit test.
                    keys: v.keys.iter().filter_map(|k| Chord::parse(k).ok()).collect(),
                    scope,
                    description: v.help.to_string(),
                    blade: Some(b.command().to_string()),
                });
            }
        }
    }
    for page in crate::blades::PAGES {
        for v in page.def().verbs {
            out.push(Binding {
                action: Action::Verb(crate::blades::VerbRef(v)),
                keys: v.keys.iter().filter_map(|k| Chord::parse(k).ok()).collect(),
                scope: Scope::Detail,
                description: v.help.to_string(),
                blade: None,
            });
        }
    }
    out
}

impl Keymap {
    pub fn builtin() -> Keymap {
        // The embedded default is checked by a unit test, so this cannot fail in a release.
        let mut bindings = parse_bindings(DEFAULT_KEYMAP, true).unwrap_or_default();
        bindings.extend(verb_bindings());
        Keymap { bindings }
    }

    /// The default keymap with a user file's bindings replacing the keys of the actions it names
    /// (in the same context). A bad user file is reported and ignored.
    pub fn load(user_file: Option<&Path>) -> (Keymap, Option<String>) {
        let mut km = Keymap::builtin();
        let Some(path) = user_file else {
            return (km, None);
        };
        let Ok(text) = std::fs::read_to_string(path) else {
            return (km, None);
        };
        match parse_bindings(&text, false) {
            Ok(user) => {
                for u in user {
                    match km
                        .bindings
                        .iter_mut()
                        .find(|b| b.action == u.action && b.scope == u.scope && b.blade == u.blade)
                    {
                        Some(b) => b.keys = u.keys,
                        None => km.bindings.push(Binding {
                            description: if u.description.is_empty() {
                                u.action.name().to_string()
                            } else {
                                u.description.clone()
                            },
                            ..u
                        }),
                    }
                }
                (km, None)
            }
            Err(e) => (
                km,
                Some(format!(
                    "keymap {}: {e}; using the default keymap",
                    path.display()
                )),
            ),
        }
    }

    /// The action for a key in the given scopes (earlier scopes win) on `blade`: in each
    /// scope the blade's own bindings first, then the general ones.
    pub fn lookup(&self, ev: &KeyEvent, scopes: &[Scope], blade: Option<&str>) -> Option<Action> {
        self.lookup_where(ev, scopes, blade, &|_| true)
    }

    /// [`Keymap::lookup`] among the actions `answers` takes (a verb the view on top does not
    /// declare is passed over: a blade's list verbs are not its sub-lists').
    pub fn lookup_where(
        &self,
        ev: &KeyEvent,
        scopes: &[Scope],
        blade: Option<&str>,
        answers: &dyn Fn(Action) -> bool,
    ) -> Option<Action> {
        scopes.iter().find_map(|s| {
            let here = |b: &&Binding| {
                b.scope == *s && b.keys.iter().any(|k| k.matches(ev)) && answers(b.action)
            };
            self.bindings
                .iter()
                .filter(|b| b.blade.is_some() && b.blade.as_deref() == blade)
                .find(here)
                .or_else(|| {
                    self.bindings
                        .iter()
                        .filter(|b| b.blade.is_none())
                        .find(here)
                })
                .map(|b| b.action)
        })
    }

    /// The first key bound to an action, for hints ("? help").
    pub fn hint(&self, action: Action) -> Option<String> {
        self.hint_on(action, None)
    }

    /// The first key bound to an action on `blade` (its own binding first).
    pub fn hint_on(&self, action: Action, blade: Option<&str>) -> Option<String> {
        self.bindings
            .iter()
            .filter(|b| b.blade.is_some() && b.blade.as_deref() == blade)
            .chain(self.bindings.iter().filter(|b| b.blade.is_none()))
            // A verb declared without keys is bound by its generic name.
            .find(|b| b.action == action && !b.keys.is_empty())
            .and_then(|b| b.keys.first())
            .map(Chord::label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(c, m)
    }

    #[test]
    fn every_declared_verb_key_parses() {
        let pages: Vec<&crate::blades::Verb> = crate::blades::PAGES
            .iter()
            .flat_map(|p| p.def().verbs)
            .collect();
        for b in crate::blades::BladeKind::ALL {
            for v in b
                .verbs(false)
                .iter()
                .chain(b.verbs(true))
                .chain(pages.iter().copied())
            {
                // A verb without keys of its own is bound by its generic name.
                let generic = crate::blades::GENERIC.iter().any(|g| g.name == v.name);
                assert!(
                    !v.keys.is_empty() || generic,
                    "{}:{} has no key",
                    b.command(),
                    v.name
                );
                for k in v.keys {
                    assert!(
                        Chord::parse(k).is_ok(),
                        "{}:{} key {k}",
                        b.command(),
                        v.name
                    );
                }
                // A verb's help describes its own binding; one bound by its generic name is
                // described by the keymap's general binding. Only Enter's verb goes unnamed
                // on the status bar.
                assert!(
                    (v.keys.is_empty() || !v.help.is_empty())
                        && (!v.label.is_empty() || v.keys == ["enter"]),
                    "{}",
                    v.name
                );
            }
        }
    }

    #[test]
    fn default_keymap_parses_and_every_binding_is_described() {
        let b = parse_bindings(DEFAULT_KEYMAP, true).unwrap();
        assert!(b.len() >= 15);
        assert!(
            b.iter()
                .all(|b| !b.description.is_empty() && !b.keys.is_empty())
        );
    }

    #[test]
    fn lookup_respects_scope_and_modifiers() {
        let km = Keymap::builtin();
        let q = key(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(
            km.lookup(&q, &[Scope::List, Scope::Global], None),
            Some(Action::Quit)
        );
        let cc = key(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(km.lookup(&cc, &[Scope::Global], None), Some(Action::Quit));
        let big_g = key(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(
            km.lookup(&big_g, &[Scope::Global], None),
            Some(Action::Bottom)
        );
        let tab = key(KeyCode::Tab, KeyModifiers::NONE);
        assert_eq!(
            km.lookup(&tab, &[Scope::Detail, Scope::Global], None),
            Some(Action::NextTab)
        );
        assert_eq!(
            km.lookup(&tab, &[Scope::List, Scope::Global], None),
            Some(Action::FocusNav)
        );
    }

    #[test]
    fn user_file_overrides_keys() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("keymap.toml");
        std::fs::write(
            &p,
            "[[binding]]\naction = \"quit\"\nkeys = [\"x\"]\ncontext = \"global\"\n",
        )
        .unwrap();
        let (km, warn) = Keymap::load(Some(&p));
        assert!(warn.is_none());
        assert_eq!(
            km.lookup(
                &key(KeyCode::Char('x'), KeyModifiers::NONE),
                &[Scope::Global],
                None
            ),
            Some(Action::Quit)
        );
        assert_eq!(
            km.lookup(
                &key(KeyCode::Char('q'), KeyModifiers::NONE),
                &[Scope::Global],
                None
            ),
            None
        );
    }

    #[test]
    fn a_blade_section_binds_on_that_blade_only() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("keymap.toml");
        std::fs::write(
            &p,
            "[[blade.ca-policies.binding]]\naction = \"remove\"\nkeys = [\"x\"]\ncontext = \"list\"\ndescription = \"Delete the policy\"\n",
        )
        .unwrap();
        let (km, warn) = Keymap::load(Some(&p));
        assert!(warn.is_none(), "{warn:?}");
        let x = key(KeyCode::Char('x'), KeyModifiers::NONE);
        let scopes = [Scope::List, Scope::Global];
        let name = |a: Option<Action>| match a {
            Some(Action::Verb(v)) => Some(v.0.name),
            _ => None,
        };
        assert_eq!(
            name(km.lookup(&x, &scopes, Some("ca-policies"))),
            Some("remove")
        );
        assert_ne!(name(km.lookup(&x, &scopes, Some("groups"))), Some("remove"));
        let remove = crate::blades::GENERIC
            .iter()
            .find(|v| v.name == "remove")
            .map(|v| Action::Verb(crate::blades::VerbRef(v)))
            .unwrap();
        assert_eq!(
            km.hint_on(remove, Some("ca-policies")).as_deref(),
            Some("x")
        );
        assert_eq!(km.hint_on(remove, Some("groups")).as_deref(), Some("d"));
        std::fs::write(
            &p,
            "[[blade.nonsense.binding]]\naction = \"quit\"\nkeys = [\"x\"]\n",
        )
        .unwrap();
        let (_, warn) = Keymap::load(Some(&p));
        assert!(warn.unwrap().contains("unknown blade \"nonsense\""));
    }

    #[test]
    fn bad_user_file_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("keymap.toml");
        std::fs::write(&p, "[[binding]]\naction = \"explode\"\nkeys = [\"x\"]\n").unwrap();
        let (km, warn) = Keymap::load(Some(&p));
        assert!(warn.unwrap().contains("explode"));
        assert!(
            km.lookup(
                &key(KeyCode::Char('q'), KeyModifiers::NONE),
                &[Scope::Global],
                None
            )
            .is_some()
        );
    }
}

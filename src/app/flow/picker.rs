//! The picker's keys: type, search, pick; Enter hands the choice to what the picker is for (state:
//! `app::picker`).

use crate::app::picker::{DURATIONS, GROUP_KINDS, Picker, Purpose, Stage, assign_request};
use crate::app::{App, Effect, Overlay, RequestId};
use crate::graph::GraphError;
use crossterm::event::{KeyCode, KeyEvent};
use serde_json::{Value, json};

impl App {
    /// Open the picker to assign the role whose assignments are shown.
    pub fn open_assign(&mut self, eligible: bool) -> Vec<Effect> {
        let on_assignments = matches!(self.top(), crate::app::View::List(l) if matches!(l.source, crate::blades::ListSource::RoleAssignments { .. }));
        if !on_assignments {
            return Vec::new();
        }
        if self.ctx.read_only {
            self.toast("read-only mode: writes are disabled", true);
            return Vec::new();
        }
        let how = if eligible {
            "eligible through PIM"
        } else {
            "active, permanent"
        };
        let load = if self.tenant.scopes.wanted() {
            let id = self.fresh_id();
            self.tenant.scopes = crate::app::tenant::Loadable::Loading(id);
            vec![Effect::LoadScopes { id }]
        } else {
            Vec::new()
        };
        let crate::app::View::List(l) = self.top() else {
            return Vec::new();
        };
        let crate::blades::ListSource::RoleAssignments { role_id, role_name } = &l.source else {
            return Vec::new();
        };
        self.overlay = Overlay::Picker(Box::new(Picker {
            title: format!("Assign {role_name} ({how}): type a name, Enter searches"),
            purpose: Some(Purpose::Assign {
                role_id: role_id.clone(),
                role_name: role_name.clone(),
                eligible,
            }),
            ..Default::default()
        }));
        self.dirty = true;
        load
    }

    /// The confirm step for the picked principal.
    fn assign(&mut self, principal: Value, pim: Option<(String, usize)>) -> Vec<Effect> {
        let Overlay::Picker(p) = std::mem::take(&mut self.overlay) else {
            return Vec::new();
        };
        let Some(Purpose::Assign {
            role_id, role_name, ..
        }) = p.purpose
        else {
            return Vec::new();
        };
        let pid = principal["id"].as_str().unwrap_or_default().to_string();
        let name = crate::sanitize::clean(principal["displayName"].as_str().unwrap_or(&pid));
        let (title, request) = match &pim {
            Some((why, d)) => {
                let (label, duration) = DURATIONS[*d];
                (
                    format!(
                        "Assign {role_name} to {name} (eligible through PIM, {label}; justification: {})",
                        crate::sanitize::clean(why)
                    ),
                    assign_request(&role_id, &pid, Some((why, duration))),
                )
            }
            None => (
                format!("Assign {role_name} to {name} (active, permanent)"),
                assign_request(&role_id, &pid, None),
            ),
        };
        // The scope: the tenant or an administrative unit.
        let options: Vec<(String, Value)> = self
            .tenant
            .scopes
            .ready()
            .cloned()
            .unwrap_or_else(|| vec![("tenant".into(), "/".into())])
            .into_iter()
            .map(|(n, s)| (n, json!(s)))
            .collect();
        let choice = crate::app::write::Choice {
            refill: None,
            field: "directoryScopeId".into(),
            current: Value::Null,
            options,
            selected: 0,
        };
        self.begin_write(title, pid, request, Some(choice), None)
    }

    pub(crate) fn picker_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Overlay::Picker(p) = &mut self.overlay else {
            return Vec::new();
        };
        self.dirty = true;
        let eligible = matches!(p.purpose, Some(Purpose::Assign { eligible: true, .. }));
        match (&mut p.stage, key.code) {
            (_, KeyCode::Esc) => {
                // Dropping step 1's name ends the guided setup.
                if matches!(p.purpose, Some(Purpose::ProtectContext { .. })) {
                    self.wizard = None;
                }
                self.overlay = Overlay::None
            }
            (Stage::Duration { selected, .. }, KeyCode::Left) => {
                *selected = selected.saturating_sub(1)
            }
            (Stage::Duration { selected, .. }, KeyCode::Right) => {
                *selected = (*selected + 1).min(DURATIONS.len() - 1)
            }
            (
                Stage::Duration {
                    principal,
                    justification,
                    selected,
                },
                KeyCode::Enter,
            ) => {
                let pim = Some((justification.clone(), *selected));
                let principal = principal.clone();
                return self.assign(principal, pim);
            }
            (Stage::Duration { .. }, _) => {}
            (Stage::Choose { selected, .. }, KeyCode::Up | KeyCode::Left) => {
                *selected = selected.saturating_sub(1)
            }
            (Stage::Choose { selected, options }, KeyCode::Down | KeyCode::Right) => {
                *selected = (*selected + 1).min(options.len().saturating_sub(1))
            }
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
            (Stage::Justify { principal }, KeyCode::Enter) => {
                let why = p.input.trim().to_string();
                if why.is_empty() {
                    p.error = Some("PIM asks for a justification".into());
                } else {
                    let principal = principal.clone();
                    p.stage = Stage::Duration {
                        principal,
                        justification: why,
                        // The shortest: the least privilege is the default, never the most.
                        selected: 0,
                    };
                    p.error = None;
                }
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
                if !eligible {
                    return self.assign(principal, None);
                }
                p.stage = Stage::Justify { principal };
                p.input.clear();
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

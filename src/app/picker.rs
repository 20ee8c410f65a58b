//! The principal picker: type a name, Enter searches users and groups (`$search`), pick one
//! with the arrows and Enter; used to add role assignments (active, or eligible through PIM).

use super::new_group::GroupDraft;
use super::{App, Effect, Overlay, RequestId};
use crate::graph::{GraphError, Method, Request};
use crossterm::event::{KeyCode, KeyEvent};
use serde_json::{Value, json};

/// What the picked principal is for.
#[derive(Clone, Debug, PartialEq)]
pub enum Purpose {
    /// Assign a role: active (a role assignment) or eligible (a PIM adminAssign request).
    Assign {
        role_id: String,
        role_name: String,
        eligible: bool,
    },
    /// Exclude the picked user or group from a Conditional Access policy.
    Exclude { policy: Value },
    /// `:protect` step 1: the name of the new authentication context.
    ProtectContext { id: String },
    /// Add the picked user or group to a group.
    AddMember {
        group_id: String,
        group_name: String,
    },
    /// The name of a new group.
    NewGroup,
    /// The kind of the new group named `name` (one of [`GROUP_KINDS`]).
    NewGroupKind { name: String },
    /// The membership rule of a new dynamic group.
    NewGroupRule { name: String, m365: bool },
    /// The owners, then the members, of a new group (picked one by one).
    NewGroupPeople(Box<GroupDraft>),
    /// Assign or remove a licence of a user or group.
    Licence(Box<super::licence::LicenceTarget>),
}

/// The kinds of group `a` creates: (label, Microsoft 365, dynamic membership).
pub const GROUP_KINDS: &[(&str, bool, bool)] = &[
    ("Security group, assigned members", false, false),
    ("Microsoft 365 group, assigned members", true, false),
    ("Security group, dynamic members (a rule)", false, true),
    ("Microsoft 365 group, dynamic members (a rule)", true, true),
];

/// Where the picker is: searching, then (for PIM eligibility) the justification and duration.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Stage {
    #[default]
    Search,
    /// A name to type (a new authentication context).
    Name,
    Justify {
        principal: Value,
    },
    Duration {
        principal: Value,
        justification: String,
        selected: usize,
    },
    /// One of a few options, ↑/↓ and Enter (what the options mean is in the purpose).
    Choose {
        options: Vec<String>,
        selected: usize,
    },
    /// A SKU's service plans, Space turning one off or on.
    Plans {
        sku: Value,
        off: Vec<bool>,
        selected: usize,
    },
}

/// PIM eligibility durations offered (ISO 8601, `None` = no expiration).
pub const DURATIONS: &[(&str, Option<&str>)] = &[
    ("30 days", Some("P30D")),
    ("90 days", Some("P90D")),
    ("180 days", Some("P180D")),
    ("365 days", Some("P365D")),
    ("no expiration", None),
];

/// Picker state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Picker {
    pub title: String,
    pub purpose: Option<Purpose>,
    /// What Enter on the typed text does, when a blade's verb asked for it (the prompt holds
    /// its own continuation).
    pub then: Option<crate::blades::Then>,
    /// The input is a secret: shown as dots, and Enter on nothing hands `""` to `then`.
    pub secret: bool,
    /// Enter on nothing hands `""` to `then` (an optional answer).
    pub optional: bool,
    /// What Enter on an option of [`Stage::Choose`] does, when a blade's verb asked.
    pub chose: Option<crate::blades::ChooseThen>,
    pub stage: Stage,
    pub input: String,
    /// Where the cursor is in `input` (`None`: at the end).
    pub cursor: crate::widgets::input::Cursor,
    /// The query the results are for.
    pub searched: String,
    pub results: Vec<Value>,
    pub selected: usize,
    pub request: Option<RequestId>,
    pub error: Option<String>,
}

pub use crate::graph::resources::directory::search as search_requests;

/// The write that assigns a role: active (graph-api.md §1.2), or eligible through a PIM
/// `adminAssign` request with justification and duration (§1.3).
pub fn assign_request(
    role_id: &str,
    principal_id: &str,
    eligible: Option<(&str, Option<&str>)>,
) -> Request {
    match eligible {
        Some((justification, duration)) => {
            let expiration = match duration {
                // expirationPattern: the documented enum members are camelCase.
                Some(d) => json!({"type": "afterDuration", "duration": d}),
                None => json!({"type": "noExpiration"}),
            };
            Request::new(Method::Post, "/roleManagement/directory/roleEligibilityScheduleRequests").json(json!({
                "action": "adminAssign",
                "justification": justification,
                "principalId": principal_id,
                "roleDefinitionId": role_id,
                "directoryScopeId": "/",
                "scheduleInfo": {
                    "startDateTime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    "expiration": expiration
                }
            }))
        }
        None => {
            Request::new(Method::Post, "/roleManagement/directory/roleAssignments").json(json!({
                "@odata.type": "#microsoft.graph.unifiedRoleAssignment",
                "roleDefinitionId": role_id,
                "principalId": principal_id,
                "directoryScopeId": "/"
            }))
        }
    }
}

impl App {
    /// Open the picker to assign the role whose assignments are shown.
    pub fn open_assign(&mut self, eligible: bool) -> Vec<Effect> {
        let on_assignments = matches!(self.top(), super::View::List(l) if matches!(l.source, crate::blades::ListSource::RoleAssignments { .. }));
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
            self.tenant.scopes = super::tenant::Loadable::Loading(id);
            vec![Effect::LoadScopes { id }]
        } else {
            Vec::new()
        };
        let super::View::List(l) = self.top() else {
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
        let choice = super::write::Choice {
            field: "directoryScopeId".into(),
            current: Value::Null,
            options,
            selected: 0,
        };
        self.begin_write(title, pid, request, Some(choice), None)
    }

    pub(super) fn picker_key(&mut self, key: KeyEvent) -> Vec<Effect> {
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
                if let Some(Purpose::Exclude { policy }) = p.purpose.clone() {
                    return self.exclude(policy, principal);
                }
                if let Some(Purpose::NewGroupPeople(_)) = &p.purpose {
                    return self.people_picked(&principal);
                }
                if let Some(Purpose::AddMember {
                    group_id,
                    group_name,
                }) = p.purpose.clone()
                {
                    return self.add_member(group_id, group_name, principal);
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

    pub(super) fn on_search(&mut self, id: RequestId, results: Result<Vec<Value>, GraphError>) {
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

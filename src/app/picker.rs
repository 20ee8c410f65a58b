//! The principal picker: type a name, Enter searches users and groups (`$search`), pick one
//! with the arrows and Enter; used to add role assignments (active, or eligible through PIM).

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
}

/// Picker state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Picker {
    pub title: String,
    pub purpose: Option<Purpose>,
    pub input: String,
    /// The query the results are for.
    pub searched: String,
    pub results: Vec<Value>,
    pub selected: usize,
    pub request: Option<RequestId>,
    pub error: Option<String>,
}

/// The searches behind a query (`$search` needs `ConsistencyLevel: eventual`, graph-api.md §11.2).
pub fn search_requests(query: &str) -> [Request; 2] {
    let q = format!("\"displayName:{}\"", query.replace('"', ""));
    [
        Request::get("/users")
            .search(q.clone())
            .select(&["id", "displayName", "userPrincipalName"])
            .top(25),
        Request::get("/groups")
            .search(q)
            .select(&["id", "displayName", "mail", "isAssignableToRole"])
            .top(25),
    ]
}

/// The write that assigns a role (graph-api.md §1.2 and §1.3).
pub fn assign_request(role_id: &str, principal_id: &str, eligible: bool) -> Request {
    if eligible {
        Request::new(Method::Post, "/roleManagement/directory/roleEligibilityScheduleRequests").json(json!({
            "action": "adminAssign",
            "justification": "Assigned with entra-console",
            "principalId": principal_id,
            "roleDefinitionId": role_id,
            "directoryScopeId": "/",
            "scheduleInfo": {
                "startDateTime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "expiration": {"type": "AfterDuration", "duration": "P365D"}
            }
        }))
    } else {
        Request::new(Method::Post, "/roleManagement/directory/roleAssignments").json(json!({
            "@odata.type": "#microsoft.graph.unifiedRoleAssignment",
            "roleDefinitionId": role_id,
            "principalId": principal_id,
            "directoryScopeId": "/"
        }))
    }
}

impl App {
    /// Open the picker to assign the role whose assignments are shown.
    pub fn open_assign(&mut self, eligible: bool) -> Vec<Effect> {
        let super::View::List(l) = self.top() else {
            return Vec::new();
        };
        let crate::blades::ListSource::RoleAssignments { role_id, role_name } = &l.source else {
            return Vec::new();
        };
        if self.ctx.read_only {
            self.toast("read-only mode: writes are disabled", true);
            return Vec::new();
        }
        let how = if eligible {
            "eligible (PIM, 365 days)"
        } else {
            "active, permanent"
        };
        self.overlay = Overlay::Picker(Picker {
            title: format!("Assign {role_name} ({how}): type a name, Enter searches"),
            purpose: Some(Purpose::Assign {
                role_id: role_id.clone(),
                role_name: role_name.clone(),
                eligible,
            }),
            ..Default::default()
        });
        self.dirty = true;
        Vec::new()
    }

    pub(super) fn picker_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Overlay::Picker(p) = &mut self.overlay else {
            return Vec::new();
        };
        self.dirty = true;
        match key.code {
            KeyCode::Esc => self.overlay = Overlay::None,
            KeyCode::Char(c) => p.input.push(c),
            KeyCode::Backspace => {
                p.input.pop();
            }
            KeyCode::Down => p.selected = (p.selected + 1).min(p.results.len().saturating_sub(1)),
            KeyCode::Up => p.selected = p.selected.saturating_sub(1),
            KeyCode::Enter if p.input.trim() != p.searched || p.results.is_empty() => {
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
            KeyCode::Enter => {
                let picked = p.results.get(p.selected).cloned();
                let purpose = p.purpose.clone();
                self.overlay = Overlay::None;
                if let (
                    Some(principal),
                    Some(Purpose::Assign {
                        role_id,
                        role_name,
                        eligible,
                    }),
                ) = (picked, purpose)
                {
                    let pid = principal["id"].as_str().unwrap_or_default().to_string();
                    let name =
                        crate::sanitize::clean(principal["displayName"].as_str().unwrap_or(&pid));
                    let how = if eligible {
                        "eligible for 365 days through PIM"
                    } else {
                        "active, permanent"
                    };
                    let title = format!("Assign {role_name} to {name} ({how})");
                    let request = assign_request(&role_id, &pid, eligible);
                    return self.begin_write(title, pid, request, None, None);
                }
            }
            _ => {}
        }
        Vec::new()
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

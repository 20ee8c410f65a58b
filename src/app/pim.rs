//! PIM self-activation from My roles: `a` on an eligible role reads its policy, then asks what
//! the policy wants (justification, a ticket, a duration up to its maximum) and confirms a
//! `selfActivate` request (the inline step-up applies when the policy demands an authentication
//! context); `d` on an activated role sends `selfDeactivate`.

use super::picker::{Picker, Purpose, Stage};
use super::{App, Effect, Overlay, RequestId, View};
use crate::graph::{GraphError, Method, Request};
use crate::sanitize::clean;
use serde_json::{Value, json};

/// An activation being prepared.
#[derive(Clone, Debug, PartialEq)]
pub struct Activation {
    pub role_id: String,
    pub role_name: String,
    pub scope: String,
    pub principal: String,
    /// The policy's rules, once read.
    pub rules: Vec<Value>,
    pub justification: String,
    pub ticket: String,
    /// The justification was typed (it may be empty when the policy does not ask for one).
    pub justified: bool,
    /// The durations offered (ISO 8601), at most the policy's maximum.
    pub durations: Vec<String>,
}

impl Activation {
    fn rule(&self, id: &str) -> Option<&Value> {
        self.rules.iter().find(|r| r["id"] == id)
    }

    fn enabled(&self, what: &str) -> bool {
        self.rule("Enablement_EndUser_Assignment")
            .and_then(|r| r["enabledRules"].as_array())
            .is_some_and(|a| a.iter().any(|x| x == what))
    }

    pub fn needs_justification(&self) -> bool {
        self.enabled("Justification")
    }

    pub fn needs_ticket(&self) -> bool {
        self.enabled("Ticketing")
    }

    pub fn context(&self) -> Option<String> {
        self.rule("AuthenticationContext_EndUser_Assignment")
            .filter(|r| r["isEnabled"] == true)
            .and_then(|r| r["claimValue"].as_str())
            .map(str::to_string)
    }

    pub fn approval(&self) -> bool {
        self.rule("Approval_EndUser_Assignment")
            .is_some_and(|r| r["setting"]["isApprovalRequired"] == true)
    }

    /// The policy's longest activation in hours (8 when it does not say).
    fn max_hours(&self) -> u32 {
        let d = self
            .rule("Expiration_EndUser_Assignment")
            .and_then(|r| r["maximumDuration"].as_str())
            .unwrap_or("PT8H");
        let h = d
            .strip_prefix("PT")
            .and_then(|x| x.strip_suffix('H'))
            .and_then(|x| x.parse::<u32>().ok());
        let days = d
            .strip_prefix('P')
            .and_then(|x| x.strip_suffix('D'))
            .and_then(|x| x.parse::<u32>().ok())
            .map(|d| d * 24);
        h.or(days).unwrap_or(8).max(1)
    }

    /// What the policy asks, in words (shown while choosing the duration).
    pub fn asks(&self) -> String {
        let mut a = Vec::new();
        if self.needs_justification() {
            a.push("a justification".to_string());
        }
        if self.needs_ticket() {
            a.push("a ticket".to_string());
        }
        if self.enabled("MultiFactorAuthentication") {
            a.push("MFA".to_string());
        }
        if let Some(c) = self.context() {
            a.push(format!("authentication context {c} (step-up)"));
        }
        if self.approval() {
            a.push("approval".to_string());
        }
        if a.is_empty() {
            "nothing more".into()
        } else {
            a.join(", ")
        }
    }

    fn request(&self, duration: &str) -> Request {
        let mut body = json!({
            "action": "selfActivate",
            "principalId": self.principal,
            "roleDefinitionId": self.role_id,
            "directoryScopeId": self.scope,
            "justification": self.justification,
            "scheduleInfo": {
                "startDateTime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "expiration": {"type": "afterDuration", "duration": duration}
            }
        });
        if !self.ticket.is_empty() {
            body["ticketInfo"] =
                json!({"ticketNumber": self.ticket, "ticketSystem": "entra-console"});
        }
        Request::new(
            Method::Post,
            "/roleManagement/directory/roleAssignmentScheduleRequests",
        )
        .json(body)
    }
}

impl App {
    fn my_role_row(&self) -> Option<Value> {
        let View::List(l) = self.top() else {
            return None;
        };
        l.table.selected().map(|r| r.object())
    }

    /// `a` on My roles: read the selected eligible role's policy, then ask what it wants.
    pub fn open_activation(&mut self) -> Vec<Effect> {
        let Some(v) = self.my_role_row() else {
            return Vec::new();
        };
        if v["@kind"] != "eligible" {
            self.toast("only an eligible role is activated: this one is not", true);
            return Vec::new();
        }
        if let Some(group) = v["@via"].as_str() {
            // The group holds the role: Graph activates it for the group's principal, which
            // is not this admin (RoleAssignmentRequestPolicyValidationFailed otherwise).
            self.toast(
                format!(
                    "this role is held through the group {}: its eligibility is the group's; \
                     activate it in the admin center (Groups in PIM) or ask an admin of the group",
                    crate::sanitize::clean(group)
                ),
                true,
            );
            return Vec::new();
        }
        if self.ctx.read_only {
            self.toast("read-only mode: writes are disabled", true);
            return Vec::new();
        }
        let a = Activation {
            role_id: v["roleDefinitionId"].as_str().unwrap_or_default().into(),
            role_name: crate::blades::my_roles::role_name(&v),
            scope: v["directoryScopeId"].as_str().unwrap_or("/").into(),
            principal: v["principalId"].as_str().unwrap_or_default().into(),
            rules: Vec::new(),
            justification: String::new(),
            ticket: String::new(),
            justified: false,
            durations: Vec::new(),
        };
        let id = self.fresh_id();
        let role_id = a.role_id.clone();
        self.overlay = Overlay::Picker(Box::new(Picker {
            title: format!("Activate {}: reading its PIM policy…", a.role_name),
            purpose: Some(Purpose::Activate(Box::new(a))),
            stage: Stage::Choose {
                options: Vec::new(),
                selected: 0,
            },
            request: Some(id),
            ..Default::default()
        }));
        self.dirty = true;
        vec![Effect::LoadPimPolicy { id, role_id }]
    }

    pub(super) fn on_pim_policy(
        &mut self,
        id: RequestId,
        result: Result<Value, GraphError>,
    ) -> Vec<Effect> {
        let Overlay::Picker(p) = &mut self.overlay else {
            return Vec::new();
        };
        if p.request != Some(id) {
            return Vec::new();
        }
        p.request = None;
        self.dirty = true;
        let Some(Purpose::Activate(a)) = &mut p.purpose else {
            return Vec::new();
        };
        match result {
            Ok(v) => {
                a.rules = v["value"][0]["policy"]["rules"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                if a.rules.is_empty() {
                    p.error = Some(
                        "the role's PIM policy has no rules to read: Graph will say what it wants"
                            .into(),
                    );
                }
            }
            Err(e) => {
                p.error = Some(format!(
                    "the role's PIM policy could not be read ({e}); Graph will say what it wants"
                ))
            }
        }
        let hours = a.max_hours();
        a.durations = [1, 2, 4, 8, 12, 24]
            .into_iter()
            .filter(|h| *h <= hours)
            .map(|h| format!("PT{h}H"))
            .collect();
        if a.durations.is_empty() {
            a.durations.push(format!("PT{hours}H"));
        }
        p.title = format!(
            "Activate {}: justification{} (the policy asks {})",
            a.role_name,
            if a.needs_justification() {
                ", required"
            } else {
                ", optional"
            },
            a.asks()
        );
        p.stage = Stage::Name;
        p.input.clear();
        Vec::new()
    }

    /// Enter on a typed step of an activation: the justification, then the ticket.
    pub(super) fn activation_text(&mut self, text: String) -> Vec<Effect> {
        let Overlay::Picker(p) = &mut self.overlay else {
            return Vec::new();
        };
        let Some(Purpose::Activate(a)) = &mut p.purpose else {
            return Vec::new();
        };
        if a.justified {
            a.ticket = text;
        } else {
            a.justification = text;
            a.justified = true;
            if a.needs_ticket() {
                p.title = format!(
                    "Activate {}: ticket number (the policy requires one)",
                    a.role_name
                );
                p.input.clear();
                return Vec::new();
            }
        }
        p.title = format!(
            "Activate {} for how long (at most {} h)",
            a.role_name,
            a.max_hours()
        );
        p.stage = Stage::Choose {
            options: a
                .durations
                .iter()
                .map(|d| d.trim_start_matches("PT").to_lowercase())
                .collect(),
            // The shortest first: the least standing privilege is the default.
            selected: 0,
        };
        Vec::new()
    }

    /// A duration chosen: the confirm.
    pub(super) fn activation_chosen(
        &mut self,
        a: super::pim::Activation,
        at: usize,
    ) -> Vec<Effect> {
        self.overlay = Overlay::None;
        let duration = a
            .durations
            .get(at)
            .cloned()
            .unwrap_or_else(|| "PT1H".into());
        let mut then = Vec::new();
        if let Some(c) = a.context() {
            then.push(format!(
                "the policy demands authentication context {c}: expect a step-up"
            ));
        }
        if a.approval() {
            then.push("it waits for an approver before it is active".into());
        }
        let title = format!(
            "Activate {} for {} (justification: {}{}){}",
            a.role_name,
            duration.trim_start_matches("PT").to_lowercase(),
            clean(&a.justification),
            if a.ticket.is_empty() {
                String::new()
            } else {
                format!("; ticket {}", clean(&a.ticket))
            },
            if then.is_empty() {
                String::new()
            } else {
                format!("; {}", then.join("; "))
            }
        );
        let request = a.request(&duration);
        self.begin_write(title, a.role_id.clone(), request, None, None)
    }

    /// `d` on My roles: end an activation early.
    pub fn deactivate(&mut self) -> Vec<Effect> {
        let Some(v) = self.my_role_row() else {
            return Vec::new();
        };
        if let Some(group) = v["@via"].as_str() {
            self.toast(
                format!(
                    "this role is held through the group {}: removing it means leaving that group \
                     or ending the group's assignment (Roles)",
                    crate::sanitize::clean(group)
                ),
                true,
            );
            return Vec::new();
        }
        if v["@kind"] != "active" || v["assignmentType"] != "Activated" {
            self.toast(
                "only an activated role can be deactivated here (a permanent one is removed from Roles)",
                true,
            );
            return Vec::new();
        }
        let role = crate::blades::my_roles::role_name(&v);
        let request = Request::new(
            Method::Post,
            "/roleManagement/directory/roleAssignmentScheduleRequests",
        )
        .json(json!({
            "action": "selfDeactivate",
            "principalId": v["principalId"],
            "roleDefinitionId": v["roleDefinitionId"],
            "directoryScopeId": v["directoryScopeId"].as_str().unwrap_or("/"),
        }));
        let id = v["roleDefinitionId"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.begin_write(
            format!("Deactivate {role} now (before its end)"),
            id,
            request,
            None,
            Some(v),
        )
    }
}

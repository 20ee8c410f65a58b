//! `:protect`: the guided setup for protecting Conditional Access policy management, in the
//! order the Entra docs require (else the step-up never completes): 1. create and publish an
//! authentication context; 2. create the CA policy that targets it, On, break-glass accounts
//! excluded, with a device-trust filter or phishing-resistant MFA; 3. only then assign the
//! context to the CA-policy permissions. Every step is a previewed write (the write panel).

use super::write::Choice;
use super::{App, Effect, RequestId};
use crate::graph::{Method, Request};
use serde_json::{Value, json};

/// The permissions step 3 protects (Entra's "Protect CAP" setup).
pub const PERMISSIONS: &[&str] = &[
    "microsoft.directory-conditionalAccessPolicies-basic-update-patch",
    "microsoft.directory-conditionalAccessPolicies-create-post",
    "microsoft.directory-conditionalAccessPolicies-delete-delete",
];

/// Where the wizard is.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Waiting for the protection facts to pick the next free context id.
    Start,
    Context,
    /// Resolving the break-glass accounts to object ids.
    Resolving(RequestId),
    Policy,
    /// Waiting for fresh facts before step 3 (is the policy really On?).
    Checking,
    /// Assigning the context to PERMISSIONS[n].
    Actions(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Wizard {
    pub step: Step,
    pub context: String,
}

/// The policy bodies step 2 offers (the admin chooses the requirement).
pub fn policy_bodies(ctx: &str, exclude: &[String]) -> Vec<(String, Value)> {
    let base = |name: &str, devices: Value, grant: Value| {
        json!({
            "displayName": format!("CAP - Protect Conditional Access management ({ctx}, {name})"),
            "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"], "excludeUsers": exclude},
                "applications": {"includeAuthenticationContextClassReferences": [ctx]},
                "clientAppTypes": ["all"],
                "devices": devices
            },
            "grantControls": grant
        })
    };
    vec![
        (
            "Entra-joined or hybrid-joined device".into(),
            base(
                "device",
                json!({"deviceFilter": {"mode": "exclude", "rule": "device.trustType -eq \"AzureAD\" -or device.trustType -eq \"ServerAD\""}}),
                json!({"operator": "OR", "builtInControls": ["block"]}),
            ),
        ),
        (
            "Phishing-resistant MFA".into(),
            base(
                "phishing-resistant MFA",
                Value::Null,
                json!({"operator": "OR", "builtInControls": [], "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}}),
            ),
        ),
    ]
}

impl App {
    /// `:protect`: start the guided setup.
    pub fn start_protect(&mut self) -> Vec<Effect> {
        if self.ctx.read_only {
            self.toast("read-only mode: the guided setup writes", true);
            return Vec::new();
        }
        self.wizard = Some(Wizard {
            step: Step::Start,
            context: String::new(),
        });
        self.facts = None;
        self.load_facts()
    }

    /// Drive the wizard after facts arrive or a write lands.
    pub(super) fn wizard_next(&mut self) -> Vec<Effect> {
        let Some(wz) = self.wizard.clone() else {
            return Vec::new();
        };
        let needs_facts = matches!(wz.step, Step::Start | Step::Checking);
        let facts = match self.facts.clone() {
            Some(f) => f,
            None if needs_facts => {
                return if self.facts_request.is_none() {
                    self.load_facts()
                } else {
                    Vec::new()
                };
            }
            None => Default::default(),
        };
        match wz.step {
            Step::Start => {
                let used: Vec<u32> = facts
                    .contexts
                    .iter()
                    .filter_map(|c| c["id"].as_str()?.trim_start_matches('c').parse().ok())
                    .collect();
                let Some(n) = (1..=99).find(|n| !used.contains(n)) else {
                    self.wizard = None;
                    self.toast("all 99 authentication contexts are in use", true);
                    return Vec::new();
                };
                let id = format!("c{n}");
                let request = Request::new(Method::Patch, format!("/identity/conditionalAccess/authenticationContextClassReferences/{id}"))
                    .json(json!({"displayName": "Protect Conditional Access management", "description": "Step-up for changes to Conditional Access policies", "isAvailable": true}));
                self.wizard = Some(Wizard {
                    step: Step::Context,
                    context: id.clone(),
                });
                self.begin_write(
                    format!("Protect 1/3: create and publish {id}"),
                    id,
                    request,
                    None,
                    None,
                )
            }
            Step::Context => {
                let id = self.fresh_id();
                self.wizard = Some(Wizard {
                    step: Step::Resolving(id),
                    ..wz
                });
                vec![Effect::Resolve {
                    id,
                    keys: self.ctx.break_glass.clone(),
                }]
            }
            Step::Resolving(_) => Vec::new(),
            Step::Policy => {
                self.wizard = Some(Wizard {
                    step: Step::Checking,
                    ..wz
                });
                self.facts = None;
                self.load_facts()
            }
            Step::Checking => {
                let p = crate::protect::context_protection(&wz.context, "", &facts);
                if !p.enforced() {
                    self.wizard = None;
                    self.toast(format!("stopped before step 3: no enabled policy targets {} yet (assigning it now would never be satisfied)", wz.context), true);
                    return Vec::new();
                }
                self.wizard = Some(Wizard {
                    step: Step::Actions(0),
                    ..wz
                });
                self.wizard_action(0)
            }
            Step::Actions(n) if n + 1 < PERMISSIONS.len() => {
                self.wizard = Some(Wizard {
                    step: Step::Actions(n + 1),
                    ..wz
                });
                self.wizard_action(n + 1)
            }
            Step::Actions(_) => {
                self.wizard = None;
                self.toast(
                    format!(
                        "Conditional Access policy management now needs {} (step-up)",
                        wz.context
                    ),
                    false,
                );
                Vec::new()
            }
        }
    }

    fn wizard_action(&mut self, n: usize) -> Vec<Effect> {
        let Some(wz) = &self.wizard else {
            return Vec::new();
        };
        let ctx = wz.context.clone();
        let id = PERMISSIONS[n].to_string();
        let request = crate::blades::protected::context_request(&id, Some(&ctx));
        let name = id.trim_start_matches("microsoft.directory-").to_string();
        self.begin_write(
            format!(
                "Protect 3/3 ({}/{}): {name} -> {ctx}",
                n + 1,
                PERMISSIONS.len()
            ),
            id,
            request,
            None,
            None,
        )
    }

    /// Break-glass accounts resolved: show the policy step with the requirement choice.
    pub(super) fn on_resolved(
        &mut self,
        id: RequestId,
        ids: Result<Vec<String>, crate::graph::GraphError>,
    ) -> Vec<Effect> {
        let Some(wz) = self.wizard.clone() else {
            return Vec::new();
        };
        if wz.step != Step::Resolving(id) {
            return Vec::new();
        }
        let ids = match ids {
            Ok(i) => i,
            Err(e) => {
                self.wizard = None;
                self.toast(
                    format!("cannot resolve the break-glass accounts: {e}"),
                    true,
                );
                return Vec::new();
            }
        };
        let options = policy_bodies(&wz.context, &ids);
        let body = options[0].1.clone();
        let choice = Choice {
            field: String::new(),
            current: Value::Null,
            options,
            selected: 0,
        };
        let request = Request::new(Method::Post, "/identity/conditionalAccess/policies").json(body);
        self.wizard = Some(Wizard {
            step: Step::Policy,
            ..wz
        });
        let excluded = if ids.is_empty() {
            "none: no break-glass accounts in the profile!".to_string()
        } else {
            format!("{} break-glass account(s)", ids.len())
        };
        self.begin_write(
            format!(
                "Protect 2/3: CA policy targeting {}, On, excluding {excluded}",
                self.wizard
                    .as_ref()
                    .map(|w| w.context.clone())
                    .unwrap_or_default()
            ),
            String::new(),
            request,
            Some(choice),
            None,
        )
    }
}

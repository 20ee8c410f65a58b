//! `:protect`: the guided setup for protecting Conditional Access policy management, in the
//! order the Entra docs require (else the step-up never completes): 1. create and publish an
//! authentication context; 2. create the CA policy that targets it, On, break-glass accounts
//! excluded, with a device-trust filter or phishing-resistant MFA; 3. only then assign the
//! context to the CA-policy permissions. Every step is a previewed write (the write panel).
//! Working protection is kept: when an enabled policy already enforces a context on these
//! permissions the wizard says so and stops (`:protect new` sets up another one anyway), or
//! reuses that context for the permissions that lack it.

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
    /// `:protect new`: set up a new context even when one already protects.
    pub force: bool,
    /// The permissions step 3 assigns (those not already protected by `context`).
    pub todo: Vec<&'static str>,
    /// The policy step 2 created (for the closing summary).
    pub policy: Option<String>,
}

/// The name step 1 proposes for the new context.
pub const CONTEXT_NAME: &str = "Protect Conditional Access management";

/// Where the three permissions stand: each one's context, when an enabled policy enforces it.
fn enforced_contexts(facts: &crate::protect::Facts) -> Vec<(&'static str, Option<String>)> {
    PERMISSIONS
        .iter()
        .map(|id| {
            let ctx = facts
                .actions
                .iter()
                .find(|a| a["id"].as_str() == Some(id))
                .filter(|a| {
                    crate::protect::action_state(a, facts) == crate::protect::ActionState::Protected
                })
                .and_then(|a| a["authenticationContextId"].as_str())
                .map(str::to_string);
            (*id, ctx)
        })
        .collect()
}

/// "c1 \"Protect CAP\" (protected by CAP - Protect … (On): requires …)".
fn describe(ctx: &str, facts: &crate::protect::Facts) -> String {
    let p = crate::protect::context_protection(ctx, "", facts);
    let name = p.context.as_ref().map(|c| c.1.clone()).unwrap_or_default();
    let by: Vec<String> = p
        .policies
        .iter()
        .filter(|(_, s, _)| s == "On")
        .map(|(n, s, r)| format!("{n} ({s}): {r}"))
        .collect();
    crate::sanitize::clean(&format!(
        "{ctx} \"{name}\" (protected by {})",
        by.join("; ")
    ))
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
    // Phishing-resistant MFA first: it can be met by the device-code step-up this console
    // does from a jump host; a device requirement cannot (predict.rs).
    vec![
        (
            "Phishing-resistant MFA".into(),
            base(
                "phishing-resistant MFA",
                Value::Null,
                json!({"operator": "OR", "builtInControls": [], "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}}),
            ),
        ),
        (
            "Entra-joined or hybrid-joined device".into(),
            base(
                "device",
                json!({"deviceFilter": {"mode": "exclude", "rule": "device.trustType -eq \"AzureAD\" -or device.trustType -eq \"ServerAD\""}}),
                json!({"operator": "OR", "builtInControls": ["block"]}),
            ),
        ),
    ]
}

impl App {
    /// `:protect` (or `:protect new`, `force`): start the guided setup.
    pub fn start_protect(&mut self, force: bool) -> Vec<Effect> {
        if self.ctx.read_only {
            self.toast("read-only mode: the guided setup writes", true);
            return Vec::new();
        }
        self.wizard = Some(Wizard {
            step: Step::Start,
            context: String::new(),
            force,
            todo: PERMISSIONS.to_vec(),
            policy: None,
        });
        self.tenant.facts = None;
        self.load_facts()
    }

    /// Drive the wizard after facts arrive or a write lands.
    pub(super) fn wizard_next(&mut self) -> Vec<Effect> {
        let Some(wz) = self.wizard.clone() else {
            return Vec::new();
        };
        let needs_facts = matches!(wz.step, Step::Start | Step::Checking);
        let facts = match self.tenant.facts.clone() {
            Some(f) => f,
            None if needs_facts => {
                return if self.tenant.facts_request.is_none() {
                    self.load_facts()
                } else {
                    Vec::new()
                };
            }
            None => Default::default(),
        };
        match wz.step {
            Step::Start => {
                // Working protection is never re-pointed silently.
                let now = enforced_contexts(&facts);
                let first = now.iter().find_map(|(_, c)| c.clone());
                if let (Some(ctx), false) = (first, wz.force) {
                    let todo: Vec<&'static str> = now
                        .iter()
                        .filter(|(_, c)| c.as_deref() != Some(ctx.as_str()))
                        .map(|(id, _)| *id)
                        .collect();
                    let what = describe(&ctx, &facts);
                    if todo.is_empty() {
                        self.wizard = None;
                        self.toast(
                            format!("Conditional Access management is already protected: currently {what}. Kept as it is (:protect new sets up another context)."),
                            false,
                        );
                        return Vec::new();
                    }
                    // Part of it is protected: the same context for the rest (step 3 only).
                    self.toast(
                        format!(
                            "keeping {what}; step 3 adds it to the {} permission(s) without it",
                            todo.len()
                        ),
                        false,
                    );
                    self.wizard = Some(Wizard {
                        step: Step::Actions(0),
                        context: ctx,
                        todo,
                        policy: Some(what),
                        ..wz
                    });
                    return self.wizard_action(0);
                }
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
                self.wizard = Some(Wizard {
                    context: id.clone(),
                    ..wz
                });
                // The name is the admin's: asked first, with a proposal.
                self.overlay = super::Overlay::Picker(Box::new(super::picker::Picker {
                    title: format!("Step 1 of 3: name the new authentication context {id}"),
                    purpose: Some(super::picker::Purpose::ProtectContext { id }),
                    stage: super::picker::Stage::Name,
                    input: CONTEXT_NAME.into(),
                    ..Default::default()
                }));
                self.dirty = true;
                Vec::new()
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
                self.tenant.facts = None;
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
                    policy: Some(describe(&wz.context, &facts)),
                    ..wz
                });
                self.wizard_action(0)
            }
            Step::Actions(n) if n + 1 < wz.todo.len() => {
                self.wizard = Some(Wizard {
                    step: Step::Actions(n + 1),
                    ..wz
                });
                self.wizard_action(n + 1)
            }
            Step::Actions(_) => {
                self.wizard = None;
                // The closing summary: what is protected now, by what.
                let perms: Vec<&str> = wz
                    .todo
                    .iter()
                    .map(|p| {
                        p.trim_start_matches("microsoft.directory-conditionalAccessPolicies-")
                            .rsplit_once('-')
                            .map(|(a, _)| a)
                            .unwrap_or(p)
                    })
                    .collect();
                let summary = format!(
                    "Done: Conditional Access policy {} now need{} {} (step-up).",
                    perms.join(", "),
                    if perms.len() == 1 { "s" } else { "" },
                    wz.policy.clone().unwrap_or(wz.context.clone())
                );
                if let Some(w) = &mut self.write {
                    w.phase = super::write::Phase::Done(format!("{summary} Any key closes."));
                }
                self.toast(summary, false);
                Vec::new()
            }
        }
    }

    fn wizard_action(&mut self, n: usize) -> Vec<Effect> {
        let Some(wz) = &self.wizard else {
            return Vec::new();
        };
        let ctx = wz.context.clone();
        let total = wz.todo.len();
        let Some(id) = wz.todo.get(n).map(|p| p.to_string()) else {
            return Vec::new();
        };
        let request = crate::blades::protected::context_request(&id, Some(&ctx));
        let name = crate::protect::permission_words(&id, self.tenant.facts.as_ref());
        self.begin_write(
            format!("Step 3 of 3 ({}/{total}): require {ctx} for {name}", n + 1),
            id,
            request,
            None,
            None,
        )
    }

    /// Step 1 with the name typed: create and publish the context.
    pub(super) fn wizard_context(&mut self, id: String, name: String) -> Vec<Effect> {
        let request = Request::new(
            Method::Patch,
            format!("/identity/conditionalAccess/authenticationContextClassReferences/{id}"),
        )
        .json(json!({"displayName": name, "description": "Step-up for changes to Conditional Access policies", "isAvailable": true}));
        if let Some(wz) = &mut self.wizard {
            wz.step = Step::Context;
        }
        self.begin_write(
            format!(
                "Step 1 of 3: create and publish authentication context {id} \"{}\"",
                crate::sanitize::clean(&name)
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
        // A second policy with the same name would leave two "CAP" policies to tell apart.
        let names: Vec<String> = self
            .tenant
            .facts
            .as_ref()
            .map(|f| {
                f.policies
                    .iter()
                    .filter_map(|p| p["displayName"].as_str().map(str::to_lowercase))
                    .collect()
            })
            .unwrap_or_default();
        if let Some((_, b)) = options.iter().find(|(_, b)| {
            names.contains(&b["displayName"].as_str().unwrap_or_default().to_lowercase())
        }) {
            self.wizard = None;
            self.toast(
                format!(
                    "refused: a policy named \"{}\" already exists; rename or delete it first",
                    crate::sanitize::clean(b["displayName"].as_str().unwrap_or_default())
                ),
                true,
            );
            return Vec::new();
        }
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
                "Step 2 of 3: the Conditional Access policy {} requires (On, excluding {excluded})",
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

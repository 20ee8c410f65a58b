//! `:protect`, the guided setup for protecting Conditional Access management: its steps and writes
//! (state: `app::wizard`).

use crate::app::wizard::{
    CONTEXT_NAME, PERMISSIONS, Step, Wizard, describe, enforced_contexts, policy_bodies,
};
use crate::app::write::Choice;
use crate::app::{App, Effect, RequestId};
use crate::graph::{Method, Request};
use serde_json::{Value, json};

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
    pub(crate) fn wizard_next(&mut self) -> Vec<Effect> {
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
                self.overlay = crate::app::Overlay::Picker(Box::new(crate::app::picker::Picker {
                    title: format!("Step 1 of 3: name the new authentication context {id}"),
                    purpose: Some(crate::app::picker::Purpose::ProtectContext { id }),
                    stage: crate::app::picker::Stage::Name,
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
                    w.phase = crate::app::write::Phase::Done(format!("{summary} Any key closes."));
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
    pub(crate) fn wizard_context(&mut self, id: String, name: String) -> Vec<Effect> {
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
    pub(crate) fn on_resolved(
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
            refill: None,
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

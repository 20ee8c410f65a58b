//! Change plans in the console: `S` in a write's confirm saves the write as a plan
//! (`plan::Plan`, in the data folder's `plans`) instead of sending it, the confirm closing only
//! once the file is written; a profile's `require_approval` writes are only saved this way.
//! `:plan FILE` reads a plan, refuses it as `plan apply` does (expired, its own author when it
//! needs approval, another tenant, an object changed since, a lockout), and opens its writes in
//! one confirm, sent in order through the write flow and journaled under the plan's id.

use super::write::PendingWrite;
use super::{App, Effect};
use crate::graph::{GraphClient, GraphError, Method};
use serde_json::{Value, json};

pub use crate::plan::needs_approval;

/// The writes of a pending write, in the order it would send them: each with the object it
/// changes (re-read before applying) as it is now.
pub fn writes(w: &PendingWrite) -> Vec<crate::plan::Write> {
    let object = |req: &crate::graph::Request| -> Option<String> {
        (req.method != Method::Post).then(|| req.path.clone())
    };
    let reveal = match &w.reveal {
        Some(crate::blades::verb::Reveal::Answer { field, .. }) => Some(field.to_string()),
        _ => None,
    };
    let mut out: Vec<crate::plan::Write> = if w.targets.is_empty() {
        let path = object(&w.request);
        // The object by its own name (the review compares it with the tenant's).
        let name = w
            .before
            .as_ref()
            .and_then(|b| b["displayName"].as_str())
            .unwrap_or_default()
            .to_string();
        vec![crate::plan::Write::of(
            &w.title,
            &w.request,
            path.as_deref().map(|p| (p, name.as_str())),
            w.before.as_ref(),
        )]
    } else {
        w.targets
            .iter()
            .map(|t| {
                let path = object(&t.request);
                crate::plan::Write::of(
                    &format!("{}: {}", w.title, t.name),
                    &t.request,
                    path.as_deref().map(|p| (p, t.name.as_str())),
                    Some(&t.object),
                )
            })
            .collect()
    };
    for x in &mut out {
        x.reveal = reveal.clone();
    }
    out
}

/// Saves the plan the key describes: the author read from `/me`, the file written 0600.
fn save(
    client: GraphClient,
    _: Option<std::sync::Arc<crate::cache::Store>>,
    key: String,
) -> crate::blades::Computing {
    Box::pin(async move {
        let v: Value = serde_json::from_str(&key).map_err(|e| GraphError::Cache(e.to_string()))?;
        let author = crate::plan::author(&client)
            .await
            .map_err(GraphError::Cache)?;
        let writes: Vec<crate::plan::Write> = serde_json::from_value(v["writes"].clone())
            .map_err(|e| GraphError::Cache(e.to_string()))?;
        let plan = crate::plan::Plan::new(
            v["title"].as_str().unwrap_or_default(),
            v["tenant"].as_str().unwrap_or_default(),
            v["profile"].as_str().unwrap_or_default(),
            author,
            if v["approval"] == "required" {
                crate::plan::Approval::Required
            } else {
                crate::plan::Approval::None
            },
            writes,
        );
        let dir = std::path::PathBuf::from(v["dir"].as_str().unwrap_or_default());
        let file = dir.join(format!("{}.json", plan.id));
        plan.save(&file).map_err(GraphError::Cache)?;
        Ok(json!({"id": plan.id, "path": file.display().to_string(), "approval": v["approval"]}))
    })
}

const SAVE: crate::blades::Computed = crate::blades::Computed {
    name: "save-plan",
    run: save,
};

/// Reads and reviews a plan for `:plan`: the plan, who is signed in, what changed since and
/// what the lockout guard refuses (the key: the file, the tenant, the break-glass accounts).
fn read(
    client: GraphClient,
    store: Option<std::sync::Arc<crate::cache::Store>>,
    key: String,
) -> crate::blades::Computing {
    Box::pin(async move {
        let v: Value = serde_json::from_str(&key).map_err(|e| GraphError::Cache(e.to_string()))?;
        let path = std::path::PathBuf::from(v["path"].as_str().unwrap_or_default());
        let plan = crate::plan::Plan::load(&path).map_err(GraphError::Cache)?;
        let tenant = v["tenant"].as_str().unwrap_or_default();
        if !plan.tenant.eq_ignore_ascii_case(tenant) {
            return Err(GraphError::Cache(format!(
                "plan {} was made for tenant {}, this console is signed in to {}",
                plan.id, plan.tenant, tenant
            )));
        }
        let me = crate::plan::author(&client)
            .await
            .map_err(GraphError::Cache)?;
        if let Some(why) = plan.refusal(&me, chrono::Utc::now()) {
            return Err(GraphError::Cache(why));
        }
        let patterns = crate::ca::strs(&v["requireApproval"]);
        if let Some(why) = crate::plan::profile_refusal(&plan, &me, &patterns) {
            return Err(GraphError::Cache(why));
        }
        if let Some(st) = store {
            let journal = crate::cache::off_thread(st, |s| s.journal())
                .await
                .unwrap_or_default();
            if let Some(why) = crate::plan::applied_before(&journal, &plan.id) {
                return Err(GraphError::Cache(why));
            }
        }
        let changed = crate::plan::changed_since(&client, &plan)
            .await
            .map_err(GraphError::Cache)?;
        let glass: Vec<String> = crate::ca::strs(&v["breakGlass"]);
        let lockouts = crate::plan::lockouts(&client, &plan, &glass, &me).await;
        Ok(json!({"plan": plan, "me": me, "changed": changed, "lockouts": lockouts}))
    })
}

const READ: crate::blades::Computed = crate::blades::Computed {
    name: "read-plan",
    run: read,
};

impl App {
    /// `S` on a confirm: save the write as a plan (nothing is sent).
    pub(crate) fn save_as_plan(&mut self) -> Vec<Effect> {
        let Some(w) = &self.write else {
            return Vec::new();
        };
        let Some(dir) = self.ctx.plans.clone() else {
            self.toast(
                "no data folder to save plans in (the change was not sent)",
                true,
            );
            return Vec::new();
        };
        if self.tenant.plan_save.is_some() {
            return Vec::new();
        }
        if w.choice
            .as_ref()
            .is_some_and(|c| c.field == "@until" && !c.options[c.selected].1.is_null())
        {
            self.toast(
                "a time-boxed exclusion is not saved as a plan yet (its end would be lost): choose never, or apply it here",
                true,
            );
            return Vec::new();
        }
        let approval = if needs_approval(
            &self.ctx.require_approval,
            &w.request.method,
            &w.request.path,
        ) {
            "required"
        } else {
            "none"
        };
        let key = json!({
            "title": w.title,
            "tenant": self.ctx.tenant,
            "profile": self.ctx.profile,
            "approval": approval,
            "writes": writes(w),
            "dir": dir.display().to_string(),
        });
        let id = self.fresh_id();
        self.tenant.plan_save = Some(id);
        self.toast("saving the change as a plan (nothing is sent)…", false);
        vec![Effect::Compute {
            id,
            computed: SAVE,
            key: key.to_string(),
        }]
    }

    /// `:plan FILE`: read and review the plan (nothing is sent before its confirm).
    pub(crate) fn open_plan(&mut self, path: &str) -> Vec<Effect> {
        if path.is_empty() {
            self.toast("plan FILE: the path of a saved plan", true);
            return Vec::new();
        }
        if self.ctx.read_only {
            self.toast(
                "read-only mode: writes are disabled (entra-console plan show reads it)",
                true,
            );
            return Vec::new();
        }
        let id = self.fresh_id();
        self.tenant.plan_load = Some(id);
        self.toast("reading the plan and the objects it changes…", false);
        let key =
            json!({"path": path, "tenant": self.ctx.tenant, "breakGlass": self.ctx.break_glass});
        vec![Effect::Compute {
            id,
            computed: READ,
            key: key.to_string(),
        }]
    }

    /// The plan was read: refused with the reason, or its writes in one confirm.
    pub(crate) fn on_plan_read(&mut self, v: Value) -> Vec<Effect> {
        let plan: crate::plan::Plan = match serde_json::from_value(v["plan"].clone()) {
            Ok(p) => p,
            Err(e) => {
                self.toast(format!("plan not applied: {e}"), true);
                return Vec::new();
            }
        };
        let said = |k: &str| -> Vec<String> { crate::ca::strs(&v[k]) };
        for (k, what) in [
            ("changed", "changed since the plan"),
            ("lockouts", "the lockout guard refuses"),
        ] {
            let list = said(k);
            if !list.is_empty() {
                self.toast(
                    format!(
                        "plan {} not applied: {what}: {} (:messages has them all)",
                        plan.id,
                        list.join("; ")
                    ),
                    true,
                );
                return Vec::new();
            }
        }
        if plan.writes.iter().any(|w| w.generate.is_some()) {
            self.toast(
                format!(
                    "plan {} makes a password when applied: apply it with entra-console plan apply (it prints it once)",
                    plan.id
                ),
                true,
            );
            return Vec::new();
        }
        let me: crate::plan::Person = match serde_json::from_value(v["me"].clone()) {
            Ok(p) => p,
            Err(e) => {
                self.toast(format!("plan not applied: {e}"), true);
                return Vec::new();
            }
        };
        let mut targets = Vec::new();
        for w in &plan.writes {
            match w.request() {
                Ok(request) => targets.push(crate::blades::verb::Target {
                    name: w.words.clone(),
                    current: Value::Null,
                    // Journaled as the write's "before": who planned it and who applies it.
                    object: serde_json::from_str(&crate::plan::journal_note(
                        &plan,
                        &me,
                        w.before.as_ref(),
                    ))
                    .unwrap_or_default(),
                    request,
                }),
                Err(e) => {
                    self.toast(format!("plan {} not applied: {e}", plan.id), true);
                    return Vec::new();
                }
            }
        }
        let first = targets[0].clone();
        let title = format!(
            "Apply plan {}: {} (planned by {})",
            plan.id,
            crate::sanitize::clean(&plan.title),
            crate::sanitize::clean(&plan.author.upn)
        );
        let effects = self.begin_write(
            title,
            String::new(),
            first.request,
            None,
            Some(first.object),
        );
        if let Some(w) = &mut self.write {
            w.targets = targets;
            w.sent = 1;
            w.incident = Some(plan.id.clone());
        }
        effects
    }

    /// The plan was written (the confirm closes) or not (it stays, with the reason).
    pub(crate) fn on_plan_saved(&mut self, result: Result<Value, String>) {
        self.tenant.plan_save = None;
        match result {
            Ok(v) => {
                self.write = None;
                let path = crate::sanitize::clean(v["path"].as_str().unwrap_or_default());
                self.toast(
                    format!(
                        "plan {} saved to {path}{}: nothing was sent; apply it with: entra-console plan apply {path}",
                        v["id"].as_str().unwrap_or_default(),
                        if v["approval"] == "required" {
                            " (someone other than you applies it)"
                        } else {
                            ""
                        }
                    ),
                    false,
                );
            }
            Err(e) => self.toast(
                format!("the plan was not saved: {e} (nothing was sent; the confirm stays)"),
                true,
            ),
        }
        self.dirty = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approval_patterns_name_an_area_and_a_verb() {
        let p = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let ca = "/identity/conditionalAccess/policies/p1";
        assert!(needs_approval(&p(&["ca-policies:*"]), &Method::Patch, ca));
        assert!(needs_approval(&p(&["ca-policies"]), &Method::Delete, ca));
        assert!(!needs_approval(
            &p(&["ca-policies:delete"]),
            &Method::Patch,
            ca
        ));
        assert!(needs_approval(
            &p(&["devices:delete"]),
            &Method::Delete,
            "/devices/d1"
        ));
        assert!(!needs_approval(
            &p(&["devices:delete"]),
            &Method::Patch,
            "/devices/d1"
        ));
        assert!(needs_approval(
            &p(&["roles:assign"]),
            &Method::Post,
            "/roleManagement/directory/roleAssignments"
        ));
        assert!(needs_approval(
            &p(&["*:*"]),
            &Method::Post,
            "/users/u/revokeSignInSessions"
        ));
        assert!(!needs_approval(&[], &Method::Post, "/users/u"));
    }
}

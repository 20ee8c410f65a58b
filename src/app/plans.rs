//! `S` in a write's confirm: the write saved as a change plan (`plan::Plan`, in the data
//! folder's `plans`) instead of sent: the confirm closes only once the file is written, and
//! says where; a profile's `require_approval` writes are only saved this way.

use super::write::PendingWrite;
use super::{App, Effect};
use crate::graph::{GraphClient, GraphError, Method};
use serde_json::{Value, json};

/// Whether a profile's `require_approval` pattern takes this write: `AREA:VERB` where AREA is
/// `ca-policies`, `named-locations`, `users`, `groups`, `roles`, `devices`, `pim` or `*`, and
/// VERB `create`/`assign` (POST), `update` (PATCH), `delete` (DELETE) or `*`.
pub fn needs_approval(patterns: &[String], method: &Method, path: &str) -> bool {
    let area = if path.starts_with("/identity/conditionalAccess/policies") {
        "ca-policies"
    } else if path.starts_with("/identity/conditionalAccess/namedLocations") {
        "named-locations"
    } else if path.starts_with("/roleManagement/directory/role") {
        "roles"
    } else if path.starts_with("/policies/roleManagementPolicies")
        || path.starts_with("/identityGovernance/privilegedAccess")
    {
        "pim"
    } else if let Some(first) = path.trim_start_matches('/').split('/').next() {
        match first {
            "users" => "users",
            "groups" => "groups",
            "devices" => "devices",
            _ => "other",
        }
    } else {
        "other"
    };
    let verbs: &[&str] = match method {
        Method::Post => &["create", "assign"],
        Method::Patch | Method::Put => &["update"],
        Method::Delete => &["delete"],
        _ => &[],
    };
    patterns.iter().any(|p| {
        let (a, v) = p.split_once(':').unwrap_or((p.as_str(), "*"));
        (a == "*" || a.eq_ignore_ascii_case(area))
            && (v == "*" || verbs.iter().any(|x| x.eq_ignore_ascii_case(v)))
    })
}

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
        vec![crate::plan::Write::of(
            &w.title,
            &w.request,
            path.as_deref().map(|p| (p, w.title.as_str())),
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

//! The review before a Conditional Access save: read the server's copy, diff, guard, then send
//! (state: `app::review`).

use crate::app::review::{Mode, Review, created};
use crate::app::{App, Effect};
use crate::ca::diff::describe;
use crate::ca::guard::{context_warnings, judge};
use serde_json::Value;

impl App {
    /// Attach a review to the pending write and read what it needs (guarded accounts, names).
    pub(crate) fn attach_review(&mut self, review: Review) -> Vec<Effect> {
        // No write was opened (read-only mode): nothing to review.
        if self.write.is_none() {
            return Vec::new();
        }
        let policy = review.policy;
        if let Some(w) = &mut self.write {
            w.review = Some(review);
        }
        let mut effects = Vec::new();
        if policy && self.tenant.guard.is_none() && self.tenant.guard_request.is_none() {
            let id = self.fresh_id();
            self.tenant.guard_request = Some(id);
            effects.push(Effect::LoadGuard {
                id,
                accounts: self.ctx.break_glass.clone(),
            });
        }
        effects.extend(self.load_names_for_write());
        self.refresh_review();
        effects
    }

    fn load_names_for_write(&mut self) -> Vec<Effect> {
        let Some(w) = &self.write else {
            return Vec::new();
        };
        let mut ids = Vec::new();
        for v in [
            w.before.as_ref(),
            w.review.as_ref().and_then(|r| match &r.mode {
                Mode::Save(v) => Some(v),
                _ => None,
            }),
        ]
        .into_iter()
        .flatten()
        {
            ids.extend(crate::ca::load::object_ids(v));
        }
        ids.retain(|i| !self.tenant.names.contains_key(i));
        self.load_names(ids)
    }

    /// The object as it will be after the pending write.
    fn review_after(&self) -> Option<Value> {
        let w = self.write.as_ref()?;
        match &w.review.as_ref()?.mode {
            Mode::State => w.before.clone().map(|mut b| {
                b["state"] = w.chosen().cloned().unwrap_or(Value::Null);
                b
            }),
            Mode::Save(v) => Some(v.clone()),
            Mode::Delete => None,
        }
    }

    /// Recompute the diff, the guard and the warnings (after a choice, new facts or accounts).
    pub(crate) fn refresh_review(&mut self) {
        let after = self.review_after();
        // Disjoint borrows: the write mutably, the facts, accounts and names read-only.
        let empty = crate::protect::Facts::default();
        let facts = self.tenant.facts.as_ref().unwrap_or(&empty);
        let guard = self.tenant.guard.as_ref();
        let no_break_glass = self.ctx.break_glass.is_empty();
        let names = &self.tenant.names;
        let impacts = &self.tenant.impacts;
        let reading: Vec<&String> = self.tenant.impact_reads.values().collect();
        let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
        let Some(w) = &mut self.write else {
            return;
        };
        let before = w.before.clone();
        let Some(r) = &mut w.review else {
            return;
        };
        r.diff = match (&before, &after) {
            (Some(b), Some(a)) => describe(
                &crate::ca::diff::draft(b),
                &crate::ca::diff::draft(a),
                &name,
            ),
            (None, Some(a)) => created(a, r.policy),
            (Some(b), None) => vec![format!(
                "deleted: {}",
                crate::sanitize::clean(b["displayName"].as_str().unwrap_or_default())
            )],
            (None, None) => Vec::new(),
        };
        if !r.policy {
            return;
        }
        r.warnings = context_warnings(before.as_ref(), after.as_ref(), facts);
        // Switching a report-only policy on: what it would have done, from the sign-in log.
        if let (Some(b), Some(a)) = (&before, &after)
            && b["state"] == "enabledForReportingButNotEnforced"
            && a["state"] == "enabled"
        {
            let pid = b["id"].as_str().unwrap_or_default();
            match impacts.get(pid) {
                Some(words) => r.warnings.push(format!(
                    "had it been on, by its report-only results: {words}"
                )),
                None if reading.iter().any(|p| *p == pid) => r.warnings.push(
                    "had it been on: reading its report-only results in the last 7 days of sign-ins…"
                        .into(),
                ),
                None => {}
            }
        }
        if no_break_glass && after.is_some() {
            r.warnings.push(
                "no break-glass accounts in this profile (break_glass in config.toml): the lockout guard checks only your own account".into(),
            );
        }
        match (guard, &after) {
            (Some(g), Some(a)) => {
                r.guard_pending = false;
                let v = judge(before.as_ref(), a, g);
                r.lockouts = v.refusals;
                r.warnings.extend(
                    v.existing
                        .into_iter()
                        .map(|l| format!("already so before this change (not refused): {l}")),
                );
            }
            (None, Some(a)) => {
                r.lockouts.clear();
                r.guard_pending =
                    crate::ca::eval::blocks(a).is_some() && a["state"].as_str() == Some("enabled");
            }
            (_, None) => {
                r.guard_pending = false;
                r.lockouts.clear();
            }
        }
    }

    /// The guarded accounts were read.
    pub(crate) fn on_guard(
        &mut self,
        id: crate::app::RequestId,
        facts: crate::ca::guard::GuardFacts,
    ) -> Vec<Effect> {
        if self.tenant.guard_request != Some(id) {
            return Vec::new();
        }
        self.tenant.guard_request = None;
        for a in &facts.accounts {
            if let Some(i) = &a.id {
                self.tenant.names.insert(i.clone(), a.label.clone());
            }
        }
        self.tenant.guard = Some(facts);
        self.refresh_review();
        self.dirty = true;
        Vec::new()
    }

    /// Ask for names of ids not known yet.
    /// The first call also reads the tenant-wide names (roles, locations, strengths, contexts);
    /// ids asked for while a read is in flight are read right after it.
    pub(crate) fn load_names(&mut self, ids: Vec<String>) -> Vec<Effect> {
        if self.ctx.offline {
            return Vec::new();
        }
        if self.tenant.names_request.is_some() {
            self.tenant.names_pending.extend(ids);
            return Vec::new();
        }
        let everything = self.tenant.names.is_empty();
        if !ids.is_empty() || everything {
            let id = self.fresh_id();
            self.tenant.names_request = Some(id);
            return vec![Effect::LoadNames {
                id,
                ids,
                everything,
            }];
        }
        Vec::new()
    }

    pub(crate) fn on_names(
        &mut self,
        id: crate::app::RequestId,
        names: crate::ca::load::NameRead,
    ) -> Vec<Effect> {
        if self.tenant.names_request != Some(id) {
            return Vec::new();
        }
        self.tenant.names_request = None;
        self.tenant.names.extend(names.names);
        // What was read is shown; what was not is named (ids stay ids there).
        if !names.missing.is_empty() {
            let what = names.missing.join("; ");
            tracing::warn!("names not read: {what}");
            self.toast(format!("names not read (ids shown instead): {what}"), true);
        }
        self.refresh_review();
        self.dirty = true;
        let mut pending = std::mem::take(&mut self.tenant.names_pending);
        pending.retain(|i| !self.tenant.names.contains_key(i));
        pending.sort();
        pending.dedup();
        if pending.is_empty() {
            Vec::new()
        } else {
            self.load_names(pending)
        }
    }

    /// Enter on a reviewed update or delete: read the object once more first; the write goes
    /// out only if nobody changed it since the review was built.
    pub(crate) fn verify_then_send(&mut self) -> Vec<Effect> {
        let id = self.fresh_id();
        let Some(w) = &mut self.write else {
            return Vec::new();
        };
        let Some(r) = &mut w.review else {
            return Vec::new();
        };
        r.verifying = Some(id);
        vec![Effect::FetchObject {
            id,
            request: crate::graph::Request::get(w.request.path.clone()),
            cache: None,
        }]
    }

    /// The id of the re-read in flight, if any.
    pub(crate) fn verifying(&self) -> Option<crate::app::RequestId> {
        self.write.as_ref()?.review.as_ref()?.verifying
    }

    /// The re-read arrived: unchanged, send; changed, show the review again on the new version.
    pub(crate) fn on_verified(&mut self, current: Value) -> Vec<Effect> {
        let names = &self.tenant.names;
        let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
        let Some(w) = &mut self.write else {
            return Vec::new();
        };
        let Some(r) = &mut w.review else {
            return Vec::new();
        };
        r.verifying = None;
        let before = w.before.clone().unwrap_or(Value::Null);
        let (old, new) = (
            crate::ca::diff::draft(&before),
            crate::ca::diff::draft(&current),
        );
        if crate::ca::diff::merge_patch(&old, &new).is_none() {
            return self.send_write();
        }
        r.conflicts = describe(&old, &new, &name)
            .into_iter()
            .map(|l| format!("changed on the server while you reviewed: {l}"))
            .collect();
        if let (Mode::Save(_), Some(patch)) = (&r.mode, &w.request.body) {
            let mut after = current.clone();
            crate::ca::diff::apply(&mut after, patch);
            r.mode = Mode::Save(after);
        }
        w.before = Some(current);
        self.refresh_review();
        self.toast(
            "the object changed on the server: review the new version, Enter to send",
            true,
        );
        Vec::new()
    }

    /// Keys of the confirm step that belong to the review: typing the override name.
    pub(crate) fn review_key(&mut self, key: crossterm::event::KeyEvent) -> bool {
        use crossterm::event::KeyCode;
        let Some(r) = self.write.as_mut().and_then(|w| w.review.as_mut()) else {
            return false;
        };
        if r.lockouts.is_empty() {
            return false;
        }
        // ←/→ stay the choice's; the rest edits the typed name (the cursor at its end).
        if matches!(
            key.code,
            KeyCode::Left | KeyCode::Right | KeyCode::Home | KeyCode::End
        ) {
            return false;
        }
        let mut cursor = None;
        if !crate::widgets::input::edit(&mut r.typed, &mut cursor, key) {
            return false;
        }
        self.dirty = true;
        true
    }
}

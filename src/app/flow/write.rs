//! The write flow: the confirm, sending, step-up and the result of every write (the pending write:
//! `app::write`).

use crate::app::write::{Choice, PendingWrite, Phase, StepUpFailure, missing_id, way_out};
use crate::app::{App, Effect, RequestId};
use crate::auth::oauth::DeviceCode;
use crate::graph::{GraphError, Method, Request};
use crate::protect::{self};
use crossterm::event::{KeyCode, KeyEvent};

impl App {
    /// Open the confirm step for a write.
    pub fn begin_write(
        &mut self,
        title: String,
        object_id: String,
        request: Request,
        choice: Option<Choice>,
        before: Option<serde_json::Value>,
    ) -> Vec<Effect> {
        if self.ctx.read_only {
            self.toast("read-only mode: writes are disabled", true);
            return Vec::new();
        }
        if let Some(why) = missing_id(&request) {
            self.toast(format!("refused, nothing was sent: {why}"), true);
            return Vec::new();
        }
        let protection = self
            .tenant
            .facts
            .as_ref()
            .and_then(|f| protect::protection(&request, f));
        let mut w = PendingWrite {
            title,
            object_id,
            request,
            choice,
            protection,
            phase: Phase::Confirm,
            step_ups: 0,
            challenge: None,
            before,
            targets: Vec::new(),
            sent: 0,
            review: None,
            follows: None,
            reveal: None,
            shown: None,
            shown_label: None,
            incident: None,
            cut: false,
            hidden: false,
            scroll: 0,
            read_rows: 0,
            unread: false,
        };
        w.sync_request();
        self.write = Some(w);
        self.dirty = true;
        // Not read yet, or read in part: read again (a part may have failed for a moment).
        if self
            .tenant
            .facts
            .as_ref()
            .is_none_or(|f| !f.missing.is_empty())
        {
            self.load_facts()
        } else {
            Vec::new()
        }
    }

    /// Read protected actions, contexts and policies (for protection and explanations).
    pub fn load_facts(&mut self) -> Vec<Effect> {
        let id = self.fresh_id();
        self.tenant.facts_request = Some(id);
        vec![Effect::LoadFacts { id }]
    }

    pub fn on_facts(
        &mut self,
        id: RequestId,
        facts: Result<protect::Facts, GraphError>,
    ) -> Vec<Effect> {
        let mut effects = Vec::new();
        if self.tenant.facts_request != Some(id) {
            return effects;
        }
        self.tenant.facts_request = None;
        let now = self.now;
        match facts {
            Ok(f) => {
                if let Some(w) = &mut self.write {
                    w.protection = protect::protection(&w.request, &f);
                    // A context choice opened before the contexts were read gets them now,
                    // still on the current value.
                    if let Some(c) = w.choice.as_mut()
                        && let Some(refill) = c.refill
                        && c.options.len() == 1
                    {
                        c.options = (refill.0)(Some(&f));
                        c.selected = c
                            .options
                            .iter()
                            .position(|(_, v)| *v == c.current)
                            .unwrap_or(0);
                        w.sync_request();
                    }
                }
                self.tenant.facts = Some(f.clone());
                self.refresh_review();
                // A list built from the facts (protected actions, contexts) fills now.
                for v in &mut self.stack {
                    if let crate::app::View::List(l) = v
                        && l.load.request == Some(id)
                    {
                        l.table.set_rows(l.source.rows_from_facts(&f));
                        // What was read is listed; what was not is named with Graph's error.
                        l.load = crate::app::LoadState {
                            loaded_at: Some(now),
                            live: true,
                            error: f
                                .lacking(l.source.facts_parts())
                                .map(|m| format!("partly read: {m}")),
                            ..Default::default()
                        };
                    }
                }
                self.tenant.facts = Some(f);
                if matches!(
                    self.wizard.as_ref().map(|w| &w.step),
                    Some(crate::app::wizard::Step::Start | crate::app::wizard::Step::Checking)
                ) {
                    effects = self.wizard_next();
                }
            }
            Err(e) => {
                for v in &mut self.stack {
                    if v.load().request == Some(id) {
                        let load = v.load_mut();
                        load.loading = false;
                        load.request = None;
                        load.error = Some(e.to_string());
                    }
                }
                tracing::warn!("cannot read protection facts: {e}");
                // Nothing could be read: every part is named as missing, so pages that wait
                // for the facts say why instead of "loading…" forever.
                self.tenant.facts = Some(protect::Facts::unread(&e.to_string()));
                if self.wizard.take().is_some() {
                    self.toast(format!("guided setup stopped: {e}"), true);
                }
            }
        }
        self.dirty = true;
        effects
    }

    pub(crate) fn send_write(&mut self) -> Vec<Effect> {
        let id = self.fresh_id();
        let Some(w) = &mut self.write else {
            return Vec::new();
        };
        w.phase = Phase::Sending(id);
        let reveal = match &w.reveal {
            Some(crate::blades::verb::Reveal::Answer { field, .. }) => Some(*field),
            _ => None,
        };
        vec![Effect::Write {
            id,
            request: w.request.clone(),
            reveal,
        }]
    }

    /// Keys while a write panel is open; `None` lets the key through to the panes.
    pub fn write_key(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let w = self.write.as_mut()?;
        self.dirty = true;
        if w.phase == Phase::Confirm && self.review_key(key) {
            return Some(Vec::new());
        }
        let w = self.write.as_mut()?;
        // A choice whose options are still being read cannot take ←/→ yet: said, not lost
        // without a word.
        if w.phase == Phase::Confirm
            && matches!(
                key.code,
                KeyCode::Left | KeyCode::Right | KeyCode::Tab | KeyCode::BackTab
            )
            && w.choice.as_ref().is_some_and(|c| c.options.len() == 1)
            && self.tenant.facts_request.is_some()
        {
            self.toast(
                "still reading the choices: that key was dropped; choose once they are listed",
                true,
            );
            return Some(Vec::new());
        }
        let w = self.write.as_mut()?;
        let effects = match (&w.phase, key.code) {
            (Phase::Confirm, KeyCode::Left | KeyCode::BackTab) => {
                if let Some(c) = &mut w.choice {
                    c.selected = (c.selected + c.options.len() - 1) % c.options.len();
                }
                w.sync_request();
                self.refresh_review();
                Vec::new()
            }
            (Phase::Confirm, KeyCode::Right | KeyCode::Tab) => {
                if let Some(c) = &mut w.choice {
                    c.selected = (c.selected + 1) % c.options.len();
                }
                w.sync_request();
                self.refresh_review();
                Vec::new()
            }
            // A change the profile gives to a second admin: saved as a plan, never sent here.
            (Phase::Confirm, KeyCode::Enter)
                if crate::app::plans::needs_approval(
                    &self.ctx.require_approval,
                    &w.request.method,
                    &w.request.path,
                ) =>
            {
                self.toast(
                    "this change needs a second admin (require_approval in the profile): S saves it as a plan for them; nothing was sent",
                    true,
                );
                Vec::new()
            }
            (Phase::Confirm, KeyCode::Enter) if w.hidden => {
                self.toast(
                    "the terminal is too small to show this confirm: make it larger to read the change (nothing was applied)",
                    true,
                );
                Vec::new()
            }
            // A confirm taller than its panel is read to its end before Enter applies it.
            (Phase::Confirm, KeyCode::Down | KeyCode::PageDown) => {
                let step = if key.code == KeyCode::Down { 1 } else { 5 };
                w.scroll = w.scroll.saturating_add(step);
                Vec::new()
            }
            (Phase::Confirm, KeyCode::Up | KeyCode::PageUp) => {
                let step = if key.code == KeyCode::Up { 1 } else { 5 };
                w.scroll = w.scroll.saturating_sub(step);
                Vec::new()
            }
            (Phase::Confirm, KeyCode::Enter) if w.unread => {
                self.toast(
                    "this confirm is taller than the window: ↓ reads the rest, then Enter applies it (nothing was applied)",
                    true,
                );
                Vec::new()
            }
            (Phase::Confirm, KeyCode::Enter) if w.unchanged() => {
                let what = w.choice.as_ref().map_or("value".to_string(), |c| {
                    format!("{} {}", c.field, c.options[c.selected].0)
                });
                self.toast(
                    format!("{what} is what it is now: nothing to send (←/→ picks another)"),
                    true,
                );
                Vec::new()
            }
            (Phase::Confirm | Phase::Failed(_), KeyCode::Char('S'))
                if w.review.as_ref().is_none_or(|r| r.lockouts.is_empty()) =>
            {
                self.save_as_plan()
            }
            (Phase::Confirm, KeyCode::Enter) => {
                let existing = !w.object_id.is_empty() && w.request.method != Method::Post;
                match w
                    .review
                    .as_ref()
                    .map(|r| (r.blocker(), r.verifying.is_some()))
                {
                    Some((Some(why), _)) => {
                        self.toast(why, true);
                        Vec::new()
                    }
                    Some((None, true)) => Vec::new(),
                    // A reviewed change to an existing object: re-read it just before sending.
                    Some((None, false)) if existing => self.verify_then_send(),
                    _ => self.send_write(),
                }
            }
            (Phase::Confirm, KeyCode::Esc) => {
                // Dropping a step ends the guided setup too.
                self.write = None;
                self.wizard = None;
                Vec::new()
            }
            // `:`, `/` and `?` close the result and do what they do (`:messages` typed on a
            // result lost its `:`, and the rest went to the list as keys).
            // The secret shown once, to the terminal's clipboard (OSC 52); the panel stays.
            (Phase::Done(_), KeyCode::Char('y')) if w.shown.is_some() => {
                let secret = w.shown.as_ref().map(|s| s.0.clone()).unwrap_or_default();
                self.toast(
                    "copied (OSC 52): paste it to the user now; it is not kept",
                    false,
                );
                vec![Effect::Copy(secret)]
            }
            // A secret the terminal is too small to show is not closed by a stray key.
            (Phase::Done(_), code) if w.cut && w.shown.is_some() && code != KeyCode::Esc => {
                self.toast(
                    "the terminal is too small to show it: make it larger (Esc closes it; it is kept nowhere)",
                    true,
                );
                Vec::new()
            }
            (Phase::Done(_), KeyCode::Char(':' | '/' | '?')) => {
                self.write = None;
                return None;
            }
            (Phase::Done(_), _) => {
                self.write = None;
                Vec::new()
            }
            (Phase::Challenged, KeyCode::Enter) => {
                let claims = w
                    .challenge
                    .as_ref()
                    .map(|c| c.claims.clone())
                    .unwrap_or_default();
                let id = self.fresh_id();
                if let Some(w) = &mut self.write {
                    w.phase = Phase::Authenticating(id);
                }
                vec![Effect::StepUp { id, claims }]
            }
            (Phase::Failed(_), KeyCode::Enter) => {
                w.phase = Phase::Confirm;
                w.step_ups = 0;
                Vec::new()
            }
            (Phase::Challenged | Phase::Failed(_), KeyCode::Esc) => {
                // Cancel the send, keep the draft: back to the confirm step.
                w.phase = Phase::Confirm;
                w.step_ups = 0;
                Vec::new()
            }
            (Phase::Authenticating(id) | Phase::DeviceCode { id, .. }, KeyCode::Esc) => {
                let id = *id;
                w.phase = Phase::Challenged;
                vec![Effect::Cancel(id)]
            }
            (Phase::Sending(_) | Phase::Authenticating(_) | Phase::DeviceCode { .. }, _) => {
                Vec::new()
            }
            _ => Vec::new(),
        };
        Some(effects)
    }

    /// A journal entry for the current write's outcome.
    fn journal(&self, outcome: String, request_id: Option<String>) -> Effect {
        let w = self.write.as_ref();
        let entry = crate::cache::JournalEntry {
            time: self.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            profile: self.ctx.profile.clone(),
            user: None,
            method: w
                .map(|w| w.request.method.as_str().to_string())
                .unwrap_or_default(),
            path: w.map(|w| w.request.path.clone()).unwrap_or_default(),
            before: w.and_then(|w| w.before.as_ref()).map(|v| v.to_string()),
            // Never a password or a pass: the journal keeps the request without them.
            after: w
                .and_then(|w| w.request.body.as_ref())
                .map(|v| crate::graph::secret_free(v).to_string()),
            outcome,
            request_id,
            incident: w.and_then(|w| w.incident.clone()),
            // The context the write's token carried: the one its step-up met, or the one its
            // protection asks for when an earlier step-up already put it in the token.
            claims_context: w.and_then(|w| {
                let stepped = (w.step_ups > 0)
                    .then(|| w.challenge.as_ref().and_then(|c| c.acrs.clone()))
                    .flatten();
                stepped.or_else(|| {
                    w.protection
                        .as_ref()
                        .and_then(|p| p.context.as_ref())
                        .map(|(cid, _, _)| cid.clone())
                        .filter(|cid| self.tenant.token_acrs.contains(cid))
                })
            }),
        };
        Effect::Journal(Box::new(entry))
    }

    fn phase_id(&self) -> Option<RequestId> {
        match self.write.as_ref()?.phase {
            Phase::Sending(id) | Phase::Authenticating(id) | Phase::DeviceCode { id, .. } => {
                Some(id)
            }
            _ => None,
        }
    }

    /// The answer to a write.
    pub fn on_write_done(
        &mut self,
        id: RequestId,
        result: Result<crate::msg::Written, GraphError>,
    ) -> Vec<Effect> {
        if self.phase_id() != Some(id) {
            return Vec::new();
        }
        self.dirty = true;
        let facts = self.tenant.facts.clone().unwrap_or_default();
        let Some(w) = &mut self.write else {
            return Vec::new();
        };
        match result {
            Ok(crate::msg::Written { request_id, .. }) if w.sent < w.targets.len() => {
                // A bulk write: journal this one, then send the next (step-up already done).
                let journal = self.journal("ok".into(), request_id);
                let Some(w) = &mut self.write else {
                    return vec![journal];
                };
                let next = &w.targets[w.sent];
                w.request = next.request.clone();
                w.before = Some(next.object.clone());
                w.sent += 1;
                let mut effects = self.send_write();
                effects.push(journal);
                return effects;
            }
            Ok(crate::msg::Written { request_id, secret }) => {
                let what = w.done_words();
                let shown = match (&w.reveal, secret) {
                    (Some(crate::blades::verb::Reveal::Known { label, secret }), _) => {
                        Some((*label, secret.clone()))
                    }
                    (Some(crate::blades::verb::Reveal::Answer { label, .. }), Some(s)) => {
                        Some((*label, s))
                    }
                    _ => None,
                };
                w.phase = Phase::Done(match &shown {
                    Some(_) => format!("{what}."),
                    None => format!("{what}. Any key closes."),
                });
                w.shown_label = shown.as_ref().map(|(l, _)| *l);
                w.shown = shown.map(|(_, s)| s);
                // Made here, used: the copy in the confirm is dropped.
                w.reveal = None;
                let request = w.request.clone();
                self.walk_write_done(&request);
                let exception = self.record_exception();
                let msg = match &exception {
                    Some(_) => format!("{what}; revert-due puts them back once it is due"),
                    None => what,
                };
                let journal = self.journal("ok".into(), request_id);
                self.toast(msg, false);
                // The saved draft is no longer a draft.
                self.editor = None;
                // Protection depends on what just changed: read it again when next needed.
                self.tenant.facts = None;
                if let crate::app::View::List(l) = self.top_mut() {
                    l.table.marked.clear();
                }
                // Graph answers 204 without a body: read the object again.
                let mut effects = self.reload_top();
                effects.push(journal);
                effects.extend(exception);
                if self.wizard.is_some() {
                    effects.extend(self.wizard_next());
                }
                return effects;
            }
            Err(e) => match e.api().and_then(|a| a.claims.clone()) {
                Some(ch) if w.step_ups == 0 => {
                    w.challenge = Some(ch);
                    w.phase = Phase::Challenged;
                }
                Some(ch) => {
                    let acrs = ch.acrs.clone().unwrap_or_default();
                    let has = self.tenant.token_acrs.contains(&acrs);
                    w.phase = Phase::Failed(protect::never_satisfied(&acrs, has, &facts));
                    let rid = e.api().and_then(|a| a.request_id.clone());
                    self.walk_failed("its step-up can never be satisfied");
                    return vec![
                        self.journal(format!("refused: policy never satisfied ({acrs})"), rid),
                    ];
                }
                None if w.request.method == Method::Post && e.answer_lost() => {
                    // Sent once, answer lost: the tenant may have acted. Never sent again
                    // here; the list is read again so the admin sees what is so now.
                    let rid = e.api().and_then(|a| a.request_id.clone());
                    w.phase = Phase::Failed(format!(
                        "The answer was lost ({e}): the tenant may have carried this out. It was \
                         not sent again; what Graph says now is read again behind this panel \
                         (check it before any retry{}). Esc goes back to the confirm, and Esc \
                         there closes it.",
                        rid.as_deref()
                            .map(|r| format!("; request-id {r}"))
                            .unwrap_or_default()
                    ));
                    let journal = self.journal(format!("unknown: {e}"), rid);
                    self.walk_failed(&format!("answer lost, may have been carried out: {e}"));
                    let mut effects = self.reload_top();
                    effects.push(journal);
                    return effects;
                }
                None => {
                    // The error's own text carries Graph's inner message (`1064: ...`) once.
                    w.phase = Phase::Failed(format!(
                        "{e}.{} Your draft is kept: Enter to try again, Esc to edit.",
                        way_out(&w.request, &e)
                    ));
                    let rid = e.api().and_then(|a| a.request_id.clone());
                    let journal = self.journal(format!("failed: {e}"), rid);
                    self.walk_failed(&e.to_string());
                    return vec![journal];
                }
            },
        }
        Vec::new()
    }

    pub fn on_device_code(&mut self, id: RequestId, code: DeviceCode) -> Vec<Effect> {
        if self.phase_id() != Some(id) {
            return Vec::new();
        }
        let until = self.now + chrono::Duration::seconds(code.expires_in as i64);
        let copy = code.user_code.clone();
        if let Some(w) = &mut self.write {
            w.phase = Phase::DeviceCode { id, code, until };
        }
        self.dirty = true;
        vec![Effect::Copy(copy)]
    }

    /// Re-authentication finished: retry the write once, or explain.
    pub fn on_step_up(
        &mut self,
        id: RequestId,
        result: Result<Vec<String>, StepUpFailure>,
    ) -> Vec<Effect> {
        if self.phase_id() != Some(id) {
            return Vec::new();
        }
        self.dirty = true;
        let facts = self.tenant.facts.clone().unwrap_or_default();
        let Some(w) = &mut self.write else {
            return Vec::new();
        };
        let acrs = w
            .challenge
            .as_ref()
            .and_then(|c| c.acrs.clone())
            .unwrap_or_default();
        match result {
            Ok(token_acrs) => {
                self.tenant.token_acrs = token_acrs;
                w.step_ups += 1;
                self.send_write()
            }
            Err(StepUpFailure::Impossible(why)) => {
                w.phase = Phase::Failed(format!("{why}. Your draft is kept."));
                Vec::new()
            }
            Err(StepUpFailure::Refused { code, text }) => {
                // Blocked here (an unmanaged jump host): the change can be applied elsewhere.
                w.phase = Phase::Failed(format!(
                    "{} S saves the change as a plan to apply from a device the policy allows (entra-console plan apply).",
                    protect::refused(code, &text, &acrs, &facts)
                ));
                Vec::new()
            }
            Err(StepUpFailure::Other(text)) => {
                w.phase = Phase::Failed(format!(
                    "Re-authentication failed: {text}. Your draft is kept."
                ));
                Vec::new()
            }
        }
    }
}

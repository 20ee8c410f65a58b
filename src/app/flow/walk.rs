//! The shell's side of a guided walk (containing a user): run each stage's steps, skip, stop,
//! summarise (state: `app::walk`).

use crate::app::walk::WalkState;
use crate::app::{App, Effect, Overlay};
use crate::blades::Walk;
use crate::blades::verb::Scope;

impl App {
    /// Start a walk: a fresh incident id, then its first stage.
    pub(crate) fn start_walk(&mut self, walk: Walk) -> Vec<Effect> {
        let incident = format!(
            "INC-{}-{}",
            self.now.format("%Y%m%d-%H%M%S"),
            &uuid::Uuid::new_v4().simple().to_string()[..6]
        );
        self.walk = Some(WalkState {
            walk,
            running: None,
            next: 0,
            incident,
            outcomes: Vec::new(),
            stage_done: false,
            view: None,
        });
        self.walk_tick()
    }

    /// The incident id of the walk under way (its writes are journaled with it).
    pub fn incident(&self) -> Option<&str> {
        self.walk.as_ref().map(|w| w.incident.as_str())
    }

    /// A write of the running stage was carried out.
    pub(crate) fn walk_write_done(&mut self, request: &crate::graph::Request) {
        if let Some(w) = self.walk.as_mut().filter(|w| w.running.is_some()) {
            w.stage_done = true;
            // What a PATCH of the walk's object set is what the next stages see (a pass's
            // confirm then knows sign-in was blocked); plain values only, never a password.
            let id = w.walk.with["id"].as_str().unwrap_or_default();
            if request.method == crate::graph::Method::Patch
                && !id.is_empty()
                && request.path.ends_with(id)
                && let Some(body) = request.body.as_ref().and_then(|b| b.as_object())
            {
                for (k, v) in body {
                    if !v.is_object() && !v.is_array() {
                        w.walk.with[k.as_str()] = v.clone();
                    }
                }
            }
        }
    }

    /// A write of the running stage failed: the walk stops and says what was and was not done.
    pub(crate) fn walk_failed(&mut self, why: &str) {
        let Some(mut w) = self.walk.take() else {
            return;
        };
        let Some(i) = w.running else {
            return;
        };
        let stages = w.walk.stages;
        w.outcomes.push((stages[i].name, format!("failed: {why}")));
        let not_done: Vec<&str> = stages[i + 1..].iter().map(|s| s.name).collect();
        self.toast(
            format!(
                "{} stopped at {} ({}); {}; not done: {}. Incident {}",
                w.walk.title,
                stages[i].name,
                crate::sanitize::clean(why),
                w.summary(),
                if not_done.is_empty() {
                    "none".into()
                } else {
                    not_done.join(", ")
                },
                w.incident
            ),
            true,
        );
    }

    /// Between events: when the running stage has ended (no write panel, prompt or read of
    /// its own left), record it and start the next; after the last, say what was done.
    pub(crate) fn walk_tick(&mut self) -> Vec<Effect> {
        let (blade, depth) = (self.blade, self.stack.len());
        let busy = self.write.is_some()
            || matches!(self.overlay, Overlay::Picker(_))
            || self.pending_read.is_some();
        let Some(w) = self.walk.as_mut() else {
            return Vec::new();
        };
        let viewing = w.view.is_some_and(|(b, d)| b == blade && depth >= d);
        if busy || viewing {
            return Vec::new();
        }
        w.view = None;
        if let Some(i) = w.running.take() {
            let outcome = if w.stage_done { "done" } else { "skipped" };
            w.outcomes.push((w.walk.stages[i].name, outcome.into()));
            w.stage_done = false;
        }
        let mut effects = Vec::new();
        // A stage that opens nothing (a refusal, a list) ends at once: go on to the next.
        while let Some(w) = self.walk.as_mut() {
            let i = w.next;
            let stages = w.walk.stages;
            if i >= stages.len() {
                let Some(w) = self.walk.take() else { break };
                // The incident id first: a narrow status bar still shows it.
                self.toast(
                    format!(
                        "{} (incident {}): {}; export incident {} writes the record",
                        w.walk.title,
                        w.incident,
                        w.summary(),
                        w.incident
                    ),
                    false,
                );
                break;
            }
            w.next += 1;
            w.running = Some(i);
            let object = w.walk.with.clone();
            let (title, total) = (w.walk.title.clone(), stages.len());
            let scope = Scope {
                page: Some(&object),
                rows: Vec::new(),
                marked: false,
                table: None,
                parent_page: None,
                graph_root: &self.ctx.graph,
                selected: None,
                focused: None,
                facts: self.tenant.facts.as_ref(),
                break_glass: &self.ctx.break_glass,
                licences: self.tenant.licences.ready(),
                parent: None,
            };
            let steps = (stages[i].run)(&scope);
            let depth = self.stack.len();
            self.toast(
                format!(
                    "{title}, step {} of {total}: {} (Esc skips it)",
                    i + 1,
                    stages[i].name
                ),
                false,
            );
            effects.extend(self.steps(steps));
            let busy = self.write.is_some()
                || matches!(self.overlay, Overlay::Picker(_))
                || self.pending_read.is_some();
            if busy {
                // Opened by the walk, not by a key: keys typed before it is drawn are dropped.
                if self.write.is_some() {
                    self.confirm_unseen = true;
                }
                break;
            }
            if self.stack.len() > depth {
                // A list to act on: the stage lasts until it is left.
                let here = (self.blade, self.stack.len());
                if let Some(w) = self.walk.as_mut() {
                    w.view = Some(here);
                }
                break;
            }
            if let Some(w) = self.walk.as_mut()
                && let Some(i) = w.running.take()
            {
                w.outcomes.push((w.walk.stages[i].name, "shown".into()));
            }
        }
        effects
    }
}

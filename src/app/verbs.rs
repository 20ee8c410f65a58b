//! The shell's side of a blade's verbs: build the narrow scope a verb sees from the view on
//! top, run it, and carry out the steps it answers (a confirm, a prompt, a list, a page, a
//! message). Nothing here names a blade.

use super::picker::{Picker, Stage};
use super::{App, Effect, Overlay, View};
use crate::blades::verb::{Confirm, Flow, Scope};
use crate::blades::{ListSource, SubDef, SubKind};
use crate::blades::{Step, Then, Verb};

impl App {
    /// The scope of a verb on the view on top.
    fn verb_scope(&self) -> Scope<'_> {
        let (page, rows, selected) = match self.top() {
            View::Detail(d) => (d.object.as_ref(), Vec::new(), None),
            View::List(l) => (
                None,
                l.table
                    .marked_or_selected()
                    .iter()
                    .map(|r| r.object())
                    .collect(),
                l.table.selected().map(|r| r.object()),
            ),
        };
        let marked = match self.top() {
            View::List(l) => !l.table.marked_rows().is_empty(),
            View::Detail(_) => false,
        };
        let parent = match self.top() {
            View::List(l) => match &l.source {
                ListSource::Sub { id, name, .. } => Some((id.clone(), name.clone())),
                ListSource::GroupMembers {
                    group_id,
                    group_name,
                    ..
                } => Some((group_id.clone(), group_name.clone())),
                ListSource::RoleAssignments { role_id, role_name } => {
                    Some((role_id.clone(), role_name.clone()))
                }
                _ => None,
            },
            View::Detail(_) => None,
        };
        // The parent's page, when it is open below (a group's page under its members).
        let parent_page = parent.as_ref().and_then(|(id, _)| {
            self.stack.iter().find_map(|v| match v {
                View::Detail(d) if d.target.id == *id => d.object.as_ref(),
                _ => None,
            })
        });
        Scope {
            page,
            rows,
            marked,
            table: match self.top() {
                View::List(l) => Some(&*l.table),
                View::Detail(_) => None,
            },
            parent_page,
            graph_root: &self.ctx.graph,
            selected,
            focused: self.focused_object(),
            parent,
            facts: self.tenant.facts.as_ref(),
            break_glass: &self.ctx.break_glass,
            licences: self.tenant.licences.ready(),
        }
    }

    /// Run a verb of the view's blade.
    pub(super) fn run_verb(&mut self, verb: &'static Verb) -> Vec<Effect> {
        if verb.writes && self.ctx.read_only {
            self.toast("read-only mode: writes are disabled", true);
            return Vec::new();
        }
        let steps = (verb.run)(&self.verb_scope());
        self.steps(steps)
    }

    /// Carry out a verb's steps, in order.
    pub(super) fn steps(&mut self, steps: Vec<Step>) -> Vec<Effect> {
        self.dirty = true;
        let mut effects = Vec::new();
        for step in steps {
            effects.extend(match step {
                Step::Confirm(c) => self.confirm(*c),
                Step::Prompt(p) => {
                    if self.ctx.read_only {
                        self.toast("read-only mode: writes are disabled", true);
                        continue;
                    }
                    self.overlay = Overlay::Picker(Box::new(Picker {
                        title: p.title,
                        then: Some(p.then),
                        secret: p.secret,
                        optional: p.optional,
                        stage: Stage::Name,
                        input: p.input,
                        ..Default::default()
                    }));
                    Vec::new()
                }
                Step::Choose(c) => {
                    self.overlay = Overlay::Picker(Box::new(Picker {
                        title: c.title,
                        chose: Some(c.then),
                        note: c.note,
                        inline: c.inline,
                        stage: Stage::Choose {
                            selected: c.selected.min(c.options.len().saturating_sub(1)),
                            options: c.options,
                        },
                        ..Default::default()
                    }));
                    Vec::new()
                }
                Step::Pick(pick) => {
                    if self.ctx.read_only {
                        self.toast("read-only mode: writes are disabled", true);
                        continue;
                    }
                    self.overlay = Overlay::Picker(Box::new(Picker {
                        title: pick.title,
                        picked: Some(pick.then),
                        ..Default::default()
                    }));
                    Vec::new()
                }
                Step::Sub(def) => self.open_sub(def),
                Step::List(source) => self.open_list(source),
                Step::Open(target) => self.open_object(target),
                Step::OpenPage { page, id, name } => match crate::blades::ObjectKind::named(page) {
                    Some(kind) => self.open_object(crate::blades::ObjectRef { kind, id, name }),
                    None => {
                        self.toast(format!("no page named {page}"), true);
                        Vec::new()
                    }
                },
                Step::Say { text, error } => {
                    self.toast(text, error);
                    Vec::new()
                }
                Step::Flow(f) => self.flow(f),
                Step::Walk(w) => self.start_walk(w),
                Step::Read { request, then } => {
                    let id = self.fresh_id();
                    self.pending_read = Some((id, then));
                    vec![Effect::Check { id, request }]
                }
            });
        }
        effects
    }

    /// A shell flow a verb opened.
    fn flow(&mut self, f: Flow) -> Vec<Effect> {
        match f {
            Flow::Licence { object, group } => self.open_licence(&object, group),
            Flow::WhatIf => {
                self.open_what_if_prompt();
                Vec::new()
            }
            Flow::CaState => self.set_policy_state(),
            Flow::NewGroup => self.open_new_group(),
            Flow::Edit => self.edit_selected(),
            Flow::Duplicate => self.duplicate_selected(),
            Flow::New { countries } => self.new_ca_object(countries),
            Flow::Delete => self.delete_ca_selected(),
            Flow::Exclude => self.open_exclude(),
        }
    }

    /// A verb's write: its confirm, with everything it declared.
    fn confirm(&mut self, c: Confirm) -> Vec<Effect> {
        // A walk's step says where it is in the walk.
        let title = match self.walk.as_ref().and_then(|w| w.running.map(|i| (w, i))) {
            Some((w, i)) => format!(
                "{}, step {} of {}: {}",
                w.walk.title,
                i + 1,
                w.walk.stages.len(),
                c.title
            ),
            None => c.title,
        };
        let effects = self.begin_write(title, c.object_id, c.request, c.choice, c.before);
        if let Some(w) = &mut self.write {
            w.follows = c.follows;
            w.reveal = c.reveal;
            w.incident = self.walk.as_ref().map(|x| x.incident.clone());
            if !c.targets.is_empty() {
                w.targets = c.targets;
                w.sent = 1;
                w.sync_request();
            }
        }
        effects
    }

    /// The answer of a verb's read: its continuation's steps (a stale answer is dropped).
    pub(super) fn on_read(
        &mut self,
        id: super::RequestId,
        result: Result<serde_json::Value, crate::graph::GraphError>,
    ) -> Vec<Effect> {
        match self.pending_read.take_if(|(rid, _)| *rid == id) {
            Some((_, then)) => {
                let steps = (then.run)(result, &then.with);
                self.steps(steps)
            }
            None => Vec::new(),
        }
    }

    /// Enter in a prompt whose verb holds its continuation: its steps, or why not (said under
    /// the input; the prompt stays with what was typed).
    pub(super) fn prompt_entered(&mut self, then: Then, text: &str) -> Vec<Effect> {
        match (then.run)(text, &then.with) {
            Ok(steps) => {
                self.overlay = Overlay::None;
                self.steps(steps)
            }
            Err(why) => {
                if let Overlay::Picker(p) = &mut self.overlay {
                    p.error = Some(why);
                }
                self.dirty = true;
                Vec::new()
            }
        }
    }

    /// A list of the object on top (its page, or the selected row).
    pub fn open_sub(&mut self, def: &'static SubDef) -> Vec<Effect> {
        let Some((id, name)) = self.focused_object() else {
            return Vec::new();
        };
        let source = ListSource::Sub {
            def: SubKind(def),
            id,
            name,
        };
        self.push(View::List(super::view::ListView::new(source)))
    }
}

//! The JSON editor's flow: open a policy or named location as a draft, check it, hand it to the
//! review (the draft's state is `app::editor`).

use crate::app::editor::{Editor, Subject};
use crate::app::review::{Mode, Review};
use crate::app::{App, Effect};
use crate::ca::diff::{apply, draft, merge_patch, paths};
use crate::graph::{Method, Request};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::Value;

impl App {
    /// Open the editor on an object (`None` id: a new one from `object` as a template).
    pub fn open_editor(
        &mut self,
        subject: Subject,
        id: Option<String>,
        object: &Value,
    ) -> Vec<Effect> {
        if self.ctx.read_only {
            self.toast("read-only mode: writes are disabled", true);
            return Vec::new();
        }
        let name = crate::sanitize::clean(object["displayName"].as_str().unwrap_or_default());
        let title = match &id {
            Some(_) => format!("Edit {}: {name}", subject.noun()),
            None => format!("New {}", subject.noun()),
        };
        self.editor = Some(Editor::new(subject, id, title, object));
        self.dirty = true;
        let ids = crate::ca::load::object_ids(object);
        self.load_names(ids)
    }

    /// Keys while the editor is open (and no write panel is over it).
    pub(crate) fn editor_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(ed) = &mut self.editor else {
            return Vec::new();
        };
        self.dirty = true;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('s') if ctrl => return self.editor_save(),
            KeyCode::Esc if ed.changed() && !ed.discard => {
                ed.discard = true;
                ed.error = Some(
                    "unsaved changes: Esc again discards them, Ctrl-S reviews and saves".into(),
                );
            }
            KeyCode::Esc => self.editor = None,
            _ => {
                ed.discard = false;
                ed.area.input(key);
            }
        }
        Vec::new()
    }

    /// Ctrl-S: check the draft, then re-read the server version (update) or review (create).
    fn editor_save(&mut self) -> Vec<Effect> {
        let Some(ed) = &mut self.editor else {
            return Vec::new();
        };
        let draft = match ed.parsed() {
            Ok(v) => v,
            Err(e) => {
                ed.error = Some(e);
                return Vec::new();
            }
        };
        ed.error = None;
        match ed.id.clone() {
            Some(oid) => {
                let id = self.fresh_id();
                let Some(ed) = &mut self.editor else {
                    return Vec::new();
                };
                ed.rereading = Some(id);
                ed.error = Some("reading the current version from the server…".into());
                vec![Effect::FetchObject {
                    id,
                    request: Request::get(ed.subject.path(&oid)),
                    cache: None,
                }]
            }
            None => {
                let subject = ed.subject;
                let title = format!(
                    "Create {} \"{}\"",
                    subject.noun(),
                    crate::sanitize::clean(draft["displayName"].as_str().unwrap_or_default())
                );
                let request = Request::new(Method::Post, subject.collection()).json(draft.clone());
                let name = draft["displayName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let mut effects = self.begin_write(title, String::new(), request, None, None);
                effects.extend(self.attach_review(Review::new(
                    Mode::Save(draft),
                    subject == Subject::Policy,
                    &name,
                )));
                effects
            }
        }
    }

    /// The re-read arrived: only the admin's own changes are sent (a merge patch from the version
    /// the editor opened), applied to the current version; overlapping changes are shown.
    pub(crate) fn on_reread(&mut self, current: Value) -> Vec<Effect> {
        let Some(ed) = &mut self.editor else {
            return Vec::new();
        };
        ed.rereading = None;
        ed.error = None;
        let Ok(new) = ed.parsed() else {
            return Vec::new();
        };
        let subject = ed.subject;
        let id = ed.id.clone().unwrap_or_default();
        // Only the changed properties go out: Graph's own update example PATCHes just
        // `conditions.signInRiskLevels` (conditionalaccesspolicy-update).
        let Some(mut patch) = merge_patch(&ed.opened, &new) else {
            ed.error = Some("nothing changed: there is nothing to save".into());
            return Vec::new();
        };
        // A named-location update must name its type (ipnamedlocation-update,
        // countrynamedlocation-update: "You must specify the @odata.type").
        if subject == Subject::Location {
            patch["@odata.type"] = current["@odata.type"].clone();
        }
        let current_draft = draft(&current);
        let theirs = merge_patch(&ed.opened, &current_draft);
        let names = &self.tenant.names;
        let name = |i: &str| names.get(i).cloned().unwrap_or_else(|| i.to_string());
        let mut conflicts = Vec::new();
        if let Some(t) = &theirs {
            let mine = paths(&patch);
            let overlap: Vec<String> = paths(t)
                .into_iter()
                .filter(|p| {
                    mine.iter()
                        .any(|m| m.starts_with(p.as_str()) || p.starts_with(m.as_str()))
                })
                .collect();
            for line in crate::ca::diff::describe(&ed.opened, &current_draft, &name) {
                conflicts.push(format!("changed on the server since you opened it: {line}"));
            }
            if !overlap.is_empty() {
                conflicts.push(format!(
                    "both changed {}: your value will replace theirs",
                    overlap.join(", ")
                ));
            }
        }
        let mut after = current.clone();
        apply(&mut after, &patch);
        let title = format!(
            "Save {} \"{}\"",
            subject.noun(),
            crate::sanitize::clean(after["displayName"].as_str().unwrap_or_default())
        );
        let request = Request::new(Method::Patch, subject.path(&id)).json(patch);
        let policy_name = current["displayName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let mut effects = self.begin_write(title, id, request, None, Some(current));
        let mut review = Review::new(Mode::Save(after), subject == Subject::Policy, &policy_name);
        review.conflicts = conflicts;
        effects.extend(self.attach_review(review));
        effects
    }

    /// The re-read failed: the draft stays, with the reason.
    pub(crate) fn on_reread_failed(&mut self, error: String) {
        if let Some(ed) = &mut self.editor {
            ed.rereading = None;
            ed.error = Some(format!(
                "cannot read the current version before saving: {error}. Your draft is kept."
            ));
            self.dirty = true;
        }
    }
}

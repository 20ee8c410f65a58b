//! The JSON editor for a policy or named location: the draft in a text area, checked before
//! anything is sent (JSON syntax, then the shape Graph requires), re-read from the server just
//! before the review so someone else's change is shown rather than overwritten.

use super::review::{Mode, Review};
use super::{App, Effect, RequestId};
use crate::ca::diff::{apply, draft, merge_patch, paths};
use crate::graph::{Method, Request};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;
use serde_json::Value;

/// What is being edited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Policy,
    Location,
}

impl Subject {
    pub fn collection(self) -> &'static str {
        match self {
            Subject::Policy => crate::ca::backup::POLICIES,
            Subject::Location => crate::ca::backup::LOCATIONS,
        }
    }

    /// The object's path: `/identity/conditionalAccess/policies/{id}`.
    pub fn path(self, id: &str) -> String {
        format!("{}/{}", self.collection(), crate::blades::path_segment(id))
    }

    fn noun(self) -> &'static str {
        match self {
            Subject::Policy => "policy",
            Subject::Location => "named location",
        }
    }

    /// The shape rules checked before sending.
    pub fn validate(self, v: &Value) -> Result<(), String> {
        match self {
            Subject::Policy => crate::ca::validate_policy(v),
            Subject::Location => crate::ca::location::validate(v),
        }
    }
}

/// An open editor and its draft.
#[derive(Debug)]
pub struct Editor {
    pub subject: Subject,
    /// `None` creates a new object.
    pub id: Option<String>,
    pub title: String,
    /// The server's version when the editor opened (as a draft); `Null` for a new object.
    pub opened: Value,
    pub area: TextArea<'static>,
    /// Why the draft cannot be sent yet, or a hint.
    pub error: Option<String>,
    /// The re-read before the review, in flight.
    pub rereading: Option<RequestId>,
    /// Esc was pressed once on a changed draft.
    pub discard: bool,
    original: String,
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

impl Editor {
    pub fn new(subject: Subject, id: Option<String>, title: String, object: &Value) -> Editor {
        // C1, bidi and format characters become \uXXXX escapes: the same JSON, safe to show.
        let text = crate::sanitize::json_safe(&pretty(&draft(object))).into_owned();
        let mut area = TextArea::new(text.lines().map(str::to_string).collect());
        area.set_tab_length(2);
        Editor {
            subject,
            opened: if id.is_some() {
                draft(object)
            } else {
                Value::Null
            },
            id,
            title,
            area,
            error: None,
            rereading: None,
            discard: false,
            original: text,
        }
    }

    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    pub fn changed(&self) -> bool {
        self.text() != self.original
    }

    /// The draft as JSON, checked: syntax (with line and column), then shape.
    pub fn parsed(&self) -> Result<Value, String> {
        let v: Value = serde_json::from_str(&self.text()).map_err(|e| json_error(&e))?;
        self.subject.validate(&v)?;
        Ok(v)
    }
}

/// A JSON syntax error with its place said once: serde_json's message ends in its own
/// " at line L column C", which is dropped for the place put first.
pub fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let place = format!(" at line {} column {}", e.line(), e.column());
    let what = text.strip_suffix(&place).unwrap_or(&text);
    format!(
        "JSON syntax, line {} column {}: {what}",
        e.line(),
        e.column()
    )
}

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
    pub(super) fn editor_key(&mut self, key: KeyEvent) -> Vec<Effect> {
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
    pub(super) fn on_reread(&mut self, current: Value) -> Vec<Effect> {
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
    pub(super) fn on_reread_failed(&mut self, error: String) {
        if let Some(ed) = &mut self.editor {
            ed.rereading = None;
            ed.error = Some(format!(
                "cannot read the current version before saving: {error}. Your draft is kept."
            ));
            self.dirty = true;
        }
    }
}

#[cfg(test)]
mod tests {

    /// Issue 23, item 15: the position of a JSON error is said once.
    #[test]
    fn json_errors_say_their_place_once() {
        let e = serde_json::from_str::<serde_json::Value>("{\n  \"a\": ,\n}").unwrap_err();
        let m = json_error(&e);
        assert_eq!(m.matches("line 2").count(), 1, "{m}");
        assert!(m.starts_with("JSON syntax, line 2 column"), "{m}");
    }
    use super::*;
    use serde_json::json;

    #[test]
    fn hostile_names_reach_the_editor_escaped() {
        let p =
            json!({"id": "1", "displayName": "x\u{1b}[2J\u{202e}y\u{9b}z", "createdDateTime": "t"});
        let ed = Editor::new(Subject::Policy, Some("1".into()), "t".into(), &p);
        let text = ed.text();
        assert!(
            !text
                .chars()
                .any(|c| c == '\u{1b}' || c == '\u{202e}' || c == '\u{9b}'),
            "{text}"
        );
        assert!(
            text.contains("\\u001b") && text.contains("\\u202e"),
            "{text}"
        );
        assert!(
            !text.contains("createdDateTime"),
            "read-only properties are not in the draft"
        );
        // The escaped text is the same JSON.
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["displayName"], p["displayName"]);
        assert!(!ed.changed());
    }
}

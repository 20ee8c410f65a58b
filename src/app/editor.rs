//! The JSON editor for a policy or named location: the draft in a text area, checked before
//! anything is sent (JSON syntax, then the shape Graph requires), re-read from the server just
//! before the review so someone else's change is shown rather than overwritten.

use crate::ca::diff::draft;
use crate::msg::RequestId;
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

    pub(crate) fn noun(self) -> &'static str {
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

pub(crate) fn pretty(v: &Value) -> String {
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

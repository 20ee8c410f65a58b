//! Writes from the panes: the confirm step (change + protection), sending, the inline step-up
//! prompt on a claims challenge, re-authentication (refresh with claims, then device code) and
//! one retry. The draft lives here until the write lands or the admin drops it.

pub use super::words::{field_words, past_tense};
use crate::auth::oauth::DeviceCode;
pub use crate::auth::step_up::StepUpFailure;
pub use crate::blades::verb::{Choice, Target};
use crate::graph::{ClaimsChallenge, GraphError, Request};
use crate::msg::RequestId;
use crate::protect::{self, Protection};
use chrono::{DateTime, Utc};

/// Where a write is.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Confirm,
    Sending(RequestId),
    /// Graph demanded claims; waiting for Enter (re-authenticate) or Esc.
    Challenged,
    Authenticating(RequestId),
    DeviceCode {
        id: RequestId,
        code: DeviceCode,
        until: DateTime<Utc>,
    },
    Done(String),
    Failed(String),
}

/// A write in progress, with its draft.
#[derive(Clone, Debug)]
pub struct PendingWrite {
    pub title: String,
    /// The object the write changes: (id) for reloading.
    pub object_id: String,
    pub request: Request,
    pub choice: Option<Choice>,
    pub protection: Option<Protection>,
    pub phase: Phase,
    /// Step-ups done for this write (a second challenge after one is "never satisfied").
    pub step_ups: u32,
    pub challenge: Option<ClaimsChallenge>,
    /// The object before the change (for the journal).
    pub before: Option<serde_json::Value>,
    /// Every object of a bulk write (same choice), in order; sent one after the other. Empty
    /// for a write to one object.
    pub targets: Vec<Target>,
    /// How many of `targets` were sent (the one in flight included).
    pub sent: usize,
    /// The review of a Conditional Access save (diff, lockout guard, warnings).
    pub review: Option<super::review::Review>,
    /// What follows the write in the tenant, in words, from its policies (the confirm shows
    /// "reading…" until they are read): confirm compromised names the policies that act.
    /// (Given the facts and the id of the object written.)
    pub follows: Option<fn(&protect::Facts, &str) -> Vec<String>>,
    /// A secret the write makes, shown once on its result.
    pub reveal: Option<crate::blades::verb::Reveal>,
    /// The secret on the result panel (`y` copies it) and what it is; dropped with the panel.
    pub shown: Option<crate::graph::Secret>,
    pub shown_label: Option<&'static str>,
    /// The incident this write is a step of (a walk's), for the journal.
    pub incident: Option<String>,
    /// The last frame could not show the whole panel: a secret on it is not closed away
    /// unread by a stray key.
    pub cut: bool,
    /// The last frame showed no panel at all (a terminal under 20x5): Enter does not apply a
    /// change nobody could read.
    pub hidden: bool,
    /// The first body row shown when the confirm is taller than its panel (↓/↑ move it).
    pub scroll: u16,
    /// The confirm's height (in rows) when its end was last on screen (drawn whole, or read to
    /// it with ↓): a confirm that grows after (facts arriving, a choice's warning) is unread
    /// again until its new end is drawn.
    pub read_rows: u16,
    /// The last frame left rows of the confirm that were never on screen: Enter does not
    /// apply it (the run loop draws a confirm before it reads a key for it).
    pub unread: bool,
}

impl PendingWrite {
    /// The label of `value` among the choice's options (or the value itself).
    pub(crate) fn label(c: &Choice, value: &serde_json::Value) -> String {
        c.options
            .iter()
            .find(|(_, v)| v == value)
            .map(|(l, _)| l.clone())
            .unwrap_or_else(|| match value {
                // A row that did not carry the field (a risky user's sign-in state).
                serde_json::Value::Null => "(not read)".into(),
                v => crate::widgets::sheet::show(v),
            })
    }

    /// The change as "field: old → new" lines (one per object of a bulk write).
    pub fn changes(&self) -> Vec<String> {
        if let Some(c) = self.choice.as_ref().filter(|_| !self.targets.is_empty()) {
            let new = &c.options[c.selected];
            return self
                .targets
                .iter()
                .map(|t| {
                    let old = Self::label(c, &t.current);
                    if new.1 == t.current {
                        format!("{}: {old} (unchanged)", t.name)
                    } else {
                        format!("{}: {old} → {}", t.name, new.0)
                    }
                })
                .collect();
        }
        match &self.choice {
            Some(c) if c.field.is_empty() => {
                vec![format!("requirement: {}", c.options[c.selected].0)]
            }
            Some(c) => {
                let new = &c.options[c.selected];
                let field = field_words(&c.field);
                if c.current.is_null() {
                    // A new object: nothing before, so no "→" from an empty value.
                    return vec![format!("{field}: {}", new.0)];
                }
                let old = Self::label(c, &c.current);
                if new.1 == c.current {
                    vec![format!("{field}: {old} (unchanged)")]
                } else {
                    vec![format!("{field}: {old} → {}", new.0)]
                }
            }
            // A bulk write without a choice: each object with the request it gets.
            None if !self.targets.is_empty() => self
                .targets
                .iter()
                .map(|t| {
                    format!(
                        "{} (sends {} {})",
                        t.name,
                        t.request.method.as_str(),
                        t.request.path
                    )
                })
                .collect(),
            // The title says what; the change line says what goes out (once, not the title
            // again).
            None => vec![format!(
                "sends {} {}",
                self.request.method.as_str(),
                self.request.path
            )],
        }
    }

    pub(super) fn sync_request(&mut self) {
        // A field named `@…` is not the body's (an exclusion's end is the console's own).
        if self
            .choice
            .as_ref()
            .is_some_and(|c| c.field.starts_with('@'))
        {
            return;
        }
        if let (Some(c), Some(body)) = (&self.choice, self.request.body.as_mut()) {
            // An empty field name means the choice is between whole bodies.
            if c.field.is_empty() {
                *body = c.options[c.selected].1.clone();
            } else {
                body[c.field.as_str()] = c.options[c.selected].1.clone();
            }
        }
        if let Some(c) = &self.choice {
            for t in &mut self.targets {
                if let Some(b) = t.request.body.as_mut() {
                    b[c.field.as_str()] = c.options[c.selected].1.clone();
                }
            }
        }
    }

    /// What was done, in words, once: the title in the past tense ("Restored Julia Novak as
    /// …", never "Saved: Save policy …") with the choice it carried, or the objects of a bulk
    /// write.
    pub fn done_words(&self) -> String {
        let title = past_tense(self.title.trim());
        match (&self.choice, self.targets.is_empty()) {
            (None, true) => title,
            (None, false) => format!(
                "{title}: {}",
                self.targets
                    .iter()
                    .map(|t| crate::sanitize::clean(&t.name))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            (Some(_), _) => format!("{title} ({})", self.changes().join("; ")),
        }
    }

    /// A choice left on the value every object has now: there is nothing to send.
    pub fn unchanged(&self) -> bool {
        let Some(c) = self
            .choice
            .as_ref()
            .filter(|c| !c.field.is_empty() && !c.field.starts_with('@'))
        else {
            return false;
        };
        let new = &c.options[c.selected].1;
        if self.targets.is_empty() {
            *new == c.current
        } else {
            self.targets.iter().all(|t| t.current == *new)
        }
    }

    /// The value chosen, when the write is a choice.
    pub fn chosen(&self) -> Option<&serde_json::Value> {
        self.choice.as_ref().map(|c| &c.options[c.selected].1)
    }
}

/// Why a write would name an object by an empty id (an object Graph sent without one): an
/// empty path segment, or an empty `id`/`…Id` in the body. Such a write is never sent.
pub fn missing_id(req: &Request) -> Option<String> {
    let path = req.path.split('?').next().unwrap_or_default();
    if path.contains("//") || path.ends_with('/') {
        return Some(format!(
            "{} {path} names an object without an id",
            req.method.as_str()
        ));
    }
    let body = req.body.as_ref()?.as_object()?;
    body.iter()
        .find(|(k, v)| (k.as_str() == "id" || k.ends_with("Id")) && v.as_str() == Some(""))
        .map(|(k, _)| format!("{k} is empty: the object picked has no id"))
}

/// What Graph offers for a refusal the console knows a way around (a restore whose UPN or
/// proxy address is taken now: directory-deleteditems-restore.md).
pub(crate) fn way_out(request: &Request, e: &GraphError) -> String {
    if let Some(h) = e.licence_hint(&request.path) {
        return format!(" {h}.");
    }
    let msg = e.api().map(|a| a.message.as_str()).unwrap_or_default();
    if !request.path.ends_with("/restore") {
        return String::new();
    }
    if msg.contains("userPrincipalName") {
        " Its UPN is taken now: Esc twice, then n restores it under a new one.".into()
    } else if msg.contains("proxyAddresses") {
        " A proxy address of it is taken now: Esc, choose yes (←/→) to drop the taken ones, Enter."
            .into()
    } else {
        String::new()
    }
}

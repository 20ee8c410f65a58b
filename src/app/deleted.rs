//! Deleted items writes: restore (one or the marked ones; a user may drop the proxy addresses
//! another object holds now, `autoReconcileProxyConflict`), restore a user under a new UPN, and
//! delete for good after its name is typed (the protected action
//! `microsoft.directory/deletedItems/delete`: the confirm shows its protection).

use super::picker::{Picker, Purpose, Stage};
use super::write::{Choice, Target};
use super::{App, Effect, Overlay, View};
use crate::blades::deleted::kind;
use crate::graph::{Method, Request, endpoints::path_segment};
use crate::sanitize::clean;
use serde_json::{Value, json};

/// `POST /directory/deletedItems/{id}/restore`; a user's carries the options Graph offers for
/// users (an empty object, then the chosen ones).
fn restore_request(o: &Value, new_upn: Option<&str>) -> Request {
    let id = o["id"].as_str().unwrap_or_default();
    let r = Request::new(
        Method::Post,
        format!("/directory/deletedItems/{}/restore", path_segment(id)),
    );
    if kind(o) != "user" {
        return r;
    }
    match new_upn {
        Some(upn) => r.json(json!({"newUserPrincipalName": upn})),
        None => r.json(json!({})),
    }
}

/// The users' choice: keep every proxy address (Graph refuses the restore if one is taken) or
/// drop the taken ones.
fn proxy_choice() -> Choice {
    Choice {
        field: "autoReconcileProxyConflict".into(),
        current: Value::Null,
        options: vec![
            (
                "refuse (keep every proxy address; Graph refuses if one is taken)".into(),
                json!(false),
            ),
            (
                "drop the proxy addresses another object holds now".into(),
                json!(true),
            ),
        ],
        selected: 0,
    }
}

fn label(o: &Value) -> String {
    let name = clean(o["displayName"].as_str().unwrap_or_default());
    let upn = o["userPrincipalName"].as_str().unwrap_or_default();
    if upn.is_empty() {
        format!("{name} ({})", kind(o))
    } else {
        format!("{name} ({}, {})", kind(o), clean(upn))
    }
}

impl App {
    /// The deleted items the key applies to: the marked rows, else the selected one.
    fn deleted_targets(&self) -> Vec<Value> {
        let View::List(l) = self.top() else {
            return Vec::new();
        };
        l.table
            .marked_or_selected()
            .iter()
            .map(|r| r.object())
            .collect()
    }

    /// `R`: restore the marked items (or the selected one), each named in the confirm.
    pub fn restore_deleted(&mut self) -> Vec<Effect> {
        let objects = self.deleted_targets();
        let Some(first) = objects.first().cloned() else {
            return Vec::new();
        };
        let users = objects.iter().any(|o| kind(o) == "user");
        let choice = users.then(proxy_choice);
        let id = first["id"].as_str().unwrap_or_default().to_string();
        if objects.len() == 1 {
            let title = format!("Restore {}", label(&first));
            return self.begin_write(
                title,
                id,
                restore_request(&first, None),
                choice,
                Some(first),
            );
        }
        let targets: Vec<Target> = objects
            .iter()
            .map(|o| Target {
                name: label(o),
                current: Value::Null,
                object: o.clone(),
                request: restore_request(o, None),
            })
            .collect();
        let title = format!("Restore {} deleted items", targets.len());
        let effects = self.begin_write(title, id, targets[0].request.clone(), choice, Some(first));
        if let Some(w) = &mut self.write {
            w.targets = targets;
            w.sent = 1;
            w.sync_request();
        }
        effects
    }

    /// `n` on a deleted user: restore it under a new UPN (its own may be taken now).
    pub fn open_restore_as(&mut self) -> Vec<Effect> {
        let View::List(l) = self.top() else {
            return Vec::new();
        };
        let Some(o) = l.table.selected().map(|r| r.object()) else {
            return Vec::new();
        };
        if kind(&o) != "user" {
            self.toast("a new UPN is for users: restore this one with R", true);
            return Vec::new();
        }
        if self.ctx.read_only {
            self.toast("read-only mode: writes are disabled", true);
            return Vec::new();
        }
        let upn = o["userPrincipalName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        self.overlay = Overlay::Picker(Box::new(Picker {
            title: format!("Restore {} under a new UPN", label(&o)),
            purpose: Some(Purpose::RestoreAs(Box::new(o))),
            stage: Stage::Name,
            input: upn,
            ..Default::default()
        }));
        self.dirty = true;
        Vec::new()
    }

    /// The new UPN typed: the confirm.
    pub(super) fn restore_as(&mut self, o: Value, upn: String) -> Vec<Effect> {
        if !upn.contains('@') || upn.contains(char::is_whitespace) {
            if let Overlay::Picker(p) = &mut self.overlay {
                p.error = Some("a UPN is name@domain, without spaces".into());
            }
            return Vec::new();
        }
        self.overlay = Overlay::None;
        let id = o["id"].as_str().unwrap_or_default().to_string();
        let name = clean(o["displayName"].as_str().unwrap_or_default());
        let old = clean(o["userPrincipalName"].as_str().unwrap_or_default());
        let title = format!("Restore {name} as {} (was {old})", clean(&upn));
        let request = restore_request(&o, Some(&upn));
        self.begin_write(title, id, request, Some(proxy_choice()), Some(o))
    }

    /// `D`: delete the selected item for good, once its name is typed.
    pub fn open_purge(&mut self) -> Vec<Effect> {
        let View::List(l) = self.top() else {
            return Vec::new();
        };
        let Some(o) = l.table.selected().map(|r| r.object()) else {
            return Vec::new();
        };
        if self.ctx.read_only {
            self.toast("read-only mode: writes are disabled", true);
            return Vec::new();
        }
        self.overlay = Overlay::Picker(Box::new(Picker {
            title: format!("Delete {} for good: type its name to confirm", label(&o)),
            purpose: Some(Purpose::Purge(Box::new(o))),
            stage: Stage::Name,
            ..Default::default()
        }));
        self.dirty = true;
        Vec::new()
    }

    /// The name typed: the confirm (with the protection the delete meets), or why not.
    pub(super) fn purge(&mut self, o: Value, typed: String) -> Vec<Effect> {
        let name = o["displayName"].as_str().unwrap_or_default().to_string();
        if typed != name.trim() {
            if let Overlay::Picker(p) = &mut self.overlay {
                p.error = Some(format!("type the name exactly: {}", clean(&name)));
            }
            return Vec::new();
        }
        self.overlay = Overlay::None;
        let id = o["id"].as_str().unwrap_or_default().to_string();
        let title = format!(
            "Delete {} for good: it cannot be restored afterwards",
            label(&o)
        );
        let request = Request::new(
            Method::Delete,
            format!("/directory/deletedItems/{}", path_segment(&id)),
        );
        self.begin_write(title, id, request, None, Some(o))
    }
}

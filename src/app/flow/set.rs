//! The `t` writes: the state choice for the object on top, opened as a confirm with a choice
//! (options: `app::set`).

use crate::app::set::context_options;
use crate::app::view::View;
use crate::app::{App, Effect};
use crate::blades::{BladeKind, ListSource};

impl App {
    /// `t`: set what the selected object's blade lets you set (policy state, a protected
    /// action's context, a context's publication).
    pub fn set_state(&mut self) -> Vec<Effect> {
        // The selected object and its kind, from a list row or the open detail.
        let (kind, object) = match self.top() {
            View::List(l) => {
                let row = l.table.selected().map(|r| r.object());
                (
                    row.as_ref().and_then(|o| l.source.open(o)).map(|r| r.kind),
                    row,
                )
            }
            View::Detail(d) => (Some(d.target.kind), d.object.clone()),
        };
        use crate::blades::ObjectKind;
        match (kind, object) {
            (Some(k), Some(a)) if k == ObjectKind::ProtectedAction => self.set_context(a),
            (Some(k), Some(c)) if k == ObjectKind::AuthContext => self.set_published(c),
            _ => self.set_policy_state(),
        }
    }

    /// `d` on a role assignment: remove it (active: DELETE; eligible: PIM adminRemove).
    pub(crate) fn remove_selected(&mut self) -> Vec<Effect> {
        let View::List(l) = self.top() else {
            return Vec::new();
        };
        if !matches!(l.source, ListSource::RoleAssignments { .. }) {
            return Vec::new();
        }
        let Some(row) = l.table.selected() else {
            return Vec::new();
        };
        let a = row.object()["@assignment"].clone();
        let who = row.object()["displayName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        // A member holds the role through a group: removing "their" assignment would remove
        // the group's, for every member.
        if let Some(group) = a["via"].as_str() {
            let msg = format!(
                "{} holds {} through the group {}: remove them from the group, or remove the group's assignment (its own row)",
                crate::sanitize::clean(&who),
                a["role"].as_str().unwrap_or("the role"),
                crate::sanitize::clean(group)
            );
            self.toast(msg, true);
            return Vec::new();
        }
        let title = format!(
            "Remove {} from {} ({})",
            a["role"].as_str().unwrap_or("role"),
            crate::sanitize::clean(&who),
            a["state"].as_str().unwrap_or_default()
        );
        let request = crate::blades::roles::remove_request(&a);
        let id = a["id"].as_str().unwrap_or_default().to_string();
        self.begin_write(title, id, request, None, Some(a))
    }

    fn set_context(&mut self, a: serde_json::Value) -> Vec<Effect> {
        let options = context_options(self.tenant.facts.as_ref());
        // Marked rows (Space) are the targets: only they are written, the cursor row only when
        // it is marked too, and the confirm lists each with its context before and after.
        let marked: Vec<serde_json::Value> = match self.top() {
            View::List(l) => l.table.marked_rows().iter().map(|r| r.object()).collect(),
            View::Detail(_) => Vec::new(),
        };
        // The choice starts next to the context of the object written first.
        let first = marked.first().unwrap_or(&a).clone();
        let current = first["authenticationContextId"].clone();
        let at = options.iter().position(|(_, v)| *v == current).unwrap_or(0);
        let choice = crate::app::write::Choice {
            field: "authenticationContextId".into(),
            current,
            // On the current value, marked ▸: the admin moves to the change (Enter on the
            // current value sends nothing).
            selected: at,
            options,
        };
        // The body's context follows the choice (`sync_request`).
        let request_for = |o: &serde_json::Value| {
            crate::blades::protected::context_request(o["id"].as_str().unwrap_or_default(), None)
        };
        let id = first["id"].as_str().unwrap_or_default().to_string();
        if marked.is_empty() {
            let name = a["name"].as_str().unwrap_or(&id).to_string();
            return self.begin_write(
                format!("Set context: {}", crate::sanitize::clean(&name)),
                id,
                request_for(&a),
                Some(choice),
                Some(a),
            );
        }
        let cursor_marked = marked.iter().any(|m| m["id"] == a["id"]);
        let targets: Vec<crate::app::write::Target> = marked
            .into_iter()
            .map(|o| crate::app::write::Target {
                name: o["name"]
                    .as_str()
                    .or(o["id"].as_str())
                    .unwrap_or_default()
                    .trim_start_matches("microsoft.directory/")
                    .to_string(),
                current: o["authenticationContextId"].clone(),
                request: request_for(&o),
                object: o,
            })
            .collect();
        let title = format!(
            "Set context: {} marked permission{}{}",
            targets.len(),
            if targets.len() == 1 { "" } else { "s" },
            if cursor_marked {
                ""
            } else {
                " (the cursor row is not marked: not written)"
            }
        );
        let effects = self.begin_write(title, id, request_for(&first), Some(choice), Some(first));
        if let Some(w) = &mut self.write {
            w.targets = targets;
            w.sent = 1;
            w.sync_request();
        }
        effects
    }

    fn set_published(&mut self, c: serde_json::Value) -> Vec<Effect> {
        let id = c["id"].as_str().unwrap_or_default().to_string();
        let current = serde_json::json!(c["isAvailable"] == serde_json::json!(true));
        let options = vec![
            ("Published".to_string(), serde_json::json!(true)),
            ("Not published".to_string(), serde_json::json!(false)),
        ];
        let selected = usize::from(current != serde_json::json!(true));
        let choice = crate::app::write::Choice {
            field: "isAvailable".into(),
            current,
            selected,
            options,
        };
        let request = crate::blades::contexts::publish_request(&id, selected == 0);
        let title = format!(
            "Publish: {id} {}",
            crate::sanitize::clean(c["displayName"].as_str().unwrap_or_default())
        );
        self.begin_write(title, id, request, Some(choice), Some(c))
    }

    /// `t` on a Conditional Access policy: choose its state, see the protection, apply.
    fn set_policy_state(&mut self) -> Vec<Effect> {
        let policy = match self.top() {
            View::List(l)
                if l.source == ListSource::Blade(BladeKind::CaPolicies)
                    || matches!(l.source, ListSource::WhatIf { .. }) =>
            {
                l.table.selected().map(|r| r.object())
            }
            View::Detail(d) if d.target.kind == crate::blades::ObjectKind::CaPolicy => {
                d.object.clone()
            }
            _ => None,
        };
        // The What If result row has no policy behind it.
        let Some(p) = policy.filter(|p| p["id"].is_string()) else {
            return Vec::new();
        };
        let id = p["id"].as_str().unwrap_or_default().to_string();
        let name = p["displayName"].as_str().unwrap_or(&id).to_string();
        let current = p["state"].clone();
        let options: Vec<(String, serde_json::Value)> = crate::blades::ca::STATES
            .iter()
            .map(|(l, v)| (l.to_string(), serde_json::json!(v)))
            .collect();
        let at = options.iter().position(|(_, v)| *v == current).unwrap_or(0);
        let choice = crate::app::write::Choice {
            field: "state".into(),
            current,
            // On the current value, marked ▸: the admin moves to the change (Enter on the
            // current value sends nothing).
            selected: at,
            options,
        };
        let request = crate::blades::ca::state_request(
            &id,
            choice.options[choice.selected]
                .1
                .as_str()
                .unwrap_or_default(),
        );
        let mut effects = self.begin_write(
            format!("Set state: {}", crate::sanitize::clean(&name)),
            id,
            request,
            Some(choice),
            Some(p),
        );
        let review = crate::app::review::Review::new(crate::app::review::Mode::State, true, &name);
        effects.extend(self.attach_review(review));
        effects
    }
}

//! The Conditional Access actions: edit as JSON, create (blank or duplicate), delete, exclude an
//! account, for policies and named locations; each ends in a reviewed write.

use super::editor::Subject;
use super::picker::{Picker, Purpose};
use super::review::{Mode, Review};
use super::view::View;
use super::{App, Effect, Overlay};
use crate::blades::{BladeKind, ListSource, ObjectKind};
use crate::graph::{Method, Request};
use serde_json::{Value, json};

impl App {
    /// `t` on a Conditional Access policy: choose its state, see the protection, apply.
    pub(super) fn set_policy_state(&mut self) -> Vec<Effect> {
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
            refill: None,
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
        // Its impact is read first, so the confirm says "reading…" until it arrives.
        let impact = self.read_impact(&p);
        let mut effects = self.begin_write(
            format!("Set state: {}", crate::sanitize::clean(&name)),
            id,
            request,
            Some(choice),
            Some(p),
        );
        let review = crate::app::review::Review::new(crate::app::review::Mode::State, true, &name);
        effects.extend(self.attach_review(review));
        effects.extend(impact);
        effects
    }

    /// A report-only policy's impact from the sign-in log, read once a session (live only):
    /// its page and the `t` confirm say it.
    pub(super) fn read_impact(&mut self, policy: &Value) -> Vec<Effect> {
        let Some(pid) = policy["id"].as_str() else {
            return Vec::new();
        };
        if policy["state"] != "enabledForReportingButNotEnforced"
            || self.ctx.offline
            || self.tenant.impacts.contains_key(pid)
            || self.tenant.impact_reads.values().any(|p| p == pid)
        {
            return Vec::new();
        }
        let Some(computed) = crate::blades::report_only::DETAIL.computed else {
            return Vec::new();
        };
        let id = self.fresh_id();
        self.tenant.impact_reads.insert(id, pid.to_string());
        vec![Effect::Compute {
            id,
            computed,
            key: pid.to_string(),
        }]
    }

    /// A policy's impact was read (or could not be).
    pub(super) fn on_impact(&mut self, id: super::RequestId, result: Result<Value, String>) {
        let Some(pid) = self.tenant.impact_reads.remove(&id) else {
            return;
        };
        let words = match result {
            Ok(v) => crate::blades::report_only::words(&v),
            Err(e) => format!("its impact could not be read: {e}"),
        };
        self.tenant.impacts.insert(pid, words);
        self.refresh_review();
        self.dirty = true;
    }

    /// The policy or named location selected in a list or open in a detail.
    pub fn ca_selected(&self) -> Option<(Subject, Value)> {
        let (kind, object) = match self.top() {
            View::List(l) => {
                let row = l.table.selected()?.object();
                (l.source.open(&row)?.kind, row)
            }
            View::Detail(d) => (d.target.kind, d.object.clone()?),
        };
        if kind == ObjectKind::CaPolicy {
            Some((Subject::Policy, object))
        } else if kind == ObjectKind::NamedLocation {
            Some((Subject::Location, object))
        } else {
            None
        }
    }

    /// On the CA policies or named locations blade (list or detail).
    pub fn on_ca(&self) -> Option<Subject> {
        match self.stack.first() {
            Some(View::List(l)) if l.source == ListSource::Blade(BladeKind::CaPolicies) => {
                Some(Subject::Policy)
            }
            Some(View::List(l)) if l.source == ListSource::Blade(BladeKind::NamedLocations) => {
                Some(Subject::Location)
            }
            _ => None,
        }
    }

    /// `E`: edit the selected policy or named location as JSON.
    pub fn edit_selected(&mut self) -> Vec<Effect> {
        match self.ca_selected() {
            Some((subject, v)) => {
                let id = v["id"].as_str().map(str::to_string);
                self.open_editor(subject, id, &v)
            }
            None => Vec::new(),
        }
    }

    /// `a` / `A`: a new policy from the blank template; a new IP (a) or country (A) location.
    pub fn new_ca_object(&mut self, alt: bool) -> Vec<Effect> {
        let (subject, template) = match self.on_ca() {
            Some(Subject::Policy) => (Subject::Policy, crate::ca::blank_policy()),
            Some(Subject::Location) if alt => {
                (Subject::Location, crate::ca::location::blank_country())
            }
            Some(Subject::Location) => (Subject::Location, crate::ca::location::blank_ip()),
            None => return Vec::new(),
        };
        self.open_editor(subject, None, &template)
    }

    /// `c`: a copy of the selected object to edit and create (a policy copy starts report-only).
    pub fn duplicate_selected(&mut self) -> Vec<Effect> {
        let Some((subject, mut v)) = self.ca_selected() else {
            return Vec::new();
        };
        let name = v["displayName"].as_str().unwrap_or_default().to_string();
        v["displayName"] = json!(format!("Copy of {name}"));
        if subject == Subject::Policy {
            v["state"] = json!("enabledForReportingButNotEnforced");
        }
        let effects = self.open_editor(subject, None, &v);
        if let Some(ed) = &mut self.editor {
            ed.title = format!("Duplicate of {}", crate::sanitize::clean(&name));
        }
        effects
    }

    /// `d`: delete the selected policy or named location, after the review.
    pub fn delete_ca_selected(&mut self) -> Vec<Effect> {
        let Some((subject, v)) = self.ca_selected() else {
            return Vec::new();
        };
        let id = v["id"].as_str().unwrap_or_default().to_string();
        let name = v["displayName"].as_str().unwrap_or_default().to_string();
        let request = Request::new(Method::Delete, subject.path(&id));
        let title = format!("Delete \"{}\"", crate::sanitize::clean(&name));
        let mut effects = self.begin_write(title, id.clone(), request, None, Some(v));
        let mut review = Review::new(Mode::Delete, subject == Subject::Policy, &name);
        if subject == Subject::Location
            && let Some(f) = &self.tenant.facts
        {
            for p in crate::blades::locations::used_by(&id, &f.policies) {
                review.warnings.push(format!(
                    "used by the policy \"{}\": Graph refuses to delete a location in use",
                    crate::sanitize::clean(p["displayName"].as_str().unwrap_or_default())
                ));
            }
        }
        effects.extend(self.attach_review(review));
        effects
    }

    /// `x`: pick a user or group to exclude from the selected policy.
    pub fn open_exclude(&mut self) -> Vec<Effect> {
        let Some((Subject::Policy, v)) = self.ca_selected() else {
            return Vec::new();
        };
        if self.ctx.read_only {
            self.toast("read-only mode: writes are disabled", true);
            return Vec::new();
        }
        let name = crate::sanitize::clean(v["displayName"].as_str().unwrap_or_default());
        self.overlay = Overlay::Picker(Box::new(Picker {
            title: format!("Exclude from {name}: type a name, Enter searches"),
            purpose: Some(Purpose::Exclude { policy: v }),
            ..Default::default()
        }));
        Vec::new()
    }

    /// Exclude the picked user or group: the whole exclusion list is sent (arrays replace).
    pub(super) fn exclude(&mut self, policy: Value, principal: Value) -> Vec<Effect> {
        self.overlay = Overlay::None;
        let group = crate::graph::model::odata_kind(&principal) == "group";
        let key = if group {
            "excludeGroups"
        } else {
            "excludeUsers"
        };
        let pid = principal["id"].as_str().unwrap_or_default().to_string();
        let who = principal["displayName"]
            .as_str()
            .unwrap_or(&pid)
            .to_string();
        self.tenant.names.insert(pid.clone(), who.clone());
        let mut list = crate::ca::strs(&policy["conditions"]["users"][key]);
        if list.contains(&pid) {
            self.toast(
                format!("{} is already excluded", crate::sanitize::clean(&who)),
                true,
            );
            return Vec::new();
        }
        list.push(pid);
        let id = policy["id"].as_str().unwrap_or_default().to_string();
        let name = policy["displayName"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let patch = json!({"conditions": {"users": {key: list}}});
        let mut after = policy.clone();
        crate::ca::diff::apply(&mut after, &patch);
        let request = Request::new(Method::Patch, Subject::Policy.path(&id)).json(patch);
        let title = format!(
            "Exclude {} from \"{}\"",
            crate::sanitize::clean(&who),
            crate::sanitize::clean(&name)
        );
        // The exclusion's end (←/→): for good, or reverted by `revert-due` once due.
        let until = crate::app::write::Choice {
            refill: None,
            field: "@until".into(),
            current: Value::Null,
            selected: 0,
            options: [
                ("never (for good)", Value::Null),
                ("in 1 day", json!(1)),
                ("in 7 days", json!(7)),
                ("in 14 days", json!(14)),
                ("in 30 days", json!(30)),
            ]
            .into_iter()
            .map(|(l, v)| (l.to_string(), v))
            .collect(),
        };
        let mut effects = self.begin_write(title, id, request, Some(until), Some(policy));
        effects.extend(self.attach_review(Review::new(Mode::Save(after), true, &name)));
        effects
    }

    /// An exclusion with an end just landed: its revert recorded in the journal, due then.
    pub(super) fn record_exception(&mut self) -> Option<Effect> {
        let w = self.write.as_ref()?;
        let c = w.choice.as_ref().filter(|c| c.field == "@until")?;
        let days = c.options[c.selected].1.as_i64()?;
        let users = &w.request.body.as_ref()?["conditions"]["users"];
        let (key, list) = ["excludeUsers", "excludeGroups"]
            .into_iter()
            .find_map(|k| users[k].as_array().map(|_| (k, crate::ca::strs(&users[k]))))?;
        let pid = list.last()?.clone();
        let who = self
            .tenant
            .names
            .get(&pid)
            .cloned()
            .unwrap_or_else(|| pid.clone());
        let policy = w
            .before
            .as_ref()
            .and_then(|b| b["displayName"].as_str())
            .unwrap_or_default();
        let row = crate::exceptions::record(
            &self.ctx.profile,
            self.now,
            &w.request.path,
            policy,
            key,
            (&pid, &who),
            &list,
            days,
        );
        self.tenant
            .exceptions
            .extend(crate::exceptions::of_record(&row));
        Some(Effect::Journal(Box::new(row)))
    }
}

//! The guided new group: kind and rule, then owners and members, then one confirm (the draft:
//! `app::new_group`).

use crate::app::new_group::{CREATE_BINDS, GroupDraft};
use crate::app::picker::{Picker, Purpose, Stage};
use crate::app::{App, Effect, Overlay};
use serde_json::Value;

impl App {
    /// The owners (then, for assigned membership, the members) of a new group, picked by name.
    pub(crate) fn ask_people(
        &mut self,
        name: String,
        m365: bool,
        rule: Option<String>,
    ) -> Vec<Effect> {
        let draft = GroupDraft {
            name,
            m365,
            rule,
            owners: Vec::new(),
            members: Vec::new(),
            owners_phase: true,
            few_owners_said: false,
        };
        self.overlay = Overlay::Picker(Box::new(Picker {
            title: draft.title(),
            purpose: Some(Purpose::NewGroupPeople(Box::new(draft))),
            stage: Stage::Search,
            ..Default::default()
        }));
        self.dirty = true;
        Vec::new()
    }

    /// A person (or, as a member, a group) picked for the new group.
    pub(crate) fn people_picked(&mut self, principal: &Value) -> Vec<Effect> {
        let Overlay::Picker(p) = &mut self.overlay else {
            return Vec::new();
        };
        let Some(Purpose::NewGroupPeople(d)) = &mut p.purpose else {
            return Vec::new();
        };
        let id = principal["id"].as_str().unwrap_or_default().to_string();
        let name = principal["displayName"].as_str().unwrap_or(&id).to_string();
        let group = crate::graph::model::odata_kind(principal) == "group";
        let error = if id.is_empty() {
            Some("that result has no id".to_string())
        } else if d.owners_phase && group {
            Some(format!(
                "{} is a group: a group cannot own a group",
                crate::sanitize::clean(&name)
            ))
        } else if d.owners.iter().chain(&d.members).any(|(i, _)| *i == id) {
            Some(format!(
                "{} is picked already",
                crate::sanitize::clean(&name)
            ))
        } else if d.owners.len() + d.members.len() >= CREATE_BINDS {
            Some(format!(
                "Graph binds at most {CREATE_BINDS} owners and members in a create: add more \
                 members after it (m, a)"
            ))
        } else {
            None
        };
        if error.is_none() {
            if d.owners_phase {
                d.owners.push((id, name));
            } else {
                d.members.push((id, name));
            }
        }
        p.title = d.title();
        p.error = error;
        p.input.clear();
        p.cursor = None;
        p.results.clear();
        p.searched.clear();
        p.selected = 0;
        Vec::new()
    }

    /// Enter on an empty line: from owners to members (assigned membership), then the confirm.
    pub(crate) fn people_next(&mut self) -> Vec<Effect> {
        let Overlay::Picker(p) = &mut self.overlay else {
            return Vec::new();
        };
        let Some(Purpose::NewGroupPeople(d)) = &mut p.purpose else {
            return Vec::new();
        };
        // Two owners keep a group governed when one leaves (seed 004): said once, not forced.
        if d.owners_phase && d.owners.len() < 2 && !d.few_owners_said {
            d.few_owners_said = true;
            p.error = Some(format!(
                "{} owner{} picked: two are asked for, so the group keeps an owner when one \
                 leaves; pick another, or Enter again to go on",
                d.owners.len(),
                if d.owners.len() == 1 { "" } else { "s" }
            ));
            return Vec::new();
        }
        if d.owners_phase && d.rule.is_none() {
            d.owners_phase = false;
            p.title = d.title();
            p.error = None;
            return Vec::new();
        }
        let draft = (**d).clone();
        self.overlay = Overlay::None;
        self.create_group(draft)
    }

    /// The confirm for a new group: what kind it is, its mail alias, its rule, its owners and
    /// members, and what a delete would do to it.
    fn create_group(&mut self, d: GroupDraft) -> Vec<Effect> {
        let GroupDraft {
            name,
            m365,
            rule,
            owners,
            members: picked,
            ..
        } = d;
        let ids = |l: &[(String, String)]| l.iter().map(|(i, _)| i.clone()).collect::<Vec<_>>();
        let request = crate::graph::endpoints::create_group(
            &name,
            m365,
            rule.as_deref(),
            &self.ctx.graph,
            &ids(&owners),
            &ids(&picked),
        );
        let alias = request.body.as_ref().map_or(String::new(), |b| {
            b["mailNickname"].as_str().unwrap_or_default().to_string()
        });
        let kind = if m365 {
            format!("Microsoft 365 group (mail {alias}@…; deleted, it is restorable for 30 days)")
        } else {
            "security group (no mail; deleted, it is gone for good)".to_string()
        };
        let names = |l: &[(String, String)]| {
            l.iter()
                .map(|(_, n)| crate::sanitize::clean(n))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let members = match &rule {
            Some(r) => format!(
                "dynamic members from the rule {} (Graph validates it)",
                crate::sanitize::clean(r)
            ),
            None if picked.is_empty() => "assigned members (none yet)".to_string(),
            None => format!("members {}", names(&picked)),
        };
        // group-post-groups.md: without named owners, an admin's security group has none and
        // an admin's Microsoft 365 group gets the admin; named ones are the owners.
        let owned = match (owners.len(), m365) {
            (0, false) => "no owner (none named; an admin's security group gets none)".to_string(),
            (0, true) => "you as its owner (none named)".to_string(),
            (1, _) => format!("owner {} (one: two are asked for)", names(&owners)),
            _ => format!("owners {}", names(&owners)),
        };
        let title = format!(
            "Create the {kind} \"{}\", {owned}, {members}",
            crate::sanitize::clean(&name)
        );
        self.begin_write(title, String::new(), request, None, None)
    }
}

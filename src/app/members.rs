//! Group membership writes from a group's members list: `a` adds a user or group found by
//! name (`POST /groups/{id}/members/$ref`), `d` removes the selected member (`DELETE
//! .../members/{id}/$ref`, never a plain DELETE, which would delete the object itself). A
//! dynamic group is refused before anything is sent; a role-assignable one says a privileged
//! role is needed.

use super::picker::{Picker, Purpose};
use super::{App, Effect, Overlay, View};
use crate::blades::ListSource;
use crate::sanitize::clean;
use serde_json::Value;

/// A group's members list: `a` adds a member, `d` removes the selected one (routed like a
/// blade's keys).
pub(super) fn act(app: &mut App, a: crate::action::Action) -> Option<Vec<Effect>> {
    use crate::action::Action;
    match a {
        Action::Add => Some(app.open_add_member()),
        Action::Remove => Some(app.remove_member()),
        _ => None,
    }
}

impl App {
    /// The group whose members are on top: id, name, and its object when its page was read.
    pub(super) fn members_group(&self) -> Option<(String, String, Option<Value>)> {
        let View::List(l) = self.top() else {
            return None;
        };
        let ListSource::GroupMembers {
            group_id,
            group_name,
        } = &l.source
        else {
            return None;
        };
        let object = self.stack.iter().find_map(|v| match v {
            View::Detail(d) if d.target.id == *group_id => d.object.clone(),
            _ => None,
        });
        Some((group_id.clone(), group_name.clone(), object))
    }

    /// Why the group takes no manual member change, if it does not (dynamic membership).
    pub(super) fn membership_refusal(group: &Option<Value>) -> Option<String> {
        let g = group.as_ref()?;
        let dynamic = g["groupTypes"]
            .as_array()
            .is_some_and(|a| a.iter().any(|t| t == "DynamicMembership"));
        dynamic.then(|| {
            format!(
                "refused: the group is dynamic (rule {}): its members come from the rule, and Graph refuses manual changes",
                clean(g["membershipRule"].as_str().unwrap_or("?"))
            )
        })
    }

    /// What the confirm adds for a role-assignable group.
    fn privileged_note(group: &Option<Value>) -> &'static str {
        match group {
            Some(g) if g["isAssignableToRole"] == true => {
                " (role-assignable group: needs Privileged Role Administrator or Global Administrator)"
            }
            _ => "",
        }
    }

    /// `a` on a group's members: find a user or group to add.
    pub fn open_add_member(&mut self) -> Vec<Effect> {
        let Some((group_id, group_name, group)) = self.members_group() else {
            return Vec::new();
        };
        if self.ctx.read_only {
            self.toast("read-only mode: writes are disabled", true);
            return Vec::new();
        }
        if let Some(why) = Self::membership_refusal(&group) {
            self.toast(why, true);
            return Vec::new();
        }
        self.overlay = Overlay::Picker(Box::new(Picker {
            title: format!("Add to {}: type a name, Enter searches", clean(&group_name)),
            purpose: Some(Purpose::AddMember {
                group_id,
                group_name,
            }),
            ..Default::default()
        }));
        self.dirty = true;
        Vec::new()
    }

    /// The confirm for adding the picked principal.
    pub(super) fn add_member(
        &mut self,
        group_id: String,
        group_name: String,
        principal: Value,
    ) -> Vec<Effect> {
        self.overlay = Overlay::None;
        let group = self.members_group().and_then(|g| g.2);
        let id = principal["id"].as_str().unwrap_or_default().to_string();
        let name = clean(principal["displayName"].as_str().unwrap_or(&id));
        let title = format!(
            "Add {name} to {}{}",
            clean(&group_name),
            Self::privileged_note(&group)
        );
        let request = crate::graph::endpoints::add_member(&group_id, &id);
        self.begin_write(title, group_id, request, None, None)
    }

    /// `d` on a group's members: remove the selected member from the group.
    pub fn remove_member(&mut self) -> Vec<Effect> {
        let Some((group_id, group_name, group)) = self.members_group() else {
            return Vec::new();
        };
        let View::List(l) = self.top() else {
            return Vec::new();
        };
        let Some(row) = l.table.selected() else {
            return Vec::new();
        };
        let member = row.id().to_string();
        let name = clean(row.object["displayName"].as_str().unwrap_or(&member));
        if let Some(why) = Self::membership_refusal(&group) {
            self.toast(why, true);
            return Vec::new();
        }
        let title = format!(
            "Remove {name} from {} (the membership only: {name} itself is kept){}",
            clean(&group_name),
            Self::privileged_note(&group)
        );
        let request = crate::graph::endpoints::remove_member(&group_id, &member);
        self.begin_write(title, group_id, request, None, None)
    }

    /// The group selected in the Groups list.
    fn selected_group(&self) -> Option<Value> {
        let View::List(l) = self.top() else {
            return None;
        };
        (l.source == ListSource::Blade(crate::blades::BladeKind::Groups))
            .then(|| l.table.selected().map(|r| r.object.clone()))
            .flatten()
    }

    /// `d` on the Groups list: delete the group, the confirm saying whether it can come back.
    pub fn delete_group(&mut self) -> Vec<Effect> {
        let Some(g) = self.selected_group() else {
            return Vec::new();
        };
        let id = g["id"].as_str().unwrap_or_default().to_string();
        let name = clean(g["displayName"].as_str().unwrap_or(&id));
        let m365 = g["groupTypes"]
            .as_array()
            .is_some_and(|a| a.iter().any(|t| t == "Unified"));
        // group-delete.md: Microsoft 365 groups go to deleted items (restorable for 30 days);
        // security groups are deleted permanently.
        let fate = if m365 {
            "a Microsoft 365 group: it goes to Deleted items and can be restored for 30 days"
        } else {
            "not a Microsoft 365 group: it is deleted for good and cannot be restored"
        };
        let title = format!("Delete the group {name} ({fate})");
        let request = crate::graph::endpoints::delete_group(&id);
        self.begin_write(title, id, request, None, Some(g))
    }

    /// `n` on the Groups list: a new display name.
    pub fn open_rename_group(&mut self) -> Vec<Effect> {
        let Some(g) = self.selected_group() else {
            return Vec::new();
        };
        if self.ctx.read_only {
            self.toast("read-only mode: writes are disabled", true);
            return Vec::new();
        }
        let id = g["id"].as_str().unwrap_or_default().to_string();
        let current = g["displayName"].as_str().unwrap_or_default().to_string();
        self.overlay = Overlay::Picker(Box::new(Picker {
            title: format!("Rename the group \"{}\"", clean(&current)),
            purpose: Some(Purpose::RenameGroup { id }),
            stage: super::picker::Stage::Name,
            input: current,
            ..Default::default()
        }));
        self.dirty = true;
        Vec::new()
    }

    /// `a` on the Groups list: name a new security group (assigned membership).
    pub fn open_new_group(&mut self) -> Vec<Effect> {
        if self.ctx.read_only {
            self.toast("read-only mode: writes are disabled", true);
            return Vec::new();
        }
        self.overlay = Overlay::Picker(Box::new(Picker {
            title: "New security group (assigned membership): its name".into(),
            purpose: Some(Purpose::NewGroup),
            stage: super::picker::Stage::Name,
            ..Default::default()
        }));
        self.dirty = true;
        Vec::new()
    }
}

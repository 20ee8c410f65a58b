//! Group membership and ownership writes from a group's lists: add one found by name, remove by
//! reference (state: `app::members`).

use crate::app::members::GroupList;
use crate::app::picker::{Picker, Purpose};
use crate::app::{App, Effect, Overlay, View};
use crate::blades::ListSource;
use crate::blades::groups::Relation;
use crate::graph::endpoints::Link;
use crate::sanitize::clean;
use serde_json::Value;

impl App {
    /// `M` / `o` / `e` on a group's page (or its row): every member through nesting, the
    /// owners, or the members whose licence is in error.
    pub fn open_group_list(&mut self, relation: Relation) -> Vec<Effect> {
        let Some((group_id, group_name)) = self.focused_object() else {
            return Vec::new();
        };
        let source = ListSource::GroupMembers {
            group_id,
            group_name,
            relation,
        };
        self.push(View::List(crate::app::view::ListView::new(source)))
    }

    /// `p` on a group's members with licence errors: reprocess each listed member (marked
    /// ones when some are marked). Graph documents no group-wide reprocess (neither v1.0 nor
    /// beta), so it is `POST /users/{id}/reprocessLicenseAssignment` per member, one after the
    /// other, each named in the confirm.
    pub fn reprocess_members(&mut self) -> Vec<Effect> {
        let Some(g) = self.members_group() else {
            return Vec::new();
        };
        if g.relation != Relation::LicenceErrors {
            return Vec::new();
        }
        let View::List(l) = self.top() else {
            return Vec::new();
        };
        let marked = l.table.marked_rows();
        let rows: Vec<&crate::widgets::table::TableRow> = if marked.is_empty() {
            l.table.visible_rows().collect()
        } else {
            marked
        };
        let targets: Vec<crate::app::write::Target> = rows
            .iter()
            .filter(|r| crate::graph::model::odata_kind(&r.object()) == "user")
            .map(|r| crate::app::write::Target {
                name: clean(r.object()["displayName"].as_str().unwrap_or(r.id())),
                current: Value::Null,
                object: r.object(),
                request: crate::graph::endpoints::reprocess_licences(r.id()),
            })
            .collect();
        let Some(first) = targets.first().cloned() else {
            self.toast("no member with a licence error is listed", true);
            return Vec::new();
        };
        let title = format!(
            "Reprocess the licences of {} member{} of {} (one request each)",
            targets.len(),
            if targets.len() == 1 { "" } else { "s" },
            clean(&g.name)
        );
        let object_id = first.object["id"].as_str().unwrap_or_default().to_string();
        let effects = self.begin_write(title, object_id, first.request, None, Some(first.object));
        if let Some(w) = &mut self.write {
            w.targets = targets;
            w.sent = 1;
        }
        effects
    }

    /// The group whose members or owners are on top.
    pub(crate) fn members_group(&self) -> Option<GroupList> {
        let View::List(l) = self.top() else {
            return None;
        };
        let ListSource::GroupMembers {
            group_id,
            group_name,
            relation,
        } = &l.source
        else {
            return None;
        };
        let object = self.stack.iter().find_map(|v| match v {
            View::Detail(d) if d.target.id == *group_id => d.object.clone(),
            _ => None,
        });
        Some(GroupList {
            id: group_id.clone(),
            name: group_name.clone(),
            object,
            relation: *relation,
        })
    }

    /// Why the group takes no manual member change, if it does not (dynamic membership).
    pub(crate) fn membership_refusal(group: &Option<Value>) -> Option<String> {
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

    /// Why this list takes no change, if it does not: the nested members change in their own
    /// groups; a dynamic group's members come from its rule (its owners can change).
    fn list_refusal(g: &GroupList) -> Option<String> {
        match g.relation {
            Relation::Transitive => Some(
                "the nested members list is read-only: open the member group (Enter) and change it there".into(),
            ),
            Relation::LicenceErrors => Some(
                "this list is read-only: open the user (Enter) to fix their licence, or use the Licence errors blade".into(),
            ),
            Relation::Members => Self::membership_refusal(&g.object),
            Relation::Owners => None,
        }
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

    /// `a` on a group's members or owners: find a user (or, for members, a group) to add.
    pub fn open_add_member(&mut self) -> Vec<Effect> {
        let Some(g) = self.members_group() else {
            return Vec::new();
        };
        if self.ctx.read_only {
            self.toast("read-only mode: writes are disabled", true);
            return Vec::new();
        }
        if let Some(why) = Self::list_refusal(&g) {
            self.toast(why, true);
            return Vec::new();
        }
        let owners = g.relation == Relation::Owners;
        self.overlay = Overlay::Picker(Box::new(Picker {
            title: format!(
                "Add {} {}: type a name, Enter searches{}",
                if owners { "an owner to" } else { "to" },
                clean(&g.name),
                if owners { " (users)" } else { "" }
            ),
            purpose: Some(Purpose::AddMember {
                group_id: g.id,
                group_name: g.name,
            }),
            ..Default::default()
        }));
        self.dirty = true;
        Vec::new()
    }

    /// The confirm for adding the picked principal.
    pub(crate) fn add_member(
        &mut self,
        group_id: String,
        group_name: String,
        principal: Value,
    ) -> Vec<Effect> {
        self.overlay = Overlay::None;
        let Some(g) = self.members_group() else {
            return Vec::new();
        };
        let Some(link) = g.link() else {
            return Vec::new();
        };
        let id = principal["id"].as_str().unwrap_or_default().to_string();
        let name = clean(principal["displayName"].as_str().unwrap_or(&id));
        if link == Link::Owners && crate::graph::model::odata_kind(&principal) == "group" {
            self.toast(
                format!("refused: {name} is a group; owners are users or service principals"),
                true,
            );
            return Vec::new();
        }
        let title = match link {
            Link::Members => format!(
                "Add {name} to {}{}",
                clean(&group_name),
                Self::privileged_note(&g.object)
            ),
            Link::Owners => format!(
                "Make {name} an owner of {} (owners manage the group and its members)",
                clean(&group_name)
            ),
        };
        let request = crate::graph::endpoints::add_link(&self.ctx.graph, link, &group_id, &id);
        self.begin_write(title, group_id, request, None, None)
    }

    /// `d` on a group's members or owners: remove the selected one from the group.
    pub fn remove_member(&mut self) -> Vec<Effect> {
        let Some(g) = self.members_group() else {
            return Vec::new();
        };
        let View::List(l) = self.top() else {
            return Vec::new();
        };
        let Some(row) = l.table.selected() else {
            return Vec::new();
        };
        let member = row.id().to_string();
        let name = clean(row.object()["displayName"].as_str().unwrap_or(&member));
        // group-delete-owners.md: the last user owner cannot be removed.
        let other_user_owners = l
            .table
            .all_rows()
            .filter(|r| r.id() != member && crate::graph::model::odata_kind(&r.object()) == "user")
            .count();
        if let Some(why) = Self::list_refusal(&g) {
            self.toast(why, true);
            return Vec::new();
        }
        let Some(link) = g.link() else {
            return Vec::new();
        };
        if link == Link::Owners && other_user_owners == 0 {
            self.toast(
                format!(
                    "refused: {name} is the group's last user owner, and Graph keeps the last owner"
                ),
                true,
            );
            return Vec::new();
        }
        let title = match link {
            Link::Members => format!(
                "Remove {name} from {} (the membership only: {name} itself is kept){}",
                clean(&g.name),
                Self::privileged_note(&g.object)
            ),
            Link::Owners => format!(
                "Remove {name} as an owner of {} (the ownership only: {name} stays in the directory)",
                clean(&g.name)
            ),
        };
        let request = crate::graph::endpoints::remove_link(link, &g.id, &member);
        self.begin_write(title, g.id, request, None, None)
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
            stage: crate::app::picker::Stage::Name,
            ..Default::default()
        }));
        self.dirty = true;
        Vec::new()
    }
}

//! A group's lists (`M`, `o`, `e` open them), the group whose list is on top (for `:import`)
//! and the start of the guided new group. The lists' writes are `blades::member_verbs`.

use crate::app::members::GroupList;
use crate::app::picker::{Picker, Purpose};
use crate::app::{App, Effect, Overlay, View};
use crate::blades::ListSource;
use crate::blades::groups::Relation;

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

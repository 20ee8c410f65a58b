//! The group whose member list is on top (for `:import`) and the start of the guided new group.
//! A group's lists are opened by its page's verbs; their writes are `blades::member_verbs`.

use crate::app::members::GroupList;
use crate::app::picker::{Picker, Purpose};
use crate::app::{App, Effect, Overlay, View};
use crate::blades::ListSource;

impl App {
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

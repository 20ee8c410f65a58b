//! The verbs of a group's member and owner lists: `a` adds a user or group found by name
//! (`POST /groups/{id}/members/$ref`, or `owners/$ref` for a user owner), `d` removes the
//! selected one (`DELETE .../members/{id}/$ref`, never a plain DELETE, which would delete the
//! object itself), `p` on the members in licence error reprocesses each. A dynamic group's
//! members are refused before anything is sent, as is the last owner; a role-assignable group
//! says a privileged role is needed.

use super::def::{Pick, PickThen, Step, Verb};
use super::verb::{Confirm, Scope, Target};
use crate::graph::endpoints::Link;
use crate::graph::model::odata_kind;
use crate::sanitize::clean;
use serde_json::{Value, json};

/// Why the group takes no manual member change, if it does not (dynamic membership).
pub fn membership_refusal(group: Option<&Value>) -> Option<String> {
    let g = group?;
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
fn privileged_note(group: Option<&Value>) -> &'static str {
    match group {
        Some(g) if g["isAssignableToRole"] == true => {
            " (role-assignable group: needs Privileged Role Administrator or Global Administrator)"
        }
        _ => "",
    }
}

/// Why the list takes no change, if it does not: a dynamic group's members come from its rule
/// (its owners can change).
fn refusal(s: &Scope, link: Link) -> Option<String> {
    match link {
        Link::Members => membership_refusal(s.parent_page),
        Link::Owners => None,
    }
}

/// `a`: find the one to add by name.
fn add(s: &Scope, link: Link) -> Vec<Step> {
    let Some((id, name)) = s.parent.clone() else {
        return Vec::new();
    };
    if let Some(why) = refusal(s, link) {
        return vec![Step::refuse(why)];
    }
    let owners = link == Link::Owners;
    // Who is in the list already: adding them again is refused before anything is sent.
    let present: Vec<Value> = s
        .table
        .map(|t| t.all_rows().map(|r| json!(r.id())).collect())
        .unwrap_or_default();
    vec![Step::Pick(Pick {
        title: format!(
            "Add {} {}: type a name, Enter searches{}",
            if owners { "an owner to" } else { "to" },
            clean(&name),
            if owners { " (users)" } else { "" }
        ),
        then: PickThen {
            with: json!({
                "id": id,
                "name": name,
                "owners": owners,
                "root": s.graph_root,
                "note": privileged_note(s.parent_page),
                "present": present,
            }),
            run: |p, with| Ok(picked(p, with)),
        },
    })]
}

/// The confirm for adding the picked principal (a group is refused as an owner).
fn picked(principal: &Value, with: &Value) -> Vec<Step> {
    let text = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
    let (group_id, group_name) = (text(with, "id"), text(with, "name"));
    let id = text(principal, "id");
    let name = clean(principal["displayName"].as_str().unwrap_or(&id));
    let link = if with["owners"] == true {
        Link::Owners
    } else {
        Link::Members
    };
    if with["present"]
        .as_array()
        .is_some_and(|p| p.iter().any(|x| x.as_str() == Some(id.as_str())))
    {
        let what = match link {
            Link::Members => "a member",
            Link::Owners => "an owner",
        };
        return vec![Step::refuse(format!(
            "{name} is already {what} of {}: nothing to add",
            clean(&group_name)
        ))];
    }
    if link == Link::Owners && odata_kind(principal) == "group" {
        return vec![Step::refuse(format!(
            "refused: {name} is a group; owners are users or service principals"
        ))];
    }
    let title = match link {
        Link::Members => format!("Add {name} to {}{}", clean(&group_name), text(with, "note")),
        Link::Owners => format!(
            "Make {name} an owner of {} (owners manage the group and its members)",
            clean(&group_name)
        ),
    };
    let request = crate::graph::endpoints::add_link(&text(with, "root"), link, &group_id, &id);
    vec![Confirm::one(title, &group_id, request, None).into()]
}

/// `d`: remove the selected member or owner from the group (the reference only).
fn remove(s: &Scope, link: Link) -> Vec<Step> {
    let (Some((group_id, group_name)), Some(row)) = (s.parent.clone(), s.selected.as_ref()) else {
        return Vec::new();
    };
    let member = row["id"].as_str().unwrap_or_default().to_string();
    let name = clean(row["displayName"].as_str().unwrap_or(&member));
    if let Some(why) = refusal(s, link) {
        return vec![Step::refuse(why)];
    }
    // group-delete-owners.md: the last user owner cannot be removed.
    let other_user_owners = s.table.map_or(0, |t| {
        t.all_rows()
            .filter(|r| r.id() != member && odata_kind(&r.object()) == "user")
            .count()
    });
    if link == Link::Owners && other_user_owners == 0 {
        return vec![Step::refuse(format!(
            "refused: {name} is the group's last user owner, and Graph keeps the last owner"
        ))];
    }
    let title = match link {
        Link::Members => format!(
            "Remove {name} from {} (the membership only: {name} itself is kept){}",
            clean(&group_name),
            privileged_note(s.parent_page)
        ),
        Link::Owners => format!(
            "Remove {name} as an owner of {} (the ownership only: {name} stays in the directory)",
            clean(&group_name)
        ),
    };
    let request = crate::graph::endpoints::remove_link(link, &group_id, &member);
    vec![Confirm::one(title, &group_id, request, None).into()]
}

/// `p` on a group's members with licence errors: reprocess each listed member (marked ones
/// when some are marked). Graph documents no group-wide reprocess (neither v1.0 nor beta), so
/// it is `POST /users/{id}/reprocessLicenseAssignment` per member, one after the other, each
/// named in the confirm.
fn reprocess_all(s: &Scope) -> Vec<Step> {
    let (Some((_, group_name)), Some(table)) = (s.parent.as_ref(), s.table) else {
        return Vec::new();
    };
    let rows: Vec<Value> = if s.marked {
        s.rows.clone()
    } else {
        table.visible_rows().map(|r| r.object()).collect()
    };
    let targets: Vec<Target> = rows
        .into_iter()
        .filter(|o| odata_kind(o) == "user")
        .map(|o| {
            let id = o["id"].as_str().unwrap_or_default().to_string();
            Target {
                name: clean(o["displayName"].as_str().unwrap_or(&id)),
                current: Value::Null,
                request: crate::graph::endpoints::reprocess_licences(&id),
                object: o,
            }
        })
        .collect();
    let Some(first) = targets.first().cloned() else {
        return vec![Step::refuse("no member with a licence error is listed")];
    };
    let title = format!(
        "Reprocess the licences of {} member{} of {} (one request each)",
        targets.len(),
        if targets.len() == 1 { "" } else { "s" },
        clean(group_name)
    );
    let object_id = first.object["id"].as_str().unwrap_or_default().to_string();
    let mut c = Confirm::one(title, &object_id, first.request, Some(first.object));
    c.targets = targets;
    vec![c.into()]
}

const fn verb(name: &'static str, label: &'static str, run: fn(&Scope) -> Vec<Step>) -> Verb {
    Verb {
        name,
        keys: &[],
        label,
        help: "",
        writes: true,
        run,
    }
}

pub static ADD_MEMBER: Verb = verb("add", "add member", |s| add(s, Link::Members));
pub static REMOVE_MEMBER: Verb = verb("remove", "remove member", |s| remove(s, Link::Members));
pub static ADD_OWNER: Verb = verb("add", "add owner", |s| add(s, Link::Owners));
pub static REMOVE_OWNER: Verb = verb("remove", "remove owner", |s| remove(s, Link::Owners));
pub static REPROCESS_ALL: Verb = verb("reprocess", "reprocess all", reprocess_all);

//! PIM for groups in My roles: the signed-in admin's eligible and active memberships and
//! ownerships of PIM-governed groups and their requests waiting for approval, one row each
//! (`@group`), with the directory roles a membership brings (`@holds`: "activating this makes
//! you Global Administrator"). A tenant where PIM for groups cannot be read gets one row that
//! says so, rather than silently fewer rows.

use crate::graph::GraphClient;
use crate::graph::resources::pim_groups;
use crate::sanitize::clean;
use crate::widgets::table::TableRow;
use serde_json::{Value, json};

/// The admin's PIM group rows: eligible, active (permanent or activated) and waiting.
pub async fn read(client: &GraphClient, me: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let reads = [
        (pim_groups::eligibility_of(me), "eligible"),
        (pim_groups::assignments_of(me), "active"),
        (pim_groups::my_pending(), "pending"),
    ];
    for (request, kind) in reads {
        match client.get_all(request).await {
            Ok(items) => out.extend(items.into_iter().map(|mut v| {
                v["@kind"] = json!(kind);
                v["@group"] = json!(true);
                v
            })),
            Err(e) => {
                out.push(json!({"@group": true, "@kind": "unread",
                    "@why": format!("PIM for groups ({kind}) not read: {e}")}));
            }
        }
    }
    out
}

/// The group's name (expanded), else its id.
pub fn group_name(v: &Value) -> String {
    v["group"]["displayName"]
        .as_str()
        .or(v["groupId"].as_str())
        .unwrap_or("?")
        .to_string()
}

/// Each membership row learns the directory roles its group holds (from the role rows read
/// through groups: `@viaId`), active or eligible: what activating it gives.
pub fn holds(groups: &mut [Value], roles: &[Value]) {
    for g in groups.iter_mut().filter(|g| g["accessId"] == "member") {
        let gid = g["groupId"].clone();
        let mut names: Vec<String> = roles
            .iter()
            .filter(|r| r["@viaId"] == gid)
            .map(|r| {
                let name = super::common::role_name(r);
                if r["@kind"] == "eligible" {
                    format!("{name} (eligible)")
                } else {
                    name
                }
            })
            .collect();
        names.dedup();
        if !names.is_empty() {
            g["@holds"] = json!(names);
        }
    }
}

/// A role held through a membership activated for a while ends with it: the role row says the
/// membership's end (`@until`) where its own assignment (the group's) has none.
pub fn until(roles: &mut [Value], groups: &[Value]) {
    for r in roles.iter_mut().filter(|r| r["endDateTime"].is_null()) {
        let end = groups
            .iter()
            .filter(|g| g["@kind"] == "active" && g["accessId"] == "member")
            .find(|g| g["groupId"] == r["@viaId"])
            .and_then(|g| g["endDateTime"].as_str());
        if let Some(end) = end {
            r["@until"] = json!(end);
        }
    }
}

/// What the group's roles mean for whoever activates the membership, in words (empty: none).
pub fn holds_words(v: &Value) -> String {
    let names: Vec<String> = v["@holds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(clean)
        .collect();
    if names.is_empty() {
        String::new()
    } else {
        format!("activating this makes you {}", names.join(", "))
    }
}

/// A PIM group row in the My roles table: what (member/owner of which group), state, until,
/// scope `group`.
pub fn row(v: Value) -> TableRow {
    if v["@kind"] == "unread" {
        let why = clean(v["@why"].as_str().unwrap_or("PIM for groups not read"));
        return TableRow::new(
            v,
            vec![why, "not read".into(), String::new(), "group".into()],
        );
    }
    let access = match v["accessId"].as_str() {
        Some("owner") => "owner",
        _ => "member",
    };
    let mut what = format!("{access} of {} (PIM group)", clean(&group_name(&v)));
    if let Some(first) = v["@holds"].as_array().and_then(|h| h.first()?.as_str()) {
        what.push_str(&format!(": gives {}", clean(first)));
    }
    let state = match v["@kind"].as_str() {
        Some("eligible") => "eligible",
        Some("active")
            if v["assignmentType"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case("activated")) =>
        {
            "active (activated)"
        }
        Some("active") => "active (assigned)",
        Some("pending") => "waiting for approval",
        _ => "?",
    };
    let until = v["endDateTime"]
        .as_str()
        .map(|d| d.replace('T', " ").chars().take(16).collect())
        .unwrap_or_else(|| "permanent".to_string());
    TableRow::new(v, vec![what, state.into(), until, "group".into()])
}

/// `P` on My roles: the PIM settings of the selected row: a group membership's or ownership's
/// policy (its own page), a role's (the PIM settings page of the role, or of the group it is
/// held through when the admin is only eligible for that membership).
fn settings(s: &super::verb::Scope) -> Vec<super::def::Step> {
    use super::def::Step;
    let Some(v) = s.selected.as_ref() else {
        return Vec::new();
    };
    if v["@kind"] == "unread" {
        return vec![Step::refuse(clean(
            v["@why"].as_str().unwrap_or("not read"),
        ))];
    }
    if v["@group"] == true || v["@viaHow"] == "eligible member" {
        let (gid, access, name) = if v["@group"] == true {
            (
                v["groupId"].as_str().unwrap_or_default(),
                v["accessId"].as_str().unwrap_or("member"),
                group_name(v),
            )
        } else {
            (
                v["@viaId"].as_str().unwrap_or_default(),
                "member",
                v["@via"].as_str().unwrap_or_default().to_string(),
            )
        };
        return vec![Step::OpenPage {
            page: "pim-group-settings",
            id: format!("{gid}:{access}"),
            name: format!("{access}ship of {}", clean(&name)),
        }];
    }
    let role = super::common::text(v, "roleDefinitionId");
    vec![Step::OpenPage {
        page: "pim-settings",
        id: role,
        name: super::common::role_name(v),
    }]
}

/// `P` on My roles.
pub const SETTINGS: super::def::Verb = super::def::Verb {
    name: "settings",
    // `P` (PIM settings): `s` sorts every list.
    keys: &["P"],
    label: "settings",
    help: "Open the PIM settings of the selected role or group membership (what an activation asks, approvers, notifications)",
    writes: false,
    run: settings,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_membership_says_what_it_gives() {
        let mut groups = vec![
            json!({"@group": true, "@kind": "eligible", "accessId": "member",
            "groupId": "g1", "group": {"displayName": "Tier1 - Helpdesk Admins"}}),
        ];
        let roles = vec![json!({"@viaId": "g1", "@kind": "active",
            "roleDefinition": {"displayName": "Helpdesk Administrator"}})];
        holds(&mut groups, &roles);
        assert_eq!(
            holds_words(&groups[0]),
            "activating this makes you Helpdesk Administrator"
        );
        let r = row(groups.remove(0));
        assert_eq!(
            r.cells.to_vec(),
            [
                "member of Tier1 - Helpdesk Admins (PIM group): gives Helpdesk Administrator",
                "eligible",
                "permanent",
                "group"
            ]
        );
        let r = row(
            json!({"@group": true, "@kind": "active", "accessId": "owner",
            "assignmentType": "activated", "groupId": "g2", "endDateTime": "2026-12-07T22:00:00Z"}),
        );
        assert_eq!(&r.cells[0], "owner of g2 (PIM group)");
        assert_eq!(&r.cells[1], "active (activated)");
    }
}

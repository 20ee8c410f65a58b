//! My roles: the signed-in admin's own directory roles from PIM — eligible ones (activate with
//! `a`: justification, ticket and duration as the role's policy asks), active ones (permanent,
//! or activated until a time; `d` deactivates an activation early) and requests waiting for
//! approval. Read from `/me`, then the schedule instances filtered to that principal.

use super::common::role_name;
use crate::graph::GraphClient;
use crate::graph::resources::{pim, users};
use crate::theme::Theme;
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::{Value, json};

fn read(
    client: GraphClient,
    store: Option<std::sync::Arc<crate::cache::Store>>,
    _: String,
) -> super::source::Computing {
    Box::pin(async move {
        if client.is_offline() {
            let Some(st) = store else {
                return Err(crate::graph::GraphError::Offline);
            };
            return crate::cache::off_thread(st, |s| Ok(kept(s)))
                .await
                .map_err(|e| crate::graph::GraphError::Cache(e.to_string()))?
                .map_err(crate::graph::GraphError::Cache);
        }
        let me = client.get_json(&users::me()).await?;
        let id = me["id"].as_str().unwrap_or_default().to_string();
        let mut out = Vec::new();
        for (eligible, kind) in [(true, "eligible"), (false, "active")] {
            for mut v in client.get_all(pim::instances_of(&id, eligible)).await? {
                v["@kind"] = json!(kind);
                out.push(v);
            }
        }
        let mut groups = super::my_groups::read(&client, &id).await;
        let mut roles = through_groups(&client, &me, &groups).await;
        super::my_groups::holds(&mut groups, &roles);
        super::my_groups::until(&mut roles, &groups);
        out.extend(roles);
        out.extend(groups);
        let pending = pim::pending_of(&id);
        for mut v in client.get_all(pending).await? {
            v["@kind"] = json!("pending");
            out.push(v);
        }
        Ok(Value::Array(out))
    })
}

/// The roles the admin holds through role-assignable groups: a role assigned (or made eligible)
/// to a group is held by its members (groups-concept.md: "Use Microsoft Entra groups to manage
/// role assignments"), so Graph lists it under the group's id, not the admin's. Each row
/// carries `@via` (the group's name) and `@viaId`. Groups whose membership the admin is only
/// eligible for (PIM for groups, the rows of `my_groups`) count too: activating the membership
/// gives the role.
async fn through_groups(client: &GraphClient, me: &Value, pim_groups: &[Value]) -> Vec<Value> {
    let me_id = me["id"].as_str().unwrap_or_default();
    if me_id.is_empty() {
        return Vec::new();
    }
    let mut groups: Vec<(String, String, &'static str)> = client
        .get_all(crate::graph::endpoints::member_of(me_id).select(&[
            "id",
            "displayName",
            "isAssignableToRole",
        ]))
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|g| g["isAssignableToRole"] == true)
        .filter_map(|g| {
            Some((
                g["id"].as_str()?.to_string(),
                g["displayName"].as_str().unwrap_or_default().to_string(),
                "member",
            ))
        })
        .collect();
    for e in pim_groups
        .iter()
        .filter(|e| e["@kind"] == "eligible" && e["accessId"] == "member")
    {
        let Some(gid) = e["groupId"].as_str() else {
            continue;
        };
        if !groups.iter().any(|(id, _, _)| id == gid) {
            let name = super::my_groups::group_name(e);
            groups.push((gid.to_string(), name, "eligible member"));
        }
    }
    let mut out = Vec::new();
    for (gid, name, how) in groups {
        for (eligible, kind) in [(true, "eligible"), (false, "active")] {
            let request = pim::instances_of(&gid, eligible);
            for mut v in client.get_all(request).await.unwrap_or_default() {
                v["@kind"] = json!(kind);
                v["@via"] = json!(name);
                v["@viaId"] = json!(gid);
                v["@viaHow"] = json!(how);
                v["@me"] = json!(me_id);
                out.push(v);
            }
        }
    }
    out
}

/// My roles from what `sync` kept (offline): the signed-in admin then, their eligible and
/// active schedule instances, and the roles of the role-holding groups they were a member of.
/// Requests waiting for approval are not kept (a snapshot is not an inbox).
fn kept(store: &crate::cache::Store) -> Result<Value, String> {
    let me = crate::audit::cached::me(store)?;
    let id = me["id"].as_str().unwrap_or_default().to_string();
    let inputs = crate::audit::cached::load(store, Vec::new())?;
    let roles = inputs.roles?;
    let active = inputs.assignments?;
    let definition = |v: &Value| {
        let rid = v["roleDefinitionId"].as_str().unwrap_or_default();
        roles
            .definitions
            .iter()
            .find(|d| d["id"].as_str() == Some(rid) || d["templateId"].as_str() == Some(rid))
            .cloned()
            .unwrap_or(Value::Null)
    };
    // The role-holding groups the admin is a member of (the audit keeps their members).
    let groups: Vec<(&String, String)> = roles
        .group_members
        .iter()
        .filter(|(_, members)| {
            members
                .iter()
                .any(|m| m["id"].as_str() == Some(id.as_str()))
        })
        .map(|(gid, _)| {
            let name = roles
                .active
                .iter()
                .chain(&roles.eligible)
                .find(|a| a["principalId"].as_str() == Some(gid.as_str()))
                .and_then(|a| a["principal"]["displayName"].as_str())
                .unwrap_or(gid)
                .to_string();
            (gid, name)
        })
        .collect();
    let mut out = Vec::new();
    for (items, kind) in [(&roles.eligible, "eligible"), (&active, "active")] {
        for v in items {
            let principal = v["principalId"].as_str().unwrap_or_default();
            let via = groups.iter().find(|(g, _)| g.as_str() == principal);
            if principal != id && via.is_none() {
                continue;
            }
            let mut v = v.clone();
            v["@kind"] = json!(kind);
            if v["roleDefinition"].is_null() {
                v["roleDefinition"] = definition(&v);
            }
            if let Some((_, name)) = via {
                v["@via"] = json!(name);
                v["@viaHow"] = json!("member");
            }
            out.push(v);
        }
    }
    Ok(Value::Array(out))
}

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("Role", 18),
        Column::fixed("State", 18),
        Column::fixed("Until", 16),
        Column::fixed("Scope", 6),
    ]
}

pub fn row(v: Value) -> TableRow {
    if v["@group"] == true {
        return super::my_groups::row(v);
    }
    let state = match (v["@kind"].as_str(), v["assignmentType"].as_str()) {
        // Held through a group: said in the state too, which stays in sight at 80 columns.
        // Through a membership the admin is only eligible for, the role is eligible too.
        _ if v["@viaHow"] == "eligible member" => "eligible (group)".to_string(),
        (Some("eligible"), _) if v["@via"].is_string() => "eligible (group)".to_string(),
        (Some("active"), _) if v["@via"].is_string() => "active (group)".to_string(),
        (Some("eligible"), _) => "eligible".to_string(),
        (Some("active"), Some("Activated")) => "active (activated)".to_string(),
        (Some("active"), _) => "active (assigned)".to_string(),
        (Some("pending"), _) => "waiting for approval".to_string(),
        _ => "?".to_string(),
    };
    let until = v["@until"]
        .as_str()
        .or(v["endDateTime"].as_str())
        .map(|d| d.replace('T', " ").chars().take(16).collect())
        .unwrap_or_else(|| "permanent".to_string());
    let scope = match v["directoryScopeId"].as_str() {
        Some("/") | None => "tenant".to_string(),
        Some(s) => s.to_string(),
    };
    // A role held through a group names it (the group is the principal, not the admin).
    let role = match (v["@via"].as_str(), v["@viaHow"].as_str()) {
        (Some(g), Some("eligible member")) => format!(
            "{} via {} (eligible member: PIM for groups)",
            role_name(&v),
            crate::sanitize::clean(g)
        ),
        (Some(g), _) => format!("{} via {}", role_name(&v), crate::sanitize::clean(g)),
        (None, _) => role_name(&v),
    };
    TableRow::new(v.clone(), vec![role, state, until, scope])
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match (col, &row.cells[1]) {
        (1, "eligible" | "eligible (group)") => Some(theme.info),
        (1, "waiting for approval") => Some(theme.warning),
        (1, _) => Some(theme.accent),
        (2 | 3, _) => Some(theme.muted),
        _ => None,
    }
}

/// The My roles blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "My roles",
    nav_label: "My roles",
    command: "my-roles",
    aliases: &["pim", "activate", "me"],
    load: super::source::Load::Computed(super::source::Computed {
        name: "my-roles",
        run: read,
    }),
    columns,
    row,
    rows_of: None,
    style,
    refine: None,
    opens: None,
    sync: None,
    marks: super::source::Marks::No,
    query: None,
    join: None,
    records: None,
    // `a` activates the selected eligible role, `d` ends an activation early, `P` opens the
    // PIM settings of the selected role or group membership.
    verbs: &[
        super::activation::ACTIVATE,
        super::activation::DEACTIVATE,
        super::my_groups::SETTINGS,
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_say_the_state() {
        let r = row(json!({"@kind": "active", "assignmentType": "Activated",
            "roleDefinition": {"displayName": "Security Administrator"},
            "endDateTime": "2026-12-04T22:00:00Z", "directoryScopeId": "/"}));
        assert_eq!(
            r.cells,
            [
                "Security Administrator",
                "active (activated)",
                "2026-12-04 22:00",
                "tenant"
            ]
        );
        let r = row(json!({"@kind": "eligible", "roleDefinitionId": "x"}));
        assert_eq!(r.cells.to_vec()[..3], ["x", "eligible", "permanent"]);
    }
}

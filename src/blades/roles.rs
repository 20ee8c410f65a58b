//! The Roles and admins blade: role definitions with PRIVILEGED labels and active/eligible
//! counts, a role's assignments (principal, type, active or eligible, scope, end, how), a
//! role's permissions, and "who can" a permission.

use super::common::path_segment;
use crate::graph::{Method, Request};
use crate::roles::{RoleFacts, who_can};
use crate::theme::Theme;
use crate::widgets::sheet::{Sheet, show};
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::{Value, json};
use std::collections::BTreeSet;

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("Role", 24),
        Column::fixed("Type", 8),
        Column::fixed("Privileged", 10),
        Column::fixed("Active", 6),
        Column::fixed("Eligible", 8),
    ]
}

pub fn rows(f: &RoleFacts) -> Vec<TableRow> {
    let mut defs: Vec<&Value> = f.definitions.iter().collect();
    defs.sort_by_key(|d| d["displayName"].as_str().unwrap_or_default().to_lowercase());
    defs.into_iter()
        .map(|d| {
            let id = d["id"].as_str().unwrap_or_default();
            // Each principal once, members of role-assignable groups included (the group is
            // how they hold the role, not a holder itself).
            let (mut active, mut eligible) = (BTreeSet::new(), BTreeSet::new());
            for (a, state) in f.assignments_of(id) {
                let set = if state == "active" {
                    &mut active
                } else {
                    &mut eligible
                };
                set.extend(holders(a, f));
            }
            let (active, eligible) = (active.len(), eligible.len());
            let cells = vec![
                d["displayName"].as_str().unwrap_or_default().to_string(),
                if d["isBuiltIn"] == json!(false) {
                    "Custom".into()
                } else {
                    "Built-in".into()
                },
                if d["isPrivileged"] == json!(true) {
                    "PRIVILEGED".into()
                } else {
                    String::new()
                },
                active.to_string(),
                eligible.to_string(),
            ];
            TableRow::new(d.clone(), cells)
        })
        .collect()
}

/// The principals an assignment gives the role to: the principal, or the members of a
/// group (the group itself when its members could not be read).
fn holders<'a>(a: &'a Value, f: &'a RoleFacts) -> Vec<&'a str> {
    let pid = a["principalId"].as_str().unwrap_or_default();
    match f.group_members.get(pid) {
        Some(members) if !members.is_empty() => {
            members.iter().filter_map(|m| m["id"].as_str()).collect()
        }
        _ => vec![pid],
    }
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match col {
        2 => Some(theme.privileged),
        3 | 4 if &row.cells[col] == "0" => Some(theme.muted),
        1 => Some(theme.muted),
        _ => None,
    }
}

pub fn assignment_columns() -> Vec<Column> {
    vec![
        // One role's page: its name is the title, so on screen the column would only repeat
        // it and squeeze `How`; exports keep it.
        Column::fixed("Role", 14).from(400),
        Column::grow("Principal", 20),
        Column::fixed("Type", 16),
        Column::fixed("State", 8),
        Column::fixed("Scope", 10),
        Column::fixed("Until", 10),
        Column::fixed("How", 6),
        // Ids for exports (and very wide terminals): which assignment, who, what, where.
        Column::fixed("Assignment id", 36).from(400),
        Column::fixed("Principal id", 36).from(400),
        Column::fixed("Role id", 36).from(400),
        Column::fixed("Scope id", 12).from(400),
    ]
}

fn scope(s: &str) -> String {
    match s {
        "/" | "" => "tenant".into(),
        s if s.starts_with("/administrativeUnits/") => "admin unit".into(),
        _ => "app".into(),
    }
}

/// The role's assignments (`*`: every role's); a row's object is the principal (so Enter
/// opens it).
pub fn assignment_rows(role_id: &str, f: &RoleFacts) -> Vec<TableRow> {
    let all: Vec<(&Value, &'static str)> = if role_id == "*" {
        f.active
            .iter()
            .map(|a| (a, "active"))
            .chain(f.eligible.iter().map(|a| (a, "eligible")))
            .collect()
    } else {
        f.assignments_of(role_id).collect()
    };
    let mut rows = Vec::new();
    for (a, state) in all {
        let role = a["roleDefinitionId"]
            .as_str()
            .and_then(|r| f.definition(r))
            .and_then(|d| d["displayName"].as_str())
            .unwrap_or_default();
        let p = &a["principal"];
        let pid = a["principalId"].as_str().unwrap_or_default();
        let until: String = a["endDateTime"]
            .as_str()
            .map(|d| d.chars().take(10).collect())
            .unwrap_or_else(|| "permanent".into());
        let how = if state == "eligible" { "PIM" } else { "direct" };
        let scope_id = a["directoryScopeId"].as_str().unwrap_or("/");
        let assignment = json!({
            "id": a["id"], "state": state, "roleDefinitionId": a["roleDefinitionId"],
            "principalId": a["principalId"], "directoryScopeId": a["directoryScopeId"], "role": role,
        });
        let row = |who: &Value, how: String, assignment: Value| {
            let cells = vec![
                role.to_string(),
                who["displayName"]
                    .as_str()
                    .or(who["id"].as_str())
                    .unwrap_or(pid)
                    .to_string(),
                crate::graph::model::odata_kind(who).to_string(),
                state.to_string(),
                scope(scope_id),
                until.clone(),
                how,
                assignment["id"].as_str().unwrap_or_default().to_string(),
                who["id"].as_str().unwrap_or(pid).to_string(),
                a["roleDefinitionId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                scope_id.to_string(),
            ];
            // The row opens the principal; the assignment rides along for removal.
            let mut obj = who.clone();
            obj["@assignment"] = assignment;
            TableRow::new(obj, cells)
        };
        let principal = if p.is_object() {
            p.clone()
        } else {
            json!({"id": pid})
        };
        rows.push(row(&principal, how.to_string(), assignment.clone()));
        // Members of a role-assignable group hold the role through it: listed under it, with
        // the route (and never removable as if the assignment were theirs).
        let group = principal["displayName"].as_str().unwrap_or(pid);
        for m in f.group_members.get(pid).into_iter().flatten() {
            let mut via = assignment.clone();
            via["via"] = json!(group);
            rows.push(row(m, format!("via {group}"), via));
        }
    }
    rows
}

/// The request that removes an assignment: `DELETE` for an active one, a PIM `adminRemove`
/// request for an eligible one (graph-api.md §1.2, §1.3).
pub fn remove_request(a: &Value) -> Request {
    if a["state"] == "eligible" {
        Request::new(
            Method::Post,
            "/roleManagement/directory/roleEligibilityScheduleRequests",
        )
        .json(json!({
            "action": "adminRemove",
            "principalId": a["principalId"],
            "roleDefinitionId": a["roleDefinitionId"],
            "directoryScopeId": a["directoryScopeId"].as_str().unwrap_or("/"),
            "justification": "Removed with entra-console",
        }))
    } else {
        Request::new(
            Method::Delete,
            format!(
                "/roleManagement/directory/roleAssignments/{}",
                path_segment(a["id"].as_str().unwrap_or_default())
            ),
        )
    }
}

pub fn who_columns() -> Vec<Column> {
    vec![
        Column::grow("Principal", 18),
        Column::fixed("Type", 5),
        Column::fixed("Role", 26),
        Column::fixed("How", 18),
        Column::fixed("State", 8),
    ]
}

pub fn who_rows(permission: &str, f: &RoleFacts) -> Vec<TableRow> {
    let (_, holders) = who_can(permission, f);
    holders
        .into_iter()
        .map(|h| {
            let obj = json!({"id": h.principal_id, "displayName": h.principal, "@odata.type": format!("#microsoft.graph.{}", h.kind)});
            TableRow::new(obj, vec![h.principal, h.kind, h.role, h.via, h.state])
        })
        .collect()
}

pub fn detail_request(id: &str) -> Request {
    Request::get(format!(
        "/roleManagement/directory/roleDefinitions/{}",
        path_segment(id)
    ))
    .beta()
}

/// A role's sheet with its permissions; privileged permissions (known from the protected-action
/// resource actions read for protection) are marked.
pub fn sheet(d: &Value, facts: Option<&crate::protect::Facts>) -> Sheet {
    let mut s = Sheet::default();
    let r = s.section("Role");
    r.push(("Name".into(), show(&d["displayName"])));
    r.push(("Description".into(), show(&d["description"])));
    r.push(("Built-in".into(), show(&d["isBuiltIn"])));
    r.push((
        "Privileged".into(),
        if d["isPrivileged"] == json!(true) {
            "PRIVILEGED".into()
        } else {
            show(&d["isPrivileged"])
        },
    ));
    r.push(("Template id".into(), show(&d["templateId"])));
    r.push(("Enabled".into(), show(&d["isEnabled"])));
    let p = s.section("Permissions (m: assignments)");
    let privileged = |name: &str| {
        facts.is_some_and(|f| {
            f.actions
                .iter()
                .any(|a| a["name"].as_str() == Some(name) && a["isPrivileged"] == json!(true))
        })
    };
    for perm in d["rolePermissions"].as_array().into_iter().flatten() {
        for a in perm["allowedResourceActions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            let mark = if privileged(a) { "PRIVILEGED" } else { "" };
            p.push((a.to_string(), mark.to_string()));
        }
    }
    s
}
/// A user's or group's sheet sections about roles: what it holds, and (users) who can reset its
/// password or perform sensitive actions on it.
pub fn principal_sections(sheet: &mut Sheet, principal_id: &str, is_user: bool, facts: &RoleFacts) {
    let held = facts.roles_of(principal_id);
    let sec = sheet.section("Directory roles");
    if held.is_empty() {
        sec.push(("Roles".into(), String::new()));
    }
    for h in &held {
        let mark = if h.privileged { " PRIVILEGED" } else { "" };
        sec.push((
            h.role.clone(),
            format!("{} {}, until {}{mark}", h.state, h.via, h.until),
        ));
    }
    if is_user {
        let names: Vec<String> = held.iter().map(|h| h.role.clone()).collect();
        let grouped = facts.in_role_assignable_group(principal_id);
        let sec = sheet.section("Who can act on this account");
        sec.push((
            "Reset password".into(),
            crate::reset::who_can_act("passwordReset", &names, grouped).join(", "),
        ));
        sec.push((
            "Sensitive actions".into(),
            crate::reset::who_can_act("sensitiveActions", &names, grouped).join(", "),
        ));
    }
}

/// The Roles and admins blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Roles and admins",
    nav_label: "Roles",
    command: "roles",
    aliases: &["role", "admins", "roles-and-admins", "directory-roles"],
    load: super::source::Load::Roles(rows),
    columns,
    row,
    rows_of: None,
    style,
    refine: None,
    opens: Some(super::def::ObjectKind(&DETAIL)),
    sync: None,
    marks: super::source::Marks::No,
    query: None,
    join: None,
    records: None,
    verbs: &[],
};

/// The row of one role definition (its assignments are unknown here).
pub fn row(v: Value) -> TableRow {
    let f = RoleFacts {
        definitions: vec![v],
        ..Default::default()
    };
    super::common::only_row(rows(&f))
}

/// The verbs of a role's assignments (`a` active, `A` eligible through PIM, `d` remove).
pub static ASSIGN: super::def::Verb = super::def::Verb {
    name: "add",
    keys: &[],
    label: "assign",
    help: "",
    writes: true,
    run: |s| super::assign_verbs::assign(s, false),
};
pub static ASSIGN_ELIGIBLE: super::def::Verb = super::def::Verb {
    name: "add-eligible",
    keys: &[],
    label: "eligible",
    help: "",
    writes: true,
    run: |s| super::assign_verbs::assign(s, true),
};
pub static REMOVE_ASSIGNMENT: super::def::Verb = super::def::Verb {
    name: "remove",
    keys: &[],
    label: "remove",
    help: "",
    writes: true,
    run: remove_assignment,
};

/// `d` on a role assignment: remove it (active: DELETE; eligible: PIM adminRemove). One held
/// through a group is refused: removing it would remove the group's, for every member.
fn remove_assignment(s: &super::verb::Scope) -> Vec<super::def::Step> {
    use super::def::Step;
    let Some(row) = s.selected.as_ref() else {
        return Vec::new();
    };
    let a = row["@assignment"].clone();
    let who = crate::sanitize::clean(row["displayName"].as_str().unwrap_or_default());
    if let Some(group) = a["via"].as_str() {
        return vec![Step::refuse(format!(
            "{who} holds {} through the group {}: remove them from the group, or remove the group's assignment (its own row)",
            a["role"].as_str().unwrap_or("the role"),
            crate::sanitize::clean(group)
        ))];
    }
    let title = format!(
        "Remove {} from {who} ({})",
        a["role"].as_str().unwrap_or("role"),
        a["state"].as_str().unwrap_or_default()
    );
    let request = remove_request(&a);
    let id = a["id"].as_str().unwrap_or_default().to_string();
    vec![super::verb::Confirm::one(title, &id, request, Some(a)).into()]
}

/// The page of one role.
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "role",
    collection: "roles",
    request: detail_request,
    sheet: |v, facts, _| sheet(v, facts),
    needs_facts: true,
    principal: false,
    members: false,
    computed: None,
    verbs: &[super::def::Verb {
        name: "members",
        keys: &[],
        label: "assignments",
        help: "The role's assignments (who holds it, active and eligible)",
        writes: false,
        run: |s| {
            super::def::list_of(s, |role_id, role_name| {
                super::def::ListSource::RoleAssignments { role_id, role_name }
            })
        },
    }],
};

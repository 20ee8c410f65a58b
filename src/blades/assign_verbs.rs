//! Assigning the role whose assignments are shown: `a` active and permanent, `A` eligible
//! through PIM (a justification, then a duration: the shortest preselected). The administrative
//! units are read first; the confirm offers the tenant and each unit as the scope.

use super::common::text;
use super::def::{Choose, ChooseThen, Pick, PickThen, Prompt, ReadThen, Step, Then};
use super::verb::{Choice, Confirm, Scope};
use crate::graph::resources::role_assignments::{administrative_units, assign_request};
use crate::sanitize::clean;
use serde_json::{Value, json};

/// PIM eligibility durations offered (ISO 8601, `None` = no expiration): the least privilege
/// first, never the most.
pub const DURATIONS: &[(&str, Option<&str>)] = &[
    ("30 days", Some("P30D")),
    ("90 days", Some("P90D")),
    ("180 days", Some("P180D")),
    ("365 days", Some("P365D")),
    ("no expiration", None),
];

/// The built-in roles that can be assigned with administrative unit scope (their template ids),
/// as entra-docs admin-units-assign-roles.md lists them; any custom role can be too.
const AU_SCOPABLE: &[&str] = &[
    "c4e39bd9-1100-46d3-8c65-fb160da0071f", // Authentication Administrator
    "7698a772-787b-4ac8-901f-60d6b08affd2", // Cloud Device Administrator
    "fdd7a751-b60b-444a-984c-02652fe8fa1c", // Groups Administrator
    "729827e3-9c14-49f7-bb1b-9608f156bbb8", // Helpdesk Administrator
    "4d6ac14f-3453-41d0-bef9-a3e0c569773a", // License Administrator
    "966707d0-3269-4727-9be2-8c3a10f19b9d", // Password Administrator
    "644ef478-e28f-4e28-b9dc-3fdde9aa0b1f", // Printer Administrator
    "7be44c8a-adaf-4e2a-84d6-ab2649e08a13", // Privileged Authentication Administrator
    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c", // SharePoint Administrator
    "69091246-20e8-4a56-aa4d-066075b2a7a8", // Teams Administrator
    "3d762c5a-1b6c-493f-843e-55a3b42923d4", // Teams Devices Administrator
    "fe930be7-5e62-47db-91af-98c3a49a38b1", // User Administrator
];

/// `a` / `A` on a role's assignments: read the administrative units, then find the principal.
pub fn assign(s: &Scope, eligible: bool) -> Vec<Step> {
    let Some((role_id, role_name)) = s.parent.clone() else {
        return Vec::new();
    };
    // Who holds the role tenant-wide already, directly (not through a group), and how: a
    // second such assignment is refused before anything is sent (Graph answers a conflict).
    let held: Vec<Value> = s
        .table
        .map(|t| {
            t.all_rows()
                .map(|r| r.object()["@assignment"].clone())
                .filter(|a| {
                    a["via"].is_null() && a["directoryScopeId"].as_str().is_none_or(|d| d == "/")
                })
                .map(|a| json!([a["principalId"], a["state"]]))
                .collect()
        })
        .unwrap_or_default();
    let with =
        json!({"roleId": role_id, "roleName": role_name, "eligible": eligible, "held": held});
    // A built-in role not in the documented list is assigned tenant-wide only: the units are not
    // read and the tenant is the only scope offered. The role's page (open below the list) tells
    // a custom role.
    let template = s
        .parent_page
        .and_then(|p| p["templateId"].as_str())
        .unwrap_or(&role_id);
    let custom = s.parent_page.is_some_and(|p| p["isBuiltIn"] == false);
    if !(custom || AU_SCOPABLE.contains(&template)) {
        let mut with = with;
        with["tenantOnly"] = json!(true);
        return units_read(Ok(json!({"value": []})), &with);
    }
    vec![Step::Read {
        request: administrative_units(),
        then: ReadThen {
            with,
            run: units_read,
        },
    }]
}

/// The scopes (the tenant, then each unit read), and the picker. Units that cannot be read
/// are said, and the tenant alone is offered.
fn units_read(result: Result<Value, crate::graph::GraphError>, with: &Value) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut scopes = vec![json!(["tenant", "/"])];
    match result {
        Ok(page) => {
            scopes.extend(
                page["value"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| {
                        Some(json!([
                            format!("AU {}", a["displayName"].as_str()?),
                            format!("/administrativeUnits/{}", a["id"].as_str()?)
                        ]))
                    }),
            );
            if page["@odata.nextLink"].is_string() {
                steps.push(Step::refuse(
                    "more than 999 administrative units: only the first 999 are offered as scopes",
                ));
            }
        }
        Err(e) => steps.push(Step::refuse(format!(
            "administrative units unavailable ({e}): only the tenant scope is offered"
        ))),
    }
    let how = if with["eligible"] == true {
        "eligible through PIM"
    } else {
        "active, permanent"
    };
    let mut with = with.clone();
    with["scopes"] = Value::Array(scopes);
    steps.push(Step::Pick(Pick {
        title: format!(
            "Assign {} ({how}): type a name, Enter searches",
            text(&with, "roleName")
        ),
        then: PickThen {
            with,
            run: |p, with| Ok(picked(p, with)),
        },
    }));
    steps
}

/// Active: the confirm. Eligible: the justification PIM records first.
fn picked(principal: &Value, with: &Value) -> Vec<Step> {
    let mut with = with.clone();
    with["principal"] = principal.clone();
    let state = if with["eligible"] == true {
        "eligible"
    } else {
        "active"
    };
    let holds = with["held"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|h| h[0] == principal["id"] && h[1] == state);
    if holds {
        return vec![Step::refuse(format!(
            "{} already holds {} ({state}, tenant-wide): nothing to assign",
            clean(principal["displayName"].as_str().unwrap_or("?")),
            text(&with, "roleName")
        ))];
    }
    if with["eligible"] != true {
        return vec![confirm(&with, None)];
    }
    vec![Step::Prompt(Prompt {
        title: format!(
            "Justification (PIM records it) for {}",
            clean(principal["displayName"].as_str().unwrap_or_default())
        ),
        input: String::new(),
        then: Then {
            with,
            run: justified,
        },
        secret: false,
        optional: true,
    })]
}

/// The justification typed: the duration next.
fn justified(why: &str, with: &Value) -> Result<Vec<Step>, String> {
    if why.is_empty() {
        return Err("PIM asks for a justification".into());
    }
    let mut with = with.clone();
    with["justification"] = json!(why);
    Ok(vec![Step::Choose(Choose {
        title: "Eligible for how long".into(),
        options: DURATIONS.iter().map(|(l, _)| (*l).to_string()).collect(),
        // The shortest: the least privilege is the default, never the most.
        selected: 0,
        then: ChooseThen {
            with,
            run: |at, with| Ok(vec![confirm(with, Some(at))]),
        },
        note: Some(format!("Justification: {why}")),
        inline: true,
    })])
}

/// The confirm: the role, the principal, how, and the scope chosen in it.
fn confirm(with: &Value, duration: Option<usize>) -> Step {
    let principal = &with["principal"];
    let pid = text(principal, "id");
    let name = clean(principal["displayName"].as_str().unwrap_or(&pid));
    let (role_id, role_name) = (text(with, "roleId"), text(with, "roleName"));
    let (title, request) = match duration.and_then(|d| DURATIONS.get(d)) {
        Some((label, duration)) => {
            let why = text(with, "justification");
            (
                format!(
                    "Assign {role_name} to {name} (eligible through PIM, {label}; justification: {})",
                    clean(&why)
                ),
                assign_request(&role_id, &pid, Some((&why, *duration))),
            )
        }
        None => (
            format!("Assign {role_name} to {name} (active, permanent)"),
            assign_request(&role_id, &pid, None),
        ),
    };
    // The scope: the tenant or an administrative unit.
    let options: Vec<(String, Value)> = with["scopes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| (s[0].as_str().unwrap_or_default().to_string(), s[1].clone()))
        .collect();
    let mut c = Confirm::one(title, &pid, request, None);
    c.choice = Some(Choice {
        field: "directoryScopeId".into(),
        current: Value::Null,
        options,
        selected: 0,
        refill: None,
    });
    c.into()
}

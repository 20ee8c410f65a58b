//! The Protected actions blade: every permission that can carry an authentication context,
//! by area, with its context and whether an enabled policy really protects it; set or clear
//! the context (itself a protected action, so the step-up path applies).

use super::common::path_segment;
use crate::graph::{Method, Request};
use crate::protect::{Facts, action_state, area_of, context_protection};
use crate::theme::Theme;
use crate::widgets::sheet::{Sheet, show};
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::{Value, json};

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("Permission", 24).path(),
        Column::fixed("Area", 18),
        Column::fixed("Context", 14),
        Column::fixed("State", 15),
    ]
}

/// Only the permissions whose context can be set are listed.
pub fn rows(facts: &Facts) -> Vec<TableRow> {
    let mut actions: Vec<&Value> = facts
        .actions
        .iter()
        .filter(|a| a["isAuthenticationContextSettable"] == json!(true))
        .collect();
    actions.sort_by_key(|a| {
        (
            area_of(a["name"].as_str().unwrap_or_default()),
            a["name"].as_str().unwrap_or_default().to_string(),
        )
    });
    actions.into_iter().map(|a| row(a.clone(), facts)).collect()
}

fn context_label(a: &Value, facts: &Facts) -> String {
    match a["authenticationContextId"].as_str() {
        Some(c) => {
            let name = facts
                .context(c)
                .and_then(|x| x["displayName"].as_str())
                .unwrap_or("?");
            format!("{c} {name}")
        }
        None => String::new(),
    }
}

pub fn row(a: Value, facts: &Facts) -> TableRow {
    let name = a["name"].as_str().unwrap_or_default().to_string();
    let cells = vec![
        name.trim_start_matches("microsoft.directory/").to_string(),
        area_of(&name).to_string(),
        context_label(&a, facts),
        action_state(&a, facts).label().to_string(),
    ];
    // Exports carry the computed state next to the Graph properties.
    let mut a = a;
    a["protectionState"] = json!(cells[3]);
    TableRow::new(a, cells)
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match (col, row.cells.get(3)) {
        (3, Some("protected")) => Some(theme.success),
        (3, Some("never satisfied" | "not published")) => Some(theme.error),
        (3, _) => Some(theme.muted),
        (1, _) => Some(theme.muted),
        (2, _) => Some(theme.privileged),
        _ => None,
    }
}

pub fn detail_request(id: &str) -> Request {
    Request::get(format!(
        "/roleManagement/directory/resourceNamespaces/microsoft.directory/resourceActions/{}",
        path_segment(id)
    ))
    .beta()
    .select(&[
        "id",
        "name",
        "description",
        "actionVerb",
        "isPrivileged",
        "isAuthenticationContextSettable",
        "authenticationContextId",
    ])
}

pub fn sheet(a: &Value, facts: Option<&Facts>) -> Sheet {
    let mut s = Sheet::default();
    let name = a["name"].as_str().unwrap_or_default();
    let p = s.section("Protected action");
    p.push(("Permission".into(), name.to_string()));
    p.push(("Area".into(), area_of(name).into()));
    p.push(("Description".into(), show(&a["description"])));
    p.push(("Verb".into(), show(&a["actionVerb"])));
    p.push(("Privileged".into(), show(&a["isPrivileged"])));
    p.push((
        "Context settable".into(),
        show(&a["isAuthenticationContextSettable"]),
    ));
    p.push(("Resource action id".into(), show(&a["id"])));
    let c = s.section("Protection");
    match (a["authenticationContextId"].as_str(), facts) {
        (None, _) => c.push(("Auth context".into(), "none: not protected".into())),
        (Some(id), Some(f)) => {
            let prot = context_protection(id, name, f);
            let (cid, cname, published) = prot.context.clone().unwrap_or_default();
            c.push(("Auth context".into(), format!("{cid} {cname}")));
            c.push((
                "Published".into(),
                if published { "Yes".into() } else { "No".into() },
            ));
            c.push(("State".into(), action_state(a, f).label().into()));
            if prot.policies.is_empty() {
                c.push(("Policies".into(), format!("none target {cid}")));
            }
            for (n, st, req) in &prot.policies {
                c.push((format!("Policy ({st})"), format!("{n}: {req}")));
            }
        }
        (Some(id), None) => c.push(("Auth context".into(), id.to_string())),
    }
    s
}

/// `PATCH` the resource action's context (`null` clears it). The REST shape is inferred from the
/// SDK metadata (graph-api.md §2: no published example).
pub fn context_request(id: &str, context: Option<&str>) -> Request {
    Request::new(
        Method::Patch,
        format!(
            "/roleManagement/directory/resourceNamespaces/microsoft.directory/resourceActions/{}",
            path_segment(id)
        ),
    )
    .beta()
    .json(json!({"authenticationContextId": context}))
}

/// The warning shown before assigning a context no enabled policy targets.
pub fn assign_warning(context: Option<&str>, facts: &Facts) -> Option<String> {
    let c = context?;
    let p = context_protection(c, "", facts);
    if !p.context.as_ref().is_some_and(|x| x.2) {
        return Some(format!(
            "{c} is not published: publish it first (Authentication contexts)."
        ));
    }
    (!p.enforced()).then(|| {
        format!("No enabled policy targets {c}: admins would be asked to re-authenticate forever (policy never satisfied). Turn a policy targeting {c} On first.")
    })
}

/// The warnings for taking a context away from protected Conditional Access permissions:
/// `objects` are the resource actions written, `chosen` the context they get.
pub fn removal_warnings<'a>(
    objects: impl IntoIterator<Item = &'a Value>,
    chosen: Option<&str>,
    facts: &Facts,
) -> Vec<String> {
    objects
        .into_iter()
        .filter(|a| {
            a["name"]
                .as_str()
                .is_some_and(|n| n.starts_with("microsoft.directory/conditionalAccessPolicies/"))
        })
        .filter(|a| matches!(action_state(a, facts), crate::protect::ActionState::Protected))
        .filter_map(|a| {
            let from = a["authenticationContextId"].as_str()?;
            (chosen != Some(from)).then(|| {
                let name = a["name"].as_str().unwrap_or_default();
                let name = name.trim_start_matches("microsoft.directory/");
                match chosen {
                    None => format!(
                        "{name} loses {from}: Conditional Access management becomes unprotected (no step-up asked)."
                    ),
                    Some(to) => format!(
                        "{name} moves from {from} to {to}: Conditional Access management is then protected only by the policies targeting {to}."
                    ),
                }
            })
        })
        .collect()
}

/// The Protected actions blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Protected actions",
    nav_label: "Prot. actions",
    command: "protected-actions",
    aliases: &["protected", "protect-actions"],
    load: super::source::Load::Facts {
        parts: &[
            crate::protect::Part::Actions,
            crate::protect::Part::Contexts,
            crate::protect::Part::Policies,
        ],
        rows,
    },
    columns,
    row: |v| row(v, &Facts::default()),
    rows_of: None,
    style,
    refine: None,
    opens: Some(super::def::ObjectKind(&DETAIL)),
    sync: None,
    marks: super::source::Marks::First,
    query: None,
    join: None,
    records: None,
    verbs: &[CONTEXT],
};

/// `t`: the authentication context of the marked actions (or this one), chosen in the confirm.
const CONTEXT: super::def::Verb = super::def::Verb {
    name: "set-state",
    keys: &[],
    label: "context",
    help: "",
    writes: true,
    run: set_context,
};

/// The contexts a protected action can be given: none, then c1..c99 as the facts list them
/// (only "none" until they are read; the confirm fills the rest when they arrive).
pub fn context_options(facts: Option<&crate::protect::Facts>) -> Vec<(String, serde_json::Value)> {
    let mut options: Vec<(String, serde_json::Value)> =
        vec![("none".into(), serde_json::Value::Null)];
    if let Some(f) = facts {
        let mut ctx: Vec<&serde_json::Value> = f.contexts.iter().collect();
        ctx.sort_by_key(|c| {
            c["id"]
                .as_str()
                .unwrap_or_default()
                .trim_start_matches('c')
                .parse::<u32>()
                .unwrap_or(0)
        });
        options.extend(ctx.iter().filter_map(|c| {
            c["id"]
                .as_str()
                .map(|i| (i.to_string(), serde_json::json!(i)))
        }));
    }
    options
}

/// The confirm of `t`: marked rows (Space) are the targets, and only they are written (the
/// cursor row only when it is marked too); the confirm lists each with its context before and
/// after. Without marks, the selected action or the page's.
fn set_context(s: &super::verb::Scope) -> Vec<super::def::Step> {
    use super::verb::{Choice, Confirm, Refill, Target};
    let Some(a) = super::verb::one(s) else {
        return Vec::new();
    };
    let options = context_options(s.facts);
    let marked: Vec<Value> = if s.marked { s.rows.clone() } else { Vec::new() };
    // The choice starts next to the context of the object written first.
    let first = marked.first().unwrap_or(&a).clone();
    let current = first["authenticationContextId"].clone();
    let at = options.iter().position(|(_, v)| *v == current).unwrap_or(0);
    let choice = Choice {
        field: "authenticationContextId".into(),
        current,
        // On the current value, marked ▸: the admin moves to the change (Enter on the
        // current value sends nothing).
        selected: at,
        options,
        refill: Some(Refill(context_options)),
    };
    // The body's context follows the choice (`sync_request`).
    let request_for = |o: &Value| context_request(o["id"].as_str().unwrap_or_default(), None);
    let id = first["id"].as_str().unwrap_or_default().to_string();
    if marked.is_empty() {
        let name = a["name"].as_str().unwrap_or(&id).to_string();
        let request = request_for(&a);
        let title = format!("Set context: {}", crate::sanitize::clean(&name));
        let mut c = Confirm::one(title, &id, request, Some(a));
        c.choice = Some(choice);
        return vec![c.into()];
    }
    let cursor_marked = marked.iter().any(|m| m["id"] == a["id"]);
    let targets: Vec<Target> = marked
        .into_iter()
        .map(|o| Target {
            name: o["name"]
                .as_str()
                .or(o["id"].as_str())
                .unwrap_or_default()
                .trim_start_matches("microsoft.directory/")
                .to_string(),
            current: o["authenticationContextId"].clone(),
            request: request_for(&o),
            object: o,
        })
        .collect();
    let title = format!(
        "Set context: {} marked permission{}{}",
        targets.len(),
        if targets.len() == 1 { "" } else { "s" },
        if cursor_marked {
            ""
        } else {
            " (the cursor row is not marked: not written)"
        }
    );
    let mut c = Confirm::one(title, &id, request_for(&first), Some(first));
    c.choice = Some(choice);
    c.targets = targets;
    vec![c.into()]
}

/// The page of one protected action.
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "protected action",
    collection: "protected-actions",
    request: detail_request,
    sheet: |v, facts, _| sheet(v, facts),
    needs_facts: false,
    principal: false,
    members: false,
    computed: None,
    verbs: &[CONTEXT],
};

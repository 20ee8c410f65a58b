//! The Authentication contexts blade: c1..c99 with name, description, published; which
//! protected actions use each and which policies target it (with their state); publish toggle.

use super::common::path_segment;
use super::def::{Prompt, Step, Then, Verb};
use super::verb::{Confirm, Scope};
use crate::graph::{Method, Request};
use crate::protect::{Facts, context_protection};
use crate::sanitize::clean;
use crate::theme::Theme;
use crate::widgets::sheet::{Sheet, show};
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::{Value, json};

pub fn columns() -> Vec<Column> {
    vec![
        Column::fixed("Id", 4),
        Column::grow("Name", 18),
        Column::fixed("Published", 9),
        Column::fixed("Used by", 8),
        Column::fixed("Policies", 22),
    ]
}

fn used_by(id: &str, facts: &Facts) -> Vec<String> {
    facts
        .actions
        .iter()
        .filter(|a| a["authenticationContextId"].as_str() == Some(id))
        .filter_map(|a| {
            a["name"]
                .as_str()
                .map(|n| n.trim_start_matches("microsoft.directory/").to_string())
        })
        .collect()
}

fn number(id: &str) -> u32 {
    id.trim_start_matches('c').parse().unwrap_or(0)
}

pub fn rows(facts: &Facts) -> Vec<TableRow> {
    let mut ctx: Vec<&Value> = facts.contexts.iter().collect();
    ctx.sort_by_key(|c| number(c["id"].as_str().unwrap_or_default()));
    ctx.into_iter()
        .map(|c| {
            let id = c["id"].as_str().unwrap_or_default();
            let p = context_protection(id, "", facts);
            let policies: Vec<String> = p
                .policies
                .iter()
                .map(|(n, s, _)| format!("{} ({s})", n.split(" - ").next().unwrap_or(n)))
                .collect();
            let cells = vec![
                id.to_string(),
                c["displayName"].as_str().unwrap_or_default().to_string(),
                if c["isAvailable"] == json!(true) {
                    "yes".into()
                } else {
                    "no".into()
                },
                used_by(id, facts).len().to_string(),
                if policies.is_empty() {
                    "none".into()
                } else {
                    policies.join(", ")
                },
            ];
            TableRow::new(c.clone(), cells)
        })
        .collect()
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    let used = row.cells.get(3).is_some_and(|n| n != "0");
    match col {
        2 if &row.cells[2] == "no" => Some(theme.warning),
        // Used by a protected action but targeted by no enabled policy: the trap.
        4 if used && !row.cells[4].contains("(On)") => Some(theme.error),
        4 => Some(theme.muted),
        _ => None,
    }
}

pub fn detail_request(id: &str) -> Request {
    Request::get(format!(
        "/identity/conditionalAccess/authenticationContextClassReferences/{}",
        path_segment(id)
    ))
}

pub fn sheet(c: &Value, facts: Option<&Facts>) -> Sheet {
    let mut s = Sheet::default();
    let id = c["id"].as_str().unwrap_or_default();
    let a = s.section("Authentication context");
    a.push(("Id".into(), id.to_string()));
    a.push(("Name".into(), show(&c["displayName"])));
    a.push(("Description".into(), show(&c["description"])));
    a.push(("Published to apps".into(), show(&c["isAvailable"])));
    if let Some(f) = facts {
        let u = s.section("Used by protected actions");
        let list = used_by(id, f);
        if list.is_empty() {
            u.push(("Permissions".into(), String::new()));
        }
        for n in list {
            u.push(("Permission".into(), n));
        }
        let p = s.section("Targeted by policies");
        let prot = context_protection(id, "", f);
        if prot.policies.is_empty() {
            p.push(("Policies".into(), String::new()));
        }
        for (n, st, req) in prot.policies {
            p.push((format!("Policy ({st})"), format!("{n}: {req}")));
        }
    }
    s
}

/// The upsert that sets `isAvailable` (204, graph-api.md §3).
pub fn publish_request(id: &str, available: bool) -> Request {
    Request::new(
        Method::Patch,
        format!(
            "/identity/conditionalAccess/authenticationContextClassReferences/{}",
            path_segment(id)
        ),
    )
    .json(json!({"isAvailable": available}))
}

/// Create (upsert) a context, unpublished until the admin publishes it (graph-api.md §3).
pub fn create_request(id: &str, name: &str) -> Request {
    Request::new(Method::Patch, format!("/identity/conditionalAccess/authenticationContextClassReferences/{}", path_segment(id)))
        .json(json!({"displayName": name, "description": "Created with entra-console", "isAvailable": false}))
}

/// Why a context cannot be deleted yet (protected actions or policies still reference it).
pub fn delete_blocker(id: &str, facts: &Facts) -> Option<String> {
    let users = used_by(id, facts);
    let policies = context_protection(id, "", facts).policies;
    if users.is_empty() && policies.is_empty() {
        return None;
    }
    let mut why = Vec::new();
    if !users.is_empty() {
        why.push(format!(
            "{} protected action(s) use it ({})",
            users.len(),
            users.join(", ")
        ));
    }
    if !policies.is_empty() {
        let names: Vec<String> = policies
            .iter()
            .map(|(n, s, _)| format!("{n} ({s})"))
            .collect();
        why.push(format!("policies target it ({})", names.join(", ")));
    }
    Some(format!(
        "{id} cannot be deleted: {}. Clear those first.",
        why.join("; ")
    ))
}

pub fn delete_request(id: &str) -> Request {
    Request::new(
        Method::Delete,
        format!(
            "/identity/conditionalAccess/authenticationContextClassReferences/{}",
            path_segment(id)
        ),
    )
}

/// Rename a context (PATCH upsert of `displayName`, 204).
pub fn rename_request(id: &str, name: &str) -> Request {
    Request::new(
        Method::Patch,
        format!(
            "/identity/conditionalAccess/authenticationContextClassReferences/{}",
            path_segment(id)
        ),
    )
    .json(json!({"displayName": name}))
}

/// The Authentication contexts blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Authentication contexts",
    nav_label: "Auth contexts",
    command: "auth-contexts",
    aliases: &["contexts", "authentication-contexts", "acrs"],
    load: super::source::Load::Facts {
        parts: &[
            crate::protect::Part::Contexts,
            crate::protect::Part::Actions,
            crate::protect::Part::Policies,
        ],
        rows,
    },
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
    verbs: &[
        Verb {
            name: "new",
            keys: &["a"],
            label: "new",
            help: "Create an authentication context (the next free id; its name is asked)",
            writes: true,
            run: new_context,
        },
        Verb {
            name: "rename",
            keys: &["n"],
            label: "rename",
            help: "Rename the selected authentication context",
            writes: true,
            run: rename,
        },
        PUBLISH,
        Verb {
            name: "delete",
            keys: &["d"],
            label: "delete",
            help: "Delete the selected authentication context (refused while anything uses it)",
            writes: true,
            run: delete,
        },
    ],
};

/// The row of one context (the actions and policies using it are unknown here).
pub fn row(v: Value) -> TableRow {
    let facts = Facts {
        contexts: vec![v],
        ..Default::default()
    };
    super::common::only_row(rows(&facts))
}

/// The page of one authentication context.
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "authentication context",
    collection: "auth-contexts",
    request: detail_request,
    sheet: |v, facts, _| sheet(v, facts),
    needs_facts: false,
    principal: false,
    members: false,
    computed: None,
    verbs: &[PUBLISH],
};

/// `t`: publish or unpublish the context.
const PUBLISH: Verb = Verb {
    name: "publish",
    keys: &["t"],
    label: "publish",
    help: "Publish or unpublish the authentication context (apps can then ask for it)",
    writes: true,
    run: publish,
};

/// The confirm of `t`: published or not, on the current value (Enter there sends nothing).
fn publish(s: &Scope) -> Vec<Step> {
    let Some(c) = super::verb::one(s) else {
        return Vec::new();
    };
    let id = c["id"].as_str().unwrap_or_default().to_string();
    let current = json!(c["isAvailable"] == json!(true));
    let options = vec![
        ("Published".to_string(), json!(true)),
        ("Not published".to_string(), json!(false)),
    ];
    let selected = usize::from(current != json!(true));
    let choice = super::verb::Choice {
        field: "isAvailable".into(),
        current,
        selected,
        options,
        refill: None,
    };
    let request = publish_request(&id, selected == 0);
    let title = format!(
        "Set publication: {id} {}",
        clean(c["displayName"].as_str().unwrap_or_default())
    );
    let mut confirm = Confirm::one(title, &id, request, Some(c));
    confirm.choice = Some(choice);
    vec![confirm.into()]
}

/// `a`: name a new context (the next free id of c1..c99).
fn new_context(s: &Scope) -> Vec<Step> {
    let used: Vec<u32> = s
        .facts
        .map(|f| {
            f.contexts
                .iter()
                .filter_map(|c| c["id"].as_str()?.trim_start_matches('c').parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let Some(n) = (1..=99).find(|n| !used.contains(n)) else {
        return vec![Step::refuse("all 99 authentication contexts are in use")];
    };
    let id = format!("c{n}");
    vec![Step::Prompt(Prompt {
        title: format!("New authentication context {id}: its name"),
        input: String::new(),
        then: Then {
            with: json!(id),
            run: |name, id| {
                let id = id.as_str().unwrap_or_default();
                let title = format!(
                    "Create authentication context {id} \"{}\" (not published)",
                    clean(name)
                );
                Ok(vec![
                    Confirm::one(title, id, create_request(id, name), None).into(),
                ])
            },
        },
        secret: false,
        optional: false,
    })]
}

/// `n`: give the selected context a new name (a PATCH upsert of `displayName`).
fn rename(s: &Scope) -> Vec<Step> {
    let Some(c) = s.selected.clone() else {
        return Vec::new();
    };
    let id = c["id"].as_str().unwrap_or_default().to_string();
    let current = c["displayName"].as_str().unwrap_or_default().to_string();
    vec![Step::Prompt(Prompt {
        title: format!("Rename {id} (now \"{}\")", clean(&current)),
        input: current,
        then: Then {
            with: c,
            run: |name, c| {
                let id = c["id"].as_str().unwrap_or_default();
                let before = c["displayName"].as_str().unwrap_or_default();
                let title = format!(
                    "Rename authentication context {id} \"{}\" → \"{}\"",
                    clean(before),
                    clean(name)
                );
                Ok(vec![
                    Confirm::one(title, id, rename_request(id, name), None).into(),
                ])
            },
        },
        secret: false,
        optional: false,
    })]
}

/// `d`: delete the selected context, refused while anything uses it.
fn delete(s: &Scope) -> Vec<Step> {
    let Some(c) = s.selected.clone() else {
        return Vec::new();
    };
    let id = c["id"].as_str().unwrap_or_default().to_string();
    let Some(facts) = s.facts else {
        return vec![Step::refuse(
            "the protection facts are not loaded yet; press r",
        )];
    };
    if let Some(why) = delete_blocker(&id, facts) {
        return vec![Step::refuse(why)];
    }
    let title = format!("Delete authentication context {id}");
    vec![Confirm::one(title, &id, delete_request(&id), Some(c)).into()]
}

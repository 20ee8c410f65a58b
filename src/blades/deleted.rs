//! The Deleted items blade: users, Microsoft 365 groups, applications and service principals
//! from `/directory/deletedItems/microsoft.graph.{type}` (the cast segment is required), each
//! with its deletion time and the days left of the 30; `R` restores (marked rows, or the
//! selected one), `n` restores a user under a new UPN, `D` deletes for good after the name is
//! typed (a protected action: the confirm shows the protection, step-up applies).

use super::common::{date, text};
use super::def::{Prompt, Step, Then, Verb};
use super::verb::{Choice, Confirm, Scope, Target};
use crate::graph::{Method, Request};
use crate::sanitize::clean;
use crate::theme::Theme;
use crate::widgets::sheet::{Sheet, show};
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::{Value, json};

/// How long Entra keeps a deleted object (directory-deleteditems-restore.md).
pub const KEPT_DAYS: i64 = 30;

/// One read per type, each selecting what that type has.
pub fn requests() -> Vec<Request> {
    let base = "/directory/deletedItems/microsoft.graph.";
    vec![
        Request::get(format!("{base}user"))
            .select(&[
                "id",
                "displayName",
                "userPrincipalName",
                "mail",
                "userType",
                "proxyAddresses",
                "deletedDateTime",
            ])
            .top(999),
        Request::get(format!("{base}group"))
            .select(&[
                "id",
                "displayName",
                "mail",
                "groupTypes",
                "proxyAddresses",
                "deletedDateTime",
            ])
            .top(999),
        Request::get(format!("{base}application"))
            .select(&["id", "displayName", "appId", "deletedDateTime"])
            .top(999),
        Request::get(format!("{base}servicePrincipal"))
            .select(&["id", "displayName", "appId", "deletedDateTime"])
            .top(999),
    ]
}

/// The object's type in a word, from `@odata.type` in its long or short form
/// (`#microsoft.graph.user`, `#graph.user`).
pub fn kind(v: &Value) -> String {
    let t = v["@odata.type"].as_str().unwrap_or_default();
    let t = t.trim_start_matches('#');
    let t = t.strip_prefix("microsoft.").unwrap_or(t);
    let t = t.strip_prefix("graph.").unwrap_or(t);
    match t {
        "servicePrincipal" => "app (SP)".into(),
        "application" => "app reg.".into(),
        "" => "?".into(),
        other => crate::sanitize::clean(other),
    }
}

/// Whole days left before Entra deletes it for good, when its deletion time is readable.
pub fn days_left(v: &Value, now: chrono::DateTime<chrono::Utc>) -> Option<i64> {
    let at = chrono::DateTime::parse_from_rfc3339(v["deletedDateTime"].as_str()?).ok()?;
    Some((KEPT_DAYS - (now - at.with_timezone(&chrono::Utc)).num_days()).max(0))
}

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("Name", 18),
        Column::fixed("Type", 8),
        Column::grow("UPN / mail / app id", 20),
        Column::fixed("Deleted", 10),
        Column::fixed("Days left", 9),
    ]
}

pub fn row(v: Value) -> TableRow {
    let who = ["userPrincipalName", "mail", "appId"]
        .iter()
        .map(|k| text(&v, k))
        .find(|s| !s.is_empty())
        .unwrap_or_default();
    let left = days_left(&v, chrono::Utc::now()).map_or_else(|| "?".into(), |d| d.to_string());
    let cells = vec![
        text(&v, "displayName"),
        kind(&v),
        who,
        date(&v["deletedDateTime"]),
        left,
    ];
    TableRow::new(v, cells)
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match col {
        4 => match row.cells[4].parse::<i64>() {
            Ok(d) if d <= 5 => Some(theme.error),
            Ok(d) if d <= 10 => Some(theme.warning),
            Ok(_) => None,
            Err(_) => Some(theme.muted),
        },
        1 => Some(theme.info),
        2 | 3 => Some(theme.muted),
        _ => None,
    }
}

/// A deleted object's page: what it was, when it went, how long it can still come back.
pub fn sheet(v: &Value) -> Sheet {
    let mut s = Sheet::default();
    let p = |k: &str| show(&v[k]);
    let o = s.section("Deleted item");
    o.push(("Name".into(), p("displayName")));
    o.push(("Type".into(), kind(v)));
    o.push(("Object id".into(), p("id")));
    o.push(("Deleted".into(), p("deletedDateTime")));
    o.push((
        "Days left".into(),
        days_left(v, chrono::Utc::now()).map_or_else(
            || "unknown: no readable deletion time".into(),
            |d| format!("{d} of {KEPT_DAYS}"),
        ),
    ));
    let d = s.section("Details");
    for k in [
        "userPrincipalName",
        "mail",
        "userType",
        "proxyAddresses",
        "groupTypes",
        "appId",
        "description",
    ] {
        if !v[k].is_null() {
            d.push((k.into(), p(k)));
        }
    }
    s
}

pub fn detail_request(id: &str) -> Request {
    Request::get(format!(
        "/directory/deletedItems/{}",
        super::common::path_segment(id)
    ))
}

/// The columns of `export deleted-items`: Graph's names, `type` as Graph names it.
pub const EXPORT_COLUMNS: &[&str] = &[
    "id",
    "type",
    "displayName",
    "userPrincipalName",
    "mail",
    "appId",
    "deletedDateTime",
    "daysLeft",
];

/// One record per deleted object (unreadable values left empty, never a failed export).
pub fn records(objects: Vec<Value>) -> Vec<Vec<String>> {
    let now = chrono::Utc::now();
    objects
        .into_iter()
        .map(|v| {
            let t = v["@odata.type"].as_str().unwrap_or_default();
            let t = t.rsplit('.').next().unwrap_or_default().to_string();
            vec![
                text(&v, "id"),
                t,
                text(&v, "displayName"),
                text(&v, "userPrincipalName"),
                text(&v, "mail"),
                text(&v, "appId"),
                text(&v, "deletedDateTime"),
                days_left(&v, now).map_or_else(String::new, |d| d.to_string()),
            ]
        })
        .collect()
}

/// `POST /directory/deletedItems/{id}/restore`; a user's carries the options Graph offers for
/// users (an empty object, then the chosen ones).
fn restore_request(o: &Value, new_upn: Option<&str>) -> Request {
    let id = o["id"].as_str().unwrap_or_default();
    let r = Request::new(
        Method::Post,
        format!(
            "/directory/deletedItems/{}/restore",
            super::common::path_segment(id)
        ),
    );
    if kind(o) != "user" {
        return r;
    }
    match new_upn {
        Some(upn) => r.json(json!({"newUserPrincipalName": upn})),
        None => r.json(json!({})),
    }
}

/// The users' choice: keep every proxy address (Graph refuses the restore if one is taken) or
/// drop the taken ones (`autoReconcileProxyConflict`).
fn proxy_choice() -> Choice {
    Choice {
        refill: None,
        field: "autoReconcileProxyConflict".into(),
        current: Value::Null,
        options: vec![
            (
                "refuse (keep every proxy address; Graph refuses if one is taken)".into(),
                json!(false),
            ),
            (
                "drop the proxy addresses another object holds now".into(),
                json!(true),
            ),
        ],
        selected: 0,
    }
}

/// "Name (type, upn)".
fn label(o: &Value) -> String {
    let name = clean(o["displayName"].as_str().unwrap_or_default());
    let upn = o["userPrincipalName"].as_str().unwrap_or_default();
    if upn.is_empty() {
        format!("{name} ({})", kind(o))
    } else {
        format!("{name} ({}, {})", kind(o), clean(upn))
    }
}

/// `R`: restore the marked items (or the selected one), each named in the confirm.
fn restore(s: &Scope) -> Vec<Step> {
    let objects = s.rows.clone();
    let users = objects.iter().any(|o| kind(o) == "user");
    let title = match objects.as_slice() {
        [one] => format!("Restore {}", label(one)),
        many => format!("Restore {} deleted items", many.len()),
    };
    let targets = objects
        .iter()
        .map(|o| Target {
            name: label(o),
            current: Value::Null,
            object: o.clone(),
            request: restore_request(o, None),
        })
        .collect();
    Confirm::each(title, targets, users.then(proxy_choice))
        .map(Step::from)
        .into_iter()
        .collect()
}

/// `n` on a deleted user: restore it under a new UPN (its own may be taken now).
fn restore_as(s: &Scope) -> Vec<Step> {
    let Some(o) = s.selected.clone() else {
        return Vec::new();
    };
    if kind(&o) != "user" {
        return vec![Step::refuse(
            "a new UPN is for users: restore this one with R",
        )];
    }
    vec![Step::Prompt(Prompt {
        title: format!("Restore {} under a new UPN", label(&o)),
        input: text(&o, "userPrincipalName"),
        then: Then {
            with: o,
            run: restore_as_typed,
        },
        secret: false,
        optional: false,
    })]
}

/// The new UPN typed: the confirm.
fn restore_as_typed(upn: &str, o: &Value) -> Result<Vec<Step>, String> {
    if !upn.contains('@') || upn.contains(char::is_whitespace) {
        return Err("a UPN is name@domain, without spaces".into());
    }
    let id = text(o, "id");
    let name = clean(o["displayName"].as_str().unwrap_or_default());
    let old = clean(o["userPrincipalName"].as_str().unwrap_or_default());
    let title = format!("Restore {name} as {} (was {old})", clean(upn));
    let mut c = Confirm::one(title, &id, restore_request(o, Some(upn)), Some(o.clone()));
    c.choice = Some(proxy_choice());
    Ok(vec![c.into()])
}

/// `D`: delete the selected item for good, once its name is typed.
fn purge(s: &Scope) -> Vec<Step> {
    let Some(o) = s.selected.clone() else {
        return Vec::new();
    };
    vec![Step::Prompt(Prompt {
        title: format!("Delete {} for good: type its name to confirm", label(&o)),
        input: String::new(),
        then: Then {
            with: o,
            run: purge_typed,
        },
        secret: false,
        optional: false,
    })]
}

/// The name typed: the confirm (with the protection the delete meets:
/// `microsoft.directory/deletedItems/delete`), or why not.
fn purge_typed(typed: &str, o: &Value) -> Result<Vec<Step>, String> {
    let name = text(o, "displayName");
    if typed != name.trim() {
        return Err(format!("type the name exactly: {}", clean(&name)));
    }
    let id = text(o, "id");
    let title = format!(
        "Delete {} for good: it cannot be restored afterwards",
        label(o)
    );
    let request = Request::new(
        Method::Delete,
        format!(
            "/directory/deletedItems/{}",
            super::common::path_segment(&id)
        ),
    );
    Ok(vec![
        Confirm::one(title, &id, request, Some(o.clone())).into(),
    ])
}

/// The Deleted items blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Deleted items",
    nav_label: "Deleted",
    command: "deleted-items",
    aliases: &["deleted", "recycle-bin", "restore"],
    load: super::source::Load::Parts(requests),
    columns,
    row,
    rows_of: None,
    style,
    refine: None,
    opens: Some(super::def::ObjectKind(&DETAIL)),
    sync: None,
    marks: super::source::Marks::Last,
    query: None,
    join: None,
    records: Some(super::source::Records {
        columns: EXPORT_COLUMNS,
        of: |objects, _| records(objects),
    }),
    verbs: &[
        Verb {
            name: "restore",
            keys: &["R"],
            label: "restore",
            help: "Restore the marked items (or the selected one)",
            writes: true,
            run: restore,
        },
        Verb {
            name: "restore-as",
            keys: &["n"],
            label: "restore as",
            help: "Restore the selected user under a new UPN (when its own is taken now)",
            writes: true,
            run: restore_as,
        },
        Verb {
            name: "purge",
            keys: &["D"],
            label: "delete for good",
            help: "Delete the selected item for good (type its name; a protected action)",
            writes: true,
            run: purge,
        },
    ],
};

/// The page of one deleted object.
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "deleted item",
    collection: "deleted-items",
    request: detail_request,
    sheet: |v, _, _| sheet(v),
    needs_facts: false,
    principal: false,
    members: false,
    computed: None,
    verbs: &[],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_days_and_what_is_missing() {
        let now = chrono::Utc::now();
        let at = (now - chrono::Duration::days(26)).to_rfc3339();
        let v = json!({"@odata.type": "#graph.user", "deletedDateTime": at});
        assert_eq!(kind(&v), "user");
        assert_eq!(days_left(&v, now), Some(4));
        assert_eq!(
            kind(&json!({"@odata.type": "#microsoft.graph.servicePrincipal"})),
            "app (SP)"
        );
        // The docs' placeholder values and a missing deletion time: shown as unknown.
        let r =
            row(json!({"id": "x", "displayName": "X", "deletedDateTime": "String (timestamp)"}));
        assert_eq!(&r.cells[4], "?");
        assert_eq!(&r.cells[1], "?");
        assert!(sheet(&json!({})).sections.len() == 2);
    }
}

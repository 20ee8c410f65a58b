//! The Journal blade: every write this console made, newest first, from the cache; Enter opens
//! an entry: the object by name, what was sent before and after, the outcome, the request-id
//! and the step-up met.

use crate::graph::{GraphClient, GraphError, Request};
use crate::theme::Theme;
use crate::widgets::sheet::Sheet;
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

pub fn columns() -> Vec<Column> {
    vec![
        Column::fixed("Time", 19),
        Column::fixed("Method", 6),
        Column::grow("Path", 20),
        Column::fixed("Outcome", 18),
        Column::fixed("Context", 7),
    ]
}

pub fn row(v: Value) -> TableRow {
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    // "2026-12-07 10:00:00": the whole time in the column, without the zone letter.
    let time = s("time")
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_string();
    let cells = vec![
        time,
        s("method"),
        s("path"),
        s("outcome"),
        s("claimsContext"),
    ];
    TableRow::new(v, cells)
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match col {
        3 if &row.cells[3] == "ok" => Some(theme.success),
        3 => Some(theme.error),
        0 | 4 => Some(theme.muted),
        _ => None,
    }
}

/// The Journal blade in the registry: every write this console made, from the cache.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Journal",
    nav_label: "Journal",
    command: "journal",
    aliases: &["log", "history", "writes"],
    load: super::source::Load::Journal,
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

/// One entry, read again from the journal (never from Graph), with the name of the object its
/// path names (from the write's own JSON, else the cache).
fn entry(
    _: GraphClient,
    store: Option<std::sync::Arc<crate::cache::Store>>,
    id: String,
) -> super::source::Computing {
    Box::pin(async move {
        let Some(store) = store else {
            return Err(GraphError::Cache(
                "the journal is kept in the cache, and this session has none".into(),
            ));
        };
        crate::cache::off_thread(store, move |st| {
            let all = st.journal()?;
            let Some(mut e) = all.into_iter().find(|e| e["id"].as_str() == Some(&id)) else {
                return Ok(Value::Null);
            };
            let ids: Vec<String> = e["path"]
                .as_str()
                .unwrap_or_default()
                .split('/')
                .filter(|s| s.len() >= 8 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
                .map(str::to_string)
                .collect();
            let named = ["before", "after"].iter().find_map(|k| {
                let v: Value = serde_json::from_str(e[*k].as_str()?).ok()?;
                v["displayName"].as_str().map(str::to_string)
            });
            let name = match named {
                Some(n) => Some(n),
                None => st.names_of(&ids)?.into_iter().next().map(|(_, n)| n),
            };
            e["displayName"] = name.map_or(Value::Null, Value::from);
            Ok(e)
        })
        .await
        .map_err(|e| GraphError::Cache(e.to_string()))
        .and_then(|e| {
            if e.is_null() {
                Err(GraphError::Cache(
                    "this entry is no longer in the journal".into(),
                ))
            } else {
                Ok(e)
            }
        })
    })
}

/// A journal entry's page.
fn sheet(v: &Value) -> Sheet {
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    let mut sheet = Sheet::default();
    let sec = sheet.section("Write");
    sec.push(("Object".into(), s("displayName")));
    sec.push(("When".into(), s("time")));
    sec.push(("Profile".into(), s("profile")));
    sec.push(("Signed-in admin".into(), s("user")));
    sec.push(("Method".into(), s("method")));
    sec.push(("Path".into(), s("path")));
    sec.push(("Outcome".into(), s("outcome")));
    sec.push(("Request id".into(), s("requestId")));
    if v["incident"].is_string() {
        sec.push(("Incident".into(), s("incident")));
    }
    sec.push((
        "Step-up met".into(),
        match v["claimsContext"].as_str() {
            Some(c) if !c.is_empty() => format!("authentication context {c}"),
            _ => "none (the token needed no authentication context)".into(),
        },
    ));
    for (key, title) in [("before", "Before"), ("after", "Sent (the body)")] {
        let sec = sheet.section(title);
        match v[key].as_str().map(serde_json::from_str::<Value>) {
            Some(Ok(json)) => {
                let pretty = serde_json::to_string_pretty(&json).unwrap_or_default();
                for l in pretty.lines() {
                    sec.push((String::new(), l.to_string()));
                }
            }
            Some(Err(_)) => sec.push((String::new(), s(key))),
            None => sec.push((String::new(), "nothing recorded".into())),
        }
    }
    sheet
}

/// The page of one journal entry (from the cache).
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "journal entry",
    collection: "journal",
    // Never sent: the page is computed from the cache (`entry`).
    request: |id| Request::get(format!("/journal/{}", super::common::path_segment(id))),
    sheet: |v, _, _| sheet(v),
    needs_facts: false,
    principal: false,
    computed: Some(super::source::Computed {
        name: "journal entry",
        run: entry,
    }),
    members: false,
    verbs: &[],
};

//! Conditional Access coverage (`:ca-coverage`): the matrix of populations (members, guests,
//! privileged role holders, break-glass accounts, accounts excluded somewhere) by app target,
//! each cell counting the users an enabled policy requires MFA of, blocks, asks only under
//! conditions, or leaves uncovered (`audit::coverage`, the audit's reads through
//! `findings::audit_inputs`: live and kept, or the audit the cache holds offline). Enter on a
//! cell lists the users left out and the policies that ask only under conditions; after the
//! matrix, the policies that contradict, repeat or never
//! apply (`audit::overlap`); `export ca-coverage` writes both.

use super::common::text;
use crate::graph::{GraphClient, GraphError, Request};
use crate::sanitize::clean;
use crate::theme::Theme;
use crate::widgets::sheet::Sheet;
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

fn read(
    client: GraphClient,
    store: Option<std::sync::Arc<crate::cache::Store>>,
    key: String,
) -> super::source::Computing {
    Box::pin(async move {
        let (_, bg, _) = super::findings::settings(&key);
        let inputs = super::findings::audit_inputs(client, store, bg).await?;
        let mut rows = crate::audit::coverage::matrix(&inputs).map_err(GraphError::Cache)?;
        // After the matrix: the policies that contradict, repeat or never apply.
        rows.extend(crate::audit::overlap::rows(&inputs));
        Ok(Value::Array(rows))
    })
}

fn n(v: &Value, k: &str) -> String {
    if v["relation"].is_string() {
        return String::new();
    }
    match &v[k] {
        Value::Array(a) => a.len().to_string(),
        other => other.as_u64().unwrap_or(0).to_string(),
    }
}

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("Population", 16),
        Column::grow("App", 14),
        Column::fixed("Users", 5),
        Column::fixed("MFA", 5),
        Column::fixed("Block", 5),
        Column::fixed("Partly", 6),
        Column::fixed("None", 5),
        Column::fixed("Legacy", 6).from(96),
    ]
}

pub fn row(v: Value) -> TableRow {
    let cells = vec![
        text(&v, "population"),
        text(&v, "app"),
        n(&v, "users"),
        n(&v, "MFA"),
        n(&v, "block"),
        n(&v, "partly"),
        n(&v, "none"),
        n(&v, "legacy"),
    ];
    TableRow::new(v, cells)
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match col {
        1 if row.cells[2].is_empty() => Some(theme.warning),
        6 if &row.cells[6] != "0" => Some(theme.error),
        5 if &row.cells[5] != "0" => Some(theme.warning),
        2..=4 => Some(theme.muted),
        _ => None,
    }
}

fn names(v: &Value, k: &str) -> Vec<String> {
    v[k].as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(clean))
        .collect()
}

fn sheet(v: &Value, _: Option<&crate::protect::Facts>, _: &super::common::Names) -> Sheet {
    let mut s = Sheet::default();
    if v["relation"].is_string() {
        let r = s.section("Policies");
        r.push(("Relation".into(), text(v, "relation")));
        r.push(("Policies".into(), names(v, "policies").join(", ")));
        r.push(("Why".into(), text(v, "detail")));
        return s;
    }
    let c = s.section("Coverage");
    c.push(("Population".into(), text(v, "population")));
    c.push(("App".into(), text(v, "app")));
    c.push((
        "Users".into(),
        format!(
            "{}: MFA required {}, blocked {}, only under conditions {}, not covered {}",
            n(v, "users"),
            n(v, "MFA"),
            n(v, "block"),
            n(v, "partly"),
            n(v, "none")
        ),
    ));
    if let Some(g) = crate::audit::coverage::gap(v) {
        c.push(("Gap".into(), g));
    }
    let open = names(v, "legacyOpen");
    c.push((
        "Legacy clients".into(),
        if open.is_empty() {
            format!(
                "blocked for all {} (Exchange ActiveSync and other legacy clients)",
                n(v, "users")
            )
        } else {
            format!(
                "blocked for {} of {}; not for {}",
                n(v, "legacy"),
                n(v, "users"),
                open.join(", ")
            )
        },
    ));
    let none = names(v, "none");
    let excluded = names(v, "excludedBy");
    if !excluded.is_empty() {
        c.push(("App excluded by".into(), excluded.join("; ")));
    }
    let left = s.section("Not covered by any enabled policy");
    if none.is_empty() {
        left.push((String::new(), "nobody".into()));
    }
    for u in none {
        left.push((String::new(), u));
    }
    let by = names(v, "partlyBy");
    if !by.is_empty() {
        let p = s.section("Only under conditions (location, platform, client, risk)");
        p.push(("Policies".into(), by.join(", ")));
        p.push(("Users".into(), names(v, "partlyUsers").join(", ")));
    }
    s
}

/// A cell's page: its id carries the cell as the blade computed it (nothing is read).
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "ca-coverage-cell",
    collection: "ca-coverage",
    request: |_| Request::get("/identity/conditionalAccess/policies"),
    sheet,
    needs_facts: false,
    principal: false,
    members: false,
    computed: Some(super::source::Computed {
        name: "ca-coverage-cell",
        run: super::source::from_key,
    }),
    verbs: &[],
};

/// Enter on a cell: its page.
const OPEN: super::def::Verb = super::def::Verb {
    name: "cell",
    keys: &["enter"],
    label: "",
    help: "The users the selected cell leaves out, and the policies that ask only under conditions",
    writes: false,
    run: |s| match &s.selected {
        Some(c) => vec![super::def::Step::OpenPage {
            page: "ca-coverage-cell",
            id: c.to_string(),
            name: format!("{} · {}", text(c, "population"), text(c, "app")),
        }],
        None => Vec::new(),
    },
};

/// The coverage blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "CA coverage",
    nav_label: "CA coverage",
    command: "ca-coverage",
    aliases: &["coverage"],
    load: super::source::Load::Computed(super::source::Computed {
        name: "ca-coverage",
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
    records: Some(super::source::Records {
        columns: &[
            "population",
            "app",
            "users",
            "mfa",
            "block",
            "partly",
            "none",
            "notCovered",
            "partlyBy",
            "legacyBlocked",
            "appExcludedBy",
        ],
        of: |objects, _| {
            objects
                .iter()
                .map(|v| {
                    vec![
                        text(v, "population"),
                        text(v, "app"),
                        n(v, "users"),
                        n(v, "MFA"),
                        n(v, "block"),
                        n(v, "partly"),
                        n(v, "none"),
                        names(v, "none").join(" "),
                        if v["relation"].is_string() {
                            text(v, "detail")
                        } else {
                            names(v, "partlyBy").join("; ")
                        },
                        n(v, "legacy"),
                        names(v, "excludedBy").join("; "),
                    ]
                })
                .collect()
        },
    }),
    verbs: &[OPEN],
};

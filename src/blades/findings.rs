//! The Findings blade: every audit rule judged on a read-only pass over the tenant (severity,
//! rule, SCuBA id, result, objects; a waived one muted with its reason); Enter lists the
//! objects behind a finding, and Enter on one opens it in its blade. The same rules as
//! `entra-console audit`, the same waivers.

use super::common::text;
use super::def::{ObjectKind, ObjectRef};
use crate::cache::{Store, off_thread};
use crate::graph::{GraphClient, GraphError};
use crate::theme::Theme;
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;
use std::sync::Arc;

/// The audit settings a computed blade's key carries (the profile's break-glass accounts and
/// its waivers file), as JSON.
pub fn key(tenant: &str, break_glass: &[String], waivers: Option<&std::path::Path>) -> String {
    serde_json::json!({"tenant": tenant, "breakGlass": break_glass, "waivers": waivers}).to_string()
}

/// The key read back (a bare comma-separated list is break-glass accounts only).
pub fn settings(key: &str) -> (String, Vec<String>, Option<std::path::PathBuf>) {
    match serde_json::from_str::<Value>(key) {
        Ok(v) if v.is_object() => (
            text(&v, "tenant"),
            v["breakGlass"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|b| b.as_str().map(str::to_string))
                .collect(),
            v["waivers"].as_str().map(std::path::PathBuf::from),
        ),
        _ => (
            String::new(),
            key.split(',')
                .filter(|b| !b.is_empty())
                .map(str::to_string)
                .collect(),
            None,
        ),
    }
}

/// What an audit judges: live, one read-only pass, then kept in the cache (for offline review
/// and the next start's badges; not kept is not fatal); offline, what the cache (or snapshot)
/// holds. The Findings and CA coverage blades read through it.
pub async fn audit_inputs(
    client: GraphClient,
    store: Option<Arc<Store>>,
    bg: Vec<String>,
) -> Result<Arc<crate::audit::Inputs>, GraphError> {
    if client.is_offline() {
        let st = store.ok_or(GraphError::Offline)?;
        return off_thread(st, move |s| Ok(crate::audit::cached::load(s, bg)))
            .await
            .map_err(|e| GraphError::Cache(e.to_string()))?
            .map(Arc::new)
            .map_err(GraphError::Cache);
    }
    let inputs = Arc::new(crate::audit::read(&client.reads_only(), bg).await);
    if let Some(st) = store {
        let kept = inputs.clone();
        let _ = off_thread(st, move |s| crate::audit::cached::save(s, &kept)).await;
    }
    Ok(inputs)
}

/// Live: one read-only pass, kept in the cache (for offline review and the next start's
/// badges). Offline: the audit the cache (or snapshot) holds. The waivers, when the profile
/// names a file, set findings aside as the audit command does (a file that cannot be read is
/// said instead of findings that look unwaived).
fn run(client: GraphClient, store: Option<Arc<Store>>, key: String) -> super::source::Computing {
    Box::pin(async move {
        let (tenant, bg, waivers) = settings(&key);
        let waivers =
            match waivers {
                Some(p) => Some(crate::audit::waivers::load(&p).map_err(|e| {
                    GraphError::Cache(format!("the waivers file cannot be used: {e}"))
                })?),
                None => None,
            };
        let offline = client.is_offline();
        let inputs = audit_inputs(client, store.clone(), bg).await?;
        let (mut findings, now) = (crate::audit::run(&inputs), inputs.now);
        if let Some(w) = &waivers {
            crate::audit::waivers::apply(&mut findings, w, now.date_naive());
        }
        let run = crate::audit::report::Run {
            tenant: String::new(),
            profile: String::new(),
            at: String::new(),
            read_only: true,
        };
        let mut items = crate::audit::report::json(&run, &findings)["findings"].clone();
        // Since the last run: a live run is kept in the history first (offline, the history
        // as kept); each rule then says how it moved.
        if let Some(st) = store {
            use crate::audit::history;
            let this = history::run_of(&tenant, now, &findings);
            let runs = off_thread(st, move |s| {
                if !offline {
                    history::record(s, this)?;
                }
                history::runs(s)
            })
            .await
            .unwrap_or_default();
            for f in items.as_array_mut().into_iter().flatten() {
                let (words, results) = history::transition(&text(f, "id"), &runs);
                if results.len() > 1 {
                    f["@trend"] = Value::from(words);
                }
            }
        }
        Ok(items)
    })
}

pub fn columns() -> Vec<Column> {
    // The rule id whole at 80 columns; severity (also the row's colour) from 100.
    vec![
        Column::fixed("Rule", 10),
        Column::grow("Finding", 24),
        Column::fixed("Result", 10),
        Column::fixed("Objects", 7),
        Column::fixed("Severity", 8).from(100),
        Column::grow("Frameworks", 14).from(100),
        Column::fixed("Since last run", 16).from(120),
    ]
}

pub fn row(v: Value) -> TableRow {
    let result = match text(&v, "status").as_str() {
        "fail" => "FAIL".to_string(),
        "nearMiss" => "near miss".to_string(),
        "notEvaluable" => "not evaluable".to_string(),
        "waived" => "waived".to_string(),
        other => other.to_string(),
    };
    let n = v["evidence"].as_array().map_or(0, Vec::len);
    // A waived finding says why beside its title (muted: accepted risk, not an open one).
    let title = match v["status"].as_str() {
        Some("waived") => format!("{} — {}", text(&v, "title"), text(&v, "reason")),
        _ => text(&v, "title"),
    };
    let cells = vec![
        text(&v, "id"),
        title,
        result,
        n.to_string(),
        text(&v, "severity"),
        text(&v, "frameworks"),
        trend(v["@trend"].as_str().unwrap_or_default()),
    ];
    TableRow::new(v, cells)
}

/// A transition in the width of its column.
fn trend(words: &str) -> String {
    match words {
        "" | "passing" | "not evaluable" => String::new(),
        w if w.starts_with("regressed") => "regressed".into(),
        w => w.replace("still failing since ", "failing since "),
    }
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    if &row.cells[2] == "waived" {
        return Some(theme.muted);
    }
    match (col, &row.cells[2]) {
        (2, "FAIL") => Some(theme.error),
        (2, "near miss") => Some(theme.warning),
        (2, "not evaluable") => Some(theme.info),
        (2, _) => Some(theme.muted),
        (0 | 4, _) if &row.cells[4] == "high" => Some(theme.privileged),
        (6, _) if matches!(&row.cells[6], "new" | "regressed") => Some(theme.error),
        (6, _) if &row.cells[6] == "fixed" => Some(theme.success),
        (3..=6, _) => Some(theme.muted),
        _ => None,
    }
}

/// Enter on a finding: its page (result and why, detail, fix, reads, objects). (No words in
/// the status bar: Enter opens, as everywhere.)
const OPEN_FINDING: super::def::Verb = super::def::Verb {
    name: "finding",
    keys: &["enter"],
    label: "",
    help: "The selected finding's page: its result and why, the detail, the fix, its objects",
    writes: false,
    run: |s| match &s.selected {
        Some(f) => vec![super::def::Step::OpenPage {
            page: "finding",
            id: f.to_string(),
            name: format!("{} {}", text(f, "id"), text(f, "title")),
        }],
        None => Vec::new(),
    },
};

/// The Findings blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Findings",
    nav_label: "Findings",
    command: "findings",
    aliases: &["audit", "scuba"],
    load: super::source::Load::Computed(super::source::Computed {
        name: "findings",
        run,
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
    verbs: &[OPEN_FINDING, super::finding_page::OBJECTS],
};

/// The objects of one finding, from the finding itself (no read).
pub const EVIDENCE: super::source::Computed = super::source::Computed {
    name: "evidence",
    run: |_, _, items| {
        Box::pin(
            async move { Ok(serde_json::from_str(&items).unwrap_or(Value::Array(Vec::new()))) },
        )
    },
};

/// Open findings (failed or near misses) by object id, from the blade's rows.
pub fn index(items: &[Value]) -> std::collections::HashMap<String, Vec<String>> {
    let mut out: std::collections::HashMap<String, Vec<String>> = Default::default();
    for f in items
        .iter()
        .filter(|f| f["status"] == "fail" || f["status"] == "nearMiss")
    {
        let result = if f["status"] == "fail" {
            "FAIL"
        } else {
            "near miss"
        };
        for e in f["evidence"].as_array().into_iter().flatten() {
            if let Some(id) = e["id"].as_str() {
                out.entry(id.to_string()).or_default().push(format!(
                    "{} {result}: {} ({})",
                    text(f, "id"),
                    text(f, "title"),
                    text(e, "note")
                ));
            }
        }
    }
    out
}

pub fn evidence_columns() -> Vec<Column> {
    vec![
        Column::grow("Object", 24),
        Column::fixed("Blade", 16),
        Column::grow("Why", 30),
    ]
}

pub fn evidence_row(v: Value) -> TableRow {
    let cells = vec![text(&v, "name"), text(&v, "blade"), text(&v, "note")];
    TableRow::new(v, cells)
}

/// The object behind an evidence row, on its blade's page.
pub fn open_evidence(v: &Value) -> Option<ObjectRef> {
    let kind = match v["blade"].as_str()? {
        "ca-policies" => ObjectKind(&super::ca::DETAIL),
        "users" | "roles" | "license-errors" => ObjectKind(&super::users::DETAIL),
        "protected-actions" => ObjectKind(&super::protected::DETAIL),
        "risky-users" => ObjectKind(&super::risky::DETAIL),
        "licenses" => ObjectKind(&super::licenses::DETAIL),
        _ => return None,
    };
    Some(ObjectRef {
        kind,
        id: text(v, "id"),
        name: text(v, "name"),
    })
}

//! The Journal blade: every write this console made, newest first, from the cache.

use crate::theme::Theme;
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

pub fn columns() -> Vec<Column> {
    vec![
        Column::fixed("Time", 20),
        Column::fixed("Method", 6),
        Column::grow("Path", 20),
        Column::fixed("Outcome", 18),
        Column::fixed("Context", 7),
    ]
}

pub fn row(v: Value) -> TableRow {
    let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
    let cells = vec![
        s("time"),
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
pub static BLADE: super::BladeDef = super::BladeDef {
    title: "Journal",
    nav_label: "Journal",
    command: "journal",
    aliases: &["log", "history", "writes"],
    load: super::Load::Journal,
    columns,
    row,
    rows_of: None,
    style,
    refine: None,
    opens: None,
    sync: None,
    keys: &[],
    act: super::no_act,
};

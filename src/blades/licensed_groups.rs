//! The Licensed groups blade: every group that assigns licences (group-based licensing), its
//! products and plans turned off, and how far Graph got applying them; `e` lists the members
//! whose licence from the group is in error, Enter opens the group.

use super::common::text;
use crate::licensing::facts::licensed_groups_request as list_request;
use crate::licensing::product_name;
use crate::theme::Theme;
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("Group", 18),
        Column::grow("Products", 24),
        Column::fixed("Plans off", 9),
        Column::fixed("Processing", 12),
    ]
}

/// A processing state in a word or two.
fn processing(v: &Value) -> String {
    match v["licenseProcessingState"]["state"].as_str() {
        Some("ProcessingComplete") => "complete".into(),
        Some("ProcessingInProgress") => "in progress".into(),
        Some("QueueForProcessing") => "queued".into(),
        Some(other) => other.into(),
        None => String::new(),
    }
}

pub fn row(v: Value) -> TableRow {
    let licences = v["assignedLicenses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let products: Vec<String> = licences
        .iter()
        .map(|l| {
            let id = text(l, "skuId");
            product_name(&id, "").map_or(id, str::to_string)
        })
        .collect();
    let off: usize = licences
        .iter()
        .map(|l| l["disabledPlans"].as_array().map_or(0, Vec::len))
        .sum();
    let cells = vec![
        text(&v, "displayName"),
        products.join(", "),
        off.to_string(),
        processing(&v),
    ];
    TableRow::new(v, cells)
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match col {
        3 if &row.cells[3] != "complete" => Some(theme.warning),
        1 => Some(theme.info),
        2 | 3 => Some(theme.muted),
        _ => None,
    }
}

/// The Licensed groups blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Licensed groups",
    nav_label: "Lic. groups",
    command: "licensed-groups",
    aliases: &["lic-groups", "licenced-groups", "group-licensing"],
    load: super::source::Load::Graph(list_request),
    columns,
    row,
    rows_of: None,
    style,
    refine: None,
    opens: Some(super::def::ObjectKind(&super::groups::DETAIL)),
    sync: None,
    marks: super::source::Marks::No,
    query: None,
    join: None,
    records: None,
    verbs: &[super::def::Verb {
        label: "members in error",
        ..super::groups::LICENCE_ERRORS
    }],
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn row_names_products_and_processing() {
        let r = row(json!({"id": "g", "displayName": "LIC - E5",
            "assignedLicenses": [{"skuId": "06ebc4ee-1bb5-47dd-8120-11324bc54e06", "disabledPlans": ["a", "b"]}],
            "licenseProcessingState": {"state": "QueueForProcessing"}}));
        assert_eq!(r.cells, ["LIC - E5", "Microsoft 365 E5", "2", "queued"]);
        assert_eq!(row(json!({"id": "x"})).cells, ["", "", "0", ""]);
    }
}

//! The Licence errors blade: every user whose licence assignment failed, one row per user and
//! SKU, the error in words with its fix; `L` sets the usage location, `p` reprocesses.

use super::common::text;
use crate::graph::endpoints::users_with_licence_states as list_request;
use crate::licensing::{LicenceFacts, explain, product_name};
use crate::theme::Theme;
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("User", 16),
        Column::fixed("Product", 18).from(100),
        Column::fixed("Error", 18),
        Column::fixed("From", 36).from(160),
        Column::grow("What it means", 24),
        Column::grow("Fix", 24).from(130),
    ]
}

/// The rows of one user: one per assignment in error (none when every one is fine). Each row
/// carries the user with the state it is about under `@licenseError`.
pub fn rows_of(user: Value) -> Vec<TableRow> {
    let states = user["licenseAssignmentStates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    states
        .into_iter()
        .filter_map(|s| {
            let mut object = user.clone();
            object["@licenseError"] = s;
            error_row(object, None)
        })
        .collect()
}

/// The row of one user's assignment in error (under `@licenseError`), with product and group
/// names and the shortage once the licence facts are read.
fn error_row(object: Value, facts: Option<&LicenceFacts>) -> Option<TableRow> {
    let s = &object["@licenseError"];
    let code = text(s, "error");
    let sku = text(s, "skuId");
    let product = match facts {
        Some(f) => f.product(&sku),
        None => product_name(&sku, "").map_or_else(|| sku.clone(), str::to_string),
    };
    let location = object["usageLocation"].as_str();
    let (mut what, fix) = explain(&code, &product, location)?;
    // How many are short now; seats freed since the error mean a reprocess may clear it.
    match facts.and_then(|f| f.left(&sku)) {
        Some(n) if code == "CountViolation" && n < 0 => what = format!("{what}: {} short", -n),
        Some(n) if code == "CountViolation" => {
            what = format!("{what} then; {n} free now, so a reprocess (p) may clear it")
        }
        _ => {}
    }
    let from = match s["assignedByGroup"].as_str() {
        Some(g) if !g.is_empty() => {
            let name = facts.and_then(|f| f.group_name(g)).unwrap_or(g);
            format!("group {name}")
        }
        _ => "direct".to_string(),
    };
    let cells = vec![
        text(&object, "displayName"),
        product,
        code,
        from,
        what,
        fix.to_string(),
    ];
    Some(TableRow::new(object, cells))
}

/// A row completed from the licence facts (group name, product name, how many short).
pub fn refine(row: &TableRow, facts: &LicenceFacts) -> TableRow {
    error_row(row.object(), Some(facts)).unwrap_or_else(|| row.clone())
}

/// One user's first error row (or an empty row): the registry's single-object form.
pub fn row(user: Value) -> TableRow {
    super::common::only_row(rows_of(user))
}

pub fn style(_row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match col {
        2 => Some(theme.error),
        1 | 3 | 5 => Some(theme.muted),
        _ => None,
    }
}

pub use super::licence_verbs::{REPROCESS, USAGE_LOCATION};

/// The Licence errors blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Licence errors",
    nav_label: "Lic. errors",
    command: "license-errors",
    aliases: &["lic-errors", "licence-errors", "errors"],
    load: super::source::Load::Graph(list_request),
    columns,
    row,
    rows_of: Some(rows_of),
    style,
    refine: Some(refine),
    opens: Some(super::def::ObjectKind(&super::users::DETAIL)),
    sync: None,
    marks: super::source::Marks::No,
    query: None,
    join: None,
    records: Some(super::source::Records {
        columns: COLUMNS,
        of: records,
    }),
    verbs: &[USAGE_LOCATION, REPROCESS],
};

// `export license-errors`: one record per user, SKU and error, with Graph's code in `error`,
// the group it comes from (id and name) and the reason and fix in words.

/// The columns of `export license-errors`.
pub const COLUMNS: &[&str] = &[
    "userId",
    "userPrincipalName",
    "user",
    "skuId",
    "product",
    "error",
    "state",
    "groupId",
    "group",
    "usageLocation",
    "reason",
    "fix",
];

/// The records of these users (each carrying `licenseAssignmentStates`).
pub fn records(
    users: Vec<Value>,
    facts: Option<&crate::licensing::LicenceFacts>,
) -> Vec<Vec<String>> {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    users
        .into_iter()
        .flat_map(rows_of)
        .map(|row| {
            let row = match facts {
                Some(f) => refine(&row, f),
                None => row,
            };
            let o = &row.object();
            let st = &o["@licenseError"];
            let group = s(&st["assignedByGroup"]);
            let group_name = facts
                .and_then(|f| f.group_name(&group))
                .unwrap_or_default()
                .to_string();
            vec![
                s(&o["id"]),
                s(&o["userPrincipalName"]),
                row.cells[0].to_string(),
                s(&st["skuId"]),
                row.cells[1].to_string(),
                row.cells[2].to_string(),
                s(&st["state"]),
                group,
                group_name,
                s(&o["usageLocation"]),
                row.cells[4].to_string(),
                row.cells[5].to_string(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_row_per_assignment_in_error() {
        let user = json!({"id": "u1", "displayName": "Carlos", "usageLocation": null,
            "licenseAssignmentStates": [
                {"skuId": "06ebc4ee-1bb5-47dd-8120-11324bc54e06", "error": "ProhibitedInUsageLocationViolation",
                 "state": "Error", "assignedByGroup": "g1"},
                {"skuId": "x", "error": "None", "state": "Active", "assignedByGroup": null},
                {"skuId": "y", "error": null, "state": "Active"},
                {"skuId": "84a661c4-e949-4bd2-a560-ed7766fcaf2b", "error": "CountViolation", "state": "Error"}]});
        let rows = rows_of(user);
        assert_eq!(rows.len(), 2);
        assert_eq!(&rows[0].cells[1], "Microsoft 365 E5");
        assert_eq!(&rows[0].cells[3], "group g1");
        assert!(rows[0].cells[4].contains("no usage location"));
        assert_eq!(&rows[1].cells[2], "CountViolation");
        assert_eq!(&rows[1].cells[3], "direct");
        assert_eq!(rows[1].id(), "u1", "Enter opens the user");
        assert!(rows_of(json!({"id": "u2"})).is_empty());
        // With the licence facts: the group's name and how many licences are short.
        let facts = LicenceFacts {
            skus: vec![json!({"skuId": "84a661c4-e949-4bd2-a560-ed7766fcaf2b",
                "prepaidUnits": {"enabled": 10}, "consumedUnits": 12})],
            groups: vec![json!({"id": "g1", "displayName": "Sales"})],
            missing: Vec::new(),
        };
        assert_eq!(&refine(&rows[0], &facts).cells[3], "group Sales");
        assert!(refine(&rows[1], &facts).cells[4].ends_with(": 2 short"));
    }

    #[test]
    fn a_record_per_error_with_the_group_by_id_and_name() {
        let users = vec![
            json!({"id": "u1", "userPrincipalName": "c@x", "displayName": "Chen",
            "usageLocation": "GB", "licenseAssignmentStates": [
                {"skuId": "S", "error": "CountViolation", "state": "Error", "assignedByGroup": "g1"},
                {"skuId": "T", "error": "None", "state": "Active"}]}),
        ];
        let facts = LicenceFacts {
            skus: vec![json!({"skuId": "S", "prepaidUnits": {"enabled": 1}, "consumedUnits": 3})],
            groups: vec![json!({"id": "g1", "displayName": "LIC"})],
            missing: Vec::new(),
        };
        let r = records(users.clone(), Some(&facts));
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].len(), COLUMNS.len());
        assert_eq!(
            (r[0][5].as_str(), r[0][7].as_str(), r[0][8].as_str()),
            ("CountViolation", "g1", "LIC")
        );
        assert!(r[0][10].ends_with("2 short"), "{:?}", r[0]);
        assert_eq!(records(users, None)[0][8], "");
    }
}

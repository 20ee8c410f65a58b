//! The Licence errors blade: every user whose licence assignment failed, one row per user and
//! SKU, the error in words with its fix; `L` sets the usage location, `p` reprocesses.

use super::text;
use crate::action::Action;
use crate::graph::endpoints::users_with_licence_states as list_request;
use crate::licensing::{explain, product_name};
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
    let location = user["usageLocation"].as_str().map(str::to_string);
    states
        .into_iter()
        .filter_map(|s| {
            let code = s["error"].as_str().unwrap_or_default().to_string();
            let sku = text(&s, "skuId");
            let product = product_name(&sku, "").map_or_else(|| sku.clone(), str::to_string);
            let (what, fix) = explain(&code, &product, location.as_deref())?;
            let from = match s["assignedByGroup"].as_str() {
                Some(g) if !g.is_empty() => format!("group {g}"),
                _ => "direct".to_string(),
            };
            let mut object = user.clone();
            object["@licenseError"] = s;
            let cells = vec![
                text(&user, "displayName"),
                product,
                code,
                from,
                what,
                fix.to_string(),
            ];
            Some(TableRow::new(object, cells))
        })
        .collect()
}

/// One user's first error row (or an empty row): the registry's single-object form.
pub fn row(user: Value) -> TableRow {
    super::only_row(rows_of(user))
}

pub fn style(_row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match col {
        2 => Some(theme.error),
        1 | 3 | 5 => Some(theme.muted),
        _ => None,
    }
}

/// `L`: set the selected user's usage location; `p`: reprocess their licence assignments.
pub fn act(app: &mut crate::app::App, a: Action) -> Option<Vec<crate::app::Effect>> {
    let crate::app::View::List(l) = app.top() else {
        return None;
    };
    let user = l.table.selected()?.object.clone();
    fix(app, a, &user)
}

/// The licence fixes on one user (this list, or a user's page).
pub fn fix(app: &mut crate::app::App, a: Action, user: &Value) -> Option<Vec<crate::app::Effect>> {
    let user = user.clone();
    let id = text(&user, "id");
    let name = text(&user, "displayName");
    match a {
        Action::UsageLocation => {
            let current = text(&user, "usageLocation");
            Some(app.open_usage_location(id, name, current))
        }
        Action::Reprocess => {
            let title = format!(
                "Reprocess the licence assignments of {}",
                crate::sanitize::clean(&name)
            );
            let request = crate::graph::endpoints::reprocess_licences(&id);
            Some(app.begin_write(title, id, request, None, None))
        }
        _ => None,
    }
}

/// The Licence errors blade in the registry.
pub static BLADE: super::BladeDef = super::BladeDef {
    title: "Licence errors",
    nav_label: "Lic. errors",
    command: "license-errors",
    load: super::Load::Graph(list_request),
    columns,
    row,
    rows_of: Some(rows_of),
    style,
    opens: Some(super::ObjectKind::User),
    sync: None,
    keys: &[
        (Action::UsageLocation, "usage location"),
        (Action::Reprocess, "reprocess"),
    ],
    act,
};

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
        assert_eq!(rows[0].cells[1], "Microsoft 365 E5");
        assert_eq!(rows[0].cells[3], "group g1");
        assert!(rows[0].cells[4].contains("no usage location"));
        assert_eq!(rows[1].cells[2], "CountViolation");
        assert_eq!(rows[1].cells[3], "direct");
        assert_eq!(rows[1].id(), "u1", "Enter opens the user");
        assert!(rows_of(json!({"id": "u2"})).is_empty());
    }
}

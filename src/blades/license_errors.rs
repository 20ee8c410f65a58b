//! The Licence errors blade: every user whose licence assignment failed, one row per user and
//! SKU, the error in words with its fix; `L` sets the usage location, `p` reprocesses.

use super::text;
use super::verb::{Confirm, Prompt, Scope, Step, Then, Verb, one};
use crate::graph::endpoints::users_with_licence_states as list_request;
use crate::licensing::{LicenceFacts, explain, product_name};
use crate::sanitize::clean;
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
    super::only_row(rows_of(user))
}

pub fn style(_row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match col {
        2 => Some(theme.error),
        1 | 3 | 5 => Some(theme.muted),
        _ => None,
    }
}

/// `L`: type the usage location licences need (two letters), for the selected user or the
/// page's.
fn usage_location(s: &Scope) -> Vec<Step> {
    let Some(user) = one(s) else {
        return Vec::new();
    };
    vec![Step::Prompt(Prompt {
        title: format!(
            "Usage location of {} (two letters, e.g. US, GB, DE)",
            clean(&text(&user, "displayName"))
        ),
        input: text(&user, "usageLocation"),
        then: Then {
            with: user,
            run: usage_location_typed,
        },
        secret: false,
        optional: false,
    })]
}

/// The code typed: checked against ISO 3166-1, then the confirm naming the country.
fn usage_location_typed(typed: &str, user: &Value) -> Result<Vec<Step>, String> {
    let (code, country) = crate::licensing::location::check(typed)?;
    let id = text(user, "id");
    let request = crate::graph::endpoints::set_usage_location(&id, &code);
    let title = format!(
        "Set the usage location of {} to {code} ({country})",
        clean(&text(user, "displayName"))
    );
    Ok(vec![Confirm::one(title, &id, request, None).into()])
}

/// `p`: reprocess the user's group licence assignments.
fn reprocess(s: &Scope) -> Vec<Step> {
    let Some(user) = one(s) else {
        return Vec::new();
    };
    let id = text(&user, "id");
    let title = format!(
        "Reprocess the licence assignments of {}",
        clean(&text(&user, "displayName"))
    );
    let request = crate::graph::endpoints::reprocess_licences(&id);
    vec![Confirm::one(title, &id, request, None).into()]
}

/// `L` on this list and on a user's page.
pub const USAGE_LOCATION: Verb = Verb {
    name: "usage-location",
    keys: &["L"],
    label: "usage location",
    help: "Set the selected user's usage location (licences need one)",
    writes: true,
    run: usage_location,
};

/// `p` on this list and on a user's page.
pub const REPROCESS: Verb = Verb {
    name: "reprocess",
    keys: &["p"],
    label: "reprocess",
    help: "Reprocess the selected user's group licence assignments",
    writes: true,
    run: reprocess,
};

/// The Licence errors blade in the registry.
pub static BLADE: super::BladeDef = super::BladeDef {
    title: "Licence errors",
    nav_label: "Lic. errors",
    command: "license-errors",
    aliases: &["lic-errors", "licence-errors", "errors"],
    load: super::Load::Graph(list_request),
    columns,
    row,
    rows_of: Some(rows_of),
    style,
    refine: Some(refine),
    opens: Some(super::ObjectKind::User),
    sync: None,
    marks: super::Marks::No,
    query: None,
    join: None,
    records: Some(super::Records {
        columns: crate::licensing::export::COLUMNS,
        of: crate::licensing::export::records,
    }),
    verbs: &[USAGE_LOCATION, REPROCESS],
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
}

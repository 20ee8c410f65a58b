//! The Licensing blade: the tenant's subscriptions with product names, units (enabled, used,
//! free, warning, suspended) and service plans; SKUs over-consumed or nearly out stand out.

use super::common::text;
pub use crate::graph::endpoints::{
    subscribed_sku as detail_request, subscribed_skus as list_request,
};
use crate::licensing::{Supply, Units, plan_name, product_name};
use crate::theme::Theme;
use crate::widgets::sheet::{Sheet, show};
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("Product", 20),
        Column::fixed("Part number", 16).from(100),
        Column::fixed("Enabled", 7),
        Column::fixed("Used", 5),
        Column::fixed("Free", 5),
        Column::fixed("Status", 9),
        Column::fixed("Plans", 5).from(100),
    ]
}

/// The product name, or the part number when Microsoft's list does not name it.
fn product(v: &Value) -> String {
    let part = text(v, "skuPartNumber");
    product_name(&text(v, "skuId"), &part)
        .map(str::to_string)
        .unwrap_or(part)
}

pub fn row(v: Value) -> TableRow {
    let u = Units::of(&v);
    let plans = v["servicePlans"].as_array().map_or(0, Vec::len);
    let cells = vec![
        product(&v),
        text(&v, "skuPartNumber"),
        u.enabled.to_string(),
        u.consumed.to_string(),
        u.available().to_string(),
        text(&v, "capabilityStatus"),
        plans.to_string(),
    ];
    TableRow::new(v, cells)
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match col {
        4 => match Units::of(&row.object()).supply() {
            Supply::OverConsumed => Some(theme.error),
            Supply::NearlyOut => Some(theme.warning),
            Supply::Enough => None,
        },
        5 => match &row.cells[5] {
            "Enabled" => None,
            "Warning" => Some(theme.warning),
            _ => Some(theme.error),
        },
        1 | 6 => Some(theme.muted),
        _ => None,
    }
}

/// What the free seats mean, in words.
fn supply_note(u: Units) -> String {
    match u.supply() {
        Supply::OverConsumed => format!(
            "{} over: buy more or unassign {}",
            -u.available(),
            -u.available()
        ),
        Supply::NearlyOut => format!("{} left: nearly out", u.available()),
        Supply::Enough => format!("{} left", u.available()),
    }
}

pub fn sheet(v: &Value) -> Sheet {
    let u = Units::of(v);
    let mut s = Sheet::default();
    let sub = s.section("Subscription");
    sub.push(("Product".into(), product(v)));
    sub.push(("Part number".into(), show(&v["skuPartNumber"])));
    sub.push(("SKU id".into(), show(&v["skuId"])));
    sub.push(("Status".into(), show(&v["capabilityStatus"])));
    sub.push(("Applies to".into(), show(&v["appliesTo"])));
    sub.push(("Account".into(), show(&v["accountName"])));
    sub.push(("Subscriptions".into(), show(&v["subscriptionIds"])));
    let units = s.section("Units");
    units.push(("Enabled".into(), u.enabled.to_string()));
    units.push(("Assigned".into(), u.consumed.to_string()));
    units.push(("Free".into(), supply_note(u)));
    units.push(("In warning".into(), u.warning.to_string()));
    units.push(("Suspended".into(), u.suspended.to_string()));
    units.push(("Locked out".into(), u.locked_out.to_string()));
    let plans = v["servicePlans"].as_array().cloned().unwrap_or_default();
    let sec = s.section(&format!("Service plans ({})", plans.len()));
    for p in &plans {
        let id = text(p, "servicePlanId");
        let name = plan_name(&id)
            .map(str::to_string)
            .unwrap_or_else(|| text(p, "servicePlanName"));
        sec.push((
            name,
            format!(
                "{} · {}",
                text(p, "provisioningStatus"),
                text(p, "servicePlanName")
            ),
        ));
    }
    s
}

/// The Licensing blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Licensing",
    nav_label: "Licensing",
    command: "licenses",
    aliases: &[
        "licensing",
        "licences",
        "licence",
        "license",
        "skus",
        "subscriptions",
    ],
    load: super::source::Load::Graph(list_request),
    columns,
    row,
    rows_of: None,
    style,
    refine: None,
    opens: Some(super::def::ObjectKind(&DETAIL)),
    sync: Some(|| crate::cache::sync::Spec {
        name: "licenses",
        collection: "licenses",
        request: list_request(),
        delta: false,
    }),
    marks: super::source::Marks::No,
    query: None,
    join: None,
    records: None,
    verbs: &[],
};

/// The page of one subscription.
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "subscription",
    collection: "licenses",
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
    use serde_json::json;

    fn sku(enabled: i64, consumed: i64, status: &str) -> TableRow {
        row(
            json!({"skuId": "06ebc4ee-1bb5-47dd-8120-11324bc54e06", "skuPartNumber": "SPE_E5",
            "capabilityStatus": status, "consumedUnits": consumed,
            "prepaidUnits": {"enabled": enabled, "warning": 0, "suspended": 0, "lockedOut": 0},
            "servicePlans": [{"servicePlanId": "eec0eb4f-6444-4f95-aba0-50c24d67f998",
                "servicePlanName": "AAD_PREMIUM_P2", "provisioningStatus": "Success"}]}),
        )
    }

    #[test]
    fn rows_name_the_product_and_mark_what_runs_out() {
        let t = Theme::default_theme();
        let r = sku(25, 23, "Enabled");
        assert_eq!(&r.cells[0], "Microsoft 365 E5");
        assert_eq!(r.cells.to_vec()[2..6], ["25", "23", "2", "Enabled"]);
        assert_eq!(style(&r, 4, &t), Some(t.warning), "2 left of 25");
        let over = sku(10, 13, "Warning");
        assert_eq!(&over.cells[4], "-3");
        assert_eq!(style(&over, 4, &t), Some(t.error));
        assert_eq!(style(&over, 5, &t), Some(t.warning));
        assert_eq!(style(&sku(100, 10, "Enabled"), 4, &t), None);
        assert_eq!(style(&sku(100, 10, "Suspended"), 5, &t), Some(t.error));
    }

    #[test]
    fn the_page_explains_units_and_names_plans() {
        let s = sheet(&sku(10, 13, "Warning").object());
        let units = &s.sections[1].1;
        assert!(
            units
                .iter()
                .any(|(k, v)| k == "Free" && v.starts_with("3 over"))
        );
        let plans = &s.sections[2];
        assert_eq!(plans.0, "Service plans (1)");
        assert_eq!(plans.1[0].0, "Microsoft Entra ID P2");
    }

    #[test]
    fn a_sku_missing_fields_still_has_a_row() {
        let r = row(json!({"id": "x"}));
        assert_eq!(r.cells.len(), columns().len());
    }
}

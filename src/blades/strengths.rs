//! The Authentication strengths blade: built-in and custom strengths, their allowed method
//! combinations, and the policies that require each.

use super::common::text;
pub use crate::graph::endpoints::STRENGTHS as PATH;
use crate::protect::Facts;
use crate::theme::Theme;
use crate::widgets::sheet::{Sheet, show};
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("Name", 22),
        Column::fixed("Type", 8),
        Column::fixed("Satisfies", 9),
        Column::fixed("Methods", 7),
        Column::grow("Used by", 16),
    ]
}

/// Policies whose grant requires the strength.
pub fn used_by<'a>(id: &str, facts: &'a Facts) -> Vec<&'a Value> {
    facts
        .policies
        .iter()
        .filter(|p| p["grantControls"]["authenticationStrength"]["id"].as_str() == Some(id))
        .collect()
}

fn row_with(v: &Value, facts: &Facts) -> TableRow {
    let id = v["id"].as_str().unwrap_or_default();
    let users = used_by(id, facts);
    let used = match users.as_slice() {
        [] => String::new(),
        [one] => text(one, "displayName"),
        many => format!("{} policies", many.len()),
    };
    let cells = vec![
        text(v, "displayName"),
        text(v, "policyType"),
        text(v, "requirementsSatisfied"),
        v["allowedCombinations"]
            .as_array()
            .map(|a| a.len())
            .unwrap_or(0)
            .to_string(),
        used,
    ];
    TableRow::new(v.clone(), cells)
}

pub fn rows(facts: &Facts) -> Vec<TableRow> {
    facts.strengths.iter().map(|v| row_with(v, facts)).collect()
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match col {
        1 if &row.cells[1] == "custom" => Some(theme.accent),
        1..=3 => Some(theme.muted),
        _ => None,
    }
}

pub fn sheet(v: &Value, facts: Option<&Facts>) -> Sheet {
    let mut s = Sheet::default();
    let p = s.section("Authentication strength");
    p.push(("Name".into(), show(&v["displayName"])));
    p.push(("Type".into(), show(&v["policyType"])));
    p.push(("Satisfies".into(), show(&v["requirementsSatisfied"])));
    p.push(("Description".into(), show(&v["description"])));
    p.push(("Id".into(), show(&v["id"])));
    let c = s.section("Allowed combinations");
    for combo in v["allowedCombinations"].as_array().into_iter().flatten() {
        c.push((
            String::new(),
            combo.as_str().unwrap_or_default().replace(',', " + "),
        ));
    }
    let id = v["id"].as_str().unwrap_or_default();
    super::common::policy_section(
        &mut s,
        "Required by policies",
        facts,
        |f| used_by(id, f),
        "no policy requires this strength",
    );
    s
}

/// The Authentication strengths blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Authentication strengths",
    nav_label: "Strengths",
    command: "auth-strengths",
    aliases: &["strengths", "authentication-strengths"],
    load: super::source::Load::Facts {
        parts: &[
            crate::protect::Part::Strengths,
            crate::protect::Part::Policies,
        ],
        rows,
    },
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

/// The row of one strength (the policies using it are unknown here).
pub fn row(v: Value) -> TableRow {
    let facts = Facts {
        strengths: vec![v],
        ..Default::default()
    };
    super::common::only_row(rows(&facts))
}

/// The page of one authentication strength.
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "authentication strength",
    collection: "auth-strengths",
    request: detail_request,
    sheet: |v, facts, _| sheet(v, facts),
    needs_facts: true,
    principal: false,
    members: false,
    computed: None,
    verbs: &[],
};

pub fn detail_request(id: &str) -> crate::graph::Request {
    crate::graph::Request::get(format!("{PATH}/{}", super::common::path_segment(id)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_say_who_requires_the_strength() {
        let facts = Facts {
            strengths: vec![
                json!({"id": "s4", "displayName": "Phishing resistant MFA", "policyType": "builtIn",
                "requirementsSatisfied": "mfa", "allowedCombinations": ["fido2", "windowsHelloForBusiness"]}),
            ],
            policies: vec![json!({"displayName": "CA008", "state": "enabled",
                "grantControls": {"authenticationStrength": {"id": "s4"}}})],
            ..Default::default()
        };
        let r = rows(&facts);
        assert_eq!(
            r[0].cells,
            ["Phishing resistant MFA", "builtIn", "mfa", "2", "CA008"]
        );
        assert!(sheet(&facts.strengths[0], Some(&facts)).sections.len() == 3);
    }
}

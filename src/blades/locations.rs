//! The Named locations blade: IP ranges (trusted or not) and countries, with the policies
//! that use each location.

use super::common::{date, path_segment, text};
use super::verb::Flow;
use crate::ca::location::{COUNTRY_TYPE, summary};
use crate::theme::Theme;
use crate::widgets::sheet::{Sheet, show};
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("Name", 18),
        Column::fixed("Type", 8),
        Column::fixed("Trusted", 7),
        Column::grow("Ranges or countries", 20),
        Column::fixed("Modified", 10),
    ]
}

pub fn kind(v: &Value) -> &'static str {
    if v["@odata.type"].as_str() == Some(COUNTRY_TYPE) {
        "country"
    } else {
        "IP"
    }
}

pub fn row(v: Value) -> TableRow {
    let cells = vec![
        text(&v, "displayName"),
        kind(&v).to_string(),
        if v["isTrusted"].as_bool() == Some(true) {
            "trusted".into()
        } else {
            String::new()
        },
        summary(&v),
        date(&v["modifiedDateTime"]),
    ];
    TableRow::new(v, cells)
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match col {
        2 if !row.cells[2].is_empty() => Some(theme.success),
        1 | 3 | 4 => Some(theme.muted),
        _ => None,
    }
}

pub fn detail_request(id: &str) -> crate::graph::Request {
    crate::graph::Request::get(format!(
        "{}/{}",
        crate::ca::backup::LOCATIONS,
        path_segment(id)
    ))
}

/// Policies that include or exclude the location.
pub fn used_by<'a>(id: &str, policies: &'a [Value]) -> Vec<&'a Value> {
    policies
        .iter()
        .filter(|p| {
            ["includeLocations", "excludeLocations"].iter().any(|k| {
                crate::ca::strs(&p["conditions"]["locations"][*k])
                    .iter()
                    .any(|x| x == id)
            })
        })
        .collect()
}

pub fn sheet(v: &Value, facts: Option<&crate::protect::Facts>) -> Sheet {
    let mut s = Sheet::default();
    let l = s.section("Named location");
    l.push(("Name".into(), show(&v["displayName"])));
    l.push(("Type".into(), kind(v).into()));
    l.push(("Id".into(), show(&v["id"])));
    l.push(("Created".into(), show(&v["createdDateTime"])));
    l.push(("Modified".into(), show(&v["modifiedDateTime"])));
    if kind(v) == "IP" {
        l.push(("Trusted".into(), show(&v["isTrusted"])));
        let r = s.section("IP ranges");
        for range in v["ipRanges"].as_array().into_iter().flatten() {
            let family = if range["@odata.type"].as_str() == Some("#microsoft.graph.iPv6CidrRange")
            {
                "IPv6"
            } else {
                "IPv4"
            };
            r.push((family.into(), show(&range["cidrAddress"])));
        }
    } else {
        let c = s.section("Countries and regions");
        c.push(("Countries".into(), show(&v["countriesAndRegions"])));
        c.push((
            "Unknown countries".into(),
            show(&v["includeUnknownCountriesAndRegions"]),
        ));
    }
    let id = v["id"].as_str().unwrap_or_default();
    super::common::policy_section(
        &mut s,
        "Used by policies",
        facts,
        |f| used_by(id, &f.policies),
        "no policy uses this location",
    );
    s
}

/// The Named locations blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Named locations",
    nav_label: "Locations",
    command: "named-locations",
    aliases: &["locations", "ips", "countries"],
    load: super::source::Load::Graph(list_request),
    columns,
    row,
    rows_of: None,
    style,
    refine: None,
    opens: Some(super::def::ObjectKind(&DETAIL)),
    sync: Some(|| crate::cache::sync::Spec {
        name: "named-locations",
        collection: "named-locations",
        request: list_request(),
        delta: false,
    }),
    marks: super::source::Marks::No,
    query: None,
    join: None,
    records: None,
    verbs: &[
        super::ca::EDIT,
        crate::flow_verb!("add", "new IP", true, Flow::New { countries: false }),
        crate::flow_verb!(
            "add-eligible",
            "new countries",
            true,
            Flow::New { countries: true }
        ),
        super::ca::DUPLICATE,
        super::ca::DELETE,
    ],
};

pub fn list_request() -> crate::graph::Request {
    crate::graph::Request::get(crate::ca::backup::LOCATIONS)
}

/// The page of one named location.
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "named location",
    collection: "named-locations",
    request: detail_request,
    sheet: |v, facts, _| sheet(v, facts),
    needs_facts: true,
    principal: false,
    members: false,
    computed: None,
    verbs: &[super::ca::EDIT, super::ca::DUPLICATE, super::ca::DELETE],
};

//! The Conditional Access blade: policies with state, users, target, grant in short form;
//! a readable detail sheet; the state change write (a protected action in most tenants).

use super::common::{path_segment, text};
use super::def::Verb;
use super::verb::Flow;
pub use crate::ca::conditions_summary;
use crate::ca::strs;
pub use crate::graph::endpoints::{ca_policies as list_request, ca_policy as detail_request};
use crate::graph::{Method, Request};
use crate::protect::{requirement, state_label};
use crate::theme::Theme;
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::{Value, json};

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("Name", 18),
        Column::fixed("State", 11),
        Column::fixed("Users", 12),
        // At 80x24 the name comes first: the target shows from 100 columns on.
        Column::fixed("Target", 12).from(70),
        Column::fixed("Grant", 12),
        Column::fixed("Modified", 10).from(95),
        Column::fixed("Conditions", 24).from(125),
        Column::fixed("Session", 24).from(150),
    ]
}

/// Session controls, short: "every 4h; no persistent".
pub fn session_summary(p: &Value) -> String {
    let s = &p["sessionControls"];
    let mut parts = Vec::new();
    let f = &s["signInFrequency"];
    if !f.is_null() && f["isEnabled"] != json!(false) {
        parts.push(
            match (
                f["frequencyInterval"].as_str(),
                f["value"].as_u64(),
                f["type"].as_str(),
            ) {
                (Some("everyTime"), _, _) => "every time".to_string(),
                (_, Some(n), Some(unit)) => {
                    format!("every {n}{}", unit.chars().next().unwrap_or('?'))
                }
                _ => "sign-in frequency".to_string(),
            },
        );
    }
    match s["persistentBrowser"]["mode"].as_str() {
        Some("never") => parts.push("no persistent".into()),
        Some("always") => parts.push("persistent".into()),
        _ => {}
    }
    if s["applicationEnforcedRestrictions"]["isEnabled"] == json!(true) {
        parts.push("app restrictions".into());
    }
    if s["cloudAppSecurity"]["isEnabled"] == json!(true) {
        parts.push("MDCA".into());
    }
    if s["disableResilienceDefaults"] == json!(true) {
        parts.push("no resilience".into());
    }
    parts.join("; ")
}

fn count(v: &Value) -> usize {
    v.as_array().map(Vec::len).unwrap_or(0)
}

/// "1 group", "3 groups".
fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The keywords `includeUsers`/`excludeUsers` take besides object ids (conditionalAccessUsers):
/// they are not users and are never counted as such.
pub const USER_KEYWORDS: &[&str] = &["All", "None", "GuestsOrExternalUsers"];

/// The object ids of a users list, without the keywords.
fn user_ids(v: &Value) -> usize {
    strs(v)
        .iter()
        .filter(|x| !USER_KEYWORDS.contains(&x.as_str()))
        .count()
}

/// "All users -2", "3 roles", "Guests", "none".
pub fn users_summary(p: &Value) -> String {
    let u = &p["conditions"]["users"];
    let inc = strs(&u["includeUsers"]);
    let mut s = if inc.iter().any(|x| x == "All") {
        "All users".to_string()
    } else {
        let mut parts = Vec::new();
        if inc.iter().any(|x| x == "GuestsOrExternalUsers")
            || !u["includeGuestsOrExternalUsers"].is_null()
        {
            parts.push("Guests".to_string());
        }
        let users = user_ids(&u["includeUsers"]);
        if users > 0 {
            parts.push(plural(users, "user"));
        }
        if count(&u["includeGroups"]) > 0 {
            parts.push(plural(count(&u["includeGroups"]), "group"));
        }
        if count(&u["includeRoles"]) > 0 {
            parts.push(plural(count(&u["includeRoles"]), "role"));
        }
        if parts.is_empty() {
            // `["None"]` (or nothing): the policy targets nobody.
            "none".to_string()
        } else {
            parts.join(", ")
        }
    };
    let excluded =
        user_ids(&u["excludeUsers"]) + count(&u["excludeGroups"]) + count(&u["excludeRoles"]);
    if excluded > 0 {
        s.push_str(&format!(" -{excluded}"));
    }
    if strs(&u["excludeUsers"])
        .iter()
        .any(|x| x == "GuestsOrExternalUsers")
        || !u["excludeGuestsOrExternalUsers"].is_null()
    {
        s.push_str(" -guests");
    }
    s
}

/// "All apps", "ctx c1", "Office365", "register security info".
pub fn target_summary(p: &Value) -> String {
    let a = &p["conditions"]["applications"];
    let ctx = strs(&a["includeAuthenticationContextClassReferences"]);
    if !ctx.is_empty() {
        return format!("ctx {}", ctx.join(","));
    }
    let actions = strs(&a["includeUserActions"]);
    if let Some(act) = actions.first() {
        return match act.as_str() {
            "urn:user:registersecurityinfo" => "register security info".into(),
            "urn:user:registerdevice" => "register device".into(),
            other => other.into(),
        };
    }
    let apps = strs(&a["includeApplications"]);
    match apps.as_slice() {
        [one] if one == "All" => "All apps".into(),
        [one] => one.clone(),
        [] => "none".into(),
        many => format!("{} apps", many.len()),
    }
}

pub fn row(v: Value) -> TableRow {
    let cells = vec![
        text(&v, "displayName"),
        state_label(v["state"].as_str().unwrap_or_default()).to_string(),
        users_summary(&v),
        target_summary(&v),
        requirement(&v),
        super::common::date(&v["modifiedDateTime"]),
        conditions_summary(&v),
        session_summary(&v),
    ];
    TableRow::new(v, cells)
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match (col, row.cells.get(1)) {
        (1, Some("On")) => Some(theme.success),
        (1, Some("Off")) => Some(theme.muted),
        (1, Some("Report-only")) => Some(theme.warning),
        (4, _) if row.cells[4].starts_with("block") => Some(theme.error),
        (2..=7, _) => Some(theme.muted),
        _ => None,
    }
}

/// A list of ids as names where known ("Ada Lovelace, bg-admin01@…, 3f2a…").
pub use super::ca_detail::{named, sheet};

/// The three states, in the admin center's order.
pub const STATES: &[(&str, &str)] = &[
    ("On", "enabled"),
    ("Report-only", "enabledForReportingButNotEnforced"),
    ("Off", "disabled"),
];

/// The PATCH that sets a policy's state (204, no body).
pub fn state_request(id: &str, state: &str) -> Request {
    Request::new(
        Method::Patch,
        format!("/identity/conditionalAccess/policies/{}", path_segment(id)),
    )
    .json(json!({"state": state}))
}

/// The Conditional Access blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Conditional Access",
    nav_label: "CA policies",
    command: "ca-policies",
    aliases: &["ca", "conditional-access", "policies", "cap"],
    load: super::source::Load::Graph(list_request),
    columns,
    row,
    rows_of: None,
    style,
    refine: None,
    opens: Some(super::def::ObjectKind(&DETAIL)),
    sync: Some(|| crate::cache::sync::Spec {
        name: "ca-policies",
        collection: "ca-policies",
        request: list_request(),
        delta: false,
    }),
    marks: super::source::Marks::No,
    query: None,
    join: None,
    records: None,
    verbs: &[
        EDIT,
        STATE,
        EXCLUDE,
        crate::flow_verb!("add", "new", true, Flow::New { countries: false }),
        DUPLICATE,
        DELETE,
        // `w`: the What If prompt, bound by its generic name.
        crate::flow_verb!("what-if", "what if", false, Flow::WhatIf),
        super::report_only::IMPACT,
    ],
};

/// The page of one conditional access policy.
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "conditional access policy",
    collection: "ca-policies",
    request: detail_request,
    sheet: |v, _, names| sheet(v, names),
    needs_facts: false,
    principal: false,
    members: false,
    computed: None,
    verbs: &[
        EDIT,
        STATE,
        EXCLUDE,
        DUPLICATE,
        DELETE,
        super::report_only::IMPACT,
    ],
};

/// The editor flows of a policy or a named location (list or page), shared with Named
/// locations: `E` edits, `c` copies, `d` reviews a delete.
pub const EDIT: Verb = crate::flow_verb!("edit", "edit", true, Flow::Edit);
pub const DUPLICATE: Verb = crate::flow_verb!("duplicate", "copy", true, Flow::Duplicate);
pub const DELETE: Verb = crate::flow_verb!("remove", "delete", true, Flow::Delete);
const STATE: Verb = crate::flow_verb!("set-state", "state", true, Flow::CaState);
const EXCLUDE: Verb = crate::flow_verb!("exclude", "exclude", true, Flow::Exclude);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries() {
        let p = json!({"state": "enabledForReportingButNotEnforced", "displayName": "x",
            "conditions": {"users": {"includeUsers": ["All"], "excludeGroups": ["g"], "excludeUsers": ["a", "b"]},
                "applications": {"includeApplications": ["All"]}},
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}});
        let r = row(p);
        assert_eq!(
            r.cells.to_vec()[..5],
            ["x", "Report-only", "All users -3", "All apps", "MFA"]
        );
        let full = json!({"conditions": {"platforms": {"includePlatforms": ["iOS", "android"]},
            "locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]},
            "clientAppTypes": ["exchangeActiveSync", "other"], "signInRiskLevels": ["medium", "high"],
            "devices": {"deviceFilter": {"mode": "exclude", "rule": "x"}}},
            "sessionControls": {"signInFrequency": {"value": 4, "type": "hours", "isEnabled": true},
                "persistentBrowser": {"mode": "never", "isEnabled": true}}});
        assert_eq!(
            conditions_summary(&full),
            "iOS android; 2 locations; exchangeActiveSync other; sign-in risk M H; device filter"
        );
        assert_eq!(session_summary(&full), "every 4h; no persistent");
        let ctx = json!({"conditions": {"users": {"includeRoles": ["r1", "r2"]}, "applications": {"includeAuthenticationContextClassReferences": ["c1"]}}});
        assert_eq!(users_summary(&ctx), "2 roles");
        assert_eq!(target_summary(&ctx), "ctx c1");
        assert!(sheet(&json!({}), &Default::default()).sections.len() >= 5);
        let names: super::super::Names = [("u1".to_string(), "Ada".to_string())].into();
        assert_eq!(named(&json!(["u1", "u2"]), &names), "Ada, u2");
        // Issue 11, item 7: keywords are not objects.
        let none = json!({"conditions": {"users": {"includeUsers": ["None"]}}});
        assert_eq!(users_summary(&none), "none");
        let guests = json!({"conditions": {"users": {"includeUsers": ["All"], "excludeUsers": ["GuestsOrExternalUsers", "u1"]}}});
        assert_eq!(users_summary(&guests), "All users -1 -guests");
        let mixed =
            json!({"conditions": {"users": {"includeUsers": ["GuestsOrExternalUsers", "u1"]}}});
        assert_eq!(users_summary(&mixed), "Guests, 1 user");
    }
}

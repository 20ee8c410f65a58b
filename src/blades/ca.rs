//! The Conditional Access blade: policies with state, users, target, grant in short form;
//! a readable detail sheet; the state change write (a protected action in most tenants).

use super::{path_segment, text};
use crate::ca::strs;
use crate::graph::{Method, Request};
use crate::protect::{requirement, state_label};
use crate::theme::Theme;
use crate::widgets::sheet::{Sheet, show};
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

/// The conditions beyond users and apps, short: "iOS android; 1 location; sign-in risk M H".
pub fn conditions_summary(p: &Value) -> String {
    let c = &p["conditions"];
    let mut parts = Vec::new();
    let platforms = strs(&c["platforms"]["includePlatforms"]);
    if !platforms.is_empty() {
        parts.push(platforms.join(" "));
    }
    let locs = strs(&c["locations"]["includeLocations"]).len()
        + strs(&c["locations"]["excludeLocations"]).len();
    if locs > 0 {
        parts.push(format!(
            "{locs} location{}",
            if locs == 1 { "" } else { "s" }
        ));
    }
    let clients = strs(&c["clientAppTypes"]);
    if !clients.is_empty() && !clients.iter().any(|x| x == "all") {
        parts.push(clients.join(" "));
    }
    let initials = |v: &Value| {
        strs(v)
            .iter()
            .map(|l| {
                l.chars()
                    .next()
                    .unwrap_or('?')
                    .to_ascii_uppercase()
                    .to_string()
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    if !strs(&c["signInRiskLevels"]).is_empty() {
        parts.push(format!("sign-in risk {}", initials(&c["signInRiskLevels"])));
    }
    if !strs(&c["userRiskLevels"]).is_empty() {
        parts.push(format!("user risk {}", initials(&c["userRiskLevels"])));
    }
    if c["devices"]["deviceFilter"].is_object() {
        parts.push("device filter".into());
    }
    if let Some(f) = c["authenticationFlows"]["transferMethods"].as_str() {
        parts.push(f.to_string());
    }
    parts.join("; ")
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

pub fn list_request() -> Request {
    Request::get("/identity/conditionalAccess/policies")
}

pub fn detail_request(id: &str) -> Request {
    Request::get(format!(
        "/identity/conditionalAccess/policies/{}",
        path_segment(id)
    ))
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

/// "All users -2", "3 roles", "Guests".
pub fn users_summary(p: &Value) -> String {
    let u = &p["conditions"]["users"];
    let inc = strs(&u["includeUsers"]);
    let mut s = if inc.iter().any(|x| x == "All") {
        "All users".to_string()
    } else if inc.iter().any(|x| x == "GuestsOrExternalUsers")
        || !u["includeGuestsOrExternalUsers"].is_null()
    {
        "Guests".to_string()
    } else {
        let mut parts = Vec::new();
        if !inc.is_empty() {
            parts.push(plural(inc.len(), "user"));
        }
        if count(&u["includeGroups"]) > 0 {
            parts.push(plural(count(&u["includeGroups"]), "group"));
        }
        if count(&u["includeRoles"]) > 0 {
            parts.push(plural(count(&u["includeRoles"]), "role"));
        }
        if parts.is_empty() {
            "none".to_string()
        } else {
            parts.join(", ")
        }
    };
    let excluded =
        count(&u["excludeUsers"]) + count(&u["excludeGroups"]) + count(&u["excludeRoles"]);
    if excluded > 0 {
        s.push_str(&format!(" -{excluded}"));
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
        super::date(&v["modifiedDateTime"]),
        conditions_summary(&v),
        session_summary(&v),
    ];
    TableRow::new(v, cells)
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match (col, row.cells.get(1).map(String::as_str)) {
        (1, Some("On")) => Some(theme.success),
        (1, Some("Off")) => Some(theme.muted),
        (1, Some("Report-only")) => Some(theme.warning),
        (4, _) if row.cells[4].starts_with("block") => Some(theme.error),
        (2..=7, _) => Some(theme.muted),
        _ => None,
    }
}

/// A list of ids as names where known ("Ada Lovelace, bg-admin01@…, 3f2a…").
pub fn named(v: &Value, names: &super::Names) -> String {
    match v.as_array() {
        Some(a) if !a.is_empty() => a
            .iter()
            .map(|x| {
                let id = x.as_str().unwrap_or_default();
                match names.get(id) {
                    Some(n) => crate::sanitize::clean(n),
                    None => crate::sanitize::clean(id),
                }
            })
            .collect::<Vec<_>>()
            .join(", "),
        _ => show(v),
    }
}

pub fn sheet(v: &Value, names: &super::Names) -> Sheet {
    let mut s = Sheet::default();
    let c = &v["conditions"];
    let p = s.section("Policy");
    p.push(("Name".into(), show(&v["displayName"])));
    p.push((
        "State".into(),
        state_label(v["state"].as_str().unwrap_or_default()).into(),
    ));
    p.push(("Policy id".into(), show(&v["id"])));
    p.push(("Created".into(), show(&v["createdDateTime"])));
    p.push(("Modified".into(), show(&v["modifiedDateTime"])));
    let u = s.section("Users");
    for (label, key) in [
        ("Include users", "includeUsers"),
        ("Exclude users", "excludeUsers"),
        ("Include groups", "includeGroups"),
        ("Exclude groups", "excludeGroups"),
        ("Include roles", "includeRoles"),
        ("Exclude roles", "excludeRoles"),
    ] {
        u.push((label.into(), named(&c["users"][key], names)));
    }
    let t = s.section("Target resources");
    t.push((
        "Applications".into(),
        named(&c["applications"]["includeApplications"], names),
    ));
    t.push((
        "Excluded apps".into(),
        named(&c["applications"]["excludeApplications"], names),
    ));
    t.push((
        "User actions".into(),
        show(&c["applications"]["includeUserActions"]),
    ));
    t.push((
        "Auth contexts".into(),
        named(
            &c["applications"]["includeAuthenticationContextClassReferences"],
            names,
        ),
    ));
    let k = s.section("Conditions");
    k.push(("Client apps".into(), show(&c["clientAppTypes"])));
    k.push((
        "Platforms".into(),
        show(&c["platforms"]["includePlatforms"]),
    ));
    k.push((
        "Locations".into(),
        named(&c["locations"]["includeLocations"], names),
    ));
    k.push((
        "Excluded locations".into(),
        named(&c["locations"]["excludeLocations"], names),
    ));
    k.push(("User risk".into(), show(&c["userRiskLevels"])));
    k.push(("Sign-in risk".into(), show(&c["signInRiskLevels"])));
    k.push((
        "Device filter".into(),
        show(&c["devices"]["deviceFilter"]["rule"]),
    ));
    k.push((
        "Device filter mode".into(),
        show(&c["devices"]["deviceFilter"]["mode"]),
    ));
    k.push((
        "Auth flows".into(),
        show(&c["authenticationFlows"]["transferMethods"]),
    ));
    let g = s.section("Grant");
    g.push(("Requirement".into(), requirement(v)));
    g.push(("Operator".into(), show(&v["grantControls"]["operator"])));
    g.push((
        "Strength".into(),
        match v["grantControls"]["authenticationStrength"]["id"].as_str() {
            Some(id) => names
                .get(id)
                .cloned()
                .or_else(|| {
                    v["grantControls"]["authenticationStrength"]["displayName"]
                        .as_str()
                        .map(str::to_string)
                })
                .unwrap_or_else(|| id.to_string()),
            None => "none".into(),
        },
    ));
    let ses = s.section("Session");
    let sc = &v["sessionControls"];
    ses.push((
        "Sign-in frequency".into(),
        frequency(&sc["signInFrequency"]),
    ));
    ses.push((
        "Persistent browser".into(),
        show(&sc["persistentBrowser"]["mode"]),
    ));
    ses.push((
        "App restrictions".into(),
        show(&sc["applicationEnforcedRestrictions"]["isEnabled"]),
    ));
    ses.push((
        "Defender for Cloud Apps".into(),
        show(&sc["cloudAppSecurity"]["cloudAppSecurityType"]),
    ));
    ses.push((
        "Resilience defaults off".into(),
        show(&sc["disableResilienceDefaults"]),
    ));
    s
}

/// "every 4 hours", "every time", or "—".
fn frequency(f: &Value) -> String {
    if f.is_null() || f["isEnabled"] == json!(false) {
        return show(&Value::Null);
    }
    if f["frequencyInterval"].as_str() == Some("everyTime") {
        return "every time".into();
    }
    match (f["value"].as_u64(), f["type"].as_str()) {
        (Some(n), Some(unit)) => format!("every {n} {unit}"),
        _ => show(f),
    }
}

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
            r.cells[..5],
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
        let f = json!({"value": 4, "type": "hours", "frequencyInterval": "timeBased", "isEnabled": true});
        assert_eq!(frequency(&f), "every 4 hours");
        assert_eq!(
            frequency(&json!({"frequencyInterval": "everyTime"})),
            "every time"
        );
    }
}

//! Conditional Access logic without UI: draft validation, semantic diff, the lockout guard,
//! the What If evaluator and backup/restore of policies and named locations.

pub mod backup;
pub mod copy;
pub mod device_filter;
pub mod diff;
pub mod eval;
pub mod guard;
pub mod load;
pub mod location;
pub mod whatif;

pub use crate::graph::model::strs;
pub use eval::{Outcome, SignIn, Target, Tri, evaluate};
use serde_json::Value;

const STATES: &[&str] = &["enabled", "disabled", "enabledForReportingButNotEnforced"];

/// Check a policy draft the way Graph does before it is sent: the shape rules of a
/// conditionalAccessPolicy (graph-api.md §4.1). `Err` says what to fix.
pub fn validate_policy(p: &Value) -> Result<(), String> {
    let Some(obj) = p.as_object() else {
        return Err("the policy must be a JSON object".into());
    };
    if obj
        .get("displayName")
        .and_then(Value::as_str)
        .is_none_or(|s| s.trim().is_empty())
    {
        return Err("displayName is required".into());
    }
    match p["state"].as_str() {
        Some(s) if STATES.contains(&s) => {}
        _ => {
            return Err(format!(
                "state must be one of {} (is {})",
                STATES.join(", "),
                p["state"]
            ));
        }
    }
    let c = &p["conditions"];
    if !c.is_object() {
        return Err("conditions is required".into());
    }
    let a = &c["applications"];
    let targets = [
        "includeApplications",
        "includeUserActions",
        "includeAuthenticationContextClassReferences",
    ];
    if !a.is_object() || targets.iter().all(|k| strs(&a[*k]).is_empty()) {
        return Err("an application condition is required: conditions.applications with includeApplications, includeUserActions or includeAuthenticationContextClassReferences".into());
    }
    let u = &c["users"];
    let has_users = ["includeUsers", "includeGroups", "includeRoles"]
        .iter()
        .any(|k| !strs(&u[*k]).is_empty())
        || !u["includeGuestsOrExternalUsers"].is_null();
    if !has_users && c["clientApplications"].is_null() {
        return Err("a user condition is required: conditions.users with includeUsers, includeGroups or includeRoles (use [\"None\"] to target nobody)".into());
    }
    let grant = &p["grantControls"];
    let has_grant = !strs(&grant["builtInControls"]).is_empty()
        || !grant["authenticationStrength"].is_null()
        || !strs(&grant["termsOfUse"]).is_empty()
        || !strs(&grant["customAuthenticationFactors"]).is_empty();
    let has_session = p["sessionControls"]
        .as_object()
        .is_some_and(|m| m.values().any(|v| !v.is_null()));
    if !has_grant && !has_session {
        return Err("a grant control (grantControls.builtInControls or authenticationStrength) or a session control is required".into());
    }
    if has_grant && !matches!(grant["operator"].as_str(), Some("AND" | "OR")) {
        return Err("grantControls.operator must be AND or OR".into());
    }
    // Block access is exclusive (the admin center offers block *or* grant): Graph refuses a
    // block combined with any other grant control.
    let controls = strs(&grant["builtInControls"]);
    if controls.iter().any(|c| c == "block")
        && (controls.len() > 1
            || !grant["authenticationStrength"].is_null()
            || !strs(&grant["termsOfUse"]).is_empty()
            || !strs(&grant["customAuthenticationFactors"]).is_empty())
    {
        return Err("grantControls: block cannot be combined with other grant controls (block access, or grant access with requirements)".into());
    }
    // Enumerations (graph-api.md §4.1): a typo is named here rather than by a 400 later.
    let risk = &[
        "low",
        "medium",
        "high",
        "hidden",
        "none",
        "unknownFutureValue",
    ][..];
    for (path, v, known) in [
        (
            "grantControls.builtInControls",
            &grant["builtInControls"],
            &[
                "block",
                "mfa",
                "compliantDevice",
                "domainJoinedDevice",
                "approvedApplication",
                "compliantApplication",
                "passwordChange",
                "unknownFutureValue",
                "riskRemediation",
            ][..],
        ),
        (
            "conditions.clientAppTypes",
            &c["clientAppTypes"],
            &[
                "all",
                "browser",
                "mobileAppsAndDesktopClients",
                "exchangeActiveSync",
                "easSupported",
                "other",
                "unknownFutureValue",
            ][..],
        ),
        ("conditions.signInRiskLevels", &c["signInRiskLevels"], risk),
        ("conditions.userRiskLevels", &c["userRiskLevels"], risk),
        (
            "conditions.platforms.includePlatforms",
            &c["platforms"]["includePlatforms"],
            &[
                "all",
                "android",
                "iOS",
                "windows",
                "windowsPhone",
                "macOS",
                "linux",
                "unknownFutureValue",
            ][..],
        ),
    ] {
        if let Some(bad) = strs(v).into_iter().find(|x| !known.contains(&x.as_str())) {
            return Err(format!(
                "{path}: '{bad}' is not one of {}",
                known.join(", ")
            ));
        }
    }
    Ok(())
}

/// A new policy to start from: report-only, nobody targeted yet, MFA.
pub fn blank_policy() -> Value {
    serde_json::json!({
        "displayName": "New policy",
        "state": "enabledForReportingButNotEnforced",
        "conditions": {
            "users": {"includeUsers": ["None"], "excludeUsers": [], "includeGroups": [], "excludeGroups": [], "includeRoles": [], "excludeRoles": []},
            "applications": {"includeApplications": ["All"], "excludeApplications": []},
            "clientAppTypes": ["all"]
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}
    })
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn validation_names_the_missing_part() {
        assert!(validate_policy(&blank_policy()).is_ok());
        let mut p = blank_policy();
        p["conditions"]["applications"] = json!({});
        assert!(
            validate_policy(&p)
                .unwrap_err()
                .contains("application condition")
        );
        let mut p = blank_policy();
        p["conditions"]["users"] = json!({"excludeUsers": ["x"]});
        assert!(validate_policy(&p).unwrap_err().contains("user condition"));
        let mut p = blank_policy();
        p["grantControls"] = Value::Null;
        assert!(validate_policy(&p).unwrap_err().contains("grant control"));
        let mut p = blank_policy();
        p["state"] = json!("on");
        assert!(validate_policy(&p).unwrap_err().contains("state"));
        assert!(validate_policy(&json!([])).is_err());
        let mut p = blank_policy();
        p["grantControls"]["builtInControls"] = json!(["MFA"]);
        assert!(
            validate_policy(&p)
                .unwrap_err()
                .contains("'MFA' is not one of")
        );
        // Issue 11, item 7: block is exclusive.
        p["grantControls"]["builtInControls"] = json!(["block", "mfa"]);
        assert!(
            validate_policy(&p)
                .unwrap_err()
                .contains("block cannot be combined")
        );
        p["grantControls"]["builtInControls"] = json!(["block"]);
        assert!(validate_policy(&p).is_ok());
    }
}

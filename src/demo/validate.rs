//! The demo tenant's own validation of Conditional Access writes, as Graph answers them (400
//! with a numbered inner message): the whole policy or named location after a POST or a merged
//! PATCH. Written from the conditionalAccessPolicy, conditionalAccessGrantControls and
//! namedLocation docs; the console checks drafts with rules of its own.

use super::rules::strings;
use serde_json::Value;

const STATES: &[&str] = &["enabled", "disabled", "enabledForReportingButNotEnforced"];
const CONTROLS: &[&str] = &[
    "block",
    "mfa",
    "compliantDevice",
    "domainJoinedDevice",
    "approvedApplication",
    "compliantApplication",
    "passwordChange",
    "unknownFutureValue",
    "riskRemediation",
];
const CLIENT_APPS: &[&str] = &[
    "all",
    "browser",
    "mobileAppsAndDesktopClients",
    "exchangeActiveSync",
    "easSupported",
    "other",
    "unknownFutureValue",
];
const RISK: &[&str] = &[
    "low",
    "medium",
    "high",
    "hidden",
    "none",
    "unknownFutureValue",
];
const PLATFORMS: &[&str] = &[
    "all",
    "android",
    "iOS",
    "windows",
    "windowsPhone",
    "macOS",
    "linux",
    "unknownFutureValue",
];

fn invalid(why: impl std::fmt::Display) -> String {
    format!("1064: Request not valid: {why}.")
}

/// A whole policy: `Err` is the inner message Graph sends with its 400.
pub fn policy(p: &Value) -> Result<(), String> {
    let c = &p["conditions"];
    if c["clientAppTypes"].as_array().is_some_and(Vec::is_empty) {
        // A real 1064 answer (graph-api.md §4.1).
        return Err("1064: 'clientAppTypes' condition does not support []. If you want to target all client apps, use ['All'].".into());
    }
    let grant = &p["grantControls"];
    let controls = strings(&grant["builtInControls"]);
    let and = grant["operator"].as_str() == Some("AND");
    if controls.iter().any(|x| x == "passwordChange")
        && !(and && controls.iter().any(|x| x == "mfa"))
    {
        return Err(
            "1032: ConditionalActionPolicy validation failed due to InvalidPasswordResetControl."
                .into(),
        );
    }
    if controls.len() > 1 && controls.iter().any(|x| x == "block") {
        return Err(invalid(
            "the block control cannot be combined with other controls",
        ));
    }
    if p["displayName"]
        .as_str()
        .is_none_or(|n| n.trim().is_empty())
    {
        return Err(invalid("displayName is required"));
    }
    if !p["state"].as_str().is_some_and(|s| STATES.contains(&s)) {
        return Err(invalid(format!("state '{}' is not valid", p["state"])));
    }
    let apps = &c["applications"];
    let targeted = [
        "includeApplications",
        "includeUserActions",
        "includeAuthenticationContextClassReferences",
    ]
    .iter()
    .any(|k| !strings(&apps[*k]).is_empty());
    if !targeted {
        return Err(invalid(
            "conditions.applications must include applications, user actions or authentication contexts",
        ));
    }
    let users = &c["users"];
    let someone = ["includeUsers", "includeGroups", "includeRoles"]
        .iter()
        .any(|k| !strings(&users[*k]).is_empty())
        || users["includeGuestsOrExternalUsers"].is_object()
        || c["clientApplications"].is_object();
    if !someone {
        return Err(invalid(
            "conditions.users (or clientApplications) must include someone",
        ));
    }
    let session = p["sessionControls"]
        .as_object()
        .is_some_and(|m| m.values().any(|v| !v.is_null()));
    let granted = !controls.is_empty()
        || grant["authenticationStrength"].is_object()
        || !strings(&grant["termsOfUse"]).is_empty()
        || !strings(&grant["customAuthenticationFactors"]).is_empty();
    if !granted && !session {
        return Err(invalid("a grant control or a session control is required"));
    }
    if granted && !matches!(grant["operator"].as_str(), Some("AND" | "OR")) {
        return Err(invalid("grantControls.operator must be AND or OR"));
    }
    for (what, v, known) in [
        ("builtInControls", &grant["builtInControls"], CONTROLS),
        ("clientAppTypes", &c["clientAppTypes"], CLIENT_APPS),
        ("signInRiskLevels", &c["signInRiskLevels"], RISK),
        ("userRiskLevels", &c["userRiskLevels"], RISK),
        (
            "includePlatforms",
            &c["platforms"]["includePlatforms"],
            PLATFORMS,
        ),
        (
            "excludePlatforms",
            &c["platforms"]["excludePlatforms"],
            PLATFORMS,
        ),
    ] {
        if let Some(bad) = strings(v)
            .into_iter()
            .find(|x| !known.contains(&x.as_str()))
        {
            return Err(invalid(format!("'{bad}' is not a valid value for {what}")));
        }
    }
    Ok(())
}

/// A whole named location (ipNamedLocation or countryNamedLocation).
pub fn location(v: &Value) -> Result<(), String> {
    if v["displayName"]
        .as_str()
        .is_none_or(|n| n.trim().is_empty())
    {
        return Err(invalid("displayName is required"));
    }
    match v["@odata.type"].as_str() {
        Some("#microsoft.graph.ipNamedLocation") => {
            let ranges = v["ipRanges"].as_array().cloned().unwrap_or_default();
            if ranges.is_empty() {
                return Err(invalid("ipRanges must hold at least one range"));
            }
            for r in &ranges {
                let cidr = r["cidrAddress"].as_str().unwrap_or_default();
                let v6 = match cidr.parse::<ipnet::IpNet>() {
                    Ok(ipnet::IpNet::V4(_)) => false,
                    Ok(ipnet::IpNet::V6(_)) => true,
                    Err(_) => return Err(invalid(format!("'{cidr}' is not a valid CIDR address"))),
                };
                let declared = r["@odata.type"].as_str().unwrap_or_default();
                let declared_v6 = declared.eq_ignore_ascii_case("#microsoft.graph.iPv6CidrRange");
                if v6 != declared_v6 {
                    return Err(invalid(format!("'{cidr}' is not a {declared}")));
                }
            }
            Ok(())
        }
        Some("#microsoft.graph.countryNamedLocation") => {
            let codes = strings(&v["countriesAndRegions"]);
            if codes.is_empty() {
                return Err(invalid("countriesAndRegions must hold at least one code"));
            }
            match codes
                .iter()
                .find(|c| !(c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())))
            {
                Some(bad) => Err(invalid(format!(
                    "'{bad}' is not an ISO 3166-1 alpha-2 code"
                ))),
                None => Ok(()),
            }
        }
        _ => Err(invalid(
            "@odata.type must name an ipNamedLocation or a countryNamedLocation",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn blank() -> Value {
        json!({"displayName": "p", "state": "enabledForReportingButNotEnforced",
            "conditions": {"users": {"includeUsers": ["None"]},
                "applications": {"includeApplications": ["All"]}, "clientAppTypes": ["all"]},
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}})
    }

    #[test]
    fn graph_rules_with_their_numbers() {
        assert!(policy(&blank()).is_ok());
        let mut p = blank();
        p["conditions"]["clientAppTypes"] = json!([]);
        assert!(
            policy(&p)
                .unwrap_err()
                .starts_with("1064: 'clientAppTypes'")
        );
        let mut p = blank();
        p["grantControls"]["builtInControls"] = json!(["passwordChange"]);
        assert!(policy(&p).unwrap_err().starts_with("1032"));
        let mut p = blank();
        p["grantControls"] = Value::Null;
        assert!(
            policy(&p)
                .unwrap_err()
                .starts_with("1064: Request not valid")
        );
        let mut p = blank();
        p["grantControls"]["builtInControls"] = json!(["block", "mfa"]);
        assert!(policy(&p).unwrap_err().contains("block"));
        let ip = json!({"@odata.type": "#microsoft.graph.ipNamedLocation", "displayName": "x",
            "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "2001:db8::/32"}]});
        assert!(location(&ip).is_err());
        let c = json!({"@odata.type": "#microsoft.graph.countryNamedLocation", "displayName": "x",
            "countriesAndRegions": ["NL", "nl"]});
        assert!(location(&c).unwrap_err().contains("'nl'"));
    }
}

//! The Conditional Access policy's detail sheet: every field of the published
//! conditionalAccessPolicy resource (conditions, grant, session), ids resolved to names, and
//! any field Graph adds later shown as it came.

use super::common::Names;
use crate::protect::{requirement, state_label};
use crate::widgets::sheet::{Sheet, show};
use serde_json::{Value, json};

/// A list of ids as names (keywords such as `All`, `None`, `GuestsOrExternalUsers` in words).
pub fn named(v: &Value, names: &Names) -> String {
    match v.as_array() {
        Some(a) if !a.is_empty() => a
            .iter()
            .map(|x| {
                let id = x.as_str().unwrap_or_default();
                match (id, names.get(id)) {
                    ("All", _) => "All".to_string(),
                    ("None", _) => "None".to_string(),
                    ("GuestsOrExternalUsers", _) => "Guests or external users".to_string(),
                    (_, Some(n)) => crate::sanitize::clean(n),
                    (_, None) => crate::sanitize::clean(id),
                }
            })
            .collect::<Vec<_>>()
            .join(", "),
        _ => show(v),
    }
}

/// `include/excludeGuestsOrExternalUsers`: the guest types and which external tenants.
fn guests(v: &Value) -> String {
    if v.is_null() {
        return String::new();
    }
    let types = v["guestOrExternalUserTypes"].as_str().unwrap_or_default();
    let tenants = &v["externalTenants"];
    match tenants["membershipKind"].as_str() {
        Some("enumerated") => format!("{types} from {}", show(&tenants["members"])),
        Some(kind) => format!("{types} ({kind} tenants)"),
        None => types.to_string(),
    }
}

/// A conditionalAccessFilter: "include: RULE".
fn filter(v: &Value) -> String {
    match v["rule"].as_str() {
        Some(rule) => format!("{}: {rule}", v["mode"].as_str().unwrap_or("include")),
        None => String::new(),
    }
}

/// "every 4 hours", "every time", or "—".
fn frequency(f: &Value) -> String {
    if f.is_null() || f["isEnabled"] == json!(false) {
        return show(&Value::Null);
    }
    let when = if f["frequencyInterval"].as_str() == Some("everyTime") {
        "every time".to_string()
    } else {
        match (f["value"].as_u64(), f["type"].as_str()) {
            (Some(n), Some(unit)) => format!("every {n} {unit}"),
            _ => show(f),
        }
    };
    match f["authenticationType"].as_str() {
        Some("secondaryAuthentication") => format!("{when} (secondary authentication)"),
        _ => when,
    }
}

/// Fields of `v` the sheet has not shown, as they came (a newer Graph may add some).
fn others(v: &Value, known: &[&str], out: &mut Vec<(String, String)>) {
    if let Some(m) = v.as_object() {
        for (k, x) in m {
            if !known.contains(&k.as_str()) && !k.starts_with('@') && !x.is_null() {
                out.push((k.clone(), show(x)));
            }
        }
    }
}

pub fn sheet(v: &Value, names: &Names) -> Sheet {
    let mut s = Sheet::default();
    let c = &v["conditions"];
    let p = s.section("Policy");
    p.push(("Name".into(), show(&v["displayName"])));
    p.push((
        "State".into(),
        state_label(v["state"].as_str().unwrap_or_default()).into(),
    ));
    p.push(("Policy id".into(), show(&v["id"])));
    p.push(("Template".into(), show(&v["templateId"])));
    p.push(("Created".into(), show(&v["createdDateTime"])));
    p.push(("Modified".into(), show(&v["modifiedDateTime"])));
    let u = s.section("Users");
    let users = &c["users"];
    for (label, key) in [
        ("Include users", "includeUsers"),
        ("Exclude users", "excludeUsers"),
        ("Include groups", "includeGroups"),
        ("Exclude groups", "excludeGroups"),
        ("Include roles", "includeRoles"),
        ("Exclude roles", "excludeRoles"),
    ] {
        u.push((label.into(), named(&users[key], names)));
    }
    u.push((
        "Include guests".into(),
        guests(&users["includeGuestsOrExternalUsers"]),
    ));
    u.push((
        "Exclude guests".into(),
        guests(&users["excludeGuestsOrExternalUsers"]),
    ));
    let ca = &c["clientApplications"];
    if !ca.is_null() {
        let w = s.section("Workload identities");
        w.push((
            "Include".into(),
            named(&ca["includeServicePrincipals"], names),
        ));
        w.push((
            "Exclude".into(),
            named(&ca["excludeServicePrincipals"], names),
        ));
        w.push(("Filter".into(), filter(&ca["servicePrincipalFilter"])));
    }
    let t = s.section("Target resources");
    let apps = &c["applications"];
    t.push((
        "Applications".into(),
        named(&apps["includeApplications"], names),
    ));
    t.push((
        "Excluded apps".into(),
        named(&apps["excludeApplications"], names),
    ));
    t.push(("App filter".into(), filter(&apps["applicationFilter"])));
    t.push(("User actions".into(), show(&apps["includeUserActions"])));
    t.push((
        "Auth contexts".into(),
        named(&apps["includeAuthenticationContextClassReferences"], names),
    ));
    let k = s.section("Conditions");
    k.push(("Client apps".into(), show(&c["clientAppTypes"])));
    k.push((
        "Platforms".into(),
        show(&c["platforms"]["includePlatforms"]),
    ));
    k.push((
        "Excluded platforms".into(),
        show(&c["platforms"]["excludePlatforms"]),
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
        "Workload risk".into(),
        show(&c["servicePrincipalRiskLevels"]),
    ));
    k.push(("Insider risk".into(), show(&c["insiderRiskLevels"])));
    k.push((
        "Device filter".into(),
        filter(&c["devices"]["deviceFilter"]),
    ));
    k.push((
        "Auth flows".into(),
        show(&c["authenticationFlows"]["transferMethods"]),
    ));
    others(
        c,
        &[
            "users",
            "clientApplications",
            "applications",
            "clientAppTypes",
            "platforms",
            "locations",
            "userRiskLevels",
            "signInRiskLevels",
            "servicePrincipalRiskLevels",
            "insiderRiskLevels",
            "devices",
            "authenticationFlows",
        ],
        k,
    );
    let g = s.section("Grant");
    let gc = &v["grantControls"];
    g.push(("Requirement".into(), requirement(v)));
    g.push(("Operator".into(), show(&gc["operator"])));
    g.push(("Built-in controls".into(), show(&gc["builtInControls"])));
    g.push((
        "Strength".into(),
        match gc["authenticationStrength"]["id"].as_str() {
            Some(id) => names
                .get(id)
                .cloned()
                .or_else(|| {
                    gc["authenticationStrength"]["displayName"]
                        .as_str()
                        .map(str::to_string)
                })
                .unwrap_or_else(|| id.to_string()),
            None => "none".into(),
        },
    ));
    g.push(("Terms of use".into(), named(&gc["termsOfUse"], names)));
    g.push((
        "Custom controls".into(),
        show(&gc["customAuthenticationFactors"]),
    ));
    let ses = s.section("Session");
    let sc = &v["sessionControls"];
    ses.push((
        "Sign-in frequency".into(),
        frequency(&sc["signInFrequency"]),
    ));
    ses.push((
        "Persistent browser".into(),
        match (
            &sc["persistentBrowser"]["mode"],
            &sc["persistentBrowser"]["isEnabled"],
        ) {
            (_, Value::Bool(false)) => String::new(),
            (m, _) => show(m),
        },
    ));
    ses.push((
        "App restrictions".into(),
        show(&sc["applicationEnforcedRestrictions"]["isEnabled"]),
    ));
    ses.push((
        "Defender for Cloud Apps".into(),
        match (
            &sc["cloudAppSecurity"]["cloudAppSecurityType"],
            &sc["cloudAppSecurity"]["isEnabled"],
        ) {
            (_, Value::Bool(false)) => String::new(),
            (t, _) => show(t),
        },
    ));
    ses.push((
        "Resilience defaults off".into(),
        show(&sc["disableResilienceDefaults"]),
    ));
    ses.push((
        "Secure sign-in session".into(),
        show(&sc["secureSignInSession"]["isEnabled"]),
    ));
    others(
        sc,
        &[
            "signInFrequency",
            "persistentBrowser",
            "applicationEnforcedRestrictions",
            "cloudAppSecurity",
            "disableResilienceDefaults",
            "secureSignInSession",
        ],
        ses,
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 11, item 8: the documented fields are all shown; a grant of terms of use only is
    /// a grant, not "session controls only".
    #[test]
    fn every_documented_field_is_shown() {
        let p = json!({
            "id": "p1", "displayName": "ToU", "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["None"], "excludeUsers": ["GuestsOrExternalUsers"]},
                "applications": {"includeApplications": ["All"]},
                "platforms": {"includePlatforms": ["all"], "excludePlatforms": ["iOS"]},
                "insiderRiskLevels": "elevated",
                "futureCondition": {"x": 1}
            },
            "grantControls": {"operator": "OR", "builtInControls": [], "termsOfUse": ["tou1"]},
            "sessionControls": {"secureSignInSession": {"isEnabled": true}}
        });
        let s = sheet(&p, &Names::default());
        let rows: Vec<(String, String)> = s.sections.iter().flat_map(|(_, r)| r.clone()).collect();
        let get = |k: &str| {
            rows.iter()
                .find(|(l, _)| l == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("{k} missing: {rows:?}"))
        };
        assert_eq!(get("Excluded platforms"), "iOS");
        assert_eq!(get("Terms of use"), "tou1");
        assert_eq!(get("Requirement"), "terms of use");
        assert_eq!(get("Secure sign-in session"), "Yes");
        assert_eq!(get("Include users"), "None");
        assert_eq!(get("Exclude users"), "Guests or external users");
        assert_eq!(get("Insider risk"), "elevated");
        assert!(get("futureCondition").contains("\"x\""));
        let f = json!({"value": 4, "type": "hours", "frequencyInterval": "timeBased", "isEnabled": true});
        assert_eq!(frequency(&f), "every 4 hours");
        assert_eq!(
            frequency(&json!({"frequencyInterval": "everyTime"})),
            "every time"
        );
    }
}

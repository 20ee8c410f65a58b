//! The What If evaluator on a table of cases.

use super::*;
use serde_json::json;

fn policy(state: &str, users: Value, apps: Value, extra: Value) -> Value {
    let mut p = json!({"displayName": "p", "state": state,
        "conditions": {"users": users, "applications": apps, "clientAppTypes": ["all"]},
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}});
    if let Value::Object(m) = extra {
        for (k, v) in m {
            p["conditions"][k] = v;
        }
    }
    p
}

fn all_apps() -> Value {
    json!({"includeApplications": ["All"]})
}

fn known(user: &str) -> SignIn {
    SignIn {
        user_id: user.into(),
        guest: Some(false),
        groups: Some(["g1".to_string()].into()),
        roles: Some(["r-ga".to_string()].into()),
        target: Target::App("app1".into()),
        ..Default::default()
    }
}

#[test]
fn table_of_cases() {
    let cases: Vec<(&str, Value, SignIn, Tri, Option<&str>)> = vec![
        (
            "all users, all apps",
            policy(
                "enabled",
                json!({"includeUsers": ["All"]}),
                all_apps(),
                json!({}),
            ),
            known("u1"),
            Tri::Yes,
            None,
        ),
        (
            "exclusion beats inclusion (user)",
            policy(
                "enabled",
                json!({"includeUsers": ["All"], "excludeUsers": ["u1"]}),
                all_apps(),
                json!({}),
            ),
            known("u1"),
            Tri::No,
            Some("users"),
        ),
        (
            "exclusion beats inclusion (group)",
            policy(
                "enabled",
                json!({"includeUsers": ["u1"], "excludeGroups": ["g1"]}),
                all_apps(),
                json!({}),
            ),
            known("u1"),
            Tri::No,
            Some("users"),
        ),
        (
            "included through a role",
            policy(
                "enabled",
                json!({"includeRoles": ["r-ga"]}),
                all_apps(),
                json!({}),
            ),
            known("u1"),
            Tri::Yes,
            None,
        ),
        (
            "not included",
            policy(
                "enabled",
                json!({"includeGroups": ["g2"]}),
                all_apps(),
                json!({}),
            ),
            known("u1"),
            Tri::No,
            Some("users"),
        ),
        (
            "groups unknown",
            policy(
                "enabled",
                json!({"includeGroups": ["g2"]}),
                all_apps(),
                json!({}),
            ),
            SignIn {
                groups: None,
                ..known("u1")
            },
            Tri::Unknown,
            Some("users"),
        ),
        (
            "off never applies",
            policy(
                "disabled",
                json!({"includeUsers": ["All"]}),
                all_apps(),
                json!({}),
            ),
            known("u1"),
            Tri::No,
            Some("policyNotEnabled"),
        ),
        (
            "app excluded",
            policy(
                "enabled",
                json!({"includeUsers": ["All"]}),
                json!({"includeApplications": ["All"], "excludeApplications": ["app1"]}),
                json!({}),
            ),
            known("u1"),
            Tri::No,
            Some("application"),
        ),
        (
            "context policy does not apply to an app",
            policy(
                "enabled",
                json!({"includeUsers": ["All"]}),
                json!({"includeAuthenticationContextClassReferences": ["c1"]}),
                json!({}),
            ),
            known("u1"),
            Tri::No,
            Some("authenticationContext"),
        )
            .clone_target(Target::AuthContext("c2".into())),
        (
            "platform not given is unknown",
            policy(
                "enabled",
                json!({"includeUsers": ["All"]}),
                all_apps(),
                json!({"platforms": {"includePlatforms": ["iOS"]}}),
            ),
            known("u1"),
            Tri::Unknown,
            Some("devicePlatform"),
        ),
        (
            "all platforms but some excluded, platform not given, is unknown",
            policy(
                "enabled",
                json!({"includeUsers": ["All"]}),
                all_apps(),
                json!({"platforms": {"includePlatforms": ["all"], "excludePlatforms": ["iOS"]}}),
            ),
            known("u1"),
            Tri::Unknown,
            Some("devicePlatform"),
        ),
        (
            "platform names compare without case",
            policy(
                "enabled",
                json!({"includeUsers": ["All"]}),
                all_apps(),
                json!({"platforms": {"includePlatforms": ["all"], "excludePlatforms": ["iOS"]}}),
            ),
            SignIn {
                platform: Some("ios".into()),
                ..known("u1")
            },
            Tri::No,
            Some("devicePlatform"),
        ),
        (
            "trusted location excluded",
            policy(
                "enabled",
                json!({"includeUsers": ["All"]}),
                all_apps(),
                json!({"locations": {"includeLocations": ["All"], "excludeLocations": ["AllTrusted"]}}),
            ),
            SignIn {
                place: Some(Place {
                    locations: ["hq".to_string()].into(),
                    trusted: true,
                }),
                ..known("u1")
            },
            Tri::No,
            Some("location"),
        ),
        (
            "device filter exclude matches joined device",
            policy(
                "enabled",
                json!({"includeUsers": ["All"]}),
                all_apps(),
                json!({"devices": {"deviceFilter": {"mode": "exclude", "rule": "device.trustType -eq \"AzureAD\" -or device.trustType -eq \"ServerAD\""}}}),
            ),
            SignIn {
                device_trust: Some("AzureAD".into()),
                ..known("u1")
            },
            Tri::No,
            Some("devices"),
        ),
        (
            "risk level not targeted",
            policy(
                "enabled",
                json!({"includeUsers": ["All"]}),
                all_apps(),
                json!({"signInRiskLevels": ["high"]}),
            ),
            SignIn {
                sign_in_risk: Some("low".into()),
                ..known("u1")
            },
            Tri::No,
            Some("signInRisk"),
        ),
    ];
    for (name, p, s, want, code) in cases {
        let o = evaluate(&p, &s);
        assert_eq!(o.applies, want, "{name}: {o:?}");
        if let Some(code) = code {
            assert!(o.reasons.iter().any(|r| r.code == code), "{name}: {o:?}");
        }
    }
}

trait CloneTarget {
    fn clone_target(self, t: Target) -> Self;
}

impl CloneTarget for (&'static str, Value, SignIn, Tri, Option<&'static str>) {
    fn clone_target(mut self, t: Target) -> Self {
        self.2.target = t;
        self
    }
}

#[test]
fn report_only_applies_but_does_not_enforce() {
    let p = policy(
        "enabledForReportingButNotEnforced",
        json!({"includeUsers": ["All"]}),
        all_apps(),
        json!({}),
    );
    let o = evaluate(&p, &known("u1"));
    assert_eq!(o.applies, Tri::Yes);
    assert!(!o.enforced);
}

#[test]
fn device_rules() {
    let r = "device.trustType -eq \"AzureAD\" -or device.trustType -eq \"ServerAD\"";
    assert_eq!(device_rule(r, "AzureAD"), Some(true));
    assert_eq!(device_rule(r, "Workplace"), Some(false));
    assert_eq!(device_rule("device.isCompliant -eq True", "AzureAD"), None);
}

#[test]
fn what_blocks() {
    let g = |v: Value| json!({"grantControls": v});
    assert!(blocks(&g(json!({"builtInControls": ["block"]}))).is_some());
    assert!(blocks(&g(json!({"operator": "OR", "builtInControls": ["mfa"]}))).is_none());
    assert!(
        blocks(&g(
            json!({"operator": "OR", "builtInControls": ["compliantDevice"]})
        ))
        .is_some()
    );
    assert!(
        blocks(&g(
            json!({"operator": "OR", "builtInControls": ["compliantDevice", "mfa"]})
        ))
        .is_none()
    );
    assert!(
        blocks(&g(
            json!({"operator": "AND", "builtInControls": ["compliantDevice", "mfa"]})
        ))
        .is_some()
    );
}

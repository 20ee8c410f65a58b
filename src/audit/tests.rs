//! Each rule on a passing and a failing fixture; break-glass exclusions never raise a finding.

use super::*;
use crate::licensing::LicenceFacts;
use crate::protect::Facts;
use crate::roles::RoleFacts;
use serde_json::json;

pub(super) fn inputs() -> Inputs {
    Inputs {
        roles: Ok(RoleFacts::default()),
        facts: Ok(Facts::default()),
        licences: LicenceFacts::default(),
        users: Ok(Vec::new()),
        risky: Ok(Vec::new()),
        assignments: Ok(Vec::new()),
        pim: Ok(Vec::new()),
        group_members: Default::default(),
        group_names: Default::default(),
        break_glass: vec!["bg1".into()],
        authorization: Ok(json!({"id": "authorizationPolicy"})),
        methods: Ok(json!({"id": "authenticationMethodsPolicy"})),
        domains: Ok(Vec::new()),
        settings: Ok(Vec::new()),
        setting_templates: Ok(Vec::new()),
        consent_requests: Ok(json!({"isEnabled": true})),
        now: chrono::Utc::now(),
    }
}

fn status(i: &Inputs, id: &str) -> Status {
    run(i).into_iter().find(|f| f.rule.id == id).unwrap().status
}

fn policy(state: &str, exclude: &[&str], extra: serde_json::Value) -> serde_json::Value {
    let mut p = json!({"id": "p", "displayName": "P", "state": state,
        "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": exclude, "excludeGroups": []},
            "applications": {"includeApplications": ["All"]}, "clientAppTypes": ["exchangeActiveSync", "other"]},
        "grantControls": {"builtInControls": ["block"]}});
    if let (Some(p), Some(e)) = (p.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            p.insert(k.clone(), v.clone());
        }
    }
    p
}

#[test]
fn legacy_auth_passes_excluding_break_glass_and_is_a_near_miss_excluding_others() {
    let mut i = inputs();
    assert_eq!(status(&i, "MS.AAD.1.1"), Status::Fail);
    i.facts.as_mut().unwrap().policies = vec![policy("enabled", &["bg1"], json!({}))];
    assert_eq!(status(&i, "MS.AAD.1.1"), Status::Pass);
    i.facts.as_mut().unwrap().policies = vec![policy("enabled", &["bg1", "someone"], json!({}))];
    assert_eq!(status(&i, "MS.AAD.1.1"), Status::NearMiss);
    i.facts.as_mut().unwrap().policies =
        vec![policy("enabledForReportingButNotEnforced", &[], json!({}))];
    assert_eq!(status(&i, "MS.AAD.1.1"), Status::Fail);
    // A group holding only break-glass accounts is their exclusion too.
    let mut p = policy("enabled", &[], json!({}));
    p["conditions"]["users"]["excludeGroups"] = json!(["bg-group"]);
    i.facts.as_mut().unwrap().policies = vec![p];
    i.group_members
        .insert("bg-group".into(), vec!["bg1".into()]);
    assert_eq!(status(&i, "MS.AAD.1.1"), Status::Pass);
}

#[test]
fn global_administrators_between_two_and_eight_each_counted_once() {
    let ga = "62e90394-69f5-4237-9190-012177145e10";
    let a = |p: &str| json!({"roleDefinitionId": ga, "principalId": p, "principal": {"@odata.type": "#microsoft.graph.user", "displayName": p}});
    let mut i = inputs();
    i.roles = Ok(RoleFacts {
        active: vec![a("u1")],
        ..Default::default()
    });
    assert_eq!(status(&i, "MS.AAD.7.1"), Status::Fail);
    // The same user active and eligible is one; a group adds its members.
    let group = json!({"roleDefinitionId": ga, "principalId": "g", "principal": {"@odata.type": "#microsoft.graph.group", "displayName": "G"}});
    let mut members = std::collections::HashMap::new();
    members.insert(
        "g".to_string(),
        vec![json!({"id": "u1"}), json!({"id": "u2"})],
    );
    i.roles = Ok(RoleFacts {
        active: vec![a("u1"), group],
        eligible: vec![a("u1")],
        group_members: members,
        ..Default::default()
    });
    let f = run(&i)
        .into_iter()
        .find(|f| f.rule.id == "MS.AAD.7.1")
        .unwrap();
    assert_eq!(f.status, Status::Pass);
    assert_eq!(f.detail, "2 users hold Global Administrator");
}

#[test]
fn permanent_privileged_assignments_fail_except_break_glass() {
    let mut i = inputs();
    let a = |p: &str, end: serde_json::Value| json!({"roleDefinitionId": "62e90394-69f5-4237-9190-012177145e10", "principalId": p, "assignmentType": "Assigned", "endDateTime": end});
    i.assignments = Ok(vec![
        a("bg1", json!(null)),
        a("u1", json!("2027-01-01T00:00:00Z")),
    ]);
    assert_eq!(status(&i, "MS.AAD.7.4"), Status::Pass);
    i.assignments = Ok(vec![a("u2", json!(null))]);
    assert_eq!(status(&i, "MS.AAD.7.4"), Status::Fail);
    i.assignments = Err("403".into());
    assert!(matches!(status(&i, "MS.AAD.7.4"), Status::NotEvaluable(_)));
}

#[test]
fn contexts_in_use_must_be_targeted_by_an_enabled_policy_and_published() {
    let mut i = inputs();
    let f = i.facts.as_mut().unwrap();
    f.actions = vec![
        json!({"name": "microsoft.directory/conditionalAccessPolicies/create", "authenticationContextId": "c1"}),
    ];
    f.contexts = vec![json!({"id": "c1", "isAvailable": true})];
    f.policies = vec![
        json!({"id": "p", "state": "enabledForReportingButNotEnforced",
        "conditions": {"applications": {"includeAuthenticationContextClassReferences": ["c1"]}}}),
    ];
    assert_eq!(
        status(&i, "EC.2"),
        Status::Fail,
        "report-only: the never-satisfied loop"
    );
    assert_eq!(status(&i, "EC.3"), Status::Pass);
    assert_eq!(status(&i, "EC.1"), Status::Pass);
    i.facts.as_mut().unwrap().policies[0]["state"] = json!("enabled");
    assert_eq!(status(&i, "EC.2"), Status::Pass);
}

#[test]
fn licences_and_risk() {
    let mut i = inputs();
    i.licences.skus =
        vec![json!({"skuId": "s", "prepaidUnits": {"enabled": 1}, "consumedUnits": 2})];
    i.users = Ok(vec![
        json!({"id": "u", "licenseAssignmentStates": [{"skuId": "s", "error": "CountViolation"}]}),
    ]);
    i.risky = Ok(vec![
        json!({"id": "r", "riskLevel": "high", "riskState": "atRisk"}),
    ]);
    assert_eq!(status(&i, "EC.6"), Status::Fail);
    assert_eq!(status(&i, "EC.7"), Status::Fail);
    assert_eq!(status(&i, "EC.8"), Status::Fail);
    let i = inputs();
    for id in ["EC.6", "EC.7", "EC.8"] {
        assert_eq!(status(&i, id), Status::Pass, "{id}");
    }
}

#[test]
fn privileged_holders_must_be_cloud_only() {
    let ga = "62e90394-69f5-4237-9190-012177145e10";
    let mut i = inputs();
    i.roles = Ok(RoleFacts {
        eligible: vec![
            json!({"roleDefinitionId": ga, "principalId": "u1", "principal": {"displayName": "U1"}}),
        ],
        ..Default::default()
    });
    i.users = Ok(vec![json!({"id": "u1", "onPremisesSyncEnabled": null})]);
    assert_eq!(status(&i, "MS.AAD.7.3"), Status::Pass);
    i.users = Ok(vec![json!({"id": "u1", "onPremisesSyncEnabled": true})]);
    assert_eq!(status(&i, "MS.AAD.7.3"), Status::Fail);
}

#[cfg(test)]
#[path = "tests_scuba.rs"]
mod scuba;

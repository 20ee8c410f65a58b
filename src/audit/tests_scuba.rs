//! The SCuBA rules on tenant settings, authentication methods, devices and PIM: each on a
//! passing and a failing fixture, and "not evaluable" when its read failed.

use super::*;
use crate::roles::RoleFacts;
use serde_json::json;

fn policies(i: &mut Inputs, p: Vec<serde_json::Value>) {
    i.facts.as_mut().unwrap().policies = p;
}

fn ca(grant: serde_json::Value, users: serde_json::Value) -> serde_json::Value {
    json!({"id": "p", "displayName": "P", "state": "enabled",
        "conditions": {"users": users, "applications": {"includeApplications": ["All"]},
            "clientAppTypes": ["all"]},
        "grantControls": grant})
}

fn all_users() -> serde_json::Value {
    json!({"includeUsers": ["All"], "excludeUsers": ["bg1"]})
}

#[test]
fn phishing_resistant_mfa_for_everyone_by_built_in_or_custom_strength() {
    let mut i = inputs();
    let strength = |s: serde_json::Value| json!({"operator": "OR", "builtInControls": [], "authenticationStrength": s});
    policies(
        &mut i,
        vec![ca(json!({"builtInControls": ["mfa"]}), all_users())],
    );
    assert_eq!(
        status(&i, "MS.AAD.3.1"),
        Status::Fail,
        "plain MFA is not phishing-resistant"
    );
    assert_eq!(status(&i, "MS.AAD.3.2"), Status::Pass);
    policies(
        &mut i,
        vec![ca(
            strength(json!({"id": "00000000-0000-0000-0000-000000000004"})),
            all_users(),
        )],
    );
    assert_eq!(status(&i, "MS.AAD.3.1"), Status::Pass);
    let custom =
        strength(json!({"id": "c", "allowedCombinations": ["fido2", "windowsHelloForBusiness"]}));
    policies(&mut i, vec![ca(custom, all_users())]);
    assert_eq!(status(&i, "MS.AAD.3.1"), Status::Pass);
    let weak = strength(json!({"id": "c", "allowedCombinations": ["fido2", "password,sms"]}));
    policies(&mut i, vec![ca(weak, all_users())]);
    assert_eq!(status(&i, "MS.AAD.3.1"), Status::Fail);
}

#[test]
fn privileged_roles_need_every_highly_privileged_role_covered() {
    let mut i = inputs();
    let pr = json!({"operator": "OR", "builtInControls": [], "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}});
    let ga_only = ca(
        pr.clone(),
        json!({"includeRoles": ["62e90394-69f5-4237-9190-012177145e10"]}),
    );
    policies(&mut i, vec![ga_only]);
    let f = run(&i)
        .into_iter()
        .find(|f| f.rule.id == "MS.AAD.3.6")
        .unwrap();
    assert_eq!(f.status, Status::Fail);
    assert_eq!(f.detail, "7 of 8 highly privileged roles are not covered");
    let every = ca(
        pr.clone(),
        json!({"includeRoles": super::roles::HIGHLY_PRIVILEGED}),
    );
    policies(&mut i, vec![every]);
    assert_eq!(status(&i, "MS.AAD.3.6"), Status::Pass);
    // All users covers every role too; excluding someone else is a near miss.
    policies(&mut i, vec![ca(pr.clone(), all_users())]);
    assert_eq!(status(&i, "MS.AAD.3.6"), Status::Pass);
    policies(
        &mut i,
        vec![ca(
            pr,
            json!({"includeUsers": ["All"], "excludeUsers": ["someone"]}),
        )],
    );
    assert_eq!(status(&i, "MS.AAD.3.6"), Status::NearMiss);
}

#[test]
fn managed_devices_to_sign_in_and_to_register() {
    let mut i = inputs();
    let device =
        json!({"operator": "OR", "builtInControls": ["compliantDevice", "domainJoinedDevice"]});
    policies(&mut i, vec![ca(device.clone(), all_users())]);
    assert_eq!(status(&i, "MS.AAD.3.7"), Status::Pass);
    assert_eq!(status(&i, "MS.AAD.3.8"), Status::Fail);
    // OR with MFA lets an unmanaged device through.
    let loose = json!({"operator": "OR", "builtInControls": ["compliantDevice", "mfa"]});
    policies(&mut i, vec![ca(loose, all_users())]);
    assert_eq!(status(&i, "MS.AAD.3.7"), Status::Fail);
    let mut register = ca(device, all_users());
    register["conditions"]["applications"] =
        json!({"includeApplications": [], "includeUserActions": ["urn:user:registersecurityinfo"]});
    policies(&mut i, vec![register]);
    assert_eq!(status(&i, "MS.AAD.3.8"), Status::Pass);
    assert_eq!(status(&i, "MS.AAD.3.7"), Status::Fail);
}

#[test]
fn authentication_methods_policy() {
    let mut i = inputs();
    let feature = |state: &str, id: &str| json!({"state": state, "includeTarget": {"targetType": "group", "id": id}});
    let good = json!({"id": "authenticationMethodsPolicy", "policyMigrationState": "migrationComplete",
        "authenticationMethodConfigurations": [
            {"id": "MicrosoftAuthenticator", "state": "enabled", "featureSettings": {
                "displayAppInformationRequiredState": feature("enabled", "all_users"),
                "displayLocationInformationRequiredState": feature("enabled", "all_users")}},
            {"id": "Sms", "state": "disabled"}, {"id": "Voice", "state": "disabled"},
            {"id": "Email", "state": "disabled"}]});
    i.methods = Ok(good.clone());
    for id in ["MS.AAD.3.3", "MS.AAD.3.4", "MS.AAD.3.5"] {
        assert_eq!(status(&i, id), Status::Pass, "{id}");
    }
    let mut bad = good;
    bad["policyMigrationState"] = json!("migrationInProgress");
    bad["authenticationMethodConfigurations"][0]["featureSettings"]["displayLocationInformationRequiredState"] =
        feature("default", "all_users");
    bad["authenticationMethodConfigurations"][3]["state"] = json!("enabled");
    i.methods = Ok(bad);
    for id in ["MS.AAD.3.3", "MS.AAD.3.4", "MS.AAD.3.5"] {
        assert_eq!(status(&i, id), Status::Fail, "{id}");
    }
    // No configurations in the body: the rules that need them cannot be judged.
    i.methods = Ok(
        json!({"id": "authenticationMethodsPolicy", "policyMigrationState": "migrationComplete"}),
    );
    assert!(matches!(status(&i, "MS.AAD.3.5"), Status::NotEvaluable(_)));
    assert_eq!(status(&i, "MS.AAD.3.4"), Status::Pass);
    i.methods = Err("403 Forbidden".into());
    assert!(matches!(status(&i, "MS.AAD.3.3"), Status::NotEvaluable(w) if w.contains("403")));
}

#[test]
fn authorization_policy_and_domains() {
    let mut i = inputs();
    i.authorization = Ok(
        json!({"id": "authorizationPolicy", "allowInvitesFrom": "adminsAndGuestInviters",
        "guestUserRoleId": "2af84b1e-32c8-42b7-82bc-daa82404023b",
        "defaultUserRolePermissions": {"allowedToCreateApps": false,
            "permissionGrantPoliciesAssigned": ["ManagePermissionGrantsForOwnedResource.x"]}}),
    );
    i.domains = Ok(vec![
        json!({"id": "a.example", "isVerified": true, "authenticationType": "Managed", "passwordValidityPeriodInDays": 2147483647}),
        json!({"id": "fed.example", "isVerified": true, "authenticationType": "Federated", "passwordValidityPeriodInDays": null}),
        json!({"id": "new.example", "isVerified": false, "authenticationType": "Managed", "passwordValidityPeriodInDays": 90}),
    ]);
    for id in [
        "MS.AAD.5.1",
        "MS.AAD.5.2",
        "MS.AAD.6.1",
        "MS.AAD.8.1",
        "MS.AAD.8.2",
    ] {
        assert_eq!(status(&i, id), Status::Pass, "{id}");
    }
    i.authorization = Ok(
        json!({"id": "authorizationPolicy", "allowInvitesFrom": "everyone",
        "guestUserRoleId": "a0b1b346-4d3e-4e8b-98f8-753987be4970",
        "defaultUserRolePermissions": {"allowedToCreateApps": true,
            "permissionGrantPoliciesAssigned": ["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"]}}),
    );
    i.domains.as_mut().unwrap()[0]["passwordValidityPeriodInDays"] = json!(90);
    for id in [
        "MS.AAD.5.1",
        "MS.AAD.5.2",
        "MS.AAD.6.1",
        "MS.AAD.8.1",
        "MS.AAD.8.2",
    ] {
        assert_eq!(status(&i, id), Status::Fail, "{id}");
    }
    // A body without the field is not a pass.
    i.authorization = Ok(json!({"id": "authorizationPolicy"}));
    for id in ["MS.AAD.5.1", "MS.AAD.5.2", "MS.AAD.8.1", "MS.AAD.8.2"] {
        assert!(matches!(status(&i, id), Status::NotEvaluable(_)), "{id}");
    }
    i.domains = Err("503".into());
    assert!(matches!(status(&i, "MS.AAD.6.1"), Status::NotEvaluable(_)));
}

#[test]
fn fine_grained_roles_and_assignments_outside_pim() {
    let ga = "62e90394-69f5-4237-9190-012177145e10";
    let user_admin = "fe930be7-5e62-47db-91af-98c3a49a38b1";
    let a = |role: &str, p: &str| json!({"roleDefinitionId": role, "principalId": p, "principal": {"@odata.type": "#microsoft.graph.user", "displayName": p}});
    let mut i = inputs();
    i.roles = Ok(RoleFacts {
        active: vec![a(ga, "u1"), a(ga, "u2")],
        eligible: vec![a(user_admin, "u3")],
        ..Default::default()
    });
    assert_eq!(status(&i, "MS.AAD.7.2"), Status::Fail, "2 GAs to 1 other");
    i.roles.as_mut().unwrap().eligible.push(a(user_admin, "u4"));
    assert_eq!(status(&i, "MS.AAD.7.2"), Status::Pass);

    let inst = |p: &str, start: serde_json::Value| json!({"roleDefinitionId": ga, "principalId": p, "assignmentType": "Assigned", "startDateTime": start});
    i.assignments = Ok(vec![
        inst("bg1", json!(null)),
        inst("u1", json!("2026-01-01T00:00:00Z")),
    ]);
    assert_eq!(status(&i, "MS.AAD.7.5"), Status::Pass);
    i.assignments = Ok(vec![inst("u2", json!(null))]);
    assert_eq!(status(&i, "MS.AAD.7.5"), Status::Fail);
}

#[test]
fn rules_come_in_scuba_order_then_the_console_own() {
    let ids: Vec<&str> = run(&inputs()).iter().map(|f| f.rule.id).collect();
    let p = |id| ids.iter().position(|x| *x == id).unwrap();
    assert!(p("MS.AAD.3.1") < p("MS.AAD.3.2"));
    assert!(p("MS.AAD.3.9") < p("MS.AAD.5.1"));
    assert!(p("MS.AAD.8.2") < p("EC.1"));
}

#[test]
fn pim_settings_7_6_to_7_9_and_activations_that_can_never_succeed() {
    let ga = "62e90394-69f5-4237-9190-012177145e10";
    let pra = "e8611ab8-c189-46e8-94e1-60213ab1f814";
    let note = |id: &str, to: &[&str]| json!({"id": id, "notificationRecipients": to});
    let policy = |role: &str, approval: bool, alerts: &[&str], context: Option<&str>| {
        json!({"roleDefinitionId": role, "policy": {"rules": [
            {"id": "Approval_EndUser_Assignment", "setting": {"isApprovalRequired": approval}},
            note("Notification_Admin_Admin_Eligibility", alerts),
            note("Notification_Admin_Admin_Assignment", alerts),
            note("Notification_Admin_EndUser_Assignment", alerts),
            {"id": "AuthenticationContext_EndUser_Assignment",
             "isEnabled": context.is_some(), "claimValue": context},
        ]}})
    };
    let mut i = inputs();
    // The defaults PIM gives a role: no approval, no alert recipients.
    i.pim = Ok(vec![
        policy(ga, false, &[], None),
        policy(pra, false, &[], Some("c4")),
    ]);
    for id in [
        "MS.AAD.7.6",
        "MS.AAD.7.7",
        "MS.AAD.7.8",
        "MS.AAD.7.9",
        "EC.9",
    ] {
        assert_eq!(status(&i, id), Status::Fail, "{id}");
    }
    let sec = ["secops@contoso.com"];
    i.pim = Ok(vec![
        policy(ga, true, &sec, None),
        policy(pra, false, &sec, Some("c4")),
    ]);
    policies(
        &mut i,
        vec![json!({"displayName": "Step-up", "state": "enabled",
            "conditions": {"applications": {"includeAuthenticationContextClassReferences": ["c4"]}},
            "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}})],
    );
    for id in [
        "MS.AAD.7.6",
        "MS.AAD.7.7",
        "MS.AAD.7.8",
        "MS.AAD.7.9",
        "EC.9",
    ] {
        assert_eq!(status(&i, id), Status::Pass, "{id}");
    }
    i.pim = Err("needs Entra ID P2".into());
    assert!(matches!(status(&i, "MS.AAD.7.6"), Status::NotEvaluable(_)));
}

#[test]
fn approvers_who_can_approve_and_activations_that_ask_for_something() {
    let exo = "29232cdf-9323-42fd-ade2-1d097af3e4de";
    let ga = "62e90394-69f5-4237-9190-012177145e10";
    let approval = |approvers: serde_json::Value| {
        json!({"id": "Approval_EndUser_Assignment", "setting": {"isApprovalRequired": true,
            "approvalStages": [{"primaryApprovers": approvers}]}})
    };
    let single = |id: &str| json!({"@odata.type": "#microsoft.graph.singleUser", "userId": id});
    let mfa = json!({"id": "Enablement_EndUser_Assignment", "enabledRules": ["MultiFactorAuthentication"]});
    let mut i = inputs();
    i.users = Ok(vec![
        json!({"id": "julia", "displayName": "Julia Novak", "accountEnabled": false}),
        json!({"id": "ada", "displayName": "Ada", "accountEnabled": true}),
    ]);
    // Julia cannot sign in and "gone" is not in the directory: nobody can approve.
    i.pim = Ok(vec![
        json!({"roleDefinitionId": exo, "policy": {"rules": [approval(json!([single("julia"), single("gone")]))]}}),
        json!({"roleDefinitionId": ga, "policy": {"rules": [json!({"id": "Enablement_EndUser_Assignment", "enabledRules": ["Justification"]})]}}),
    ]);
    assert_eq!(status(&i, "EC.10"), Status::Fail);
    assert_eq!(status(&i, "EC.11"), Status::Fail);
    // One approver who can sign in, or a group, or none named (PIM's defaults) is enough.
    for approvers in [
        json!([single("julia"), single("ada")]),
        json!([{"@odata.type": "#microsoft.graph.groupMembers", "groupId": "g"}]),
        json!([]),
    ] {
        i.pim = Ok(vec![
            json!({"roleDefinitionId": exo, "policy": {"rules": [approval(approvers), mfa.clone()]}}),
            json!({"roleDefinitionId": ga, "policy": {"rules": [mfa.clone()]}}),
        ]);
        assert_eq!(status(&i, "EC.10"), Status::Pass);
        assert_eq!(status(&i, "EC.11"), Status::Pass);
    }
}

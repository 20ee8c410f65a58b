//! SCuBA authentication methods policy rules: Microsoft Authenticator shows the sign-in's
//! context, the migration from the legacy MFA and SSPR policies is complete, and the weak
//! methods (SMS, voice call, email one-time passcode) are off.

use super::model::{Evidence, Finding, Inputs, Rule, Severity, Status, s};
use serde_json::Value;

static AUTHENTICATOR_CONTEXT: Rule = Rule {
    id: "MS.AAD.3.3",
    scuba: Some("MS.AAD.3.3v1"),
    eidsca: Some("EIDSCA.AM06, EIDSCA.AM07, EIDSCA.AM09, EIDSCA.AM10"),
    cis: Some("5.2.3.1"),
    title: "Microsoft Authenticator shows the application and location of the sign-in",
    severity: Severity::Medium,
    remediation: "Authentication methods > Microsoft Authenticator > Configure: show application name and geographic location, both enabled for all users.",
    reads: "GET /policies/authenticationMethodsPolicy",
};
static MIGRATION: Rule = Rule {
    id: "MS.AAD.3.4",
    scuba: Some("MS.AAD.3.4v1"),
    eidsca: Some("EIDSCA.AG01"),
    cis: None,
    title: "The authentication methods migration is complete",
    severity: Severity::Medium,
    remediation: "Authentication methods > Policies > Manage migration: Migration complete (after moving the legacy MFA and SSPR settings).",
    reads: "GET /policies/authenticationMethodsPolicy (policyMigrationState)",
};
static WEAK: Rule = Rule {
    id: "MS.AAD.3.5",
    scuba: Some("MS.AAD.3.5v1"),
    eidsca: None,
    cis: Some("5.2.3.5"),
    title: "SMS, voice call and email one-time passcode are disabled",
    severity: Severity::Medium,
    remediation: "Authentication methods > Policies: disable SMS, Voice call and Email OTP.",
    reads: "GET /policies/authenticationMethodsPolicy (authenticationMethodConfigurations)",
};

pub static RULES: [&Rule; 3] = [&AUTHENTICATOR_CONTEXT, &MIGRATION, &WEAK];

/// The methods SCuBA calls weak, by configuration id, and their names in the admin center.
const WEAK_METHODS: [(&str, &str); 3] = [
    ("Sms", "SMS"),
    ("Voice", "Voice call"),
    ("Email", "Email OTP"),
];

fn configurations(policy: &Value) -> Result<&Vec<Value>, String> {
    policy["authenticationMethodConfigurations"]
        .as_array()
        .ok_or_else(|| {
            "the authentication methods policy came without authenticationMethodConfigurations"
                .into()
        })
}

fn method<'a>(configs: &'a [Value], id: &str) -> Option<&'a Value> {
    configs
        .iter()
        .find(|c| c["id"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(id)))
}

fn evidence(note: String) -> Evidence {
    Evidence {
        blade: "tenant",
        id: "authenticationMethodsPolicy".into(),
        name: "Authentication methods policy".into(),
        note,
    }
}

fn migration(policy: &Value) -> Finding {
    let state = s(policy, "policyMigrationState");
    if state.is_empty() {
        return super::model::not_evaluable(&MIGRATION, "policyMigrationState was not returned");
    }
    let ev = if state == "migrationComplete" {
        Vec::new()
    } else {
        vec![evidence(format!("policyMigrationState is {state}"))]
    };
    super::model::judged(
        &MIGRATION,
        ev,
        "migration complete: only the authentication methods policy applies",
        "the legacy MFA and SSPR policies still apply",
    )
}

/// Authenticator on for all users, number matching's companions (app name, location) enabled
/// for all users. If Authenticator is off the rule has nothing to judge and passes.
fn authenticator(configs: &[Value]) -> Finding {
    let Some(a) = method(configs, "MicrosoftAuthenticator") else {
        return super::model::not_evaluable(
            &AUTHENTICATOR_CONTEXT,
            "no MicrosoftAuthenticator configuration was returned",
        );
    };
    if a["state"] != "enabled" {
        return Finding {
            rule: &AUTHENTICATOR_CONTEXT,
            status: Status::Pass,
            detail: "Microsoft Authenticator is disabled".into(),
            evidence: Vec::new(),
        };
    }
    let mut gaps = Vec::new();
    for (key, what) in [
        ("displayAppInformationRequiredState", "application name"),
        (
            "displayLocationInformationRequiredState",
            "geographic location",
        ),
    ] {
        let f = &a["featureSettings"][key];
        let all = f["includeTarget"]["id"] == "all_users";
        match (f["state"].as_str(), all) {
            (Some("enabled"), true) => {}
            (Some("enabled"), false) => gaps.push(format!("{what}: enabled for some users only")),
            (Some(state), _) => gaps.push(format!("{what}: {state}")),
            (None, _) => gaps.push(format!("{what}: not set")),
        }
    }
    super::model::judged(
        &AUTHENTICATOR_CONTEXT,
        gaps.into_iter().map(evidence).collect(),
        "Authenticator shows the application and the location to all users",
        "Authenticator does not show the sign-in's context",
    )
}

fn weak(configs: &[Value]) -> Finding {
    let ev = WEAK_METHODS
        .iter()
        .filter_map(|(id, name)| {
            let c = method(configs, id)?;
            (c["state"] == "enabled").then(|| evidence(format!("{name} is enabled")))
        })
        .collect();
    super::model::judged(
        &WEAK,
        ev,
        "SMS, voice call and email OTP are disabled",
        "weak methods are enabled",
    )
}

pub fn run(i: &Inputs) -> Vec<Finding> {
    let policy = match &i.methods {
        Ok(p) => p,
        Err(e) => {
            return RULES
                .iter()
                .map(|r| super::model::not_evaluable(r, e))
                .collect();
        }
    };
    let migrated = migration(policy);
    match configurations(policy) {
        Ok(c) => vec![authenticator(c), migrated, weak(c)],
        Err(e) => vec![
            super::model::not_evaluable(&AUTHENTICATOR_CONTEXT, &e),
            migrated,
            super::model::not_evaluable(&WEAK, &e),
        ],
    }
}

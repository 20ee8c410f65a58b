//! `:protect`: the guided setup for protecting Conditional Access policy management, in the
//! order the Entra docs require (else the step-up never completes): 1. create and publish an
//! authentication context; 2. create the CA policy that targets it, On, break-glass accounts
//! excluded, with a device-trust filter or phishing-resistant MFA; 3. only then assign the
//! context to the CA-policy permissions. Every step is a previewed write (the write panel).
//! Working protection is kept: when an enabled policy already enforces a context on these
//! permissions the wizard says so and stops (`:protect new` sets up another one anyway), or
//! reuses that context for the permissions that lack it.

use crate::msg::RequestId;
use serde_json::{Value, json};

/// The permissions step 3 protects (Entra's "Protect CAP" setup).
pub const PERMISSIONS: &[&str] = &[
    "microsoft.directory-conditionalAccessPolicies-basic-update-patch",
    "microsoft.directory-conditionalAccessPolicies-create-post",
    "microsoft.directory-conditionalAccessPolicies-delete-delete",
];

/// Where the wizard is.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Waiting for the protection facts to pick the next free context id.
    Start,
    Context,
    /// Resolving the break-glass accounts to object ids.
    Resolving(RequestId),
    Policy,
    /// Waiting for fresh facts before step 3 (is the policy really On?).
    Checking,
    /// Assigning the context to PERMISSIONS[n].
    Actions(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Wizard {
    pub step: Step,
    pub context: String,
    /// `:protect new`: set up a new context even when one already protects.
    pub force: bool,
    /// The permissions step 3 assigns (those not already protected by `context`).
    pub todo: Vec<&'static str>,
    /// The policy step 2 created (for the closing summary).
    pub policy: Option<String>,
}

/// The name step 1 proposes for the new context.
pub const CONTEXT_NAME: &str = "Protect Conditional Access management";

/// Where the three permissions stand: each one's context, when an enabled policy enforces it.
pub(crate) fn enforced_contexts(
    facts: &crate::protect::Facts,
) -> Vec<(&'static str, Option<String>)> {
    PERMISSIONS
        .iter()
        .map(|id| {
            let ctx = facts
                .actions
                .iter()
                .find(|a| a["id"].as_str() == Some(id))
                .filter(|a| {
                    crate::protect::action_state(a, facts) == crate::protect::ActionState::Protected
                })
                .and_then(|a| a["authenticationContextId"].as_str())
                .map(str::to_string);
            (*id, ctx)
        })
        .collect()
}

/// "c1 \"Protect CAP\" (protected by CAP - Protect … (On): requires …)".
pub(crate) fn describe(ctx: &str, facts: &crate::protect::Facts) -> String {
    let p = crate::protect::context_protection(ctx, "", facts);
    let name = p.context.as_ref().map(|c| c.1.clone()).unwrap_or_default();
    let by: Vec<String> = p
        .policies
        .iter()
        .filter(|(_, s, _)| s == "On")
        .map(|(n, s, r)| format!("{n} ({s}): {r}"))
        .collect();
    crate::sanitize::clean(&format!(
        "{ctx} \"{name}\" (protected by {})",
        by.join("; ")
    ))
}

/// The policy bodies step 2 offers (the admin chooses the requirement).
pub fn policy_bodies(ctx: &str, exclude: &[String]) -> Vec<(String, Value)> {
    let base = |name: &str, devices: Value, grant: Value| {
        json!({
            "displayName": format!("CAP - Protect Conditional Access management ({ctx}, {name})"),
            "state": "enabled",
            "conditions": {
                "users": {"includeUsers": ["All"], "excludeUsers": exclude},
                "applications": {"includeAuthenticationContextClassReferences": [ctx]},
                "clientAppTypes": ["all"],
                "devices": devices
            },
            "grantControls": grant
        })
    };
    // Phishing-resistant MFA first: it can be met by the device-code step-up this console
    // does from a jump host; a device requirement cannot (predict.rs).
    vec![
        (
            "Phishing-resistant MFA".into(),
            base(
                "phishing-resistant MFA",
                Value::Null,
                json!({"operator": "OR", "builtInControls": [], "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}}),
            ),
        ),
        (
            "Entra-joined or hybrid-joined device".into(),
            base(
                "device",
                json!({"deviceFilter": {"mode": "exclude", "rule": "device.trustType -eq \"AzureAD\" -or device.trustType -eq \"ServerAD\""}}),
                json!({"operator": "OR", "builtInControls": ["block"]}),
            ),
        ),
    ]
}

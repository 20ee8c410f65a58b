//! Whether the step-up this console can perform would satisfy a context's policies, predicted
//! from the policies before a protected write: the console re-authenticates by device code,
//! so the sign-in carries no device (no compliance, no join state, no filterable attributes)
//! and its authentication flow is the device code flow.

use crate::ca::strs;
use crate::protect::Facts;
use serde_json::Value;

/// Why a device-code sign-in cannot satisfy `policy` (an enabled policy that applies), if it
/// cannot: block (with or without a device filter), a device-code-flow block, or controls
/// only a managed device or an approved app can meet.
pub fn unsatisfiable(policy: &Value) -> Option<String> {
    let c = &policy["conditions"];
    let g = &policy["grantControls"];
    let controls = strs(&g["builtInControls"]);
    let has = |x: &str| controls.iter().any(|c| c == x);
    // An include filter matches only devices with the attributes: a sign-in without a device
    // is not in scope of the policy.
    if c["devices"]["deviceFilter"]["mode"].as_str() == Some("include") {
        return None;
    }
    let flows = c["authenticationFlows"]["transferMethods"]
        .as_str()
        .unwrap_or_default()
        .split(',')
        .any(|m| m.trim().eq_ignore_ascii_case("deviceCodeFlow"));
    if has("block") {
        if flows {
            return Some("blocks the device code flow".into());
        }
        if c["devices"]["deviceFilter"]["rule"].is_string() {
            return Some("blocks devices that do not match its device filter".into());
        }
        // Other conditions (location, platform, risk) may not match: say "may".
        let narrowed = [
            "locations",
            "platforms",
            "clientAppTypes",
            "signInRiskLevels",
        ]
        .iter()
        .any(|k| !c[*k].is_null() && c[*k] != serde_json::json!(["all"]));
        return Some(if narrowed {
            "may block this sign-in (block access)".into()
        } else {
            "blocks access".into()
        });
    }
    let device: Vec<&str> = controls
        .iter()
        .map(String::as_str)
        .filter(|x| {
            matches!(
                *x,
                "compliantDevice"
                    | "domainJoinedDevice"
                    | "approvedApplication"
                    | "compliantApplication"
            )
        })
        .collect();
    let others = controls.len() - device.len()
        + usize::from(!g["authenticationStrength"].is_null())
        + strs(&g["termsOfUse"]).len();
    let and = g["operator"].as_str() == Some("AND");
    if !device.is_empty() && (and || others == 0) {
        let what: Vec<&str> = device
            .iter()
            .map(|d| match *d {
                "compliantDevice" => "a compliant device",
                "domainJoinedDevice" => "a hybrid-joined device",
                "approvedApplication" => "an approved client app",
                _ => "an app protection policy",
            })
            .collect();
        return Some(format!(
            "requires {}",
            what.join(if and { " and " } else { " or " })
        ));
    }
    None
}

/// For a write protected by `acrs`: one line per enabled policy targeting it that a
/// device-code sign-in cannot satisfy (empty when the step-up can succeed, as far as the
/// policies tell).
pub fn step_up_problems(acrs: &str, facts: &Facts) -> Vec<String> {
    facts
        .policies_targeting(acrs)
        .into_iter()
        .filter(|p| p["state"].as_str() == Some("enabled"))
        .filter_map(|p| {
            let why = unsatisfiable(p)?;
            let name = crate::sanitize::clean(p["displayName"].as_str().unwrap_or("a policy"));
            Some(format!(
                "{name} ({acrs}) {why}: a device-code sign-in has no device state and cannot satisfy it, so this write will fail from this machine"
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn policy(conditions: Value, grant: Value) -> Value {
        json!({"displayName": "CAP", "state": "enabled",
            "conditions": conditions, "grantControls": grant})
    }

    #[test]
    fn device_state_and_flows_cannot_be_met_by_device_code() {
        let filter = policy(
            json!({"devices": {"deviceFilter": {"mode": "exclude", "rule": "device.trustType -eq \"AzureAD\""}}}),
            json!({"operator": "OR", "builtInControls": ["block"]}),
        );
        assert!(unsatisfiable(&filter).unwrap().contains("device filter"));
        let compliant = policy(
            json!({}),
            json!({"operator": "OR", "builtInControls": ["compliantDevice"]}),
        );
        assert_eq!(
            unsatisfiable(&compliant).unwrap(),
            "requires a compliant device"
        );
        let flows = policy(
            json!({"authenticationFlows": {"transferMethods": "deviceCodeFlow,authenticationTransfer"}}),
            json!({"operator": "OR", "builtInControls": ["block"]}),
        );
        assert_eq!(
            unsatisfiable(&flows).unwrap(),
            "blocks the device code flow"
        );
        // MFA, a strength, or compliant-or-MFA can be met in the browser of another device.
        for ok in [
            json!({"operator": "OR", "builtInControls": ["mfa"]}),
            json!({"operator": "OR", "builtInControls": [], "authenticationStrength": {"id": "x"}}),
            json!({"operator": "OR", "builtInControls": ["compliantDevice", "mfa"]}),
        ] {
            assert_eq!(unsatisfiable(&policy(json!({}), ok.clone())), None, "{ok}");
        }
    }
}

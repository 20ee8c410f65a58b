//! What If: evaluates Conditional Access policies for one sign-in without the network, saying
//! for each policy whether it applies and why not; an input that is not given stays unknown.

use crate::graph::model::strs;
use serde_json::Value;
use std::collections::BTreeSet;

/// Three-valued answer: a condition whose input is not known is neither met nor missed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tri {
    Yes,
    No,
    Unknown,
}

/// What the sign-in is for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Target {
    /// Not given: app conditions are unknown.
    #[default]
    Unknown,
    /// An application id (or `Office365`, `MicrosoftAdminPortals`).
    App(String),
    /// An authentication context (`c1`).
    AuthContext(String),
    /// `urn:user:registersecurityinfo` or `urn:user:registerdevice`.
    UserAction(String),
    /// Any sign-in to manage the tenant (the lockout guard's question).
    AdminAccess,
}

/// Where the sign-in comes from, resolved against the named locations.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    /// Named location ids the sign-in falls in.
    pub locations: BTreeSet<String>,
    pub trusted: bool,
}

/// One sign-in to evaluate; `None` means "not given".
#[derive(Clone, Debug, Default)]
pub struct SignIn {
    pub user_id: String,
    pub guest: Option<bool>,
    /// Groups the user is a member of (transitively); `None` when not known.
    pub groups: Option<BTreeSet<String>>,
    /// Role template ids the user holds (active); `None` when not known.
    pub roles: Option<BTreeSet<String>>,
    pub target: Target,
    pub platform: Option<String>,
    pub place: Option<Place>,
    pub client_app: Option<String>,
    pub sign_in_risk: Option<String>,
    pub user_risk: Option<String>,
    /// `AzureAD` (joined), `ServerAD` (hybrid), `Workplace` (registered) or `none`.
    pub device_trust: Option<String>,
    /// `deviceCodeFlow`, `authenticationTransfer` or `none`.
    pub auth_flow: Option<String>,
}

/// Why a condition did not match or is unknown: a Graph `analysisReasons` name and a sentence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub code: &'static str,
    pub text: String,
}

/// One policy's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub applies: Tri,
    /// Report-only and off policies never enforce.
    pub enforced: bool,
    pub reasons: Vec<Reason>,
}

fn reason(code: &'static str, text: impl Into<String>) -> Reason {
    Reason {
        code,
        text: text.into(),
    }
}

/// `Some(true)` when the known set meets the list, `None` when the set is unknown.
fn meets(list: &[String], set: Option<&BTreeSet<String>>) -> Option<bool> {
    if list.is_empty() {
        return Some(false);
    }
    set.map(|s| list.iter().any(|x| s.contains(x)))
}

fn users(p: &Value, s: &SignIn) -> (Tri, Option<Reason>) {
    let u = &p["conditions"]["users"];
    if u.is_null() {
        return (Tri::Unknown, Some(reason("users", "no users condition")));
    }
    let inc = strs(&u["includeUsers"]);
    let exc = strs(&u["excludeUsers"]);
    let guest_rule = |key: &str, list: &[String]| {
        !u[key].is_null() || list.iter().any(|x| x == "GuestsOrExternalUsers")
    };
    // Exclusions win over inclusions.
    let mut unknown = Vec::new();
    if exc.contains(&s.user_id) {
        return (Tri::No, Some(reason("users", "user is excluded")));
    }
    if guest_rule("excludeGuestsOrExternalUsers", &exc) {
        match s.guest {
            Some(true) => return (Tri::No, Some(reason("users", "guests are excluded"))),
            None => unknown.push("whether the user is a guest"),
            Some(false) => {}
        }
    }
    match meets(&strs(&u["excludeGroups"]), s.groups.as_ref()) {
        Some(true) => return (Tri::No, Some(reason("users", "user's group is excluded"))),
        None => unknown.push("group membership (excluded groups)"),
        Some(false) => {}
    }
    match meets(&strs(&u["excludeRoles"]), s.roles.as_ref()) {
        Some(true) => return (Tri::No, Some(reason("users", "user's role is excluded"))),
        None => unknown.push("roles (excluded roles)"),
        Some(false) => {}
    }
    let included = if inc.iter().any(|x| x == "None") {
        Tri::No
    } else if inc.iter().any(|x| x == "All") || inc.contains(&s.user_id) {
        Tri::Yes
    } else {
        let mut any_unknown = false;
        let mut yes = false;
        if guest_rule("includeGuestsOrExternalUsers", &inc) {
            match s.guest {
                Some(g) => yes |= g,
                None => any_unknown = true,
            }
        }
        for (list, set) in [
            (strs(&u["includeGroups"]), s.groups.as_ref()),
            (strs(&u["includeRoles"]), s.roles.as_ref()),
        ] {
            match meets(&list, set) {
                Some(m) => yes |= m,
                None => any_unknown = true,
            }
        }
        match (yes, any_unknown) {
            (true, _) => Tri::Yes,
            (false, true) => Tri::Unknown,
            (false, false) => Tri::No,
        }
    };
    match included {
        Tri::No => (Tri::No, Some(reason("users", "user is not included"))),
        _ if !unknown.is_empty() => (
            Tri::Unknown,
            Some(reason("users", format!("unknown: {}", unknown.join(", ")))),
        ),
        Tri::Unknown => (
            Tri::Unknown,
            Some(reason("users", "unknown: group or role membership")),
        ),
        Tri::Yes => (Tri::Yes, None),
    }
}

/// Apps that stand for administering the tenant: the lockout guard's targets.
const ADMIN_APPS: &[&str] = &[
    "All",
    "MicrosoftAdminPortals",
    // Windows Azure Service Management API and Microsoft Graph.
    "797f4846-ba00-4fd7-ba43-dac1f8f63013",
    "00000003-0000-0000-c000-000000000000",
];

fn target(p: &Value, s: &SignIn) -> (Tri, Option<Reason>) {
    let a = &p["conditions"]["applications"];
    let apps = strs(&a["includeApplications"]);
    let excluded = strs(&a["excludeApplications"]);
    let ctx = strs(&a["includeAuthenticationContextClassReferences"]);
    let actions = strs(&a["includeUserActions"]);
    let no = |code, text: String| (Tri::No, Some(reason(code, text)));
    match &s.target {
        Target::Unknown => (
            Tri::Unknown,
            Some(reason("application", "unknown: no app or context given")),
        ),
        Target::AuthContext(c) if ctx.contains(c) => (Tri::Yes, None),
        Target::AuthContext(c) => no(
            "authenticationContext",
            format!("does not target context {c}"),
        ),
        Target::UserAction(u) if actions.contains(u) => (Tri::Yes, None),
        Target::UserAction(u) => no("userActions", format!("does not target {u}")),
        Target::App(app) if excluded.contains(app) => no("application", "app is excluded".into()),
        Target::App(app) if apps.iter().any(|x| x == "All" || x == app) => (Tri::Yes, None),
        Target::App(_) if apps.iter().any(|x| x == "Office365") => (
            Tri::Unknown,
            Some(reason(
                "application",
                "unknown: whether the app belongs to Office 365",
            )),
        ),
        Target::App(_) => no("application", "app is not targeted".into()),
        Target::AdminAccess if apps.iter().any(|x| ADMIN_APPS.contains(&x.as_str())) => {
            (Tri::Yes, None)
        }
        Target::AdminAccess => no("application", "does not target admin access".into()),
    }
}

/// A list condition: empty (or `all`) matches everything; otherwise the value must be listed.
fn listed(
    list: &[String],
    value: Option<&String>,
    code: &'static str,
    what: &str,
) -> (Tri, Option<Reason>) {
    if list.is_empty() || list.iter().any(|x| x.eq_ignore_ascii_case("all")) {
        return (Tri::Yes, None);
    }
    match value {
        None => (
            Tri::Unknown,
            Some(reason(code, format!("unknown: {what} not given"))),
        ),
        Some(v) if list.iter().any(|x| x.eq_ignore_ascii_case(v)) => (Tri::Yes, None),
        Some(v) => (
            Tri::No,
            Some(reason(code, format!("{what} {v} is not targeted"))),
        ),
    }
}

fn platforms(p: &Value, s: &SignIn) -> (Tri, Option<Reason>) {
    let c = &p["conditions"]["platforms"];
    let inc = strs(&c["includePlatforms"]);
    if c.is_null() || inc.is_empty() {
        return (Tri::Yes, None);
    }
    let exc = strs(&c["excludePlatforms"]);
    let r = listed(&inc, s.platform.as_ref(), "devicePlatform", "platform");
    match (&r.0, &s.platform) {
        // Platform names compare without case (`ios` is `iOS`).
        (Tri::Yes, Some(pl)) if exc.iter().any(|x| x.eq_ignore_ascii_case(pl)) => (
            Tri::No,
            Some(reason(
                "devicePlatform",
                format!("platform {pl} is excluded"),
            )),
        ),
        // "all" matches any platform, but with exclusions an unknown platform may be one.
        (Tri::Yes, None) if !exc.is_empty() => (
            Tri::Unknown,
            Some(reason("devicePlatform", "unknown: platform not given")),
        ),
        _ => r,
    }
}

fn locations(p: &Value, s: &SignIn) -> (Tri, Option<Reason>) {
    let c = &p["conditions"]["locations"];
    let inc = strs(&c["includeLocations"]);
    let exc = strs(&c["excludeLocations"]);
    if c.is_null() || (inc.is_empty() && exc.is_empty()) {
        return (Tri::Yes, None);
    }
    let Some(place) = &s.place else {
        return (
            Tri::Unknown,
            Some(reason("location", "unknown: location not given")),
        );
    };
    let hit = |list: &[String]| {
        list.iter().any(|x| {
            x == "All" || (x == "AllTrusted" && place.trusted) || place.locations.contains(x)
        })
    };
    let exc_hit = exc
        .iter()
        .any(|x| (x == "AllTrusted" && place.trusted) || x == "All" || place.locations.contains(x));
    if exc_hit {
        (
            Tri::No,
            Some(reason("location", "sign-in location is excluded")),
        )
    } else if inc.is_empty() || hit(&inc) {
        (Tri::Yes, None)
    } else {
        (
            Tri::No,
            Some(reason("location", "sign-in location is not included")),
        )
    }
}

/// Evaluate a device filter rule for a device known only by its trust type (What If): a
/// clause on another attribute is unknown (see [`super::device_filter`]).
pub fn device_rule(rule: &str, trust: &str) -> Option<bool> {
    super::device_filter::matches(rule, &serde_json::json!({ "trustType": trust }))
}

fn devices(p: &Value, s: &SignIn) -> (Tri, Option<Reason>) {
    let f = &p["conditions"]["devices"]["deviceFilter"];
    let Some(rule) = f["rule"].as_str() else {
        return (Tri::Yes, None);
    };
    let exclude = f["mode"].as_str() == Some("exclude");
    let Some(trust) = &s.device_trust else {
        return (
            Tri::Unknown,
            Some(reason("devices", "unknown: device not given")),
        );
    };
    match (device_rule(rule, trust), exclude) {
        (None, _) => (
            Tri::Unknown,
            Some(reason(
                "devices",
                "unknown: the device filter uses attributes not given",
            )),
        ),
        (Some(true), false) | (Some(false), true) => (Tri::Yes, None),
        (Some(true), true) => (
            Tri::No,
            Some(reason("devices", "device is excluded by the filter")),
        ),
        (Some(false), false) => (
            Tri::No,
            Some(reason("devices", "device does not match the filter")),
        ),
    }
}

fn flows(p: &Value, s: &SignIn) -> (Tri, Option<Reason>) {
    let methods: Vec<String> = p["conditions"]["authenticationFlows"]["transferMethods"]
        .as_str()
        .map(|m| m.split(',').map(|x| x.trim().to_string()).collect())
        .unwrap_or_default();
    if methods.is_empty() {
        return (Tri::Yes, None);
    }
    listed(
        &methods,
        s.auth_flow.as_ref(),
        "authenticationFlow",
        "authentication flow",
    )
}

/// Evaluate one policy for one sign-in.
pub fn evaluate(p: &Value, s: &SignIn) -> Outcome {
    let state = p["state"].as_str().unwrap_or_default();
    let c = &p["conditions"];
    let checks = [
        users(p, s),
        target(p, s),
        platforms(p, s),
        locations(p, s),
        listed(
            &strs(&c["clientAppTypes"]),
            s.client_app.as_ref(),
            "clientApps",
            "client app",
        ),
        listed(
            &strs(&c["signInRiskLevels"]),
            s.sign_in_risk.as_ref(),
            "signInRisk",
            "sign-in risk",
        ),
        listed(
            &strs(&c["userRiskLevels"]),
            s.user_risk.as_ref(),
            "userRisk",
            "user risk",
        ),
        devices(p, s),
        flows(p, s),
    ];
    let mut reasons = Vec::new();
    if state == "disabled" {
        reasons.push(reason("policyNotEnabled", "policy is off"));
        return Outcome {
            applies: Tri::No,
            enforced: false,
            reasons,
        };
    }
    let any_no = checks.iter().any(|(t, _)| *t == Tri::No);
    let applies = if any_no {
        Tri::No
    } else if checks.iter().any(|(t, _)| *t == Tri::Unknown) {
        Tri::Unknown
    } else {
        Tri::Yes
    };
    for (t, r) in checks {
        // When a condition rules the policy out, unknowns elsewhere do not matter.
        if let Some(r) = r
            && (t == Tri::No || !any_no)
        {
            reasons.push(r);
        }
    }
    Outcome {
        applies,
        enforced: state == "enabled",
        reasons,
    }
}

/// The controls of a policy the lockout guard treats as impossible to meet in an emergency:
/// block, or only device/app requirements (a jump host or a break-glass laptop meets none).
pub fn blocks(p: &Value) -> Option<String> {
    let g = &p["grantControls"];
    let controls = strs(&g["builtInControls"]);
    if controls.iter().any(|c| c == "block") {
        return Some("blocks access".into());
    }
    const DEVICE: &[&str] = &[
        "compliantDevice",
        "domainJoinedDevice",
        "approvedApplication",
        "compliantApplication",
    ];
    let device: Vec<&String> = controls
        .iter()
        .filter(|c| DEVICE.contains(&c.as_str()))
        .collect();
    let and = g["operator"].as_str() == Some("AND");
    let strength = !g["authenticationStrength"].is_null();
    let others = controls.len() - device.len() + usize::from(strength);
    if !device.is_empty() && (and || others == 0) {
        return Some(format!(
            "requires {}",
            device
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(if and { " and " } else { " or " })
        ));
    }
    None
}

#[cfg(test)]
#[path = "eval_tests.rs"]
mod tests;

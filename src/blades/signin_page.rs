//! One sign-in's page, answering "from where and how": time, user, app, resource, client; IP
//! and place; the device; the authentication requirement and each method step with its result
//! (beta-only properties: the page reads the sign-in from `/beta`, signin-get.md); risk during
//! the sign-in; the status with Graph's code in words; every Conditional Access policy with its
//! result (report-only ones too) and what it enforced; the ids to quote. `p` opens the policy
//! that decided it, `u` the user.

use super::common::text;
use super::def::{ObjectKind, ObjectRef};
use super::def::{Step, Verb};
use crate::graph::Request;
use crate::graph::endpoints::path_segment;
use crate::widgets::sheet::{Sheet, show};
use serde_json::Value;

/// `GET /beta/auditLogs/signIns/{id}`: the methods used and the requirement are beta-only.
pub fn request(id: &str) -> Request {
    Request::get(format!("/auditLogs/signIns/{}", path_segment(id)))
        .beta()
        .header("Prefer", "include-unknown-enum-members")
}

fn yes_no(v: &Value) -> String {
    match v.as_bool() {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => "—".into(),
    }
}

/// `trustType` in the words of the admin center.
fn join_words(t: &str) -> String {
    match t {
        "AzureAD" | "AzureAd" => "Entra joined".into(),
        "Hybrid Azure AD joined" | "ServerAd" | "Hybrid" => "hybrid joined".into(),
        "Workplace" | "Azure AD registered" => "registered".into(),
        "" => "not registered".into(),
        other => crate::sanitize::clean(other),
    }
}

/// A policy's result in words (conditionalaccesspolicyresult values; report-only ones are
/// evolvable members named only with `Prefer: include-unknown-enum-members`).
fn result_words(r: &str) -> &'static str {
    match r {
        "success" => "met",
        "failure" => "NOT MET (blocked)",
        "notApplied" => "not applied",
        "notEnabled" => "off",
        "reportOnlySuccess" => "report-only: met",
        "reportOnlyFailure" => "report-only: would fail",
        "reportOnlyNotApplied" => "report-only: not applied",
        "reportOnlyInterrupted" => "report-only: interrupt",
        "unknownFutureValue" => "report-only (unnamed)",
        _ => "unknown",
    }
}

fn joined(v: &Value) -> String {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(crate::sanitize::clean)
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

pub fn sheet(v: &Value) -> Sheet {
    let mut s = Sheet::default();
    let p = |k: &str| show(&v[k]);
    let code = v["status"]["errorCode"].as_i64();
    let a = s.section("Sign-in");
    a.push(("Time".into(), p("createdDateTime")));
    a.push((
        "User".into(),
        format!(
            "{} ({})",
            text(v, "userDisplayName"),
            text(v, "userPrincipalName")
        ),
    ));
    a.push(("App".into(), p("appDisplayName")));
    a.push(("Resource".into(), p("resourceDisplayName")));
    a.push(("Client app".into(), p("clientAppUsed")));
    a.push(("Interactive".into(), yes_no(&v["isInteractive"])));
    let result = match code {
        Some(0) => "success".to_string(),
        Some(c) => format!("{c}: {}", explain_code(c)),
        None => "—".to_string(),
    };
    a.push(("Result".into(), result));
    let reason = text(&v["status"], "failureReason");
    if !reason.is_empty() && code != Some(0) {
        a.push(("Failure reason".into(), reason));
    }
    let more = text(&v["status"], "additionalDetails");
    if !more.is_empty() {
        a.push(("Details".into(), more));
    }
    let loc = &v["location"];
    let w = s.section("From where");
    w.push(("IP address".into(), p("ipAddress")));
    let place = [
        text(loc, "city"),
        text(loc, "state"),
        text(loc, "countryOrRegion"),
    ]
    .into_iter()
    .filter(|x| !x.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    w.push((
        "Location".into(),
        if place.is_empty() {
            "—".into()
        } else {
            place
        },
    ));
    let d = &v["deviceDetail"];
    let dev = s.section("Device");
    let name = text(d, "displayName");
    dev.push((
        "Name".into(),
        if name.is_empty() {
            "— (not registered)".into()
        } else {
            name
        },
    ));
    dev.push(("OS".into(), show(&d["operatingSystem"])));
    dev.push(("Browser".into(), show(&d["browser"])));
    dev.push(("Compliant".into(), yes_no(&d["isCompliant"])));
    dev.push(("Managed".into(), yes_no(&d["isManaged"])));
    dev.push(("Join type".into(), join_words(&text(d, "trustType"))));
    let au = s.section("Authentication");
    au.push((
        "Requirement".into(),
        match v["authenticationRequirement"].as_str() {
            Some("multiFactorAuthentication") => "multifactor".into(),
            Some("singleFactorAuthentication") => "single factor".into(),
            Some(o) => crate::sanitize::clean(o),
            None => "— (not in this answer)".into(),
        },
    ));
    match v["authenticationDetails"].as_array() {
        Some(steps) if !steps.is_empty() => {
            for st in steps {
                let ok = match st["succeeded"].as_bool() {
                    Some(true) => "succeeded",
                    Some(false) => "FAILED",
                    None => "?",
                };
                let detail = [
                    text(st, "authenticationMethodDetail"),
                    text(st, "authenticationStepResultDetail"),
                ]
                .into_iter()
                .filter(|x| !x.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
                au.push((text(st, "authenticationMethod"), format!("{ok}: {detail}")));
            }
        }
        _ => au.push(("Methods".into(), "— (not in this answer)".into())),
    }
    let r = s.section("Risk");
    r.push(("During sign-in".into(), p("riskLevelDuringSignIn")));
    r.push(("Aggregated".into(), p("riskLevelAggregated")));
    r.push(("State".into(), p("riskState")));
    let events = joined(&v["riskEventTypes_v2"]);
    r.push((
        "Events".into(),
        if events.is_empty() {
            "none".into()
        } else {
            events
        },
    ));
    let ca = s.section("Conditional Access");
    ca.push(("Status".into(), p("conditionalAccessStatus")));
    for pol in v["appliedConditionalAccessPolicies"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let mut words = text(pol, "displayName");
        let grant = joined(&pol["enforcedGrantControls"]);
        let session = joined(&pol["enforcedSessionControls"]);
        if !grant.is_empty() {
            words.push_str(&format!("; grant: {grant}"));
        }
        if !session.is_empty() {
            words.push_str(&format!("; session: {session}"));
        }
        ca.push((
            result_words(pol["result"].as_str().unwrap_or_default()).to_string(),
            words,
        ));
    }
    let ids = s.section("Ids");
    ids.push(("Sign-in id".into(), p("id")));
    ids.push(("Correlation id".into(), p("correlationId")));
    ids.push(("User id".into(), p("userId")));
    ids.push(("App id".into(), p("appId")));
    s
}

/// `p`: the policy that decided the sign-in (or the first one it met).
fn policy(s: &super::verb::Scope) -> Vec<Step> {
    let Some(v) = s.page else {
        return Vec::new();
    };
    match deciding_policy(v) {
        Some(target) => vec![Step::Open(target)],
        None => vec![Step::say(
            "no Conditional Access policy applied to this sign-in",
        )],
    }
}

/// `u`: the user who signed in.
fn user(s: &super::verb::Scope) -> Vec<Step> {
    let Some(v) = s.page else {
        return Vec::new();
    };
    vec![Step::OpenPage {
        page: "user",
        id: text(v, "userId"),
        name: text(v, "userDisplayName"),
    }]
}

/// A sign-in's page.
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "sign-in",
    collection: "sign-ins",
    request,
    sheet: |v, _, _| sheet(v),
    needs_facts: false,
    principal: false,
    members: false,
    computed: None,
    verbs: &[
        Verb {
            name: "policy",
            keys: &["p"],
            label: "policy",
            help: "The Conditional Access policy that decided this sign-in",
            writes: false,
            run: policy,
        },
        Verb {
            name: "user",
            keys: &["u"],
            label: "user",
            help: "The page of the user who signed in",
            writes: false,
            run: user,
        },
    ],
};

/// A sign-in error code in words (Entra's AADSTS codes most seen in triage).
pub fn explain_code(code: i64) -> &'static str {
    match code {
        0 => "signed in",
        50053 => "account locked: too many failed attempts, or sign-in from a blocked IP",
        50055 => "password expired",
        50057 => "account disabled",
        50058 => "no session: the user was not signed in",
        50074 | 50076 => "MFA required (Conditional Access or per-user MFA) and not done",
        50079 => "the user must register for MFA",
        50097 => "device authentication required",
        50105 => "the user is not assigned to the application",
        50126 => "wrong user name or password",
        50140 => "the \"stay signed in\" prompt interrupted the sign-in",
        50158 => "an external security challenge was not satisfied",
        53000 => "blocked by Conditional Access: the device must be compliant or managed",
        53001 => "blocked by Conditional Access: the device must be domain-joined",
        53002 => "blocked by Conditional Access: an approved client app is required",
        53003 => "blocked by Conditional Access",
        53004 => "blocked: MFA registration is not allowed from here",
        530032 => "blocked by a security policy",
        500121 => "MFA was not completed (denied, timed out or failed)",
        65001 => "the user or an admin has not consented to the application",
        70044 => "the session expired",
        90095 => "admin consent is required",
        _ => "see the failure reason",
    }
}

/// The policies whose result decided the sign-in (`failure` first, then enforced ones).
pub fn deciding(v: &Value) -> Vec<&Value> {
    let all: Vec<&Value> = v["appliedConditionalAccessPolicies"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let failed: Vec<&Value> = all
        .iter()
        .copied()
        .filter(|p| p["result"] == "failure")
        .collect();
    if !failed.is_empty() {
        return failed;
    }
    all.into_iter()
        .filter(|p| p["result"] == "success")
        .collect()
}

/// The policy that blocked the sign-in (or the first one it met).
pub fn deciding_policy(v: &Value) -> Option<ObjectRef> {
    let p = deciding(v).into_iter().next()?;
    Some(ObjectRef {
        kind: ObjectKind(&super::ca::DETAIL),
        id: text(p, "id"),
        name: text(p, "displayName"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_sheet_names_where_how_and_every_policy() {
        let v = json!({"id": "s1", "userDisplayName": "Chen Wei", "userPrincipalName": "chen@x",
            "ipAddress": "203.0.113.45", "status": {"errorCode": 50126, "failureReason": "bad"},
            "location": {"city": "Lagos", "state": null, "countryOrRegion": "NG"},
            "deviceDetail": {"operatingSystem": "Windows10", "browser": "Edge", "isCompliant": false, "trustType": ""},
            "authenticationDetails": [{"authenticationMethod": "Password", "succeeded": false, "authenticationStepResultDetail": "Invalid password"}],
            "appliedConditionalAccessPolicies": [{"displayName": "CA003", "result": "reportOnlyNotApplied"},
                {"displayName": "CA001", "result": "failure", "enforcedGrantControls": ["Mfa"]}]});
        let text = format!("{:?}", sheet(&v));
        for want in [
            "Lagos, NG",
            "203.0.113.45",
            "50126: wrong user name or password",
            "FAILED: Invalid password",
            "report-only: not applied",
            "NOT MET (blocked)",
            "CA001; grant: Mfa",
            "not registered",
        ] {
            assert!(text.contains(want), "{want}: {text}");
        }
    }
}

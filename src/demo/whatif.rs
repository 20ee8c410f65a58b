//! The demo tenant's What If: `POST /identity/conditionalAccess/evaluate` answered with the
//! tenant's full knowledge (memberships, roles, named locations); an input the request leaves
//! out makes a policy that depends on it not apply, with that condition as the reason.

use super::membership::{groups_of, roles_of};
use super::server::Shared;
use crate::ca::eval::{Target, Tri};
use crate::ca::{SignIn, evaluate};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

fn text(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

/// The request body as a sign-in (graph-api.md §4.4 for the shapes).
fn sign_in(state: &Shared, body: &Value) -> Result<SignIn, String> {
    let t = state
        .tenant
        .read()
        .map_err(|_| "demo tenant state is unavailable".to_string())?;
    let user = body["signInIdentity"]["userId"]
        .as_str()
        .ok_or("signInIdentity.userId is required")?;
    let u = t
        .user(user)
        .ok_or_else(|| format!("user '{user}' does not exist"))?;
    let id = u["id"].as_str().unwrap_or_default().to_string();
    let groups = groups_of(&t, &id);
    let roles = roles_of(&t, &id, &groups);
    let ctx = &body["signInContext"];
    let target = match ctx["@odata.type"].as_str().unwrap_or_default() {
        "#microsoft.graph.applicationContext" => crate::ca::strs(&ctx["includeApplications"])
            .first()
            .map(|a| Target::App(a.clone()))
            .unwrap_or_default(),
        "#microsoft.graph.authContext" => text(&ctx["authenticationContextValue"])
            .map(Target::AuthContext)
            .unwrap_or_default(),
        "#microsoft.graph.userActionContext" => match ctx["userAction"].as_str() {
            Some("registerSecurityInformation") => {
                Target::UserAction("urn:user:registersecurityinfo".into())
            }
            Some("registerOrJoinDevices") => Target::UserAction("urn:user:registerdevice".into()),
            _ => Target::Unknown,
        },
        _ => Target::Unknown,
    };
    let c = &body["signInConditions"];
    let place = text(&c["ipAddress"])
        .or_else(|| text(&c["country"]).map(|x| format!("country:{x}")))
        .map(|q| crate::ca::location::place(&q, &t.policy.locations).unwrap_or_default());
    Ok(SignIn {
        user_id: id,
        guest: Some(u["userType"].as_str() == Some("Guest")),
        groups: Some(groups),
        roles: Some(roles),
        target,
        platform: text(&c["devicePlatform"]),
        place,
        client_app: text(&c["clientAppType"]),
        sign_in_risk: text(&c["signInRiskLevel"]),
        user_risk: text(&c["userRiskLevel"]),
        device_trust: text(&c["deviceInfo"]["trustType"]),
        auth_flow: text(&c["authenticationFlow"]["transferMethod"]),
    })
}

/// `POST /identity/conditionalAccess/evaluate`: a collection of whatIfAnalysisResult.
pub async fn evaluate_policies(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (ctx, body) = match super::server::json_request(&headers, &body, "BadRequest") {
        Ok(x) => x,
        Err(r) => return r,
    };
    let s = match sign_in(&state, &body) {
        Ok(s) => s,
        Err(e) => return ctx.error(400, "BadRequest", &e),
    };
    let applied_only = body["appliedPoliciesOnly"].as_bool().unwrap_or(false);
    let Ok(t) = state.tenant.read() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let mut out = Vec::new();
    for p in &t.policy.policies {
        let o = evaluate(p, &s);
        let applies = o.applies == Tri::Yes;
        if applied_only && !applies {
            continue;
        }
        let reasons: Vec<&str> = o.reasons.iter().map(|r| r.code).collect();
        let mut v = p.clone();
        v["policyApplies"] = json!(applies);
        // A condition the request says nothing about cannot be evaluated.
        v["analysisReasons"] = json!(match o.applies {
            Tri::Yes => "notSet".to_string(),
            Tri::Unknown => "notEnoughInformation".to_string(),
            Tri::No => reasons.join(","),
        });
        out.push(v);
    }
    ctx.respond(StatusCode::OK, json!({
        "@odata.context": format!("{}/v1.0/$metadata#Collection(microsoft.graph.whatIfAnalysisResult)", ctx.origin),
        "value": out
    }))
}

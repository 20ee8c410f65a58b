//! The demo tenant's What If: `POST /identity/conditionalAccess/evaluate` answered with the
//! tenant's full knowledge (memberships, roles, named locations), by the demo's own reading of
//! the conditionalAccessConditionSet docs (not the console's evaluator). An input the request
//! leaves out makes a policy that depends on it `notEnoughInformation`.

use super::membership::{groups_of, roles_of};
use super::rules::strings;
use super::server::Shared;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::BTreeSet;

fn text(v: &Value) -> Option<String> {
    v.as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

/// What the sign-in is for (`signInContext`).
enum Aim {
    App(String),
    Context(String),
    Action(String),
    Nothing,
}

/// The sign-in as the request describes it, with what the tenant knows of the user.
struct Sign {
    id: String,
    guest: bool,
    groups: BTreeSet<String>,
    roles: BTreeSet<String>,
    aim: Aim,
    platform: Option<String>,
    /// The named locations the IP or country falls in, and whether one is trusted.
    place: Option<(BTreeSet<String>, bool)>,
    client: Option<String>,
    sign_in_risk: Option<String>,
    user_risk: Option<String>,
    trust: Option<String>,
    flow: Option<String>,
}

/// One condition's answer.
enum Check {
    Yes,
    No(&'static str),
    Missing,
}

/// Which named locations an IP address or a country is in.
fn place(q: &Value, locations: &[Value]) -> Option<(BTreeSet<String>, bool)> {
    let ip: Option<std::net::IpAddr> = text(&q["ipAddress"]).and_then(|i| i.parse().ok());
    let country = text(&q["country"]).map(|c| c.to_ascii_uppercase());
    if ip.is_none() && country.is_none() {
        return None;
    }
    let mut ids = BTreeSet::new();
    let mut trusted = false;
    for l in locations {
        let inside = match (ip, &country) {
            (Some(ip), _) => l["ipRanges"].as_array().into_iter().flatten().any(|r| {
                r["cidrAddress"]
                    .as_str()
                    .and_then(|c| c.parse::<ipnet::IpNet>().ok())
                    .is_some_and(|n| n.contains(&ip))
            }),
            (None, Some(c)) => strings(&l["countriesAndRegions"])
                .iter()
                .any(|x| x.eq_ignore_ascii_case(c)),
            _ => false,
        };
        if inside {
            if let Some(id) = l["id"].as_str() {
                ids.insert(id.to_string());
            }
            trusted |= l["isTrusted"] == json!(true);
        }
    }
    Some((ids, trusted))
}

/// The request body as a sign-in (graph-api.md §4.4 for the shapes).
fn sign_in(state: &Shared, body: &Value) -> Result<Sign, String> {
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
    let aim = match ctx["@odata.type"].as_str().unwrap_or_default() {
        "#microsoft.graph.applicationContext" => strings(&ctx["includeApplications"])
            .into_iter()
            .next()
            .map(Aim::App)
            .unwrap_or(Aim::Nothing),
        "#microsoft.graph.authContext" => text(&ctx["authenticationContextValue"])
            .map(Aim::Context)
            .unwrap_or(Aim::Nothing),
        "#microsoft.graph.userActionContext" => match ctx["userAction"].as_str() {
            Some("registerSecurityInformation") => {
                Aim::Action("urn:user:registersecurityinfo".into())
            }
            Some("registerOrJoinDevices") => Aim::Action("urn:user:registerdevice".into()),
            _ => Aim::Nothing,
        },
        _ => Aim::Nothing,
    };
    let c = &body["signInConditions"];
    Ok(Sign {
        id,
        guest: u["userType"].as_str() == Some("Guest"),
        groups,
        roles,
        aim,
        platform: text(&c["devicePlatform"]),
        place: place(c, &t.policy.locations),
        client: text(&c["clientAppType"]),
        sign_in_risk: text(&c["signInRiskLevel"]),
        user_risk: text(&c["userRiskLevel"]),
        trust: text(&c["deviceInfo"]["trustType"]),
        flow: text(&c["authenticationFlow"]["transferMethod"]),
    })
}

fn users(p: &Value, s: &Sign) -> Check {
    let u = &p["conditions"]["users"];
    let has = |k: &str, set: &BTreeSet<String>| strings(&u[k]).iter().any(|x| set.contains(x));
    let listed = |k: &str| strings(&u[k]);
    let guest_kw = |k: &str| s.guest && listed(k).iter().any(|x| x == "GuestsOrExternalUsers");
    let excluded = listed("excludeUsers").contains(&s.id)
        || guest_kw("excludeUsers")
        || (s.guest && u["excludeGuestsOrExternalUsers"].is_object())
        || has("excludeGroups", &s.groups)
        || has("excludeRoles", &s.roles);
    let included = listed("includeUsers")
        .iter()
        .any(|x| x == "All" || *x == s.id)
        || guest_kw("includeUsers")
        || (s.guest && u["includeGuestsOrExternalUsers"].is_object())
        || has("includeGroups", &s.groups)
        || has("includeRoles", &s.roles);
    if included && !excluded {
        Check::Yes
    } else {
        Check::No("users")
    }
}

/// Well-known apps inside the `Office365` and `MicrosoftAdminPortals` groups.
const OFFICE_365: &[&str] = &[
    "00000002-0000-0ff1-ce00-000000000000",
    "00000003-0000-0ff1-ce00-000000000000",
    "cc15fd57-2c6c-4117-a88c-83b1d56b4bbe",
];
const ADMIN_PORTALS: &[&str] = &["c44b4083-3bb0-49c1-b47d-974e53cbdf3c"];

fn aim(p: &Value, s: &Sign) -> Check {
    let a = &p["conditions"]["applications"];
    match &s.aim {
        Aim::Nothing => Check::Missing,
        Aim::Context(c) => {
            if strings(&a["includeAuthenticationContextClassReferences"]).contains(c) {
                Check::Yes
            } else {
                Check::No("authenticationContext")
            }
        }
        Aim::Action(x) => {
            if strings(&a["includeUserActions"]).contains(x) {
                Check::Yes
            } else {
                Check::No("userActions")
            }
        }
        Aim::App(app) => {
            let inc = strings(&a["includeApplications"]);
            let exc = strings(&a["excludeApplications"]);
            let is = |list: &[String]| {
                list.iter().any(|x| {
                    x == "All"
                        || x.eq_ignore_ascii_case(app)
                        || app == "All"
                        || (x == "Office365" && OFFICE_365.contains(&app.as_str()))
                        || (x == "MicrosoftAdminPortals" && ADMIN_PORTALS.contains(&app.as_str()))
                })
            };
            let excluded = exc
                .iter()
                .any(|x| x == "All" || x.eq_ignore_ascii_case(app));
            if is(&inc) && !excluded {
                Check::Yes
            } else {
                Check::No("application")
            }
        }
    }
}

/// A list condition that an absent input cannot decide (empty list: no condition).
fn among(list: Vec<String>, given: &Option<String>, reason: &'static str) -> Check {
    if list.is_empty() || list.iter().any(|x| x.eq_ignore_ascii_case("all")) {
        return Check::Yes;
    }
    match given {
        None => Check::Missing,
        Some(v) if list.iter().any(|x| x.eq_ignore_ascii_case(v)) => Check::Yes,
        Some(_) => Check::No(reason),
    }
}

fn platform(p: &Value, s: &Sign) -> Check {
    let c = &p["conditions"]["platforms"];
    let inc = strings(&c["includePlatforms"]);
    let exc = strings(&c["excludePlatforms"]);
    if inc.is_empty() {
        return Check::Yes;
    }
    let Some(pl) = &s.platform else {
        return Check::Missing;
    };
    let hit = |l: &[String]| {
        l.iter()
            .any(|x| x.eq_ignore_ascii_case("all") || x.eq_ignore_ascii_case(pl))
    };
    if hit(&inc) && !exc.iter().any(|x| x.eq_ignore_ascii_case(pl)) {
        Check::Yes
    } else {
        Check::No("devicePlatform")
    }
}

fn location(p: &Value, s: &Sign) -> Check {
    let c = &p["conditions"]["locations"];
    let inc = strings(&c["includeLocations"]);
    let exc = strings(&c["excludeLocations"]);
    if inc.is_empty() && exc.is_empty() {
        return Check::Yes;
    }
    let Some((ids, trusted)) = &s.place else {
        return Check::Missing;
    };
    let hit = |l: &[String]| {
        l.iter()
            .any(|x| x == "All" || (x == "AllTrusted" && *trusted) || ids.contains(x))
    };
    if hit(&exc) || !(inc.is_empty() || hit(&inc)) {
        Check::No("location")
    } else {
        Check::Yes
    }
}

/// Device filters of `device.trustType -eq|-ne "X"` clauses joined by `-and`/`-or`.
fn device(p: &Value, s: &Sign) -> Check {
    let f = &p["conditions"]["devices"]["deviceFilter"];
    let Some(rule) = f["rule"].as_str() else {
        return Check::Yes;
    };
    let Some(trust) = &s.trust else {
        return Check::Missing;
    };
    let clause = |c: &str| {
        let words: Vec<&str> = c.split_whitespace().collect();
        match words.as_slice() {
            [_, op, v] => {
                let same = v.trim_matches('"').eq_ignore_ascii_case(trust);
                if op.eq_ignore_ascii_case("-ne") {
                    !same
                } else {
                    same
                }
            }
            _ => false,
        }
    };
    let matched = rule
        .split(" -or ")
        .any(|alt| alt.split(" -and ").all(|c| clause(c.trim())));
    let exclude = f["mode"].as_str() == Some("exclude");
    if matched == exclude {
        Check::No("devices")
    } else {
        Check::Yes
    }
}

fn flow(p: &Value, s: &Sign) -> Check {
    let methods: Vec<String> = p["conditions"]["authenticationFlows"]["transferMethods"]
        .as_str()
        .map(|m| m.split(',').map(|x| x.trim().to_string()).collect())
        .unwrap_or_default();
    among(methods, &s.flow, "authenticationFlow")
}

/// `(policyApplies, analysisReasons)` for one policy.
fn judge(p: &Value, s: &Sign) -> (bool, String) {
    if p["state"].as_str() == Some("disabled") {
        return (false, "policyNotEnabled".into());
    }
    let c = &p["conditions"];
    let checks = [
        users(p, s),
        aim(p, s),
        platform(p, s),
        location(p, s),
        among(strings(&c["clientAppTypes"]), &s.client, "clientApps"),
        among(
            strings(&c["signInRiskLevels"]),
            &s.sign_in_risk,
            "signInRisk",
        ),
        among(strings(&c["userRiskLevels"]), &s.user_risk, "userRisk"),
        device(p, s),
        flow(p, s),
    ];
    let no: Vec<&str> = checks
        .iter()
        .filter_map(|c| match c {
            Check::No(r) => Some(*r),
            _ => None,
        })
        .collect();
    if !no.is_empty() {
        return (false, no.join(","));
    }
    if checks.iter().any(|c| matches!(c, Check::Missing)) {
        return (false, "notEnoughInformation".into());
    }
    (true, "notSet".into())
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
        let (applies, reasons) = judge(p, &s);
        if applied_only && !applies {
            continue;
        }
        let mut v = p.clone();
        v["policyApplies"] = json!(applies);
        v["analysisReasons"] = json!(reasons);
        out.push(v);
    }
    ctx.respond(StatusCode::OK, json!({
        "@odata.context": format!("{}/v1.0/$metadata#Collection(microsoft.graph.whatIfAnalysisResult)", ctx.origin),
        "value": out
    }))
}

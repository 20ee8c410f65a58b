//! The demo tenant's identity endpoints: device code (auto-approved after a poll or two),
//! refresh tokens, client credentials, tokens carrying `acrs` when claims ask for it, and the
//! `--step-up pass|block|loop` scenarios (design §2).

use super::server::{Ctx, Shared};
use crate::rng::Rng;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};
use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

/// The refresh token `--demo` starts with (the demo tenant only exists on loopback).
pub const DEMO_REFRESH_TOKEN: &str = "demo-refresh-token";

/// What the demo identity does with a claims request for an authentication context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum StepUpMode {
    /// Grant the context after an interactive (device code) sign-in.
    Pass,
    /// Fail the interactive sign-in with AADSTS53003 (blocked by Conditional Access).
    Block,
    /// Issue tokens that never carry the context (the "policy never satisfied" loop).
    Loop,
    /// Evaluate the tenant's enabled policies targeting the context against a device-code
    /// sign-in, as Entra does: no device state, so a block (device filter, device code flow,
    /// or plain) answers AADSTS53003 and a compliant or joined device requirement AADSTS530003.
    Device,
}

struct Flow {
    polls: u32,
    acrs: Option<String>,
    cp1: bool,
    /// Who signs in (the request's `login_hint`, else the demo admin).
    user: String,
}

/// The demo admin: who `demo-refresh-token` and a device code without a hint sign in as.
const ADMIN: &str = "adele.vance@tailspindemo.onmicrosoft.com";

/// Identity state: device flows in progress, refresh tokens issued, statistics for tests.
pub struct Identity {
    pub mode: StepUpMode,
    /// Poll outcomes forced on the next polls (`authorization_pending`, `slow_down`, ...).
    pub poll_script: Mutex<VecDeque<String>>,
    flows: Mutex<HashMap<String, Flow>>,
    /// Refresh tokens issued, each with the user it signs in.
    refresh: Mutex<HashMap<String, String>>,
    rng: Mutex<Rng>,
    /// Token endpoint requests, and those without the `cp1` capability.
    pub token_requests: Mutex<(u32, u32)>,
    /// Device code flows started.
    pub device_flows: std::sync::atomic::AtomicUsize,
    pub lifetime_secs: u64,
}

impl Identity {
    pub fn new(mode: StepUpMode, seed: u64, poll_script: Vec<String>) -> Self {
        Identity {
            mode,
            poll_script: Mutex::new(poll_script.into()),
            flows: Mutex::new(HashMap::new()),
            refresh: Mutex::new(HashMap::from([(
                DEMO_REFRESH_TOKEN.to_string(),
                ADMIN.to_string(),
            )])),
            rng: Mutex::new(Rng::new(seed ^ 0x1d)),
            token_requests: Mutex::new((0, 0)),
            device_flows: Default::default(),
            lifetime_secs: 3600,
        }
    }

    fn random(&self, n: usize, alphabet: &[u8]) -> String {
        let Ok(mut r) = self.rng.lock() else {
            return "X".repeat(n);
        };
        (0..n)
            .map(|_| alphabet[r.below(alphabet.len())] as char)
            .collect()
    }
}

fn parse_claims(form: &HashMap<String, String>) -> (bool, Option<String>) {
    let Some(v) = form
        .get("claims")
        .and_then(|c| serde_json::from_str::<Value>(c).ok())
    else {
        return (false, None);
    };
    let at = &v["access_token"];
    let cp1 = at["xms_cc"]["values"]
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x == "cp1"));
    (cp1, at["acrs"]["value"].as_str().map(str::to_string))
}

fn aad_error(error: &str, code: u32, text: &str) -> Response {
    let body = json!({
        "error": error,
        "error_description": format!("AADSTS{code}: {text}\r\nTrace ID: 00000000-0000-0000-0000-000000000000\r\nTimestamp: {}", chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ")),
        "error_codes": [code],
        "timestamp": chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string(),
    });
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

fn b64(v: &Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

/// Issue tokens for a demo user (delegated: `who`, a UPN) or the app (app-only).
fn issue(
    state: &Shared,
    tenant: &str,
    acrs: Option<&str>,
    cp1: bool,
    delegated: Option<&str>,
) -> Response {
    let id = &state.identity;
    let now = chrono::Utc::now().timestamp();
    let who = delegated.unwrap_or(ADMIN).to_string();
    let admin = state
        .tenant
        .read()
        .ok()
        .and_then(|t| t.user(&who).cloned())
        .unwrap_or_default();
    let delegated = delegated.is_some();
    let mut payload = json!({
        "aud": "https://graph.microsoft.com",
        "iss": format!("https://sts.windows.net/{tenant}/"),
        "tid": tenant,
        "iat": now,
        "nbf": now,
        "exp": now + id.lifetime_secs as i64,
        "app_displayname": "Microsoft Graph Command Line Tools",
    });
    if delegated {
        payload["oid"] = admin["id"].clone();
        payload["upn"] = admin["userPrincipalName"].clone();
        payload["name"] = admin["displayName"].clone();
        payload["scp"] = json!(
            "Directory.Read.All Group.Read.All User.Read.All Policy.Read.All Policy.ReadWrite.ConditionalAccess RoleManagement.ReadWrite.Directory"
        );
    } else {
        payload["roles"] = json!(["Directory.Read.All", "Policy.Read.All"]);
    }
    if cp1 {
        payload["xms_cc"] = json!(["cp1"]);
    }
    if let Some(a) = acrs {
        payload["acrs"] = json!([a]);
    }
    let token = format!(
        "{}.{}.demo-signature",
        b64(&json!({"typ": "JWT", "alg": "none"})),
        b64(&payload)
    );
    let mut body = json!({
        "token_type": "Bearer",
        "scope": payload["scp"].as_str().unwrap_or("https://graph.microsoft.com/.default"),
        "expires_in": id.lifetime_secs,
        "ext_expires_in": id.lifetime_secs,
        "access_token": token,
    });
    if delegated {
        let rt = format!(
            "demo-rt-{}",
            id.random(24, b"abcdefghijklmnopqrstuvwxyz0123456789")
        );
        if let Ok(mut set) = id.refresh.lock() {
            set.insert(rt.clone(), who.clone());
        }
        body["refresh_token"] = json!(rt);
    }
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// `POST /{tenant}/oauth2/v2.0/devicecode`
pub async fn devicecode(
    State(state): State<Shared>,
    Path(_tenant): Path<String>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let ctx = Ctx::new(&headers);
    if form.get("client_id").is_none_or(|c| c.is_empty()) {
        return aad_error(
            "invalid_request",
            900144,
            "The request body must contain the following parameter: 'client_id'.",
        );
    }
    let id = &state.identity;
    id.device_flows
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (cp1, acrs) = parse_claims(&form);
    if !cp1 && let Ok(mut n) = id.token_requests.lock() {
        n.1 += 1;
    }
    let device_code = id.random(
        40,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    );
    let user_code = id.random(9, b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789");
    if let Ok(mut flows) = id.flows.lock() {
        flows.insert(
            device_code.clone(),
            Flow {
                polls: 0,
                acrs,
                cp1,
                user: form
                    .get("login_hint")
                    .filter(|h| !h.is_empty())
                    .cloned()
                    .unwrap_or_else(|| ADMIN.to_string()),
            },
        );
    }
    let uri = format!("{}/devicelogin", ctx.origin);
    let body = json!({
        "device_code": device_code,
        "user_code": user_code,
        "verification_uri": uri,
        "expires_in": 900,
        "interval": 1,
        "message": format!("To sign in, use a web browser to open the page {uri} and enter the code {user_code} to authenticate."),
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}

/// `POST /{tenant}/oauth2/v2.0/token`
pub async fn token(
    State(state): State<Shared>,
    Path(tenant): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let id = &state.identity;
    let (cp1, acrs) = parse_claims(&form);
    if let Ok(mut n) = id.token_requests.lock() {
        n.0 += 1;
        if !cp1 {
            n.1 += 1;
        }
    }
    let tid = if tenant.contains('.') || tenant == "organizations" || tenant == "common" {
        "8a3e6b7c-1f2d-4e5a-9b8c-7d6e5f4a3b2c".to_string()
    } else {
        tenant
    };
    match form.get("grant_type").map(String::as_str) {
        Some("urn:ietf:params:oauth:grant-type:device_code") => {
            if let Some(forced) = id.poll_script.lock().ok().and_then(|mut s| s.pop_front()) {
                return match forced.as_str() {
                    "slow_down" => aad_error("slow_down", 70016, "Polling too fast; slow down."),
                    "authorization_declined" => aad_error(
                        "authorization_declined",
                        70016,
                        "The end user denied the authorization request.",
                    ),
                    "expired_token" => {
                        aad_error("expired_token", 70019, "Verification code expired.")
                    }
                    "bad_verification_code" => aad_error(
                        "bad_verification_code",
                        70018,
                        "The provided value for the input parameter 'device_code' is not valid.",
                    ),
                    _ => aad_error(
                        "authorization_pending",
                        70016,
                        "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                    ),
                };
            }
            let code = form.get("device_code").cloned().unwrap_or_default();
            let Ok(mut flows) = id.flows.lock() else {
                return aad_error("server_error", 90033, "demo identity unavailable");
            };
            let Some(flow) = flows.get_mut(&code) else {
                return aad_error(
                    "bad_verification_code",
                    70018,
                    "The provided value for the input parameter 'device_code' is not valid.",
                );
            };
            flow.polls += 1;
            if flow.polls < 2 {
                return aad_error(
                    "authorization_pending",
                    70016,
                    "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                );
            }
            let wanted = flow.acrs.clone().or(acrs);
            let cp1 = flow.cp1 || cp1;
            let user = flow.user.clone();
            flows.remove(&code);
            drop(flows);
            let verdict = match (wanted.as_deref(), id.mode) {
                (Some(acrs), StepUpMode::Device) => device_code_verdict(&state, acrs),
                _ => None,
            };
            if let Some(code) = verdict {
                return match code {
                    530003 => aad_error(
                        "invalid_grant",
                        530003,
                        "Your device is required to be managed to access this resource.",
                    ),
                    _ => aad_error(
                        "invalid_grant",
                        53003,
                        "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
                    ),
                };
            }
            match (wanted.as_deref(), id.mode) {
                (Some(_), StepUpMode::Block) => aad_error(
                    "invalid_grant",
                    53003,
                    "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
                ),
                (Some(_), StepUpMode::Loop) => issue(&state, &tid, None, cp1, Some(&user)),
                (a, _) => issue(&state, &tid, a, cp1, Some(&user)),
            }
        }
        Some("refresh_token") => {
            let rt = form.get("refresh_token").cloned().unwrap_or_default();
            // `demo-refresh-token:UPN` signs in that demo user (a second admin for four eyes).
            let known = id.refresh.lock().ok().and_then(|s| s.get(&rt).cloned());
            let hinted = rt
                .strip_prefix("demo-refresh-token:")
                .filter(|upn| state.tenant.read().is_ok_and(|t| t.user(upn).is_some()))
                .map(str::to_string);
            let Some(user) = known.or(hinted) else {
                return aad_error(
                    "invalid_grant",
                    70043,
                    "The refresh token has expired or is invalid due to sign-in frequency checks by conditional access.",
                );
            };
            match (acrs.as_deref(), id.mode) {
                // Silent step-up is not enough here: the policy needs an interactive sign-in.
                (Some(_), StepUpMode::Pass | StepUpMode::Block | StepUpMode::Device) => aad_error(
                    "interaction_required",
                    50076,
                    "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.",
                ),
                (Some(_), StepUpMode::Loop) | (None, _) => {
                    issue(&state, &tid, None, cp1, Some(&user))
                }
            }
        }
        Some("client_credentials") => {
            if form.get("client_secret").is_none_or(|s| s.is_empty()) {
                return aad_error("invalid_client", 7000215, "Invalid client secret provided.");
            }
            issue(&state, &tid, None, cp1, None)
        }
        other => aad_error(
            "unsupported_grant_type",
            70003,
            &format!(
                "The app requested an unsupported grant type '{}'.",
                other.unwrap_or("")
            ),
        ),
    }
}

/// The AADSTS code a device-code sign-in gets for context `acrs` from the tenant's enabled
/// policies, or `None` when it satisfies them. The demo's own reading of the policies (not the
/// console's): the sign-in has no device, so device filters never match and no device is
/// compliant or joined.
fn device_code_verdict(state: &Shared, acrs: &str) -> Option<u32> {
    let tenant = state.tenant.read().ok()?;
    let mut verdict = None;
    for p in &tenant.policy.policies {
        let targets =
            p["conditions"]["applications"]["includeAuthenticationContextClassReferences"]
                .as_array()
                .is_some_and(|a| a.iter().any(|c| c.as_str() == Some(acrs)));
        if !targets || p["state"].as_str() != Some("enabled") {
            continue;
        }
        let grant: Vec<&str> = p["grantControls"]["builtInControls"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let filter = &p["conditions"]["devices"]["deviceFilter"];
        // An include filter matches no device attributes: the policy does not apply.
        if filter["mode"].as_str() == Some("include") {
            continue;
        }
        if grant.contains(&"block") {
            return Some(53003);
        }
        let managed = ["compliantDevice", "domainJoinedDevice"];
        let needs_device = if p["grantControls"]["operator"].as_str() == Some("AND") {
            grant.iter().any(|g| managed.contains(g))
        } else {
            !grant.is_empty()
                && grant.iter().all(|g| managed.contains(g))
                && p["grantControls"]["authenticationStrength"].is_null()
        };
        if needs_device {
            verdict = Some(530003);
        }
    }
    verdict
}

/// The page the device code message points at (the demo approves automatically).
pub async fn devicelogin() -> Html<&'static str> {
    Html(
        "<html><body><h1>entra-console demo tenant</h1><p>Device codes are approved automatically after a poll or two.</p></body></html>",
    )
}

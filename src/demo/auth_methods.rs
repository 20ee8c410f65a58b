//! The demo tenant's incident-response surface: a user's authentication methods (list, delete by
//! type), Temporary Access Pass creation, registration details, `revokeSignInSessions`, and who
//! may act on whom (the "Who can reset passwords" table: reset and invalidating refresh tokens;
//! the methods of admins need a privileged authentication role).

// Handlers return a ready `Response` as their error.
#![allow(clippy::result_large_err)]

use super::server::{Ctx, Shared};
use super::store::Tenant;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::HashMap;

const FIXTURE: &str = include_str!("../../assets/demo-tenant/auth-methods.json");

/// The fixture's methods by user id (`@demo.createdDaysAgo` made a `createdDateTime`).
pub fn load() -> Result<HashMap<String, Vec<Value>>, String> {
    let doc: Value =
        serde_json::from_str(FIXTURE).map_err(|e| format!("auth-methods.json: {e}"))?;
    let now = chrono::Utc::now();
    let mut out = HashMap::new();
    for (uid, list) in doc["value"].as_object().into_iter().flatten() {
        let mut methods = Vec::new();
        for m in list.as_array().into_iter().flatten() {
            let mut m = m.clone();
            if let Some(o) = m.as_object_mut()
                && let Some(days) = o.remove("@demo.createdDaysAgo").and_then(|d| d.as_i64())
            {
                let at = now - chrono::Duration::days(days) - chrono::Duration::hours(3);
                o.insert(
                    "createdDateTime".into(),
                    json!(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
                );
            }
            methods.push(m);
        }
        out.insert(uid.clone(), methods);
    }
    Ok(out)
}

/// A user the fixture does not list: a password and a mobile phone (phone method ids are
/// fixed per phone type, as in phoneauthenticationmethod.md).
fn default_methods(user: &Value, index: usize) -> Vec<Value> {
    let mut out = vec![json!({
        "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
        "id": "28c10230-6103-485e-b985-444c60001490",
        "password": null,
        "createdDateTime": user["createdDateTime"].clone(),
    })];
    if user["userType"].as_str() != Some("Guest") {
        out.push(json!({
            "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
            "id": "3179e48a-750b-4051-897c-87b9720928f7",
            "phoneNumber": format!("+1 425555{:04}", 1000 + index % 9000),
            "phoneType": "mobile",
            "smsSignInState": "notAllowedByPolicy",
        }));
    }
    out
}

impl Tenant {
    /// A user's methods, made from the defaults the first time they are changed.
    fn methods_mut(&mut self, uid: &str) -> &mut Vec<Value> {
        if !self.auth_methods.contains_key(uid) {
            let list = self.methods_of(uid);
            self.auth_methods.insert(uid.to_string(), list);
        }
        self.auth_methods.entry(uid.to_string()).or_default()
    }

    fn methods_of(&self, uid: &str) -> Vec<Value> {
        if let Some(m) = self.auth_methods.get(uid) {
            return m.clone();
        }
        let index = self.users.iter().position(|u| u["id"] == uid).unwrap_or(0);
        self.user(uid)
            .map(|u| default_methods(u, index))
            .unwrap_or_default()
    }
}

/// A password set now: the password method's `createdDateTime` is when it was last set
/// (passwordauthenticationmethod.md).
pub(super) fn password_set(t: &mut Tenant, uid: &str, at: &str) {
    for m in t.methods_mut(uid) {
        if m["@odata.type"] == "#microsoft.graph.passwordAuthenticationMethod" {
            m["createdDateTime"] = json!(at);
        }
    }
}

/// The display names of the roles `uid` holds actively at tenant scope, directly or through
/// a group.
fn role_names(t: &Tenant, uid: &str) -> Vec<String> {
    let groups = super::membership::groups_of(t, uid);
    super::membership::roles_of(t, uid, &groups)
        .iter()
        .filter_map(|rid| {
            t.roles
                .definitions
                .iter()
                .find(|d| d["id"] == rid.as_str() || d["templateId"] == rid.as_str())
                .and_then(|d| d["displayName"].as_str())
                .map(str::to_string)
        })
        .collect()
}

/// Whether the signed-in admin may act on `target` by one of the article's tables
/// (`passwordReset`: reset a password, invalidate refresh tokens; `sensitiveActions`: disable,
/// enable): one of the admin's roles is in the row of the target's roles. Graph answers 403
/// `Authorization_RequestDenied` otherwise.
pub(super) fn may_act(t: &Tenant, headers: &HeaderMap, target: &str, table: &str) -> bool {
    let Ok(me) = super::membership::me_id(t, headers) else {
        return false;
    };
    let mine = role_names(t, &me);
    let theirs = role_names(t, target);
    able(table, &theirs).iter().any(|r| mine.contains(r))
}

const MATRIX: &str = include_str!("../../assets/password-reset-matrix.json");

/// The article's table, read here on its own (not the console's reading of it): the admin
/// roles (full names) able to act on a user holding `theirs`; each role the user holds must
/// allow it (a role the table does not name is "All other built-in and custom roles").
fn able(table: &str, theirs: &[String]) -> Vec<String> {
    let doc: Value = serde_json::from_str(MATRIX).unwrap_or_default();
    let rows = doc[table].as_object().cloned().unwrap_or_default();
    // The table abbreviates "Administrator" as "Admin" and "Authentication" as "Auth".
    let short = |name: &str| {
        name.replace("Authentication", "Auth")
            .replace("Administrator", "Admin")
    };
    let long = |abbrev: &str| {
        abbrev
            .replace("Auth ", "Authentication ")
            .replace("Admin", "Administrator")
    };
    let keys: Vec<String> = if theirs.is_empty() {
        vec!["User (no admin role)".into()]
    } else {
        theirs
            .iter()
            .map(|r| {
                let s = short(r);
                if rows.contains_key(&s) {
                    s
                } else {
                    "All other built-in and custom roles".into()
                }
            })
            .collect()
    };
    let allowed = |k: &String| -> Vec<String> {
        rows.get(k)
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(long).collect())
            .unwrap_or_default()
    };
    let mut out = allowed(&keys[0]);
    for k in &keys[1..] {
        let next = allowed(k);
        out.retain(|r| next.contains(r));
    }
    out
}

fn may_reset(t: &Tenant, headers: &HeaderMap, target: &str) -> bool {
    may_act(t, headers, target, "passwordReset")
}

/// Graph's 403 to an admin whose roles do not reach the target.
pub(super) fn denied(ctx: &Ctx) -> Response {
    ctx.error(
        403,
        "Authorization_RequestDenied",
        "Insufficient privileges to complete the operation.",
    )
}

/// The user's id (by id or UPN), or Graph's 404.
fn user_id(t: &Tenant, ctx: &Ctx, key: &str) -> Result<String, Response> {
    t.user(key)
        .and_then(|u| u["id"].as_str())
        .map(str::to_string)
        .ok_or_else(|| ctx.not_found(key))
}

/// `POST /users/{id}/revokeSignInSessions`: 200 with `value: true` (user-revokesigninsessions.md);
/// the user's `signInSessionsValidFromDateTime` moves to now.
pub async fn revoke(
    State(state): State<Shared>,
    Path((_v, key)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (ctx, mut t) = match super::server::writing(&state, &headers) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let uid = match user_id(&t, &ctx, &key) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if !may_reset(&t, &headers, &uid) {
        return denied(&ctx);
    }
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    t.patch(
        super::store::Kind::User,
        &uid,
        &json!({ "signInSessionsValidFromDateTime": now }),
    );
    ctx.respond(
        StatusCode::OK,
        json!({
            "@odata.context": format!("{}/v1.0/$metadata#Edm.Boolean", ctx.origin),
            "value": true,
        }),
    )
}

/// `GET /users/{id}/authentication/methods`: every method (a TAP's pass is `null` on reads).
pub async fn list(
    State(state): State<Shared>,
    Path((_v, key)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (ctx, t) = match super::server::reading(&state, &headers) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let uid = match user_id(&t, &ctx, &key) {
        Ok(u) => u,
        Err(r) => return r,
    };
    let value: Vec<Value> = t
        .methods_of(&uid)
        .into_iter()
        .map(|mut m| {
            if m.get("temporaryAccessPass").is_some() {
                m["temporaryAccessPass"] = Value::Null;
            }
            m
        })
        .collect();
    ctx.respond(
        StatusCode::OK,
        json!({
            "@odata.context": format!("{}/v1.0/$metadata#users('{uid}')/authentication/methods", ctx.origin),
            "value": value,
        }),
    )
}

/// The `@odata.type` a per-type collection holds.
fn type_of_segment(segment: &str) -> Option<&'static str> {
    Some(match segment {
        "emailMethods" => "emailAuthenticationMethod",
        "fido2Methods" => "fido2AuthenticationMethod",
        "microsoftAuthenticatorMethods" => "microsoftAuthenticatorAuthenticationMethod",
        "phoneMethods" => "phoneAuthenticationMethod",
        "softwareOathMethods" => "softwareOathAuthenticationMethod",
        "temporaryAccessPassMethods" => "temporaryAccessPassAuthenticationMethod",
        "windowsHelloForBusinessMethods" => "windowsHelloForBusinessAuthenticationMethod",
        "platformCredentialMethods" => "platformCredentialAuthenticationMethod",
        _ => return None,
    })
}

/// `DELETE /users/{id}/authentication/{type}Methods/{methodId}`: 204, 404 for no such method
/// of that type.
pub async fn delete(
    State(state): State<Shared>,
    Path((_v, key, segment, mid)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Response {
    let (ctx, mut t) = match super::server::writing(&state, &headers) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(odata) = type_of_segment(&segment) else {
        return ctx.error(
            400,
            "BadRequest",
            &format!("Resource not found for the segment '{segment}'."),
        );
    };
    let uid = match user_id(&t, &ctx, &key) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if !may_reset(&t, &headers, &uid) {
        return denied(&ctx);
    }
    let want = format!("#microsoft.graph.{odata}");
    let list = t.methods_mut(&uid);
    let before = list.len();
    list.retain(|m| !(m["id"] == mid.as_str() && m["@odata.type"] == want.as_str()));
    if list.len() == before {
        return ctx.not_found(&mid);
    }
    ctx.no_content()
}

/// `POST /users/{id}/authentication/temporaryAccessPassMethods`: 201 with the pass (the only
/// time it is returned). Refused: a guest, a lifetime outside the policy's bounds, the method
/// off in the authentication methods policy (Graph's wording for that is not documented; the
/// demo uses the one tenants report).
pub async fn create_tap(
    State(state): State<Shared>,
    Path((_v, key, segment)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (ctx, mut t) = match super::server::writing(&state, &headers) {
        Ok(x) => x,
        Err(r) => return r,
    };
    if segment != "temporaryAccessPassMethods" {
        return ctx.error(
            405,
            "Request_BadRequest",
            "The requested method is not allowed on this resource.",
        );
    }
    let Ok(req) = serde_json::from_slice::<Value>(&body) else {
        return ctx.error(400, "BadRequest", "Unable to read JSON request payload.");
    };
    let uid = match user_id(&t, &ctx, &key) {
        Ok(u) => u,
        Err(r) => return r,
    };
    if !may_reset(&t, &headers, &uid) {
        return denied(&ctx);
    }
    if t.user(&uid).and_then(|u| u["userType"].as_str()) == Some("Guest") {
        return ctx.error(
            400,
            "BadRequest",
            "Temporary Access Pass cannot be added to an external guest user.",
        );
    }
    let policy = t
        .policy
        .methods
        .get("authenticationMethodConfigurations")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().find(|c| c["id"] == "TemporaryAccessPass"))
        .cloned()
        .unwrap_or(Value::Null);
    if policy["state"].as_str() != Some("enabled") {
        return ctx.error(
            400,
            "BadRequest",
            "Converged UserCredentialPolicy does not allow creating or updating this authentication method. AuthMethodType [TemporaryAccessPass].",
        );
    }
    let lifetime = req["lifetimeInMinutes"]
        .as_i64()
        .or(policy["defaultLifetimeInMinutes"].as_i64())
        .unwrap_or(60);
    let (min, max) = (
        policy["minimumLifetimeInMinutes"].as_i64().unwrap_or(60),
        policy["maximumLifetimeInMinutes"].as_i64().unwrap_or(480),
    );
    if !(10..=43200).contains(&lifetime) || lifetime < min || lifetime > max {
        return ctx.error(
            400,
            "BadRequest",
            &format!("The lifetime {lifetime} minutes is outside the policy's bounds ({min} to {max} minutes)."),
        );
    }
    let once = req["isUsableOnce"]
        .as_bool()
        .unwrap_or(policy["isUsableOnce"].as_bool().unwrap_or(false));
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let start = req["startDateTime"].as_str().unwrap_or(&now).to_string();
    let len = policy["defaultLength"].as_u64().unwrap_or(8).clamp(8, 48) as usize;
    t.seq += 1;
    let mut rng = crate::rng::Rng::new(t.seq ^ chrono::Utc::now().timestamp_micros() as u64);
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789+@#!";
    let pass: String = (0..len)
        .map(|_| CHARS[rng.below(CHARS.len())] as char)
        .collect();
    let method = json!({
        "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
        "id": rng.guid(),
        "temporaryAccessPass": pass,
        "createdDateTime": now,
        "startDateTime": start,
        "lifetimeInMinutes": lifetime,
        "isUsableOnce": once,
        "isUsable": true,
        "methodUsabilityReason": "EnabledByPolicy",
    });
    // One usable pass per user: a new one replaces the old.
    let list = t.methods_mut(&uid);
    list.retain(|m| m["@odata.type"] != "#microsoft.graph.temporaryAccessPassAuthenticationMethod");
    let mut kept = method.clone();
    kept["temporaryAccessPass"] = Value::Null;
    list.push(kept);
    let mut out = method;
    out["@odata.context"] = json!(format!(
        "{}/v1.0/$metadata#users('{uid}')/authentication/temporaryAccessPassMethods/$entity",
        ctx.origin
    ));
    ctx.respond(StatusCode::CREATED, out)
}

/// The `methodsRegistered` name of a method (userregistrationdetails.md's values).
fn registered_name(m: &Value) -> Option<&'static str> {
    let t = m["@odata.type"]
        .as_str()?
        .trim_start_matches("#microsoft.graph.");
    Some(match t {
        "microsoftAuthenticatorAuthenticationMethod" => "microsoftAuthenticatorPush",
        "fido2AuthenticationMethod" => "fido2SecurityKey",
        "windowsHelloForBusinessAuthenticationMethod" => "windowsHelloForBusiness",
        "emailAuthenticationMethod" => "email",
        "softwareOathAuthenticationMethod" => "softwareOneTimePasscode",
        "temporaryAccessPassAuthenticationMethod" => "temporaryAccessPass",
        "phoneAuthenticationMethod" => match m["phoneType"].as_str() {
            Some("office") => "officePhone",
            Some("alternateMobile") => "alternateMobilePhone",
            _ => "mobilePhone",
        },
        _ => return None,
    })
}

/// `GET /reports/authenticationMethods/userRegistrationDetails/{id}`: made from the user's
/// methods as they are now.
pub async fn registration(
    State(state): State<Shared>,
    Path((_v, key)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (ctx, t) = match super::server::reading(&state, &headers) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(user) = t.user(&key).cloned() else {
        return ctx.not_found(&key);
    };
    let uid = user["id"].as_str().unwrap_or_default().to_string();
    let methods = t.methods_of(&uid);
    let mut names: Vec<&str> = Vec::new();
    for n in methods.iter().filter_map(registered_name) {
        if !names.contains(&n) {
            names.push(n);
        }
    }
    let mfa: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| *n != "email" && *n != "temporaryAccessPass")
        .collect();
    let passwordless = names
        .iter()
        .any(|n| matches!(*n, "fido2SecurityKey" | "windowsHelloForBusiness"));
    let default = mfa.first().copied().unwrap_or("none");
    ctx.respond(
        StatusCode::OK,
        json!({
            "@odata.context": format!("{}/v1.0/$metadata#reports/authenticationMethods/userRegistrationDetails/$entity", ctx.origin),
            "id": uid,
            "userPrincipalName": user["userPrincipalName"],
            "userDisplayName": user["displayName"],
            "userType": if user["userType"] == "Guest" { "guest" } else { "member" },
            "isAdmin": !role_names(&t, &uid).is_empty(),
            "isSsprRegistered": !mfa.is_empty(),
            "isSsprEnabled": true,
            "isSsprCapable": !mfa.is_empty(),
            "isMfaRegistered": !mfa.is_empty(),
            "isMfaCapable": !mfa.is_empty() && user["accountEnabled"] != false,
            "isPasswordlessCapable": passwordless,
            "methodsRegistered": names,
            "isSystemPreferredAuthenticationMethodEnabled": false,
            "systemPreferredAuthenticationMethods": [],
            "userPreferredMethodForSecondaryAuthentication": default,
            "defaultMfaMethod": default,
            "lastUpdatedDateTime": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }),
    )
}

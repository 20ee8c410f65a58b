//! The demo tenant's licence writes: a user's properties (`PATCH /users/{id}`, e.g. its usage
//! location) and `POST /users/{id}/reprocessLicenseAssignment`, which settles the errors the
//! new properties fix (a usage location that is now set), as Entra's licence processing does.

use super::server::{Ctx, Shared};
use super::store::Kind;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;

/// Properties of a user the demo lets a PATCH change (others are refused by name).
const WRITABLE: &[&str] = &[
    "usageLocation",
    "displayName",
    "department",
    "jobTitle",
    "accountEnabled",
    "passwordProfile",
];

/// `PATCH /users/{id}`: 204, or Graph's 400 for a property or value it refuses, 404 for no user.
pub async fn patch_user(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    let Ok(patch) = serde_json::from_slice::<Value>(&body) else {
        return ctx.error(400, "BadRequest", "Unable to read JSON request payload.");
    };
    let Some(fields) = patch.as_object() else {
        return ctx.error(400, "BadRequest", "Unable to read JSON request payload.");
    };
    for (k, v) in fields {
        if !WRITABLE.contains(&k.as_str()) {
            return ctx.error(
                400,
                "Request_BadRequest",
                &format!("Property '{k}' is read-only or not supported by the demo tenant."),
            );
        }
        // usageLocation: an assigned ISO 3166-1 alpha-2 code (user.md: "A two-letter country
        // code (ISO standard 3166)"), or null; Graph refuses `XX` as it refuses `USA`.
        if k == "usageLocation"
            && !(v.is_null()
                || v.as_str().is_some_and(|s| {
                    s.len() == 2
                        && s.chars().all(|c| c.is_ascii_uppercase())
                        && rust_iso3166::from_alpha2(s).is_some()
                }))
        {
            return ctx.error(
                400,
                "Request_BadRequest",
                "Invalid value specified for property 'usageLocation' of resource 'User'.",
            );
        }
    }
    let Ok(mut tenant) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let Some(uid) = tenant
        .user(&id)
        .and_then(|u| u["id"].as_str())
        .map(str::to_string)
    else {
        return ctx.not_found(&id);
    };
    // Who may reset whose password, and disable or enable whom: the article's tables.
    let allowed = |table| super::auth_methods::may_act(&tenant, &headers, &uid, table);
    if (fields.contains_key("passwordProfile") && !allowed("passwordReset"))
        || (fields.contains_key("accountEnabled") && !allowed("sensitiveActions"))
    {
        return super::auth_methods::denied(&ctx);
    }
    let mut patch = patch.clone();
    if let Some(profile) = patch
        .as_object_mut()
        .and_then(|o| o.remove("passwordProfile"))
    {
        if let Err(why) = password_ok(&profile) {
            return ctx.error(400, "Request_BadRequest", why);
        }
        // The password is never kept, nor returned: the user's last change moves to now.
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        patch["lastPasswordChangeDateTime"] = serde_json::json!(now);
        super::auth_methods::password_set(&mut tenant, &uid, &now);
    }
    tenant.patch(Kind::User, &uid, &patch);
    ctx.no_content()
}

/// A `passwordProfile` Entra accepts: a password of 8 to 256 characters with three of upper
/// case, lower case, digits and symbols (password-policy article), else Graph's 400.
fn password_ok(profile: &Value) -> Result<(), &'static str> {
    let Some(p) = profile["password"].as_str() else {
        return Err("Invalid value specified for property 'passwordProfile' of resource 'User'.");
    };
    let kinds = [
        p.chars().any(|c| c.is_ascii_uppercase()),
        p.chars().any(|c| c.is_ascii_lowercase()),
        p.chars().any(|c| c.is_ascii_digit()),
        p.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if !(8..=256).contains(&p.chars().count()) || kinds.iter().filter(|k| **k).count() < 3 {
        return Err(
            "The specified password does not comply with password complexity requirements. Please provide a different password.",
        );
    }
    Ok(())
}

/// `POST /users/{id}/reprocessLicenseAssignment`: 200 with the user. An assignment in error for
/// want of a usage location becomes active once the user has one; other errors stay.
pub async fn reprocess(
    State(state): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let (ctx, mut tenant) = match super::server::writing(&state, &headers) {
        Ok(w) => w,
        Err(r) => return r,
    };
    let Some(user) = tenant.user(&id).cloned() else {
        return ctx.not_found(&id);
    };
    let located = user["usageLocation"]
        .as_str()
        .is_some_and(|s| !s.is_empty());
    let mut states = user["licenseAssignmentStates"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut assigned = user["assignedLicenses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for s in &mut states {
        if s["error"] == "ProhibitedInUsageLocationViolation" && located {
            s["error"] = Value::from("None");
            s["state"] = Value::from("Active");
            s["lastUpdatedDateTime"] = Value::from(chrono::Utc::now().to_rfc3339());
            if !assigned.iter().any(|a| a["skuId"] == s["skuId"]) {
                assigned.push(serde_json::json!({"disabledPlans": [], "skuId": s["skuId"]}));
            }
        }
    }
    let uid = user["id"].as_str().unwrap_or_default().to_string();
    let patch =
        serde_json::json!({"licenseAssignmentStates": states, "assignedLicenses": assigned});
    tenant.patch(Kind::User, &uid, &patch);
    let updated = tenant.user(&uid).cloned().unwrap_or(Value::Null);
    ctx.respond(StatusCode::OK, updated)
}

//! A user's incident-response requests: revoke sessions, sign-in on/off, password reset,
//! authentication methods (list, delete by type, Temporary Access Pass) and registration
//! details (user-revokesigninsessions.md, user-update.md, authentication-list-methods.md,
//! the `*authenticationmethod-delete.md` pages, temporaryaccesspassauthenticationmethod-post.md,
//! userregistrationdetails-get.md).

use crate::graph::endpoints::path_segment;
use crate::graph::{Method, Request};
use serde_json::{Value, json};

fn user(id: &str) -> String {
    format!("/users/{}", path_segment(id))
}

/// `POST /users/{id}/revokeSignInSessions`: refresh tokens and session cookies stop working;
/// access tokens already issued live until they expire.
pub fn revoke_sessions(id: &str) -> Request {
    Request::new(Method::Post, format!("{}/revokeSignInSessions", user(id)))
}

/// `PATCH /users/{id}` with `accountEnabled`.
pub fn set_enabled(id: &str, enabled: bool) -> Request {
    Request::new(Method::Patch, user(id)).json(json!({ "accountEnabled": enabled }))
}

/// `PATCH /users/{id}` with a new password the user must change at the next sign-in. The body
/// carries the password: the journal keeps the request without it ([`crate::graph::secret_free`]).
pub fn reset_password(id: &str, password: &str) -> Request {
    Request::new(Method::Patch, user(id)).json(json!({
        "passwordProfile": {
            "forceChangePasswordNextSignIn": true,
            "password": password,
        }
    }))
}

/// `GET /users/{id}/authentication/methods`: every registered method, each with its
/// `@odata.type`.
pub fn methods(id: &str) -> Request {
    Request::get(format!("{}/authentication/methods", user(id)))
}

/// The collection a method of this `@odata.type` is deleted from, or `None` for a type that
/// has no delete (the password method).
pub fn method_segment(odata_type: &str) -> Option<&'static str> {
    let t = odata_type.trim_start_matches("#microsoft.graph.");
    Some(match t {
        "emailAuthenticationMethod" => "emailMethods",
        "fido2AuthenticationMethod" => "fido2Methods",
        "microsoftAuthenticatorAuthenticationMethod" => "microsoftAuthenticatorMethods",
        "phoneAuthenticationMethod" => "phoneMethods",
        "softwareOathAuthenticationMethod" => "softwareOathMethods",
        "temporaryAccessPassAuthenticationMethod" => "temporaryAccessPassMethods",
        "windowsHelloForBusinessAuthenticationMethod" => "windowsHelloForBusinessMethods",
        "platformCredentialAuthenticationMethod" => "platformCredentialMethods",
        _ => return None,
    })
}

/// `DELETE /users/{id}/authentication/{type}Methods/{methodId}` (204), when the type has one.
pub fn delete_method(user_id: &str, method: &Value) -> Option<Request> {
    let segment = method_segment(method["@odata.type"].as_str()?)?;
    let mid = method["id"].as_str().filter(|s| !s.trim().is_empty())?;
    Some(Request::new(
        Method::Delete,
        format!(
            "{}/authentication/{segment}/{}",
            user(user_id),
            path_segment(mid)
        ),
    ))
}

/// `POST /users/{id}/authentication/temporaryAccessPassMethods` (201 with the pass, shown once).
pub fn create_tap(id: &str, lifetime_minutes: u32, usable_once: bool) -> Request {
    Request::new(
        Method::Post,
        format!("{}/authentication/temporaryAccessPassMethods", user(id)),
    )
    .json(json!({
        "lifetimeInMinutes": lifetime_minutes,
        "isUsableOnce": usable_once,
    }))
}

/// `GET /reports/authenticationMethods/userRegistrationDetails/{id}`: MFA capable, default
/// method, passwordless capable, methods registered.
pub fn registration(id: &str) -> Request {
    Request::get(format!(
        "/reports/authenticationMethods/userRegistrationDetails/{}",
        path_segment(id)
    ))
}

/// `GET /me` (its id and UPN): who is signed in, for the guards that refuse locking oneself
/// out.
/// One user's name and whether they can sign in (an approver checked before it is relied on).
pub fn sign_in_state(id: &str) -> Request {
    Request::get(format!(
        "/users/{}",
        crate::graph::endpoints::path_segment(id)
    ))
    .select(&["id", "displayName", "accountEnabled"])
}

pub fn me() -> Request {
    Request::get("/me").select(&["id", "userPrincipalName", "displayName"])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_method_type_has_its_delete_and_password_none() {
        let m = json!({"@odata.type": "#microsoft.graph.phoneAuthenticationMethod", "id": "3179e48a-750b-4051-897c-87b9720928f7"});
        let r = delete_method("u1", &m).unwrap();
        assert_eq!(r.method, Method::Delete);
        assert_eq!(
            r.path,
            "/users/u1/authentication/phoneMethods/3179e48a-750b-4051-897c-87b9720928f7"
        );
        let p = json!({"@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "28c10230-6103-485e-b985-444c60001490"});
        assert!(delete_method("u1", &p).is_none());
        assert!(
            delete_method(
                "u1",
                &json!({"@odata.type": "#microsoft.graph.fido2AuthenticationMethod"})
            )
            .is_none()
        );
    }
}

//! Sign-in: credentials the Graph client sends (redacted everywhere), sessions with refresh and
//! step-up, the token endpoints, the token file and the Azure CLI path.

pub mod aadsts;
pub mod az;
pub mod device;
pub mod oauth;
pub mod session;
pub mod step_up;
pub mod store;

use base64::Engine;
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// A bearer token. `Debug` and `Display` are redacted; only [`AccessToken::secret`] reveals it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    pub fn new(token: impl Into<String>) -> Self {
        AccessToken(token.into())
    }

    /// The raw token, for the `Authorization` header only.
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

/// The payload of a JWT, decoded without verification (only to read `exp`, `acrs`, `upn`).
pub fn jwt_claims(token: &str) -> Option<Value> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// The authentication contexts a token carries (`acrs` claim).
pub fn token_acrs(token: &str) -> Vec<String> {
    jwt_claims(token)
        .and_then(|c| {
            c["acrs"].as_array().map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
        })
        .unwrap_or_default()
}

/// Where the client gets its bearer token from.
#[derive(Clone, Debug)]
pub enum Credential {
    /// A ready token (`ENTRA_CONSOLE_ACCESS_TOKEN`, or one from `az`): no refresh, no step-up.
    Static(AccessToken),
    /// A session with refresh (device code sign-in, or app-only client secret).
    Session(Arc<session::Session>),
    /// No usable sign-in; the text says how to get one.
    Missing(String),
}

impl Credential {
    /// The token to send now, or why there is none.
    pub async fn bearer(&self) -> Result<AccessToken, crate::graph::GraphError> {
        match self {
            Credential::Static(t) => Ok(t.clone()),
            Credential::Session(s) => s
                .bearer()
                .await
                .map_err(|e| crate::graph::GraphError::NotSignedIn(e.to_string())),
            Credential::Missing(why) => Err(crate::graph::GraphError::NotSignedIn(why.clone())),
        }
    }

    /// Why step-up cannot work with this credential, if it cannot.
    pub fn step_up_impossible(&self) -> Option<&'static str> {
        match self {
            Credential::Static(_) => Some(
                "step-up is impossible with a ready token (ENTRA_CONSOLE_ACCESS_TOKEN or az): sign in with `entra-console login` to satisfy it",
            ),
            Credential::Session(s) if s.is_app_only() => Some(
                "step-up is impossible with app-only sign-in (client secret): no user can satisfy the policy",
            ),
            Credential::Session(_) => None,
            Credential::Missing(_) => Some("not signed in"),
        }
    }

    pub fn session(&self) -> Option<&Arc<session::Session>> {
        match self {
            Credential::Session(s) => Some(s),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn debug_never_shows_the_token() {
        let c = Credential::Static(AccessToken::new("eyJ0eXAiOiJKV1Qi.secret.sig"));
        let s = format!("{c:?}");
        assert!(!s.contains("eyJ0"), "{s}");
        assert!(s.contains("redacted"));
        assert_eq!(
            c.bearer().await.unwrap().secret(),
            "eyJ0eXAiOiJKV1Qi.secret.sig"
        );
        assert!(c.step_up_impossible().is_some());
    }

    #[test]
    fn jwt_payload_is_read() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"acrs":["c1","c2"],"upn":"a@b"}"#);
        let t = format!("e30.{payload}.sig");
        assert_eq!(token_acrs(&t), ["c1", "c2"]);
        assert_eq!(jwt_claims(&t).unwrap()["upn"], "a@b");
        assert!(token_acrs("opaque").is_empty());
    }
}

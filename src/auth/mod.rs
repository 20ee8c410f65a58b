//! Sign-in: credentials the Graph client sends (redacted everywhere), sessions with refresh and
//! step-up, the token endpoints, the token file and the Azure CLI path.

pub mod aadsts;
pub mod az;
pub mod device;
pub mod oauth;
pub mod session;
pub mod step_up;
pub mod store;
mod token;

use std::sync::Arc;
pub use token::{AccessToken, jwt_claims, token_acrs};

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
    pub async fn bearer(&self) -> Result<AccessToken, crate::graph::error::GraphError> {
        match self {
            Credential::Static(t) => Ok(t.clone()),
            Credential::Session(s) => s
                .bearer()
                .await
                .map_err(|e| crate::graph::error::GraphError::NotSignedIn(e.to_string())),
            Credential::Missing(why) => {
                Err(crate::graph::error::GraphError::NotSignedIn(why.clone()))
            }
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
        use base64::Engine;
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(r#"{"acrs":["c1","c2"],"upn":"a@b"}"#);
        let t = format!("e30.{payload}.sig");
        assert_eq!(token_acrs(&t), ["c1", "c2"]);
        assert_eq!(jwt_claims(&t).unwrap()["upn"], "a@b");
        assert!(token_acrs("opaque").is_empty());
    }
}

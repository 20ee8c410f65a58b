//! Credentials the Graph client sends. Tokens are wrapped so `Debug` and logs never show them.

use std::fmt;

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

/// Where the client gets its bearer token from.
#[derive(Clone, Debug)]
pub enum Credential {
    /// A ready token (the demo tenant's, or `ENTRA_CONSOLE_ACCESS_TOKEN`): no refresh, no step-up.
    Static(AccessToken),
    /// No usable sign-in; the text says how to get one.
    Missing(String),
}

impl Credential {
    /// The token to send now, or why there is none.
    pub fn bearer(&self) -> Result<&AccessToken, crate::graph::GraphError> {
        match self {
            Credential::Static(t) => Ok(t),
            Credential::Missing(why) => Err(crate::graph::GraphError::NotSignedIn(why.clone())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_token() {
        let c = Credential::Static(AccessToken::new("eyJ0eXAiOiJKV1Qi.secret.sig"));
        let s = format!("{c:?}");
        assert!(!s.contains("eyJ0"), "{s}");
        assert!(s.contains("redacted"));
    }
}

//! A bearer token (redacted in `Debug`) and what its JWT payload says (`exp`, `acrs`, `upn`),
//! decoded without verification.

use base64::Engine;
use serde_json::Value;
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

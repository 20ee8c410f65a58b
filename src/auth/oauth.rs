//! The Microsoft identity platform token endpoints: device code (start and typed poll states),
//! refresh token and client credentials grants, each declaring the `cp1` client capability
//! (graph-api.md §11.6, §12). Errors are typed with their AADSTS codes.

use super::token::AccessToken;
use serde::Deserialize;
use serde_json::Value;
use std::time::Duration;

/// The claims every token request sends: "this client handles claims challenges".
pub const CP1_CLAIMS: &str = r#"{"access_token":{"xms_cc":{"values":["cp1"]}}}"#;

/// Merge a challenge's claims with the `cp1` capability (both under `access_token`).
pub fn merge_claims(challenge: Option<&str>) -> String {
    let mut base: Value = serde_json::from_str(CP1_CLAIMS).unwrap_or_default();
    if let Some(Ok(Value::Object(ch))) = challenge.map(serde_json::from_str::<Value>) {
        for (k, v) in ch {
            match (base.get_mut(&k), v) {
                (Some(Value::Object(dst)), Value::Object(src)) => dst.extend(src),
                (_, v) => {
                    base[&k] = v;
                }
            }
        }
    }
    base.to_string()
}

/// An error from the token endpoint (`{"error": "...", "error_description": "AADSTS...", "error_codes": [..]}`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Default)]
pub struct AadError {
    pub error: String,
    #[serde(default)]
    pub error_description: String,
    #[serde(default)]
    pub error_codes: Vec<u32>,
    #[serde(default)]
    pub suberror: Option<String>,
}

impl AadError {
    /// The first AADSTS code, from `error_codes` or the description.
    pub fn code(&self) -> Option<u32> {
        self.error_codes.first().copied().or_else(|| {
            let d = self.error_description.split("AADSTS").nth(1)?;
            d.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .ok()
        })
    }

    /// True when the user must interact (MFA, CA) rather than a silent refresh.
    pub fn needs_interaction(&self) -> bool {
        self.error == "interaction_required"
            || matches!(
                self.code(),
                Some(50076 | 50079 | 50074 | 50078 | 53003 | 530032 | 50158 | 53000 | 53001)
            )
    }
}

impl std::fmt::Display for AadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let first_line = self.error_description.lines().next().unwrap_or_default();
        write!(f, "{}: {}", self.error, crate::sanitize::clean(first_line))
    }
}

/// Sign-in failures.
#[derive(Clone, Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    Aad(AadError),
    #[error("cannot reach the sign-in service: {0}")]
    Transport(String),
    #[error("unexpected answer from the sign-in service: {0}")]
    Decode(String),
    #[error("{0}")]
    Other(String),
}

/// A successful token response.
#[derive(Clone, Debug, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default = "default_expiry")]
    pub expires_in: u64,
    #[serde(default)]
    pub scope: Option<String>,
}

fn default_expiry() -> u64 {
    3600
}

impl TokenResponse {
    pub fn token(&self) -> AccessToken {
        AccessToken::new(self.access_token.clone())
    }
}

/// The device code step 1 answer (`verification_uri_complete` is never sent by Entra).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct DeviceCode {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    #[serde(default = "default_device_expiry")]
    pub expires_in: u64,
    #[serde(default = "default_interval")]
    pub interval: u64,
    #[serde(default)]
    pub message: String,
}

fn default_device_expiry() -> u64 {
    900
}

fn default_interval() -> u64 {
    5
}

/// One poll of the device code grant, typed.
#[derive(Clone, Debug)]
pub enum Poll {
    Pending,
    /// RFC 8628 `slow_down`: add 5 s to the interval (not in Microsoft's table; handled anyway).
    SlowDown,
    Declined,
    Expired,
    BadCode,
    Done(Box<TokenResponse>),
    Failed(AadError),
}

/// A token endpoint client for one authority, tenant and app.
#[derive(Clone, Debug)]
pub struct OAuth {
    http: reqwest::Client,
    pub authority: String,
    pub tenant: String,
    pub client_id: String,
    pub scope: String,
}

impl OAuth {
    pub fn new(
        authority: &str,
        tenant: &str,
        client_id: &str,
        scope: &str,
    ) -> Result<OAuth, AuthError> {
        let url = url::Url::parse(authority)
            .map_err(|e| AuthError::Other(format!("bad authority URL {authority}: {e}")))?;
        let loopback = matches!(url.host_str(), Some("127.0.0.1" | "[::1]" | "localhost"));
        if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
            return Err(AuthError::Other(format!(
                "{authority}: the authority must use https (plain http only on loopback)"
            )));
        }
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| AuthError::Transport(e.to_string()))?;
        Ok(OAuth {
            http,
            authority: authority.trim_end_matches('/').to_string(),
            tenant: tenant.to_string(),
            client_id: client_id.to_string(),
            scope: scope.to_string(),
        })
    }

    fn endpoint(&self, what: &str) -> String {
        format!("{}/{}/oauth2/v2.0/{what}", self.authority, self.tenant)
    }

    async fn post(
        &self,
        what: &str,
        form: &[(&str, &str)],
    ) -> Result<Result<Value, AadError>, AuthError> {
        let resp = self
            .http
            .post(self.endpoint(what))
            .form(form)
            .send()
            .await
            .map_err(|e| AuthError::Transport(e.without_url().to_string()))?;
        let status = resp.status();
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| AuthError::Transport(e.without_url().to_string()))?;
        let v: Value = serde_json::from_slice(&bytes)
            .map_err(|e| AuthError::Decode(format!("{what}: {e}")))?;
        if status.is_success() {
            Ok(Ok(v))
        } else {
            Ok(Err(serde_json::from_value(v).unwrap_or(AadError {
                error: format!("http_{}", status.as_u16()),
                ..Default::default()
            })))
        }
    }

    fn tokens(v: Value) -> Result<TokenResponse, AuthError> {
        serde_json::from_value(v).map_err(|e| AuthError::Decode(format!("token response: {e}")))
    }

    /// Start a device code flow, with extra claims (a step-up) or just `cp1`.
    pub async fn device_code(&self, claims: Option<&str>) -> Result<DeviceCode, AuthError> {
        let merged = merge_claims(claims);
        let form = [
            ("client_id", self.client_id.as_str()),
            ("scope", self.scope.as_str()),
            ("claims", merged.as_str()),
        ];
        match self.post("devicecode", &form).await? {
            Ok(v) => serde_json::from_value(v)
                .map_err(|e| AuthError::Decode(format!("device code: {e}"))),
            Err(e) => Err(AuthError::Aad(e)),
        }
    }

    /// Poll the token endpoint once for a device code.
    pub async fn poll(&self, device_code: &str, claims: Option<&str>) -> Result<Poll, AuthError> {
        let merged = merge_claims(claims);
        let form = [
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("client_id", self.client_id.as_str()),
            ("device_code", device_code),
            ("claims", merged.as_str()),
        ];
        Ok(match self.post("token", &form).await? {
            Ok(v) => Poll::Done(Box::new(Self::tokens(v)?)),
            Err(e) => match e.error.as_str() {
                "authorization_pending" => Poll::Pending,
                "slow_down" => Poll::SlowDown,
                "authorization_declined" => Poll::Declined,
                "expired_token" => Poll::Expired,
                "bad_verification_code" => Poll::BadCode,
                _ => Poll::Failed(e),
            },
        })
    }

    /// Refresh grant, with claims (a step-up) or just `cp1`.
    pub async fn refresh(
        &self,
        refresh_token: &str,
        claims: Option<&str>,
    ) -> Result<TokenResponse, AuthError> {
        let merged = merge_claims(claims);
        let form = [
            ("grant_type", "refresh_token"),
            ("client_id", self.client_id.as_str()),
            ("refresh_token", refresh_token),
            ("scope", self.scope.as_str()),
            ("claims", merged.as_str()),
        ];
        match self.post("token", &form).await? {
            Ok(v) => Self::tokens(v),
            Err(e) => Err(AuthError::Aad(e)),
        }
    }

    /// App-only client credentials grant (read-only audits).
    pub async fn client_credentials(&self, secret: &str) -> Result<TokenResponse, AuthError> {
        // App-only tokens take the resource's `.default` (the app's granted permissions); a
        // read-only profile's delegated scopes name the same resource.
        let scope = self
            .scope
            .split_whitespace()
            .find(|s| s.ends_with("/.default"))
            .map(str::to_string)
            .or_else(|| {
                let first = self
                    .scope
                    .split_whitespace()
                    .find(|s| s.starts_with("https://"))?;
                let origin = first.rsplit_once('/')?.0;
                Some(format!("{origin}/.default"))
            })
            .unwrap_or_else(|| self.scope.clone());
        let merged = merge_claims(None);
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", self.client_id.as_str()),
            ("client_secret", secret),
            ("scope", scope.as_str()),
            ("claims", merged.as_str()),
        ];
        match self.post("token", &form).await? {
            Ok(v) => Self::tokens(v),
            Err(e) => Err(AuthError::Aad(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_keeps_cp1_and_adds_acrs() {
        let m: Value = serde_json::from_str(&merge_claims(Some(
            r#"{"access_token":{"acrs":{"essential":true,"value":"c25"}}}"#,
        )))
        .unwrap();
        assert_eq!(m["access_token"]["xms_cc"]["values"][0], "cp1");
        assert_eq!(m["access_token"]["acrs"]["value"], "c25");
        let only: Value = serde_json::from_str(&merge_claims(None)).unwrap();
        assert_eq!(only, serde_json::from_str::<Value>(CP1_CLAIMS).unwrap());
        let bad: Value = serde_json::from_str(&merge_claims(Some("not json"))).unwrap();
        assert_eq!(bad["access_token"]["xms_cc"]["values"][0], "cp1");
    }

    #[test]
    fn aad_codes_from_either_place() {
        let e = AadError {
            error: "invalid_grant".into(),
            error_description: "AADSTS53003: Access has been blocked".into(),
            ..Default::default()
        };
        assert_eq!(e.code(), Some(53003));
        assert!(e.needs_interaction());
        let e = AadError {
            error: "invalid_grant".into(),
            error_codes: vec![70043],
            ..Default::default()
        };
        assert_eq!(e.code(), Some(70043));
        assert!(!e.needs_interaction());
    }

    #[test]
    fn authority_must_be_https_or_loopback() {
        assert!(OAuth::new("http://login.example.com", "t", "c", "s").is_err());
        assert!(OAuth::new("http://127.0.0.1:5", "t", "c", "s").is_ok());
        assert!(
            OAuth::new(
                "https://login.microsoftonline.com",
                "organizations",
                "c",
                "s"
            )
            .is_ok()
        );
    }
}

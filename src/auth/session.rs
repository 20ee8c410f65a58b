//! A signed-in session: the access token in memory, refreshed single-flight five minutes before
//! expiry; the refresh token persisted in the token file; step-up by refresh with merged claims.

use super::oauth::{AuthError, OAuth, TokenResponse};
use super::store::{Saved, TokenStore};
use super::token::{AccessToken, jwt_claims};
use crate::clock::Clock;
use std::sync::Arc;
use std::time::Duration;

/// Refresh this long before the access token expires.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// Delegated (refresh token) or app-only (client secret).
#[derive(Clone)]
pub enum Grant {
    Delegated,
    AppOnly { secret: String },
}

struct State {
    access: Option<(AccessToken, Duration)>,
    refresh: Option<String>,
}

/// One profile's live sign-in.
pub struct Session {
    pub oauth: OAuth,
    grant: Grant,
    store: Option<TokenStore>,
    clock: Arc<dyn Clock>,
    state: tokio::sync::Mutex<State>,
    /// Token requests made (tests count refreshes).
    pub token_requests: std::sync::atomic::AtomicUsize,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("tenant", &self.oauth.tenant)
            .field("client_id", &self.oauth.client_id)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// A delegated session from a refresh token (stored or just obtained).
    pub fn delegated(
        oauth: OAuth,
        refresh: String,
        store: Option<TokenStore>,
        clock: Arc<dyn Clock>,
    ) -> Session {
        Session {
            oauth,
            grant: Grant::Delegated,
            store,
            clock,
            state: tokio::sync::Mutex::new(State {
                access: None,
                refresh: Some(refresh),
            }),
            token_requests: Default::default(),
        }
    }

    pub fn app_only(oauth: OAuth, secret: String, clock: Arc<dyn Clock>) -> Session {
        Session {
            oauth,
            grant: Grant::AppOnly { secret },
            store: None,
            clock,
            state: tokio::sync::Mutex::new(State {
                access: None,
                refresh: None,
            }),
            token_requests: Default::default(),
        }
    }

    pub fn is_app_only(&self) -> bool {
        matches!(self.grant, Grant::AppOnly { .. })
    }

    fn persist(&self, refresh: &str, access: &AccessToken) {
        let Some(store) = &self.store else { return };
        let username = jwt_claims(access.secret()).and_then(|c| {
            c["upn"]
                .as_str()
                .or(c["preferred_username"].as_str())
                .map(str::to_string)
        });
        let saved = Saved {
            refresh_token: refresh.to_string(),
            authority: self.oauth.authority.clone(),
            tenant: self.oauth.tenant.clone(),
            client_id: self.oauth.client_id.clone(),
            username,
        };
        if let Err(e) = store.save(&saved) {
            tracing::warn!("cannot save the token file {}: {e}", store.path.display());
        }
    }

    fn adopt(&self, st: &mut State, t: TokenResponse) -> AccessToken {
        let token = t.token();
        let expires = self.clock.now() + Duration::from_secs(t.expires_in);
        if let Some(r) = t.refresh_token.as_deref() {
            st.refresh = Some(r.to_string());
            self.persist(r, &token);
        }
        st.access = Some((token.clone(), expires));
        token
    }

    async fn fetch(&self, st: &State, claims: Option<&str>) -> Result<TokenResponse, AuthError> {
        self.token_requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        match &self.grant {
            Grant::AppOnly { secret } => self.oauth.client_credentials(secret).await,
            Grant::Delegated => {
                let rt = st.refresh.as_deref().ok_or_else(|| {
                    AuthError::Other("no refresh token: run `entra-console login`".into())
                })?;
                self.oauth.refresh(rt, claims).await
            }
        }
    }

    /// The access token to send now. Concurrent callers share one refresh (the lock is held
    /// across it), and a token is renewed five minutes before it expires.
    pub async fn bearer(&self) -> Result<AccessToken, AuthError> {
        let mut st = self.state.lock().await;
        if let Some((t, exp)) = &st.access
            && self.clock.now() + REFRESH_MARGIN < *exp
        {
            return Ok(t.clone());
        }
        let t = self.fetch(&st, None).await?;
        Ok(self.adopt(&mut st, t))
    }

    /// Step-up without interaction: refresh with the challenge's claims merged with `cp1`.
    /// An `AuthError::Aad` that `needs_interaction()` means a device code flow is needed.
    pub async fn step_up(&self, claims: &str) -> Result<AccessToken, AuthError> {
        if self.is_app_only() {
            return Err(AuthError::Other(
                "app-only sign-in (client secret) cannot satisfy a claims challenge".into(),
            ));
        }
        let mut st = self.state.lock().await;
        let t = self.fetch(&st, Some(claims)).await?;
        Ok(self.adopt(&mut st, t))
    }

    /// Take tokens obtained by a device code flow (sign-in or step-up).
    pub async fn accept(&self, t: TokenResponse) -> AccessToken {
        let mut st = self.state.lock().await;
        self.adopt(&mut st, t)
    }

    /// The signed-in user of the current token (`upn`), if any.
    pub async fn username(&self) -> Option<String> {
        let st = self.state.lock().await;
        let (t, _) = st.access.as_ref()?;
        let c = jwt_claims(t.secret())?;
        c["upn"]
            .as_str()
            .or(c["preferred_username"].as_str())
            .map(str::to_string)
    }

    /// The `acrs` values of the current access token (what step-up already satisfied).
    pub async fn current_acrs(&self) -> Vec<String> {
        let st = self.state.lock().await;
        st.access
            .as_ref()
            .map(|(t, _)| super::token::token_acrs(t.secret()))
            .unwrap_or_default()
    }
}

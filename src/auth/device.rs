//! The device code flow loop: start, show the code, poll at the server's interval (plus 5 s on
//! `slow_down`) until a token, a refusal or the code's expiry.

use super::oauth::{AadError, AuthError, DeviceCode, OAuth, Poll, TokenResponse};
use crate::clock::Clock;
use std::time::Duration;

/// How a device code flow ended without a token.
#[derive(Clone, Debug, thiserror::Error)]
pub enum DeviceError {
    #[error("sign-in was declined")]
    Declined,
    #[error("the code expired before the sign-in completed")]
    Expired,
    #[error("the sign-in service did not recognise the device code")]
    BadCode,
    #[error("{}", explain(.0))]
    Refused(AadError),
    #[error("{0}")]
    Auth(AuthError),
}

fn explain(e: &AadError) -> String {
    match e.code().and_then(super::aadsts::explain) {
        Some(text) => format!("AADSTS{}: {text}", e.code().unwrap_or_default()),
        None => e.to_string(),
    }
}

/// Progress reports for the UI or the terminal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DeviceEvent {
    Code(DeviceCode),
    Pending,
    SlowDown { interval: u64 },
}

/// Run a device code flow with optional step-up claims.
pub async fn run(
    oauth: &OAuth,
    claims: Option<&str>,
    clock: &dyn Clock,
    mut on_event: impl FnMut(DeviceEvent) + Send,
) -> Result<TokenResponse, DeviceError> {
    let code = oauth.device_code(claims).await.map_err(DeviceError::Auth)?;
    let deadline = clock.now() + Duration::from_secs(code.expires_in);
    let mut interval = code.interval.max(1);
    on_event(DeviceEvent::Code(code.clone()));
    loop {
        clock.sleep(Duration::from_secs(interval)).await;
        if clock.now() > deadline {
            return Err(DeviceError::Expired);
        }
        match oauth
            .poll(&code.device_code, claims)
            .await
            .map_err(DeviceError::Auth)?
        {
            Poll::Pending => on_event(DeviceEvent::Pending),
            Poll::SlowDown => {
                interval += 5;
                on_event(DeviceEvent::SlowDown { interval });
            }
            Poll::Declined => return Err(DeviceError::Declined),
            Poll::Expired => return Err(DeviceError::Expired),
            Poll::BadCode => return Err(DeviceError::BadCode),
            Poll::Done(t) => return Ok(*t),
            Poll::Failed(e) => return Err(DeviceError::Refused(e)),
        }
    }
}

//! Step-up: re-authenticate for a claims challenge (a refresh with the claims first, then a
//! device code flow when the sign-in service wants interaction). Shared by the console's
//! inline prompt and the headless `ca restore`.

use super::device::{self, DeviceError, DeviceEvent};
use super::oauth::AuthError;
use super::token_acrs;
use crate::graph::GraphClient;

/// How a step-up ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepUpFailure {
    /// The credential cannot do step-up (ready token, app-only).
    Impossible(String),
    /// The sign-in service refused (AADSTS code and its text).
    Refused {
        code: Option<u32>,
        text: String,
    },
    Other(String),
}

impl std::fmt::Display for StepUpFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StepUpFailure::Impossible(why) | StepUpFailure::Other(why) => f.write_str(why),
            StepUpFailure::Refused { text, .. } => f.write_str(text),
        }
    }
}

/// Re-authenticate with the claims of a challenge: a refresh first, then (when the sign-in
/// service wants interaction) a device code flow whose code goes to `on_code`. Returns the new
/// token's `acrs`. Shared by the TUI's inline prompt and the headless `ca restore`.
pub async fn step_up_with(
    client: &GraphClient,
    claims: &str,
    mut on_code: impl FnMut(crate::auth::oauth::DeviceCode) + Send,
) -> Result<Vec<String>, StepUpFailure> {
    let cred = client.credential();
    if let Some(why) = cred.step_up_impossible() {
        return Err(StepUpFailure::Impossible(why.to_string()));
    }
    let Some(session) = cred.session() else {
        return Err(StepUpFailure::Impossible("not signed in".into()));
    };
    let refused = |e: crate::auth::oauth::AadError| StepUpFailure::Refused {
        code: e.code(),
        text: e.to_string(),
    };
    match session.step_up(claims).await {
        Ok(t) => Ok(token_acrs(t.secret())),
        Err(AuthError::Aad(e)) if e.needs_interaction() => {
            tracing::info!(
                "step-up needs interaction ({}); starting a device code flow",
                e.code().unwrap_or_default()
            );
            let flow = device::run(&session.oauth, Some(claims), client.clock.as_ref(), |ev| {
                if let DeviceEvent::Code(code) = ev {
                    on_code(code);
                }
            });
            match flow.await {
                Ok(tokens) => Ok(token_acrs(session.accept(tokens).await.secret())),
                Err(DeviceError::Refused(e)) => Err(refused(e)),
                Err(e) => Err(StepUpFailure::Other(e.to_string())),
            }
        }
        Err(AuthError::Aad(e)) => Err(refused(e)),
        Err(e) => Err(StepUpFailure::Other(e.to_string())),
    }
}

//! `riskyUser` (Identity Protection, Entra ID P2): list, one, confirm compromised, dismiss
//! (riskyuser.md, riskyuser-confirmcompromised.md, riskyuser-dismiss.md).

use crate::graph::endpoints::path_segment;
use crate::graph::{Method, Request};
use serde_json::json;

pub fn list() -> Request {
    Request::get("/identityProtection/riskyUsers")
}

pub fn one(id: &str) -> Request {
    Request::get(format!(
        "/identityProtection/riskyUsers/{}",
        path_segment(id)
    ))
}

/// One request for every user (`{"userIds": [...]}`): their user risk becomes high
/// (`compromised`) or none (dismissed). Both answer 204.
pub fn change_risk(ids: &[&str], compromised: bool) -> Request {
    let action = if compromised {
        "confirmCompromised"
    } else {
        "dismiss"
    };
    Request::new(
        Method::Post,
        format!("/identityProtection/riskyUsers/{action}"),
    )
    .json(json!({ "userIds": ids }))
}

/// A `riskDetail` in words (riskyuser.md's values; another value is shown as it is).
pub fn detail_words(d: &str) -> String {
    match d {
        "none" | "" => "—".into(),
        "adminGeneratedTemporaryPassword" => "an admin set a temporary password".into(),
        "userPerformedSecuredPasswordChange" => "the user changed the password securely".into(),
        "userPerformedSecuredPasswordReset" => "the user reset the password securely".into(),
        "adminConfirmedSigninSafe" => "an admin confirmed the sign-in safe".into(),
        "aiConfirmedSigninSafe" => "confirmed safe by the service".into(),
        "userPassedMFADrivenByRiskBasedPolicy" => {
            "the user passed MFA asked by a risk policy".into()
        }
        "adminDismissedAllRiskForUser" => "an admin dismissed the risk".into(),
        "adminConfirmedSigninCompromised" => "an admin confirmed a sign-in compromised".into(),
        "adminConfirmedUserCompromised" => "an admin confirmed the user compromised".into(),
        "hidden" => "hidden (no permission to see it)".into(),
        other => crate::sanitize::clean(other),
    }
}

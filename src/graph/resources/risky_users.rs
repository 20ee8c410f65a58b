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

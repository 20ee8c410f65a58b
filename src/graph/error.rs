//! Typed Graph errors: the Graph error body, transport failures and the client's own refusals.

use serde_json::Value;
use std::fmt;

/// An error response from Graph, decoded from `{"error":{code,message,innerError}}`
/// (see graph-api.md §11.5). Fields absent from the body stay `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: String,
    pub message: String,
    /// Entra services sometimes nest a more useful `message` inside `innerError`
    /// (e.g. Conditional Access validation errors `1064: ...`).
    pub inner_message: Option<String>,
    pub request_id: Option<String>,
    pub client_request_id: Option<String>,
    pub date: Option<String>,
    /// `Retry-After` of a 429/503, when the server sent one.
    pub retry_after: Option<std::time::Duration>,
    /// A claims challenge from `WWW-Authenticate` on a 401/403 (step-up needed).
    pub claims: Option<super::claims::ClaimsChallenge>,
}

impl ApiError {
    /// Decode a Graph error body. Anything unparseable still yields an error carrying the status
    /// and a short, sanitized excerpt of the body, never a panic.
    pub fn from_body(status: u16, body: &[u8], header_request_id: Option<String>) -> Self {
        let mut err = ApiError {
            status,
            code: format!("HTTP{status}"),
            message: String::new(),
            request_id: header_request_id,
            ..Default::default()
        };
        match serde_json::from_slice::<Value>(body) {
            Ok(v) => {
                let e = &v["error"];
                if let Some(code) = e["code"].as_str() {
                    err.code = code.to_string();
                }
                if let Some(msg) = e["message"].as_str() {
                    err.message = msg.to_string();
                }
                let mut inner = e.get("innerError").or_else(|| e.get("innererror"));
                // innerError can nest; take the first value of each field found going down.
                while let Some(i) = inner {
                    let take = |k: &str| i.get(k).and_then(Value::as_str).map(str::to_string);
                    err.request_id = err.request_id.take().or_else(|| take("request-id"));
                    err.client_request_id = err
                        .client_request_id
                        .take()
                        .or_else(|| take("client-request-id"));
                    err.date = err.date.take().or_else(|| take("date"));
                    if err.inner_message.is_none() {
                        err.inner_message = take("message");
                    }
                    inner = i.get("innerError").or_else(|| i.get("innererror"));
                }
            }
            Err(_) => {
                let text = String::from_utf8_lossy(body);
                let excerpt: String = text.chars().take(120).collect();
                err.message = crate::sanitize::clean(excerpt.trim());
            }
        }
        if err.message.is_empty() {
            err.message = status_text(status).to_string();
        }
        err
    }
}

fn status_text(status: u16) -> &'static str {
    match status {
        400 => "Bad request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not found",
        429 => "Too many requests",
        500 => "Internal server error",
        502 => "Bad gateway",
        503 => "Service unavailable",
        504 => "Gateway timeout",
        _ => "Unexpected response",
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if let Some(c) = &self.claims {
            write!(f, " ({})", c.describe())?;
        }
        if let Some(inner) = &self.inner_message
            && inner != &self.message
        {
            write!(f, " ({inner})")?;
        }
        write!(f, " [HTTP {}", self.status)?;
        if let Some(id) = &self.request_id {
            write!(f, ", request-id {id}")?;
        }
        write!(f, "]")
    }
}

/// Everything that can go wrong talking to Graph. `Display` is a one-line message for users.
#[derive(Clone, Debug, thiserror::Error)]
pub enum GraphError {
    #[error("{0}")]
    Api(Box<ApiError>),
    #[error("network error: {0}")]
    Transport(String),
    #[error("cannot connect to {0}")]
    Connect(String),
    #[error("unreadable response from {url}: {reason}")]
    Decode { url: String, reason: String },
    #[error(
        "refused to follow a nextLink to another host or port ({0}): the token is only sent to the configured Graph URL"
    )]
    ForeignHost(String),
    #[error(
        "stopped after {pages} pages from {host}: {}; nothing after it was read",
        if *repeated { "Graph sent a nextLink it had already sent" } else { "the page limit was reached" }
    )]
    EndlessPaging {
        host: String,
        pages: usize,
        repeated: bool,
    },
    /// A limit of [`crate::graph::Limits`] ran out; the message names it and its setting.
    #[error("timed out: {0}")]
    Timeout(String),
    #[error("answer too large: {0}")]
    TooLarge(String),
    #[error("read-only mode: {method} {path} was not sent")]
    ReadOnly { method: String, path: String },
    #[error("not signed in: {0}")]
    NotSignedIn(String),
    #[error("offline: no request was sent (the cache is all there is)")]
    Offline,
    #[error("bad Graph URL: {0}")]
    BadUrl(String),
    /// A path or filter would have been built from an object without an id (published sample
    /// responses have id-less objects): nothing was sent.
    #[error("not sent: {0} (an object without an id)")]
    NoId(String),
    /// A page computed from the local cache could not be (offline).
    #[error("{0}")]
    Cache(String),
}

impl GraphError {
    /// The answer to a request was lost after it may have reached the tenant: a server error
    /// that does not ask for a wait (a gateway's 502/503/504 after the tenant acted), a
    /// connection dropped mid-answer, a timeout. A non-idempotent write that ends so has an
    /// unknown outcome: it is not sent again blindly, and what happened is read back.
    pub fn answer_lost(&self) -> bool {
        match self {
            GraphError::Api(a) => a.status >= 500 && a.retry_after.is_none(),
            GraphError::Transport(_) | GraphError::Timeout(_) => true,
            _ => false,
        }
    }

    /// What a refusal of `path` usually means when the tenant lacks the licence a feature
    /// needs (Identity Protection: Entra ID P2, riskyuser-list.md; sign-in logs: P1 or P2).
    pub fn licence_hint(&self, path: &str) -> Option<&'static str> {
        if self.needs_p2() {
            return Some(
                "Privileged Identity Management needs Microsoft Entra ID P2 (or ID Governance): without it Graph refuses PIM reads",
            );
        }
        if self.api()?.status != 403 {
            return None;
        }
        let p = path.to_ascii_lowercase();
        if p.contains("/identityprotection/") {
            Some(
                "Identity Protection needs Microsoft Entra ID P2 (and IdentityRiskyUser.Read.All or ReadWrite.All): without them Graph refuses",
            )
        } else if p.contains("/auditlogs/") {
            Some(
                "sign-in logs need Microsoft Entra ID P1 or P2 (and AuditLog.Read.All): without them Graph refuses",
            )
        } else {
            None
        }
    }

    /// Graph's refusal of PIM on a tenant without P2: a 400 `AadPremiumLicenseRequired`
    /// (reported by tenants; the reference pages do not list it).
    pub fn needs_p2(&self) -> bool {
        self.api()
            .is_some_and(|e| e.code.eq_ignore_ascii_case("AadPremiumLicenseRequired"))
    }

    /// The Graph error, if the server answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            GraphError::Api(e) => Some(e.as_ref()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_graph_error_body() {
        let body = br#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist.","innerError":{"date":"2026-11-22T10:00:00","request-id":"r-1","client-request-id":"c-1"}}}"#;
        let e = ApiError::from_body(404, body, None);
        assert_eq!(e.code, "Request_ResourceNotFound");
        assert_eq!(e.request_id.as_deref(), Some("r-1"));
        assert_eq!(e.client_request_id.as_deref(), Some("c-1"));
        assert_eq!(e.inner_message, None);
        let line = e.to_string();
        assert!(line.contains("request-id r-1"), "{line}");
        assert!(line.contains("HTTP 404"));
    }

    #[test]
    fn nested_inner_message_is_kept() {
        let body = br#"{"error":{"code":"BadRequest","message":"1064: bad","innerError":{"message":"1064: Request not valid: users condition","innerError":{"request-id":"deep"}}}}"#;
        let e = ApiError::from_body(400, body, None);
        assert_eq!(
            e.inner_message.as_deref(),
            Some("1064: Request not valid: users condition")
        );
        assert_eq!(e.request_id.as_deref(), Some("deep"));
    }

    #[test]
    fn garbage_body_gives_status_message() {
        let e = ApiError::from_body(502, b"<html>\x1b[2Jbad gateway</html>", Some("hdr".into()));
        assert_eq!(e.code, "HTTP502");
        assert!(!e.message.contains('\x1b'));
        assert_eq!(e.request_id.as_deref(), Some("hdr"));
        let e = ApiError::from_body(503, b"", None);
        assert_eq!(e.message, "Service unavailable");
    }
}

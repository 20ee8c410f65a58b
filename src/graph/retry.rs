//! Retry policy (which failures are retried, how long to wait) and the pacer that serializes
//! Conditional Access and Identity Protection calls to about one per second per tenant.

use super::error::GraphError;
use crate::clock::Clock;
use crate::rng::Rng;
use std::sync::Mutex;
use std::time::Duration;

/// Bounds for retries.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub max_attempts: u32,
    /// Give up when the next wait would pass this much time since the first attempt.
    pub max_total: Duration,
    pub base: Duration,
    pub cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            max_total: Duration::from_secs(180),
            base: Duration::from_millis(500),
            cap: Duration::from_secs(30),
        }
    }
}

/// Why a request is being retried, for the status bar ("throttled, retrying in 3 s").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryNotice {
    pub reason: String,
    pub wait: Duration,
    /// 0 for a paced call waiting its turn (nothing failed).
    pub attempt: u32,
}

/// Decide whether `err` may be retried. 429 and 503 mean "not processed" and are retried for
/// every method; 504, other 5xx, dropped connections and unreadable bodies may follow a
/// processed request, so only idempotent requests are retried then. A connection that never
/// opened is safe for any method.
pub fn retry_reason(err: &GraphError, idempotent: bool) -> Option<String> {
    match err {
        GraphError::Api(a) => match a.status {
            429 => Some("throttled (429)".into()),
            // A non-idempotent write is sent again only when the tenant provably did not act:
            // a 503 that asks for a wait (Retry-After: Graph's throttling and maintenance
            // answer, "you may repeat the request after a delay", throttling.md). A bare 503
            // can come from a gateway after the tenant acted: a second POST would act twice.
            503 if idempotent || a.retry_after.is_some() => {
                Some("service unavailable (503)".into())
            }
            s if s >= 500 && idempotent => Some(format!("server error ({s})")),
            _ => None,
        },
        GraphError::Connect(_) => Some("cannot connect".into()),
        // A body cut short (fewer bytes than its Content-Length, or the connection closed
        // mid-body) arrives as a transport error; a complete body that is not JSON (`Decode`)
        // would come back the same, so it is never retried.
        GraphError::Transport(_) if idempotent => Some("connection dropped".into()),
        _ => None,
    }
}

/// Jittered exponential backoff for attempt `n` (1-based): between half and all of
/// `base * 2^(n-1)`, capped.
pub fn backoff(policy: &RetryPolicy, attempt: u32, rng: &Mutex<Rng>) -> Duration {
    let exp = policy
        .base
        .saturating_mul(1u32 << (attempt.saturating_sub(1)).min(16));
    let full = exp.min(policy.cap);
    let r = rng.lock().map(|mut g| g.unit()).unwrap_or(0.5);
    full.mul_f64(0.5 + r / 2.0)
}

/// `Retry-After` as delta-seconds or an HTTP date.
pub fn parse_retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = when.with_timezone(&chrono::Utc) - now;
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

/// Resources limited to about one request per second per tenant, without `Retry-After`
/// (graph-api.md §11.4): Conditional Access policies, named locations, risky users and
/// risk detections.
/// Sign-in logs: about 5 requests per 10 s per app and tenant (graph-api.md §10).
pub fn is_sign_in_log(path: &str) -> bool {
    path.to_ascii_lowercase().contains("/auditlogs/signins")
}

pub fn is_paced(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p.contains("/identity/conditionalaccess/")
        || p.contains("/identityprotection/")
        || p.contains("/riskyusers")
        || p.contains("/riskdetections")
}

/// Serializes paced calls: each waits until one interval after the previous one.
#[derive(Debug)]
pub struct Pacer {
    next: tokio::sync::Mutex<Duration>,
    pub interval: Duration,
}

impl Pacer {
    pub fn new(interval: Duration) -> Self {
        Pacer {
            next: tokio::sync::Mutex::new(Duration::ZERO),
            interval,
        }
    }

    /// Wait for this call's slot. The lock is held while sleeping, so calls go one at a time.
    /// Returns how long this call waits (before waiting, so it can be said).
    pub async fn wait(&self, clock: &dyn Clock) -> Duration {
        let mut next = self.next.lock().await;
        let now = clock.now();
        let wait = next.saturating_sub(now);
        if !wait.is_zero() {
            clock.sleep(wait).await;
        }
        *next = clock.now().max(*next) + self.interval;
        wait
    }

    /// How long a call made now would wait.
    pub async fn due_in(&self, clock: &dyn Clock) -> Duration {
        self.next.lock().await.saturating_sub(clock.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::VirtualClock;
    use crate::graph::ApiError;

    fn api(status: u16) -> GraphError {
        GraphError::Api(Box::new(ApiError {
            status,
            ..Default::default()
        }))
    }

    #[test]
    fn classification_follows_idempotency() {
        assert!(retry_reason(&api(429), false).is_some());
        // Issue 32, item 1: a bare 503 to a POST may come after the tenant acted: not sent
        // again; a 503 asking for a wait (Retry-After) was not processed.
        assert!(retry_reason(&api(503), false).is_none());
        assert!(retry_reason(&api(503), true).is_some());
        let waiting = GraphError::Api(Box::new(ApiError {
            status: 503,
            retry_after: Some(std::time::Duration::from_secs(2)),
            ..Default::default()
        }));
        assert!(retry_reason(&waiting, false).is_some());
        assert!(retry_reason(&api(504), false).is_none());
        assert!(retry_reason(&api(504), true).is_some());
        assert!(retry_reason(&api(500), true).is_some());
        assert!(retry_reason(&api(404), true).is_none());
        // Issue 11, item 14: a complete body that is not JSON is not retried.
        let invalid = GraphError::Decode {
            url: String::new(),
            reason: "expected value".into(),
        };
        assert!(retry_reason(&invalid, true).is_none());
        assert!(retry_reason(&GraphError::Connect("refused".into()), false).is_some());
        assert!(retry_reason(&GraphError::Transport("reset".into()), false).is_none());
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let p = RetryPolicy::default();
        let rng = Mutex::new(Rng::new(1));
        let b1 = backoff(&p, 1, &rng);
        assert!(b1 >= Duration::from_millis(250) && b1 <= Duration::from_millis(500));
        let b4 = backoff(&p, 4, &rng);
        assert!(b4 >= Duration::from_secs(2) && b4 <= Duration::from_secs(4));
        assert!(backoff(&p, 30, &rng) <= p.cap);
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = chrono::DateTime::parse_from_rfc2822("Wed, 21 Oct 2015 07:28:00 GMT")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:05 GMT", now),
            Some(Duration::from_secs(5))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }

    #[test]
    fn paced_paths() {
        assert!(is_paced("/identity/conditionalAccess/policies"));
        assert!(is_paced("/identity/conditionalAccess/namedLocations/1"));
        assert!(is_paced("/identityProtection/riskyUsers"));
        assert!(!is_paced("/groups"));
    }

    #[tokio::test]
    async fn pacer_spaces_calls_one_interval_apart() {
        let clock = VirtualClock::default();
        let pacer = Pacer::new(Duration::from_secs(1));
        let mut at = Vec::new();
        for _ in 0..3 {
            pacer.wait(&clock).await;
            at.push(clock.now());
        }
        assert_eq!(
            at,
            [
                Duration::ZERO,
                Duration::from_secs(1),
                Duration::from_secs(2)
            ]
        );
    }
}

//! The demo tenant's misbehaviour, as Graph misbehaves: latency, the identity resource-unit
//! token bucket and the 1 request/s Conditional Access and Identity Protection limit (429s,
//! graph-api.md §11.4), and injected faults (503s, dropped connections, truncated bodies).
//! Deterministic for a given `--seed`; a fault script lets tests force exact sequences.

use super::server::{Ctx, Shared};
use crate::clock::{Clock, TokioClock};
use crate::rng::Rng;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A forced fault for one request (tests script them; `--fault-rate` draws them at random).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 503 with a Graph error body and `Retry-After: 1`.
    Unavailable,
    /// Headers sent, then the connection is cut mid-body.
    Drop,
    /// A 200 that announces its whole body (Content-Length) and sends half of it.
    Truncate,
    /// A 200 with a complete body that is not JSON.
    Garbage,
    /// 429 with the given `Retry-After` seconds.
    Throttle(u64),
    /// The request is carried out, then answered with a bare 503 (no `Retry-After`), as a
    /// gateway does when it loses the tenant's answer: the client cannot know it took effect.
    AfterApply,
    /// Let the request through.
    Pass,
}

/// Fault and throttle settings plus their state.
pub struct Faults {
    pub latency: Duration,
    pub fault_rate: f64,
    /// The share of writes (not GETs) carried out and then answered with a bare 503.
    pub fault_after_rate: f64,
    pub throttle: bool,
    /// Resource units per 10 s per app and tenant (Graph: 3,500 / 5,000 / 8,000 by tenant size).
    pub ru_per_10s: f64,
    rng: Mutex<Rng>,
    script: Mutex<VecDeque<Fault>>,
    /// Buckets and pacing count time on this clock (tests pass a virtual one: throttling
    /// then costs no real waiting), and the latency sleeps on it.
    clock: Arc<dyn Clock>,
    buckets: Mutex<HashMap<String, (f64, Duration)>>,
    last_paced: Mutex<Option<Duration>>,
    /// Requests seen (inner batch requests included), and 429s sent.
    pub requests: AtomicUsize,
    pub throttled: AtomicUsize,
    /// Resource units charged (what a plan costs whatever the waiting: its floor is this over
    /// the bucket's rate).
    pub units: std::sync::atomic::AtomicU64,
    /// Sizes of the `$batch` requests received, in order.
    pub batches: Mutex<Vec<usize>>,
    /// Every request ("GET /v1.0/users"), inner batch requests included, up to the first
    /// 200,000: tests count the writes and the page reads that reached the tenant.
    pub log: Mutex<Vec<String>>,
    /// Paths (substrings) refused with 403.
    deny: Vec<String>,
}

impl Faults {
    pub fn new(
        latency: Duration,
        fault_rate: f64,
        throttle: bool,
        users: usize,
        seed: u64,
        script: Vec<Fault>,
    ) -> Self {
        let ru = if users < 50 {
            3500.0
        } else if users <= 500 {
            5000.0
        } else {
            8000.0
        };
        Faults {
            latency,
            fault_rate,
            fault_after_rate: 0.0,
            throttle,
            ru_per_10s: ru,
            rng: Mutex::new(Rng::new(seed ^ 0xfa17)),
            script: Mutex::new(script.into()),
            clock: Arc::new(TokioClock::default()),
            buckets: Mutex::new(HashMap::new()),
            last_paced: Mutex::new(None),
            requests: AtomicUsize::new(0),
            throttled: AtomicUsize::new(0),
            units: std::sync::atomic::AtomicU64::new(0),
            batches: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
            deny: Vec::new(),
        }
    }

    /// Carry out this share of writes and then lose their answer (a bare 503).
    pub fn after_rate(mut self, rate: f64) -> Self {
        self.fault_after_rate = rate;
        self
    }

    /// Count time on `clock` (see the field).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Refuse requests whose path contains one of `paths` with 403.
    pub fn deny(mut self, paths: Vec<String>) -> Self {
        self.deny = paths;
        self
    }

    fn draw(&self, inner: bool) -> Fault {
        if let Some(f) = self.script.lock().ok().and_then(|mut s| s.pop_front()) {
            return f;
        }
        if self.fault_rate <= 0.0 {
            return Fault::Pass;
        }
        let Ok(mut rng) = self.rng.lock() else {
            return Fault::Pass;
        };
        if rng.unit() >= self.fault_rate {
            return Fault::Pass;
        }
        // Inside a batch only a status can be faked; the connection belongs to the outer request.
        if inner {
            return Fault::Unavailable;
        }
        match rng.below(3) {
            0 => Fault::Unavailable,
            1 => Fault::Drop,
            _ => Fault::Truncate,
        }
    }

    /// Whether this write's answer is lost after it was carried out (`--fault-after-rate`).
    fn draw_after(&self) -> bool {
        self.rng
            .lock()
            .is_ok_and(|mut r| r.unit() < self.fault_after_rate)
    }

    /// Take `cost` units from the caller's bucket, or say how long until they are there.
    fn take(&self, key: &str, cost: f64) -> Result<(), Duration> {
        let rate = self.ru_per_10s / 10.0;
        let now = self.clock.now();
        let Ok(mut b) = self.buckets.lock() else {
            return Ok(());
        };
        let (tokens, last) = b.entry(key.to_string()).or_insert((self.ru_per_10s, now));
        *tokens = (*tokens + now.saturating_sub(*last).as_secs_f64() * rate).min(self.ru_per_10s);
        *last = now;
        if *tokens >= cost {
            *tokens -= cost;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((cost - *tokens) / rate))
        }
    }

    /// One request per second per tenant for CA and Identity Protection resources.
    fn take_paced(&self) -> bool {
        let now = self.clock.now();
        let Ok(mut last) = self.last_paced.lock() else {
            return true;
        };
        match *last {
            Some(t) if now.saturating_sub(t) < Duration::from_secs(1) => false,
            _ => {
                *last = Some(now);
                true
            }
        }
    }
}

/// Graph's resource-unit cost of a request (graph-api.md §11.4): base by resource, `$select`
/// -1, `$expand` +1, `$top` below 20 -1, at least 1.
pub fn cost(path: &str, query: &str) -> u32 {
    let p = path.trim_end_matches('/');
    let segs: Vec<&str> = p.split('/').filter(|s| !s.is_empty()).skip(1).collect();
    let last = segs.last().copied().unwrap_or_default();
    let base: i32 = match last {
        "members" => 3,
        "transitiveMembers" => 5,
        "subscribedSkus" => 3,
        "licenseDetails" | "memberOf" => 2,
        _ if segs.first() == Some(&"users") && segs.len() <= 2 => 2,
        _ => 1,
    };
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let has = |k: &str| pairs.iter().any(|(n, _)| n == k);
    let mut c = base;
    if has("$select") {
        c -= 1;
    }
    if has("$expand") {
        c += 1;
    }
    if pairs
        .iter()
        .any(|(n, v)| n == "$top" && v.parse::<u32>().is_ok_and(|t| t < 20))
    {
        c -= 1;
    }
    c.max(1) as u32
}

fn is_paced(path: &str) -> bool {
    super::rules::paced(path)
}

fn throttled(ctx: &Ctx, retry_after: Option<u64>, scope: &str) -> Response {
    let mut r = ctx.error(429, "TooManyRequests", "Too many requests.");
    let h = r.headers_mut();
    if let Some(s) = retry_after {
        h.insert("retry-after", HeaderValue::from(s));
    }
    if let Ok(v) = HeaderValue::from_str(scope) {
        h.insert("x-ms-throttle-scope", v);
    }
    h.insert(
        "x-ms-throttle-information",
        HeaderValue::from_static("ResourceUnitLimitExceeded"),
    );
    r
}

/// The middleware in front of every route.
pub async fn middleware(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let f = &state.faults;
    f.requests.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut log) = f.log.lock()
        && log.len() < 200_000
    {
        log.push(format!("{} {}", req.method(), req.uri().path()));
    }
    if !f.latency.is_zero() {
        f.clock.sleep(f.latency).await;
    }
    let ctx = Ctx::new(req.headers());
    let path = req.uri().path().to_string();
    let query = req.uri().query().unwrap_or_default().to_string();
    let inner = req.headers().contains_key("x-demo-inner");
    // The identity endpoints are another service: no Graph throttling or faults there.
    if path.contains("/oauth2/") || path == "/devicelogin" {
        return next.run(req).await;
    }
    if f.deny.iter().any(|d| path.contains(d.as_str())) {
        return ctx.error(
            403,
            "Authorization_RequestDenied",
            "Insufficient privileges to complete the operation.",
        );
    }
    let is_batch = path.ends_with("/$batch");
    let units = cost(&path, &query);
    let fault = if is_batch && !inner {
        f.draw(false)
    } else {
        f.draw(inner)
    };
    match fault {
        Fault::Unavailable => {
            let mut r = ctx.error(
                503,
                "ServiceUnavailable",
                "The service is temporarily unavailable.",
            );
            r.headers_mut()
                .insert("retry-after", HeaderValue::from(1u64));
            return r;
        }
        Fault::Throttle(s) => {
            f.throttled.fetch_add(1, Ordering::Relaxed);
            return throttled(&ctx, Some(s), "Tenant_Application/ReadWrite/demo/demo");
        }
        _ => {}
    }
    if f.throttle && !is_batch {
        if is_paced(&path) {
            if !f.take_paced() {
                f.throttled.fetch_add(1, Ordering::Relaxed);
                // These resources send no Retry-After (graph-api.md §11.4).
                return throttled(&ctx, None, "Tenant/ReadWrite/demo");
            }
        } else {
            let key = req
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            if let Err(wait) = f.take(&key, f64::from(units)) {
                f.throttled.fetch_add(1, Ordering::Relaxed);
                return throttled(
                    &ctx,
                    Some(wait.as_secs().max(1)),
                    "Tenant_Application/ReadWrite/demo/demo",
                );
            }
        }
    }
    if !is_batch {
        f.units.fetch_add(u64::from(units), Ordering::Relaxed);
    }
    // Writes only: a `$batch`, `getByIds` or What If POST reads.
    let write = req.method() != axum::http::Method::GET
        && !is_batch
        && !path.ends_with("/getByIds")
        && !path.ends_with("/evaluate");
    let after = fault == Fault::AfterApply
        || (write && !inner && f.fault_after_rate > 0.0 && f.draw_after());
    let mut resp = next.run(req).await;
    // Only what the tenant carried out loses its answer (a refusal is answered as it is).
    if after && resp.status().is_success() {
        // Carried out; the answer is lost on the way back.
        return ctx.error(
            503,
            "ServiceUnavailable",
            "The service is temporarily unavailable.",
        );
    }
    if !is_batch {
        resp.headers_mut()
            .insert("x-ms-resource-unit", HeaderValue::from(units));
    }
    match fault {
        Fault::Garbage => {
            let (mut parts, _) = resp.into_parts();
            parts.status = StatusCode::OK;
            parts.headers.remove("content-length");
            Response::from_parts(parts, Body::from("<html>proxy error</html>"))
        }
        Fault::Drop | Fault::Truncate => {
            let (parts, body) = resp.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let half = Bytes::copy_from_slice(&bytes[..bytes.len() / 2]);
            if fault == Fault::Truncate {
                // A real cut: Content-Length announces the whole body, half of it is sent and
                // the connection closes (the client sees fewer bytes than announced).
                let stream = futures::stream::iter(vec![Ok::<Bytes, std::io::Error>(half)]);
                let mut r = Response::from_parts(parts, Body::from_stream(stream));
                r.headers_mut()
                    .insert("content-length", HeaderValue::from(bytes.len()));
                return r;
            }
            let stream = futures::stream::iter(vec![
                Ok::<Bytes, std::io::Error>(half),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "demo: dropped connection",
                )),
            ]);
            let mut r = Response::from_parts(parts, Body::from_stream(stream));
            r.headers_mut().remove("content-length");
            r
        }
        _ => resp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_follow_the_documented_table() {
        assert_eq!(cost("/v1.0/users", ""), 2);
        assert_eq!(cost("/v1.0/users", "$select=id"), 1);
        assert_eq!(cost("/v1.0/groups/1/members", ""), 3);
        assert_eq!(cost("/v1.0/groups/1/members", "$select=id&$expand=x"), 3);
        assert_eq!(cost("/v1.0/groups/1/transitiveMembers", "$top=5"), 4);
        assert_eq!(cost("/v1.0/subscribedSkus", ""), 3);
        assert_eq!(cost("/v1.0/groups", "$select=id&$top=5"), 1);
    }

    #[test]
    fn bucket_refuses_then_says_when() {
        let f = Faults::new(Duration::ZERO, 0.0, true, 10, 1, vec![]);
        assert!(f.take("a", 3000.0).is_ok());
        let wait = f.take("a", 1000.0).unwrap_err();
        assert!(
            wait > Duration::from_secs(1) && wait < Duration::from_secs(3),
            "{wait:?}"
        );
        assert!(f.take("b", 1000.0).is_ok(), "buckets are per app");
    }

    #[test]
    fn random_faults_are_seeded() {
        let a = Faults::new(Duration::ZERO, 0.5, false, 10, 7, vec![]);
        let b = Faults::new(Duration::ZERO, 0.5, false, 10, 7, vec![]);
        let sa: Vec<_> = (0..50).map(|_| a.draw(false)).collect();
        let sb: Vec<_> = (0..50).map(|_| b.draw(false)).collect();
        assert_eq!(sa, sb);
        assert!(sa.contains(&Fault::Pass) && sa.contains(&Fault::Drop));
    }
}

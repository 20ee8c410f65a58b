//! The Graph HTTP client every part of the console uses: URL building, auth header, read-only
//! guard, retries with backoff and pacing, typed errors and `@odata.nextLink` paging as a
//! stream of pages.

use super::error::{ApiError, GraphError};
use super::request::{Method, Request};
use super::retry::{
    Pacer, RetryNotice, RetryPolicy, backoff, is_paced, parse_retry_after, retry_reason,
};
use crate::auth::Credential;
use crate::clock::{Clock, TokioClock};
use crate::rng::Rng;
use futures::stream::{self, BoxStream, StreamExt};
use serde_json::Value;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

/// Called before each retry wait (the UI shows "throttled, retrying in 3 s").
pub type Observer = Arc<dyn Fn(RetryNotice) + Send + Sync>;

/// Settings the client is built from (all come from config/CLI; nothing is hard-coded).
#[derive(Clone, Debug)]
pub struct GraphConfig {
    /// e.g. `https://graph.microsoft.com` or `http://127.0.0.1:PORT` for the demo tenant.
    pub base_url: String,
    pub read_only: bool,
    pub credential: Credential,
    pub limits: Limits,
}

/// How long a request may take and how large an answer may be. Each limit has a profile
/// setting (`connect_timeout_secs`, `read_timeout_secs`, `timeout_secs`, `max_response_mb`)
/// and the error that trips it names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Opening the connection (TCP and TLS).
    pub connect: Duration,
    /// Silence while waiting for the next bytes of an answer.
    pub read: Duration,
    /// One request from sending to the last byte of its answer (each retry has its own).
    pub total: Duration,
    /// Bytes one answer may have. Graph's largest pages (999 objects with every property, or a
    /// `$batch` of 20 pages) are a few MB; 32 MB is far above them and still stops a runaway.
    pub max_body: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            connect: Duration::from_secs(10),
            read: Duration::from_secs(30),
            total: Duration::from_secs(120),
            max_body: 32 << 20,
        }
    }
}

/// A decoded Graph response.
#[derive(Clone, Debug)]
pub struct Response {
    pub status: u16,
    pub request_id: Option<String>,
    /// `Value::Null` for an empty body (204).
    pub body: Value,
}

/// One page of a collection.
#[derive(Clone, Debug, Default)]
pub struct Page {
    pub items: Vec<Value>,
    /// `@odata.count`, present on the first page only when `$count=true` was sent.
    pub count: Option<u64>,
    pub next_link: Option<String>,
    pub delta_link: Option<String>,
    /// 0 for the first page.
    pub index: usize,
}

/// The one Graph client. Cheap to clone (the HTTP pool, pacer and clock are shared).
#[derive(Clone)]
pub struct GraphClient {
    http: reqwest::Client,
    base: Url,
    credential: Credential,
    read_only: bool,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) retry: RetryPolicy,
    pacer: Arc<Pacer>,
    /// Sign-in log reads: one every 2 s (about 5 per 10 s per app and tenant).
    sign_in_pacer: Arc<Pacer>,
    pub(crate) rng: Arc<Mutex<Rng>>,
    observer: Option<Observer>,
    /// `--offline`: every request is refused before a socket is opened.
    offline: bool,
    limits: Limits,
    /// HTTP requests sent by this client and its clones (retries included).
    sent: Arc<std::sync::atomic::AtomicU64>,
}

impl std::fmt::Debug for GraphClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GraphClient")
            .field("base", &self.base.as_str())
            .field("credential", &self.credential)
            .field("read_only", &self.read_only)
            .finish_non_exhaustive()
    }
}

/// True when plain http is acceptable: loopback only.
fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Percent-encode a query component, keeping the characters OData expressions use literally.
fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~$,()':/@!*".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl GraphClient {
    pub fn new(cfg: GraphConfig) -> Result<Self, GraphError> {
        let base = Url::parse(cfg.base_url.trim_end_matches('/'))
            .map_err(|e| GraphError::BadUrl(format!("{}: {e}", cfg.base_url)))?;
        match base.scheme() {
            "https" => {}
            "http" if is_loopback(&base) => {}
            "http" => {
                return Err(GraphError::BadUrl(format!(
                    "{} uses plain http; only 127.0.0.1, ::1 and localhost may",
                    cfg.base_url
                )));
            }
            other => return Err(GraphError::BadUrl(format!("unsupported scheme {other}"))),
        }
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.limits.connect)
            .read_timeout(cfg.limits.read)
            .user_agent(concat!("entra-console/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| GraphError::Transport(e.to_string()))?;
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(7);
        Ok(GraphClient {
            http,
            base,
            credential: cfg.credential,
            read_only: cfg.read_only,
            clock: Arc::new(TokioClock::default()),
            retry: RetryPolicy::default(),
            pacer: Arc::new(Pacer::new(Duration::from_millis(1050))),
            sign_in_pacer: Arc::new(Pacer::new(Duration::from_secs(2))),
            rng: Arc::new(Mutex::new(Rng::new(seed))),
            observer: None,
            offline: false,
            limits: cfg.limits,
            sent: Arc::default(),
        })
    }

    /// HTTP requests sent so far by this client and its clones, retries included (the soak
    /// reports it).
    pub fn requests_sent(&self) -> u64 {
        self.sent.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Never touch the network (`--offline`).
    pub fn offline(mut self) -> Self {
        self.offline = true;
        self
    }

    pub fn is_offline(&self) -> bool {
        self.offline
    }

    /// Use another clock (tests use a virtual one).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Be told about every retry before its wait.
    pub fn with_observer(mut self, observer: Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Spacing of Conditional Access / Identity Protection calls (default a little over 1 s).
    pub fn with_pacing(mut self, interval: Duration) -> Self {
        self.pacer = Arc::new(Pacer::new(interval));
        self.sign_in_pacer = Arc::new(Pacer::new(interval));
        self
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// The same client, refusing every method but reads (an audit's proof of read-only).
    pub fn reads_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    pub fn credential(&self) -> &Credential {
        &self.credential
    }

    /// The absolute URL a request goes to.
    pub fn url_for(&self, req: &Request) -> Result<Url, GraphError> {
        let mut s = format!(
            "{}/{}{}",
            self.base.as_str().trim_end_matches('/'),
            req.version.segment(),
            req.path
        );
        if !req.query.is_empty() {
            let q: Vec<String> = req
                .query
                .iter()
                .map(|(k, v)| format!("{}={}", encode_component(k), encode_component(v)))
                .collect();
            s.push('?');
            s.push_str(&q.join("&"));
        }
        Url::parse(&s).map_err(|e| GraphError::BadUrl(format!("{s}: {e}")))
    }

    /// Refuse anything but reads (and `$batch` of reads) in read-only mode, before a byte is
    /// sent; and any request built from an empty id, in any mode.
    fn guard(&self, req: &Request) -> Result<(), GraphError> {
        if let Some(why) = req.empty_id() {
            return Err(GraphError::NoId(why));
        }
        if self.read_only && !req.is_read() && !is_read_post(req) && !is_batch_of_reads(req) {
            return Err(GraphError::ReadOnly {
                method: req.method.as_str().to_string(),
                path: req.path.clone(),
            });
        }
        Ok(())
    }

    /// Send one request and decode the answer; non-2xx becomes [`GraphError::Api`]. Throttling,
    /// 503s and (for idempotent requests) dropped connections and other 5xx are retried.
    pub async fn send(&self, req: &Request) -> Result<Response, GraphError> {
        self.guard(req)?;
        let url = self.url_for(req)?;
        let idempotent = is_idempotent(req);
        self.send_url(req.method, url, &req.headers, req.body.as_ref(), idempotent)
            .await
    }

    /// Report a retry to the observer and the log.
    pub(crate) fn notify(&self, notice: RetryNotice) {
        tracing::warn!(reason = %notice.reason, wait_ms = notice.wait.as_millis() as u64, attempt = notice.attempt, "retrying");
        if let Some(o) = &self.observer {
            o(notice);
        }
    }

    /// The retry loop around one request.
    async fn send_url(
        &self,
        method: Method,
        url: Url,
        headers: &[(String, String)],
        body: Option<&Value>,
        idempotent: bool,
    ) -> Result<Response, GraphError> {
        let start = self.clock.now();
        let paced = is_paced(url.path());
        let sign_ins = super::retry::is_sign_in_log(url.path());
        let mut attempt = 0;
        loop {
            attempt += 1;
            if paced {
                self.pacer.wait(self.clock.as_ref()).await;
            }
            if sign_ins {
                // Said when the wait is long enough to notice.
                let due = self.sign_in_pacer.due_in(self.clock.as_ref()).await;
                if due >= Duration::from_millis(500) {
                    self.notify(RetryNotice {
                        reason: "sign-in logs allow about 5 requests per 10 s".into(),
                        wait: due,
                        attempt: 0,
                    });
                }
                self.sign_in_pacer.wait(self.clock.as_ref()).await;
            }
            let err = match self.execute(method, url.clone(), headers, body).await {
                Ok(r) => return Ok(r),
                // A DELETE sent again after an answer was lost: 404 means the first one took
                // effect (graph-api.md: "a 404 on a retried DELETE means deleted").
                Err(e)
                    if method == Method::Delete
                        && attempt > 1
                        && e.api().is_some_and(|a| a.status == 404) =>
                {
                    tracing::info!("retried DELETE answered 404: the first attempt deleted it");
                    return Ok(Response {
                        status: 204,
                        request_id: e.api().and_then(|a| a.request_id.clone()),
                        body: Value::Null,
                    });
                }
                Err(e) => e,
            };
            let Some(reason) = retry_reason(&err, idempotent) else {
                return Err(err);
            };
            // A refused connection is worth one short retry (a restarting proxy), not a
            // minute of them: the admin learns at once that the host is unreachable.
            let limit = if matches!(err, GraphError::Connect(_)) {
                CONNECT_ATTEMPTS
            } else {
                self.retry.max_attempts
            };
            if attempt >= limit {
                return Err(err);
            }
            let after = err.api().and_then(|a| a.retry_after).unwrap_or_default();
            let wait = after.max(backoff(&self.retry, attempt, &self.rng));
            if self.clock.now().saturating_sub(start) + wait > self.retry.max_total {
                return Err(err);
            }
            self.notify(RetryNotice {
                reason,
                wait,
                attempt,
            });
            self.clock.sleep(wait).await;
        }
    }

    /// GET (or any request) and return the JSON body.
    pub async fn get_json(&self, req: &Request) -> Result<Value, GraphError> {
        Ok(self.send(req).await?.body)
    }

    /// Check that a nextLink stays on the configured host before the token goes with it.
    fn same_origin(&self, link: &str) -> Result<Url, GraphError> {
        let url =
            Url::parse(link).map_err(|e| GraphError::BadUrl(format!("nextLink {link}: {e}")))?;
        let same = url.scheme() == self.base.scheme()
            && url.host_str().map(str::to_ascii_lowercase)
                == self.base.host_str().map(str::to_ascii_lowercase)
            && url.port_or_known_default() == self.base.port_or_known_default();
        if same {
            Ok(url)
        } else {
            // Another host is named; another port of the same host with its port (it is
            // another server too).
            let host = url.host_str().unwrap_or("?");
            let same_host = url.host_str().map(str::to_ascii_lowercase)
                == self.base.host_str().map(str::to_ascii_lowercase);
            Err(GraphError::ForeignHost(match url.port_or_known_default() {
                Some(port) if same_host => format!("{host}:{port}"),
                _ => host.to_string(),
            }))
        }
    }

    /// One HTTP exchange within the total timeout.
    async fn execute(
        &self,
        method: Method,
        url: Url,
        headers: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<Response, GraphError> {
        let total = self.limits.total;
        match tokio::time::timeout(total, self.exchange(method, url.clone(), headers, body)).await {
            Ok(r) => r,
            Err(_) => Err(GraphError::Timeout(format!(
                "no complete answer from {} within the total timeout of {} s (timeout_secs in the profile raises it)",
                url.host_str().unwrap_or("?"),
                total.as_secs()
            ))),
        }
    }

    async fn exchange(
        &self,
        method: Method,
        url: Url,
        headers: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<Response, GraphError> {
        if self.offline {
            return Err(GraphError::Offline);
        }
        let token = self.credential.bearer().await?;
        let m = match method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Patch => reqwest::Method::PATCH,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
        };
        let client_request_id = uuid::Uuid::new_v4().to_string();
        let mut rb = self
            .http
            .request(m, url.clone())
            .bearer_auth(token.secret())
            .header("Accept", "application/json")
            .header("client-request-id", &client_request_id);
        for (k, v) in headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        if let Some(b) = body {
            rb = rb.json(b);
        }
        self.sent.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let resp = rb.send().await.map_err(|e| {
            // reqwest errors never include headers, so no token can leak here.
            if e.is_timeout() {
                self.timed_out(&url, e.is_connect())
            } else if e.is_connect() {
                // Name the host and port and the cause ("Connection refused"), not only
                // reqwest's "error sending request".
                GraphError::Connect(format!(
                    "{}:{}: {}",
                    url.host_str().unwrap_or("?"),
                    url.port_or_known_default().unwrap_or(0),
                    root_cause(&e)
                ))
            } else {
                GraphError::Transport(e.without_url().to_string())
            }
        })?;
        let status = resp.status().as_u16();
        let header = |k: &str| {
            resp.headers()
                .get(k)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let request_id = header("request-id");
        let retry_after =
            header("retry-after").and_then(|v| parse_retry_after(&v, chrono::Utc::now()));
        let www: Vec<String> = resp
            .headers()
            .get_all("www-authenticate")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect();
        let bytes = self.read_body(resp, &url).await?;
        tracing::debug!(method = method.as_str(), url = %url, status, request_id = ?request_id, client_request_id, "graph");
        if status >= 400 {
            let mut e = ApiError::from_body(status, &bytes, request_id);
            e.retry_after = retry_after;
            if status == 401 || status == 403 {
                let refs: Vec<&str> = www.iter().map(String::as_str).collect();
                e.claims = super::claims::parse(&refs);
            }
            if e.claims.is_none() {
                e.claims = super::claims::from_pim_error(&e.code, &e.message);
            }
            return Err(GraphError::Api(Box::new(e)));
        }
        let body = if bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            // The whole body arrived (a cut one fails above, as a transport error) and is not
            // JSON: retrying would get the same answer, so it is an error at once.
            serde_json::from_slice(&bytes).map_err(|e| GraphError::Decode {
                url: url.path().to_string(),
                reason: match &request_id {
                    Some(rid) => format!("{e} (request-id {rid})"),
                    None => e.to_string(),
                },
            })?
        };
        Ok(Response {
            status,
            request_id,
            body,
        })
    }

    /// The error of a timeout that reqwest reported (connecting, or silence while reading).
    fn timed_out(&self, url: &Url, connecting: bool) -> GraphError {
        let host = url.host_str().unwrap_or("?");
        GraphError::Timeout(if connecting {
            format!(
                "cannot connect to {host} within the connect timeout of {} s (connect_timeout_secs in the profile raises it)",
                self.limits.connect.as_secs()
            )
        } else {
            format!(
                "{host} sent nothing for {} s (read timeout; read_timeout_secs in the profile raises it)",
                self.limits.read.as_secs()
            )
        })
    }

    /// The body, refused as soon as it is known to pass the size limit.
    async fn read_body(
        &self,
        mut resp: reqwest::Response,
        url: &Url,
    ) -> Result<Vec<u8>, GraphError> {
        let max = self.limits.max_body;
        let too_large = || {
            GraphError::TooLarge(format!(
                "the answer to {} is larger than {} MB; nothing of it was used (max_response_mb in the profile raises the limit)",
                url.path(),
                max >> 20
            ))
        };
        if resp.content_length().is_some_and(|n| n > max as u64) {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        loop {
            match resp.chunk().await {
                Ok(Some(c)) => {
                    if bytes.len() + c.len() > max {
                        return Err(too_large());
                    }
                    bytes.extend_from_slice(&c);
                }
                Ok(None) => return Ok(bytes),
                Err(e) if e.is_timeout() => return Err(self.timed_out(url, false)),
                Err(e) => return Err(GraphError::Transport(e.without_url().to_string())),
            }
        }
    }

    /// Every page of a collection, in order, as they arrive. Follows `@odata.nextLink` as a whole
    /// URL (only on the configured host) and re-sends the request's headers (`ConsistencyLevel`)
    /// on every page, since Graph does not carry them over (graph-api.md §11.1).
    pub fn pages(&self, req: Request) -> BoxStream<'static, Result<Page, GraphError>> {
        self.stream(Cursor::First(req))
    }

    fn stream(&self, start: Cursor) -> BoxStream<'static, Result<Page, GraphError>> {
        let client = self.clone();
        stream::unfold(start, move |cursor| {
            let client = client.clone();
            async move {
                let result = match cursor {
                    Cursor::Done => return None,
                    Cursor::First(req) => {
                        let r = client.send(&req).await;
                        (r, req.headers, 0, HashSet::new())
                    }
                    Cursor::Next(url, headers, index, seen) => {
                        let r = client
                            .send_url(Method::Get, url, &headers, None, true)
                            .await;
                        (r, headers, index, seen)
                    }
                };
                let (result, headers, index, mut seen) = result;
                let page = result.and_then(|resp| parse_page(resp.body, index));
                let next = match &page {
                    Ok(p) => match &p.next_link {
                        Some(link) => match client.same_origin(link) {
                            // A link already followed would be followed forever; a collection
                            // past the page limit is one that never ends. Either way the
                            // page is not passed on (its link must not become a resume point).
                            Ok(url) if seen.contains(link) || index + 1 >= MAX_PAGES => {
                                let e = GraphError::EndlessPaging {
                                    host: url.host_str().unwrap_or("?").to_string(),
                                    pages: index + 1,
                                    repeated: seen.contains(link),
                                };
                                return Some((Err(e), Cursor::Done));
                            }
                            Ok(url) => {
                                seen.insert(link.clone());
                                Cursor::Next(url, headers, index + 1, seen)
                            }
                            Err(e) => return Some((Err(e), Cursor::Done)),
                        },
                        None => Cursor::Done,
                    },
                    Err(_) => Cursor::Done,
                };
                Some((page, next))
            }
        })
        .boxed()
    }

    /// Continue a collection from a saved `@odata.nextLink` or `@odata.deltaLink` (same host only).
    pub fn pages_from_link(
        &self,
        link: &str,
        headers: Vec<(String, String)>,
    ) -> BoxStream<'static, Result<Page, GraphError>> {
        match self.same_origin(link) {
            Ok(url) => self.stream(Cursor::Next(
                url,
                headers,
                0,
                HashSet::from([link.to_string()]),
            )),
            Err(e) => stream::once(async move { Err(e) }).boxed(),
        }
    }

    /// All items of a collection (every page).
    pub async fn get_all(&self, req: Request) -> Result<Vec<Value>, GraphError> {
        let mut out = Vec::new();
        let mut pages = self.pages(req);
        while let Some(page) = pages.next().await {
            out.extend(page?.items);
        }
        Ok(out)
    }
}

/// Where a page stream is: the next URL, its headers, its index and every link followed.
enum Cursor {
    First(Request),
    Next(Url, Vec<(String, String)>, usize, HashSet<String>),
    Done,
}

/// Pages one collection may have. Far above any real tenant (1M users at Graph's 999 a page
/// are about 1,000 pages; delta pages of 200 are 5,000), low enough to stop a server that
/// never ends a collection.
pub const MAX_PAGES: usize = 50_000;

/// Attempts at opening a connection before "cannot connect" is reported (waits of about 0.5
/// and 1 s between them).
const CONNECT_ATTEMPTS: u32 = 3;

/// The innermost cause of an error ("Connection refused (os error 111)").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// Graph actions that are reads although sent as POST (a reviewer needs names and What If):
/// an explicit list, matched on the last path segments.
const READ_POSTS: &[&str] = &[
    "/directoryObjects/getByIds",
    "/identity/conditionalAccess/evaluate",
    "/getMemberGroups",
    "/getMemberObjects",
    "/checkMemberGroups",
    "/checkMemberObjects",
];

/// A POST to one of the [`READ_POSTS`] actions.
fn is_read_post(req: &Request) -> bool {
    let path = req.path.split('?').next().unwrap_or_default();
    req.method == Method::Post && READ_POSTS.iter().any(|p| path.ends_with(p))
}

/// A `$batch` POST whose inner requests are all GETs: a read, allowed in read-only mode.
fn is_batch_of_reads(req: &Request) -> bool {
    req.method == Method::Post
        && req.path == "/$batch"
        && req
            .body
            .as_ref()
            .and_then(|b| b["requests"].as_array())
            .is_some_and(|rs| {
                rs.iter().all(|r| {
                    r["method"]
                        .as_str()
                        .is_some_and(|m| m.eq_ignore_ascii_case("GET"))
                })
            })
}

/// Safe to repeat after a failure that may have followed processing.
fn is_idempotent(req: &Request) -> bool {
    matches!(req.method, Method::Get | Method::Put | Method::Delete) || is_batch_of_reads(req)
}

/// Decode a collection page, tolerating a missing or null `value` (an empty page).
fn parse_page(body: Value, index: usize) -> Result<Page, GraphError> {
    let Value::Object(mut map) = body else {
        return Err(GraphError::Decode {
            url: String::new(),
            reason: "expected a JSON object with a `value` array".into(),
        });
    };
    let items = match map.remove("value") {
        Some(Value::Array(a)) => a,
        Some(Value::Null) | None => Vec::new(),
        Some(_) => {
            return Err(GraphError::Decode {
                url: String::new(),
                reason: "`value` is not an array".into(),
            });
        }
    };
    let text = |m: &serde_json::Map<String, Value>, k: &str| {
        m.get(k).and_then(Value::as_str).map(str::to_string)
    };
    Ok(Page {
        items,
        count: map.get("@odata.count").and_then(Value::as_u64),
        next_link: text(&map, "@odata.nextLink"),
        delta_link: text(&map, "@odata.deltaLink"),
        index,
    })
}

#[cfg(test)]
mod tests;

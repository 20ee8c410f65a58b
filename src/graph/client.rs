//! The Graph HTTP client every part of the console uses: URL building, auth header, read-only
//! guard, typed errors and `@odata.nextLink` paging as a stream of pages.

use super::error::{ApiError, GraphError};
use super::request::{Method, Request};
use crate::auth::Credential;
use futures::stream::{self, BoxStream, StreamExt};
use serde_json::Value;
use std::time::Duration;
use url::Url;

/// Settings the client is built from (all come from config/CLI; nothing is hard-coded).
#[derive(Clone, Debug)]
pub struct GraphConfig {
    /// e.g. `https://graph.microsoft.com` or `http://127.0.0.1:PORT` for the demo tenant.
    pub base_url: String,
    pub read_only: bool,
    pub credential: Credential,
    pub timeout: Duration,
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

/// The one Graph client. Cheap to clone (the HTTP pool is shared).
#[derive(Clone, Debug)]
pub struct GraphClient {
    http: reqwest::Client,
    base: Url,
    credential: Credential,
    read_only: bool,
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
            .timeout(cfg.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("entra-console/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| GraphError::Transport(e.to_string()))?;
        Ok(GraphClient {
            http,
            base,
            credential: cfg.credential,
            read_only: cfg.read_only,
        })
    }

    pub fn base_url(&self) -> &Url {
        &self.base
    }

    pub fn read_only(&self) -> bool {
        self.read_only
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

    /// Refuse anything but reads in read-only mode, before a byte is sent.
    fn guard(&self, req: &Request) -> Result<(), GraphError> {
        if self.read_only && !req.is_read() {
            return Err(GraphError::ReadOnly {
                method: req.method.as_str().to_string(),
                path: req.path.clone(),
            });
        }
        Ok(())
    }

    /// Send one request and decode the answer; non-2xx becomes [`GraphError::Api`].
    pub async fn send(&self, req: &Request) -> Result<Response, GraphError> {
        self.guard(req)?;
        let url = self.url_for(req)?;
        self.execute(req.method, url, &req.headers, req.body.as_ref())
            .await
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
            Err(GraphError::ForeignHost(
                url.host_str().unwrap_or("?").to_string(),
            ))
        }
    }

    async fn execute(
        &self,
        method: Method,
        url: Url,
        headers: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<Response, GraphError> {
        let token = self.credential.bearer()?;
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
        let resp = rb.send().await.map_err(|e| {
            // reqwest errors name the URL but never the headers, so no token can leak here.
            GraphError::Transport(e.without_url().to_string())
        })?;
        let status = resp.status().as_u16();
        let request_id = resp
            .headers()
            .get("request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| GraphError::Transport(e.without_url().to_string()))?;
        tracing::debug!(method = method.as_str(), url = %url, status, request_id = ?request_id, client_request_id, "graph");
        if status >= 400 {
            return Err(GraphError::Api(Box::new(ApiError::from_body(
                status, &bytes, request_id,
            ))));
        }
        let body = if bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).map_err(|e| GraphError::Decode {
                url: url.path().to_string(),
                reason: e.to_string(),
            })?
        };
        Ok(Response {
            status,
            request_id,
            body,
        })
    }

    /// Every page of a collection, in order, as they arrive. Follows `@odata.nextLink` as a whole
    /// URL (only on the configured host) and re-sends the request's headers (`ConsistencyLevel`)
    /// on every page, since Graph does not carry them over (graph-api.md §11.1).
    pub fn pages(&self, req: Request) -> BoxStream<'static, Result<Page, GraphError>> {
        enum Cursor {
            First(Request),
            Next(Url, Vec<(String, String)>, usize),
            Done,
        }
        let client = self.clone();
        stream::unfold(Cursor::First(req), move |cursor| {
            let client = client.clone();
            async move {
                let (result, headers, index) = match cursor {
                    Cursor::Done => return None,
                    Cursor::First(req) => {
                        let r = client.send(&req).await;
                        (r, req.headers, 0)
                    }
                    Cursor::Next(url, headers, index) => {
                        let r = client.execute(Method::Get, url, &headers, None).await;
                        (r, headers, index)
                    }
                };
                let page = result.and_then(|resp| parse_page(resp.body, index));
                let next = match &page {
                    Ok(p) => match &p.next_link {
                        Some(link) => match client.same_origin(link) {
                            Ok(url) => Cursor::Next(url, headers, index + 1),
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
mod tests {
    use super::*;
    use crate::auth::AccessToken;

    fn client(base: &str, read_only: bool) -> Result<GraphClient, GraphError> {
        GraphClient::new(GraphConfig {
            base_url: base.into(),
            read_only,
            credential: Credential::Static(AccessToken::new("t")),
            timeout: Duration::from_secs(5),
        })
    }

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(client("http://127.0.0.1:8080", false).is_ok());
        assert!(client("http://[::1]:8080", false).is_ok());
        assert!(client("http://localhost:1", false).is_ok());
        assert!(client("https://graph.microsoft.com", false).is_ok());
        assert!(matches!(
            client("http://graph.microsoft.com", false),
            Err(GraphError::BadUrl(_))
        ));
    }

    #[test]
    fn url_keeps_odata_characters() {
        let c = client("https://graph.microsoft.com/", false).unwrap();
        let r = Request::get("/groups")
            .filter("groupTypes/any(c:c eq 'Unified')")
            .top(5);
        let u = c.url_for(&r).unwrap();
        assert_eq!(
            u.as_str(),
            "https://graph.microsoft.com/v1.0/groups?$filter=groupTypes/any(c:c%20eq%20%27Unified%27)&$top=5"
        );
    }

    #[test]
    fn foreign_next_links_are_refused() {
        let c = client("http://127.0.0.1:9", false).unwrap();
        assert!(
            c.same_origin("http://127.0.0.1:9/v1.0/groups?$skiptoken=x")
                .is_ok()
        );
        assert!(matches!(
            c.same_origin("http://127.0.0.2:9/v1.0/groups"),
            Err(GraphError::ForeignHost(_))
        ));
        assert!(matches!(
            c.same_origin("https://127.0.0.1:9/v1.0/groups"),
            Err(GraphError::ForeignHost(_))
        ));
    }

    #[test]
    fn read_only_refuses_writes_before_sending() {
        let c = client("http://127.0.0.1:9", true).unwrap();
        assert!(c.guard(&Request::get("/groups")).is_ok());
        let patch = Request::new(Method::Patch, "/groups/1");
        assert!(matches!(c.guard(&patch), Err(GraphError::ReadOnly { .. })));
    }

    #[test]
    fn pages_tolerate_missing_value_and_annotations() {
        let p = parse_page(
            serde_json::json!({"@odata.context":"x","@odata.count":3}),
            0,
        )
        .unwrap();
        assert!(p.items.is_empty());
        assert_eq!(p.count, Some(3));
        assert!(parse_page(serde_json::json!([1]), 0).is_err());
        assert!(parse_page(serde_json::json!({"value": 5}), 0).is_err());
    }
}

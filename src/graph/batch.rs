//! JSON batching: up to 20 requests per `$batch`, ids mapped back to callers, inner 429/503
//! re-queued with backoff, inner errors returned per item; plus a fan-out helper with bounded
//! concurrency (graph-api.md §11.3).

use super::client::GraphClient;
use super::error::{ApiError, GraphError};
use super::request::{Method, Request};
use super::retry::{RetryNotice, backoff, is_paced, parse_retry_after};
use futures::stream::{self, StreamExt};
use serde_json::{Value, json};
use std::collections::HashMap;

/// One request's outcome inside a batch.
pub type ItemResult = Result<Value, GraphError>;

/// Graph's limit of requests per batch.
pub const MAX_BATCH: usize = 20;

/// The relative URL of a request inside a batch (`/groups/{id}/members?$top=999`).
fn relative_url(client: &GraphClient, req: &Request) -> Result<String, GraphError> {
    let full = client.url_for(req)?;
    let prefix = format!("/{}", req.version.segment());
    let path = full
        .path()
        .strip_prefix(&prefix)
        .unwrap_or(full.path())
        .to_string();
    Ok(match full.query() {
        Some(q) => format!("{path}?{q}"),
        None => path,
    })
}

fn inner_error(status: u16, body: &Value, headers: &Value) -> GraphError {
    let text = serde_json::to_vec(body).unwrap_or_default();
    let mut e = ApiError::from_body(
        status,
        &text,
        headers["request-id"].as_str().map(str::to_string),
    );
    e.retry_after = headers
        .as_object()
        .and_then(|h| {
            h.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
        })
        .and_then(|(_, v)| {
            v.as_str()
                .map(str::to_string)
                .or_else(|| v.as_u64().map(|n| n.to_string()))
        })
        .and_then(|v| parse_retry_after(&v, chrono::Utc::now()));
    GraphError::Api(Box::new(e))
}

impl GraphClient {
    /// Send up to 20 requests in one `$batch` and return one result per request, in order.
    /// Inner 429s and 503s are re-sent (in a new batch) after the longest `Retry-After` or
    /// backoff; other inner errors are returned as they are.
    pub async fn batch(&self, requests: &[Request]) -> Vec<Result<Value, GraphError>> {
        assert!(
            requests.len() <= MAX_BATCH,
            "at most {MAX_BATCH} requests per batch"
        );
        let mut results: Vec<Option<Result<Value, GraphError>>> = vec![None; requests.len()];
        let mut pending: Vec<usize> = (0..requests.len()).collect();
        let version = requests
            .first()
            .map(|r| r.version)
            .unwrap_or(super::ApiVersion::V1);
        let mut attempt = 0;
        while !pending.is_empty() {
            attempt += 1;
            let mut items = Vec::with_capacity(pending.len());
            for &i in &pending {
                let r = &requests[i];
                match relative_url(self, r) {
                    Ok(url) => {
                        let mut item = json!({"id": (i + 1).to_string(), "method": r.method.as_str(), "url": url});
                        let mut headers: serde_json::Map<String, Value> = r
                            .headers
                            .iter()
                            .map(|(k, v)| (k.clone(), json!(v)))
                            .collect();
                        if let Some(b) = &r.body {
                            headers.insert("Content-Type".into(), json!("application/json"));
                            item["body"] = b.clone();
                        }
                        if !headers.is_empty() {
                            item["headers"] = Value::Object(headers);
                        }
                        items.push(item);
                    }
                    Err(e) => results[i] = Some(Err(e)),
                }
            }
            pending.retain(|&i| results[i].is_none());
            if items.is_empty() {
                break;
            }
            let mut outer = Request::new(Method::Post, "/$batch").json(json!({"requests": items}));
            outer.version = version;
            let body = match self.send(&outer).await {
                Ok(r) => r.body,
                Err(e) => {
                    for &i in &pending {
                        results[i] = Some(Err(e.clone()));
                    }
                    break;
                }
            };
            let mut by_id: HashMap<String, &Value> = HashMap::new();
            if let Some(rs) = body["responses"].as_array() {
                for r in rs {
                    if let Some(id) = r["id"].as_str() {
                        by_id.insert(id.to_string(), r);
                    }
                }
            }
            let mut retry = Vec::new();
            let mut wait = std::time::Duration::ZERO;
            for &i in &pending {
                let Some(r) = by_id.get(&(i + 1).to_string()) else {
                    results[i] = Some(Err(GraphError::Decode {
                        url: "/$batch".into(),
                        reason: format!("no response for request {}", i + 1),
                    }));
                    continue;
                };
                let status = r["status"].as_u64().unwrap_or(0) as u16;
                if (200..300).contains(&status) {
                    results[i] = Some(Ok(r["body"].clone()));
                    continue;
                }
                let err = inner_error(status, &r["body"], &r["headers"]);
                if (status == 429 || status == 503) && attempt < self.retry.max_attempts {
                    wait = wait.max(err.api().and_then(|a| a.retry_after).unwrap_or_default());
                    retry.push(i);
                } else {
                    results[i] = Some(Err(err));
                }
            }
            pending = retry;
            if !pending.is_empty() {
                let wait = wait.max(backoff(&self.retry, attempt, &self.rng));
                self.notify(RetryNotice {
                    reason: format!(
                        "throttled ({} of {} batched requests)",
                        pending.len(),
                        requests.len()
                    ),
                    wait,
                    attempt,
                });
                self.clock.sleep(wait).await;
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(GraphError::Transport("batch gave up".into()))))
            .collect()
    }

    /// Fan out many GETs: batches of 20 with at most `concurrency` batches in flight; results in
    /// input order. Paced resources (CA, Identity Protection) are never batched: they go one at
    /// a time through the pacer.
    pub async fn get_many(
        &self,
        requests: Vec<Request>,
        concurrency: usize,
    ) -> Vec<Result<Value, GraphError>> {
        let (paced, batched): (Vec<usize>, Vec<usize>) =
            (0..requests.len()).partition(|&i| is_paced(&requests[i].path));
        let mut results: Vec<Option<Result<Value, GraphError>>> = vec![None; requests.len()];
        for i in paced {
            results[i] = Some(self.get_json(&requests[i]).await);
        }
        let chunks: Vec<Vec<usize>> = batched.chunks(MAX_BATCH).map(<[usize]>::to_vec).collect();
        let reqs = &requests;
        let done: Vec<(Vec<usize>, Vec<ItemResult>)> = stream::iter(chunks)
            .map(|idx| async move {
                let batch: Vec<Request> = idx.iter().map(|&i| reqs[i].clone()).collect();
                (idx, self.batch(&batch).await)
            })
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
        for (idx, rs) in done {
            for (i, r) in idx.into_iter().zip(rs) {
                results[i] = Some(r);
            }
        }
        results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(GraphError::Transport("not sent".into()))))
            .collect()
    }
}

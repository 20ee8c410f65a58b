//! Integration: the Graph client surviving the demo tenant's Graph-like misbehaviour over real
//! HTTP on loopback: throttling, pacing, faults, `$batch`, foreign next links, claims, read-only.

use entra_console::auth::{AccessToken, Credential};
use entra_console::clock::VirtualClock;
use entra_console::demo::faults::Fault;
use entra_console::demo::{self, DemoOptions, DemoServer, store::Scale};
use entra_console::graph::{GraphClient, GraphConfig, GraphError, Method, Request};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

async fn server(opts: DemoOptions) -> DemoServer {
    demo::start(opts).await.expect("demo server")
}

fn client(url: &str, read_only: bool) -> GraphClient {
    GraphClient::new(GraphConfig {
        base_url: url.into(),
        read_only,
        credential: Credential::Static(AccessToken::new("t")),
        limits: entra_console::graph::Limits::default(),
    })
    .unwrap()
}

fn scripted(script: Vec<Fault>) -> DemoOptions {
    DemoOptions {
        script,
        ..Default::default()
    }
}

fn requests(s: &DemoServer) -> usize {
    s.state.faults.requests.load(Ordering::Relaxed)
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let s = server(scripted(vec![Fault::Throttle(2)])).await;
    let clock = Arc::new(VirtualClock::default());
    let c = client(&s.url(), false).with_clock(clock.clone());
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let c = c.with_observer(Arc::new(move |n| sink.lock().unwrap().push(n)));
    let groups = c.get_all(Request::get("/groups")).await.unwrap();
    assert_eq!(groups.len(), 25);
    assert_eq!(requests(&s), 2);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 1);
    assert!(sleeps[0] >= Duration::from_secs(2), "{sleeps:?}");
    let notices = seen.lock().unwrap();
    assert_eq!(notices[0].reason, "throttled (429)");
}

#[tokio::test]
async fn faults_on_a_get_are_retried() {
    for fault in [Fault::Unavailable, Fault::Drop, Fault::Truncate] {
        let s = server(scripted(vec![fault])).await;
        let c = client(&s.url(), false).with_clock(Arc::new(VirtualClock::default()));
        let groups = c
            .get_all(Request::get("/groups"))
            .await
            .unwrap_or_else(|e| panic!("{fault:?}: {e}"));
        assert_eq!(groups.len(), 25, "{fault:?}");
        assert_eq!(requests(&s), 2, "{fault:?}: one failure, one retry");
    }
}

#[tokio::test]
async fn a_truncated_body_is_surfaced_for_a_post() {
    let s = server(scripted(vec![Fault::Truncate])).await;
    let c = client(&s.url(), false).with_clock(Arc::new(VirtualClock::default()));
    // A batch holding a write is not idempotent: never retried blindly.
    let body = serde_json::json!({"requests": [{"id": "1", "method": "PATCH", "url": "/groups/x", "body": {}, "headers": {"Content-Type": "application/json"}}]});
    let err = c
        .send(&Request::new(Method::Post, "/$batch").json(body))
        .await
        .unwrap_err();
    assert!(matches!(err, GraphError::Transport(_)), "{err}");
    assert_eq!(
        s.state.faults.batches.lock().unwrap().len(),
        1,
        "the POST was sent once"
    );
}

/// Issue 11, item 14: a complete body that is not JSON is an error at once, with the
/// request-id; nothing is retried.
#[tokio::test]
async fn a_complete_but_invalid_body_is_an_error_at_once() {
    let s = server(scripted(vec![Fault::Garbage])).await;
    let clock = Arc::new(VirtualClock::default());
    let c = client(&s.url(), false).with_clock(clock.clone());
    let err = c.get_json(&Request::get("/groups")).await.unwrap_err();
    assert!(matches!(err, GraphError::Decode { .. }), "{err}");
    assert!(err.to_string().contains("request-id"), "{err}");
    assert_eq!(requests(&s), 1, "not retried");
    assert!(clock.sleeps().is_empty());
}

/// Issue 11, item 15: a refused connection is reported within seconds, naming host and port.
#[tokio::test]
async fn a_refused_connection_names_the_host_quickly() {
    // A port nothing listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let clock = Arc::new(VirtualClock::default());
    let c = client(&format!("http://127.0.0.1:{port}"), false).with_clock(clock.clone());
    let err = c.get_json(&Request::get("/groups")).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(&format!("127.0.0.1:{port}")) && text.to_lowercase().contains("refused"),
        "{text}"
    );
    let waited: Duration = clock.sleeps().iter().sum();
    assert!(waited < Duration::from_secs(10), "{waited:?}");
}

#[tokio::test]
async fn batch_of_45_goes_out_as_20_20_5_and_inner_429_is_retried() {
    // Script: the group listing and the first outer batch pass, its first inner request is throttled.
    let s = server(scripted(vec![Fault::Pass, Fault::Pass, Fault::Throttle(1)])).await;
    let clock = Arc::new(VirtualClock::default());
    let c = client(&s.url(), false).with_clock(clock.clone());
    let ids: Vec<String> = c
        .get_all(Request::get("/groups").select(&["id"]))
        .await
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap().to_string())
        .collect();
    let reqs: Vec<Request> = (0..45)
        .map(|i| Request::get(format!("/groups/{}", ids[i % ids.len()])).select(&["id"]))
        .collect();
    let results = c.get_many(reqs, 1).await;
    assert_eq!(results.len(), 45);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(
            r.as_ref().unwrap()["id"],
            ids[i % ids.len()].as_str(),
            "result {i} in order"
        );
    }
    let sizes = s.state.faults.batches.lock().unwrap().clone();
    assert_eq!(
        sizes,
        [20, 1, 20, 5],
        "the throttled item was re-sent alone"
    );
    assert!(clock.sleeps().iter().any(|d| *d >= Duration::from_secs(1)));
}

#[tokio::test]
async fn inner_errors_are_returned_per_item() {
    let s = server(DemoOptions::default()).await;
    let c = client(&s.url(), false);
    let reqs = vec![
        Request::get("/groups").top(1),
        Request::get("/groups/00000000-0000-4000-8000-000000000000"),
        Request::get("/groups/bad-id"),
    ];
    let rs = c.get_many(reqs, 2).await;
    assert!(rs[0].is_ok());
    assert_eq!(
        rs[1].as_ref().unwrap_err().api().unwrap().code,
        "Request_ResourceNotFound"
    );
    assert_eq!(rs[2].as_ref().unwrap_err().api().unwrap().status, 400);
}

#[tokio::test]
async fn the_one_request_per_second_limit() {
    // The tenant and the client share a virtual clock: pacing costs no real waiting.
    let clock = Arc::new(VirtualClock::default());
    let s = server(DemoOptions {
        throttle: true,
        clock: clock.clone(),
        ..Default::default()
    })
    .await;
    // Paced: three calls, no 429, at least two intervals apart in total.
    let c = client(&s.url(), false).with_clock(clock.clone());
    let real = Instant::now();
    for _ in 0..3 {
        let policies = c
            .get_all(Request::get("/identity/conditionalAccess/policies"))
            .await
            .unwrap();
        assert!(policies.len() >= 10);
    }
    use entra_console::clock::Clock;
    assert!(clock.now() >= Duration::from_secs(2), "{:?}", clock.now());
    assert!(
        real.elapsed() < Duration::from_secs(2),
        "virtual, not real, waiting"
    );
    assert_eq!(s.state.faults.throttled.load(Ordering::Relaxed), 0);
    // Unpaced (and with a clock that does not really wait): the server answers 429 without
    // Retry-After, as Graph does for these resources.
    let fast = client(&s.url(), false)
        .with_pacing(Duration::ZERO)
        .with_clock(Arc::new(VirtualClock::default()));
    let mut saw = None;
    for _ in 0..3 {
        if let Err(e) = fast
            .get_json(&Request::get("/identity/conditionalAccess/policies"))
            .await
            && e.api().is_some_and(|a| a.status == 429)
        {
            saw = Some(e);
            break;
        }
    }
    let e = saw.expect("a 429");
    assert_eq!(e.api().unwrap().retry_after, None);
}

#[tokio::test]
async fn read_only_refuses_writes_but_allows_a_batch_of_gets() {
    let s = server(DemoOptions::default()).await;
    let c = client(&s.url(), true);
    let before = requests(&s);
    for m in [Method::Patch, Method::Post, Method::Delete] {
        let e = c
            .send(&Request::new(m, "/groups/x").json(serde_json::json!({})))
            .await
            .unwrap_err();
        assert!(
            matches!(e, GraphError::ReadOnly { .. }) && e.to_string().contains("read-only"),
            "{e}"
        );
    }
    assert_eq!(requests(&s), before, "nothing was sent");
    let rs = c
        .get_many(
            vec![
                Request::get("/groups").top(1),
                Request::get("/users").top(1),
            ],
            1,
        )
        .await;
    assert!(rs.iter().all(Result::is_ok));
}

/// A tiny server for layouts the demo tenant does not produce.
async fn custom(router: axum::Router) -> String {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, router).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_next_link_to_another_host_is_refused() {
    let app = axum::Router::new().route(
        "/v1.0/groups",
        axum::routing::get(|| async {
            axum::Json(serde_json::json!({"value": [{"id": "1"}], "@odata.nextLink": "http://127.0.0.2:9/v1.0/groups?$skiptoken=x"}))
        }),
    );
    let url = custom(app).await;
    let err = client(&url, false)
        .get_all(Request::get("/groups"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, GraphError::ForeignHost(ref h) if h == "127.0.0.2"),
        "{err}"
    );
}

#[tokio::test]
async fn claims_challenges_from_several_headers() {
    let app = axum::Router::new().route(
        "/v1.0/identity/conditionalAccess/policies/p1",
        axum::routing::patch(|| async {
            let mut r = axum::response::IntoResponse::into_response((
                axum::http::StatusCode::UNAUTHORIZED,
                axum::Json(serde_json::json!({"error": {"code": "InvalidAuthenticationToken", "message": "Continuous access evaluation resulted in challenge"}})),
            ));
            let h = r.headers_mut();
            h.append("www-authenticate", "Basic realm=\"x\"".parse().unwrap());
            h.append(
                "www-authenticate",
                "Bearer claims=\"eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19\", error=\"insufficient_claims\", realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\"".parse().unwrap(),
            );
            r
        }),
    );
    let url = custom(app).await;
    let c = client(&url, false).with_pacing(Duration::ZERO);
    let err = c
        .send(
            &Request::new(Method::Patch, "/identity/conditionalAccess/policies/p1")
                .json(serde_json::json!({})),
        )
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.status, 401);
    assert_eq!(api.claims.as_ref().unwrap().acrs.as_deref(), Some("c1"));
    assert!(err.to_string().contains("authentication context c1"));
}

#[tokio::test]
async fn every_group_and_member_under_throttling_and_faults() {
    // Throttling in virtual time: the waits Graph asks for are counted, not slept.
    let clock = Arc::new(VirtualClock::default());
    let s = server(DemoOptions {
        scale: Scale {
            users: None,
            groups: Some(2000),
            seed: 11,
        },
        throttle: true,
        fault_rate: 0.05,
        clock: clock.clone(),
        ..Default::default()
    })
    .await;
    let c = client(&s.url(), false).with_clock(clock.clone());
    let groups = c
        .get_all(Request::get("/groups").select(&["id"]).top(999))
        .await
        .unwrap();
    let ids: Vec<String> = groups
        .iter()
        .map(|g| g["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 2000);
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        2000,
        "no duplicates"
    );
    let reqs: Vec<Request> = ids
        .iter()
        .map(|id| {
            Request::get(format!("/groups/{id}/members"))
                .select(&["id"])
                .top(999)
        })
        .collect();
    let results = c.get_many(reqs, 4).await;
    let mut got: HashMap<String, Vec<String>> = HashMap::new();
    for (id, r) in ids.iter().zip(results) {
        let body = r.unwrap_or_else(|e| panic!("members of {id}: {e}"));
        let members = body["value"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_string())
            .collect();
        got.insert(id.clone(), members);
    }
    let tenant = s.state.tenant.read().unwrap();
    let server_ids: HashSet<String> = tenant
        .groups
        .iter()
        .map(|g| g["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.iter().cloned().collect::<HashSet<_>>(), server_ids);
    for (id, members) in &got {
        assert_eq!(members, &tenant.members[id], "members of {id}");
    }
    let total = requests(&s);
    assert!(total > 2000 + 3, "faults caused retries ({total} requests)");
    assert!(
        !clock.sleeps().is_empty(),
        "the client waited before retrying (virtually)"
    );
}

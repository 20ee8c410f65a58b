//! The cache end to end: cache-first then refresh, delta sync of adds/changes/deletions,
//! offline without a connection, snapshots without secrets, a killed sync that resumes.

use entra_console::app::run::perform;
use entra_console::app::{Effect, Msg};
use entra_console::auth::{AccessToken, Credential};
use entra_console::blades::{BladeKind, ListSource};
use entra_console::cache::{Store, sync};
use entra_console::demo::store::{Kind, Scale};
use entra_console::demo::{self, DemoOptions, DemoServer};
use entra_console::graph::{GraphClient, GraphConfig, Request};
use serde_json::json;
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

fn client(url: &str) -> GraphClient {
    GraphClient::new(GraphConfig {
        base_url: url.into(),
        read_only: false,
        credential: Credential::Static(AccessToken::new("t")),
        limits: entra_console::graph::Limits::default(),
    })
    .unwrap()
}

fn names(items: &[serde_json::Value]) -> BTreeMap<String, String> {
    items
        .iter()
        .map(|v| {
            (
                v["id"].as_str().unwrap().to_string(),
                v["displayName"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn server_groups(s: &DemoServer) -> BTreeMap<String, String> {
    names(&s.state.tenant.read().unwrap().groups)
}

/// A large cached collection reaches the list as rows built off the UI task, chunk by chunk
/// (first the head for the first screen, then chunks that replace it and add to it).
#[tokio::test]
async fn a_large_cached_list_arrives_as_row_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("c.db"), true).unwrap());
    let users: Vec<serde_json::Value> = (0..25_000)
        .map(|i| serde_json::json!({"id": format!("u{i}"), "displayName": format!("User {i}")}))
        .collect();
    let round = store.begin_round("users", true).unwrap();
    store
        .save_page("users", &round, &users, None, None)
        .unwrap();
    let source = ListSource::Blade(BladeKind::Users);
    let entra_console::blades::Reading::Graph { request, cache } = source.reading() else {
        panic!("users are read from Graph")
    };
    let e = Effect::FetchPages {
        id: 1,
        request,
        cache,
        rows: Some(source.clone()),
    };
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    perform(e, client("http://127.0.0.1:9").offline(), Some(store), tx).await;
    let mut msgs = Vec::new();
    while let Ok(m) = rx.try_recv() {
        msgs.push(m);
    }
    assert!(matches!(&msgs[0], Msg::Cached { items, .. } if items.len() == 200));
    let chunks: Vec<(usize, bool, bool)> = msgs
        .iter()
        .filter_map(|m| match m {
            Msg::CachedRows {
                rows, first, last, ..
            } => Some((rows.len(), *first, *last)),
            _ => None,
        })
        .collect();
    assert_eq!(
        chunks,
        [
            (10_000, true, false),
            (10_000, false, false),
            (5_000, false, true)
        ]
    );
}

#[tokio::test]
async fn cache_first_then_refresh() {
    let s = demo::start(DemoOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("c.db"), true).unwrap());
    let c = client(&s.url());
    let source = ListSource::Blade(BladeKind::Groups);
    let run = |id| {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let entra_console::blades::Reading::Graph { request, cache } = source.reading() else {
            panic!("groups are read from Graph")
        };
        let e = Effect::FetchPages {
            id,
            request,
            cache,
            rows: Some(source.clone()),
        };
        let (c, st) = (c.clone(), store.clone());
        async move {
            perform(e, c, Some(st), tx).await;
            let mut out = Vec::new();
            while let Ok(m) = rx.try_recv() {
                out.push(m);
            }
            out
        }
    };
    // Empty cache: live pages only, written through.
    let first = run(1).await;
    assert!(matches!(first[0], Msg::Page { .. }), "{first:?}");
    assert_eq!(store.count("groups").unwrap(), 25);
    // The tenant changes; the next load shows the cache first, then the live answer.
    let id = s.state.tenant.read().unwrap().groups[1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    s.state.tenant.write().unwrap().patch(
        Kind::Group,
        &id,
        &json!({"displayName": "Finance Team (renamed)"}),
    );
    let second = run(2).await;
    match (&second[0], &second[1]) {
        (Msg::Cached { items, as_of, .. }, Msg::Page { page, .. }) => {
            assert!(as_of.is_some());
            assert!(items.iter().any(|g| g["displayName"] == "Finance Team"));
            assert!(
                page.items
                    .iter()
                    .any(|g| g["displayName"] == "Finance Team (renamed)")
            );
        }
        other => panic!("expected cached then live: {other:?}"),
    }
    assert!(matches!(second.last(), Some(Msg::Done { error: None, .. })));
    assert!(
        store
            .list("groups")
            .unwrap()
            .0
            .iter()
            .any(|g| g["displayName"] == "Finance Team (renamed)")
    );
}

#[tokio::test]
async fn delta_sync_applies_adds_changes_and_deletions_exactly() {
    let s = demo::start(DemoOptions {
        scale: Scale {
            users: None,
            groups: Some(230),
            seed: 5,
        },
        ..Default::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("c.db"), true).unwrap());
    let c = client(&s.url());
    let spec = entra_console::blades::sync_spec("groups").unwrap();
    let t = sync::collection(&c, &store, &spec, &mut |_| {})
        .await
        .unwrap();
    assert_eq!((t.mode, t.pages, t.upserts), ("full", 3, 230));
    assert_eq!(names(&store.list("groups").unwrap().0), server_groups(&s));
    {
        let mut tenant = s.state.tenant.write().unwrap();
        let ids: Vec<String> = tenant
            .groups
            .iter()
            .take(3)
            .map(|g| g["id"].as_str().unwrap().to_string())
            .collect();
        tenant.patch(Kind::Group, &ids[0], &json!({"displayName": "Changed"}));
        tenant.remove(Kind::Group, &ids[1]);
        tenant.upsert(Kind::Group, json!({"id": "11111111-2222-4333-8444-555555555555", "displayName": "Added", "groupTypes": [], "securityEnabled": true}));
    }
    let t = sync::collection(&c, &store, &spec, &mut |_| {})
        .await
        .unwrap();
    assert_eq!(
        (t.mode, t.upserts, t.removed),
        ("delta", 2, 1),
        "only the delta moved"
    );
    assert_eq!(names(&store.list("groups").unwrap().0), server_groups(&s));
    // Nothing changed: an empty delta.
    let t = sync::collection(&c, &store, &spec, &mut |_| {})
        .await
        .unwrap();
    assert_eq!((t.mode, t.upserts, t.removed), ("delta", 0, 0));
}

#[tokio::test]
async fn members_are_fanned_out_in_batches() {
    let s = demo::start(DemoOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("c.db"), true).unwrap());
    let c = client(&s.url());
    sync::collection(
        &c,
        &store,
        &entra_console::blades::sync_spec("groups").unwrap(),
        &mut |_| {},
    )
    .await
    .unwrap();
    let (done, failures) = sync::members(&c, &store, &mut |_, _| {}).await.unwrap();
    assert_eq!((done, failures.len()), (25, 0));
    assert_eq!(s.state.faults.batches.lock().unwrap().clone(), [20, 5]);
    let tenant = s.state.tenant.read().unwrap();
    for g in &tenant.groups {
        let id = g["id"].as_str().unwrap();
        let cached: Vec<String> = store
            .members(id)
            .unwrap()
            .0
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(&cached, &tenant.members[id]);
    }
}

fn bin(home: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_entra-console"));
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("ENTRA_CONSOLE_GRAPH_URL")
        .env_remove("ENTRA_CONSOLE_ACCESS_TOKEN");
    c
}

#[test]
fn offline_makes_no_connection_and_snapshots_hold_no_secrets() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let s = rt.block_on(demo::start(DemoOptions::default())).unwrap();
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("c.db");
    let db_s = db.to_str().unwrap();
    // A real sign-in first, so a refresh token exists on disk (it must not reach the snapshot).
    let out = bin(home.path()).args(["--demo", "login"]).output().unwrap();
    assert!(out.status.success());
    let token_file =
        std::fs::read_to_string(home.path().join("data/entra-console/tokens/demo.json")).unwrap();
    let refresh = serde_json::from_str::<serde_json::Value>(&token_file).unwrap()["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let out = bin(home.path())
        .args(["sync", "--graph-url", &s.url(), "--cache", db_s])
        .env("ENTRA_CONSOLE_ACCESS_TOKEN", "t")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains(
        "synced: groups 25 (full), users 59 (full), ca-policies 14 (full), named-locations 3 (full), licenses 5 (full), devices 12 (full), memberships 266 (full)"
    ));
    let before = s.state.faults.requests.load(Ordering::Relaxed);
    let out = bin(home.path())
        .args([
            "--offline",
            "--cache",
            db_s,
            "export",
            "groups",
            "--format",
            "json",
        ])
        .env("ENTRA_CONSOLE_GRAPH_URL", s.url())
        .env("ENTRA_CONSOLE_ACCESS_TOKEN", "t")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let groups: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(groups.as_array().unwrap().len(), 25);
    assert_eq!(
        s.state.faults.requests.load(Ordering::Relaxed),
        before,
        "offline sent nothing"
    );
    let snap = home.path().join("snap.db");
    let out = bin(home.path())
        .args([
            "--cache",
            db_s,
            "snapshot",
            "export",
            snap.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&snap).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    for secret in [
        refresh.as_str(),
        "demo-signature",
        "demo-refresh-token",
        "Bearer ",
    ] {
        assert!(!text.contains(secret), "snapshot contains {secret}");
    }
    // The sealed package holds no secret either.
    let pkg = home.path().join("review.pkg");
    let out = bin(home.path())
        .args(["--cache", db_s, "snapshot", "export", "--package"])
        .arg(&pkg)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&std::fs::read(&pkg).unwrap()).into_owned();
    for secret in [
        refresh.as_str(),
        "demo-signature",
        "demo-refresh-token",
        "Bearer ",
    ] {
        assert!(!text.contains(secret), "package contains {secret}");
    }
    // A reviewer opens the snapshot offline.
    let out = bin(home.path())
        .args([
            "--offline",
            "--cache",
            snap.to_str().unwrap(),
            "export",
            "ca-policies",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 15);
    // A foreign file is refused with a clear message.
    std::fs::write(home.path().join("junk.db"), b"definitely not sqlite").unwrap();
    let out = bin(home.path())
        .args([
            "--offline",
            "--cache",
            home.path().join("junk.db").to_str().unwrap(),
            "export",
            "groups",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an entra-console cache"));
}

#[test]
fn a_killed_sync_resumes_to_the_exact_server_state() {
    /// The demo server dies with the test, even when an assertion fails (an orphan would
    /// hold the test's output pipe open).
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let home = tempfile::tempdir().unwrap();
    let mut server = bin(home.path())
        .args([
            "demo-server",
            "--users",
            "4000",
            "--latency-ms",
            "25",
            "--seed",
            "9",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let out = server.stdout.take().unwrap();
    let _server = Kill(server);
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(out), &mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();
    let db = home.path().join("c.db");
    let sync = |home: &std::path::Path| {
        bin(home)
            .args([
                "sync",
                "users",
                "--graph-url",
                &url,
                "--cache",
                db.to_str().unwrap(),
            ])
            .env("ENTRA_CONSOLE_ACCESS_TOKEN", "t")
            .stderr(std::fs::File::create(home.join("sync.err")).unwrap())
            .spawn()
            .unwrap()
    };
    let said = || std::fs::read_to_string(home.path().join("sync.err")).unwrap_or_default();
    let mut child = sync(home.path());
    // Kill it once some pages are saved (the sync needs 40 pages at 25 ms each, so there is
    // time), whatever the machine's speed.
    let started = std::time::Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(20));
        let saved = Store::open(&db, false)
            .ok()
            .and_then(|s| s.count("users").ok())
            .unwrap_or(0);
        if saved >= 200 || started.elapsed() > Duration::from_secs(30) {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL
    let _ = child.wait();
    {
        let store =
            Store::open(&db, false).expect("the database opens after kill -9 (integrity checked)");
        let partial = store.count("users").unwrap();
        assert!(
            partial < 4000,
            "the kill happened mid-sync ({partial} users)"
        );
        assert!(
            store.sync_state("users").unwrap().next_link.is_some(),
            "a resume link was saved ({partial} users; the sync said: {})",
            said()
        );
    }
    let status = sync(home.path()).wait().unwrap();
    assert!(status.success());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let all = rt
        .block_on(
            client(&url).get_all(
                Request::get("/users")
                    .select(&["id", "displayName"])
                    .top(999),
            ),
        )
        .unwrap();
    let store = Store::open(&db, false).unwrap();
    assert_eq!(names(&store.list("users").unwrap().0), names(&all));
}

/// The Journal blade reads the cache's journal (a typed load, not a fake Graph path): an entry
/// written there is a row, and nothing is asked of Graph for it.
#[tokio::test]
async fn the_journal_blade_lists_the_cached_journal() {
    let mut h = crate::common::Harness::new(false).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("c.db"), true).unwrap());
    store
        .journal_add(&entra_console::cache::JournalEntry {
            time: "2026-12-04T10:00:00Z".into(),
            profile: "demo".into(),
            method: "PATCH".into(),
            path: "/identity/conditionalAccess/policies/p1".into(),
            outcome: "ok".into(),
            before: Some(
                r#"{"id":"p1","displayName":"CA005 - Block legacy","state":"disabled"}"#.into(),
            ),
            after: Some(r#"{"state":"enabled"}"#.into()),
            request_id: Some("rid-42".into()),
            claims_context: Some("c1".into()),
            ..Default::default()
        })
        .unwrap();
    h.store = Some(store);
    let before = h.server.state.faults.requests.load(Ordering::Relaxed);
    h.open(BladeKind::Journal).await;
    let entra_console::app::View::List(l) = h.app.top() else {
        panic!("a list")
    };
    let rows: Vec<_> = l.table.visible_rows().map(|r| r.cells.to_vec()).collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][1], "PATCH");
    assert!(!l.load.loading && l.load.error.is_none());
    assert_eq!(
        h.server.state.faults.requests.load(Ordering::Relaxed),
        before,
        "no request for the journal"
    );
    // Issue 23, item 19: Enter opens the entry: the object by name, before and after, the
    // request-id and the step-up met; still nothing asked of Graph.
    h.key(crossterm::event::KeyCode::Enter).await;
    let screen = h.render(120, 50);
    for want in [
        "CA005 - Block legacy",
        "rid-42",
        "authentication context c1",
        "\"state\": \"disabled\"",
        "\"state\": \"enabled\"",
    ] {
        assert!(screen.contains(want), "{want}: {screen}");
    }
    assert_eq!(
        h.server.state.faults.requests.load(Ordering::Relaxed),
        before,
        "no request for the entry"
    );
}

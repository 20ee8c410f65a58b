//! The hour-long TUI soak (issue 32, item 10; not in CI, BENCHMARKS.md "Soak"): the console
//! driven for an hour of simulated time against a demo tenant in its own process (1% faults)
//! — a minute's tick, a blade switch, a filter, a refresh and one write a minute, each frame
//! drawn at 80x24 — reporting its RSS at 5, 30 and 60 minutes, the requests it sent, its
//! writes and their journal entries, and the cache compared with the tenant at the end. Run
//! `cargo test --release --test it soak_tui -- --ignored --nocapture`; SOAK_USERS (20000),
//! SOAK_GROUPS (2000) and SOAK_MINUTES (60) size it.

use chrono::{Duration as Minutes, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use entra_console::app::run::perform;
use entra_console::app::write::Phase;
use entra_console::app::{App, Context, Effect, Msg};
use entra_console::auth::{AccessToken, Credential};
use entra_console::blades::BladeKind;
use entra_console::cache::Store;
use entra_console::graph::{GraphClient, GraphConfig, Request};
use entra_console::keymap::Keymap;
use entra_console::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::collections::BTreeMap;
use std::process::Stdio;
use std::sync::Arc;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The resident set of this process in MiB.
fn rss_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .unwrap_or(0)
        / 1024
}

struct Kill(std::process::Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct Console {
    app: App,
    client: GraphClient,
    store: Arc<Store>,
    terminal: Terminal<TestBackend>,
}

impl Console {
    async fn run(&mut self, mut effects: Vec<Effect>) {
        while !effects.is_empty() {
            let e = effects.remove(0);
            if matches!(e, Effect::Copy(_) | Effect::Cancel(_)) {
                continue;
            }
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            perform(e, self.client.clone(), Some(self.store.clone()), tx).await;
            while let Ok(m) = rx.try_recv() {
                effects.extend(self.app.update(m));
            }
        }
        self.terminal
            .draw(|f| entra_console::ui::draw(f, &mut self.app))
            .unwrap();
        self.app.confirm_drawn(0);
    }

    async fn key(&mut self, code: KeyCode) {
        let e = self
            .app
            .update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        self.run(e).await;
    }

    async fn keys(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "an hour of simulated time: run it by name (BENCHMARKS.md)"]
async fn soak_tui_an_hour() {
    let users: usize = env_or("SOAK_USERS", 20_000);
    let groups: usize = env_or("SOAK_GROUPS", 2_000);
    let minutes: i64 = env_or("SOAK_MINUTES", 60);
    let home = tempfile::tempdir().unwrap();
    // The tenant in its own process: its memory is not the console's.
    let mut server = crate::common::bin(home.path(), false)
        .args(["demo-server", "--seed", "32", "--fault-rate", "0.01"])
        .args([
            "--users",
            &users.to_string(),
            "--groups",
            &groups.to_string(),
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
    let client = GraphClient::new(GraphConfig {
        base_url: url.clone(),
        read_only: false,
        credential: Credential::Static(AccessToken::new("t")),
        limits: entra_console::graph::Limits::default(),
    })
    .unwrap()
    .with_pacing(std::time::Duration::ZERO);
    let store = Arc::new(Store::open(&home.path().join("soak.db"), true).unwrap());
    let mut now = Utc.with_ymd_and_hms(2026, 12, 7, 9, 0, 0).unwrap();
    let ctx = Context {
        profile: "demo".into(),
        tenant: "tailspindemo.onmicrosoft.com".into(),
        read_only: false,
        step_up_blocker: None,
        profiles: Vec::new(),
        offline: false,
        break_glass: Vec::new(),
        waivers: None,
        plans: None,
        require_approval: Vec::new(),
        graph: url,
    };
    let mut app = App::new(ctx, Theme::default_theme(), Keymap::builtin(), now);
    let first = app.init();
    let mut c = Console {
        app,
        client,
        store,
        terminal: Terminal::new(TestBackend::new(80, 24)).unwrap(),
    };
    c.run(first).await;
    let blades = ["users", "groups", "risky-users", "ca", "licenses", "roles"];
    let started = std::time::Instant::now();
    let (mut writes, mut rss) = (0usize, BTreeMap::new());
    for minute in 1..=minutes {
        now += Minutes::minutes(1);
        let e = c.app.update(Msg::Tick(now));
        c.run(e).await;
        let blade = BladeKind::from_command(blades[minute as usize % blades.len()]).unwrap();
        let e = c.app.switch_blade(blade);
        c.run(e).await;
        // A filter typed and cleared, then the list read again.
        c.key(KeyCode::Char('/')).await;
        c.keys("an").await;
        c.key(KeyCode::Esc).await;
        c.key(KeyCode::Char('r')).await;
        // One write a minute: block or allow Alex Wilber's sign-in, found by a Graph search.
        let e = c.app.switch_blade(BladeKind::Users);
        c.run(e).await;
        c.key(KeyCode::Char('/')).await;
        c.keys("?alex.wilber").await;
        c.key(KeyCode::Enter).await;
        c.key(KeyCode::Char('t')).await;
        if c.app
            .write
            .as_ref()
            .is_some_and(|w| w.phase == Phase::Confirm)
        {
            c.key(KeyCode::Enter).await;
            writes += 1;
        }
        c.key(KeyCode::Esc).await;
        c.key(KeyCode::Esc).await;
        if [5, 30, 60].contains(&minute) || minute == minutes {
            let raw = rss_mib();
            entra_console::memory::release();
            rss.insert(minute, (raw, rss_mib()));
        }
    }
    // The Users list read whole once more: the cache written through must be the tenant.
    let e = c.app.switch_blade(BladeKind::Users);
    c.run(e).await;
    let tenant: BTreeMap<String, serde_json::Value> = c
        .client
        .get_all(
            Request::get("/users")
                .select(&["id", "accountEnabled"])
                .top(999),
        )
        .await
        .unwrap()
        .into_iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap().to_string(),
                u["accountEnabled"].clone(),
            )
        })
        .collect();
    let (cached, _) = c.store.list("users").unwrap();
    let cached: BTreeMap<String, serde_json::Value> = cached
        .into_iter()
        .map(|u| {
            (
                u["id"].as_str().unwrap().to_string(),
                u["accountEnabled"].clone(),
            )
        })
        .collect();
    let differ = tenant
        .iter()
        .filter(|(id, on)| cached.get(*id) != Some(on))
        .count()
        + cached.keys().filter(|id| !tenant.contains_key(*id)).count();
    let journal = c.store.journal().unwrap();
    let requests = c.client.requests_sent();
    println!(
        "soak_tui: {users} users, {groups} groups, {minutes} simulated minutes in {:.0?}",
        started.elapsed()
    );
    for (m, (raw, low)) in &rss {
        println!("  RSS at {m:>2} min: {raw} MiB ({low} MiB after returning free pages)");
    }
    println!(
        "  requests sent {requests}; writes {writes}; journal entries {}; cache vs tenant: {differ} users differ of {}",
        journal.len(),
        tenant.len()
    );
    assert_eq!(writes, journal.len(), "every write journaled, once");
    assert_eq!(differ, 0, "the cache is the tenant");
    let (&first_m, &(_, low_first)) = rss.iter().next().unwrap();
    let (&last_m, &(_, low_last)) = rss.iter().last().unwrap();
    assert!(
        low_last as f64 <= low_first as f64 * 1.10,
        "RSS at {last_m} min ({low_last} MiB) is over 10% above {first_m} min ({low_first} MiB)"
    );
}

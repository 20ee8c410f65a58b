//! The tenant-scale table in one run (BENCHMARKS.md): our sync beside a naive client on a
//! throttled demo tenant, a refresh after 100 changes, then the console on a 100k-user and a
//! 1M-user cache (first frame, memory, keystrokes, terminal bytes).
//! `cargo bench --bench scale` (100k users / 20k groups), `-- --quick` (20k / 4k, no 1M);
//! `--no-naive` skips the naive client, `--console-only` the syncs.

// A benchmark may unwrap: a failure here is a failed run, not a crash on user data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use entra_console::app::{App, Context, Effect, Msg};
use entra_console::blades::BladeKind;
use entra_console::cache::Store;
use entra_console::demo::{self, DemoOptions};
use entra_console::keymap::Keymap;
use entra_console::theme::Theme;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Graph's bucket for a tenant over 500 users: 8,000 resource units per 10 s.
const RU_PER_SECOND: f64 = 800.0;

struct Table(Vec<[String; 3]>);

impl Table {
    fn row(&mut self, what: &str, budget: &str, measured: String) {
        println!("{what:<58} {budget:<22} {measured}");
        self.0.push([what.into(), budget.into(), measured]);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let skip_naive = args.iter().any(|a| a == "--no-naive");
    let console_only = args.iter().any(|a| a == "--console-only");
    let (users, groups) = if quick {
        (20_000, 4_000)
    } else {
        (100_000, 20_000)
    };
    let mut t = Table(Vec::new());
    println!(
        "entra-console scale benchmark: {users} users / {groups} groups, demo --throttle --latency-ms 30, {} cores",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    if !console_only {
        sync_rows(&mut t, users, groups, skip_naive);
    }
    console_rows(&mut t, 100_000);
    if !quick {
        console_rows(&mut t, 1_000_000);
    }
    println!("\n| What | Budget | Measured |\n|---|---|---|");
    for [a, b, c] in &t.0 {
        println!("| {a} | {b} | {c} |");
    }
}

/// What the demo server counted between two moments.
#[derive(Clone, Copy, Default)]
struct Counts {
    requests: usize,
    throttled: usize,
    units: u64,
}

fn counts(s: &demo::DemoServer) -> Counts {
    Counts {
        requests: s.state.faults.requests.load(Ordering::Relaxed),
        throttled: s.state.faults.throttled.load(Ordering::Relaxed),
        units: s.state.faults.units.load(Ordering::Relaxed),
    }
}

fn since(a: Counts, b: Counts) -> Counts {
    Counts {
        requests: b.requests - a.requests,
        throttled: b.throttled - a.throttled,
        units: b.units - a.units,
    }
}

/// The console's own `sync`, the release binary against the demo server.
fn our_sync(home: &Path, url: &str) -> Duration {
    let start = Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_entra-console"))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("ENTRA_CONSOLE_ACCESS_TOKEN", "ours")
        .env_remove("ENTRA_CONSOLE_PROFILE")
        .args([
            "--graph-url",
            url,
            "sync",
            "users",
            "groups",
            "group-members",
        ])
        .output()
        .unwrap();
    let took = start.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("  {}", String::from_utf8_lossy(&out.stderr).trim());
    took
}

/// A client as most scripts are written: default pages, every group's members one request
/// at a time, one request in flight, honouring Retry-After on a 429.
async fn naive(url: &str) -> (usize, usize) {
    let http = reqwest::Client::new();
    let (mut requests, mut throttled) = (0, 0);
    let mut get_all = async |first: String| -> Vec<Value> {
        let mut out = Vec::new();
        let mut next = Some(first);
        while let Some(link) = next.take() {
            loop {
                requests += 1;
                let r = http.get(&link).bearer_auth("naive").send().await.unwrap();
                if r.status() == 429 {
                    throttled += 1;
                    let wait = r
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(1);
                    tokio::time::sleep(Duration::from_secs(wait)).await;
                    continue;
                }
                let v: Value = r.json().await.unwrap();
                out.extend(v["value"].as_array().cloned().unwrap_or_default());
                next = v["@odata.nextLink"].as_str().map(str::to_string);
                break;
            }
        }
        out
    };
    let _users = get_all(format!("{url}/v1.0/users")).await;
    let groups = get_all(format!("{url}/v1.0/groups")).await;
    for g in &groups {
        let id = g["id"].as_str().unwrap_or_default();
        get_all(format!("{url}/v1.0/groups/{id}/members")).await;
    }
    (requests, throttled)
}

fn sync_rows(t: &mut Table, users: usize, groups: usize, skip_naive: bool) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(demo::start(DemoOptions {
            scale: demo::store::Scale {
                users: Some(users),
                groups: Some(groups),
                seed: 7,
            },
            latency: Duration::from_millis(30),
            throttle: true,
            ..Default::default()
        }))
        .unwrap();
    let url = server.url();
    let memberships: usize = server
        .state
        .tenant
        .read()
        .unwrap()
        .members
        .values()
        .map(Vec::len)
        .sum();
    println!("tenant: {users} users, {groups} groups, {memberships} memberships");
    let home = tempfile::tempdir().unwrap();
    let c0 = counts(&server);
    let ours = our_sync(home.path(), &url);
    let c = since(c0, counts(&server));
    let budget = if users >= 100_000 { "< 30 s" } else { "—" };
    t.row(
        &format!("full sync {users} users / {groups} groups / {memberships} memberships"),
        budget,
        format!(
            "{:.1} s, {} requests, {} 429s, RU floor {:.1} s",
            ours.as_secs_f64(),
            c.requests,
            c.throttled,
            c.units as f64 / RU_PER_SECOND
        ),
    );
    if !skip_naive {
        let c0 = counts(&server);
        let start = Instant::now();
        let (requests, throttled) = rt.block_on(naive(&url));
        let took = start.elapsed();
        let c = since(c0, counts(&server));
        t.row(
            "naive client (default pages, members group by group, Retry-After)",
            "—",
            format!(
                "{:.1} s, {requests} requests, {throttled} 429s, RU floor {:.1} s",
                took.as_secs_f64(),
                c.units as f64 / RU_PER_SECOND
            ),
        );
        let want = if users >= 100_000 { 20.0 } else { 15.0 };
        t.row(
            "ratio naive / ours",
            &format!(">= {want}x"),
            format!("{:.1}x", took.as_secs_f64() / ours.as_secs_f64()),
        );
    }
    // 100 mixed changes, then the refresh.
    let made = server.state.tenant.write().unwrap().apply_changes(100);
    let c0 = counts(&server);
    let took = our_sync(home.path(), &url);
    let c = since(c0, counts(&server));
    let cache = home.path().join("data/entra-console/cache/default.db");
    let equal = cache_equals_server(&cache, &server);
    t.row(
        &format!("refresh after {made} mixed changes"),
        "< 3 s, < 20 requests",
        format!(
            "{:.2} s, {} requests; cache equals server: {equal}",
            took.as_secs_f64(),
            c.requests
        ),
    );
}

/// Every user, group and membership of the server in the cache, and nothing else.
fn cache_equals_server(cache: &Path, server: &demo::DemoServer) -> bool {
    let store = Store::open(cache, false).unwrap();
    let tenant = server.state.tenant.read().unwrap();
    let ids = |v: &[Value]| -> std::collections::BTreeSet<String> {
        v.iter()
            .filter_map(|o| o["id"].as_str().map(str::to_string))
            .collect()
    };
    let names = |v: &[Value]| -> std::collections::BTreeSet<String> {
        v.iter().map(|o| o["displayName"].to_string()).collect()
    };
    for (coll, objs) in [("users", &tenant.users), ("groups", &tenant.groups)] {
        let (cached, _) = store.list(coll).unwrap();
        if ids(&cached) != ids(objs) || names(&cached) != names(objs) {
            println!("  {coll} differ");
            return false;
        }
    }
    for g in &tenant.groups {
        let id = g["id"].as_str().unwrap_or_default();
        let (cached, _) = store.members(id).unwrap();
        let want: std::collections::BTreeSet<String> = tenant
            .members
            .get(id)
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        if ids(&cached) != want {
            println!("  members of {id} differ");
            return false;
        }
    }
    true
}

fn app() -> App {
    let ctx = Context {
        profile: "bench".into(),
        tenant: "bench".into(),
        read_only: true,
        step_up_blocker: None,
        profiles: Vec::new(),
        offline: true,
        break_glass: Vec::new(),
        waivers: None,
        plans: None,
        require_approval: Vec::new(),
        graph: "https://graph.microsoft.com".into(),
    };
    App::new(
        ctx,
        Theme::default_theme(),
        Keymap::builtin(),
        chrono::Utc::now(),
    )
}

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

/// A cache holding `n` generated users, as a sync leaves it.
fn user_cache(dir: &Path, n: usize) -> (PathBuf, Vec<Value>) {
    let scale = demo::store::Scale {
        users: Some(n),
        groups: Some(10),
        seed: 7,
    };
    let items = demo::store::Tenant::load(&scale).unwrap().users;
    let path = dir.join(format!("users-{n}.db"));
    let store = Store::open(&path, true).unwrap();
    let round = store.begin_round("users", true).unwrap();
    let chunks = items.len().div_ceil(999);
    for (i, chunk) in items.chunks(999).enumerate() {
        let next = (i + 1 < chunks).then_some("next");
        store.save_page("users", &round, chunk, next, None).unwrap();
    }
    (path, items)
}

/// The release binary on the cache in a pseudo-terminal: time to its first frame, then from
/// `:users` to the first user rows, then resident memory once every row is loaded.
fn console_in_pty(home: &Path, cache: &Path, n: usize) -> (Duration, Duration, u64) {
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_entra-console"));
    cmd.args([
        "--offline",
        "--read-only",
        "--cache",
        cache.to_str().unwrap(),
    ]);
    cmd.env("HOME", home);
    cmd.env("XDG_CONFIG_HOME", home.join("config"));
    cmd.env("XDG_DATA_HOME", home.join("data"));
    cmd.env("TERM", "xterm-256color");
    let start = Instant::now();
    let mut child = pair.slave.spawn_command(cmd).unwrap();
    drop(pair.slave);
    let parser = Arc::new(Mutex::new(vt100::Parser::new(24, 80, 0)));
    let mut reader = pair.master.try_clone_reader().unwrap();
    let mut writer = pair.master.take_writer().unwrap();
    let p = parser.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(k) = reader.read(&mut buf) {
            if k == 0 {
                break;
            }
            p.lock().unwrap().process(&buf[..k]);
        }
    });
    let screen = || parser.lock().unwrap().screen().contents();
    let wait = |what: &str, secs: u64| {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if screen().contains(what) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        false
    };
    let first = if wait("Blades", 30) {
        start.elapsed()
    } else {
        Duration::MAX
    };
    std::thread::sleep(Duration::from_millis(300));
    let asked = Instant::now();
    std::io::Write::write_all(&mut writer, b":users\r").unwrap();
    // A user of the fixture heads the list: the first rows, not only the title.
    let rows = if wait("Adele Vance", 60) {
        asked.elapsed()
    } else {
        Duration::MAX
    };
    wait(&format!("({n})"), 120);
    std::thread::sleep(Duration::from_millis(500));
    let pid = child.process_id().unwrap_or(0);
    let rss = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|k| k.parse::<u64>().ok())
        })
        .unwrap_or(0);
    let _ = child.kill();
    (first, rows, rss / 1024)
}

/// Counts what a terminal would receive.
#[derive(Clone, Default)]
struct Wire(Arc<std::sync::atomic::AtomicUsize>);

impl std::io::Write for Wire {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.fetch_add(buf.len(), Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Bytes written for `k` after a first frame at `w`x`h`.
fn bytes_for(a: &mut App, w: u16, h: u16, k: KeyCode) -> usize {
    let wire = Wire::default();
    let mut term = ratatui::Terminal::with_options(
        ratatui::backend::CrosstermBackend::new(wire.clone()),
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, w, h)),
        },
    )
    .unwrap();
    term.draw(|f| entra_console::ui::draw(f, a)).unwrap();
    let first = wire.0.load(Ordering::Relaxed);
    a.update(key(k));
    term.draw(|f| entra_console::ui::draw(f, a)).unwrap();
    wire.0.load(Ordering::Relaxed) - first
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn console_rows(t: &mut Table, n: usize) {
    let label = if n >= 1_000_000 { "1M" } else { "100k" };
    let dir = tempfile::tempdir().unwrap();
    let (cache, items) = user_cache(dir.path(), n);
    let (first, rows, rss) = console_in_pty(dir.path(), &cache, n);
    t.row(
        &format!("start to first frame on a {label}-user cache (PTY)"),
        "< 150 ms",
        format!("{:.1} ms", first.as_secs_f64() * 1000.0),
    );
    t.row(
        &format!("`:users` to its first rows, {label}-user cache (PTY)"),
        "< 150 ms",
        format!("{:.1} ms", rows.as_secs_f64() * 1000.0),
    );
    let rss_budget = if n >= 1_000_000 {
        "< 600 MB"
    } else {
        "< 120 MB"
    };
    t.row(
        &format!("resident memory, {label} users in the Users table"),
        rss_budget,
        format!("{rss} MB"),
    );
    // In process: the users blade holding every row, a query typed key by key.
    let mut a = app();
    let effects = a.switch_blade(BladeKind::Users);
    let Some(Effect::FetchPages { id, .. }) = effects.first() else {
        panic!("the users blade fetches a list")
    };
    a.update(Msg::Cached {
        id: *id,
        items,
        as_of: None,
    });
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    let start = Instant::now();
    for _ in 0..50 {
        term.draw(|f| entra_console::ui::draw(f, &mut a)).unwrap();
    }
    t.row(
        &format!("frame render, {label}-row list 120x40"),
        "< 2 ms",
        format!("{:.2} ms", start.elapsed().as_secs_f64() * 1000.0 / 50.0),
    );
    // Each key: the frame that shows it (the UI task's part), then the frame with its results
    // (a large table scores off the UI task: the job is run here as the runtime would).
    let (mut keyed, mut found) = (Vec::new(), Vec::new());
    for round in 0..20 {
        a.update(key(KeyCode::Char('/')));
        for c in format!("user {:03}", round * 7).chars() {
            let start = Instant::now();
            let effects = a.update(key(KeyCode::Char(c)));
            term.draw(|f| entra_console::ui::draw(f, &mut a)).unwrap();
            keyed.push(start.elapsed());
            for e in effects {
                if let Effect::Filter(job) = e
                    && let Some(r) = job.run()
                {
                    a.update(Msg::Filtered(r));
                }
            }
            term.draw(|f| entra_console::ui::draw(f, &mut a)).unwrap();
            found.push(start.elapsed());
        }
        a.update(key(KeyCode::Esc));
    }
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    t.row(
        &format!("keystroke to frame showing it, filtering {label} rows"),
        "p99 < 16 ms",
        format!(
            "p50 {:.1} ms, p99 {:.1} ms",
            ms(percentile(&mut keyed, 0.5)),
            ms(percentile(&mut keyed, 0.99))
        ),
    );
    let final_budget = if n >= 1_000_000 {
        "p99 < 150 ms"
    } else {
        "p99 < 16 ms"
    };
    t.row(
        &format!("keystroke to final results, filtering {label} rows"),
        final_budget,
        format!(
            "p50 {:.1} ms, p99 {:.1} ms",
            ms(percentile(&mut found, 0.5)),
            ms(percentile(&mut found, 0.99))
        ),
    );
    if n < 1_000_000 {
        let moved = bytes_for(&mut a, 80, 24, KeyCode::Down);
        t.row(
            "terminal bytes, one-row move at 80x24",
            "< 1 KiB",
            format!("{moved} B"),
        );
        let page = bytes_for(&mut a, 200, 50, KeyCode::PageDown);
        t.row(
            "terminal bytes, page scroll at 200x50",
            "—",
            format!("{page} B"),
        );
    }
}

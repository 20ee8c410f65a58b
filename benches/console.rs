//! Benchmarks of the design budgets that run without a network: start to first frame from a
//! 100k-user cache, keystroke to frame while filtering 100k rows (with its p99), frame render.
//! `cargo bench --bench console`.

// Tests and benchmarks may unwrap: a failure here is a failed test, not a crash on data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use entra_console::app::run::perform;
use entra_console::app::{App, Context, Effect, Msg};
use entra_console::auth::{AccessToken, Credential};
use entra_console::blades::BladeKind;
use entra_console::cache::Store;
use entra_console::graph::{GraphClient, GraphConfig};
use entra_console::keymap::Keymap;
use entra_console::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::Value;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

const USERS: usize = 100_000;

/// 100k users in Graph's shape, from the demo tenant's seeded generator.
fn users() -> Vec<Value> {
    let scale = entra_console::demo::store::Scale {
        users: Some(USERS),
        groups: Some(10),
        seed: 7,
    };
    entra_console::demo::store::Tenant::load(&scale)
        .expect("demo tenant")
        .users
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
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
    App::new(ctx, Theme::default_theme(), Keymap::builtin(), now)
}

/// The users blade filled with `items` as the cache would fill it.
fn users_app(items: Vec<Value>) -> App {
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
    a
}

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn frame(t: &mut Terminal<TestBackend>, a: &mut App) {
    t.draw(|f| entra_console::ui::draw(f, a)).unwrap();
}

/// A cache file holding `items` as users, written once per run.
fn cache(dir: &Path, items: &[Value]) -> std::path::PathBuf {
    let path = dir.join("bench.db");
    let store = Store::open(&path, true).unwrap();
    let round = store.begin_round("users", true).unwrap();
    for (i, chunk) in items.chunks(999).enumerate() {
        let last = (i + 1) * 999 >= items.len();
        let next = (!last).then_some("next");
        store.save_page("users", &round, chunk, next, None).unwrap();
    }
    path
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let i = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[i]
}

fn budgets(c: &mut Criterion) {
    let items = users();
    let dir = tempfile::tempdir().unwrap();
    let path = cache(dir.path(), &items);

    // Start to first frame, by the console's own path: open the cache, run the list effect
    // (offline client), apply its first message, draw 80x24.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = GraphClient::new(GraphConfig {
        base_url: "http://127.0.0.1:9".into(),
        read_only: true,
        credential: Credential::Static(AccessToken::new("bench")),
        limits: entra_console::graph::Limits::default(),
    })
    .unwrap()
    .offline();
    // The async block hands the still-running list task out to be finished off the clock.
    #[allow(clippy::async_yields_async)]
    c.bench_function("first_frame_from_100k_cache", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let task = rt.block_on(async {
                    let store = std::sync::Arc::new(Store::open(&path, false).unwrap());
                    let mut a = app();
                    let effect = a.switch_blade(BladeKind::Users).remove(0);
                    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                    let task = tokio::spawn(perform(effect, client.clone(), Some(store), tx));
                    let first = rx.recv().await.expect("a cached page");
                    a.update(first);
                    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
                    frame(&mut t, &mut a);
                    black_box(a.dirty);
                    task
                });
                total += start.elapsed();
                // The rest of the cache is read after the first frame: not part of it, and not
                // left running into the next sample.
                let _ = rt.block_on(task);
            }
            total
        });
    });
    // For comparison: all 100k cached users into the table (what follows the first frame).
    c.bench_function("all_100k_cached_rows_into_the_table", |b| {
        b.iter(|| {
            let store = Store::open(&path, false).unwrap();
            let (cached, _) = store.list("users").unwrap();
            black_box(users_app(cached).dirty);
        });
    });

    // Frame render of a 100k-row list (only the visible rows are built).
    let mut a = users_app(items.clone());
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    c.bench_function("frame_render_100k_list_120x40", |b| {
        b.iter(|| frame(&mut t, &mut a));
    });

    // Keystroke to frame while filtering: type into `/`, one key and one frame per sample.
    a.update(key(KeyCode::Char('/')));
    let query: Vec<char> = "ada lovelace".chars().collect();
    let mut typed = 0usize;
    let mut step = |a: &mut App, t: &mut Terminal<TestBackend>| {
        let k = if typed < query.len() {
            typed += 1;
            KeyCode::Char(query[typed - 1])
        } else {
            typed = 0;
            KeyCode::Esc
        };
        // A large table scores off the UI task; here the job runs as the runtime would.
        for e in a.update(key(k)) {
            if let Effect::Filter(job) = e
                && let Some(r) = job.run()
            {
                a.update(Msg::Filtered(r));
            }
        }
        if k == KeyCode::Esc {
            a.update(key(KeyCode::Char('/')));
        }
        frame(t, a);
    };
    c.bench_function("keystroke_to_frame_filter_100k", |b| {
        b.iter(|| step(&mut a, &mut t));
    });
    let mut samples: Vec<Duration> = (0..400)
        .map(|_| {
            let start = Instant::now();
            step(&mut a, &mut t);
            start.elapsed()
        })
        .collect();
    println!(
        "keystroke_to_frame_filter_100k: p50 {:?}, p99 {:?} (budget p99 < 16 ms)",
        percentile(&mut samples, 0.50),
        percentile(&mut samples, 0.99)
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(5));
    targets = budgets
}
criterion_main!(benches);

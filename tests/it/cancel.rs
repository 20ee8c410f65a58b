//! Every request has one owner: a view that is left (Esc) or replaced (another blade) stops
//! its paged load, counted at the demo tenant, through the real effect runner.

use chrono::Utc;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use entra_console::app::{App, Context, Effect, Msg, View};
use entra_console::auth::{AccessToken, Credential};
use entra_console::blades::BladeKind;
use entra_console::demo::{self, DemoOptions, DemoServer};
use entra_console::effect::Runner;
use entra_console::graph::{GraphClient, GraphConfig};
use entra_console::keymap::Keymap;
use entra_console::theme::Theme;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

struct Live {
    app: App,
    runner: Runner,
    rx: UnboundedReceiver<Msg>,
    server: DemoServer,
    /// The group that holds every user.
    staff: String,
}

impl Live {
    async fn start() -> Live {
        let server = demo::start(DemoOptions {
            scale: demo::store::Scale {
                users: Some(4000),
                groups: None,
                seed: 2,
            },
            latency: Duration::from_millis(150),
            ..Default::default()
        })
        .await
        .unwrap();
        // One group holds every user: its members come in pages of 999.
        let staff = {
            let mut t = server.state.tenant.write().unwrap();
            let all: Vec<String> = t
                .users
                .iter()
                .map(|u| u["id"].as_str().unwrap().to_string())
                .collect();
            let staff = t
                .groups
                .iter()
                .find(|g| g["displayName"] == "All Staff")
                .unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string();
            t.members.insert(staff.clone(), all);
            staff
        };
        let client = GraphClient::new(GraphConfig {
            base_url: server.url(),
            read_only: false,
            credential: Credential::Static(AccessToken::new("t")),
            limits: entra_console::graph::Limits::default(),
        })
        .unwrap();
        let (tx, rx) = unbounded_channel();
        let connector: entra_console::connect::Connector =
            Arc::new(|_| Box::pin(async { Err("no profiles here".to_string()) }));
        let runner = Runner::new(client, None, tx, connector);
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
            graph: server.url(),
        };
        let app = App::new(ctx, Theme::default_theme(), Keymap::builtin(), Utc::now());
        Live {
            app,
            runner,
            rx,
            server,
            staff,
        }
    }

    fn spawn(&mut self, effects: Vec<Effect>) {
        for e in effects {
            self.runner.spawn(e);
        }
    }

    fn key(&mut self, code: KeyCode) {
        let e = self
            .app
            .update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        self.spawn(e);
    }

    /// Feed messages to the app until `done` says so (or 20 s pass).
    async fn until(&mut self, mut done: impl FnMut(&App, &Msg) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let msg = tokio::time::timeout_at(deadline, self.rx.recv())
                .await
                .expect("the awaited message came")
                .unwrap();
            let stop = done(&self.app, &msg);
            let e = self.app.update(msg);
            self.spawn(e);
            if stop {
                return;
            }
        }
    }

    /// Requests whose path contains `part`.
    fn requests(&self, part: &str) -> usize {
        let log = self.server.state.faults.log.lock().unwrap();
        log.iter().filter(|r| r.contains(part)).count()
    }

    /// Let messages be handled for a while (nothing awaited).
    async fn settle(&mut self, d: Duration) {
        let end = tokio::time::Instant::now() + d;
        while let Ok(Some(msg)) = tokio::time::timeout_at(end, self.rx.recv()).await {
            let e = self.app.update(msg);
            self.spawn(e);
        }
    }
}

fn is_first_page(m: &Msg) -> bool {
    matches!(m, Msg::Page { page, .. } if page.index == 0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esc_during_a_paged_load_stops_its_requests() {
    let mut l = Live::start().await;
    let e = l.app.switch_blade(BladeKind::Groups);
    l.spawn(e);
    l.until(|_, m| matches!(m, Msg::Done { .. })).await;
    l.key(KeyCode::Char('/'));
    for c in "all staff".chars() {
        l.key(KeyCode::Char(c));
    }
    l.key(KeyCode::Enter);
    l.key(KeyCode::Enter);
    l.until(|_, m| matches!(m, Msg::Object { .. })).await;
    l.key(KeyCode::Char('m'));
    assert!(
        matches!(l.app.top(), View::List(_)),
        "the members list opened"
    );
    l.until(|_, m| is_first_page(m)).await;
    l.key(KeyCode::Esc);
    // A request sent just before Esc may still arrive; none may start after it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let pages = format!("/groups/{}/members", l.staff);
    let at_esc = l.requests(&pages);
    l.settle(Duration::from_millis(1500)).await;
    let log = l.server.state.faults.log.lock().unwrap().clone();
    assert_eq!(
        l.requests(&pages),
        at_esc,
        "no member page after Esc: {log:#?}"
    );
    assert!(at_esc < 5, "the load was cut short ({at_esc} of 5 pages)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_a_view_stops_its_paged_load() {
    let mut l = Live::start().await;
    let e = l.app.switch_blade(BladeKind::Users);
    l.spawn(e);
    l.until(|_, m| is_first_page(m)).await;
    let e = l.app.switch_blade(BladeKind::Roles);
    l.spawn(e);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let at_switch = l.requests("GET /v1.0/users");
    l.settle(Duration::from_millis(1500)).await;
    assert_eq!(
        l.requests("GET /v1.0/users"),
        at_switch,
        "no user page after the switch"
    );
    assert!(
        at_switch < 5,
        "the load was cut short ({at_switch} of 5 pages)"
    );
}

//! Shared test harness: an `App` driven inline against the demo tenant, rendered on a
//! `TestBackend`.
#![allow(dead_code)]

use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use entra_console::app::run::perform;
use entra_console::app::{App, Context, Effect, Msg};
use entra_console::auth::oauth::OAuth;
use entra_console::auth::session::Session;
use entra_console::auth::{AccessToken, Credential};
use entra_console::clock::VirtualClock;
use entra_console::config::DEFAULT_CLIENT_ID;
use entra_console::demo::identity::DEMO_REFRESH_TOKEN;
use entra_console::demo::{self, DemoOptions};
use entra_console::graph::{GraphClient, GraphConfig};
use entra_console::keymap::Keymap;
use entra_console::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;
use std::time::Duration;

pub struct Harness {
    pub app: App,
    pub client: GraphClient,
    pub server: demo::DemoServer,
    pub store: Option<std::sync::Arc<entra_console::cache::Store>>,
}

impl Harness {
    pub async fn new(read_only: bool) -> Harness {
        let server = demo::start(DemoOptions::default()).await.unwrap();
        let client = GraphClient::new(GraphConfig {
            base_url: server.url(),
            read_only,
            credential: Credential::Static(AccessToken::new("t")),
            limits: entra_console::graph::Limits::default(),
        })
        .unwrap();
        Harness::start(server, client, read_only, None).await
    }

    /// A read-only console on the default demo tenant, without the client's pacing of
    /// Conditional Access reads (key-mashing tests read policies thousands of times).
    pub async fn read_only_unpaced() -> Harness {
        let server = demo::start(DemoOptions::default()).await.unwrap();
        let client = GraphClient::new(GraphConfig {
            base_url: server.url(),
            read_only: true,
            credential: Credential::Static(AccessToken::new("t")),
            limits: entra_console::graph::Limits::default(),
        })
        .unwrap()
        .with_pacing(Duration::ZERO);
        Harness::start(server, client, true, None).await
    }

    /// Execute effects inline (the real `perform`), feeding their results back, until none are left.
    pub async fn run(&mut self, mut effects: Vec<Effect>) {
        while !effects.is_empty() {
            let e = effects.remove(0);
            if matches!(e, Effect::Copy(_) | Effect::Cancel(_)) {
                continue;
            }
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            perform(e, self.client.clone(), self.store.clone(), tx).await;
            while let Ok(m) = rx.try_recv() {
                effects.extend(self.app.update(m));
            }
        }
    }

    pub async fn key(&mut self, code: KeyCode) {
        let effects = self
            .app
            .update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        self.run(effects).await;
    }

    pub async fn type_str(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c)).await;
        }
    }

    /// Switch to a blade and run its load.
    pub async fn open(&mut self, blade: entra_console::blades::BladeKind) {
        let e = self.app.switch_blade(blade);
        self.run(e).await;
    }

    /// `/` filter to `text`, Enter keeps it (the best match is selected).
    pub async fn filter(&mut self, text: &str) {
        self.key(KeyCode::Char('/')).await;
        self.type_str(text).await;
        self.key(KeyCode::Enter).await;
    }

    /// The screen with the navigation column blanked: it is snapshotted once
    /// (`screens::navigation_column`), so adding a blade changes one snapshot, not every one.
    pub fn render(&mut self, w: u16, h: u16) -> String {
        blank_nav(&self.render_full(w, h))
    }

    /// The whole screen, navigation column included.
    pub fn render_full(&mut self, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| entra_console::ui::draw(f, &mut self.app))
            .unwrap();
        // Ephemeral ports are five digits on Linux: a same-width placeholder keeps borders aligned.
        let port = self.server.addr.port().to_string();
        let placeholder = format!("{:_<width$}", "PORT", width = port.len());
        format!("{}", t.backend()).replace(
            &format!("127.0.0.1:{port}"),
            &format!("127.0.0.1:{placeholder}"),
        )
    }
}

impl Harness {
    /// A harness on a given demo tenant and credential (sessions for step-up tests).
    pub async fn with(
        server: demo::DemoServer,
        client: GraphClient,
        blocker: Option<String>,
    ) -> Harness {
        Harness::start(server, client, false, blocker).await
    }

    /// The app on the demo tenant's context, its first load already run.
    async fn start(
        server: demo::DemoServer,
        client: GraphClient,
        read_only: bool,
        blocker: Option<String>,
    ) -> Harness {
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let ctx = Context {
            profile: "demo".into(),
            tenant: "tailspindemo.onmicrosoft.com".into(),
            read_only,
            step_up_blocker: blocker,
            profiles: Vec::new(),
            offline: false,
            break_glass: vec![
                "bg-admin01@tailspindemo.onmicrosoft.com".into(),
                "bg-admin02@tailspindemo.onmicrosoft.com".into(),
            ],
            waivers: None,
            plans: None,
            require_approval: Vec::new(),
            graph: server.url(),
        };
        let mut app = App::new(ctx, Theme::default_theme(), Keymap::builtin(), now);
        let effects = app.init();
        let mut h = Harness {
            app,
            client,
            server,
            store: None,
        };
        h.run(effects).await;
        h
    }

    /// A signed-in session (demo refresh token) on a demo tenant: step-up works as `opts` says.
    pub async fn session(opts: DemoOptions) -> Harness {
        Harness::session_with(opts, false).await
    }

    /// The same, or with a ready token (no refresh, no step-up) when `ready_token`.
    pub async fn session_with(opts: DemoOptions, ready_token: bool) -> Harness {
        let server = Harness::demo(opts).await;
        let clock = Arc::new(VirtualClock::default());
        let credential = if ready_token {
            Credential::Static(AccessToken::new("ready-token"))
        } else {
            let oauth = OAuth::new(
                &server.url(),
                "tailspindemo.onmicrosoft.com",
                DEFAULT_CLIENT_ID,
                "https://graph.microsoft.com/.default offline_access",
            )
            .unwrap();
            Credential::Session(Arc::new(Session::delegated(
                oauth,
                DEMO_REFRESH_TOKEN.into(),
                None,
                clock.clone(),
            )))
        };
        let blocker = credential.step_up_impossible().map(str::to_string);
        let client = GraphClient::new(GraphConfig {
            base_url: server.url(),
            read_only: false,
            credential,
            limits: entra_console::graph::Limits::default(),
        })
        .unwrap()
        .with_clock(clock)
        .with_pacing(Duration::ZERO);
        Harness::with(server, client, blocker).await
    }

    pub async fn demo(opts: DemoOptions) -> demo::DemoServer {
        demo::start(opts).await.unwrap()
    }
}

/// Blank the navigation list where a line shows it: from its left border up to its right
/// border, or to the first border of an overlay drawn over it.
fn blank_nav(screen: &str) -> String {
    let border = |c: char| matches!(c, '│' | '┌' | '┐' | '└' | '┘' | '─' | '├' | '┤');
    screen
        .lines()
        .map(|line| {
            let chars: Vec<char> = line.chars().collect();
            let nav = chars.len() > 19 && chars[0] == '"' && matches!(chars[1], '│' | '┌' | '└');
            if !nav {
                return line.to_string();
            }
            // The nav's own top and bottom borders run to column 17; its rows end at the
            // first border after the left one (its own, or an overlay's drawn over it). A line
            // with no border there is an overlay's, not the nav's.
            let end = if matches!(chars[1], '┌' | '└') {
                if !matches!(chars[17], '┐' | '┘') {
                    return line.to_string();
                }
                18
            } else {
                match (2..18).find(|&i| border(chars[i])) {
                    Some(i) => i,
                    None => return line.to_string(),
                }
            };
            let mut out: String = "\"".into();
            out.push_str(&" ".repeat(end - 1));
            out.extend(&chars[end..]);
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The real binary with its config and data under `home`, nothing taken from the environment
/// (no token, Graph URL or profile); `with_token` gives it a ready bearer token.
pub fn bin(home: &std::path::Path, with_token: bool) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_entra-console"));
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("ENTRA_CONSOLE_ACCESS_TOKEN")
        .env_remove("ENTRA_CONSOLE_GRAPH_URL")
        .env_remove("ENTRA_CONSOLE_PROFILE");
    if with_token {
        c.env("ENTRA_CONSOLE_ACCESS_TOKEN", "t");
    }
    c
}

/// `s` with dates (`2026-12-04`, and a following ` 20:06`) replaced by placeholders: the demo
/// moves deletion and sign-in times to the day it runs.
pub fn redact_dates(s: &str) -> String {
    let b: Vec<char> = s.chars().collect();
    let digit = |k: usize| b.get(k).is_some_and(char::is_ascii_digit);
    let (mut out, mut i) = (String::new(), 0);
    while i < b.len() {
        let date = (0..4).all(|k| digit(i + k))
            && b.get(i + 4) == Some(&'-')
            && (5..7).all(|k| digit(i + k))
            && b.get(i + 7) == Some(&'-')
            && (8..10).all(|k| digit(i + k));
        if !date {
            out.push(b[i]);
            i += 1;
            continue;
        }
        out.push_str("YYYY-MM-DD");
        i += 10;
        let time = b.get(i) == Some(&' ')
            && (1..3).all(|k| digit(i + k))
            && b.get(i + 3) == Some(&':')
            && (4..6).all(|k| digit(i + k));
        if time {
            out.push_str(" hh:mm");
            i += 6;
        }
    }
    out
}

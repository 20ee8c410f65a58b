//! Snapshots of rendered screens (ratatui `TestBackend`), with data loaded over HTTP from the
//! demo tenant and effects driven inline, so what is drawn is what the real loop would draw.

use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use entra_console::app::run::perform;
use entra_console::app::{App, Context, Effect, Msg};
use entra_console::auth::{AccessToken, Credential};
use entra_console::demo::{self, DemoOptions};
use entra_console::graph::{GraphClient, GraphConfig};
use entra_console::keymap::Keymap;
use entra_console::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;

struct Harness {
    app: App,
    client: GraphClient,
    _server: demo::DemoServer,
}

impl Harness {
    async fn new(read_only: bool) -> Harness {
        let server = demo::start(DemoOptions::default()).await.unwrap();
        let client = GraphClient::new(GraphConfig {
            base_url: server.url(),
            read_only,
            credential: Credential::Static(AccessToken::new("t")),
            timeout: Duration::from_secs(10),
        })
        .unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
        let ctx = Context {
            profile: "demo".into(),
            tenant: "tailspindemo.onmicrosoft.com".into(),
            read_only,
            step_up_blocker: None,
        };
        let mut app = App::new(ctx, Theme::default_theme(), Keymap::builtin(), now);
        let effects = app.init();
        let mut h = Harness {
            app,
            client,
            _server: server,
        };
        h.run(effects).await;
        h
    }

    /// Execute effects inline (the real `perform`), feeding their results back, until none are left.
    async fn run(&mut self, mut effects: Vec<Effect>) {
        while !effects.is_empty() {
            let e = effects.remove(0);
            if matches!(e, Effect::Copy(_) | Effect::Cancel(_)) {
                continue;
            }
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
            perform(e, self.client.clone(), tx).await;
            while let Ok(m) = rx.try_recv() {
                effects.extend(self.app.update(m));
            }
        }
    }

    async fn key(&mut self, code: KeyCode) {
        let effects = self
            .app
            .update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        self.run(effects).await;
    }

    async fn type_str(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c)).await;
        }
    }

    fn render(&mut self, w: u16, h: u16) -> String {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| entra_console::ui::draw(f, &mut self.app))
            .unwrap();
        // Ephemeral ports are five digits on Linux: a same-width placeholder keeps borders aligned.
        let port = self._server.addr.port().to_string();
        let placeholder = format!("{:_<width$}", "PORT", width = port.len());
        format!("{}", t.backend()).replace(
            &format!("127.0.0.1:{port}"),
            &format!("127.0.0.1:{placeholder}"),
        )
    }
}

#[tokio::test]
async fn groups_list_80x24() {
    let mut h = Harness::new(false).await;
    insta::assert_snapshot!(h.render(80, 24));
}

#[tokio::test]
async fn groups_list_120x40() {
    let mut h = Harness::new(true).await;
    insta::assert_snapshot!(h.render(120, 40));
}

#[tokio::test]
async fn groups_filtered_and_sorted() {
    let mut h = Harness::new(false).await;
    h.key(KeyCode::Char('/')).await;
    h.type_str("team").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Char('s')).await;
    insta::assert_snapshot!(h.render(80, 24));
}

#[tokio::test]
async fn group_detail_sheet_and_json() {
    let mut h = Harness::new(false).await;
    h.key(KeyCode::Char('/')).await;
    h.type_str("tier0").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    insta::assert_snapshot!("group_detail_sheet", h.render(80, 24));
    h.key(KeyCode::Tab).await;
    insta::assert_snapshot!("group_detail_json", h.render(120, 40));
}

#[tokio::test]
async fn group_members() {
    let mut h = Harness::new(false).await;
    h.key(KeyCode::Char('/')).await;
    h.type_str("break-glass").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Char('m')).await;
    insta::assert_snapshot!(h.render(80, 24));
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;
    assert_eq!(h.app.breadcrumbs(), ["Groups"]);
}

#[tokio::test]
async fn help_overlay() {
    let mut h = Harness::new(false).await;
    h.key(KeyCode::Char('?')).await;
    insta::assert_snapshot!(h.render(80, 40));
}

#[tokio::test]
async fn palette_completes_and_jumps() {
    let mut h = Harness::new(false).await;
    h.key(KeyCode::Char(':')).await;
    h.type_str("us").await;
    insta::assert_snapshot!("palette_open", h.render(80, 24));
    h.key(KeyCode::Tab).await;
    h.key(KeyCode::Enter).await;
    assert_eq!(h.app.breadcrumbs(), ["Users"]);
    insta::assert_snapshot!("users_list", h.render(80, 24));
}

#[tokio::test]
async fn tiny_terminals_render_without_panic() {
    let mut h = Harness::new(false).await;
    for (w, hgt) in [(20, 5), (19, 4), (1, 1), (40, 8), (2, 30), (200, 3)] {
        let _ = h.render(w, hgt);
    }
    insta::assert_snapshot!(h.render(20, 5));
}

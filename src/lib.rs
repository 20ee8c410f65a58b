//! entra-console: a keyboard-driven terminal console for Microsoft Entra ID administrators.

pub mod app;
pub mod auth;
pub mod blades;
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod export;
pub mod graph;
pub mod keymap;
pub mod rng;
pub mod sanitize;
pub mod theme;
pub mod tui;
pub mod ui;
pub mod widgets;

use auth::{AccessToken, Credential};
use blades::{BladeKind, ListSource};
use cli::{Cli, Command};
use config::Paths;
use graph::{GraphClient, GraphConfig};
use std::time::Duration;

/// The token the demo tenant accepts. It is not a secret: the demo tenant only exists on loopback.
pub const DEMO_TOKEN: &str = "demo-access-token";
/// The demo tenant's domain, shown in the status bar.
pub const DEMO_TENANT: &str = "tailspindemo.onmicrosoft.com";

/// A failure to report on stderr as one line, with its exit code (1 error, 2 usage).
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: String,
}

impl Failure {
    pub fn error(message: impl Into<String>) -> Self {
        Failure {
            code: 1,
            message: message.into(),
        }
    }
}

fn demo_options(cli: &Cli) -> demo::DemoOptions {
    demo::DemoOptions {
        scale: demo::store::Scale {
            users: cli.demo.users,
            groups: cli.demo.groups,
            seed: cli.demo.seed.unwrap_or(1),
        },
        latency: Duration::from_millis(cli.demo.latency_ms.unwrap_or(0)),
        throttle: cli.demo.throttle,
        fault_rate: cli.demo.fault_rate.unwrap_or(0.0),
        step_up: cli.demo.step_up.unwrap_or(demo::identity::StepUpMode::Pass),
        ..Default::default()
    }
}

/// Log to a file in the data dir, never to the terminal. Returns the guard that flushes it.
fn init_logging(paths: Option<&Paths>) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let paths = paths?;
    std::fs::create_dir_all(&paths.data_dir).ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(paths.log_file())
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = tracing_subscriber::EnvFilter::try_from_env("ENTRA_CONSOLE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,entra_console=debug"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

/// Resolve the Graph URL and credential: the in-process demo tenant, or the configured Graph
/// with a ready token from `ENTRA_CONSOLE_ACCESS_TOKEN`.
async fn connect(cli: &Cli) -> Result<(GraphClient, Option<demo::DemoServer>, String), Failure> {
    let read_only = cli.global.read_only;
    if cli.global.offline {
        return Err(Failure::error(
            "--offline needs the local cache, which this build does not have yet",
        ));
    }
    let (url, credential, server, tenant) = if cli.global.demo {
        let server = demo::start(demo_options(cli))
            .await
            .map_err(Failure::error)?;
        (
            server.url(),
            Credential::Static(AccessToken::new(DEMO_TOKEN)),
            Some(server),
            DEMO_TENANT.to_string(),
        )
    } else {
        let url = config::graph_url(cli.global.graph_url.as_deref(), cli.global.cloud);
        let credential = match std::env::var("ENTRA_CONSOLE_ACCESS_TOKEN") {
            Ok(t) if !t.trim().is_empty() => Credential::Static(AccessToken::new(t.trim())),
            _ => Credential::Missing(
                "set ENTRA_CONSOLE_ACCESS_TOKEN to a Graph token (sign-in with `login` is not in this build yet), or use --demo".into(),
            ),
        };
        let host = url::Url::parse(&url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_default();
        (url, credential, None, host)
    };
    let client = GraphClient::new(GraphConfig {
        base_url: url,
        read_only,
        credential,
        timeout: Duration::from_secs(60),
    })
    .map_err(|e| Failure::error(e.to_string()))?;
    Ok((client, server, tenant))
}

/// Run a parsed command line.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    let paths = Paths::resolve(cli.global.config.as_deref());
    let _log = init_logging(paths.as_ref());
    match &cli.command {
        Some(Command::DemoServer { addr }) => {
            let opts = demo::DemoOptions {
                addr: *addr,
                ..demo_options(&cli)
            };
            let server = demo::start(opts).await.map_err(Failure::error)?;
            println!("listening on {}", server.url());
            use std::io::Write;
            let _ = std::io::stdout().flush();
            // Serve until killed.
            std::future::pending::<()>().await;
            Ok(())
        }
        Some(Command::Export { blade, format }) => {
            let kind = BladeKind::from_command(blade).ok_or_else(|| {
                let names: Vec<_> = BladeKind::ALL.iter().map(|b| b.command()).collect();
                Failure {
                    code: 2,
                    message: format!(
                        "export: unknown blade \"{blade}\" (available: {})",
                        names.join(", ")
                    ),
                }
            })?;
            let (client, _server, _) = connect(&cli).await?;
            let source = ListSource::Blade(kind);
            let objects = client
                .get_all(source.request())
                .await
                .map_err(|e| Failure::error(e.to_string()))?;
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            export::write(&source, objects, *format, &mut lock)
                .map_err(|e| Failure::error(format!("export: {e}")))
        }
        Some(other) => {
            let name = match other {
                Command::Login { .. } => "login",
                Command::Logout => "logout",
                Command::Sync { .. } => "sync",
                Command::Audit { .. } => "audit",
                _ => "snapshot",
            };
            Err(Failure::error(format!(
                "`{name}` is not available in this build yet"
            )))
        }
        None => {
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let (theme, theme_warning) = theme::Theme::select(
                cli.global.theme.as_deref(),
                no_color,
                paths.as_ref().map(|p| p.config_dir.as_path()),
            );
            let keymap_file = paths.as_ref().map(|p| p.keymap_file());
            let (keymap, keymap_warning) = keymap::Keymap::load(keymap_file.as_deref());
            let (client, _server, tenant) = connect(&cli).await?;
            let profile = if cli.global.demo {
                "demo".to_string()
            } else {
                cli.global
                    .profile
                    .clone()
                    .unwrap_or_else(|| "default".into())
            };
            let ctx = app::Context {
                profile,
                tenant,
                read_only: cli.global.read_only,
            };
            let mut state = app::App::new(ctx, theme, keymap, chrono::Utc::now());
            if let Some(w) = theme_warning.or(keymap_warning) {
                tracing::warn!("{w}");
                state.toast(w, true);
            }
            app::run::run(state, client)
                .await
                .map_err(|e| Failure::error(format!("terminal: {e}")))
        }
    }
}

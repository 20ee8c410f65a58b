//! entra-console: a keyboard-driven terminal console for Microsoft Entra ID administrators.
// No unwrap, expect or panic on external data, as a rule (tests may).
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod action;
pub mod app;
pub mod audit;
pub mod auth;
pub mod blades;
pub mod bulk;
pub mod ca;
pub mod ca_copy_command;
pub mod cache;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod connect;
pub mod contain_command;
#[cfg(feature = "demo")]
pub mod demo;
pub mod effect;
pub mod exceptions;
pub mod export;
pub mod export_command;
pub mod graph;
pub mod group_commands;
pub mod keymap;
pub mod licensing;
pub mod login;
pub mod memory;
pub mod msg;
pub mod package;
pub mod pim_command;
pub mod pim_policy;
pub mod plan;
pub mod plan_command;
pub mod predict;
pub mod private;
pub mod protect;
pub mod reset;
pub mod revert_command;
pub mod review_commands;
pub mod rng;
pub mod roles;
pub mod sanitize;
pub mod secret;
pub mod session;
pub mod theme;
pub mod tui;
pub mod ui;
pub mod widgets;
pub mod xray;

use cli::{Cli, Command};
use config::Paths;
pub use connect::DEMO_TENANT;

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

/// Log to a file in the data dir, never to the terminal. Returns the guard that flushes it.
fn init_logging(paths: Option<&Paths>) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let paths = paths?;
    private::tighten(&paths.data_dir).ok()?;
    // The default cache folder of earlier versions was 0755.
    let _ = private::tighten(&paths.data_dir.join("cache"));
    let file = private::append(&paths.log_file()).ok()?;
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

/// Run a parsed command line.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    // A config file named on the command line must exist (the default one may not).
    if let Some(f) = &cli.global.config
        && !f.is_file()
    {
        return Err(Failure::error(format!(
            "--config {}: no such file",
            f.display()
        )));
    }
    let paths = Paths::resolve(cli.global.config.as_deref());
    let _log = init_logging(paths.as_ref());
    match &cli.command {
        Some(Command::DemoServer { addr }) => {
            let (url, _server, _) = connect::start_demo(&cli, Some(*addr)).await?;
            {
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "listening on {url}");
                let _ = out.flush();
            }
            // Serve until killed.
            std::future::pending::<()>().await;
            Ok(())
        }
        Some(Command::Export {
            blade,
            permission,
            format,
            partial,
        }) => {
            export_command::export(
                &cli,
                paths.as_ref(),
                blade,
                permission.as_deref(),
                *format,
                *partial,
            )
            .await
        }
        Some(Command::Contain {
            user,
            confirm_compromised,
            revoke,
            disable,
            reset_password,
            tap,
            dry_run,
            plan,
            approval,
        }) => {
            let steps = contain_command::Asked {
                confirm_compromised: *confirm_compromised,
                revoke: *revoke,
                disable: *disable,
                reset_password: *reset_password,
                tap: *tap,
            };
            let planned = plan
                .as_deref()
                .map(|p| (p, ca_copy_command::approval(*approval)));
            contain_command::contain(&cli, paths.as_ref(), user, steps, *dry_run, planned).await
        }
        Some(Command::Xray { user, format }) => {
            review_commands::xray(&cli, paths.as_ref(), user, *format).await
        }
        Some(Command::Sync { blades, full }) => {
            commands::sync(&cli, paths.as_ref(), blades, *full).await
        }
        Some(Command::Snapshot { command }) => {
            commands::snapshot(&cli, paths.as_ref(), command).await
        }
        Some(Command::Login {
            method,
            tenant,
            client_id,
        }) => {
            login::login(
                &cli,
                paths.as_ref(),
                *method,
                tenant.clone(),
                client_id.clone(),
            )
            .await
        }
        Some(Command::Logout) => login::logout(&cli, paths.as_ref()),
        Some(Command::Ca {
            command:
                cli::CaCommand::Copy {
                    policy,
                    from_profile,
                    to_profile,
                    skip_missing,
                    yes,
                    plan,
                    approval,
                },
        }) => {
            let asked = ca_copy_command::Asked {
                policy,
                from: from_profile,
                to: to_profile,
                skip_missing: *skip_missing,
                yes: *yes,
                plan: plan
                    .as_deref()
                    .map(|p| (p, ca_copy_command::approval(*approval))),
            };
            ca_copy_command::copy(&cli, paths.as_ref(), asked).await
        }
        Some(Command::Ca { command }) => commands::ca(&cli, paths.as_ref(), command).await,
        Some(Command::Pim { command }) => {
            pim_command::pim_command(&cli, paths.as_ref(), command).await
        }
        Some(Command::RevertDue { dry_run, now }) => {
            revert_command::revert_due(&cli, paths.as_ref(), *dry_run, now.as_deref()).await
        }
        Some(Command::Plan { command }) => {
            plan_command::plan_command(&cli, paths.as_ref(), command).await
        }
        Some(Command::Groups {
            command:
                cli::GroupsCommand::AddMembers {
                    group,
                    file,
                    dry_run,
                    plan,
                    approval,
                },
        }) => {
            let planned = plan
                .as_deref()
                .map(|p| (p, ca_copy_command::approval(*approval)));
            group_commands::add_members(&cli, paths.as_ref(), group, file, *dry_run, planned).await
        }
        Some(Command::Completions { shell }) => {
            let mut cmd = cli::command();
            let mut text = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "entra-console", &mut text);
            write_stdout(&text).map_err(|e| Failure::error(format!("completions: {e}")))
        }
        Some(Command::Man) => {
            let mut text = Vec::new();
            clap_mangen::Man::new(cli::command())
                .render(&mut text)
                .and_then(|()| write_stdout(&text))
                .map_err(|e| Failure::error(format!("man: {e}")))
        }
        Some(Command::Audit {
            format,
            fail_on,
            framework,
            baseline,
            all_profiles: true,
            out,
            ..
        }) => {
            let _ = baseline;
            let how = review_commands::How {
                format: *format,
                fail_on: *fail_on,
                history: false,
                framework: *framework,
            };
            review_commands::audit_all(&cli, paths.as_ref(), how, out).await
        }
        Some(Command::Audit {
            format,
            fail_on,
            framework,
            baseline,
            history,
            ..
        }) => {
            let how = review_commands::How {
                format: *format,
                fail_on: *fail_on,
                history: *history,
                framework: *framework,
            };
            review_commands::audit(&cli, paths.as_ref(), how, baseline.as_deref()).await
        }
        None => {
            let conn = connect::connect(&cli, paths.as_ref()).await?;
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            let requested = cli
                .global
                .theme
                .as_deref()
                .or(conn.profile.theme.as_deref());
            let (theme, theme_warning) = theme::Theme::select(
                requested,
                no_color,
                paths.as_ref().map(|p| p.config_dir.as_path()),
            );
            let keymap_file = paths.as_ref().map(|p| p.keymap_file());
            let (keymap, keymap_warning) = keymap::Keymap::load(keymap_file.as_deref());
            let mut ctx = app::Context::of(&conn, connect::profile_names(&cli, paths.as_ref()));
            ctx.plans = paths.as_ref().map(|p| p.data_dir.join("plans"));
            let mut state = app::App::new(ctx, theme, keymap, chrono::Utc::now());
            if let Some(w) = theme_warning.or(keymap_warning) {
                tracing::warn!("{w}");
                state.toast(w, true);
            }
            let recovery = paths.as_ref().map(|p| p.data_dir.join("recovery"));
            app::run::run(
                state,
                conn,
                connect::connector(&cli, paths.clone()),
                recovery,
            )
            .await
        }
    }
}

/// Writes a command's whole output to stdout; a reader that went away (`| head`) ends it quietly
/// (SIGPIPE is ignored, so the closed pipe is an `EPIPE` error, not a signal).
pub fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

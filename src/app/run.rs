//! The run loop: terminal events, effect results and clock ticks in, frames out (only when the
//! state changed); effects run as tokio tasks and report back as `Msg`s.

use super::msg::Switch;
use super::{App, Msg};
pub use crate::auth::step_up::step_up_with;
use crate::connect::{Connection, Connector};
pub use crate::effect::perform;
use crate::effect::{Runner, observed};
use crate::tui::Tui;
use crossterm::event::{Event, EventStream};
use futures::{FutureExt, StreamExt};
use std::time::Duration;
use tokio::sync::mpsc::unbounded_channel;

/// Why the loop ended other than by quitting.
enum Stop {
    Signal(&'static str, i32),
    Panic,
}

/// Run `f` on the app; a panic is caught (ratatui's hook has restored the terminal and printed
/// it) so the draft can still be saved.
fn guarded<T>(app: &mut App, f: impl FnOnce(&mut App) -> T) -> Result<T, Stop> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(app))).map_err(|_| Stop::Panic)
}

/// Run the TUI until the user quits. A stop signal or a panic restores the terminal, writes an
/// unsaved draft to a file in `recovery` and names it in the error.
pub async fn run(
    mut app: App,
    conn: Connection,
    connector: Connector,
    recovery: Option<std::path::PathBuf>,
) -> Result<(), crate::Failure> {
    let terminal = |e: std::io::Error| crate::Failure::error(format!("terminal: {e}"));
    let mut signals = crate::tui::StopSignals::install().map_err(terminal)?;
    let mut tui = Tui::enter().map_err(terminal)?;
    let (tx, mut rx) = unbounded_channel::<Msg>();
    let mut conn = conn;
    let mut runner = Runner::new(conn.client.clone(), conn.store.clone(), tx, connector);
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    for e in app.init() {
        runner.spawn(e);
    }
    // The cache's integrity check scans the whole file: after the first frame, not before.
    if let Some(st) = runner.store.clone() {
        let tx = runner.tx.clone();
        tokio::spawn(async move {
            if let Err(e) = crate::cache::off_thread(st, |st| st.verify()).await {
                tracing::warn!("{e}");
                let _ = tx.send(match e {
                    // The advice first: at 80 columns the path would push it out of sight.
                    crate::cache::CacheError::Corrupt(path, why) => Msg::CacheDamaged(format!(
                        "cache damaged: run `entra-console sync --full` or import a snapshot ({why}; {})",
                        path.display()
                    )),
                    other => Msg::Notice(other.to_string()),
                });
            }
        });
    }
    let stop = loop {
        if app.dirty {
            let drawn = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                tui.terminal
                    .draw(|f| crate::ui::draw(f, &mut app))
                    .map(|_| ())
            }));
            match drawn {
                Ok(r) => r.map_err(terminal)?,
                Err(_) => break Some(Stop::Panic),
            }
            app.dirty = false;
            if app.confirm_unseen {
                // The confirm is on screen now: every key already waiting was typed before
                // it was (for what was there then), so none of them may apply it.
                let mut dropped = 0;
                while let Some(ev) = events.next().now_or_never() {
                    match ev {
                        Some(Ok(Event::Key(k)))
                            if k.kind != crossterm::event::KeyEventKind::Release =>
                        {
                            dropped += 1;
                        }
                        Some(Ok(_)) => {}
                        Some(Err(e)) => return Err(terminal(e)),
                        None => break,
                    }
                }
                app.confirm_drawn(dropped);
            }
        }
        if app.quit {
            break None;
        }
        let step = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => guarded(&mut app, |a| a.update(Msg::Key(k))),
                Some(Ok(Event::Resize(_, _))) => guarded(&mut app, |a| a.update(Msg::Resize)),
                Some(Ok(_)) => Ok(Vec::new()),
                Some(Err(e)) => return Err(terminal(e)),
                None => break None,
            },
            Some(msg) = rx.recv() => match msg {
                // Only the last `:ctx` asked is applied; an earlier one that lands later is
                // dropped with its connection.
                Msg::Switched(id, Switch(new, ctx)) if app.switch_request == Some(id) => {
                    for (_, h) in runner.tasks.drain() {
                        h.abort();
                    }
                    runner.client = observed(new.client.clone(), &runner.tx);
                    runner.store = new.store.clone();
                    conn = *new;
                    guarded(&mut app, |a| a.switched(ctx))
                }
                Msg::Switched(..) => Ok(Vec::new()),
                other => guarded(&mut app, |a| a.update(other)),
            },
            _ = tick.tick() => guarded(&mut app, |a| a.update(Msg::Tick(chrono::Utc::now()))),
            (name, num) = signals.recv() => Err(Stop::Signal(name, num)),
        };
        match step {
            Ok(effects) => {
                for e in effects {
                    runner.spawn(e);
                }
            }
            Err(stop) => break Some(stop),
        }
    };
    for (_, h) in runner.tasks.drain() {
        h.abort();
    }
    drop(tui);
    drop(conn);
    let Some(stop) = stop else { return Ok(()) };
    // The terminal is back to normal: now say what happened and where the draft is.
    let kept = match (app.recovery_draft(), &recovery) {
        (None, _) => String::new(),
        (Some(d), Some(dir)) => match super::recovery::save(dir, &d) {
            Ok(p) => format!("; the unsaved draft was written to {}", p.display()),
            Err(e) => format!("; the unsaved draft could not be written ({e})"),
        },
        (Some(_), None) => "; the unsaved draft was lost: no data folder to write it to".into(),
    };
    Err(match stop {
        Stop::Signal(name, num) => crate::Failure {
            code: 128 + num,
            message: format!("stopped by {name}{kept}"),
        },
        Stop::Panic => crate::Failure {
            code: 101,
            message: format!("stopped by an internal error (see above){kept}"),
        },
    })
}

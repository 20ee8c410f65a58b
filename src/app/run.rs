//! The run loop: terminal events, effect results and clock ticks in, frames out (only when the
//! state changed); effects run as tokio tasks and report back as `Msg`s.

use super::{App, Effect, Msg};
use crate::graph::GraphClient;
use crate::tui::Tui;
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use std::time::Duration;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// Start the work an effect asks for.
pub fn spawn_effect(effect: Effect, client: &GraphClient, tx: &UnboundedSender<Msg>) {
    match effect {
        Effect::FetchPages { id, request } => {
            let client = client.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut pages = client.pages(request);
                let mut error = None;
                while let Some(p) = pages.next().await {
                    match p {
                        Ok(page) => {
                            if tx.send(Msg::Page { id, page }).is_err() {
                                return;
                            }
                        }
                        Err(e) => {
                            error = Some(e);
                            break;
                        }
                    }
                }
                let _ = tx.send(Msg::Done { id, error });
            });
        }
        Effect::FetchObject { id, request } => {
            let client = client.clone();
            let tx = tx.clone();
            tokio::spawn(async move {
                let error = match client.get_json(&request).await {
                    Ok(object) => {
                        let _ = tx.send(Msg::Object { id, object });
                        None
                    }
                    Err(e) => Some(e),
                };
                let _ = tx.send(Msg::Done { id, error });
            });
        }
        Effect::Copy(text) => {
            if let Err(e) = crate::tui::copy_to_clipboard(&text) {
                tracing::warn!("clipboard write failed: {e}");
            }
        }
    }
}

/// Run the TUI until the user quits.
pub async fn run(mut app: App, conn: crate::connect::Connection) -> std::io::Result<()> {
    let client = conn.client.clone();
    let mut tui = Tui::enter()?;
    let (tx, mut rx) = unbounded_channel::<Msg>();
    let notices = tx.clone();
    let client = client.with_observer(std::sync::Arc::new(move |n| {
        let _ = notices.send(Msg::Retrying(n));
    }));
    let mut events = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    for e in app.init() {
        spawn_effect(e, &client, &tx);
    }
    loop {
        if app.dirty {
            tui.terminal.draw(|f| crate::ui::draw(f, &mut app))?;
            app.dirty = false;
        }
        if app.quit {
            break;
        }
        let effects = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) => app.update(Msg::Key(k)),
                Some(Ok(Event::Resize(_, _))) => app.update(Msg::Resize),
                Some(Ok(_)) => Vec::new(),
                Some(Err(e)) => return Err(e),
                None => break,
            },
            Some(msg) = rx.recv() => app.update(msg),
            _ = tick.tick() => app.update(Msg::Tick(chrono::Utc::now())),
        };
        for e in effects {
            spawn_effect(e, &client, &tx);
        }
    }
    drop(tui);
    Ok(())
}

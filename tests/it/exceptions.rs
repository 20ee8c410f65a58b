//! Time-boxed exceptions: Ben is excluded from CA002 "in 14 days" from the console; the revert
//! is recorded in the journal; `revert-due` (the same code as the command, the time given)
//! does nothing before it is due, puts Ben back once due, and leaves a policy whose exclusions
//! were edited by hand since alone, named for review.

use crate::common::Harness;
use crossterm::event::KeyCode;
use entra_console::app::write::Phase;
use entra_console::blades::BladeKind;
use serde_json::{Value, json};
use std::sync::Arc;

fn excluded(h: &Harness) -> Vec<String> {
    let t = h.server.state.tenant.read().unwrap();
    let p = t
        .policy
        .policies
        .iter()
        .find(|p| p["displayName"].as_str().unwrap().starts_with("CA002"))
        .unwrap();
    entra_console::ca::strs(&p["conditions"]["users"]["excludeUsers"])
}

async fn exclude_ben_for_14_days(h: &mut Harness) {
    h.open(BladeKind::CaPolicies).await;
    h.filter("CA002").await;
    h.key(KeyCode::Char('x')).await;
    h.type_str("ben").await;
    h.key(KeyCode::Enter).await; // search
    h.key(KeyCode::Enter).await; // pick
    for _ in 0..3 {
        h.key(KeyCode::Right).await;
    }
    let w = h.app.write.as_ref().unwrap();
    let c = w.choice.as_ref().unwrap();
    assert_eq!(c.options[c.selected].0, "in 14 days");
    assert!(
        h.render(120, 40).contains("the exclusion ends"),
        "the end is chosen in the confirm"
    );
    h.key(KeyCode::Enter).await;
    if h.app.write.as_ref().map(|w| w.phase.clone()) == Some(Phase::Challenged) {
        h.key(KeyCode::Enter).await;
    }
    assert!(
        matches!(h.app.write.as_ref().map(|w| &w.phase), Some(Phase::Done(_))),
        "{:?}",
        h.app.write.as_ref().map(|w| &w.phase)
    );
    assert!(
        h.app.toast.as_ref().unwrap().text.contains("revert-due"),
        "{:?}",
        h.app.toast
    );
}

async fn revert(
    h: &Harness,
    store: &entra_console::cache::Store,
    days: i64,
) -> Vec<(String, bool)> {
    let journal = store.journal().unwrap();
    let now = h.app.now + chrono::Duration::days(days);
    let client = h.client.clone();
    let write = async |r: &entra_console::graph::Request| {
        client.send(r).await.map(|_| ()).map_err(|e| e.to_string())
    };
    let out = entra_console::exceptions::revert_due(&h.client, &journal, now, false, &write)
        .await
        .unwrap();
    for o in &out {
        if !o.review {
            store
                .journal_add(&entra_console::exceptions::closed(
                    "demo",
                    &o.exception,
                    now,
                    "reverted",
                ))
                .unwrap();
        }
    }
    out.into_iter().map(|o| (o.words, o.review)).collect()
}

#[tokio::test]
async fn an_exception_is_reverted_when_due_and_only_as_it_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let store =
        Arc::new(entra_console::cache::Store::open(&dir.path().join("c.db"), true).unwrap());
    let mut h = Harness::session(Default::default()).await;
    h.store = Some(store.clone());
    exclude_ben_for_14_days(&mut h).await;
    assert_eq!(excluded(&h).len(), 1, "Ben is excluded now");
    let open = entra_console::exceptions::open(&store.journal().unwrap());
    assert_eq!(open.len(), 1);
    assert!(open[0].principal_name.starts_with("Ben"), "{open:?}");
    // The policy's page names it, with its end.
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Enter).await;
    let page = h.render_full(140, 80);
    assert!(page.contains("Time-boxed exclusions"), "{page}");
    assert!(
        page.contains("excluded until") && page.contains("(in 14 days)"),
        "{page}"
    );
    // A console started on this cache 15 days later says it is due.
    {
        let mut later = Harness::session(Default::default()).await;
        later.store = Some(store.clone());
        later.app.now = h.app.now + chrono::Duration::days(15);
        let effects = later.app.init();
        later.run(effects).await;
        let said = later
            .app
            .toast
            .as_ref()
            .map(|t| t.text.clone())
            .unwrap_or_default();
        assert!(said.contains("1 time-boxed exclusion is due"), "{said}");
    }
    // Not yet due: nothing happens.
    assert!(revert(&h, &store, 13).await.is_empty());
    assert_eq!(excluded(&h).len(), 1);
    // Due: Ben is put back, and the exception is closed.
    let done = revert(&h, &store, 15).await;
    assert_eq!(done.len(), 1, "{done:?}");
    assert!(done[0].0.starts_with("reverted"), "{done:?}");
    assert!(excluded(&h).is_empty(), "Ben is no longer excluded");
    assert!(entra_console::exceptions::open(&store.journal().unwrap()).is_empty());
    // Again, then someone edits the exclusions by hand to keep Ben (adding a colleague).
    exclude_ben_for_14_days(&mut h).await;
    {
        let mut t = h.server.state.tenant.write().unwrap();
        let p = t
            .policy
            .policies
            .iter_mut()
            .find(|p| p["displayName"].as_str().unwrap().starts_with("CA002"))
            .unwrap();
        let mut list: Vec<Value> = p["conditions"]["users"]["excludeUsers"]
            .as_array()
            .unwrap()
            .clone();
        list.push(json!("2330fcf1-562a-44b8-8866-8d77e827062c")); // Alex Wilber
        p["conditions"]["users"]["excludeUsers"] = Value::Array(list);
    }
    let kept = revert(&h, &store, 15).await;
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert!(kept[0].1, "needs a person: {kept:?}");
    assert!(kept[0].0.contains("changed since"), "{kept:?}");
    assert_eq!(excluded(&h).len(), 2, "nothing was sent");
    assert_eq!(
        entra_console::exceptions::open(&store.journal().unwrap()).len(),
        1,
        "still open"
    );
}

/// The command: cron-able, nothing due on a fresh cache, said in words.
#[test]
fn revert_due_through_the_binary() {
    let home = tempfile::tempdir().unwrap();
    let out = crate::common::bin(home.path(), false)
        .args(["--demo", "revert-due", "--dry-run"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("0 due of 0 open exception(s) (dry run: nothing sent)"),
        "{err}"
    );
    let bad = crate::common::bin(home.path(), false)
        .args(["--demo", "revert-due", "--now", "yesterday"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
}

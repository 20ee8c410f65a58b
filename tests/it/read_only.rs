//! Read-only by construction, counted at the tenant: every key of the keymap and every letter,
//! on every blade's list and on its first row's page, followed by the keys that confirm
//! (Enter, y), reaches the demo tenant as reads only.

use crate::common::Harness;
use crossterm::event::KeyCode;
use entra_console::blades::BladeKind;

/// Graph actions sent as POST that only read (judged here, not by the console's own list).
fn is_read(request: &str) -> bool {
    [
        "/$batch",
        "/directoryObjects/getByIds",
        "/identity/conditionalAccess/evaluate",
        "/getMemberGroups",
        "/getMemberObjects",
        "/checkMemberGroups",
        "/checkMemberObjects",
    ]
    .iter()
    .any(|p| request.starts_with("POST ") && request.ends_with(p))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_key_sends_a_write_in_read_only_mode() {
    let mut h = Harness::read_only_unpaced().await;
    let mut keys: Vec<KeyCode> = h
        .app
        .keymap
        .bindings
        .iter()
        .flat_map(|b| b.keys.iter().map(|c| c.code))
        .collect();
    keys.extend(('a'..='z').chain('A'..='Z').map(KeyCode::Char));
    keys.sort_by_key(|k| format!("{k:?}"));
    keys.dedup();
    let mut pressed = 0;
    for &blade in BladeKind::ALL {
        for depth in 0..2 {
            for &k in &keys {
                h.open(blade).await;
                if depth == 1 {
                    h.key(KeyCode::Enter).await;
                }
                for key in [k, KeyCode::Enter, KeyCode::Char('y'), KeyCode::Enter] {
                    h.key(key).await;
                    pressed += 1;
                }
                h.key(KeyCode::Esc).await;
                h.key(KeyCode::Esc).await;
                h.app.quit = false;
            }
        }
    }
    let sent = h.server.state.faults.log.lock().unwrap().clone();
    let writes: Vec<&String> = sent
        .iter()
        .filter(|r| !r.starts_with("GET ") && !is_read(r))
        .collect();
    assert!(pressed > 2000, "{pressed} keys");
    assert!(writes.is_empty(), "{pressed} keys sent writes: {writes:?}");
}

/// Read-only hides every write: the status bar and `?` list no write key, and a write key
/// pressed anyway is refused in words before any view sees it.
#[tokio::test]
async fn write_keys_are_hidden_and_refused() {
    let mut h = Harness::read_only_unpaced().await;
    for blade in entra_console::blades::BladeKind::ALL {
        h.open(*blade).await;
        let shown: Vec<&str> = h.app.view_hints().iter().map(|(_, w)| *w).collect();
        for (a, words) in entra_console::app::hints::view_actions(h.app.top()) {
            assert!(
                !(a.writes() && shown.contains(&words)),
                "{} lists {a:?}",
                blade.command()
            );
        }
    }
    h.open(entra_console::blades::BladeKind::CaPolicies).await;
    h.key(KeyCode::Char('?')).await;
    let screen = h.render_full(120, 60);
    assert!(screen.contains("READ-ONLY"), "{screen}");
    for word in [
        "Edit the selected CA policy",
        "Delete the selected CA policy",
        "guided setup",
    ] {
        assert!(!screen.contains(word), "{word} listed in read-only help");
    }
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char('t')).await;
    let toast = h.app.toast.as_ref().unwrap().text.clone();
    assert!(toast.starts_with("read-only: t (set-state)"), "{toast}");
    assert!(h.app.write.is_none());
}

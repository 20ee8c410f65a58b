//! Devices end to end against the demo tenant: the list (join type, compliance, last sign-in,
//! owner) read with `$select` and `$expand`, a device's page (owners, users, groups, the
//! Conditional Access device filters it matches), inactive devices, enable/disable of marked
//! rows, a delete that asks for the name, `export` and `sync`, and the same offline.

use crate::common::{Harness, bin, redact_dates};
use crossterm::event::KeyCode;
use entra_console::app::View;
use entra_console::app::write::Phase;
use entra_console::blades::BladeKind;

fn blade() -> BladeKind {
    BladeKind::from_command("devices").expect("registered")
}

fn names(h: &Harness) -> Vec<String> {
    let View::List(l) = h.app.top() else {
        panic!("a list")
    };
    l.table
        .visible_rows()
        .map(|r| r.cells[0].to_string())
        .collect()
}

fn enabled(h: &Harness, name: &str) -> bool {
    let t = h.server.state.tenant.read().unwrap();
    let d = t.devices.iter().find(|d| d["displayName"] == name).unwrap();
    d["accountEnabled"].as_bool().unwrap()
}

#[tokio::test]
async fn the_list_and_a_page_say_what_an_admin_asks() {
    let mut h = Harness::session(Default::default()).await;
    h.open(blade()).await;
    insta::assert_snapshot!("devices_80x24", redact_dates(&h.render(80, 24)));
    // The jump host of seed 000: registered (not joined), so the policy that exempts joined
    // devices by a device filter applies to it.
    h.filter("jump-01").await;
    h.key(KeyCode::Enter).await;
    let screen = h.render_full(220, 60);
    for want in [
        "registered",
        "Dana Kim",
        "IT Team",
        "does not match the exclude filter: the policy applies to it",
    ] {
        assert!(screen.contains(want), "{want}:\n{screen}");
    }
    // `m`: the groups it is in, as a list whose Enter opens the group.
    h.key(KeyCode::Char('m')).await;
    assert_eq!(names(&h), ["IT Team"]);
    h.key(KeyCode::Enter).await;
    assert!(matches!(h.app.top(), View::Detail(d) if d.target.name == "IT Team"));
}

#[tokio::test]
async fn inactive_devices_are_those_without_a_sign_in_for_n_days() {
    let mut h = Harness::session(Default::default()).await;
    h.open(blade()).await;
    h.key(KeyCode::Char('i')).await;
    // The prompt offers 90; a word is refused under the input and loses nothing.
    h.key(KeyCode::Char('x')).await;
    h.key(KeyCode::Enter).await;
    assert!(h.app.top().title() == "Devices", "the prompt stays");
    h.key(KeyCode::Backspace).await;
    h.key(KeyCode::Enter).await;
    // Read from Graph with `$filter` (the demo applies it as Graph does): a device that never
    // signed in is not "inactive since".
    let mut got = names(&h);
    got.sort();
    assert_eq!(got, ["KIOSK-LOBBY", "TS-DT-0012", "TS-LT-0077"]);
    assert_eq!(h.app.top().title(), "Devices ?stale:90");
}

#[tokio::test]
async fn enable_disable_marked_rows_and_delete_after_the_name() {
    let mut h = Harness::session(Default::default()).await;
    h.open(blade()).await;
    for name in ["TS-LT-0142", "TS-LT-0188"] {
        h.filter(name).await;
        h.key(KeyCode::Char(' ')).await;
        h.key(KeyCode::Esc).await;
    }
    h.key(KeyCode::Char('t')).await;
    let w = h.app.write.as_ref().expect("a confirm");
    let changes = w.changes().join("\n");
    assert!(
        changes.contains("TS-LT-0142: enabled → disabled"),
        "{changes}"
    );
    assert!(changes.contains("TS-LT-0188"), "{changes}");
    assert!(enabled(&h, "TS-LT-0142"), "nothing is sent before Enter");
    h.key(KeyCode::Enter).await;
    assert!(matches!(
        h.app.write.as_ref().unwrap().phase,
        Phase::Done(_)
    ));
    h.key(KeyCode::Esc).await;
    assert!(!enabled(&h, "TS-LT-0142") && !enabled(&h, "TS-LT-0188"));
    assert!(enabled(&h, "TS-LT-0077"), "only the marked ones");

    // Delete: the name must be typed; a wrong one is refused and nothing is sent.
    h.filter("KIOSK-LOBBY").await;
    h.key(KeyCode::Char('d')).await;
    h.type_str("KIOSK").await;
    h.key(KeyCode::Enter).await;
    assert!(h.app.write.is_none());
    h.type_str("-LOBBY").await;
    h.key(KeyCode::Enter).await;
    let title = h.app.write.as_ref().expect("the confirm").title.clone();
    assert!(title.contains("cannot be restored"), "{title}");
    h.key(KeyCode::Enter).await;
    let t = h.server.state.tenant.read().unwrap();
    assert!(!t.devices.iter().any(|d| d["displayName"] == "KIOSK-LOBBY"));
    assert_eq!(t.devices.len(), 11);
}

#[tokio::test]
async fn read_only_refuses_the_writes() {
    let mut h = Harness::read_only_unpaced().await;
    h.open(blade()).await;
    let shown: Vec<&str> = h.app.view_hints().iter().map(|(_, w)| *w).collect();
    assert!(
        !shown.contains(&"enable/disable") && !shown.contains(&"delete"),
        "{shown:?}"
    );
    h.key(KeyCode::Char('t')).await;
    h.key(KeyCode::Enter).await;
    assert!(h.app.write.is_none());
    let toast = h.app.toast.as_ref().unwrap().text.clone();
    assert!(toast.starts_with("read-only: t (state)"), "{toast}");
}

#[test]
fn export_and_sync_then_the_same_offline() {
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("c.db");
    let db = db.to_str().unwrap();
    let run = |args: &[&str]| {
        let out = bin(home.path(), false).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let live = run(&["--demo", "export", "devices", "--format", "csv"]);
    assert!(
        live.starts_with("id,Name,OS,Join,Compliant,Managed,Enabled,Last sign-in,Owner"),
        "{live}"
    );
    assert!(
        live.contains("jump-01,Linux Ubuntu 22.04,registered,no,no,yes,"),
        "{live}"
    );
    // Names with escape sequences are cleaned in every export.
    assert!(!live.contains('\u{1b}'));
    run(&["--demo", "--cache", db, "sync", "devices"]);
    let offline = run(&[
        "--offline",
        "--read-only",
        "--cache",
        db,
        "export",
        "devices",
        "--format",
        "csv",
    ]);
    assert_eq!(offline.lines().count(), live.lines().count(), "{offline}");
    assert!(offline.contains("TS-PAW-01"), "{offline}");
}

#[tokio::test]
async fn a_page_offline_shows_the_kept_device_and_says_what_is_not_kept() {
    use entra_console::cache::{Store, sync};
    use std::sync::Arc;
    let mut h = Harness::session(Default::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("c.db"), true).unwrap());
    let spec = entra_console::blades::sync_spec("devices").unwrap();
    sync::collection(&h.client, &store, &spec, &mut |_| {})
        .await
        .unwrap();
    h.client = h.client.clone().offline();
    h.store = Some(store);
    h.open(blade()).await;
    assert_eq!(names(&h).len(), 12);
    h.filter("TS-PAW-01").await;
    h.key(KeyCode::Enter).await;
    let screen = h.render_full(120, 50);
    for want in ["Bianca Rossi", "not kept offline", "Entra joined"] {
        assert!(screen.contains(want), "{want}:\n{screen}");
    }
}

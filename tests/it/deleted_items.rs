//! Deleted items end to end: every type listed through its cast segment with days left,
//! restore (one and marked), a UPN taken now (Graph's 400, then a new UPN), and a permanent
//! delete after the name is typed, through the step-up its protection demands.

use crate::common::{Harness, bin, redact_dates};
use crossterm::event::KeyCode;
use entra_console::app::View;
use entra_console::app::write::Phase;
use entra_console::blades::BladeKind;
use entra_console::demo::DemoOptions;
use entra_console::demo::identity::StepUpMode;

fn blade() -> BladeKind {
    BladeKind::from_command("deleted-items").expect("registered")
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

fn deleted_names(h: &Harness) -> Vec<String> {
    let t = h.server.state.tenant.read().unwrap();
    t.deleted
        .iter()
        .map(|v| v["displayName"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn every_type_is_listed_and_restored() {
    let mut h = Harness::session(Default::default()).await;
    h.open(blade()).await;
    // Deletion dates move with the day the demo runs; days left do not.
    let screen = redact_dates(&h.render(80, 12));
    insta::assert_snapshot!("deleted_items_80x12", screen);
    // One read per type, each through the cast segment.
    {
        let log = h.server.state.faults.log.lock().unwrap();
        for t in ["user", "group", "application", "servicePrincipal"] {
            let path = format!("GET /v1.0/directory/deletedItems/microsoft.graph.{t}");
            assert!(log.iter().any(|l| l.starts_with(&path)), "{path}: {log:?}");
        }
    }
    // Two marked: one confirm naming both, one request each.
    h.filter("Oscar Berg").await;
    h.key(KeyCode::Char(' ')).await;
    h.key(KeyCode::Esc).await;
    h.filter("Project Osprey").await;
    h.key(KeyCode::Char(' ')).await;
    // Only what is on screen is written: the filter goes, both marks show.
    h.key(KeyCode::Esc).await;
    let marked = {
        let View::List(l) = h.app.top() else { panic!() };
        l.table.marked_rows().len()
    };
    assert_eq!(marked, 2);
    h.key(KeyCode::Char('R')).await;
    let w = h.app.write.as_ref().expect("a confirm");
    let changes = w.changes();
    assert_eq!(changes.len(), 2, "{changes:?}");
    h.key(KeyCode::Enter).await;
    assert!(matches!(
        h.app.write.as_ref().unwrap().phase,
        Phase::Done(_)
    ));
    h.key(KeyCode::Esc).await;
    let t = h.server.state.tenant.read().unwrap();
    assert!(t.users.iter().any(|u| u["displayName"] == "Oscar Berg"));
    assert!(
        t.groups
            .iter()
            .any(|g| g["displayName"] == "Project Osprey")
    );
    assert_eq!(t.deleted.len(), 4);
}

#[tokio::test]
async fn a_taken_upn_is_refused_then_restored_under_a_new_one() {
    let mut h = Harness::session(Default::default()).await;
    h.open(blade()).await;
    h.filter("former account").await;
    h.key(KeyCode::Char('R')).await;
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().expect("the draft is kept");
    let Phase::Failed(why) = &w.phase else {
        panic!("{:?}", w.phase)
    };
    assert!(
        why.contains("userPrincipalName") && why.contains("n restores it"),
        "{why}"
    );
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char('n')).await;
    for _ in 0.."julia.novak@tailspindemo.onmicrosoft.com".len() {
        h.key(KeyCode::Backspace).await;
    }
    h.type_str("julia.novak.old@tailspindemo.onmicrosoft.com")
        .await;
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().expect("a confirm");
    assert_eq!(
        w.request.body.as_ref().unwrap()["newUserPrincipalName"],
        "julia.novak.old@tailspindemo.onmicrosoft.com"
    );
    // Issue 23, item 4: the confirm names the new UPN and the old one, and the proxy choice in
    // words; no "field:  → value" with an empty before-value.
    let screen = h.render(120, 30);
    assert!(
        screen.contains("as julia.novak.old@tailspindemo.onmicrosoft.com (was")
            && screen.contains("julia.novak@tailspindemo.onmicrosoft.com)"),
        "{screen}"
    );
    assert!(screen.contains("proxy conflicts: refuse"), "{screen}");
    assert!(!screen.contains(":  →"), "{screen}");
    h.key(KeyCode::Enter).await;
    let Phase::Done(done) = &h.app.write.as_ref().unwrap().phase else {
        panic!("done")
    };
    assert!(
        done.starts_with("Restored Julia Novak")
            && done.contains("as julia.novak.old@tailspindemo.onmicrosoft.com")
            && !done.contains("Saved: Restore"),
        "{done}"
    );
    let t = h.server.state.tenant.read().unwrap();
    let u = t
        .users
        .iter()
        .find(|u| u["displayName"] == "Julia Novak (former account)")
        .expect("restored");
    assert_eq!(
        u["userPrincipalName"],
        "julia.novak.old@tailspindemo.onmicrosoft.com"
    );
}

#[tokio::test]
async fn a_permanent_delete_needs_the_name_and_the_step_up() {
    let opts = DemoOptions {
        step_up: StepUpMode::Pass,
        ..Default::default()
    };
    let mut h = Harness::session_with(opts, false).await;
    h.open(blade()).await;
    h.filter("Temp Contractor").await;
    h.key(KeyCode::Char('D')).await;
    // A wrong name is refused in place; nothing is sent.
    h.type_str("Temp").await;
    h.key(KeyCode::Enter).await;
    assert!(h.app.write.is_none());
    let entra_console::app::Overlay::Picker(p) = &h.app.overlay else {
        panic!("still asking")
    };
    assert!(p.error.as_ref().unwrap().contains("exactly"));
    h.type_str(" Contractor").await;
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().expect("a confirm");
    assert!(w.title.contains("cannot be restored"), "{}", w.title);
    let p = w
        .protection
        .as_ref()
        .expect("the confirm shows the protection");
    assert_eq!(p.permission, "microsoft.directory/deletedItems/delete");
    h.key(KeyCode::Enter).await;
    assert_eq!(h.app.write.as_ref().unwrap().phase, Phase::Challenged);
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().unwrap();
    assert!(matches!(w.phase, Phase::Done(_)), "{:?}", w.phase);
    assert!(!deleted_names(&h).iter().any(|n| n == "Temp Contractor"));
    h.key(KeyCode::Esc).await;
    assert!(!names(&h).iter().any(|n| n == "Temp Contractor"));
}

#[test]
fn export_has_a_type_column() {
    let home = tempfile::tempdir().unwrap();
    let out = bin(home.path(), false)
        .args(["--demo", "export", "deleted-items", "--format", "csv"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(&header[..2], ["id", "type"]);
    let mut types: Vec<String> = r.records().map(|r| r.unwrap()[1].to_string()).collect();
    types.sort();
    types.dedup();
    assert_eq!(types, ["application", "group", "servicePrincipal", "user"]);
}

/// Issue 23, items 12 and 13: a deleted item's page shows what the list holds when the re-read
/// of `/directory/deletedItems/{id}` fails (here: someone purged it meanwhile), names the failed
/// read, and is titled by the item's name.
#[tokio::test]
async fn a_failed_re_read_keeps_what_the_list_holds() {
    let mut h = Harness::session(Default::default()).await;
    h.open(blade()).await;
    h.filter("former account").await;
    h.server
        .state
        .tenant
        .write()
        .unwrap()
        .deleted
        .retain(|v| v["displayName"] != "Julia Novak (former account)");
    h.key(KeyCode::Enter).await;
    let View::Detail(d) = h.app.top() else {
        panic!("the item's page")
    };
    assert_eq!(
        d.object.as_ref().unwrap()["displayName"],
        "Julia Novak (former account)"
    );
    let e = d.load.error.clone().unwrap_or_default();
    assert!(e.contains("shown as the list read it"), "{e}");
    assert_eq!(
        h.app.breadcrumbs().last().unwrap(),
        "Julia Novak (former account)"
    );
    let screen = h.render(120, 30);
    assert!(
        screen.contains("julia.novak@tailspindemo.onmicrosoft.com"),
        "{screen}"
    );
}

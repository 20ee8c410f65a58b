//! Risky users end to end: every state listed, a user's detections and history, confirm
//! compromised and dismiss on marked users (one request, every user named, the list read again
//! shows Graph's state), and a tenant without Entra ID P2 said in words.

use crate::common::Harness;
use crossterm::event::KeyCode;
use entra_console::app::View;
use entra_console::app::write::Phase;
use entra_console::blades::BladeKind;
use entra_console::demo::DemoOptions;

fn blade() -> BladeKind {
    BladeKind::from_command("risky-users").expect("registered")
}

fn rows(h: &Harness) -> Vec<Vec<String>> {
    let View::List(l) = h.app.top() else {
        panic!("a list")
    };
    l.table.visible_rows().map(|r| r.cells.to_vec()).collect()
}

fn state_of(h: &Harness, name: &str) -> (String, String) {
    let t = h.server.state.tenant.read().unwrap();
    let u = t
        .policy
        .risky
        .iter()
        .find(|u| u["userDisplayName"] == name)
        .unwrap();
    (
        u["riskState"].as_str().unwrap().to_string(),
        u["riskLevel"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn every_state_then_detections_and_history() {
    let mut h = Harness::new(false).await;
    h.open(blade()).await;
    insta::assert_snapshot!("risky_users_100x14", h.render(100, 14));
    let states: std::collections::BTreeSet<String> =
        rows(&h).iter().map(|r| r[3].clone()).collect();
    assert_eq!(states.len(), 5, "{states:?}");
    h.filter("Chen Wei").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Char('e')).await;
    let d = rows(&h);
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(d.iter().any(|r| r[1] == "leakedCredentials"));
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char('h')).await;
    assert_eq!(rows(&h)[0][2], "atRisk");
}

#[tokio::test]
async fn confirm_compromised_and_dismiss_marked_users() {
    let mut h = Harness::session(Default::default()).await;
    h.open(blade()).await;
    // Ivan and Dana are at risk: both marked, one confirm naming both.
    h.filter("Ivan").await;
    h.key(KeyCode::Char(' ')).await;
    h.key(KeyCode::Esc).await;
    h.filter("Dana").await;
    h.key(KeyCode::Char(' ')).await;
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char('C')).await;
    let w = h.app.write.as_ref().expect("a confirm");
    assert!(
        w.title.contains("Ivan Petrov") && w.title.contains("Dana Kim"),
        "{}",
        w.title
    );
    assert!(w.title.contains("becomes high"), "{}", w.title);
    // Issue 23, item 17: the confirm names the risk-based policies that will act and what
    // they demand (the policies are read behind the confirm).
    let screen = h.render(140, 40);
    assert!(
        screen.contains("CA010 - High user risk requires password change (On) acts:"),
        "{screen}"
    );
    assert!(screen.contains("password change"), "{screen}");
    let w = h.app.write.as_ref().expect("a confirm");
    let ids = w.request.body.as_ref().unwrap()["userIds"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(ids, 2);
    h.key(KeyCode::Enter).await;
    assert!(matches!(
        h.app.write.as_ref().unwrap().phase,
        Phase::Done(_)
    ));
    // `:` on the result closes it and opens the palette (it was swallowed).
    h.key(KeyCode::Char(':')).await;
    assert!(h.app.write.is_none());
    assert!(matches!(
        h.app.overlay,
        entra_console::app::Overlay::Palette(_)
    ));
    h.key(KeyCode::Esc).await;
    assert_eq!(
        state_of(&h, "Ivan Petrov"),
        ("confirmedCompromised".into(), "high".into())
    );
    assert_eq!(
        state_of(&h, "Dana Kim"),
        ("confirmedCompromised".into(), "high".into())
    );
    // The list was read again: it shows Graph's state, not what was asked.
    let ivan = rows(&h)
        .into_iter()
        .find(|r| r[0] == "Ivan Petrov")
        .unwrap();
    assert_eq!(ivan[3], "confirmedCompromised");
    // Dismiss from a user's page.
    h.filter("Chen Wei").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Char('D')).await;
    let w = h.app.write.as_ref().expect("a confirm");
    assert!(w.request.path.ends_with("/riskyUsers/dismiss"));
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Esc).await;
    assert_eq!(
        state_of(&h, "Chen Wei"),
        ("dismissed".into(), "none".into())
    );
    h.key(KeyCode::Char('h')).await;
    assert_eq!(rows(&h)[0][2], "dismissed", "the newest history item first");
}

#[tokio::test]
async fn without_p2_the_reason_is_said() {
    let opts = DemoOptions {
        no_p2: true,
        ..Default::default()
    };
    let mut h = Harness::session(opts).await;
    h.open(blade()).await;
    let View::List(l) = h.app.top() else {
        panic!("a list")
    };
    let why = l.load.error.clone().expect("the 403");
    assert!(why.contains("403") && why.contains("Entra ID P2"), "{why}");
    insta::assert_snapshot!("risky_users_no_p2_100x8", h.render(100, 8));
}

/// Issue 32, items 1 and 4: a write the tenant carried out whose answer was lost (a gateway's
/// bare 503) is sent once, reported as unknown with what Graph says now, and journaled as
/// unknown, never "failed" and never sent twice.
#[tokio::test]
async fn a_lost_answer_is_not_sent_twice() {
    let opts = entra_console::demo::DemoOptions {
        fault_after_rate: 1.0,
        ..Default::default()
    };
    let mut h = Harness::session(opts).await;
    h.open(blade()).await;
    h.filter("Ivan").await;
    h.key(KeyCode::Char('C')).await;
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().expect("the panel");
    let Phase::Failed(why) = &w.phase else {
        panic!("{:?}", w.phase)
    };
    assert!(why.contains("may have carried this out"), "{why}");
    let posts = h
        .server
        .requests()
        .iter()
        .filter(|l| l.starts_with("POST") && l.contains("confirmCompromised"))
        .count();
    assert_eq!(posts, 1, "sent once");
    // What Graph says now was read again behind the panel.
    let ivan = rows(&h)
        .into_iter()
        .find(|r| r[0] == "Ivan Petrov")
        .unwrap();
    assert_eq!(ivan[3], "confirmedCompromised", "{ivan:?}");
    assert_eq!(
        state_of(&h, "Ivan Petrov"),
        ("confirmedCompromised".into(), "high".into())
    );
}

/// Issue 25, risk on every user: the Users list shows each user's risk level from the risky
/// users read (joined by id) while Identity Protection holds them at risk; `/high` finds them;
/// a dismissal shows as no risk once the list is read again; the export carries the column.
#[tokio::test]
async fn users_show_their_risk_joined_by_id() {
    let mut h = Harness::new(false).await;
    h.open(BladeKind::Users).await;
    let risk_of = |h: &Harness, name: &str| {
        let View::List(l) = h.app.top() else {
            panic!("a list")
        };
        let col = l.table.columns.iter().position(|c| c.title == "Risk");
        let row = l.table.all_rows().find(|r| r.cells[0] == *name).unwrap();
        row.cells[col.expect("a Risk column")].to_string()
    };
    let (state, level) = state_of(&h, "Chen Wei");
    assert_eq!((state.as_str(), level.as_str()), ("atRisk", "high"));
    assert_eq!(risk_of(&h, "Chen Wei"), "high");
    assert_eq!(risk_of(&h, "Adele Vance"), "");
    h.filter("high").await;
    assert_eq!(rows(&h)[0][0], "Chen Wei");
    // Dismissed in the tenant: the next read of the list says no risk.
    {
        let mut t = h.server.state.tenant.write().unwrap();
        let u = t
            .policy
            .risky
            .iter_mut()
            .find(|u| u["userDisplayName"] == "Chen Wei")
            .unwrap();
        u["riskState"] = "dismissed".into();
        u["riskLevel"] = "none".into();
    }
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char('r')).await;
    assert_eq!(risk_of(&h, "Chen Wei"), "");
}

#[tokio::test]
async fn without_p2_users_still_list_and_the_missing_risk_is_said() {
    let opts = DemoOptions {
        no_p2: true,
        ..Default::default()
    };
    let mut h = Harness::session(opts).await;
    h.open(BladeKind::Users).await;
    let View::List(l) = h.app.top() else {
        panic!("a list")
    };
    assert!(l.table.len() > 50, "the users are listed");
    let said = h
        .app
        .messages
        .iter()
        .map(|t| t.text.clone())
        .collect::<Vec<_>>();
    assert!(
        said.iter()
            .any(|t| t.starts_with("risk not read") && t.contains("P2")),
        "{said:?}"
    );
}

#[test]
fn export_users_carries_the_risk_column() {
    let home = tempfile::tempdir().unwrap();
    let out = crate::common::bin(home.path(), false)
        .args(["--demo", "export", "users", "--format", "csv"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header = rdr.headers().unwrap().clone();
    let col = header.iter().position(|h| h == "Risk").expect("{header:?}");
    let chen = rdr
        .records()
        .map(Result::unwrap)
        .find(|r| &r[1] == "Chen Wei")
        .unwrap();
    assert_eq!(&chen[col], "high");
}

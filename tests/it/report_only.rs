//! Report-only impact: from the demo's sign-in log (report-only results named with `Prefer:
//! include-unknown-enum-members`), CA003 would have blocked six sign-ins of five users and
//! asked one; its page says it in a sentence, names the users and apps, and `I` on the
//! policy's own page opens the same.

use crate::common::Harness;
use crossterm::event::KeyCode;
use entra_console::app::View;
use entra_console::blades::BladeKind;

#[tokio::test]
async fn a_report_only_policy_says_what_switching_it_on_would_stop() {
    let mut h = Harness::new(false).await;
    h.open(BladeKind::from_command("report-only").unwrap())
        .await;
    let View::List(l) = h.app.top() else {
        panic!("a list")
    };
    let rows: Vec<Vec<String>> = l.table.visible_rows().map(|r| r.cells.to_vec()).collect();
    assert!(
        rows.iter()
            .any(|r| r[0] == "CA003 - Require MFA for all users"
                && r[1] == "6"
                && r[2] == "1"
                && r[3] == "5"),
        "{rows:?}"
    );
    assert!(
        rows.iter()
            .any(|r| r[0] == "CA007 - Protect named locations" && r[1] == "0"),
        "{rows:?}"
    );
    // Only report-only policies are listed.
    assert_eq!(rows.len(), 2, "{rows:?}");
    // The sign-in log was asked for its report-only results by name.
    {
        let log = h.server.state.faults.log.lock().unwrap();
        assert!(
            log.iter()
                .any(|l| l.starts_with("GET /v1.0/auditLogs/signIns"))
        );
    }
    h.filter("CA003").await;
    h.key(KeyCode::Enter).await;
    let screen = h.render_full(140, 60);
    for want in [
        "6 sign-ins of 5 users would have been blocked and 1 interrupted in 7 days",
        "ben.hart@tailspindemo.onmicrosoft.com",
        "Microsoft Teams",
        "would ask: elif.demir@tailspindemo.onmicrosoft.com to Microsoft Teams",
    ] {
        assert!(screen.contains(want), "{want}: {screen}");
    }
    // From the policy's own page, one key.
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;
    h.open(BladeKind::CaPolicies).await;
    h.filter("CA003").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Char('I')).await;
    let screen = h.render_full(140, 60);
    assert!(
        screen.contains("would have been blocked and 1 interrupted"),
        "{screen}"
    );
}

#[tokio::test]
async fn the_policy_page_and_the_switch_on_confirm_state_the_impact() {
    let mut h = Harness::new(false).await;
    h.open(BladeKind::CaPolicies).await;
    h.filter("CA003").await;
    h.key(KeyCode::Enter).await;
    let screen = h.render_full(140, 80);
    assert!(screen.contains("Report-only results"), "{screen}");
    assert!(
        screen
            .contains("6 sign-ins of 5 users would have been blocked and 1 interrupted in 7 days"),
        "the page says it before t: {screen}"
    );
    // `t`, then ← to On: the confirm says the same before anything is sent.
    h.key(KeyCode::Char('t')).await;
    h.key(KeyCode::Left).await;
    let w = h.app.write.as_ref().expect("a confirm is open");
    let r = w.review.as_ref().unwrap();
    assert_eq!(r.diff, ["state Report-only → On"]);
    assert!(
        r.warnings.iter().any(
            |l| l.contains("had it been on, by its report-only results: 6 sign-ins of 5 users")
        ),
        "{r:?}"
    );
    let screen = h.render_full(120, 40);
    assert!(screen.contains("would have been blocked"), "{screen}");
    // Off: the impact is not said (it is about switching on).
    h.key(KeyCode::Right).await;
    h.key(KeyCode::Right).await;
    let r = h.app.write.as_ref().unwrap().review.as_ref().unwrap();
    assert!(
        !r.warnings.iter().any(|l| l.contains("report-only results")),
        "{r:?}"
    );
    h.key(KeyCode::Esc).await;
    // An enabled policy's page has no such section.
    h.key(KeyCode::Esc).await;
    h.filter("CA001").await;
    h.key(KeyCode::Enter).await;
    assert!(!h.render_full(140, 80).contains("Report-only results"));
}

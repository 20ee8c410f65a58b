//! PIM self-activation from My roles: the policy's asks (justification, ticket, duration),
//! an activation that needs an authentication context goes through the inline step-up, one
//! that needs approval is shown waiting, and an activation is ended early.

use crate::common::Harness;
use crossterm::event::KeyCode;
use entra_console::app::View;
use entra_console::app::write::Phase;
use entra_console::blades::BladeKind;
use entra_console::demo::DemoOptions;
use entra_console::demo::identity::StepUpMode;

fn rows(h: &Harness) -> Vec<Vec<String>> {
    let View::List(l) = h.app.top() else {
        panic!("a list")
    };
    l.table.visible_rows().map(|r| r.cells.to_vec()).collect()
}

/// The requests the signed-in admin (Adele) sent: the demo also holds others' requests waiting
/// for an approver (the approvals inbox's).
fn own_requests(all: &[serde_json::Value]) -> usize {
    all.iter()
        .filter(|r| r["principalId"] == "66080f17-4c96-48e2-9cbd-0ba3a1a6bcde")
        .count()
}

async fn harness() -> Harness {
    let opts = DemoOptions {
        step_up: StepUpMode::Pass,
        ..Default::default()
    };
    let mut h = Harness::session_with(opts, false).await;
    h.open(BladeKind::from_command("my-roles").unwrap()).await;
    h
}

#[tokio::test]
async fn activation_through_step_up_then_deactivation() {
    let mut h = Box::pin(harness()).await;
    let before = rows(&h);
    assert!(
        before
            .iter()
            .any(|r| r[0] == "Privileged Role Administrator" && r[1] == "eligible"),
        "{before:?}"
    );
    insta::assert_snapshot!(
        "my_roles_80x8",
        crate::common::redact_dates(&h.render(80, 8))
    );
    h.filter("Privileged Role").await;
    h.key(KeyCode::Char('a')).await;
    // The policy requires a justification: an empty one is refused in place.
    h.key(KeyCode::Enter).await;
    let entra_console::app::Overlay::Picker(p) = &h.app.overlay else {
        panic!("still asking")
    };
    assert!(p.error.is_some());
    h.type_str("Change CHG-1042").await;
    h.key(KeyCode::Enter).await;
    h.type_str("CHG-1042").await;
    h.key(KeyCode::Enter).await;
    // Issue 23, item 6: the shortest duration is preselected, marked ▸ (not by colour alone).
    let screen = h.render(80, 24);
    assert!(screen.contains("▸1h"), "{screen}");
    h.key(KeyCode::Enter).await; // the shortest duration offered: 1 h
    let w = h.app.write.as_ref().expect("a confirm");
    assert!(
        w.title.contains("for 1h") && w.title.contains("c4"),
        "{}",
        w.title
    );
    let body = w.request.body.clone().unwrap();
    assert_eq!(body["action"], "selfActivate");
    assert_eq!(body["scheduleInfo"]["expiration"]["duration"], "PT1H");
    assert_eq!(body["ticketInfo"]["ticketNumber"], "CHG-1042");
    h.key(KeyCode::Enter).await;
    assert_eq!(h.app.write.as_ref().unwrap().phase, Phase::Challenged);
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().unwrap();
    assert!(matches!(w.phase, Phase::Done(_)), "{:?}", w.phase);
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await; // the filter
    let after = rows(&h);
    assert!(
        after
            .iter()
            .any(|r| r[0] == "Privileged Role Administrator" && r[1] == "active (activated)"),
        "{after:?}"
    );
    // Ended early.
    h.filter("activated").await;
    h.key(KeyCode::Char('d')).await;
    let w = h.app.write.as_ref().expect("a confirm");
    assert_eq!(w.request.body.as_ref().unwrap()["action"], "selfDeactivate");
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;
    assert!(
        !rows(&h).iter().any(|r| r[1] == "active (activated)"),
        "{:?}",
        rows(&h)
    );
}

#[tokio::test]
async fn an_activation_that_needs_approval_is_shown_waiting() {
    let mut h = Box::pin(harness()).await;
    h.filter("Security Administrator").await;
    h.key(KeyCode::Char('a')).await;
    h.type_str("Incident 77").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Up).await; // 4 h rather than 8 h
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().expect("a confirm");
    assert!(w.title.contains("waits for an approver"), "{}", w.title);
    h.key(KeyCode::Enter).await;
    assert!(matches!(
        h.app.write.as_ref().unwrap().phase,
        Phase::Done(_)
    ));
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;
    let all = rows(&h);
    assert!(
        all.iter()
            .any(|r| r[0] == "Security Administrator" && r[1] == "waiting for approval"),
        "{all:?}"
    );
    // A second activation is not needed to see it: the state is Graph's, read again.
    let t = h.server.state.tenant.read().unwrap();
    assert_eq!(own_requests(&t.roles.requests), 1);
}

/// Issue 23, item 8: roles held through a role-assignable group are the admin's too (Adele is
/// Global Administrator through "Tier0 - Global Admins": on her page, missing from My roles);
/// they are named with the group, and `a`/`d` on them explain instead of sending.
#[tokio::test]
async fn roles_through_a_group_are_listed_with_the_group() {
    let mut h = Box::pin(harness()).await;
    let all = rows(&h);
    let ga = all
        .iter()
        .find(|r| r[0] == "Global Administrator via Tier0 - Global Admins")
        .unwrap_or_else(|| panic!("{all:?}"));
    assert!(ga[1].starts_with("active"), "{ga:?}");
    h.filter("via Tier0").await;
    let sent = h.server.state.faults.log.lock().unwrap().len();
    h.key(KeyCode::Char('d')).await;
    assert!(h.app.write.is_none());
    let t = h.app.toast.as_ref().unwrap().text.clone();
    assert!(t.contains("through the group Tier0 - Global Admins"), "{t}");
    let log = h.server.state.faults.log.lock().unwrap();
    assert!(log[sent..].iter().all(|l| l.starts_with("GET")), "{log:?}");
}

/// Issue 32, item 1: the tenant carries out an activation and the gateway loses its answer (a
/// bare 503): the request is sent once (one pending request in the tenant, one POST in its
/// log), the panel says the outcome is unknown, and the list shows what Graph says now.
#[tokio::test]
async fn an_activation_whose_answer_was_lost_is_sent_once() {
    let opts = DemoOptions {
        step_up: StepUpMode::Pass,
        fault_after_rate: 1.0,
        ..Default::default()
    };
    let mut h = Harness::session_with(opts, false).await;
    h.open(BladeKind::from_command("my-roles").unwrap()).await;
    h.filter("Security Administrator").await;
    h.key(KeyCode::Char('a')).await;
    h.type_str("Incident 78").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    assert!(h.app.write.is_some(), "a confirm");
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().unwrap();
    let Phase::Failed(why) = &w.phase else {
        panic!("{:?}", w.phase)
    };
    assert!(why.contains("may have carried this out"), "{why}");
    let posts = h
        .server
        .requests()
        .iter()
        .filter(|l| l.starts_with("POST") && l.contains("roleAssignmentScheduleRequests"))
        .count();
    assert_eq!(posts, 1, "sent once");
    assert_eq!(
        own_requests(&h.server.state.tenant.read().unwrap().roles.requests),
        1
    );
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;
    let all = rows(&h);
    assert!(
        all.iter()
            .any(|r| r[0] == "Security Administrator" && r[1] == "waiting for approval"),
        "{all:?}"
    );
}

/// Issue 26, the lint: Privileged Role Administrator's activation demands context c4, which no
/// enabled Conditional Access policy targets in the demo: the confirm says it will be refused
/// before anything is sent.
#[tokio::test]
async fn an_activation_that_can_never_succeed_is_said_in_its_confirm() {
    let mut h = Box::pin(harness()).await;
    h.filter("Privileged Role").await;
    h.key(KeyCode::Char('a')).await;
    h.type_str("Change CHG-1043").await;
    h.key(KeyCode::Enter).await;
    h.type_str("CHG-1043").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().expect("a confirm");
    assert!(
        w.title.contains(
            "this activation will be refused: no enabled Conditional Access policy targets authentication context c4"
        ),
        "{}",
        w.title
    );
    assert!(
        !h.server
            .requests()
            .iter()
            .any(|l| l.starts_with("POST") && l.contains("roleAssignmentScheduleRequests")),
        "nothing sent"
    );
}

//! PIM approvals: the requests waiting for the signed-in admin, approved with a justification
//! through the approval's stage (beta `roleAssignmentApprovals/{id}/steps`), after which the
//! requester holds the role and the inbox is empty; a stage already decided is refused.

use crate::common::Harness;
use crossterm::event::KeyCode;
use entra_console::app::View;
use entra_console::app::write::Phase;
use entra_console::blades::BladeKind;
use entra_console::graph::Request;

fn rows(h: &Harness) -> Vec<Vec<String>> {
    let View::List(l) = h.app.top() else {
        panic!("a list")
    };
    l.table.visible_rows().map(|r| r.cells.to_vec()).collect()
}

const BIANCA: &str = "8dabf68e-2eb7-4728-afea-875e75365e14";
const SECURITY_ADMIN: &str = "194ae4cb-b126-40b2-bd5b-6091b380977d";

#[tokio::test]
async fn an_approver_approves_a_waiting_activation_with_a_justification() {
    let mut h = Harness::new(false).await;
    h.open(BladeKind::from_command("approvals").unwrap()).await;
    let before = rows(&h);
    assert!(
        before.iter().any(|r| r[0] == "Bianca Rossi"
            && r[1] == "Security Administrator"
            && r[2] == "4h"
            && r[4] == "INC-4512"),
        "{before:?}"
    );
    h.key(KeyCode::Char('a')).await;
    // The justification is required: Enter on nothing is refused in place.
    h.key(KeyCode::Enter).await;
    let entra_console::app::Overlay::Picker(p) = &h.app.overlay else {
        panic!("a justification is asked")
    };
    assert!(
        p.title
            .contains("approving Bianca Rossi's Security Administrator")
    );
    assert!(p.error.is_some());
    h.type_str("Verified with Bianca on the bridge call").await;
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().expect("a confirm");
    assert!(
        w.title.starts_with(
            "Approve Bianca Rossi's activation of Security Administrator for 4h (ticket INC-4512;"
        ),
        "{}",
        w.title
    );
    assert!(w.request.path.contains("/roleAssignmentApprovals/"));
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().unwrap();
    assert!(matches!(w.phase, Phase::Done(_)), "{:?}", w.phase);
    h.key(KeyCode::Esc).await;
    assert!(
        rows(&h).iter().all(|r| r[0] != "Bianca Rossi"),
        "the inbox is read again: {:?}",
        rows(&h)
    );
    // Bianca holds the role now, activated.
    let active = h
        .client
        .get_all(
            Request::get("/roleManagement/directory/roleAssignmentScheduleInstances")
                .filter(format!("principalId eq '{BIANCA}'")),
        )
        .await
        .unwrap();
    assert!(
        active
            .iter()
            .any(|a| a["roleDefinitionId"] == SECURITY_ADMIN && a["assignmentType"] == "Activated"),
        "{active:?}"
    );
    // The stage is decided: a second decision is refused by Graph with 409.
    let again = h
        .client
        .send(&entra_console::graph::resources::pim::review(
            "5e8a9b2c-41d7-4f3e-9a61-7c2d08b1e4f5",
            "5e8a9b2c-41d7-4f3e-9a61-7c2d08b1e4f5-1",
            false,
            "too late",
        ))
        .await;
    assert!(
        matches!(&again, Err(e) if e.to_string().contains("409") || e.to_string().contains("Conflict")),
        "{again:?}"
    );
}

#[tokio::test]
async fn a_decided_stage_is_refused_before_anything_is_asked() {
    let mut h = Harness::new(false).await;
    h.open(BladeKind::from_command("approvals").unwrap()).await;
    // Another approver decides first.
    h.client
        .send(&entra_console::graph::resources::pim::review(
            "5e8a9b2c-41d7-4f3e-9a61-7c2d08b1e4f5",
            "5e8a9b2c-41d7-4f3e-9a61-7c2d08b1e4f5-1",
            false,
            "not during the freeze",
        ))
        .await
        .unwrap();
    h.key(KeyCode::Char('a')).await;
    assert!(h.app.write.is_none());
    let t = h.app.toast.as_ref().expect("said");
    assert!(
        t.text.contains("no stage of this approval waits for you"),
        "{}",
        t.text
    );
}

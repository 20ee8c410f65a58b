//! PIM for groups: the admin's eligible membership and ownership in My roles with what the
//! membership gives, a membership activated through the inline step-up (the request names the
//! admin, never the group) and ended early, a group request approved from the inbox through
//! the approval's stage (v1.0 `assignmentApprovals/{id}`), and the demo refusing what Graph
//! refuses.

use crate::common::Harness;
use crossterm::event::KeyCode;
use entra_console::app::View;
use entra_console::app::write::Phase;
use entra_console::blades::BladeKind;
use entra_console::demo::DemoOptions;
use entra_console::demo::identity::StepUpMode;
use entra_console::graph::{Method, Request};
use serde_json::json;

const ADELE: &str = "66080f17-4c96-48e2-9cbd-0ba3a1a6bcde";
const CHEN: &str = "b3fb95ee-2243-4045-a800-e67e527f5da6";
const TIER0: &str = "3ff37bcc-1201-420d-a89c-26120b13c809";
const TIER1: &str = "753ab547-0b41-4aa5-97b4-db2824dd1ca1";

fn rows(h: &Harness) -> Vec<Vec<String>> {
    let View::List(l) = h.app.top() else {
        panic!("a list")
    };
    l.table.visible_rows().map(|r| r.cells.to_vec()).collect()
}

async fn my_roles() -> Harness {
    let opts = DemoOptions {
        step_up: StepUpMode::Pass,
        ..Default::default()
    };
    let mut h = Harness::session_with(opts, false).await;
    h.open(BladeKind::from_command("my-roles").unwrap()).await;
    h
}

#[tokio::test]
async fn an_eligible_membership_is_activated_through_step_up_then_ended() {
    let mut h = Box::pin(my_roles()).await;
    let all = rows(&h);
    assert!(
        all.iter().any(|r| r[0]
            == "member of Tier1 - Helpdesk Admins (PIM group): gives Helpdesk Administrator"
            && r[1] == "eligible"
            && r[3] == "group"),
        "{all:?}"
    );
    assert!(
        all.iter()
            .any(|r| r[0] == "owner of PIM - Security Operators (PIM group)" && r[1] == "eligible"),
        "{all:?}"
    );
    // The role the membership brings is listed as eligible through the group.
    assert!(
        all.iter()
            .any(|r| r[0].starts_with("Helpdesk Administrator via Tier1")
                && r[1] == "eligible (group)"),
        "{all:?}"
    );
    h.filter("member of Tier1").await;
    h.key(KeyCode::Char('a')).await;
    h.type_str("Password resets for the service desk backlog")
        .await;
    h.key(KeyCode::Enter).await;
    // At most 4 h (the group's policy): 1h, 2h, 4h offered, the shortest first.
    let screen = h.render(100, 30);
    assert!(
        screen.contains("▸1h") && screen.contains(" 4h") && !screen.contains(" 8h"),
        "{screen}"
    );
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().expect("a confirm");
    assert!(
        w.title
            .starts_with("Activate membership of Tier1 - Helpdesk Admins for 1h"),
        "{}",
        w.title
    );
    assert!(w.title.contains("authentication context c1"), "{}", w.title);
    assert!(
        w.title
            .contains("activating this makes you Helpdesk Administrator"),
        "{}",
        w.title
    );
    let body = w.request.body.clone().unwrap();
    assert_eq!(body["principalId"], ADELE, "the admin, never the group");
    assert_eq!(body["groupId"], TIER1);
    assert_eq!(body["accessId"], "member");
    assert_eq!(body["action"], "selfActivate");
    h.key(KeyCode::Enter).await;
    assert_eq!(h.app.write.as_ref().unwrap().phase, Phase::Challenged);
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().unwrap();
    assert!(matches!(w.phase, Phase::Done(_)), "{:?}", w.phase);
    {
        let t = h.server.state.tenant.read().unwrap();
        assert!(t.members[TIER1].iter().any(|m| m == ADELE), "a member now");
    }
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;
    let after = rows(&h);
    assert!(
        after
            .iter()
            .any(|r| r[0].starts_with("member of Tier1") && r[1] == "active (activated)"),
        "{after:?}"
    );
    // The role lasts as long as the membership: its end, not "permanent".
    let end = after
        .iter()
        .find(|r| r[0].starts_with("member of Tier1") && r[1] == "active (activated)")
        .map(|r| r[2].clone())
        .unwrap();
    assert!(
        after.iter().any(
            |r| r[0] == "Helpdesk Administrator via Tier1 - Helpdesk Admins"
                && r[1] == "active (group)"
                && r[2] == end
        ),
        "{after:?}"
    );
    h.filter("active (activated)").await;
    h.key(KeyCode::Char('d')).await;
    let w = h.app.write.as_ref().expect("a confirm");
    assert!(
        w.title
            .starts_with("Deactivate your membership of Tier1 - Helpdesk Admins"),
        "{}",
        w.title
    );
    assert!(
        w.title.contains("you stop being Helpdesk Administrator"),
        "{}",
        w.title
    );
    assert_eq!(w.request.body.as_ref().unwrap()["action"], "selfDeactivate");
    h.key(KeyCode::Enter).await;
    let t = h.server.state.tenant.read().unwrap();
    assert!(!t.members[TIER1].iter().any(|m| m == ADELE), "ended");
}

/// A role row held through a membership the admin is only eligible for activates that
/// membership (what an admin means by "activate Helpdesk Administrator").
#[tokio::test]
async fn activating_a_role_held_through_an_eligible_membership_activates_the_membership() {
    let mut h = Box::pin(my_roles()).await;
    h.filter("Helpdesk Administrator via").await;
    h.key(KeyCode::Char('a')).await;
    h.type_str("Backlog").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().expect("a confirm");
    assert!(
        w.title.starts_with("Activate membership of Tier1"),
        "{}",
        w.title
    );
    assert_eq!(w.request.body.as_ref().unwrap()["principalId"], ADELE);
}

#[tokio::test]
async fn a_group_request_is_approved_from_the_inbox() {
    let mut h = Harness::new(false).await;
    h.open(BladeKind::from_command("approvals").unwrap()).await;
    let all = rows(&h);
    assert!(
        all.iter().any(|r| r[0] == "Chen Wei"
            && r[1] == "membership of Tier0 - Global Admins (group)"
            && r[2] == "2h"),
        "{all:?}"
    );
    h.filter("Chen Wei").await;
    h.key(KeyCode::Char('a')).await;
    h.type_str("Change CHG-2210 approved at CAB").await;
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().expect("a confirm");
    assert!(
        w.title.starts_with(
            "Approve Chen Wei's activation of membership of Tier0 - Global Admins (group) for 2h (ticket CHG-2210;"
        ),
        "{}",
        w.title
    );
    assert!(
        w.title.contains("it makes them Global Administrator"),
        "{}",
        w.title
    );
    assert!(
        w.request.path.starts_with(
            "/identityGovernance/privilegedAccess/group/assignmentApprovals/8c3f4b5d-0e6a-4f1b-8d4c-5a9e0b1f2d34/stages/"
        ),
        "{}",
        w.request.path
    );
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().unwrap();
    assert!(matches!(w.phase, Phase::Done(_)), "{:?}", w.phase);
    let t = h.server.state.tenant.read().unwrap();
    assert!(
        t.members[TIER0].iter().any(|m| m == CHEN),
        "Chen is a member"
    );
}

/// What Graph refuses, the demo refuses: a self-activation naming the group as principal (the
/// pitfall), an instance list without its required filter; the group's policy is read by the
/// documented filter; without the context in the token the activation carries the claims.
#[tokio::test]
async fn the_demo_refuses_what_graph_refuses() {
    let h = Harness::new(false).await;
    let post = |principal: &str| {
        Request::new(
            Method::Post,
            "/identityGovernance/privilegedAccess/group/assignmentScheduleRequests",
        )
        .json(
            json!({"accessId": "member", "principalId": principal, "groupId": TIER1,
            "action": "selfActivate", "justification": "x",
            "scheduleInfo": {"expiration": {"type": "afterDuration", "duration": "PT1H"}}}),
        )
    };
    let status = |e: &entra_console::graph::GraphError| e.api().map(|a| (a.status, a.code.clone()));
    let e = h.client.send(&post(TIER1)).await.unwrap_err();
    assert_eq!(status(&e).map(|s| s.0), Some(403), "{e}");
    let e = h
        .client
        .get_json(&Request::get(
            "/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances",
        ))
        .await
        .unwrap_err();
    assert_eq!(status(&e).map(|s| s.0), Some(400), "{e}");
    let p = h
        .client
        .get_json(&entra_console::graph::resources::pim_groups::policy(
            TIER1, "member",
        ))
        .await
        .unwrap();
    assert_eq!(p["value"].as_array().map(Vec::len), Some(1), "{p}");
    assert_eq!(p["value"][0]["scopeType"], "Group");
    let e = h.client.send(&post(ADELE)).await.unwrap_err();
    assert_eq!(
        status(&e).map(|s| s.1),
        Some("RoleAssignmentRequestAcrsValidationFailed".to_string()),
        "{e}"
    );
    assert!(e.api().and_then(|a| a.claims.as_ref()).is_some(), "{e}");
}

/// `P` opens the PIM settings of the selected row: a group membership's own policy (what an
/// activation asks, the roles the group holds), a role's PIM settings page.
#[tokio::test]
async fn settings_of_a_membership_and_of_a_role_are_one_key_away() {
    let mut h = Box::pin(my_roles()).await;
    h.filter("member of Tier1").await;
    h.key(KeyCode::Char('P')).await;
    let screen = h.render_full(120, 50);
    for want in [
        "membership of Tier1 - Helpdesk Admins",
        "Helpdesk Administrator (active)",
        "context c1, justification",
        "4h",
    ] {
        assert!(screen.contains(want), "{want}: {screen}");
    }
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;
    h.filter("Privileged Role Administrator").await;
    h.key(KeyCode::Char('P')).await;
    let screen = h.render_full(120, 50);
    assert!(screen.contains("Highly privileged"), "{screen}");
    assert!(screen.contains("c4"), "{screen}");
}

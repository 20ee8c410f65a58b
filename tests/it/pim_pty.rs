//! Issue 26's end-to-end checks: the real binary in a pseudo-terminal, against a demo tenant
//! whose request log the test reads. Global Administrator hardened to the SCuBA baseline (the
//! changes said in words, only the changed rules sent), and an activation approved from the
//! inbox (the approval's stage read, then decided).

use crate::contain_pty::{against_demo, settle};
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

fn writes(server: &entra_console::demo::DemoServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|l| !l.starts_with("GET"))
        .cloned()
        .collect()
}

#[test]
fn harden_global_administrator_in_a_real_terminal() {
    let (_rt, server, _url, mut s) = against_demo(160, 50);
    s.send(":pim-settings\r");
    s.wait_for("Global Administrator", T);
    s.send("/Global Administrator\r");
    s.send("H");
    s.wait_for("to which baseline", T);
    settle();
    s.send("\r");
    s.wait_for("alert recipients", T);
    s.send("secops@tailspindemo.onmicrosoft.com\r");
    let screen = s.wait_for("4 rule changes", T);
    assert!(
        screen.contains("approval on activation: not required → required"),
        "{screen}"
    );
    settle();
    s.send("\r");
    s.wait_for("Hardened to the SCuBA baseline", T);
    let sent = writes(&server);
    assert_eq!(sent.len(), 4, "only the changed rules: {sent:?}");
    for rule in [
        "Approval_EndUser_Assignment",
        "Notification_Admin_Admin_Eligibility",
        "Notification_Admin_Admin_Assignment",
        "Notification_Admin_EndUser_Assignment",
    ] {
        assert!(
            sent.iter().any(
                |l| l.starts_with("PATCH /v1.0/policies/roleManagementPolicies/")
                    && l.ends_with(&format!("/rules/{rule}"))
            ),
            "{rule}: {sent:?}"
        );
    }
    s.send("\x1b");
    settle();
    s.send("q");
    assert!(s.wait_exit(T).success());
}

#[test]
fn approve_a_waiting_activation_in_a_real_terminal() {
    let (_rt, server, _url, mut s) = against_demo(140, 40);
    s.send(":approvals\r");
    s.wait_for("Bianca Rossi", T);
    s.send("a");
    s.wait_for("Your justification for approving", T);
    s.send("Verified with Bianca on the bridge call\r");
    s.wait_for(
        "Approve Bianca Rossi's activation of Security Administrator",
        T,
    );
    settle();
    s.send("\r");
    s.wait_for("Approved Bianca Rossi's activation", T);
    let sent = writes(&server);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(
        sent[0].starts_with("PATCH /beta/roleManagement/directory/roleAssignmentApprovals/"),
        "{sent:?}"
    );
    s.send("\x1b");
    settle();
    s.send("q");
    assert!(s.wait_exit(T).success());
}

/// The lint in the real binary: Privileged Role Administrator's activation demands context c4,
/// which no enabled policy targets in the demo; the confirm says the activation will be refused,
/// and nothing is sent until Enter (Esc sends nothing).
#[test]
fn the_lint_names_an_activation_that_can_never_succeed_before_sending() {
    let (_rt, server, _url, mut s) = against_demo(160, 50);
    s.send(":my-roles\r");
    s.wait_for("Privileged Role Administrator", T);
    s.send("/Privileged Role\r");
    s.send("a");
    s.wait_for("ustification", T);
    s.send("Change CHG-1043\r");
    s.wait_for("icket", T);
    s.send("CHG-1043\r");
    s.wait_for("1h", T);
    settle();
    s.send("\r");
    s.wait_for("this activation will be refused", T);
    let screen = s.screen();
    assert!(screen.contains("authentication context c4"), "{screen}");
    s.send("\x1b");
    settle();
    assert!(
        writes(&server).is_empty(),
        "nothing sent: {:?}",
        writes(&server)
    );
    s.send("q");
    assert!(s.wait_exit(T).success());
}

/// PIM for groups in the real binary (`--demo`, whose step-up passes): the admin's eligible
/// membership of Tier1 - Helpdesk Admins is activated; its policy demands authentication
/// context c1, so Graph answers with the claims challenge, the inline step-up signs in again
/// and the request is sent once more; the row turns active and the role it gives with it.
#[test]
fn activate_a_pim_group_membership_through_step_up_in_a_real_terminal() {
    let mut s = crate::pty::Session::start_with(&["--demo"], 140, 40, None, &[]);
    s.wait_for("Finance Team", T);
    s.send(":my-roles\r");
    s.wait_for("member of Tier1", T);
    s.send("/member of Tier1\r");
    settle();
    s.send("a");
    s.wait_for("ustification", T);
    s.send("Service desk backlog\r");
    s.wait_for("▸1h", T);
    settle();
    s.send("\r");
    let screen = s.wait_for("activating this makes you Helpdesk Administrator", T);
    assert!(screen.contains("authentication context c1"), "{screen}");
    settle();
    s.send("\r");
    s.wait_for("Step-up required", T);
    s.send("\r");
    s.wait_for("enter the code", T);
    s.wait_for("Activated membership of Tier1 - Helpdesk Admins for 1h", T);
    // The list behind the panel is read again at once; the panel closes on a key.
    s.wait_for("active (activated)", T);
    s.send("\x1b");
    let gone = std::time::Instant::now();
    while s.screen().contains("Any key closes") {
        assert!(gone.elapsed() < T, "the panel stays: {}", s.screen());
        std::thread::sleep(Duration::from_millis(50));
    }
    s.send("q");
    assert!(s.wait_exit(T).success());
}

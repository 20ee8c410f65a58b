//! PIM settings (issue 26, first part): every directory role's PIM policy in words, the highly
//! privileged roles first and marked; a role's page with approval and notifications; `export
//! pim-settings` one record per role and rule.

use crate::common::Harness;
use crossterm::event::KeyCode;
use entra_console::app::View;
use entra_console::blades::BladeKind;

fn rows(h: &Harness) -> Vec<Vec<String>> {
    let View::List(l) = h.app.top() else {
        panic!("a list")
    };
    l.table.visible_rows().map(|r| r.cells.to_vec()).collect()
}

#[tokio::test]
async fn every_role_in_words_privileged_first() {
    let mut h = Harness::new(true).await;
    h.open(BladeKind::from_command("pim-settings").unwrap())
        .await;
    let all = rows(&h);
    assert!(all.len() > 100, "every role: {}", all.len());
    assert_eq!(all[0][0], "⚠ Global Administrator");
    // The fixture's settings: Privileged Role Administrator needs context c4, 4 h at most;
    // Security Administrator waits for an approver.
    let pra = all
        .iter()
        .find(|r| r[0] == "⚠ Privileged Role Administrator")
        .unwrap();
    assert_eq!(pra[1], "4h");
    assert!(pra[2].contains("context c4"), "{pra:?}");
    // No enabled policy targets c4 in the demo: the row says the activation never succeeds.
    assert!(pra[2].starts_with("never succeeds"), "{pra:?}");
    assert!(
        !all.iter()
            .find(|r| r[0] == "⚠ Global Administrator")
            .unwrap()[2]
            .starts_with("never"),
        "a role without a context is not flagged"
    );
    let sec = all
        .iter()
        .find(|r| r[0] == "Security Administrator")
        .unwrap();
    assert_eq!(sec[3], "required");
    // A role's page: approval and notifications in words.
    h.filter("Security Administrator").await;
    h.key(KeyCode::Enter).await;
    let screen = h.render(100, 50);
    for want in [
        "Approval",
        "required",
        "Maximum duration",
        "Notifications",
        "Approver, activated",
    ] {
        assert!(screen.contains(want), "{want}: {screen}");
    }
}

#[test]
fn export_writes_one_record_per_role_and_rule() {
    let home = tempfile::tempdir().unwrap();
    let out = crate::common::bin(home.path(), false)
        .args(["--demo", "export", "pim-settings", "--format", "csv"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rdr.headers().unwrap().iter().collect::<Vec<_>>(),
        ["role", "roleId", "rule", "setting"]
    );
    let records: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let ga: Vec<&csv::StringRecord> = records
        .iter()
        .filter(|r| &r[0] == "Global Administrator")
        .collect();
    assert_eq!(ga.len(), 17, "the 17 rules of a role");
    assert!(records.len() > 100 * 17);
    let approval = records
        .iter()
        .find(|r| &r[0] == "Security Administrator" && &r[2] == "Approval_EndUser_Assignment")
        .unwrap();
    assert!(
        approval[3].contains("approval required: true"),
        "{approval:?}"
    );
}

/// Offline, the settings come from what `sync` kept of the audit's reads; a cache without them
/// says how to get them.
#[tokio::test]
async fn offline_from_what_sync_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(
        entra_console::cache::Store::open(&dir.path().join("c.db"), true).unwrap(),
    );
    let mut h = Harness::new(true).await;
    h.store = Some(store.clone());
    h.client = h.client.clone().offline();
    let blade = BladeKind::from_command("pim-settings").unwrap();
    h.open(blade).await;
    let View::List(l) = h.app.top() else {
        panic!("a list")
    };
    let why = l.load.error.clone().expect("not kept yet");
    assert!(why.contains("entra-console sync"), "{why}");
    let live = Harness::new(true).await;
    entra_console::audit::cached::sync(&live.client, &store)
        .await
        .unwrap();
    h.open(blade).await;
    let all = rows(&h);
    assert!(all.len() > 100, "{}", all.len());
    assert_eq!(all[0][0], "⚠ Global Administrator");
}

/// `H` hardens Global Administrator to the SCuBA baseline: the confirm says each change in
/// words, only the rules that change are sent (one PATCH each, per the demo's request log),
/// and the audit's MS.AAD.7.6-7.8 pass afterwards; a second `H` has nothing to send.
#[tokio::test]
async fn harden_global_administrator_to_the_scuba_baseline() {
    let mut h = Harness::new(false).await;
    h.open(BladeKind::from_command("pim-settings").unwrap())
        .await;
    h.filter("Global Administrator").await;
    h.key(KeyCode::Char('H')).await;
    h.key(KeyCode::Enter).await; // the SCuBA baseline, first of the choice
    // A recipient that is not an email address is refused in place.
    h.type_str("secops").await;
    h.key(KeyCode::Enter).await;
    let entra_console::app::Overlay::Picker(p) = &h.app.overlay else {
        panic!("still asking")
    };
    assert!(
        p.error
            .as_deref()
            .is_some_and(|e| e.contains("not an email"))
    );
    h.type_str("@tailspindemo.onmicrosoft.com").await;
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().expect("a confirm");
    for want in [
        "4 rule changes",
        "Global Administrator: approval on activation: not required → required",
        "alert on an eligible assignment: default recipients only → secops@tailspindemo.onmicrosoft.com",
        "alert on an active assignment",
        "alert on an activation",
    ] {
        assert!(w.title.contains(want), "{want}: {}", w.title);
    }
    let log_len = h.server.state.faults.log.lock().unwrap().len();
    h.key(KeyCode::Enter).await;
    let patches: Vec<String> = h.server.state.faults.log.lock().unwrap()[log_len..]
        .iter()
        .filter(|l| l.starts_with("PATCH"))
        .cloned()
        .collect();
    assert_eq!(patches.len(), 4, "only the changed rules: {patches:?}");
    for rule in [
        "Approval_EndUser_Assignment",
        "Notification_Admin_Admin_Eligibility",
        "Notification_Admin_Admin_Assignment",
        "Notification_Admin_EndUser_Assignment",
    ] {
        assert!(
            patches
                .iter()
                .any(|l| l.contains("/policies/roleManagementPolicies/")
                    && l.contains(&format!("/rules/{rule}"))),
            "{rule}: {patches:?}"
        );
    }
    // The audit reads the settings as ScubaGear does: Global Administrator passes now.
    let ga = h
        .server
        .state
        .tenant
        .read()
        .unwrap()
        .pim_policies
        .iter()
        .find(|a| a["roleDefinitionId"] == "62e90394-69f5-4237-9190-012177145e10")
        .unwrap()
        .clone();
    let rule = |id: &str| {
        ga["policy"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(
        rule("Approval_EndUser_Assignment")["setting"]["isApprovalRequired"],
        true
    );
    assert_eq!(
        rule("Notification_Admin_EndUser_Assignment")["notificationRecipients"][0],
        "secops@tailspindemo.onmicrosoft.com"
    );
    // Again (the list read again, still filtered to the role): nothing to send, and said.
    h.key(KeyCode::Esc).await;
    assert!(h.app.write.is_none());
    assert_eq!(rows(&h)[0][0], "⚠ Global Administrator");
    h.key(KeyCode::Char('H')).await;
    h.key(KeyCode::Enter).await;
    h.type_str("secops@tailspindemo.onmicrosoft.com").await;
    h.key(KeyCode::Enter).await;
    assert!(
        h.app
            .write
            .as_ref()
            .is_none_or(|w| !w.title.contains("rule change"))
    );
    let t = h.app.toast.as_ref().expect("said");
    assert!(
        t.text
            .contains("already at the baseline: Global Administrator"),
        "{}",
        t.text
    );
}

/// The lint: a role needing approval whose only approver cannot sign in (Julia Novak, on
/// Exchange Administrator in the demo) says so on its row and its page.
#[tokio::test]
async fn approval_by_nobody_who_can_approve_is_said() {
    let mut h = Harness::new(true).await;
    h.open(BladeKind::from_command("pim-settings").unwrap())
        .await;
    let all = rows(&h);
    let exo = all
        .iter()
        .find(|r| r[0].ends_with("Exchange Administrator"))
        .unwrap();
    assert_eq!(exo[3], "required: no approver can", "{exo:?}");
    let sec = all
        .iter()
        .find(|r| r[0] == "Security Administrator")
        .unwrap();
    assert_eq!(sec[3], "required", "Adele can approve: {sec:?}");
    h.filter("Exchange Administrator").await;
    h.key(KeyCode::Enter).await;
    let screen = h.render(120, 50);
    assert!(screen.contains("No approver can"), "{screen}");
    assert!(screen.contains("Julia Novak: sign-in blocked"), "{screen}");
}

/// `e` changes one setting: Exchange Administrator's activation maximum from 8h to 4h, said in
/// the confirm, one PATCH of the rule that holds it; a value out of PIM's range is refused in
/// place.
#[tokio::test]
async fn one_setting_is_changed_and_only_its_rule_is_sent() {
    let mut h = Harness::new(false).await;
    h.open(BladeKind::from_command("pim-settings").unwrap())
        .await;
    h.filter("Exchange Administrator").await;
    h.key(KeyCode::Char('e')).await;
    h.key(KeyCode::Enter).await; // the first: activation maximum duration
    h.key(KeyCode::Backspace).await;
    h.type_str("30").await;
    h.key(KeyCode::Enter).await;
    let entra_console::app::Overlay::Picker(p) = &h.app.overlay else {
        panic!("still asking")
    };
    assert!(p.error.as_deref().is_some_and(|e| e.contains("0.5 to 24")));
    h.key(KeyCode::Backspace).await;
    h.key(KeyCode::Backspace).await;
    h.type_str("4").await;
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().expect("a confirm");
    assert!(
        w.title
            .contains("Change Exchange Administrator's PIM setting: activation maximum: 8h → 4h"),
        "{}",
        w.title
    );
    let log_len = h.server.state.faults.log.lock().unwrap().len();
    h.key(KeyCode::Enter).await;
    let patches: Vec<String> = h.server.state.faults.log.lock().unwrap()[log_len..]
        .iter()
        .filter(|l| !l.starts_with("GET"))
        .cloned()
        .collect();
    assert_eq!(patches.len(), 1, "{patches:?}");
    assert!(
        patches[0].ends_with("/rules/Expiration_EndUser_Assignment"),
        "{patches:?}"
    );
    h.key(KeyCode::Esc).await;
    let exo = rows(&h);
    assert_eq!(exo[0][1], "4h", "the list read again: {exo:?}");
}

/// `H` with a TOML baseline file: a missing file and a bad one are said in place (the prompt
/// stays), a good one's changes are confirmed rule by rule in words and only those are sent;
/// a marked role the baseline does not name is skipped and named.
#[tokio::test]
async fn harden_to_a_toml_baseline_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tier0.toml");
    std::fs::write(
        &file,
        "name = \"Tier 0\"\nroles = [\"Global Administrator\"]\n[[rule]]\nid = \"Expiration_EndUser_Assignment\"\nmaximumDuration = \"PT2H\"\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[rule]]\nid = \"Expiry\"\nx = 1\n").unwrap();
    let mut h = Harness::new(false).await;
    h.open(BladeKind::from_command("pim-settings").unwrap())
        .await;
    h.filter("Administrator").await;
    // Mark Global Administrator and the next role.
    h.key(KeyCode::Char(' ')).await;
    h.key(KeyCode::Char(' ')).await;
    h.key(KeyCode::Char('H')).await;
    h.key(KeyCode::Down).await;
    h.key(KeyCode::Enter).await;
    let error = |h: &Harness| match &h.app.overlay {
        entra_console::app::Overlay::Picker(p) => p.error.clone().unwrap_or_default(),
        _ => panic!("still asking"),
    };
    h.type_str(dir.path().join("none.toml").to_str().unwrap())
        .await;
    h.key(KeyCode::Enter).await;
    assert!(error(&h).contains("none.toml"), "{}", error(&h));
    for _ in 0..200 {
        h.key(KeyCode::Backspace).await;
    }
    h.type_str(bad.to_str().unwrap()).await;
    h.key(KeyCode::Enter).await;
    assert!(error(&h).contains("Expiry: not a rule"), "{}", error(&h));
    for _ in 0..200 {
        h.key(KeyCode::Backspace).await;
    }
    let sent = h.server.state.faults.log.lock().unwrap().len();
    h.type_str(file.to_str().unwrap()).await;
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().expect("a confirm");
    assert!(
        w.title.starts_with("Harden to Tier 0: 1 rule change"),
        "{}",
        w.title
    );
    assert!(
        w.title.contains(
            "Global Administrator: Expiration_EndUser_Assignment: maximumDuration: PT8H → PT2H"
        ),
        "{}",
        w.title
    );
    assert!(
        w.title.contains("not among the baseline's roles"),
        "{}",
        w.title
    );
    h.key(KeyCode::Enter).await;
    let log = h.server.state.faults.log.lock().unwrap();
    let writes: Vec<&String> = log[sent..]
        .iter()
        .filter(|l| !l.starts_with("GET"))
        .collect();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert!(
        writes[0].ends_with("/rules/Expiration_EndUser_Assignment"),
        "{writes:?}"
    );
}

/// `e`, approvers: a user found by name is added to Exchange Administrator's approvers (whose
/// only one, Julia Novak, cannot sign in), the confirm names them before → after, only the
/// approval rule is sent, and the page then names both.
#[tokio::test]
async fn an_approver_is_added_by_name() {
    let mut h = Harness::new(false).await;
    h.open(BladeKind::from_command("pim-settings").unwrap())
        .await;
    h.filter("Exchange Administrator").await;
    h.key(KeyCode::Char('e')).await;
    for _ in 0..5 {
        h.key(KeyCode::Down).await;
    }
    h.key(KeyCode::Enter).await; // approvers: add a user or group
    h.type_str("olga").await;
    h.key(KeyCode::Enter).await; // search
    h.key(KeyCode::Enter).await; // pick
    let w = h.app.write.as_ref().expect("a confirm");
    assert!(
        w.title
            .contains("approvers: Julia Novak → Julia Novak, Olga Ivanova"),
        "{}",
        w.title
    );
    let log_len = h.server.state.faults.log.lock().unwrap().len();
    h.key(KeyCode::Enter).await;
    let writes: Vec<String> = h.server.state.faults.log.lock().unwrap()[log_len..]
        .iter()
        .filter(|l| !l.starts_with("GET"))
        .cloned()
        .collect();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert!(
        writes[0].ends_with("/rules/Approval_EndUser_Assignment"),
        "{writes:?}"
    );
    let t = h.server.state.tenant.read().unwrap();
    let exo = t
        .pim_policies
        .iter()
        .find(|p| p["roleDefinitionId"] == "29232cdf-9323-42fd-ade2-1d097af3e4de")
        .unwrap();
    let approval = exo["policy"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "Approval_EndUser_Assignment")
        .unwrap();
    let ids: Vec<&str> = approval["setting"]["approvalStages"][0]["primaryApprovers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["userId"].as_str())
        .collect();
    assert_eq!(ids.len(), 2, "{approval}");
}

//! The Conditional Access blade against the demo tenant: edit with diff, protection and
//! step-up; someone else's change shown; the lockout guard; 1064 errors keeping the draft;
//! create/update/delete of policies and named locations; What If; backup and restore.

use crate::common::Harness;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use entra_console::app::write::Phase;
use entra_console::app::{Msg, View};
use entra_console::blades::BladeKind;
use entra_console::demo::DemoOptions;
use ratatui_textarea::TextArea;
use serde_json::{Value, json};

const BG1: &str = "3ceaaf30-8142-48ea-91d9-3080f9b439fc";
const BG2: &str = "047a8387-cdde-4d51-a301-bbfca0c5154e";
const ADELE: &str = "66080f17-4c96-48e2-9cbd-0ba3a1a6bcde";

async fn ctrl(h: &mut Harness, c: char) {
    let e = h.app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
    h.run(e).await;
}

/// Open a blade, filter to one row, then press `key` on it.
async fn on_row(h: &mut Harness, blade: BladeKind, filter: &str, key: char) {
    h.open(blade).await;
    h.filter(filter).await;
    h.key(KeyCode::Char(key)).await;
}

/// Change the editor's draft as JSON.
fn edit_draft(h: &mut Harness, f: impl FnOnce(&mut Value)) {
    let ed = h.app.editor.as_mut().expect("the editor is open");
    let mut v: Value = serde_json::from_str(&ed.text()).unwrap();
    f(&mut v);
    let text = serde_json::to_string_pretty(&v).unwrap();
    ed.area = TextArea::new(text.lines().map(str::to_string).collect());
}

fn policy(h: &Harness, name: &str) -> Option<Value> {
    let t = h.server.state.tenant.read().unwrap();
    t.policy
        .policies
        .iter()
        .find(|p| {
            p["displayName"]
                .as_str()
                .is_some_and(|n| n.starts_with(name))
        })
        .cloned()
}

fn phase(h: &Harness) -> Phase {
    h.app.write.as_ref().expect("a write is open").phase.clone()
}

fn review(h: &Harness) -> entra_console::app::review::Review {
    h.app.write.as_ref().unwrap().review.clone().unwrap()
}

#[tokio::test]
async fn edit_shows_diff_and_protection_then_steps_up_and_saves() {
    let mut h = Harness::session(DemoOptions::default()).await;
    on_row(&mut h, BladeKind::CaPolicies, "CA003", 'E').await;
    assert!(h.app.editor.is_some(), "E opens the editor");
    edit_draft(&mut h, |v| {
        v["state"] = json!("enabled");
        v["conditions"]["users"]["excludeUsers"]
            .as_array_mut()
            .unwrap()
            .push(json!(BG1));
        v["grantControls"]["builtInControls"] = json!(["compliantDevice"]);
    });
    ctrl(&mut h, 's').await;
    assert_eq!(phase(&h), Phase::Confirm);
    let r = review(&h);
    assert_eq!(
        r.diff,
        [
            "state Report-only → On",
            "users.excludeUsers + 1 (Break Glass 01)",
            "Compliant device added",
            "MFA removed"
        ]
    );
    // Block-like requirement for all users, on: bg-admin02 and Adele are not excluded.
    assert!(!r.lockouts.is_empty(), "{r:?}");
    insta::assert_snapshot!("ca_edit_review_120x40", h.render(120, 40));
    // Refused until the name is typed.
    h.key(KeyCode::Enter).await;
    assert_eq!(phase(&h), Phase::Confirm);
    h.type_str("CA003 - Require MFA for all users").await;
    h.key(KeyCode::Enter).await;
    assert_eq!(
        phase(&h),
        Phase::Challenged,
        "CA updates are protected by c1"
    );
    h.key(KeyCode::Enter).await;
    assert!(
        matches!(phase(&h), Phase::Done(_)),
        "{:?}",
        h.app.write.as_ref().map(|w| &w.phase)
    );
    assert!(h.app.editor.is_none(), "a saved draft closes the editor");
    let saved = policy(&h, "CA003").unwrap();
    assert_eq!(saved["state"], "enabled");
    assert_eq!(
        saved["grantControls"]["builtInControls"],
        json!(["compliantDevice"])
    );
    assert!(
        saved["conditions"]["users"]["excludeUsers"]
            .as_array()
            .unwrap()
            .contains(&json!(BG1))
    );
}

#[tokio::test]
async fn a_change_made_meanwhile_is_shown_and_kept() {
    let mut h = Harness::session(DemoOptions::default()).await;
    on_row(&mut h, BladeKind::CaPolicies, "CA011", 'E').await;
    {
        // Someone else renames the policy while the editor is open.
        let mut t = h.server.state.tenant.write().unwrap();
        let p = t
            .policy
            .policies
            .iter_mut()
            .find(|p| p["displayName"].as_str().unwrap().starts_with("CA011"))
            .unwrap();
        p["displayName"] = json!("CA011 - renamed by Bob");
    }
    edit_draft(&mut h, |v| v["state"] = json!("disabled"));
    ctrl(&mut h, 's').await;
    let r = review(&h);
    assert!(
        r.conflicts.iter().any(|c| c.contains("renamed by Bob")),
        "{r:?}"
    );
    assert_eq!(r.diff, ["state On → Off"], "only my change is sent");
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await; // step-up
    assert!(matches!(phase(&h), Phase::Done(_)));
    let p = policy(&h, "CA011").unwrap();
    assert_eq!(
        p["displayName"], "CA011 - renamed by Bob",
        "not overwritten"
    );
    assert_eq!(p["state"], "disabled");
}

#[tokio::test]
async fn lockout_guard_refuses_block_all_without_break_glass() {
    let mut h = Harness::session(DemoOptions::default()).await;
    h.open(BladeKind::CaPolicies).await;
    h.key(KeyCode::Char('a')).await;
    edit_draft(&mut h, |v| {
        v["displayName"] = json!("Block everyone");
        v["state"] = json!("enabled");
        v["conditions"]["users"]["includeUsers"] = json!(["All"]);
        v["grantControls"]["builtInControls"] = json!(["block"]);
    });
    ctrl(&mut h, 's').await;
    let r = review(&h);
    assert_eq!(
        r.lockouts.len(),
        3,
        "two break-glass accounts and you: {r:?}"
    );
    h.key(KeyCode::Enter).await;
    assert_eq!(phase(&h), Phase::Confirm, "refused");
    assert!(
        h.app.toast.as_ref().unwrap().text.contains("lockout guard"),
        "{:?}",
        h.app.toast
    );
    insta::assert_snapshot!("ca_lockout_refusal_100x30", h.render(100, 30));
    // With the emergency accounts and the admin excluded, the guard lets it through.
    h.key(KeyCode::Esc).await;
    assert!(
        h.app.write.is_none() && h.app.editor.is_some(),
        "back to the draft"
    );
    edit_draft(&mut h, |v| {
        v["conditions"]["users"]["excludeUsers"] = json!([BG1, BG2, ADELE]);
    });
    ctrl(&mut h, 's').await;
    assert!(review(&h).lockouts.is_empty(), "{:?}", review(&h));
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await; // step-up (create is protected by c1)
    assert!(matches!(phase(&h), Phase::Done(_)), "{:?}", phase(&h));
    assert!(policy(&h, "Block everyone").is_some(), "created");
}

#[tokio::test]
async fn switching_off_the_cap_policy_warns_about_the_loop() {
    let mut h = Harness::session(DemoOptions::default()).await;
    on_row(&mut h, BladeKind::CaPolicies, "CAP", 't').await;
    // The picker opens on On (▸); → offers Report-only.
    h.key(KeyCode::Right).await;
    let r = review(&h);
    assert!(r.warnings.iter().any(|w| w.contains("context c1")), "{r:?}");
    // Deleting it warns the same way.
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char('d')).await;
    let r = review(&h);
    assert_eq!(
        r.diff,
        ["deleted: CAP - Protect Conditional Access management"]
    );
    assert!(r.warnings.iter().any(|w| w.contains("context c1")), "{r:?}");
}

#[tokio::test]
async fn validation_errors_keep_the_draft() {
    let mut h = Harness::session(DemoOptions::default()).await;
    on_row(&mut h, BladeKind::CaPolicies, "CA011", 'E').await;
    // Caught before sending: no user condition.
    edit_draft(&mut h, |v| v["conditions"]["users"] = json!({}));
    ctrl(&mut h, 's').await;
    assert!(h.app.write.is_none());
    let err = h.app.editor.as_ref().unwrap().error.clone().unwrap();
    assert!(err.contains("user condition"), "{err}");
    // Broken JSON: line and column.
    h.app.editor.as_mut().unwrap().area = TextArea::new(vec!["{\"x\": ".into()]);
    ctrl(&mut h, 's').await;
    let err = h.app.editor.as_ref().unwrap().error.clone().unwrap();
    assert!(err.starts_with("JSON syntax, line 1"), "{err}");
    // Caught by Graph: 1064 with its inner message, the draft kept.
    let e = h
        .app
        .update(Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
    h.run(e).await;
    h.key(KeyCode::Esc).await; // discard the broken text
    h.key(KeyCode::Char('E')).await;
    edit_draft(&mut h, |v| v["conditions"]["clientAppTypes"] = json!([]));
    ctrl(&mut h, 's').await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await; // step-up, then the 400
    let Phase::Failed(text) = phase(&h) else {
        panic!("{:?}", phase(&h))
    };
    assert!(text.contains("1064: 'clientAppTypes'"), "{text}");
    // Graph's inner message once, not twice (issue 12, §2: one owner per message).
    assert_eq!(text.matches("1064: 'clientAppTypes'").count(), 1, "{text}");
    assert!(text.contains("draft is kept"), "{text}");
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;
    let ed = h.app.editor.as_ref().expect("the editor is still open");
    assert!(ed.text().contains("\"clientAppTypes\": []"), "draft kept");
}

#[tokio::test]
async fn delete_policy_and_named_locations() {
    let mut h = Harness::session(DemoOptions::default()).await;
    on_row(&mut h, BladeKind::CaPolicies, "CA009", 'd').await;
    assert_eq!(review(&h).diff, ["deleted: CA009 - Block device code flow"]);
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    assert!(matches!(phase(&h), Phase::Done(_)));
    assert!(policy(&h, "CA009").is_none());
    h.key(KeyCode::Esc).await;
    // A location in use: the warning, then Graph's refusal.
    on_row(&mut h, BladeKind::NamedLocations, "Blocked", 'd').await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    let Phase::Failed(text) = phase(&h) else {
        panic!("{:?}", phase(&h))
    };
    assert!(text.contains("used by the policy"), "{text}");
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;
    // An unused one goes; the token already carries c2: no second step-up.
    on_row(&mut h, BladeKind::NamedLocations, "Branch", 'd').await;
    h.key(KeyCode::Enter).await;
    assert!(matches!(phase(&h), Phase::Done(_)), "{:?}", phase(&h));
    let t = h.server.state.tenant.read().unwrap();
    assert_eq!(t.policy.locations.len(), 2);
}

#[tokio::test]
async fn named_locations_are_created_and_edited() {
    let mut h = Harness::session(DemoOptions::default()).await;
    h.open(BladeKind::NamedLocations).await;
    h.key(KeyCode::Char('a')).await;
    edit_draft(&mut h, |v| {
        v["ipRanges"][0]["cidrAddress"] = json!("10.0.0.0/33");
    });
    ctrl(&mut h, 's').await;
    let err = h.app.editor.as_ref().unwrap().error.clone().unwrap();
    assert!(err.contains("not a CIDR"), "{err}");
    edit_draft(&mut h, |v| {
        v["displayName"] = json!("Jump hosts");
        v["ipRanges"][0]["cidrAddress"] = json!("192.0.2.16/28");
    });
    ctrl(&mut h, 's').await;
    h.key(KeyCode::Enter).await;
    assert_eq!(phase(&h), Phase::Challenged, "c2 protects named locations");
    h.key(KeyCode::Enter).await;
    assert!(matches!(phase(&h), Phase::Done(_)), "{:?}", phase(&h));
    h.key(KeyCode::Esc).await;
    // Edit it: trusted. The token has c2 now: saved without a second step-up.
    on_row(&mut h, BladeKind::NamedLocations, "Jump", 'E').await;
    edit_draft(&mut h, |v| v["isTrusted"] = json!(true));
    ctrl(&mut h, 's').await;
    assert_eq!(review(&h).diff, ["isTrusted: false → true"]);
    h.key(KeyCode::Enter).await;
    assert!(matches!(phase(&h), Phase::Done(_)), "{:?}", phase(&h));
    let t = h.server.state.tenant.read().unwrap();
    let l = t
        .policy
        .locations
        .iter()
        .find(|l| l["displayName"] == "Jump hosts")
        .unwrap();
    assert_eq!(l["isTrusted"], true);
    assert_eq!(l["ipRanges"][0]["cidrAddress"], "192.0.2.16/28");
}

#[tokio::test]
async fn what_if_explains_why_a_policy_does_not_apply() {
    let mut h = Harness::session(DemoOptions::default()).await;
    let e = h
        .app
        .what_if("alex.wilber@tailspindemo.onmicrosoft.com app=All client=browser");
    h.run(e).await;
    let View::List(l) = h.app.top() else {
        panic!("What If opens a list")
    };
    let rows: Vec<Vec<String>> = l.table.visible_rows().map(|r| r.cells.to_vec()).collect();
    let row = |p: &str| rows.iter().find(|r| r[0].starts_with(p)).unwrap().clone();
    assert_eq!(row("CA012")[2], "no");
    assert!(
        row("CA012")[3].contains("not included"),
        "{:?}",
        row("CA012")
    );
    assert_eq!(row("CA005")[3], "policy is off");
    assert_eq!(row("CA003")[2], "report-only");
    assert_eq!(row("CA011")[2], "unknown", "sign-in risk not given");
    assert_eq!(row("CA012")[5], "no: users", "Graph's own answer");
    insta::assert_snapshot!("ca_what_if_120x40", h.render(120, 40));
}

#[tokio::test]
async fn policy_detail_resolves_names() {
    let mut h = Harness::session(DemoOptions::default()).await;
    on_row(&mut h, BladeKind::CaPolicies, "CA008", '\n').await;
    h.key(KeyCode::Enter).await;
    let screen = h.render(120, 50);
    assert!(screen.contains("Break Glass 01"), "{screen}");
    assert!(screen.contains("Global Administrator"), "{screen}");
    assert!(screen.contains("Phishing resistant MFA"), "{screen}");
    insta::assert_snapshot!("ca_detail_120x50", screen);
}

#[tokio::test]
async fn backup_delete_restore_round_trips() {
    let h = Harness::session(DemoOptions::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let before = entra_console::ca::backup::backup(&h.client, dir.path())
        .await
        .unwrap();
    assert_eq!((before.policies, before.locations), (14, 3));
    let again = tempfile::tempdir().unwrap();
    entra_console::ca::backup::backup(&h.client, again.path())
        .await
        .unwrap();
    let listing = |d: &std::path::Path| {
        let mut v: Vec<(String, String)> = walk(d);
        v.sort();
        v
    };
    assert_eq!(listing(dir.path()), listing(again.path()), "byte-stable");
    let (ca004, blocked) = {
        let mut t = h.server.state.tenant.write().unwrap();
        let p = t.policy.policies.remove(3);
        let l = t.policy.locations.remove(2);
        (p, l)
    };
    assert!(ca004["displayName"].as_str().unwrap().starts_with("CA004"));
    // Creates are protected actions (c2, then c1): each challenge is answered by a step-up.
    let step_ups = std::sync::atomic::AtomicUsize::new(0);
    let written = std::sync::Mutex::new(Vec::new());
    let s = entra_console::ca::backup::restore(
        &h.client,
        dir.path(),
        async |claims: String| {
            step_ups.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            entra_console::app::run::step_up_with(&h.client, &claims, |_| {})
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        },
        async |w| written.lock().unwrap().push(w),
    )
    .await
    .unwrap();
    assert_eq!(step_ups.into_inner(), 2, "one per context");
    // Both creates are journaled, with the context each was stepped up to.
    let written = written.into_inner().unwrap();
    assert_eq!(written.len(), 2, "{written:?}");
    assert!(written.iter().all(|w| w.method == "POST"
        && w.outcome == "ok"
        && w.request_id.is_some()
        && w.claims_context.is_some()));
    assert!(written[0].path.ends_with("/namedLocations"));
    assert_eq!((s.policies, s.locations, s.kept), (1, 1, 15), "{s:?}");
    let t = h.server.state.tenant.read().unwrap();
    let new_loc = t
        .policy
        .locations
        .iter()
        .find(|l| l["displayName"] == blocked["displayName"])
        .unwrap();
    assert_ne!(new_loc["id"], blocked["id"]);
    let restored = t
        .policy
        .policies
        .iter()
        .find(|p| p["displayName"] == ca004["displayName"])
        .unwrap();
    assert_eq!(
        restored["conditions"]["locations"]["includeLocations"],
        json!([new_loc["id"]]),
        "the location id is remapped"
    );
    let strip = |v: &Value| {
        let mut d = entra_console::ca::diff::draft(v);
        d["conditions"]["locations"] = Value::Null;
        d
    };
    assert!(
        entra_console::ca::diff::merge_patch(&strip(&ca004), &strip(restored)).is_none(),
        "the rest of the policy is as it was"
    );
}

fn walk(d: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(d).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push((
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            ));
        }
    }
    out
}

#[tokio::test]
async fn strengths_and_locations_say_which_policies_use_them() {
    let mut h = Harness::session(DemoOptions::default()).await;
    h.open(BladeKind::AuthStrengths).await;
    let View::List(l) = h.app.top() else {
        panic!("a list")
    };
    let rows: Vec<Vec<String>> = l.table.visible_rows().map(|r| r.cells.to_vec()).collect();
    assert_eq!(rows.len(), 4, "three built-in, one custom");
    let phish = rows
        .iter()
        .find(|r| r[0] == "Phishing resistant MFA")
        .unwrap();
    assert!(phish[4].starts_with("CA008"), "{phish:?}");
    assert!(rows.iter().any(|r| r[1] == "custom"));
    on_row(&mut h, BladeKind::NamedLocations, "Blocked", '\n').await;
    h.key(KeyCode::Enter).await;
    let screen = h.render(100, 30);
    assert!(screen.contains("KP, IR, SY, CU"), "{screen}");
    assert!(
        screen.contains("CA004 - Block access from blocked countries"),
        "{screen}"
    );
    insta::assert_snapshot!("named_location_detail_100x30", screen);
}

#[tokio::test]
async fn a_change_made_during_the_review_is_caught_before_sending() {
    let mut h = Harness::session(DemoOptions::default()).await;
    on_row(&mut h, BladeKind::CaPolicies, "CA012", 't').await;
    h.key(KeyCode::Right).await;
    assert_eq!(review(&h).diff, ["state On → Report-only"]);
    {
        let mut t = h.server.state.tenant.write().unwrap();
        let p = t
            .policy
            .policies
            .iter_mut()
            .find(|p| p["displayName"].as_str().unwrap().starts_with("CA012"))
            .unwrap();
        p["conditions"]["users"]["excludeUsers"] = json!([BG1]);
    }
    h.key(KeyCode::Enter).await;
    assert_eq!(phase(&h), Phase::Confirm, "not sent: the policy changed");
    let r = review(&h);
    assert!(
        r.conflicts
            .iter()
            .any(|c| c.contains("while you reviewed") && c.contains("excludeUsers + 1")),
        "{r:?}"
    );
    h.key(KeyCode::Enter).await;
    assert_eq!(phase(&h), Phase::Challenged, "the second Enter sends");
    h.key(KeyCode::Enter).await;
    assert!(matches!(phase(&h), Phase::Done(_)));
    let p = policy(&h, "CA012").unwrap();
    assert_eq!(p["state"], "enabledForReportingButNotEnforced");
    assert_eq!(
        p["conditions"]["users"]["excludeUsers"],
        json!([BG1]),
        "kept"
    );
}

#[tokio::test]
async fn editor_and_review_survive_tiny_terminals() {
    let mut h = Harness::session(DemoOptions::default()).await;
    on_row(&mut h, BladeKind::CaPolicies, "CA003", 'E').await;
    edit_draft(&mut h, |v| v["state"] = json!("disabled"));
    for (w, hgt) in [(20, 5), (24, 6), (40, 10), (80, 24)] {
        h.render(w, hgt);
    }
    ctrl(&mut h, 's').await;
    for (w, hgt) in [(20, 5), (24, 6), (40, 10), (80, 24), (200, 60)] {
        h.render(w, hgt);
    }
    let screen = h.render(80, 24);
    assert!(screen.contains("state Report-only → Off"), "{screen}");
}

/// Issue 23, item 15: the editor's status bar shows the editor's keys, not the list's.
#[tokio::test]
async fn the_editor_status_bar_names_the_editors_keys() {
    let mut h = Harness::session(DemoOptions::default()).await;
    on_row(&mut h, BladeKind::CaPolicies, "CA003", 'E').await;
    let screen = h.render(100, 30);
    let bar = screen.lines().last().unwrap();
    assert!(bar.contains("Ctrl-S check & review"), "{bar}");
    assert!(!bar.contains("edit") && !bar.contains("state"), "{bar}");
}

#[tokio::test]
async fn read_only_opens_no_editor_and_sends_nothing() {
    let mut h = Harness::new(true).await;
    on_row(&mut h, BladeKind::CaPolicies, "CA003", 'E').await;
    for key in ['E', 'd', 'x', 'a', 'c', 't'] {
        h.key(KeyCode::Char(key)).await;
        assert!(h.app.editor.is_none(), "{key}");
        assert!(h.app.write.is_none(), "{key}");
        assert!(
            matches!(h.app.overlay, entra_console::app::Overlay::None),
            "{key}"
        );
    }
    assert_eq!(
        policy(&h, "CA003").unwrap()["state"],
        "enabledForReportingButNotEnforced"
    );
}

#[tokio::test]
async fn w_on_a_user_prefills_what_if_in_the_palette() {
    let mut h = Harness::session(DemoOptions::default()).await;
    on_row(&mut h, BladeKind::Users, "Adele", 'w').await;
    let entra_console::app::Overlay::Palette(p) = &h.app.overlay else {
        panic!("w opens the palette")
    };
    assert_eq!(
        p.input,
        "whatif adele.vance@tailspindemo.onmicrosoft.com app=All"
    );
    h.type_str(" client=browser").await;
    insta::assert_snapshot!("what_if_palette_100x30", h.render(100, 30));
    h.key(KeyCode::Enter).await;
    let View::List(l) = h.app.top() else {
        panic!("What If opens a list")
    };
    let first = l.table.visible_rows().next().unwrap().cells.to_vec();
    assert_eq!(first[0], "= Adele Vance");
    let ca001 = l
        .table
        .visible_rows()
        .find(|r| r.cells[0].starts_with("CA001"))
        .unwrap();
    assert_eq!(
        &ca001.cells[2], "applies",
        "Adele is a Global Administrator"
    );
    assert_eq!(&ca001.cells[5], "applies", "and Graph agrees");
}

#[tokio::test]
async fn policy_list_shows_conditions_session_and_dates_when_wide() {
    let mut h = Harness::session(DemoOptions::default()).await;
    h.open(BladeKind::CaPolicies).await;
    let wide = h.render(180, 20);
    assert!(wide.contains("every 4h; no persistent"), "{wide}");
    assert!(wide.contains("2025-09-12"), "{wide}");
    insta::assert_snapshot!("ca_list_180x20", wide);
    let narrow = h.render(80, 24);
    assert!(
        narrow.contains("CA001 - Require MFA"),
        "the name keeps room: {narrow}"
    );
}

/// Issue 11, item 2: `x` on CA002 (block legacy authentication), exclude Ben: the exclusion
/// only narrows the policy, so it is not refused; the lockout it already had is named with the
/// conditions that make it "may match".
#[tokio::test]
async fn an_exclusion_is_never_refused_by_the_lockout_guard() {
    let mut h = Harness::session(DemoOptions::default()).await;
    on_row(&mut h, BladeKind::CaPolicies, "CA002", 'x').await;
    h.type_str("ben").await;
    h.key(KeyCode::Enter).await; // search
    h.key(KeyCode::Enter).await; // pick the first match
    let r = h.app.write.as_ref().unwrap().review.clone().unwrap();
    assert!(r.lockouts.is_empty(), "{r:?}");
    assert!(
        r.warnings
            .iter()
            .any(|w| w.contains("already so") && w.contains("exchangeActiveSync other")),
        "{:?}",
        r.warnings
    );
    h.key(KeyCode::Enter).await;
    if phase(&h) == Phase::Challenged {
        h.key(KeyCode::Enter).await;
    }
    assert!(matches!(phase(&h), Phase::Done(_)), "{:?}", phase(&h));
    let saved = policy(&h, "CA002").unwrap();
    assert_eq!(
        saved["conditions"]["users"]["excludeUsers"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "Ben is excluded: {saved}"
    );
}

/// Issue 11, item 5: Ctrl-C (and q, :quit) with an unsaved draft asks first; a second quit key
/// quits, any other key keeps the draft.
#[tokio::test]
async fn quitting_with_an_unsaved_draft_asks_first() {
    use entra_console::app::Msg;
    let ctrl_c = || Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    let mut h = Harness::session(DemoOptions::default()).await;
    on_row(&mut h, BladeKind::CaPolicies, "CA003", 'E').await;
    // Nothing typed yet: nothing to lose.
    assert!(h.app.unsaved_draft().is_none());
    edit_draft(&mut h, |v| v["displayName"] = json!("CA003 - renamed"));
    h.app.update(ctrl_c());
    assert!(!h.app.quit, "the draft is not saved");
    let t = h.app.toast.as_ref().unwrap();
    assert!(
        t.text.contains("not saved") && t.text.contains("editor"),
        "{}",
        t.text
    );
    h.key(KeyCode::Right).await; // any other key keeps it
    h.app.update(ctrl_c());
    assert!(!h.app.quit);
    h.app.update(ctrl_c());
    assert!(h.app.quit, "a second Ctrl-C quits");
    // The same for a pending write's confirm, and for q.
    let mut h = Harness::session(DemoOptions::default()).await;
    on_row(&mut h, BladeKind::CaPolicies, "CA003", 't').await;
    assert!(h.app.write.is_some());
    h.app.update(ctrl_c());
    assert!(!h.app.quit);
    h.key(KeyCode::Char('q')).await;
    assert!(h.app.quit);
}

/// Issue 11, item 17: read-only mode still resolves names (getByIds is a read sent as POST).
#[tokio::test]
async fn read_only_still_shows_names() {
    let mut h = Harness::new(true).await;
    on_row(&mut h, BladeKind::CaPolicies, "CA008", '\n').await;
    h.key(KeyCode::Enter).await;
    let screen = h.render(120, 50);
    assert!(screen.contains("Break Glass 01"), "{screen}");
    assert!(!screen.contains("names not read"), "{screen}");
}

/// Issue 11, item 23: `:whatif adele` resolves the name to the one user it matches.
#[tokio::test]
async fn what_if_resolves_a_name() {
    let mut h = Harness::session(DemoOptions::default()).await;
    h.key(KeyCode::Char(':')).await;
    h.type_str("whatif adele app=All").await;
    h.key(KeyCode::Enter).await;
    let View::List(l) = h.app.top() else {
        panic!("What If opens a list")
    };
    assert!(l.load.error.is_none(), "{:?}", l.load.error);
    let first = l.table.visible_rows().next().unwrap().cells.to_vec();
    assert_eq!(first[0], "= Adele Vance");
    // A name that matches several users asks for the UPN.
    let q = entra_console::ca::whatif::WhatIfQuery::parse("a app=All").unwrap();
    let err = entra_console::ca::whatif::what_if(&h.client, &None, &q)
        .await
        .unwrap_err();
    assert!(err.contains("give the UPN"), "{err}");
}

/// Issue 11, items 13 and 17: offline (or refused), user and group names come from the cache;
/// nothing else is lost when one part cannot be read.
#[tokio::test]
async fn names_come_from_the_cache_when_graph_cannot_give_them() {
    use entra_console::cache::{Store, sync};
    let h = Harness::session(DemoOptions::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(Store::open(&dir.path().join("c.db"), true).unwrap());
    for name in ["groups", "users"] {
        let spec = entra_console::blades::sync_spec(name).unwrap();
        sync::collection(&h.client, &store, &spec, &mut |_| {})
            .await
            .unwrap();
    }
    let users = h
        .client
        .get_all(entra_console::graph::Request::get("/users").select(&["id", "displayName"]))
        .await
        .unwrap();
    let adele = users
        .iter()
        .find(|u| u["displayName"] == "Adele Vance")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let offline = h.client.clone().offline();
    let r = entra_console::ca::load::names(&offline, Some(&store), vec![adele.clone()], true).await;
    assert!(
        r.names
            .iter()
            .any(|(id, n)| *id == adele && n == "Adele Vance"),
        "{:?}",
        r.names
    );
    assert!(
        r.missing.is_empty(),
        "offline is not a failure: {:?}",
        r.missing
    );
    // getByIds refused (403): the cache answers, and the refusal is named.
    let denied = Harness::session(DemoOptions {
        deny: vec!["getByIds".into()],
        ..Default::default()
    })
    .await;
    let r = entra_console::ca::load::names(&denied.client, Some(&store), vec![adele.clone()], true)
        .await;
    assert!(r.names.iter().any(|(id, _)| *id == adele), "{:?}", r.names);
    assert!(
        r.missing.iter().any(|m| m.starts_with("users and groups")),
        "{:?}",
        r.missing
    );
    assert!(
        r.names.iter().any(|(_, n)| n == "Global Administrator"),
        "roles still named"
    );
}

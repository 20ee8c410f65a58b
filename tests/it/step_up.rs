//! The protected write end to end against the demo tenant: confirm shows the protection, the
//! claims challenge becomes the inline prompt, re-authentication (refresh, then device code)
//! and one retry; block, loop and ready-token paths explain and keep the draft.

use crate::common::Harness;
use crossterm::event::KeyCode;
use entra_console::app::write::Phase;
use entra_console::blades::BladeKind;
use entra_console::demo::DemoOptions;
use entra_console::demo::identity::StepUpMode;
use entra_console::graph::Request;
use std::sync::Arc;
use std::sync::atomic::Ordering;

async fn harness(mode: StepUpMode, ready_token: bool) -> Harness {
    let opts = DemoOptions {
        step_up: mode,
        ..Default::default()
    };
    Harness::session_with(opts, ready_token).await
}

/// Open the CA blade, pick CA005 (Off) and press `t`: the confirm step with facts loaded.
async fn confirm_state_change(h: &mut Harness) {
    h.open(BladeKind::CaPolicies).await;
    h.filter("CA005").await;
    h.key(KeyCode::Char('t')).await;
    // The picker opens on Off (now); → to On.
    h.key(KeyCode::Right).await;
    let w = h.app.write.as_ref().expect("write panel");
    assert_eq!(w.phase, Phase::Confirm);
    assert!(h.app.tenant.facts.is_some());
}

async fn policy_state(h: &Harness) -> String {
    let all = h
        .client
        .get_all(Request::get("/identity/conditionalAccess/policies"))
        .await
        .unwrap();
    let p = all
        .iter()
        .find(|p| p["displayName"].as_str().unwrap().starts_with("CA005"))
        .unwrap();
    p["state"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn pass_succeeds_after_exactly_one_reauthentication() {
    let mut h = harness(StepUpMode::Pass, false).await;
    let dir = tempfile::tempdir().unwrap();
    let store =
        Arc::new(entra_console::cache::Store::open(&dir.path().join("c.db"), true).unwrap());
    h.store = Some(store.clone());
    confirm_state_change(&mut h).await;
    insta::assert_snapshot!("ca_confirm_protection", h.render(80, 24));
    h.key(KeyCode::Enter).await;
    assert_eq!(h.app.write.as_ref().unwrap().phase, Phase::Challenged);
    insta::assert_snapshot!("step_up_prompt_80x24", h.render(80, 24));
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().unwrap();
    assert!(matches!(w.phase, Phase::Done(_)), "{:?}", w.phase);
    assert_eq!(w.step_ups, 1);
    assert_eq!(policy_state(&h).await, "enabled");
    let id = &h.server.state.identity;
    assert_eq!(
        id.device_flows.load(Ordering::Relaxed),
        1,
        "one device code sign-in"
    );
    let (total, without_cp1) = *id.token_requests.lock().unwrap();
    assert!(
        total >= 3,
        "initial refresh, step-up refresh, device code polls: {total}"
    );
    assert_eq!(without_cp1, 0, "every token request declares cp1");
    // The write is in the journal: who, what, before/after, request-id, the context met.
    let j = store.journal().unwrap();
    assert_eq!(j.len(), 1, "{j:?}");
    assert_eq!(j[0]["outcome"], "ok");
    assert_eq!(j[0]["method"], "PATCH");
    assert_eq!(j[0]["claimsContext"], "c1");
    assert_eq!(j[0]["user"], "adele.vance@tailspindemo.onmicrosoft.com");
    assert!(j[0]["requestId"].as_str().is_some_and(|r| !r.is_empty()));
    assert!(j[0]["before"].as_str().unwrap().contains("\"disabled\""));
    assert_eq!(j[0]["after"], "{\"state\":\"enabled\"}");
}

#[tokio::test]
async fn block_explains_53003_with_the_policy_and_keeps_the_draft() {
    let mut h = harness(StepUpMode::Block, false).await;
    confirm_state_change(&mut h).await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().unwrap();
    let Phase::Failed(text) = &w.phase else {
        panic!("{:?}", w.phase)
    };
    assert!(text.contains("AADSTS53003"), "{text}");
    assert!(
        text.contains("CAP - Protect Conditional Access management"),
        "{text}"
    );
    assert_eq!(
        w.request.body.as_ref().unwrap()["state"],
        "enabled",
        "draft kept"
    );
    assert_eq!(policy_state(&h).await, "disabled");
    insta::assert_snapshot!("step_up_blocked", h.render(100, 30));
    // Esc goes back to the draft, not away from it.
    h.key(KeyCode::Esc).await;
    assert_eq!(h.app.write.as_ref().unwrap().phase, Phase::Confirm);
}

/// Issue 28: blocked here (53003 on an unmanaged jump host), the change is saved as a plan
/// to apply from a managed device, the draft as it was.
#[tokio::test]
async fn a_blocked_step_up_offers_the_change_as_a_plan() {
    let mut h = harness(StepUpMode::Block, false).await;
    let dir = tempfile::tempdir().unwrap();
    h.app.ctx.plans = Some(dir.path().to_path_buf());
    confirm_state_change(&mut h).await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    let Phase::Failed(text) = &h.app.write.as_ref().unwrap().phase else {
        panic!("blocked")
    };
    assert!(text.contains("S saves the change as a plan"), "{text}");
    h.key(KeyCode::Char('S')).await;
    assert!(h.app.write.is_none(), "saved and closed");
    let file = std::fs::read_dir(dir.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    assert_eq!(v["writes"][0]["body"]["state"], "enabled");
    assert_eq!(policy_state(&h).await, "disabled", "nothing sent");
}

#[tokio::test]
async fn loop_stops_after_one_retry_with_never_satisfied() {
    let mut h = harness(StepUpMode::Loop, false).await;
    confirm_state_change(&mut h).await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().unwrap();
    let Phase::Failed(text) = &w.phase else {
        panic!("{:?}", w.phase)
    };
    assert!(text.contains("never satisfied"), "{text}");
    assert!(text.contains("does not carry c1"), "{text}");
    // Issue 11, item 10: c1's policy is On, so the fix is the sign-in, not "turn it On".
    assert!(
        text.contains("an enabled policy targets c1 but this sign-in did not meet it"),
        "{text}"
    );
    assert!(text.contains("requires"), "{text}");
    assert!(!text.contains("must be On"), "{text}");
    assert_eq!(w.step_ups, 1);
    assert_eq!(policy_state(&h).await, "disabled");
}

#[tokio::test]
async fn a_ready_token_cannot_step_up() {
    let mut h = harness(StepUpMode::Pass, true).await;
    confirm_state_change(&mut h).await;
    h.key(KeyCode::Enter).await;
    assert_eq!(h.app.write.as_ref().unwrap().phase, Phase::Challenged);
    let screen = h.render(100, 30);
    assert!(screen.contains("step-up is impossible"), "{screen}");
    h.key(KeyCode::Enter).await;
    let Phase::Failed(text) = &h.app.write.as_ref().unwrap().phase else {
        panic!()
    };
    assert!(text.contains("impossible"), "{text}");
}

#[tokio::test]
async fn an_unprotected_change_needs_no_step_up_and_read_only_hides_writes() {
    let mut h = harness(StepUpMode::Pass, false).await;
    // Groups are not protected actions; the CA state change is the only write so far.
    confirm_state_change(&mut h).await;
    let p = h.app.write.as_ref().unwrap().protection.clone().unwrap();
    assert_eq!(p.context.as_ref().unwrap().0, "c1");
    h.key(KeyCode::Esc).await;
    assert!(h.app.write.is_none());
    h.app.ctx.read_only = true;
    h.key(KeyCode::Char('t')).await;
    assert!(h.app.write.is_none());
    assert!(h.app.toast.as_ref().unwrap().text.contains("read-only"));
}

/// Issue 11, item 4: the confirm predicts, from the policies, that a device-code step-up
/// cannot satisfy c1 (CAP blocks unless the device is joined), and the demo's own reading
/// of the same policies (`--step-up device`) agrees: AADSTS53003, the draft kept.
#[tokio::test]
async fn a_device_requirement_is_predicted_before_the_write_and_the_demo_agrees() {
    let mut h = harness(StepUpMode::Device, false).await;
    confirm_state_change(&mut h).await;
    let screen = h.render(160, 40);
    assert!(
        screen.contains("cannot satisfy it, so this write will fail from this machine")
            && screen.contains("device filter"),
        "{screen}"
    );
    h.key(KeyCode::Enter).await;
    assert_eq!(h.app.write.as_ref().unwrap().phase, Phase::Challenged);
    h.key(KeyCode::Enter).await;
    let Phase::Failed(text) = &h.app.write.as_ref().unwrap().phase else {
        panic!("{:?}", h.app.write.as_ref().unwrap().phase)
    };
    assert!(text.contains("AADSTS53003"), "{text}");
    assert!(text.contains("draft is kept"), "{text}");
    assert_eq!(policy_state(&h).await, "disabled", "nothing was written");
}

/// With c1's policy asking for phishing-resistant MFA instead, the prediction is silent and
/// the device-code step-up succeeds.
#[tokio::test]
async fn a_strength_requirement_can_be_met_by_device_code() {
    let mut h = harness(StepUpMode::Device, false).await;
    {
        let mut t = h.server.state.tenant.write().unwrap();
        for p in &mut t.policy.policies {
            if p["displayName"].as_str().unwrap().starts_with("CAP") {
                p["conditions"]["devices"] = serde_json::Value::Null;
                p["grantControls"] = serde_json::json!({"operator": "OR", "builtInControls": [],
                    "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}});
            }
        }
    }
    confirm_state_change(&mut h).await;
    let screen = h.render(160, 40);
    assert!(!screen.contains("cannot satisfy"), "{screen}");
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    assert!(
        matches!(h.app.write.as_ref().unwrap().phase, Phase::Done(_)),
        "{:?}",
        h.app.write.as_ref().unwrap().phase
    );
}

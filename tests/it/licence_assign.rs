//! Licences assigned and removed from a user's and a group's page: the SKU picked by product,
//! plans turned off, a user's 200 and a group's 202 with its processing seen to settle, and
//! the refusals said before anything is sent.

use crate::common::Harness;
use crossterm::event::KeyCode;
use entra_console::app::Overlay;
use entra_console::app::picker::Stage;
use entra_console::blades::BladeKind;
use serde_json::Value;
use std::time::Duration;

const P1: &str = "078d2b04-f1bd-4111-bbd4-b4b1b354cef4";

async fn page(h: &mut Harness, blade: BladeKind, name: &str) {
    h.open(blade).await;
    h.filter(name).await;
    h.key(KeyCode::Enter).await;
}

/// `l`, then the SKU whose option starts with `product`.
async fn pick(h: &mut Harness, product: &str) {
    h.key(KeyCode::Char('l')).await;
    let Overlay::Picker(p) = &h.app.overlay else {
        panic!("the licence picker")
    };
    let Stage::Choose { options, .. } = &p.stage else {
        panic!("a choice: {:?}", p.stage)
    };
    let at = options
        .iter()
        .position(|o| o.starts_with(product))
        .unwrap_or_else(|| panic!("{product} in {options:?}"));
    for _ in 0..at {
        h.key(KeyCode::Down).await;
    }
    h.key(KeyCode::Enter).await;
}

fn user(h: &Harness, name: &str) -> Value {
    let t = h.server.state.tenant.read().unwrap();
    t.users
        .iter()
        .find(|u| u["displayName"] == name)
        .unwrap()
        .clone()
}

fn consumed(h: &Harness, sku: &str) -> i64 {
    let t = h.server.state.tenant.read().unwrap();
    let s = t.policy.skus.iter().find(|s| s["skuId"] == sku).unwrap();
    s["consumedUnits"].as_i64().unwrap()
}

fn writes(h: &Harness) -> usize {
    let log = h.server.state.faults.log.lock().unwrap();
    log.iter().filter(|l| l.contains("assignLicense")).count()
}

#[tokio::test]
async fn a_users_licence_with_a_plan_off_then_removed() {
    let mut h = Harness::session(Default::default()).await;
    page(&mut h, BladeKind::Users, "Emma Larsen").await;
    let before = consumed(&h, P1);
    pick(&mut h, "Microsoft Entra ID P1").await;
    // The plans: the first turned off.
    h.key(KeyCode::Char(' ')).await;
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().expect("a confirm");
    assert!(
        w.title
            .starts_with("Assign Microsoft Entra ID P1 to Emma Larsen (plans off: "),
        "{}",
        w.title
    );
    assert!(w.request.path.ends_with("/assignLicense"));
    let body = w.request.body.clone().unwrap();
    assert_eq!(body["removeLicenses"], serde_json::json!([]));
    let off = body["addLicenses"][0]["disabledPlans"].clone();
    assert_eq!(off.as_array().unwrap().len(), 1);
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Esc).await;
    let u = user(&h, "Emma Larsen");
    let got = u["assignedLicenses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["skuId"] == P1)
        .expect("assigned at the tenant")
        .clone();
    assert_eq!(got["disabledPlans"], off);
    assert_eq!(consumed(&h, P1), before + 1);
    // Held directly now: the same choice removes it.
    pick(&mut h, "Microsoft Entra ID P1").await;
    let w = h.app.write.as_ref().expect("a confirm");
    assert!(
        w.title
            .starts_with("Remove Microsoft Entra ID P1 from Emma Larsen"),
        "{}",
        w.title
    );
    h.key(KeyCode::Enter).await;
    let u = user(&h, "Emma Larsen");
    assert!(
        !u["assignedLicenses"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["skuId"] == P1)
    );
    assert_eq!(consumed(&h, P1), before);
}

#[tokio::test]
async fn refusals_are_said_before_sending() {
    let mut h = Harness::session(Default::default()).await;
    let sent = writes(&h);
    // No usage location: Graph would refuse.
    page(&mut h, BladeKind::Users, "Carlos Mendez").await;
    pick(&mut h, "Microsoft Entra ID P1").await;
    assert!(h.app.write.is_none());
    let t = h.app.toast.as_ref().unwrap().text.clone();
    assert!(t.contains("no usage location"), "{t}");
    // From a group: removed there, not here.
    page(&mut h, BladeKind::Users, "Dana Kim").await;
    // The page names the group each licence comes from.
    let screen = h.render(120, 60);
    assert!(screen.contains("from group LIC - Entra ID P2"), "{screen}");
    pick(&mut h, "Microsoft Entra ID P2").await;
    assert!(h.app.write.is_none());
    let t = h.app.toast.as_ref().unwrap().text.clone();
    assert!(t.contains("from the group"), "{t}");
    assert_eq!(writes(&h), sent);
}

#[tokio::test]
async fn a_groups_licence_is_processed_in_the_background() {
    let mut h = Harness::session(Default::default()).await;
    page(&mut h, BladeKind::Groups, "Legal Team").await;
    pick(&mut h, "Microsoft Entra ID P1").await;
    h.key(KeyCode::Enter).await; // every plan on
    let w = h.app.write.as_ref().expect("a confirm");
    assert!(w.title.contains("to the group Legal Team"), "{}", w.title);
    assert!(w.title.contains("in the background"), "{}", w.title);
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Esc).await;
    // 202: the page shows the processing state, then it settles.
    let entra_console::app::View::Detail(d) = h.app.top() else {
        panic!("the group's page")
    };
    let state = d.object.as_ref().unwrap()["licenseProcessingState"]["state"].clone();
    assert_eq!(state, "QueueForProcessing");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        h.key(KeyCode::Char('r')).await;
        let entra_console::app::View::Detail(d) = h.app.top() else {
            panic!("the group's page")
        };
        let state = d.object.as_ref().unwrap()["licenseProcessingState"]["state"].clone();
        if state == "ProcessingComplete" {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "still {state}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let screen = h.render(80, 40);
    assert!(screen.contains("Microsoft Entra ID P1"), "{screen}");
    // Every member now holds it through the group.
    let t = h.server.state.tenant.read().unwrap();
    let g = t
        .groups
        .iter()
        .find(|g| g["displayName"] == "Legal Team")
        .unwrap();
    let gid = g["id"].as_str().unwrap();
    for m in &t.members[gid] {
        let u = t.users.iter().find(|u| u["id"] == m.as_str()).unwrap();
        assert!(
            u["licenseAssignmentStates"]
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["skuId"] == P1 && s["assignedByGroup"] == gid),
            "{}",
            u["displayName"]
        );
    }
}

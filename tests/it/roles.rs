//! The Roles and admins blade against the demo tenant: definitions with PRIVILEGED and counts,
//! a role's assignments, and "who can" through groups and eligibility.

use crate::common::Harness;
use crossterm::event::KeyCode;
use entra_console::app::View;
use entra_console::blades::BladeKind;
use entra_console::demo::DemoOptions;

fn cells(h: &Harness) -> Vec<Vec<String>> {
    let View::List(l) = h.app.top() else {
        panic!("not a list")
    };
    l.table.visible_rows().map(|r| r.cells.to_vec()).collect()
}

async fn roles() -> Harness {
    Box::pin(roles_with(true)).await
}

async fn roles_with(read_only: bool) -> Harness {
    let server = Harness::demo(DemoOptions::default()).await;
    let client = entra_console::graph::GraphClient::new(entra_console::graph::GraphConfig {
        base_url: server.url(),
        read_only,
        credential: entra_console::auth::Credential::Static(entra_console::auth::AccessToken::new(
            "t",
        )),
        limits: entra_console::graph::Limits::default(),
    })
    .unwrap();
    let mut h = Harness::with(server, client, None).await;
    h.open(BladeKind::Roles).await;
    h
}

#[tokio::test]
async fn role_definitions_with_privileged_and_counts() {
    let mut h = Box::pin(roles()).await;
    let rows = cells(&h);
    assert_eq!(rows.len(), 124, "123 built-in roles and one custom");
    let row = |n: &str| {
        rows.iter()
            .find(|r| r[0] == n)
            .unwrap_or_else(|| panic!("{n}"))
            .clone()
    };
    assert_eq!(
        row("Global Administrator")[1..],
        ["Built-in", "PRIVILEGED", "3", "0"]
    );
    // Issue 11, item 11: each principal once, members of role groups counted, not the group
    // (Global Administrator: two break-glass accounts direct, Adele through Tier0).
    assert_eq!(row("Conditional Access Administrator")[3..], ["1", "2"]);
    assert_eq!(row("Tailspin Helpdesk Lite")[1], "Custom");
    assert_eq!(rows.iter().filter(|r| r[2] == "PRIVILEGED").count(), 29);
    h.filter("global admin").await;
    insta::assert_snapshot!("roles_filtered_100x30", h.render(100, 30));
    // Detail, then its assignments.
    h.key(KeyCode::Enter).await;
    let screen = h.render(100, 40);
    assert!(
        screen.contains("62e90394-69f5-4237-9190-012177145e10") && screen.contains("PRIVILEGED"),
        "{screen}"
    );
    h.key(KeyCode::Char('m')).await;
    let rows = cells(&h);
    let tier0 = rows
        .iter()
        .find(|r| r[1] == "Tier0 - Global Admins")
        .unwrap();
    assert_eq!(
        tier0[2..7],
        ["group", "active", "tenant", "permanent", "direct"]
    );
    // The group's members are listed under it, with the route.
    let via: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[6] == "via Tier0 - Global Admins")
        .collect();
    assert!(!via.is_empty(), "{rows:?}");
    assert_eq!(rows.len(), 3 + via.len());
    for r in &via {
        assert_eq!(r[3], "active");
    }
    // Removing a member's "assignment" would remove the group's: refused, with the route.
    h.filter(&via[0][1].clone()).await;
    h.key(KeyCode::Char('d')).await;
    assert!(h.app.write.is_none());
    let t = h.app.toast.as_ref().unwrap();
    assert!(t.text.contains("through the group Tier0"), "{}", t.text);
    assert_eq!(
        h.app.breadcrumbs(),
        ["Roles and admins", "Global Administrator", "Assignments"]
    );
}

#[tokio::test]
async fn who_can_finds_holders_through_groups_and_eligibility() {
    let mut h = Box::pin(roles()).await;
    h.key(KeyCode::Char(':')).await;
    h.type_str("whocan conditionalAccessPolicies/create").await;
    h.key(KeyCode::Enter).await;
    let rows = cells(&h);
    // Through the PIM group, eligible only: its members hold the permission.
    let via_group: Vec<_> = rows
        .iter()
        .filter(|r| r[3] == "group PIM - Security Operators")
        .collect();
    assert!(!via_group.is_empty(), "{rows:?}");
    assert!(
        via_group
            .iter()
            .all(|r| r[2] == "Conditional Access Administrator" && r[4] == "eligible")
    );
    assert!(rows.iter().any(|r| r[0] == "Adele Vance"
        && r[2] == "Conditional Access Administrator"
        && r[4] == "active"));
    assert!(
        rows.iter().any(|r| r[0] == "Adele Vance"
            && r[2] == "Security Administrator"
            && r[4] == "eligible")
    );
    assert!(
        rows.iter()
            .any(|r| r[0] == "Break Glass 01" && r[2] == "Global Administrator")
    );
    insta::assert_snapshot!("who_can_ca_create_120x40", h.render(120, 40));
}

#[tokio::test]
async fn a_users_page_shows_roles_and_who_can_reset_the_password() {
    let mut h = Box::pin(roles()).await;
    h.open(BladeKind::Users).await;
    h.filter("adele").await;
    h.key(KeyCode::Enter).await;
    for _ in 0..40 {
        h.key(KeyCode::Down).await;
    }
    let screen = h.render(120, 40);
    assert!(
        screen.contains("Conditional Access Administrator") && screen.contains("active direct"),
        "{screen}"
    );
    assert!(
        screen.contains("active group Tier0 - Global Admins"),
        "{screen}"
    );
    assert!(
        screen.contains("Security Administrator")
            && screen.contains("eligible direct, until 2027-01-05"),
        "{screen}"
    );
    assert!(
        screen.contains("Reset password")
            && screen.contains("Privileged Authentication Administrator, Global Administrator"),
        "{screen}"
    );
}

#[tokio::test]
async fn removing_active_and_eligible_assignments() {
    let mut h = Box::pin(roles_with(false)).await;
    h.filter("global administrator").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Char('m')).await;
    h.filter("break glass 02").await;
    h.key(KeyCode::Char('d')).await;
    let w = h.app.write.as_ref().expect("confirm");
    assert!(
        w.title
            .contains("Remove Global Administrator from Break Glass 02 (active)"),
        "{}",
        w.title
    );
    assert_eq!(w.request.method.as_str(), "DELETE");
    h.key(KeyCode::Enter).await;
    assert!(matches!(
        h.app.write.as_ref().unwrap().phase,
        entra_console::app::write::Phase::Done(_)
    ));
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;
    assert!(
        !cells(&h).iter().any(|r| r[1] == "Break Glass 02"),
        "the list was read again"
    );
    // An eligible assignment goes through a PIM adminRemove request.
    {
        let tenant = h.server.state.tenant.read().unwrap();
        assert_eq!(tenant.roles.assignments.len(), 8);
        assert_eq!(tenant.roles.eligibility.len(), 4);
    }
    let eligible = h.app.tenant.roles.ready().unwrap().eligible[0].clone();
    let req = entra_console::blades::roles::remove_request(&serde_json::json!({
        "state": "eligible", "principalId": eligible["principalId"], "roleDefinitionId": eligible["roleDefinitionId"], "directoryScopeId": "/"
    }));
    assert_eq!(req.method.as_str(), "POST");
    h.client.send(&req).await.unwrap();
    assert_eq!(
        h.server
            .state
            .tenant
            .read()
            .unwrap()
            .roles
            .eligibility
            .len(),
        3
    );
}

#[tokio::test]
async fn assigning_a_role_through_the_picker() {
    let mut h = Box::pin(roles_with(false)).await;
    h.filter("security reader").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Char('m')).await;
    assert_eq!(cells(&h).len(), 1);
    h.key(KeyCode::Char('a')).await;
    h.type_str("olga").await;
    h.key(KeyCode::Enter).await; // search
    insta::assert_snapshot!("principal_picker_80x24", h.render(80, 24));
    h.key(KeyCode::Enter).await; // pick
    let w = h.app.write.as_ref().expect("confirm");
    assert!(
        w.title
            .contains("Assign Security Reader to Olga Ivanova (active, permanent)"),
        "{}",
        w.title
    );
    h.key(KeyCode::Enter).await;
    assert!(matches!(
        h.app.write.as_ref().unwrap().phase,
        entra_console::app::write::Phase::Done(_)
    ));
    h.key(KeyCode::Esc).await;
    assert_eq!(cells(&h).len(), 2, "{:?}", cells(&h));
    // Eligible through PIM.
    h.key(KeyCode::Char('A')).await;
    h.type_str("tier1").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    // PIM asks for a justification, then a duration.
    h.key(KeyCode::Enter).await;
    assert!(h.render(80, 24).contains("PIM asks for a justification"));
    h.type_str("Change CHG-1234").await;
    h.key(KeyCode::Enter).await;
    // Issue 23, item 6: 30 days (the shortest) is preselected; two → to 180 days.
    assert!(h.render(80, 24).contains("▸30 days"));
    h.key(KeyCode::Right).await;
    h.key(KeyCode::Right).await; // 180 days
    insta::assert_snapshot!("pim_duration_80x24", h.render(80, 24));
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().unwrap();
    let body = w.request.body.as_ref().unwrap();
    assert_eq!(body["action"], "adminAssign");
    assert_eq!(body["justification"], "Change CHG-1234");
    assert_eq!(body["scheduleInfo"]["expiration"]["duration"], "P180D");
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Esc).await;
    let rows = cells(&h);
    // Issue 11, item 9: an eligibility for 180 days ends in 180 days, not "permanent".
    let end = (chrono::Utc::now() + chrono::Duration::days(180))
        .format("%Y-%m-%d")
        .to_string();
    assert!(
        rows.iter()
            .any(|r| r[1] == "Tier1 - Helpdesk Admins" && r[3] == "eligible" && r[5] == end),
        "{end}: {rows:?}"
    );
}

/// Issue 12, §2: a background read that fails is said in the pane that needed it, never left
/// at "loading…".
#[tokio::test]
async fn a_failed_roles_read_is_said_on_the_users_page() {
    let mut h = Harness::session(entra_console::demo::DemoOptions {
        deny: vec!["roleManagement".into()],
        ..Default::default()
    })
    .await;
    h.open(BladeKind::Users).await;
    h.filter("Adele").await;
    h.key(KeyCode::Enter).await;
    // Tall enough for the sections the page reads (risk, sign-in methods, last sign-in).
    let screen = h.render(120, 80);
    assert!(
        screen.contains("unavailable") && screen.contains("Authorization_RequestDenied"),
        "{screen}"
    );
    assert!(!screen.contains("loading…"), "{screen}");
}

/// Issue 23, item 20: after a sync, Roles, My roles, Protected actions and `:whocan` work
/// offline from the cache (they were empty: "offline: no request was sent").
#[tokio::test]
async fn roles_and_protection_offline_after_a_sync() {
    let mut h = crate::common::Harness::new(false).await;
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(
        entra_console::cache::Store::open(&dir.path().join("cache.db"), true).unwrap(),
    );
    let said = entra_console::audit::cached::sync(&h.client, &store)
        .await
        .unwrap();
    assert_eq!(said, "audit reads (all)");
    h.store = Some(store);
    h.client = h.client.clone().offline();
    h.app.ctx.offline = true;
    h.app.tenant = Default::default();
    let sent = h.server.state.faults.log.lock().unwrap().len();
    let count = |h: &crate::common::Harness| {
        let View::List(l) = h.app.top() else {
            panic!("a list")
        };
        assert!(l.load.error.is_none(), "{:?}", l.load.error);
        l.table.len()
    };
    for blade in ["roles", "protected-actions", "auth-contexts", "my-roles"] {
        h.open(BladeKind::from_command(blade).unwrap()).await;
        assert!(count(&h) > 0, "{blade}: {}", h.render(120, 30));
    }
    let mine = cells(&h);
    assert!(
        mine.iter()
            .any(|r| r[0] == "Global Administrator via Tier0 - Global Admins"),
        "{mine:?}"
    );
    h.key(KeyCode::Char(':')).await;
    h.type_str("whocan microsoft.directory/conditionalAccessPolicies/create")
        .await;
    h.key(KeyCode::Enter).await;
    assert!(count(&h) > 0, "{}", h.render(120, 30));
    assert_eq!(
        h.server.state.faults.log.lock().unwrap().len(),
        sent,
        "nothing sent offline"
    );
}

/// A principal who holds the role tenant-wide already is refused before anything is sent
/// (Graph would answer a conflicting object).
#[tokio::test]
async fn a_holder_is_not_assigned_the_role_again() {
    let mut h = Box::pin(roles_with(false)).await;
    h.filter("security reader").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Char('m')).await;
    h.key(KeyCode::Char('a')).await;
    h.type_str("alex").await;
    h.key(KeyCode::Enter).await; // search
    h.key(KeyCode::Enter).await; // pick Alex Wilber, who holds it
    assert!(h.app.write.is_none());
    let toast = h.app.toast.as_ref().unwrap().text.clone();
    assert!(
        toast.contains("Alex Wilber already holds Security Reader (active, tenant-wide)"),
        "{toast}"
    );
}

/// Only the roles Entra documents as scopable to an administrative unit are offered one
/// (admin-units-assign-roles.md): Security Reader is assigned tenant-wide only and the units
/// are not even read; Helpdesk Administrator is offered the demo's two units.
#[tokio::test]
async fn administrative_units_are_offered_only_for_the_roles_that_take_them() {
    let mut h = Box::pin(roles_with(false)).await;
    for (role, who, units) in [
        ("security reader", "olga", false),
        ("helpdesk administrator", "olga", true),
    ] {
        h.filter(role).await;
        h.key(KeyCode::Enter).await;
        h.key(KeyCode::Char('m')).await;
        let reads = h.server.state.faults.log.lock().unwrap().len();
        h.key(KeyCode::Char('a')).await;
        h.type_str(who).await;
        h.key(KeyCode::Enter).await; // search
        h.key(KeyCode::Enter).await; // pick
        let w = h.app.write.as_ref().expect("a confirm");
        let options: Vec<String> = w
            .choice
            .as_ref()
            .unwrap()
            .options
            .iter()
            .map(|(l, _)| l.clone())
            .collect();
        let read_units = h.server.state.faults.log.lock().unwrap()[reads..]
            .iter()
            .any(|l| l.contains("/directory/administrativeUnits"));
        assert_eq!(read_units, units, "{role}");
        if units {
            assert!(
                options.len() > 1 && options[1].starts_with("AU "),
                "{options:?}"
            );
        } else {
            assert_eq!(options, ["tenant"], "{role}");
        }
        h.key(KeyCode::Esc).await;
        h.key(KeyCode::Esc).await;
        h.key(KeyCode::Esc).await;
        h.key(KeyCode::Esc).await;
    }
}

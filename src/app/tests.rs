//! Unit tests of `App::update`: request ids, staleness, redraw flags, navigation.

use super::*;
use crate::graph::Page;
use chrono::TimeZone;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

fn app() -> App {
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let ctx = Context {
        profile: "t".into(),
        tenant: "t".into(),
        read_only: false,
        step_up_blocker: None,
        profiles: vec!["demo".into(), "prod".into()],
        offline: false,
        break_glass: Vec::new(),
        waivers: None,
        plans: None,
        require_approval: Vec::new(),
        graph: "https://graph.microsoft.com".into(),
    };
    App::new(ctx, Theme::default_theme(), Keymap::builtin(), now)
}

fn page(index: usize, names: &[&str]) -> Page {
    Page {
        items: names
            .iter()
            .map(|n| json!({"id": n, "displayName": n}))
            .collect(),
        index,
        ..Default::default()
    }
}

fn fetch_id(effects: &[Effect]) -> RequestId {
    match effects.first() {
        Some(Effect::FetchPages { id, .. } | Effect::FetchObject { id, .. }) => *id,
        other => panic!("expected a fetch, got {other:?}"),
    }
}

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

#[test]
fn stale_results_are_dropped_latest_wins() {
    let mut a = app();
    let first = fetch_id(&a.init());
    let second = fetch_id(&a.update(key(KeyCode::Char('r'))));
    assert_ne!(first, second);
    a.update(Msg::Page {
        id: first,
        page: page(0, &["old"]),
    });
    let View::List(l) = a.top() else { panic!() };
    assert!(
        l.table.is_empty(),
        "a result for a superseded request was applied"
    );
    a.update(Msg::Page {
        id: second,
        page: page(0, &["new", "newer"]),
    });
    a.update(Msg::Page {
        id: second,
        page: page(1, &["newest"]),
    });
    a.update(Msg::Done {
        id: second,
        error: None,
    });
    let View::List(l) = a.top() else { panic!() };
    assert_eq!(l.table.len(), 3);
    assert!(!l.load.loading);
    // A late page of the finished request is dropped too.
    a.update(Msg::Page {
        id: second,
        page: page(0, &["late"]),
    });
    let View::List(l) = a.top() else { panic!() };
    assert_eq!(l.table.len(), 3);
}

#[test]
fn redraw_only_when_something_changed() {
    let mut a = app();
    let id = fetch_id(&a.init());
    a.update(Msg::Page {
        id,
        page: page(0, &["x"]),
    });
    a.update(Msg::Done { id, error: None });
    a.dirty = false;
    // Same second: the "as of" label does not change, nothing to draw.
    a.update(Msg::Tick(a.now + chrono::Duration::milliseconds(400)));
    assert!(!a.dirty);
    a.update(Msg::Tick(a.now + chrono::Duration::seconds(2)));
    assert!(a.dirty);
    a.dirty = false;
    a.update(key(KeyCode::Insert)); // unbound, and not a letter to explain
    assert!(!a.dirty);
    // An unbound letter is explained (issue 11, item 22).
    a.update(key(KeyCode::Char('Z')));
    assert!(a.toast.as_ref().unwrap().text.contains("Z does nothing"));
}

#[test]
fn enter_drills_down_and_esc_comes_back() {
    let mut a = app();
    let id = fetch_id(&a.init());
    a.update(Msg::Page {
        id,
        page: page(0, &["g1", "g2"]),
    });
    let effects = a.update(key(KeyCode::Enter));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::FetchObject { .. }, Effect::LoadRoles { .. }]
        ),
        "{effects:?}"
    );
    assert_eq!(a.breadcrumbs(), ["Groups", "g1"]);
    let effects = a.update(key(KeyCode::Char('m')));
    let members = fetch_id(&effects);
    assert_eq!(a.breadcrumbs(), ["Groups", "g1", "Members"]);
    // Leaving the members while they page in cancels their read (issue 12, §2).
    let effects = a.update(key(KeyCode::Esc));
    assert!(
        matches!(effects.as_slice(), [Effect::Cancel(id)] if *id == members),
        "{effects:?}"
    );
    a.update(key(KeyCode::Esc));
    a.update(key(KeyCode::Esc));
    assert_eq!(a.breadcrumbs(), ["Groups"]);
}

/// `:ctx` forgets everything read from the previous tenant, and the ids of its reads: a
/// user's page reads the new tenant's roles instead of answering from the old ones.
#[test]
fn switching_profile_forgets_the_previous_tenant() {
    let mut a = app();
    let id = fetch_id(&a.init());
    a.update(Msg::Page {
        id,
        page: page(0, &["g1"]),
    });
    a.tenant.roles = super::tenant::Loadable::Ready(crate::roles::RoleFacts::default());
    a.tenant.names.insert("x".into(), "old name".into());
    // A verb's read of the old tenant is in flight (the administrative units before an
    // assignment; its task is aborted by the switch).
    a.pending_read = Some((
        999,
        crate::blades::ReadThen {
            with: serde_json::Value::Null,
            run: |_, _| vec![crate::blades::Step::say("continued")],
        },
    ));
    a.tenant.facts_request = Some(998);
    a.switched(a.ctx.clone());
    assert!(
        matches!(a.tenant.roles, super::tenant::Loadable::Idle)
            && a.tenant.names.is_empty()
            && a.tenant.facts.is_none()
    );
    // The old read's ids are forgotten: its late answer is dropped, a new read is not skipped.
    assert!(a.pending_read.is_none() && a.tenant.facts_request.is_none());
    a.update(Msg::Checked {
        id: 999,
        result: Ok(serde_json::json!({"value": [{"id": "au1", "displayName": "Old AU"}]})),
    });
    assert!(
        !a.messages.iter().any(|m| m.text == "continued"),
        "the old tenant's read is not continued"
    );
    let id = fetch_id(&a.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('r'),
        KeyModifiers::NONE,
    ))));
    a.update(Msg::Page {
        id,
        page: page(0, &["g1"]),
    });
    let effects = a.update(key(KeyCode::Enter));
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadRoles { .. })),
        "the new tenant's roles are read: {effects:?}"
    );
}

#[test]
fn errors_are_shown_and_rows_kept() {
    let mut a = app();
    let id = fetch_id(&a.init());
    a.update(Msg::Page {
        id,
        page: page(0, &["kept"]),
    });
    let api = crate::graph::ApiError {
        status: 503,
        code: "ServiceUnavailable".into(),
        message: "try later".into(),
        request_id: Some("rid".into()),
        ..Default::default()
    };
    a.update(Msg::Done {
        id,
        error: Some(crate::graph::GraphError::Api(Box::new(api))),
    });
    let View::List(l) = a.top() else { panic!() };
    assert_eq!(l.table.len(), 1);
    assert!(l.load.error.as_deref().unwrap().contains("request-id rid"));
}

#[test]
fn palette_unknown_name_is_reported() {
    let mut a = app();
    a.init();
    a.update(key(KeyCode::Char(':')));
    for c in "zzz".chars() {
        a.update(key(KeyCode::Char(c)));
    }
    a.update(key(KeyCode::Enter));
    assert!(a.toast.as_ref().unwrap().error);
    assert_eq!(a.breadcrumbs(), ["Groups"]);
}

#[test]
fn nav_focus_switches_blades() {
    let mut a = app();
    a.init();
    a.update(key(KeyCode::Tab));
    a.update(key(KeyCode::Down));
    let effects = a.update(key(KeyCode::Enter));
    // The Groups read still in flight is cancelled, then Users load, with their risk.
    assert!(
        matches!(
            effects.as_slice(),
            [
                Effect::Cancel(_),
                Effect::FetchPages { .. },
                Effect::Join { .. }
            ]
        ),
        "{effects:?}"
    );
    assert_eq!(a.blade, BladeKind::Users);
    assert!(!a.nav_focus);
}

#[test]
fn throttling_is_a_status_not_a_failure() {
    let mut a = app();
    let id = fetch_id(&a.init());
    a.update(Msg::Retrying(crate::graph::RetryNotice {
        reason: "throttled (429)".into(),
        wait: std::time::Duration::from_millis(2500),
        attempt: 1,
    }));
    let t = a.toast.clone().unwrap();
    assert_eq!(t.text, "throttled (429), retrying in 3 s");
    assert!(!t.error);
    let View::List(l) = a.top() else { panic!() };
    assert!(l.load.error.is_none() && l.load.request == Some(id));
}

#[test]
fn ctx_offers_profiles_and_switches() {
    let mut a = app();
    a.init();
    a.update(key(KeyCode::Char(':')));
    for c in "ctx p".chars() {
        a.update(key(KeyCode::Char(c)));
    }
    let effects = a.update(key(KeyCode::Enter));
    let [Effect::SwitchProfile { id: first, name }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(name, "prod");
    let first = *first;
    // A second :ctx before the first lands: the last asked wins, the first is dropped.
    a.update(key(KeyCode::Char(':')));
    for c in "ctx demo".chars() {
        a.update(key(KeyCode::Char(c)));
    }
    let effects = a.update(key(KeyCode::Enter));
    let [Effect::SwitchProfile { id: second, .. }] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(a.switch_request == Some(*second) && *second != first);
    a.update(Msg::SwitchFailed(first, "late".into()));
    assert!(
        !a.toast.as_ref().unwrap().text.contains("late"),
        "a stale failure is dropped"
    );
    let mut ctx = a.ctx.clone();
    ctx.profile = "prod".into();
    a.write = None;
    let effects = a.switched(ctx);
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Cancel(_), Effect::FetchPages { .. }]
        ),
        "{effects:?}"
    );
    assert_eq!(a.ctx.profile, "prod");
    assert_eq!(a.breadcrumbs(), ["Groups"]);
}

#[test]
fn a_policy_write_waits_for_the_guard_and_warns_without_break_glass() {
    let mut a = app();
    let id = fetch_id(&a.switch_blade(crate::blades::BladeKind::CaPolicies));
    let block = json!({"id": "p1", "displayName": "Block all", "state": "disabled",
        "conditions": {"users": {"includeUsers": ["All"]}, "applications": {"includeApplications": ["All"]}},
        "grantControls": {"operator": "OR", "builtInControls": ["block"]}});
    a.update(Msg::Page {
        id,
        page: Page {
            items: vec![block],
            ..Default::default()
        },
    });
    let mut effects = a.update(key(KeyCode::Char('t')));
    // The picker opens on the current state (Off); → moves to On.
    effects.extend(a.update(key(KeyCode::Right)));
    let guard_id = effects
        .iter()
        .rev()
        .find_map(|e| match e {
            Effect::LoadGuard { id, accounts } => {
                assert!(accounts.is_empty());
                Some(*id)
            }
            _ => None,
        })
        .expect("the guard's accounts are read");
    let r = a.write.as_ref().unwrap().review.clone().unwrap();
    assert!(
        r.guard_pending,
        "Off -> On of a block policy waits for the guard"
    );
    assert!(
        r.warnings.iter().any(|w| w.contains("no break-glass")),
        "{r:?}"
    );
    // Enter does not send while the guard is reading.
    let sent = a.update(key(KeyCode::Enter));
    assert!(
        sent.iter()
            .all(|e| !matches!(e, Effect::Write { .. } | Effect::FetchObject { .. }))
    );
    let me = crate::ca::guard::Account {
        label: "admin@x".into(),
        id: Some("me1".into()),
        guest: Some(false),
        groups: Some(Default::default()),
        roles: Some(Default::default()),
        me: true,
        problem: None,
    };
    a.update(Msg::Guard {
        id: guard_id,
        facts: crate::ca::guard::GuardFacts { accounts: vec![me] },
    });
    let r = a.write.as_ref().unwrap().review.clone().unwrap();
    assert_eq!(r.lockouts.len(), 1, "{r:?}");
    assert!(r.lockouts[0].starts_with("you (admin@x)"), "{r:?}");
}

/// Issue 11, item 12: an object without an id is never acted on: no write opens, nothing is
/// sent, and the refusal says why.
#[test]
fn a_write_naming_an_object_without_an_id_is_refused() {
    let mut a = app();
    let req = crate::graph::resources::role_assignments::assign_request("role-1", "", None);
    let effects = a.begin_write("Assign".into(), String::new(), req, None, None);
    assert!(effects.is_empty());
    assert!(a.write.is_none(), "no confirm for an empty principalId");
    let t = a.toast.as_ref().unwrap();
    assert!(
        t.error && t.text.contains("principalId is empty"),
        "{}",
        t.text
    );
    let req = crate::blades::protected::context_request("", Some("c1"));
    a.begin_write("Set".into(), String::new(), req, None, None);
    assert!(a.write.is_none(), "no PATCH of .../resourceActions/");
}

/// Issue 11, item 23: `:ctx NAME` for a profile that does not exist names the ones that do.
#[test]
fn ctx_to_an_unknown_profile_names_the_profiles() {
    let mut a = app();
    a.update(Msg::Key(KeyEvent::new(
        KeyCode::Char(':'),
        KeyModifiers::NONE,
    )));
    for c in "ctx staging".chars() {
        a.update(Msg::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )));
    }
    a.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    let t = a.toast.as_ref().unwrap();
    assert!(
        t.text.contains("no profile \"staging\"") && t.text.contains("demo, prod"),
        "{}",
        t.text
    );
}

/// The risk joined to Users: an older read arriving late is dropped; a read that fails takes
/// the earlier risk off the rows (blank, never stale); rows arriving after a read get it.
#[test]
fn a_join_is_latest_wins_and_never_stale() {
    use crate::blades::BladeKind;
    let mut a = app();
    a.init();
    let join_id = |effects: &[Effect]| {
        effects
            .iter()
            .find_map(|e| match e {
                Effect::Join { id, .. } => Some(*id),
                _ => None,
            })
            .expect("a join read")
    };
    let e = a.switch_blade(BladeKind::Users);
    let (list, old) = (fetch_id(&e[1..]), join_id(&e));
    a.update(Msg::Page {
        id: list,
        page: page(0, &["u1", "u2"]),
    });
    let risk = |a: &App, id: &str| {
        let View::List(l) = a.top() else { panic!() };
        let r = l.table.all_rows().find(|r| r.id() == id).unwrap();
        r.cells[7].to_string()
    };
    let high = |id: &str| -> crate::blades::join::Joined {
        [(
            id.to_string(),
            json!({"riskLevel": "high", "riskState": "atRisk"}),
        )]
        .into_iter()
        .collect()
    };
    let join = &crate::blades::users::RISK;
    // A refresh starts a newer read; the older answer is dropped.
    let e = a.update(key(KeyCode::Char('r')));
    let new = join_id(&e);
    let list = fetch_id(&e);
    a.update(Msg::Joined {
        id: old,
        join,
        result: Ok(high("u1")),
    });
    assert_eq!(risk(&a, "u1"), "", "an older read is dropped");
    a.update(Msg::Joined {
        id: new,
        join,
        result: Ok(high("u1")),
    });
    assert_eq!(risk(&a, "u1"), "high");
    // A row arriving after the read gets it too.
    a.update(Msg::Page {
        id: list,
        page: page(1, &["u3"]),
    });
    let e = a.update(key(KeyCode::Char('r')));
    let (list, failing) = (fetch_id(&e), join_id(&e));
    a.update(Msg::Page {
        id: list,
        page: page(0, &["u1", "u2"]),
    });
    assert_eq!(
        risk(&a, "u1"),
        "high",
        "pages use the last read until the next"
    );
    a.update(Msg::Joined {
        id: failing,
        join,
        result: Err("403".into()),
    });
    assert_eq!(risk(&a, "u1"), "", "a failed read leaves no stale risk");
}

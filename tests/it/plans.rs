//! Change plans through the binary against the demo tenant: Adele plans Chen Wei's
//! containment with approval required (nothing sent, no password in the file); she cannot
//! apply it herself; Grace, another admin, applies it and the journal names both; a plan whose
//! user was blocked by hand since is shown with that change and refused; an expired plan is
//! refused.

use entra_console::demo::{self, DemoOptions, DemoServer};
use serde_json::{Value, json};

const CHEN: &str = "chen.wei@tailspindemo.onmicrosoft.com";

fn writes(s: &DemoServer) -> Vec<String> {
    s.writes()
}

/// A delegated token for a demo user (the demo reads `oid` as the signed-in user).
fn token_for(s: &DemoServer, upn: &str) -> String {
    let id = s.state.tenant.read().unwrap().user(upn).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let b = |v: Value| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
    };
    format!(
        "{}.{}.demo-signature",
        b(json!({"typ": "JWT", "alg": "none"})),
        b(json!({"oid": id, "upn": upn, "exp": 9_999_999_999i64}))
    )
}

/// The binary as `who` (None: the demo admin, Adele Vance) against the demo server.
fn run(
    s: &DemoServer,
    home: &std::path::Path,
    who: Option<&str>,
    args: &[&str],
) -> (i32, String, String) {
    let mut c = crate::common::bin(home, true);
    if let Some(upn) = who {
        c.env("ENTRA_CONSOLE_ACCESS_TOKEN", token_for(s, upn));
    }
    let out = c
        .args(["--graph-url", &s.url()])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A demo tenant on its own runtime, and a private home for the binary.
fn tenant() -> (tokio::runtime::Runtime, DemoServer, tempfile::TempDir) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let s = rt.block_on(demo::start(DemoOptions::default())).unwrap();
    (rt, s, tempfile::tempdir().unwrap())
}

/// Chen Wei's sign-in blocked, saved as a plan by Adele (nothing sent).
fn plan_to_block_chen(s: &DemoServer, home: &std::path::Path, plan: &str) {
    let (code, _, err) = run(
        s,
        home,
        None,
        &["contain", CHEN, "--disable", "--plan", plan],
    );
    assert_eq!(code, 0, "{err}");
}

fn enabled(s: &DemoServer) -> Value {
    s.state.tenant.read().unwrap().user(CHEN).unwrap()["accountEnabled"].clone()
}

#[test]
fn four_eyes_review_and_expiry() {
    let (_rt, s, home) = tenant();
    let plan = home.path().join("plans/contain-chen.json");
    let p = plan.to_str().unwrap();
    let (code, _, err) = run(
        &s,
        home.path(),
        None,
        &[
            "contain",
            CHEN,
            "--disable",
            "--revoke",
            "--reset-password",
            "--plan",
            p,
            "--approval",
            "required",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("nothing sent"), "{err}");
    assert!(
        writes(&s).is_empty(),
        "planning sends nothing: {:?}",
        writes(&s)
    );
    let text = std::fs::read_to_string(&plan).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["approval"], "required");
    assert_eq!(
        v["author"]["upn"],
        "adele.vance@tailspindemo.onmicrosoft.com"
    );
    assert_eq!(v["writes"].as_array().unwrap().len(), 3);
    assert_eq!(v["writes"][0]["before"], json!({"accountEnabled": true}));
    assert_eq!(v["writes"][2]["generate"], "password");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&plan).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    // The author cannot apply it.
    let (code, _, err) = run(&s, home.path(), None, &["plan", "apply", p, "--yes"]);
    assert_eq!(code, 1);
    assert!(err.contains("you are the author"), "{err}");
    assert!(writes(&s).is_empty());
    // Without --yes and without a terminal: the review, then exit 1, nothing sent.
    let grace = Some("grace.lee@tailspindemo.onmicrosoft.com");
    let (code, out, err) = run(&s, home.path(), grace, &["plan", "apply", p]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("1. block sign-in: Chen Wei"), "{out}");
    assert!(err.contains("--yes applies it"), "{err}");
    assert!(writes(&s).is_empty());
    // Grace applies it: in order, a password made now and printed once.
    let cache = home.path().join("grace.db");
    let (code, out, err) = run(
        &s,
        home.path(),
        grace,
        &[
            "--cache",
            cache.to_str().unwrap(),
            "plan",
            "apply",
            p,
            "--yes",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(enabled(&s), json!(false));
    let w = writes(&s);
    assert_eq!(w.len(), 3, "{w:?}");
    assert!(
        w[0].starts_with("PATCH") && w[1].contains("revokeSignInSessions"),
        "{w:?}"
    );
    let pw = out
        .lines()
        .find_map(|l| l.strip_prefix("temporary password: "))
        .expect("the password, once")
        .to_string();
    assert!(!std::fs::read_to_string(&plan).unwrap().contains(&pw));
    let store = entra_console::cache::Store::open(&cache, true).unwrap();
    let journal = store.journal().unwrap();
    let text = serde_json::to_string(&journal).unwrap();
    assert!(!text.contains(&pw), "the journal keeps no password");
    let planned: Vec<&Value> = journal
        .iter()
        .filter(|e| e.to_string().contains(v["id"].as_str().unwrap()))
        .collect();
    assert_eq!(planned.len(), 3, "{journal:?}");
    for e in planned {
        let s = e.to_string();
        assert!(
            s.contains("adele.vance@tailspindemo.onmicrosoft.com"),
            "author: {s}"
        );
        assert!(
            s.contains("grace.lee@tailspindemo.onmicrosoft.com"),
            "approver: {s}"
        );
    }
    // Applied once: never again from this journal.
    let (code, _, err) = run(
        &s,
        home.path(),
        grace,
        &[
            "--cache",
            cache.to_str().unwrap(),
            "plan",
            "apply",
            p,
            "--yes",
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("was applied already"), "{err}");
}

/// An edited plan file is not trusted: a write retargeted at another object, a plan that
/// acts on the admin applying it, dates this console never writes, and the profile's own
/// require_approval, whatever the file's approval says.
#[test]
fn an_edited_plan_is_refused() {
    let (_rt, s, home) = tenant();
    let plan = home.path().join("p.json");
    let p = plan.to_str().unwrap();
    plan_to_block_chen(&s, home.path(), p);
    let original: Value = serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    let apply = |v: &Value| {
        std::fs::write(&plan, v.to_string()).unwrap();
        run(&s, home.path(), None, &["plan", "apply", p, "--yes"])
    };
    // Retargeted at Adele herself (the applier): the path no longer matches the named object.
    let adele = s
        .state
        .tenant
        .read()
        .unwrap()
        .user("adele.vance@tailspindemo.onmicrosoft.com")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut v = original.clone();
    v["writes"][0]["path"] = json!(format!("/users/{adele}"));
    let (code, out, _) = apply(&v);
    assert_eq!(code, 1);
    assert!(out.contains("the plan was edited"), "{out}");
    // Aimed at her with the object too: the guard refuses acting on the applier.
    v["writes"][0]["object"]["path"] = json!(format!("/users/{adele}"));
    v["writes"][0]["object"]["name"] = json!("Adele Vance");
    let (code, out, _) = apply(&v);
    assert_eq!(code, 1);
    assert!(out.contains("it acts on you"), "{out}");
    // Dates this console never writes.
    let mut v = original.clone();
    v["expires"] = json!("2099-01-01T00:00:00Z");
    let (code, _, err) = apply(&v);
    assert_eq!(code, 1);
    assert!(
        err.contains("dates are not ones this console writes"),
        "{err}"
    );
    // The profile gives user changes to a second admin: the author is refused, approval none.
    let config = home.path().join("config").join("entra-console");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        format!(
            "[profiles.default]\ngraph_url = \"{}\"\nrequire_approval = [\"users:update\"]\n",
            s.url()
        ),
    )
    .unwrap();
    let (code, _, err) = apply(&original);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("needs a second admin"), "{err}");
    assert!(writes(&s).is_empty(), "nothing was ever sent");
}

#[test]
fn a_change_since_the_plan_refuses_it_and_an_expired_plan_is_refused() {
    let (_rt, s, home) = tenant();
    let plan = home.path().join("p.json");
    let p = plan.to_str().unwrap();
    plan_to_block_chen(&s, home.path(), p);
    // Someone blocks Chen by hand meanwhile.
    {
        let mut t = s.state.tenant.write().unwrap();
        let id = t.user(CHEN).unwrap()["id"].as_str().unwrap().to_string();
        let u = t.users.iter_mut().find(|u| u["id"] == id.as_str()).unwrap();
        u["accountEnabled"] = json!(false);
    }
    let (code, out, err) = run(&s, home.path(), None, &["plan", "apply", p, "--yes"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains("accountEnabled was true when planned, is false now"),
        "{out}"
    );
    assert!(err.contains("nothing applied"), "{err}");
    assert!(writes(&s).is_empty());
    // Past its expiry: refused before the tenant is asked anything about it.
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    v["created"] = json!("2019-12-31T00:00:00Z");
    v["expires"] = json!("2020-01-01T00:00:00Z");
    std::fs::write(&plan, v.to_string()).unwrap();
    let (code, _, err) = run(&s, home.path(), None, &["plan", "apply", p, "--yes"]);
    assert_eq!(code, 1);
    assert!(err.contains("expired on 2020-01-01"), "{err}");
    // `plan show` reads it for a person, offline.
    let (code, out, _) = run(&s, home.path(), None, &["plan", "show", p]);
    assert_eq!(code, 0);
    assert!(
        out.contains("# Plan PLAN-") && out.contains("Approval: none"),
        "{out}"
    );
    assert!(
        out.contains("Not applicable as it is:** plan"),
        "expired, said: {out}"
    );
}

/// `S` in any confirm saves the write as a plan instead of sending it; a profile's
/// `require_approval` write offers only that.
#[tokio::test]
async fn s_in_a_confirm_saves_a_plan_and_require_approval_offers_only_that() {
    use crossterm::event::KeyCode;
    use entra_console::app::write::Phase;
    use entra_console::blades::BladeKind;
    let mut h = crate::common::Harness::session(DemoOptions::default()).await;
    let dir = tempfile::tempdir().unwrap();
    h.app.ctx.plans = Some(dir.path().join("plans"));
    let sent = |h: &crate::common::Harness| {
        h.server
            .requests()
            .iter()
            .filter(|l| l.starts_with("PATCH"))
            .count()
    };
    h.open(BladeKind::CaPolicies).await;
    h.filter("CA012").await;
    h.key(KeyCode::Char('t')).await;
    h.key(KeyCode::Right).await;
    assert!(h.render(100, 30).contains("save as plan"));
    h.key(KeyCode::Char('S')).await;
    assert!(
        h.app.write.is_none(),
        "the confirm closes once the plan is written"
    );
    let said = h.app.toast.as_ref().unwrap().text.clone();
    assert!(
        said.contains("nothing was sent") && said.contains("plan apply"),
        "{said}"
    );
    assert_eq!(sent(&h), 0);
    let files: Vec<_> = std::fs::read_dir(dir.path().join("plans"))
        .unwrap()
        .collect();
    assert_eq!(files.len(), 1);
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(files[0].as_ref().unwrap().path()).unwrap())
            .unwrap();
    assert_eq!(v["approval"], "none");
    assert_eq!(
        v["author"]["upn"],
        "adele.vance@tailspindemo.onmicrosoft.com"
    );
    let w = &v["writes"][0];
    assert_eq!(w["method"], "PATCH");
    assert!(
        w["path"]
            .as_str()
            .unwrap()
            .starts_with("/identity/conditionalAccess/policies/")
    );
    assert_eq!(
        w["body"],
        json!({"state": "enabledForReportingButNotEnforced"})
    );
    assert_eq!(w["before"], json!({"state": "enabled"}));
    // A profile that gives Conditional Access changes to a second admin.
    h.app.ctx.require_approval = vec!["ca-policies:*".into()];
    h.key(KeyCode::Char('t')).await;
    h.key(KeyCode::Right).await;
    let screen = h.render(100, 30);
    assert!(screen.contains("a second admin applies it"), "{screen}");
    h.key(KeyCode::Enter).await;
    assert_eq!(
        h.app.write.as_ref().map(|w| w.phase.clone()),
        Some(Phase::Confirm),
        "Enter sends nothing"
    );
    assert!(
        h.app
            .toast
            .as_ref()
            .unwrap()
            .text
            .contains("needs a second admin")
    );
    assert_eq!(sent(&h), 0);
    h.key(KeyCode::Char('S')).await;
    let newest = std::fs::read_dir(dir.path().join("plans"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| std::fs::read_to_string(e.path()).unwrap())
        .find(|t| t.contains("\"required\""));
    assert!(newest.is_some(), "the second plan needs approval");
}

/// The demo signs in any of its users with `demo-refresh-token:UPN` (a second admin for four
/// eyes), and keeps signing in that user with the refresh token it hands back.
#[test]
fn a_demo_refresh_token_names_the_user_it_signs_in() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let s = rt.block_on(demo::start(DemoOptions::default())).unwrap();
    let http = reqwest::Client::new();
    let base = s.url();
    let root = base.trim_end_matches('/').to_string();
    let me = |refresh: String| {
        let http = http.clone();
        let root = root.clone();
        async move {
            let t: Value = http
                .post(format!("{root}/organizations/oauth2/v2.0/token"))
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh.as_str()),
                    ("client_id", "14d82eec-204b-4c2f-b7e8-296a70dab67e"),
                ])
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let token = t["access_token"]
                .as_str()
                .unwrap_or_else(|| panic!("{t}"))
                .to_string();
            let me: Value = http
                .get(format!("{root}/v1.0/me"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            (
                me["userPrincipalName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                t["refresh_token"].as_str().unwrap_or_default().to_string(),
            )
        }
    };
    rt.block_on(async {
        let (who, _) = me("demo-refresh-token".into()).await;
        assert_eq!(who, "adele.vance@tailspindemo.onmicrosoft.com");
        let (who, next) =
            me("demo-refresh-token:grace.lee@tailspindemo.onmicrosoft.com".into()).await;
        assert_eq!(who, "grace.lee@tailspindemo.onmicrosoft.com");
        let (again, _) = me(next).await;
        assert_eq!(
            again, "grace.lee@tailspindemo.onmicrosoft.com",
            "the refresh token keeps the user"
        );
    });
}

/// A plan that would lock out the admin applying it (an enabled block for everyone) is refused
/// by the lockout guard at apply time, as the console's confirm refuses it.
#[test]
fn the_lockout_guard_refuses_a_plan_at_apply_time() {
    let (_rt, s, home) = tenant();
    let file = home.path().join("block-all.json");
    let now = chrono::Utc::now();
    let plan = json!({
        "format": entra_console::plan::FORMAT,
        "id": "PLAN-test",
        "title": "Block everyone",
        "tenant": "127.0.0.1",
        "profile": "default",
        "author": {"id": "someone-else", "upn": "someone@else"},
        "created": now,
        "expires": now + chrono::Duration::days(1),
        "approval": "none",
        "writes": [{
            "words": "Create \"Block all\"",
            "method": "POST",
            "path": "/identity/conditionalAccess/policies",
            "body": {"displayName": "Block all", "state": "enabled",
                "conditions": {"users": {"includeUsers": ["All"]},
                    "applications": {"includeApplications": ["All"]}, "clientAppTypes": ["all"]},
                "grantControls": {"operator": "OR", "builtInControls": ["block"]}}
        }]
    });
    std::fs::write(&file, plan.to_string()).unwrap();
    let (code, out, err) = run(
        &s,
        home.path(),
        None,
        &["plan", "apply", file.to_str().unwrap(), "--yes"],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("The lockout guard refuses"), "{out}");
    assert!(err.contains("lock out"), "{err}");
    assert!(writes(&s).is_empty(), "nothing sent");
}

/// `groups add-members --plan`: the same report, nothing sent, the PATCHes saved; applied
/// later, the members are there.
#[test]
fn a_bulk_add_saved_as_a_plan_and_applied() {
    let (_rt, s, home) = tenant();
    let csv = home.path().join("m.csv");
    std::fs::write(
        &csv,
        "version:v1.0\nmemberObjectIdOrUpn\nchen.wei@tailspindemo.onmicrosoft.com\nnobody@tailspindemo.onmicrosoft.com\n",
    )
    .unwrap();
    let plan = home.path().join("add.json");
    let (code, out, err) = run(
        &s,
        home.path(),
        None,
        &[
            "groups",
            "add-members",
            "Legal Team",
            csv.to_str().unwrap(),
            "--plan",
            plan.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "one row is not found: {out}{err}");
    assert!(
        out.contains("chen.wei@tailspindemo.onmicrosoft.com -> would be added"),
        "{out}"
    );
    assert!(err.contains("nothing sent"), "{err}");
    assert!(writes(&s).is_empty());
    let (code, out, err) = run(
        &s,
        home.path(),
        None,
        &["plan", "apply", plan.to_str().unwrap(), "--yes"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let w = writes(&s);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].starts_with("PATCH /v1.0/groups/"), "{w:?}");
    let t = s.state.tenant.read().unwrap();
    let chen = t.user(CHEN).unwrap()["id"].as_str().unwrap().to_string();
    let legal = t
        .groups
        .iter()
        .find(|g| g["displayName"] == "Legal Team")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(t.members[&legal].contains(&chen));
}

/// `:plan FILE` in the console: a saved plan reviewed and applied through the write confirm,
/// journaled under the plan's id; one whose policy changed since is refused.
#[tokio::test]
async fn a_plan_is_applied_from_the_console() {
    use crossterm::event::KeyCode;
    use entra_console::app::write::Phase;
    use entra_console::blades::BladeKind;
    let mut h = crate::common::Harness::session(DemoOptions::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(
        entra_console::cache::Store::open(&dir.path().join("c.db"), true).unwrap(),
    );
    h.store = Some(store.clone());
    h.app.ctx.plans = Some(dir.path().join("plans"));
    h.open(BladeKind::CaPolicies).await;
    h.filter("CA012").await;
    h.key(KeyCode::Char('t')).await;
    h.key(KeyCode::Right).await;
    h.key(KeyCode::Char('S')).await;
    let file = std::fs::read_dir(dir.path().join("plans"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let id = serde_json::from_str::<Value>(&std::fs::read_to_string(&file).unwrap()).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let state = |h: &crate::common::Harness| {
        h.server
            .state
            .tenant
            .read()
            .unwrap()
            .policy
            .policies
            .iter()
            .find(|p| p["displayName"].as_str().unwrap().starts_with("CA012"))
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(state(&h), "enabled", "saving sent nothing");
    h.key(KeyCode::Char(':')).await;
    h.type_str(&format!("plan {}", file.display())).await;
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().expect("the plan's confirm");
    assert!(
        w.title.starts_with(&format!("Apply plan {id}")),
        "{}",
        w.title
    );
    assert_eq!(w.phase, Phase::Confirm, "nothing sent before Enter");
    h.key(KeyCode::Enter).await;
    if h.app.write.as_ref().map(|w| w.phase.clone()) == Some(Phase::Challenged) {
        h.key(KeyCode::Enter).await;
    }
    assert!(
        matches!(h.app.write.as_ref().map(|w| &w.phase), Some(Phase::Done(_))),
        "{:?}",
        h.app.write.as_ref().map(|w| &w.phase)
    );
    assert_eq!(state(&h), "enabledForReportingButNotEnforced");
    let journal = store.journal().unwrap();
    assert!(
        journal
            .iter()
            .any(|e| e["incident"] == id.as_str() && e["outcome"] == "ok"),
        "{journal:?}"
    );
    // Applied already: the policy is not what the plan saw, so a second run is refused.
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char(':')).await;
    h.type_str(&format!("plan {}", file.display())).await;
    h.key(KeyCode::Enter).await;
    assert!(h.app.write.is_none());
    let said = h.app.toast.as_ref().unwrap().text.clone();
    assert!(said.contains("was applied already"), "{said}");
}

/// A plan write whose answer is lost after it reached the tenant is reported as possibly
/// carried out, journaled "unknown", never sent again, and the plan is not applied twice.
#[test]
fn a_lost_answer_is_unknown_and_never_sent_twice() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let s = rt
        .block_on(demo::start(DemoOptions {
            fault_after_rate: 1.0,
            ..Default::default()
        }))
        .unwrap();
    let home = tempfile::tempdir().unwrap();
    let plan = home.path().join("p.json");
    let p = plan.to_str().unwrap();
    let (code, _, err) = run(
        &s,
        home.path(),
        None,
        &["contain", CHEN, "--revoke", "--plan", p],
    );
    assert_eq!(code, 0, "{err}");
    let cache = home.path().join("c.db");
    let c = cache.to_str().unwrap();
    let (code, _, err) = run(
        &s,
        home.path(),
        None,
        &["--cache", c, "plan", "apply", p, "--yes"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("may have carried it out"), "{err}");
    assert_eq!(writes(&s).len(), 1, "sent once: {:?}", writes(&s));
    let store = entra_console::cache::Store::open(&cache, true).unwrap();
    let journal = store.journal().unwrap();
    assert!(
        journal.iter().any(|e| e["outcome"]
            .as_str()
            .unwrap_or_default()
            .starts_with("unknown")),
        "{journal:?}"
    );
    drop(store);
    let (code, _, err) = run(
        &s,
        home.path(),
        None,
        &["--cache", c, "plan", "apply", p, "--yes"],
    );
    assert_eq!(code, 1);
    assert!(err.contains("may have been applied"), "{err}");
    assert_eq!(writes(&s).len(), 1, "not sent again");
}

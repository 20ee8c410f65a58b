//! Containing a compromised user against the demo tenant (issue 25): revoke sessions, block
//! sign-in (guarded for break-glass accounts), a Temporary Access Pass and a password shown once
//! and kept nowhere, the authentication methods with the one added yesterday deleted; and a
//! lesser admin told before anything is sent that their roles cannot reset a Global
//! Administrator.

use crate::common::Harness;
use crossterm::event::KeyCode;
use entra_console::app::View;
use entra_console::app::write::Phase;
use entra_console::blades::BladeKind;

const CHEN: &str = "b3fb95ee-2243-4045-a800-e67e527f5da6";

/// The writes the demo received ("METHOD path"), in order.
fn writes(h: &Harness) -> Vec<String> {
    h.server.writes()
}

fn user_field(h: &Harness, field: &str) -> serde_json::Value {
    let t = h.server.state.tenant.read().unwrap();
    t.user(CHEN).unwrap()[field].clone()
}

fn done(h: &Harness) -> bool {
    matches!(h.app.write.as_ref().map(|w| &w.phase), Some(Phase::Done(_)))
}

#[tokio::test]
async fn contain_chen_wei_from_risky_users() {
    let mut h = Harness::session(Default::default()).await;
    h.open(BladeKind::from_command("risky-users").unwrap())
        .await;
    h.filter("Chen").await;

    // Revoke: the confirm says what it does not do; nothing is sent before Enter.
    h.key(KeyCode::Char('R')).await;
    let title = h.app.write.as_ref().expect("a confirm").title.clone();
    assert!(
        title.contains("Chen Wei") && title.contains("access tokens already issued"),
        "{title}"
    );
    assert!(writes(&h).is_empty());
    h.key(KeyCode::Enter).await;
    assert!(done(&h));
    assert!(user_field(&h, "signInSessionsValidFromDateTime").is_string());
    h.key(KeyCode::Esc).await;

    // Block sign-in (who is signed in is read first; Chen is neither them nor break-glass).
    h.key(KeyCode::Char('t')).await;
    let w = h.app.write.as_ref().expect("a confirm");
    let changes = w.changes().join("\n");
    assert!(
        w.title.contains("Chen Wei") && changes.contains("blocked"),
        "{changes}"
    );
    h.key(KeyCode::Enter).await;
    assert!(done(&h));
    assert_eq!(user_field(&h, "accountEnabled"), false);
    h.key(KeyCode::Esc).await;

    // A Temporary Access Pass: the lifetime asked, one sign-in chosen, shown once.
    h.key(KeyCode::Char('T')).await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    assert!(done(&h));
    let pass = h
        .app
        .write
        .as_ref()
        .unwrap()
        .shown
        .clone()
        .expect("the pass")
        .0;
    assert!(pass.len() >= 8);
    let screen = h.render_full(100, 40);
    assert!(screen.contains(&pass), "{screen}");
    // `y` copies it and the panel stays; any other key closes it and it is gone.
    h.key(KeyCode::Char('y')).await;
    assert!(done(&h));
    h.key(KeyCode::Esc).await;
    assert!(h.app.write.is_none());
    assert!(!h.render_full(100, 40).contains(&pass));

    // The methods: the one added yesterday stands out; deleting it sends one DELETE.
    h.key(KeyCode::Char('M')).await;
    let View::List(l) = h.app.top() else {
        panic!("a list")
    };
    let rows: Vec<Vec<String>> = l
        .table
        .visible_rows()
        .map(|r| r.cells.iter().map(str::to_string).collect())
        .collect();
    let new: Vec<_> = rows.iter().filter(|r| r[3] == "NEW").collect();
    // The pass just made and the authenticator added yesterday.
    assert_eq!(new.len(), 2, "{rows:?}");
    let at = rows
        .iter()
        .position(|r| r[1].starts_with("SM-A546E"))
        .expect("yesterday's authenticator");
    for _ in 0..at {
        h.key(KeyCode::Down).await;
    }
    h.key(KeyCode::Char('d')).await;
    let title = h.app.write.as_ref().expect("a confirm").title.clone();
    assert!(
        title.contains("SM-A546E") && title.contains("1 day ago"),
        "{title}"
    );
    h.key(KeyCode::Enter).await;
    assert!(done(&h));
    {
        let t = h.server.state.tenant.read().unwrap();
        let left = &t.auth_methods[CHEN];
        assert!(!left.iter().any(|m| m["displayName"] == "SM-A546E"));
        // The pass is not kept by the tenant's reads either.
        assert!(left.iter().all(|m| m["temporaryAccessPass"].is_null()));
    }

    // Exactly those writes reached the tenant.
    let sent = writes(&h);
    let want = [
        format!("POST /v1.0/users/{CHEN}/revokeSignInSessions"),
        format!("PATCH /v1.0/users/{CHEN}"),
        format!("POST /v1.0/users/{CHEN}/authentication/temporaryAccessPassMethods"),
        format!(
            "DELETE /v1.0/users/{CHEN}/authentication/microsoftAuthenticatorMethods/9d1c7b3e-2f4a-4e6b-8c5d-7e8f9a0b1c02"
        ),
    ];
    assert_eq!(sent, want);
}

#[tokio::test]
async fn a_password_reset_is_shown_once_and_journaled_without_it() {
    let mut h = Harness::session(Default::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(
        entra_console::cache::Store::open(&dir.path().join("c.db"), true).unwrap(),
    );
    h.store = Some(store.clone());
    h.open(BladeKind::from_command("users").unwrap()).await;
    h.filter("Chen Wei").await;
    h.key(KeyCode::Char('P')).await;
    // The prompt offers a generated one (`*`); a weak typed one is Graph's to refuse.
    h.key(KeyCode::Enter).await;
    let w = h.app.write.as_ref().expect("the confirm");
    assert!(w.title.contains("kept nowhere"), "{}", w.title);
    h.key(KeyCode::Enter).await;
    assert!(done(&h));
    let password = h.app.write.as_ref().unwrap().shown.clone().unwrap().0;
    assert!(h.render_full(100, 40).contains(&password));
    assert!(user_field(&h, "lastPasswordChangeDateTime").is_string());
    h.key(KeyCode::Esc).await;
    let journal = store.journal().unwrap();
    let text = serde_json::to_string(&journal).unwrap();
    assert!(text.contains("passwordProfile"), "{text}");
    assert!(!text.contains(&password), "the journal keeps no password");
    // The cache file holds it nowhere either.
    drop(h);
    let bytes = std::fs::read(dir.path().join("c.db")).unwrap();
    let found = bytes
        .windows(password.len())
        .any(|w| w == password.as_bytes());
    assert!(!found, "no password in the cache file");
}

#[tokio::test]
async fn break_glass_asks_for_its_name_before_the_confirm() {
    let mut h = Harness::session(Default::default()).await;
    h.app.ctx.break_glass = vec!["bg-admin01@tailspindemo.onmicrosoft.com".into()];
    h.open(BladeKind::from_command("users").unwrap()).await;
    h.filter("Break Glass 01").await;
    h.key(KeyCode::Char('t')).await;
    assert!(h.app.write.is_none(), "no confirm before the name");
    h.type_str("Break Glass").await;
    h.key(KeyCode::Enter).await;
    assert!(h.app.write.is_none(), "a wrong name opens nothing");
    h.type_str(" 01").await;
    h.key(KeyCode::Enter).await;
    assert!(h.app.write.is_some(), "the confirm after the name");
    assert!(writes(&h).is_empty());
}

/// A User Administrator (Grace Lee) is told before sending that their roles cannot reset a
/// Global Administrator's password; the demo answers Graph's 403 to the request itself.
#[tokio::test]
async fn a_lesser_admin_is_refused_before_sending() {
    use base64::Engine;
    use entra_console::auth::{AccessToken, Credential};
    use entra_console::graph::{GraphClient, GraphConfig};
    let server = Harness::demo(Default::default()).await;
    let claims = serde_json::json!({"oid": "6850360b-ed84-422b-a1b2-a2acdc19c734"});
    let b64 = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    let token = format!(
        "{}.{}.sig",
        b64(br#"{"alg":"none"}"#),
        b64(claims.to_string().as_bytes())
    );
    let client = GraphClient::new(GraphConfig {
        base_url: server.url(),
        read_only: false,
        credential: Credential::Static(AccessToken::new(token)),
        limits: entra_console::graph::Limits::default(),
    })
    .unwrap()
    .with_pacing(std::time::Duration::ZERO);
    let direct = client
        .send(&entra_console::graph::resources::users::reset_password(
            "3ceaaf30-8142-48ea-91d9-3080f9b439fc",
            "Str0ng!Passw0rd",
        ))
        .await
        .unwrap_err();
    assert!(direct.to_string().contains("403"), "{direct}");
    let mut h = Harness::with(server, client, None).await;
    h.open(BladeKind::from_command("users").unwrap()).await;
    h.filter("Break Glass 01").await;
    h.key(KeyCode::Char('P')).await;
    // A break-glass account: its name is typed first; then the roles are read.
    h.type_str("Break Glass 01").await;
    h.key(KeyCode::Enter).await;
    assert!(h.app.write.is_none());
    let toast = h.app.toast.as_ref().expect("the refusal").text.clone();
    assert!(
        toast.contains("User Administrator") && toast.contains("Global Administrator"),
        "{toast}"
    );
    // A user with no admin role is within a User Administrator's reach.
    h.key(KeyCode::Esc).await;
    h.filter("Chen Wei").await;
    h.key(KeyCode::Char('P')).await;
    h.key(KeyCode::Enter).await;
    assert!(
        h.app.write.is_some(),
        "the confirm opens: {:?}",
        h.app.toast.as_ref().map(|t| t.text.clone())
    );
}

/// `K` walks the stages; each is a previewed write that Esc skips; the writes share one
/// incident id in the journal, and the record names every step without a pass or password.
#[tokio::test]
async fn k_walks_the_containment_and_journals_one_incident() {
    let mut h = Harness::session(Default::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let store = std::sync::Arc::new(
        entra_console::cache::Store::open(&dir.path().join("c.db"), true).unwrap(),
    );
    h.store = Some(store.clone());
    h.open(BladeKind::from_command("risky-users").unwrap())
        .await;
    h.filter("Chen").await;
    h.key(KeyCode::Char('K')).await;
    let incident = h.app.incident().expect("a walk").to_string();
    // 1. confirm compromised, 2. block, 3. revoke (Microsoft's order): each applied.
    for want in ["Confirm compromised", "Set the sign-in", "Revoke"] {
        let title = h.app.write.as_ref().expect("a confirm").title.clone();
        assert!(
            title.contains("Contain Chen Wei, step") && title.contains(want),
            "{want}: {title}"
        );
        h.key(KeyCode::Enter).await;
        assert!(done(&h), "{want}");
        h.key(KeyCode::Esc).await;
    }
    // 4. reset password: skipped at its prompt.
    h.key(KeyCode::Esc).await;
    // 5. TAP: the lifetime prompt, the confirm (which knows step 2 blocked sign-in), the
    // pass shown once.
    h.key(KeyCode::Enter).await;
    let title = h
        .app
        .write
        .as_ref()
        .expect("the pass's confirm")
        .title
        .clone();
    assert!(title.contains("Their sign-in is blocked"), "{title}");
    h.key(KeyCode::Enter).await;
    let pass = h
        .app
        .write
        .as_ref()
        .unwrap()
        .shown
        .clone()
        .expect("the pass")
        .0;
    h.key(KeyCode::Esc).await;
    // 6. the methods: delete yesterday's authenticator, then leave the list.
    let View::List(l) = h.app.top() else {
        panic!("the methods list")
    };
    let at = l
        .table
        .visible_rows()
        .position(|r| r.cells[1].starts_with("SM-A546E"))
        .unwrap();
    for _ in 0..at {
        h.key(KeyCode::Down).await;
    }
    h.key(KeyCode::Char('d')).await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Esc).await;
    assert!(
        h.app.incident().is_some(),
        "the walk lasts while its list is shown"
    );
    h.key(KeyCode::Esc).await;
    assert!(h.app.walk.is_none(), "left: the walk ended");
    let summary = h.app.toast.as_ref().unwrap().text.clone();
    assert!(
        summary.contains("skipped: reset password") && summary.contains(&incident),
        "{summary}"
    );
    let journal = store.journal().unwrap();
    let steps: Vec<&serde_json::Value> = journal
        .iter()
        .filter(|e| e["incident"] == incident.as_str())
        .collect();
    assert_eq!(steps.len(), 5, "{journal:?}");
    let text = serde_json::to_string(&journal).unwrap();
    assert!(!text.contains(&pass), "no pass in the journal");
}

/// The headless form: `--dry-run` sends nothing, read-only refuses, a run prints the password
/// and pass once and `export incident` names every step without them.
#[test]
fn contain_on_the_command_line() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        crate::common::bin(home.path(), false)
            .args(args)
            .output()
            .unwrap()
    };
    let upn = "chen.wei@tailspindemo.onmicrosoft.com";
    let dry = run(&[
        "--demo",
        "contain",
        upn,
        "--revoke",
        "--disable",
        "--dry-run",
    ]);
    assert!(dry.status.success());
    let text = String::from_utf8_lossy(&dry.stdout);
    assert!(
        text.contains("would: revoke sessions") && text.contains("nothing is sent"),
        "{text}"
    );
    let ro = run(&["--demo", "--read-only", "contain", upn, "--revoke"]);
    assert!(!ro.status.success());
    assert!(String::from_utf8_lossy(&ro.stderr).contains("read-only"));
    let none = run(&["--demo", "contain", upn]);
    assert_eq!(none.status.code(), Some(2));
    // Without P2, confirming compromised fails but blocking still goes; the exit says so.
    let no_p2 = run(&[
        "--demo",
        "--no-p2",
        "contain",
        upn,
        "--confirm-compromised",
        "--disable",
    ]);
    let out_text = String::from_utf8_lossy(&no_p2.stdout);
    assert_eq!(no_p2.status.code(), Some(1), "{out_text}");
    assert!(
        out_text.contains("confirm compromised: failed") && out_text.contains("block sign-in: ok"),
        "{out_text}"
    );
    // A display name is refused before anything is read or sent, saying what to give.
    let by_name = run(&["--demo", "contain", "Chen Wei", "--revoke"]);
    assert_eq!(by_name.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&by_name.stderr).contains("UPN or object id"));

    let out = run(&[
        "--demo",
        "contain",
        upn,
        "--confirm-compromised",
        "--revoke",
        "--disable",
        "--reset-password",
        "--tap",
    ]);
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let value = |label: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(label))
            .unwrap_or_else(|| panic!("{label} in {text}"))
            .to_string()
    };
    let password = value("temporary password: ");
    let pass = value("Temporary Access Pass: ");
    let incident = value("contain Chen Wei (b3fb95ee-2243-4045-a800-e67e527f5da6): incident ");
    let record = run(&["--demo", "export", "incident", &incident, "--format", "md"]);
    let md = String::from_utf8_lossy(&record.stdout).to_string();
    assert!(record.status.success(), "{md}");
    // The user by UPN, the pass's terms said beside it.
    assert!(md.contains(upn), "{md}");
    assert!(
        text.contains("works for one sign-in within 60 minutes"),
        "{text}"
    );
    for step in [
        "confirmed compromised",
        "sessions revoked",
        "sign-in blocked",
        "password reset",
        "Temporary Access Pass created",
    ] {
        assert!(md.contains(step), "{step}: {md}");
    }
    let json = run(&[
        "--demo", "export", "incident", &incident, "--format", "json",
    ]);
    // Neither secret anywhere: the record, the cache, the log.
    for (what, bytes) in [
        ("md", md.as_bytes().to_vec()),
        ("json", json.stdout.clone()),
    ] {
        let s = String::from_utf8_lossy(&bytes);
        assert!(!s.contains(&password) && !s.contains(&pass), "{what}: {s}");
    }
    for entry in walkdir(home.path()) {
        let bytes = std::fs::read(&entry).unwrap();
        for secret in [&password, &pass] {
            let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
            assert!(!found, "{} holds a secret", entry.display());
        }
    }
}

fn walkdir(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walkdir(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// `:contain USER` finds the user by UPN and starts the same walk as `K`.
#[tokio::test]
async fn the_palette_contains_a_user_by_upn() {
    let mut h = Harness::session(Default::default()).await;
    h.key(KeyCode::Char(':')).await;
    h.type_str("contain chen.wei@tailspindemo.onmicrosoft.com")
        .await;
    h.key(KeyCode::Enter).await;
    assert!(h.app.incident().is_some(), "a walk");
    let title = h.app.write.as_ref().expect("step 1").title.clone();
    assert!(title.contains("Chen Wei"), "{title}");
    // An unknown user is said, and nothing starts.
    h.key(KeyCode::Esc).await;
    while h.app.walk.is_some() {
        h.key(KeyCode::Esc).await;
        if h.app.write.is_none() && h.app.walk.is_some() {
            // A list a stage opened: leave it.
            h.key(KeyCode::Esc).await;
        }
    }
    h.key(KeyCode::Char(':')).await;
    h.type_str("contain nobody@tailspindemo.onmicrosoft.com")
        .await;
    h.key(KeyCode::Enter).await;
    assert!(h.app.walk.is_none());
    let toast = h.app.toast.as_ref().unwrap().text.clone();
    assert!(toast.contains("nobody@"), "{toast}");
    assert!(writes(&h).is_empty(), "{:?}", writes(&h));
}

/// Marked rows on Users: one confirm names every user; one request each.
#[tokio::test]
async fn revoke_the_marked_users() {
    let mut h = Harness::session(Default::default()).await;
    h.open(BladeKind::from_command("users").unwrap()).await;
    for name in ["Chen Wei", "Ivan Petrov"] {
        h.filter(name).await;
        h.key(KeyCode::Char(' ')).await;
        h.key(KeyCode::Esc).await;
    }
    h.key(KeyCode::Char('R')).await;
    let title = h.app.write.as_ref().expect("a confirm").title.clone();
    assert!(title.contains("2 users: Chen Wei, Ivan Petrov"), "{title}");
    h.key(KeyCode::Enter).await;
    assert!(done(&h));
    let sent = writes(&h);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent.iter().all(|l| l.ends_with("/revokeSignInSessions")),
        "{sent:?}"
    );
}

/// A terminal too small: Enter does not apply a confirm it could not show, and a pass the
/// result panel could not show whole is not closed by a stray key (Esc closes it).
#[tokio::test]
async fn too_small_a_terminal_applies_nothing_unread_and_keeps_the_pass() {
    let mut h = Harness::session(Default::default()).await;
    h.open(BladeKind::from_command("users").unwrap()).await;
    h.filter("Chen Wei").await;
    h.key(KeyCode::Char('T')).await;
    h.key(KeyCode::Enter).await;
    assert!(h.app.write.is_some(), "the confirm");
    h.render_full(15, 4);
    h.key(KeyCode::Enter).await;
    assert!(!done(&h) && writes(&h).is_empty(), "nothing applied unread");
    h.render_full(100, 40);
    h.key(KeyCode::Enter).await;
    assert!(done(&h));
    h.render_full(40, 8);
    h.key(KeyCode::Char('x')).await;
    assert!(
        done(&h),
        "a stray key does not close a pass cut off the screen"
    );
    h.key(KeyCode::Esc).await;
    assert!(h.app.write.is_none());
}

/// A confirm taller than its panel (20x5, 40x12): Enter applies nothing until ↓ has brought
/// its last row on screen, and the keys line says so instead of offering Enter.
#[tokio::test]
async fn a_confirm_cut_by_the_window_is_read_to_its_end_before_enter_applies() {
    let mut h = Harness::session(Default::default()).await;
    h.open(BladeKind::from_command("users").unwrap()).await;
    h.filter("Chen Wei").await;
    h.key(KeyCode::Char('R')).await;
    for (w, hgt) in [(20, 5), (40, 12)] {
        let screen = h.render_full(w, hgt);
        assert!(!screen.contains("Enter"), "{screen}");
        h.key(KeyCode::Enter).await;
        assert!(
            !done(&h) && writes(&h).is_empty(),
            "nothing applied unread at {w}x{hgt}"
        );
    }
    let said = h.app.toast.as_ref().unwrap().text.clone();
    assert!(said.contains("↓ reads the rest"), "{said}");
    let mut screen = h.render_full(40, 12);
    for _ in 0..40 {
        if !screen.contains("read the rest") {
            break;
        }
        h.key(KeyCode::Down).await;
        screen = h.render_full(40, 12);
    }
    assert!(
        screen.contains("revokeSignInSessions"),
        "the change line read: {screen}"
    );
    h.key(KeyCode::Enter).await;
    assert!(done(&h));
    assert_eq!(writes(&h).len(), 1);
}

/// A confirm read whole and then grown (facts arriving, a choice's warning) is unread again
/// until its new end is on screen; a panel with no row to read (a 40x6 terminal) applies nothing.
#[tokio::test]
async fn a_confirm_that_grew_after_it_was_read_is_read_again() {
    let mut h = Harness::session(Default::default()).await;
    h.open(BladeKind::from_command("users").unwrap()).await;
    h.filter("Chen Wei").await;
    h.key(KeyCode::Char('R')).await;
    h.render_full(120, 40);
    h.app
        .write
        .as_mut()
        .unwrap()
        .title
        .push_str(&" and a new warning that arrived late".repeat(40));
    let screen = h.render_full(120, 20);
    assert!(screen.contains("read the rest"), "{screen}");
    h.key(KeyCode::Enter).await;
    assert!(
        !done(&h) && writes(&h).is_empty(),
        "the grown part was never on screen"
    );
    h.render_full(40, 6);
    for _ in 0..40 {
        h.key(KeyCode::Down).await;
        h.render_full(40, 6);
    }
    h.key(KeyCode::Enter).await;
    assert!(
        writes(&h).is_empty(),
        "nothing readable at 40x6, whatever was scrolled"
    );
}

/// A password or pass for a break-glass account asks for its name first; a wrong name opens
/// nothing.
#[tokio::test]
async fn a_pass_for_break_glass_asks_for_its_name() {
    let mut h = Harness::session(Default::default()).await;
    h.app.ctx.break_glass = vec!["bg-admin02@tailspindemo.onmicrosoft.com".into()];
    h.open(BladeKind::from_command("users").unwrap()).await;
    h.filter("Break Glass 02").await;
    h.key(KeyCode::Char('T')).await;
    h.type_str("Break Glass").await;
    h.key(KeyCode::Enter).await;
    assert!(h.app.write.is_none(), "a wrong name");
    h.type_str(" 02").await;
    h.key(KeyCode::Enter).await;
    // Then the lifetime prompt, then the confirm.
    h.key(KeyCode::Enter).await;
    let title = h.app.write.as_ref().expect("the confirm").title.clone();
    assert!(title.contains("Break Glass 02"), "{title}");
    assert!(writes(&h).is_empty());
}

/// Headless, a write whose answer is lost after the tenant carried it out is said as unknown,
/// never sent again, and what was not done is named.
#[test]
fn contain_headless_says_a_lost_answer_as_unknown() {
    let home = tempfile::tempdir().unwrap();
    let out = crate::common::bin(home.path(), false)
        .args([
            "--demo",
            "--fault-after-rate",
            "1",
            "contain",
            "chen.wei@tailspindemo.onmicrosoft.com",
            "--revoke",
            "--tap",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{text}{err}");
    assert!(
        text.contains("revoke sessions: unknown: the answer was lost"),
        "{text}"
    );
    assert!(err.contains("not done: Temporary Access Pass"), "{err}");
    assert_eq!(
        text.matches("revoke sessions").count(),
        1,
        "sent once: {text}"
    );
}

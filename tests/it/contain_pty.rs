//! Issue 25's end-to-end check: the real binary in a pseudo-terminal, against a demo tenant
//! whose request log the test reads, contains Chen Wei from Risky users with `K`: confirm
//! compromised, revoke, block, (reset skipped), a TAP shown once, yesterday's authenticator
//! deleted. The tenant received exactly those writes; `export incident` names every step and
//! no file holds the pass.

use crate::pty::Session;
use std::time::Duration;

const T: Duration = Duration::from_secs(20);

/// A confirm drops the keys that reach the console before the frame showing it is done; a key
/// sent the instant its words appear can land in that gap on a loaded machine.
pub(crate) fn settle() {
    std::thread::sleep(Duration::from_millis(300));
}
const CHEN: &str = "b3fb95ee-2243-4045-a800-e67e527f5da6";

/// The real binary against a demo tenant whose request log the test reads, its first screen
/// drawn (the runtime serving the tenant is returned: it must outlive the test).
pub(crate) fn against_demo(
    cols: u16,
    rows: u16,
) -> (
    tokio::runtime::Runtime,
    entra_console::demo::DemoServer,
    String,
    Session,
) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(crate::common::Harness::demo(Default::default()));
    let url = server.url();
    let s = Session::start_with(
        &["--graph-url", &url],
        cols,
        rows,
        None,
        &[("ENTRA_CONSOLE_ACCESS_TOKEN", "t")],
    );
    s.wait_for("Groups", T);
    (rt, server, url, s)
}

#[test]
fn contain_chen_wei_in_a_real_terminal() {
    let (_rt, server, url, mut s) = against_demo(120, 36);
    s.send(":risky\r");
    s.wait_for("Chen Wei", T);
    s.send("/Chen\r");
    s.send("K");
    // Each confirm is waited for before Enter: one opened by the walk drops earlier keys.
    for (title, done) in [
        (
            "Confirm compromised 1 user: Chen Wei",
            "Done: Contain Chen Wei, step 1 of 6",
        ),
        (
            "Set the sign-in of Chen Wei",
            "Set the sign-in of Chen Wei (",
        ),
        (
            "Revoke the sign-in sessions of Chen Wei",
            "Done: Contain Chen Wei, step 3 of 6",
        ),
    ] {
        s.wait_for(title, T);
        settle();
        s.send("\r");
        s.wait_for(done, T);
        s.send("\x1b");
    }
    s.wait_for("Temporary password for Chen Wei", T);
    s.send("\x1b");
    s.wait_for("Temporary Access Pass for Chen Wei", T);
    s.send("\r");
    s.wait_for("Create a Temporary Access Pass for Chen Wei", T);
    settle();
    s.send("\r");
    let screen = s.wait_for("Temporary Access Pass: ", T);
    let pass: String = screen
        .lines()
        .find_map(|l| l.split("Temporary Access Pass: ").nth(1))
        .map(|rest| {
            rest.split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .expect("the pass on screen");
    assert!(pass.len() >= 8, "{pass:?}");
    s.send("\x1b");
    s.wait_for("SM-A546E", T);
    s.send("/SM-A\r");
    s.send("d");
    s.wait_for("Delete Chen Wei's Microsoft Authenticator SM-A546E", T);
    settle();
    s.send("\r");
    s.wait_for("Done: Contain Chen Wei, step 6 of 6: Delete", T);
    // Esc closes the result, Esc clears the filter, Esc leaves the methods: that ends the
    // walk, which says what was done. One Esc a write, apart: two read together are Alt-Esc.
    for _ in 0..3 {
        settle();
        s.send("\x1b");
        if s.screen().contains("Contain Chen Wei (incident ") {
            break;
        }
    }
    s.wait_for("Contain Chen Wei (incident ", T);
    s.send("q");
    assert!(s.wait_exit(T).success());

    let writes: Vec<String> = server
        .requests()
        .iter()
        .filter(|l| !l.starts_with("GET"))
        .cloned()
        .collect();
    assert_eq!(
        writes,
        [
            "POST /v1.0/identityProtection/riskyUsers/confirmCompromised".to_string(),
            format!("PATCH /v1.0/users/{CHEN}"),
            format!("POST /v1.0/users/{CHEN}/revokeSignInSessions"),
            format!("POST /v1.0/users/{CHEN}/authentication/temporaryAccessPassMethods"),
            format!(
                "DELETE /v1.0/users/{CHEN}/authentication/microsoftAuthenticatorMethods/9d1c7b3e-2f4a-4e6b-8c5d-7e8f9a0b1c02"
            ),
        ]
    );

    // The record: the incident the journal holds, exported by the binary.
    let home = s.home.path().to_path_buf();
    let db = find_db(&home).expect("the cache");
    let journal = entra_console::cache::Store::open(&db, false)
        .unwrap()
        .journal()
        .unwrap();
    let incident = journal[0]["incident"]
        .as_str()
        .expect("an incident")
        .to_string();
    assert!(
        journal
            .iter()
            .filter(|e| e["incident"] == incident.as_str())
            .count()
            == 5
    );
    let out = crate::common::bin(&home, true)
        .args([
            "--graph-url",
            &url,
            "export",
            "incident",
            &incident,
            "--format",
            "md",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{md}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for step in [
        "confirmed compromised",
        "sessions revoked",
        "sign-in blocked",
        "Temporary Access Pass created",
        "authentication method deleted",
    ] {
        assert!(md.contains(step), "{step}: {md}");
    }
    assert!(!md.contains(&pass));
    for f in files(&home) {
        let bytes = std::fs::read(&f).unwrap();
        let found = bytes.windows(pass.len()).any(|w| w == pass.as_bytes());
        assert!(!found, "{} holds the pass", f.display());
    }
    drop(server);
}

fn files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn find_db(dir: &std::path::Path) -> Option<std::path::PathBuf> {
    files(dir)
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "db"))
}

/// Issue 23, item 2 (and issue 25's review): an Enter typed together with the key that opens a
/// confirm reaches the console before the confirm is drawn: it is dropped and said, and
/// nothing is sent; an Enter after the confirm is on screen applies it.
#[test]
fn a_key_typed_before_the_confirm_is_drawn_never_applies_it() {
    let (_rt, server, _, mut s) = against_demo(100, 30);
    s.send(":users\r");
    s.wait_for("Chen Wei", T);
    s.send("/Chen Wei\r");
    settle();
    // The key that opens the confirm and an Enter, in one write.
    s.send("R\r");
    s.wait_for("typed before this confirm was on screen", T);
    let posts = |server: &entra_console::demo::DemoServer| {
        server
            .requests()
            .iter()
            .filter(|l| l.starts_with("POST"))
            .count()
    };
    assert_eq!(posts(&server), 0, "nothing was sent");
    assert!(
        s.screen()
            .contains("Revoke the sign-in sessions of Chen Wei")
    );
    settle();
    s.send("\r");
    s.wait_for("Revoked the sign-in sessions", T);
    assert_eq!(posts(&server), 1);
    settle();
    s.send("\x1b");
    settle();
    s.send("q");
    assert!(s.wait_exit(T).success());
}

//! Sign-in against the demo identity endpoints: device code happy path and every error state,
//! refresh five minutes before expiry (virtual time), single-flight refresh, cp1 everywhere,
//! app-only, and `login`/`logout` through the binary.

use entra_console::auth::device::{self, DeviceError, DeviceEvent};
use entra_console::auth::oauth::{AuthError, OAuth};
use entra_console::auth::session::Session;
use entra_console::auth::token_acrs;
use entra_console::clock::{Clock, VirtualClock};
use entra_console::config::DEFAULT_CLIENT_ID;
use entra_console::demo::identity::DEMO_REFRESH_TOKEN;
use entra_console::demo::{self, DemoOptions, DemoServer};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

async fn server(poll_script: &[&str]) -> DemoServer {
    demo::start(DemoOptions {
        poll_script: poll_script
            .iter()
            .map(std::string::ToString::to_string)
            .collect(),
        ..Default::default()
    })
    .await
    .unwrap()
}

fn oauth(s: &DemoServer) -> OAuth {
    OAuth::new(
        &s.url(),
        "tailspindemo.onmicrosoft.com",
        DEFAULT_CLIENT_ID,
        "https://graph.microsoft.com/.default offline_access",
    )
    .unwrap()
}

#[tokio::test]
async fn device_code_happy_path() {
    let s = server(&[]).await;
    let clock = VirtualClock::default();
    let mut events = Vec::new();
    let t = device::run(&oauth(&s), None, &clock, |e| events.push(e))
        .await
        .unwrap();
    assert!(t.refresh_token.is_some());
    assert!(
        matches!(&events[0], DeviceEvent::Code(c) if c.user_code.len() == 9 && c.verification_uri.ends_with("/devicelogin"))
    );
    assert!(
        events.contains(&DeviceEvent::Pending),
        "auto-approved after a poll or two"
    );
    let (_, no_cp1) = *s.state.identity.token_requests.lock().unwrap();
    assert_eq!(no_cp1, 0);
}

#[tokio::test]
async fn device_code_error_states() {
    for (script, want) in [
        ("authorization_declined", "declined"),
        ("expired_token", "expired"),
        ("bad_verification_code", "not recognise"),
    ] {
        let s = server(&["authorization_pending", script]).await;
        let clock = VirtualClock::default();
        let err = device::run(&oauth(&s), None, &clock, |_| {})
            .await
            .unwrap_err();
        assert!(err.to_string().contains(want), "{script}: {err}");
    }
}

#[tokio::test]
async fn slow_down_adds_five_seconds() {
    let s = server(&["slow_down"]).await;
    let clock = VirtualClock::default();
    let mut events = Vec::new();
    device::run(&oauth(&s), None, &clock, |e| events.push(e))
        .await
        .unwrap();
    assert!(events.contains(&DeviceEvent::SlowDown { interval: 6 }));
    let sleeps = clock.sleeps();
    assert_eq!(sleeps[0], Duration::from_secs(1));
    assert!(
        sleeps[1..].iter().all(|d| *d == Duration::from_secs(6)),
        "{sleeps:?}"
    );
}

#[tokio::test]
async fn the_code_expires_on_our_side_too() {
    // The server keeps saying "pending": the flow gives up at the code's 900 s lifetime.
    let s = server(&["authorization_pending"; 1000]).await;
    let clock = VirtualClock::default();
    let err = device::run(&oauth(&s), None, &clock, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, DeviceError::Expired), "{err}");
    assert!(clock.now() >= Duration::from_secs(900));
}

#[tokio::test]
async fn refresh_happens_five_minutes_before_expiry_and_is_single_flight() {
    let s = server(&[]).await;
    let clock = Arc::new(VirtualClock::default());
    let session = Arc::new(Session::delegated(
        oauth(&s),
        DEMO_REFRESH_TOKEN.into(),
        None,
        clock.clone(),
    ));
    // Ten concurrent callers, one token request.
    let calls: Vec<_> = (0..10)
        .map(|_| {
            let s = session.clone();
            tokio::spawn(async move { s.bearer().await.unwrap() })
        })
        .collect();
    for c in calls {
        c.await.unwrap();
    }
    assert_eq!(session.token_requests.load(Ordering::Relaxed), 1);
    // 54 minutes later the token (1 h) is still good for 6 minutes: no refresh.
    clock.sleep(Duration::from_secs(54 * 60)).await;
    session.bearer().await.unwrap();
    assert_eq!(session.token_requests.load(Ordering::Relaxed), 1);
    // 56 minutes: inside the 5-minute margin, refreshed.
    clock.sleep(Duration::from_secs(2 * 60)).await;
    session.bearer().await.unwrap();
    assert_eq!(session.token_requests.load(Ordering::Relaxed), 2);
    let (total, no_cp1) = *s.state.identity.token_requests.lock().unwrap();
    assert_eq!((total, no_cp1), (2, 0));
}

#[tokio::test]
async fn step_up_by_refresh_needs_interaction_in_pass_mode() {
    let s = server(&[]).await;
    let clock = Arc::new(VirtualClock::default());
    let session = Session::delegated(oauth(&s), DEMO_REFRESH_TOKEN.into(), None, clock.clone());
    let claims = r#"{"access_token":{"acrs":{"essential":true,"value":"c1"}}}"#;
    match session.step_up(claims).await {
        Err(AuthError::Aad(e)) => assert!(e.needs_interaction() && e.code() == Some(50076), "{e}"),
        other => panic!("{other:?}"),
    }
    // The device code flow with the same claims yields a token carrying c1.
    let t = device::run(&session.oauth, Some(claims), clock.as_ref(), |_| {})
        .await
        .unwrap();
    let token = session.accept(t).await;
    assert_eq!(token_acrs(token.secret()), ["c1"]);
    assert_eq!(session.current_acrs().await, ["c1"]);
}

#[tokio::test]
async fn an_unknown_refresh_token_is_refused() {
    let s = server(&[]).await;
    let session = Session::delegated(
        oauth(&s),
        "stolen".into(),
        None,
        Arc::new(VirtualClock::default()),
    );
    let err = session.bearer().await.unwrap_err();
    assert!(err.to_string().contains("invalid_grant"), "{err}");
}

#[tokio::test]
async fn app_only_sign_in_and_no_step_up() {
    let s = server(&[]).await;
    let session = Session::app_only(
        oauth(&s),
        "secret".into(),
        Arc::new(VirtualClock::default()),
    );
    let t = session.bearer().await.unwrap();
    let claims = entra_console::auth::jwt_claims(t.secret()).unwrap();
    assert!(claims["upn"].is_null() && claims["roles"].is_array());
    assert!(session.step_up("{}").await.is_err());
}

#[test]
fn login_and_logout_through_the_binary() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_entra-console"))
            .args(args)
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env_remove("ENTRA_CONSOLE_ACCESS_TOKEN")
            .output()
            .unwrap()
    };
    let out = run(&["--demo", "login"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("enter the code") && err.contains("Signed in as adele.vance@"),
        "{err}"
    );
    let file = home.path().join("data/entra-console/tokens/demo.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("demo-rt-"),
        "no token on stdout"
    );
    assert!(!err.contains("demo-rt-"), "no token on stderr");
    let log = std::fs::read_to_string(home.path().join("data/entra-console/entra-console.log"))
        .unwrap_or_default();
    assert!(
        !log.contains("demo-rt-") && !log.contains("eyJ"),
        "no token in the log"
    );
    let out = run(&["--demo", "logout"]);
    assert!(out.status.success());
    assert!(!file.exists());
}

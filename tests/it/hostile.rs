//! A hostile or broken server, as the binary meets it: endless paging, escape sequences in
//! errors and sign-in text, a server that never finishes, an answer too large.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// What the fake server answers.
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    /// Wait before the headers.
    pub delay: Duration,
    /// Send the body a byte at a time, with this pause between bytes.
    pub trickle: Option<Duration>,
}

impl Reply {
    pub fn json(status: u16, body: String) -> Reply {
        Reply {
            status,
            body: body.into_bytes(),
            delay: Duration::ZERO,
            trickle: None,
        }
    }
}

/// A one-thread-per-connection HTTP server on loopback; returns its URL and a request count.
pub fn serve(
    handler: impl Fn(&str, &str) -> Reply + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let handler = Arc::new(handler);
    let c = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let handler = handler.clone();
            let c = c.clone();
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match stream.read(&mut byte) {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let text = String::from_utf8_lossy(&head).to_string();
                // A request body (a form post) is read by its length.
                let len = text
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                    })
                    .unwrap_or(0);
                let mut body = vec![0u8; len];
                let _ = stream.read_exact(&mut body);
                let mut first = text.lines().next().unwrap_or_default().split(' ');
                let method = first.next().unwrap_or_default().to_string();
                let path = first.next().unwrap_or_default().to_string();
                c.fetch_add(1, Ordering::SeqCst);
                let r = handler(&method, &path);
                std::thread::sleep(r.delay);
                let head = format!(
                    "HTTP/1.1 {} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    r.status,
                    r.body.len()
                );
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                match r.trickle {
                    None => {
                        let _ = stream.write_all(&r.body);
                    }
                    Some(pause) => {
                        for b in &r.body {
                            if stream.write_all(&[*b]).is_err() {
                                return;
                            }
                            std::thread::sleep(pause);
                        }
                    }
                }
            });
        }
    });
    (url, count)
}

fn bin(home: &std::path::Path) -> Command {
    crate::common::bin(home, true)
}

/// Text that must never reach a terminal raw: OSC 52 (clipboard), clear screen, OSC 0 (title),
/// a bidi override.
const HOSTILE: &str = "\u{1b}]52;c;aGk=\u{7}\u{1b}[2J\u{1b}]0;owned\u{7}\u{202e}gnp.exe";

fn assert_clean(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr).to_string();
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'),
        "raw control text on stderr: {text:?}"
    );
    text
}

#[test]
fn a_next_link_that_repeats_is_not_followed_forever() {
    let home = tempfile::tempdir().unwrap();
    let port = Arc::new(std::sync::OnceLock::<String>::new());
    let p = port.clone();
    let (url, count) = serve(move |_, _| {
        let base = p.get().cloned().unwrap_or_default();
        Reply::json(
            200,
            serde_json::json!({
                "value": [{"id": "u1", "displayName": "Adele"}],
                "@odata.nextLink": format!("{base}/v1.0/users/delta?$skiptoken=loop"),
            })
            .to_string(),
        )
    });
    port.set(url.clone()).unwrap();
    let out = bin(home.path())
        .args(["export", "users", "--graph-url", &url])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = assert_clean(&out.stderr);
    assert!(
        err.contains("127.0.0.1") && err.contains("2 pages"),
        "{err}"
    );
    assert!(count.load(Ordering::SeqCst) <= 3);

    // Sync: the same loop stops, exit 1, and the loop link is not kept as a resume point.
    let cache = home.path().join("c.db");
    let before = count.load(Ordering::SeqCst);
    let out = bin(home.path())
        .args(["sync", "users", "--graph-url", &url, "--cache"])
        .arg(&cache)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", assert_clean(&out.stderr));
    assert!(count.load(Ordering::SeqCst) - before <= 3);
    let store = entra_console::cache::Store::open(&cache, false).unwrap();
    let st = store.sync_state("users").unwrap();
    assert_eq!((st.next_link, st.delta_link), (None, None));
    let (users, _) = store.list("users").unwrap();
    assert_eq!(users.len(), 1, "one copy of the user");
}

#[test]
fn hostile_text_never_reaches_stderr_raw() {
    let home = tempfile::tempdir().unwrap();
    let (url, _) = serve(|_, path| {
        if path.contains("groups") {
            let msg = serde_json::json!({"error": {"code": "BadRequest", "message": HOSTILE,
                "innerError": {"message": HOSTILE, "request-id": HOSTILE}}});
            Reply::json(400, msg.to_string())
        } else {
            let link = format!("http://evil\u{1b}[2J.example/{HOSTILE}");
            let page = serde_json::json!({"value": [], "@odata.nextLink": link});
            Reply::json(200, page.to_string())
        }
    });
    for blade in ["groups", "users"] {
        let out = bin(home.path())
            .args(["export", blade, "--graph-url", &url])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = assert_clean(&out.stderr);
        assert!(err.contains("owned") || err.contains("evil"), "{err}");
    }
}

#[test]
fn the_device_code_text_is_sanitized() {
    let home = tempfile::tempdir().unwrap();
    let (url, _) = serve(|_, path| {
        if path.contains("devicecode") {
            let body = serde_json::json!({
                "device_code": "dc", "user_code": format!("CODE{HOSTILE}"),
                "verification_uri": format!("https://microsoft.com/devicelogin{HOSTILE}"),
                "expires_in": 900, "interval": 1, "message": HOSTILE,
            });
            Reply::json(200, body.to_string())
        } else {
            let body = serde_json::json!({"error": "expired_token",
                "error_description": format!("AADSTS70020: {HOSTILE}")});
            Reply::json(400, body.to_string())
        }
    });
    let out = bin(home.path())
        .args([
            "login",
            "--authority-url",
            &url,
            "--tenant",
            "contoso.example",
        ])
        .env_remove("ENTRA_CONSOLE_ACCESS_TOKEN")
        .output()
        .unwrap();
    let err = assert_clean(&out.stderr);
    assert!(err.contains("CODE"), "{err}");
    assert_ne!(out.status.code(), Some(0));
}

fn config(home: &std::path::Path, settings: &str) -> std::path::PathBuf {
    let f = home.join("config.toml");
    std::fs::write(&f, format!("[profiles.t]\n{settings}\n")).unwrap();
    f
}

#[test]
fn a_silent_server_trips_the_read_timeout_by_name() {
    let home = tempfile::tempdir().unwrap();
    let (url, _) = serve(|_, _| Reply {
        delay: Duration::from_secs(4),
        ..Reply::json(200, r#"{"value":[]}"#.into())
    });
    let cfg = config(home.path(), "read_timeout_secs = 1");
    let out = bin(home.path())
        .args([
            "export",
            "groups",
            "--profile",
            "t",
            "--graph-url",
            &url,
            "--config",
        ])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = assert_clean(&out.stderr);
    assert!(
        err.contains("read timeout") && err.contains("read_timeout_secs"),
        "{err}"
    );
}

#[test]
fn a_trickling_server_trips_the_total_timeout_by_name() {
    let home = tempfile::tempdir().unwrap();
    let (url, _) = serve(|_, _| Reply {
        trickle: Some(Duration::from_millis(300)),
        ..Reply::json(200, format!(r#"{{"value":[{}]}}"#, " ".repeat(40)))
    });
    let cfg = config(home.path(), "timeout_secs = 2");
    let out = bin(home.path())
        .args([
            "export",
            "groups",
            "--profile",
            "t",
            "--graph-url",
            &url,
            "--config",
        ])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = assert_clean(&out.stderr);
    assert!(
        err.contains("total timeout of 2 s") && err.contains("timeout_secs"),
        "{err}"
    );
}

#[test]
fn an_answer_over_the_size_limit_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let (url, _) = serve(|_, _| {
        let name = "x".repeat(1000);
        let items: Vec<String> = (0..2100)
            .map(|i| format!(r#"{{"id":"{i}","displayName":"{name}"}}"#))
            .collect();
        Reply::json(200, format!(r#"{{"value":[{}]}}"#, items.join(",")))
    });
    let cfg = config(home.path(), "max_response_mb = 1");
    let out = bin(home.path())
        .args([
            "export",
            "groups",
            "--profile",
            "t",
            "--graph-url",
            &url,
            "--config",
        ])
        .arg(&cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = assert_clean(&out.stderr);
    assert!(
        err.contains("larger than 1 MB") && err.contains("max_response_mb"),
        "{err}"
    );
    assert!(entra_console::graph::Limits::default().max_body < 58 << 20);
}

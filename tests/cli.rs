//! The binary's command line: demo-server, export, exit codes, the ready-token path and the log.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn bin(home: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_entra-console"));
    c.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env_remove("ENTRA_CONSOLE_ACCESS_TOKEN")
        .env_remove("ENTRA_CONSOLE_GRAPH_URL")
        .env_remove("ENTRA_CONSOLE_PROFILE");
    c
}

#[test]
fn demo_server_prints_its_address_and_serves_graph() {
    let home = tempfile::tempdir().unwrap();
    let mut child = bin(home.path())
        .args(["demo-server", "--groups", "40"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let out = bin(home.path())
        .args(["export", "groups", "--format", "json", "--graph-url", &url])
        .env("ENTRA_CONSOLE_ACCESS_TOKEN", "any-token")
        .output()
        .unwrap();
    child.kill().unwrap();
    let _ = child.wait();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let groups: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(groups.as_array().unwrap().len(), 40);
}

#[test]
fn export_with_demo_as_csv_json_and_md() {
    let home = tempfile::tempdir().unwrap();
    let out = bin(home.path())
        .args(["--demo", "export", "groups", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().next().unwrap(), "id,Name,Type,Mail,Created");
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(rdr.records().count(), 25);
    assert!(!text.contains('\x1b'));
    // Global flags after the subcommand.
    let out = bin(home.path())
        .args(["export", "users", "--demo", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let users: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(users.as_array().unwrap().len(), 59);
    let out = bin(home.path())
        .args(["--demo", "export", "users", "--format", "md"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 61);
}

#[test]
fn exit_codes_and_one_line_errors() {
    let home = tempfile::tempdir().unwrap();
    let out = bin(home.path())
        .args(["--demo", "export", "nonsense"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("groups"));
    let out = bin(home.path()).args(["--bogus-flag"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    // Not signed in: a clear one-line error, exit 1, before any connection is made.
    let out = bin(home.path())
        .args(["export", "groups", "--graph-url", "http://127.0.0.1:9"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("not signed in") && err.lines().count() == 1,
        "{err}"
    );
    // Plain http only to loopback.
    let out = bin(home.path())
        .args([
            "export",
            "groups",
            "--graph-url",
            "http://graph.example.com",
        ])
        .env("ENTRA_CONSOLE_ACCESS_TOKEN", "x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("plain http"));
}

#[test]
fn the_log_file_never_contains_the_token() {
    let home = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(entra_console::demo::start(Default::default()))
        .unwrap();
    let token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.very-secret-payload.signature";
    let out = bin(home.path())
        .args(["export", "groups", "--graph-url", &server.url()])
        .env("ENTRA_CONSOLE_ACCESS_TOKEN", token)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log =
        std::fs::read_to_string(home.path().join("data/entra-console/entra-console.log")).unwrap();
    assert!(log.contains("graph"), "log has the request lines: {log}");
    assert!(
        !log.contains("very-secret-payload"),
        "token leaked into the log"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("very-secret-payload"));
}

#[test]
fn ca_backup_and_restore_through_the_binary() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("ca-backup");
    let out = bin(home.path())
        .args(["--demo", "ca", "backup"])
        .arg(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("13 policies and 3 named locations"), "{err}");
    let count = |d: &str| std::fs::read_dir(dir.join(d)).unwrap().count();
    assert_eq!((count("policies"), count("named-locations")), (13, 3));
    // Objects the (fresh) demo tenant lacks: recreated, location first, its id remapped.
    let loc = serde_json::json!({"@odata.type": "#microsoft.graph.ipNamedLocation",
        "id": "99999999-0000-4000-8000-000000000001", "displayName": "Old jump hosts",
        "isTrusted": true, "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "192.0.2.0/28"}]});
    let mut pol = entra_console::ca::blank_policy();
    pol["id"] = serde_json::json!("99999999-0000-4000-8000-000000000002");
    pol["displayName"] = serde_json::json!("Old policy");
    pol["conditions"]["locations"] =
        serde_json::json!({"includeLocations": ["99999999-0000-4000-8000-000000000001"]});
    std::fs::write(dir.join("named-locations/old.json"), loc.to_string()).unwrap();
    std::fs::write(dir.join("policies/old.json"), pol.to_string()).unwrap();
    let out = bin(home.path())
        .args(["--demo", "ca", "restore"])
        .arg(&dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("named location Old jump hosts recreated"),
        "{err}"
    );
    assert!(err.contains("policy Old policy recreated"), "{err}");
    assert!(
        err.contains("restored 1 named locations and 1 policies; 16 still present"),
        "{err}"
    );
}

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
    assert!(err.contains("14 policies and 3 named locations"), "{err}");
    let count = |d: &str| std::fs::read_dir(dir.join(d)).unwrap().count();
    assert_eq!((count("policies"), count("named-locations")), (14, 3));
    // Issue 32, item 8: tenant configuration in 0700 folders, 0600 files.
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("policies")), 0o700);
        for f in std::fs::read_dir(dir.join("policies")).unwrap() {
            assert_eq!(mode(&f.unwrap().path()), 0o600);
        }
    }
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
        err.contains("restored 1 named locations and 1 policies; 17 still present"),
        "{err}"
    );
    // Each create is in the journal, like the TUI's writes.
    let out = bin(home.path())
        .args(["--demo", "export", "journal", "--format", "json"])
        .output()
        .unwrap();
    let journal: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let posts: Vec<_> = journal
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.to_string().contains("POST"))
        .collect();
    assert_eq!(posts.len(), 2, "{journal}");
}

/// Issue 11, item 16: `export ... | head -1` ends quietly, nothing on stderr, for every format,
/// also with stderr into the same closed pipe. Issue 23, item 22: the status is 0, as the README
/// says, never a SIGPIPE death that depends on when the reader left.
#[test]
fn a_closed_pipe_ends_export_quietly() {
    use std::io::Read;
    let home = tempfile::tempdir().unwrap();
    for format in ["json", "csv", "md"] {
        for stderr_too in [false, true] {
            let mut cmd = bin(home.path());
            cmd.args([
                "--demo", "--users", "3000", "export", "users", "--format", format,
            ])
            .stdout(Stdio::piped());
            let (reader, writer) = std::io::pipe().unwrap();
            if stderr_too {
                cmd.stderr(writer.try_clone().unwrap());
            } else {
                cmd.stderr(Stdio::piped());
            }
            cmd.stdout(writer);
            let mut child = cmd.spawn().unwrap();
            drop(cmd);
            let mut first = String::new();
            BufReader::new(reader).read_line(&mut first).unwrap();
            // The reader is gone (like `head -1`): the export must stop without a word.
            assert!(!first.is_empty(), "{format}");
            let status = child.wait().unwrap();
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                e.read_to_string(&mut err).unwrap();
            }
            use std::os::unix::process::ExitStatusExt;
            assert!(
                status.success() && status.signal().is_none(),
                "{format} {stderr_too}: {status:?} {err}"
            );
            assert_eq!(err, "", "{format}");
        }
    }
}

/// Issue 11, items 22 and 25: help texts tell the truth, completions and a man page come from
/// the one clap definition, `--version` names the build.
#[test]
fn help_completions_man_page_and_version() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = bin(home.path()).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let help = run(&["--help"]);
    let line = |name: &str| {
        help.lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("{name}: {help}"))
            .to_string()
    };
    for name in ["sync", "snapshot"] {
        assert!(!line(name).contains("not available"), "{}", line(name));
    }
    let export = run(&["export", "--help"]);
    for blade in [
        "groups",
        "ca-policies",
        "protected-actions",
        "role-assignments",
    ] {
        assert!(export.contains(blade), "{blade}: {export}");
    }
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let c = run(&["completions", shell]);
        assert!(
            c.contains("entra-console") && c.contains("export"),
            "{shell}"
        );
    }
    let man = run(&["man"]);
    assert!(man.contains(".TH entra-console 1") && man.contains("snapshot"));
    let version = run(&["--version"]);
    assert!(
        version.starts_with("entra-console 0.") && version.contains('(') && version.contains(')'),
        "{version}"
    );
}

/// Issue 11, items 18 and 19: cache, snapshot and log are 0600 in 0700 folders; a missing
/// `--config` or snapshot file is an error that names it; a snapshot of another tenant warns.
#[test]
fn private_files_and_clear_errors_for_missing_files() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let mode = |p: &std::path::Path| {
        std::fs::metadata(p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
            .permissions()
            .mode()
            & 0o777
    };
    let out = bin(home.path())
        .args(["--demo", "sync", "groups"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let data = home.path().join("data/entra-console");
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("cache")), 0o700);
    assert_eq!(mode(&data.join("cache/demo.db")), 0o600);
    assert_eq!(mode(&data.join("entra-console.log")), 0o600);
    let snap = home.path().join("snap.db");
    let out = bin(home.path())
        .args(["--demo", "snapshot", "export", snap.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(mode(&snap), 0o600);
    // Into a profile of another tenant: imported, with a warning naming both tenants.
    let config = home.path().join("other.toml");
    std::fs::write(
        &config,
        "[profiles.contoso]\ntenant = \"contoso.onmicrosoft.com\"\n",
    )
    .unwrap();
    let out = bin(home.path())
        .args(["--config", config.to_str().unwrap(), "--profile", "contoso"])
        .args(["snapshot", "import", snap.to_str().unwrap()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("tailspindemo.onmicrosoft.com") && err.contains("contoso.onmicrosoft.com"),
        "{err}"
    );
    assert_eq!(mode(&data.join("cache/contoso.db")), 0o600);
    // Missing files are named, not explained away.
    let out = bin(home.path())
        .args([
            "--config",
            "/nonexistent/entra.toml",
            "--demo",
            "export",
            "groups",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("/nonexistent/entra.toml"), "{err}");
    let out = bin(home.path())
        .args(["--demo", "snapshot", "import", "/nonexistent.db"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("/nonexistent.db") && err.contains("does not exist") && !err.contains("sync"),
        "{err}"
    );
}

/// Issue 11, items 11 and 23: `export whocan PERMISSION`; an unknown permission says so;
/// role-assignments rows are assignments (id, principal, role, scope).
#[test]
fn export_whocan_and_role_assignments() {
    let home = tempfile::tempdir().unwrap();
    let out = bin(home.path())
        .args([
            "--demo",
            "export",
            "whocan",
            "conditionalAccessPolicies/create",
        ])
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().count() > 2, "{text}");
    assert!(text.contains("group "), "holders through groups: {text}");
    let out = bin(home.path())
        .args(["--demo", "export", "whocan", "foo/bar"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("unknown permission microsoft.directory/foo/bar"),
        "{err}"
    );
    let out = bin(home.path())
        .args(["--demo", "export", "role-assignments", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    for col in [
        "id",
        "Role",
        "Principal",
        "Assignment id",
        "Principal id",
        "Role id",
        "Scope id",
    ] {
        assert!(header.contains(&col), "{col}: {header:?}");
    }
    let pid = header.iter().position(|c| *c == "Principal id").unwrap();
    for line in lines.filter(|l| !l.contains(",via ")) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_ne!(
            cells[0], cells[pid],
            "id is the assignment's, not the principal's: {line}"
        );
    }
}

/// Issue 23, item 16: `export` knows a blade by the names `:` knows (it refused `licensing`
/// with exit 2 while `:licensing` worked), and gives the same rows.
#[test]
fn export_takes_a_blades_other_names() {
    let home = tempfile::tempdir().unwrap();
    let run = |blade: &str| {
        let out = bin(home.path())
            .args(["--demo", "export", blade, "--format", "csv"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{blade}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(run("licensing"), run("licenses"));
    assert_eq!(run("lic-errors"), run("license-errors"));
    // Deletion times move with the clock between two runs: the same items by id and type.
    let items = |csv: String| -> Vec<String> {
        csv.lines()
            .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(items(run("deleted")), items(run("deleted-items")));
}

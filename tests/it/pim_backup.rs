//! `pim backup`, `pim harden --baseline` and `pim restore` in the real binary against a demo
//! tenant whose request log the test reads: the backup is byte-stable, nothing is sent without
//! `--yes` (exit 1, the changes said rule by rule), with it only the differing rules are
//! PATCHed, and a restore brings the settings back to the backup's bytes.

use crate::common::bin;

fn patches(server: &entra_console::demo::DemoServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|l| l.starts_with("PATCH"))
        .cloned()
        .collect()
}

fn files(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

const BASELINE: &str = r#"
name = "Tier 0"
roles = ["privileged"]
[[rule]]
id = "Expiration_EndUser_Assignment"
maximumDuration = "PT2H"
[[rule]]
id = "Approval_EndUser_Assignment"
setting = { isApprovalRequired = true }
"#;

#[test]
fn backup_harden_and_restore_round_trip() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(crate::common::Harness::demo(Default::default()));
    let url = server.url();
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        bin(home.path(), true)
            .args(["--graph-url", &url])
            .args(args)
            .output()
            .unwrap()
    };
    let first = home.path().join("first");
    let out = run(&["pim", "backup", first.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");
    let roles = server
        .state
        .tenant
        .read()
        .unwrap()
        .pim_policies
        .iter()
        .filter(|p| p["scopeType"] == "DirectoryRole")
        .count();
    let saved = files(&first);
    assert_eq!(saved.len(), roles, "one file per role");
    assert!(
        saved
            .iter()
            .any(|(n, _)| n == "global-administrator-62e90394.json")
    );
    let again = home.path().join("again");
    assert!(
        run(&["pim", "backup", again.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(files(&again), saved, "byte-stable");

    let baseline = home.path().join("tier0.toml");
    std::fs::write(&baseline, BASELINE).unwrap();
    let out = run(&["pim", "harden", "--baseline", baseline.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("Global Administrator: Approval_EndUser_Assignment: setting.isApprovalRequired: false → true"),
        "{said}"
    );
    assert!(
        said.contains(
            "Global Administrator: Expiration_EndUser_Assignment: maximumDuration: PT8H → PT2H"
        ),
        "{said}"
    );
    assert!(said.contains("nothing was sent"), "{said}");
    assert!(patches(&server).is_empty(), "{:?}", patches(&server));
    // Exchange Administrator already requires approval in the demo: only its duration changes.
    assert!(
        said.contains("Exchange Administrator: Expiration_EndUser_Assignment")
            && !said.contains("Exchange Administrator: Approval_EndUser_Assignment"),
        "{said}"
    );
    let planned = said
        .lines()
        .filter(|l| l.contains(": maximumDuration:") || l.contains(": setting."))
        .count();

    let out = run(&[
        "pim",
        "harden",
        "--baseline",
        baseline.to_str().unwrap(),
        "--yes",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sent = patches(&server);
    assert_eq!(sent.len(), planned, "one PATCH per changed rule: {sent:?}");
    assert!(
        sent.iter()
            .all(|l| l.contains("/policies/roleManagementPolicies/"))
    );
    // Hardened again: nothing left to change.
    let out = run(&["pim", "harden", "--baseline", baseline.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("already at the baseline Tier 0"));

    let out = run(&["pim", "restore", first.to_str().unwrap(), "--yes"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(patches(&server).len(), 2 * planned, "the same rules back");
    let after = home.path().join("after");
    assert!(
        run(&["pim", "backup", after.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(files(&after), saved, "the settings are the backup's again");
}

/// A role name the tenant does not have (a typo) is refused, naming it: it would otherwise
/// change nothing and report success.
#[test]
fn a_baseline_naming_an_unknown_role_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let baseline = home.path().join("b.toml");
    std::fs::write(
        &baseline,
        "roles = [\"Global Admin\"]\n[[rule]]\nid = \"Expiration_EndUser_Assignment\"\nmaximumDuration = \"PT2H\"\n",
    )
    .unwrap();
    let out = bin(home.path(), false)
        .args([
            "--demo",
            "pim",
            "harden",
            "--baseline",
            baseline.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        said.contains("roles this tenant has not: Global Admin"),
        "{said}"
    );
}

#[test]
fn a_bad_baseline_is_named_and_nothing_is_read_for_it() {
    let home = tempfile::tempdir().unwrap();
    let baseline = home.path().join("b.toml");
    std::fs::write(
        &baseline,
        "[[rule]]\nid = \"Expiry\"\nmaximumDuration = \"PT1H\"\n",
    )
    .unwrap();
    let out = bin(home.path(), false)
        .args([
            "--demo",
            "pim",
            "harden",
            "--baseline",
            baseline.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(said.contains("Expiry: not a rule"), "{said}");
}

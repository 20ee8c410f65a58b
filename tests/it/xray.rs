//! xray: a user's groups with the nesting path, roles through a group, the policies that take
//! them in (report-only too) and their protected actions; from a risky user in one key, and
//! headless as JSON; a part that cannot be read is named and the rest still shown.

use crate::common::{Harness, bin};
use crossterm::event::KeyCode;
use entra_console::app::View;
use entra_console::blades::BladeKind;
use entra_console::demo::DemoOptions;
use serde_json::Value;

fn xray_json(user: &str) -> (bool, Value) {
    let home = tempfile::tempdir().unwrap();
    let out = bin(home.path(), false)
        .args(["--demo", "xray", user, "--format", "json"])
        .output()
        .unwrap();
    let v = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    (out.status.success(), v)
}

#[test]
fn nesting_path_roles_through_a_group_and_report_only_policies() {
    let (ok, x) = xray_json("mei.lin@tailspindemo.onmicrosoft.com");
    assert!(ok);
    for k in ["user", "groups", "roles", "policies"] {
        assert!(x.get(k).is_some(), "{k}");
    }
    let vpn = x["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["displayName"] == "SG-VPN-Users")
        .expect("the nested group");
    assert_eq!(vpn["direct"], false);
    assert_eq!(vpn["path"], serde_json::json!(["IT Team", "SG-VPN-Users"]));
    let ca003 = x["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["displayName"].as_str().unwrap().starts_with("CA003"))
        .expect("the report-only policy takes her in");
    assert_eq!(ca003["state"], "Report-only");
    // Adele: Global Administrator through Tier0 - Global Admins, and what it lets her do.
    let (ok, x) = xray_json("adele.vance@tailspindemo.onmicrosoft.com");
    assert!(ok);
    let ga = x["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["role"] == "Global Administrator")
        .unwrap();
    assert_eq!(ga["via"], "group Tier0 - Global Admins");
    let actions = x["protectedActions"].as_array().unwrap();
    let cap = actions
        .iter()
        .find(|a| a["permission"] == "microsoft.directory/conditionalAccessPolicies/create")
        .unwrap();
    assert_eq!(cap["context"], "c1");
    assert!(
        actions
            .iter()
            .all(|a| !a["permission"].as_str().unwrap().contains("users/basic"))
    );
}

#[tokio::test]
async fn from_a_risky_user_in_one_key() {
    let mut h = Harness::new(false).await;
    h.open(BladeKind::from_command("risky-users").unwrap())
        .await;
    h.filter("Chen Wei").await;
    h.key(KeyCode::Char('x')).await;
    let View::Detail(d) = h.app.top() else {
        panic!("the xray page")
    };
    assert_eq!(d.target.kind.def().name, "xray");
    let x = d.object.as_ref().expect("computed");
    assert!(x["groups"].as_array().unwrap().len() >= 5);
    insta::assert_snapshot!("xray_chen_100x30", h.render(100, 30));
}

#[tokio::test]
async fn a_part_not_read_is_named_and_the_rest_shown() {
    let opts = DemoOptions {
        deny: vec!["roleManagement".into()],
        ..Default::default()
    };
    let mut h = Harness::session(opts).await;
    h.open(BladeKind::Users).await;
    h.filter("Mei Lin").await;
    h.key(KeyCode::Char('x')).await;
    let View::Detail(d) = h.app.top() else {
        panic!("the xray page")
    };
    let x = d.object.as_ref().expect("computed despite the refusal");
    let not_read = x["notRead"].as_array().unwrap();
    assert!(
        not_read[0].as_str().unwrap().starts_with("directory roles"),
        "{not_read:?}"
    );
    assert!(!x["groups"].as_array().unwrap().is_empty());
    assert!(!x["policies"].as_array().unwrap().is_empty());
}

/// Issue 23, item 20: xray works offline from a synced snapshot (it refused: "xray reads
/// Graph"), and says the same as online about groups (nesting too) and roles.
#[test]
fn xray_offline_from_a_synced_snapshot() {
    let (_, live) = xray_json("mei.lin@tailspindemo.onmicrosoft.com");
    let admin = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = bin(admin.path(), false).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    };
    run(&["--demo", "sync"]);
    let snap = admin.path().join("snap.db");
    run(&["--demo", "snapshot", "export", snap.to_str().unwrap()]);
    let reviewer = tempfile::tempdir().unwrap();
    let out = bin(reviewer.path(), false)
        .args([
            "--offline",
            "--read-only",
            "--cache",
            snap.to_str().unwrap(),
        ])
        .args([
            "xray",
            "mei.lin@tailspindemo.onmicrosoft.com",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let x: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names = |v: &Value, k: &str| {
        let mut n: Vec<String> = v[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["displayName"].as_str().unwrap_or_default().to_string())
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(&x, "groups"), names(&live, "groups"));
    let vpn = x["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["displayName"] == "SG-VPN-Users")
        .expect("the nested group");
    assert_eq!(vpn["path"], serde_json::json!(["IT Team", "SG-VPN-Users"]));
    assert_eq!(x["roles"], live["roles"]);
}

//! `ca copy` between two demo tenants: the target's break-glass group has another id and its
//! "Blocked countries" location too; its Sales Team is gone. CA002 is copied with the group
//! remapped by name and lands report-only; CA014 names a group the target lacks and is
//! refused (and with --skip-missing would include no one, so refused too).

use entra_console::demo::{self, DemoOptions, DemoServer};
use serde_json::{Value, json};

const BG: &str = "f821d704-8276-4a01-bcc6-a4b0281c1027";
const NEW_BG: &str = "0b5e6f1a-7c3d-4e2f-9a8b-1c2d3e4f5a6b";
const NEW_LOC: &str = "5d4c3b2a-1908-4f7e-8d6c-5b4a39281706";

fn target(s: &DemoServer) {
    use entra_console::demo::store::Kind;
    let mut t = s.state.tenant.write().unwrap();
    let mut bg = t.group(BG).unwrap().clone();
    let members = t.members.get(BG).cloned().unwrap_or_default();
    t.remove(Kind::Group, BG);
    bg["id"] = json!(NEW_BG);
    t.upsert(Kind::Group, bg);
    t.members.insert(NEW_BG.into(), members);
    let sales = t
        .groups
        .iter()
        .find(|g| g["displayName"] == "Sales Team")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    t.remove(Kind::Group, &sales);
    for l in &mut t.policy.locations {
        if l["displayName"] == "Blocked countries" {
            l["id"] = json!(NEW_LOC);
        }
    }
    t.policy.policies.retain(|p| {
        let n = p["displayName"].as_str().unwrap();
        !n.starts_with("CA002") && !n.starts_with("CA014")
    });
    // A target that does not protect Conditional Access changes with a context.
    for a in &mut t.policy.actions {
        a["authenticationContextId"] = Value::Null;
    }
}

#[test]
fn a_policy_copied_across_tenants_is_remapped_by_name_and_lands_report_only() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let src = rt.block_on(demo::start(DemoOptions::default())).unwrap();
    let dst = rt.block_on(demo::start(DemoOptions::default())).unwrap();
    target(&dst);
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.contoso]\ngraph_url = \"{}\"\n\n[profiles.fabrikam]\ngraph_url = \"{}\"\n",
            src.url(),
            dst.url()
        ),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = crate::common::bin(home.path(), true)
            .args(["--config", config.to_str().unwrap(), "ca", "copy"])
            .args(args)
            .args(["--from-profile", "contoso", "--to-profile", "fabrikam"])
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let created = |name: &str| {
        dst.state
            .tenant
            .read()
            .unwrap()
            .policy
            .policies
            .iter()
            .find(|p| p["displayName"].as_str().unwrap().starts_with(name))
            .cloned()
    };
    // The review first: nothing is created without --yes.
    let (code, out, err) = run(&["CA002 - Block legacy authentication"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(&format!("group Break-glass accounts: {BG} → {NEW_BG}")),
        "{out}"
    );
    assert!(err.contains("--yes creates it"), "{err}");
    assert!(created("CA002").is_none());
    let (code, out, err) = run(&["CA002 - Block legacy authentication", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    let p = created("CA002").expect("created in the target");
    assert_eq!(p["state"], "enabledForReportingButNotEnforced");
    assert_eq!(p["conditions"]["users"]["excludeGroups"], json!([NEW_BG]));
    assert_eq!(
        p["conditions"]["clientAppTypes"],
        json!(["exchangeActiveSync", "other"])
    );
    // Once there, a second copy is refused by name.
    let (code, _, err) = run(&["CA002 - Block legacy authentication", "--yes"]);
    assert_eq!(code, 1);
    assert!(err.contains("already has a policy named"), "{err}");
    // CA014 names Sales Team, which the target lacks; its location is remapped.
    let (code, out, err) = run(&[
        "CA014 - Sales: MFA when signing in from blocked countries",
        "--yes",
    ]);
    assert_eq!(code, 1);
    assert!(
        out.contains("missing: group Sales Team (includeGroups): not in the target"),
        "{out}"
    );
    assert!(out.contains(&format!("→ {NEW_LOC}")), "{out}");
    assert!(err.contains("nothing copied"), "{err}");
    let (code, _, err) = run(&[
        "CA014 - Sales: MFA when signing in from blocked countries",
        "--yes",
        "--skip-missing",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("would include no one"), "{err}");
    assert!(created("CA014").is_none());
}

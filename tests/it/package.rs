//! A sealed review package in the real binary: written from a synced cache with its manifest
//! (tenant, who took it, parts with their SHA-256), verified intact, opened with `--cache`
//! always offline and read-only (the report names the package and its seal, nothing is sent,
//! a write is refused), and a single changed byte fails `snapshot verify`.

use crate::common::bin;

#[test]
fn a_package_is_verified_opened_read_only_and_fails_on_a_changed_byte() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(crate::common::Harness::demo(Default::default()));
    let url = server.url();
    let home = tempfile::tempdir().unwrap();
    let db = home.path().join("c.db");
    let run = |args: &[&str]| {
        bin(home.path(), true)
            .args(["--graph-url", &url, "--cache", db.to_str().unwrap()])
            .args(args)
            .output()
            .unwrap()
    };
    assert!(run(&["sync"]).status.success());
    let pkg = home.path().join("review.pkg");
    let out = run(&["snapshot", "export", "--package", pkg.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bin(home.path(), false)
        .args(["snapshot", "verify", pkg.to_str().unwrap()])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("intact"), "{said}");
    assert!(
        said.contains("by adele.vance@tailspindemo.onmicrosoft.com"),
        "{said}"
    );
    // Opened: offline (no request reaches the tenant), read-only, named with its seal.
    let sent = server
        .state
        .faults
        .requests
        .load(std::sync::atomic::Ordering::Relaxed);
    let out = bin(home.path(), true)
        .args([
            "--graph-url",
            &url,
            "--cache",
            pkg.to_str().unwrap(),
            "audit",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        md.starts_with(&format!("# Entra ID audit: package {}", pkg.display())),
        "{md}"
    );
    assert!(md.contains("seal sha256 "), "{md}");
    assert!(md.contains("Read-only: yes"), "{md}");
    let out = bin(home.path(), true)
        .args([
            "--graph-url",
            &url,
            "--cache",
            pkg.to_str().unwrap(),
            "groups",
            "add-members",
            "Finance Team",
            "/dev/null",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success(), "a write from a package is refused");
    assert_eq!(
        server
            .state
            .faults
            .requests
            .load(std::sync::atomic::Ordering::Relaxed),
        sent,
        "nothing was sent"
    );
    // One changed byte, anywhere in the snapshot: refused, and the package cannot be opened.
    let mut bytes = std::fs::read(&pkg).unwrap();
    let at = bytes.len() - 100;
    bytes[at] ^= 0x20;
    std::fs::write(&pkg, &bytes).unwrap();
    let out = bin(home.path(), false)
        .args(["snapshot", "verify", pkg.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("the snapshot was changed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = bin(home.path(), false)
        .args(["--cache", pkg.to_str().unwrap(), "audit"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

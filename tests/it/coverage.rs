//! Conditional Access coverage on the demo tenant: members are asked MFA only under risk
//! (CA010, CA011: CA003 is report-only), guests for every app but Office 365 (CA012 excludes
//! it), the break-glass accounts by nothing; the matrix says so cell by cell, a cell's page
//! names who is left out, EC.12 names the members, and CA004 blocks every sign-in CA014 asks
//! MFA of (EC.13).

use crate::common::Harness;
use crossterm::event::KeyCode;
use entra_console::app::View;
use entra_console::blades::BladeKind;

#[tokio::test]
async fn the_matrix_names_the_gaps_and_a_cell_the_users_left_out() {
    let mut h = Harness::new(false).await;
    h.open(BladeKind::from_command("ca-coverage").unwrap())
        .await;
    let View::List(l) = h.app.top() else {
        panic!("a list")
    };
    let rows: Vec<Vec<String>> = l.table.visible_rows().map(|r| r.cells.to_vec()).collect();
    let cell = |pop: &str, app: &str| {
        rows.iter()
            .find(|r| r[0] == pop && r[1] == app)
            .unwrap_or_else(|| panic!("{pop} {app}: {rows:?}"))
            .clone()
    };
    // Population, app, users, MFA, block, partly, none.
    let members = cell("members", "all resources");
    assert_eq!(members[5], "44", "{members:?}");
    assert_eq!(members[6], "2", "{members:?}");
    // CA012 asks guests MFA for every app but Office 365: only risk asks them there.
    let guests = cell("guests", "Office 365");
    assert_eq!(
        guests[3], "0",
        "no guest always asked MFA for Office 365: {guests:?}"
    );
    assert_eq!(guests[5], guests[2], "only under conditions: {guests:?}");
    assert_eq!(
        cell("guests", "admin portals")[3],
        guests[2],
        "elsewhere they are"
    );
    // After the matrix: the pair that contradicts.
    let pair = cell("CA004 / CA014", "contradiction");
    assert_eq!(pair[2], "", "no counts on a relation: {pair:?}");
    assert_eq!(cell("break-glass accounts", "admin portals")[6], "2");
    h.filter("members all resources").await;
    h.key(KeyCode::Enter).await;
    let screen = h.render_full(140, 50);
    for want in [
        "Not covered by any enabled policy",
        "bg-admin01@tailspindemo.onmicrosoft.com",
        "CA011 - Medium or high sign-in risk requires MFA",
    ] {
        assert!(screen.contains(want), "{want}: {screen}");
    }
    // The guests' gap in words, and the pair's page (Esc closes the page, then the filter).
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;
    h.filter("guests Office").await;
    h.key(KeyCode::Enter).await;
    let screen = h.render_full(160, 50);
    assert!(
        screen.contains("guests, Office 365: 5 of 5 not always required MFA"),
        "{screen}"
    );
    assert!(
        screen.contains("CA012 - Guests require MFA excludes Office 365"),
        "the cause named: {screen}"
    );
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;
    h.filter("contradiction").await;
    h.key(KeyCode::Enter).await;
    let screen = h.render_full(320, 30);
    assert!(
        screen.contains("\"CA004 - Block access from blocked countries\" blocks every sign-in that \"CA014 - Sales: MFA when signing in from blocked countries\" applies to, so the second policy's grant (mfa) never takes effect"),
        "{screen}"
    );
}

#[tokio::test]
async fn the_audit_names_the_contradicting_pair_and_passes_the_other_relations() {
    let mut h = Harness::new(false).await;
    h.open(BladeKind::from_command("findings").unwrap()).await;
    let View::List(l) = h.app.top() else {
        panic!("a list")
    };
    let rows: Vec<Vec<String>> = l.table.visible_rows().map(|r| r.cells.to_vec()).collect();
    let status = |id: &str| {
        rows.iter()
            .find(|r| r.iter().any(|c| c == id))
            .unwrap_or_else(|| panic!("{id}: {rows:?}"))
            .join(" | ")
    };
    assert!(status("EC.13").contains("FAIL"), "{}", status("EC.13"));
    assert!(status("EC.14").contains("pass"), "{}", status("EC.14"));
    assert!(status("EC.15").contains("pass"), "{}", status("EC.15"));
}

/// `export ca-coverage`: the same matrix as the view, with the profile's break-glass accounts
/// (the demo's), the legacy-client column and the contradicting pair; offline from the audit
/// the cache keeps.
#[test]
fn export_ca_coverage_live_and_offline() {
    let home = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = crate::common::bin(home.path(), false)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    for args in [
        &["--demo", "export", "ca-coverage", "--format", "json"][..],
        &[
            "--demo",
            "--offline",
            "export",
            "ca-coverage",
            "--format",
            "json",
        ][..],
    ] {
        let v = run(args);
        let rows = v.as_array().unwrap();
        let row = |pop: &str, app: &str| {
            rows.iter()
                .find(|r| r["population"] == pop && r["app"] == app)
                .unwrap_or_else(|| panic!("{pop} {app}: {rows:?}"))
        };
        let bg = row("break-glass accounts", "all resources");
        assert_eq!(bg["users"], "2", "{args:?}");
        assert_eq!(bg["legacyBlocked"], "0", "excluded from CA002");
        assert_eq!(row("guests", "all resources")["legacyBlocked"], "5");
        assert!(
            row("CA004 / CA014", "contradiction")["partlyBy"]
                .as_str()
                .unwrap()
                .contains("never takes effect")
        );
    }
}

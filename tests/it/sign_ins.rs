//! Sign-in triage: a blocked admin's sign-ins on one screen, Graph's codes in words, the
//! Conditional Access results (report-only ones named because the console asks for them); Enter
//! on the blocked sign-in opens its page (from where, how, every policy's result) and `p` there
//! the policy that blocked it.

use crate::common::{Harness, bin, redact_dates};
use crossterm::event::KeyCode;
use entra_console::app::View;
use entra_console::blades::{BladeKind, ObjectKind};
use entra_console::graph::Request;

#[tokio::test]
async fn why_was_this_admin_blocked() {
    let mut h = Harness::new(false).await;
    h.open(BladeKind::Users).await;
    h.filter("Adele Vance").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Char('i')).await;
    insta::assert_snapshot!("sign_ins_80x10", redact_dates(&h.render(80, 10)));
    let View::List(l) = h.app.top() else {
        panic!("the sign-ins")
    };
    let rows: Vec<Vec<String>> = l.table.visible_rows().map(|r| r.cells.to_vec()).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0][2], "53003", "newest first: {rows:?}");
    assert!(rows[0][3].starts_with("blocked by CA004"), "{:?}", rows[0]);
    assert!(
        rows[1][6].contains("CA003 would pass (report-only)"),
        "{:?}",
        rows[1]
    );
    // The console asked for report-only results by name.
    {
        let log = h.server.state.faults.log.lock().unwrap();
        assert!(
            log.iter()
                .any(|l| l.starts_with("GET /v1.0/auditLogs/signIns"))
        );
    }
    h.key(KeyCode::Enter).await;
    let screen = h.render_full(120, 80);
    for want in [
        "203.0.113.",
        "Pyongyang",
        "53003: blocked by Conditional Access",
        "Mobile app notification",
        "FAILED: iPhone 14",
        "multifactor",
        "NOT MET (blocked)",
        "CA004 - Block access from blocked countries; grant: Block",
        "report-only: not applied",
        "Correlation id",
    ] {
        assert!(screen.contains(want), "{want}:\n{screen}");
    }
    // The page's methods are beta-only: it is read from /beta.
    {
        let log = h.server.state.faults.log.lock().unwrap();
        assert!(
            log.iter()
                .any(|l| l.starts_with("GET /beta/auditLogs/signIns/a1b20001"))
        );
    }
    h.key(KeyCode::Char('p')).await;
    let View::Detail(d) = h.app.top() else {
        panic!("the policy's page")
    };
    assert_eq!(d.target.kind, ObjectKind::CaPolicy);
    assert!(d.target.name.starts_with("CA004"));
}

#[tokio::test]
async fn report_only_results_are_named_only_when_asked() {
    let h = Harness::new(false).await;
    let plain = h
        .client
        .get_all(Request::get("/auditLogs/signIns"))
        .await
        .unwrap();
    let results = |items: &[serde_json::Value]| -> Vec<String> {
        items
            .iter()
            .flat_map(|s| {
                s["appliedConditionalAccessPolicies"]
                    .as_array()
                    .unwrap()
                    .clone()
            })
            .map(|p| p["result"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(results(&plain).iter().any(|r| r == "unknownFutureValue"));
    assert!(!results(&plain).iter().any(|r| r.starts_with("reportOnly")));
    let named = h
        .client
        .get_all(
            Request::get("/auditLogs/signIns").header("Prefer", "include-unknown-enum-members"),
        )
        .await
        .unwrap();
    assert!(results(&named).iter().any(|r| r == "reportOnlySuccess"));
}

#[test]
fn export_sign_ins_of_a_user() {
    let home = tempfile::tempdir().unwrap();
    let out = bin(home.path(), false)
        .args([
            "--demo",
            "export",
            "sign-ins",
            "adele.vance@tailspindemo.onmicrosoft.com",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][7], "53003");
    assert!(rows[0][9].contains("CA004"));
}

/// The tenant-wide blade: every user's sign-ins of the last day, and `/?` terms that Graph
/// filters (the demo applies `$filter` as Graph does, nested properties included).
#[tokio::test]
async fn the_tenant_wide_blade_filters_through_graph() {
    let mut h = Harness::new(false).await;
    h.open(BladeKind::from_command("sign-ins").unwrap()).await;
    let users = |h: &Harness| -> Vec<String> {
        let View::List(l) = h.app.top() else {
            panic!("a list")
        };
        l.table
            .visible_rows()
            .map(|r| r.cells[1].to_string())
            .collect()
    };
    let all = users(&h);
    assert!(all.contains(&"Chen Wei".to_string()) && all.contains(&"Adele Vance".to_string()));
    for (query, want) in [
        ("country:NG", vec!["Chen Wei", "Chen Wei"]),
        ("interrupted", vec!["Adele Vance"]),
        ("code:53003 app:Azure", vec!["Adele Vance"]),
    ] {
        h.key(KeyCode::Esc).await;
        h.filter(&format!("?{query}")).await;
        assert_eq!(users(&h), want, "{query}");
    }
    let log = h.server.state.faults.log.lock().unwrap().clone();
    assert!(
        log.iter()
            .all(|l| !l.contains("/auditLogs/signIns")
                || l.starts_with("GET /v1.0/auditLogs/signIns"))
    );
}

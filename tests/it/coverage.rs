//! Conditional Access coverage on the demo tenant: members are asked MFA only under risk
//! (CA010, CA011: CA003 is report-only), guests always (CA012), the break-glass accounts by
//! nothing; the matrix says so cell by cell, a cell's page names who is left out, and EC.12
//! names the members.

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
    let guests = cell("guests", "Office 365");
    assert_eq!(guests[2], guests[3], "every guest is asked MFA: {guests:?}");
    assert_eq!(cell("break-glass accounts", "admin portals")[6], "2");
    h.filter("members all resources").await;
    h.key(KeyCode::Enter).await;
    let screen = h.render_full(140, 50);
    for want in [
        "Left out",
        "bg-admin01@tailspindemo.onmicrosoft.com",
        "CA011 - Medium or high sign-in risk requires MFA",
    ] {
        assert!(screen.contains(want), "{want}: {screen}");
    }
}

//! Snapshots of rendered screens (ratatui `TestBackend`), with data loaded over HTTP from the
//! demo tenant and effects driven inline, so what is drawn is what the real loop would draw.

mod common;

use common::Harness;
use crossterm::event::KeyCode;

#[tokio::test]
async fn groups_list_80x24() {
    let mut h = Harness::new(false).await;
    insta::assert_snapshot!(h.render(80, 24));
}

#[tokio::test]
async fn groups_list_120x40() {
    let mut h = Harness::new(true).await;
    insta::assert_snapshot!(h.render(120, 40));
}

#[tokio::test]
async fn groups_filtered_and_sorted() {
    let mut h = Harness::new(false).await;
    h.key(KeyCode::Char('/')).await;
    h.type_str("team").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Char('s')).await;
    insta::assert_snapshot!(h.render(80, 24));
}

#[tokio::test]
async fn group_detail_sheet_and_json() {
    let mut h = Harness::new(false).await;
    h.key(KeyCode::Char('/')).await;
    h.type_str("tier0").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    insta::assert_snapshot!("group_detail_sheet", h.render(80, 24));
    h.key(KeyCode::Tab).await;
    insta::assert_snapshot!("group_detail_json", h.render(120, 40));
}

#[tokio::test]
async fn group_members() {
    let mut h = Harness::new(false).await;
    h.key(KeyCode::Char('/')).await;
    h.type_str("break-glass").await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Enter).await;
    h.key(KeyCode::Char('m')).await;
    insta::assert_snapshot!(h.render(80, 24));
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Esc).await;
    assert_eq!(h.app.breadcrumbs(), ["Groups"]);
}

#[tokio::test]
async fn help_overlay() {
    let mut h = Harness::new(false).await;
    h.key(KeyCode::Char('?')).await;
    insta::assert_snapshot!(h.render(80, 40));
}

#[tokio::test]
async fn palette_completes_and_jumps() {
    let mut h = Harness::new(false).await;
    h.key(KeyCode::Char(':')).await;
    h.type_str("us").await;
    insta::assert_snapshot!("palette_open", h.render(80, 24));
    h.key(KeyCode::Tab).await;
    h.key(KeyCode::Enter).await;
    assert_eq!(h.app.breadcrumbs(), ["Users"]);
    insta::assert_snapshot!("users_list", h.render(80, 24));
}

#[tokio::test]
async fn tiny_terminals_render_without_panic() {
    let mut h = Harness::new(false).await;
    for (w, hgt) in [(20, 5), (19, 4), (1, 1), (40, 8), (2, 30), (200, 3)] {
        let _ = h.render(w, hgt);
    }
    insta::assert_snapshot!(h.render(20, 5));
}

//! Snapshots of rendered screens (ratatui `TestBackend`), with data loaded over HTTP from the
//! demo tenant and effects driven inline, so what is drawn is what the real loop would draw.

use crate::common::Harness;
use crossterm::event::KeyCode;
use entra_console::app::View;
use entra_console::blades::BladeKind;

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
    h.filter("team").await;
    h.key(KeyCode::Char('s')).await;
    insta::assert_snapshot!(h.render(80, 24));
}

#[tokio::test]
async fn group_detail_sheet_and_json() {
    let mut h = Harness::new(false).await;
    h.filter("tier0").await;
    h.key(KeyCode::Enter).await;
    insta::assert_snapshot!("group_detail_sheet", h.render(80, 24));
    h.key(KeyCode::Tab).await;
    insta::assert_snapshot!("group_detail_json", h.render(120, 40));
}

#[tokio::test]
async fn group_members() {
    let mut h = Harness::new(false).await;
    h.filter("break-glass").await;
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

/// Issue 23, item 15: the help scrolls to its last line and no further (it scrolled past its
/// end into a blank box); one `k` after many `j` moves it back at once.
#[tokio::test]
async fn help_stops_scrolling_at_its_end() {
    let mut h = Harness::new(false).await;
    h.key(KeyCode::Char('?')).await;
    let _ = h.render(80, 24);
    for _ in 0..300 {
        h.key(KeyCode::Char('j')).await;
        let _ = h.render(80, 24);
    }
    let end = h.render(80, 24);
    assert!(end.contains("⚑ on a row"), "{end}");
    // The box is full: its row above the bottom border holds text.
    let rows: Vec<&str> = end.lines().collect();
    let filled = rows
        .iter()
        .filter(|l| l.starts_with('│') && l.trim_matches(|c| c == '│' || c == ' ').is_empty())
        .count();
    assert!(filled <= 2, "blank rows in the help: {end}");
    h.key(KeyCode::Char('k')).await;
    let up = h.render(80, 24);
    assert!(!up.contains("⚑ on a row"), "{up}");
}

/// Issue 11, items 21 and 22: a message longer than the bar is cut with … and kept whole in
/// `:messages`; the help names the palette commands.
#[tokio::test]
async fn long_messages_are_cut_and_kept_whole() {
    let mut h = Harness::new(false).await;
    let long = "refused: context c1 is used by 3 protected actions (conditionalAccessPolicies/create, conditionalAccessPolicies/delete, conditionalAccessPolicies/basic/update); clear it there first";
    h.app.toast(long, true);
    let screen = h.render(80, 24);
    let bar = screen.lines().last().unwrap();
    assert!(
        bar.contains("refused: context c1") && bar.contains('…'),
        "{bar}"
    );
    assert!(bar.contains(":messages"), "{bar}");
    h.key(KeyCode::Char(':')).await;
    h.type_str("messages").await;
    h.key(KeyCode::Enter).await;
    let screen = h.render(80, 24);
    assert!(screen.contains("clear it there"), "{screen}");
    h.key(KeyCode::Esc).await;
    h.key(KeyCode::Char('?')).await;
    let screen = h.render(100, 90);
    for cmd in ["whocan", "whatif", "protect", "ctx PROFILE", "j/k scroll"] {
        assert!(screen.contains(cmd), "{cmd}: {screen}");
    }
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

/// Counts what the terminal would receive.
#[derive(Clone, Default)]
struct Wire(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl std::io::Write for Wire {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .fetch_add(buf.len(), std::sync::atomic::Ordering::Relaxed);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Over SSH every byte counts: a one-row cursor move redraws only what changed (design budget:
/// under 1 KiB). Bytes are counted, not time.
#[tokio::test]
async fn a_cursor_move_writes_under_1_kib() {
    let mut h = Harness::new(false).await;
    let wire = Wire::default();
    let bytes = || wire.0.load(std::sync::atomic::Ordering::Relaxed);
    let backend = ratatui::backend::CrosstermBackend::new(wire.clone());
    let mut t = ratatui::Terminal::with_options(
        backend,
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 80, 24)),
        },
    )
    .unwrap();
    t.draw(|f| entra_console::ui::draw(f, &mut h.app)).unwrap();
    let first = bytes();
    h.key(KeyCode::Down).await;
    t.draw(|f| entra_console::ui::draw(f, &mut h.app)).unwrap();
    let moved = bytes() - first;
    eprintln!("first frame {first} bytes, one-row cursor move {moved} bytes");
    assert!(
        first > 1024,
        "the first frame draws everything ({first} bytes)"
    );
    assert!(moved < 1024, "a cursor move wrote {moved} bytes");
}

/// Issue 11, item 22: the view's own keys are in the status bar; a key the view does not
/// answer says so.
#[tokio::test]
async fn view_keys_in_the_status_bar_and_unsupported_keys_said() {
    let mut h = Harness::new(false).await;
    h.open(entra_console::blades::BladeKind::CaPolicies).await;
    let screen = h.render(160, 24);
    let bar = screen.lines().last().unwrap();
    assert!(bar.contains("E edit") && bar.contains("t state"), "{bar}");
    assert!(bar.contains("? help"), "{bar}");
    h.key(KeyCode::Char('m')).await;
    let t = h.app.toast.as_ref().unwrap();
    assert!(
        t.text.contains("does nothing on Conditional Access"),
        "{}",
        t.text
    );
    // At 80 columns the help key stays.
    h.app.toast = None;
    let screen = h.render(80, 24);
    assert!(
        screen.lines().last().unwrap().contains("? help"),
        "{screen}"
    );
}

/// Issue 17, item 2: a damaged cache is said at once and stays said, at 80 columns.
#[tokio::test]
async fn a_damaged_cache_stays_visible_at_80_columns() {
    let mut h = Harness::new(false).await;
    let effects = h.app.update(entra_console::app::Msg::CacheDamaged(
        "cache damaged: run `entra-console sync --full` or import a snapshot (database disk image is malformed; /home/admin/.local/share/entra-console/cache/prod.db)".into(),
    ));
    assert!(effects.is_empty());
    let bar = h.render(80, 24).lines().last().unwrap().to_string();
    assert!(
        bar.contains("cache damaged") && bar.contains("sync --full"),
        "{bar}"
    );
    // After the message has gone, the badge stays.
    let later = h.app.now + chrono::Duration::seconds(30);
    h.app.update(entra_console::app::Msg::Tick(later));
    let bar = h.render(80, 24).lines().last().unwrap().to_string();
    assert!(bar.contains("CACHE DAMAGED"), "{bar}");
}

/// Issue 12: `?` first says what this view's keys do here, in the blade's own words (the same
/// key sets a policy's state on one blade and an action's context on another).
#[tokio::test]
async fn help_names_each_blades_keys_in_its_own_words() {
    let mut h = Harness::new(false).await;
    let mut seen = Vec::new();
    for (blade, title, word) in [
        (
            entra_console::blades::BladeKind::CaPolicies,
            "Here: Conditional Access",
            "state",
        ),
        (
            entra_console::blades::BladeKind::ProtectedActions,
            "Here: Protected actions",
            "context",
        ),
    ] {
        h.open(blade).await;
        h.key(KeyCode::Char('?')).await;
        let screen = h.render(120, 80);
        assert!(screen.contains(title), "{screen}");
        // The keymap's own section for this blade is listed; another blade's is not.
        assert!(
            !screen.contains("Remove the selected role assignment"),
            "{screen}"
        );
        if blade == entra_console::blades::BladeKind::CaPolicies {
            assert!(screen.contains("Delete the selected CA policy"), "{screen}");
        }
        let line = screen
            .lines()
            .find(|l| l.contains(" t ") && l.contains(word))
            .unwrap_or_else(|| panic!("t {word} in:\n{screen}"))
            .to_string();
        seen.push(line);
        h.key(KeyCode::Esc).await;
    }
    assert_ne!(seen[0], seen[1]);
}

/// The navigation column, snapshotted here once (every other screen snapshot blanks it): one
/// line per registered blade, the current one marked. Taller than 80x24 holds, it scrolls to
/// keep the current blade in sight and its title says there is more.
#[tokio::test]
async fn navigation_column() {
    let mut h = Harness::new(false).await;
    h.open(entra_console::blades::BladeKind::CaPolicies).await;
    let tall = h.render_full(80, 40);
    for b in entra_console::blades::BladeKind::ALL {
        assert!(tall.contains(b.nav_label()), "{}", b.nav_label());
    }
    let screen = h.render_full(80, 24);
    assert!(screen.contains("Blades ↕"), "{screen}");
    insta::assert_snapshot!("navigation_column_80x24", screen);
    // The last blade, far down the list, is in sight when it is the current one.
    h.open(*entra_console::blades::BladeKind::ALL.last().unwrap())
        .await;
    let screen = h.render_full(80, 24);
    assert!(screen.contains("▸ Journal"), "{screen}");
}

/// `/?text` on Users asks Graph (`$search` with `ConsistencyLevel: eventual`) instead of
/// filtering what was read; `/?$filter=…` sends an advanced `$filter`.
#[tokio::test]
async fn users_are_searched_at_the_server() {
    let mut h = Harness::new(false).await;
    h.open(BladeKind::Users).await;
    h.filter("?chen").await;
    let View::List(l) = h.app.top() else {
        panic!("the results")
    };
    assert!(matches!(
        l.source,
        entra_console::blades::ListSource::Query { .. }
    ));
    let names: Vec<String> = l
        .table
        .visible_rows()
        .map(|r| r.cells[0].to_string())
        .collect();
    assert_eq!(names, ["Chen Wei"]);
    {
        let log = h.server.state.faults.log.lock().unwrap();
        // The list was read once, the query once more (the log names paths only).
        assert_eq!(
            log.iter().filter(|l| *l == "GET /v1.0/users").count(),
            2,
            "{log:?}"
        );
    }
    h.key(KeyCode::Esc).await;
    h.filter("?$filter=userType eq 'Guest'").await;
    let View::List(l) = h.app.top() else {
        panic!("the results")
    };
    assert!(l.load.error.is_none(), "{:?}", l.load.error);
    assert!(l.table.visible_rows().all(|r| &r.cells[2] == "Guest"));
    assert_eq!(l.table.len(), 5);
}

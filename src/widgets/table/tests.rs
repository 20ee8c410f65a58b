//! Tests of the object table: filtering, sorting, paging, marks, rendering.

use super::*;
use serde_json::json;

fn table(names: &[&str]) -> ObjectTable {
    let mut t = ObjectTable::new(vec![Column::grow("Name", 10), Column::fixed("Kind", 4)]);
    t.set_rows(
        names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                TableRow::new(
                    json!({"id": i.to_string()}),
                    vec![n.to_string(), "SEC".into()],
                )
            })
            .collect(),
    );
    t
}

#[test]
fn narrowing_matches_a_full_scan() {
    let names: Vec<String> = (0..30_000)
        .map(|i| format!("user {i} ada{}", i % 7))
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut typed = table(&refs);
    let mut fresh = table(&refs);
    for q in ["a", "ad", "ada", "ada3", "ada3 1", "ada3 12"] {
        typed.set_filter(q);
    }
    fresh.set_filter("ada3 12");
    let ids = |t: &ObjectTable| {
        t.visible_rows()
            .map(|r| r.id().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&typed), ids(&fresh));
    assert!(typed.visible_len() > 0);
    // Backspace widens again.
    typed.set_filter("ada3 1");
    fresh.set_filter("ada3 1");
    assert_eq!(ids(&typed), ids(&fresh));
}

/// A large table filters off the UI task: the key leaves a job and the old rows; the job's
/// results are the synchronous scan's; a job made moot by the next key is not applied.
#[test]
fn a_large_filter_runs_as_a_job_with_the_same_results() {
    let names: Vec<String> = (0..60_000)
        .map(|i| format!("user {i} ada{}", i % 7))
        .collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut t = table(&refs);
    let ids = |t: &ObjectTable| {
        t.visible_rows()
            .map(|r| r.id().to_string())
            .collect::<Vec<_>>()
    };
    t.set_filter("ada3");
    assert!(t.matching);
    assert_eq!(
        t.visible_len(),
        60_000,
        "the old rows until the job answers"
    );
    let stale = t.take_job().unwrap();
    t.set_filter("ada3 1");
    let job = t.take_job().unwrap();
    assert!(stale.run().is_none_or(|r| !t.awaits(r.generation)));
    t.apply(job.run().unwrap());
    assert!(!t.matching);
    // The same rows as a table small enough to filter at once (the matches of "ada3 1").
    let small: Vec<&str> = refs
        .iter()
        .copied()
        .filter(|n| n.ends_with("ada3"))
        .collect();
    let mut s = table(&small);
    s.set_filter("ada3 1");
    let names_of = |t: &ObjectTable| {
        t.visible_rows()
            .map(|r| r.cells[0].to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names_of(&t), names_of(&s));
    assert!(!ids(&t).is_empty());
    // Narrowing again (8,572 candidates: under the threshold) is done at once.
    t.set_filter("ada3 12");
    assert!(!t.matching && t.take_job().is_none());
}

#[test]
fn dates_are_not_searched() {
    assert!(is_date("2025-09-12") && !is_date("CA005 - x") && !is_date("2025-09-1x"));
    let mut t = ObjectTable::new(vec![
        Column::grow("Name", 10),
        Column::fixed("Modified", 10),
    ]);
    t.set_rows(vec![
        TableRow::new(
            json!({"id": "1"}),
            vec!["CA005 - Finance".into(), "2024-01-10".into()],
        ),
        TableRow::new(
            json!({"id": "2"}),
            vec!["CA001 - Admins".into(), "2025-09-12".into()],
        ),
    ]);
    t.set_filter("CA005");
    assert_eq!(t.visible_len(), 1);
}

#[test]
fn fuzzy_filter_narrows_and_clears() {
    let mut t = table(&["Finance Team", "Engineering", "Legal Team", "Sales"]);
    t.set_filter("fin");
    assert_eq!(t.visible_len(), 1);
    t.set_filter("tm");
    assert_eq!(t.visible_len(), 0, "contiguous by default");
    t.set_filter("~tm");
    assert_eq!(t.visible_len(), 2, "fuzzy: T..m in 'Team'");
    t.set_filter("");
    assert_eq!(t.visible_len(), 4);
}

#[test]
fn best_match_first_unless_sorted() {
    let mut t = table(&["Tailspin Demo Studio", "Tier0 admins"]);
    t.set_filter("tier0");
    assert_eq!(&t.selected().unwrap().cells[0], "Tier0 admins");
}

#[test]
fn sort_and_reverse() {
    let mut t = table(&["b", "c", "a"]);
    t.cycle_sort();
    let names: Vec<_> = t.visible_rows().map(|r| r.cells[0].to_string()).collect();
    assert_eq!(names, ["a", "b", "c"]);
    t.reverse_sort();
    let names: Vec<_> = t.visible_rows().map(|r| r.cells[0].to_string()).collect();
    assert_eq!(names, ["c", "b", "a"]);
}

#[test]
fn cursor_stays_on_object_when_rows_arrive() {
    let mut t = table(&["b", "c", "a"]);
    t.cycle_sort();
    t.move_by(1); // "b"
    t.extend(vec![TableRow::new(
        json!({"id": "9"}),
        vec!["0".into(), "x".into()],
    )]);
    assert_eq!(&t.selected().unwrap().cells[0], "b");
}

#[test]
fn repeated_objects_are_listed_once() {
    let mut t = table(&["a", "b"]);
    let again = |name: &str, id: &str| {
        TableRow::new(
            json!({"id": id, "displayName": name}),
            vec![name.to_string()],
        )
    };
    t.set_objects(vec![again("a", "0"), again("b", "1")]);
    t.extend_objects(vec![again("a2", "0"), again("c", "c")]);
    assert_eq!(t.len(), 3);
    assert_eq!(&t.rows[0].cells[0], "a2");
    t.set_objects(vec![again("x", "x"), again("x", "x")]);
    assert_eq!(t.len(), 1);
    // Computed rows may share a principal.
    t.set_rows(vec![again("x", "x"), again("x", "x")]);
    assert_eq!(t.len(), 2);
}

#[test]
fn cells_are_sanitized() {
    let t = table(&["Evil\x1b[2J"]);
    assert!(!t.selected().unwrap().cells[0].contains('\x1b'));
}

#[test]
fn movement_is_clamped_on_empty_and_full() {
    let mut t = table(&[]);
    t.move_by(5);
    t.bottom();
    assert!(t.selected().is_none());
    let mut t = table(&["a", "b"]);
    t.move_by(10);
    assert_eq!(t.cursor, 1);
    t.move_by(-10);
    assert_eq!(t.cursor, 0);
}

/// WCAG 2 relative luminance of a colour (named colours as xterm draws them).
fn luminance(c: ratatui::style::Color) -> f64 {
    use ratatui::style::Color::*;
    let (r, g, b) = match c {
        Rgb(r, g, b) => (r, g, b),
        Black => (0, 0, 0),
        White => (255, 255, 255),
        Yellow => (255, 255, 0),
        Gray => (229, 229, 229),
        DarkGray => (127, 127, 127),
        Blue => (0, 0, 238),
        Cyan => (0, 205, 205),
        other => panic!("no RGB for {other:?}"),
    };
    let lin = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// Issue 11, item 20: the selected row is drawn in the selection style only, whatever
/// colour its cells have elsewhere, and that style reads at 4.5:1 or better in every theme.
#[test]
fn the_selected_row_is_readable_in_every_theme() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    for (name, _) in crate::theme::BUILTIN {
        let theme = crate::theme::Theme::builtin(name).unwrap();
        let mut t = table(&["On", "Off"]);
        let mut term = Terminal::new(TestBackend::new(30, 5)).unwrap();
        let styler = |_: &TableRow, _: usize| Some(theme.success);
        term.draw(|f| {
            let look = Look {
                style: &styler,
                flagged: &|_| false,
            };
            t.render(f, f.area(), &theme, Line::from("t"), true, &look);
        })
        .unwrap();
        let buf = term.backend().buffer();
        // Row 0 of the body is at y = 2 (border, header); "On" starts at x = 1.
        let cell = &buf[(1, 2)];
        assert_eq!(cell.symbol(), "O");
        let sel = theme.selection;
        assert_eq!(
            cell.fg,
            sel.fg.unwrap_or_default(),
            "{name}: cell colour kept"
        );
        assert_eq!(cell.bg, sel.bg.unwrap_or_default(), "{name}");
        match (sel.fg, sel.bg) {
            (Some(fg), Some(bg)) => {
                let (a, b) = (luminance(fg), luminance(bg));
                let ratio = (a.max(b) + 0.05) / (a.min(b) + 0.05);
                assert!(ratio >= 4.5, "{name}: selection contrast {ratio:.2}:1");
            }
            // Reverse video of the terminal's own colours.
            (None, None) => assert!(
                sel.add_modifier.contains(Modifier::REVERSED),
                "{name}: a selection without colours must be reverse video"
            ),
            _ => panic!("{name}: selection sets only one of fg/bg"),
        }
    }
}

/// Issue 11, item 24: contiguous matches only (word starts first); `~` for fuzzy.
#[test]
fn words_match_contiguously_unless_fuzzy_is_asked() {
    let mut t = table(&["Madeleine Ross", "Alan Delaney", "Adele Vance"]);
    t.set_filter("adele");
    let names: Vec<&str> = t.visible_rows().map(|r| &r.cells[0]).collect();
    assert_eq!(names, ["Adele Vance", "Madeleine Ross"]);
    t.set_filter("~adele");
    assert_eq!(t.visible_len(), 3, "fuzzy takes scattered letters too");
    t.set_filter("vance ade");
    assert_eq!(t.visible_len(), 1, "words in any order");
}

#[test]
fn cut_cells_end_in_an_ellipsis() {
    assert_eq!(fit("4f1e2b7c-0000", 8), "4f1e2b7…");
    assert_eq!(fit("short", 8), "short");
    assert_eq!(fit("漢字漢字", 5), "漢字…");
}

#[test]
fn best_first_orders_by_score_then_row() {
    let scored = vec![(5, 0), (9, 1), (5, 2), (9, 3), (0, 4)];
    assert_eq!(best_first(scored), [1, 3, 0, 2, 4]);
    // Scores too large for buckets are sorted instead, to the same order.
    assert_eq!(
        best_first(vec![(70_000, 2), (3, 7), (70_000, 8)]),
        [2, 8, 7]
    );
    assert_eq!(best_first(Vec::new()), Vec::<usize>::new());
}

/// Issue 23, item 14: a permission cut at the end read `crossTenantAccessPolicy/default/…` on
/// four rows; cut inside its segments, the distinguishing end stays.
#[test]
fn paths_keep_their_distinguishing_end() {
    let names = [
        "crossTenantAccessPolicy/default/b2bCollaborationOutbound/update",
        "crossTenantAccessPolicy/default/b2bDirectConnectInbound/update",
        "crossTenantAccessPolicy/default/crossCloudMeetings/update",
        "crossTenantAccessPolicy/default/tenantRestrictions/update",
    ];
    let cut: Vec<String> = names.iter().map(|n| super::fit_path(n, 36)).collect();
    for c in &cut {
        assert!(
            unicode_width::UnicodeWidthStr::width(c.as_str()) <= 36,
            "{c}"
        );
        assert!(c.ends_with("/update"), "{c}");
        assert!(c.contains('…'), "{c}");
    }
    let mut unique = cut.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 4, "{cut:?}");
    assert_eq!(super::fit_path("a/b", 10), "a/b");
    assert!(super::fit_path("nopath-but-long", 5).ends_with('…'));
}

/// A view that grows (a panel closed, a taller terminal) never shows blank lines above rows
/// that were scrolled off: the offset comes back to what fills the view.
#[test]
fn a_taller_view_shows_rows_not_blank_lines() {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;
    let theme = crate::theme::Theme::default_theme();
    let names: Vec<String> = (0..8).map(|i| format!("row{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut t = table(&refs);
    t.bottom();
    let styler = |_: &TableRow, _: usize| None;
    let draw = |t: &mut ObjectTable, h: u16| {
        let mut term = Terminal::new(TestBackend::new(30, h)).unwrap();
        term.draw(|f| {
            let look = Look {
                style: &styler,
                flagged: &|_| false,
            };
            t.render(f, f.area(), &theme, Line::from("t"), true, &look);
        })
        .unwrap();
        let buf = term.backend().buffer().clone();
        (0..h)
            .map(|y| (0..30).map(|x| buf[(x, y)].symbol()).collect::<String>())
            .collect::<Vec<_>>()
    };
    let small = draw(&mut t, 6);
    assert!(small.iter().any(|l| l.contains("row7")));
    let tall = draw(&mut t, 14);
    assert!(tall.iter().any(|l| l.contains("row0")), "{tall:#?}");
    assert!(tall.iter().any(|l| l.contains("row7")), "{tall:#?}");
}

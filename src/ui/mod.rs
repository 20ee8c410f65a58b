//! Frame layout: title bar with breadcrumbs, navigation list, the top view, status bar, overlays.
//! Rendering is a pure function of `App` (it only clamps scroll positions).

mod editor;
mod overlay;
mod status;
pub mod write;

use crate::app::{App, DetailTab, Overlay, View};
use crate::blades::BladeKind;
use crate::sanitize::clean;
use crate::widgets::json;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, Paragraph, Wrap};

/// Width of the navigation list; hidden on terminals narrower than `NAV_MIN_WIDTH`.
const NAV_WIDTH: u16 = 17;
const NAV_MIN_WIDTH: u16 = 60;

/// Draw the whole screen.
pub fn draw(f: &mut Frame, app: &mut App) {
    let area = f.area();
    if area.width < 20 || area.height < 5 {
        if let Some(w) = app.write.as_mut() {
            w.cut = true;
            w.hidden = true;
            w.unread = true;
        }
        let msg = Paragraph::new("terminal too small")
            .style(app.theme.warning)
            .wrap(Wrap { trim: true });
        f.render_widget(msg, area);
        return;
    }
    let [title, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_title(f, app, title);
    let content = if area.width >= NAV_MIN_WIDTH {
        let [nav, content] =
            Layout::horizontal([Constraint::Length(NAV_WIDTH), Constraint::Min(1)]).areas(body);
        draw_nav(f, app, nav);
        content
    } else {
        body
    };
    let content = if app.write.is_some() {
        let whole = write::height(app, content.width);
        let want = whole.min(content.height.saturating_sub(3).max(content.height / 2));
        // What the admin cannot read, Enter does not apply (`PendingWrite::cut`, `seen_all`).
        if let Some(w) = app.write.as_mut() {
            w.cut = want < whole;
            w.hidden = false;
            let hidden_rows = whole.saturating_sub(want);
            w.scroll = w.scroll.min(hidden_rows);
            // A panel with no body row between its borders and its keys line shows nothing
            // to read: as a terminal too small.
            let body_rows = want.saturating_sub(3);
            w.hidden = body_rows == 0;
            if !w.hidden && w.scroll >= hidden_rows {
                w.read_rows = w.read_rows.max(whole);
            }
            w.unread = w.hidden || whole > w.read_rows;
        }
        let [pane, panel] =
            Layout::vertical([Constraint::Min(1), Constraint::Length(want)]).areas(content);
        write::draw(f, app, panel);
        pane
    } else {
        content
    };
    if app.editor.is_some() {
        editor::draw(f, app, content);
    } else {
        draw_view(f, app, content);
    }
    status::draw(f, app, status);
    match &app.overlay {
        Overlay::None => {}
        Overlay::Help { scroll } => overlay::help(f, app, area, *scroll),
        Overlay::Palette(p) => overlay::palette(f, app, area, p),
        Overlay::Picker(p) => overlay::picker(f, app, area, p),
        Overlay::Messages { scroll } => overlay::messages(f, app, area, *scroll),
        Overlay::Import { scroll } => overlay::import(f, app, area, *scroll),
    }
}

/// The breadcrumbs that fit in `width` columns: the first and the last are kept, the middle
/// ones give way to "…" (the place you are matters more than the way there).
pub fn fit_crumbs(crumbs: &[String], width: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthStr;
    let total = |c: &[String]| c.iter().map(|x| x.width() + 3).sum::<usize>();
    let mut out: Vec<String> = crumbs.to_vec();
    let mut elided = false;
    while total(&out) > width && out.len() > 2 + usize::from(elided) {
        out.remove(1 + usize::from(elided));
        if !elided {
            out.insert(1, "…".into());
            elided = true;
        }
    }
    let before_last = total(&out[..out.len().saturating_sub(1)]);
    if total(&out) > width
        && let Some(last) = out.last_mut()
    {
        // The last crumb gets what is left after the others and its separator.
        let room = width.saturating_sub(before_last + 3);
        *last = crate::widgets::table::fit(last, room.max(1));
    }
    out
}

fn draw_title(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let head = " entra-console ";
    let mut spans = vec![Span::styled(head, t.accent)];
    let crumbs: Vec<String> = app.breadcrumbs().iter().map(|c| clean(c)).collect();
    let shown = fit_crumbs(&crumbs, (area.width as usize).saturating_sub(head.len()));
    let last = shown.len().saturating_sub(1);
    for (i, crumb) in shown.into_iter().enumerate() {
        spans.push(Span::styled(if i == 0 { " " } else { " › " }, t.muted));
        let style = if i == last { t.header } else { t.text };
        spans.push(Span::styled(crumb, style));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_nav(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let items: Vec<ListItem> = BladeKind::ALL
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let current = *b == app.blade;
            let style = if app.nav_focus && i == app.nav_cursor {
                t.selection
            } else if current {
                t.accent
            } else {
                t.text
            };
            let marker = if current { "▸ " } else { "  " };
            ListItem::new(Line::from(Span::styled(
                format!("{marker}{}", b.nav_label()),
                style,
            )))
        })
        .collect();
    // More blades than rows (80x24 holds 20): the list scrolls to keep the current blade (or
    // the cursor) in sight, and the title says there is more.
    let fits = (area.height as usize).saturating_sub(2) >= items.len();
    let title = if fits { "Blades" } else { "Blades ↕" };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if app.nav_focus { t.accent } else { t.border })
        .title(Span::styled(title, t.header));
    let at = if app.nav_focus {
        app.nav_cursor
    } else {
        BladeKind::ALL
            .iter()
            .position(|b| *b == app.blade)
            .unwrap_or(0)
    };
    let mut state = ratatui::widgets::ListState::default().with_selected(Some(at));
    f.render_stateful_widget(List::new(items).block(block), area, &mut state);
}

fn draw_view(f: &mut Frame, app: &mut App, area: Rect) {
    let focused = !app.nav_focus;
    // Disjoint borrows: the top view mutably, the facts and names for its sheet immutably.
    let theme = &app.theme;
    let facts = app.tenant.facts.as_ref();
    let roles = match &app.tenant.roles {
        crate::app::tenant::Loadable::Ready(r) => Ok(Some(r)),
        crate::app::tenant::Loadable::Failed(why) => Err(why.as_str()),
        _ => Ok(None),
    };
    let names = &app.tenant.names;
    let findings = &app.tenant.findings;
    let top = app.stack.len() - 1;
    match &mut app.stack[top] {
        View::List(l) => {
            let mut title = vec![Span::styled(
                format!(" {} ", l.source.title()),
                theme.header,
            )];
            let shown = l.table.visible_len();
            let total = l.table.len();
            let count = if shown == total {
                format!("{total}")
            } else {
                format!("{shown}/{total}")
            };
            title.push(Span::styled(format!("({count}) "), theme.muted));
            if l.table.matching {
                title.push(Span::styled("matching… ", theme.info));
            }
            if l.editing {
                title.push(Span::styled("/", theme.key));
                title.extend(crate::widgets::input::spans(
                    &l.table.filter,
                    l.filter_cursor,
                    theme.key,
                    theme.key,
                ));
                title.push(Span::raw(" "));
            } else if !l.table.filter.is_empty() {
                title.push(Span::styled(
                    format!("/{} ", clean(&l.table.filter)),
                    theme.key,
                ));
            }
            if let Some(e) = &l.load.error {
                title.push(Span::styled(format!(" {} ", clean(e)), theme.error));
            } else if l.load.loading && l.table.is_empty() {
                title.push(Span::styled(" loading… ", theme.info));
            }
            let source = l.source.clone();
            let styler =
                |row: &crate::widgets::table::TableRow, col: usize| source.style(row, col, theme);
            let flagged = |id: &str| findings.contains_key(id);
            let look = crate::widgets::table::Look {
                style: &styler,
                flagged: &flagged,
            };
            l.table
                .render(f, area, theme, Line::from(title), focused, &look);
            // Nothing read and an error: the whole reason in the body, wrapped.
            if let (true, Some(e)) = (l.table.is_empty(), &l.load.error) {
                let inner = Rect {
                    x: area.x + 1,
                    y: area.y + 2,
                    width: area.width.saturating_sub(2),
                    height: area.height.saturating_sub(3),
                };
                if inner.width > 0 && inner.height > 0 {
                    let text = Paragraph::new(clean(e))
                        .style(theme.error)
                        .wrap(Wrap { trim: true });
                    f.render_widget(text, inner);
                }
            }
        }
        View::Detail(d) => {
            let tabs = |tab: DetailTab, name: &str| {
                if d.tab == tab {
                    Span::styled(format!(" {name} "), theme.selection)
                } else {
                    Span::styled(format!(" {name} "), theme.muted)
                }
            };
            let mut title = vec![
                Span::styled(format!(" {} ", clean(&d.target.name)), theme.header),
                tabs(DetailTab::Properties, "Properties"),
                tabs(DetailTab::Json, "JSON"),
            ];
            if d.target.kind.has_members() {
                title.push(Span::styled(" m: members ", theme.key));
            }
            if let Some(e) = &d.load.error {
                title.push(Span::styled(format!(" {} ", clean(e)), theme.error));
            }
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(if focused { theme.accent } else { theme.border })
                .title(Line::from(title));
            let lines = match (&d.object, d.tab) {
                (None, _) if d.load.loading => {
                    vec![Line::from(Span::styled("loading…", theme.info))]
                }
                (None, _) => vec![Line::from(Span::styled("no data", theme.muted))],
                (Some(v), DetailTab::Properties) => {
                    let mut sheet = d.target.kind.sheet(v, facts, roles, names);
                    // A report-only policy: what switching it on would have done, first.
                    if d.target.kind == crate::blades::ObjectKind::CaPolicy
                        && v["state"] == "enabledForReportingButNotEnforced"
                    {
                        let words = match app.tenant.impacts.get(&d.target.id) {
                            Some(w) => w.clone(),
                            None if app.ctx.offline => {
                                "not read offline (the sign-in log is read live)".into()
                            }
                            None => "reading the last 7 days of sign-ins…".into(),
                        };
                        sheet.sections.insert(
                            0,
                            (
                                "Report-only results".into(),
                                vec![
                                    ("If switched on".into(), words),
                                    (
                                        "Details".into(),
                                        "press I for the users, apps and sign-ins".into(),
                                    ),
                                ],
                            ),
                        );
                    }
                    // Its time-boxed exclusions (a policy's page).
                    if d.target.kind == crate::blades::ObjectKind::CaPolicy {
                        let mine: Vec<String> = app
                            .tenant
                            .exceptions
                            .iter()
                            .filter(|e| e.policy_path.ends_with(&format!("/{}", d.target.id)))
                            .map(|e| crate::exceptions::words(e, app.now))
                            .collect();
                        if !mine.is_empty() {
                            let sec = sheet.section("Time-boxed exclusions");
                            for m in mine {
                                sec.push(("exclusion".into(), m));
                            }
                        }
                    }
                    // The audit's open findings about this object (from the Findings blade).
                    if let Some(list) = findings.get(&d.target.id) {
                        let sec = sheet.section("Findings");
                        if let Some(at) = &app.tenant.findings_as_of {
                            sec.push((
                                "as of".into(),
                                format!("the audit kept in the cache ({at})"),
                            ));
                        }
                        for f in list {
                            sec.push(("⚑".into(), f.clone()));
                        }
                    }
                    sheet.lines_in(theme, area.width.saturating_sub(2))
                }
                (Some(v), DetailTab::Json) => json::lines(v, theme),
            };
            let inner_h = area.height.saturating_sub(2);
            let max = (lines.len() as u16).saturating_sub(inner_h);
            d.scroll = d.scroll.min(max);
            f.render_widget(
                Paragraph::new(lines).block(block).scroll((d.scroll, 0)),
                area,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fit_crumbs;

    /// Issue 11, item 23: long breadcrumbs elide the middle, never the place you are.
    #[test]
    fn long_breadcrumbs_elide_the_middle() {
        let c: Vec<String> = [
            "Roles and admins",
            "Global Administrator",
            "Assignments",
            "Adele Vance",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(fit_crumbs(&c, 200), c);
        let short = fit_crumbs(&c, 40);
        assert_eq!(short, ["Roles and admins", "…", "Adele Vance"]);
        let tiny = fit_crumbs(&c, 25);
        assert_eq!(tiny[0], "Roles and admins");
        assert!(tiny.last().unwrap().ends_with('…'), "{tiny:?}");
    }
}

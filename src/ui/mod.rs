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
        let want = write::height(app, content.width)
            .min(content.height.saturating_sub(3).max(content.height / 2));
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
    }
}

fn draw_title(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let mut spans = vec![Span::styled(" entra-console ", t.accent)];
    for (i, crumb) in app.breadcrumbs().iter().enumerate() {
        spans.push(Span::styled(if i == 0 { " " } else { " › " }, t.muted));
        let style = if i + 1 == app.stack.len() {
            t.header
        } else {
            t.text
        };
        spans.push(Span::styled(crumb.clone(), style));
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
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(if app.nav_focus { t.accent } else { t.border })
        .title(Span::styled("Blades", t.header));
    f.render_widget(List::new(items).block(block), area);
}

fn draw_view(f: &mut Frame, app: &mut App, area: Rect) {
    let focused = !app.nav_focus;
    // Disjoint borrows: the top view mutably, the facts and names for its sheet immutably.
    let theme = &app.theme;
    let facts = app.facts.as_ref();
    let roles = app.roles.as_ref();
    let names = &app.names;
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
            if l.editing || !l.table.filter.is_empty() {
                let cursor = if l.editing { "▏" } else { "" };
                title.push(Span::styled(
                    format!("/{}{cursor} ", clean(&l.table.filter)),
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
            l.table
                .render(f, area, theme, Line::from(title), focused, &styler);
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
                    d.target.kind.sheet(v, facts, roles, names).lines(theme)
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

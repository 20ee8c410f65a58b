//! The JSON editor pane: the draft, what is wrong with it, and the keys.

use crate::app::App;
use crate::sanitize::clean;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub fn draw(f: &mut Frame, app: &mut App, area: Rect) {
    let t = app.theme.clone();
    let Some(ed) = &mut app.editor else {
        return;
    };
    let changed = if ed.changed() { " (changed)" } else { "" };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.accent)
        .title(Span::styled(
            format!(" {}{changed} ", clean(&ed.title)),
            t.header,
        ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [text, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(2)]).areas(inner);
    ed.area.set_cursor_line_style(t.selection);
    ed.area.set_style(t.text);
    f.render_widget(&ed.area, text);
    let mut lines = Vec::new();
    match &ed.error {
        Some(e) => lines.push(Line::from(Span::styled(clean(e), t.error))),
        None => lines.push(Line::from(Span::styled(
            "Checked before sending: JSON syntax, an application condition, a user condition, a grant or session control.",
            t.muted,
        ))),
    }
    lines.push(Line::from(vec![
        Span::styled("Ctrl-S", t.key),
        Span::styled(" review and save · ", t.muted),
        Span::styled("Esc", t.key),
        Span::styled(
            " close (asks before discarding) · arrows, PgUp/PgDn, Ctrl-Z undo",
            t.muted,
        ),
    ]));
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), status);
}

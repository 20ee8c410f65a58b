//! The status bar: profile, tenant, read-only badge, "as of" age and key hints (or a toast).

use crate::app::{Action, App};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let mut left = vec![
        Span::styled(format!(" {} ", app.ctx.profile), t.accent),
        Span::styled(format!("{} ", app.ctx.tenant), t.muted),
    ];
    if app.ctx.offline {
        left.push(Span::styled(" OFFLINE ", t.warning));
        left.push(Span::raw(" "));
    } else if app.ctx.read_only {
        left.push(Span::styled(" READ-ONLY ", t.warning));
        left.push(Span::raw(" "));
    }
    left.push(Span::styled(app.status_age(), t.info));
    if app.top().load().from_cache {
        left.push(Span::styled(" (cache)", t.muted));
    }
    let right: Vec<Span> = match &app.toast {
        Some(toast) => vec![Span::styled(
            format!(" {} ", crate::sanitize::clean(&toast.text)),
            if toast.error { t.error } else { t.success },
        )],
        None => {
            let mut v = Vec::new();
            for (a, label) in [
                (Action::Help, "help"),
                (Action::Palette, "jump"),
                (Action::Filter, "filter"),
                (Action::Quit, "quit"),
            ] {
                if let Some(k) = app.keymap.hint(a) {
                    v.push(Span::styled(format!(" {k}"), t.key));
                    v.push(Span::styled(format!(" {label}"), t.muted));
                }
            }
            v.push(Span::raw(" "));
            v
        }
    };
    let left_w: usize = left.iter().map(|s| s.width()).sum();
    let right_w: usize = right.iter().map(|s| s.width()).sum();
    let width = area.width as usize;
    let mut spans = left;
    if left_w + right_w < width {
        spans.push(Span::raw(" ".repeat(width - left_w - right_w)));
        spans.extend(right);
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

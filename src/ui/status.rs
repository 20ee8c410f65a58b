//! The status bar: profile, tenant, read-only badge, "as of" age and key hints (or a toast,
//! cut with … when it does not fit; `:messages` keeps it whole).

use crate::app::{Action, App};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let mut left = Vec::new();
    // First, so no width hides it: what the console shows may be incomplete.
    if app.cache_damaged {
        left.push(Span::styled(" CACHE DAMAGED ", t.error));
    }
    left.extend([
        Span::styled(format!(" {} ", app.ctx.profile), t.accent),
        Span::styled(format!("{} ", app.ctx.tenant), t.muted),
    ]);
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
            // This view's own keys first, then the global ones; what does not fit beside
            // the left part is left out from the end (? lists them all).
            let mut pairs: Vec<(String, &str)> = Vec::new();
            if app.write.is_some() {
                // A confirm has the keyboard and says its own keys in its panel.
                if let Some(k) = app.keymap.hint_on(Action::Help, Some(app.key_blade())) {
                    pairs.push((k, "help"));
                }
            } else if app.editor.is_some() {
                // The editor has the keyboard: its keys, not the list's behind it.
                pairs.push(("Ctrl-S".into(), "check & review"));
                pairs.push(("Esc".into(), "close"));
                pairs.push(("Ctrl-Z".into(), "undo"));
            } else {
                pairs = app.view_hints();
                for (a, label) in [
                    (Action::Help, "help"),
                    (Action::Palette, "jump"),
                    (Action::Filter, "filter"),
                    (Action::Quit, "quit"),
                ] {
                    if let Some(k) = app.keymap.hint_on(a, Some(app.key_blade())) {
                        pairs.push((k, label));
                    }
                }
            }
            let left_w: usize = left.iter().map(|s| s.width()).sum();
            let room = (area.width as usize).saturating_sub(left_w + 2);
            let width = |p: &[(String, &str)]| {
                p.iter()
                    .map(|(k, l)| k.chars().count() + l.chars().count() + 2)
                    .sum::<usize>()
            };
            while !pairs.is_empty() && width(&pairs) > room {
                // Keep `?` (help) to the last: it leads to the rest.
                let help = app.keymap.hint_on(Action::Help, Some(app.key_blade()));
                let drop = pairs
                    .iter()
                    .rposition(|(k, _)| Some(k) != help.as_ref())
                    .unwrap_or(pairs.len() - 1);
                pairs.remove(drop);
            }
            let mut v = Vec::new();
            for (k, label) in pairs {
                v.push(Span::styled(format!(" {k}"), t.key));
                v.push(Span::styled(format!(" {label}"), t.muted));
            }
            v.push(Span::raw(" "));
            v
        }
    };
    let width = area.width as usize;
    let mut spans = left;
    let left_w: usize = spans.iter().map(|s| s.width()).sum();
    let right_w: usize = right.iter().map(|s| s.width()).sum();
    if left_w + right_w < width {
        spans.push(Span::raw(" ".repeat(width - left_w - right_w)));
        spans.extend(right);
    } else if let Some(toast) = &app.toast {
        // A message wins over the rest of the bar; cut with … and kept whole in :messages.
        let style = if toast.error { t.error } else { t.success };
        let text = crate::sanitize::clean(&toast.text);
        let full = format!(" {text} ");
        spans = if unicode_width::UnicodeWidthStr::width(full.as_str()) <= width {
            vec![Span::styled(full, style)]
        } else {
            let hint = " (:messages)";
            let room = width.saturating_sub(hint.len() + 1);
            vec![
                Span::styled(
                    format!(" {}", crate::widgets::table::fit(&text, room)),
                    style,
                ),
                Span::styled(hint, t.muted),
            ]
        };
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

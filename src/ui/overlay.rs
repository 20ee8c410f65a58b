//! Overlays: the help screen (generated from the keymap's descriptions), the `:` palette and
//! the message log.

use crate::app::update_palette_matches as matches;
use crate::app::{App, Palette};
use crate::keymap::Scope;
use crate::sanitize::clean;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

/// The sign in front of a list's chosen line: readable without colour (a capture, NO_COLOR,
/// a monochrome terminal), where reverse video alone is not.
pub fn mark(chosen: bool) -> &'static str {
    if chosen { "▸" } else { " " }
}

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

pub fn help(f: &mut Frame, app: &App, area: Rect, scroll: u16) {
    let t = &app.theme;
    let mut lines = Vec::new();
    // First what this view's own keys do here, in this blade's words (`d` deletes a policy on
    // one blade and removes an assignment on another).
    let ro = app.ctx.read_only;
    let here: Vec<_> = crate::app::hints::view_actions(app.top())
        .into_iter()
        .filter(|(a, words)| !(words.is_empty() || ro && a.writes()))
        .collect();
    if ro {
        lines.push(Line::from(Span::styled(
            "READ-ONLY: this session writes nothing; write keys are not listed",
            t.warning,
        )));
    }
    if !here.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("Here: {}", clean(&app.top().title())),
            t.header,
        )));
        for (action, words) in here {
            if let Some(key) = app.keymap.hint_on(action, Some(app.key_blade())) {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {key:<14}"), t.key),
                    Span::styled(words, t.text),
                ]));
            }
        }
    }
    for (scope, title) in [
        (Scope::Global, "Everywhere"),
        (Scope::List, "Lists"),
        (Scope::Detail, "Details"),
        (Scope::Nav, "Blade list"),
    ] {
        let bs: Vec<_> = app
            .keymap
            .bindings
            .iter()
            // The general bindings, and this blade's own (the others belong elsewhere).
            .filter(|b| b.scope == scope && b.blade.as_deref().is_none_or(|x| x == app.key_blade()))
            .filter(|b| !(ro && b.action.writes()))
            .collect();
        if bs.is_empty() {
            continue;
        }
        if !lines.is_empty() {
            lines.push(Line::default());
        }
        lines.push(Line::from(Span::styled(title, t.header)));
        for b in bs {
            let keys: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<14}", keys.join(" ")), t.key),
                Span::styled(clean(&b.description), t.text),
            ]));
        }
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled("Commands (after :)", t.header)));
    // The guided setup writes: not offered to a read-only session.
    for (cmd, what) in COMMANDS.iter().filter(|(c, _)| !(ro && *c == "protect")) {
        lines.push(Line::from(vec![
            Span::styled(format!("  {cmd:<30}"), t.key),
            Span::styled(*what, t.text),
        ]));
    }
    lines.push(Line::default());
    lines.push(Line::from(Span::styled(
        "In any prompt: Ctrl-U line, Ctrl-W word, Ctrl-A/E ends, Alt-B/F words",
        t.muted,
    )));
    lines.push(Line::from(Span::styled(
        "⚑ on a row: an open audit finding names it (its page lists them)",
        t.muted,
    )));
    let widest = lines.iter().map(Line::width).max().unwrap_or(0) as u16;
    let r = centered(
        area,
        (widest + 2).max(44),
        area.height.saturating_sub(2).max(3),
    );
    scrolled(
        f,
        app,
        r,
        " Help — j/k scroll, any other key closes ",
        lines,
        scroll,
    );
}

/// A bordered overlay of wrapped `lines` in `r`, scrolled by `scroll` lines, never past the
/// point where its last line sits at the bottom (the app learns that point for its keys).
fn scrolled(f: &mut Frame, app: &App, r: Rect, title: &str, lines: Vec<Line>, scroll: u16) {
    let t = &app.theme;
    let para = Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false });
    // The rows the wrapped text really takes (ratatui's own count, so long lines are reached).
    let rows = para.line_count(r.width.saturating_sub(2));
    let max = rows.saturating_sub(usize::from(r.height.saturating_sub(2)));
    let max = u16::try_from(max).unwrap_or(u16::MAX);
    app.overlay_scroll_max.set(max);
    let scroll = scroll.min(max);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.accent)
        .title(Span::styled(title.to_string(), t.header));
    f.render_widget(para.block(block).scroll((scroll, 0)), r);
}

/// The palette's commands beside the blade names, for the help.
const COMMANDS: &[(&str, &str)] = &[
    ("BLADE", "open a blade (groups, ca, roles ...)"),
    ("whocan PERMISSION", "who holds a permission, and how"),
    (
        "whatif USER [key=value ...]",
        "which policies apply to a sign-in",
    ),
    ("protect", "guided setup: protect CA management"),
    ("ctx PROFILE", "switch to another profile"),
    ("messages", "every status message, whole"),
    ("help · quit", "this help · leave"),
];

/// `:messages`: the session's status messages, newest first, wrapped whole.
pub fn messages(f: &mut Frame, app: &App, area: Rect, scroll: u16) {
    let t = &app.theme;
    let lines: Vec<Line> = if app.messages.is_empty() {
        vec![Line::from(Span::styled("No messages yet.", t.muted))]
    } else {
        app.messages
            .iter()
            .rev()
            .map(|m| {
                Line::from(vec![
                    Span::styled(format!("{} ", m.at.format("%H:%M:%S")), t.muted),
                    Span::styled(clean(&m.text), if m.error { t.error } else { t.text }),
                ])
            })
            .collect()
    };
    let r = centered(
        area,
        area.width.saturating_sub(4).max(10),
        area.height.saturating_sub(2).max(3),
    );
    scrolled(
        f,
        app,
        r,
        " Messages (newest first) — j/k scroll, any other key closes ",
        lines,
        scroll,
    );
}

pub fn palette(f: &mut Frame, app: &App, area: Rect, p: &Palette) {
    let t = &app.theme;
    let found = matches(&p.input, &app.ctx.profiles);
    // `:whatif` takes key=value conditions: say which.
    let what_if = p.input.trim_start().starts_with("whatif");
    let hint = what_if.then(|| {
        format!(
            "USER then any of: {}",
            crate::ca::whatif::WHATIF_KEYS
                .iter()
                .map(|k| format!("{k}="))
                .collect::<Vec<_>>()
                .join(" ")
        )
    });
    let width: u16 = if what_if { 72 } else { 48 };
    let ghost =
        crate::app::palette_completion(&p.input, found.get(p.selected).map(|(n, _)| n.as_str()))
            .unwrap_or_default();
    let mut first = vec![Span::styled(":", t.key)];
    first.extend(crate::widgets::input::spans(
        &p.input, p.cursor, t.text, t.key,
    ));
    if p.cursor.is_none() {
        first.push(Span::styled(clean(&ghost), t.muted));
    }
    let mut lines = vec![Line::from(first)];
    if let Some(h) = hint {
        lines.push(Line::from(Span::styled(h, t.muted)));
    }
    if found.is_empty() {
        lines.push(Line::from(Span::styled("no match", t.muted)));
    }
    for (i, (name, _)) in found.iter().enumerate() {
        // The choice is marked by a sign, not only by colour (a capture, NO_COLOR).
        let (mark, style) = if i == p.selected {
            ("▸", t.selection)
        } else {
            (" ", t.text)
        };
        // One row an entry, cut to the box (a long one wrapped into what looked like another);
        // the chosen one whole, since Enter runs exactly it.
        let room = usize::from(width.min(area.width).saturating_sub(3));
        let name = if i == p.selected {
            clean(name)
        } else {
            crate::widgets::table::fit(&clean(name), room)
        };
        lines.push(Line::from(Span::styled(format!("{mark}{name} "), style)));
    }
    // Long inputs and the hint wrap: size the box by the wrapped lines.
    let inner = width.min(area.width).saturating_sub(2).max(1) as usize;
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(inner)).sum();
    let h = (rows as u16 + 2).min(area.height);
    let r = Rect {
        y: area.y + 1.min(area.height),
        ..centered(area, width, h)
    };
    let r = Rect {
        height: r.height.min(area.height.saturating_sub(r.y - area.y)),
        ..r
    };
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.accent)
        .title(Span::styled(" Jump to (Tab completes) ", t.header));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(ratatui::widgets::Wrap { trim: false }),
        r,
    );
}

/// The principal picker: the query and the users and groups found; then, for PIM, the
/// justification and the duration.
pub fn picker(f: &mut Frame, app: &App, area: Rect, p: &crate::app::picker::Picker) {
    use crate::app::picker::Stage;
    let t = &app.theme;
    let mut input = vec![Span::styled("> ", t.key)];
    // A secret is never drawn: one dot a character.
    let dots: String;
    let shown = if p.secret {
        dots = "•".repeat(p.input.chars().count());
        &dots
    } else {
        &p.input
    };
    input.extend(crate::widgets::input::spans(shown, p.cursor, t.text, t.key));
    let input = Line::from(input);
    let mut lines = Vec::new();
    let (title, hint) = match &p.stage {
        Stage::Search => {
            lines.push(input);
            if p.request.is_some() {
                lines.push(Line::from(Span::styled("searching…", t.info)));
            } else if !p.searched.is_empty() && p.results.is_empty() && p.error.is_none() {
                lines.push(Line::from(Span::styled("nobody found", t.muted)));
            }
            for (i, r) in p.results.iter().enumerate() {
                let kind = crate::graph::model::odata_kind(r);
                let extra = r["userPrincipalName"]
                    .as_str()
                    .or(r["mail"].as_str())
                    .unwrap_or_default();
                let text = format!(
                    "{}{} ({kind}) {}",
                    mark(i == p.selected),
                    clean(r["displayName"].as_str().unwrap_or_default()),
                    clean(extra)
                );
                lines.push(Line::from(Span::styled(
                    text,
                    if i == p.selected { t.selection } else { t.text },
                )));
            }
            (
                p.title.clone(),
                "Enter search / pick · ↑↓ choose · Esc cancel",
            )
        }
        Stage::Name => {
            lines.push(input);
            (
                p.title.clone(),
                // In a walk (containing a user) Esc skips the step; the walk goes on.
                if app.walk.is_some() {
                    "Enter continue (confirm first) · Esc skip this step"
                } else {
                    "Enter continue (confirm first) · Esc cancel"
                },
            )
        }
        // A few short options on one line (←/→), under what was answered before.
        Stage::Choose { options, selected } if p.inline => {
            if let Some(note) = &p.note {
                lines.push(Line::from(Span::styled(clean(note), t.muted)));
            }
            let mut spans = Vec::new();
            for (i, label) in options.iter().enumerate() {
                spans.push(Span::styled(
                    format!("{}{} ", mark(i == *selected), clean(label)),
                    if i == *selected { t.selection } else { t.text },
                ));
            }
            lines.push(Line::from(spans));
            (p.title.clone(), "←/→ choose · Enter confirm · Esc cancel")
        }
        Stage::Choose { options, selected } => {
            if p.request.is_some() {
                lines.push(Line::from(Span::styled("reading…", t.info)));
            }
            // Around the cursor when the list is taller than the screen.
            let room = (area.height as usize).saturating_sub(6).max(1);
            let first = selected.saturating_sub(room - 1);
            for (i, o) in options.iter().enumerate().skip(first).take(room) {
                lines.push(Line::from(Span::styled(
                    format!("{}{} ", mark(i == *selected), clean(o)),
                    if i == *selected { t.selection } else { t.text },
                )));
            }
            (
                p.title.clone(),
                if app.walk.is_some() {
                    "↑↓ choose · Enter pick · Esc skip this step"
                } else {
                    "↑↓ choose · Enter pick · Esc cancel"
                },
            )
        }
        Stage::Plans { sku, off, selected } => {
            let plans = sku["servicePlans"].as_array().cloned().unwrap_or_default();
            let room = (area.height as usize).saturating_sub(6).max(1);
            let first = selected.saturating_sub(room - 1);
            for (i, pl) in plans.iter().enumerate().skip(first).take(room) {
                let mark = if off.get(i).copied().unwrap_or(false) {
                    "[ ] off"
                } else {
                    "[x] on "
                };
                lines.push(Line::from(Span::styled(
                    format!(
                        "{}{mark} {} ",
                        self::mark(i == *selected),
                        clean(&crate::app::licence::plan_label(pl))
                    ),
                    if i == *selected { t.selection } else { t.text },
                )));
            }
            (
                p.title.clone(),
                "↑↓ move · Space on/off · Enter confirm · Esc cancel",
            )
        }
    };
    if let Some(e) = &p.error {
        lines.push(Line::from(Span::styled(clean(e), t.error)));
    }
    lines.push(Line::from(Span::styled(hint, t.muted)));
    // A title the border would cut (what a typed name deletes, and why) is said whole first.
    let width = 70.min(area.width);
    let full = clean(&title);
    if unicode_width::UnicodeWidthStr::width(full.as_str()) + 4 > usize::from(width) {
        lines.insert(0, Line::from(Span::styled(full.clone(), t.header)));
    }
    let para = Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false });
    let rows = para.line_count(width.saturating_sub(2));
    let h = (rows as u16 + 2).min(area.height);
    let r = centered(area, width, h);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.accent)
        .title(Span::styled(format!(" {full} "), t.header));
    f.render_widget(para.block(block), r);
}

/// The `:import` report: every row with its outcome, and what Enter does now.
pub fn import(f: &mut Frame, app: &App, area: Rect, scroll: u16) {
    let t = &app.theme;
    let Some(imp) = &app.import else {
        return;
    };
    let mut lines = Vec::new();
    let adds = imp.report.iter().filter(|l| l.adds).count();
    let head = match (&imp.error, imp.request.is_some(), imp.applied) {
        (Some(e), _, _) => Span::styled(clean(e), t.error),
        (None, true, false) => Span::styled("checking every row (nothing is sent yet)…", t.info),
        (None, true, true) => Span::styled(format!("adding {adds} members…"), t.info),
        (None, false, false) if adds > 0 => Span::styled(
            format!(
                "Enter adds the {adds} rows marked \"would be added\" · Esc cancels (nothing sent)"
            ),
            t.warning,
        ),
        (None, false, false) => Span::styled("nothing to add · Esc closes", t.muted),
        (None, false, true) => {
            Span::styled("done: this is what Graph answered · Esc closes", t.success)
        }
    };
    lines.push(Line::from(head));
    lines.push(Line::default());
    for l in &imp.report {
        lines.push(Line::from(vec![
            Span::styled(format!("line {:>4}  ", l.line), t.muted),
            Span::styled(format!("{:<40} ", clean(&l.text)), t.text),
            Span::styled(clean(&l.outcome), if l.ok { t.success } else { t.error }),
        ]));
    }
    let r = centered(
        area,
        area.width.saturating_sub(4).max(10),
        area.height.saturating_sub(2).max(3),
    );
    let title = format!(
        " Import {} into {} — j/k scroll ",
        clean(&imp.path),
        clean(&imp.group_name)
    );
    scrolled(f, app, r, &title, lines, scroll);
}

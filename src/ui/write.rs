//! The write panel, drawn inside the pane that made the write (never a modal over the draft):
//! confirm with change and protection, the inline step-up prompt, the device code, outcomes.

use crate::app::App;
use crate::app::review::Review;
use crate::app::write::{PendingWrite, Phase};
use crate::protect;
use crate::sanitize::clean;
use crate::theme::Theme;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

fn keys(t: &Theme, parts: &[(&str, &str)]) -> Line<'static> {
    let mut spans = Vec::new();
    for (i, (k, what)) in parts.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", t.muted));
        }
        spans.push(Span::styled(k.to_string(), t.key));
        spans.push(Span::styled(format!(" {what}"), t.muted));
    }
    Line::from(spans)
}

fn draft_lines(w: &PendingWrite, t: &Theme) -> Vec<Line<'static>> {
    if let Some(r) = &w.review {
        return r
            .diff
            .iter()
            .map(|c| {
                Line::from(vec![
                    Span::styled("Change: ", t.muted),
                    Span::styled(clean(c), t.accent),
                ])
            })
            .collect();
    }
    w.changes()
        .into_iter()
        .map(|c| {
            Line::from(vec![
                Span::styled("Change: ", t.muted),
                Span::styled(clean(&c), t.accent),
            ])
        })
        .collect()
}

fn lines(app: &App, w: &PendingWrite) -> (String, Vec<Line<'static>>) {
    let t = &app.theme;
    let mut out = Vec::new();
    let title = match &w.phase {
        Phase::Confirm => {
            if let Some(c) = &w.choice {
                let label = if c.field.is_empty() {
                    "requirement"
                } else {
                    crate::app::write::field_words(&c.field)
                };
                let mut spans = vec![Span::styled(format!("{label}: "), t.muted)];
                for (i, (label, _)) in c.options.iter().enumerate() {
                    let style = if i == c.selected { t.selection } else { t.text };
                    let sign = super::overlay::mark(i == c.selected);
                    spans.push(Span::styled(format!("{sign}{label} "), style));
                    spans.push(Span::raw(" "));
                }
                out.push(Line::from(spans));
            }
            match &w.review {
                Some(r) => out.extend(review_lines(r, t)),
                None => out.extend(draft_lines(w, t)),
            }
            if let Some(follows) = w.follows {
                match &app.tenant.facts {
                    Some(f) => {
                        out.push(Line::from(Span::styled("What follows:", t.muted)));
                        for l in follows(f, &w.object_id) {
                            let style = if l.starts_with("WARNING") {
                                t.error
                            } else {
                                t.text
                            };
                            out.push(Line::from(Span::styled(format!("  {}", clean(&l)), style)));
                        }
                    }
                    None => out.push(Line::from(Span::styled(
                        "What follows: reading the Conditional Access policies…",
                        t.info,
                    ))),
                }
            }
            if let (Some(c), Some(f)) = (&w.choice, &app.tenant.facts)
                && c.field == "authenticationContextId"
                && let Some(warn) =
                    crate::blades::protected::assign_warning(w.chosen().and_then(|v| v.as_str()), f)
            {
                out.push(Line::from(Span::styled(
                    format!("Warning: {warn}"),
                    t.warning,
                )));
            }
            // `:protect` step 2: a requirement the console's own step-up could never meet.
            if let Some(c) = &w.choice
                && c.field.is_empty()
                && let Some(why) = w.chosen().and_then(crate::predict::unsatisfiable)
            {
                out.push(Line::from(Span::styled(
                    format!("Warning: this policy {why}: a device-code sign-in from this machine could never step up to it (choose phishing-resistant MFA, or run :protect from a managed device)."),
                    t.warning,
                )));
            }
            if let (Some(c), Some(f)) = (&w.choice, &app.tenant.facts)
                && c.field == "authenticationContextId"
            {
                let chosen = w.chosen().and_then(|v| v.as_str());
                let objects: Vec<&serde_json::Value> = if w.targets.is_empty() {
                    w.before.iter().collect()
                } else {
                    w.targets.iter().map(|t| &t.object).collect()
                };
                for warn in crate::blades::protected::removal_warnings(objects, chosen, f) {
                    out.push(Line::from(Span::styled(
                        format!("Warning: {warn}"),
                        t.warning,
                    )));
                }
            }
            match &w.protection {
                Some(p) => {
                    for l in p.lines() {
                        let style = if l.contains("never be satisfied") {
                            t.warning
                        } else if l.starts_with("Protected") {
                            t.privileged
                        } else {
                            t.text
                        };
                        out.push(Line::from(Span::styled(l, style)));
                    }
                    // Said before the write: whether the step-up this console can do would
                    // satisfy the context's policies.
                    if let (Some((cid, _, _)), Some(f)) = (&p.context, &app.tenant.facts) {
                        for l in crate::predict::step_up_problems(cid, f) {
                            out.push(Line::from(Span::styled(format!("Warning: {l}"), t.warning)));
                        }
                    }
                }
                None if app.tenant.facts.is_none() => out.push(Line::from(Span::styled(
                    "Reading the protection this write will meet…",
                    t.info,
                ))),
                None if let Some(m) = app
                    .tenant
                    .facts
                    .as_ref()
                    .and_then(|f| f.lacking(&[protect::Part::Actions])) =>
                {
                    out.push(Line::from(Span::styled(
                        format!("Protection unknown: {m}."),
                        t.warning,
                    )))
                }
                None => out.push(Line::from(Span::styled("Not a protected action.", t.muted))),
            }
            let mut k = if crate::app::plans::needs_approval(
                &app.ctx.require_approval,
                &w.request.method,
                &w.request.path,
            ) {
                vec![("S", "save as plan (a second admin applies it)")]
            } else if w.review.as_ref().is_some_and(|r| !r.lockouts.is_empty()) {
                // Keys type the name the guard asks for: no plan of a lockout either.
                vec![("Enter", "apply")]
            } else {
                vec![("Enter", "apply"), ("S", "save as plan")]
            };
            if w.choice.is_some() {
                k.push(("←/→", "choose"));
            }
            // Esc drops the change; only the editor's draft outlives it (the editor stays).
            k.push((
                "Esc",
                if app.editor.is_some() {
                    "back to the editor (draft kept)"
                } else if app.walk.is_some() {
                    "skip this step"
                } else {
                    "cancel"
                },
            ));
            out.push(keys(t, &k));
            format!(" {} ", w.title)
        }
        Phase::Sending(_) => {
            out.extend(draft_lines(w, t));
            out.push(Line::from(Span::styled("Sending…", t.info)));
            format!(" {} ", w.title)
        }
        Phase::Challenged => {
            let ch = w.challenge.as_ref();
            let acrs = ch.and_then(|c| c.acrs.clone());
            let empty = protect::Facts::default();
            let facts = app.tenant.facts.as_ref().unwrap_or(&empty);
            match &acrs {
                Some(a) => {
                    let p = protect::context_protection(a, "", facts);
                    let name = p.context.as_ref().map(|c| c.1.clone()).unwrap_or_default();
                    out.push(Line::from(Span::styled(
                        format!("Graph asks for authentication context {a} \"{}\" before it accepts this change.", clean(&name)),
                        t.warning,
                    )));
                    if p.policies.is_empty() {
                        out.push(Line::from(Span::styled(
                            format!("No known policy targets {a}."),
                            t.muted,
                        )));
                    }
                    for (n, s, r) in &p.policies {
                        out.push(Line::from(Span::styled(
                            format!("  {} ({s}): {r}", clean(n)),
                            t.text,
                        )));
                    }
                    for l in crate::predict::step_up_problems(a, facts) {
                        out.push(Line::from(Span::styled(format!("Warning: {l}"), t.warning)));
                    }
                }
                None => out.push(Line::from(Span::styled(
                    format!(
                        "Graph asks for more claims: {}",
                        ch.map(|c| clean(&c.claims)).unwrap_or_default()
                    ),
                    t.warning,
                ))),
            }
            out.extend(draft_lines(w, t));
            out.push(Line::from(Span::styled(
                "Your draft is kept whatever you choose.",
                t.muted,
            )));
            match &app.ctx.step_up_blocker {
                Some(why) => {
                    out.push(Line::from(Span::styled(clean(why), t.error)));
                    out.push(keys(t, &[("Esc", "keep the draft and cancel")]));
                }
                None => out.push(keys(
                    t,
                    &[
                        ("Enter", "re-authenticate (refresh, then device code)"),
                        ("Esc", "keep the draft and cancel"),
                    ],
                )),
            }
            " Step-up required ".to_string()
        }
        Phase::Authenticating(_) => {
            out.push(Line::from(Span::styled(
                "Re-authenticating with the requested claims…",
                t.info,
            )));
            out.extend(draft_lines(w, t));
            out.push(keys(t, &[("Esc", "stop the sign-in (the change stays)")]));
            " Step-up ".to_string()
        }
        Phase::DeviceCode { code, until, .. } => {
            let left = (*until - app.now).num_seconds().max(0);
            out.push(Line::from(vec![
                Span::styled("Open ", t.text),
                Span::styled(clean(&code.verification_uri), t.accent),
                Span::styled(" and enter the code ", t.text),
                Span::styled(clean(&code.user_code), t.key),
            ]));
            out.push(Line::from(Span::styled(
                format!(
                    "(code copied with OSC 52) · expires in {}:{:02}",
                    left / 60,
                    left % 60
                ),
                t.muted,
            )));
            out.push(Line::from(Span::styled("Waiting for the sign-in…", t.info)));
            out.extend(draft_lines(w, t));
            out.push(keys(t, &[("Esc", "stop the sign-in (the change stays)")]));
            " Step-up: sign in ".to_string()
        }
        Phase::Done(text) => {
            out.push(Line::from(Span::styled(clean(text), t.success)));
            // A secret made by the write, on its own line, once.
            if let (Some(s), Some(label)) = (&w.shown, w.shown_label) {
                out.push(Line::from(vec![
                    Span::styled(format!("{label}: "), t.header),
                    Span::styled(clean(&s.0), t.key),
                ]));
                out.push(keys(
                    t,
                    &[
                        ("y", "copy it (OSC 52); it is kept nowhere"),
                        ("any key", "close"),
                    ],
                ));
            }
            " Saved ".to_string()
        }
        Phase::Failed(text) => {
            out.push(Line::from(Span::styled(clean(text), t.error)));
            out.extend(draft_lines(w, t));
            out.push(keys(
                t,
                &[("Enter", "try again"), ("Esc", "back to the draft")],
            ));
            " Not saved ".to_string()
        }
    };
    (title, out)
}

/// The review of a CA save: the diff against the server's version, changes made there
/// meanwhile, warnings, and the lockout guard's refusal with the name to type.
fn review_lines(r: &Review, t: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    if r.diff.is_empty() {
        out.push(Line::from(Span::styled(
            "No change against the server's current version.",
            t.muted,
        )));
    } else {
        out.push(Line::from(Span::styled(
            "Against the server's current version:",
            t.muted,
        )));
    }
    for d in &r.diff {
        out.push(Line::from(vec![
            Span::styled("  • ", t.muted),
            Span::styled(clean(d), t.accent),
        ]));
    }
    for c in &r.conflicts {
        out.push(Line::from(Span::styled(
            format!("! {}", clean(c)),
            t.warning,
        )));
    }
    for w in &r.warnings {
        out.push(Line::from(Span::styled(
            format!("Warning: {}", clean(w)),
            t.warning,
        )));
    }
    if r.guard_pending {
        out.push(Line::from(Span::styled(
            "Lockout guard: reading the break-glass accounts and your account…",
            t.info,
        )));
    }
    if !r.lockouts.is_empty() {
        out.push(Line::from(Span::styled(
            "REFUSED by the lockout guard: this save would lock out",
            t.error,
        )));
        for l in &r.lockouts {
            out.push(Line::from(Span::styled(
                format!("  ✗ {}", clean(l)),
                t.error,
            )));
        }
        out.push(Line::from(vec![
            Span::styled(
                format!("To override, type the policy name \"{}\": ", clean(&r.name)),
                t.text,
            ),
            Span::styled(format!("{}▏", clean(&r.typed)), t.key),
        ]));
    }
    out
}

/// Height the panel wants for a width.
pub fn height(app: &App, width: u16) -> u16 {
    let Some(w) = &app.write else { return 0 };
    let (title, ls) = lines(app, w);
    let inner = width.saturating_sub(2).max(1) as usize;
    // Wrapped as the panel wraps them (at word boundaries), not by width alone: a short
    // estimate would call a confirm read before its last row was drawn.
    let mut rows: usize = Paragraph::new(ls.clone())
        .wrap(Wrap { trim: false })
        .line_count(inner as u16);
    // A cut title is said whole in the body too (`draw`).
    let full = unicode_width::UnicodeWidthStr::width(clean(title.trim()).as_str());
    if full + 2 > inner {
        rows += full.div_ceil(inner);
    }
    rows as u16 + 2
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let Some(w) = &app.write else { return };
    let (title, ls) = lines(app, w);
    let t = &app.theme;
    let border = match w.phase {
        Phase::Challenged | Phase::DeviceCode { .. } | Phase::Authenticating(_) => t.warning,
        Phase::Failed(_) => t.error,
        Phase::Done(_) => t.success,
        _ => t.accent,
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(border)
        .title(Span::styled(clean(&title), t.header));
    let inner = block.inner(area);
    f.render_widget(block, area);
    // The keys line of a confirm or a step-up prompt stays in sight on a small terminal; the
    // rest wraps above it.
    let mut ls = ls;
    // A title the border cuts is said whole above the rest: a confirm names its objects and
    // its change in full (a new UPN at the end of a long title was cut off).
    let full = clean(title.trim());
    if unicode_width::UnicodeWidthStr::width(full.as_str()) + 2 > usize::from(inner.width) {
        ls.insert(0, Line::from(Span::styled(full, t.header)));
    }
    let keys_last = matches!(w.phase, Phase::Confirm | Phase::Challenged);
    let mut last = if keys_last { ls.pop() } else { None };
    // Taller than its panel: the body scrolls, and until its end has been on screen the keys
    // line says so instead of offering Enter.
    let scroll = if w.phase == Phase::Confirm {
        w.scroll
    } else {
        0
    };
    if w.phase == Phase::Confirm && w.unread && last.is_some() {
        last = Some(Line::from(vec![
            Span::styled("↓", t.key),
            Span::styled(" read the rest first  ", t.text),
            Span::styled("Esc", t.key),
            Span::styled(" cancel", t.text),
        ]));
    }
    let (body, foot) = if inner.height >= 2 && last.is_some() {
        (
            Rect {
                height: inner.height - 1,
                ..inner
            },
            Rect {
                y: inner.y + inner.height - 1,
                height: 1,
                ..inner
            },
        )
    } else {
        ls.extend(last.take());
        (inner, Rect::default())
    };
    f.render_widget(
        Paragraph::new(ls)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        body,
    );
    if let Some(l) = last {
        f.render_widget(Paragraph::new(l), foot);
    }
}

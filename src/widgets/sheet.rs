//! The property sheet: labelled values in sections, sanitized, scrollable.

use crate::sanitize::clean;
use crate::theme::Theme;
use ratatui::text::{Line, Span};

/// Sections of `label: value` pairs.
#[derive(Clone, Debug, Default)]
pub struct Sheet {
    pub sections: Vec<(String, Vec<(String, String)>)>,
}

impl Sheet {
    pub fn section(&mut self, title: &str) -> &mut Vec<(String, String)> {
        self.sections.push((title.to_string(), Vec::new()));
        let last = self.sections.len() - 1;
        &mut self.sections[last].1
    }

    /// Render to lines without a width (no value is wrapped).
    pub fn lines(&self, theme: &Theme) -> Vec<Line<'static>> {
        self.lines_in(theme, u16::MAX)
    }

    /// Render to lines for `cols` columns: labels padded to a common width (at most two fifths
    /// of the columns; a longer one ends in `…`), a value too long for the rest continued on the next lines under itself,
    /// never cut (a UPN or an id is read whole).
    pub fn lines_in(&self, theme: &Theme, cols: u16) -> Vec<Line<'static>> {
        let width = self
            .sections
            .iter()
            .flat_map(|(_, rows)| rows.iter().map(|(k, _)| k.chars().count()))
            .max()
            .unwrap_or(0)
            .min(34)
            .min(usize::from(cols) * 2 / 5);
        let room = usize::from(cols).saturating_sub(width + 4).max(8);
        let mut out = Vec::new();
        for (i, (title, rows)) in self.sections.iter().enumerate() {
            if i > 0 {
                out.push(Line::default());
            }
            out.push(Line::from(Span::styled(clean(title), theme.header)));
            for (k, v) in rows {
                let label = format!(
                    "  {:width$}  ",
                    crate::widgets::table::fit(&clean(k), width),
                    width = width
                );
                let value = if v.is_empty() {
                    "—".to_string()
                } else {
                    clean(v)
                };
                let style = if v.is_empty() {
                    theme.muted
                } else {
                    theme.text
                };
                let mut pieces = wrap(&value, room).into_iter();
                out.push(Line::from(vec![
                    Span::styled(label, theme.muted),
                    Span::styled(pieces.next().unwrap_or_default(), style),
                ]));
                for rest in pieces {
                    out.push(Line::from(vec![
                        Span::raw(" ".repeat(width + 4)),
                        Span::styled(rest, style),
                    ]));
                }
            }
        }
        out
    }
}

/// `text` in pieces of at most `room` columns, broken after a space, comma or slash where one
/// is near, else anywhere.
fn wrap(text: &str, room: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let mut out = Vec::new();
    let mut line = String::new();
    let mut w = 0;
    for c in text.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw > room && !line.is_empty() {
            // Break at the last separator in the second half of the line, if any.
            let cut = line
                .char_indices()
                .filter(|(i, ch)| *i > line.len() / 2 && matches!(ch, ' ' | ',' | '/' | ';'))
                .map(|(i, ch)| i + ch.len_utf8())
                .next_back();
            match cut {
                Some(at) => {
                    let rest = line.split_off(at);
                    out.push(line.trim_end().to_string());
                    line = rest;
                }
                None => out.push(std::mem::take(&mut line)),
            }
            w = unicode_width::UnicodeWidthStr::width(line.as_str());
        }
        line.push(c);
        w += cw;
    }
    out.push(line);
    out
}

/// Render a JSON scalar or short array as one line of text for a sheet.
pub fn show(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "Yes" } else { "No" }.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) if a.is_empty() => String::new(),
        Value::Array(a) => a.iter().map(show).collect::<Vec<_>>().join(", "),
        Value::Object(_) => v.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_sanitized_and_empty_shown_as_dash() {
        let mut s = Sheet::default();
        let sec = s.section("Basics");
        sec.push(("Name".into(), "a\x1b[31mb".into()));
        sec.push(("Mail".into(), String::new()));
        let text: Vec<String> = s
            .lines(&Theme::default_theme())
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert!(text.iter().all(|l| !l.contains('\x1b')));
        assert!(text[2].contains('—'));
    }

    /// Issue 23, item 14: a long value is continued under itself, never cut
    /// (`bg-admin01@tailspindemo.onm` lost its end at 80 columns).
    #[test]
    fn long_values_wrap_whole() {
        let mut s = Sheet::default();
        let sec = s.section("Identity");
        let upn = "bg-admin01@tailspindemo.onmicrosoft.com";
        sec.push(("User principal name".into(), upn.into()));
        sec.push((
            "Licence error".into(),
            "CountViolation: not enough licences of Microsoft 365 E5 are free".into(),
        ));
        let lines: Vec<String> = s
            .lines_in(&Theme::default_theme(), 50)
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert!(lines.iter().all(|l| l.chars().count() <= 50), "{lines:#?}");
        let joined: String = lines.iter().map(|l| l.trim()).collect();
        assert!(joined.contains(upn), "{lines:#?}");
        assert!(joined.contains("are free"), "{lines:#?}");
        assert!(lines.len() > 3, "{lines:#?}");
    }

    #[test]
    fn show_formats_scalars() {
        assert_eq!(show(&json!(true)), "Yes");
        assert_eq!(show(&json!(["a", "b"])), "a, b");
        assert_eq!(show(&json!(null)), "");
    }
}

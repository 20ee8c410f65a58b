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

    /// Render to lines; labels are padded to a common width.
    pub fn lines(&self, theme: &Theme) -> Vec<Line<'static>> {
        let width = self
            .sections
            .iter()
            .flat_map(|(_, rows)| rows.iter().map(|(k, _)| k.chars().count()))
            .max()
            .unwrap_or(0)
            .min(30);
        let mut out = Vec::new();
        for (i, (title, rows)) in self.sections.iter().enumerate() {
            if i > 0 {
                out.push(Line::default());
            }
            out.push(Line::from(Span::styled(clean(title), theme.header)));
            for (k, v) in rows {
                let label = format!("  {:width$}  ", clean(k), width = width);
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
                out.push(Line::from(vec![
                    Span::styled(label, theme.muted),
                    Span::styled(value, style),
                ]));
            }
        }
        out
    }
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

    #[test]
    fn show_formats_scalars() {
        assert_eq!(show(&json!(true)), "Yes");
        assert_eq!(show(&json!(["a", "b"])), "a, b");
        assert_eq!(show(&json!(null)), "");
    }
}

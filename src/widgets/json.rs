//! The raw JSON view: pretty-printed, coloured by token type, every string sanitized.

use crate::sanitize::clean;
use crate::theme::Theme;
use ratatui::text::{Line, Span};
use serde_json::Value;

fn quote(s: &str) -> String {
    // serde_json escapes control characters; sanitize what remains (bidi, C1) for display.
    clean(&serde_json::to_string(s).unwrap_or_default())
}

fn walk(
    v: &Value,
    indent: usize,
    prefix: Vec<Span<'static>>,
    comma: bool,
    theme: &Theme,
    out: &mut Vec<Line<'static>>,
) {
    let pad = "  ".repeat(indent);
    let tail = if comma { "," } else { "" };
    let mut line = vec![Span::raw(pad.clone())];
    line.extend(prefix);
    match v {
        Value::Object(m) if !m.is_empty() => {
            line.push(Span::styled("{", theme.muted));
            out.push(Line::from(line));
            let n = m.len();
            for (i, (k, val)) in m.iter().enumerate() {
                let key = vec![
                    Span::styled(quote(k), theme.accent),
                    Span::styled(": ", theme.muted),
                ];
                walk(val, indent + 1, key, i + 1 < n, theme, out);
            }
            out.push(Line::from(vec![
                Span::raw(pad),
                Span::styled(format!("}}{tail}"), theme.muted),
            ]));
        }
        Value::Array(a) if !a.is_empty() => {
            line.push(Span::styled("[", theme.muted));
            out.push(Line::from(line));
            let n = a.len();
            for (i, val) in a.iter().enumerate() {
                walk(val, indent + 1, Vec::new(), i + 1 < n, theme, out);
            }
            out.push(Line::from(vec![
                Span::raw(pad),
                Span::styled(format!("]{tail}"), theme.muted),
            ]));
        }
        scalar => {
            let (text, style) = match scalar {
                Value::String(s) => (quote(s), theme.success),
                Value::Number(n) => (n.to_string(), theme.info),
                Value::Bool(b) => (b.to_string(), theme.warning),
                Value::Null => ("null".to_string(), theme.muted),
                Value::Object(_) => ("{}".to_string(), theme.muted),
                Value::Array(_) => ("[]".to_string(), theme.muted),
            };
            line.push(Span::styled(text, style));
            line.push(Span::styled(tail.to_string(), theme.muted));
            out.push(Line::from(line));
        }
    }
}

/// The lines of a pretty-printed JSON value.
pub fn lines(v: &Value, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    walk(v, 0, Vec::new(), false, theme, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pretty_prints_valid_json() {
        let v = json!({"id": "1", "groupTypes": ["Unified"], "n": 3, "x": null, "e": {}});
        let text: Vec<String> = lines(&v, &Theme::default_theme())
            .iter()
            .map(|l| l.to_string())
            .collect();
        let joined = text.join("\n");
        let back: Value = serde_json::from_str(&joined).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn hostile_strings_stay_inert() {
        let v = json!({"displayName": "a\u{1b}[2J\u{202e}b\u{9b}"});
        let text: String = lines(&v, &Theme::default_theme())
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{9b}'));
    }
}

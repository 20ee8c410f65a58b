//! The one sanitizer every string from Graph passes through before it reaches the terminal.
//!
//! C0 controls become Unicode control pictures (ESC shows as `␛`), DEL as `␡`, C1 controls as
//! `\u{FFFD}`, and bidi overrides/isolates/marks and other invisible format characters as a
//! visible `⟨U+XXXX⟩` tag, so a spoofing attempt is shown rather than obeyed.

use std::borrow::Cow;

/// True for characters that must never be written to the terminal as they are.
fn is_unsafe(c: char) -> bool {
    let u = c as u32;
    u < 0x20 || u == 0x7f || (0x80..=0x9f).contains(&u) || is_format(c)
}

/// Bidi controls and zero-width/format characters that change how surrounding text looks.
fn is_format(c: char) -> bool {
    matches!(c as u32,
        0x061c | 0x200b..=0x200f | 0x2028..=0x202e | 0x2060..=0x2069 | 0xfeff | 0xfff9..=0xfffb)
}

/// Make `s` safe to display: no control, escape or bidi character survives as itself.
pub fn sanitize(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        let u = c as u32;
        if u < 0x20 {
            out.push(char::from_u32(0x2400 + u).unwrap_or('\u{fffd}'));
        } else if u == 0x7f {
            out.push('\u{2421}');
        } else if (0x80..=0x9f).contains(&u) {
            out.push('\u{fffd}');
        } else if is_format(c) {
            out.push_str(&format!("\u{27e8}U+{u:04X}\u{27e9}"));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Sanitize into an owned string (convenience for table cells).
pub fn clean(s: &str) -> String {
    sanitize(s).into_owned()
}

/// Escape, inside already-serialized JSON text, the characters serde_json leaves raw but a
/// terminal would act on (C1 controls, bidi and format characters), as `\uXXXX`.
pub fn json_safe(json: &str) -> Cow<'_, str> {
    // C0 characters in serialized JSON are only structural whitespace (serde escapes the rest).
    let unsafe_here = |c: char| is_unsafe(c) && c as u32 >= 0x20;
    if !json.chars().any(unsafe_here) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if unsafe_here(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Write one line to stderr with everything that came from outside made safe (Graph error
/// messages, nextLinks, the device-code URL and code). A closed stderr is not an error.
pub fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{}", sanitize(line));
}

/// A CSV cell that a spreadsheet will not run: a cell starting with `=`, `+`, `-`, `@`, a tab
/// or a carriage return gets a leading `'` (OWASP's advice against CSV injection), and the
/// rest is sanitized like every displayed string.
pub fn csv_cell(s: &str) -> String {
    let s = sanitize(s);
    // A plain number ("-13" free seats) is no formula: it stays a number.
    let number = s.strip_prefix('-').is_some_and(|n| {
        !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == '.') && !n.starts_with('.')
    });
    if number {
        return s.into_owned();
    }
    match s.chars().next() {
        // The sanitizer has already turned a raw tab or CR into its control picture, so
        // the check is on what a spreadsheet would see first.
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\u{2409}' | '\u{240d}') => format!("'{s}"),
        _ => s.into_owned(),
    }
}

/// A Markdown table cell that stays one cell and renders as the text it is: backslash-escapes
/// the characters that would end the cell or start markup (pipes, emphasis, code, links, raw
/// HTML, entities), after sanitizing.
pub fn md_cell(s: &str) -> String {
    let s = sanitize(s);
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '~' | '#' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A TOML parse error on one line: its message and the line it is on (the toml crate's own
/// text spans several lines, with a drawing of the spot).
pub fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let line = e
        .span()
        .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1);
    let msg = clean(e.message().trim());
    match line {
        Some(n) => format!("line {n}: {msg}"),
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(sanitize("Finance Team"), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_are_made_visible() {
        let s = clean("Evil\x1b[2J Group");
        assert_eq!(s, "Evil\u{241b}[2J Group");
        assert!(!s.contains('\x1b'));
    }

    #[test]
    fn c1_and_del_are_replaced() {
        let s = clean("a\u{9b}31mb\x7f");
        assert_eq!(s, "a\u{fffd}31mb\u{2421}");
    }

    #[test]
    fn bidi_overrides_are_tagged() {
        let s = clean("abc\u{202e}fed\u{202c}");
        assert_eq!(s, "abc\u{27e8}U+202E\u{27e9}fed\u{27e8}U+202C\u{27e9}");
        assert!(!s.chars().any(is_unsafe));
    }

    #[test]
    fn newlines_and_tabs_become_pictures() {
        assert_eq!(clean("a\nb\tc"), "a\u{240a}b\u{2409}c");
    }

    #[test]
    fn json_safe_escapes_inside_strings() {
        let text = serde_json::to_string(&"a\u{202e}b\u{9b}").unwrap();
        let safe = json_safe(&text);
        assert_eq!(safe, "\"a\\u202eb\\u009b\"");
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "a\u{202e}b\u{9b}");
    }

    #[test]
    fn non_ascii_letters_survive() {
        assert_eq!(clean("Zoë Ørsted 東京"), "Zoë Ørsted 東京");
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        for bad in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            let c = csv_cell(bad);
            assert!(c.starts_with('\''), "{bad:?} -> {c:?}");
        }
        assert_eq!(csv_cell("Finance"), "Finance");
        assert_eq!(csv_cell("-13"), "-13");
        assert!(csv_cell("-1+2").starts_with('\''));
        assert!(csv_cell("-").starts_with('\''));
        assert_eq!(csv_cell("2024-01-02"), "2024-01-02");
    }

    #[test]
    fn markdown_cells_stay_cells_and_text() {
        assert_eq!(md_cell("a\\|b"), "a\\\\\\|b");
        assert_eq!(md_cell("<img src=x>"), "\\<img src=x\\>");
        assert_eq!(md_cell("**bold** [l](u)"), "\\*\\*bold\\*\\* \\[l\\](u)");
        assert_eq!(md_cell("Plain name"), "Plain name");
    }
}

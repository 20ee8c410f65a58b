//! The one single-line text input of every prompt (the `:` palette, pickers, typed names):
//! tui-input's editing over a `String` the prompt owns, with the cursor kept beside it, so a
//! shell user's keys work everywhere (Ctrl-U, Ctrl-W, Ctrl-A/E, Ctrl-K, Alt-B/F/D, Home, End,
//! ←/→, Delete).

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::Style;
use ratatui::text::Span;
use tui_input::{Input, InputRequest};

/// A prompt's cursor: a character index into its text; `None` is the end (where a text set
/// by the program leaves it).
pub type Cursor = Option<usize>;

/// Apply an editing key to `text`; `false` when the key is not an editing key (Enter, Esc,
/// ↑/↓, Tab…), which the prompt then handles itself.
pub fn edit(text: &mut String, cursor: &mut Cursor, key: KeyEvent) -> bool {
    let len = text.chars().count();
    let at = cursor.unwrap_or(len).min(len);
    let mut input = Input::new(text.clone()).with_cursor(at);
    // Terminals send Alt as ALT; tui-input reads word moves on META: the same keys.
    let key = if key.modifiers == KeyModifiers::ALT
        && matches!(key.code, KeyCode::Char('b' | 'f' | 'd'))
    {
        KeyEvent::new(key.code, KeyModifiers::META)
    } else {
        key
    };
    let Some(request) = tui_input::backend::crossterm::to_input_request(&Event::Key(key)) else {
        return false;
    };
    // Control keys that are no editing key must not insert a letter (Ctrl-U used to insert
    // `u`): tui-input maps only the ones it knows.
    if let InputRequest::InsertChar(c) = request
        && (c.is_control() || key.modifiers.contains(KeyModifiers::CONTROL))
    {
        return false;
    }
    input.handle(request);
    *text = input.value().to_string();
    let end = text.chars().count();
    *cursor = Some(input.cursor()).filter(|c| *c < end);
    true
}

/// The text as spans with a visible cursor bar where the cursor is.
pub fn spans(text: &str, cursor: Cursor, style: Style, cursor_style: Style) -> Vec<Span<'static>> {
    let clean = crate::sanitize::clean(text);
    let chars: Vec<char> = clean.chars().collect();
    let at = cursor.unwrap_or(chars.len()).min(chars.len());
    let before: String = chars[..at].iter().collect();
    let after: String = chars[at..].iter().collect();
    vec![
        Span::styled(before, style),
        Span::styled("▏", cursor_style),
        Span::styled(after, style),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(text: &mut String, cursor: &mut Cursor, code: KeyCode, m: KeyModifiers) -> bool {
        edit(text, cursor, KeyEvent::new(code, m))
    }

    /// Issue 23, item 5: the editing keys a shell user types without thinking.
    #[test]
    fn shell_editing_keys() {
        let (mut t, mut c) = ("Step-up for CA admins".to_string(), None);
        assert!(press(
            &mut t,
            &mut c,
            KeyCode::Char('w'),
            KeyModifiers::CONTROL
        ));
        assert_eq!(t, "Step-up for CA ");
        assert!(press(
            &mut t,
            &mut c,
            KeyCode::Char('a'),
            KeyModifiers::CONTROL
        ));
        assert_eq!(c, Some(0));
        press(&mut t, &mut c, KeyCode::Char('X'), KeyModifiers::SHIFT);
        assert_eq!(t, "XStep-up for CA ");
        press(&mut t, &mut c, KeyCode::Char('f'), KeyModifiers::ALT);
        assert!(c.is_some_and(|c| c > 1), "{c:?}");
        press(&mut t, &mut c, KeyCode::Char('e'), KeyModifiers::CONTROL);
        assert_eq!(c, None, "at the end");
        press(&mut t, &mut c, KeyCode::Char('b'), KeyModifiers::ALT);
        assert!(c.is_some());
        assert!(press(
            &mut t,
            &mut c,
            KeyCode::Char('u'),
            KeyModifiers::CONTROL
        ));
        assert!(!t.contains('u') || t.len() < 16, "Ctrl-U is no letter: {t}");
        let (mut t, mut c) = ("julia.novak".to_string(), None);
        press(&mut t, &mut c, KeyCode::Char('u'), KeyModifiers::CONTROL);
        assert_eq!(t, "", "Ctrl-U at the end clears the line");
        // Keys that are not editing keys are left to the prompt.
        assert!(!press(&mut t, &mut c, KeyCode::Enter, KeyModifiers::NONE));
        assert!(!press(&mut t, &mut c, KeyCode::Esc, KeyModifiers::NONE));
        assert!(!press(
            &mut t,
            &mut c,
            KeyCode::Char('s'),
            KeyModifiers::CONTROL
        ));
        assert_eq!(t, "");
        press(&mut t, &mut c, KeyCode::Char('é'), KeyModifiers::NONE);
        press(&mut t, &mut c, KeyCode::Left, KeyModifiers::NONE);
        press(&mut t, &mut c, KeyCode::Char('a'), KeyModifiers::NONE);
        assert_eq!(t, "aé");
        let s = spans(&t, c, Style::default(), Style::default());
        assert_eq!(s[0].content, "a");
        assert_eq!(s[2].content, "é");
    }
}

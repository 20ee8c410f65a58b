//! Terminal setup and restore: raw mode + alternate screen on start, restored on quit, on error
//! (guard drop), on panic (ratatui's panic hook) and on the signals that stop the console,
//! plus OSC 52 clipboard writes.

use base64::Engine;
use ratatui::DefaultTerminal;
use std::io::Write;

/// Owns the terminal for the TUI; restores it when dropped, whatever the exit path.
pub struct Tui {
    pub terminal: DefaultTerminal,
}

impl Tui {
    /// Enter raw mode and the alternate screen; installs a panic hook that restores first.
    pub fn enter() -> std::io::Result<Tui> {
        let terminal = ratatui::try_init()?;
        Ok(Tui { terminal })
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// SIGTERM, SIGINT, SIGHUP and SIGQUIT: the console stops on them, but restores the terminal
/// and keeps the draft first (left to their default, they leave an SSH session raw).
pub struct StopSignals {
    #[cfg(unix)]
    signals: Vec<(&'static str, i32, tokio::signal::unix::Signal)>,
}

impl StopSignals {
    pub fn install() -> std::io::Result<StopSignals> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let mut signals = Vec::new();
            for (name, num) in [
                ("SIGTERM", libc::SIGTERM),
                ("SIGINT", libc::SIGINT),
                ("SIGHUP", libc::SIGHUP),
                ("SIGQUIT", libc::SIGQUIT),
            ] {
                signals.push((name, num, signal(SignalKind::from_raw(num))?));
            }
            Ok(StopSignals { signals })
        }
        #[cfg(not(unix))]
        Ok(StopSignals {})
    }

    /// The next stop signal: its name and number.
    pub async fn recv(&mut self) -> (&'static str, i32) {
        #[cfg(unix)]
        {
            let waits = self.signals.iter_mut().map(|(name, num, s)| {
                let (name, num) = (*name, *num);
                Box::pin(async move {
                    s.recv().await;
                    (name, num)
                })
            });
            futures::future::select_all(waits).await.0
        }
        #[cfg(not(unix))]
        std::future::pending().await
    }
}

/// The OSC 52 sequence that puts `text` on the clipboard of the terminal (works over SSH). The
/// text passes the one sanitizer first: escape sequences from outside (a hostile authority's
/// "device code") never reach the clipboard.
pub fn osc52(text: &str) -> String {
    let text = crate::sanitize::clean(text);
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{b64}\x07")
}

/// A device code as identity platforms issue them (letters, digits, a dash; short): what is
/// copied to the clipboard at sign-in. Anything else is shown, not copied.
pub fn plausible_code(code: &str) -> bool {
    (4..=32).contains(&code.len()) && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// Write an OSC 52 copy to the terminal.
pub fn copy_to_clipboard(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout();
    out.write_all(osc52(text).as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    #[test]
    fn osc52_encodes_base64() {
        assert_eq!(super::osc52("abc"), "\x1b]52;c;YWJj\x07");
    }

    /// Issue 32, item 6: escape sequences never reach the clipboard.
    #[test]
    fn osc52_copies_no_escape() {
        use base64::Engine;
        let seq = super::osc52("AB\x1b]52;c;evil\x07CD");
        let b64 = seq
            .trim_start_matches("\x1b]52;c;")
            .trim_end_matches('\x07');
        let copied = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert!(
            !copied.contains(&0x1b) && !copied.contains(&0x07),
            "{copied:?}"
        );
    }

    #[test]
    fn device_codes_are_told_from_other_text() {
        assert!(super::plausible_code("GHX7-ABCD2"));
        assert!(!super::plausible_code("AB\x1b[2J"));
        assert!(!super::plausible_code(""));
        assert!(!super::plausible_code(&"A".repeat(80)));
    }
}

//! Unsaved drafts kept when the console is stopped by a signal or a panic: written as JSON to
//! a recovery file (0600 in a 0700 folder) whose path is printed.

use super::App;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

impl App {
    /// The unsaved draft (the editor's text, or the change being confirmed), if there is one.
    pub fn recovery_draft(&self) -> Option<Value> {
        let at = self.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        if let Some(e) = self.editor.as_ref().filter(|e| e.changed()) {
            return Some(json!({
                "savedAt": at,
                "profile": self.ctx.profile,
                "kind": "editor",
                "title": e.title,
                "objectId": e.id,
                "text": e.text(),
            }));
        }
        let w = self
            .write
            .as_ref()
            .filter(|w| !matches!(w.phase, super::write::Phase::Done(_)))?;
        Some(json!({
            "savedAt": at,
            "profile": self.ctx.profile,
            "kind": "change",
            "title": w.title,
            "method": w.request.method.as_str(),
            "path": w.request.path,
            // A password being set is not a draft worth keeping: never written.
            "body": w.request.body.as_ref().map(crate::graph::secret_free),
            "targets": w.targets.iter().map(|t| json!({
                "name": t.name, "path": t.request.path,
                "body": t.request.body.as_ref().map(crate::graph::secret_free),
            })).collect::<Vec<_>>(),
        }))
    }
}

/// Write `draft` to a new file in `dir`; returns its path.
pub fn save(dir: &Path, draft: &Value) -> std::io::Result<PathBuf> {
    crate::private::create_dir(dir)?;
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
    let mut n = 0;
    loop {
        let name = match n {
            0 => format!("draft-{stamp}.json"),
            n => format!("draft-{stamp}-{n}.json"),
        };
        let path = dir.join(name);
        match crate::private::create_file(&path) {
            Ok(mut f) => {
                use std::io::Write;
                let text = serde_json::to_string_pretty(draft).map_err(std::io::Error::other)?;
                f.write_all(text.as_bytes())?;
                f.sync_all()?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn drafts_are_private_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("recovery");
        let a = super::save(&d, &serde_json::json!({"text": "x"})).unwrap();
        let b = super::save(&d, &serde_json::json!({"text": "y"})).unwrap();
        assert_ne!(a, b);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode();
            assert_eq!(mode(&a) & 0o777, 0o600);
            assert_eq!(mode(&d) & 0o777, 0o700);
        }
    }
}

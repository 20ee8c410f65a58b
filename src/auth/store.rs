//! The token file: one per profile in the data dir, mode 0600, holding the refresh token (never
//! the cache database, never a snapshot, never a log line).

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What survives a restart.
#[derive(Clone, Serialize, Deserialize, Default, PartialEq, Eq)]
pub struct Saved {
    pub refresh_token: String,
    pub authority: String,
    pub tenant: String,
    pub client_id: String,
    #[serde(default)]
    pub username: Option<String>,
}

impl std::fmt::Debug for Saved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Saved")
            .field("refresh_token", &"<redacted>")
            .field("authority", &self.authority)
            .field("tenant", &self.tenant)
            .field("client_id", &self.client_id)
            .field("username", &self.username)
            .finish()
    }
}

/// The token file of one profile.
#[derive(Clone, Debug)]
pub struct TokenStore {
    pub path: PathBuf,
}

fn safe_name(profile: &str) -> String {
    profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl TokenStore {
    pub fn for_profile(data_dir: &Path, profile: &str) -> TokenStore {
        TokenStore {
            path: data_dir
                .join("tokens")
                .join(format!("{}.json", safe_name(profile))),
        }
    }

    pub fn load(&self) -> Option<Saved> {
        let text = std::fs::read_to_string(&self.path).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Write atomically with mode 0600 (the folder 0700).
    pub fn save(&self, saved: &Saved) -> std::io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
        let tmp = self.path.with_extension("json.tmp");
        let _ = std::fs::remove_file(&tmp);
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(
            serde_json::to_string(saved)
                .map_err(std::io::Error::other)?
                .as_bytes(),
        )?;
        f.sync_all()?;
        std::fs::rename(&tmp, &self.path)
    }

    /// Forget the tokens (`logout`). Returns whether a file was there.
    pub fn delete(&self) -> std::io::Result<bool> {
        match std::fs::remove_file(&self.path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_file_is_private_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::for_profile(dir.path(), "prod/../x");
        assert!(store.path.starts_with(dir.path().join("tokens")));
        let s = Saved {
            refresh_token: "rt-secret".into(),
            tenant: "t".into(),
            ..Default::default()
        };
        store.save(&s).unwrap();
        store.save(&s).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&store.path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert_eq!(store.load().unwrap(), s);
        assert!(!format!("{s:?}").contains("rt-secret"));
        assert!(store.delete().unwrap());
        assert!(!store.delete().unwrap());
        assert!(store.load().is_none());
    }
}

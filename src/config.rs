//! Paths (config and data dirs), clouds and the resolved settings a run uses.

use directories::ProjectDirs;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The Microsoft Graph Command Line Tools public client (graph-api.md §12).
pub const DEFAULT_CLIENT_ID: &str = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

/// National clouds and their hosts (graph-api.md §12, Graph `deployments.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cloud {
    Global,
    Usgov,
    UsgovDod,
    China,
}

impl Cloud {
    pub fn graph_url(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::Usgov => "https://graph.microsoft.us",
            Cloud::UsgovDod => "https://dod-graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    pub fn authority_url(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::Usgov | Cloud::UsgovDod => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }
}

/// Where configuration and data live (`directories` ProjectDirs for `entra-console`).
#[derive(Clone, Debug)]
pub struct Paths {
    pub config_dir: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    /// The platform dirs; `--config FILE` moves the config dir to that file's folder.
    pub fn resolve(config_file: Option<&std::path::Path>) -> Option<Paths> {
        let dirs = ProjectDirs::from("", "", "entra-console");
        let config_dir = match config_file {
            Some(f) => f
                .parent()
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(".")),
            None => dirs.as_ref()?.config_dir().to_path_buf(),
        };
        let data_dir = dirs
            .map(|d| d.data_dir().to_path_buf())
            .unwrap_or_else(|| config_dir.clone());
        Some(Paths {
            config_dir,
            data_dir,
        })
    }

    pub fn config_file(&self) -> PathBuf {
        self.config_dir.join("config.toml")
    }

    pub fn keymap_file(&self) -> PathBuf {
        self.config_dir.join("keymap.toml")
    }

    /// The profile's cache database.
    pub fn cache_file(&self, profile: &str) -> PathBuf {
        let safe: String = profile
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.data_dir.join("cache").join(format!("{safe}.db"))
    }

    pub fn log_file(&self) -> PathBuf {
        self.data_dir.join("entra-console.log")
    }
}

/// How a profile signs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LoginMethod {
    DeviceCode,
    AzCli,
    ClientSecret,
}

/// One profile of `config.toml` (`[profiles.NAME]`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct Profile {
    pub cloud: Option<Cloud>,
    /// Tenant id or domain (default `organizations`).
    pub tenant: Option<String>,
    pub client_id: Option<String>,
    pub method: Option<LoginMethod>,
    #[serde(default)]
    pub read_only: bool,
    /// UPNs or object ids that must never be locked out by a policy change.
    #[serde(default)]
    pub break_glass: Vec<String>,
    /// The audit's waivers and annotations file (TOML), unless `--waivers` names one.
    pub waivers: Option<std::path::PathBuf>,
    /// Writes that a second admin must apply (`ca-policies:*`, `users:update`, …): their
    /// confirms offer only "save as plan".
    #[serde(default)]
    pub require_approval: Vec<String>,
    pub theme: Option<String>,
    /// Name of the environment variable holding the client secret (method client-secret).
    pub client_secret_env: Option<String>,
    pub graph_url: Option<String>,
    pub authority_url: Option<String>,
    /// Seconds to open a connection (default 10).
    pub connect_timeout_secs: Option<u64>,
    /// Seconds of silence while an answer is awaited (default 30).
    pub read_timeout_secs: Option<u64>,
    /// Seconds one request may take in all (default 120).
    pub timeout_secs: Option<u64>,
    /// Megabytes one answer may have (default 32).
    pub max_response_mb: Option<usize>,
}

impl Profile {
    /// The request limits, the profile's settings over the defaults (zero is not a limit).
    pub fn limits(&self) -> crate::graph::Limits {
        use std::time::Duration;
        let d = crate::graph::Limits::default();
        let secs =
            |v: Option<u64>, def: Duration| v.filter(|s| *s > 0).map_or(def, Duration::from_secs);
        crate::graph::Limits {
            connect: secs(self.connect_timeout_secs, d.connect),
            read: secs(self.read_timeout_secs, d.read),
            total: secs(self.timeout_secs, d.total),
            max_body: self
                .max_response_mb
                .filter(|m| *m > 0)
                .map_or(d.max_body, |m| m.saturating_mul(1 << 20)),
        }
    }
}

/// `config.toml`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub default_profile: Option<String>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Profile>,
}

impl ConfigFile {
    /// Read the config file; a missing file is an empty config, a bad one an error naming it.
    pub fn load(path: &Path) -> Result<ConfigFile, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(ConfigFile::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// The profile to use: `--profile`/`ENTRA_CONSOLE_PROFILE`, else `default_profile`, else
    /// `default` (an empty profile when the file does not define it).
    pub fn profile(&self, requested: Option<&str>) -> Result<(String, Profile), String> {
        let name = requested
            .map(str::to_string)
            .or_else(|| self.default_profile.clone())
            .unwrap_or_else(|| "default".into());
        match self.profiles.get(&name) {
            Some(p) => Ok((name, p.clone())),
            None if requested.is_none() || name == "default" => Ok((name, Profile::default())),
            None => {
                let known: Vec<&str> = self.profiles.keys().map(String::as_str).collect();
                Err(format!(
                    "no profile \"{name}\" in config.toml (profiles: {})",
                    if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    }
                ))
            }
        }
    }
}

/// Pick the Graph URL: explicit flag/env wins, then the cloud, then global.
pub fn graph_url(flag: Option<&str>, cloud: Option<Cloud>) -> String {
    match (flag, cloud) {
        (Some(u), _) => u.trim_end_matches('/').to_string(),
        (None, Some(c)) => c.graph_url().to_string(),
        (None, None) => Cloud::Global.graph_url().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_beats_cloud() {
        assert_eq!(
            graph_url(Some("http://127.0.0.1:1/"), Some(Cloud::China)),
            "http://127.0.0.1:1"
        );
        assert_eq!(
            graph_url(None, Some(Cloud::UsgovDod)),
            "https://dod-graph.microsoft.us"
        );
        assert_eq!(graph_url(None, None), "https://graph.microsoft.com");
        assert_eq!(
            Cloud::Usgov.authority_url(),
            "https://login.microsoftonline.us"
        );
    }
}

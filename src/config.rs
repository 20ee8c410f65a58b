//! Paths (config and data dirs), clouds and the resolved settings a run uses.

use directories::ProjectDirs;
use std::path::PathBuf;

/// National clouds and their hosts (graph-api.md §12, Graph `deployments.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
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

    pub fn keymap_file(&self) -> PathBuf {
        self.config_dir.join("keymap.toml")
    }

    pub fn log_file(&self) -> PathBuf {
        self.data_dir.join("entra-console.log")
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

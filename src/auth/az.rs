//! Reuse an Azure CLI sign-in: `az account get-access-token --resource-type ms-graph`.

use super::AccessToken;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzToken {
    access_token: String,
    #[serde(default)]
    tenant: Option<String>,
}

/// Run `az` and take its Graph token; clear messages when `az` is missing or not signed in.
pub async fn token(tenant: Option<&str>) -> Result<(AccessToken, Option<String>), String> {
    let mut cmd = tokio::process::Command::new("az");
    cmd.args([
        "account",
        "get-access-token",
        "--resource-type",
        "ms-graph",
        "--output",
        "json",
    ]);
    if let Some(t) = tenant {
        cmd.args(["--tenant", t]);
    }
    let out = match cmd.output().await {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err("the Azure CLI (`az`) is not installed or not on PATH".into());
        }
        Err(e) => return Err(format!("cannot run `az`: {e}")),
    };
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("unknown error");
        if err.contains("az login") {
            return Err("the Azure CLI is not signed in: run `az login` first".into());
        }
        return Err(format!(
            "`az account get-access-token` failed: {}",
            crate::sanitize::clean(first)
        ));
    }
    let t: AzToken =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("unexpected `az` output: {e}"))?;
    Ok((AccessToken::new(t.access_token), t.tenant))
}

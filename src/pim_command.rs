//! `pim backup DIR`, `pim restore DIR [--yes]` and `pim harden --baseline FILE [--yes]`: every
//! directory role's PIM policy as one byte-stable JSON file, and the changes a backup or a TOML
//! baseline makes, rule by rule in words; only differing rules are PATCHed, each journaled,
//! a claims challenge answered as `ca restore` does. Without `--yes` nothing is sent: the
//! review is printed and the exit code is 1.

use crate::Failure;
use crate::cli::{Cli, PimCommand};
use crate::config::Paths;
use crate::connect::connect;
use crate::graph::GraphClient;
use crate::graph::resources::pim;
use crate::pim_policy::{self, RuleChange};
use crate::sanitize::clean;
use serde_json::Value;
use std::path::Path;

fn say(s: &str) {
    eprintln!("{s}");
}

/// `1 role`, `2 roles`.
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// A role as the commands see it: id, name, whether highly privileged, its policy assignment.
struct Role {
    id: String,
    name: String,
    privileged: bool,
    assignment: Value,
}

async fn roles(client: &GraphClient) -> Result<Vec<Role>, Failure> {
    let g = |e: crate::graph::GraphError| Failure::error(e.to_string());
    let assignments = client.get_all(pim::policies_of_roles()).await.map_err(g)?;
    let names = client.get_all(pim::role_names()).await.map_err(g)?;
    let mut out: Vec<Role> = assignments
        .into_iter()
        .filter_map(|a| {
            let id = a["roleDefinitionId"].as_str()?.to_string();
            let def = names.iter().find(|d| d["id"] == id.as_str());
            let name = def
                .and_then(|d| d["displayName"].as_str())
                .unwrap_or(&id)
                .to_string();
            let template = def
                .and_then(|d| d["templateId"].as_str())
                .unwrap_or_default();
            let privileged = crate::audit::roles::HIGHLY_PRIVILEGED
                .iter()
                .any(|p| *p == id || *p == template);
            Some(Role {
                id,
                name,
                privileged,
                assignment: a,
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// A file name from the role's name and id: `global-administrator-62e90394.json`.
fn file_name(role: &Role) -> String {
    let name: String = role
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let name: Vec<&str> = name.split('-').filter(|s| !s.is_empty()).collect();
    let id: String = role.id.chars().take(8).collect();
    format!("{}-{id}.json", name.join("-"))
}

fn backup(roles: &[Role], dir: &Path) -> Result<(), Failure> {
    let io = |e: std::io::Error, p: &Path| Failure::error(format!("{}: {e}", p.display()));
    // Tenant configuration: 0700 folders, 0600 files, like the cache and `ca backup`.
    crate::private::create_dir(dir).map_err(|e| io(e, dir))?;
    for r in roles {
        let doc = pim_policy::document(&r.id, &r.name, &r.assignment);
        let text = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
        let path = dir.join(file_name(r));
        crate::private::write(&path, text.as_bytes()).map_err(|e| io(e, &path))?;
    }
    say(&format!(
        "backed up the PIM settings of {} roles to {}",
        roles.len(),
        dir.display()
    ));
    Ok(())
}

/// The restore's changes: each saved document matched to its role by id.
fn restore_changes(roles: &[Role], dir: &Path) -> Result<Vec<RuleChange>, Failure> {
    let io = |e: std::io::Error| Failure::error(format!("{}: {e}", dir.display()));
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(Failure::error(format!(
            "{}: no role files (*.json from `pim backup`)",
            dir.display()
        )));
    }
    let mut out = Vec::new();
    for p in paths {
        let text = std::fs::read_to_string(&p)
            .map_err(|e| Failure::error(format!("{}: {e}", p.display())))?;
        let saved: Value = serde_json::from_str(&text)
            .map_err(|e| Failure::error(format!("{}: not JSON: {e}", p.display())))?;
        let id = saved["roleDefinitionId"].as_str().unwrap_or_default();
        let Some(role) = roles.iter().find(|r| r.id == id) else {
            say(&format!(
                "{}: role {} is not in this tenant: skipped",
                p.display(),
                clean(saved["roleDisplayName"].as_str().unwrap_or(id))
            ));
            continue;
        };
        out.extend(pim_policy::restore_changes(
            &role.name,
            &saved,
            &role.assignment,
        ));
    }
    Ok(out)
}

fn harden_changes(roles: &[Role], file: &Path) -> Result<Vec<RuleChange>, Failure> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::error(format!("{}: {e}", file.display())))?;
    let b = pim_policy::baseline(&text)
        .map_err(|e| Failure::error(format!("{}: {e}", file.display())))?;
    let names: Vec<(String, String)> = roles
        .iter()
        .map(|r| (r.id.clone(), r.name.clone()))
        .collect();
    let unknown = b.unknown_roles(&names);
    if !unknown.is_empty() {
        return Err(Failure::error(format!(
            "{}: the baseline names roles this tenant has not: {}",
            file.display(),
            unknown
                .iter()
                .map(|u| clean(u))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let mut out = Vec::new();
    for r in roles
        .iter()
        .filter(|r| b.covers(&r.id, &r.name, r.privileged))
    {
        let c = b.changes(&r.name, &r.assignment);
        if c.is_empty() {
            say(&format!(
                "{}: already at the baseline {}: skipped",
                clean(&r.name),
                clean(&b.name)
            ));
        }
        out.extend(c);
    }
    Ok(out)
}

/// Print the review; with `yes`, send each change (journaled, step-up once when challenged),
/// stopping at the first failure and naming what was and was not sent.
async fn apply(
    conn: &crate::connect::Connection,
    changes: Vec<RuleChange>,
    yes: bool,
) -> Result<(), Failure> {
    if changes.is_empty() {
        say("nothing to change: every rule already matches");
        return Ok(());
    }
    for c in &changes {
        for w in &c.words {
            say(&format!("{}: {}: {w}", clean(&c.role), c.rule_id));
        }
    }
    let roles = {
        let mut r: Vec<&str> = changes.iter().map(|c| c.role.as_str()).collect();
        r.dedup();
        r.len()
    };
    if !yes {
        return Err(Failure {
            code: 1,
            message: format!(
                "nothing was sent: {} on {}; run again with --yes to send them",
                count(changes.len(), "rule change"),
                count(roles, "role")
            ),
        });
    }
    if conn.read_only {
        return Err(Failure::error("read-only mode: nothing was sent"));
    }
    let client = conn.client.clone();
    let step_up = async |claims: String| crate::commands::step_up_headless(&client, &claims).await;
    let journal =
        async |w: crate::ca::backup::Written| crate::commands::journal_headless(conn, w).await;
    for (i, c) in changes.iter().enumerate() {
        let req = pim::update_rule(&c.policy_id, &c.after);
        if let Err(e) = crate::ca::backup::write(&client, &req, &step_up, &journal).await {
            return Err(Failure::error(format!(
                "{}: {} failed: {e}; {i} of {} rule changes were sent before it, none after",
                clean(&c.role),
                c.rule_id,
                changes.len()
            )));
        }
    }
    say(&format!(
        "sent {} on {}",
        count(changes.len(), "rule change"),
        count(roles, "role")
    ));
    Ok(())
}

pub async fn pim_command(
    cli: &Cli,
    paths: Option<&Paths>,
    cmd: &PimCommand,
) -> Result<(), Failure> {
    let conn = connect(cli, paths).await?;
    if conn.offline {
        return Err(Failure::error(
            "pim backup/restore/harden read Graph: not with --offline",
        ));
    }
    let roles = roles(&conn.client).await?;
    match cmd {
        PimCommand::Backup { dir } => backup(&roles, dir),
        PimCommand::Restore { dir, yes } => {
            let changes = restore_changes(&roles, dir)?;
            apply(&conn, changes, *yes).await
        }
        PimCommand::Harden { baseline, yes } => {
            let changes = harden_changes(&roles, baseline)?;
            apply(&conn, changes, *yes).await
        }
    }
}

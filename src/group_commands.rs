//! `entra-console groups add-members GROUP FILE [--dry-run]`: the bulk import headless, its
//! report on stdout (every row by line number and text, with its outcome), every write
//! journaled, exit 0 only when every row was added or already a member.

use crate::Failure;
use crate::bulk::{self, Outcome};
use crate::cli::Cli;
use crate::config::Paths;
use crate::connect::connect;
use crate::sanitize::{clean, say};
use std::io::Write;

pub async fn add_members(
    cli: &Cli,
    paths: Option<&Paths>,
    group: &str,
    file: &std::path::Path,
    dry_run: bool,
) -> Result<(), Failure> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::error(format!("cannot read {}: {e}", file.display())))?;
    let rows = bulk::parse(&text);
    let conn = connect(cli, paths).await?;
    if conn.offline {
        return Err(Failure::error(
            "groups add-members writes to Graph: not with --offline",
        ));
    }
    if conn.read_only && !dry_run {
        return Err(Failure::error(
            "read-only mode: nothing is added (--dry-run shows what would be)",
        ));
    }
    let g = bulk::find_group(&conn.client, group)
        .await
        .map_err(Failure::error)?;
    let gid = g["id"].as_str().unwrap_or_default().to_string();
    let gname = clean(g["displayName"].as_str().unwrap_or(&gid));
    if let Some(why) = bulk::refusal(&g) {
        return Err(Failure::error(format!("{gname}: nothing sent: {why}")));
    }
    if g["isAssignableToRole"] == true {
        say(&format!(
            "note: {gname} is role-assignable: adding members needs a privileged role (Privileged Role Administrator or Global Administrator)"
        ));
    }
    // Each write goes to the journal as it is answered.
    let store = conn.store.clone();
    let profile = conn.profile_name.clone();
    let mut sent = move |(method, path, body, result): bulk::Sent| {
        let Some(st) = store.clone() else { return };
        let (outcome, request_id) = match result {
            Ok(rid) => ("ok".to_string(), rid),
            Err(e) => (format!("failed: {e}"), None),
        };
        let entry = crate::cache::JournalEntry {
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            profile: profile.clone(),
            user: None,
            method: method.as_str().to_string(),
            path,
            before: None,
            after: Some(body.to_string()),
            outcome,
            request_id,
            claims_context: None,
        };
        if let Err(e) = st.journal_add(&entry) {
            say(&format!("warning: journal: {e}"));
        }
    };
    let outcomes = bulk::add_members(&conn.client, &gid, &rows, dry_run, &mut sent).await;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for (row, o) in rows.iter().zip(&outcomes) {
        let _ = writeln!(
            out,
            "line {}: {} -> {}",
            row.line,
            clean(&row.text),
            clean(&o.label())
        );
        let kind = match o {
            Outcome::Added => "added",
            Outcome::WouldAdd => "would be added",
            Outcome::AlreadyMember => "already members",
            Outcome::NotFound => "not found",
            Outcome::Malformed(_) => "malformed",
            Outcome::Failed(_) => "failed",
        };
        *counts.entry(kind).or_default() += 1;
    }
    let _ = out.flush();
    let summary: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    say(&format!(
        "{gname}: {} rows: {}{}",
        rows.len(),
        summary.join(", "),
        if dry_run {
            " (dry run: nothing was sent)"
        } else {
            ""
        }
    ));
    if outcomes.iter().all(Outcome::ok) {
        Ok(())
    } else {
        Err(Failure::error(format!(
            "{} of {} rows were not added (see the report above)",
            outcomes.iter().filter(|o| !o.ok()).count(),
            rows.len()
        )))
    }
}

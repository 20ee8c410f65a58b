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
    planned: Option<(&std::path::Path, crate::plan::Approval)>,
) -> Result<(), Failure> {
    let bytes = std::fs::read(file)
        .map_err(|e| Failure::error(format!("cannot read {}: {e}", file.display())))?;
    let (text, encoding) = bulk::decode(&bytes);
    if let Some(enc) = encoding {
        say(&format!(
            "note: {} is not UTF-8: read as {enc}",
            file.display()
        ));
    }
    let rows = bulk::parse(&text);
    if rows.iter().all(|r| r.skip.is_some()) {
        return Err(Failure::error(format!(
            "{}: no data rows (one object id or user principal name a line)",
            file.display()
        )));
    }
    let conn = connect(cli, paths).await?;
    if conn.offline {
        return Err(Failure::error(
            "groups add-members writes to Graph: not with --offline",
        ));
    }
    if conn.read_only && !dry_run && planned.is_none() {
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
        let entry = crate::cache::JournalEntry::of_write(
            &profile,
            method.as_str(),
            path,
            Some(body.to_string()),
            result,
        );
        if let Err(e) = st.journal_add(&entry) {
            say(&format!("warning: journal: {e}"));
        }
    };
    let (outcomes, writes) = match planned {
        Some(_) => bulk::planned(&conn.client, &gid, &rows).await,
        None => (
            bulk::add_members(&conn.client, &gid, &rows, dry_run, &mut sent).await,
            Vec::new(),
        ),
    };
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
            Outcome::Added | Outcome::AddedAnswerLost => "added",
            Outcome::WouldAdd => "would be added",
            Outcome::AlreadyMember => "already members",
            Outcome::Duplicate(_) => "duplicates",
            Outcome::Skipped(_) => "not data (version line or header)",
            Outcome::NotFound => "not found",
            Outcome::Malformed(_) => "malformed",
            Outcome::Failed(_) => "failed",
        };
        *counts.entry(kind).or_default() += 1;
    }
    let _ = out.flush();
    let summary: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
    if let Some((path, approval)) = planned {
        let author = crate::plan::author(&conn.client)
            .await
            .map_err(Failure::error)?;
        let n = writes.len();
        let writes = writes
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let count = r.body.as_ref().map_or(0, |b| {
                    b["members@odata.bind"].as_array().map_or(0, Vec::len)
                });
                crate::plan::Write::of(
                    &format!("Add {count} members to {gname} (part {} of {n})", i + 1),
                    r,
                    None,
                    None,
                )
            })
            .collect::<Vec<_>>();
        if writes.is_empty() {
            say(&format!("{gname}: nothing to add: no plan written"));
        } else {
            let plan = crate::plan::Plan::new(
                &format!("Add members to {gname} from {}", file.display()),
                &conn.tenant_label,
                &conn.profile_name,
                author,
                approval,
                writes,
            );
            plan.save(path).map_err(Failure::error)?;
            say(&format!(
                "plan {} saved to {}: {} write(s), nothing sent; apply with: entra-console plan apply {}",
                plan.id,
                path.display(),
                plan.writes.len(),
                path.display()
            ));
        }
    }
    say(&format!(
        "{gname}: {} lines: {}{}",
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

/// The columns of `export group-members`.
const MEMBER_COLUMNS: &[&str] = &[
    "groupId",
    "groupName",
    "memberId",
    "memberType",
    "memberName",
];

/// `export group-members`: one row per group and member, live (members read in `$batch`es)
/// or from the cache with `--offline`.
pub async fn export_members(
    cli: &Cli,
    paths: Option<&Paths>,
    format: crate::cli::ExportFormat,
    partial: bool,
) -> Result<(), Failure> {
    let conn = connect(cli, paths).await?;
    let mut records = Vec::new();
    let kind = |m: &serde_json::Value| crate::graph::model::odata_kind(m).to_string();
    let mut push = |g: &serde_json::Value, members: &[serde_json::Value]| {
        for m in members {
            records.push(vec![
                g["id"].as_str().unwrap_or_default().to_string(),
                g["displayName"].as_str().unwrap_or_default().to_string(),
                m["id"].as_str().unwrap_or_default().to_string(),
                kind(m),
                m["displayName"].as_str().unwrap_or_default().to_string(),
            ]);
        }
    };
    if conn.offline {
        let store = conn
            .store
            .clone()
            .ok_or_else(|| Failure::error("no cache"))?;
        let (groups, all, synced) = crate::cache::off_thread(store, |s| {
            s.verify()?;
            let (groups, _) = s.list("groups")?;
            let mut all = Vec::new();
            for g in &groups {
                let (m, _) = s.members(g["id"].as_str().unwrap_or_default())?;
                all.push(m);
            }
            // The memberships' round, and the groups' own: both must have finished.
            let synced = match s.completeness(crate::cache::sync::MEMBERS)? {
                crate::cache::Synced::Whole => s.completeness("groups")?,
                other => other,
            };
            Ok((groups, all, synced))
        })
        .await
        .map_err(|e| Failure::error(e.to_string()))?;
        if let Some(why) = synced.refusal(crate::cache::sync::MEMBERS) {
            if !partial {
                return Err(Failure::error(why));
            }
            say(&format!(
                "partial: the memberships of {} groups written; {why}",
                groups.len()
            ));
        }
        for (g, m) in groups.iter().zip(&all) {
            push(g, m);
        }
    } else {
        let groups = conn
            .client
            .get_all(crate::graph::endpoints::groups())
            .await
            .map_err(|e| Failure::error(e.to_string()))?;
        let requests = groups
            .iter()
            .map(|g| crate::graph::endpoints::group_members(g["id"].as_str().unwrap_or_default()))
            .collect();
        let answers = conn.client.get_many(requests, 4).await;
        let mut failed = Vec::new();
        for (g, a) in groups.iter().zip(answers) {
            match a {
                Ok(body) => {
                    let mut members: Vec<serde_json::Value> =
                        body["value"].as_array().cloned().unwrap_or_default();
                    if let Some(next) = body["@odata.nextLink"].as_str() {
                        let mut more = conn.client.pages_from_link(next, Vec::new());
                        while let Some(p) = futures::StreamExt::next(&mut more).await {
                            match p {
                                Ok(p) => members.extend(p.items),
                                Err(e) => {
                                    failed.push(format!("{}: {e}", g["id"]));
                                    break;
                                }
                            }
                        }
                    }
                    push(g, &members);
                }
                Err(e) => failed.push(format!("{}: {e}", g["id"])),
            }
        }
        if !failed.is_empty() {
            write_members(records, format)?;
            return Err(Failure::error(format!(
                "members of {} groups could not be read (first: {}); the rest was written",
                failed.len(),
                failed[0]
            )));
        }
    }
    write_members(records, format)
}

fn write_members(
    records: Vec<Vec<String>>,
    format: crate::cli::ExportFormat,
) -> Result<(), Failure> {
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    match crate::export::write_records(MEMBER_COLUMNS, records, format, &mut lock) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Failure::error(format!("export: {e}"))),
    }
}

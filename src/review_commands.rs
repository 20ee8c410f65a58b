//! Reviewers' headless commands: `audit` (every rule on one read-only pass, the report on
//! stdout) and `xray USER` (what one account can do and what stands in its way).

use crate::Failure;
use crate::cli::{Cli, ExportFormat};
use crate::config::Paths;
use crate::connect::connect;

/// `xray USER`: groups, roles, policies and protected actions of one user, as Markdown or
/// JSON on stdout; parts that could not be read are named (and make the exit code 1).
pub async fn xray(
    cli: &Cli,
    paths: Option<&Paths>,
    user: &str,
    format: crate::cli::XrayFormat,
) -> Result<(), Failure> {
    let conn = connect(cli, paths).await?;
    let input = if conn.offline {
        // From the cache or a snapshot: what `sync` kept, nothing sent.
        let store = conn
            .store
            .clone()
            .ok_or_else(|| Failure::error("--offline needs a cache (or --cache SNAPSHOT)"))?;
        let key = user.to_string();
        crate::cache::off_thread(store, move |s| Ok(crate::xray::read_cached(s, &key)))
            .await
            .map_err(|e| Failure::error(e.to_string()))?
    } else {
        crate::xray::read(&conn.client, user).await
    }
    .map_err(|e| Failure::error(format!("{user}: {e}")))?;
    let x = crate::xray::build(&input);
    let text = match format {
        crate::cli::XrayFormat::Json => {
            let t = serde_json::to_string_pretty(&x).map_err(|e| Failure::error(e.to_string()))?;
            crate::sanitize::json_safe(&t).into_owned()
        }
        crate::cli::XrayFormat::Md => crate::xray::render::markdown(&x),
    };
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}") {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(Failure::error(format!("xray: {e}")));
        }
        _ => {}
    }
    if input.not_read.is_empty() {
        Ok(())
    } else {
        Err(Failure::error(format!(
            "xray: partly read; not read: {}",
            input.not_read.join("; ")
        )))
    }
}

/// How an audit reports: the format, the `--fail-on` threshold, `--history` (the kept runs'
/// transitions instead of the report) and `--framework` (only its rules reported).
#[derive(Clone, Copy, Debug)]
pub struct How {
    pub format: crate::cli::AuditFormat,
    pub fail_on: Option<crate::cli::Severity>,
    pub history: bool,
    pub framework: Option<crate::cli::Framework>,
}

/// `audit`: every rule on one read-only pass over the tenant, the report on stdout; exit 3 when
/// a failed finding is at or above `--fail-on`.
pub async fn audit(
    cli: &Cli,
    paths: Option<&Paths>,
    how: How,
    baseline: Option<&std::path::Path>,
) -> Result<(), Failure> {
    if how.history {
        return history(cli, paths, how.format);
    }
    let o = audit_one(cli, paths, how, baseline).await?;
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        match writeln!(out, "{}", crate::sanitize::json_safe(o.text.trim_end())) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                return Err(Failure::error(format!("audit: {e}")));
            }
            _ => {}
        }
    }
    if o.failed > 0 {
        return Err(Failure {
            code: 3,
            message: format!("{} failed finding(s) at or above --fail-on", o.failed),
        });
    }
    Ok(())
}

/// One tenant's audit: the report in its format, its JSON, and how many findings failed at
/// or above `--fail-on`.
pub struct Audited {
    pub text: String,
    pub json: serde_json::Value,
    pub failed: usize,
}

/// Whether a file is a SQLite database (a cache or a snapshot) rather than a JSON report.
fn is_sqlite(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == b"SQLite format 3\0")
}

/// The JSON report (with its state) an audit of a snapshot gives: a snapshot as `--baseline`,
/// judged offline with the current profile's break-glass list.
async fn snapshot_report(
    store: std::sync::Arc<crate::cache::Store>,
    path: &std::path::Path,
    break_glass: Vec<String>,
) -> Result<serde_json::Value, Failure> {
    use crate::audit::{drift, report};
    let at = |e: String| Failure::error(format!("{} (baseline): {e}", path.display()));
    let inputs = crate::cache::off_thread(store, move |s| {
        s.verify()?;
        Ok(crate::audit::cached::load(s, break_glass))
    })
    .await
    .map_err(|e: crate::cache::CacheError| at(e.to_string()))?
    .map_err(at)?;
    let findings = crate::audit::run(&inputs);
    let run = report::Run {
        tenant: path.display().to_string(),
        profile: String::new(),
        at: inputs
            .now
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        read_only: true,
    };
    let mut v = report::json(&run, &findings);
    v["state"] = drift::state(&inputs);
    Ok(v)
}

async fn audit_one(
    cli: &Cli,
    paths: Option<&Paths>,
    how: How,
    baseline: Option<&std::path::Path>,
) -> Result<Audited, Failure> {
    let How {
        format,
        fail_on,
        framework,
        ..
    } = how;
    use crate::audit::{Severity, Status, drift, report};
    // The baseline is read first: a file that cannot be used stops the run before any read.
    let mut snapshot = None;
    let mut before: Option<serde_json::Value> = match baseline {
        Some(path) if is_sqlite(path) => {
            let store = crate::cache::Store::open(path, false)
                .map_err(|e| Failure::error(format!("{} (baseline): {e}", path.display())))?;
            snapshot = Some((std::sync::Arc::new(store), path));
            None
        }
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::error(format!("cannot read {}: {e}", path.display())))?;
            let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                Failure::error(format!(
                    "{}: not an audit JSON report ({e}); write one with audit --format json",
                    path.display()
                ))
            })?;
            if !v["findings"].is_array() {
                return Err(Failure::error(format!(
                    "{}: not an audit JSON report (no findings)",
                    path.display()
                )));
            }
            Some(v)
        }
        None => None,
    };
    let conn = connect(cli, paths).await?;
    let break_glass = if conn.profile_name == "demo" && conn.profile.break_glass.is_empty() {
        vec![
            "bg-admin01@tailspindemo.onmicrosoft.com".to_string(),
            "bg-admin02@tailspindemo.onmicrosoft.com".to_string(),
        ]
    } else {
        conn.profile.break_glass.clone()
    };
    if let Some((store, path)) = snapshot {
        before = Some(snapshot_report(store, path, break_glass.clone()).await?);
    }
    // The waivers are read before the tenant: a file that cannot be used stops the run.
    let waivers = match conn.profile.waivers.clone() {
        Some(path) => Some(crate::audit::waivers::load(&path).map_err(Failure::error)?),
        None => None,
    };
    let client = conn.client.clone().reads_only();
    let inputs = if conn.offline {
        // From the cache (or a snapshot given with --cache): no socket is opened.
        let store = conn
            .store
            .clone()
            .ok_or_else(|| Failure::error("--offline needs a cache (or --cache SNAPSHOT)"))?;
        let bg = break_glass.clone();
        crate::cache::off_thread(store, move |s| {
            s.verify()?;
            Ok(crate::audit::cached::load(s, bg))
        })
        .await
        .map_err(|e: crate::cache::CacheError| Failure::error(e.to_string()))?
        .map_err(Failure::error)?
    } else {
        let inputs = crate::audit::read(&client, break_glass).await;
        // Kept for an offline audit of this cache or a snapshot of it.
        if let (Some(store), Some(path)) = (
            conn.store.clone(),
            crate::connect::cache_path(cli, paths, &conn.profile_name),
        ) {
            match crate::cache::WriterLock::try_acquire(&path) {
                Ok(_lock) => {
                    if let Err(e) = crate::audit::cached::save(&store, &inputs) {
                        crate::sanitize::say(&format!(
                            "note: the audit was not kept in the cache: {e}"
                        ));
                    }
                }
                Err(e) => {
                    crate::sanitize::say(&format!("note: the audit was not kept in the cache: {e}"))
                }
            }
        }
        inputs
    };
    let mut findings = crate::audit::run(&inputs);
    let outcomes = match &waivers {
        Some(w) => crate::audit::waivers::apply(&mut findings, w, inputs.now.date_naive()),
        None => Vec::new(),
    };
    for o in outcomes.iter().filter(|o| o.state != "applied") {
        crate::sanitize::say(&format!(
            "{} {} {}{}: {}",
            o.kind,
            o.rule,
            o.state,
            o.object
                .as_deref()
                .map(|x| format!(" (object {x})"))
                .unwrap_or_default(),
            o.words
        ));
    }
    let run = report::Run {
        tenant: conn.tenant_label.clone(),
        profile: conn.profile_name.clone(),
        at: inputs
            .now
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        read_only: client.read_only(),
    };
    let runs = kept_runs(cli, paths, &conn, &run, inputs.now, &findings);
    // Kept whole (history compares every rule); reported for the framework asked.
    if let Some(fw) = framework {
        let name = match fw {
            crate::cli::Framework::Scuba => "scuba",
            crate::cli::Framework::Eidsca => "eidsca",
            crate::cli::Framework::Cis => "cis",
        };
        findings.retain(|f| f.rule.in_framework(name));
    }
    let rules: Vec<&str> = findings.iter().map(|f| f.rule.id).collect();
    // The JSON report carries the state seen (for a later --baseline) and, with one, the drift.
    let mut full = report::json(&run, &findings);
    full["state"] = drift::state(&inputs);
    if !outcomes.is_empty() {
        full["waivers"] = outcomes.iter().map(|o| o.json()).collect();
    }
    let changes = before.as_ref().map(|b| drift::compare(&mut full, b));
    if let Some(c) = &changes {
        full["changes"] = c.clone();
    }
    let text = match format {
        crate::cli::AuditFormat::Md => {
            let mut md = report::markdown(&run, &findings);
            md.push_str(&crate::audit::waivers::markdown(&outcomes));
            md.push_str(&crate::audit::history::trend(&rules, &runs));
            if let Some(c) = &changes {
                let marks: Vec<String> = full["findings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|f| f["drift"] != "unchanged")
                    .map(|f| {
                        format!(
                            "- {} {}",
                            f["id"].as_str().unwrap_or_default(),
                            f["drift"].as_str().unwrap_or_default()
                        )
                    })
                    .collect();
                md.push_str(&drift::markdown(c));
                md.push_str(&format!(
                    "\nFindings against the baseline:\n\n{}\n",
                    marks.join("\n")
                ));
            }
            md
        }
        crate::cli::AuditFormat::Json => serde_json::to_string_pretty(&full).unwrap_or_default(),
        crate::cli::AuditFormat::Sarif => {
            serde_json::to_string_pretty(&report::sarif(&findings)).unwrap_or_default()
        }
        crate::cli::AuditFormat::Csv => {
            let mut buf = Vec::new();
            crate::export::write_records(
                report::CSV_COLUMNS,
                report::records(&findings),
                ExportFormat::Csv,
                &mut buf,
            )
            .map_err(|e| Failure::error(format!("audit: {e}")))?;
            String::from_utf8_lossy(&buf).into_owned()
        }
    };
    let threshold = fail_on.map(|f| match f {
        crate::cli::Severity::Low => Severity::Low,
        crate::cli::Severity::Medium => Severity::Medium,
        crate::cli::Severity::High => Severity::High,
    });
    let failed = findings
        .iter()
        .filter(|f| f.status == Status::Fail && threshold.is_some_and(|t| f.rule.severity >= t))
        .count();
    Ok(Audited {
        text,
        json: full,
        failed,
    })
}

/// `audit --history`: the runs the profile's cache (or a snapshot or package given with
/// `--cache`) keeps, each rule's transition over them; nothing is read from the tenant and no
/// run is added.
fn history(
    cli: &Cli,
    paths: Option<&Paths>,
    format: crate::cli::AuditFormat,
) -> Result<(), Failure> {
    use crate::audit::history;
    let (name, _) = crate::connect::profile(cli, paths)?;
    let path = crate::connect::cache_path(cli, paths, &name)
        .ok_or_else(|| Failure::error("no cache path (use --cache FILE)"))?;
    let mut _copy = None;
    let store_path = if crate::package::is_package(&path) {
        let v = crate::package::verify(&path)
            .map_err(|e| Failure::error(format!("{}: {e}", path.display())))?;
        let db = v.copy.db.clone();
        _copy = Some(v.copy);
        db
    } else {
        path.clone()
    };
    if !store_path.is_file() {
        return Err(Failure::error(format!(
            "{}: no cache yet; run `entra-console audit` first",
            path.display()
        )));
    }
    let store =
        crate::cache::Store::open(&store_path, false).map_err(|e| Failure::error(e.to_string()))?;
    let runs = history::runs(&store).map_err(|e| Failure::error(e.to_string()))?;
    let Some(last) = runs.last() else {
        return Err(Failure::error(format!(
            "{}: no audit run is kept here yet; run `entra-console audit` first",
            path.display()
        )));
    };
    let rules: Vec<&str> = last["results"]
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let text = match format {
        crate::cli::AuditFormat::Md => history::markdown(&rules, &runs),
        crate::cli::AuditFormat::Json => {
            let rows: Vec<serde_json::Value> = history::transitions(&rules, &runs)
                .into_iter()
                .map(|(rule, words, results)| {
                    serde_json::json!({"id": rule, "transition": words, "results": results})
                })
                .collect();
            serde_json::to_string_pretty(&serde_json::json!({"runs": runs, "rules": rows}))
                .unwrap_or_default()
        }
        _ => {
            return Err(Failure::error(
                "audit --history writes md or json (--format md|json)",
            ));
        }
    };
    let text = format!("{}\n", crate::sanitize::json_safe(text.trim_end()));
    crate::write_stdout(text.as_bytes()).map_err(|e| Failure::error(format!("audit: {e}")))
}

/// This run kept in the cache's history (under the writer lock, as the audit's reads are), and
/// the runs kept, oldest first. No cache, or a cache another process writes: the history is
/// this run alone, and why is said.
fn kept_runs(
    cli: &Cli,
    paths: Option<&Paths>,
    conn: &crate::connect::Connection,
    run: &crate::audit::report::Run,
    now: chrono::DateTime<chrono::Utc>,
    findings: &[crate::audit::Finding],
) -> Vec<serde_json::Value> {
    use crate::audit::history;
    let this = history::run_of(&run.tenant, now, findings);
    // A review package is read-only: its history is what it holds, this run is not added.
    if conn.package.is_some() {
        let mut kept = conn
            .store
            .as_ref()
            .and_then(|s| history::runs(s).ok())
            .unwrap_or_default();
        kept.push(this);
        return kept;
    }
    let (Some(store), Some(path)) = (
        conn.store.clone(),
        crate::connect::cache_path(cli, paths, &conn.profile_name),
    ) else {
        return vec![this];
    };
    let kept = crate::cache::WriterLock::try_acquire(&path)
        .map_err(|e| e.to_string())
        .and_then(|_lock| {
            history::record(&store, this.clone()).map_err(|e| e.to_string())?;
            history::runs(&store).map_err(|e| e.to_string())
        });
    match kept {
        Ok(runs) => runs,
        Err(e) => {
            crate::sanitize::say(&format!("note: this run was not kept in the history: {e}"));
            vec![this]
        }
    }
}

/// `audit --all-profiles`: every profile of config.toml (each with its own sign-in and cache,
/// or its cache with `--offline`), one report per tenant in `out`, a summary table (rule x
/// tenant) on stdout; exit 3 when any tenant fails `--fail-on`, 1 when one could not be audited.
pub async fn audit_all(
    cli: &Cli,
    paths: Option<&Paths>,
    how: How,
    out: &std::path::Path,
) -> Result<(), Failure> {
    let format = how.format;
    let file = match (&cli.global.config, paths) {
        (Some(f), _) => crate::config::ConfigFile::load(f),
        (None, Some(p)) => crate::config::ConfigFile::load(&p.config_file()),
        (None, None) => Ok(crate::config::ConfigFile::default()),
    }
    .map_err(Failure::error)?;
    let names: Vec<String> = file.profiles.keys().cloned().collect();
    if names.is_empty() {
        return Err(Failure::error(
            "--all-profiles: config.toml names no profiles ([profiles.NAME])",
        ));
    }
    std::fs::create_dir_all(out)
        .map_err(|e| Failure::error(format!("cannot create {}: {e}", out.display())))?;
    let ext = match format {
        crate::cli::AuditFormat::Md => "md",
        crate::cli::AuditFormat::Json => "json",
        crate::cli::AuditFormat::Csv => "csv",
        crate::cli::AuditFormat::Sarif => "sarif",
    };
    // rule id -> (title, status per tenant)
    let mut table: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let (mut failing, mut broken) = (Vec::new(), Vec::new());
    for (k, name) in names.iter().enumerate() {
        let mut one = cli.clone();
        one.global.profile = Some(name.clone());
        one.global.demo = false;
        one.global.cache = None;
        match audit_one(&one, paths, how, None).await {
            Ok(a) => {
                let file = out.join(format!("audit-{name}.{ext}"));
                std::fs::write(&file, crate::sanitize::json_safe(&a.text).as_bytes())
                    .map_err(|e| Failure::error(format!("cannot write {}: {e}", file.display())))?;
                for f in a.json["findings"].as_array().into_iter().flatten() {
                    let row = table
                        .entry(f["id"].as_str().unwrap_or_default().to_string())
                        .or_insert_with(|| vec![String::new(); names.len()]);
                    row[k] = f["status"].as_str().unwrap_or_default().to_string();
                }
                if a.failed > 0 {
                    failing.push(name.clone());
                }
            }
            Err(e) => {
                broken.push(format!("{name}: {}", e.message));
                for row in table.values_mut() {
                    row[k] = "not audited".into();
                }
            }
        }
    }
    let mut md = format!(
        "| Rule | {} |\n|---|{}\n",
        names.join(" | "),
        "---|".repeat(names.len())
    );
    for (rule, cells) in &table {
        let cells: Vec<&str> = cells
            .iter()
            .map(|c| if c.is_empty() { "not audited" } else { c })
            .collect();
        md.push_str(&format!("| {rule} | {} |\n", cells.join(" | ")));
    }
    let text = format!("{}\n", crate::sanitize::clean(md.trim_end()));
    crate::write_stdout(text.as_bytes()).map_err(|e| Failure::error(format!("audit: {e}")))?;
    crate::sanitize::say(&format!(
        "{} tenant(s): reports in {}",
        names.len(),
        out.display()
    ));
    if !failing.is_empty() {
        return Err(Failure {
            code: 3,
            message: format!("failing --fail-on: {}", failing.join(", ")),
        });
    }
    if !broken.is_empty() {
        return Err(Failure::error(format!(
            "not audited: {}",
            broken.join("; ")
        )));
    }
    Ok(())
}

//! Headless commands: `sync` (progress on stderr), `snapshot export|import` for reviewers,
//! `ca backup|restore`.

use crate::Failure;
use crate::cache::{Store, WriterLock, sync};
use crate::cli::{CaCommand, Cli, SnapshotCommand};
use crate::config::Paths;
use crate::connect::{cache_path, connect, profile};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Every line printed here may carry text from Graph or a file: it goes through the sanitizer.
use crate::sanitize::say;

fn bar(name: &str) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template("{spinner} {prefix:>14} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.set_prefix(name.to_string());
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// `sync [BLADE...]`: fill the cache headlessly; a summary line at the end; exit 1 on failure
/// keeping what was synced.
pub async fn sync(
    cli: &Cli,
    paths: Option<&Paths>,
    blades: &[String],
    full: bool,
) -> Result<(), Failure> {
    if cli.global.offline {
        return Err(Failure {
            code: 2,
            message: "sync needs the network; drop --offline".into(),
        });
    }
    let wanted: Vec<String> = if blades.is_empty() {
        crate::blades::sync_names()
            .iter()
            .map(|s| s.to_string())
            .collect()
    } else {
        blades.to_vec()
    };
    for b in &wanted {
        if !crate::blades::sync_names().contains(&b.as_str()) {
            return Err(Failure {
                code: 2,
                message: format!(
                    "sync: unknown blade \"{b}\" (available: {})",
                    crate::blades::sync_names().join(", ")
                ),
            });
        }
    }
    let conn = connect(cli, paths).await?;
    // One writer per cache, for the whole sync: a second sync is told who has it instead of
    // interleaving rounds with this one.
    let cache = match &conn.store {
        Some(st) => st.path.clone(),
        None => {
            let (name, _) = profile(cli, paths)?;
            cache_path(cli, paths, &name).ok_or_else(|| {
                Failure::error(
                    conn.cache_warning
                        .clone()
                        .unwrap_or_else(|| "no cache file".into()),
                )
            })?
        }
    };
    let _lock =
        WriterLock::try_acquire(&cache).map_err(|e| Failure::error(format!("sync: {e}")))?;
    let store = match (conn.store.clone(), full) {
        (Some(st), false) => st,
        (_, true) => fresh_start(conn.store.clone(), &cache, &wanted).await?,
        (None, false) => {
            return Err(Failure::error(
                conn.cache_warning
                    .clone()
                    .unwrap_or_else(|| "no cache file".into()),
            ));
        }
    };
    let waits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let w = waits.clone();
    let client = conn.client.clone().with_observer(Arc::new(move |_| {
        w.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }));
    let start = Instant::now();
    let mut summary = Vec::new();
    let names: Vec<&'static str> = crate::blades::sync_names()
        .into_iter()
        .filter(|n| wanted.iter().any(|w| w == n))
        .collect();
    // Two lanes at once: users, and the rest in order (groups before their memberships). The
    // throttling budget is shared; the round trips overlap.
    let bars = indicatif::MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
    let lane = |only_users: bool| {
        let (client, store, waits, bars) = (&client, &store, &waits, &bars);
        let names: Vec<&'static str> = names
            .iter()
            .copied()
            .filter(|n| (*n == "users") == only_users)
            .collect();
        async move {
            let mut out = Vec::new();
            for name in names {
                let pb = bars.add(bar(name));
                let r = sync_one(name, client, store, waits, &pb).await;
                pb.finish_and_clear();
                let failed = r.is_err();
                out.push((name, r));
                if failed {
                    break;
                }
            }
            out
        }
    };
    let (a, b) = futures::join!(lane(true), lane(false));
    let mut results: Vec<_> = a.into_iter().chain(b).collect();
    // Members the delta named by id only and the cache does not hold: named now that the
    // users and groups of this sync are in.
    if results
        .iter()
        .any(|(n, r)| *n == crate::blades::GROUP_MEMBERS && r.is_ok())
        && let Err(e) = sync::complete_references(&client, &store).await
    {
        results.push((crate::blades::GROUP_MEMBERS, Err(e)));
    }
    results.sort_by_key(|(n, _)| names.iter().position(|x| x == n));
    for (_, result) in results {
        match result {
            Ok((line, failures)) if failures.is_empty() => summary.push(line),
            Ok((line, failures)) => {
                summary.push(line);
                say(&format!("synced: {}", summary.join(", ")));
                // Each failure by name and request-id, so none hides behind the first.
                for f in failures.iter().take(50) {
                    say(&format!("failed: {f}"));
                }
                if failures.len() > 50 {
                    say(&format!("failed: … and {} more", failures.len() - 50));
                }
                return Err(Failure::error(format!(
                    "sync: {} failed (first: {}); what was synced is kept",
                    failures.len(),
                    failures[0]
                )));
            }
            Err(e) => {
                if !summary.is_empty() {
                    say(&format!("synced: {}", summary.join(", ")));
                }
                return Err(Failure::error(format!(
                    "sync failed: {e}; what was synced is kept"
                )));
            }
        }
    }
    say(&format!(
        "synced: {} in {:.1} s ({} retry waits) into {}",
        summary.join(", "),
        start.elapsed().as_secs_f64(),
        waits.load(std::sync::atomic::Ordering::Relaxed),
        store.path.display()
    ));
    Ok(())
}

/// One collection (or the memberships) into the cache: the summary words and the failures.
async fn sync_one(
    name: &'static str,
    client: &crate::graph::GraphClient,
    store: &Arc<Store>,
    waits: &Arc<std::sync::atomic::AtomicUsize>,
    pb: &ProgressBar,
) -> Result<(String, Vec<String>), String> {
    let p = pb.clone();
    let wt = waits.clone();
    let mut on_page = move |t: &sync::Tally| {
        let n = wt.load(std::sync::atomic::Ordering::Relaxed);
        p.set_message(format!(
            "{} pages, {} objects, {} removed, {n} retry waits ({})",
            t.pages, t.upserts, t.removed, t.mode
        ));
    };
    let words = |what: &str, t: &sync::Tally| {
        let removed = if t.removed > 0 {
            format!(", -{}", t.removed)
        } else {
            String::new()
        };
        let skipped = if t.skipped > 0 {
            format!(", {} without an id skipped", t.skipped)
        } else {
            String::new()
        };
        format!("{what} {} ({}{removed}{skipped})", t.upserts, t.mode)
    };
    if name == crate::blades::AUDIT_READS {
        pb.set_message("roles, protection, policies, domains…");
        return crate::audit::cached::sync(client, store)
            .await
            .map(|words| (words, Vec::new()));
    }
    if name == crate::blades::GROUP_MEMBERS {
        return sync::members_by_delta(client, store, false, &mut on_page)
            .await
            .map(|t| (words("memberships", &t), Vec::new()));
    }
    let Some(spec) = crate::blades::sync_spec(name) else {
        return Ok((format!("{name}: nothing to sync"), Vec::new()));
    };
    sync::collection(client, store, &spec, &mut on_page)
        .await
        .map(|t| (words(name, &t), Vec::new()))
}

/// `sync --full`: the named collections start a new round (their resume and delta links are
/// forgotten); a cache that fails its integrity check is moved aside and a new one begun.
async fn fresh_start(
    store: Option<Arc<Store>>,
    cache: &std::path::Path,
    wanted: &[String],
) -> Result<Arc<Store>, Failure> {
    let damaged = match &store {
        Some(st) => match crate::cache::off_thread(st.clone(), |s| s.verify()).await {
            Err(e @ crate::cache::CacheError::Corrupt(..)) => Some(e.to_string()),
            _ => None,
        },
        None => Some("it cannot be opened".to_string()),
    };
    let store = match damaged {
        Some(why) if cache.exists() => {
            drop(store);
            let aside = cache.with_extension("db.damaged");
            std::fs::rename(cache, &aside)
                .map_err(|e| Failure::error(format!("cannot move the damaged cache aside: {e}")))?;
            for suffix in ["-wal", "-shm"] {
                let mut side = cache.as_os_str().to_owned();
                side.push(suffix);
                let _ = std::fs::remove_file(std::path::PathBuf::from(side));
            }
            say(&format!(
                "the cache was damaged ({why}); it was moved to {} and a new one is built",
                aside.display()
            ));
            Arc::new(Store::open(cache, true).map_err(|e| Failure::error(e.to_string()))?)
        }
        _ => match store {
            Some(st) => st,
            None => Arc::new(Store::open(cache, true).map_err(|e| Failure::error(e.to_string()))?),
        },
    };
    for name in wanted {
        if let Some(spec) = crate::blades::sync_spec(name) {
            let coll = spec.collection;
            crate::cache::off_thread(store.clone(), move |s| s.reset_round(coll))
                .await
                .map_err(|e| Failure::error(e.to_string()))?;
        }
    }
    Ok(store)
}

/// `snapshot export FILE` / `snapshot import FILE`.
pub async fn snapshot(
    cli: &Cli,
    paths: Option<&Paths>,
    cmd: &SnapshotCommand,
) -> Result<(), Failure> {
    let (name, _) = profile(cli, paths)?;
    let cache = cache_path(cli, paths, &name)
        .ok_or_else(|| Failure::error("no cache path (use --cache FILE)"))?;
    match cmd {
        SnapshotCommand::Export {
            file,
            package: true,
        } => {
            let store = Store::open(&cache, false).map_err(|e| Failure::error(e.to_string()))?;
            let about = crate::package::About {
                profile: name.clone(),
                tenant: store.tenant(),
            };
            let m = crate::package::export(&store, file, &about).map_err(Failure::error)?;
            say(&format!(
                "review package written to {} ({} parts, seal sha256 {}); a reviewer checks it with `entra-console snapshot verify {}` and opens it with --cache (always offline and read-only)",
                file.display(),
                m["parts"].as_array().map_or(0, Vec::len),
                m["seal"].as_str().unwrap_or("?"),
                file.display()
            ));
            Ok(())
        }
        SnapshotCommand::Verify { file } => {
            let v = crate::package::verify(file)
                .map_err(|e| Failure::error(format!("{}: {e}", file.display())))?;
            let m = &v.manifest;
            let incomplete: Vec<String> = m["collections"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|c| c["read"] != "complete")
                .map(|c| {
                    format!(
                        "{} ({})",
                        c["name"].as_str().unwrap_or("?"),
                        c["read"].as_str().unwrap_or("?")
                    )
                })
                .collect();
            println!(
                "{}: intact. Tenant {}, taken {} by {} with entra-console {}; {} parts; seal sha256 {}{}",
                file.display(),
                m["tenant"].as_str().unwrap_or("unknown"),
                m["takenAt"].as_str().unwrap_or("?"),
                m["takenBy"]["userPrincipalName"]
                    .as_str()
                    .unwrap_or("an unknown admin"),
                m["console"].as_str().unwrap_or("?"),
                m["parts"].as_array().map_or(0, Vec::len),
                m["seal"].as_str().unwrap_or("?"),
                if incomplete.is_empty() {
                    String::new()
                } else {
                    format!("; not complete: {}", incomplete.join(", "))
                }
            );
            Ok(())
        }
        SnapshotCommand::Export { file, .. } => {
            let store = Store::open(&cache, false).map_err(|e| Failure::error(e.to_string()))?;
            let dest = file.clone();
            crate::cache::off_thread(std::sync::Arc::new(store), move |s| s.snapshot(&dest))
                .await
                .map_err(|e| Failure::error(e.to_string()))?;
            say(&format!(
                "snapshot written to {} (no tokens: they never enter the cache)",
                file.display()
            ));
            Ok(())
        }
        SnapshotCommand::Import { file } => {
            if !file.is_file() {
                return Err(Failure::error(format!(
                    "snapshot import: {} does not exist",
                    file.display()
                )));
            }
            if crate::package::is_package(file) {
                return Err(Failure::error(format!(
                    "{} is a review package: it opens read-only with --cache {} (import takes a plain snapshot)",
                    file.display(),
                    file.display()
                )));
            }
            // Validate before copying: a foreign or damaged file is refused.
            let incoming = Store::open(file, false)
                .and_then(|s| s.verify().map(|()| s))
                .map_err(|e| Failure::error(e.to_string()))?;
            // A snapshot of another tenant replaces this profile's view of its own tenant:
            // say so (the profile's tenant from config, or the cache it replaces).
            let theirs = incoming.tenant();
            drop(incoming);
            let ours = crate::connect::profile(cli, paths)
                .ok()
                .and_then(|(_, p)| p.tenant)
                .or_else(|| Store::open(&cache, false).ok().and_then(|s| s.tenant()));
            if let (Some(t), Some(o)) = (&theirs, &ours)
                && !t.eq_ignore_ascii_case(o)
            {
                say(&format!(
                    "warning: this snapshot is of tenant {t}, profile {name} is for tenant {o}; its cache now shows {t}"
                ));
            }
            // Not while a sync writes to the cache it replaces.
            let _lock = WriterLock::try_acquire(&cache)
                .map_err(|e| Failure::error(format!("snapshot import: {e}")))?;
            if cache.exists() {
                let backup = cache.with_extension("db.before-import");
                std::fs::rename(&cache, &backup)
                    .map_err(|e| Failure::error(format!("cannot move the old cache aside: {e}")))?;
                say(&format!(
                    "the previous cache was kept as {}",
                    backup.display()
                ));
            }
            if let Some(dir) = cache.parent() {
                crate::private::create_dir(dir).map_err(|e| Failure::error(e.to_string()))?;
            }
            std::fs::copy(file, &cache)
                .map_err(|e| Failure::error(format!("cannot copy the snapshot: {e}")))?;
            // A copy keeps the source's mode: the cache is 0600 whatever the snapshot was.
            crate::private::restrict(&cache).map_err(|e| Failure::error(e.to_string()))?;
            say(&format!(
                "snapshot imported as the cache of profile {name}; open it with `entra-console --offline --profile {name}`"
            ));
            Ok(())
        }
    }
}

/// `ca backup DIR` / `ca restore DIR`. A restore answers a claims challenge the way the TUI
/// does (refresh with the claims, then a device code printed on stderr).
pub async fn ca(cli: &Cli, paths: Option<&Paths>, cmd: &CaCommand) -> Result<(), Failure> {
    let conn = connect(cli, paths).await?;
    if conn.offline {
        return Err(Failure::error(
            "ca backup/restore read and write Graph: not with --offline",
        ));
    }
    let client = conn.client.clone();
    match cmd {
        CaCommand::Backup { dir } => {
            let s = crate::ca::backup::backup(&client, dir)
                .await
                .map_err(Failure::error)?;
            say(&format!(
                "backed up {} policies and {} named locations to {}",
                s.policies,
                s.locations,
                dir.display()
            ));
        }
        // Signs in to two profiles of its own: dispatched before this (lib.rs).
        CaCommand::Copy { .. } => {}
        CaCommand::Restore { dir } => {
            let step_up = async |claims: String| step_up_headless(&client, &claims).await;
            // Every create is journaled as it is made (a restore cut short keeps its record).
            let journal = async |w: crate::ca::backup::Written| journal_headless(&conn, w).await;
            let s = crate::ca::backup::restore(&client, dir, step_up, journal)
                .await
                .map_err(Failure::error)?;
            for line in &s.lines {
                say(line);
            }
            say(&format!(
                "restored {} named locations and {} policies; {} still present and left as they are",
                s.locations, s.policies, s.kept
            ));
        }
    }
    Ok(())
}

/// A headless write's step-up: the claims answered with a device code printed on stderr, as
/// the console's inline prompt does (`ca restore`, `pim restore`, `pim harden`).
pub async fn step_up_headless(
    client: &crate::graph::GraphClient,
    claims: &str,
) -> Result<(), String> {
    crate::auth::step_up::step_up_with(client, claims, |code| {
        say(&format!(
            "step-up: open {} and enter the code {}",
            code.verification_uri, code.user_code
        ));
    })
    .await
    .map(|_| ())
    .map_err(|e| format!("step-up failed: {e}"))
}

/// One headless write into the profile's journal as it is made, with who made it and the
/// outcome the command words (a journal that cannot be written is a warning, not a failure).
pub async fn journal_headless(conn: &crate::connect::Connection, w: crate::ca::backup::Written) {
    let Some(st) = conn.store.clone() else { return };
    let user = match conn.client.credential().session() {
        Some(s) => s.username().await,
        None => None,
    };
    let mut entry = crate::cache::JournalEntry::of_write(
        &conn.profile_name,
        w.method,
        w.path,
        w.after,
        Ok(w.request_id),
    );
    entry.outcome = w.outcome;
    entry.user = user;
    entry.claims_context = w.claims_context;
    if let Err(e) = crate::cache::off_thread(st, move |s| s.journal_add(&entry)).await {
        say(&format!("warning: journal: {e}"));
    }
}

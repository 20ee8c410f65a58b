//! `revert-due [--dry-run]`: the time-boxed exceptions the profile's journal holds that are
//! due, put back (or closed, or named for review) headless and cron-able; exit 1 when one
//! needs a person.

use crate::Failure;
use crate::cli::Cli;
use crate::config::Paths;
use crate::connect::connect;
use crate::sanitize::say;

pub async fn revert_due(
    cli: &Cli,
    paths: Option<&Paths>,
    dry_run: bool,
    now: Option<&str>,
) -> Result<(), Failure> {
    // The time is the clock's, unless a test gives one.
    let now = match now {
        Some(t) => chrono::DateTime::parse_from_rfc3339(t)
            .map_err(|e| Failure::error(format!("--now {t}: {e}")))?
            .with_timezone(&chrono::Utc),
        None => chrono::Utc::now(),
    };
    let conn = connect(cli, paths).await?;
    if conn.offline {
        return Err(Failure::error(
            "revert-due writes to the tenant: not with --offline",
        ));
    }
    if conn.read_only && !dry_run {
        return Err(Failure::error(
            "read-only mode: nothing is reverted (--dry-run says what would be)",
        ));
    }
    let store = conn.store.clone().ok_or_else(|| {
        Failure::error("revert-due reads the exceptions from the profile's cache: no cache")
    })?;
    let journal = crate::cache::off_thread(store.clone(), |s| s.journal())
        .await
        .map_err(|e| Failure::error(format!("journal: {e}")))?;
    let client = conn.client.clone();
    let step_up = async |claims: String| crate::commands::step_up_headless(&client, &claims).await;
    let journal_write =
        async |w: crate::ca::backup::Written| crate::commands::journal_headless(&conn, w).await;
    let write = async |req: &crate::graph::Request| {
        crate::ca::backup::write(&client, req, &step_up, &journal_write)
            .await
            .map(|_| ())
    };
    let outcomes = crate::exceptions::revert_due(&client, &journal, now, dry_run, &write)
        .await
        .map_err(Failure::error)?;
    let open = crate::exceptions::open(&journal);
    for o in &outcomes {
        println!("{}", crate::sanitize::clean(&o.words));
        // Closed in the journal once done (or found to need nothing); a review stays open.
        if !dry_run && !o.review {
            let row = crate::exceptions::closed(
                &conn.profile_name,
                &o.exception,
                now,
                if o.reverted {
                    "reverted"
                } else {
                    "closed: nothing to revert"
                },
            );
            if let Err(e) =
                crate::cache::off_thread(store.clone(), move |s| s.journal_add(&row)).await
            {
                say(&format!("warning: journal: {e}"));
            }
        }
    }
    // The ones not due yet, soonest first: what the next runs will do.
    for e in crate::exceptions::open(&journal)
        .iter()
        .filter(|e| e.due > now)
    {
        println!(
            "not due yet: {}",
            crate::sanitize::clean(&crate::exceptions::words(e, now))
        );
    }
    say(&format!(
        "{} due of {} open exception(s){}",
        outcomes.len(),
        open.len(),
        if dry_run {
            " (dry run: nothing sent)"
        } else {
            ""
        }
    ));
    if dry_run
        && outcomes
            .iter()
            .any(|o| o.words.starts_with("would put back"))
    {
        say(
            "note: a Conditional Access change may ask for step-up (a device code on stderr): run revert-due where someone can answer it",
        );
    }
    let review = outcomes.iter().filter(|o| o.review).count();
    if review > 0 {
        return Err(Failure::error(format!(
            "{review} due exception(s) need a person (see above); they stay open"
        )));
    }
    Ok(())
}

//! `plan show FILE` and `plan apply FILE [--yes]`: a saved plan read for a person, or applied
//! after a re-read of every object it changes (a field changed since the plan refuses the
//! plan, named), its expiry and four eyes checked, each write sent in order with step-up where
//! Graph demands it and journaled with its author and approver; the first failure stops it,
//! saying what was and was not applied.

use crate::Failure;
use crate::cli::{Cli, PlanCommand};
use crate::config::Paths;
use crate::connect::connect;
use crate::plan::Plan;
use crate::sanitize::{clean, say};
use serde_json::Value;
use std::io::{IsTerminal, Write};

pub async fn plan_command(
    cli: &Cli,
    paths: Option<&Paths>,
    cmd: &PlanCommand,
) -> Result<(), Failure> {
    match cmd {
        PlanCommand::Show { file } => {
            let plan = Plan::load(file).map_err(Failure::error)?;
            print(&plan.markdown());
            // Said, not refused: showing is reading (the author's own check applies at apply).
            let nobody = crate::plan::Person {
                id: String::new(),
                upn: String::new(),
            };
            if let Some(why) = plan.refusal(&nobody, chrono::Utc::now()) {
                print(&format!("\n**Not applicable as it is:** {why}\n"));
            }
            Ok(())
        }
        PlanCommand::Apply { file, yes } => apply(cli, paths, file, *yes).await,
    }
}

fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(crate::sanitize::json_safe(text).as_bytes());
    let _ = out.flush();
}

/// Asked once on a terminal; without one, `--yes` is what confirms.
fn confirmed(yes: bool, n: usize) -> bool {
    if yes {
        return true;
    }
    if !std::io::stdin().is_terminal() {
        return false;
    }
    eprint!("Apply these {n} write(s) now? Type yes to apply: ");
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    line.trim().eq_ignore_ascii_case("yes")
}

async fn apply(
    cli: &Cli,
    paths: Option<&Paths>,
    file: &std::path::Path,
    yes: bool,
) -> Result<(), Failure> {
    // The file is checked before anything is read from the tenant.
    let plan = Plan::load(file).map_err(Failure::error)?;
    let conn = connect(cli, paths).await?;
    if conn.offline {
        return Err(Failure::error(
            "plan apply writes to the tenant: not with --offline",
        ));
    }
    if conn.read_only {
        return Err(Failure::error(
            "read-only mode: nothing is applied (plan show reads it)",
        ));
    }
    if !plan.tenant.eq_ignore_ascii_case(&conn.tenant_label) {
        return Err(Failure::error(format!(
            "plan {} was made for tenant {}, this profile signs in to {}: nothing applied",
            plan.id,
            clean(&plan.tenant),
            clean(&conn.tenant_label)
        )));
    }
    let client = conn.client.clone();
    let who = crate::plan::author(&client).await.map_err(Failure::error)?;
    if let Some(why) = plan.refusal(&who, chrono::Utc::now()) {
        return Err(Failure::error(why));
    }
    if let Some(why) = crate::plan::profile_refusal(&plan, &who, &conn.profile.require_approval) {
        return Err(Failure::error(why));
    }
    // A plan applied once is not applied again (its writes' record is in this journal).
    if let Some(st) = conn.store.clone() {
        let journal = crate::cache::off_thread(st, |s| s.journal())
            .await
            .unwrap_or_default();
        if let Some(why) = crate::plan::applied_before(&journal, &plan.id) {
            return Err(Failure::error(why));
        }
    }
    print(&plan.markdown());
    let changed = crate::plan::changed_since(&client, &plan)
        .await
        .map_err(Failure::error)?;
    if !changed.is_empty() {
        print("\n## Changed since the plan\n\n");
        for c in &changed {
            print(&format!("- {}\n", clean(c)));
        }
        return Err(Failure::error(format!(
            "{} change(s) since the plan conflict with its writes: nothing applied (make a new plan from the tenant as it is)",
            changed.len()
        )));
    }
    print("\nNothing changed since the plan.\n");
    let lockouts = crate::plan::lockouts(&client, &plan, &conn.break_glass(), &who).await;
    if !lockouts.is_empty() {
        print("\n## The lockout guard refuses\n\n");
        for l in &lockouts {
            print(&format!("- {}\n", clean(l)));
        }
        return Err(Failure::error(
            "applying it would lock out the accounts above: nothing applied (change the plan, or make the change in the console, where the guard can be overridden by typing the policy's name)",
        ));
    }
    if !confirmed(yes, plan.writes.len()) {
        return Err(Failure::error(
            "not applied: the review is above; --yes applies it (or answer yes on a terminal)",
        ));
    }
    let step_up = async |claims: String| crate::commands::step_up_headless(&client, &claims).await;
    let mut done = 0;
    for (i, w) in plan.writes.iter().enumerate() {
        let mut req = w.request().map_err(Failure::error)?;
        // A password is made now, never before: the plan holds none.
        let made = if w.generate.as_deref() == Some("password") {
            let pw = crate::secret::password(16)
                .map_err(|e| Failure::error(format!("no password could be made: {e}")))?;
            if let Some(b) = req.body.as_mut() {
                b["passwordProfile"]["password"] = Value::String(pw.clone());
            }
            Some(pw)
        } else {
            None
        };
        let note = crate::plan::journal_note(&plan, &who, w.before.as_ref());
        let journal = async |written: crate::ca::backup::Written| {
            let Some(st) = conn.store.clone() else { return };
            let mut entry = crate::cache::JournalEntry::of_write(
                &conn.profile_name,
                written.method,
                written.path,
                written.after,
                Ok(written.request_id),
            );
            entry.outcome = written.outcome;
            entry.user = Some(who.upn.clone());
            entry.claims_context = written.claims_context;
            entry.before = Some(note.clone());
            entry.incident = Some(plan.id.clone());
            if let Err(e) = crate::cache::off_thread(st, move |s| s.journal_add(&entry)).await {
                say(&format!("warning: journal: {e}"));
            }
        };
        match crate::ca::backup::write(&client, &req, &step_up, &journal).await {
            Ok(body) => {
                done += 1;
                print(&format!("{}. {}: applied\n", i + 1, w.words));
                if let Some(pw) = made {
                    print(&format!("temporary password: {pw}\n"));
                }
                if let Some(field) = &w.reveal
                    && let Some(s) = body[field.as_str()].as_str()
                {
                    print(&format!("{field}: {s}\n"));
                }
            }
            Err(e) => {
                let rest: Vec<String> = plan.writes[i + 1..]
                    .iter()
                    .map(|w| w.words.clone())
                    .collect();
                return Err(Failure::error(format!(
                    "{}. {} failed: {}; applied before it: {done}; not applied: this one{}",
                    i + 1,
                    w.words,
                    clean(&e),
                    if rest.is_empty() {
                        String::new()
                    } else {
                        format!(", {}", rest.join(", "))
                    }
                )));
            }
        }
    }
    say(&format!(
        "plan {}: {done} write(s) applied by {} (planned by {}); journaled under {}",
        plan.id,
        clean(&who.upn),
        clean(&plan.author.upn),
        plan.id
    ));
    Ok(())
}

//! `ca copy POLICY --from-profile A --to-profile B [--skip-missing] [--yes | --plan FILE]`: a
//! Conditional Access policy copied from one tenant to another, names remapped
//! (`ca::copy`), the review printed, created report-only with step-up where the target asks,
//! journaled in the target's cache; or saved as a plan for the target.

use crate::Failure;
use crate::cli::Cli;
use crate::config::Paths;
use crate::connect::connect;
use crate::sanitize::{clean, say};

/// The plan's approval as the command line says it.
/// (Not given: none.)
pub fn approval(a: Option<crate::cli::ApprovalArg>) -> crate::plan::Approval {
    match a {
        Some(crate::cli::ApprovalArg::Required) => crate::plan::Approval::Required,
        Some(crate::cli::ApprovalArg::None) | None => crate::plan::Approval::None,
    }
}

/// What `ca copy` was asked.
pub struct Asked<'a> {
    pub policy: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub skip_missing: bool,
    pub yes: bool,
    pub plan: Option<(&'a std::path::Path, crate::plan::Approval)>,
}

pub async fn copy(cli: &Cli, paths: Option<&Paths>, a: Asked<'_>) -> Result<(), Failure> {
    let with = |profile: &str| {
        let mut c = cli.clone();
        c.global.profile = Some(profile.to_string());
        c.global.demo = false;
        c.global.cache = None;
        c
    };
    let (src_cli, dst_cli) = (with(a.from), with(a.to));
    let source = connect(&src_cli, paths).await?;
    let target = connect(&dst_cli, paths).await?;
    if source.offline || target.offline {
        return Err(Failure::error(
            "ca copy reads both tenants: not with --offline",
        ));
    }
    if target.read_only && a.plan.is_none() {
        return Err(Failure::error(format!(
            "profile {} is read-only: nothing is created (--plan saves it for later)",
            a.to
        )));
    }
    let p = crate::ca::copy::prepare(&source.client.reads_only(), &target.client, a.policy)
        .await
        .map_err(Failure::error)?;
    println!(
        "copy \"{}\" from {} ({}) to {} ({}), report-only:",
        clean(&p.name),
        a.from,
        clean(&source.tenant_label),
        a.to,
        clean(&target.tenant_label)
    );
    for l in &p.lines {
        println!("  {}", clean(l));
    }
    for m in &p.missing {
        println!("  missing: {}", clean(m));
    }
    if !p.missing.is_empty() && !a.skip_missing {
        return Err(Failure::error(format!(
            "{} object(s) the policy names are not in the target: nothing copied (--skip-missing leaves them out of the copy)",
            p.missing.len()
        )));
    }
    if let Some(why) = crate::ca::copy::left_out_refusal(&p.body) {
        return Err(Failure::error(format!("{why}: nothing copied")));
    }
    let req = crate::ca::copy::create(&p);
    if let Some((file, approval)) = a.plan {
        let author = crate::plan::author(&target.client)
            .await
            .map_err(Failure::error)?;
        let words = format!(
            "Create \"{}\" (report-only), copied from {}",
            clean(&p.name),
            a.from
        );
        let plan = crate::plan::Plan::new(
            &words,
            &target.tenant_label,
            &target.profile_name,
            author,
            approval,
            vec![crate::plan::Write::of(&words, &req, None, None)],
        );
        plan.save(file).map_err(Failure::error)?;
        say(&format!(
            "plan {} saved to {}: nothing created; apply with: entra-console --profile {} plan apply {}",
            plan.id,
            file.display(),
            a.to,
            file.display()
        ));
        return Ok(());
    }
    if !a.yes {
        return Err(Failure::error(
            "not created: the review is above; --yes creates it (report-only), --plan FILE saves it",
        ));
    }
    let client = target.client.clone();
    let step_up = async |claims: String| crate::commands::step_up_headless(&client, &claims).await;
    let journal =
        async |w: crate::ca::backup::Written| crate::commands::journal_headless(&target, w).await;
    let created = crate::ca::backup::write(&client, &req, &step_up, &journal)
        .await
        .map_err(|e| Failure::error(format!("not created: {e}")))?;
    say(&format!(
        "created \"{}\" in {} as report-only (id {})",
        clean(&p.name),
        a.to,
        created["id"].as_str().unwrap_or_default()
    ));
    Ok(())
}

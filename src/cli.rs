//! The command line (design §2 contract): global flags, demo-tenant options and subcommands.

use crate::config::Cloud;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The version and the commit it was built from (`build.rs`; "unknown" outside git).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("ENTRA_CONSOLE_COMMIT"),
    ")"
);

/// The names `export` takes.
pub fn export_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = crate::blades::BladeKind::ALL
        .iter()
        .map(|b| b.command())
        .collect();
    names.push("role-assignments");
    names.push("whocan");
    names.push("group-members");
    names.push("incident");
    names
}

/// The clap command with what derive cannot know at compile time (the blade names in
/// `export --help`); completions and the man page come from this one definition.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    Cli::command().mut_subcommand("export", |c| {
        c.after_help(format!(
            "BLADE is one of: {} (or another name : knows for a blade, e.g. licensing, deleted, lic-errors)",
            export_names().join(", ")
        ))
    })
}

impl Cli {
    /// Parse the process arguments (exits with usage on error, like `Parser::parse`).
    pub fn parse_args() -> Cli {
        use clap::FromArgMatches;
        let m = command().get_matches();
        Cli::from_arg_matches(&m).unwrap_or_else(|e| e.exit())
    }
}

#[derive(Debug, Clone, Parser)]
#[command(
    name = "entra-console",
    version = VERSION,
    about = "A keyboard-driven terminal console for Microsoft Entra ID"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(flatten)]
    pub demo: DemoArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Flags accepted before or after any subcommand.
#[derive(Debug, Args, Clone)]
pub struct Global {
    /// Use the in-process demo tenant (no sign-in needed)
    #[arg(long, global = true)]
    pub demo: bool,
    /// Profile name from config.toml
    #[arg(long, global = true, env = "ENTRA_CONSOLE_PROFILE")]
    pub profile: Option<String>,
    /// Refuse every write before it is sent
    #[arg(long, global = true)]
    pub read_only: bool,
    /// Never open a socket; work from the cache
    #[arg(long, global = true)]
    pub offline: bool,
    /// Cache database file
    #[arg(long, global = true, value_name = "FILE")]
    pub cache: Option<PathBuf>,
    /// Waivers and annotations for the audit and the Findings blade (TOML: [[waiver]] and
    /// [[annotation]] tables); the profile's `waivers` otherwise
    #[arg(long, global = true, value_name = "FILE")]
    pub waivers: Option<PathBuf>,
    /// Theme name (built-in or from the config dir's themes/)
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,
    /// Config file (its folder is used as the config dir)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Graph base URL; requests go to URL/v1.0/... and URL/beta/...
    #[arg(
        long,
        global = true,
        env = "ENTRA_CONSOLE_GRAPH_URL",
        value_name = "URL"
    )]
    pub graph_url: Option<String>,
    /// Identity authority URL
    #[arg(
        long,
        global = true,
        env = "ENTRA_CONSOLE_AUTHORITY_URL",
        value_name = "URL"
    )]
    pub authority_url: Option<String>,
    /// National cloud (sets both URLs)
    #[arg(long, global = true, value_enum)]
    pub cloud: Option<Cloud>,
}

/// Demo-tenant options (for `demo-server`, and with `--demo`).
#[derive(Debug, Args, Clone, Default)]
pub struct DemoArgs {
    /// Total users in the demo tenant (fixtures plus generated ones)
    #[arg(long, global = true, value_name = "N")]
    pub users: Option<usize>,
    /// Total groups in the demo tenant
    #[arg(long, global = true, value_name = "N")]
    pub groups: Option<usize>,
    /// Delay added to every demo response
    #[arg(long, global = true, value_name = "N")]
    pub latency_ms: Option<u64>,
    /// Seed for generated objects and injected faults
    #[arg(long, global = true, value_name = "S")]
    pub seed: Option<u64>,
    /// Throttle like Graph: resource-unit bucket, 1 request/s for Conditional Access
    #[arg(long, global = true)]
    pub throttle: bool,
    /// Share of requests that fail with a 503, a dropped connection or a truncated body (0-1)
    #[arg(long, global = true, value_name = "F", value_parser = parse_rate)]
    pub fault_rate: Option<f64>,
    /// Share of writes carried out and then answered with a bare 503, as a gateway that loses
    /// the answer (0-1): the console must not send them twice
    #[arg(long, global = true, value_name = "F", value_parser = parse_rate)]
    pub fault_after_rate: Option<f64>,
    /// Step-up on the demo tenant: pass grants the context, block fails with AADSTS53003, loop never satisfies it
    #[cfg(feature = "demo")]
    #[arg(long, global = true, value_enum, value_name = "MODE")]
    pub step_up: Option<StepUpMode>,
    /// A demo tenant without Entra ID P2: Identity Protection answers 403
    #[arg(long, global = true)]
    pub no_p2: bool,
}

/// What the demo identity endpoint does with a step-up (claims) request.
#[cfg(feature = "demo")]
pub use crate::demo::identity::StepUpMode;

fn parse_rate(s: &str) -> Result<f64, String> {
    let f: f64 = s.parse().map_err(|_| format!("\"{s}\" is not a number"))?;
    if (0.0..=1.0).contains(&f) {
        Ok(f)
    } else {
        Err("must be between 0 and 1".into())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
    Md,
}

pub use crate::config::LoginMethod;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum XrayFormat {
    Md,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    Md,
    Json,
    Csv,
    Sarif,
}

/// A framework the audit's rules map to (`audit --framework`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Framework {
    /// CISA SCuBA M365 Entra ID baseline (MS.AAD.*)
    Scuba,
    /// Entra ID Security Config Analyzer, as Maester ships it
    Eidsca,
    /// CIS Microsoft 365 Foundations Benchmark
    Cis,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Severity {
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, Subcommand)]
pub enum SnapshotCommand {
    /// Copy the cache to FILE for a reviewer (no secrets); --package seals it with a manifest
    Export {
        file: PathBuf,
        /// A sealed review package: the snapshot with a manifest (tenant, time, who took it,
        /// the console version, which reads are complete, a SHA-256 of each part)
        #[arg(long)]
        package: bool,
    },
    /// Check a review package byte by byte (exit 1 naming what changed)
    Verify { file: PathBuf },
    /// Open a snapshot FILE
    Import { file: PathBuf },
}

#[derive(Debug, Clone, Subcommand)]
pub enum GroupsCommand {
    /// Add members from a CSV in the admin center's bulk-import layout (an optional
    /// version:v1.0 line, a header, one object id or UPN a row); the report lists every row
    AddMembers {
        /// The group: its id or its display name
        group: String,
        file: PathBuf,
        /// Print the same report and exit code without sending anything
        #[arg(long)]
        dry_run: bool,
        /// Save the writes as a plan FILE instead of sending them (`plan apply FILE` later)
        #[arg(long, value_name = "FILE", conflicts_with = "dry_run")]
        plan: Option<PathBuf>,
        /// With --plan: who may apply it (required: someone other than you)
        #[arg(long, value_enum, requires = "plan")]
        approval: Option<ApprovalArg>,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum CaCommand {
    /// Write every CA policy and named location to DIR (one JSON file each, sorted keys)
    Backup { dir: PathBuf },
    /// Recreate from DIR what the tenant lacks: named locations first, ids remapped in policies
    Restore { dir: PathBuf },
    /// Copy a policy (id or display name) from one profile's tenant to another's: users,
    /// groups, named locations, contexts and custom strengths found by name, the remapping
    /// said, created report-only only with --yes (or saved with --plan)
    Copy {
        policy: String,
        #[arg(long, value_name = "PROFILE")]
        from_profile: String,
        #[arg(long, value_name = "PROFILE")]
        to_profile: String,
        /// Leave out of the copy the objects the target lacks (else nothing is copied)
        #[arg(long)]
        skip_missing: bool,
        /// Create it (report-only) after the review
        #[arg(long)]
        yes: bool,
        /// Save the create as a plan for the target instead
        #[arg(long, value_name = "FILE", conflicts_with = "yes")]
        plan: Option<PathBuf>,
        /// With --plan: who may apply it
        #[arg(long, value_enum, requires = "plan")]
        approval: Option<ApprovalArg>,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum PlanCommand {
    /// Print a saved plan for a person (Markdown): author, times, approval, each write
    Show { file: PathBuf },
    /// Re-read every object the plan changes, refuse it when one changed since (named), when
    /// it expired, or when its author applies a plan that needs approval; then apply it in
    /// order (only with --yes, or yes typed on a terminal; else exit 1)
    Apply {
        file: PathBuf,
        /// Apply without asking (the review is still printed)
        #[arg(long)]
        yes: bool,
    },
}

/// Who applies a plan: someone other than its author (`required`) or anyone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApprovalArg {
    Required,
    None,
}

#[derive(Debug, Clone, Subcommand)]
pub enum PimCommand {
    /// Write every directory role's PIM policy to DIR (one JSON file per role, sorted keys)
    Backup { dir: PathBuf },
    /// Re-apply the roles' PIM settings from DIR: the rules that differ, said first; only
    /// sent with --yes (without it nothing is sent and the exit code is 1)
    Restore {
        dir: PathBuf,
        /// Send the changes the review lists
        #[arg(long)]
        yes: bool,
    },
    /// Bring the roles a TOML baseline names to its rule values: the changes said first;
    /// only sent with --yes (without it nothing is sent and the exit code is 1)
    Harden {
        /// The baseline: `name`, `roles` (names, ids or "privileged") and [[rule]] tables
        #[arg(long)]
        baseline: PathBuf,
        /// Send the changes the review lists
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Sign in and store the refresh token for the profile (device code by default)
    Login {
        #[arg(long, value_enum)]
        method: Option<LoginMethod>,
        #[arg(long)]
        tenant: Option<String>,
        #[arg(long)]
        client_id: Option<String>,
    },
    /// Delete the profile's stored tokens
    Logout,
    /// Fill the cache headlessly (all blades, or the ones named); progress on stderr
    Sync {
        blades: Vec<String>,
        /// Start every named collection afresh (no resume or delta link); a damaged cache is
        /// moved aside and rebuilt
        #[arg(long)]
        full: bool,
    },
    /// Write a blade's objects to stdout
    Export {
        blade: String,
        /// For `whocan`: the permission (e.g. conditionalAccessPolicies/create); for
        /// `sign-ins`: the user (UPN or object id)
        permission: Option<String>,
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// Offline: write a collection whose sync did not finish as it is (stderr says how
        /// much is missing) instead of refusing it
        #[arg(long)]
        partial: bool,
    },
    /// Contain a user headlessly: the steps asked for, in this order, each journaled under
    /// one incident id (`export incident ID`); a new password or pass is printed once on
    /// stdout and kept nowhere. Exit 0 only when every asked step succeeded
    Contain {
        /// The user: a UPN or an object id
        user: String,
        /// Confirm the user compromised (Identity Protection: their user risk becomes high and
        /// risk-based Conditional Access acts)
        #[arg(long)]
        confirm_compromised: bool,
        /// Revoke the sign-in sessions (refresh tokens and session cookies)
        #[arg(long)]
        revoke: bool,
        /// Block sign-in (accountEnabled false); refused for a break-glass account or yourself
        #[arg(long)]
        disable: bool,
        /// Set a generated temporary password, to be changed at the next sign-in
        #[arg(long)]
        reset_password: bool,
        /// Create a one-time Temporary Access Pass valid 60 minutes
        #[arg(long)]
        tap: bool,
        /// Print the plan and send nothing
        #[arg(long)]
        dry_run: bool,
        /// Save the steps as a plan FILE instead of sending them (`plan apply FILE` later; a
        /// password is made when applied, never written in the plan)
        #[arg(long, value_name = "FILE", conflicts_with = "dry_run")]
        plan: Option<PathBuf>,
        /// With --plan: who may apply it (required: someone other than you)
        #[arg(long, value_enum, requires = "plan")]
        approval: Option<ApprovalArg>,
    },
    /// What one user can do and what stands in the way: groups (with the nesting path), roles,
    /// the Conditional Access policies that take them in, the protected actions they can use
    Xray {
        /// The user: a UPN or an object id
        user: String,
        #[arg(long, value_enum, default_value = "md")]
        format: XrayFormat,
    },
    /// Judge the tenant against the findings rules (SCuBA MS.AAD and the console's own): a report
    /// on stdout, exit 3 when a finding reaches --fail-on
    Audit {
        #[arg(long, value_enum, default_value = "md")]
        format: AuditFormat,
        #[arg(long, value_enum)]
        fail_on: Option<Severity>,
        /// Only the rules that map to this framework (each rule lists its SCuBA, EIDSCA and
        /// CIS ids); the run kept in the cache still holds every rule
        #[arg(long, value_enum)]
        framework: Option<Framework>,
        /// An earlier `audit --format json` report: each finding is marked new, open or fixed,
        /// and the CA policies, role assignments and contexts that changed are listed
        #[arg(long, value_name = "FILE")]
        baseline: Option<std::path::PathBuf>,
        /// Audit every profile of config.toml: one report per tenant in --out, a summary on stdout
        #[arg(long, conflicts_with = "baseline")]
        all_profiles: bool,
        /// Where --all-profiles writes the reports (audit-PROFILE.EXT)
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: std::path::PathBuf,
        /// Print each rule's transitions over the runs kept in the cache (new, fixed,
        /// regressed, still failing since …) instead of the report (md or json)
        #[arg(long, conflicts_with = "all_profiles")]
        history: bool,
    },
    /// Cache snapshots for reviewers: export (no secrets) or import a cache file
    Snapshot {
        #[command(subcommand)]
        command: SnapshotCommand,
    },
    /// Group writes from the command line
    Groups {
        #[command(subcommand)]
        command: GroupsCommand,
    },
    /// Conditional Access backup and restore
    Ca {
        #[command(subcommand)]
        command: CaCommand,
    },
    /// PIM settings of directory roles: backup, restore, harden to a baseline
    Pim {
        #[command(subcommand)]
        command: PimCommand,
    },
    /// Put back the accounts whose time-boxed exclusions (x … in N days) are due: only while
    /// the policy's exclusions are what the exception wrote; exit 1 when one needs review
    RevertDue {
        /// Say what would be reverted and send nothing
        #[arg(long)]
        dry_run: bool,
        /// The time to judge "due" at (RFC 3339; for tests)
        #[arg(long, hide = true)]
        now: Option<String>,
    },
    /// Saved change plans: show one, or apply one (four eyes, expiry, review of what changed)
    Plan {
        #[command(subcommand)]
        command: PlanCommand,
    },
    /// Print shell completions to stdout
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout: `entra-console man > entra-console.1`
    Man,
    /// Serve the demo tenant until killed; prints "listening on http://ADDR" first
    DemoServer {
        #[arg(long, default_value = "127.0.0.1:0")]
        addr: std::net::SocketAddr,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_flags_work_after_the_subcommand() {
        let c = Cli::try_parse_from([
            "entra-console",
            "export",
            "groups",
            "--format",
            "csv",
            "--demo",
            "--read-only",
        ])
        .unwrap();
        assert!(c.global.demo && c.global.read_only);
        assert!(matches!(
            c.command,
            Some(Command::Export {
                format: ExportFormat::Csv,
                ..
            })
        ));
    }

    #[test]
    fn demo_server_options_parse() {
        let c = Cli::try_parse_from([
            "entra-console",
            "demo-server",
            "--users",
            "500",
            "--latency-ms",
            "20",
            "--seed",
            "3",
            "--throttle",
            "--fault-rate",
            "0.05",
        ])
        .unwrap();
        assert!(c.demo.throttle);
        assert_eq!(c.demo.fault_rate, Some(0.05));
        assert!(
            Cli::try_parse_from(["entra-console", "demo-server", "--fault-rate", "2"]).is_err()
        );
        assert_eq!(c.demo.users, Some(500));
        assert_eq!(c.demo.latency_ms, Some(20));
        assert!(matches!(c.command, Some(Command::DemoServer { .. })));
    }
}

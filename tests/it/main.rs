//! The integration tests, one binary (linked once): the demo tenant over HTTP, the Graph
//! client's resilience, sign-in and step-up, the cache, the command line, rendered screens
//! (insta snapshots) and the real binary in a pseudo-terminal.

// Tests and benchmarks may unwrap: a failure here is a failed test, not a crash on data.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod approvals;
mod audit;
mod auth;
mod boundaries;
mod bulk_import;
mod ca;
mod ca_copy;
mod cache;
mod cache_safety;
mod cancel;
mod circles;
mod cli;
mod common;
mod contain;
mod contain_pty;
mod coverage;
mod decoders_prop;
mod deleted_items;
mod demo_graph;
mod devices;
mod exceptions;
mod group_writes;
mod hostile;
mod licence_assign;
mod licensing;
mod membership_delta;
mod package;
mod pim;
mod pim_backup;
mod pim_groups;
mod pim_pty;
mod pim_settings;
mod plans;
mod protection;
mod pty;
mod read_only;
mod report_only;
mod resilience;
mod risky_users;
mod roles;
mod screens;
mod sign_ins;
mod soak;
mod soak_tui;
mod step_up;
mod whatif_offline;
mod xray;

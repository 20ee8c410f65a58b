//! The findings engine: rules with stable ids (CISA SCuBA `MS.AAD.*` where one matches, `EC.*`
//! for this console's own), each judged on what one read-only pass over the tenant returned.
//! A rule whose data could not be read says "not evaluable: <why>"; the audit always
//! completes. One file per rule family.

pub mod ca;
pub mod cached;
pub mod console;
pub mod coverage;
pub mod drift;
pub mod eidsca;
pub mod history;
pub mod licences;
pub mod methods;
mod model;
pub mod overlap;
pub mod pim;
pub mod report;
pub mod roles;
pub mod settings;
pub mod waivers;

pub use model::*;

/// Every rule, in report order.
pub fn run(i: &Inputs) -> Vec<Finding> {
    let mut out = Vec::new();
    out.extend(ca::run(i));
    out.extend(roles::run(i));
    out.extend(console::run(i));
    out.extend(licences::run(i));
    out.extend(methods::run(i));
    out.extend(settings::run(i));
    out.extend(pim::run(i));
    out.extend(coverage::run(i));
    out.extend(overlap::run(i));
    out.extend(eidsca::run(i));
    // SCuBA's order (3.1 … 3.9, 5.1 …), then this console's own.
    out.sort_by_key(|f| order(f.rule.id));
    out
}

/// A rule id as numbers: `MS.AAD.3.10` after `MS.AAD.3.9`, `EC.*` after every SCuBA id.
fn order(id: &str) -> (bool, Vec<u32>) {
    let nums = id.split('.').filter_map(|p| p.parse().ok()).collect();
    (id.starts_with("EC."), nums)
}

#[cfg(test)]
mod tests;

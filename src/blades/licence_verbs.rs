//! A user's licence verbs, on Licence errors rows and a user's page: `L` sets the usage
//! location licences need (checked against ISO 3166-1), `p` reprocesses the user's group
//! licence assignments.

use super::common::text;
use super::def::{Prompt, Step, Then, Verb};
use super::verb::{Confirm, Scope, one};
use crate::sanitize::clean;
use serde_json::Value;

/// `L`: type the usage location licences need (two letters), for the selected user or the
/// page's.
fn usage_location(s: &Scope) -> Vec<Step> {
    let Some(user) = one(s) else {
        return Vec::new();
    };
    vec![Step::Prompt(Prompt {
        title: format!(
            "Usage location of {} (two letters, e.g. US, GB, DE)",
            clean(&text(&user, "displayName"))
        ),
        input: text(&user, "usageLocation"),
        then: Then {
            with: user,
            run: usage_location_typed,
        },
        secret: false,
        optional: false,
    })]
}

/// The code typed: checked against ISO 3166-1, then the confirm naming the country.
fn usage_location_typed(typed: &str, user: &Value) -> Result<Vec<Step>, String> {
    let (code, country) = crate::licensing::location::check(typed)?;
    let id = text(user, "id");
    let request = crate::graph::endpoints::set_usage_location(&id, &code);
    let title = format!(
        "Set the usage location of {} to {code} ({country})",
        clean(&text(user, "displayName"))
    );
    Ok(vec![Confirm::one(title, &id, request, None).into()])
}

/// `p`: reprocess the user's group licence assignments.
fn reprocess(s: &Scope) -> Vec<Step> {
    let Some(user) = one(s) else {
        return Vec::new();
    };
    let id = text(&user, "id");
    let title = format!(
        "Reprocess the licence assignments of {}",
        clean(&text(&user, "displayName"))
    );
    let request = crate::graph::endpoints::reprocess_licences(&id);
    vec![Confirm::one(title, &id, request, None).into()]
}

/// `L` on this list and on a user's page.
pub const USAGE_LOCATION: Verb = Verb {
    name: "usage-location",
    keys: &["L"],
    label: "usage location",
    help: "Set the selected user's usage location (licences need one)",
    writes: true,
    run: usage_location,
};

/// `p` on this list and on a user's page.
pub const REPROCESS: Verb = Verb {
    name: "reprocess",
    keys: &["p"],
    label: "reprocess",
    help: "Reprocess the selected user's group licence assignments",
    writes: true,
    run: reprocess,
};

//! Licence facts: friendly product and service plan names (Microsoft's published list, in
//! `assets/sku-names.tsv`) and a subscribed SKU's units (available, over-consumed, nearly out).

mod catalog;
pub mod facts;
pub mod location;

pub use catalog::{Supply, Units, plan_name, product_name};
pub use facts::LicenceFacts;

/// A licence assignment error in words: what is wrong, and what fixes it. `product` names the
/// SKU; `usage_location` is the user's (licences need one, and some services are not offered
/// everywhere). The codes are Graph's `licenseAssignmentState.error` values; `None` (or null)
/// is no error and gives `None`.
pub fn explain(
    error: &str,
    product: &str,
    usage_location: Option<&str>,
) -> Option<(String, &'static str)> {
    Some(match error {
        "" | "None" => return None,
        "CountViolation" => (
            format!("not enough {product} licences: every one is assigned"),
            "buy more, or remove the licence from users who do not need it",
        ),
        "MutuallyExclusiveViolation" => (
            format!("a plan in {product} cannot be combined with a plan the user already has"),
            "remove one of the two licences, or disable one of the two plans",
        ),
        "DependencyViolation" => (
            format!("a plan in {product} needs another plan the user does not have"),
            "assign a licence with the required plan, or enable that plan",
        ),
        "ProhibitedInUsageLocationViolation" => match usage_location.filter(|l| !l.is_empty()) {
            None => (
                "the user has no usage location, and licences need one".to_string(),
                "set the usage location (L), then reprocess (p)",
            ),
            Some(loc) => (
                format!("a service in {product} is not offered in the usage location {loc}"),
                "change the usage location, or disable the plan, then reprocess (p)",
            ),
        },
        "UniquenessViolation" => (
            "a proxy address of the user is already used by another object".to_string(),
            "find the object with the same proxy address and change one of them",
        ),
        "Other" => (
            "Graph reports Other: no detail is given".to_string(),
            "look at the group's processing state, then reprocess (p)",
        ),
        other => (
            format!("Graph reports {other}"),
            "reprocess (p); if it stays, see the group's processing state",
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_come_from_the_published_list() {
        assert_eq!(
            product_name("06ebc4ee-1bb5-47dd-8120-11324bc54e06", ""),
            Some("Microsoft 365 E5")
        );
        assert_eq!(
            product_name("", "aad_premium_p2"),
            Some("Microsoft Entra ID P2")
        );
        assert_eq!(product_name("", "NOT_A_SKU"), None);
        assert_eq!(
            plan_name("EEC0EB4F-6444-4F95-ABA0-50C24D67F998"),
            Some("Microsoft Entra ID P2")
        );
    }

    #[test]
    fn every_documented_error_is_explained() {
        for code in [
            "CountViolation",
            "MutuallyExclusiveViolation",
            "DependencyViolation",
            "ProhibitedInUsageLocationViolation",
            "UniquenessViolation",
            "Other",
        ] {
            let (what, fix) = explain(code, "Microsoft 365 E5", None).unwrap();
            assert!(!what.is_empty() && !fix.is_empty(), "{code}");
        }
        assert!(explain("None", "x", None).is_none() && explain("", "x", None).is_none());
        let (what, _) = explain("ProhibitedInUsageLocationViolation", "E5", Some("KP")).unwrap();
        assert!(what.contains("KP"), "{what}");
    }

    #[test]
    fn supply_from_units() {
        let sku = |enabled: i64, consumed: i64| json!({"prepaidUnits": {"enabled": enabled}, "consumedUnits": consumed});
        assert_eq!(Units::of(&sku(25, 23)).supply(), Supply::NearlyOut);
        assert_eq!(Units::of(&sku(1000, 960)).supply(), Supply::NearlyOut);
        assert_eq!(Units::of(&sku(1000, 900)).supply(), Supply::Enough);
        assert_eq!(Units::of(&sku(10, 13)).supply(), Supply::OverConsumed);
        assert_eq!(Units::of(&sku(10, 13)).available(), -3);
        // A SKU with no enabled and none assigned is not "nearly out"; missing fields are 0.
        assert_eq!(Units::of(&json!({})).supply(), Supply::Enough);
    }
}

//! Licence facts: friendly product and service plan names (Microsoft's published list, in
//! `assets/sku-names.tsv`) and a subscribed SKU's units (available, over-consumed, nearly out).

pub mod export;
pub mod facts;
pub mod location;

pub use facts::LicenceFacts;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::OnceLock;

const NAMES: &str = include_str!("../../assets/sku-names.tsv");

struct Names {
    /// skuId or skuPartNumber (upper case) -> product name.
    products: HashMap<String, String>,
    /// servicePlanId -> friendly name.
    plans: HashMap<String, String>,
}

fn names() -> &'static Names {
    static N: OnceLock<Names> = OnceLock::new();
    N.get_or_init(|| {
        let mut n = Names {
            products: HashMap::new(),
            plans: HashMap::new(),
        };
        for line in NAMES.lines().filter(|l| !l.starts_with('#')) {
            let f: Vec<&str> = line.split('\t').collect();
            match f.as_slice() {
                ["S", id, part, product] => {
                    n.products
                        .insert(id.to_ascii_lowercase(), product.to_string());
                    n.products
                        .insert(part.to_ascii_uppercase(), product.to_string());
                }
                ["P", id, _, friendly] => {
                    n.plans
                        .insert(id.to_ascii_lowercase(), friendly.to_string());
                }
                _ => {}
            }
        }
        n
    })
}

/// The product name of a SKU, by its id or part number ("Microsoft 365 E5"), if published.
pub fn product_name(sku_id: &str, part_number: &str) -> Option<&'static str> {
    let n = names();
    n.products
        .get(&sku_id.to_ascii_lowercase())
        .or_else(|| n.products.get(&part_number.to_ascii_uppercase()))
        .map(String::as_str)
}

/// The friendly name of a service plan by its id, if published.
pub fn plan_name(plan_id: &str) -> Option<&'static str> {
    names()
        .plans
        .get(&plan_id.to_ascii_lowercase())
        .map(String::as_str)
}

/// A subscribed SKU's units, read from its `prepaidUnits` and `consumedUnits`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Units {
    pub enabled: i64,
    pub warning: i64,
    pub suspended: i64,
    pub locked_out: i64,
    pub consumed: i64,
}

/// How close a SKU is to running out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Supply {
    Enough,
    /// Fewer than 5 seats, or under 5% of the enabled ones, are left.
    NearlyOut,
    /// More are assigned than enabled (the rest are in warning, suspended, or simply short).
    OverConsumed,
}

impl Units {
    pub fn of(sku: &Value) -> Units {
        let n = |v: &Value| v.as_i64().unwrap_or(0);
        let p = &sku["prepaidUnits"];
        Units {
            enabled: n(&p["enabled"]),
            warning: n(&p["warning"]),
            suspended: n(&p["suspended"]),
            locked_out: n(&p["lockedOut"]),
            consumed: n(&sku["consumedUnits"]),
        }
    }

    /// Enabled seats not assigned (negative when over-consumed).
    pub fn available(self) -> i64 {
        self.enabled - self.consumed
    }

    pub fn supply(self) -> Supply {
        let left = self.available();
        if left < 0 {
            Supply::OverConsumed
        } else if self.enabled > 0 && (left < 5 || left * 20 < self.enabled) {
            Supply::NearlyOut
        } else {
            Supply::Enough
        }
    }
}

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

//! The published catalogue of licence names (`assets/sku-names.tsv`) and a subscribed SKU's
//! units, apart from the facts that use them.

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

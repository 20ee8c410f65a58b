//! The tenant's licence facts read together: subscribed SKUs and the groups that assign
//! licences (with their processing state), so an error row can say how many licences are
//! short and which group it comes from, and a licence can be picked by its product name.

use super::catalog::{Units, product_name};
use crate::graph::{GraphClient, Request};
use serde_json::Value;

/// Subscribed SKUs and licensed groups; a part that could not be read is named in `missing`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LicenceFacts {
    pub skus: Vec<Value>,
    pub groups: Vec<Value>,
    /// "subscribed SKUs: <why>" / "licensed groups: <why>".
    pub missing: Vec<String>,
}

/// `GET /subscribedSkus` (only `$select` is supported, graph-api.md §6).
pub fn skus_request() -> Request {
    Request::get("/subscribedSkus").select(&[
        "id",
        "skuId",
        "skuPartNumber",
        "capabilityStatus",
        "consumedUnits",
        "prepaidUnits",
        "servicePlans",
        "appliesTo",
    ])
}

/// The groups that assign licences (group-list.md documents `$filter=assignedLicenses/any()`
/// on v1.0), with their licence processing state.
pub fn licensed_groups_request() -> Request {
    Request::get("/groups")
        .filter("assignedLicenses/any()")
        .select(&[
            "id",
            "displayName",
            "assignedLicenses",
            "licenseProcessingState",
            "groupTypes",
            "securityEnabled",
            "mailEnabled",
        ])
        .top(999)
}

impl LicenceFacts {
    /// Read both parts; one failing leaves the other readable and is named.
    pub async fn load(client: &GraphClient) -> LicenceFacts {
        let mut f = LicenceFacts::default();
        match client.get_all(skus_request()).await {
            Ok(s) => f.skus = s,
            Err(e) => f.missing.push(format!("subscribed SKUs: {e}")),
        }
        match client.get_all(licensed_groups_request()).await {
            Ok(g) => f.groups = g,
            Err(e) => f.missing.push(format!("licensed groups: {e}")),
        }
        f
    }

    /// The subscribed SKU with this id.
    pub fn sku(&self, sku_id: &str) -> Option<&Value> {
        self.skus.iter().find(|s| {
            s["skuId"]
                .as_str()
                .is_some_and(|i| i.eq_ignore_ascii_case(sku_id))
        })
    }

    /// A SKU's product name ("Microsoft 365 E5"), else its part number, else the id.
    pub fn product(&self, sku_id: &str) -> String {
        let part = self
            .sku(sku_id)
            .and_then(|s| s["skuPartNumber"].as_str())
            .unwrap_or_default();
        product_name(sku_id, part)
            .map(str::to_string)
            .or_else(|| (!part.is_empty()).then(|| part.to_string()))
            .unwrap_or_else(|| sku_id.to_string())
    }

    /// Enabled seats of a SKU not assigned (negative: that many short), when it was read.
    pub fn left(&self, sku_id: &str) -> Option<i64> {
        Some(Units::of(self.sku(sku_id)?).available())
    }

    /// How many licences of a SKU are missing (assigned beyond the enabled ones), when the SKU
    /// was read and is short.
    pub fn short_by(&self, sku_id: &str) -> Option<i64> {
        self.left(sku_id).filter(|n| *n < 0).map(|n| -n)
    }

    /// The name of a licensed group by id.
    pub fn group_name(&self, id: &str) -> Option<&str> {
        self.groups
            .iter()
            .find(|g| g["id"].as_str().is_some_and(|i| i.eq_ignore_ascii_case(id)))
            .and_then(|g| g["displayName"].as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shortage_and_names() {
        let f = LicenceFacts {
            skus: vec![
                json!({"skuId": "S1", "skuPartNumber": "SPE_E5",
                "prepaidUnits": {"enabled": 10}, "consumedUnits": 13}),
                json!({"skuId": "S2", "skuPartNumber": "ODD", "prepaidUnits": {"enabled": 10}, "consumedUnits": 3}),
            ],
            groups: vec![json!({"id": "g1", "displayName": "Sales"})],
            missing: Vec::new(),
        };
        assert_eq!(f.short_by("s1"), Some(3));
        assert_eq!(f.short_by("S2"), None);
        assert_eq!(f.short_by("nope"), None);
        assert_eq!(f.product("S1"), "Microsoft 365 E5");
        assert_eq!(f.product("S2"), "ODD");
        assert_eq!(f.product("x"), "x");
        assert_eq!(f.group_name("G1"), Some("Sales"));
    }
}

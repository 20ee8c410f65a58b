//! Licences from a user's or a group's page (`l`): pick a subscribed SKU by product name; an
//! assigned one is removed, another is assigned with the plans chosen off (`POST
//! /{users|groups}/{id}/assignLicense`: 200 for a user, 202 for a group, whose processing then
//! shows on its page until it settles). The licence facts are read here too.

use crate::licensing::{LicenceFacts, Units, plan_name};
use serde_json::Value;

/// Whose licences the picker changes, and what they hold now.
#[derive(Clone, Debug, PartialEq)]
pub struct LicenceTarget {
    pub group: bool,
    pub id: String,
    pub name: String,
    /// The user's usage location (licences need one); always set for a group.
    pub location: Option<String>,
    /// SKU ids assigned directly (a group's own licences).
    pub direct: Vec<String>,
    /// (SKU id, group id) of a user's licences inherited from groups.
    pub inherited: Vec<(String, String)>,
    /// The SKUs offered, in the order of the options.
    pub skus: Vec<Value>,
}

impl LicenceTarget {
    /// What a user's or group's object holds (`licenseAssignmentStates` says where a user's
    /// licence comes from; without it every assigned licence counts as direct).
    pub fn of(object: &Value, group: bool) -> LicenceTarget {
        let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
        let mut t = LicenceTarget {
            group,
            id: s(&object["id"]),
            name: s(&object["displayName"]),
            location: object["usageLocation"]
                .as_str()
                .filter(|l| !l.is_empty())
                .map(str::to_string),
            direct: Vec::new(),
            inherited: Vec::new(),
            skus: Vec::new(),
        };
        match object["licenseAssignmentStates"].as_array() {
            Some(states) if !group => {
                for st in states {
                    match st["assignedByGroup"].as_str() {
                        Some(g) if !g.is_empty() => t.inherited.push((s(&st["skuId"]), g.into())),
                        _ => t.direct.push(s(&st["skuId"])),
                    }
                }
            }
            _ => {
                for l in object["assignedLicenses"].as_array().into_iter().flatten() {
                    t.direct.push(s(&l["skuId"]));
                }
            }
        }
        t
    }

    pub(crate) fn holds(&self, sku: &str) -> bool {
        self.direct.iter().any(|d| d.eq_ignore_ascii_case(sku))
    }

    /// The options of the SKU choice: product, units left, and whether it is held.
    pub(crate) fn option(&self, f: &LicenceFacts, sku: &Value) -> String {
        let id = sku["skuId"].as_str().unwrap_or_default();
        let u = Units::of(sku);
        let held = if self.holds(id) {
            " · assigned: Enter removes it"
        } else if self
            .inherited
            .iter()
            .any(|(s, _)| s.eq_ignore_ascii_case(id))
        {
            " · from a group"
        } else {
            ""
        };
        let supply = match u.available() {
            n if n < 0 => format!("{} short of {} enabled", -n, u.enabled),
            n => format!("{n} of {} left", u.enabled),
        };
        format!("{} · {supply}{held}", f.product(id))
    }
}

/// `POST /{users|groups}/{id}/assignLicense`: both arrays are always sent (graph-api.md §6).
pub fn assign_request(
    group: bool,
    id: &str,
    add: Option<(&str, &[String])>,
    remove: Option<&str>,
) -> crate::graph::Request {
    let kind = if group { "groups" } else { "users" };
    let add: Vec<Value> = add
        .map(|(sku, off)| serde_json::json!({"skuId": sku, "disabledPlans": off}))
        .into_iter()
        .collect();
    let remove: Vec<&str> = remove.into_iter().collect();
    crate::graph::Request::new(
        crate::graph::Method::Post,
        format!(
            "/{kind}/{}/assignLicense",
            crate::graph::endpoints::path_segment(id)
        ),
    )
    .json(serde_json::json!({"addLicenses": add, "removeLicenses": remove}))
}

/// A service plan's friendly name, else its own name.
pub fn plan_label(p: &Value) -> String {
    let id = p["servicePlanId"].as_str().unwrap_or_default();
    plan_name(id)
        .map(str::to_string)
        .or_else(|| p["servicePlanName"].as_str().map(str::to_string))
        .unwrap_or_else(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn target_separates_direct_and_inherited() {
        let u = json!({"id": "u", "displayName": "B", "usageLocation": "US",
            "licenseAssignmentStates": [
                {"skuId": "A", "assignedByGroup": null},
                {"skuId": "B", "assignedByGroup": "g1"}]});
        let t = LicenceTarget::of(&u, false);
        assert_eq!(t.direct, ["A"]);
        assert_eq!(t.inherited, [("B".to_string(), "g1".to_string())]);
        assert_eq!(t.location.as_deref(), Some("US"));
        let g = LicenceTarget::of(
            &json!({"id": "g", "assignedLicenses": [{"skuId": "C"}]}),
            true,
        );
        assert_eq!(g.direct, ["C"]);
    }

    #[test]
    fn assign_body_always_has_both_arrays() {
        let r = assign_request(false, "u1", Some(("S", &["P".to_string()])), None);
        assert_eq!(r.path, "/users/u1/assignLicense");
        let b = r.body.unwrap();
        assert_eq!(b["addLicenses"][0]["disabledPlans"], json!(["P"]));
        assert_eq!(b["removeLicenses"], json!([]));
        let r = assign_request(true, "g", None, Some("S"));
        assert_eq!(r.path, "/groups/g/assignLicense");
        assert_eq!(
            r.body.unwrap(),
            json!({"addLicenses": [], "removeLicenses": ["S"]})
        );
    }
}

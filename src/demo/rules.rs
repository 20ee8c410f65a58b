//! The demo tenant's own rule tables, written from the Graph and Entra docs and not shared
//! with the console (so a test where "Graph agrees" with the console can fail): which write
//! needs which protected-action permission, which paths Graph paces, how PATCH merges, and
//! string lists in JSON.

use serde_json::Value;

/// The strings of a JSON array (anything else: none).
pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The protected-action permission a write needs (Entra "protected actions": the CA policy,
/// named location, hard-delete and resource-action permissions whose context can be set).
/// `path` is below the version segment.
pub fn permission(method: &str, path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or(path).trim_end_matches('/');
    let lower = path.to_ascii_lowercase();
    let tail = |prefix: &str| {
        lower
            .strip_prefix(prefix)
            .map(|rest| rest.trim_start_matches('/'))
    };
    let method = method.to_ascii_uppercase();
    if let Some(rest) = tail("/identity/conditionalaccess/policies") {
        return match (method.as_str(), rest.is_empty()) {
            ("POST", true) => Some("microsoft.directory/conditionalAccessPolicies/create"),
            ("PATCH", false) => Some("microsoft.directory/conditionalAccessPolicies/basic/update"),
            ("DELETE", false) => Some("microsoft.directory/conditionalAccessPolicies/delete"),
            _ => None,
        };
    }
    if let Some(rest) = tail("/identity/conditionalaccess/namedlocations") {
        return match (method.as_str(), rest.is_empty()) {
            ("POST", true) => Some("microsoft.directory/namedLocations/create"),
            ("PATCH", false) => Some("microsoft.directory/namedLocations/basic/update"),
            ("DELETE", false) => Some("microsoft.directory/namedLocations/delete"),
            _ => None,
        };
    }
    if let Some(rest) = tail("/directory/deleteditems")
        && method == "DELETE"
        && !rest.is_empty()
    {
        return Some("microsoft.directory/deletedItems/delete");
    }
    if let Some(rest) =
        tail("/rolemanagement/directory/resourcenamespaces/microsoft.directory/resourceactions")
        && method == "PATCH"
        && !rest.is_empty()
    {
        return Some(
            "microsoft.directory/resourceNamespaces/resourceActions/authenticationContext/update",
        );
    }
    None
}

/// Paths Graph limits to about one request per second per tenant without `Retry-After`
/// (Conditional Access policies and named locations, Identity Protection's risky users and
/// risk detections).
pub fn paced(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    [
        "/identity/conditionalaccess/policies",
        "/identity/conditionalaccess/namedlocations",
        "/identityprotection/",
        "/riskyusers",
        "/riskdetections",
    ]
    .iter()
    .any(|x| p.contains(x))
}

/// Apply a PATCH body to an object as Graph does for these resources: a property in the body
/// replaces the stored one, a complex-typed property merges property by property, and a
/// collection is replaced whole.
pub fn merge(stored: &mut Value, body: &Value) {
    let (Some(s), Some(b)) = (stored.as_object_mut(), body.as_object()) else {
        *stored = body.clone();
        return;
    };
    for (k, v) in b {
        match (s.get_mut(k), v) {
            (Some(old), Value::Object(_)) if old.is_object() => merge(old, v),
            _ => {
                s.insert(k.clone(), v.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_map_to_their_permissions() {
        assert_eq!(
            permission("PATCH", "/identity/conditionalAccess/policies/abc"),
            Some("microsoft.directory/conditionalAccessPolicies/basic/update")
        );
        assert_eq!(
            permission("post", "/identity/conditionalAccess/namedLocations"),
            Some("microsoft.directory/namedLocations/create")
        );
        assert_eq!(
            permission("GET", "/identity/conditionalAccess/policies/abc"),
            None
        );
        assert_eq!(
            permission("POST", "/identity/conditionalAccess/policies/abc"),
            None
        );
        assert!(paced("/v1.0/identity/conditionalAccess/policies"));
        assert!(!paced("/v1.0/users"));
        let mut p = json!({"a": {"b": 1, "c": [1, 2]}, "d": 1});
        merge(&mut p, &json!({"a": {"c": [3]}, "e": null}));
        assert_eq!(p, json!({"a": {"b": 1, "c": [3]}, "d": 1, "e": null}));
    }
}

//! `export license-errors`: one record per user, SKU and error, with Graph's code in `error`,
//! the group it comes from (id and name) and the reason and fix in words; read live with the
//! licence facts (group names, shortage), or from the cache with `--offline`.

use super::LicenceFacts;
use crate::blades::license_errors::{refine, rows_of};
use serde_json::Value;

/// The columns of `export license-errors`.
pub const COLUMNS: &[&str] = &[
    "userId",
    "userPrincipalName",
    "user",
    "skuId",
    "product",
    "error",
    "state",
    "groupId",
    "group",
    "usageLocation",
    "reason",
    "fix",
];

/// The records of these users (each carrying `licenseAssignmentStates`).
pub fn records(users: Vec<Value>, facts: Option<&LicenceFacts>) -> Vec<Vec<String>> {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    users
        .into_iter()
        .flat_map(rows_of)
        .map(|row| {
            let row = match facts {
                Some(f) => refine(&row, f),
                None => row,
            };
            let o = &row.object();
            let st = &o["@licenseError"];
            let group = s(&st["assignedByGroup"]);
            let group_name = facts
                .and_then(|f| f.group_name(&group))
                .unwrap_or_default()
                .to_string();
            vec![
                s(&o["id"]),
                s(&o["userPrincipalName"]),
                row.cells[0].to_string(),
                s(&st["skuId"]),
                row.cells[1].to_string(),
                row.cells[2].to_string(),
                s(&st["state"]),
                group,
                group_name,
                s(&o["usageLocation"]),
                row.cells[4].to_string(),
                row.cells[5].to_string(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_record_per_error_with_the_group_by_id_and_name() {
        let users = vec![
            json!({"id": "u1", "userPrincipalName": "c@x", "displayName": "Chen",
            "usageLocation": "GB", "licenseAssignmentStates": [
                {"skuId": "S", "error": "CountViolation", "state": "Error", "assignedByGroup": "g1"},
                {"skuId": "T", "error": "None", "state": "Active"}]}),
        ];
        let facts = LicenceFacts {
            skus: vec![json!({"skuId": "S", "prepaidUnits": {"enabled": 1}, "consumedUnits": 3})],
            groups: vec![json!({"id": "g1", "displayName": "LIC"})],
            missing: Vec::new(),
        };
        let r = records(users.clone(), Some(&facts));
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].len(), COLUMNS.len());
        assert_eq!(
            (r[0][5].as_str(), r[0][7].as_str(), r[0][8].as_str()),
            ("CountViolation", "g1", "LIC")
        );
        assert!(r[0][10].ends_with("2 short"), "{:?}", r[0]);
        assert_eq!(records(users, None)[0][8], "");
    }
}

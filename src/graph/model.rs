//! Typed views of Graph objects. Every field is optional or defaulted and unknown fields are
//! ignored, so real Graph payloads (nulls, extra annotations) always decode.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Treat `null` like a missing field (Graph sends `null` for empty collections at times).
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A licence assigned to a user or group.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct AssignedLicense {
    pub sku_id: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub disabled_plans: Vec<String>,
}

/// `microsoft.graph.group`, the fields the console reads.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Group {
    pub id: String,
    pub display_name: Option<String>,
    pub description: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub group_types: Vec<String>,
    pub security_enabled: Option<bool>,
    pub mail_enabled: Option<bool>,
    pub mail: Option<String>,
    pub is_assignable_to_role: Option<bool>,
    pub membership_rule: Option<String>,
    pub membership_rule_processing_state: Option<String>,
    pub on_premises_sync_enabled: Option<bool>,
    pub created_date_time: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub assigned_licenses: Vec<AssignedLicense>,
    pub visibility: Option<String>,
}

/// The kinds an admin recognises a group by, shown as badges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBadge {
    Security,
    MailSecurity,
    Microsoft365,
    Distribution,
    Dynamic,
    RoleAssignable,
    Synced,
    Licensed,
}

impl GroupBadge {
    pub fn label(self) -> &'static str {
        match self {
            GroupBadge::Security => "SEC",
            GroupBadge::MailSecurity => "MAILSEC",
            GroupBadge::Microsoft365 => "M365",
            GroupBadge::Distribution => "DL",
            GroupBadge::Dynamic => "DYN",
            GroupBadge::RoleAssignable => "ROLE",
            GroupBadge::Synced => "SYNC",
            GroupBadge::Licensed => "LIC",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            GroupBadge::Security => "Security group",
            GroupBadge::MailSecurity => "Mail-enabled security group",
            GroupBadge::Microsoft365 => "Microsoft 365 group",
            GroupBadge::Distribution => "Distribution list",
            GroupBadge::Dynamic => "Dynamic membership",
            GroupBadge::RoleAssignable => "Role-assignable",
            GroupBadge::Synced => "Synced from on-premises",
            GroupBadge::Licensed => "Group-based licensing",
        }
    }
}

impl Group {
    pub fn from_value(v: &Value) -> Self {
        serde_json::from_value(v.clone()).unwrap_or_default()
    }

    pub fn is_unified(&self) -> bool {
        self.group_types
            .iter()
            .any(|t| t.eq_ignore_ascii_case("Unified"))
    }

    pub fn is_dynamic(&self) -> bool {
        self.group_types
            .iter()
            .any(|t| t.eq_ignore_ascii_case("DynamicMembership"))
    }

    /// The type badges, primary type first.
    pub fn badges(&self) -> Vec<GroupBadge> {
        let sec = self.security_enabled.unwrap_or(false);
        let mail = self.mail_enabled.unwrap_or(false);
        let mut b = Vec::new();
        if self.is_unified() {
            b.push(GroupBadge::Microsoft365);
        } else if sec && mail {
            b.push(GroupBadge::MailSecurity);
        } else if sec {
            b.push(GroupBadge::Security);
        } else if mail {
            b.push(GroupBadge::Distribution);
        }
        if self.is_dynamic() {
            b.push(GroupBadge::Dynamic);
        }
        if self.is_assignable_to_role == Some(true) {
            b.push(GroupBadge::RoleAssignable);
        }
        if self.on_premises_sync_enabled == Some(true) {
            b.push(GroupBadge::Synced);
        }
        if !self.assigned_licenses.is_empty() {
            b.push(GroupBadge::Licensed);
        }
        b
    }
}

/// `microsoft.graph.user`, the fields the console reads.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct User {
    pub id: String,
    pub display_name: Option<String>,
    pub user_principal_name: Option<String>,
    pub mail: Option<String>,
    pub user_type: Option<String>,
    pub account_enabled: Option<bool>,
    pub department: Option<String>,
    pub job_title: Option<String>,
    pub on_premises_sync_enabled: Option<bool>,
    pub created_date_time: Option<String>,
    pub usage_location: Option<String>,
}

impl User {
    pub fn from_value(v: &Value) -> Self {
        serde_json::from_value(v.clone()).unwrap_or_default()
    }
}

/// The short type name of a directory object from its `@odata.type` (`#microsoft.graph.user` -> `user`).
pub fn odata_kind(v: &Value) -> &str {
    v.get("@odata.type")
        .and_then(Value::as_str)
        .map(|t| t.trim_start_matches("#microsoft.graph."))
        .unwrap_or("directoryObject")
}

/// The strings of a JSON array (others ignored).
pub fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn group_tolerates_nulls_and_unknown_fields() {
        let g = Group::from_value(&json!({
            "id": "1", "groupTypes": null, "assignedLicenses": null, "futureField": {"x": 1},
            "@odata.etag": "W/1", "securityEnabled": true
        }));
        assert_eq!(g.id, "1");
        assert!(g.group_types.is_empty());
        assert_eq!(g.badges(), vec![GroupBadge::Security]);
    }

    #[test]
    fn badges_cover_every_kind() {
        let g = Group::from_value(&json!({
            "id": "2", "groupTypes": ["Unified", "DynamicMembership"], "securityEnabled": false,
            "mailEnabled": true, "isAssignableToRole": true, "onPremisesSyncEnabled": true,
            "assignedLicenses": [{"skuId": "x", "disabledPlans": []}]
        }));
        let labels: Vec<_> = g.badges().iter().map(|b| b.label()).collect();
        assert_eq!(labels, ["M365", "DYN", "ROLE", "SYNC", "LIC"]);
        let dl =
            Group::from_value(&json!({"id": "3", "mailEnabled": true, "securityEnabled": false}));
        assert_eq!(dl.badges(), vec![GroupBadge::Distribution]);
    }

    #[test]
    fn wrong_types_degrade_to_default() {
        let g = Group::from_value(&json!({"id": 5}));
        assert_eq!(g.id, "");
        assert_eq!(
            odata_kind(&json!({"@odata.type": "#microsoft.graph.user"})),
            "user"
        );
    }
}

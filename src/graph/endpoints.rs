//! The Graph requests the console makes, in one place below the UI: paths, `$select` lists and
//! request builders for users, groups, Conditional Access policies and authentication
//! strengths (the blades, the cache's sync and the domain logic all build them from here).

use super::Request;

/// Escape an id for a URL path segment (ids are GUIDs, UPNs may hold `#` or `'`).
pub fn path_segment(id: &str) -> String {
    id.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._@".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// User properties a list needs (`$select` keeps pages small and costs fewer resource units).
pub const USER_LIST_FIELDS: &[&str] = &[
    "id",
    "displayName",
    "userPrincipalName",
    "mail",
    "userType",
    "accountEnabled",
    "department",
    "jobTitle",
    "onPremisesSyncEnabled",
    "createdDateTime",
];

/// User properties for the detail page.
pub const USER_DETAIL_FIELDS: &[&str] = &[
    "id",
    "displayName",
    "givenName",
    "surname",
    "userPrincipalName",
    "mail",
    "mailNickname",
    "userType",
    "accountEnabled",
    "creationType",
    "externalUserState",
    "createdDateTime",
    "jobTitle",
    "department",
    "companyName",
    "officeLocation",
    "usageLocation",
    "preferredLanguage",
    "businessPhones",
    "mobilePhone",
    "proxyAddresses",
    "onPremisesSyncEnabled",
    "onPremisesDomainName",
    "onPremisesSamAccountName",
    "onPremisesUserPrincipalName",
    "onPremisesImmutableId",
    "onPremisesLastSyncDateTime",
    "assignedLicenses",
    "licenseAssignmentStates",
];

/// Group properties a list needs.
pub const GROUP_LIST_FIELDS: &[&str] = &[
    "id",
    "displayName",
    "description",
    "groupTypes",
    "securityEnabled",
    "mailEnabled",
    "mail",
    "isAssignableToRole",
    "membershipRule",
    "onPremisesSyncEnabled",
    "createdDateTime",
    "assignedLicenses",
];

/// Properties for the detail page ("all properties": the documented group properties the
/// console shows; `hasMembersWithLicenseErrors` can't be selected, graph-api.md §5).
pub const GROUP_DETAIL_FIELDS: &[&str] = &[
    "id",
    "displayName",
    "description",
    "groupTypes",
    "securityEnabled",
    "mailEnabled",
    "mail",
    "mailNickname",
    "proxyAddresses",
    "visibility",
    "isAssignableToRole",
    "membershipRule",
    "membershipRuleProcessingState",
    "onPremisesSyncEnabled",
    "onPremisesDomainName",
    "onPremisesSamAccountName",
    "onPremisesSecurityIdentifier",
    "onPremisesLastSyncDateTime",
    "createdDateTime",
    "renewedDateTime",
    "expirationDateTime",
    "classification",
    "securityIdentifier",
    "assignedLicenses",
    "resourceProvisioningOptions",
];

pub fn users() -> Request {
    Request::get("/users").select(USER_LIST_FIELDS).top(999)
}

pub fn user(id: &str) -> Request {
    Request::get(format!("/users/{}", path_segment(id))).select(USER_DETAIL_FIELDS)
}

/// Every user with its licence assignment states (`licenseAssignmentStates` is returned only
/// when selected), for the tenant-wide licence errors.
pub fn users_with_licence_states() -> Request {
    Request::get("/users")
        .select(&[
            "id",
            "displayName",
            "userPrincipalName",
            "usageLocation",
            "licenseAssignmentStates",
        ])
        .top(999)
}

/// The `@odata.id` of a directory object in a reference write. Graph's documented form names
/// the global host; national clouds take their own (graph-api.md §5).
pub fn directory_object(id: &str) -> String {
    format!(
        "https://graph.microsoft.com/v1.0/directoryObjects/{}",
        path_segment(id)
    )
}

/// Add a member: `POST /groups/{id}/members/$ref` (204; 400 when already a member).
pub fn add_member(group: &str, member: &str) -> Request {
    Request::new(
        super::Method::Post,
        format!("/groups/{}/members/$ref", path_segment(group)),
    )
    .json(serde_json::json!({ "@odata.id": directory_object(member) }))
}

/// Remove a member: `DELETE /groups/{id}/members/{member}/$ref`. Without `/$ref` Graph deletes
/// the member object itself (group-delete-members.md): never send that.
pub fn remove_member(group: &str, member: &str) -> Request {
    Request::new(
        super::Method::Delete,
        format!(
            "/groups/{}/members/{}/$ref",
            path_segment(group),
            path_segment(member)
        ),
    )
}

/// The groups and directory roles a user is in, through nesting too
/// (`GET /users/{id}/transitiveMemberOf`).
pub fn member_of(user: &str) -> Request {
    Request::get(format!("/users/{}/transitiveMemberOf", path_segment(user)))
        .select(&[
            "id",
            "displayName",
            "groupTypes",
            "securityEnabled",
            "mailEnabled",
            "isAssignableToRole",
        ])
        .top(999)
}

/// Create a security group with assigned membership (`POST /groups`, 201). Graph requires
/// `mailNickname` even when mail is off: made from the name (ASCII letters and digits).
pub fn create_security_group(name: &str) -> Request {
    let mut nick: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(56)
        .collect();
    if nick.is_empty() {
        nick = "group".into();
    }
    Request::new(super::Method::Post, "/groups").json(serde_json::json!({
        "displayName": name,
        "mailEnabled": false,
        "mailNickname": nick,
        "securityEnabled": true,
        "groupTypes": [],
    }))
}

/// Delete a group (`DELETE /groups/{id}`, 204): a Microsoft 365 group goes to deleted items
/// for 30 days, a security group is gone (group-delete.md).
pub fn delete_group(id: &str) -> Request {
    Request::new(
        super::Method::Delete,
        format!("/groups/{}", path_segment(id)),
    )
}

/// Rename a group (`PATCH /groups/{id}`, 204).
pub fn rename_group(id: &str, name: &str) -> Request {
    Request::new(
        super::Method::Patch,
        format!("/groups/{}", path_segment(id)),
    )
    .json(serde_json::json!({ "displayName": name }))
}

/// Set a user's usage location (`PATCH /users/{id}`, 204).
pub fn set_usage_location(id: &str, location: &str) -> Request {
    Request::new(super::Method::Patch, format!("/users/{}", path_segment(id)))
        .json(serde_json::json!({ "usageLocation": location }))
}

/// Reprocess a user's group licence assignments (`POST`, no body, 200 with the user).
pub fn reprocess_licences(id: &str) -> Request {
    Request::new(
        super::Method::Post,
        format!("/users/{}/reprocessLicenseAssignment", path_segment(id)),
    )
}

pub fn groups() -> Request {
    Request::get("/groups").select(GROUP_LIST_FIELDS).top(999)
}

pub fn group(id: &str) -> Request {
    Request::get(format!("/groups/{}", path_segment(id))).select(GROUP_DETAIL_FIELDS)
}

pub fn group_members(id: &str) -> Request {
    Request::get(format!("/groups/{}/members", path_segment(id)))
        .select(&[
            "id",
            "displayName",
            "userPrincipalName",
            "mail",
            "userType",
            "accountEnabled",
        ])
        .top(999)
}

/// Conditional Access policies.
pub fn ca_policies() -> Request {
    Request::get("/identity/conditionalAccess/policies")
}

/// The tenant's subscriptions (`GET /subscribedSkus`: only `$select` is supported, no
/// `$filter`; graph-api.md §6).
pub fn subscribed_skus() -> Request {
    Request::get("/subscribedSkus")
}

pub fn subscribed_sku(id: &str) -> Request {
    Request::get(format!("/subscribedSkus/{}", path_segment(id)))
}

pub fn ca_policy(id: &str) -> Request {
    Request::get(format!(
        "/identity/conditionalAccess/policies/{}",
        path_segment(id)
    ))
}

/// Authentication strengths (built-in and custom).
pub const STRENGTHS: &str = "/policies/authenticationStrengthPolicies";

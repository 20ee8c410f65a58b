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
    "assignedLicenses",
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
    "licenseProcessingState",
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

/// The `@odata.id` of a directory object in a reference write, under the Graph root the
/// session talks to (`https://graph.microsoft.com` in the docs; a national cloud names its own
/// host, graph-api.md §5).
pub fn directory_object(root: &str, id: &str) -> String {
    format!(
        "{}/v1.0/directoryObjects/{}",
        root.trim_end_matches('/'),
        path_segment(id)
    )
}

/// Which of a group's reference lists a write changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    Members,
    Owners,
}

impl Link {
    fn segment(self) -> &'static str {
        match self {
            Link::Members => "members",
            Link::Owners => "owners",
        }
    }
}

/// Add a member or owner: `POST /groups/{id}/members/$ref` (or `owners/$ref`): 204; 400 when
/// already there.
pub fn add_link(root: &str, link: Link, group: &str, object: &str) -> Request {
    Request::new(
        super::Method::Post,
        format!("/groups/{}/{}/$ref", path_segment(group), link.segment()),
    )
    .json(serde_json::json!({ "@odata.id": directory_object(root, object) }))
}

/// Remove a member or owner: `DELETE /groups/{id}/members/{member}/$ref` (or `owners/`).
/// Without `/$ref` Graph deletes the object itself (group-delete-members.md): never send that.
pub fn remove_link(link: Link, group: &str, object: &str) -> Request {
    Request::new(
        super::Method::Delete,
        format!(
            "/groups/{}/{}/{}/$ref",
            path_segment(group),
            link.segment(),
            path_segment(object)
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

/// Create a group (`POST /groups`, 201; group-post-groups.md). A Microsoft 365 group is
/// `Unified` with mail on and security off; a security group the reverse. A rule makes it
/// dynamic (`DynamicMembership`, processing `On`). Graph requires `mailNickname` even without
/// mail: made from the name (ASCII letters and digits).
/// `POST /groups`, with the owners and members bound in the create (`owners@odata.bind`,
/// `members@odata.bind`: directory object URLs under the session's Graph root; at most 20
/// together, group-post-groups.md).
pub fn create_group(
    name: &str,
    m365: bool,
    rule: Option<&str>,
    root: &str,
    owners: &[String],
    members: &[String],
) -> Request {
    let mut nick: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(56)
        .collect();
    if nick.is_empty() {
        nick = "group".into();
    }
    let mut types = Vec::new();
    if m365 {
        types.push("Unified");
    }
    if rule.is_some() {
        types.push("DynamicMembership");
    }
    let mut body = serde_json::json!({
        "displayName": name,
        "mailEnabled": m365,
        "mailNickname": nick,
        "securityEnabled": !m365,
        "groupTypes": types,
    });
    if let Some(r) = rule {
        body["membershipRule"] = r.into();
        body["membershipRuleProcessingState"] = "On".into();
    }
    let urls = |ids: &[String]| -> Vec<String> {
        ids.iter().map(|id| directory_object(root, id)).collect()
    };
    if !owners.is_empty() {
        body["owners@odata.bind"] = urls(owners).into();
    }
    if !members.is_empty() {
        body["members@odata.bind"] = urls(members).into();
    }
    Request::new(super::Method::Post, "/groups").json(body)
}

/// How many direct members a group has: `$count=true` with `ConsistencyLevel: eventual`
/// (group-list-members.md, example "Get only a count of all memberships"), one id a page.
pub fn group_member_count(id: &str) -> Request {
    Request::get(format!("/groups/{}/members", path_segment(id)))
        .select(&["id"])
        .top(1)
        .count()
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

/// Set a group's description (`PATCH /groups/{id}`, 204).
pub fn group_description(id: &str, text: &str) -> Request {
    Request::new(
        super::Method::Patch,
        format!("/groups/{}", path_segment(id)),
    )
    .json(serde_json::json!({ "description": text }))
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

/// A group's direct members, its members through nesting (`transitiveMembers`) or its owners.
pub fn group_links(id: &str, relation: &str) -> Request {
    Request::get(format!("/groups/{}/{relation}", path_segment(id)))
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

/// Every group's members by delta: `members@delta` (group-delta.md); the options go on the
/// first call only and ride in the links after it.
pub fn groups_members_delta() -> Request {
    Request::get("/groups/delta").select(&["id", "members"])
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

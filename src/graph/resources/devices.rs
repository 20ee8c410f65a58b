//! `device`: list, one, its registered owners and users, the groups it is in, enable or disable
//! (`PATCH` of `accountEnabled`, 204) and delete (`DELETE`, 204; a device is not kept in
//! Deleted items). Graph docs: device.md, device-list.md, device-get.md, device-update.md,
//! device-delete.md, device-list-registeredowners.md, device-list-registeredusers.md,
//! device-list-memberof.md.

use crate::graph::endpoints::path_segment;
use crate::graph::{Method, Request};
use serde_json::json;

/// What the list and the page show (device-list.md: `$select`, `$expand` are supported).
pub const FIELDS: &[&str] = &[
    "id",
    "deviceId",
    "displayName",
    "operatingSystem",
    "operatingSystemVersion",
    "trustType",
    "isCompliant",
    "isManaged",
    "accountEnabled",
    "approximateLastSignInDateTime",
    "registrationDateTime",
    "manufacturer",
    "model",
    "profileType",
    "deviceOwnership",
    "enrollmentType",
    "mdmAppId",
    "physicalIds",
    "extensionAttributes",
    "onPremisesSyncEnabled",
];

/// The registered owner of each device comes with the list (who to ask about a stale one).
const OWNERS: &str = "registeredOwners($select=id,displayName,userPrincipalName)";

pub fn list() -> Request {
    Request::get("/devices")
        .select(FIELDS)
        .expand(OWNERS)
        .top(999)
}

/// The devices with no sign-in since `before` (an RFC 3339 time). `approximateLastSignInDateTime`
/// supports `ge`/`le` in `$filter` (device.md); sent as an advanced query to be safe.
pub fn signed_in_before(before: &str) -> Request {
    list()
        .filter(format!("approximateLastSignInDateTime le {before}"))
        .count()
}

/// Devices found by Graph: `$filter=…` as typed, else a `$search` of the display name.
pub fn query(q: &str) -> Request {
    match q.trim().strip_prefix("$filter=") {
        Some(f) => list().filter(f.trim()).count(),
        None => list().search(format!("\"displayName:{}\"", q.trim().replace('"', ""))),
    }
}

fn path(id: &str) -> String {
    format!("/devices/{}", path_segment(id))
}

pub fn one(id: &str) -> Request {
    Request::get(path(id)).select(FIELDS)
}

pub fn registered_owners(id: &str) -> Request {
    Request::get(format!("{}/registeredOwners", path(id))).select(&[
        "id",
        "displayName",
        "userPrincipalName",
    ])
}

pub fn registered_users(id: &str) -> Request {
    Request::get(format!("{}/registeredUsers", path(id))).select(&[
        "id",
        "displayName",
        "userPrincipalName",
    ])
}

pub fn member_of(id: &str) -> Request {
    Request::get(format!("{}/memberOf", path(id))).select(&[
        "id",
        "displayName",
        "securityEnabled",
        "groupTypes",
    ])
}

/// Enable or disable a device: its sign-ins (and its Conditional Access device state) stop
/// while it is disabled. The body is completed by the confirm's choice.
pub fn set_enabled(id: &str, enabled: bool) -> Request {
    Request::new(Method::Patch, path(id)).json(json!({ "accountEnabled": enabled }))
}

pub fn delete(id: &str) -> Request {
    Request::new(Method::Delete, path(id))
}

//! Reading what the CA logic needs: the guarded accounts with their memberships, and names for
//! the ids a policy holds.

use super::guard::{Account, GuardFacts};
use super::strs;
use crate::graph::{GraphClient, GraphError, Method, Request};
use serde_json::{Value, json};
use std::collections::BTreeSet;

pub(super) fn user_request(key: &str) -> Request {
    crate::graph::endpoints::user(key).select(&[
        "id",
        "displayName",
        "userPrincipalName",
        "userType",
    ])
}

/// Groups (transitively) and role template ids of a user, from `transitiveMemberOf`.
pub(super) async fn memberships(
    client: &GraphClient,
    id: &str,
) -> Result<(BTreeSet<String>, BTreeSet<String>), GraphError> {
    let items = client
        .get_all(Request::get(format!(
            "/users/{}/transitiveMemberOf",
            crate::graph::endpoints::path_segment(id)
        )))
        .await?;
    let mut groups = BTreeSet::new();
    let mut roles = BTreeSet::new();
    for v in items {
        match v["@odata.type"].as_str() {
            Some("#microsoft.graph.group") => {
                groups.extend(v["id"].as_str().map(str::to_string));
            }
            Some("#microsoft.graph.directoryRole") => {
                roles.extend(v["roleTemplateId"].as_str().map(str::to_string));
            }
            _ => {}
        }
    }
    Ok((groups, roles))
}

async fn account(client: &GraphClient, key: &str, me: bool) -> Account {
    let req = if me {
        Request::get("/me").select(&["id", "displayName", "userPrincipalName", "userType"])
    } else {
        user_request(key)
    };
    let mut a = Account {
        label: key.to_string(),
        me,
        ..Default::default()
    };
    match client.get_json(&req).await {
        Ok(u) => {
            if me && let Some(upn) = u["userPrincipalName"].as_str() {
                a.label = upn.to_string();
            }
            a.id = u["id"].as_str().map(str::to_string);
            a.guest = Some(u["userType"].as_str() == Some("Guest"));
            if let Some(id) = &a.id
                && let Ok((g, r)) = memberships(client, id).await
            {
                a.groups = Some(g);
                a.roles = Some(r);
            }
        }
        Err(e) => a.problem = Some(e.to_string()),
    }
    a
}

/// The break-glass accounts and the signed-in admin (an app-only sign-in has none).
pub async fn guard_facts(client: &GraphClient, break_glass: &[String]) -> GuardFacts {
    let mut accounts = Vec::new();
    for k in break_glass {
        accounts.push(account(client, k, false).await);
    }
    let me = account(client, "you", true).await;
    if me.id.is_some() {
        accounts.push(me);
    }
    GuardFacts { accounts }
}

/// Well-known application ids and keywords a policy may hold.
pub const APPS: &[(&str, &str)] = &[
    ("Office365", "Office 365"),
    ("MicrosoftAdminPortals", "Microsoft Admin Portals"),
    (
        "797f4846-ba00-4fd7-ba43-dac1f8f63013",
        "Windows Azure Service Management API",
    ),
    ("00000003-0000-0000-c000-000000000000", "Microsoft Graph"),
    (
        "d4ebce55-015a-49b5-a083-c84d1797ae8c",
        "Microsoft Intune Enrollment",
    ),
    (
        "00000002-0000-0ff1-ce00-000000000000",
        "Office 365 Exchange Online",
    ),
    (
        "00000003-0000-0ff1-ce00-000000000000",
        "Office 365 SharePoint Online",
    ),
];

/// Directory object ids a policy refers to (users, groups).
pub fn object_ids(p: &Value) -> Vec<String> {
    let u = &p["conditions"]["users"];
    let mut ids: Vec<String> = [
        "includeUsers",
        "excludeUsers",
        "includeGroups",
        "excludeGroups",
    ]
    .iter()
    .flat_map(|k| strs(&u[*k]))
    .filter(|i| i.len() == 36)
    .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Names read for policy ids, and the parts that could not be read (each with its error):
/// one part failing (a 403 on `getByIds`) never drops the others.
#[derive(Debug, Default)]
pub struct NameRead {
    pub names: Vec<(String, String)>,
    pub missing: Vec<String>,
}

fn named(items: &[Value], key: &str, out: &mut Vec<(String, String)>) {
    for v in items {
        if let (Some(k), Some(n)) = (v[key].as_str(), v["displayName"].as_str()) {
            out.push((k.to_string(), n.to_string()));
        }
    }
}

/// Names for the ids in policies: users and groups (`getByIds`, or the cache when offline or
/// refused), role templates, named locations, authentication strengths, auth contexts and
/// well-known apps. Each part is read on its own.
pub async fn names(
    client: &GraphClient,
    store: Option<&std::sync::Arc<crate::cache::Store>>,
    ids: Vec<String>,
    everything: bool,
) -> NameRead {
    let mut r = NameRead {
        names: APPS
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect(),
        missing: Vec::new(),
    };
    let mut unread = Vec::new();
    for chunk in ids.chunks(1000) {
        // getByIds takes up to 1,000 ids per call (a read, allowed in read-only mode).
        let body = json!({"ids": chunk, "types": ["user", "group"]});
        match client
            .send(&Request::new(Method::Post, "/directoryObjects/getByIds").json(body))
            .await
        {
            Ok(resp) => named(
                resp.body["value"]
                    .as_array()
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
                "id",
                &mut r.names,
            ),
            Err(e) => {
                unread.extend(chunk.iter().cloned());
                if !client.is_offline() {
                    r.missing.push(format!("users and groups: {e}"));
                }
            }
        }
    }
    // What Graph did not answer, the cache may know (synced users, groups, locations).
    if !unread.is_empty()
        && let Some(st) = store
    {
        // SQLite blocks: off the async task, like every cache read.
        match crate::cache::off_thread(st.clone(), move |s| s.names_of(&unread)).await {
            Ok(found) => r.names.extend(found),
            Err(e) => r.missing.push(format!("names from the cache: {e}")),
        }
    }
    if !everything {
        return r;
    }
    // The built-in strengths have fixed names: known without a read.
    for id in 2..=4 {
        let id = format!("00000000-0000-0000-0000-00000000000{id}");
        if let Some(name) = crate::protect::builtin_strength(&id) {
            r.names.push((id, name.to_string()));
        }
    }
    let parts = [
        (
            "named locations",
            Request::get(super::backup::LOCATIONS).select(&["id", "displayName"]),
            "id",
        ),
        (
            "roles",
            Request::get("/roleManagement/directory/roleDefinitions").select(&[
                "id",
                "displayName",
                "templateId",
            ]),
            "templateId",
        ),
        (
            "authentication strengths",
            Request::get(crate::graph::endpoints::STRENGTHS).select(&["id", "displayName"]),
            "id",
        ),
        (
            "authentication contexts",
            Request::get("/identity/conditionalAccess/authenticationContextClassReferences"),
            "id",
        ),
    ];
    for (what, req, key) in parts {
        match client.get_all(req).await {
            Ok(items) => named(&items, key, &mut r.names),
            // Offline: what `sync` kept of the part (an id stays an id only when nothing
            // knows it).
            Err(_) if client.is_offline() => {
                let coll = match what {
                    "named locations" => "named-locations",
                    "roles" => "audit:roleDefinitions",
                    "authentication strengths" => "audit:strengths",
                    _ => "audit:contexts",
                };
                if let Some(st) = store
                    && let Ok(Ok(items)) =
                        crate::cache::off_thread(st.clone(), move |s| Ok(s.list(coll).map(|l| l.0)))
                            .await
                {
                    named(&items, key, &mut r.names);
                }
            }
            Err(e) => r.missing.push(format!("{what}: {e}")),
        }
    }
    r
}

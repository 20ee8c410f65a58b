//! Reading what the CA logic needs: the guarded accounts with their memberships, names for the
//! ids a policy holds, and the inputs and results of What If (from the cache when offline, the
//! online `evaluate` API when available).

use super::eval::{Outcome, Place, SignIn, Target};
use super::guard::{Account, GuardFacts};
use super::{location, strs};
use crate::cache::Store;
use crate::graph::{GraphClient, GraphError, Method, Request};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

fn user_request(key: &str) -> Request {
    crate::blades::users::detail_request(key).select(&[
        "id",
        "displayName",
        "userPrincipalName",
        "userType",
    ])
}

/// Groups (transitively) and role template ids of a user, from `transitiveMemberOf`.
async fn memberships(
    client: &GraphClient,
    id: &str,
) -> Result<(BTreeSet<String>, BTreeSet<String>), GraphError> {
    let items = client
        .get_all(Request::get(format!(
            "/users/{}/transitiveMemberOf",
            crate::blades::path_segment(id)
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

/// Names for the ids in policies: users and groups (`getByIds`), role templates, named
/// locations, authentication strengths, auth contexts and well-known apps.
pub async fn names(
    client: &GraphClient,
    ids: Vec<String>,
) -> Result<Vec<(String, String)>, GraphError> {
    let mut out: Vec<(String, String)> = APPS
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    let mut add = |items: Vec<Value>, key: &str| {
        for v in items {
            if let (Some(k), Some(n)) = (v[key].as_str(), v["displayName"].as_str()) {
                out.push((k.to_string(), n.to_string()));
            }
        }
    };
    for chunk in ids.chunks(1000) {
        // getByIds takes up to 1,000 ids per call.
        let body = json!({"ids": chunk, "types": ["user", "group"]});
        let r = client
            .send(&Request::new(Method::Post, "/directoryObjects/getByIds").json(body))
            .await?;
        add(
            r.body["value"].as_array().cloned().unwrap_or_default(),
            "id",
        );
    }
    add(
        client
            .get_all(Request::get(super::backup::LOCATIONS).select(&["id", "displayName"]))
            .await?,
        "id",
    );
    add(
        client
            .get_all(
                Request::get("/roleManagement/directory/roleDefinitions").select(&[
                    "id",
                    "displayName",
                    "templateId",
                ]),
            )
            .await?,
        "templateId",
    );
    add(
        client
            .get_all(Request::get(STRENGTHS).select(&["id", "displayName"]))
            .await?,
        "id",
    );
    add(
        client
            .get_all(Request::get(
                "/identity/conditionalAccess/authenticationContextClassReferences",
            ))
            .await?,
        "id",
    );
    Ok(out)
}

pub const STRENGTHS: &str = "/policies/authenticationStrengthPolicies";

/// What the admin asks What If: a user and, optionally, the rest of the sign-in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WhatIfQuery {
    pub user: String,
    /// key=value pairs as typed (app, ctx, action, platform, location, client, signin-risk,
    /// user-risk, device, flow).
    pub params: BTreeMap<String, String>,
}

pub const WHATIF_KEYS: &[&str] = &[
    "app",
    "ctx",
    "action",
    "platform",
    "location",
    "client",
    "signin-risk",
    "user-risk",
    "device",
    "flow",
];

impl WhatIfQuery {
    /// `USER [key=value ...]`.
    pub fn parse(text: &str) -> Result<WhatIfQuery, String> {
        let mut parts = text.split_whitespace();
        let user = parts
            .next()
            .ok_or("whatif USER [app=ID|All] [ctx=c1] [action=security-info|register-device] [platform=P] [location=IP|country:XX|NAME] [client=browser|mobileAppsAndDesktopClients|exchangeActiveSync|other] [signin-risk=L] [user-risk=L] [device=AzureAD|ServerAD|Workplace|none] [flow=deviceCodeFlow|none]")?
            .to_string();
        let mut params = BTreeMap::new();
        for p in parts {
            let (k, v) = p
                .split_once('=')
                .ok_or_else(|| format!("'{p}' is not key=value"))?;
            if !WHATIF_KEYS.contains(&k) {
                return Err(format!(
                    "unknown What If key '{k}' (known: {})",
                    WHATIF_KEYS.join(", ")
                ));
            }
            params.insert(k.to_string(), v.to_string());
        }
        Ok(WhatIfQuery { user, params })
    }

    fn get(&self, k: &str) -> Option<String> {
        self.params.get(k).cloned()
    }

    fn target(&self) -> Result<Target, String> {
        if let Some(c) = self.get("ctx") {
            return Ok(Target::AuthContext(c));
        }
        if let Some(a) = self.get("action") {
            return match a.as_str() {
                "security-info" | "urn:user:registersecurityinfo" => {
                    Ok(Target::UserAction("urn:user:registersecurityinfo".into()))
                }
                "register-device" | "urn:user:registerdevice" => {
                    Ok(Target::UserAction("urn:user:registerdevice".into()))
                }
                other => Err(format!(
                    "action '{other}' is not security-info or register-device"
                )),
            };
        }
        Ok(self.get("app").map(Target::App).unwrap_or_default())
    }

    /// The online `evaluate` body for the same question (graph-api.md §4.4).
    pub fn body(&self, user_id: &str) -> Value {
        let ctx = match self.target().unwrap_or_default() {
            Target::AuthContext(c) => {
                json!({"@odata.type": "#microsoft.graph.authContext", "authenticationContextValue": c})
            }
            Target::UserAction(u) => json!({"@odata.type": "#microsoft.graph.userActionContext",
                "userAction": if u.ends_with("registersecurityinfo") { "registerSecurityInformation" } else { "registerOrJoinDevices" }}),
            Target::App(a) => {
                json!({"@odata.type": "#microsoft.graph.applicationContext", "includeApplications": [a]})
            }
            _ => {
                json!({"@odata.type": "#microsoft.graph.applicationContext", "includeApplications": []})
            }
        };
        let mut c = serde_json::Map::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                c.insert(k.into(), json!(v));
            }
        };
        put("devicePlatform", self.get("platform"));
        put("clientAppType", self.get("client"));
        put("signInRiskLevel", self.get("signin-risk"));
        put("userRiskLevel", self.get("user-risk"));
        match self.get("location") {
            Some(l) if l.parse::<std::net::IpAddr>().is_ok() => put("ipAddress", Some(l)),
            Some(l) if l.starts_with("country:") => {
                put("country", l.strip_prefix("country:").map(str::to_string))
            }
            _ => {}
        }
        if let Some(t) = self.get("device") {
            c.insert("deviceInfo".into(), json!({"trustType": t}));
        }
        if let Some(f) = self.get("flow") {
            c.insert("authenticationFlow".into(), json!({"transferMethod": f}));
        }
        json!({
            "signInIdentity": {"@odata.type": "#microsoft.graph.userSignIn", "userId": user_id},
            "signInContext": ctx,
            "signInConditions": Value::Object(c),
            "appliedPoliciesOnly": false
        })
    }
}

/// One policy's What If row: the offline answer and, when asked, Graph's.
#[derive(Clone, Debug)]
pub struct WhatIfRow {
    pub policy: Value,
    pub outcome: Outcome,
    /// Graph's `policyApplies` and `analysisReasons`.
    pub online: Option<(bool, String)>,
}

/// A What If run: who, the rows, and what the online API said if it could not answer.
#[derive(Clone, Debug, Default)]
pub struct WhatIfResult {
    pub user: String,
    pub rows: Vec<WhatIfRow>,
    pub online_error: Option<String>,
    /// Inputs that were unknown (memberships not in the cache ...).
    pub notes: Vec<String>,
}

async fn cached(store: &Option<Arc<Store>>, coll: &str) -> Vec<Value> {
    let Some(st) = store.clone() else {
        return Vec::new();
    };
    let coll = coll.to_string();
    tokio::task::spawn_blocking(move || st.list(&coll).map(|(v, _)| v).unwrap_or_default())
        .await
        .unwrap_or_default()
}

/// Groups of a user from the cache's member lists (nested groups followed).
async fn cached_groups(store: &Option<Arc<Store>>, user: &str) -> Option<BTreeSet<String>> {
    let st = store.clone()?;
    let user = user.to_string();
    tokio::task::spawn_blocking(move || {
        let mut found = BTreeSet::new();
        let mut frontier = vec![user];
        while let Some(m) = frontier.pop() {
            for g in st.member_of(&m).ok()?? {
                if found.insert(g.clone()) {
                    frontier.push(g);
                }
            }
        }
        Some(found)
    })
    .await
    .ok()?
}

/// Run What If: the evaluator over the policies (the cache when offline), then the online
/// API for comparison when the console is online.
pub async fn what_if(
    client: &GraphClient,
    store: &Option<Arc<Store>>,
    q: &WhatIfQuery,
) -> Result<WhatIfResult, String> {
    let offline = client.is_offline();
    let err = super::backup::graph;
    let (policies, locations, user) = if offline {
        let users = cached(store, "users").await;
        let user = users
            .into_iter()
            .find(|u| {
                u["id"].as_str() == Some(&q.user)
                    || u["userPrincipalName"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(&q.user))
            })
            .ok_or_else(|| format!("user '{}' is not in the cache", q.user))?;
        (
            cached(store, "ca-policies").await,
            cached(store, "named-locations").await,
            user,
        )
    } else {
        (
            client
                .get_all(Request::get(super::backup::POLICIES))
                .await
                .map_err(err)?,
            client
                .get_all(Request::get(super::backup::LOCATIONS))
                .await
                .map_err(err)?,
            client.get_json(&user_request(&q.user)).await.map_err(err)?,
        )
    };
    let id = user["id"].as_str().unwrap_or_default().to_string();
    let mut notes = Vec::new();
    let (groups, roles) = if offline {
        let g = cached_groups(store, &id).await;
        if g.is_none() {
            notes.push("group memberships are not in the cache (run sync group-members)".into());
        }
        notes
            .push("role assignments are not kept in the cache: role conditions are unknown".into());
        (g, None)
    } else {
        match memberships(client, &id).await {
            Ok((g, r)) => (Some(g), Some(r)),
            Err(e) => {
                notes.push(format!("memberships unknown: {e}"));
                (None, None)
            }
        }
    };
    let place: Option<Place> = match q.get("location") {
        Some(l) => Some(location::place(&l, &locations)?),
        None => None,
    };
    let s = SignIn {
        user_id: id.clone(),
        guest: user["userType"].as_str().map(|t| t == "Guest"),
        groups,
        roles,
        target: q.target()?,
        platform: q.get("platform"),
        place,
        client_app: q.get("client"),
        sign_in_risk: q.get("signin-risk"),
        user_risk: q.get("user-risk"),
        device_trust: q.get("device"),
        auth_flow: q.get("flow"),
    };
    let mut rows: Vec<WhatIfRow> = policies
        .into_iter()
        .map(|p| WhatIfRow {
            outcome: super::evaluate(&p, &s),
            policy: p,
            online: None,
        })
        .collect();
    let mut online_error = None;
    if offline {
        online_error = Some("offline: the online What If was not asked".into());
    } else {
        let req =
            Request::new(Method::Post, "/identity/conditionalAccess/evaluate").json(q.body(&id));
        match client.send(&req).await {
            Ok(r) => {
                for v in r.body["value"].as_array().into_iter().flatten() {
                    if let Some(row) = rows.iter_mut().find(|x| x.policy["id"] == v["id"]) {
                        row.online = Some((
                            v["policyApplies"].as_bool().unwrap_or(false),
                            v["analysisReasons"]
                                .as_str()
                                .unwrap_or_default()
                                .to_string(),
                        ));
                    }
                }
            }
            Err(e) => online_error = Some(err(e)),
        }
    }
    let name = user["displayName"]
        .as_str()
        .or(user["userPrincipalName"].as_str())
        .unwrap_or(&q.user)
        .to_string();
    Ok(WhatIfResult {
        user: name,
        rows,
        online_error,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_parse_and_make_the_online_body() {
        let q =
            WhatIfQuery::parse("ada@x app=All platform=iOS location=203.0.113.9 device=AzureAD")
                .unwrap();
        assert_eq!(q.user, "ada@x");
        let b = q.body("u1");
        assert_eq!(b["signInIdentity"]["userId"], "u1");
        assert_eq!(b["signInContext"]["includeApplications"][0], "All");
        assert_eq!(b["signInConditions"]["devicePlatform"], "iOS");
        assert_eq!(b["signInConditions"]["ipAddress"], "203.0.113.9");
        assert_eq!(b["signInConditions"]["deviceInfo"]["trustType"], "AzureAD");
        assert!(WhatIfQuery::parse("").is_err());
        assert!(
            WhatIfQuery::parse("u nope=1")
                .unwrap_err()
                .contains("unknown")
        );
        assert!(
            WhatIfQuery::parse("u action=fly")
                .unwrap()
                .target()
                .is_err()
        );
        let ctx = WhatIfQuery::parse("u ctx=c1").unwrap().body("u");
        assert_eq!(ctx["signInContext"]["authenticationContextValue"], "c1");
    }
}

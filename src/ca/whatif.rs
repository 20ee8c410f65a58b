//! What If runs: the question (a user and the sign-in's conditions), the evaluator over the
//! policies (from the cache when offline) and Graph's own answer beside it when online.

use super::eval::{Outcome, Place, SignIn, Target};
use super::load::{memberships, user_request};
use super::location;
use crate::cache::Store;
use crate::graph::{GraphClient, Method, Request};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

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
    crate::cache::off_thread(st, move |st| st.list(&coll).map(|(v, _)| v))
        .await
        .unwrap_or_default()
}

/// Groups of a user from the cache's member lists (nested groups followed).
/// The role templates a user holds actively at tenant scope, from the role facts the cache
/// keeps: assigned to the user, or to a role-assignable group the user is a member of.
async fn cached_roles(store: &Option<Arc<Store>>, user: &str) -> Option<BTreeSet<String>> {
    let st = store.clone()?;
    let user = user.to_string();
    crate::cache::off_thread(st, move |s| {
        let Ok(r) = crate::audit::cached::roles(s) else {
            return Ok(None);
        };
        let held = r
            .active
            .iter()
            .filter(|a| a["directoryScopeId"].as_str().unwrap_or("/") == "/")
            .filter(|a| {
                let p = a["principalId"].as_str().unwrap_or_default();
                p == user
                    || r.group_members
                        .get(p)
                        .is_some_and(|m| m.iter().any(|x| x["id"].as_str() == Some(&user)))
            })
            .filter_map(|a| {
                let rid = a["roleDefinitionId"].as_str()?;
                let d = r.definition(rid);
                Some(
                    d.and_then(|d| d["templateId"].as_str())
                        .unwrap_or(rid)
                        .to_string(),
                )
            })
            .collect();
        Ok(Some(held))
    })
    .await
    .ok()
    .flatten()
}

async fn cached_groups(store: &Option<Arc<Store>>, user: &str) -> Option<BTreeSet<String>> {
    let st = store.clone()?;
    let user = user.to_string();
    crate::cache::off_thread(st, move |st| {
        let mut found = BTreeSet::new();
        let mut frontier = vec![user];
        while let Some(m) = frontier.pop() {
            let Some(groups) = st.member_of(&m)? else {
                return Ok(None);
            };
            for g in groups {
                if found.insert(g.clone()) {
                    frontier.push(g);
                }
            }
        }
        Ok(Some(found))
    })
    .await
    .ok()?
}

/// The one user a What If is about: an id or UPN is read as it is; a name (`adele`) is
/// looked up by the start of the display name or UPN and must match exactly one user.
async fn find_user(client: &GraphClient, key: &str) -> Result<Value, String> {
    let looks_exact = key.contains('@') || uuid::Uuid::parse_str(key).is_ok();
    if looks_exact {
        return client
            .get_json(&user_request(key))
            .await
            .map_err(super::backup::graph);
    }
    // OData string literals double their single quotes.
    let k = key.replace('\'', "''");
    let req = Request::get("/users")
        .select(&["id", "displayName", "userPrincipalName", "userType"])
        .filter(format!(
            "startswith(displayName,'{k}') or startswith(userPrincipalName,'{k}')"
        ))
        .top(5);
    let found = client.get_json(&req).await.map_err(super::backup::graph)?["value"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    one_user(key, found, "")
}

/// Exactly one user, or why not ("adele matches 2 users: ...; give the UPN").
fn one_user(key: &str, mut found: Vec<Value>, place: &str) -> Result<Value, String> {
    let place = if place.is_empty() {
        String::new()
    } else {
        format!(" {place}")
    };
    match found.len() {
        0 => Err(format!("no user named '{key}'{place}")),
        1 => Ok(found.remove(0)),
        n => Err(format!(
            "'{key}' matches {n}{} users{place}: {}; give the UPN",
            if n >= 5 { "+" } else { "" },
            found
                .iter()
                .map(|u| format!(
                    "{} ({})",
                    u["displayName"].as_str().unwrap_or("?"),
                    u["userPrincipalName"].as_str().unwrap_or("?")
                ))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
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
        let exact = users.iter().find(|u| {
            u["id"].as_str() == Some(&q.user)
                || u["userPrincipalName"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(&q.user))
        });
        let user = match exact {
            Some(u) => u.clone(),
            None => {
                let key = q.user.to_lowercase();
                let found: Vec<Value> = users
                    .into_iter()
                    .filter(|u| {
                        ["displayName", "userPrincipalName"].iter().any(|k| {
                            u[*k]
                                .as_str()
                                .is_some_and(|n| n.to_lowercase().starts_with(&key))
                        })
                    })
                    .collect();
                one_user(&q.user, found, "in the cache")?
            }
        };
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
            find_user(client, &q.user).await?,
        )
    };
    let id = user["id"].as_str().unwrap_or_default().to_string();
    let mut notes = Vec::new();
    let (groups, roles) = if offline {
        let g = cached_groups(store, &id).await;
        if g.is_none() {
            notes.push("group memberships are not in the cache (run sync group-members)".into());
        }
        // The active role assignments `sync` kept (tenant scope, direct or through a
        // role-assignable group): what transitiveMemberOf's directory roles say online.
        let r = cached_roles(store, &id).await;
        if r.is_none() {
            notes.push(
                "role assignments are not in this cache (run sync): role conditions are unknown"
                    .into(),
            );
        }
        (g, r)
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

//! The audit's reads kept in the cache (`audit:*` collections) after a live run or a `sync`, so
//! a reviewer can audit the cache or a snapshot of it with `--offline` and no network, and the
//! console's roles, protected actions and My roles work offline. A part the live run could not
//! read is kept as its reason, so the offline audit says "not evaluable" too; a part a snapshot
//! never held is "not in this snapshot", and the audit still completes.

use super::Inputs;
use crate::cache::{CacheError, Store};
use crate::licensing::LicenceFacts;
use crate::protect::Facts;
use crate::roles::RoleFacts;
use serde_json::{Value, json};
use std::collections::HashMap;

const ERRORS: &str = "audit:errors";

/// Why a part is missing from a cache that never kept it.
fn absent(name: &str) -> String {
    format!(
        "not in this snapshot ({name}): run `entra-console sync` (or `audit`) online with this cache to keep it"
    )
}

fn wrap(map: &HashMap<String, Vec<Value>>) -> Vec<Value> {
    map.iter()
        .map(|(id, m)| json!({"id": id, "members": m}))
        .collect()
}

fn unwrap(items: Vec<Value>) -> HashMap<String, Vec<Value>> {
    items
        .into_iter()
        .filter_map(|v| {
            Some((
                v["id"].as_str()?.to_string(),
                v["members"].as_array()?.clone(),
            ))
        })
        .collect()
}

/// Keep what a live audit read (each part, or why it could not be read).
pub fn save(store: &Store, i: &Inputs) -> Result<(), CacheError> {
    let mut errors = Vec::new();
    let mut part = |name: &str, r: Result<&[Value], &str>| -> Result<(), CacheError> {
        match r {
            Ok(items) => store.replace_collection(&format!("audit:{name}"), items),
            Err(why) => {
                errors.push(json!({"id": name, "why": why}));
                Ok(())
            }
        }
    };
    match &i.roles {
        Ok(r) => {
            part("roleDefinitions", Ok(&r.definitions))?;
            part("roleActive", Ok(&r.active))?;
            part("roleEligible", Ok(&r.eligible))?;
            part("roleGroups", Ok(&wrap(&r.group_members)))?;
        }
        Err(e) => part("roles", Err(e.as_str()))?,
    }
    match &i.facts {
        Ok(f) => {
            part("actions", Ok(&f.actions))?;
            part("contexts", Ok(&f.contexts))?;
            part("policies", Ok(&f.policies))?;
            part("strengths", Ok(&f.strengths))?;
        }
        Err(e) => part("facts", Err(e.as_str()))?,
    }
    part("skus", Ok(&i.licences.skus))?;
    part("licensedGroups", Ok(&i.licences.groups))?;
    part("users", i.users.as_deref().map_err(String::as_str))?;
    part("risky", i.risky.as_deref().map_err(String::as_str))?;
    part(
        "assignments",
        i.assignments.as_deref().map_err(String::as_str),
    )?;
    part("pimPolicies", i.pim.as_deref().map_err(String::as_str))?;
    let excluded: Vec<Value> = i
        .group_members
        .iter()
        .map(|(id, m)| json!({"id": id, "members": m, "displayName": i.group_names.get(id)}))
        .collect();
    part("excludedGroups", Ok(&excluded))?;
    let one = |r: &Result<Value, String>| r.clone().map(|v| vec![v]);
    part(
        "authorizationPolicy",
        one(&i.authorization).as_deref().map_err(String::as_str),
    )?;
    part(
        "authenticationMethodsPolicy",
        one(&i.methods).as_deref().map_err(String::as_str),
    )?;
    part("domains", i.domains.as_deref().map_err(String::as_str))?;
    part(
        "groupSettings",
        i.settings.as_deref().map_err(String::as_str),
    )?;
    part(
        "groupSettingTemplates",
        i.setting_templates.as_deref().map_err(String::as_str),
    )?;
    // Graph returns this singleton without an id; the cache keys objects by id.
    let consent = i.consent_requests.clone().map(|mut v| {
        if v.get("id").is_none() {
            v["id"] = json!("adminConsentRequestPolicy");
        }
        vec![v]
    });
    part(
        "adminConsentRequestPolicy",
        consent.as_deref().map_err(String::as_str),
    )?;
    for m in &i.licences.missing {
        errors.push(
            json!({"id": format!("licences {}", errors.len()), "why": m, "part": "licences"}),
        );
    }
    store.replace_collection(ERRORS, &errors)
}

/// Whether this cache keeps the audit's reads (a live audit or a `sync` wrote them): asked at
/// every start (badges), from the sync state, without scanning a large cache.
pub fn holds_audit(store: &Store) -> Result<bool, CacheError> {
    Ok(store.sync_state(ERRORS)?.last_sync.is_some())
}

/// What an earlier live audit or sync kept in this cache; a part it never kept is an error
/// for the rules that need it ("not in this snapshot"), never a refusal of the whole audit.
pub fn load(store: &Store, break_glass: Vec<String>) -> Result<Inputs, String> {
    let read = |name: &str| -> Result<Vec<Value>, String> {
        let (items, at) = store
            .list(&format!("audit:{name}"))
            .map_err(|e| e.to_string())?;
        match at {
            Some(_) => Ok(items),
            None => Err(absent(name)),
        }
    };
    let (errors, at) = store.list(ERRORS).map_err(|e| e.to_string())?;
    // Judged as of the reads; a cache that never kept them is judged as of its users' sync.
    // (The sync state, not the list: a large cache is not scanned for a time.)
    let at = at
        .or_else(|| {
            let t = store.sync_state("users").ok()?.last_sync?;
            chrono::DateTime::parse_from_rfc3339(&t)
                .ok()
                .map(|d| d.with_timezone(&chrono::Utc))
        })
        .unwrap_or_else(chrono::Utc::now);
    let failed = |name: &str| {
        errors
            .iter()
            .find(|e| e["id"] == name)
            .and_then(|e| e["why"].as_str())
            .map(|w| format!("{w} (when the cache was written)"))
    };
    let or_failed = |name: &str, r: Result<Vec<Value>, String>| match failed(name) {
        Some(w) => Err(w),
        None => r,
    };
    let roles = match failed("roles") {
        Some(w) => Err(w),
        None => (|| {
            Ok(RoleFacts {
                definitions: read("roleDefinitions")?,
                active: read("roleActive")?,
                eligible: read("roleEligible")?,
                group_members: unwrap(read("roleGroups")?),
            })
        })(),
    };
    let facts = match failed("facts") {
        Some(w) => Err(w),
        None => (|| {
            Ok(Facts {
                actions: read("actions")?,
                contexts: read("contexts")?,
                // A cache synced before the audit's reads were kept still has the policies
                // the Conditional Access blade synced (the same request).
                policies: read("policies").or_else(|e| {
                    store
                        .list("ca-policies")
                        .ok()
                        .filter(|(_, at)| at.is_some())
                        .map(|(items, _)| items)
                        .ok_or(e)
                })?,
                strengths: read("strengths").unwrap_or_default(),
                ..Default::default()
            })
        })(),
    };
    let licences = LicenceFacts {
        skus: read("skus").unwrap_or_default(),
        groups: read("licensedGroups").unwrap_or_default(),
        missing: errors
            .iter()
            .filter(|e| e["part"] == "licences")
            .filter_map(|e| e["why"].as_str().map(str::to_string))
            .collect(),
    };
    let excluded = read("excludedGroups").unwrap_or_default();
    let mut group_names: HashMap<String, String> = excluded
        .iter()
        .filter_map(|v| {
            Some((
                v["id"].as_str()?.to_string(),
                v["displayName"].as_str()?.to_string(),
            ))
        })
        .collect();
    // A group the audit did not name: the cache may know it (synced groups).
    let unnamed: Vec<String> = excluded
        .iter()
        .filter_map(|v| v["id"].as_str())
        .filter(|id| !group_names.contains_key(*id))
        .map(str::to_string)
        .collect();
    if !unnamed.is_empty() {
        group_names.extend(store.names_of(&unnamed).unwrap_or_default());
    }
    let group_members = excluded
        .into_iter()
        .filter_map(|v| {
            let ids = v["members"]
                .as_array()?
                .iter()
                .filter_map(|m| m.as_str().map(str::to_string))
                .collect();
            Some((v["id"].as_str()?.to_string(), ids))
        })
        .collect();
    let users = or_failed("users", read("users"));
    let ids = super::with_ids(break_glass, &users);
    Ok(Inputs {
        roles,
        facts,
        licences,
        users,
        risky: or_failed("risky", read("risky")),
        assignments: or_failed("assignments", read("assignments")),
        pim: or_failed("pimPolicies", read("pimPolicies")),
        group_members,
        group_names,
        break_glass: ids,
        authorization: singleton(or_failed(
            "authorizationPolicy",
            read("authorizationPolicy"),
        )),
        methods: singleton(or_failed(
            "authenticationMethodsPolicy",
            read("authenticationMethodsPolicy"),
        )),
        domains: or_failed("domains", read("domains")),
        settings: or_failed("groupSettings", read("groupSettings")),
        setting_templates: or_failed("groupSettingTemplates", read("groupSettingTemplates")),
        consent_requests: singleton(or_failed(
            "adminConsentRequestPolicy",
            read("adminConsentRequestPolicy"),
        )),
        // Judged as of the reads: a report-only policy's age is its age then.
        now: at,
    })
}

/// The role facts kept in this cache (role definitions, active and eligible assignments, the
/// members of role-holding groups): what Roles, `:whocan` and a user's roles read offline.
pub fn roles(store: &Store) -> Result<RoleFacts, String> {
    load(store, Vec::new())?.roles
}

/// The protection facts kept in this cache (resource actions, contexts, policies,
/// strengths): what Protected actions, Authentication contexts and the confirms read offline.
pub fn facts(store: &Store) -> Result<Facts, String> {
    load(store, Vec::new())?.facts
}

/// The signed-in admin as the last sync saw them (My roles offline).
pub fn me(store: &Store) -> Result<Value, String> {
    let (items, at) = store.list("audit:me").map_err(|e| e.to_string())?;
    match (items.into_iter().next(), at) {
        (Some(me), Some(_)) => Ok(me),
        _ => Err(absent("me")),
    }
}

/// `sync`'s last step: the audit's reads (and the signed-in admin), kept like a live audit
/// keeps them, so any synced cache or snapshot audits offline and the console's roles and
/// protected actions work offline. Parts Graph refuses are kept as their reasons.
pub async fn sync(
    client: &crate::graph::GraphClient,
    store: &std::sync::Arc<Store>,
) -> Result<String, String> {
    let inputs = super::read(&client.clone().reads_only(), Vec::new()).await;
    let me = client
        .get_json(&crate::graph::Request::get("/me").select(&[
            "id",
            "displayName",
            "userPrincipalName",
        ]))
        .await;
    let mut not_read: Vec<&str> = Vec::new();
    for (name, failed) in [
        ("roles", inputs.roles.is_err()),
        ("protection", inputs.facts.is_err()),
        ("users", inputs.users.is_err()),
        ("risky users", inputs.risky.is_err()),
        ("PIM assignments", inputs.assignments.is_err()),
        ("PIM policies", inputs.pim.is_err()),
        ("authorization policy", inputs.authorization.is_err()),
        ("authentication methods", inputs.methods.is_err()),
        ("domains", inputs.domains.is_err()),
        ("signed-in admin", me.is_err()),
    ] {
        if failed {
            not_read.push(name);
        }
    }
    crate::cache::off_thread(store.clone(), move |s| {
        save(s, &inputs)?;
        match &me {
            Ok(m) => s.replace_collection("audit:me", std::slice::from_ref(m)),
            Err(_) => Ok(()),
        }
    })
    .await
    .map_err(|e| e.to_string())?;
    Ok(if not_read.is_empty() {
        "audit reads (all)".to_string()
    } else {
        format!("audit reads (not read: {})", not_read.join(", "))
    })
}

/// A singleton kept as a one-item collection.
fn singleton(r: Result<Vec<Value>, String>) -> Result<Value, String> {
    r?.into_iter()
        .next()
        .ok_or_else(|| "not in this cache (empty)".to_string())
}

//! The audit's reads kept in the cache (`audit:*` collections) after a live run, so a reviewer
//! can audit the cache or a snapshot of it with `--offline` and no network. A part the live
//! run could not read is kept as its reason, so the offline audit says "not evaluable" too.

use super::Inputs;
use crate::cache::{CacheError, Store};
use crate::licensing::LicenceFacts;
use crate::protect::Facts;
use crate::roles::RoleFacts;
use serde_json::{Value, json};
use std::collections::HashMap;

const ERRORS: &str = "audit:errors";
const NO_AUDIT: &str = "this cache holds no audit: run `entra-console audit` online once with this cache, then audit it (or a snapshot of it) offline";

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
    let excluded: Vec<Value> = i
        .group_members
        .iter()
        .map(|(id, m)| json!({"id": id, "members": m}))
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
    for m in &i.licences.missing {
        errors.push(
            json!({"id": format!("licences {}", errors.len()), "why": m, "part": "licences"}),
        );
    }
    store.replace_collection(ERRORS, &errors)
}

/// What an earlier live audit kept in this cache.
pub fn load(store: &Store, break_glass: Vec<String>) -> Result<Inputs, String> {
    let read = |name: &str| -> Result<Vec<Value>, String> {
        let (items, at) = store
            .list(&format!("audit:{name}"))
            .map_err(|e| e.to_string())?;
        match at {
            Some(_) => Ok(items),
            None => Err(format!("not in this cache ({name})")),
        }
    };
    // Asked at every start (badges): a cache that never held an audit says so from its sync
    // state, without scanning a large cache for a collection it does not have.
    if store
        .sync_state(ERRORS)
        .map_err(|e| e.to_string())?
        .last_sync
        .is_none()
    {
        return Err(NO_AUDIT.into());
    }
    let (errors, at) = store.list(ERRORS).map_err(|e| e.to_string())?;
    let Some(at) = at else {
        return Err(NO_AUDIT.into());
    };
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
                policies: read("policies")?,
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
    let group_members = read("excludedGroups")
        .unwrap_or_default()
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
        group_members,
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
        // Judged as of the reads: a report-only policy's age is its age then.
        now: at,
    })
}

/// A singleton kept as a one-item collection.
fn singleton(r: Result<Vec<Value>, String>) -> Result<Value, String> {
    r?.into_iter()
        .next()
        .ok_or_else(|| "not in this cache (empty)".to_string())
}

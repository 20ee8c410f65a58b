//! Memberships by delta (`members@delta`): a full sync, then 100 mixed changes to users, groups
//! and memberships synced in a few requests, the cache then equal to the server object by object
//! and membership by membership; a large group's members split over pages; the function forms.

use crate::common::bin;
use entra_console::cache::Store;
use entra_console::demo::{self, DemoOptions};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

fn sync(home: &std::path::Path, url: &str) -> String {
    let out = bin(home, true)
        .args([
            "--graph-url",
            url,
            "sync",
            "users",
            "groups",
            "group-members",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{err}");
    err
}

/// Every group's member ids, as the server holds them.
fn server_members(t: &demo::store::Tenant) -> BTreeMap<String, BTreeSet<String>> {
    t.groups
        .iter()
        .filter_map(|g| g["id"].as_str())
        .map(|g| {
            let m = t.members.get(g).into_iter().flatten().cloned().collect();
            (g.to_string(), m)
        })
        .collect()
}

fn assert_cache_equals_server(cache: &std::path::Path, t: &demo::store::Tenant) {
    let store = Store::open(cache, false).unwrap();
    for (coll, objs) in [("users", &t.users), ("groups", &t.groups)] {
        let (cached, _) = store.list(coll).unwrap();
        let names = |v: &[serde_json::Value]| -> BTreeMap<String, String> {
            v.iter()
                .map(|o| {
                    (
                        o["id"].as_str().unwrap().to_string(),
                        o["displayName"].to_string(),
                    )
                })
                .collect()
        };
        assert_eq!(names(&cached), names(objs), "{coll}");
    }
    for (g, want) in server_members(t) {
        let (got, _) = store.members(&g).unwrap();
        let got: BTreeSet<String> = got
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(got, want, "members of {g}");
    }
}

#[test]
fn a_refresh_after_100_mixed_changes_takes_a_few_requests_and_matches_the_server() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let opts = DemoOptions {
        scale: demo::store::Scale {
            users: Some(3000),
            groups: Some(400),
            seed: 7,
        },
        ..Default::default()
    };
    let server = rt.block_on(demo::start(opts)).unwrap();
    let url = server.url();
    // One large group: its members spread over pages (at most 1,000 references a page).
    let big = {
        let mut t = server.state.tenant.write().unwrap();
        let g = t.groups[30]["id"].as_str().unwrap().to_string();
        let ids: Vec<String> = t
            .users
            .iter()
            .take(2500)
            .map(|u| u["id"].as_str().unwrap().to_string())
            .collect();
        t.members.insert(g.clone(), ids);
        g
    };
    let home = tempfile::tempdir().unwrap();
    let cache = home.path().join("data/entra-console/cache/default.db");
    let said = sync(home.path(), &url);
    assert!(
        said.contains("memberships") && said.contains("(full)"),
        "{said}"
    );
    {
        let t = server.state.tenant.read().unwrap();
        assert_cache_equals_server(&cache, &t);
        assert_eq!(t.members[&big].len(), 2500);
    }
    // 100 changes: 30 users renamed, 5 removed, 5 groups added, 30 members added, 30 removed.
    {
        let mut t = server.state.tenant.write().unwrap();
        for i in 0..30 {
            let mut u = t.users[100 + i].clone();
            u["displayName"] = json!(format!("Renamed {i}"));
            t.upsert(demo::store::Kind::User, u);
        }
        for i in 0..5 {
            let id = t.users[200 + i]["id"].as_str().unwrap().to_string();
            t.remove(demo::store::Kind::User, &id);
        }
        for i in 0..5 {
            t.upsert(
                demo::store::Kind::Group,
                json!({"id": format!("new-group-{i}"), "displayName": format!("New {i}"), "groupTypes": [], "securityEnabled": true, "mailEnabled": false}),
            );
        }
        for i in 0..30 {
            let g = t.groups[i]["id"].as_str().unwrap().to_string();
            let m = t.users[2900 + i]["id"].as_str().unwrap().to_string();
            if !t.members.entry(g.clone()).or_default().contains(&m) {
                t.members.get_mut(&g).unwrap().push(m.clone());
                t.record_member(&g, &m, true);
            }
        }
        let mut removed = 0;
        let big_members = t.members[&big].clone();
        for m in big_members.iter().skip(500).take(30) {
            t.members.get_mut(&big).unwrap().retain(|x| x != m);
            t.record_member(&big, m, false);
            removed += 1;
        }
        assert_eq!(removed, 30);
    }
    let before = server.state.faults.log.lock().unwrap().len();
    let said = sync(home.path(), &url);
    let requests = server.state.faults.log.lock().unwrap().len() - before;
    eprintln!("refresh: {requests} requests: {said}");
    assert!(requests < 20, "{requests} requests: {said}");
    assert!(said.contains("(delta"), "{said}");
    let t = server.state.tenant.read().unwrap();
    assert_cache_equals_server(&cache, &t);
}

#[test]
fn the_function_forms_of_delta_answer_like_the_path() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt.block_on(demo::start(Default::default())).unwrap();
    let client = reqwest::Client::new();
    for form in ["delta", "delta()", "microsoft.graph.delta()"] {
        let v: serde_json::Value = rt.block_on(async {
            let r = client
                .get(format!(
                    "{}/v1.0/groups/{form}?$select=displayName,members",
                    server.url()
                ))
                .bearer_auth("t")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{form}");
            r.json().await.unwrap()
        });
        let first = &v["value"][0];
        assert!(first["members@delta"].is_array(), "{form}: {first}");
        assert!(
            v["@odata.nextLink"].as_str().is_some() || v["@odata.deltaLink"].as_str().is_some()
        );
    }
}

//! The soak (not in CI; README "Security"): syncs under faults and throttling, a kill -9 loop
//! and two syncs at once, each followed by a comparison of the cache with the demo tenant
//! object by object and membership by membership. Run it with
//! `cargo test --release --test it soak -- --ignored --nocapture`; sizes and counts come
//! from SOAK_USERS, SOAK_GROUPS, SOAK_FAULT, SOAK_KILLS and SOAK_PAIRS.

use entra_console::cache::Store;
use entra_console::demo::{self, DemoOptions, DemoServer};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn sync_cmd(home: &Path, url: &str, cache: &Path) -> Command {
    let mut c = crate::common::bin(home, true);
    c.args(["sync", "--graph-url", url, "--cache"]).arg(cache);
    c
}

/// What the cache got wrong against the server.
#[derive(Debug, Default, Clone, Copy)]
struct Diff {
    objects: usize,
    lost: usize,
    extra: usize,
    duplicated: usize,
    mismatched: usize,
    memberships: usize,
    members_lost: usize,
    members_extra: usize,
    corrupt: usize,
}

impl Diff {
    fn clean(&self) -> bool {
        self.lost + self.extra + self.duplicated + self.mismatched + self.corrupt == 0
            && self.members_lost + self.members_extra == 0
    }
}

/// Compare every cached user and group (each field the cache holds) and every membership.
fn compare(server: &DemoServer, cache: &Path) -> Diff {
    let mut d = Diff::default();
    let store = match Store::open(cache, false) {
        Ok(s) => s,
        Err(_) => {
            d.corrupt = 1;
            return d;
        }
    };
    if store.verify().is_err() {
        d.corrupt = 1;
        return d;
    }
    let t = server.state.tenant.read().unwrap();
    for (coll, theirs) in [("users", &t.users), ("groups", &t.groups)] {
        let by_id: BTreeMap<&str, &Value> = theirs
            .iter()
            .filter_map(|v| Some((v["id"].as_str()?, v)))
            .collect();
        let Ok((ours, _)) = store.list(coll) else {
            d.corrupt += 1;
            continue;
        };
        let ids: BTreeSet<&str> = ours.iter().filter_map(|v| v["id"].as_str()).collect();
        d.objects += ours.len();
        d.duplicated += ours.len() - ids.len();
        d.lost += by_id.keys().filter(|id| !ids.contains(*id)).count();
        for v in &ours {
            let Some(theirs) = v["id"].as_str().and_then(|id| by_id.get(id)) else {
                d.extra += 1;
                continue;
            };
            let same = v.as_object().is_some_and(|m| {
                m.iter()
                    .filter(|(k, _)| !k.starts_with('@') && !k.contains("@odata"))
                    .all(|(k, val)| theirs.get(k).unwrap_or(&Value::Null) == val)
            });
            if !same {
                d.mismatched += 1;
            }
        }
    }
    for (gid, members) in &t.members {
        let want: BTreeSet<&str> = members.iter().map(String::as_str).collect();
        let Ok((ours, _)) = store.members(gid) else {
            d.corrupt += 1;
            continue;
        };
        let got: BTreeSet<&str> = ours.iter().filter_map(|v| v["id"].as_str()).collect();
        d.memberships += got.len();
        d.members_lost += want.difference(&got).count();
        d.members_extra += got.difference(&want).count();
    }
    d
}

fn said(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "soak: minutes long; run by hand (README Security)"]
async fn soak() {
    let users = env_or("SOAK_USERS", 5000usize);
    let groups = env_or("SOAK_GROUPS", 1000usize);
    let fault = env_or("SOAK_FAULT", 0.1f64);
    let kills = env_or("SOAK_KILLS", 15usize);
    let pairs = env_or("SOAK_PAIRS", 10usize);
    let server = demo::start(DemoOptions {
        scale: demo::store::Scale {
            users: Some(users),
            groups: Some(groups),
            seed: 11,
        },
        throttle: true,
        fault_rate: fault,
        ..Default::default()
    })
    .await
    .unwrap();
    let url = server.url();
    let home = tempfile::tempdir().unwrap();
    let h = home.path().to_path_buf();
    let report = tokio::task::spawn_blocking(move || {
        let mut lines = Vec::new();
        let mut all_clean = true;
        let mut note = |name: &str, d: Diff, extra: String, lines: &mut Vec<String>| {
            all_clean &= d.clean();
            lines.push(format!(
                "| {name} | {} | {} | {} | {} | {} | {} | {} | {} | {extra} |",
                d.objects,
                d.memberships,
                d.lost,
                d.duplicated,
                d.extra + d.mismatched,
                d.members_lost + d.members_extra,
                d.corrupt,
                if d.clean() { "ok" } else { "FAILED" },
            ));
        };

        // 1. Faults and throttling: sync until it exits 0 (a failed run keeps what it read).
        let cache = h.join("fault.db");
        let start = Instant::now();
        let mut runs = 0;
        let mut failed = Vec::new();
        loop {
            runs += 1;
            let o = sync_cmd(&h, &url, &cache).output().unwrap();
            if o.status.success() || runs == 5 {
                break;
            }
            failed.push(said(&o).lines().last().unwrap_or_default().to_string());
        }
        note(
            &format!("faults {fault} + throttle"),
            compare(&server, &cache),
            format!(
                "{runs} run(s) in {:.0} s{}",
                start.elapsed().as_secs_f64(),
                failed
                    .first()
                    .map(|f| format!("; a failed run said: {f}"))
                    .unwrap_or_default()
            ),
            &mut lines,
        );

        // 2. kill -9 at random moments, then the next sync converges.
        let cache = h.join("kill.db");
        let mut seed = 0x5eed_u64;
        let mut integrity_failures = 0;
        for _ in 0..kills {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let wait = Duration::from_millis(100 + (seed >> 33) % 3000);
            let mut child = sync_cmd(&h, &url, &cache)
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(wait);
            let _ = child.kill();
            let _ = child.wait();
            if Store::open(&cache, false).and_then(|s| s.verify()).is_err() && cache.exists() {
                integrity_failures += 1;
            }
        }
        let mut converge = 0;
        while converge < 5
            && !sync_cmd(&h, &url, &cache)
                .output()
                .unwrap()
                .status
                .success()
        {
            converge += 1;
        }
        let mut d = compare(&server, &cache);
        d.corrupt += integrity_failures;
        note(
            &format!("kill -9 x{kills}"),
            d,
            format!("{integrity_failures} failed integrity checks after a kill"),
            &mut lines,
        );

        // 3. Two syncs at once on one cache.
        let cache = h.join("pair.db");
        let (mut both, mut busy) = (0, 0);
        for _ in 0..pairs {
            let outs = std::thread::scope(|s| {
                let a = s.spawn(|| sync_cmd(&h, &url, &cache).output().unwrap());
                let b = s.spawn(|| sync_cmd(&h, &url, &cache).output().unwrap());
                [a.join().unwrap(), b.join().unwrap()]
            });
            both += outs.iter().filter(|o| o.status.success()).count();
            busy += outs
                .iter()
                .filter(|o| said(o).contains("is being synced by"))
                .count();
        }
        while !sync_cmd(&h, &url, &cache)
            .output()
            .unwrap()
            .status
            .success()
        {}
        note(
            &format!("2 syncs at once x{pairs}"),
            compare(&server, &cache),
            format!("{both} runs exited 0, {busy} were told the cache was busy"),
            &mut lines,
        );
        (lines, all_clean)
    })
    .await
    .unwrap();
    println!("\nsoak: {users} users, {groups} groups");
    println!(
        "| run | objects | memberships | lost | duplicated | stale or wrong | membership errors | corrupt | result | notes |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for l in &report.0 {
        println!("{l}");
    }
    assert!(report.1, "the soak found differences (see the table)");
}

//! Tests of the SQLite cache: rounds, deltas, members, journal, damage, snapshots.

use super::*;
use serde_json::json;

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("c.db"), true).unwrap();
    (dir, s)
}

#[test]
fn migrations_from_empty() {
    let (_d, s) = store();
    assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len() as i32);
    let reopened = Store::open(&s.path, false).unwrap();
    assert_eq!(reopened.schema_version().unwrap(), MIGRATIONS.len() as i32);
}

#[test]
fn full_round_removes_what_it_did_not_see() {
    let (_d, s) = store();
    let r = s.begin_round("groups", true).unwrap();
    s.save_page(
        "groups",
        &r,
        &[json!({"id": "a"}), json!({"id": "b"})],
        None,
        None,
    )
    .unwrap();
    let r = s.begin_round("groups", true).unwrap();
    s.save_page(
        "groups",
        &r,
        &[json!({"id": "b", "displayName": "B2"})],
        Some("next"),
        None,
    )
    .unwrap();
    assert_eq!(s.count("groups").unwrap(), 2, "nothing removed mid-round");
    s.save_page("groups", &r, &[json!({"id": "c"})], None, Some("delta"))
        .unwrap();
    let (items, at) = s.list("groups").unwrap();
    let ids: Vec<_> = items.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["b", "c"]);
    assert!(at.is_some());
    assert_eq!(
        s.sync_state("groups").unwrap().delta_link.as_deref(),
        Some("delta")
    );
}

#[test]
fn an_unfinished_round_resumes() {
    let (_d, s) = store();
    let r = s.begin_round("users", true).unwrap();
    s.save_page(
        "users",
        &r,
        &[json!({"id": "a"})],
        Some("http://x/next"),
        None,
    )
    .unwrap();
    let again = s.begin_round("users", true).unwrap();
    assert_eq!(again.generation, r.generation);
    assert_eq!(again.next_link.as_deref(), Some("http://x/next"));
}

/// Issue 11, item 12: an object without an id (or with an empty one) is not kept.
#[test]
fn objects_without_an_id_are_not_kept() {
    let (_d, s) = store();
    let r = s.begin_round("users", true).unwrap();
    let (kept, _) = s
        .save_page(
            "users",
            &r,
            &[
                json!({"id": "a"}),
                json!({"displayName": "no id"}),
                json!({"id": ""}),
            ],
            None,
            None,
        )
        .unwrap();
    assert_eq!(kept, 1);
    assert_eq!(s.count("users").unwrap(), 1);
}

#[test]
fn delta_removals_apply() {
    let (_d, s) = store();
    let r = s.begin_round("users", true).unwrap();
    s.save_page(
        "users",
        &r,
        &[json!({"id": "a"}), json!({"id": "b"})],
        None,
        Some("d1"),
    )
    .unwrap();
    let r = s.begin_round("users", false).unwrap();
    let (_, removed) = s
        .save_page(
            "users",
            &r,
            &[
                json!({"id": "a", "@removed": {"reason": "changed"}}),
                json!({"id": "z"}),
            ],
            None,
            Some("d2"),
        )
        .unwrap();
    assert_eq!(removed, 1);
    let ids: Vec<_> = s
        .list("users")
        .unwrap()
        .0
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["b", "z"]);
}

#[test]
fn foreign_and_garbage_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"this is not sqlite at all, just text").unwrap();
    assert!(matches!(
        Store::open(&junk, true),
        Err(CacheError::Foreign(..))
    ));
    let other = dir.path().join("other.db");
    Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x INTEGER);")
        .unwrap();
    let e = Store::open(&other, true).unwrap_err();
    assert!(e.to_string().contains("another program"), "{e}");
    assert!(matches!(
        Store::open(&dir.path().join("none.db"), false),
        Err(CacheError::Missing(_))
    ));
}

#[test]
fn journal_and_snapshot() {
    let (d, s) = store();
    s.journal_add(&JournalEntry {
        time: now(),
        profile: "p".into(),
        method: "PATCH".into(),
        path: "/x".into(),
        outcome: "ok".into(),
        ..Default::default()
    })
    .unwrap();
    let j = s.journal().unwrap();
    assert_eq!(j[0]["method"], "PATCH");
    let snap = d.path().join("snap.db");
    s.snapshot(&snap).unwrap();
    let copy = Store::open(&snap, false).unwrap();
    assert_eq!(copy.journal().unwrap().len(), 1);
    assert!(s.snapshot(&snap).is_err(), "never overwrites");
}

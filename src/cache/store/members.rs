//! Group memberships in the cache: a group's members, `members@delta` pages, references
//! completed by name, and the groups a member is in.

use super::{CacheError, Store, now};
use chrono::{DateTime, Utc};
use rusqlite::params;
use serde_json::Value;

/// One group's part of a `members@delta` page.
#[derive(Debug, Default)]
pub struct MemberDelta {
    pub id: String,
    /// The group itself was removed (`@removed`): its memberships go.
    pub removed: bool,
    /// Replace the group's kept members (its first sight in a full round).
    pub replace: bool,
    /// `{"@odata.type", "id"}` references, `@removed` on the ones that left.
    pub refs: Vec<Value>,
}

impl Store {
    /// Replace a group's members in one transaction.
    pub fn replace_members(&self, group_id: &str, members: &[Value]) -> Result<(), CacheError> {
        let ts = now();
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM members WHERE group_id = ?1", [group_id])?;
            {
                let mut ins = tx.prepare_cached("INSERT OR REPLACE INTO members (group_id, member_id, json, synced_at) VALUES (?1, ?2, ?3, ?4)")?;
                for m in members {
                    if let Some(id) = m["id"].as_str() {
                        ins.execute(params![group_id, id, m.to_string(), ts])?;
                    }
                }
            }
            tx.commit()
        })
    }

    /// A group's cached members. A member kept as a reference (`members@delta` carries only
    /// `@odata.type` and `id`) is completed from the cached user or group of that id.
    pub fn members(
        &self,
        group_id: &str,
    ) -> Result<(Vec<Value>, Option<DateTime<Utc>>), CacheError> {
        let rows = self.with(|c| {
            let mut st = c.prepare_cached(
                "SELECT m.json, m.synced_at, o.json FROM members m
                 LEFT JOIN objects o ON o.id = m.member_id AND o.collection IN ('users', 'groups')
                 WHERE m.group_id = ?1 ORDER BY m.rowid",
            )?;
            st.query_map([group_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<(String, String, Option<String>)>>>()
        })?;
        let at = rows.iter().map(|(_, t, _)| t).max().and_then(|t| {
            DateTime::parse_from_rfc3339(t)
                .ok()
                .map(|d| d.with_timezone(&Utc))
        });
        let (refs, objects): (Vec<String>, Vec<Option<String>>) =
            rows.into_iter().map(|(j, _, o)| (j, o)).unzip();
        let mut items = self.parse(refs, "member")?;
        for (m, o) in items.iter_mut().zip(objects) {
            let is_ref = m.as_object().is_some_and(|o| o.len() <= 2);
            if let (true, Some(Ok(Value::Object(full)))) =
                (is_ref, o.map(|o| serde_json::from_str::<Value>(&o)))
                && let Some(mm) = m.as_object_mut()
            {
                for (k, v) in full {
                    mm.entry(k).or_insert(v);
                }
            }
        }
        Ok((items, at))
    }

    /// Apply one page of group `members@delta` in one transaction: per group, its references
    /// (replacing what was kept when `replace`, the group's first sight in a full round), a
    /// member with `@removed` dropped, a removed group's memberships dropped; then the links.
    pub fn save_member_page(
        &self,
        coll: &str,
        groups: &[MemberDelta],
        next_link: Option<&str>,
        delta_link: Option<&str>,
    ) -> Result<(usize, usize), CacheError> {
        let ts = now();
        self.with(|c| {
            let tx = c.transaction()?;
            let (mut added, mut removed) = (0, 0);
            {
                let mut ins = tx.prepare_cached("INSERT OR REPLACE INTO members (group_id, member_id, json, synced_at) VALUES (?1, ?2, ?3, ?4)")?;
                let mut del = tx.prepare_cached("DELETE FROM members WHERE group_id = ?1 AND member_id = ?2")?;
                let mut clear = tx.prepare_cached("DELETE FROM members WHERE group_id = ?1")?;
                for g in groups {
                    // A replaced group's old references are not counted as removals.
                    if g.removed {
                        removed += clear.execute([&g.id])?;
                    } else if g.replace {
                        clear.execute([&g.id])?;
                    }
                    for m in &g.refs {
                        let Some(mid) = m["id"].as_str() else { continue };
                        if m.get("@removed").is_some() {
                            removed += del.execute(params![g.id, mid])?;
                        } else {
                            ins.execute(params![g.id, mid, m.to_string(), ts])?;
                            added += 1;
                        }
                    }
                }
            }
            tx.execute(
                "INSERT INTO sync_state (collection) VALUES (?1) ON CONFLICT (collection) DO NOTHING",
                [coll],
            )?;
            tx.execute(
                "UPDATE sync_state SET next_link = ?2, delta_link = COALESCE(?3, delta_link) WHERE collection = ?1",
                params![coll, next_link, delta_link],
            )?;
            if next_link.is_none() {
                tx.execute("UPDATE sync_state SET last_sync = ?2, full_round = 0 WHERE collection = ?1", params![coll, ts])?;
            }
            tx.commit()?;
            Ok((added, removed))
        })
    }

    /// Members kept as bare references (`members@delta`) whose user or group is not cached:
    /// their names must be read.
    pub fn unresolved_members(&self) -> Result<Vec<String>, CacheError> {
        self.with(|c| {
            c.prepare(
                "SELECT DISTINCT m.member_id FROM members m
                 WHERE m.json NOT LIKE '%\"displayName\"%'
                 AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.id = m.member_id AND o.collection IN ('users', 'groups'))",
            )?
            .query_map([], |r| r.get(0))?
            .collect()
        })
    }

    /// Keep the objects Graph returned for bare member references in place of the references.
    pub fn complete_members(&self, objects: &[Value]) -> Result<(), CacheError> {
        self.with(|c| {
            let tx = c.transaction()?;
            {
                let mut up =
                    tx.prepare_cached("UPDATE members SET json = ?2 WHERE member_id = ?1")?;
                for o in objects {
                    if let Some(id) = o["id"].as_str() {
                        up.execute(params![id, o.to_string()])?;
                    }
                }
            }
            tx.commit()
        })
    }

    /// After a full membership round: drop the memberships of groups the round did not see.
    pub fn keep_members_of(
        &self,
        seen: &std::collections::HashSet<String>,
    ) -> Result<usize, CacheError> {
        self.with(|c| {
            let ids: Vec<String> = c
                .prepare("SELECT DISTINCT group_id FROM members")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let tx = c.transaction()?;
            let mut n = 0;
            for id in ids.iter().filter(|i| !seen.contains(*i)) {
                n += tx.execute("DELETE FROM members WHERE group_id = ?1", [id])?;
            }
            tx.commit()?;
            Ok(n)
        })
    }

    /// Groups whose cached members include `member_id` (direct membership); `None` when no
    /// group's members were ever cached (membership unknown, not empty).
    pub fn member_of(&self, member_id: &str) -> Result<Option<Vec<String>>, CacheError> {
        self.with(|c| {
            let any: i64 = c.query_row("SELECT COUNT(*) FROM members", [], |r| r.get(0))?;
            if any == 0 {
                return Ok(None);
            }
            let mut st = c.prepare_cached("SELECT group_id FROM members WHERE member_id = ?1")?;
            let ids = st
                .query_map([member_id], |r| r.get::<_, String>(0))?
                .filter_map(|r| r.ok())
                .collect();
            Ok(Some(ids))
        })
    }
}

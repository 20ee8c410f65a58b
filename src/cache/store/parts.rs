//! The cache as named parts for a review package: each collection of objects, the group
//! memberships, the sync state, the journal and the meta table, each with its row count and a
//! SHA-256 over its rows in a fixed order (so the same content always digests the same,
//! whatever SQLite's page layout).

use super::{CacheError, Store};
use sha2::{Digest, Sha256};

/// One part: its name, how many rows, and the hex SHA-256 of its rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Part {
    pub name: String,
    pub rows: usize,
    pub sha256: String,
}

/// Bytes (a digest) as lowercase hex.
pub fn hex(d: impl AsRef<[u8]>) -> String {
    use std::fmt::Write;
    d.as_ref().iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

impl Store {
    /// Every part, collections by name first, then `members`, `sync_state`, `journal`, `meta`.
    pub fn parts(&self) -> Result<Vec<Part>, CacheError> {
        self.with(|c| {
            let mut out: Vec<Part> = Vec::new();
            let mut add = |name: &str, sql: &str| -> rusqlite::Result<()> {
                let mut st = c.prepare(sql)?;
                let cols = st.column_count();
                let mut rows = st.query([])?;
                let (mut h, mut n) = (Sha256::new(), 0usize);
                let mut current: Option<String> = None;
                while let Some(r) = rows.next()? {
                    // A collection query groups by its first column: one part each.
                    let (part, from) = if name.is_empty() {
                        (r.get::<_, String>(0)?, 1)
                    } else {
                        (name.to_string(), 0)
                    };
                    if current.as_deref() != Some(part.as_str()) {
                        if let Some(p) = current.take() {
                            out.push(Part {
                                name: p,
                                rows: n,
                                sha256: hex(std::mem::take(&mut h).finalize()),
                            });
                            n = 0;
                        }
                        current = Some(part);
                    }
                    for i in from..cols {
                        let v: rusqlite::types::Value = r.get(i)?;
                        let text = match v {
                            rusqlite::types::Value::Null => String::from("\u{0}"),
                            rusqlite::types::Value::Integer(i) => i.to_string(),
                            rusqlite::types::Value::Real(f) => f.to_string(),
                            rusqlite::types::Value::Text(t) => t,
                            rusqlite::types::Value::Blob(b) => hex(b),
                        };
                        h.update(text.as_bytes());
                        h.update(b"\t");
                    }
                    h.update(b"\n");
                    n += 1;
                }
                match current {
                    Some(p) => out.push(Part {
                        name: p,
                        rows: n,
                        sha256: hex(h.finalize()),
                    }),
                    // An empty named table is a part too (its absence would hide a deletion).
                    None if !name.is_empty() => out.push(Part {
                        name: name.to_string(),
                        rows: 0,
                        sha256: hex(Sha256::new().finalize()),
                    }),
                    None => {}
                }
                Ok(())
            };
            add(
                "",
                "SELECT collection, id, json, synced_at FROM objects ORDER BY collection, id",
            )?;
            add(
                "members",
                "SELECT group_id, member_id, json, synced_at FROM members ORDER BY group_id, member_id",
            )?;
            add("sync_state", "SELECT * FROM sync_state ORDER BY collection")?;
            add("journal", "SELECT * FROM journal ORDER BY seq")?;
            add("meta", "SELECT key, value FROM meta ORDER BY key")?;
            Ok(out)
        })
    }
}

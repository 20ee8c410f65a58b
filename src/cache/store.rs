//! The SQLite cache: raw Graph JSON per object with indexed columns, sync state per collection
//! (generation, resume link, delta link), group members, and the journal of writes. WAL, one
//! transaction per page, numbered migrations in `user_version`, an `application_id` so a
//! foreign file is refused with a clear message.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// "ECON": marks a file as an entra-console cache.
pub const APPLICATION_ID: i32 = 0x4543_4F4E;

/// Numbered migrations; `user_version` is the number applied.
const MIGRATIONS: &[&str] = &[
    r"
CREATE TABLE objects (
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    display_name TEXT,
    json TEXT NOT NULL,
    gen INTEGER NOT NULL DEFAULT 0,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (collection, id)
);
CREATE INDEX objects_by_name ON objects (collection, display_name);
CREATE TABLE sync_state (
    collection TEXT PRIMARY KEY,
    gen INTEGER NOT NULL DEFAULT 0,
    full_round INTEGER NOT NULL DEFAULT 0,
    next_link TEXT,
    delta_link TEXT,
    last_full_sync TEXT,
    last_sync TEXT
);
CREATE TABLE members (
    group_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    json TEXT NOT NULL,
    synced_at TEXT NOT NULL,
    PRIMARY KEY (group_id, member_id)
);
CREATE TABLE journal (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    profile TEXT NOT NULL,
    user TEXT,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    before TEXT,
    after TEXT,
    outcome TEXT NOT NULL,
    request_id TEXT,
    claims_context TEXT
);
",
    r"
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
",
    // Memberships by member: a removed user leaves its groups, references are completed.
    r"
CREATE INDEX members_by_member ON members (member_id);
",
    // A collection in first-seen order straight from an index (its entries sort by rowid):
    // the first screen of a 1M-row collection sorted every row to find its first 200.
    r"
CREATE INDEX objects_in_order ON objects (collection);
",
    // The incident a write was part of (the steps of one containment share it).
    r"
ALTER TABLE journal ADD COLUMN incident TEXT;
",
];

/// Cache failures, each naming the file.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("{0}: not an entra-console cache ({1})")]
    Foreign(PathBuf, String),
    #[error("{0}: written by a newer entra-console (schema {1}, this build knows {2})")]
    TooNew(PathBuf, i32, usize),
    #[error("cache damaged: {0}: {1}; run `entra-console sync --full` or import a snapshot")]
    Corrupt(PathBuf, String),
    #[error("the cache {0} is being synced by {1}; try again when it ends")]
    Busy(PathBuf, String),
    #[error("{0}: {1}")]
    Sql(PathBuf, String),
    #[error("no cache at {0}: run `entra-console sync` first")]
    Missing(PathBuf),
}

/// How much of a collection the cache holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Synced {
    /// Never synced.
    Never,
    /// A round began and did not finish: what is there is part of it.
    Cut,
    /// The last round finished.
    Whole,
}

impl Synced {
    /// Why an offline reader refuses it, naming the sync that fixes it (`None`: whole).
    pub fn refusal(self, coll: &str) -> Option<String> {
        match self {
            Synced::Whole => None,
            Synced::Never => Some(format!(
                "{coll} was never synced into this cache: run `entra-console sync {coll}` \
                 (or --partial to write what is there)"
            )),
            Synced::Cut => Some(format!(
                "{coll} is only partly in this cache (its last sync was cut short): run \
                 `entra-console sync {coll}` to finish it (or --partial to write what is there)"
            )),
        }
    }
}

/// Where a collection's sync stands.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SyncState {
    pub generation: i64,
    pub full_round: bool,
    pub next_link: Option<String>,
    pub delta_link: Option<String>,
    pub last_full_sync: Option<String>,
    pub last_sync: Option<String>,
}

/// One write the console made.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct JournalEntry {
    pub time: String,
    pub profile: String,
    pub user: Option<String>,
    pub method: String,
    pub path: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub outcome: String,
    pub request_id: Option<String>,
    pub claims_context: Option<String>,
    /// The incident the write was a step of (`export incident ID`).
    pub incident: Option<String>,
}

impl JournalEntry {
    /// The record of one write sent now: what was sent and Graph's answer (its request-id, or
    /// the error). The signed-in user is filled in where the session is known.
    pub fn of_write(
        profile: &str,
        method: &str,
        path: String,
        after: Option<String>,
        answer: Result<Option<String>, String>,
    ) -> JournalEntry {
        // done / failed / unknown: a write whose answer was lost is not "failed".
        let (outcome, request_id) = match answer {
            Ok(rid) => ("ok".to_string(), rid),
            Err(e) if e.starts_with("unknown") => (e, None),
            Err(e) => (format!("failed: {e}"), None),
        };
        JournalEntry {
            time: Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            profile: profile.to_string(),
            method: method.to_string(),
            path,
            after,
            outcome,
            request_id,
            ..Default::default()
        }
    }
}

/// An open cache. All calls block: async code runs them through [`off_thread`].
#[derive(Debug)]
pub struct Store {
    conn: Mutex<Connection>,
    pub path: PathBuf,
}

/// Run `f` again while SQLite says the database is busy or locked, for up to 5 s.
fn busy_retry<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    use rusqlite::ErrorCode::{DatabaseBusy, DatabaseLocked};
    let start = std::time::Instant::now();
    loop {
        match f() {
            Err(e)
                if matches!(e.sqlite_error_code(), Some(DatabaseBusy | DatabaseLocked))
                    && start.elapsed() < std::time::Duration::from_secs(5) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Store {
    /// Open (creating when `create`) and migrate. A foreign or damaged file is refused.
    pub fn open(path: &Path, create: bool) -> Result<Store, CacheError> {
        let p = path.to_path_buf();
        let sql = |e: rusqlite::Error| CacheError::Sql(p.clone(), e.to_string());
        // A folder on the way that is a file: said in words ("File exists" / "Not a
        // directory" named neither the file nor the way out).
        if let Some(why) = crate::private::file_in_the_way(path) {
            return Err(CacheError::Sql(p.clone(), why));
        }
        // The header only: reading a large cache whole would cost the first frame.
        let header = std::fs::File::open(path).and_then(|f| {
            let mut head = Vec::with_capacity(16);
            std::io::Read::read_to_end(&mut std::io::Read::take(f, 16), &mut head)?;
            Ok(head)
        });
        match header {
            Ok(bytes) if !bytes.is_empty() && !bytes.starts_with(b"SQLite format 3\0") => {
                return Err(CacheError::Foreign(p, "not a SQLite database".into()));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !create {
                    return Err(CacheError::Missing(p));
                }
                // Directory data and the write journal: 0600 in a 0700 folder (SQLite gives
                // its journal and WAL files the database's mode).
                if let Some(dir) = path.parent() {
                    crate::private::create_dir(dir)
                        .map_err(|e| CacheError::Sql(p.clone(), e.to_string()))?;
                }
                // Another process creating it at the same moment is fine: it is then there.
                match crate::private::create_file(path) {
                    Ok(_) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                    Err(e) => return Err(CacheError::Sql(p.clone(), e.to_string())),
                }
            }
            Err(e) => return Err(CacheError::Sql(p, e.to_string())),
        }
        let conn = Connection::open(path).map_err(sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(sql)?;
        let tables = |c: &Connection| -> rusqlite::Result<i64> {
            c.query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
        };
        let mark = |c: &Connection| -> rusqlite::Result<(i32, i32)> {
            Ok((
                c.query_row("PRAGMA application_id", [], |r| r.get(0))?,
                c.query_row("PRAGMA user_version", [], |r| r.get(0))?,
            ))
        };
        // The foreign check reads only (another program's file is never changed), in one
        // read transaction: another entra-console creating the file at this moment commits
        // its mark, version and tables together, and they are seen together or not at all.
        let (app_id, version, unmarked_tables) = {
            let tx = busy_retry(|| {
                rusqlite::Transaction::new_unchecked(&conn, rusqlite::TransactionBehavior::Deferred)
            })
            .map_err(sql)?;
            let (app_id, version) = mark(&tx).map_err(sql)?;
            let unmarked = app_id == 0 && version == 0 && tables(&tx).map_err(sql)? > 0;
            tx.commit().map_err(sql)?;
            (app_id, version, unmarked)
        };
        if app_id != APPLICATION_ID && (app_id != 0 || version != 0 || unmarked_tables) {
            return Err(CacheError::Foreign(
                p,
                "a SQLite database of another program".into(),
            ));
        }
        if version as usize > MIGRATIONS.len() {
            return Err(CacheError::TooNew(p, version, MIGRATIONS.len()));
        }
        // Switching a new file to WAL needs it to itself for a moment, and SQLite reports
        // "locked" without waiting when another process opens it at the same instant.
        busy_retry(|| conn.pragma_update(None, "journal_mode", "WAL")).map_err(sql)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql)?;
        // Marking and migrating happen in one write transaction, deciding again inside it:
        // two processes opening a new cache at once cannot both create the tables, and
        // neither sees a half-made file (its tables without its mark).
        let tx = busy_retry(|| {
            rusqlite::Transaction::new_unchecked(&conn, rusqlite::TransactionBehavior::Immediate)
        })
        .map_err(sql)?;
        let app_id: i32 = tx
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(sql)?;
        let version: i32 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(sql)?;
        if app_id != APPLICATION_ID {
            if app_id != 0 || version != 0 || tables(&tx).map_err(sql)? > 0 {
                return Err(CacheError::Foreign(
                    p,
                    "a SQLite database of another program".into(),
                ));
            }
            tx.pragma_update(None, "application_id", APPLICATION_ID)
                .map_err(sql)?;
        }
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            tx.execute_batch(m).map_err(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i32)
                .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(Store {
            conn: Mutex::new(conn),
            path: p,
        })
    }

    /// `PRAGMA quick_check`: a damaged cache is reported (it scans the whole file, so the
    /// console runs it after the first frame; `snapshot import` before copying).
    pub fn verify(&self) -> Result<(), CacheError> {
        // On a connection of its own (WAL allows it): the scan must not hold the shared
        // connection's lock while lists are read from the cache.
        let corrupt = |e: rusqlite::Error| CacheError::Corrupt(self.path.clone(), e.to_string());
        let conn = Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(corrupt)?;
        let check: String = conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(corrupt)?;
        if check != "ok" {
            // SQLite's report can run to thousands of characters over many lines: the error
            // is one short line, the whole report goes to the log.
            tracing::warn!(path = %self.path.display(), "cache integrity check: {check}");
            let first = check
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("damaged");
            let mut short: String = first.trim().chars().take(100).collect();
            if short != check.trim() {
                short.push_str("… (the whole check is in the log)");
            }
            return Err(CacheError::Corrupt(self.path.clone(), short));
        }
        Ok(())
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, CacheError> {
        let mut c = self
            .conn
            .lock()
            .map_err(|_| CacheError::Sql(self.path.clone(), "cache lock poisoned".into()))?;
        f(&mut c).map_err(|e| self.sql_error(e))
    }

    /// A SQLite error, as damage when SQLite says the file is damaged.
    fn sql_error(&self, e: rusqlite::Error) -> CacheError {
        use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
        match e.sqlite_error_code() {
            Some(DatabaseCorrupt | NotADatabase) => {
                CacheError::Corrupt(self.path.clone(), e.to_string())
            }
            _ => CacheError::Sql(self.path.clone(), e.to_string()),
        }
    }

    /// Parse stored JSON; text that is not JSON means the file is damaged.
    fn parse(&self, texts: Vec<String>, what: &str) -> Result<Vec<Value>, CacheError> {
        texts
            .into_iter()
            .map(|t| {
                serde_json::from_str(&t).map_err(|e| {
                    CacheError::Corrupt(
                        self.path.clone(),
                        format!("a stored {what} is not JSON ({e})"),
                    )
                })
            })
            .collect()
    }

    pub fn schema_version(&self) -> Result<i32, CacheError> {
        self.with(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
    }

    /// Whether a collection's sync ever finished: an offline export or list must not pass off
    /// a round that was cut short (a resume link is pending) or never ran as the whole.
    pub fn completeness(&self, coll: &str) -> Result<Synced, CacheError> {
        let st = self.sync_state(coll)?;
        Ok(match (&st.last_sync, &st.next_link) {
            (None, _) => Synced::Never,
            (Some(_), Some(_)) => Synced::Cut,
            (Some(_), None) => Synced::Whole,
        })
    }

    pub fn sync_state(&self, coll: &str) -> Result<SyncState, CacheError> {
        self.with(|c| {
            c.query_row(
                "SELECT gen, full_round, next_link, delta_link, last_full_sync, last_sync FROM sync_state WHERE collection = ?1",
                [coll],
                |r| {
                    Ok(SyncState {
                        generation: r.get(0)?,
                        full_round: r.get::<_, i64>(1)? != 0,
                        next_link: r.get(2)?,
                        delta_link: r.get(3)?,
                        last_full_sync: r.get(4)?,
                        last_sync: r.get(5)?,
                    })
                },
            )
            .optional()
            .map(Option::unwrap_or_default)
        })
    }

    /// Start a round. A round left unfinished (crash) is resumed from its saved link; a new
    /// full round takes a new generation (objects it does not see are removed at its end).
    pub fn begin_round(&self, coll: &str, full: bool) -> Result<SyncState, CacheError> {
        let st = self.sync_state(coll)?;
        if st.next_link.is_some() {
            return Ok(st);
        }
        let generation = if full {
            st.generation + 1
        } else {
            st.generation
        };
        self.with(|c| {
            c.execute(
                "INSERT INTO sync_state (collection, gen, full_round) VALUES (?1, ?2, ?3)
                 ON CONFLICT (collection) DO UPDATE SET gen = ?2, full_round = ?3",
                params![coll, generation, i64::from(full)],
            )
        })?;
        Ok(SyncState {
            generation,
            full_round: full,
            ..st
        })
    }

    /// Save one page in one transaction: upserts, `@removed` deletions, the resume link, and on
    /// the last page the delta link, the time and (for a full round) removal of what was not seen.
    pub fn save_page(
        &self,
        coll: &str,
        round: &SyncState,
        items: &[Value],
        next_link: Option<&str>,
        delta_link: Option<&str>,
    ) -> Result<(usize, usize), CacheError> {
        let ts = now();
        self.with(|c| {
            let tx = c.transaction()?;
            let (mut upserts, mut removed) = (0, 0);
            {
                let mut up = tx.prepare_cached(
                    "INSERT INTO objects (collection, id, display_name, json, gen, synced_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (collection, id) DO UPDATE SET display_name = ?3, json = ?4, gen = ?5, synced_at = ?6",
                )?;
                let mut del = tx.prepare_cached("DELETE FROM objects WHERE collection = ?1 AND id = ?2")?;
                for v in items {
                    // An object without an id cannot be kept (sync counts and reports them).
                    let Some(id) = v["id"].as_str().filter(|i| !i.is_empty()) else { continue };
                    if v.get("@removed").is_some() {
                        removed += del.execute(params![coll, id])?;
                        // A deleted user or group leaves every group it was in (Graph's group
                        // delta does not always report that cascade) and a group its members.
                        if coll == "users" || coll == "groups" {
                            tx.execute("DELETE FROM members WHERE member_id = ?1 OR group_id = ?1", [id])?;
                        }
                    } else {
                        up.execute(params![coll, id, v["displayName"].as_str(), v.to_string(), round.generation, ts])?;
                        upserts += 1;
                    }
                }
            }
            let last = next_link.is_none();
            tx.execute(
                "UPDATE sync_state SET next_link = ?2, delta_link = COALESCE(?3, delta_link) WHERE collection = ?1",
                params![coll, next_link, delta_link],
            )?;
            if last {
                if round.full_round {
                    removed += tx.execute("DELETE FROM objects WHERE collection = ?1 AND gen != ?2", params![coll, round.generation])?;
                    tx.execute("UPDATE sync_state SET last_full_sync = ?2 WHERE collection = ?1", params![coll, ts])?;
                }
                tx.execute("UPDATE sync_state SET last_sync = ?2, full_round = 0 WHERE collection = ?1", params![coll, ts])?;
            }
            tx.commit()?;
            Ok((upserts, removed))
        })
    }

    /// Replace a whole collection with `items` in one round (what the audit read, kept for an
    /// offline audit of the cache or a snapshot).
    pub fn replace_collection(&self, coll: &str, items: &[Value]) -> Result<(), CacheError> {
        self.reset_round(coll)?;
        let round = self.begin_round(coll, true)?;
        self.save_page(coll, &round, items, None, None)?;
        Ok(())
    }

    /// Forget an unfinished round whose link no longer works, so the next round starts over.
    pub fn reset_round(&self, coll: &str) -> Result<(), CacheError> {
        self.with(|c| {
            c.execute(
                "UPDATE sync_state SET next_link = NULL, delta_link = NULL WHERE collection = ?1",
                [coll],
            )
            .map(|_| ())
        })
    }

    /// A collection's objects in the order they were first seen, and when it was last synced.
    pub fn list(&self, coll: &str) -> Result<(Vec<Value>, Option<DateTime<Utc>>), CacheError> {
        self.list_head(coll, None)
    }

    /// The first `limit` objects of a collection (all with `None`): enough for a first screen.
    pub fn list_head(
        &self,
        coll: &str,
        limit: Option<usize>,
    ) -> Result<(Vec<Value>, Option<DateTime<Utc>>), CacheError> {
        let limit = limit.map(|n| n as i64).unwrap_or(-1);
        let items = self.with(|c| {
            let mut st = c.prepare_cached(
                "SELECT json FROM objects WHERE collection = ?1 ORDER BY rowid LIMIT ?2",
            )?;
            let rows = st.query_map(params![coll, limit], |r| r.get::<_, String>(0))?;
            // A row SQLite cannot read fails the whole list: a short list is never passed
            // off as the collection.
            rows.collect::<rusqlite::Result<Vec<String>>>()
        })?;
        let items = self.parse(items, coll)?;
        let at = self
            .sync_state(coll)?
            .last_sync
            .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| t.with_timezone(&Utc));
        Ok((items, at))
    }

    /// A collection in first-seen order, `chunk` objects at a time to `f` (which says whether
    /// to go on); the text of one chunk is parsed while the next is not yet read.
    pub fn list_chunks(
        &self,
        coll: &str,
        chunk: usize,
        f: &mut dyn FnMut(Vec<Value>) -> bool,
    ) -> Result<(), CacheError> {
        let mut after = 0i64;
        loop {
            let rows: Vec<(i64, String)> = self.with(|c| {
                let mut st = c.prepare_cached(
                    "SELECT rowid, json FROM objects NOT INDEXED WHERE rowid > ?2 AND collection = ?1 ORDER BY rowid LIMIT ?3",
                )?;
                st.query_map(params![coll, after, chunk as i64], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect()
            })?;
            let Some(&(last, _)) = rows.last() else {
                return Ok(());
            };
            after = last;
            let n = rows.len();
            let items = self.parse(rows.into_iter().map(|(_, j)| j).collect(), coll)?;
            if !f(items) || n < chunk {
                return Ok(());
            }
        }
    }

    pub fn count(&self, coll: &str) -> Result<usize, CacheError> {
        self.with(|c| {
            c.query_row(
                "SELECT count(*) FROM objects WHERE collection = ?1",
                [coll],
                |r| r.get::<_, i64>(0),
            )
        })
        .map(|n| n as usize)
    }

    pub fn journal_add(&self, e: &JournalEntry) -> Result<(), CacheError> {
        // Whoever built the entry, a password or a pass in it is not kept.
        let keep = |t: &Option<String>| {
            t.as_ref().map(|t| match serde_json::from_str::<Value>(t) {
                Ok(v) => crate::graph::secret_free(&v).to_string(),
                Err(_) => t.clone(),
            })
        };
        let (before, after) = (keep(&e.before), keep(&e.after));
        self.with(|c| {
            c.execute(
                "INSERT INTO journal (time, profile, user, method, path, before, after, outcome, request_id, claims_context, incident)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                params![e.time, e.profile, e.user, e.method, e.path, before, after, e.outcome, e.request_id, e.claims_context, e.incident],
            )
            .map(|_| ())
        })
    }

    /// The journal as Graph-like JSON objects (newest first), for the list and exports.
    pub fn journal(&self) -> Result<Vec<Value>, CacheError> {
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT seq, time, profile, user, method, path, before, after, outcome, request_id, claims_context, incident FROM journal ORDER BY seq DESC",
            )?;
            let rows = st.query_map([], |r| {
                Ok(serde_json::json!({
                    "id": r.get::<_, i64>(0)?.to_string(), "time": r.get::<_, String>(1)?, "profile": r.get::<_, String>(2)?,
                    "user": r.get::<_, Option<String>>(3)?, "method": r.get::<_, String>(4)?, "path": r.get::<_, String>(5)?,
                    "before": r.get::<_, Option<String>>(6)?, "after": r.get::<_, Option<String>>(7)?, "outcome": r.get::<_, String>(8)?,
                    "requestId": r.get::<_, Option<String>>(9)?, "claimsContext": r.get::<_, Option<String>>(10)?,
                    "incident": r.get::<_, Option<String>>(11)?,
                }))
            })?;
            Ok(rows.filter_map(|r| r.ok()).collect())
        })
    }

    /// Display names of cached objects among `ids` (any collection), for names offline.
    pub fn names_of(&self, ids: &[String]) -> Result<Vec<(String, String)>, CacheError> {
        self.with(|c| {
            let mut st = c.prepare_cached(
                "SELECT id, display_name FROM objects WHERE id = ?1 AND display_name IS NOT NULL LIMIT 1",
            )?;
            let mut out = Vec::new();
            for id in ids {
                if let Some(pair) = st
                    .query_row([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
                    .optional()?
                {
                    out.push(pair);
                }
            }
            Ok(out)
        })
    }

    /// One cached user by id (the primary key) or, failing that, by user principal name (any
    /// case): what xray reads offline.
    pub fn user(&self, key: &str) -> Result<Option<Value>, CacheError> {
        self.with(|c| {
            let by_id: Option<String> = c
                .query_row(
                    "SELECT json FROM objects WHERE collection = 'users' AND id = ?1",
                    [key],
                    |r| r.get(0),
                )
                .optional()?;
            let json = match by_id {
                Some(j) => Some(j),
                None => c
                    .query_row(
                        "SELECT json FROM objects WHERE collection = 'users' \
                         AND lower(json_extract(json, '$.userPrincipalName')) = lower(?1) LIMIT 1",
                        [key],
                        |r| r.get(0),
                    )
                    .optional()?,
            };
            Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
        })
    }

    /// The tenant this cache holds (domain or id), when known.
    pub fn tenant(&self) -> Option<String> {
        self.with(|c| {
            c.query_row("SELECT value FROM meta WHERE key = 'tenant'", [], |r| {
                r.get::<_, String>(0)
            })
            .optional()
        })
        .ok()
        .flatten()
    }

    /// Record the tenant this cache holds (a snapshot import compares it).
    pub fn set_tenant(&self, tenant: &str) -> Result<(), CacheError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO meta (key, value) VALUES ('tenant', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [tenant],
            )
            .map(|_| ())
        })
    }

    /// A consistent copy for a reviewer (`VACUUM INTO`). Tokens are never in the cache. A copy
    /// that fails (a full disk) is removed, and the error names the copy, not the cache.
    pub fn snapshot(&self, dest: &Path) -> Result<(), CacheError> {
        if dest.exists() {
            return Err(CacheError::Sql(
                dest.to_path_buf(),
                "already exists; choose a new file name".into(),
            ));
        }
        // Created empty as 0600 first: VACUUM INTO fills an empty file.
        crate::private::create_file(dest)
            .map_err(|e| CacheError::Sql(dest.to_path_buf(), e.to_string()))?;
        let d = dest.to_string_lossy().to_string();
        self.with(|c| c.execute("VACUUM INTO ?1", [d]).map(|_| ()))
            .map_err(|e| {
                let _ = std::fs::remove_file(dest);
                let why = match e {
                    CacheError::Sql(_, why) => why,
                    other => other.to_string(),
                };
                // Both files are named: the error may be the copy's (a full disk) or the cache's.
                CacheError::Sql(
                    dest.to_path_buf(),
                    format!(
                        "{why} (copying the cache {}); the copy was not written (nothing left there)",
                        self.path.display()
                    ),
                )
            })
    }
}

/// Run `f` on the store off the async runtime (SQLite calls block): the one place in the
/// console that hands cache work to a blocking thread.
pub async fn off_thread<T: Send + 'static>(
    store: std::sync::Arc<Store>,
    f: impl FnOnce(&Store) -> Result<T, CacheError> + Send + 'static,
) -> Result<T, CacheError> {
    let path = store.path.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| CacheError::Sql(path, format!("cache task failed: {e}")))?
}

pub mod members;
pub mod parts;

#[cfg(test)]
mod tests;

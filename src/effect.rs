//! The effect interpreter: runs each `Effect` (Graph reads and writes, cache reads and
//! write-through, step-up, clipboard) as a tokio task that reports back as `Msg`s, and stops
//! the tasks of views that went away.

use crate::auth::step_up::step_up_with;
use crate::cache::{CacheKey, Store, SyncState};
use crate::connect::Connector;
use crate::graph::{GraphClient, Request};
use crate::msg::{Effect, Msg, RequestId, Switch};
use crate::protect::Facts;
use futures::StreamExt;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

/// Read a list (or a group's members) from the cache, off the UI task.
async fn read_cached(
    store: Arc<Store>,
    key: CacheKey,
) -> Option<(Vec<Value>, Option<chrono::DateTime<chrono::Utc>>)> {
    read_cached_head(store, key, None).await
}

/// Cached rows a first screen needs, before the whole collection is read.
const FIRST_SCREEN: usize = 200;

async fn read_cached_head(
    store: Arc<Store>,
    key: CacheKey,
    limit: Option<usize>,
) -> Option<(Vec<Value>, Option<chrono::DateTime<chrono::Utc>>)> {
    let r = crate::cache::off_thread(store, move |store| match &key {
        CacheKey::Members(gid) => store.members(gid),
        CacheKey::Collection(coll) => store.list_head(coll, limit),
    })
    .await;
    match r {
        Ok((items, at)) if !items.is_empty() || at.is_some() => Some((items, at)),
        Err(e) => {
            tracing::warn!("cache read: {e}");
            None
        }
        _ => None,
    }
}

/// Objects parsed and made rows per chunk of a cached collection.
const CACHED_CHUNK: usize = 10_000;

/// A cached collection as rows, chunk by chunk on a blocking thread (each chunk's parsed
/// objects are freed before the next is read, so their memory is reused, not kept).
async fn cached_rows(
    store: Arc<Store>,
    coll: String,
    source: crate::blades::ListSource,
    id: RequestId,
    tx: UnboundedSender<Msg>,
) {
    let r = crate::cache::off_thread(store, move |s| {
        let as_of = s.sync_state(&coll)?.last_sync.and_then(|t| {
            chrono::DateTime::parse_from_rfc3339(&t)
                .ok()
                .map(|d| d.with_timezone(&chrono::Utc))
        });
        let total = s.count(&coll)?;
        let mut first = true;
        let mut sent = 0;
        s.list_chunks(&coll, CACHED_CHUNK, &mut |items| {
            sent += items.len();
            let rows = items.into_iter().flat_map(|v| source.rows(v)).collect();
            let msg = Msg::CachedRows {
                id,
                rows,
                first,
                last: sent >= total,
                as_of,
            };
            first = false;
            tx.send(msg).is_ok()
        })
    })
    .await;
    if let Err(e) = r {
        tracing::warn!("cache read: {e}");
    }
}

/// Writes live pages through to the cache: a full round per list load, a page per
/// transaction; members are replaced at the end.
struct CacheSink {
    store: Option<Arc<Store>>,
    key: Option<CacheKey>,
    round: Option<SyncState>,
    members: Vec<Value>,
    /// Held from the first page written to the last: a sync running meanwhile is not
    /// interleaved with (the pages are then shown, not written).
    lock: Option<crate::cache::WriterLock>,
}

impl CacheSink {
    fn new(store: Option<Arc<Store>>, key: Option<CacheKey>) -> Self {
        CacheSink {
            store,
            key,
            round: None,
            members: Vec::new(),
            lock: None,
        }
    }

    async fn page(&mut self, page: &crate::graph::Page) {
        let (Some(st), Some(key)) = (self.store.clone(), self.key.clone()) else {
            return;
        };
        if self.lock.is_none() {
            match crate::cache::WriterLock::try_acquire(&st.path) {
                Ok(l) => self.lock = Some(l),
                Err(e) => {
                    tracing::warn!("not written to the cache: {e}");
                    self.store = None;
                    return;
                }
            }
        }
        let key = match key {
            CacheKey::Members(_) => {
                self.members.extend(page.items.iter().cloned());
                return;
            }
            CacheKey::Collection(coll) => coll,
        };
        let items = page.items.clone();
        let next = page.next_link.clone();
        let round = self.round.clone();
        let r = crate::cache::off_thread(st, move |st| {
            let round = match round {
                Some(r) => r,
                None => st.begin_round(&key, true)?,
            };
            st.save_page(&key, &round, &items, next.as_deref(), None)?;
            Ok(round)
        })
        .await;
        match r {
            Ok(round) => self.round = Some(round),
            Err(e) => {
                tracing::warn!("cache write: {e}");
                self.store = None;
            }
        }
    }

    async fn finish(self) {
        let (Some(st), Some(key)) = (self.store, self.key) else {
            return;
        };
        if let CacheKey::Members(gid) = key {
            let items = self.members;
            let _ = crate::cache::off_thread(st, move |st| st.replace_members(&gid, &items)).await;
        }
    }
}

/// Give items read through an OData cast segment (`…/microsoft.graph.user`) the type it names,
/// when Graph did not repeat it on each item.
pub(crate) fn tag_cast(path: &str, items: &mut [serde_json::Value]) {
    let last = path.split('?').next().and_then(|p| p.rsplit('/').next());
    let Some(t) = last.and_then(|l| l.strip_prefix("microsoft.graph.")) else {
        return;
    };
    for v in items {
        if v.get("@odata.type").is_none() {
            v["@odata.type"] = serde_json::json!(format!("#microsoft.graph.{t}"));
        }
    }
}

/// Do the work of one effect, sending its results as messages. Tests await this directly.
pub async fn perform(
    effect: Effect,
    client: GraphClient,
    store: Option<Arc<Store>>,
    tx: UnboundedSender<Msg>,
) {
    match effect {
        Effect::FetchPages {
            id,
            request,
            cache,
            rows,
        } => fetch_pages(id, request, cache, rows, client, store, tx).await,
        Effect::FetchParts { id, requests } => fetch_parts(id, requests, client, tx).await,
        Effect::ComputeList { id, computed, key } => {
            compute_list(id, computed, key, client, store, tx).await
        }
        Effect::Check { id, request } => {
            let result = client.get_json(&request).await;
            let _ = tx.send(Msg::Checked { id, result });
        }
        Effect::Compute { id, computed, key } => {
            compute(id, computed, key, client, store, tx).await
        }
        Effect::FetchObject { id, request, cache } => {
            fetch_object(id, request, cache, client, store, tx).await
        }
        Effect::LoadJournal { id } => load_journal(id, store, tx).await,
        Effect::Journal(entry) => journal(entry, client, store).await,
        Effect::LoadFacts { id } => {
            let facts = if client.is_offline() {
                kept(&store, crate::audit::cached::facts).await
            } else {
                Facts::load(&client).await
            };
            let _ = tx.send(Msg::Facts { id, facts });
        }
        Effect::Search { id, query } => search(id, query, client, tx).await,
        Effect::Resolve { id, keys } => resolve(id, keys, client, tx).await,
        Effect::LoadRoles { id } => {
            let roles = if client.is_offline() {
                kept(&store, crate::audit::cached::roles).await
            } else {
                crate::roles::RoleFacts::load(&client).await
            };
            let _ = tx.send(Msg::Roles { id, roles });
        }
        Effect::Filter(job) => {
            if let Ok(Some(found)) = tokio::task::spawn_blocking(move || job.run()).await {
                let _ = tx.send(Msg::Filtered(found));
            }
        }
        Effect::LoadCachedFindings {
            break_glass,
            waivers,
        } => cached_findings(break_glass, waivers, store, tx).await,
        Effect::LoadLicences { id } => {
            let facts = crate::licensing::LicenceFacts::load(&client).await;
            let _ = tx.send(Msg::Licences { id, facts });
        }
        Effect::Join { id, join } => {
            let result = crate::blades::join::read(join, &client, store.as_ref()).await;
            let _ = tx.send(Msg::Joined { id, join, result });
        }
        Effect::LoadGuard { id, accounts } => {
            let facts = crate::ca::load::guard_facts(&client, &accounts).await;
            let _ = tx.send(Msg::Guard { id, facts });
        }
        Effect::LoadNames {
            id,
            ids,
            everything,
        } => {
            let names = crate::ca::load::names(&client, store.as_ref(), ids, everything).await;
            let _ = tx.send(Msg::Names { id, names });
        }
        Effect::WhatIf { id, query } => {
            let result = crate::ca::whatif::what_if(&client, &store, &query).await;
            let _ = tx.send(Msg::WhatIf { id, result });
        }
        Effect::Write {
            id,
            request,
            reveal,
        } => write(id, request, reveal, client, tx).await,
        Effect::StepUp { id, claims } => {
            let result = step_up_with(&client, &claims, |code| {
                let _ = tx.send(Msg::DeviceCode { id, code });
            })
            .await;
            let _ = tx.send(Msg::StepUpDone { id, result });
        }
        Effect::BulkAdd {
            id,
            group_id,
            path,
            dry_run,
        } => {
            let result = bulk_add(&client, &group_id, &path, dry_run).await;
            let _ = tx.send(Msg::BulkReport {
                id,
                result,
                dry_run,
            });
        }
        Effect::Copy(text) => copy(&text),
        // Handled by the run loop (it owns the connection).
        Effect::Cancel(_) | Effect::SwitchProfile { .. } => {}
    }
}

/// Text to the terminal's clipboard (OSC 52); a failure is logged, never the text.
fn copy(text: &str) {
    if let Err(e) = crate::tui::copy_to_clipboard(text) {
        tracing::warn!("clipboard write failed: {e}");
    }
}

/// Send a write; only the asked field of its answer (a secret shown once) goes on.
async fn write(
    id: RequestId,
    request: Request,
    reveal: Option<&'static str>,
    client: GraphClient,
    tx: UnboundedSender<Msg>,
) {
    // Only the asked field of the answer goes on: the rest of a body carrying a
    // secret is dropped here.
    let result = client.send(&request).await.map(|r| crate::msg::Written {
        secret: reveal
            .and_then(|f| r.body[f].as_str())
            .map(|s| crate::graph::Secret(s.to_string())),
        request_id: r.request_id,
    });
    let _ = tx.send(Msg::WriteDone { id, result });
}

/// Read a collection page by page (the cache's copy shown first), keeping what was read.
async fn fetch_pages(
    id: RequestId,
    request: Request,
    cache: Option<CacheKey>,
    rows: Option<crate::blades::ListSource>,
    client: GraphClient,
    store: Option<Arc<Store>>,
    tx: UnboundedSender<Msg>,
) {
    let key = cache.filter(|_| store.is_some());
    if let (Some(st), Some(k)) = (&store, &key) {
        // A first screen from the head of a large collection, then all of it.
        let plain = matches!(k, CacheKey::Collection(_));
        let mut shown = 0;
        if plain
            && let Some((items, as_of)) =
                read_cached_head(st.clone(), k.clone(), Some(FIRST_SCREEN)).await
        {
            shown = items.len();
            let _ = tx.send(Msg::Cached { id, items, as_of });
        }
        match (plain, rows, k) {
            // The whole collection as rows, built here a chunk at a time: a list of
            // 100k objects never exists parsed all at once (nor on the UI task).
            (true, Some(source), CacheKey::Collection(coll)) if shown == FIRST_SCREEN => {
                cached_rows(st.clone(), coll.clone(), source, id, tx.clone()).await;
            }
            (true, _, _) if shown < FIRST_SCREEN => {}
            _ => {
                if let Some((items, as_of)) = read_cached(st.clone(), k.clone()).await {
                    let _ = tx.send(Msg::Cached { id, items, as_of });
                }
            }
        }
    }
    if client.is_offline() {
        // Offline, a collection whose last sync was cut short is said to be part of it.
        let partial = match (&store, &key) {
            (Some(st), Some(k)) => cut_short(st.clone(), k.clone()).await,
            _ => None,
        };
        let error = partial.map(crate::graph::GraphError::Cache);
        let _ = tx.send(Msg::Done { id, error });
        return;
    }
    let mut pages = client.pages(request);
    let mut error = None;
    let mut sink = CacheSink::new(store.clone(), key);
    while let Some(p) = pages.next().await {
        match p {
            Ok(page) => {
                sink.page(&page).await;
                if tx.send(Msg::Page { id, page }).is_err() {
                    return;
                }
            }
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    if error.is_none() {
        sink.finish().await;
    }
    let _ = tx.send(Msg::Done { id, error });
}

/// Why a cached collection is only part of itself (its last round, by `sync` or by a list
/// read online, was cut short), naming what finishes it; `None` when it is whole or was never
/// read. (A group's members are kept per group as a whole list: not judged here.)
async fn cut_short(store: Arc<Store>, key: CacheKey) -> Option<String> {
    let CacheKey::Collection(coll) = key else {
        return None;
    };
    let name = coll.clone();
    let synced = crate::cache::off_thread(store, move |s| s.completeness(&name))
        .await
        .ok()?;
    let fix = if crate::blades::sync_names().contains(&coll.as_str()) {
        format!("run `entra-console sync {coll}`")
    } else {
        "open it online to read it whole".to_string()
    };
    (synced == crate::cache::Synced::Cut).then(|| {
        format!("partial: the last read of {coll} was cut short, so this is part of it ({fix})")
    })
}

/// Read a list made of several requests, one after another, naming each part that failed.
async fn fetch_parts(
    id: RequestId,
    requests: Vec<Request>,
    client: GraphClient,
    tx: UnboundedSender<Msg>,
) {
    if client.is_offline() {
        let _ = tx.send(Msg::Done { id, error: None });
        return;
    }
    let (mut index, mut failed) = (0, Vec::new());
    let mut first_error = None;
    for request in requests {
        let mut pages = client.pages(request.clone());
        while let Some(p) = pages.next().await {
            match p {
                Ok(mut page) => {
                    tag_cast(&request.path, &mut page.items);
                    page.index = index;
                    index += 1;
                    if tx.send(Msg::Page { id, page }).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    failed.push(format!("{}: {e}", request.path));
                    first_error.get_or_insert(e);
                    break;
                }
            }
        }
    }
    if index == 0 {
        // Nothing read: the list is emptied (not left as it was).
        let _ = tx.send(Msg::Page {
            id,
            page: crate::graph::Page::default(),
        });
    }
    if failed.len() > 1 {
        let _ = tx.send(Msg::Notice(format!("not read: {}", failed.join("; "))));
    }
    let _ = tx.send(Msg::Done {
        id,
        error: first_error,
    });
}

/// A computed list, sent as one page.
async fn compute_list(
    id: RequestId,
    computed: crate::blades::Computed,
    key: String,
    client: GraphClient,
    store: Option<Arc<Store>>,
    tx: UnboundedSender<Msg>,
) {
    match (computed.run)(client.clone(), store.clone(), key).await {
        Ok(v) => {
            let page = crate::graph::Page {
                items: v.as_array().cloned().unwrap_or_default(),
                ..Default::default()
            };
            let _ = tx.send(Msg::Page { id, page });
            let _ = tx.send(Msg::Done { id, error: None });
        }
        Err(e) => {
            let _ = tx.send(Msg::Done { id, error: Some(e) });
        }
    }
}

/// A computed object (a page made from several reads).
async fn compute(
    id: RequestId,
    computed: crate::blades::Computed,
    key: String,
    client: GraphClient,
    store: Option<Arc<Store>>,
    tx: UnboundedSender<Msg>,
) {
    match (computed.run)(client.clone(), store.clone(), key).await {
        Ok(object) => {
            let _ = tx.send(Msg::Object { id, object });
            let _ = tx.send(Msg::Done { id, error: None });
        }
        Err(e) => {
            let _ = tx.send(Msg::Done { id, error: Some(e) });
        }
    }
}

/// Read one object (offline: from its cached collection).
async fn fetch_object(
    id: RequestId,
    request: Request,
    cache: Option<(String, String)>,
    client: GraphClient,
    store: Option<Arc<Store>>,
    tx: UnboundedSender<Msg>,
) {
    if client.is_offline() {
        let found = match (&store, cache) {
            (Some(st), Some((coll, oid))) => read_cached(st.clone(), CacheKey::Collection(coll))
                .await
                .and_then(|(items, _)| {
                    items
                        .into_iter()
                        .find(|v| v["id"].as_str() == Some(oid.as_str()))
                }),
            _ => None,
        };
        let error = match found {
            Some(object) => {
                let _ = tx.send(Msg::Object { id, object });
                None
            }
            None => Some(crate::graph::GraphError::Offline),
        };
        let _ = tx.send(Msg::Done { id, error });
        return;
    }
    let error = match client.get_json(&request).await {
        Ok(object) => {
            let _ = tx.send(Msg::Object { id, object });
            None
        }
        Err(e) => Some(e),
    };
    let _ = tx.send(Msg::Done { id, error });
}

/// The journal, from the cache.
async fn load_journal(id: RequestId, store: Option<Arc<Store>>, tx: UnboundedSender<Msg>) {
    let error = match store {
        Some(st) => match crate::cache::off_thread(st, |st| st.journal()).await {
            Ok(items) => {
                let as_of = Some(chrono::Utc::now());
                let _ = tx.send(Msg::Cached { id, items, as_of });
                None
            }
            Err(e) => Some(crate::graph::GraphError::Transport(e.to_string())),
        },
        None => None,
    };
    let _ = tx.send(Msg::Done { id, error });
}

/// Keep a journal entry (naming the signed-in account when the entry does not).
async fn journal(
    mut entry: Box<crate::cache::JournalEntry>,
    client: GraphClient,
    store: Option<Arc<Store>>,
) {
    if entry.user.is_none() {
        entry.user = match client.credential().session() {
            Some(s) => s.username().await,
            None => None,
        };
    }
    if let Some(st) = store {
        let r = crate::cache::off_thread(st, move |st| st.journal_add(&entry)).await;
        if let Err(e) = r {
            tracing::warn!("journal: {e}");
        }
    }
}

/// Users and groups whose names start with the query (the picker).
async fn search(id: RequestId, query: String, client: GraphClient, tx: UnboundedSender<Msg>) {
    let [u, g] = crate::graph::resources::directory::search(&query);
    let results = async {
        let mut out = Vec::new();
        for (req, t) in [(u, "#microsoft.graph.user"), (g, "#microsoft.graph.group")] {
            for mut v in client.get_all(req).await? {
                v["@odata.type"] = serde_json::json!(t);
                out.push(v);
            }
        }
        Ok(out)
    };
    let _ = tx.send(Msg::SearchResults {
        id,
        results: results.await,
    });
}

/// UPNs (or ids) to user object ids.
async fn resolve(id: RequestId, keys: Vec<String>, client: GraphClient, tx: UnboundedSender<Msg>) {
    let ids = async {
        let mut out = Vec::new();
        for k in keys {
            let guid = k.len() == 36 && k.chars().filter(|c| *c == '-').count() == 4;
            if guid {
                out.push(k);
            } else {
                let u = client
                    .get_json(&crate::blades::users::detail_request(&k).select(&["id"]))
                    .await?;
                out.push(u["id"].as_str().unwrap_or_default().to_string());
            }
        }
        Ok(out)
    };
    let _ = tx.send(Msg::Resolved { id, ids: ids.await });
}

/// The findings of the audit kept in the cache, judged again (the badges at start).
async fn cached_findings(
    break_glass: Vec<String>,
    waivers: Option<std::path::PathBuf>,
    store: Option<Arc<Store>>,
    tx: UnboundedSender<Msg>,
) {
    let Some(st) = store else { return };
    let judged = crate::cache::off_thread(st, move |s| {
        if !crate::audit::cached::holds_audit(s)? {
            return Ok(None);
        }
        Ok(crate::audit::cached::load(s, break_glass).ok().map(|i| {
            let run = crate::audit::report::Run {
                tenant: String::new(),
                profile: String::new(),
                at: String::new(),
                read_only: true,
            };
            let at = i.now.format("%Y-%m-%d %H:%M").to_string();
            let mut f = crate::audit::run(&i);
            // Waived findings are no badge (a file that cannot be read leaves them counted;
            // the Findings blade says why).
            if let Some(w) = waivers
                .as_deref()
                .and_then(|p| crate::audit::waivers::load(p).ok())
            {
                crate::audit::waivers::apply(&mut f, &w, i.now.date_naive());
            }
            (crate::audit::report::json(&run, &f)["findings"].clone(), at)
        }))
    })
    .await;
    // A cache that holds no audit (or cannot be read) leaves the badges to the blade.
    if let Ok(Some((Value::Array(items), at))) = judged {
        let _ = tx.send(Msg::CachedFindings { items, at });
    }
}

/// `:import`: read and parse the file, add (or, dry, only check) its rows, and report every
/// row with the writes sent (the app journals them, as it does its other writes).
async fn bulk_add(
    client: &GraphClient,
    group_id: &str,
    path: &str,
    dry_run: bool,
) -> Result<(Vec<crate::bulk::ReportLine>, Vec<crate::bulk::Sent>), String> {
    use crate::bulk::{self, Outcome};
    // A bulk-import file is small (the admin center caps it at 50,000 rows); reading it here,
    // on the effect's task, does not touch the UI loop.
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    // Excel's "CSV" on Western Windows is Windows-1252: decoded, not refused.
    let (text, _) = bulk::decode(&bytes);
    let rows = bulk::parse(&text);
    if rows.iter().all(|r| r.skip.is_some()) {
        return Err(format!(
            "{path}: no data rows (one object id or user principal name a line)"
        ));
    }
    let mut sent = Vec::new();
    let outcomes = bulk::add_members(client, group_id, &rows, dry_run, &mut |s| sent.push(s)).await;
    let lines = rows
        .iter()
        .zip(outcomes)
        .map(|(r, o)| crate::bulk::ReportLine {
            line: r.line,
            text: r.text.clone(),
            outcome: o.label(),
            ok: o.ok(),
            adds: o == Outcome::WouldAdd,
        })
        .collect();
    Ok((lines, sent))
}

/// Offline, what the cache keeps of a part (`sync` keeps the audit's reads there): never a
/// request; without a cache, or a cache that never kept it, the reason.
async fn kept<T: Send + 'static>(
    store: &Option<Arc<Store>>,
    part: fn(&Store) -> Result<T, String>,
) -> Result<T, crate::graph::GraphError> {
    let Some(st) = store.clone() else {
        return Err(crate::graph::GraphError::Offline);
    };
    crate::cache::off_thread(st, move |s| Ok(part(s)))
        .await
        .map_err(|e| crate::graph::GraphError::Cache(e.to_string()))?
        .map_err(crate::graph::GraphError::Cache)
}

/// Starts effects as tasks and can stop them.
pub struct Runner {
    pub(crate) client: GraphClient,
    pub(crate) tx: UnboundedSender<Msg>,
    pub(crate) tasks: HashMap<RequestId, AbortHandle>,
    connector: Connector,
    pub(crate) store: Option<Arc<Store>>,
}

/// The client with retry notices going to the app.
pub fn observed(client: GraphClient, tx: &UnboundedSender<Msg>) -> GraphClient {
    let notices = tx.clone();
    client.with_observer(std::sync::Arc::new(move |n| {
        let _ = notices.send(Msg::Retrying(n));
    }))
}

impl Runner {
    /// A runner for `client` and `store`, reporting on `tx`; `connector` answers `:ctx`.
    pub fn new(
        client: GraphClient,
        store: Option<Arc<Store>>,
        tx: UnboundedSender<Msg>,
        connector: Connector,
    ) -> Runner {
        Runner {
            client: observed(client, &tx),
            tx,
            tasks: HashMap::new(),
            connector,
            store,
        }
    }

    /// Start an effect (a `Cancel` stops the task of its request at once).
    pub fn spawn(&mut self, effect: Effect) {
        self.tasks.retain(|_, h| !h.is_finished());
        let id = match &effect {
            Effect::Cancel(id) => {
                if let Some(h) = self.tasks.remove(id) {
                    h.abort();
                }
                return;
            }
            Effect::SwitchProfile { id, name } => {
                let id = *id;
                let connect = (self.connector)(name.clone());
                let tx = self.tx.clone();
                tokio::spawn(async move {
                    let _ = tx.send(match connect.await {
                        Ok((conn, profiles)) => {
                            let ctx = crate::session::Context::of(&conn, profiles);
                            Msg::Switched(id, Switch(Box::new(conn), ctx))
                        }
                        Err(e) => Msg::SwitchFailed(id, e),
                    });
                });
                return;
            }
            Effect::Copy(_)
            | Effect::Journal(_)
            | Effect::LoadCachedFindings { .. }
            | Effect::Filter(_) => None,
            Effect::FetchPages { id, .. }
            | Effect::FetchParts { id, .. }
            | Effect::Compute { id, .. }
            | Effect::ComputeList { id, .. }
            | Effect::Check { id, .. }
            | Effect::BulkAdd { id, .. }
            | Effect::LoadJournal { id }
            | Effect::FetchObject { id, .. }
            | Effect::LoadFacts { id }
            | Effect::LoadRoles { id }
            | Effect::LoadLicences { id }
            | Effect::Join { id, .. }
            | Effect::Search { id, .. }
            | Effect::Resolve { id, .. }
            | Effect::LoadGuard { id, .. }
            | Effect::LoadNames { id, .. }
            | Effect::WhatIf { id, .. }
            | Effect::Write { id, .. }
            | Effect::StepUp { id, .. } => Some(*id),
        };
        let handle = tokio::spawn(perform(
            effect,
            self.client.clone(),
            self.store.clone(),
            self.tx.clone(),
        ));
        if let Some(id) = id {
            self.tasks.insert(id, handle.abort_handle());
        }
    }
}

//! The sync engine: fill the cache from Graph, a page per transaction, using delta queries for
//! users, groups and memberships (`members@delta`) after the first round, resuming an
//! interrupted round from its saved link; `$batch` fan-out for members where delta cannot serve.

use super::store::{CacheError, Store};
use crate::graph::endpoints;
use crate::graph::{GraphClient, GraphError, Request};
use futures::StreamExt;
use serde_json::Value;
use std::sync::Arc;

/// What a blade syncs (each blade declares its own: `blades::BladeDef::sync`).
#[derive(Clone, Debug)]
pub struct Spec {
    pub name: &'static str,
    pub collection: &'static str,
    pub request: Request,
    /// Uses a delta query (the link is kept for the next sync).
    pub delta: bool,
}

/// Progress of one collection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub mode: &'static str,
    pub pages: usize,
    pub upserts: usize,
    pub removed: usize,
    /// Objects Graph sent without an id: not kept, and said so.
    pub skipped: usize,
}

fn cache_err(e: CacheError) -> String {
    e.to_string()
}

async fn blocking<T: Send + 'static>(
    store: Arc<Store>,
    f: impl FnOnce(&Store) -> Result<T, CacheError> + Send + 'static,
) -> Result<T, String> {
    super::off_thread(store, f).await.map_err(cache_err)
}

/// Sync one collection. `on_page` sees the tally after each saved page.
pub async fn collection(
    client: &GraphClient,
    store: &Arc<Store>,
    spec: &Spec,
    on_page: &mut (dyn FnMut(&Tally) + Send),
) -> Result<Tally, String> {
    let coll = spec.collection;
    let st = {
        let s = store.clone();
        blocking(s, move |s| s.sync_state(coll)).await?
    };
    let (full, link, mode) = match (&st.next_link, &st.delta_link) {
        (Some(next), _) => (st.full_round, Some(next.clone()), "resumed"),
        (None, Some(delta)) if spec.delta => (false, Some(delta.clone()), "delta"),
        _ => (true, None, "full"),
    };
    match run_round(client, store, spec, full, link, mode, on_page).await {
        // A saved link that no longer works (expired token, another host): start over in full.
        Err(RoundError::Link(e)) => {
            tracing::warn!("{coll}: saved link failed ({e}); starting a full sync");
            let s = store.clone();
            blocking(s, move |s| s.reset_round(coll)).await?;
            run_round(client, store, spec, true, None, "full", on_page)
                .await
                .map_err(|e| e.to_string())
        }
        other => other.map_err(|e| e.to_string()),
    }
}

#[derive(Debug)]
enum RoundError {
    /// The first request of a saved link failed.
    Link(GraphError),
    Other(String),
}

impl std::fmt::Display for RoundError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RoundError::Link(e) => write!(f, "{e}"),
            RoundError::Other(e) => f.write_str(e),
        }
    }
}

async fn run_round(
    client: &GraphClient,
    store: &Arc<Store>,
    spec: &Spec,
    full: bool,
    link: Option<String>,
    mode: &'static str,
    on_page: &mut (dyn FnMut(&Tally) + Send),
) -> Result<Tally, RoundError> {
    let coll = spec.collection;
    let round = {
        let s = store.clone();
        blocking(s, move |s| s.begin_round(coll, full))
            .await
            .map_err(RoundError::Other)?
    };
    let from_link = link.is_some();
    let mut pages = match link {
        Some(l) => client.pages_from_link(&l, spec.request.headers.clone()),
        None => client.pages(spec.request.clone()),
    };
    let mut tally = Tally {
        mode,
        ..Default::default()
    };
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e @ GraphError::EndlessPaging { .. }) => {
                // The round's resume point leads into the loop: forget it (and the delta
                // link), so no later sync re-enters it; the next one starts a full round.
                let s = store.clone();
                blocking(s, move |s| s.reset_round(coll))
                    .await
                    .map_err(RoundError::Other)?;
                return Err(RoundError::Other(format!("{coll}: {e}")));
            }
            Err(e)
                if from_link
                    && tally.pages == 0
                    && !matches!(e, GraphError::Transport(_) | GraphError::Connect(_)) =>
            {
                return Err(RoundError::Link(e));
            }
            Err(e) => return Err(RoundError::Other(format!("{coll}: {e}"))),
        };
        let s = store.clone();
        let r = round.clone();
        let items = page.items;
        tally.skipped += items
            .iter()
            .filter(|v| v["id"].as_str().is_none_or(str::is_empty))
            .count();
        let (next, delta) = (page.next_link, page.delta_link);
        let (up, rm) = blocking(s, move |s| {
            s.save_page(coll, &r, &items, next.as_deref(), delta.as_deref())
        })
        .await
        .map_err(RoundError::Other)?;
        tally.pages += 1;
        tally.upserts += up;
        tally.removed += rm;
        on_page(&tally);
    }
    Ok(tally)
}

/// The collection whose sync state keeps the membership delta links.
pub const MEMBERS: &str = "group-members";

/// Memberships by delta (group-delta.md): `GET /groups/delta?$select=id,members` gives every
/// group's members on a full round and only the members added or removed afterwards; the
/// options ride in the links. A saved link Graph no longer takes starts a new full round.
/// Returns the tally (`upserts`: member references kept, `removed`: references dropped).
pub async fn members_by_delta(
    client: &GraphClient,
    store: &Arc<Store>,
    full: bool,
    on_page: &mut (dyn FnMut(&Tally) + Send),
) -> Result<Tally, String> {
    let st = {
        let s = store.clone();
        blocking(s, move |s| s.sync_state(MEMBERS)).await?
    };
    let (full, link, mode) = match (&st.next_link, &st.delta_link) {
        _ if full => (true, None, "full"),
        (Some(next), _) => (false, Some(next.clone()), "resumed"),
        (None, Some(delta)) => (false, Some(delta.clone()), "delta"),
        _ => (true, None, "full"),
    };
    match member_round(client, store, full, link, mode, on_page).await {
        Err(RoundError::Link(e)) => {
            tracing::warn!("{MEMBERS}: saved link failed ({e}); starting a full round");
            let s = store.clone();
            blocking(s, move |s| s.reset_round(MEMBERS)).await?;
            member_round(client, store, true, None, "full", on_page)
                .await
                .map_err(|e| e.to_string())
        }
        other => other.map_err(|e| e.to_string()),
    }
}

async fn member_round(
    client: &GraphClient,
    store: &Arc<Store>,
    full: bool,
    link: Option<String>,
    mode: &'static str,
    on_page: &mut (dyn FnMut(&Tally) + Send),
) -> Result<Tally, RoundError> {
    let from_link = link.is_some();
    let mut pages = match link {
        Some(l) => client.pages_from_link(&l, Vec::new()),
        None => client.pages(endpoints::groups_members_delta()),
    };
    let mut tally = Tally {
        mode,
        ..Default::default()
    };
    // A group split over pages is replaced on its first sight only.
    let mut seen = std::collections::HashSet::new();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(p) => p,
            Err(e)
                if from_link
                    && tally.pages == 0
                    && !matches!(e, GraphError::Transport(_) | GraphError::Connect(_)) =>
            {
                return Err(RoundError::Link(e));
            }
            Err(e) => return Err(RoundError::Other(format!("{MEMBERS}: {e}"))),
        };
        let groups: Vec<crate::cache::MemberDelta> = page
            .items
            .iter()
            .filter_map(|g| {
                let id = g["id"].as_str().filter(|i| !i.is_empty())?.to_string();
                Some(crate::cache::MemberDelta {
                    removed: g.get("@removed").is_some(),
                    replace: full && seen.insert(id.clone()),
                    refs: g["members@delta"].as_array().cloned().unwrap_or_default(),
                    id,
                })
            })
            .collect();
        tally.skipped += page.items.len() - groups.len();
        let (next, delta) = (page.next_link, page.delta_link);
        let s = store.clone();
        let (up, rm) = blocking(s, move |s| {
            s.save_member_page(MEMBERS, &groups, next.as_deref(), delta.as_deref())
        })
        .await
        .map_err(RoundError::Other)?;
        tally.pages += 1;
        tally.upserts += up;
        tally.removed += rm;
        on_page(&tally);
    }
    if full {
        let s = store.clone();
        tally.removed += blocking(s, move |s| s.keep_members_of(&seen))
            .await
            .map_err(RoundError::Other)?;
    }
    Ok(tally)
}

/// `members@delta` names a member by type and id only: a member whose user or group is not in
/// the cache (users not synced) is read by `getByIds`, 1,000 a request, so lists and exports
/// show names, not ids. Run after the users and groups of the same sync are saved.
pub async fn complete_references(client: &GraphClient, store: &Arc<Store>) -> Result<(), String> {
    let s = store.clone();
    let ids = blocking(s, |s| s.unresolved_members()).await?;
    for chunk in ids.chunks(1000) {
        let body = serde_json::json!({"ids": chunk, "types": ["user", "group"]});
        let resp = client
            .send(
                &Request::new(crate::graph::Method::Post, "/directoryObjects/getByIds").json(body),
            )
            .await
            .map_err(|e| format!("{MEMBERS}: names of members: {e}"))?;
        let found = resp.body["value"].as_array().cloned().unwrap_or_default();
        let s = store.clone();
        blocking(s, move |s| s.complete_members(&found)).await?;
    }
    Ok(())
}

/// Members of every cached group, fanned out in `$batch`es; returns (groups done, failures).
pub async fn members(
    client: &GraphClient,
    store: &Arc<Store>,
    on_progress: &mut (dyn FnMut(usize, usize) + Send),
) -> Result<(usize, Vec<String>), String> {
    let s = store.clone();
    let (groups, _) = blocking(s, move |s| s.list("groups")).await?;
    let ids: Vec<String> = groups
        .iter()
        .filter_map(|g| g["id"].as_str().map(str::to_string))
        .collect();
    let total = ids.len();
    let mut done = 0;
    let mut failures = Vec::new();
    for chunk in ids.chunks(200) {
        let reqs: Vec<Request> = chunk
            .iter()
            .map(|id| endpoints::group_members(id))
            .collect();
        let results = client.get_many(reqs, 4).await;
        for (id, r) in chunk.iter().zip(results) {
            match r {
                Ok(body) => {
                    let mut items: Vec<Value> =
                        body["value"].as_array().cloned().unwrap_or_default();
                    if let Some(next) = body["@odata.nextLink"].as_str() {
                        let mut more = client.pages_from_link(next, Vec::new());
                        while let Some(p) = more.next().await {
                            match p {
                                Ok(p) => items.extend(p.items),
                                Err(e) => {
                                    failures.push(format!("members of {id}: {e}"));
                                    break;
                                }
                            }
                        }
                    }
                    let s = store.clone();
                    let gid = id.clone();
                    blocking(s, move |s| s.replace_members(&gid, &items)).await?;
                    done += 1;
                }
                Err(e) => failures.push(format!("members of {id}: {e}")),
            }
        }
        on_progress(done, total);
    }
    Ok((done, failures))
}

//! Delta queries for users and groups (graph-api.md §5, §9): the first round returns every
//! object, later rounds only changes and `@removed` entries; query options go on the first call
//! only and ride in the opaque skip and delta tokens. Groups selected with `members` carry
//! `members@delta` (group-delta.md): every member on the first round, then only the members
//! added and (with `@removed`) removed since the link was issued.
//!
//! Graph documents no delta page size: the demo's are assumptions kept conservative (200 users
//! or 100 groups a page, at most 1,000 member references a page, a larger group's members
//! spread over pages where the group object repeats).

use super::query;
use super::server::{Ctx, Shared, pairs};
use super::store::Kind;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use base64::Engine;
use serde_json::{Value, json};

#[derive(serde::Serialize, serde::Deserialize)]
struct Token {
    /// Changes after this sequence.
    since: Option<u64>,
    /// Sequence the round started at (the next delta link's `since`).
    upto: u64,
    offset: usize,
    /// Member references of the group at `offset` already sent (a group split over pages).
    #[serde(default)]
    member_offset: usize,
    select: Option<Vec<String>>,
}

const USERS_PER_PAGE: usize = 200;
const GROUPS_PER_PAGE: usize = 100;
const MEMBER_REFS_PER_PAGE: usize = 1000;

/// A group's `members@delta`: all members on a first round (`since` none), else the net change
/// of each member since then (the last change wins; a removal carries `@removed`).
fn member_refs(t: &super::store::Tenant, group: &str, since: Option<u64>, upto: u64) -> Vec<Value> {
    let typed = |id: &str| {
        let kind = t.object(id).map_or(Kind::User, |(k, _)| k);
        json!({"@odata.type": kind.odata_type(), "id": id})
    };
    match since {
        None => t
            .members
            .get(group)
            .into_iter()
            .flatten()
            .map(|m| typed(m))
            .collect(),
        Some(s) => {
            let mut net: Vec<(&str, bool)> = Vec::new();
            for (_, _, m, added) in t
                .member_log
                .iter()
                .filter(|(seq, g, _, _)| g == group && *seq > s && *seq <= upto)
            {
                match net.iter_mut().find(|(x, _)| x == m) {
                    Some(e) => e.1 = *added,
                    None => net.push((m, *added)),
                }
            }
            net.into_iter()
                .map(|(m, added)| {
                    let mut v = typed(m);
                    if !added {
                        v["@removed"] = json!({"reason": "deleted"});
                    }
                    v
                })
                .collect()
        }
    }
}

fn encode(t: &Token) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(t).unwrap_or_default())
}

fn decode(s: &str) -> Option<Token> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .ok()?;
    serde_json::from_slice(&raw).ok()
}

async fn delta(
    state: Shared,
    version: String,
    uri: Uri,
    headers: HeaderMap,
    raw: Option<String>,
    kind: Kind,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    let Ok(tenant) = state.tenant.read() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let q = pairs(raw);
    let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let token = if let Some(t) = get("$skiptoken").or_else(|| get("$deltatoken")) {
        match decode(&t) {
            Some(tok) if get("$deltatoken").is_some() => Token {
                since: tok.since,
                upto: tenant.seq,
                offset: 0,
                member_offset: 0,
                select: tok.select,
            },
            Some(tok) => tok,
            None => {
                return ctx.error(
                    400,
                    "BadRequest",
                    "The delta or skip token is not valid or has expired.",
                );
            }
        }
    } else {
        let select = match get("$select") {
            Some(s) => {
                let fields: Vec<String> = s
                    .split(',')
                    .map(|f| f.trim().to_string())
                    .filter(|f| !f.is_empty())
                    .collect();
                // `members` is a relationship groups can track (members@delta).
                let known = |f: &String| {
                    tenant.props(kind).contains(f) || (kind == Kind::Group && f == "members")
                };
                if let Some(bad) = fields.iter().find(|f| !known(f)) {
                    return ctx.error(
                        400,
                        "Request_BadRequest",
                        &format!(
                            "Could not find a property named '{bad}' on type '{}'.",
                            kind.type_name()
                        ),
                    );
                }
                Some(fields)
            }
            None => None,
        };
        Token {
            since: None,
            upto: tenant.seq,
            offset: 0,
            member_offset: 0,
            select,
        }
    };
    let with_members = kind == Kind::Group
        && token
            .select
            .as_ref()
            .is_some_and(|s| s.iter().any(|f| f == "members"));
    let props: Option<Vec<String>> = token
        .select
        .as_ref()
        .map(|s| s.iter().filter(|f| *f != "members").cloned().collect());
    let list = match kind {
        Kind::User => &tenant.users,
        Kind::Group => &tenant.groups,
    };
    // Select by reference and project only the page: projecting the whole collection for
    // every page made a 100k-user sync quadratic.
    let changed: Vec<&Value> = list
        .iter()
        .filter(|o| match token.since {
            None => true,
            Some(s) => o["id"]
                .as_str()
                .and_then(|id| tenant.changed.get(id))
                .is_some_and(|c| *c > s && *c <= token.upto),
        })
        .collect();
    let removed: Vec<&String> = match token.since {
        Some(s) => tenant
            .tombstones
            .iter()
            .filter(|(_, k, seq)| *k == kind && *seq > s && *seq <= token.upto)
            .map(|(id, _, _)| id)
            .collect(),
        None => Vec::new(),
    };
    let total = changed.len() + removed.len();
    let per_page = if kind == Kind::User {
        USERS_PER_PAGE
    } else {
        GROUPS_PER_PAGE
    };
    let (mut i, mut moff, mut budget) = (token.offset, token.member_offset, MEMBER_REFS_PER_PAGE);
    let mut page: Vec<Value> = Vec::new();
    while i < total && page.len() < per_page {
        let Some(o) = changed.get(i) else {
            page.push(json!({"id": removed[i - changed.len()], "@removed": {"reason": "changed"}}));
            i += 1;
            continue;
        };
        let mut v = query::project(kind, o, props.as_deref());
        v["id"] = o["id"].clone();
        if with_members {
            let id = o["id"].as_str().unwrap_or_default();
            let refs = member_refs(&tenant, id, token.since, token.upto);
            let left = refs.len().saturating_sub(moff);
            let take = left.min(budget);
            if take == 0 && left > 0 {
                break;
            }
            v["members@delta"] = Value::Array(refs[moff..moff + take].to_vec());
            budget -= take;
            if take < left {
                // The rest of this group's members on the next page, the group repeated.
                page.push(v);
                moff += take;
                break;
            }
        }
        moff = 0;
        page.push(v);
        i += 1;
    }
    let end = i;
    let mut body = json!({
        "@odata.context": format!("{}/{version}/$metadata#{}", ctx.origin, if kind == Kind::User { "users" } else { "groups" }),
        "value": page,
    });
    if end < total {
        let next = Token {
            offset: end,
            member_offset: moff,
            select: token.select.clone(),
            ..token
        };
        body["@odata.nextLink"] = json!(format!(
            "{}{}?$skiptoken={}",
            ctx.origin,
            uri.path(),
            encode(&next)
        ));
    } else {
        let link = Token {
            since: Some(token.upto),
            upto: token.upto,
            offset: 0,
            member_offset: 0,
            select: token.select,
        };
        body["@odata.deltaLink"] = json!(format!(
            "{}{}?$deltatoken={}",
            ctx.origin,
            uri.path(),
            encode(&link)
        ));
    }
    ctx.respond(StatusCode::OK, body)
}

pub async fn users(
    State(s): State<Shared>,
    Path(v): Path<String>,
    u: Uri,
    h: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    delta(s, v, u, h, q, Kind::User).await
}

pub async fn groups(
    State(s): State<Shared>,
    Path(v): Path<String>,
    u: Uri,
    h: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    delta(s, v, u, h, q, Kind::Group).await
}

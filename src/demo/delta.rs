//! Delta queries for users and groups (graph-api.md §5, §9): the first round returns every
//! object, later rounds only changes and `@removed` entries; query options go on the first call
//! only and ride in the opaque skip and delta tokens.

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
    select: Option<Vec<String>>,
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
                if let Some(bad) = fields.iter().find(|f| !tenant.props(kind).contains(*f)) {
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
            select,
        }
    };
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
    let size = 100;
    let end = (token.offset + size).min(total);
    let page: Vec<Value> = (token.offset.min(end)..end)
        .map(|i| match changed.get(i) {
            Some(o) => {
                let mut v = query::project(kind, o, token.select.as_deref());
                v["id"] = o["id"].clone();
                v
            }
            None => json!({"id": removed[i - changed.len()], "@removed": {"reason": "changed"}}),
        })
        .collect();
    let mut body = json!({
        "@odata.context": format!("{}/{version}/$metadata#{}", ctx.origin, if kind == Kind::User { "users" } else { "groups" }),
        "value": page,
    });
    if end < total {
        let next = Token {
            offset: end,
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

//! OData query options for the demo tenant's collections: `$top`, `$skiptoken`, `$select`,
//! `$filter`, `$search`, `$orderby`, `$count`, validated the way Graph validates them.

use super::filter::{self, Filter};
use super::store::{Kind, default_view};
use base64::Engine;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// A Graph-shaped error to send back: status, code, message.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

fn bad(code: &'static str, message: impl Into<String>) -> QueryError {
    QueryError {
        status: 400,
        code,
        message: message.into(),
    }
}

/// Parsed query options of one collection request.
#[derive(Debug, Default)]
pub struct Options {
    pub top: Option<usize>,
    pub skip: usize,
    pub select: Option<Vec<String>>,
    pub filter: Option<Filter>,
    pub search: Option<Vec<(String, String)>>,
    pub orderby: Option<(String, bool)>,
    pub count: bool,
    /// The original pairs minus `$skiptoken`, to build the next link.
    pub passthrough: Vec<(String, String)>,
}

pub fn encode_skiptoken(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("demo-offset:{offset}"))
}

fn decode_skiptoken(t: &str) -> Option<usize> {
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(t)
        .ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("demo-offset:")?
        .parse()
        .ok()
}

/// `$search="displayName:foo" OR "description:bar"`: clauses of property and token.
fn parse_search(s: &str) -> Result<Vec<(String, String)>, QueryError> {
    let mut out = Vec::new();
    for part in s.split(" OR ").flat_map(|p| p.split(" AND ")) {
        let p = part.trim().trim_matches('"');
        let Some((prop, val)) = p.split_once(':') else {
            return Err(bad(
                "Request_UnsupportedQuery",
                format!("Syntax error: the search clause '{p}' needs the form \"property:value\""),
            ));
        };
        out.push((prop.trim().to_string(), val.trim().to_lowercase()));
    }
    Ok(out)
}

/// Parse and validate query pairs for a collection of `kind`.
pub fn parse(
    pairs: &[(String, String)],
    eventual: bool,
    type_name: &str,
    known: &BTreeSet<String>,
    max_top: usize,
) -> Result<Options, QueryError> {
    let mut o = Options::default();
    for (k, v) in pairs {
        match k.as_str() {
            "$top" => {
                let n: i64 = v.parse().map_err(|_| {
                    bad(
                        "Request_BadRequest",
                        format!("Invalid page size specified: '{v}'."),
                    )
                })?;
                if n < 1 || n as usize > max_top {
                    return Err(bad(
                        "Request_BadRequest",
                        format!(
                            "Invalid page size specified: '{n}'. Must be between 1 and {max_top} inclusive."
                        ),
                    ));
                }
                o.top = Some(n as usize);
            }
            "$skiptoken" => {
                o.skip = decode_skiptoken(v)
                    .ok_or_else(|| bad("Request_BadRequest", "Invalid skip token."))?;
                continue;
            }
            "$select" => {
                let fields: Vec<String> = v
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                for f in &fields {
                    if !known.contains(f) {
                        return Err(bad(
                            "Request_BadRequest",
                            format!("Could not find a property named '{f}' on type '{type_name}'."),
                        ));
                    }
                }
                o.select = Some(fields);
            }
            "$filter" => {
                let f = filter::parse(v)
                    .map_err(|e| bad("BadRequest", format!("Invalid filter clause: {e}")))?;
                o.filter = Some(f);
            }
            "$search" => o.search = Some(parse_search(v)?),
            "$orderby" => {
                let mut it = v.split_whitespace();
                let prop = it.next().unwrap_or_default().to_string();
                let desc = matches!(it.next(), Some(d) if d.eq_ignore_ascii_case("desc"));
                if !["displayName", "userPrincipalName", "createdDateTime"].contains(&prop.as_str())
                {
                    return Err(bad(
                        "Request_UnsupportedQuery",
                        format!("Sorting not supported for '{prop}'."),
                    ));
                }
                o.orderby = Some((prop, desc));
            }
            "$count" => o.count = v == "true",
            k if k.starts_with('$') && k != "$expand" => {
                return Err(bad(
                    "BadRequest",
                    format!("Query option '{k}' is not allowed."),
                ));
            }
            _ => {}
        }
        o.passthrough.push((k.clone(), v.clone()));
    }
    if o.search.is_some() && !eventual {
        return Err(bad(
            "Request_UnsupportedQuery",
            "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
        ));
    }
    let advanced =
        o.filter.as_ref().is_some_and(|f| f.advanced) || o.orderby.is_some() && o.filter.is_some();
    // Advanced queries need both `ConsistencyLevel: eventual` and `$count=true`; `$count` alone
    // needs the header.
    let needs_eventual = advanced || o.count;
    if (needs_eventual && !eventual) || (advanced && !o.count) {
        return Err(bad("Request_UnsupportedQuery", "Unsupported Query."));
    }
    Ok(o)
}

/// Project an object to `$select` (or the default properties) for the response.
pub fn project(kind: Kind, obj: &Value, select: Option<&[String]>) -> Value {
    match select {
        None => default_view(kind, obj),
        Some(fields) => {
            let mut m = Map::new();
            for f in fields {
                m.insert(f.clone(), obj.get(f).cloned().unwrap_or(Value::Null));
            }
            Value::Object(m)
        }
    }
}

impl Options {
    pub fn keep(&self, obj: &Value) -> bool {
        if let Some(f) = &self.filter
            && !f.matches(obj)
        {
            return false;
        }
        if let Some(clauses) = &self.search {
            return clauses.iter().any(|(prop, tok)| {
                obj.get(prop).and_then(Value::as_str).is_some_and(|s| {
                    let lower = s.to_lowercase();
                    lower
                        .split(|c: char| !c.is_alphanumeric())
                        .any(|w| w.starts_with(tok.as_str()))
                        || lower.starts_with(tok.as_str())
                })
            });
        }
        true
    }

    /// Sort in place when `$orderby` was given.
    pub fn sort(&self, items: &mut [&Value]) {
        if let Some((prop, desc)) = &self.orderby {
            items.sort_by(|a, b| {
                let ka = a
                    .get(prop)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_lowercase();
                let kb = b
                    .get(prop)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_lowercase();
                if *desc { kb.cmp(&ka) } else { ka.cmp(&kb) }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> BTreeSet<String> {
        ["id", "displayName", "mail"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    fn p(pairs: &[(&str, &str)], eventual: bool) -> Result<Options, QueryError> {
        let v: Vec<_> = pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        parse(&v, eventual, "microsoft.graph.group", &known(), 999)
    }

    #[test]
    fn top_bounds_follow_graph() {
        assert!(p(&[("$top", "999")], false).is_ok());
        let e = p(&[("$top", "1000")], false).unwrap_err();
        assert_eq!(e.code, "Request_BadRequest");
        assert!(e.message.contains("between 1 and 999"));
        assert!(p(&[("$top", "0")], false).is_err());
    }

    #[test]
    fn unknown_select_is_rejected() {
        let e = p(&[("$select", "id,nope")], false).unwrap_err();
        assert!(e.message.contains("'nope'"));
    }

    #[test]
    fn advanced_queries_need_eventual_and_count() {
        assert!(p(&[("$filter", "displayName ne 'x'")], false).is_err());
        assert!(
            p(
                &[("$filter", "displayName ne 'x'"), ("$count", "true")],
                true
            )
            .is_ok()
        );
        assert!(p(&[("$search", "\"displayName:fin\"")], false).is_err());
        assert!(p(&[("$search", "\"displayName:fin\"")], true).is_ok());
    }

    #[test]
    fn skiptoken_round_trips() {
        let t = encode_skiptoken(300);
        let o = p(&[("$skiptoken", &t)], false).unwrap();
        assert_eq!(o.skip, 300);
        assert!(o.passthrough.is_empty());
        assert!(p(&[("$skiptoken", "garbage!")], false).is_err());
    }
}

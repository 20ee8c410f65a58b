//! A second collection read beside a blade's list and joined to its rows by object id (the
//! user risk on Users): declared by the blade, read the same way by the TUI and `export`.

use super::def::ListSource;
pub use super::source::Join;
use crate::cache::Store;
use crate::graph::GraphClient;
use crate::widgets::table::TableRow;
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;

/// The joined objects by the id of the row they complete.
pub type Joined = HashMap<String, Value>;

/// Read a join: live from Graph, offline from the cache. The error says why in words.
pub async fn read(
    join: &'static Join,
    client: &GraphClient,
    store: Option<&Arc<Store>>,
) -> Result<Joined, String> {
    let objects = if client.is_offline() {
        let Some(st) = store else {
            return Err("offline, and no cache".into());
        };
        let (items, as_of) = crate::cache::off_thread(st.clone(), move |s| s.list(join.cache))
            .await
            .map_err(|e| e.to_string())?;
        if items.is_empty() && as_of.is_none() {
            return Err(format!(
                "not in the cache (kept once {} is shown online)",
                join.cache
            ));
        }
        // Part of a list would pass the others off as "none": not used.
        let cut = crate::cache::off_thread(st.clone(), move |s| s.completeness(join.cache))
            .await
            .map_err(|e| e.to_string())?;
        if cut == crate::cache::Synced::Cut {
            return Err(format!(
                "the cached {} list is partial (its last read was cut short)",
                join.cache
            ));
        }
        items
    } else {
        let request = (join.request)();
        let path = request.path.clone();
        client
            .get_all(request)
            .await
            .map_err(|e| match e.licence_hint(&path) {
                Some(hint) => format!("{hint}. {e}"),
                None => e.to_string(),
            })?
    };
    Ok(objects
        .into_iter()
        .filter_map(|v| {
            let id = v.get(join.by)?.as_str()?.to_string();
            let kept: serde_json::Map<String, Value> = join
                .keep
                .iter()
                .filter_map(|k| Some((k.to_string(), v.get(*k)?.clone())))
                .collect();
            Some((id, Value::Object(kept)))
        })
        .collect())
}

/// Put each joined object on the object whose id it names.
pub fn annotate(join: &Join, joined: &Joined, objects: &mut [Value]) {
    for v in objects {
        let m = v
            .get("id")
            .and_then(Value::as_str)
            .and_then(|id| joined.get(id));
        if let Some(m) = m {
            v[join.field] = m.clone();
        }
    }
}

/// The row again with its joined object, or `None` when the join names none for it.
pub fn row(source: &ListSource, join: &Join, joined: &Joined, row: &TableRow) -> Option<TableRow> {
    let m = joined.get(row.id())?;
    let mut v = row.object();
    v[join.field] = m.clone();
    Some(source.row(v))
}

/// The row again without a joined object, or `None` when it carries none (a join no longer
/// read, or no longer naming it).
pub fn row_without(source: &ListSource, join: &Join, row: &TableRow) -> Option<TableRow> {
    let mut v = row.object();
    v.as_object_mut()?.remove(join.field)?;
    Some(source.row(v))
}

/// Rows completed by the join where it names them, the others as they are.
pub fn rows(
    source: &ListSource,
    join: &Join,
    joined: &Joined,
    rows: Vec<TableRow>,
) -> Vec<TableRow> {
    if joined.is_empty() {
        return rows;
    }
    rows.into_iter()
        .map(|r| row(source, join, joined, &r).unwrap_or(r))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::Request;
    use serde_json::json;

    static J: Join = Join {
        name: "risk",
        request: || Request::get("/identityProtection/riskyUsers"),
        cache: "risky-users",
        by: "id",
        field: "@risk",
        keep: &["riskLevel"],
    };

    #[test]
    fn a_joined_object_lands_on_the_row_of_its_id_only() {
        let joined: Joined = [("u1".to_string(), json!({"riskLevel": "high"}))]
            .into_iter()
            .collect();
        let mut objs = vec![json!({"id": "u1"}), json!({"id": "u2"}), json!({"x": 1})];
        annotate(&J, &joined, &mut objs);
        assert_eq!(objs[0]["@risk"]["riskLevel"], "high");
        assert!(objs[1].get("@risk").is_none());
        assert!(objs[2].get("@risk").is_none());
    }
}

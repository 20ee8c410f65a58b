//! Users and groups found by name (`$search` on `displayName`): the pickers' searches.

use crate::graph::Request;

/// The searches behind a query (`$search` needs `ConsistencyLevel: eventual`, graph-api.md §11.2).
pub fn search(query: &str) -> [Request; 2] {
    let q = format!("\"displayName:{}\"", query.replace('"', ""));
    [
        Request::get("/users")
            .search(q.clone())
            .select(&["id", "displayName", "userPrincipalName"])
            .top(25),
        Request::get("/groups")
            .search(q)
            .select(&["id", "displayName", "mail", "isAssignableToRole"])
            .top(25),
    ]
}

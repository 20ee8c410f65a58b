//! Tests of the Graph client against loopback servers: paging, retries, limits, errors.

use super::*;
use crate::auth::AccessToken;

fn client(base: &str, read_only: bool) -> Result<GraphClient, GraphError> {
    GraphClient::new(GraphConfig {
        base_url: base.into(),
        read_only,
        credential: Credential::Static(AccessToken::new("t")),
        limits: crate::graph::Limits::default(),
    })
}

#[test]
fn plain_http_only_to_loopback() {
    assert!(client("http://127.0.0.1:8080", false).is_ok());
    assert!(client("http://[::1]:8080", false).is_ok());
    assert!(client("http://localhost:1", false).is_ok());
    assert!(client("https://graph.microsoft.com", false).is_ok());
    assert!(matches!(
        client("http://graph.microsoft.com", false),
        Err(GraphError::BadUrl(_))
    ));
}

#[test]
fn url_keeps_odata_characters() {
    let c = client("https://graph.microsoft.com/", false).unwrap();
    let r = Request::get("/groups")
        .filter("groupTypes/any(c:c eq 'Unified')")
        .top(5);
    let u = c.url_for(&r).unwrap();
    assert_eq!(
        u.as_str(),
        "https://graph.microsoft.com/v1.0/groups?$filter=groupTypes/any(c:c%20eq%20%27Unified%27)&$top=5"
    );
}

#[test]
fn foreign_next_links_are_refused() {
    let c = client("http://127.0.0.1:9", false).unwrap();
    assert!(
        c.same_origin("http://127.0.0.1:9/v1.0/groups?$skiptoken=x")
            .is_ok()
    );
    assert!(matches!(
        c.same_origin("http://127.0.0.2:9/v1.0/groups"),
        Err(GraphError::ForeignHost(_))
    ));
    assert!(matches!(
        c.same_origin("https://127.0.0.1:9/v1.0/groups"),
        Err(GraphError::ForeignHost(_))
    ));
    // Issue 32, item 9: another port of the same host is named with its port.
    let e = c
        .same_origin("http://127.0.0.1:8080/v1.0/groups")
        .unwrap_err();
    assert!(e.to_string().contains("127.0.0.1:8080"), "{e}");
}

#[test]
fn read_only_allows_only_the_listed_read_posts() {
    let c = client("https://graph.microsoft.com", true).unwrap();
    for path in [
        "/directoryObjects/getByIds",
        "/identity/conditionalAccess/evaluate",
        "/users/u1/getMemberGroups",
    ] {
        assert!(c.guard(&Request::new(Method::Post, path)).is_ok(), "{path}");
    }
    for path in [
        "/identity/conditionalAccess/policies",
        "/groups/g1/members/$ref",
        "/directoryObjects/getByIds/x",
    ] {
        assert!(
            c.guard(&Request::new(Method::Post, path)).is_err(),
            "{path}"
        );
    }
}

#[test]
fn read_only_refuses_writes_before_sending() {
    let c = client("http://127.0.0.1:9", true).unwrap();
    assert!(c.guard(&Request::get("/groups")).is_ok());
    let patch = Request::new(Method::Patch, "/groups/1");
    assert!(matches!(c.guard(&patch), Err(GraphError::ReadOnly { .. })));
    let reads = Request::new(Method::Post, "/$batch")
        .json(serde_json::json!({"requests": [{"id": "1", "method": "GET", "url": "/groups"}]}));
    assert!(c.guard(&reads).is_ok());
    let mixed = Request::new(Method::Post, "/$batch").json(serde_json::json!({"requests": [
        {"id": "1", "method": "GET", "url": "/groups"},
        {"id": "2", "method": "DELETE", "url": "/groups/1"}]}));
    assert!(matches!(c.guard(&mixed), Err(GraphError::ReadOnly { .. })));
}

/// Issue 23, item 11: a path or filter built from an empty id is refused before sending, in
/// every mode (`/users//memberOf` would read something else; `userId eq ''` reads nothing).
#[test]
fn requests_built_from_an_empty_id_are_not_sent() {
    let c = client("http://127.0.0.1:9", false).unwrap();
    let e = c.guard(&Request::get("/users//memberOf")).unwrap_err();
    assert!(matches!(e, GraphError::NoId(_)), "{e}");
    assert!(e.to_string().contains("/users//memberOf"), "{e}");
    let f = Request::get("/auditLogs/signIns").filter("userId eq ''");
    assert!(matches!(c.guard(&f), Err(GraphError::NoId(_))));
    assert!(c.guard(&Request::get("/users/u1/memberOf")).is_ok());
}

#[test]
fn pages_tolerate_missing_value_and_annotations() {
    let p = parse_page(
        serde_json::json!({"@odata.context":"x","@odata.count":3}),
        0,
    )
    .unwrap();
    assert!(p.items.is_empty());
    assert_eq!(p.count, Some(3));
    assert!(parse_page(serde_json::json!([1]), 0).is_err());
    assert!(parse_page(serde_json::json!({"value": 5}), 0).is_err());
}

//! Integration: the Graph client against the demo tenant on 127.0.0.1:0, over real HTTP.

use entra_console::auth::{AccessToken, Credential};
use entra_console::demo::{self, DemoOptions, store::Scale};
use entra_console::graph::{GraphClient, GraphConfig, GraphError, Method, Request};
use futures::StreamExt;
use std::collections::HashSet;

async fn tenant(groups: Option<usize>) -> (demo::DemoServer, GraphClient) {
    let opts = DemoOptions {
        scale: Scale {
            users: None,
            groups,
            seed: 42,
        },
        ..Default::default()
    };
    let server = demo::start(opts).await.expect("demo server");
    let client = client_for(&server.url(), Credential::Static(AccessToken::new("t")));
    (server, client)
}

fn client_for(url: &str, credential: Credential) -> GraphClient {
    GraphClient::new(GraphConfig {
        base_url: url.into(),
        read_only: false,
        credential,
        limits: entra_console::graph::Limits::default(),
    })
    .expect("client")
}

fn api(e: GraphError) -> entra_console::graph::ApiError {
    e.api()
        .cloned()
        .unwrap_or_else(|| panic!("expected a Graph error, got {e}"))
}

#[tokio::test]
async fn pages_through_250_groups_in_three_pages() {
    let (_s, c) = tenant(Some(250)).await;
    let mut pages = c.pages(
        Request::get("/groups")
            .select(&["id", "displayName"])
            .top(100),
    );
    let mut sizes = Vec::new();
    let mut ids = HashSet::new();
    while let Some(p) = pages.next().await {
        let p = p.expect("page");
        assert_eq!(p.index, sizes.len());
        sizes.push(p.items.len());
        for item in p.items {
            assert!(
                ids.insert(item["id"].as_str().unwrap().to_string()),
                "duplicate id"
            );
            assert_eq!(
                item.as_object().unwrap().len(),
                2,
                "$select projects: {item}"
            );
        }
    }
    assert_eq!(sizes, [100, 100, 50]);
    assert_eq!(ids.len(), 250);
}

#[tokio::test]
async fn default_page_size_is_100_and_max_is_999() {
    let (_s, c) = tenant(Some(1200)).await;
    let first = c
        .pages(Request::get("/groups"))
        .next()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.items.len(), 100);
    assert!(
        first
            .next_link
            .as_deref()
            .unwrap()
            .starts_with(c.base_url().as_str().trim_end_matches('/'))
    );
    let all = c.get_all(Request::get("/groups").top(999)).await.unwrap();
    assert_eq!(all.len(), 1200);
    let e = api(c
        .get_json(&Request::get("/groups").top(1000))
        .await
        .unwrap_err());
    assert_eq!((e.status, e.code.as_str()), (400, "Request_BadRequest"));
}

#[tokio::test]
async fn consistency_level_is_resent_on_every_page() {
    let (_s, c) = tenant(Some(300)).await;
    // $count=true without ConsistencyLevel is refused by the server, so page 2 and 3 only
    // succeed if the client sends the header again.
    let mut pages = c.pages(Request::get("/groups").select(&["id"]).top(120).count());
    let first = pages.next().await.unwrap().unwrap();
    assert_eq!(first.count, Some(300));
    let mut n = first.items.len();
    while let Some(p) = pages.next().await {
        let p = p.expect("later page");
        assert_eq!(p.count, None, "@odata.count only on page 1");
        n += p.items.len();
    }
    assert_eq!(n, 300);
}

#[tokio::test]
async fn filters_select_and_search() {
    let (_s, c) = tenant(None).await;
    let m365 = c
        .get_all(Request::get("/groups").filter("groupTypes/any(c:c eq 'Unified')"))
        .await
        .unwrap();
    assert!(!m365.is_empty());
    assert!(m365.iter().all(|g| {
        g["groupTypes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "Unified")
    }));
    let role = c
        .get_all(Request::get("/groups").filter("isAssignableToRole eq true"))
        .await
        .unwrap();
    assert_eq!(role.len(), 3);
    let guests = c
        .get_all(
            Request::get("/users")
                .filter("userType eq 'Guest'")
                .select(&["id", "userType"]),
        )
        .await
        .unwrap();
    assert_eq!(guests.len(), 5);
    let found = c
        .get_all(Request::get("/groups").search("\"displayName:finance\""))
        .await
        .unwrap();
    assert!(found.iter().any(|g| g["displayName"] == "Finance Team"));
    // Advanced operators need ConsistencyLevel + $count.
    let e = api(c
        .get_json(&Request::get("/groups").filter("displayName ne 'x'"))
        .await
        .unwrap_err());
    assert_eq!(e.code, "Request_UnsupportedQuery");
    assert!(
        c.get_all(Request::get("/groups").filter("displayName ne 'x'").count())
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn users_default_properties_only_unless_selected() {
    let (_s, c) = tenant(None).await;
    let page = c
        .pages(Request::get("/users").top(5))
        .next()
        .await
        .unwrap()
        .unwrap();
    let u = page.items[0].as_object().unwrap();
    assert!(u.contains_key("userPrincipalName"));
    assert!(
        !u.contains_key("accountEnabled"),
        "accountEnabled is not a default property"
    );
}

#[tokio::test]
async fn graph_error_bodies_for_bad_ids_and_queries() {
    let (_s, c) = tenant(None).await;
    let e = api(c
        .get_json(&Request::get("/groups/not-a-guid"))
        .await
        .unwrap_err());
    assert_eq!((e.status, e.code.as_str()), (400, "Request_BadRequest"));
    let e = api(c
        .get_json(&Request::get(
            "/groups/00000000-0000-4000-8000-000000000000",
        ))
        .await
        .unwrap_err());
    assert_eq!(
        (e.status, e.code.as_str()),
        (404, "Request_ResourceNotFound")
    );
    assert!(e.request_id.is_some() && e.client_request_id.is_some() && e.date.is_some());
    assert!(e.to_string().contains("request-id"));
    let e = api(c
        .get_json(&Request::get("/groups").filter("displayName eq"))
        .await
        .unwrap_err());
    assert_eq!(e.code, "BadRequest");
    assert!(e.message.starts_with("Invalid filter clause"));
    let e = api(c
        .get_json(&Request::get("/groups").select(&["id", "nonsense"]))
        .await
        .unwrap_err());
    assert!(e.message.contains("nonsense"));
    let e = api(c.get_json(&Request::get("/widgets")).await.unwrap_err());
    assert_eq!(e.status, 400);
}

#[tokio::test]
async fn members_are_typed_directory_objects() {
    let (_s, c) = tenant(None).await;
    let groups = c
        .get_all(Request::get("/groups").filter("displayName eq 'Break-glass accounts'"))
        .await
        .unwrap();
    let id = groups[0]["id"].as_str().unwrap();
    let members = c
        .get_all(Request::get(format!("/groups/{id}/members")).top(1))
        .await
        .unwrap();
    assert_eq!(members.len(), 2, "two pages of one");
    assert!(
        members
            .iter()
            .all(|m| m["@odata.type"] == "#microsoft.graph.user")
    );
    let upn = members[0]["userPrincipalName"].as_str().unwrap();
    let user = c
        .get_json(&Request::get(format!("/users/{upn}")))
        .await
        .unwrap();
    assert_eq!(user["id"], members[0]["id"]);
}

#[tokio::test]
async fn missing_token_is_a_graph_401() {
    let (s, _) = tenant(None).await;
    let c = client_for(&s.url(), Credential::Static(AccessToken::new("")));
    let e = api(c.get_json(&Request::get("/groups")).await.unwrap_err());
    assert_eq!(
        (e.status, e.code.as_str()),
        (401, "InvalidAuthenticationToken")
    );
    let c = client_for(&s.url(), Credential::Missing("sign in first".into()));
    assert!(matches!(
        c.get_json(&Request::get("/groups")).await,
        Err(GraphError::NotSignedIn(_))
    ));
}

#[tokio::test]
async fn writes_are_rejected_by_the_demo_until_implemented_and_refused_in_read_only() {
    let (s, c) = tenant(None).await;
    let e = api(c
        .send(&Request::new(Method::Delete, "/users/x"))
        .await
        .unwrap_err());
    assert_eq!(e.status, 405);
    let ro = GraphClient::new(GraphConfig {
        base_url: s.url(),
        read_only: true,
        credential: Credential::Static(AccessToken::new("t")),
        limits: entra_console::graph::Limits::default(),
    })
    .unwrap();
    assert!(matches!(
        ro.send(&Request::new(Method::Delete, "/groups/x")).await,
        Err(GraphError::ReadOnly { .. })
    ));
}

/// Issue 26's demo fix: every directory role has its PIM policy, as in Graph (the documented
/// Global Administrator example returns its 17 rules); the scope type filter is honoured.
#[tokio::test]
async fn every_role_has_its_pim_policy_and_the_scope_type_is_honoured() {
    let (_server, client) = tenant(None).await;
    let ga = "62e90394-69f5-4237-9190-012177145e10";
    let v = client
        .get_json(&entra_console::graph::resources::pim::policy_of_role(ga))
        .await
        .unwrap();
    let rules = v["value"][0]["policy"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 17, "{rules:?}");
    let ids: HashSet<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    for id in [
        "Expiration_EndUser_Assignment",
        "Approval_EndUser_Assignment",
        "AuthenticationContext_EndUser_Assignment",
        "Notification_Approver_EndUser_Assignment",
        "Expiration_Admin_Eligibility",
    ] {
        assert!(ids.contains(id), "{id}");
    }
    // A role the fixture sets keeps its own settings over the defaults.
    let set = client
        .get_json(&entra_console::graph::resources::pim::policy_of_role(
            "194ae4cb-b126-40b2-bd5b-6091b380977d",
        ))
        .await
        .unwrap();
    let approval = set["value"][0]["policy"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "Approval_EndUser_Assignment")
        .unwrap()
        .clone();
    assert_eq!(approval["setting"]["isApprovalRequired"], true);
    let all = |scope: &str| {
        Request::get("/policies/roleManagementPolicyAssignments")
            .filter(format!("scopeId eq '/' and scopeType eq '{scope}'"))
    };
    let roles = client.get_all(all("DirectoryRole")).await.unwrap();
    assert!(roles.len() > 100, "one a role: {}", roles.len());
    assert!(
        roles.iter().all(|a| a.get("policy").is_none()),
        "not expanded unasked"
    );
    let dir = client.get_all(all("Directory")).await.unwrap();
    assert!(dir.iter().all(|a| a["scopeType"] == "Directory"));
    assert!(client.get_all(all("Group")).await.unwrap().is_empty());
}

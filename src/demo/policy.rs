//! The demo tenant's Conditional Access side: policies (read, PATCH), named locations,
//! authentication contexts and the protected-action resource actions (beta), with protected
//! actions enforced by a real claims challenge when the token lacks the context.

use super::query;
use super::server::{Ctx, Shared, page_response, pairs};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

const CA: &str = include_str!("../../assets/demo-tenant/ca-policies.json");
const LOCATIONS: &str = include_str!("../../assets/demo-tenant/named-locations.json");
const CONTEXTS: &str = include_str!("../../assets/demo-tenant/auth-contexts.json");
const ACTIONS: &str = include_str!("../../assets/demo-tenant/resource-actions.json");

use crate::protect::permission_for;

/// Conditional Access objects of the demo tenant.
#[derive(Debug, Default)]
pub struct PolicyStore {
    pub policies: Vec<Value>,
    pub locations: Vec<Value>,
    pub contexts: Vec<Value>,
    pub actions: Vec<Value>,
}

impl PolicyStore {
    pub fn load() -> Result<PolicyStore, String> {
        Ok(PolicyStore {
            policies: super::store::collection(CA, "ca-policies.json")?,
            locations: super::store::collection(LOCATIONS, "named-locations.json")?,
            contexts: super::store::collection(CONTEXTS, "auth-contexts.json")?,
            actions: super::store::collection(ACTIONS, "resource-actions.json")?,
        })
    }

    /// The authentication context a permission is protected by, if any.
    pub fn context_of(&self, permission: &str) -> Option<String> {
        self.actions
            .iter()
            .find(|a| a["name"].as_str() == Some(permission))
            .and_then(|a| a["authenticationContextId"].as_str())
            .map(str::to_string)
    }
}

fn keys(items: &[Value]) -> BTreeSet<String> {
    items
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|m| m.keys().cloned())
        .collect()
}

/// Which collection a request is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coll {
    Policies,
    Locations,
    Contexts,
    Actions,
}

impl Coll {
    fn items(self, s: &PolicyStore) -> &Vec<Value> {
        match self {
            Coll::Policies => &s.policies,
            Coll::Locations => &s.locations,
            Coll::Contexts => &s.contexts,
            Coll::Actions => &s.actions,
        }
    }

    fn type_name(self) -> &'static str {
        match self {
            Coll::Policies => "microsoft.graph.conditionalAccessPolicy",
            Coll::Locations => "microsoft.graph.namedLocation",
            Coll::Contexts => "microsoft.graph.authenticationContextClassReference",
            Coll::Actions => "microsoft.graph.unifiedRbacResourceAction",
        }
    }

    fn context(self) -> &'static str {
        match self {
            Coll::Policies => "identity/conditionalAccess/policies",
            Coll::Locations => "identity/conditionalAccess/namedLocations",
            Coll::Contexts => "identity/conditionalAccess/authenticationContextClassReferences",
            Coll::Actions => {
                "roleManagement/directory/resourceNamespaces('microsoft.directory')/resourceActions"
            }
        }
    }
}

/// Resource actions return `isAuthenticationContextSettable` and `authenticationContextId`
/// only when selected (graph-api.md §2).
fn project(coll: Coll, obj: &Value, select: Option<&[String]>) -> Value {
    match (coll, select) {
        (_, Some(fields)) => {
            let m: Map<String, Value> = fields
                .iter()
                .map(|f| (f.clone(), obj.get(f).cloned().unwrap_or(Value::Null)))
                .collect();
            Value::Object(m)
        }
        (Coll::Actions, None) => {
            let mut v = obj.clone();
            if let Some(m) = v.as_object_mut() {
                m.remove("isAuthenticationContextSettable");
                m.remove("authenticationContextId");
            }
            v
        }
        (_, None) => obj.clone(),
    }
}

async fn list(
    state: &Shared,
    version: &str,
    uri: &Uri,
    headers: &HeaderMap,
    raw: Option<String>,
    coll: Coll,
) -> Response {
    let ctx = Ctx::new(headers);
    if let Err(r) = super::server::authorize(&ctx, headers) {
        return r;
    }
    if coll == Coll::Actions && version != "beta" {
        return ctx.error(
            400,
            "BadRequest",
            "Resource not found for the segment 'resourceNamespaces'.",
        );
    }
    let Ok(tenant) = state.tenant.read() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let items = coll.items(&tenant.policy);
    let opts = match query::parse(
        &pairs(raw),
        ctx.eventual,
        coll.type_name(),
        &keys(items),
        999,
    ) {
        Ok(o) => o,
        Err(e) => return ctx.error(e.status, e.code, &e.message),
    };
    let kept: Vec<&Value> = items.iter().filter(|o| opts.keep(o)).collect();
    let select = opts.select.clone();
    page_response(
        &ctx,
        uri.path(),
        kept,
        &opts,
        &format!("{version}/$metadata#{}", coll.context()),
        &|o| project(coll, o, select.as_deref()),
    )
}

async fn get_one(
    state: &Shared,
    version: &str,
    id: &str,
    headers: &HeaderMap,
    raw: Option<String>,
    coll: Coll,
) -> Response {
    let ctx = Ctx::new(headers);
    if let Err(r) = super::server::authorize(&ctx, headers) {
        return r;
    }
    let Ok(tenant) = state.tenant.read() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let items = coll.items(&tenant.policy);
    let Some(obj) = items.iter().find(|o| o["id"].as_str() == Some(id)) else {
        return ctx.error(
            404,
            "ResourceNotFound",
            &format!("The requested resource '{id}' was not found."),
        );
    };
    let opts = match query::parse(
        &pairs(raw),
        ctx.eventual,
        coll.type_name(),
        &keys(items),
        999,
    ) {
        Ok(o) => o,
        Err(e) => return ctx.error(e.status, e.code, &e.message),
    };
    let mut v = project(coll, obj, opts.select.as_deref());
    if let Some(m) = v.as_object_mut() {
        m.insert(
            "@odata.context".into(),
            json!(format!(
                "{}/{version}/$metadata#{}/$entity",
                ctx.origin,
                coll.context()
            )),
        );
    }
    ctx.respond(StatusCode::OK, v)
}

macro_rules! routes {
    ($list:ident, $one:ident, $coll:expr) => {
        pub async fn $list(
            State(s): State<Shared>,
            Path(v): Path<String>,
            u: Uri,
            h: HeaderMap,
            RawQuery(q): RawQuery,
        ) -> Response {
            list(&s, &v, &u, &h, q, $coll).await
        }
        pub async fn $one(
            State(s): State<Shared>,
            Path((v, id)): Path<(String, String)>,
            h: HeaderMap,
            RawQuery(q): RawQuery,
        ) -> Response {
            get_one(&s, &v, &id, &h, q, $coll).await
        }
    };
}

routes!(list_policies, get_policy, Coll::Policies);
routes!(list_locations, get_location, Coll::Locations);
routes!(list_contexts, get_context, Coll::Contexts);
routes!(list_actions, get_action, Coll::Actions);

/// The real claims-challenge 401 (graph-api.md §11.6) when a protected write's token lacks the
/// authentication context.
pub(super) fn challenge(ctx: &Ctx, acrs: &str) -> Response {
    let claims = format!(r#"{{"access_token":{{"acrs":{{"essential":true,"value":"{acrs}"}}}}}}"#);
    let header = format!(
        "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", error=\"insufficient_claims\", claims=\"{}\"",
        crate::graph::claims::encode_claims(&claims)
    );
    let mut r = ctx.error(
        401,
        "InvalidAuthenticationToken",
        "The access token does not satisfy the authentication context this protected action requires.",
    );
    if let Ok(v) = HeaderValue::from_str(&header) {
        r.headers_mut().insert("www-authenticate", v);
    }
    r
}

/// Enforce protected actions: `Some(response)` when the write must be refused.
pub(super) fn enforce(
    state: &Shared,
    ctx: &Ctx,
    headers: &HeaderMap,
    method: &str,
    path: &str,
) -> Option<Response> {
    let permission = permission_for(method, path)?;
    let acrs = state.tenant.read().ok()?.policy.context_of(permission)?;
    let token = headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?
        .trim()
        .to_string();
    if crate::auth::token_acrs(&token).contains(&acrs) {
        return None;
    }
    Some(challenge(ctx, &acrs))
}

fn validation(ctx: &Ctx, inner: &str) -> Response {
    let mut body = json!({"error": {
        "code": "BadRequest",
        "message": "The server could not process the request because it is malformed or incorrect.",
        "innerError": {"message": inner, "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(), "request-id": ctx.request_id}
    }});
    body["error"]["innerError"]["client-request-id"] = json!(ctx.client_request_id);
    ctx.respond(StatusCode::BAD_REQUEST, body)
}

/// Deep-merge a PATCH body into an object (complex properties merge, arrays replace).
fn merge(dst: &mut Value, src: &Value) {
    match (dst, src) {
        (Value::Object(d), Value::Object(s)) => {
            for (k, v) in s {
                match d.get_mut(k) {
                    Some(existing @ Value::Object(_)) if v.is_object() => merge(existing, v),
                    _ => {
                        d.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (d, s) => *d = s.clone(),
    }
}

/// `PATCH /identity/conditionalAccess/policies/{id}`: protected action, validated, 204.
pub async fn patch_policy(
    State(state): State<Shared>,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    let path = format!("/identity/conditionalAccess/policies/{id}");
    if let Some(r) = enforce(&state, &ctx, &headers, "PATCH", &path) {
        return r;
    }
    let _ = version;
    let Ok(patch) = serde_json::from_slice::<Value>(&body) else {
        return validation(&ctx, "1001: The request body is not valid JSON.");
    };
    if !patch.is_object() {
        return validation(&ctx, "1001: The request body must be a JSON object.");
    }
    if let Some(s) = patch.get("state")
        && !matches!(
            s.as_str(),
            Some("enabled" | "disabled" | "enabledForReportingButNotEnforced")
        )
    {
        return validation(&ctx, &format!("1007: Invalid value '{s}' for 'state'."));
    }
    let Ok(mut tenant) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let Some(policy) = tenant
        .policy
        .policies
        .iter_mut()
        .find(|p| p["id"].as_str() == Some(id.as_str()))
    else {
        return ctx.error(
            404,
            "ResourceNotFound",
            &format!("The requested resource '{id}' was not found."),
        );
    };
    merge(policy, &patch);
    policy["id"] = json!(id);
    policy["modifiedDateTime"] =
        json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    ctx.no_content()
}

/// `POST /identity/conditionalAccess/policies`: protected action, validated the way Graph
/// validates (an application condition, a user condition, a grant or session control; errors as
/// `1064:`-style inner messages), 201 with the policy.
pub async fn create_policy(
    State(state): State<Shared>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    if let Some(r) = enforce(
        &state,
        &ctx,
        &headers,
        "POST",
        "/identity/conditionalAccess/policies",
    ) {
        return r;
    }
    let Ok(mut p) = serde_json::from_slice::<Value>(&body) else {
        return validation(&ctx, "1001: The request body is not valid JSON.");
    };
    if p["displayName"].as_str().is_none_or(str::is_empty) {
        return validation(&ctx, "1010: displayName is required.");
    }
    if !matches!(
        p["state"].as_str(),
        Some("enabled" | "disabled" | "enabledForReportingButNotEnforced")
    ) {
        return validation(&ctx, "1007: Invalid value for 'state'.");
    }
    let c = &p["conditions"];
    if c["applications"].is_null() {
        return validation(
            &ctx,
            "1064: Request not valid: the policy needs an applications condition.",
        );
    }
    if c["users"].is_null() && c["clientApplications"].is_null() {
        return validation(
            &ctx,
            "1064: Request not valid: the policy needs a users condition.",
        );
    }
    if p["grantControls"].is_null() && p["sessionControls"].is_null() {
        return validation(
            &ctx,
            "1064: Request not valid: the policy needs a grant or a session control.",
        );
    }
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    p["id"] = json!(uuid::Uuid::new_v4().to_string());
    p["createdDateTime"] = json!(now);
    p["modifiedDateTime"] = Value::Null;
    let Ok(mut tenant) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    tenant.policy.policies.push(p.clone());
    p["@odata.context"] = json!(format!(
        "{}/{version}/$metadata#identity/conditionalAccess/policies/$entity",
        ctx.origin
    ));
    ctx.respond(StatusCode::CREATED, p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_wire_the_protect_cap_setup() {
        let s = PolicyStore::load().unwrap();
        assert_eq!(
            s.context_of("microsoft.directory/conditionalAccessPolicies/basic/update")
                .as_deref(),
            Some("c1")
        );
        assert_eq!(
            s.context_of("microsoft.directory/namedLocations/create")
                .as_deref(),
            Some("c2")
        );
        assert!(s.policies.len() >= 10);
        let states: BTreeSet<&str> = s
            .policies
            .iter()
            .filter_map(|p| p["state"].as_str())
            .collect();
        assert_eq!(states.len(), 3, "all three states are present");
    }

    #[test]
    fn patch_merges_deeply() {
        let mut p = json!({"state": "enabled", "conditions": {"users": {"includeUsers": ["All"], "excludeUsers": []}, "clientAppTypes": ["all"]}});
        merge(
            &mut p,
            &json!({"state": "disabled", "conditions": {"users": {"excludeUsers": ["x"]}}}),
        );
        assert_eq!(p["state"], "disabled");
        assert_eq!(p["conditions"]["users"]["includeUsers"][0], "All");
        assert_eq!(p["conditions"]["users"]["excludeUsers"][0], "x");
        assert_eq!(p["conditions"]["clientAppTypes"][0], "all");
    }
}

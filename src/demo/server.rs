//! The demo tenant's HTTP routes: Graph-shaped collections, single objects and error bodies.

// Handlers return a ready `Response` as their error; boxing it would only add noise.
#![allow(clippy::result_large_err)]

use super::policy;
use super::query::{self, Options, QueryError, encode_skiptoken};
use super::store::{Kind, Tenant};
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};
use std::sync::{Arc, RwLock};

/// Shared state of a running demo server.
pub struct DemoState {
    pub tenant: RwLock<Tenant>,
    pub faults: super::faults::Faults,
    pub identity: super::identity::Identity,
    /// The router itself, for `$batch` to dispatch inner requests through every layer.
    pub router: std::sync::OnceLock<Router>,
    /// No Entra ID P2: Identity Protection answers 403.
    pub no_p2: bool,
}

pub type Shared = Arc<DemoState>;

/// Per-request context: ids echoed in headers and error bodies, the origin for next links.
pub(super) struct Ctx {
    pub(super) request_id: String,
    pub(super) client_request_id: String,
    pub(super) origin: String,
    pub(super) eventual: bool,
}

impl Ctx {
    pub(super) fn new(headers: &HeaderMap) -> Self {
        let h = |k: &str| {
            headers
                .get(k)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        Ctx {
            request_id: uuid::Uuid::new_v4().to_string(),
            client_request_id: h("client-request-id")
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            origin: format!("http://{}", h("host").unwrap_or_else(|| "127.0.0.1".into())),
            eventual: h("consistencylevel").is_some_and(|v| v.eq_ignore_ascii_case("eventual")),
        }
    }

    pub(super) fn respond(&self, status: StatusCode, body: Value) -> Response {
        let mut r = (status, axum::Json(body)).into_response();
        let hs = r.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&self.request_id) {
            hs.insert("request-id", v);
        }
        if let Ok(v) = HeaderValue::from_str(&self.client_request_id) {
            hs.insert("client-request-id", v);
        }
        r
    }

    /// `204 No Content` with no body, as Graph answers PATCH and DELETE.
    pub(super) fn no_content(&self) -> Response {
        let mut r = self.respond(StatusCode::NO_CONTENT, Value::Null);
        *r.body_mut() = axum::body::Body::empty();
        r.headers_mut().remove("content-type");
        r
    }

    /// A Graph error body (graph-api.md §11.5).
    pub(super) fn error(&self, status: u16, code: &str, message: &str) -> Response {
        let body = json!({"error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%S").to_string(),
                "request-id": self.request_id,
                "client-request-id": self.client_request_id,
            }
        }});
        self.respond(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            body,
        )
    }

    fn query_error(&self, e: QueryError) -> Response {
        self.error(e.status, e.code, &e.message)
    }
}

pub(super) fn pairs(raw: Option<String>) -> Vec<(String, String)> {
    raw.map(|q| {
        url::form_urlencoded::parse(q.as_bytes())
            .into_owned()
            .collect()
    })
    .unwrap_or_default()
}

fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// Check the bearer token; Graph answers 401 `InvalidAuthenticationToken` without one.
pub(super) fn authorize(ctx: &Ctx, headers: &HeaderMap) -> Result<(), Response> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    if token.is_empty() {
        return Err(ctx.error(401, "InvalidAuthenticationToken", "Access token is empty."));
    }
    Ok(())
}

/// Authorize a request and parse its JSON body: the start of the demo's POST handlers. `code`
/// is the error code of the 400 (directory endpoints say `Request_BadRequest`).
pub(super) fn json_request(
    headers: &HeaderMap,
    body: &[u8],
    code: &str,
) -> Result<(Ctx, serde_json::Value), Response> {
    let ctx = Ctx::new(headers);
    authorize(&ctx, headers)?;
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(v) => Ok((ctx, v)),
        Err(_) => Err(ctx.error(400, code, "The request body is not valid JSON.")),
    }
}

/// A read's start: the request context, the caller authorized, the tenant locked for reading.
pub(super) fn reading<'a>(
    state: &'a Shared,
    headers: &HeaderMap,
) -> Result<(Ctx, std::sync::RwLockReadGuard<'a, Tenant>), Response> {
    let ctx = Ctx::new(headers);
    authorize(&ctx, headers)?;
    match state.tenant.read() {
        Ok(t) => Ok((ctx, t)),
        Err(_) => Err(ctx.error(500, "UnknownError", "demo tenant state is unavailable")),
    }
}

/// A write with a JSON body: as [`writing`], and the body read (400 as Graph words it when it
/// is not JSON).
pub(super) fn writing_json<'a>(
    state: &'a Shared,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Ctx, std::sync::RwLockWriteGuard<'a, Tenant>, Value), Response> {
    let (ctx, t) = writing(state, headers)?;
    match serde_json::from_slice::<Value>(body) {
        Ok(v) => Ok((ctx, t, v)),
        Err(_) => Err(ctx.error(400, "BadRequest", "Unable to read JSON request payload.")),
    }
}

/// A write's start: the request context, the caller authorized, the tenant locked for writing.
pub(super) fn writing<'a>(
    state: &'a Shared,
    headers: &HeaderMap,
) -> Result<(Ctx, std::sync::RwLockWriteGuard<'a, Tenant>), Response> {
    let ctx = Ctx::new(headers);
    authorize(&ctx, headers)?;
    match state.tenant.write() {
        Ok(t) => Ok((ctx, t)),
        Err(_) => Err(ctx.error(500, "UnknownError", "demo tenant state is unavailable")),
    }
}

impl Ctx {
    /// Graph's 404 for an object that does not exist.
    pub(super) fn not_found(&self, id: &str) -> Response {
        self.error(
            404,
            "Request_ResourceNotFound",
            &format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."),
        )
    }
}

async fn prelude(headers: &HeaderMap, version: &str) -> Result<Ctx, Response> {
    let ctx = Ctx::new(headers);
    if version != "v1.0" && version != "beta" {
        return Err(ctx.error(400, "BadRequest", &format!("Invalid version: {version}")));
    }
    authorize(&ctx, headers)?;
    Ok(ctx)
}

/// Page a filtered collection the way Graph does: default and maximum page sizes, opaque
/// `$skiptoken` in an absolute `@odata.nextLink`, `@odata.count` on the first page only.
pub(super) fn page_response(
    ctx: &Ctx,
    path: &str,
    items: Vec<&Value>,
    opts: &Options,
    context: &str,
    project: &dyn Fn(&Value) -> Value,
) -> Response {
    let mut items = items;
    opts.sort(&mut items);
    let total = items.len();
    let size = opts.top.unwrap_or(100);
    let end = (opts.skip + size).min(total);
    let start = opts.skip.min(total);
    let value: Vec<Value> = items[start..end].iter().map(|o| project(o)).collect();
    let mut body = serde_json::Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!("{}/{context}", ctx.origin)),
    );
    if opts.count && opts.skip == 0 {
        body.insert("@odata.count".into(), json!(total));
    }
    if end < total {
        let mut q: Vec<String> = opts
            .passthrough
            .iter()
            .map(|(k, v)| format!("{}={}", k, urlencode(v)))
            .collect();
        q.push(format!("$skiptoken={}", encode_skiptoken(end)));
        body.insert(
            "@odata.nextLink".into(),
            json!(format!("{}{}?{}", ctx.origin, path, q.join("&"))),
        );
    }
    body.insert("value".into(), Value::Array(value));
    ctx.respond(StatusCode::OK, Value::Object(body))
}

fn kind_of(o: &Value) -> Kind {
    if o.get("userPrincipalName").is_some() {
        Kind::User
    } else {
        Kind::Group
    }
}

fn object_type(o: &Value) -> &'static str {
    kind_of(o).odata_type()
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

async fn list(
    state: State<Shared>,
    version: Path<String>,
    uri: Uri,
    headers: HeaderMap,
    raw: RawQuery,
    kind: Kind,
) -> Response {
    let ctx = match prelude(&headers, &version).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let tenant = match state.tenant.read() {
        Ok(t) => t,
        Err(_) => return ctx.error(500, "UnknownError", "demo tenant state is unavailable"),
    };
    let opts = match query::parse(
        &pairs(raw.0),
        ctx.eventual,
        kind.type_name(),
        tenant.props(kind),
        999,
    ) {
        Ok(o) => o,
        Err(e) => return ctx.query_error(e),
    };
    let all = match kind {
        Kind::User => &tenant.users,
        Kind::Group => &tenant.groups,
    };
    let items: Vec<&Value> = all.iter().filter(|o| opts.keep(o)).collect();
    let name = if kind == Kind::User {
        "users"
    } else {
        "groups"
    };
    let select = opts.select.clone();
    page_response(
        &ctx,
        uri.path(),
        items,
        &opts,
        &format!("{version}/$metadata#{name}", version = version.0),
        &|o| query::project(kind, o, select.as_deref()),
    )
}

async fn list_users(
    s: State<Shared>,
    v: Path<String>,
    u: Uri,
    h: HeaderMap,
    q: RawQuery,
) -> Response {
    list(s, v, u, h, q, Kind::User).await
}

async fn list_groups(
    s: State<Shared>,
    v: Path<String>,
    u: Uri,
    h: HeaderMap,
    q: RawQuery,
) -> Response {
    list(s, v, u, h, q, Kind::Group).await
}

async fn get_one(
    state: State<Shared>,
    version: String,
    id: String,
    headers: HeaderMap,
    raw: RawQuery,
    kind: Kind,
) -> Response {
    let ctx = match prelude(&headers, &version).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let tenant = match state.tenant.read() {
        Ok(t) => t,
        Err(_) => return ctx.error(500, "UnknownError", "demo tenant state is unavailable"),
    };
    let found = match kind {
        Kind::User => tenant.user(&id),
        Kind::Group => tenant.group(&id),
    };
    let Some(obj) = found else {
        if kind == Kind::Group && !is_guid(&id)
            || kind == Kind::User && !is_guid(&id) && !id.contains('@')
        {
            return ctx.error(
                400,
                "Request_BadRequest",
                &format!("Invalid object identifier '{id}'."),
            );
        }
        return ctx.error(404, "Request_ResourceNotFound", &format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ));
    };
    let opts = match query::parse(
        &pairs(raw.0),
        ctx.eventual,
        kind.type_name(),
        tenant.props(kind),
        999,
    ) {
        Ok(o) => o,
        Err(e) => return ctx.query_error(e),
    };
    let mut v = query::project(kind, obj, opts.select.as_deref());
    if kind == Kind::User
        && opts
            .select
            .as_ref()
            .is_some_and(|s| s.iter().any(|f| f == "signInActivity"))
    {
        v["signInActivity"] = super::signins::activity(&tenant, obj["id"].as_str().unwrap_or(""));
    }
    let name = if kind == Kind::User {
        "users"
    } else {
        "groups"
    };
    if let Some(m) = v.as_object_mut() {
        m.insert(
            "@odata.context".into(),
            json!(format!("{}/{version}/$metadata#{name}/$entity", ctx.origin)),
        );
    }
    ctx.respond(StatusCode::OK, v)
}

async fn get_user(
    s: State<Shared>,
    Path((v, id)): Path<(String, String)>,
    h: HeaderMap,
    q: RawQuery,
) -> Response {
    get_one(s, v, id, h, q, Kind::User).await
}

async fn get_group(
    s: State<Shared>,
    Path((v, id)): Path<(String, String)>,
    h: HeaderMap,
    q: RawQuery,
) -> Response {
    get_one(s, v, id, h, q, Kind::Group).await
}

async fn group_members(
    state: State<Shared>,
    Path((version, id)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    raw: RawQuery,
) -> Response {
    let ctx = match prelude(&headers, &version).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let tenant = match state.tenant.read() {
        Ok(t) => t,
        Err(_) => return ctx.error(500, "UnknownError", "demo tenant state is unavailable"),
    };
    if tenant.group(&id).is_none() {
        if !is_guid(&id) {
            return ctx.error(
                400,
                "Request_BadRequest",
                &format!("Invalid object identifier '{id}'."),
            );
        }
        return ctx.error(404, "Request_ResourceNotFound", &format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ));
    }
    // Members are users and groups; validate $select against both.
    let mut known = tenant.user_props.clone();
    known.extend(tenant.group_props.iter().cloned());
    let opts = match query::parse(
        &pairs(raw.0),
        ctx.eventual,
        "microsoft.graph.directoryObject",
        &known,
        999,
    ) {
        Ok(o) => o,
        Err(e) => return ctx.query_error(e),
    };
    // The same handler serves members, transitiveMembers and owners.
    let ids = match uri.path().rsplit('/').next().unwrap_or_default() {
        "owners" => tenant.owners.get(&id).cloned().unwrap_or_default(),
        "transitiveMembers" => tenant.transitive_members(&id),
        "membersWithLicenseErrors" => super::assign::members_with_errors(&tenant, &id),
        _ => tenant.members.get(&id).cloned().unwrap_or_default(),
    };
    let items: Vec<&Value> = ids
        .iter()
        .filter_map(|m| tenant.object(m).map(|(_, v)| v))
        .filter(|o| opts.keep(o))
        .collect();
    let select = opts.select.clone();
    // Members mix users and groups: each is projected by its own kind and typed.
    page_response(
        &ctx,
        uri.path(),
        items,
        &opts,
        &format!("{version}/$metadata#directoryObjects"),
        &|o| {
            let mut v = query::project(kind_of(o), o, select.as_deref());
            if let Some(m) = v.as_object_mut() {
                m.insert("@odata.type".into(), json!(object_type(o)));
            }
            v
        },
    )
}

async fn fallback(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let ctx = Ctx::new(&headers);
    if method != Method::GET {
        return ctx.error(
            405,
            "Request_BadRequest",
            "Specified HTTP method is not allowed for the request target.",
        );
    }
    let seg = uri
        .path()
        .trim_start_matches('/')
        .split('/')
        .nth(1)
        .unwrap_or_default()
        .to_string();
    ctx.error(
        400,
        "BadRequest",
        &format!("Resource not found for the segment '{seg}'."),
    )
}

/// The router for a demo tenant.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/{version}/users", get(list_users))
        .route("/{version}/users/{id}", get(get_user).patch(super::licensing::patch_user))
        .route(
            "/{version}/users/{id}/revokeSignInSessions",
            axum::routing::post(super::auth_methods::revoke),
        )
        .route("/{version}/users/{id}/authentication/methods", get(super::auth_methods::list))
        .route(
            "/{version}/users/{id}/authentication/{segment}",
            axum::routing::post(super::auth_methods::create_tap),
        )
        .route(
            "/{version}/users/{id}/authentication/{segment}/{mid}",
            axum::routing::delete(super::auth_methods::delete),
        )
        .route(
            "/{version}/reports/authenticationMethods/userRegistrationDetails/{id}",
            get(super::auth_methods::registration),
        )
        .route(
            "/{version}/users/{id}/reprocessLicenseAssignment",
            axum::routing::post(super::licensing::reprocess),
        )
        .route(
            "/{version}/groups",
            get(list_groups).post(super::group_write::create_group),
        )
        .route(
            "/{version}/groups/{id}",
            get(get_group)
                .patch(super::group_write::patch_group)
                .delete(super::group_write::delete_group),
        )
        .route(
            "/{version}/groups/{id}/members/$ref",
            axum::routing::post(super::group_write::add_ref),
        )
        .route(
            "/{version}/groups/{id}/members/{member}/$ref",
            axum::routing::delete(super::group_write::remove_ref),
        )
        .route("/{version}/groups/{id}/members", get(group_members))
        .route("/{version}/groups/{id}/transitiveMembers", get(group_members))
        .route("/{version}/groups/{id}/owners", get(group_members))
        .route("/{version}/groups/{id}/membersWithLicenseErrors", get(group_members))
        .route(
            "/{version}/groups/{id}/assignLicense",
            axum::routing::post(super::assign::group),
        )
        .route(
            "/{version}/users/{id}/assignLicense",
            axum::routing::post(super::assign::user),
        )
        .route(
            "/{version}/groups/{id}/owners/$ref",
            axum::routing::post(super::owners::add_owner),
        )
        .route(
            "/{version}/groups/{id}/owners/{owner}/$ref",
            axum::routing::delete(super::owners::remove_owner),
        )
        .route(
            "/{version}/$batch",
            axum::routing::post(super::batch::handle),
        )
        .route(
            "/{version}/identity/conditionalAccess/policies",
            get(policy::list_policies).post(super::ca_write::create_policy),
        )
        .route(
            "/{version}/identity/conditionalAccess/policies/{id}",
            get(policy::get_policy)
                .patch(super::ca_write::patch_policy)
                .delete(super::ca_write::delete_policy),
        )
        .route(
            "/{version}/identity/conditionalAccess/namedLocations",
            get(policy::list_locations).post(super::ca_write::create_location),
        )
        .route(
            "/{version}/identity/conditionalAccess/namedLocations/{id}",
            get(policy::get_location)
                .patch(super::ca_write::patch_location)
                .delete(super::ca_write::delete_location),
        )
        .route(
            "/{version}/identity/conditionalAccess/evaluate",
            axum::routing::post(super::whatif::evaluate_policies),
        )
        .route("/{version}/devices", get(super::devices::list))
        .route(
            "/{version}/devices/{id}",
            get(super::devices::get).patch(super::devices::update).delete(super::devices::delete),
        )
        .route("/{version}/devices/{id}/{relation}", get(super::devices::relation))
        .route("/{version}/directory/deletedItems", get(super::deleted::list_all))
        .route(
            "/{version}/directory/deletedItems/{id}",
            get(super::deleted::get).delete(super::deleted::purge),
        )
        .route(
            "/{version}/directory/deletedItems/{id}/restore",
            axum::routing::post(super::deleted::restore),
        )
        .route("/{version}/identityProtection/riskyUsers", get(policy::list_risky))
        .route(
            "/{version}/identityProtection/riskyUsers/confirmCompromised",
            axum::routing::post(super::risk::confirm_compromised),
        )
        .route(
            "/{version}/identityProtection/riskyUsers/dismiss",
            axum::routing::post(super::risk::dismiss),
        )
        .route("/{version}/identityProtection/riskyUsers/{id}", get(policy::get_risky))
        .route(
            "/{version}/identityProtection/riskyUsers/{id}/history",
            get(super::risk::history),
        )
        .route("/{version}/identityProtection/riskDetections", get(policy::list_detections))
        .route("/{version}/identityProtection/riskDetections/{id}", get(policy::get_detection))
        .route("/{version}/auditLogs/signIns", get(super::signins::list))
        .route("/{version}/auditLogs/signIns/{id}", get(super::signins::get))
        .route("/{version}/domains", get(policy::list_domains))
        .route("/{version}/domains/{id}", get(policy::get_domain))
        .route("/{version}/groupSettings", get(policy::list_settings))
        .route("/{version}/groupSettings/{id}", get(policy::get_setting))
        .route("/{version}/groupSettingTemplates", get(policy::list_setting_templates))
        .route("/{version}/groupSettingTemplates/{id}", get(policy::get_setting_template))
        .route("/{version}/policies/{which}", get(policy::get_tenant_policy))
        .route("/{version}/subscribedSkus", get(policy::list_skus))
        .route("/{version}/subscribedSkus/{id}", get(policy::get_sku))
        .route("/{version}/policies/authenticationStrengthPolicies", get(policy::list_strengths))
        .route("/{version}/policies/authenticationStrengthPolicies/{id}", get(policy::get_strength))
        .route("/{version}/me", get(super::membership::me))
        .route("/{version}/me/transitiveMemberOf", get(super::membership::my_member_of))
        .route("/{version}/me/memberOf", get(super::membership::my_member_of))
        .route("/{version}/directoryObjects/getByIds", axum::routing::post(super::membership::get_by_ids))
        .route("/{version}/users/{id}/transitiveMemberOf", get(super::membership::transitive_member_of))
        .route("/{version}/users/{id}/memberOf", get(super::membership::transitive_member_of))
        .route("/{version}/groups/{id}/memberOf", get(super::membership::transitive_member_of))
        .route(
            "/{version}/identity/conditionalAccess/authenticationContextClassReferences",
            get(policy::list_contexts),
        )
        .route(
            "/{version}/identity/conditionalAccess/authenticationContextClassReferences/{id}",
            get(policy::get_context)
                .patch(super::protected::patch_context)
                .delete(super::protected::delete_context),
        )
        .route(
            "/{version}/roleManagement/directory/resourceNamespaces/microsoft.directory/resourceActions",
            get(policy::list_actions),
        )
        .route(
            "/{version}/roleManagement/directory/resourceNamespaces/microsoft.directory/resourceActions/{id}",
            get(policy::get_action).patch(super::protected::patch_action),
        )
        .route("/{version}/oauth2/v2.0/devicecode", axum::routing::post(super::identity::devicecode))
        .route("/{version}/oauth2/v2.0/token", axum::routing::post(super::identity::token))
        .route("/devicelogin", get(super::identity::devicelogin))
        .route("/{version}/directory/administrativeUnits", get(super::roles::administrative_units))
        .route("/{version}/roleManagement/directory/roleDefinitions", get(super::roles::definitions))
        .route("/{version}/roleManagement/directory/roleDefinitions/{id}", get(super::roles::definition))
        .route(
            "/{version}/roleManagement/directory/roleAssignments",
            get(super::roles::assignments).post(super::roles::create_assignment),
        )
        .route(
            "/{version}/roleManagement/directory/roleAssignments/{id}",
            axum::routing::delete(super::roles::delete_assignment),
        )
        .route(
            "/{version}/roleManagement/directory/roleEligibilityScheduleRequests",
            axum::routing::post(super::roles::eligibility_request),
        )
        .route("/{version}/roleManagement/directory/roleEligibilityScheduleInstances", get(super::roles::eligibility))
        .route(
            "/{version}/roleManagement/directory/roleAssignmentScheduleInstances",
            get(super::roles::assignment_instances),
        )
        .route(
            "/{version}/roleManagement/directory/roleAssignmentScheduleRequests",
            get(super::roles::requests).post(super::pim::schedule_request),
        )
        .route(
            "/{version}/roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')",
            get(super::approvals::for_approver),
        )
        .route(
            "/{version}/roleManagement/directory/roleAssignmentApprovals/{id}/steps",
            get(super::approvals::steps),
        )
        .route(
            "/{version}/roleManagement/directory/roleAssignmentApprovals/{id}/steps/{step}",
            axum::routing::patch(super::approvals::decide),
        )
        .route(
            "/{version}/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances",
            get(super::pim_groups::eligibility),
        )
        .route(
            "/{version}/identityGovernance/privilegedAccess/group/assignmentScheduleInstances",
            get(super::pim_groups::assignments),
        )
        .route(
            "/{version}/identityGovernance/privilegedAccess/group/assignmentScheduleRequests",
            axum::routing::post(super::pim_groups::request),
        )
        .route(
            "/{version}/identityGovernance/privilegedAccess/group/assignmentScheduleRequests/filterByCurrentUser(on='principal')",
            get(super::pim_groups::for_principal),
        )
        .route(
            "/{version}/identityGovernance/privilegedAccess/group/assignmentScheduleRequests/filterByCurrentUser(on='approver')",
            get(super::pim_groups::for_approver),
        )
        .route(
            "/{version}/identityGovernance/privilegedAccess/group/assignmentApprovals/{id}",
            get(super::pim_groups::approval),
        )
        .route(
            "/{version}/identityGovernance/privilegedAccess/group/assignmentApprovals/{id}/stages/{stage}",
            axum::routing::patch(super::pim_groups::decide),
        )
        .route(
            "/{version}/identityGovernance/privilegedAccess/group/assignmentApprovals/{id}/steps/{stage}",
            axum::routing::patch(super::pim_groups::decide),
        )
        .route(
            "/{version}/policies/roleManagementPolicies/{policy}/rules/{rule}",
            axum::routing::patch(super::pim::update_rule),
        )
        .route(
            "/{version}/policies/roleManagementPolicyAssignments",
            get(super::pim::policy_assignments),
        )
        .route("/{version}/users/delta", get(super::delta::users))
        .route("/{version}/groups/delta", get(super::delta::groups))
        // The function forms the SDKs send (graph-api.md: Graph accepts both).
        .route("/{version}/users/delta()", get(super::delta::users))
        .route("/{version}/groups/delta()", get(super::delta::groups))
        .route("/{version}/users/microsoft.graph.delta()", get(super::delta::users))
        .route("/{version}/groups/microsoft.graph.delta()", get(super::delta::groups))
        .fallback(fallback)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            super::faults::middleware,
        ))
        .with_state(state)
}

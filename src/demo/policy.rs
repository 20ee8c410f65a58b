//! The demo tenant's Conditional Access side: policies (read, PATCH), named locations,
//! authentication contexts and the protected-action resource actions (beta), with protected
//! actions enforced by a real claims challenge when the token lacks the context.

use super::query;
use super::server::{Ctx, Shared, page_response, pairs};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

const CA: &str = include_str!("../../assets/demo-tenant/ca-policies.json");
const LOCATIONS: &str = include_str!("../../assets/demo-tenant/named-locations.json");
const CONTEXTS: &str = include_str!("../../assets/demo-tenant/auth-contexts.json");
const ACTIONS: &str = include_str!("../../assets/demo-tenant/resource-actions.json");
const STRENGTHS: &str = include_str!("../../assets/demo-tenant/auth-strengths.json");
const SKUS: &str = include_str!("../../assets/demo-tenant/subscribed-skus.json");
const RISKY: &str = include_str!("../../assets/demo-tenant/risky-users.json");
const DETECTIONS: &str = include_str!("../../assets/demo-tenant/risk-detections.json");
const DOMAINS: &str = include_str!("../../assets/demo-tenant/domains.json");
const TENANT_POLICIES: &str = include_str!("../../assets/demo-tenant/tenant-policies.json");

/// Conditional Access objects of the demo tenant, and the other tenant-wide collections the
/// same list and get handlers serve (subscribed SKUs).
#[derive(Debug, Default)]
pub struct PolicyStore {
    pub policies: Vec<Value>,
    pub locations: Vec<Value>,
    pub contexts: Vec<Value>,
    pub actions: Vec<Value>,
    pub strengths: Vec<Value>,
    /// One nearly out, one over-consumed in warning, one suspended.
    pub skus: Vec<Value>,
    /// Identity Protection: risky users in every state, their detections and history.
    pub risky: Vec<Value>,
    pub detections: Vec<Value>,
    pub risk_history: Vec<Value>,
    /// Two managed domains (one whose passwords expire), a federated and an unverified one.
    pub domains: Vec<Value>,
    /// The singletons `policies/authorizationPolicy` and `policies/authenticationMethodsPolicy`.
    pub authorization: Value,
    pub methods: Value,
    /// `policies/adminConsentRequestPolicy` (the admin consent workflow: off here).
    pub consent_requests: Value,
    /// `groupSettings`: the directory settings the tenant created (Consent Policy Settings,
    /// Password Rule Settings; Group.Unified never was, so its template's defaults apply).
    pub settings: Vec<Value>,
    /// `groupSettingTemplates`.
    pub setting_templates: Vec<Value>,
}

impl PolicyStore {
    pub fn load() -> Result<PolicyStore, String> {
        Ok(PolicyStore {
            policies: super::store::collection(CA, "ca-policies.json")?,
            locations: super::store::collection(LOCATIONS, "named-locations.json")?,
            contexts: super::store::collection(CONTEXTS, "auth-contexts.json")?,
            actions: super::store::collection(ACTIONS, "resource-actions.json")?,
            strengths: super::store::collection(STRENGTHS, "auth-strengths.json")?,
            skus: super::store::collection(SKUS, "subscribed-skus.json")?,
            risky: super::store::collection(RISKY, "risky-users.json")?,
            detections: super::store::collection(DETECTIONS, "risk-detections.json")?,
            risk_history: Vec::new(),
            domains: super::store::collection(DOMAINS, "domains.json")?,
            authorization: singleton("authorizationPolicy")?,
            methods: singleton("authenticationMethodsPolicy")?,
            consent_requests: singleton("adminConsentRequestPolicy")?,
            settings: listed("groupSettings")?,
            setting_templates: listed("groupSettingTemplates")?,
        }
        .with_history())
    }

    /// One history item per risky user: how it came to its state.
    fn with_history(mut self) -> Self {
        self.risk_history = self.risky.iter().map(super::risk::history_item).collect();
        self
    }

    pub(super) fn items_mut(&mut self, coll: Coll) -> &mut Vec<Value> {
        match coll {
            Coll::Policies => &mut self.policies,
            Coll::Locations => &mut self.locations,
            Coll::Contexts => &mut self.contexts,
            Coll::Actions => &mut self.actions,
            Coll::Strengths => &mut self.strengths,
            Coll::Skus => &mut self.skus,
            Coll::RiskyUsers => &mut self.risky,
            Coll::RiskDetections => &mut self.detections,
            Coll::Domains => &mut self.domains,
            Coll::Settings => &mut self.settings,
            Coll::SettingTemplates => &mut self.setting_templates,
        }
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
    Strengths,
    Skus,
    RiskyUsers,
    RiskDetections,
    Domains,
    Settings,
    SettingTemplates,
}

impl Coll {
    fn items(self, s: &PolicyStore) -> &Vec<Value> {
        match self {
            Coll::Policies => &s.policies,
            Coll::Locations => &s.locations,
            Coll::Contexts => &s.contexts,
            Coll::Actions => &s.actions,
            Coll::Strengths => &s.strengths,
            Coll::Skus => &s.skus,
            Coll::RiskyUsers => &s.risky,
            Coll::RiskDetections => &s.detections,
            Coll::Domains => &s.domains,
            Coll::Settings => &s.settings,
            Coll::SettingTemplates => &s.setting_templates,
        }
    }

    fn type_name(self) -> &'static str {
        match self {
            Coll::Policies => "microsoft.graph.conditionalAccessPolicy",
            Coll::Locations => "microsoft.graph.namedLocation",
            Coll::Contexts => "microsoft.graph.authenticationContextClassReference",
            Coll::Actions => "microsoft.graph.unifiedRbacResourceAction",
            Coll::Strengths => "microsoft.graph.authenticationStrengthPolicy",
            Coll::Skus => "microsoft.graph.subscribedSku",
            Coll::RiskyUsers => "microsoft.graph.riskyUser",
            Coll::RiskDetections => "microsoft.graph.riskDetection",
            Coll::Domains => "microsoft.graph.domain",
            Coll::Settings => "microsoft.graph.groupSetting",
            Coll::SettingTemplates => "microsoft.graph.groupSettingTemplate",
        }
    }

    fn context(self) -> &'static str {
        match self {
            Coll::Policies => "identity/conditionalAccess/policies",
            Coll::Locations => "identity/conditionalAccess/namedLocations",
            Coll::Contexts => "identity/conditionalAccess/authenticationContextClassReferences",
            Coll::Strengths => "policies/authenticationStrengthPolicies",
            Coll::Skus => "subscribedSkus",
            Coll::RiskyUsers => "identityProtection/riskyUsers",
            Coll::RiskDetections => "identityProtection/riskDetections",
            Coll::Domains => "domains",
            Coll::Settings => "groupSettings",
            Coll::SettingTemplates => "groupSettingTemplates",
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
    if let Some(r) = super::risk::premium(state, &ctx, coll) {
        return r;
    }
    // subscribedSkus takes $select only (subscribedsku-list.md: "It does not support
    // $filter"); the error body Graph sends is not published, so this one is the demo's.
    if coll == Coll::Skus
        && pairs(raw.clone())
            .iter()
            .any(|(k, _)| k.starts_with('$') && k != "$select")
    {
        return ctx.error(
            400,
            "Request_UnsupportedQuery",
            "subscribedSkus supports only the $select query option.",
        );
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
    if let Some(r) = super::risk::premium(state, &ctx, coll) {
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
routes!(list_strengths, get_strength, Coll::Strengths);
routes!(list_skus, get_sku, Coll::Skus);
routes!(list_risky, get_risky, Coll::RiskyUsers);
routes!(list_detections, get_detection, Coll::RiskDetections);
routes!(list_domains, get_domain, Coll::Domains);
routes!(list_settings, get_setting, Coll::Settings);
routes!(
    list_setting_templates,
    get_setting_template,
    Coll::SettingTemplates
);

/// A collection kept in the tenant policies' fixture.
fn listed(key: &str) -> Result<Vec<Value>, String> {
    let all: Value =
        serde_json::from_str(TENANT_POLICIES).map_err(|e| format!("tenant-policies.json: {e}"))?;
    all[key]
        .as_array()
        .cloned()
        .ok_or_else(|| format!("tenant-policies.json has no {key}"))
}

/// One of the tenant's singleton policies from its fixture.
fn singleton(key: &str) -> Result<Value, String> {
    let all: Value =
        serde_json::from_str(TENANT_POLICIES).map_err(|e| format!("tenant-policies.json: {e}"))?;
    match &all[key] {
        v if v.is_object() => Ok(v.clone()),
        _ => Err(format!("tenant-policies.json has no {key}")),
    }
}

/// `GET /policies/authorizationPolicy` and `/policies/authenticationMethodsPolicy`: one object
/// (authorizationpolicy-get.md, authenticationmethodspolicy-get.md; the methods policy comes
/// with its configurations expanded), `$select` honoured.
pub async fn get_tenant_policy(
    State(state): State<Shared>,
    Path((version, which)): Path<(String, String)>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    let Ok(tenant) = state.tenant.read() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let (obj, type_name) = match which.as_str() {
        "authorizationPolicy" => (
            &tenant.policy.authorization,
            "microsoft.graph.authorizationPolicy",
        ),
        "authenticationMethodsPolicy" => (
            &tenant.policy.methods,
            "microsoft.graph.authenticationMethodsPolicy",
        ),
        // adminconsentrequestpolicy-get.md: an object without an id.
        "adminConsentRequestPolicy" => (
            &tenant.policy.consent_requests,
            "microsoft.graph.adminConsentRequestPolicy",
        ),
        _ => {
            return ctx.error(
                400,
                "BadRequest",
                &format!("Resource not found for the segment '{which}'."),
            );
        }
    };
    let opts = match query::parse(
        &pairs(raw),
        ctx.eventual,
        type_name,
        &keys(std::slice::from_ref(obj)),
        999,
    ) {
        Ok(o) => o,
        Err(e) => return ctx.error(e.status, e.code, &e.message),
    };
    let mut v = match opts.select.as_deref() {
        Some(fields) => Value::Object(
            fields
                .iter()
                .map(|f| (f.clone(), obj.get(f).cloned().unwrap_or(Value::Null)))
                .collect(),
        ),
        None => obj.clone(),
    };
    if let Some(m) = v.as_object_mut() {
        m.insert(
            "@odata.context".into(),
            json!(format!(
                "{}/{version}/$metadata#policies/{which}/$entity",
                ctx.origin
            )),
        );
    }
    ctx.respond(StatusCode::OK, v)
}

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
    let permission = super::rules::permission(method, path)?;
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
}

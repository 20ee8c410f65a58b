//! The demo tenant's directory roles: role definitions (built-in with real template ids from
//! the Entra docs, `isPrivileged` on beta only), active assignments and PIM eligibility
//! instances, with `$filter` and `$expand=principal`.

use super::query;
use super::server::{Ctx, Shared, pairs};
use super::store::Tenant;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const DEFINITIONS: &str = include_str!("../../assets/demo-tenant/role-definitions.json");
const ASSIGNMENTS: &str = include_str!("../../assets/demo-tenant/role-assignments.json");
const ELIGIBILITY: &str = include_str!("../../assets/demo-tenant/role-eligibility.json");

/// Role data of the demo tenant.
#[derive(Debug, Default)]
pub struct RoleStore {
    pub definitions: Vec<Value>,
    pub assignments: Vec<Value>,
    pub eligibility: Vec<Value>,
}

fn values(text: &str, name: &str) -> Result<Vec<Value>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("fixture {name}: {e}"))?;
    Ok(v["value"].as_array().cloned().unwrap_or_default())
}

impl RoleStore {
    pub fn load() -> Result<RoleStore, String> {
        Ok(RoleStore {
            definitions: values(DEFINITIONS, "role-definitions.json")?,
            assignments: values(ASSIGNMENTS, "role-assignments.json")?,
            eligibility: values(ELIGIBILITY, "role-eligibility.json")?,
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Coll {
    Definitions,
    Assignments,
    Eligibility,
}

fn principal(tenant: &Tenant, id: &str) -> Value {
    match tenant.object(id) {
        Some((kind, obj)) => {
            let mut v = query::project(kind, obj, None);
            v["@odata.type"] = json!(kind.odata_type());
            v
        }
        None => json!({"@odata.type": "#microsoft.graph.directoryObject", "id": id}),
    }
}

async fn list(
    state: Shared,
    version: String,
    uri: Uri,
    headers: HeaderMap,
    raw: Option<String>,
    coll: Coll,
    one: Option<String>,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    let Ok(tenant) = state.tenant.read() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let (items, type_name, context) = match coll {
        Coll::Definitions => (
            &tenant.roles.definitions,
            "microsoft.graph.unifiedRoleDefinition",
            "roleManagement/directory/roleDefinitions",
        ),
        Coll::Assignments => (
            &tenant.roles.assignments,
            "microsoft.graph.unifiedRoleAssignment",
            "roleManagement/directory/roleAssignments",
        ),
        Coll::Eligibility => (
            &tenant.roles.eligibility,
            "microsoft.graph.unifiedRoleEligibilityScheduleInstance",
            "roleManagement/directory/roleEligibilityScheduleInstances",
        ),
    };
    let mut known: BTreeSet<String> = items
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|m| m.keys().cloned())
        .collect();
    if coll == Coll::Definitions && version != "beta" {
        // isPrivileged is beta-only on role definitions (graph-api.md §1.1).
        known.remove("isPrivileged");
    }
    let q = pairs(raw);
    let expand = q
        .iter()
        .find(|(k, _)| k == "$expand")
        .map(|(_, v)| v.clone());
    if let Some(e) = &expand
        && (coll == Coll::Definitions || e != "principal")
    {
        return ctx.error(
            400,
            "BadRequest",
            &format!("Could not find a navigation property named '{e}' on type '{type_name}'."),
        );
    }
    let opts = match query::parse(&q, ctx.eventual, type_name, &known, 999) {
        Ok(o) => o,
        Err(e) => return ctx.error(e.status, e.code, &e.message),
    };
    let beta = version == "beta";
    let shape = |o: &Value| {
        let mut v = match &opts.select {
            Some(fields) => Value::Object(
                fields
                    .iter()
                    .map(|f| (f.clone(), o.get(f).cloned().unwrap_or(Value::Null)))
                    .collect(),
            ),
            None => o.clone(),
        };
        if coll == Coll::Definitions
            && !beta
            && let Some(m) = v.as_object_mut()
        {
            m.remove("isPrivileged");
        }
        if expand.is_some() {
            v["principal"] = principal(&tenant, o["principalId"].as_str().unwrap_or_default());
        }
        v
    };
    if let Some(id) = one {
        return match items.iter().find(|o| o["id"].as_str() == Some(id.as_str())) {
            Some(o) => {
                let mut v = shape(o);
                v["@odata.context"] = json!(format!("{}/{version}/$metadata#{context}/$entity", ctx.origin));
                ctx.respond(StatusCode::OK, v)
            }
            None => ctx.error(404, "Request_ResourceNotFound", &format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present.")),
        };
    }
    let kept: Vec<&Value> = items.iter().filter(|o| opts.keep(o)).collect();
    super::server::page_response(
        &ctx,
        uri.path(),
        kept,
        &opts,
        &format!("{version}/$metadata#{context}"),
        &shape,
    )
}

pub async fn definitions(
    State(s): State<Shared>,
    Path(v): Path<String>,
    u: Uri,
    h: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    list(s, v, u, h, q, Coll::Definitions, None).await
}

pub async fn definition(
    State(s): State<Shared>,
    Path((v, id)): Path<(String, String)>,
    u: Uri,
    h: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    list(s, v, u, h, q, Coll::Definitions, Some(id)).await
}

pub async fn assignments(
    State(s): State<Shared>,
    Path(v): Path<String>,
    u: Uri,
    h: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    list(s, v, u, h, q, Coll::Assignments, None).await
}

pub async fn eligibility(
    State(s): State<Shared>,
    Path(v): Path<String>,
    u: Uri,
    h: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    list(s, v, u, h, q, Coll::Eligibility, None).await
}

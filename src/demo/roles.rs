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
    /// Self-service PIM requests (roleAssignmentScheduleRequests), newest last.
    pub requests: Vec<Value>,
    /// Approvers' decisions by approval id (`approvalStep` answers).
    pub reviews: std::collections::HashMap<String, Value>,
}

impl RoleStore {
    pub fn load() -> Result<RoleStore, String> {
        Ok(RoleStore {
            definitions: super::store::collection(DEFINITIONS, "role-definitions.json")?,
            assignments: super::store::collection(ASSIGNMENTS, "role-assignments.json")?,
            eligibility: super::store::collection(ELIGIBILITY, "role-eligibility.json")?,
            requests: super::approvals::seed()?,
            reviews: std::collections::HashMap::new(),
        })
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Coll {
    Definitions,
    Assignments,
    Eligibility,
    /// roleAssignmentScheduleInstances: the active assignments, permanent ("Assigned") or
    /// activated through PIM ("Activated").
    AssignmentInstances,
    Requests,
}

/// An active assignment as a schedule instance.
fn instance(a: &Value) -> Value {
    let mut v = a.clone();
    let activated = v["@activated"] == true;
    if let Some(m) = v.as_object_mut() {
        m.remove("@activated");
        m.insert(
            "assignmentType".into(),
            json!(if activated { "Activated" } else { "Assigned" }),
        );
        m.entry("memberType").or_insert(json!("Direct"));
        // An assignment made through PIM has a start; one made directly has none.
        let start = m.remove("@pimStart").unwrap_or(Value::Null);
        m.entry("startDateTime").or_insert(start);
        m.entry("endDateTime").or_insert(Value::Null);
        let origin = v["id"].clone();
        if let Some(m) = v.as_object_mut() {
            m.insert("roleAssignmentOriginId".into(), origin);
        }
    }
    v
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
    if matches!(
        coll,
        Coll::Eligibility | Coll::AssignmentInstances | Coll::Requests
    ) && let Some(r) = super::risk::pim_unlicensed(&state, &ctx)
    {
        return r;
    }
    let Ok(tenant) = state.tenant.read() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let instances: Vec<Value> = if coll == Coll::AssignmentInstances {
        tenant.roles.assignments.iter().map(instance).collect()
    } else {
        Vec::new()
    };
    let (items, type_name, context) = match coll {
        Coll::Requests => (
            &tenant.roles.requests,
            "microsoft.graph.unifiedRoleAssignmentScheduleRequest",
            "roleManagement/directory/roleAssignmentScheduleRequests",
        ),
        Coll::AssignmentInstances => (
            &instances,
            "microsoft.graph.unifiedRoleAssignmentScheduleInstance",
            "roleManagement/directory/roleAssignmentScheduleInstances",
        ),
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
    if coll == Coll::Requests {
        // An empty list still knows its properties.
        for k in [
            "id",
            "action",
            "principalId",
            "roleDefinitionId",
            "directoryScopeId",
            "status",
            "justification",
            "createdDateTime",
            "scheduleInfo",
            "ticketInfo",
        ] {
            known.insert(k.to_string());
        }
    }
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
        && (coll == Coll::Definitions || (e != "principal" && e != "roleDefinition"))
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
        // The demo's own marks (an activation, a PIM-made assignment's start) are not Graph's.
        if let Some(m) = v.as_object_mut() {
            m.remove("@activated");
            m.remove("@pimStart");
        }
        match expand.as_deref() {
            Some("principal") => {
                v["principal"] = principal(&tenant, o["principalId"].as_str().unwrap_or_default());
            }
            Some("roleDefinition") => {
                let id = o["roleDefinitionId"].as_str().unwrap_or_default();
                v["roleDefinition"] = tenant
                    .roles
                    .definitions
                    .iter()
                    .find(|d| d["id"] == id)
                    .cloned()
                    .unwrap_or(Value::Null);
            }
            _ => {}
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

pub async fn requests(
    State(s): State<Shared>,
    Path(v): Path<String>,
    u: Uri,
    h: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    list(s, v, u, h, q, Coll::Requests, None).await
}

pub async fn assignment_instances(
    State(s): State<Shared>,
    Path(v): Path<String>,
    u: Uri,
    h: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    list(s, v, u, h, q, Coll::AssignmentInstances, None).await
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

fn created(ctx: &Ctx, body: Value) -> Response {
    ctx.respond(StatusCode::CREATED, body)
}

/// `DELETE /roleManagement/directory/roleAssignments/{id}`: 204.
pub async fn delete_assignment(
    State(state): State<Shared>,
    Path((_v, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    let Ok(mut tenant) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    if !super::store::remove_by_id(&mut tenant.roles.assignments, &id) {
        return ctx.error(404, "Request_ResourceNotFound", &format!("Resource '{id}' does not exist or one of its queried reference-property objects are not present."));
    }
    ctx.no_content()
}

/// `POST /roleManagement/directory/roleEligibilityScheduleRequests` with `adminAssign` or
/// `adminRemove`: 201 with the request (graph-api.md §1.3).
pub async fn eligibility_request(
    State(state): State<Shared>,
    Path(_v): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (ctx, req) = match super::server::json_request(&headers, &body, "BadRequest") {
        Ok(x) => x,
        Err(r) => return r,
    };
    let field = |k: &str| req[k].as_str().unwrap_or_default().to_string();
    let (action, principal, role) = (
        field("action"),
        field("principalId"),
        field("roleDefinitionId"),
    );
    if principal.is_empty() || role.is_empty() {
        return ctx.error(
            400,
            "BadRequest",
            "principalId and roleDefinitionId are required.",
        );
    }
    let Ok(mut tenant) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let matches = |e: &Value| {
        e["principalId"].as_str() == Some(principal.as_str())
            && e["roleDefinitionId"].as_str() == Some(role.as_str())
    };
    match action.as_str() {
        "adminRemove" => {
            let before = tenant.roles.eligibility.len();
            tenant.roles.eligibility.retain(|e| !matches(e));
            if tenant.roles.eligibility.len() == before {
                return ctx.error(
                    400,
                    "RoleEligibilityScheduleDoesNotExist",
                    "The role eligibility schedule does not exist.",
                );
            }
        }
        "adminAssign" => {
            if tenant.roles.eligibility.iter().any(matches) {
                return ctx.error(
                    400,
                    "RoleEligibilityScheduleExists",
                    "The role eligibility schedule already exists.",
                );
            }
            let start = chrono::Utc::now();
            let end = match expiration_end(&req["scheduleInfo"]["expiration"], start) {
                Ok(end) => end,
                Err(why) => return ctx.error(400, "InvalidScheduleRequest", &why),
            };
            tenant.roles.eligibility.push(json!({
                "id": uuid::Uuid::new_v4().to_string(), "principalId": principal, "roleDefinitionId": role,
                "directoryScopeId": req["directoryScopeId"].as_str().unwrap_or("/"), "appScopeId": null,
                "startDateTime": start.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "endDateTime": end, "memberType": "Direct", "roleEligibilityScheduleId": uuid::Uuid::new_v4().to_string(),
            }));
        }
        other => {
            return ctx.error(
                400,
                "BadRequest",
                &format!("The action '{other}' is not supported by the demo tenant."),
            );
        }
    }
    let mut out = req.clone();
    out["id"] = json!(uuid::Uuid::new_v4().to_string());
    out["status"] = json!("Provisioned");
    out["createdDateTime"] =
        json!(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    created(&ctx, out)
}

/// The end of a schedule from its `expirationPattern` (type `noExpiration`, `afterDateTime` or
/// `afterDuration`, compared without case as Graph does): `null` for no end.
fn expiration_end(e: &Value, start: chrono::DateTime<chrono::Utc>) -> Result<Value, String> {
    let kind = e["type"]
        .as_str()
        .unwrap_or("noExpiration")
        .to_ascii_lowercase();
    match kind.as_str() {
        "noexpiration" | "notspecified" => Ok(Value::Null),
        "afterdatetime" => match e["endDateTime"].as_str() {
            Some(d) if chrono::DateTime::parse_from_rfc3339(d).is_ok() => Ok(json!(d)),
            _ => Err("The expiration endDateTime is missing or not a date.".into()),
        },
        "afterduration" => {
            let d = e["duration"].as_str().unwrap_or_default();
            let span = iso_duration(d).ok_or_else(|| {
                format!("The expiration duration '{d}' is not an ISO 8601 duration.")
            })?;
            Ok(json!(
                (start + span).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ))
        }
        other => Err(format!("The expiration type '{other}' is not valid.")),
    }
}

/// An ISO 8601 duration of weeks, days, hours, minutes and seconds (`P365D`, `PT8H`, `P1DT2H`).
fn iso_duration(d: &str) -> Option<chrono::Duration> {
    let rest = d.strip_prefix('P')?;
    let (date, time) = rest.split_once('T').unwrap_or((rest, ""));
    let mut total = chrono::Duration::zero();
    let mut any = false;
    for (part, units) in [(date, "WD"), (time, "HMS")] {
        let mut num = String::new();
        for ch in part.chars() {
            if ch.is_ascii_digit() {
                num.push(ch);
                continue;
            }
            if !units.contains(ch) || num.is_empty() {
                return None;
            }
            let n: i64 = num.parse().ok()?;
            num.clear();
            any = true;
            total += match (units, ch) {
                ("WD", 'W') => chrono::Duration::weeks(n),
                ("WD", 'D') => chrono::Duration::days(n),
                (_, 'H') => chrono::Duration::hours(n),
                (_, 'M') => chrono::Duration::minutes(n),
                _ => chrono::Duration::seconds(n),
            };
        }
        if !num.is_empty() {
            return None;
        }
    }
    any.then_some(total)
}

/// `POST /roleManagement/directory/roleAssignments`: 201 with the assignment (graph-api.md §1.2).
pub async fn create_assignment(
    State(state): State<Shared>,
    Path(_v): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (ctx, req) = match super::server::json_request(&headers, &body, "BadRequest") {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (principal, role) = (
        req["principalId"].as_str().unwrap_or_default(),
        req["roleDefinitionId"].as_str().unwrap_or_default(),
    );
    let scope = req["directoryScopeId"]
        .as_str()
        .or(req["appScopeId"].as_str());
    let Ok(mut tenant) = state.tenant.write() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    if scope.is_none() {
        return ctx.error(
            400,
            "Request_BadRequest",
            "Either directoryScopeId or appScopeId is required.",
        );
    }
    if tenant.object(principal).is_none() {
        return ctx.error(404, "Request_ResourceNotFound", &format!("Resource '{principal}' does not exist or one of its queried reference-property objects are not present."));
    }
    if !tenant
        .roles
        .definitions
        .iter()
        .any(|d| d["id"].as_str() == Some(role))
    {
        return ctx.error(404, "Request_ResourceNotFound", &format!("Resource '{role}' does not exist or one of its queried reference-property objects are not present."));
    }
    if tenant.roles.assignments.iter().any(|a| {
        a["principalId"].as_str() == Some(principal) && a["roleDefinitionId"].as_str() == Some(role)
    }) {
        return ctx.error(400, "Request_BadRequest", "A conflicting object with one or more of the specified property values is present in the directory.");
    }
    let a = json!({
        "@odata.context": format!("{}/v1.0/$metadata#roleManagement/directory/roleAssignments/$entity", ctx.origin),
        "id": uuid::Uuid::new_v4().simple().to_string(), "principalId": principal, "roleDefinitionId": role,
        "directoryScopeId": scope, "appScopeId": null,
    });
    let mut stored = a.clone();
    if let Some(m) = stored.as_object_mut() {
        m.remove("@odata.context");
    }
    tenant.roles.assignments.push(stored);
    created(&ctx, a)
}

/// `GET /directory/administrativeUnits`: the demo tenant's two administrative units.
pub async fn administrative_units(Path(version): Path<String>, headers: HeaderMap) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    ctx.respond(
        StatusCode::OK,
        json!({
            "@odata.context": format!("{}/{version}/$metadata#directory/administrativeUnits", ctx.origin),
            "value": [
                {"id": "5a3c8f1e-6b2d-4c7a-9e1f-2d4b6a8c0e11", "displayName": "Amsterdam office", "description": "Staff based in Amsterdam", "visibility": null, "membershipType": null},
                {"id": "7b4d9e2f-8c3e-4d8b-af20-3e5c7b9d1f22", "displayName": "Seattle office", "description": "Staff based in Seattle", "visibility": "HiddenMembership", "membershipType": "Dynamic"}
            ]
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_ends_follow_the_expiration_pattern() {
        let start = chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .to_utc();
        let end = |e: Value| expiration_end(&e, start);
        assert_eq!(
            end(json!({"type": "afterDuration", "duration": "P365D"})).unwrap(),
            "2027-01-01T00:00:00Z"
        );
        assert_eq!(
            end(json!({"type": "AfterDuration", "duration": "P1DT8H"})).unwrap(),
            "2026-01-02T08:00:00Z"
        );
        assert_eq!(end(json!({"type": "noExpiration"})).unwrap(), Value::Null);
        assert!(end(json!({"type": "afterDuration", "duration": "365"})).is_err());
    }
}

//! The demo tenant's "who am I and what am I in": `GET /me` and
//! `GET /users/{id}/transitiveMemberOf` (groups through nesting, and the directory roles the
//! user holds directly or through role-assignable groups).

use super::server::{Ctx, Shared, page_response, pairs};
use super::store::Tenant;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::BTreeSet;

/// Groups a user is in, following nested groups.
pub fn groups_of(t: &Tenant, user_id: &str) -> BTreeSet<String> {
    let mut found: BTreeSet<String> = BTreeSet::new();
    let mut frontier = vec![user_id.to_string()];
    while let Some(member) = frontier.pop() {
        for (group, members) in &t.members {
            if members.contains(&member) && found.insert(group.clone()) {
                frontier.push(group.clone());
            }
        }
    }
    found
}

/// Role template ids held actively at tenant scope by the user or one of its groups.
pub fn roles_of(t: &Tenant, user_id: &str, groups: &BTreeSet<String>) -> BTreeSet<String> {
    t.roles
        .assignments
        .iter()
        .filter(|a| a["directoryScopeId"].as_str().unwrap_or("/") == "/")
        .filter(|a| {
            a["principalId"]
                .as_str()
                .is_some_and(|p| p == user_id || groups.contains(p))
        })
        .filter_map(|a| a["roleDefinitionId"].as_str().map(str::to_string))
        .collect()
}

/// The signed-in user: the token's `oid`; a token that is not a JWT stands for the demo admin.
pub(super) fn me_id(t: &Tenant, headers: &HeaderMap) -> Result<String, &'static str> {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    match crate::auth::jwt_claims(token) {
        Some(c) => c["oid"]
            .as_str()
            .map(str::to_string)
            .ok_or("/me request is only valid with delegated authentication flow."),
        None => t
            .user("adele.vance@tailspindemo.onmicrosoft.com")
            .and_then(|u| u["id"].as_str())
            .map(str::to_string)
            .ok_or("the demo admin is missing"),
    }
}

/// `GET /me`.
pub async fn me(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    let Ok(t) = state.tenant.read() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    match me_id(&t, &headers).map(|id| t.user(&id).cloned()) {
        Ok(Some(u)) => ctx.respond(
            StatusCode::OK,
            super::store::default_view(super::store::Kind::User, &u),
        ),
        Ok(None) => ctx.error(
            404,
            "Request_ResourceNotFound",
            "The signed-in user does not exist.",
        ),
        Err(why) => ctx.error(400, "BadRequest", why),
    }
}

/// `GET /me/transitiveMemberOf` and `/me/memberOf`: the signed-in user's.
pub async fn my_member_of(
    State(state): State<Shared>,
    Path(version): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    raw: RawQuery,
) -> Response {
    let me = match state.tenant.read() {
        Ok(t) => me_id(&t, &headers),
        Err(_) => Err("demo tenant state is unavailable"),
    };
    match me {
        Ok(id) => transitive_member_of(State(state), Path((version, id)), uri, headers, raw).await,
        Err(why) => Ctx::new(&headers).error(400, "BadRequest", why),
    }
}

/// `GET /users/{id|upn}/transitiveMemberOf` (groups through nesting and directoryRole
/// objects), `/users/{id|upn}/memberOf` and `/groups/{id}/memberOf` (direct only).
pub async fn transitive_member_of(
    State(state): State<Shared>,
    Path((version, id)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let ctx = Ctx::new(&headers);
    if let Err(r) = super::server::authorize(&ctx, &headers) {
        return r;
    }
    let Ok(t) = state.tenant.read() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let Some(user_id) = t
        .user(&id)
        .or_else(|| t.group(&id))
        .and_then(|u| u["id"].as_str())
        .map(str::to_string)
    else {
        return ctx.error(404, "Request_ResourceNotFound", &format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ));
    };
    let direct = !uri
        .path()
        .to_ascii_lowercase()
        .ends_with("/transitivememberof");
    let groups = if direct {
        t.members
            .iter()
            .filter(|(_, m)| m.contains(&user_id))
            .map(|(g, _)| g.clone())
            .collect()
    } else {
        groups_of(&t, &user_id)
    };
    let mut items: Vec<Value> = groups
        .iter()
        .filter_map(|g| t.group(g))
        .map(|g| {
            let mut v = super::store::default_view(super::store::Kind::Group, g);
            v["@odata.type"] = json!("#microsoft.graph.group");
            v
        })
        .collect();
    for template in roles_of(&t, &user_id, &groups) {
        let name = t
            .roles
            .definitions
            .iter()
            .find(|d| d["id"].as_str() == Some(template.as_str()))
            .and_then(|d| d["displayName"].as_str())
            .unwrap_or_default();
        items.push(
            json!({"@odata.type": "#microsoft.graph.directoryRole", "id": format!("dr-{template}"),
            "displayName": name, "roleTemplateId": template}),
        );
    }
    // What may be selected: any group property (an empty answer still knows them) and the
    // directory role's.
    let mut known: BTreeSet<String> = items
        .iter()
        .filter_map(Value::as_object)
        .flat_map(|m| m.keys().cloned())
        .collect();
    known.extend(t.group_props.iter().cloned());
    known.insert("roleTemplateId".into());
    let opts = match super::query::parse(
        &pairs(raw),
        ctx.eventual,
        "microsoft.graph.directoryObject",
        &known,
        999,
    ) {
        Ok(o) => o,
        Err(e) => return ctx.error(e.status, e.code, &e.message),
    };
    let refs: Vec<&Value> = items.iter().filter(|o| opts.keep(o)).collect();
    let select = opts.select.clone();
    page_response(
        &ctx,
        uri.path(),
        refs,
        &opts,
        &format!("{version}/$metadata#directoryObjects"),
        // Collections of directory objects carry each object's type.
        &|o| match &select {
            Some(fields) => {
                let mut v = json!({"@odata.type": o["@odata.type"]});
                for f in fields {
                    v[f.as_str()] = o.get(f).cloned().unwrap_or(Value::Null);
                }
                v
            }
            None => o.clone(),
        },
    )
}

/// `POST /directoryObjects/getByIds`: the objects among `ids` (of `types`), in no set order.
pub async fn get_by_ids(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (ctx, req) = match super::server::json_request(&headers, &body, "Request_BadRequest") {
        Ok(x) => x,
        Err(r) => return r,
    };
    let ids = super::rules::strings(&req["ids"]);
    if ids.len() > 1000 {
        return ctx.error(400, "Request_BadRequest", "Too many ids: at most 1000.");
    }
    let types = super::rules::strings(&req["types"]);
    let Ok(t) = state.tenant.read() else {
        return ctx.error(500, "UnknownError", "demo tenant state is unavailable");
    };
    let value: Vec<Value> = ids
        .iter()
        .filter_map(|id| t.object(id))
        .filter(|(kind, _)| {
            let name = kind.type_name().trim_start_matches("microsoft.graph.");
            types.is_empty() || types.iter().any(|x| x.eq_ignore_ascii_case(name))
        })
        .map(|(kind, o)| {
            let mut v = super::store::default_view(kind, o);
            v["@odata.type"] = json!(kind.odata_type());
            v
        })
        .collect();
    ctx.respond(
        StatusCode::OK,
        json!({
            "@odata.context": format!("{}/v1.0/$metadata#directoryObjects", ctx.origin),
            "value": value
        }),
    )
}

//! Directory roles as one picture: definitions, active assignments and PIM eligibility with
//! their principals and group members; permission matching with the schema's wildcards
//! (`allEntities`, `allProperties`, `allTasks`); "who can" a permission.

use crate::graph::{GraphClient, GraphError, Request};
use serde_json::Value;
use std::collections::HashMap;

/// Everything the Roles blade shows, read together.
#[derive(Clone, Debug, Default)]
pub struct RoleFacts {
    pub definitions: Vec<Value>,
    /// Active assignments (`roleAssignments` with `$expand=principal`).
    pub active: Vec<Value>,
    /// PIM eligibility instances with `$expand=principal`.
    pub eligible: Vec<Value>,
    /// Members of the groups that hold roles (for "who can" through groups).
    pub group_members: HashMap<String, Vec<Value>>,
}

impl RoleFacts {
    /// Read definitions (beta, for `isPrivileged`), assignments, eligibility, then the members
    /// of role-holding groups in `$batch`es.
    pub async fn load(client: &GraphClient) -> Result<RoleFacts, GraphError> {
        let definitions = client
            .get_all(Request::get("/roleManagement/directory/roleDefinitions").beta())
            .await?;
        let active = client
            .get_all(Request::get("/roleManagement/directory/roleAssignments").expand("principal"))
            .await?;
        // Without P2 there is no PIM, so no eligible assignment can exist: Graph refuses the
        // read (AadPremiumLicenseRequired) and the list is empty, not an error.
        let eligible = match client
            .get_all(
                Request::get("/roleManagement/directory/roleEligibilityScheduleInstances")
                    .expand("principal"),
            )
            .await
        {
            Err(e) if e.needs_p2() => Vec::new(),
            r => r?,
        };
        let mut groups: Vec<String> = active
            .iter()
            .chain(&eligible)
            .filter(|a| a["principal"]["@odata.type"] == "#microsoft.graph.group")
            .filter_map(|a| a["principalId"].as_str().map(str::to_string))
            .collect();
        groups.sort();
        groups.dedup();
        let reqs = groups
            .iter()
            .map(|g| crate::graph::endpoints::group_members(g))
            .collect();
        let mut group_members = HashMap::new();
        for (g, r) in groups.into_iter().zip(client.get_many(reqs, 4).await) {
            group_members.insert(g, r?["value"].as_array().cloned().unwrap_or_default());
        }
        Ok(RoleFacts {
            definitions,
            active,
            eligible,
            group_members,
        })
    }

    pub fn definition(&self, id: &str) -> Option<&Value> {
        self.definitions
            .iter()
            .find(|d| d["id"].as_str() == Some(id) || d["templateId"].as_str() == Some(id))
    }

    /// Active and eligible assignments of a role, as (assignment, "active" | "eligible").
    pub fn assignments_of<'a>(
        &'a self,
        role_id: &'a str,
    ) -> impl Iterator<Item = (&'a Value, &'static str)> + 'a {
        let of = move |a: &&Value| a["roleDefinitionId"].as_str() == Some(role_id);
        self.active
            .iter()
            .filter(of)
            .map(|a| (a, "active"))
            .chain(self.eligible.iter().filter(of).map(|a| (a, "eligible")))
    }
}

/// A principal's role, direct or through a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldRole {
    pub role: String,
    pub privileged: bool,
    /// "active" or "eligible".
    pub state: String,
    /// "direct" or "group <name>".
    pub via: String,
    pub until: String,
}

impl RoleFacts {
    /// Every role a principal holds: directly, and through role-holding groups it is in.
    pub fn roles_of(&self, principal_id: &str) -> Vec<HeldRole> {
        let mut out = Vec::new();
        for (list, state) in [(&self.active, "active"), (&self.eligible, "eligible")] {
            for a in list {
                let pid = a["principalId"].as_str().unwrap_or_default();
                let via = if pid == principal_id {
                    "direct".to_string()
                } else if self
                    .group_members
                    .get(pid)
                    .is_some_and(|m| m.iter().any(|x| x["id"].as_str() == Some(principal_id)))
                {
                    format!(
                        "group {}",
                        a["principal"]["displayName"].as_str().unwrap_or(pid)
                    )
                } else {
                    continue;
                };
                let def = a["roleDefinitionId"]
                    .as_str()
                    .and_then(|r| self.definition(r));
                out.push(HeldRole {
                    role: def
                        .and_then(|d| d["displayName"].as_str())
                        .unwrap_or("(unknown role)")
                        .to_string(),
                    privileged: def.is_some_and(|d| d["isPrivileged"] == serde_json::json!(true)),
                    state: state.to_string(),
                    via,
                    until: a["endDateTime"]
                        .as_str()
                        .map(|d| d.chars().take(10).collect())
                        .unwrap_or_else(|| "permanent".into()),
                });
            }
        }
        out
    }

    /// Is the principal in a role-assignable group that holds a role?
    pub fn in_role_assignable_group(&self, principal_id: &str) -> bool {
        self.active.iter().chain(&self.eligible).any(|a| {
            a["principal"]["isAssignableToRole"] == serde_json::json!(true)
                && a["principalId"]
                    .as_str()
                    .and_then(|g| self.group_members.get(g))
                    .is_some_and(|m| m.iter().any(|x| x["id"].as_str() == Some(principal_id)))
        })
    }
}

/// Does a granted resource action cover the asked one? Understands the
/// `namespace/entity/propertySet/action` schema and `allEntities`, `allProperties`, `allTasks`.
pub fn grants(granted: &str, asked: &str) -> bool {
    if granted.eq_ignore_ascii_case(asked) {
        return true;
    }
    let g: Vec<&str> = granted.split('/').collect();
    let q: Vec<&str> = asked.split('/').collect();
    if g.len() < 3 || q.len() < 3 || !g[0].eq_ignore_ascii_case(q[0]) {
        return false;
    }
    if g[1] != "allEntities" && !g[1].eq_ignore_ascii_case(q[1]) {
        return false;
    }
    let split = |rest: &[&str]| -> Option<(Option<String>, String)> {
        match rest {
            [action] => Some((None, action.to_string())),
            [prop, action] => Some((Some(prop.to_string()), action.to_string())),
            _ => None,
        }
    };
    let (Some((gp, ga)), Some((qp, qa))) = (split(&g[2..]), split(&q[2..])) else {
        return false;
    };
    let action_ok = ga == "allTasks" || ga.eq_ignore_ascii_case(&qa);
    let prop_ok = match (gp.as_deref(), qp.as_deref()) {
        (Some("allProperties"), _) => true,
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        (None, None) => true,
        _ => false,
    };
    action_ok && prop_ok
}

/// One principal able to use a permission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Holder {
    pub principal: String,
    pub principal_id: String,
    pub kind: String,
    pub role: String,
    /// "direct" or "group <name>".
    pub via: String,
    /// "active" or "eligible".
    pub state: String,
}

/// Roles granting `permission`, and every principal holding them (through groups and
/// eligibility too).
/// `conditionalAccessPolicies/create` as `microsoft.directory/conditionalAccessPolicies/create`.
pub fn full_permission(p: &str) -> String {
    let p = p.trim();
    if p.contains('/') && !p.starts_with("microsoft.") {
        format!("microsoft.directory/{p}")
    } else {
        p.to_string()
    }
}

pub fn who_can(permission: &str, facts: &RoleFacts) -> (Vec<String>, Vec<Holder>) {
    let roles: Vec<&Value> = facts
        .definitions
        .iter()
        .filter(|d| {
            d["rolePermissions"].as_array().is_some_and(|ps| {
                ps.iter().any(|p| {
                    p["allowedResourceActions"].as_array().is_some_and(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .any(|g| grants(g, permission))
                    })
                })
            })
        })
        .collect();
    let mut holders = Vec::new();
    for role in &roles {
        let rid = role["id"].as_str().unwrap_or_default();
        let rname = role["displayName"].as_str().unwrap_or(rid).to_string();
        for (a, state) in facts.assignments_of(rid) {
            let p = &a["principal"];
            let pid = a["principalId"].as_str().unwrap_or_default().to_string();
            let name = p["displayName"].as_str().unwrap_or(&pid).to_string();
            let kind = crate::graph::model::odata_kind(p).to_string();
            if kind == "group" {
                for m in facts.group_members.get(&pid).into_iter().flatten() {
                    holders.push(Holder {
                        principal: m["displayName"].as_str().unwrap_or_default().to_string(),
                        principal_id: m["id"].as_str().unwrap_or_default().to_string(),
                        kind: crate::graph::model::odata_kind(m).to_string(),
                        role: rname.clone(),
                        via: format!("group {name}"),
                        state: state.to_string(),
                    });
                }
            }
            holders.push(Holder {
                principal: name,
                principal_id: pid,
                kind,
                role: rname.clone(),
                via: "direct".into(),
                state: state.to_string(),
            });
        }
    }
    (
        roles
            .iter()
            .filter_map(|r| r["displayName"].as_str().map(str::to_string))
            .collect(),
        holders,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_follow_the_schema() {
        let q = "microsoft.directory/conditionalAccessPolicies/create";
        assert!(grants(q, q));
        assert!(grants(
            "microsoft.directory/conditionalAccessPolicies/allProperties/allTasks",
            q
        ));
        assert!(grants(
            "microsoft.directory/allEntities/allProperties/allTasks",
            q
        ));
        assert!(!grants(
            "microsoft.directory/conditionalAccessPolicies/standard/read",
            q
        ));
        assert!(!grants("microsoft.directory/namedLocations/create", q));
        let u = "microsoft.directory/conditionalAccessPolicies/basic/update";
        assert!(grants(
            "microsoft.directory/conditionalAccessPolicies/allProperties/update",
            u
        ));
        assert!(!grants(
            "microsoft.directory/conditionalAccessPolicies/owners/update",
            u
        ));
        assert!(!grants(
            "microsoft.azure.serviceHealth/allEntities/allTasks",
            u
        ));
        assert!(!grants("garbage", u));
    }
}

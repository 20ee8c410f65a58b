//! A PIM group's settings for one access (member or owner), opened with `P` from My roles: the
//! group's policy (policy assignments filtered to `scopeType eq 'Group'`, the group's id and
//! the access) in the words of a role's PIM settings page, and the directory roles the group
//! holds. Its id is `GROUP-ID:ACCESS`.

use crate::graph::Request;
use crate::graph::resources::{pim, pim_groups};
use crate::widgets::sheet::Sheet;
use serde_json::{Value, json};

/// `GROUP-ID:ACCESS` split (`member` when the access is missing).
fn parts(id: &str) -> (&str, &str) {
    match id.split_once(':') {
        Some((g, a)) => (g, a),
        None => (id, "member"),
    }
}

fn request(id: &str) -> Request {
    let (group, access) = parts(id);
    pim_groups::policy(group, access)
}

/// The policy, the group's name and the roles it holds (active or eligible: what its members
/// hold), read together.
fn page(
    client: crate::graph::GraphClient,
    _: Option<std::sync::Arc<crate::cache::Store>>,
    id: String,
) -> super::source::Computing {
    Box::pin(async move {
        let (group, access) = parts(&id);
        let v = client.get_json(&request(&id)).await?;
        let assignment = v["value"][0].clone();
        if assignment.is_null() {
            return Err(crate::graph::GraphError::Cache(format!(
                "the group has no PIM policy for its {access}s: it is not managed by PIM for groups"
            )));
        }
        let name = client
            .get_json(&crate::graph::endpoints::group(group))
            .await
            .ok()
            .and_then(|g| g["displayName"].as_str().map(str::to_string))
            .unwrap_or_else(|| group.to_string());
        let mut holds = Vec::new();
        for (eligible, how) in [(false, "active"), (true, "eligible")] {
            for r in client
                .get_all(pim::instances_of(group, eligible))
                .await
                .unwrap_or_default()
            {
                holds.push(format!("{} ({how})", super::common::role_name(&r)));
            }
        }
        Ok(json!({
            "id": id, "displayName": format!("{access}ship of {name}"), "group": name,
            "access": access, "privileged": false, "assignment": assignment, "@holds": holds,
        }))
    })
}

/// The role settings page's sections, its first about the group instead of a role.
fn sheet(v: &Value, facts: Option<&crate::protect::Facts>, names: &super::common::Names) -> Sheet {
    let mut s = super::pim_settings::sheet(v, facts, names);
    let holds: Vec<String> = v["@holds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h.as_str().map(crate::sanitize::clean))
        .collect();
    let first = vec![
        ("Group".into(), super::common::text(v, "group")),
        ("Access".into(), super::common::text(v, "access")),
        (
            "Roles it holds".into(),
            if holds.is_empty() {
                "none (activating gives no directory role)".into()
            } else {
                holds.join(", ")
            },
        ),
        (
            "Policy".into(),
            super::common::text(&v["assignment"], "policyId"),
        ),
    ];
    if let Some(section) = s.sections.first_mut() {
        *section = ("PIM group".into(), first);
    }
    s
}

/// The page in the registry (opened by name from My roles).
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "pim-group-settings",
    collection: "pim-group-settings",
    request,
    sheet,
    needs_facts: true,
    principal: false,
    members: false,
    computed: Some(super::source::Computed {
        name: "pim-group-settings",
        run: page,
    }),
    verbs: &[],
};

//! The xray page of a user (`x` on a user or a risky user): groups with their nesting path,
//! directory roles and through what, the Conditional Access policies that take the user in
//! and what each requires, the protected actions their roles allow. Computed from several
//! reads by [`crate::xray`]; `r` reads it again.

use crate::graph::{GraphClient, Request};

fn run(
    client: GraphClient,
    store: Option<std::sync::Arc<crate::cache::Store>>,
    user: String,
) -> super::source::Computing {
    Box::pin(async move {
        // Offline: the cache alone (what `sync` kept), never a request.
        let input = match (client.is_offline(), store) {
            (true, Some(st)) => {
                crate::cache::off_thread(st, move |s| Ok(crate::xray::read_cached(s, &user)))
                    .await
                    .map_err(|e| crate::graph::GraphError::Cache(e.to_string()))??
            }
            _ => crate::xray::read(&client, &user).await?,
        };
        let mut x = crate::xray::build(&input);
        // The page's id is the user's.
        x["id"] = input.user["id"].clone();
        x["displayName"] = input.user["displayName"].clone();
        Ok(x)
    })
}

/// The xray page.
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "xray",
    collection: "xray",
    request: |id| Request::get(format!("/users/{}", super::common::path_segment(id))),
    sheet: |v, _, _| crate::xray::render::sheet(v),
    needs_facts: false,
    principal: false,
    computed: Some(super::source::Computed { name: "xray", run }),
    members: false,
    verbs: &[],
};

/// The verb that opens it, for the blades that offer it (each with its own words).
pub const VERB: super::def::Verb = super::def::Verb {
    name: "xray",
    keys: &["x"],
    label: "xray",
    help: "xray: groups (nesting path), roles, policies, protected actions",
    writes: false,
    run: |s| {
        let Some((id, name)) = s.focused.clone() else {
            return Vec::new();
        };
        vec![super::def::Step::Open(super::def::ObjectRef {
            kind: super::def::ObjectKind(&DETAIL),
            id,
            name: format!("xray {name}"),
        })]
    },
};

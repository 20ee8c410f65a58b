//! The Groups list's verbs: `a` creates a group (the shell's guided flow), `n` renames, `E`
//! edits the description, `d` deletes, the confirm saying whether the group can come back; a
//! group that assigns licences is refused before anything is sent, naming the products and how
//! many members hold them (counted first); a synced group is refused; a group that cannot be
//! restored asks for its name.

use super::def::{Prompt, ReadThen, Step, Then, Verb};
use super::verb::{Confirm, Flow, Scope};
use crate::sanitize::clean;
use serde_json::{Value, json};

/// A Microsoft 365 group goes to Deleted items (group-delete.md); any other is gone for good.
fn restorable(g: &Value) -> bool {
    g["groupTypes"]
        .as_array()
        .is_some_and(|a| a.iter().any(|t| t == "Unified"))
}

/// The products a group assigns, by name where the licence facts know them.
fn products(g: &Value, facts: Option<&crate::licensing::LicenceFacts>) -> Vec<String> {
    g["assignedLicenses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["skuId"].as_str())
        .map(|sku| match facts {
            Some(f) => f.product(sku),
            None => crate::licensing::product_name(sku, "")
                .map_or_else(|| sku.to_string(), str::to_string),
        })
        .collect()
}

/// The Conditional Access policies that name a group, in words: deleting a group a policy
/// excludes puts its members (often the break-glass accounts) under that policy.
fn policies_naming(f: &crate::protect::Facts, group: &str) -> Vec<String> {
    let mut out = Vec::new();
    for p in &f.policies {
        let users = &p["conditions"]["users"];
        let name = clean(p["displayName"].as_str().unwrap_or("?"));
        let state = crate::protect::state_label(p["state"].as_str().unwrap_or_default());
        let names = |k: &str| {
            crate::graph::model::strs(&users[k])
                .iter()
                .any(|g| g == group)
        };
        if names("excludeGroups") {
            out.push(format!(
                "WARNING: {name} ({state}) excludes this group: once it is deleted, its members \
                 (break-glass accounts?) fall under that policy"
            ));
        }
        if names("includeGroups") {
            out.push(format!(
                "{name} ({state}) targets this group: it stops applying to its members"
            ));
        }
    }
    if out.is_empty() {
        out.push("no Conditional Access policy names this group".into());
    }
    out
}

/// `d`: delete the selected group. A group that assigns licences is refused before anything
/// is sent (licensing-group-advanced.md: "It isn't possible to delete a group with an active
/// license assigned"), once its members are counted; a group that cannot be restored asks for
/// its name first.
fn delete(s: &Scope) -> Vec<Step> {
    let Some(g) = s.selected.clone() else {
        return Vec::new();
    };
    let id = g["id"].as_str().unwrap_or_default().to_string();
    let name = clean(g["displayName"].as_str().unwrap_or(&id));
    if g["onPremisesSyncEnabled"] == true {
        // Synced objects are mastered on-premises: Graph refuses to delete them.
        return vec![Step::refuse(format!(
            "refused: {name} is synced from on-premises Active Directory; delete it there and \
             the next sync removes it here. Nothing was sent"
        ))];
    }
    let products = products(&g, s.licences);
    if !products.is_empty() && !id.is_empty() {
        // The members the licences reach are counted first: the refusal names them.
        return vec![
            Step::say("the group assigns licences: counting its members…"),
            Step::Read {
                request: crate::graph::endpoints::group_member_count(&id),
                then: ReadThen {
                    with: json!({"name": name, "products": products.join(", ")}),
                    run: licensed_refusal,
                },
            },
        ];
    }
    if restorable(&g) {
        return vec![confirm(g)];
    }
    vec![Step::Prompt(Prompt {
        title: format!(
            "Delete the group {name} for good (not a Microsoft 365 group: it cannot be \
             restored): type its name to confirm"
        ),
        input: String::new(),
        then: Then {
            with: g,
            run: |typed, g| {
                let name = g["displayName"].as_str().unwrap_or_default().trim();
                if typed != name {
                    return Err(format!("type the name exactly: {}", clean(name)));
                }
                Ok(vec![confirm(g.clone())])
            },
        },
        secret: false,
        optional: false,
    })]
}

/// The count of a licensed group's members arrived: the refusal, in words.
fn licensed_refusal(result: Result<Value, crate::graph::GraphError>, with: &Value) -> Vec<Step> {
    let members = match result {
        Ok(v) => match v["@odata.count"].as_u64() {
            Some(n) => format!("{n} member{}", if n == 1 { "" } else { "s" }),
            None => "its members (Graph gave no count)".into(),
        },
        Err(e) => format!("its members (not counted: {e})"),
    };
    vec![Step::refuse(format!(
        "refused: {} assigns {} to {members}; remove the group's licences first (its page, l), \
         then delete it. Nothing was sent",
        with["name"].as_str().unwrap_or_default(),
        with["products"].as_str().unwrap_or_default()
    ))]
}

/// The confirm of a delete, saying whether the group can come back and which policies name it.
fn confirm(g: Value) -> Step {
    let id = g["id"].as_str().unwrap_or_default().to_string();
    let name = clean(g["displayName"].as_str().unwrap_or(&id));
    let fate = if restorable(&g) {
        "a Microsoft 365 group: it goes to Deleted items and can be restored for 30 days"
    } else {
        "not a Microsoft 365 group: it is deleted for good and cannot be restored"
    };
    let title = format!("Delete the group {name} ({fate})");
    let request = crate::graph::endpoints::delete_group(&id);
    let mut c = Confirm::one(title, &id, request, Some(g));
    c.follows = Some(policies_naming);
    c.into()
}

/// `n`: a new display name.
fn rename(s: &Scope) -> Vec<Step> {
    let Some(g) = s.selected.clone() else {
        return Vec::new();
    };
    let current = g["displayName"].as_str().unwrap_or_default().to_string();
    vec![Step::Prompt(Prompt {
        title: format!("Rename the group \"{}\"", clean(&current)),
        input: current,
        then: Then {
            with: g,
            run: |name, g| {
                let id = g["id"].as_str().unwrap_or_default();
                let before = g["displayName"].as_str().unwrap_or_default();
                let title = format!(
                    "Rename the group \"{}\" → \"{}\"",
                    clean(before),
                    clean(name)
                );
                let request = crate::graph::endpoints::rename_group(id, name);
                Ok(vec![Confirm::one(title, id, request, None).into()])
            },
        },
        secret: false,
        optional: false,
    })]
}

/// `E`: a new description (the confirm shows before → after).
fn describe(s: &Scope) -> Vec<Step> {
    let Some(g) = s.selected.clone() else {
        return Vec::new();
    };
    let name = g["displayName"].as_str().unwrap_or_default();
    let current = g["description"].as_str().unwrap_or_default().to_string();
    vec![Step::Prompt(Prompt {
        title: format!("Description of the group \"{}\"", clean(name)),
        input: current,
        then: Then {
            with: g,
            run: |text, g| {
                let id = g["id"].as_str().unwrap_or_default();
                let title = format!(
                    "Describe the group {}: \"{}\" → \"{}\"",
                    clean(g["displayName"].as_str().unwrap_or_default()),
                    clean(g["description"].as_str().unwrap_or_default()),
                    clean(text)
                );
                let request = crate::graph::endpoints::group_description(id, text);
                Ok(vec![Confirm::one(title, id, request, None).into()])
            },
        },
        secret: false,
        optional: false,
    })]
}

/// The Groups list's verbs, in the order the status bar shows them.
pub const VERBS: &[Verb] = &[
    Verb {
        name: "new",
        keys: &["a"],
        label: "new",
        help: "Create a group: security or Microsoft 365, assigned or dynamic, with owners and members",
        writes: true,
        run: |_| super::def::flow(Flow::NewGroup),
    },
    Verb {
        name: "rename",
        keys: &["n"],
        label: "rename",
        help: "Rename the selected group",
        writes: true,
        run: rename,
    },
    Verb {
        name: "delete",
        keys: &["d"],
        label: "delete",
        help: "Delete the selected group (Microsoft 365: restorable for 30 days; others: for good)",
        writes: true,
        run: delete,
    },
    Verb {
        name: "description",
        keys: &["E"],
        label: "description",
        help: "Edit the selected group's description",
        writes: true,
        run: describe,
    },
];

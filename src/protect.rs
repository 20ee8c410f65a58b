//! Protected writes: a Graph write maps to its Entra permission, the permission to the
//! authentication context the protected actions assign, and the context to the Conditional
//! Access policies that target it and what they require. Also the explanations shown when a
//! step-up fails or is never satisfied.

use crate::graph::Request;
use serde_json::Value;

/// Which Graph write needs which permission (shared/data/protected-actions.json `graphWrites`,
/// derived from the permission names and endpoints).
const WRITE_PERMISSIONS: &[(&str, &str, &str)] = &[
    (
        "POST",
        "/identity/conditionalAccess/policies",
        "microsoft.directory/conditionalAccessPolicies/create",
    ),
    (
        "PATCH",
        "/identity/conditionalAccess/policies/{id}",
        "microsoft.directory/conditionalAccessPolicies/basic/update",
    ),
    (
        "DELETE",
        "/identity/conditionalAccess/policies/{id}",
        "microsoft.directory/conditionalAccessPolicies/delete",
    ),
    (
        "POST",
        "/identity/conditionalAccess/namedLocations",
        "microsoft.directory/namedLocations/create",
    ),
    (
        "PATCH",
        "/identity/conditionalAccess/namedLocations/{id}",
        "microsoft.directory/namedLocations/basic/update",
    ),
    (
        "DELETE",
        "/identity/conditionalAccess/namedLocations/{id}",
        "microsoft.directory/namedLocations/delete",
    ),
    (
        "DELETE",
        "/directory/deletedItems/{id}",
        "microsoft.directory/deletedItems/delete",
    ),
    (
        "PATCH",
        "/roleManagement/directory/resourceNamespaces/microsoft.directory/resourceActions/{id}",
        "microsoft.directory/resourceNamespaces/resourceActions/authenticationContext/update",
    ),
];

/// The permission a write needs, by method and path (below the version segment).
pub fn permission_for(method: &str, path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or(path);
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    WRITE_PERMISSIONS.iter().find_map(|(m, p, perm)| {
        let pat: Vec<&str> = p.trim_matches('/').split('/').collect();
        let same = m.eq_ignore_ascii_case(method)
            && pat.len() == segs.len()
            && pat
                .iter()
                .zip(&segs)
                .all(|(a, b)| *a == "{id}" || a.eq_ignore_ascii_case(b));
        same.then_some(*perm)
    })
}

/// What the console knows about protected actions, contexts and policies (a fresh read or
/// the cache).
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub actions: Vec<Value>,
    pub contexts: Vec<Value>,
    pub policies: Vec<Value>,
    /// Authentication strengths (built-in and custom).
    pub strengths: Vec<Value>,
    /// The parts that could not be read, each with Graph's error: what was read is still
    /// shown, and what depends on a missing part says "unknown" instead of guessing.
    pub missing: Vec<(Part, String)>,
}

/// A resource action's permission as admins read it (`conditionalAccessPolicies/basic/update`),
/// never its id (`microsoft.directory-conditionalAccessPolicies-basic-update-patch`): the
/// action's `name` when the facts hold it, else the id with its method dropped.
pub fn permission_words(id: &str, facts: Option<&Facts>) -> String {
    let named = facts.and_then(|f| {
        f.actions
            .iter()
            .find(|a| a["id"].as_str() == Some(id))
            .and_then(|a| a["name"].as_str())
            .map(str::to_string)
    });
    let name = named.unwrap_or_else(|| {
        let rest = id.trim_start_matches("microsoft.directory-");
        let mut parts: Vec<&str> = rest.split('-').collect();
        if parts.len() > 2
            && parts.last().is_some_and(|m| {
                ["get", "post", "patch", "put", "delete"].contains(&m.to_ascii_lowercase().as_str())
            })
        {
            parts.pop();
        }
        parts.join("/")
    });
    name.trim_start_matches("microsoft.directory/").to_string()
}

/// One of the collections the facts are read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Actions,
    Contexts,
    Policies,
    Strengths,
}

impl Part {
    pub const ALL: [Part; 4] = [
        Part::Actions,
        Part::Contexts,
        Part::Policies,
        Part::Strengths,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Part::Actions => "resource actions",
            Part::Contexts => "authentication contexts",
            Part::Policies => "Conditional Access policies",
            Part::Strengths => "authentication strengths",
        }
    }
}

impl Facts {
    /// The requests that load the facts (resource actions need `$select` for the two
    /// properties, graph-api.md §2).
    pub fn requests() -> [Request; 3] {
        [
            Request::get(
                "/roleManagement/directory/resourceNamespaces/microsoft.directory/resourceActions",
            )
            .beta()
            .select(&[
                "id",
                "name",
                "actionVerb",
                "isPrivileged",
                "isAuthenticationContextSettable",
                "authenticationContextId",
            ]),
            Request::get("/identity/conditionalAccess/authenticationContextClassReferences"),
            Request::get("/identity/conditionalAccess/policies"),
        ]
    }

    /// Read the facts, each part on its own: a part that fails is named in `missing` and the
    /// others are kept. Only when nothing at all could be read is it an error.
    pub async fn load(
        client: &crate::graph::GraphClient,
    ) -> Result<Facts, crate::graph::GraphError> {
        let [a, c, p] = Facts::requests();
        let mut facts = Facts::default();
        let mut first = None;
        for (part, req) in [
            (Part::Actions, a),
            (Part::Contexts, c),
            (Part::Policies, p),
            (
                Part::Strengths,
                Request::get(crate::graph::endpoints::STRENGTHS),
            ),
        ] {
            match client.get_all(req).await {
                Ok(items) => match part {
                    Part::Actions => facts.actions = items,
                    Part::Contexts => facts.contexts = items,
                    Part::Policies => facts.policies = items,
                    Part::Strengths => facts.strengths = items,
                },
                Err(e) => {
                    facts.missing.push((part, e.to_string()));
                    first.get_or_insert(e);
                }
            }
        }
        match first {
            Some(e) if facts.missing.len() == Part::ALL.len() => Err(e),
            _ => Ok(facts),
        }
    }

    /// Facts of which nothing could be read, every part missing for `why`.
    pub fn unread(why: &str) -> Facts {
        Facts {
            missing: Part::ALL.iter().map(|p| (*p, why.to_string())).collect(),
            ..Default::default()
        }
    }

    /// Whether `part` was read.
    pub fn has(&self, part: Part) -> bool {
        !self.missing.iter().any(|(p, _)| *p == part)
    }

    /// "resource actions not read (403 ...)" for the parts among `parts` that are missing.
    pub fn lacking(&self, parts: &[Part]) -> Option<String> {
        let lines: Vec<String> = self
            .missing
            .iter()
            .filter(|(p, _)| parts.contains(p))
            .map(|(p, e)| format!("{} not read ({e})", p.label()))
            .collect();
        (!lines.is_empty()).then(|| lines.join("; "))
    }

    pub fn context_of(&self, permission: &str) -> Option<&str> {
        self.actions
            .iter()
            .find(|a| a["name"].as_str() == Some(permission))
            .and_then(|a| a["authenticationContextId"].as_str())
    }

    pub fn context(&self, id: &str) -> Option<&Value> {
        self.contexts.iter().find(|c| c["id"].as_str() == Some(id))
    }

    /// Policies whose target includes the context.
    pub fn policies_targeting(&self, acrs: &str) -> Vec<&Value> {
        self.policies
            .iter()
            .filter(|p| contexts_of(p).iter().any(|c| c == acrs))
            .collect()
    }
}

/// The authentication contexts a Conditional Access policy targets.
pub fn contexts_of(policy: &Value) -> Vec<String> {
    crate::graph::model::strs(
        &policy["conditions"]["applications"]["includeAuthenticationContextClassReferences"],
    )
}

/// The authentication contexts the enabled policies among `policies` target (what a demand
/// for one can be satisfied by).
pub fn targeted_contexts(policies: &[Value]) -> Vec<String> {
    policies
        .iter()
        .filter(|p| p["state"] == "enabled")
        .flat_map(contexts_of)
        .collect()
}

/// A policy's state in admin-center words.
pub fn state_label(state: &str) -> &'static str {
    match state {
        "enabled" => "On",
        "disabled" => "Off",
        "enabledForReportingButNotEnforced" => "Report-only",
        _ => "unknown",
    }
}

/// The built-in authentication strengths, by their fixed ids (authenticationstrengthpolicy.md:
/// "Multifactor authentication", "Passwordless MFA", "Phishing-resistant MFA").
pub fn builtin_strength(id: &str) -> Option<&'static str> {
    match id {
        "00000000-0000-0000-0000-000000000002" => Some("Multifactor authentication"),
        "00000000-0000-0000-0000-000000000003" => Some("Passwordless MFA"),
        "00000000-0000-0000-0000-000000000004" => Some("Phishing-resistant MFA"),
        _ => None,
    }
}

/// What a policy requires, in short form ("block unless device filter ...", "MFA").
pub fn requirement(policy: &Value) -> String {
    let g = &policy["grantControls"];
    let mut parts: Vec<String> = g["builtInControls"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(|c| match c {
                    "mfa" => "MFA".to_string(),
                    "block" => "block".to_string(),
                    "compliantDevice" => "compliant device".to_string(),
                    "domainJoinedDevice" => "hybrid-joined device".to_string(),
                    "approvedApplication" => "approved app".to_string(),
                    "compliantApplication" => "app protection policy".to_string(),
                    "passwordChange" => "password change".to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .unwrap_or_default();
    let strength = &g["authenticationStrength"];
    if let Some(name) = strength["displayName"].as_str() {
        parts.push(format!("strength \"{name}\""));
    } else if let Some(id) = strength["id"].as_str() {
        // A built-in strength has a fixed id and name: named without a read (offline too).
        match builtin_strength(id) {
            Some(name) => parts.push(format!("strength \"{name}\"")),
            None => parts.push(format!("strength {id}")),
        }
    }
    // Terms of use and custom controls are grant controls too (conditionalAccessGrantControls).
    match crate::graph::model::strs(&g["termsOfUse"]).len() {
        0 => {}
        1 => parts.push("terms of use".into()),
        n => parts.push(format!("{n} terms of use")),
    }
    match crate::graph::model::strs(&g["customAuthenticationFactors"]).len() {
        0 => {}
        1 => parts.push("custom control".into()),
        n => parts.push(format!("{n} custom controls")),
    }
    let op = if g["operator"].as_str() == Some("AND") {
        " and "
    } else {
        " or "
    };
    let mut text = if parts.is_empty() {
        "session controls only".to_string()
    } else {
        parts.join(op)
    };
    if let Some(f) = policy["conditions"]["devices"]["deviceFilter"].as_object() {
        let mode = f.get("mode").and_then(Value::as_str).unwrap_or("include");
        let rule = f.get("rule").and_then(Value::as_str).unwrap_or_default();
        let how = if mode == "exclude" {
            "unless device matches"
        } else {
            "when device matches"
        };
        text = format!("{text} {how} {rule}");
    }
    crate::sanitize::clean(&text)
}

/// The protection a write will meet.
#[derive(Clone, Debug, PartialEq)]
pub struct Protection {
    pub permission: String,
    /// (id, display name, published)
    pub context: Option<(String, String, bool)>,
    /// (policy name, state label, requirement)
    pub policies: Vec<(String, String, String)>,
}

impl Protection {
    /// True when at least one enabled policy targets the context.
    pub fn enforced(&self) -> bool {
        self.policies.iter().any(|(_, s, _)| s == "On")
    }

    /// Lines for the confirm dialog and the step-up prompt.
    pub fn lines(&self) -> Vec<String> {
        let mut out = vec![format!("Needs {}", self.permission)];
        match &self.context {
            None => {
                out.push("Not a protected action: no authentication context is assigned.".into())
            }
            Some((id, name, published)) => {
                let pubd = if *published { "" } else { " (not published)" };
                out.push(format!(
                    "Protected action: auth context {id} \"{}\"{pubd}",
                    crate::sanitize::clean(name)
                ));
                if self.policies.is_empty() {
                    out.push(format!("No Conditional Access policy targets {id}: step-up will never be satisfied."));
                }
                for (n, s, r) in &self.policies {
                    out.push(format!("  {} ({s}): {r}", crate::sanitize::clean(n)));
                }
                if !self.policies.is_empty() && !self.enforced() {
                    out.push(format!(
                        "No enabled policy targets {id}: step-up will never be satisfied."
                    ));
                }
            }
        }
        out
    }
}

/// Describe the context a challenge or a protection names.
pub fn context_protection(acrs: &str, permission: &str, facts: &Facts) -> Protection {
    let ctx = facts.context(acrs);
    let name = ctx
        .and_then(|c| c["displayName"].as_str())
        .unwrap_or("(unknown context)")
        .to_string();
    let published = ctx
        .and_then(|c| c["isAvailable"].as_bool())
        .unwrap_or(false);
    let policies = facts
        .policies_targeting(acrs)
        .into_iter()
        .map(|p| {
            (
                p["displayName"].as_str().unwrap_or("(unnamed)").to_string(),
                state_label(p["state"].as_str().unwrap_or_default()).to_string(),
                requirement(p),
            )
        })
        .collect();
    Protection {
        permission: permission.to_string(),
        context: Some((acrs.to_string(), name, published)),
        policies,
    }
}

/// The protection a write meets, before it is sent.
pub fn protection(req: &Request, facts: &Facts) -> Option<Protection> {
    let permission = permission_for(req.method.as_str(), &req.path)?;
    Some(match facts.context_of(permission) {
        Some(acrs) => context_protection(acrs, permission, facts),
        None => Protection {
            permission: permission.to_string(),
            context: None,
            policies: Vec::new(),
        },
    })
}

/// The area of a protected-action permission, as the admin center groups them.
pub fn area_of(permission: &str) -> &'static str {
    match permission.split('/').nth(1).unwrap_or_default() {
        "conditionalAccessPolicies" => "Conditional Access policies",
        "namedLocations" => "Named locations",
        "crossTenantAccessPolicy" => "Cross-tenant access",
        "deletedItems" => "Hard delete",
        "resourceNamespaces" => "Protected-action management",
        _ => "Other",
    }
}

/// How well a protected-action permission is protected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionState {
    /// An enabled policy targets the context.
    Protected,
    /// Only Off or Report-only policies target the context (or none): step-up loops forever.
    NeverSatisfied,
    /// The context is not published (`isAvailable` false).
    Unpublished,
    /// No context assigned.
    NotProtected,
    /// The contexts or policies could not be read.
    Unknown,
}

impl ActionState {
    pub fn label(&self) -> &'static str {
        match self {
            ActionState::Protected => "protected",
            ActionState::NeverSatisfied => "never satisfied",
            ActionState::Unpublished => "not published",
            ActionState::NotProtected => "not protected",
            ActionState::Unknown => "unknown",
        }
    }
}

/// The lint state of one resource action (graph-api.md §2: `authenticationContextId`).
pub fn action_state(action: &Value, facts: &Facts) -> ActionState {
    let Some(acrs) = action["authenticationContextId"].as_str() else {
        return ActionState::NotProtected;
    };
    let p = context_protection(acrs, "", facts);
    // Without the contexts or the policies the state cannot be known: never guess.
    if !facts.has(Part::Contexts) {
        return ActionState::Unknown;
    }
    if !p.context.as_ref().is_some_and(|c| c.2) {
        return ActionState::Unpublished;
    }
    if !facts.has(Part::Policies) {
        return ActionState::Unknown;
    }
    if p.enforced() {
        ActionState::Protected
    } else {
        ActionState::NeverSatisfied
    }
}

/// Why a second challenge for the same context came back: the "policy never satisfied" case.
pub fn never_satisfied(acrs: &str, token_has_it: bool, facts: &Facts) -> String {
    let p = context_protection(acrs, "", facts);
    let got = if token_has_it {
        format!("the new token carries {acrs}, yet Graph still refused it")
    } else {
        format!("the token issued after re-authentication still does not carry {acrs}")
    };
    // Two different failures: nothing enabled targets the context (fix the policies), or an
    // enabled policy does and this sign-in did not meet what it requires (fix the sign-in).
    let (why, fix) = if p.policies.is_empty() {
        (
            format!("no Conditional Access policy targets {acrs}"),
            format!(
                "turn on a policy targeting {acrs}, or clear the context from the protected action"
            ),
        )
    } else if !p.enforced() {
        let list: Vec<String> = p
            .policies
            .iter()
            .map(|(n, s, _)| format!("{n} is {s}"))
            .collect();
        (
            format!("no enabled policy targets {acrs} ({})", list.join(", ")),
            format!(
                "a policy targeting {acrs} must be On (not Off or Report-only), or clear the context from the protected action"
            ),
        )
    } else {
        let list: Vec<String> = p
            .policies
            .iter()
            .filter(|(_, s, _)| s == "On")
            .map(|(n, _, r)| format!("{n} requires {r}"))
            .collect();
        (
            format!(
                "an enabled policy targets {acrs} but this sign-in did not meet it: {}",
                list.join("; ")
            ),
            "sign in where the requirement can be met (the device or method the policy asks for), or ask another admin who can".to_string(),
        )
    };
    format!(
        "Policy never satisfied: {got}; {why}. Stopped after one retry. Fix: {fix}. Your draft is kept."
    )
}

/// Explain a refused sign-in (AADSTS code) for a step-up to `acrs`, naming the likely policy.
pub fn refused(code: Option<u32>, text: &str, acrs: &str, facts: &Facts) -> String {
    let base = code
        .and_then(crate::auth::aadsts::explain)
        .map(|e| format!("AADSTS{}: {e}", code.unwrap_or_default()))
        .unwrap_or_else(|| text.to_string());
    let p = context_protection(acrs, "", facts);
    let blockers: Vec<String> = p
        .policies
        .iter()
        .filter(|(_, s, _)| s == "On")
        .map(|(n, _, r)| format!("{n} ({r})"))
        .collect();
    let who = match (code, blockers.is_empty()) {
        (Some(53003 | 530003), false) => format!(" Blocking policy: {}.", blockers.join("; ")),
        _ => String::new(),
    };
    format!("{base}{who} Your draft is kept.")
}

#[cfg(test)]
mod tests {

    /// Issue 23, item 10: a built-in strength is named without a read (the `:protect`
    /// summary said `strength 00000000-…-0004` offline).
    #[test]
    fn builtin_strengths_are_named() {
        let p = serde_json::json!({"grantControls": {"operator": "OR", "builtInControls": [],
            "authenticationStrength": {"id": "00000000-0000-0000-0000-000000000004"}}});
        assert_eq!(requirement(&p), "strength \"Phishing-resistant MFA\"");
    }

    /// Issue 23, item 4: step titles name permissions, not resource-action ids.
    #[test]
    fn permissions_are_named_as_admins_read_them() {
        assert_eq!(
            permission_words(
                "microsoft.directory-conditionalAccessPolicies-basic-update-patch",
                None
            ),
            "conditionalAccessPolicies/basic/update"
        );
        let facts = Facts {
            actions: vec![serde_json::json!({"id": "x-1",
                "name": "microsoft.directory/conditionalAccessPolicies/create"})],
            ..Default::default()
        };
        assert_eq!(
            permission_words("x-1", Some(&facts)),
            "conditionalAccessPolicies/create"
        );
    }
    use super::*;
    use serde_json::json;

    fn facts() -> Facts {
        Facts {
            actions: vec![
                json!({"name": "microsoft.directory/conditionalAccessPolicies/basic/update", "authenticationContextId": "c1"}),
                json!({"name": "microsoft.directory/namedLocations/create", "authenticationContextId": "c2"}),
            ],
            contexts: vec![
                json!({"id": "c1", "displayName": "Protect CAP", "isAvailable": true}),
                json!({"id": "c2", "displayName": "Protect named locations", "isAvailable": true}),
            ],
            policies: vec![
                json!({"displayName": "CAP", "state": "enabled", "conditions": {"applications": {"includeAuthenticationContextClassReferences": ["c1"]}, "devices": {"deviceFilter": {"mode": "exclude", "rule": "device.trustType -eq \"AzureAD\""}}}, "grantControls": {"operator": "OR", "builtInControls": ["block"]}}),
                json!({"displayName": "NL", "state": "enabledForReportingButNotEnforced", "conditions": {"applications": {"includeAuthenticationContextClassReferences": ["c2"]}}, "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn write_maps_to_context_and_policies() {
        let req = Request::new(
            crate::graph::Method::Patch,
            "/identity/conditionalAccess/policies/abc",
        );
        let p = protection(&req, &facts()).unwrap();
        assert_eq!(
            p.permission,
            "microsoft.directory/conditionalAccessPolicies/basic/update"
        );
        assert_eq!(p.context.as_ref().unwrap().0, "c1");
        assert_eq!(p.policies[0].1, "On");
        assert!(p.policies[0].2.starts_with("block unless device matches"));
        assert!(p.enforced());
        assert!(protection(&Request::get("/groups"), &facts()).is_none());
    }

    #[test]
    fn report_only_context_is_flagged() {
        let p = context_protection("c2", "microsoft.directory/namedLocations/create", &facts());
        assert!(!p.enforced());
        assert!(p.lines().iter().any(|l| l.contains("never be satisfied")));
        let text = never_satisfied("c2", false, &facts());
        assert!(text.contains("NL is Report-only"), "{text}");
    }

    #[test]
    fn blocked_names_the_policy() {
        let t = refused(Some(53003), "", "c1", &facts());
        assert!(t.contains("Blocking policy: CAP"), "{t}");
        assert!(t.contains("draft is kept"));
    }

    #[test]
    fn lint_states_for_each_case() {
        let mut f = facts();
        f.contexts
            .push(json!({"id": "c3", "displayName": "Hard delete", "isAvailable": false}));
        let st = |ctx: Option<&str>| action_state(&json!({"authenticationContextId": ctx}), &f);
        assert_eq!(st(Some("c1")), ActionState::Protected);
        assert_eq!(st(Some("c2")), ActionState::NeverSatisfied);
        assert_eq!(st(Some("c3")), ActionState::Unpublished);
        assert_eq!(st(None), ActionState::NotProtected);
        assert_eq!(
            area_of("microsoft.directory/deletedItems/delete"),
            "Hard delete"
        );
    }

    #[test]
    fn permissions_match_paths_with_ids_and_queries() {
        assert_eq!(
            permission_for("DELETE", "/directory/deletedItems/1?x=y"),
            Some("microsoft.directory/deletedItems/delete")
        );
        assert_eq!(
            permission_for("PATCH", "/identity/conditionalAccess/policies"),
            None
        );
    }
}

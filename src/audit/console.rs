//! This console's own rules about protected actions and policies: the CA-policy permissions
//! are protected by a context, every context a protected action uses is published and targeted
//! by an enabled policy (else the never-satisfied loop), no report-only policy lingers past 30
//! days, break-glass accounts are excluded from every blocking policy.

use super::model::{Evidence, Finding, Inputs, Rule, Severity, s};
use crate::ca::strs;
use crate::protect::Facts;

static CAP: Rule = Rule {
    id: "EC.1",
    scuba: None,
    eidsca: None,
    cis: None,
    title: "Conditional Access policy permissions are protected by an authentication context",
    severity: Severity::High,
    remediation: "Set an authentication context on the conditionalAccessPolicies create/update/delete permissions (:protect).",
    reads: "GET beta /roleManagement/directory/resourceNamespaces/microsoft.directory/resourceActions",
};
static LOOP: Rule = Rule {
    id: "EC.2",
    scuba: None,
    eidsca: None,
    cis: None,
    title: "Every context a protected action uses is targeted by an enabled policy",
    severity: Severity::High,
    remediation: "Turn on a policy that targets the context, or the permission can never be satisfied (or is not protected at all).",
    reads: "resource actions, GET /identity/conditionalAccess/policies",
};
static PUBLISHED: Rule = Rule {
    id: "EC.3",
    scuba: None,
    eidsca: None,
    cis: None,
    title: "Every context a protected action uses is published",
    severity: Severity::Medium,
    remediation: "Publish the context (Authentication contexts, t).",
    reads: "GET /identity/conditionalAccess/authenticationContextClassReferences",
};
static REPORT_ONLY: Rule = Rule {
    id: "EC.4",
    scuba: None,
    eidsca: None,
    cis: None,
    title: "No policy stays report-only for more than 30 days",
    severity: Severity::Low,
    remediation: "Turn the policy on, or off and document why.",
    reads: "GET /identity/conditionalAccess/policies",
};
static BREAK_GLASS: Rule = Rule {
    id: "EC.5",
    scuba: None,
    eidsca: None,
    cis: None,
    title: "Break-glass accounts are excluded from every blocking policy",
    severity: Severity::High,
    remediation: "Exclude the break-glass accounts (or their group) from the policy (x on the policy).",
    reads: "GET /identity/conditionalAccess/policies, the profile's break_glass list",
};

pub static RULES: [&Rule; 5] = [&CAP, &LOOP, &PUBLISHED, &REPORT_ONLY, &BREAK_GLASS];

/// The settable permissions and their contexts.
/// The permissions with a context: (resource action id, permission, context).
fn protected(f: &Facts) -> impl Iterator<Item = (&str, &str, &str)> {
    f.actions.iter().filter_map(|a| {
        Some((
            a["id"].as_str().unwrap_or_default(),
            a["name"].as_str()?,
            a["authenticationContextId"].as_str()?,
        ))
    })
}

pub fn run(i: &Inputs) -> Vec<Finding> {
    let f = match &i.facts {
        Ok(f) => f,
        Err(e) => {
            return RULES
                .iter()
                .map(|r| super::model::not_evaluable(r, e))
                .collect();
        }
    };
    let ev = |blade, id: &str, name: &str, note: String| Evidence {
        blade,
        id: id.into(),
        name: name.into(),
        note,
    };
    let cap: Vec<Evidence> = f
        .actions
        .iter()
        .filter(|a| s(a, "name").starts_with("microsoft.directory/conditionalAccessPolicies/"))
        .filter(|a| a["authenticationContextId"].is_null())
        .map(|a| {
            ev(
                "protected-actions",
                &s(a, "id"),
                &s(a, "name"),
                "no authentication context".into(),
            )
        })
        .collect();
    let targeted = |c: &str| {
        f.policies.iter().any(|p| {
            p["state"] == "enabled"
                && strs(
                    &p["conditions"]["applications"]["includeAuthenticationContextClassReferences"],
                )
                .iter()
                .any(|x| x == c)
        })
    };
    let looping: Vec<Evidence> = protected(f)
        .filter(|(_, _, c)| !targeted(c))
        .map(|(id, n, c)| {
            ev(
                "protected-actions",
                id,
                n,
                format!("uses {c}, which no enabled policy targets"),
            )
        })
        .collect();
    let unpublished: Vec<Evidence> = protected(f)
        .filter(|(_, _, c)| {
            f.contexts
                .iter()
                .any(|x| x["id"] == *c && x["isAvailable"] != true)
        })
        .map(|(id, n, c)| {
            ev(
                "protected-actions",
                id,
                n,
                format!("uses {c}, which is not published"),
            )
        })
        .collect();
    let stale: Vec<Evidence> = f
        .policies
        .iter()
        .filter(|p| p["state"] == "enabledForReportingButNotEnforced")
        .filter_map(|p| {
            let at = p["modifiedDateTime"]
                .as_str()
                .or(p["createdDateTime"].as_str())?;
            let at = chrono::DateTime::parse_from_rfc3339(at).ok()?;
            let days = (i.now - at.with_timezone(&chrono::Utc)).num_days();
            (days > 30).then(|| {
                ev(
                    "ca-policies",
                    &s(p, "id"),
                    &s(p, "displayName"),
                    format!("report-only for {days} days"),
                )
            })
        })
        .collect();
    let bg_excluded = |p: &serde_json::Value| {
        let u = &p["conditions"]["users"];
        let users = strs(&u["excludeUsers"]);
        let groups = strs(&u["excludeGroups"]);
        let accounts: Vec<&String> = i.break_glass.iter().filter(|b| !b.contains('@')).collect();
        !accounts.is_empty()
            && accounts.iter().all(|b| {
                users.iter().any(|x| x.eq_ignore_ascii_case(b))
                    || groups
                        .iter()
                        .any(|g| i.group_members.get(g).is_some_and(|m| m.contains(b)))
            })
    };
    let blocking: Vec<Evidence> = if i.break_glass.is_empty() {
        Vec::new()
    } else {
        f.policies
            .iter()
            .filter(|p| p["state"] == "enabled" && crate::ca::eval::blocks(p).is_some())
            .filter(|p| !bg_excluded(p))
            .map(|p| {
                ev(
                    "ca-policies",
                    &s(p, "id"),
                    &s(p, "displayName"),
                    "blocks, and does not exclude every break-glass account".into(),
                )
            })
            .collect()
    };
    let mut out = vec![
        super::model::judged(
            &CAP,
            cap,
            "every CA-policy permission has a context",
            "CA-policy permissions without a context",
        ),
        super::model::judged(
            &LOOP,
            looping,
            "every context in use is targeted by an enabled policy",
            "protected actions whose context no enabled policy targets",
        ),
        super::model::judged(
            &PUBLISHED,
            unpublished,
            "every context in use is published",
            "protected actions whose context is not published",
        ),
        super::model::judged(
            &REPORT_ONLY,
            stale,
            "no report-only policy is older than 30 days",
            "report-only policies older than 30 days",
        ),
    ];
    out.push(if i.break_glass.is_empty() {
        super::model::not_evaluable(
            &BREAK_GLASS,
            "the profile names no break-glass accounts (break_glass in config.toml)",
        )
    } else {
        super::model::judged(
            &BREAK_GLASS,
            blocking,
            "every blocking policy excludes the break-glass accounts",
            "blocking policies that do not exclude every break-glass account",
        )
    });
    out
}

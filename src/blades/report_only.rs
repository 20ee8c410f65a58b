//! Report-only impact (`:report-only-impact`): what each report-only Conditional Access policy
//! would have done had it been on, from the last 7 days of sign-ins (`appliedConditional
//! AccessPolicies` results `reportOnlyFailure`: blocked or not satisfied, `reportOnlyInterrupted`:
//! a control such as MFA asked, `reportOnlySuccess`: satisfied; Graph names them only with
//! `Prefer: include-unknown-enum-members`, signin.md). One row a policy; Enter opens its impact
//! page (which users and apps, the sign-ins), the same page `I` opens from a policy's page.

use super::common::text;
use crate::graph::{GraphClient, GraphError, Request};
use crate::sanitize::clean;
use crate::theme::Theme;
use crate::widgets::sheet::Sheet;
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::{Value, json};

/// The sign-in log's refusal with its reason in words (a tenant without the licence for it).
fn said(e: GraphError) -> GraphError {
    match e.licence_hint("/auditLogs/signIns") {
        Some(h) => GraphError::Cache(format!("{h}: {e}")),
        None => e,
    }
}

/// How many days of sign-ins are judged.
pub const DAYS: i64 = 7;

/// The sign-ins of the last `DAYS` days, report-only results named (paged: the log's pages
/// are read one after another, as its limits ask).
fn sign_ins() -> Request {
    let since = (chrono::Utc::now() - chrono::Duration::days(DAYS))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Request::get("/auditLogs/signIns")
        .filter(format!("createdDateTime ge {since}"))
        .top(999)
        .header("Prefer", "include-unknown-enum-members")
}

/// One policy's impact over `sign_ins`: counts by result, users and apps it would have
/// stopped, and the sign-ins it concerns (newest first).
pub fn impact(policy: &Value, sign_ins: &[Value]) -> Value {
    let id = policy["id"].as_str().unwrap_or_default();
    let (mut blocked, mut interrupted, mut satisfied) = (0, 0, 0);
    let mut users: Vec<String> = Vec::new();
    let mut apps: Vec<(String, usize)> = Vec::new();
    let mut concerned = Vec::new();
    for s in sign_ins {
        let Some(result) = s["appliedConditionalAccessPolicies"]
            .as_array()
            .and_then(|a| a.iter().find(|p| p["id"] == id))
            .and_then(|p| p["result"].as_str())
        else {
            continue;
        };
        let stops = match result {
            "reportOnlyFailure" => {
                blocked += 1;
                true
            }
            "reportOnlyInterrupted" => {
                interrupted += 1;
                true
            }
            "reportOnlySuccess" => {
                satisfied += 1;
                false
            }
            _ => continue,
        };
        if stops {
            let who = text(s, "userPrincipalName");
            if !users.contains(&who) {
                users.push(who);
            }
            let app = text(s, "appDisplayName");
            match apps.iter_mut().find(|(a, _)| *a == app) {
                Some((_, n)) => *n += 1,
                None => apps.push((app, 1)),
            }
        }
        let mut s = s.clone();
        s["@result"] = json!(result);
        concerned.push(s);
    }
    apps.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    json!({
        "id": id, "displayName": policy["displayName"], "state": policy["state"],
        "blocked": blocked, "interrupted": interrupted, "satisfied": satisfied,
        "users": users, "apps": apps.iter().map(|(a, n)| json!({"app": a, "signIns": n})).collect::<Vec<_>>(),
        "signIns": concerned, "days": DAYS,
    })
}

/// The impact in one sentence ("6 sign-ins of 5 users would have been blocked …"), as the
/// policy's page, its impact page and the switch-on confirm say it.
pub fn words(v: &Value) -> String {
    let n = |k: &str| v[k].as_u64().unwrap_or(0);
    let users = v["users"].as_array().map_or(0, Vec::len);
    if n("blocked") + n("interrupted") == 0 {
        return format!(
            "no sign-in of the last {} days would have been stopped ({} satisfied it)",
            n("days"),
            n("satisfied")
        );
    }
    format!(
        "{} sign-ins of {users} user{} would have been blocked and {} interrupted in {} days",
        n("blocked"),
        if users == 1 { "" } else { "s" },
        n("interrupted"),
        n("days")
    )
}

fn read_all(
    client: GraphClient,
    _: Option<std::sync::Arc<crate::cache::Store>>,
    _: String,
) -> super::source::Computing {
    Box::pin(async move {
        if client.is_offline() {
            return Err(GraphError::Offline);
        }
        let policies = client
            .get_all(crate::graph::endpoints::ca_policies())
            .await?;
        let signs = client.get_all(sign_ins()).await.map_err(said)?;
        Ok(policies
            .iter()
            .filter(|p| p["state"] == "enabledForReportingButNotEnforced")
            .map(|p| impact(p, &signs))
            .collect())
    })
}

/// One policy's impact page: the policy read, then the sign-ins.
fn read_one(
    client: GraphClient,
    _: Option<std::sync::Arc<crate::cache::Store>>,
    id: String,
) -> super::source::Computing {
    Box::pin(async move {
        if client.is_offline() {
            return Err(GraphError::Offline);
        }
        let policy = client.get_json(&request(&id)).await?;
        let signs = client.get_all(sign_ins()).await.map_err(said)?;
        Ok(impact(&policy, &signs))
    })
}

fn request(id: &str) -> Request {
    Request::get(format!(
        "/identity/conditionalAccess/policies/{}",
        crate::graph::endpoints::path_segment(id)
    ))
}

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("Report-only policy", 24),
        Column::fixed("Blocked", 8),
        Column::fixed("Asked", 6),
        Column::fixed("Users", 6),
        Column::grow("Apps", 16).from(100),
    ]
}

pub fn row(v: Value) -> TableRow {
    let apps: Vec<String> = v["apps"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            format!(
                "{} ({})",
                clean(a["app"].as_str().unwrap_or("?")),
                a["signIns"]
            )
        })
        .collect();
    let cells = vec![
        text(&v, "displayName"),
        v["blocked"].to_string(),
        v["interrupted"].to_string(),
        v["users"].as_array().map_or(0, Vec::len).to_string(),
        apps.join(", "),
    ];
    TableRow::new(v, cells)
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match col {
        1 if &row.cells[1] != "0" => Some(theme.error),
        2 if &row.cells[2] != "0" => Some(theme.warning),
        4 => Some(theme.muted),
        _ => None,
    }
}

fn sheet(v: &Value, _: Option<&crate::protect::Facts>, _: &super::common::Names) -> Sheet {
    let mut s = Sheet::default();
    let head = s.section("Report-only impact");
    head.push(("Policy".into(), text(v, "displayName")));
    head.push((
        "State".into(),
        crate::protect::state_label(v["state"].as_str().unwrap_or_default()).into(),
    ));
    head.push(("If switched on".into(), words(v)));
    let users: Vec<String> = v["users"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|u| u.as_str().map(clean))
        .collect();
    head.push((
        "Users stopped".into(),
        if users.is_empty() {
            "none".into()
        } else {
            users.join(", ")
        },
    ));
    let apps = s.section("By app (sign-ins stopped)");
    for a in v["apps"].as_array().into_iter().flatten() {
        apps.push((
            clean(a["app"].as_str().unwrap_or("?")),
            a["signIns"].to_string(),
        ));
    }
    let list = s.section("Sign-ins");
    for si in v["signIns"].as_array().into_iter().flatten() {
        list.push((
            text(si, "createdDateTime")
                .replace('T', " ")
                .chars()
                .take(16)
                .collect(),
            format!(
                "{}: {} to {}",
                match si["@result"].as_str() {
                    Some("reportOnlyFailure") => "would block",
                    Some("reportOnlyInterrupted") => "would ask",
                    _ => "satisfied",
                },
                text(si, "userPrincipalName"),
                text(si, "appDisplayName")
            ),
        ));
    }
    s
}

/// A policy's impact page (`I` on a policy's page, Enter on a row here).
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "report-only-impact",
    collection: "report-only-impact",
    request,
    sheet,
    needs_facts: false,
    principal: false,
    members: false,
    computed: Some(super::source::Computed {
        name: "report-only-impact-policy",
        run: read_one,
    }),
    verbs: &[],
};

/// `I` on a Conditional Access policy's page: its impact from the sign-in log.
pub const IMPACT: super::def::Verb = super::def::Verb {
    name: "impact",
    keys: &["I"],
    label: "impact",
    help: "What this policy would have done in the last 7 days of sign-ins (report-only results: who and which apps it would have blocked or asked)",
    writes: false,
    run: |s| match &s.focused {
        Some((id, name)) => vec![super::def::Step::OpenPage {
            page: "report-only-impact",
            id: id.clone(),
            name: format!("impact of {name}"),
        }],
        None => Vec::new(),
    },
};

/// The Report-only impact blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Report-only impact",
    nav_label: "Report-only",
    command: "report-only-impact",
    aliases: &["report-only", "impact"],
    load: super::source::Load::Computed(super::source::Computed {
        name: "report-only-impact",
        run: read_all,
    }),
    columns,
    row,
    rows_of: None,
    style,
    refine: None,
    opens: Some(super::def::ObjectKind(&DETAIL)),
    sync: None,
    marks: super::source::Marks::No,
    query: None,
    join: None,
    records: Some(super::source::Records {
        columns: &[
            "policy",
            "policyId",
            "blocked",
            "interrupted",
            "satisfied",
            "users",
            "apps",
        ],
        of: |objects, _| {
            objects
                .iter()
                .map(|v| {
                    vec![
                        text(v, "displayName"),
                        text(v, "id"),
                        v["blocked"].to_string(),
                        v["interrupted"].to_string(),
                        v["satisfied"].to_string(),
                        v["users"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(" "),
                        v["apps"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .map(|a| format!("{}={}", text(a, "app"), a["signIns"]))
                            .collect::<Vec<_>>()
                            .join(" "),
                    ]
                })
                .collect()
        },
    }),
    verbs: &[],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_impact_counts_what_would_have_stopped() {
        let p = json!({"id": "p3", "displayName": "CA003", "state": "enabledForReportingButNotEnforced"});
        let s = |u: &str, app: &str, r: &str| {
            json!({"userPrincipalName": u, "appDisplayName": app,
            "appliedConditionalAccessPolicies": [{"id": "p3", "result": r}, {"id": "p1", "result": "failure"}]})
        };
        let v = impact(
            &p,
            &[
                s("ben", "Teams", "reportOnlyFailure"),
                s("ben", "Outlook", "reportOnlyFailure"),
                s("elif", "Teams", "reportOnlyInterrupted"),
                s("ada", "Portal", "reportOnlySuccess"),
                s("chen", "Portal", "reportOnlyNotApplied"),
            ],
        );
        assert_eq!(v["blocked"], 2);
        assert_eq!(v["interrupted"], 1);
        assert_eq!(v["satisfied"], 1);
        assert_eq!(v["users"], json!(["ben", "elif"]));
        assert_eq!(v["apps"][0], json!({"app": "Teams", "signIns": 2}));
        assert_eq!(
            words(&v),
            "2 sign-ins of 2 users would have been blocked and 1 interrupted in 7 days"
        );
    }
}

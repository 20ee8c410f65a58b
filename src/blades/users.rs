//! The Users blade: list (member/guest, enabled, department) and detail sheet.

use super::common::text;
use super::def::{Step, Verb};
pub use crate::graph::endpoints::{
    USER_DETAIL_FIELDS as DETAIL_FIELDS, USER_LIST_FIELDS as LIST_FIELDS, user as detail_request,
    users as list_request,
};
use crate::graph::model::User;
use crate::theme::Theme;
use crate::widgets::sheet::{Sheet, show};
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("Name", 16),
        Column::fixed("User principal name", 26),
        Column::fixed("Type", 6),
        Column::fixed("On", 3),
        Column::fixed("Sync", 4),
        Column::fixed("Lic", 3),
        Column::fixed("Dept", 10).from(110),
        // Last: an export's earlier columns keep their places.
        Column::fixed("Risk", 6),
    ]
}

/// What `/?…` on the Users list asks Graph: `$filter=…` as an advanced query, anything else
/// as a `$search` on name, UPN and mail (both with `ConsistencyLevel: eventual`, graph-api.md
/// §11.2), so a tenant too large to sync is still searchable.
/// A query typed on Users (`/?adele`, `/?$filter=…`): found by Graph, not kept in the cache.
fn query(q: &str) -> super::source::Reading {
    super::source::Reading::Graph {
        request: query_request(q),
        cache: None,
    }
}

pub fn query_request(query: &str) -> crate::graph::Request {
    let q = query.trim();
    let base = crate::graph::Request::get("/users")
        .select(LIST_FIELDS)
        .top(999);
    match q.strip_prefix("$filter=") {
        Some(f) => base.filter(f.trim()).count(),
        None => {
            let t = q.replace('"', "");
            base.search(format!(
                "\"displayName:{t}\" OR \"userPrincipalName:{t}\" OR \"mail:{t}\""
            ))
        }
    }
}

pub fn row(v: Value) -> TableRow {
    let u = User::from_value(&v);
    let enabled = match u.account_enabled {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    };
    let yes_no = |b: Option<bool>| match b {
        Some(true) => "yes",
        Some(false) => "no",
        None => "",
    };
    // Read but null: a cloud-only account (never synced).
    let synced = match v.get("onPremisesSyncEnabled") {
        Some(Value::Null) => "no".to_string(),
        other => yes_no(other.and_then(Value::as_bool)).to_string(),
    };
    let licensed = v["assignedLicenses"].as_array().map_or(String::new(), |a| {
        (if a.is_empty() { "no" } else { "yes" }).to_string()
    });
    let cells = vec![
        u.display_name.unwrap_or_default(),
        u.user_principal_name.unwrap_or_default(),
        u.user_type.unwrap_or_default(),
        enabled.to_string(),
        synced,
        licensed,
        u.department.unwrap_or_default(),
        risk(&v[RISK.field]),
    ];
    TableRow::new(v, cells)
}

/// The Risk cell: the user's risk level while Identity Protection holds them at risk
/// (`atRisk`, `confirmedCompromised`); blank when not at risk, unread, or remediated.
fn risk(r: &Value) -> String {
    match (r["riskState"].as_str(), r["riskLevel"].as_str()) {
        (Some("atRisk" | "confirmedCompromised"), Some(level)) if level != "none" => {
            level.to_string()
        }
        _ => String::new(),
    }
}

/// The risk of each user, from the risky users read (Entra ID P2), joined by id: Graph's
/// `riskyUser` id is the user's object id (riskyuser.md).
pub static RISK: super::join::Join = super::join::Join {
    name: "risk",
    request: crate::graph::resources::risky_users::list,
    cache: "risky-users",
    by: "id",
    field: "@risk",
    keep: &["riskLevel", "riskState", "riskLastUpdatedDateTime"],
};

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match (col, row.cells.get(col)) {
        (2, Some("Guest")) => Some(theme.warning),
        (3, Some("no")) => Some(theme.error),
        (7, Some("high")) => Some(theme.error),
        (7, Some("medium")) => Some(theme.warning),
        (1 | 4 | 6, _) => Some(theme.muted),
        _ => None,
    }
}

pub fn sheet(v: &Value, names: &super::common::Names) -> Sheet {
    let p = |k: &str| show(&v[k]);
    let mut s = Sheet::default();
    let id = s.section("Identity");
    id.push(("Name".into(), p("displayName")));
    id.push(("User principal name".into(), p("userPrincipalName")));
    id.push(("Object id".into(), p("id")));
    id.push(("User type".into(), p("userType")));
    id.push(("Account enabled".into(), p("accountEnabled")));
    id.push(("Created".into(), p("createdDateTime")));
    id.push(("Creation type".into(), p("creationType")));
    id.push(("Invitation state".into(), p("externalUserState")));
    // Read with the page (live): risk, sign-in methods, last sign-in.
    if let Some(extra) = v.get("@page") {
        let sec = s.section("Risk");
        for r in crate::xray::render::risk_rows(&extra["risk"]) {
            sec.push(r);
        }
        let sec = s.section("Sign-in methods");
        for r in crate::xray::render::registration_rows(&extra["registration"]) {
            sec.push(r);
        }
        let act = &extra["signInActivity"];
        let sec = s.section("Last sign-in");
        match act["notRead"].as_str() {
            Some(why) => sec.push((
                String::new(),
                format!("not read: {}", crate::sanitize::clean(why)),
            )),
            None if act.is_null() => sec.push((String::new(), "not read".into())),
            None => {
                sec.push(("Interactive".into(), show(&act["lastSignInDateTime"])));
                sec.push((
                    "Successful".into(),
                    show(&act["lastSuccessfulSignInDateTime"]),
                ));
                sec.push((
                    "Non-interactive".into(),
                    show(&act["lastNonInteractiveSignInDateTime"]),
                ));
            }
        }
    }
    let job = s.section("Job");
    job.push(("Title".into(), p("jobTitle")));
    job.push(("Department".into(), p("department")));
    job.push(("Company".into(), p("companyName")));
    job.push(("Office".into(), p("officeLocation")));
    let c = s.section("Contact");
    c.push(("Mail".into(), p("mail")));
    c.push(("Alias".into(), p("mailNickname")));
    c.push(("Phones".into(), p("businessPhones")));
    c.push(("Mobile".into(), p("mobilePhone")));
    c.push(("Usage location".into(), p("usageLocation")));
    c.push(("Language".into(), p("preferredLanguage")));
    let sync = s.section("On-premises");
    sync.push(("Synced".into(), p("onPremisesSyncEnabled")));
    sync.push(("Domain".into(), p("onPremisesDomainName")));
    sync.push(("SAM account".into(), p("onPremisesSamAccountName")));
    sync.push(("On-prem UPN".into(), p("onPremisesUserPrincipalName")));
    sync.push(("Immutable id".into(), p("onPremisesImmutableId")));
    sync.push(("Last sync".into(), p("onPremisesLastSyncDateTime")));
    licence_section(&mut s, v, names);
    s
}

/// Each licence assignment by product: direct or from a group, its state, and an error in
/// words with its fix (from `licenseAssignmentStates`; `assignedLicenses` when that is absent).
fn licence_section(s: &mut Sheet, v: &Value, names: &super::common::Names) {
    use crate::licensing::{explain, product_name};
    let location = v["usageLocation"].as_str();
    let lic = s.section("Licences");
    let product = |sku: &str| product_name(sku, "").map_or_else(|| sku.to_string(), str::to_string);
    match v["licenseAssignmentStates"].as_array() {
        Some(states) if !states.is_empty() => {
            for st in states {
                let name = product(&text(st, "skuId"));
                let from = match st["assignedByGroup"].as_str() {
                    Some(g) if !g.is_empty() => {
                        format!("from group {}", names.get(g).map_or(g, String::as_str))
                    }
                    _ => "direct".to_string(),
                };
                let code = text(st, "error");
                let value = match explain(&code, &name, location) {
                    Some((what, fix)) => format!("{code}, {from}: {what}. Fix: {fix}"),
                    None => format!("{}, {from}", text(st, "state")),
                };
                lic.push((name, value));
            }
        }
        _ => {
            let skus: Vec<String> = v["assignedLicenses"]
                .as_array()
                .map(|a| a.iter().map(|l| product(&text(l, "skuId"))).collect())
                .unwrap_or_default();
            lic.push(("Assigned".into(), skus.join(", ")));
        }
    }
}

/// `w`: What If for the selected user (the shell's prompt, prefilled).
const WHAT_IF: Verb = Verb {
    name: "what-if",
    keys: &["w"],
    label: "what if",
    help: "What If: evaluate every CA policy for a sign-in of the selected user",
    writes: false,
    run: |_| super::def::flow(super::verb::Flow::WhatIf),
};

/// The Users blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Users",
    nav_label: "Users",
    command: "users",
    aliases: &["user", "people"],
    load: super::source::Load::Graph(list_request),
    columns,
    row,
    rows_of: None,
    style,
    refine: None,
    opens: Some(super::def::ObjectKind(&DETAIL)),
    sync: Some(|| crate::cache::sync::Spec {
        name: "users",
        collection: "users",
        request: crate::graph::Request::get("/users/delta").select(LIST_FIELDS),
        delta: true,
    }),
    // Marked rows: revoke, block or allow several users in one confirm.
    marks: super::source::Marks::Last,
    query: Some(query),
    join: Some(&RISK),
    records: None,
    // Contain first: the status bar shows the first verbs that fit.
    verbs: &[
        super::user_verbs::CONTAIN,
        WHAT_IF,
        Verb {
            help: "xray of the selected user: groups (nesting path), roles, policies, protected actions",
            ..super::xray::VERB
        },
        super::user_verbs::REVOKE,
        super::user_verbs::SIGN_IN,
        super::user_verbs::RESET,
        super::user_verbs::TAP,
        super::user_verbs::METHODS,
    ],
};

/// A user's page: the user, then (live) what triage asks next, each read on its own and said
/// in its section when refused: the risk (riskyUsers; Graph's 404 is "not at risk"), the
/// authentication methods registration, and the last sign-in (`signInActivity`, returned only
/// on `$select` and needing AuditLog.Read.All). They sit under `@page`, the console's, never
/// Graph's. Offline: the synced user alone.
fn page(
    client: crate::graph::GraphClient,
    store: Option<std::sync::Arc<crate::cache::Store>>,
    id: String,
) -> super::source::Computing {
    Box::pin(async move {
        use crate::graph::GraphError;
        if client.is_offline() {
            let Some(st) = store else {
                return Err(GraphError::Offline);
            };
            let (all, _) = crate::cache::off_thread(st, |s| s.list("users"))
                .await
                .map_err(|e| GraphError::Cache(e.to_string()))?;
            return all
                .into_iter()
                .find(|u| u["id"] == id.as_str())
                .ok_or(GraphError::Offline);
        }
        let mut user = client.get_json(&detail_request(&id)).await?;
        let uid = user["id"].as_str().unwrap_or(&id).to_string();
        let reads = vec![
            crate::graph::resources::risky_users::one(&uid),
            crate::graph::resources::users::registration(&uid),
            detail_request(&uid).select(&["id", "signInActivity"]),
        ];
        let mut answers = client.get_many(reads, 3).await.into_iter();
        let not_read = |e: GraphError| serde_json::json!({ "notRead": e.to_string() });
        let risk = match answers.next() {
            Some(Ok(v)) => v,
            Some(Err(e)) if e.api().is_some_and(|a| a.status == 404) => {
                serde_json::json!({"riskLevel": "none", "riskState": "none"})
            }
            Some(Err(e)) => not_read(e),
            None => Value::Null,
        };
        let registration = match answers.next() {
            Some(Ok(v)) => v
                .get("value")
                .filter(|x| x.is_object())
                .cloned()
                .unwrap_or(v),
            Some(Err(e)) => not_read(e),
            None => Value::Null,
        };
        let activity = match answers.next() {
            Some(Ok(v)) => v["signInActivity"].clone(),
            Some(Err(e)) => not_read(e),
            None => Value::Null,
        };
        user["@page"] = serde_json::json!({
            "risk": risk, "registration": registration, "signInActivity": activity,
        });
        Ok(user)
    })
}

/// The page of one user.
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "user",
    collection: "users",
    request: detail_request,
    sheet: |v, _, names| sheet(v, names),
    needs_facts: false,
    principal: true,
    members: false,
    computed: Some(super::source::Computed {
        name: "user",
        run: page,
    }),
    verbs: &[
        Verb {
            name: "groups",
            keys: &["m"],
            label: "groups",
            help: "The groups (and directory roles) the user is in, directly or through nesting",
            writes: false,
            run: |s| {
                super::def::list_of(s, |user_id, user_name| super::def::ListSource::MemberOf {
                    user_id,
                    user_name,
                })
            },
        },
        WHAT_IF,
        Verb {
            name: "licence",
            keys: &["l"],
            label: "licence",
            help: "Assign or remove a licence of the user",
            writes: true,
            run: |s| match s.page {
                Some(u) => vec![Step::Flow(super::verb::Flow::Licence {
                    object: u.clone(),
                    group: false,
                })],
                None => Vec::new(),
            },
        },
        Verb {
            name: "sign-ins",
            keys: &["i"],
            label: "sign-ins",
            help: "The user's recent sign-ins; Enter on one opens its page (p there: the deciding policy)",
            writes: false,
            run: |_| vec![Step::Sub(&super::signins::SIGN_INS)],
        },
        Verb {
            help: "xray of this user: groups (nesting path), roles, policies, protected actions",
            ..super::xray::VERB
        },
        Verb {
            help: "Set this user's usage location (licences need one)",
            ..super::licence_verbs::USAGE_LOCATION
        },
        Verb {
            help: "Reprocess this user's group licence assignments",
            ..super::licence_verbs::REPROCESS
        },
        super::user_verbs::CONTAIN,
        super::user_verbs::REVOKE,
        super::user_verbs::SIGN_IN,
        super::user_verbs::RESET,
        super::user_verbs::TAP,
        super::user_verbs::METHODS,
    ],
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn guest_row() {
        let r = row(
            json!({"id": "1", "displayName": "Pat", "userPrincipalName": "pat_x#EXT#@t", "userType": "Guest", "accountEnabled": false}),
        );
        assert_eq!(
            r.cells,
            ["Pat", "pat_x#EXT#@t", "Guest", "no", "", "", "", ""]
        );
        let r = row(json!({"id": "2", "onPremisesSyncEnabled": true, "assignedLicenses": []}));
        assert_eq!(r.cells.to_vec()[4..6], ["yes", "no"]);
        let r = row(json!({"id": "3", "onPremisesSyncEnabled": null}));
        assert_eq!(&r.cells[4], "no");
    }

    #[test]
    fn the_risk_cell_is_the_level_only_while_at_risk() {
        let at = |state: &str, level: &str| {
            row(json!({"id": "1", "@risk": {"riskState": state, "riskLevel": level}})).cells[7]
                .to_string()
        };
        assert_eq!(at("atRisk", "medium"), "medium");
        assert_eq!(at("confirmedCompromised", "high"), "high");
        assert_eq!(at("remediated", "none"), "");
        assert_eq!(at("dismissed", "none"), "");
        assert_eq!(at("atRisk", "hidden"), "hidden");
        assert_eq!(row(json!({"id": "1"})).cells[7], *"");
    }

    #[test]
    fn a_query_is_a_search_unless_it_is_a_filter() {
        let r = query_request("ade");
        let q: std::collections::HashMap<_, _> = r.query.iter().cloned().collect();
        assert!(q["$search"].contains("\"displayName:ade\" OR \"userPrincipalName:ade\""));
        assert!(
            r.headers
                .iter()
                .any(|(k, v)| k == "ConsistencyLevel" && v == "eventual")
        );
        let r = query_request("$filter=startswith(displayName,'a')");
        let q: std::collections::HashMap<_, _> = r.query.iter().cloned().collect();
        assert_eq!(q["$filter"], "startswith(displayName,'a')");
        assert_eq!(q["$count"], "true");
    }
}

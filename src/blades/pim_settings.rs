//! The PIM settings blade: every directory role's PIM policy in words, one row a role, the
//! highly privileged roles first (activation maximum, what an activation needs, approval,
//! how long eligible and active assignments last); a role's page adds the approvers and every
//! notification rule; `export pim-settings` writes one record per role and rule.

use super::common::text;
use super::pim_rules::{Rules, duration_words};
use crate::graph::resources::pim;
use crate::theme::Theme;
use crate::widgets::sheet::{Sheet, show};
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::{Value, json};

fn rules_of(v: &Value) -> Vec<Value> {
    v["assignment"]["policy"]["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Where a role sorts: the highly privileged (SCuBA's list) first, in that list's order.
fn rank(role_id: &str, template: &str) -> usize {
    crate::audit::roles::HIGHLY_PRIVILEGED
        .iter()
        .position(|p| *p == role_id || *p == template)
        .unwrap_or(usize::MAX)
}

/// Each role's policy assignment with its role's name, privileged first: live, or offline
/// from what `sync` (or a live `audit`) kept of the audit's reads.
fn read(
    client: crate::graph::GraphClient,
    store: Option<std::sync::Arc<crate::cache::Store>>,
    _: String,
) -> super::source::Computing {
    Box::pin(async move {
        use crate::graph::GraphError;
        if client.is_offline() {
            let Some(st) = store else {
                return Err(GraphError::Offline);
            };
            let ((assignments, at), (roles, _)) = crate::cache::off_thread(st.clone(), |s| {
                Ok((
                    s.list("audit:pimPolicies")?,
                    s.list("audit:roleDefinitions")?,
                ))
            })
            .await
            .map_err(|e| GraphError::Cache(e.to_string()))?;
            if at.is_none() {
                return Err(GraphError::Cache(
                    "PIM settings are not in this cache: run `entra-console sync` (or `audit`) online with it".into(),
                ));
            }
            let policies = crate::cache::off_thread(st, |s| s.list("audit:policies"))
                .await
                .ok()
                .filter(|(_, at)| at.is_some())
                .map(|(p, _)| p);
            return Ok(listed(assignments, &roles, policies.as_deref(), None));
        }
        let assignments = client.get_all(pim::policies_of_roles()).await?;
        let roles = client.get_all(pim::role_names()).await?;
        // The Conditional Access policies, for the lint (a context none targets); not read,
        // the lint says nothing.
        let policies = client
            .get_all(crate::graph::endpoints::ca_policies())
            .await
            .ok();
        let approvers = approvers(&client, &assignments).await;
        Ok(listed(
            assignments,
            &roles,
            policies.as_deref(),
            approvers.as_deref(),
        ))
    })
}

/// The named approvers (users) of the roles needing approval, read one by one: those not in
/// the directory are left out (404). `None` when one could not be read for another reason:
/// then nothing is said of the approvers rather than something wrong.
async fn approvers(
    client: &crate::graph::GraphClient,
    assignments: &[Value],
) -> Option<Vec<Value>> {
    let mut ids: Vec<&str> = assignments
        .iter()
        .flat_map(|a| a["policy"]["rules"].as_array().into_iter().flatten())
        .filter(|r| r["id"] == "Approval_EndUser_Assignment")
        .filter(|r| r["setting"]["isApprovalRequired"] == true)
        .flat_map(|r| {
            r["setting"]["approvalStages"][0]["primaryApprovers"]
                .as_array()
                .into_iter()
                .flatten()
        })
        .filter_map(|p| p["userId"].as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut users = Vec::new();
    for id in ids {
        match client
            .get_json(&crate::graph::resources::users::sign_in_state(id))
            .await
        {
            Ok(u) => users.push(u),
            Err(e) if e.api().is_some_and(|a| a.status == 404) => {}
            Err(_) => return None,
        }
    }
    Some(users)
}

/// The rows' objects: each assignment with its role's name and rank, privileged first; a
/// role whose activation can never succeed carries why under `@never` (the console's key).
fn listed(
    assignments: Vec<Value>,
    roles: &[Value],
    policies: Option<&[Value]>,
    users: Option<&[Value]>,
) -> Value {
    let targeted = policies.map(crate::protect::targeted_contexts);
    let mut out: Vec<Value> = assignments
        .into_iter()
        .filter_map(|a| {
            let id = a["roleDefinitionId"].as_str()?.to_string();
            let def = roles.iter().find(|r| r["id"] == id.as_str());
            let name = def
                .and_then(|d| d["displayName"].as_str())
                .unwrap_or(&id)
                .to_string();
            let template = def
                .and_then(|d| d["templateId"].as_str())
                .unwrap_or_default();
            let rank = rank(&id, template);
            let rules = a["policy"]["rules"].as_array().cloned().unwrap_or_default();
            let never = super::pim_rules::never_satisfied(
                Rules(&rules).context().as_deref(),
                targeted.as_deref(),
            );
            // Approval required, but no named approver can approve (the console's key).
            let stranded = users
                .and_then(|u| crate::audit::pim::stranded_approvers(&a, u))
                .map(|why| why.join("; "));
            Some(json!({
                "id": id, "displayName": name,
                "privileged": rank != usize::MAX, "@rank": rank, "assignment": a,
                "@never": never, "@stranded": stranded,
            }))
        })
        .collect();
    out.sort_by(|a, b| {
        (a["@rank"].as_u64(), text(a, "displayName"))
            .cmp(&(b["@rank"].as_u64(), text(b, "displayName")))
    });
    Value::Array(out)
}

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("Role", 18),
        Column::fixed("Max", 5),
        Column::grow("Activation needs", 14),
        Column::fixed("Approval", 8),
        Column::fixed("Eligible for", 13).from(100),
        Column::fixed("Active for", 13).from(110),
    ]
}

pub fn row(v: Value) -> TableRow {
    let rs = rules_of(&v);
    let r = Rules(&rs);
    let max = r
        .rule("Expiration_EndUser_Assignment")
        .and_then(|x| x["maximumDuration"].as_str())
        .map(duration_words)
        .unwrap_or_else(|| "—".into());
    let name = text(&v, "displayName");
    let cells = vec![
        // Marked first: a narrow column cuts the end of a name, never the mark.
        if v["privileged"] == true {
            format!("⚠ {name}")
        } else {
            name
        },
        max,
        match (&v["@never"], rs.is_empty()) {
            (Value::String(_), _) => format!("never succeeds: {}", r.activation_needs()),
            (_, true) => "not read".into(),
            (_, false) => r.activation_needs(),
        },
        match (r.approval(), v["@stranded"].is_string()) {
            (true, true) => "required: no approver can",
            (true, false) => "required",
            (false, _) => "no",
        }
        .to_string(),
        r.expiry("Expiration_Admin_Eligibility"),
        r.expiry("Expiration_Admin_Assignment"),
    ];
    TableRow::new(v, cells)
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    let privileged = row.cells.first().is_some_and(|c| c.starts_with('⚠'));
    match (col, row.cells.get(col)) {
        (0, _) if privileged => Some(theme.warning),
        // A privileged role activated with nothing asked, or with no approval.
        (2, Some("nothing")) if privileged => Some(theme.error),
        (2, Some(c)) if c.starts_with("never succeeds") => Some(theme.error),
        (3, Some("no")) if privileged => Some(theme.warning),
        (3, Some(c)) if c.starts_with("required: no approver") => Some(theme.error),
        (4 | 5, Some("never expires")) if privileged => Some(theme.warning),
        _ => None,
    }
}

/// A notification rule in words.
fn notification_words(r: &Value) -> String {
    let also: Vec<String> = r["notificationRecipients"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(crate::sanitize::clean))
        .collect();
    format!(
        "{} notifications{}{}",
        text(r, "notificationLevel").to_lowercase(),
        if r["isDefaultRecipientsEnabled"] == false {
            ", default recipients off"
        } else {
            ""
        },
        if also.is_empty() {
            String::new()
        } else {
            format!(", also {}", also.join(", "))
        }
    )
}

/// Which event a notification rule is about, in words (short: a sheet's key column).
fn notification_event(id: &str) -> &'static str {
    if id.ends_with("_Admin_Eligibility") {
        "made eligible"
    } else if id.ends_with("_Admin_Assignment") {
        "made active"
    } else {
        "activated"
    }
}

pub fn sheet(
    v: &Value,
    facts: Option<&crate::protect::Facts>,
    names: &super::common::Names,
) -> Sheet {
    let rs = rules_of(v);
    let r = Rules(&rs);
    let mut s = Sheet::default();
    let role = s.section("Role");
    role.push(("Role".into(), text(v, "displayName")));
    role.push(("Role id".into(), text(v, "id")));
    role.push((
        "Highly privileged".into(),
        if v["privileged"] == true { "yes" } else { "no" }.into(),
    ));
    role.push(("Policy".into(), show(&v["assignment"]["policyId"])));
    let act = s.section("Activation");
    act.push((
        "Maximum duration".into(),
        r.rule("Expiration_EndUser_Assignment")
            .and_then(|x| x["maximumDuration"].as_str())
            .map(duration_words)
            .unwrap_or_else(|| "—".into()),
    ));
    act.push(("Requires".into(), r.activation_needs()));
    let targeted = super::pim_rules::targeted_contexts(facts);
    if let Some(never) =
        super::pim_rules::never_satisfied(r.context().as_deref(), targeted.as_deref())
    {
        act.push(("Never succeeds".into(), never));
    }
    act.push((
        "Approval".into(),
        if r.approval() {
            "required"
        } else {
            "not required"
        }
        .into(),
    ));
    if let Some(why) = v["@stranded"].as_str() {
        act.push((
            "No approver can".into(),
            format!(
                "{}: every activation waits for nobody and expires",
                crate::sanitize::clean(why)
            ),
        ));
    }
    if r.approval() {
        let named: Vec<String> = r
            .approvers()
            .into_iter()
            .map(|a| {
                // "user <id>" by its name when the names are known.
                let id = a.rsplit(' ').next().unwrap_or_default().to_string();
                match names.get(&id) {
                    Some(n) => a.replace(&id, &crate::sanitize::clean(n)),
                    None => a,
                }
            })
            .collect();
        act.push((
            "Approvers".into(),
            if named.is_empty() {
                "none named (PIM asks Privileged Role Administrators and Global Administrators)"
                    .into()
            } else {
                named.join("; ")
            },
        ));
    }
    let asg = s.section("Assignments");
    asg.push((
        "Eligible assignments".into(),
        r.expiry("Expiration_Admin_Eligibility"),
    ));
    asg.push((
        "Active assignments".into(),
        r.expiry("Expiration_Admin_Assignment"),
    ));
    let needs: Vec<String> = r
        .rule("Enablement_Admin_Assignment")
        .and_then(|x| x["enabledRules"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|x| x.as_str().map(crate::sanitize::clean))
        .collect();
    asg.push((
        "Active needs".into(),
        if needs.is_empty() {
            "nothing".into()
        } else {
            needs.join(", ")
        },
    ));
    let n = s.section("Notifications");
    for rule in rs
        .iter()
        .filter(|x| text(x, "id").starts_with("Notification_"))
    {
        n.push((
            format!(
                "{}, {}",
                text(rule, "recipientType"),
                notification_event(&text(rule, "id"))
            ),
            notification_words(rule),
        ));
    }
    s
}

/// One role's page: its policy read again, with its role's name.
fn page(
    client: crate::graph::GraphClient,
    _: Option<std::sync::Arc<crate::cache::Store>>,
    id: String,
) -> super::source::Computing {
    Box::pin(async move {
        let v = client.get_json(&pim::policy_of_role(&id)).await?;
        let assignment = v["value"][0].clone();
        let def = client
            .get_json(&pim::role_name(&id))
            .await
            .unwrap_or(Value::Null);
        let rank = rank(&id, def["templateId"].as_str().unwrap_or_default());
        let stranded = approvers(&client, std::slice::from_ref(&assignment))
            .await
            .and_then(|u| crate::audit::pim::stranded_approvers(&assignment, &u))
            .map(|why| why.join("; "));
        Ok(json!({
            "id": id,
            "displayName": def["displayName"].as_str().unwrap_or(&id),
            "privileged": rank != usize::MAX,
            "assignment": assignment,
            "@stranded": stranded,
        }))
    })
}

/// `export pim-settings`: one record per role and rule.
fn records(objects: Vec<Value>, _: Option<&crate::licensing::LicenceFacts>) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for v in &objects {
        for rule in rules_of(v) {
            let setting = match text(&rule, "@odata.type")
                .rsplit('.')
                .next()
                .unwrap_or_default()
            {
                "unifiedRoleManagementPolicyExpirationRule" => format!(
                    "expiration required: {}; maximum: {}",
                    rule["isExpirationRequired"],
                    text(&rule, "maximumDuration")
                ),
                "unifiedRoleManagementPolicyEnablementRule" => format!(
                    "enabled: {}",
                    rule["enabledRules"].as_array().map_or(String::new(), |a| a
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(" "))
                ),
                "unifiedRoleManagementPolicyApprovalRule" => format!(
                    "approval required: {}; approvers: {}",
                    rule["setting"]["isApprovalRequired"],
                    Rules(std::slice::from_ref(&rule)).approvers().join(" ")
                ),
                "unifiedRoleManagementPolicyAuthenticationContextRule" => format!(
                    "enabled: {}; context: {}",
                    rule["isEnabled"],
                    text(&rule, "claimValue")
                ),
                "unifiedRoleManagementPolicyNotificationRule" => notification_words(&rule),
                other => other.to_string(),
            };
            out.push(vec![
                text(v, "displayName"),
                text(v, "id"),
                text(&rule, "id"),
                setting,
            ]);
        }
    }
    out
}

/// The page of one role's PIM settings.
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "pim-settings",
    collection: "pim-settings",
    request: pim::policy_of_role,
    sheet,
    needs_facts: true,
    principal: false,
    members: false,
    computed: Some(super::source::Computed {
        name: "pim-settings-role",
        run: page,
    }),
    verbs: &[super::pim_edit::EDIT, super::pim_harden::HARDEN],
};

/// The PIM settings blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "PIM settings",
    nav_label: "PIM settings",
    command: "pim-settings",
    aliases: &["role-settings", "pim-policies"],
    load: super::source::Load::Computed(super::source::Computed {
        name: "pim-settings",
        run: read,
    }),
    columns,
    row,
    rows_of: None,
    style,
    refine: None,
    opens: Some(super::def::ObjectKind(&DETAIL)),
    sync: None,
    marks: super::source::Marks::Last,
    query: None,
    join: None,
    records: Some(super::source::Records {
        columns: &["role", "roleId", "rule", "setting"],
        of: records,
    }),
    verbs: &[super::pim_edit::EDIT, super::pim_harden::HARDEN],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_in_words() {
        let v = json!({"id": "r", "displayName": "Global Administrator", "privileged": true,
        "assignment": {"policy": {"rules": [
            {"id": "Expiration_EndUser_Assignment", "isExpirationRequired": true, "maximumDuration": "PT8H"},
            {"id": "Enablement_EndUser_Assignment", "enabledRules": ["MultiFactorAuthentication", "Justification"]},
            {"id": "Approval_EndUser_Assignment", "setting": {"isApprovalRequired": false}},
            {"id": "Expiration_Admin_Eligibility", "isExpirationRequired": false, "maximumDuration": "P365D"},
            {"id": "Expiration_Admin_Assignment", "isExpirationRequired": true, "maximumDuration": "P180D"}
        ]}}});
        let r = row(v);
        assert_eq!(
            r.cells,
            [
                "⚠ Global Administrator",
                "8h",
                "MFA, justification",
                "no",
                "never expires",
                "180 days"
            ]
        );
    }
}

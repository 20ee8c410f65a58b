//! PIM approvals: the activation requests waiting for the signed-in admin's decision
//! (requester, role, how long, when asked, ticket, justification); `a` approves and `D` denies
//! the selected one with a justification (the approval's stage is read first: one decided by
//! another approver, or not assigned to this admin, is refused before anything is sent); `u`
//! opens the requester (their sign-ins and risk are one key away there). The admin's own
//! request is shown but never approvable.

use super::common::text;
use super::def::{Prompt, ReadThen, Step, Then, Verb};
use super::verb::{Confirm, Scope};
use crate::graph::resources::{pim, pim_groups, users};
use crate::graph::{GraphClient, GraphError};
use crate::sanitize::clean;
use crate::theme::Theme;
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::{Value, json};

/// `/me`, then the requests waiting for it; the admin's own are marked `@own`.
fn read(
    client: GraphClient,
    _: Option<std::sync::Arc<crate::cache::Store>>,
    _: String,
) -> super::source::Computing {
    Box::pin(async move {
        if client.is_offline() {
            return Err(GraphError::Offline);
        }
        let me = client.get_json(&users::me()).await?;
        let mut out = client.get_all(pim::awaiting_my_approval()).await?;
        // PIM for groups' requests (membership or ownership); a tenant where they cannot be
        // read gets a row that says so instead of an inbox that looks complete.
        match client.get_all(pim_groups::awaiting_my_approval()).await {
            Ok(groups) => {
                for mut r in groups {
                    r["@group"] = json!(true);
                    // What approving a membership gives: the directory roles the group holds.
                    if r["accessId"] != "owner"
                        && let Some(gid) = r["groupId"].as_str()
                    {
                        let mut holds = Vec::new();
                        for eligible in [false, true] {
                            let held = client
                                .get_all(pim::instances_of(gid, eligible))
                                .await
                                .unwrap_or_default();
                            holds.extend(held.iter().map(|h| {
                                let name = super::common::role_name(h);
                                if eligible {
                                    format!("{name} (eligible)")
                                } else {
                                    name
                                }
                            }));
                        }
                        r["@holds"] = json!(holds);
                    }
                    out.push(r);
                }
            }
            Err(e) => out.push(json!({"@unread": format!("group requests not read: {e}")})),
        }
        for r in &mut out {
            if r["principalId"] == me["id"] {
                r["@own"] = json!(true);
            }
        }
        Ok(Value::Array(out))
    })
}

fn requester(v: &Value) -> String {
    clean(
        v["principal"]["displayName"]
            .as_str()
            .or(v["principalId"].as_str())
            .unwrap_or("?"),
    )
}

fn role(v: &Value) -> String {
    if v["@group"] == true {
        let access = if v["accessId"] == "owner" {
            "owner"
        } else {
            "member"
        };
        let group = v["group"]["displayName"]
            .as_str()
            .or(v["groupId"].as_str())
            .unwrap_or("?");
        return format!("{access}ship of {} (group)", clean(group));
    }
    clean(
        v["roleDefinition"]["displayName"]
            .as_str()
            .or(v["roleDefinitionId"].as_str())
            .unwrap_or("?"),
    )
}

fn how_long(v: &Value) -> String {
    match v["scheduleInfo"]["expiration"]["duration"].as_str() {
        Some(d) => super::pim_rules::duration_words(d),
        None => "no end".into(),
    }
}

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("Requester", 14),
        Column::grow("Role", 16),
        Column::fixed("For", 7),
        Column::fixed("Asked", 16),
        Column::fixed("Ticket", 10).from(100),
        Column::grow("Justification", 20).from(90),
    ]
}

pub fn row(v: Value) -> TableRow {
    if let Some(why) = v["@unread"].as_str() {
        let cells = vec![
            "—".into(),
            clean(why),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ];
        return TableRow::new(v, cells);
    }
    let mut who = requester(&v);
    if v["@own"] == true {
        who.push_str(" (you)");
    }
    let asked = text(&v, "createdDateTime")
        .replace('T', " ")
        .chars()
        .take(16)
        .collect();
    let cells = vec![
        who,
        role(&v),
        how_long(&v),
        asked,
        clean(v["ticketInfo"]["ticketNumber"].as_str().unwrap_or_default()),
        clean(v["justification"].as_str().unwrap_or_default()),
    ];
    TableRow::new(v, cells)
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    if row.object()["@own"] == true {
        return Some(theme.muted);
    }
    match col {
        1 => Some(theme.privileged),
        3..=5 => Some(theme.muted),
        _ => None,
    }
}

/// `a` / `D`: read the approval's stages (the one waiting for this admin decides), unless the
/// request is the admin's own.
fn decide(s: &Scope, approve: bool) -> Vec<Step> {
    let Some(r) = s.selected.clone() else {
        return Vec::new();
    };
    if r["@own"] == true {
        return vec![Step::refuse(
            "this is your own request: another approver decides it",
        )];
    }
    if let Some(why) = r["@unread"].as_str() {
        return vec![Step::refuse(clean(why))];
    }
    let group = r["@group"] == true;
    // PIM for groups names an approval by its request (approval-get.md), when Graph leaves
    // `approvalId` out.
    let approval = r["approvalId"]
        .as_str()
        .filter(|a| !a.is_empty())
        .or(r["id"].as_str().filter(|_| group))
        .map(str::to_string);
    let Some(approval) = approval else {
        return vec![Step::refuse(
            "the request carries no approval id: Graph has not opened an approval for it",
        )];
    };
    let request = if group {
        pim_groups::approval(&approval)
    } else {
        pim::approval_steps(&approval)
    };
    let mut r = r;
    r["approvalId"] = json!(approval);
    vec![Step::Read {
        request,
        then: ReadThen {
            with: json!({"request": r, "approve": approve}),
            run: stages_read,
        },
    }]
}

/// The stage in progress assigned to this admin, then the justification.
fn stages_read(result: Result<Value, GraphError>, with: &Value) -> Vec<Step> {
    let stages = match result {
        Ok(v) => v,
        Err(e) => {
            return vec![Step::refuse(format!(
                "the approval's stages could not be read: {e}"
            ))];
        }
    };
    // Roles list the steps (`value`); a group's approval carries its `stages`.
    let list = if stages["stages"].is_array() {
        &stages["stages"]
    } else {
        &stages["value"]
    };
    let mine = list
        .as_array()
        .into_iter()
        .flatten()
        .find(|st| st["status"] == "InProgress" && st["assignedToMe"] == true);
    let Some(stage) = mine else {
        return vec![Step::refuse(
            "no stage of this approval waits for you: another approver decided it, or you are not its approver",
        )];
    };
    let mut with = with.clone();
    with["stage"] = stage["id"].clone();
    let r = &with["request"];
    let verb = if with["approve"] == true {
        "approving"
    } else {
        "denying"
    };
    vec![Step::Prompt(Prompt {
        title: format!(
            "Your justification for {verb} {}'s {} (PIM records it)",
            requester(r),
            role(r)
        ),
        input: String::new(),
        then: Then {
            with,
            run: |why, with| Ok(justified(why, with)),
        },
        secret: false,
        optional: false,
    })]
}

/// The confirm: who asked for what, for how long and why, and the decision with its reason.
fn justified(why: &str, with: &Value) -> Vec<Step> {
    let r = &with["request"];
    let approve = with["approve"] == true;
    let ticket = r["ticketInfo"]["ticketNumber"]
        .as_str()
        .filter(|t| !t.is_empty())
        .map(|t| format!("ticket {}; ", clean(t)))
        .unwrap_or_default();
    let title = format!(
        "{} {}'s activation of {} for {} ({ticket}their justification: {}). Your justification: {}{}",
        if approve { "Approve" } else { "Deny" },
        requester(r),
        role(r),
        how_long(r),
        clean(r["justification"].as_str().unwrap_or("none")),
        clean(why),
        if approve {
            ". It becomes active for them at once"
        } else {
            ". The request ends; they may ask again"
        }
    );
    let holds: Vec<String> = r["@holds"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h.as_str().map(clean))
        .collect();
    let title = if approve && !holds.is_empty() {
        format!("{title}: it makes them {}", holds.join(", "))
    } else {
        title
    };
    let stage = with["stage"].as_str().unwrap_or_default();
    let request = if r["@group"] == true {
        pim_groups::review(&text(r, "approvalId"), stage, approve, why)
    } else {
        pim::review(&text(r, "approvalId"), stage, approve, why)
    };
    vec![Confirm::one(title, &text(r, "id"), request, Some(r.clone())).into()]
}

const APPROVE: Verb = Verb {
    name: "approve",
    keys: &["a"],
    label: "approve",
    help: "Approve the selected activation request (a justification is asked)",
    writes: true,
    run: |s| decide(s, true),
};

const DENY: Verb = Verb {
    name: "deny",
    keys: &["D"],
    label: "deny",
    help: "Deny the selected activation request (a justification is asked)",
    writes: true,
    run: |s| decide(s, false),
};

const REQUESTER: Verb = Verb {
    name: "requester",
    keys: &["u"],
    label: "requester",
    help: "Open the requester's page (their sign-ins, risk and roles)",
    writes: false,
    run: |s| match s.selected.as_ref() {
        Some(r) => vec![Step::OpenPage {
            page: "user",
            id: text(r, "principalId"),
            name: requester(r),
        }],
        None => Vec::new(),
    },
};

/// The PIM approvals blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "PIM approvals",
    nav_label: "Approvals",
    command: "approvals",
    aliases: &["pim-approvals", "inbox", "approve"],
    load: super::source::Load::Computed(super::source::Computed {
        name: "approvals",
        run: read,
    }),
    columns,
    row,
    rows_of: None,
    style,
    refine: None,
    opens: None,
    sync: None,
    marks: super::source::Marks::No,
    query: None,
    join: None,
    records: None,
    verbs: &[APPROVE, DENY, REQUESTER],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_waiting_for_me_is_the_one_decided() {
        let with = json!({"request": {"id": "r1", "approvalId": "r1",
            "principal": {"displayName": "Bianca"},
            "roleDefinition": {"displayName": "Security Administrator"},
            "scheduleInfo": {"expiration": {"duration": "PT4H"}}}, "approve": true});
        // A stage already decided is refused before anything is asked.
        let done = json!({"value": [{"id": "s1", "status": "Completed", "assignedToMe": true}]});
        assert!(matches!(
            stages_read(Ok(done), &with).as_slice(),
            [Step::Say { error: true, .. }]
        ));
        let open = json!({"value": [{"id": "s1", "status": "InProgress", "assignedToMe": true}]});
        let steps = stages_read(Ok(open), &with);
        let Some(Step::Prompt(p)) = steps.first() else {
            unreachable!("a prompt for the justification")
        };
        assert!(
            p.title
                .contains("approving Bianca's Security Administrator")
        );
        let confirm = (p.then.run)("on call", &p.then.with).unwrap_or_default();
        assert!(!confirm.is_empty());
        let Some(Step::Confirm(c)) = confirm.first() else {
            unreachable!("a confirm")
        };
        assert!(
            c.title
                .starts_with("Approve Bianca's activation of Security Administrator for 4h"),
            "{}",
            c.title
        );
        assert!(
            c.request
                .path
                .ends_with("/roleAssignmentApprovals/r1/steps/s1")
        );
        assert_eq!(
            c.request.body.as_ref().map(|b| b["reviewResult"].clone()),
            Some(json!("Approve"))
        );
    }
}

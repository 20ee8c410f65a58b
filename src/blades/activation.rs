//! PIM self-activation from My roles, as the blade's verbs: `a` on an eligible role reads its
//! policy, then asks what the policy wants (justification, a ticket, a duration up to its
//! maximum) and confirms a `selfActivate` request (the inline step-up applies when the policy
//! demands an authentication context); `d` on an activated role sends `selfDeactivate`.

use super::common::role_name;
use super::def::{Choose, ChooseThen, Prompt, ReadThen, Step, Then, Verb};
use super::pim_rules::Rules;
use super::verb::{Confirm, Scope};
use crate::graph::resources::{pim, pim_groups};
use crate::sanitize::clean;
use serde_json::{Value, json};

fn rules(with: &Value) -> Vec<Value> {
    with["rules"].as_array().cloned().unwrap_or_default()
}

fn role(with: &Value) -> String {
    clean(with["roleName"].as_str().unwrap_or("the role"))
}

/// `a`: the selected eligible role's policy is read first.
fn activate(s: &Scope) -> Vec<Step> {
    let Some(v) = s.selected.clone() else {
        return Vec::new();
    };
    let eligible_group = v["@group"] == true && v["@kind"] == "eligible";
    if (eligible_group || v["@viaHow"] == "eligible member")
        && let Some(with) = group_target(&v, s)
    {
        return group_activation(with);
    }
    if v["@kind"] != "eligible" {
        return vec![Step::refuse(
            "only an eligible role or membership is activated: this one is not",
        )];
    }
    if let Some(group) = v["@via"].as_str() {
        // The group holds the role: Graph activates it for the group's principal, which is
        // not this admin (RoleAssignmentRequestPolicyValidationFailed otherwise).
        return vec![Step::refuse(format!(
            "this role is held through the group {}: its eligibility is the group's; activate \
             it in the admin center (Groups in PIM) or ask an admin of the group",
            clean(group)
        ))];
    }
    let role_id = v["roleDefinitionId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    vec![
        Step::say(format!(
            "Activate {}: reading its PIM policy…",
            role_name(&v)
        )),
        Step::Read {
            request: pim::policy_of_role(&role_id),
            then: ReadThen {
                with: json!({
                    "roleId": role_id,
                    "roleName": role_name(&v),
                    "scope": v["directoryScopeId"].as_str().unwrap_or("/"),
                    "principal": v["principalId"].as_str().unwrap_or_default(),
                    // What enabled policies target, when read: a context none targets makes
                    // the activation fail whatever is typed (said in the confirm).
                    "targeted": super::pim_rules::targeted_contexts(s.facts),
                }),
                run: policy_read,
            },
        },
    ]
}

/// PIM for groups: an eligible membership or ownership row, or a role row held through a
/// membership the admin is only eligible for (activating it means activating that membership).
/// The principal is the admin (`principalId` of the eligibility, `@me` on a role row), never
/// the group.
fn group_target(v: &Value, s: &Scope) -> Option<Value> {
    let (gid, access, name, principal, holds) = if v["@group"] == true {
        (
            v["groupId"].as_str()?,
            v["accessId"].as_str().unwrap_or("member"),
            super::my_groups::group_name(v),
            v["principalId"].as_str().unwrap_or_default(),
            super::my_groups::holds_words(v),
        )
    } else if v["@viaHow"] == "eligible member" {
        (
            v["@viaId"].as_str()?,
            "member",
            v["@via"].as_str().unwrap_or_default().to_string(),
            v["@me"].as_str().unwrap_or_default(),
            format!("activating this makes you {}", role_name(v)),
        )
    } else {
        return None;
    };
    Some(json!({
        "groupId": gid,
        "access": access,
        "roleName": format!("{access}ship of {}", clean(&name)),
        "principal": principal,
        "holds": holds,
        "targeted": super::pim_rules::targeted_contexts(s.facts),
    }))
}

/// The group's PIM policy for the access is read, then the same asks as a role's.
fn group_activation(with: Value) -> Vec<Step> {
    let request = crate::graph::resources::pim_groups::policy(
        with["groupId"].as_str().unwrap_or_default(),
        with["access"].as_str().unwrap_or("member"),
    );
    vec![
        Step::say(format!("Activate {}: reading its PIM policy…", role(&with))),
        Step::Read {
            request,
            then: ReadThen {
                with,
                run: policy_read,
            },
        },
    ]
}

/// The policy is read (or not: Graph will then say what it wants): the justification.
fn policy_read(read: Result<Value, crate::graph::GraphError>, with: &Value) -> Vec<Step> {
    let mut with = with.clone();
    let note = match read {
        Ok(v) => {
            let r = v["value"][0]["policy"]["rules"].clone();
            let empty = r.as_array().is_none_or(Vec::is_empty);
            with["rules"] = r;
            empty.then(|| {
                "the role's PIM policy has no rules to read: Graph will say what it wants"
                    .to_string()
            })
        }
        Err(e) => Some(format!(
            "the role's PIM policy could not be read ({e}); Graph will say what it wants"
        )),
    };
    with["note"] = note.into();
    let rs = rules(&with);
    // A context demanded: whether any enabled policy targets it is read first (unless the
    // protection facts already said), so the confirm can say the activation cannot succeed.
    if Rules(&rs).context().is_some() && with["targeted"].is_null() {
        return vec![Step::Read {
            request: crate::graph::endpoints::ca_policies(),
            then: ReadThen {
                with,
                run: |read, with| {
                    let mut with = with.clone();
                    if let Ok(v) = read {
                        let policies = v["value"].as_array().cloned().unwrap_or_default();
                        with["targeted"] = json!(crate::protect::targeted_contexts(&policies));
                    }
                    justification(with)
                },
            },
        }];
    }
    justification(with)
}

/// The justification (required or optional, as the policy says).
fn justification(with: Value) -> Vec<Step> {
    let rs = rules(&with);
    let r = Rules(&rs);
    let note = with["note"].as_str().map(str::to_string);
    let required = r.needs_justification();
    vec![Step::Prompt(Prompt {
        title: format!(
            "Activate {}: justification{} (the policy asks {}){}",
            role(&with),
            if required { ", required" } else { ", optional" },
            r.asks(),
            note.map(|n| format!(". Note: {n}")).unwrap_or_default()
        ),
        input: String::new(),
        then: Then {
            with,
            run: |typed, with| {
                let rs = rules(with);
                if Rules(&rs).needs_justification() && typed.is_empty() {
                    return Err("the role's policy requires it".into());
                }
                let mut with = with.clone();
                with["justification"] = typed.into();
                Ok(after_justification(with))
            },
        },
        secret: false,
        optional: true,
    })]
}

/// The ticket when the policy asks for one, else the duration.
fn after_justification(with: Value) -> Vec<Step> {
    let rs = rules(&with);
    if !Rules(&rs).needs_ticket() {
        return duration(with);
    }
    vec![Step::Prompt(Prompt {
        title: format!(
            "Activate {}: ticket number (the policy requires one)",
            role(&with)
        ),
        input: String::new(),
        then: Then {
            with,
            run: |typed, with| {
                if typed.is_empty() {
                    return Err("the role's policy requires it".into());
                }
                let mut with = with.clone();
                with["ticket"] = typed.into();
                Ok(duration(with))
            },
        },
        secret: false,
        optional: true,
    })]
}

/// How long: the policy's durations, the shortest preselected (the least standing privilege).
fn duration(with: Value) -> Vec<Step> {
    let rs = rules(&with);
    let r = Rules(&rs);
    let options = r
        .durations()
        .iter()
        .map(|d| d.trim_start_matches("PT").to_lowercase())
        .collect();
    vec![Step::Choose(Choose {
        note: None,
        inline: false,
        title: format!(
            "Activate {} for how long (at most {} h)",
            role(&with),
            r.max_hours()
        ),
        options,
        selected: 0,
        then: ChooseThen {
            with,
            run: |at, with| Ok(confirm(with, at)),
        },
    })]
}

/// The confirm, saying what follows (a step-up, a wait for an approver).
fn confirm(with: &Value, at: usize) -> Vec<Step> {
    let rs = rules(with);
    let r = Rules(&rs);
    let duration = r
        .durations()
        .get(at)
        .cloned()
        .unwrap_or_else(|| "PT1H".into());
    let mut then = Vec::new();
    if let Some(c) = r.context() {
        then.push(format!(
            "the policy demands authentication context {c}: expect a step-up"
        ));
    }
    if r.approval() {
        then.push("it waits for an approver before it is active".into());
    }
    if let Some(h) = with["holds"].as_str().filter(|h| !h.is_empty()) {
        then.push(h.to_string());
    }
    let targeted: Option<Vec<String>> = serde_json::from_value(with["targeted"].clone()).ok();
    if let Some(never) =
        super::pim_rules::never_satisfied(r.context().as_deref(), targeted.as_deref())
    {
        then.insert(0, format!("WARNING: {never}"));
    }
    let s = |k: &str| with[k].as_str().unwrap_or_default();
    let title = format!(
        "Activate {} for {} (justification: {}{}){}",
        role(with),
        duration.trim_start_matches("PT").to_lowercase(),
        clean(s("justification")),
        if s("ticket").is_empty() {
            String::new()
        } else {
            format!("; ticket {}", clean(s("ticket")))
        },
        if then.is_empty() {
            String::new()
        } else {
            format!("; {}", then.join("; "))
        }
    );
    let (id, request) = if with["groupId"].is_string() {
        let request = pim_groups::self_activate(&pim_groups::Activate {
            principal: s("principal"),
            group_id: s("groupId"),
            access: s("access"),
            justification: s("justification"),
            ticket: s("ticket"),
            duration: &duration,
        });
        (s("groupId"), request)
    } else {
        let request = pim::self_activate(&pim::Activate {
            principal: s("principal"),
            role_id: s("roleId"),
            scope: s("scope"),
            justification: s("justification"),
            ticket: s("ticket"),
            duration: &duration,
        });
        (s("roleId"), request)
    };
    vec![Step::Confirm(Box::new(Confirm::one(
        title, id, request, None,
    )))]
}

/// `d`: end the selected activation early.
fn deactivate(s: &Scope) -> Vec<Step> {
    let Some(v) = s.selected.clone() else {
        return Vec::new();
    };
    if v["@group"] == true {
        return group_deactivate(v);
    }
    if let Some(group) = v["@via"].as_str() {
        return vec![Step::refuse(format!(
            "this role is held through the group {}: removing it means leaving that group or \
             ending the group's assignment (Roles)",
            clean(group)
        ))];
    }
    if v["@kind"] != "active" || v["assignmentType"] != "Activated" {
        return vec![Step::refuse(
            "only an activated role can be deactivated here (a permanent one is removed from Roles)",
        )];
    }
    let request = pim::self_deactivate(
        &v["principalId"],
        &v["roleDefinitionId"],
        v["directoryScopeId"].as_str().unwrap_or("/"),
    );
    let id = v["roleDefinitionId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let title = format!("Deactivate {} now (before its end)", role_name(&v));
    vec![Step::Confirm(Box::new(Confirm::one(
        title,
        &id,
        request,
        Some(v),
    )))]
}

/// `d` on an activated PIM group membership or ownership: `selfDeactivate` for the admin.
fn group_deactivate(v: Value) -> Vec<Step> {
    let activated = v["@kind"] == "active"
        && v["assignmentType"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case("activated"));
    if !activated {
        return vec![Step::refuse(
            "only an activated membership or ownership can be deactivated here (a permanent one \
             is removed on the group's page)",
        )];
    }
    let access = v["accessId"].as_str().unwrap_or("member");
    let holds = super::my_groups::holds_words(&v);
    let title = format!(
        "Deactivate your {access}ship of {} now (before its end){}",
        clean(&super::my_groups::group_name(&v)),
        if holds.is_empty() {
            String::new()
        } else {
            // "activating this makes you X" said for the end: what is lost with it.
            format!(
                "; you stop being {}",
                holds.trim_start_matches("activating this makes you ")
            )
        }
    );
    let request = pim_groups::self_deactivate(&v["principalId"], &v["groupId"], &v["accessId"]);
    let id = super::common::text(&v, "groupId");
    vec![Step::Confirm(Box::new(Confirm::one(
        title,
        &id,
        request,
        Some(v),
    )))]
}

/// `a` on My roles (the generic name `add`, bound to `a`).
pub const ACTIVATE: Verb = Verb {
    name: "add",
    keys: &[],
    label: "activate",
    help: "Activate the selected eligible role (its PIM policy is read first and asked for)",
    writes: true,
    run: activate,
};

/// `d` on My roles (the generic name `remove`, bound to `d`).
pub const DEACTIVATE: Verb = Verb {
    name: "remove",
    keys: &[],
    label: "deactivate",
    help: "End the selected activation early (selfDeactivate)",
    writes: true,
    run: deactivate,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_stop_at_the_policys_maximum() {
        let rs = vec![json!({"id": "Expiration_EndUser_Assignment", "maximumDuration": "PT4H"})];
        assert_eq!(Rules(&rs).durations(), ["PT1H", "PT2H", "PT4H"]);
        let rs = vec![json!({"id": "Expiration_EndUser_Assignment", "maximumDuration": "P1D"})];
        assert_eq!(Rules(&rs).max_hours(), 24);
        assert_eq!(Rules(&[]).max_hours(), 8, "unsaid: 8 hours");
    }

    #[test]
    fn the_asks_in_words() {
        let rs = vec![
            json!({"id": "Enablement_EndUser_Assignment", "enabledRules": ["Justification", "Ticketing"]}),
            json!({"id": "AuthenticationContext_EndUser_Assignment", "isEnabled": true, "claimValue": "c4"}),
            json!({"id": "Approval_EndUser_Assignment", "setting": {"isApprovalRequired": true}}),
        ];
        assert_eq!(
            Rules(&rs).asks(),
            "a justification, a ticket, authentication context c4 (step-up), approval"
        );
    }
}

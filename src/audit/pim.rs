//! PIM role settings (SCuBA MS.AAD.7.6-7.9, read from each role's policy rules as ScubaGear
//! reads them) and this console's lint of activations that can never succeed: a role whose
//! activation demands an authentication context that no enabled Conditional Access policy
//! targets.

use super::model::{Evidence, Finding, Inputs, Rule, Severity, s};
use crate::graph::model::strs;
use serde_json::Value;

const GLOBAL_ADMIN: &str = "62e90394-69f5-4237-9190-012177145e10";
const READS: &str = "GET /policies/roleManagementPolicyAssignments ($filter scopeId eq '/' and scopeType eq 'DirectoryRole', $expand=policy($expand=rules))";

static GA_APPROVAL: Rule = Rule {
    id: "MS.AAD.7.6",
    scuba: Some("MS.AAD.7.6v1"),
    eidsca: None,
    cis: Some("5.3.4"),
    title: "Activation of Global Administrator requires approval",
    severity: Severity::High,
    remediation: "PIM settings of Global Administrator: require approval on activation and name the approvers.",
    reads: READS,
};
static ASSIGNMENT_ALERTS: Rule = Rule {
    id: "MS.AAD.7.7",
    scuba: Some("MS.AAD.7.7v1"),
    eidsca: None,
    cis: None,
    title: "Eligible and active assignments to highly privileged roles trigger an alert",
    severity: Severity::Medium,
    remediation: "PIM settings of each highly privileged role: add recipients to the role assignment alerts (eligible and active).",
    reads: READS,
};
static GA_ACTIVATION_ALERT: Rule = Rule {
    id: "MS.AAD.7.8",
    scuba: Some("MS.AAD.7.8v1"),
    eidsca: None,
    cis: None,
    title: "Activation of Global Administrator triggers an alert",
    severity: Severity::Medium,
    remediation: "PIM settings of Global Administrator: add recipients to the role activation alert.",
    reads: READS,
};
static ACTIVATION_ALERTS: Rule = Rule {
    id: "MS.AAD.7.9",
    scuba: Some("MS.AAD.7.9v1"),
    eidsca: None,
    cis: None,
    title: "Activation of the other highly privileged roles triggers an alert",
    severity: Severity::Low,
    remediation: "PIM settings of each highly privileged role: add recipients to the role activation alert.",
    reads: READS,
};
static NEVER: Rule = Rule {
    id: "EC.9",
    scuba: None,
    eidsca: None,
    cis: None,
    title: "No role's activation demands an authentication context no enabled policy targets",
    severity: Severity::High,
    remediation: "Enable a Conditional Access policy that targets the context (Auth contexts), or turn the context off in the role's PIM settings: until then the activation is always refused.",
    reads: "GET /policies/roleManagementPolicyAssignments (rules), /identity/conditionalAccess/policies",
};

static APPROVERS: Rule = Rule {
    id: "EC.10",
    scuba: None,
    eidsca: None,
    cis: None,
    title: "A role whose activation needs approval has an approver who can approve",
    severity: Severity::High,
    remediation: "PIM settings of the role: name approvers who exist and can sign in (or a group); until then every activation waits for nobody and expires.",
    reads: "GET /policies/roleManagementPolicyAssignments (rules), /users (accountEnabled)",
};
static ACTIVATION_CHECK: Rule = Rule {
    id: "EC.11",
    scuba: None,
    eidsca: None,
    cis: None,
    title: "Activating a highly privileged role asks for MFA or an authentication context",
    severity: Severity::Medium,
    remediation: "PIM settings of the role: require Azure MFA (or an authentication context a policy enforces) on activation.",
    reads: READS,
};

pub static RULES: [&Rule; 7] = [
    &GA_APPROVAL,
    &ASSIGNMENT_ALERTS,
    &GA_ACTIVATION_ALERT,
    &ACTIVATION_ALERTS,
    &NEVER,
    &APPROVERS,
    &ACTIVATION_CHECK,
];

/// The named approvers of a role that requires approval, when every one is a user and none of
/// them can approve (gone from the directory, or sign-in blocked), with each in words; `None`
/// when approval is not required, no approver is named (PIM's default approvers decide), a
/// group approves, or someone can.
pub fn stranded_approvers(a: &Value, users: &[Value]) -> Option<Vec<String>> {
    let r = rule(a, "Approval_EndUser_Assignment")?;
    if r["setting"]["isApprovalRequired"] != true {
        return None;
    }
    let approvers = r["setting"]["approvalStages"][0]["primaryApprovers"].as_array()?;
    if approvers.is_empty() {
        return None;
    }
    let mut why = Vec::new();
    for p in approvers {
        let id = p["userId"].as_str()?;
        match users.iter().find(|u| u["id"] == id) {
            None => why.push(format!("{id}: not in the directory")),
            Some(u) if u["accountEnabled"] == false => {
                why.push(format!("{}: sign-in blocked", s(u, "displayName")));
            }
            Some(_) => return None,
        }
    }
    Some(why)
}

/// Whether an activation asks for MFA or an enabled authentication context.
fn activation_checked(a: &Value) -> bool {
    let mfa = rule(a, "Enablement_EndUser_Assignment").is_some_and(|r| {
        strs(&r["enabledRules"])
            .iter()
            .any(|x| x == "MultiFactorAuthentication")
    });
    let context = rule(a, "AuthenticationContext_EndUser_Assignment")
        .is_some_and(|r| r["isEnabled"] == true && r["claimValue"].is_string());
    mfa || context
}

fn rule<'a>(a: &'a Value, id: &str) -> Option<&'a Value> {
    a["policy"]["rules"]
        .as_array()?
        .iter()
        .find(|r| r["id"] == id)
}

/// A notification rule has recipients beyond the defaults (what SCuBA counts as an alert).
fn alerts(a: &Value, id: &str) -> bool {
    rule(a, id).is_some_and(|r| !strs(&r["notificationRecipients"]).is_empty())
}

fn role_name(i: &Inputs, id: &str) -> String {
    i.roles
        .as_ref()
        .ok()
        .and_then(|r| r.definitions.iter().find(|d| d["id"] == id))
        .map(|d| s(d, "displayName"))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| id.to_string())
}

fn evidence(i: &Inputs, a: &Value, note: &str) -> Evidence {
    let id = s(a, "roleDefinitionId");
    Evidence {
        blade: "pim-settings",
        name: role_name(i, &id),
        id,
        note: note.to_string(),
    }
}

fn privileged(a: &Value) -> bool {
    super::roles::HIGHLY_PRIVILEGED.contains(&a["roleDefinitionId"].as_str().unwrap_or_default())
}

pub fn run(i: &Inputs) -> Vec<Finding> {
    let all = match &i.pim {
        Ok(a) => a,
        Err(e) => {
            return RULES
                .iter()
                .map(|r| super::model::not_evaluable(r, e))
                .collect();
        }
    };
    let ga: Vec<&Value> = all
        .iter()
        .filter(|a| a["roleDefinitionId"] == GLOBAL_ADMIN)
        .collect();
    let ga_approval = if ga.is_empty() {
        super::model::not_evaluable(
            &GA_APPROVAL,
            "Global Administrator's policy was not returned",
        )
    } else {
        let ev = ga
            .iter()
            .filter(|a| {
                rule(a, "Approval_EndUser_Assignment")
                    .is_none_or(|r| r["setting"]["isApprovalRequired"] != true)
            })
            .map(|a| evidence(i, a, "activation needs no approval"))
            .collect();
        super::model::judged(&GA_APPROVAL, ev, "approval is required", "not required")
    };
    let assignment = all
        .iter()
        .filter(|a| privileged(a))
        .filter_map(|a| {
            let missing: Vec<&str> = [
                ("eligible", "Notification_Admin_Admin_Eligibility"),
                ("active", "Notification_Admin_Admin_Assignment"),
            ]
            .into_iter()
            .filter(|(_, id)| !alerts(a, id))
            .map(|(what, _)| what)
            .collect();
            (!missing.is_empty()).then(|| {
                evidence(
                    i,
                    a,
                    &format!(
                        "no alert recipient for {} assignments",
                        missing.join(" and ")
                    ),
                )
            })
        })
        .collect();
    let silent = |a: &Value| !alerts(a, "Notification_Admin_EndUser_Assignment");
    let ga_alert = ga
        .iter()
        .filter(|a| silent(a))
        .map(|a| evidence(i, a, "no alert recipient for activations"))
        .collect();
    let others = all
        .iter()
        .filter(|a| privileged(a) && a["roleDefinitionId"] != GLOBAL_ADMIN && silent(a))
        .map(|a| evidence(i, a, "no alert recipient for activations"))
        .collect();
    let never = match &i.facts {
        Err(e) => super::model::not_evaluable(&NEVER, e),
        Ok(f) => {
            let contexts = crate::protect::targeted_contexts(&f.policies);
            let targeted = |c: &str| contexts.iter().any(|x| x == c);
            let ev = all
                .iter()
                .filter_map(|a| {
                    let r = rule(a, "AuthenticationContext_EndUser_Assignment")?;
                    let c = r["claimValue"].as_str().filter(|_| r["isEnabled"] == true)?;
                    (!targeted(c)).then(|| {
                        evidence(
                            i,
                            a,
                            &format!(
                                "activation demands context {c}; no enabled Conditional Access policy targets it"
                            ),
                        )
                    })
                })
                .collect();
            super::model::judged(
                &NEVER,
                ev,
                "every context an activation demands is targeted by an enabled policy",
                "roles whose activation is always refused",
            )
        }
    };
    let approvers = match &i.users {
        Err(e) => super::model::not_evaluable(&APPROVERS, e),
        Ok(users) => {
            let ev = all
                .iter()
                .filter_map(|a| {
                    let why = stranded_approvers(a, users)?;
                    Some(evidence(
                        i,
                        a,
                        &format!("no approver can approve: {}", why.join("; ")),
                    ))
                })
                .collect();
            super::model::judged(
                &APPROVERS,
                ev,
                "every role needing approval has an approver who can approve",
                "roles whose activations wait for nobody",
            )
        }
    };
    let unchecked = all
        .iter()
        .filter(|a| privileged(a) && !activation_checked(a))
        .map(|a| evidence(i, a, "activation asks for neither MFA nor a context"))
        .collect();
    vec![
        ga_approval,
        super::model::judged(
            &ASSIGNMENT_ALERTS,
            assignment,
            "every highly privileged role alerts on assignment",
            "highly privileged roles without assignment alerts",
        ),
        if ga.is_empty() {
            super::model::not_evaluable(
                &GA_ACTIVATION_ALERT,
                "Global Administrator's policy was not returned",
            )
        } else {
            super::model::judged(
                &GA_ACTIVATION_ALERT,
                ga_alert,
                "activations alert",
                "no activation alert",
            )
        },
        super::model::judged(
            &ACTIVATION_ALERTS,
            others,
            "every other highly privileged role alerts on activation",
            "highly privileged roles without activation alerts",
        ),
        never,
        approvers,
        super::model::judged(
            &ACTIVATION_CHECK,
            unchecked,
            "every highly privileged role asks for MFA or a context on activation",
            "highly privileged roles activated with nothing asked",
        ),
    ]
}

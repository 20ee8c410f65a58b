//! Licences and risk: SKUs over-consumed, users whose licence assignment failed, high-risk
//! users not remediated.

use super::model::{Evidence, Finding, Inputs, Rule, Severity, s};

static OVER: Rule = Rule {
    id: "EC.6",
    scuba: None,
    eidsca: None,
    cis: None,
    title: "No subscription is over-consumed",
    severity: Severity::Medium,
    remediation: "Buy more licences, or remove them from users who do not need them (Licensing).",
    reads: "GET /subscribedSkus",
};
static ERRORS: Rule = Rule {
    id: "EC.7",
    scuba: None,
    eidsca: None,
    cis: None,
    title: "No user has a licence assignment in error",
    severity: Severity::Medium,
    remediation: "Open Licence errors: each row says why and how to fix it.",
    reads: "GET /users ($select licenseAssignmentStates)",
};
static RISK: Rule = Rule {
    id: "EC.8",
    scuba: None,
    eidsca: None,
    cis: None,
    title: "No high-risk user is left unremediated",
    severity: Severity::High,
    remediation: "Open Risky users: confirm compromised (and reset) or dismiss after investigation.",
    reads: "GET /identityProtection/riskyUsers",
};

pub static RULES: [&Rule; 3] = [&OVER, &ERRORS, &RISK];

pub fn run(i: &Inputs) -> Vec<Finding> {
    let over = match i
        .licences
        .missing
        .iter()
        .find(|m| m.starts_with("subscribed SKUs"))
    {
        Some(why) => super::model::not_evaluable(&OVER, why),
        None => {
            let ev = i
                .licences
                .skus
                .iter()
                .filter_map(|k| {
                    let id = s(k, "skuId");
                    let short = i.licences.short_by(&id)?;
                    Some(Evidence {
                        blade: "licenses",
                        id: id.clone(),
                        name: i.licences.product(&id),
                        note: format!("{short} more assigned than enabled"),
                    })
                })
                .collect();
            super::model::judged(
                &OVER,
                ev,
                "every subscription has enough licences",
                "over-consumed subscriptions",
            )
        }
    };
    let errors = match &i.users {
        Err(e) => super::model::not_evaluable(&ERRORS, e),
        Ok(users) => {
            let ev = users
                .iter()
                .flat_map(|u| {
                    u["licenseAssignmentStates"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(move |st| {
                            let code = st["error"]
                                .as_str()
                                .filter(|c| !c.is_empty() && *c != "None")?;
                            Some(Evidence {
                                blade: "license-errors",
                                id: s(u, "id"),
                                name: s(u, "displayName"),
                                note: format!("{code} on {}", i.licences.product(&s(st, "skuId"))),
                            })
                        })
                })
                .collect();
            super::model::judged(
                &ERRORS,
                ev,
                "no licence assignment is in error",
                "licence assignments in error",
            )
        }
    };
    let risk = match &i.risky {
        Err(e) => super::model::not_evaluable(&RISK, e),
        Ok(list) => {
            let ev = list
                .iter()
                .filter(|u| u["riskLevel"] == "high" && u["riskState"] == "atRisk")
                .map(|u| Evidence {
                    blade: "risky-users",
                    id: s(u, "id"),
                    name: s(u, "userDisplayName"),
                    note: "high risk, at risk".into(),
                })
                .collect();
            super::model::judged(
                &RISK,
                ev,
                "no high-risk user is left at risk",
                "high-risk users at risk",
            )
        }
    };
    vec![over, errors, risk]
}

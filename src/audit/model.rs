//! What the rules judge and answer: the inputs one audit read, rules, findings and their
//! evidence, and the helpers every rule family uses (apart from the families themselves).

use crate::graph::{GraphClient, Request};
use crate::licensing::LicenceFacts;
use crate::protect::Facts;
use crate::roles::RoleFacts;
use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn word(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// A rule: what it checks and how to fix a failure.
#[derive(Debug)]
pub struct Rule {
    pub id: &'static str,
    pub scuba: Option<&'static str>,
    /// The Entra ID Security Config Analyzer check it is (as Maester names it), if any.
    pub eidsca: Option<&'static str>,
    /// The CIS Microsoft 365 Foundations Benchmark control it matches, where one is published.
    pub cis: Option<&'static str>,
    pub title: &'static str,
    pub severity: Severity,
    pub remediation: &'static str,
    /// The Graph reads it judges (README "Audit").
    pub reads: &'static str,
}

impl Rule {
    /// The frameworks it maps to, in words: "SCuBA MS.AAD.3.3v1 · EIDSCA.AM06 · CIS 5.2.3.1".
    pub fn frameworks(&self) -> String {
        let mut out = Vec::new();
        if let Some(s) = self.scuba {
            out.push(format!("SCuBA {s}"));
        }
        if let Some(e) = self.eidsca {
            out.push(e.to_string());
        }
        if let Some(c) = self.cis {
            out.push(format!("CIS {c}"));
        }
        out.join(" · ")
    }

    /// Whether it maps to the framework named `scuba`, `eidsca` or `cis`.
    pub fn in_framework(&self, f: &str) -> bool {
        match f {
            "scuba" => self.scuba.is_some(),
            "eidsca" => self.eidsca.is_some(),
            "cis" => self.cis.is_some(),
            _ => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Status {
    Pass,
    Fail,
    /// Passes only because of an exclusion beyond the break-glass accounts, or close to failing.
    NearMiss,
    NotEvaluable(String),
    /// Failed or nearly, set aside by a waiver (or a reviewer's "incorrect result") until its
    /// end date: the words say why, whose and until when.
    Waived(String),
}

impl Status {
    pub fn word(&self) -> String {
        match self {
            Status::Pass => "pass".into(),
            Status::Fail => "FAIL".into(),
            Status::NearMiss => "near miss".into(),
            Status::NotEvaluable(why) => format!("not evaluable: {why}"),
            Status::Waived(why) => format!("WAIVED: {why}"),
        }
    }
}

/// An object behind a finding: its blade (`:` name), id and name.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    pub blade: &'static str,
    pub id: String,
    pub name: String,
    pub note: String,
}

/// One rule's result.
#[derive(Debug)]
pub struct Finding {
    pub rule: &'static Rule,
    pub status: Status,
    /// The result in words ("3 Global Administrators: …").
    pub detail: String,
    pub evidence: Vec<Evidence>,
}

/// What one audit read; each part is the data or why it could not be read.
#[derive(Debug)]
pub struct Inputs {
    pub roles: Result<RoleFacts, String>,
    pub facts: Result<Facts, String>,
    pub licences: LicenceFacts,
    pub users: Result<Vec<Value>, String>,
    pub risky: Result<Vec<Value>, String>,
    /// roleAssignmentScheduleInstances with their principals (permanent or activated).
    pub assignments: Result<Vec<Value>, String>,
    /// Every directory role's PIM policy assignment with its policy and rules.
    pub pim: Result<Vec<Value>, String>,
    /// Members (ids) of the groups policies exclude, to tell a break-glass group from others.
    pub group_members: std::collections::HashMap<String, Vec<String>>,
    /// The names of those groups (evidence names them, offline too).
    pub group_names: std::collections::HashMap<String, String>,
    /// The profile's break-glass accounts (UPNs or ids) and their ids once resolved.
    pub break_glass: Vec<String>,
    /// `GET /policies/authorizationPolicy` (a singleton object).
    pub authorization: Result<Value, String>,
    /// `GET /policies/authenticationMethodsPolicy` (a singleton, configurations inline).
    pub methods: Result<Value, String>,
    /// `GET /domains`.
    pub domains: Result<Vec<Value>, String>,
    /// `GET /groupSettings`: the directory settings objects the tenant created (values are
    /// strings); a template never instantiated is judged by its defaults.
    pub settings: Result<Vec<Value>, String>,
    /// `GET /groupSettingTemplates`: each template's values with their defaults.
    pub setting_templates: Result<Vec<Value>, String>,
    /// `GET /policies/adminConsentRequestPolicy` (a singleton Graph returns without an id).
    pub consent_requests: Result<Value, String>,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// A singleton policy read: the object, or why it cannot be judged (a failed read or a body
/// that is not an object with an id).
async fn singleton(client: &GraphClient, path: &str) -> Result<Value, String> {
    match client.get_json(&Request::get(path)).await {
        Ok(v) if v.is_object() && v["id"].is_string() => Ok(v),
        Ok(_) => Err(format!(
            "{path} returned an unexpected shape (no object with an id)"
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// One pass over the tenant, reads only.
pub async fn read(client: &GraphClient, break_glass: Vec<String>) -> Inputs {
    let users = client
        .get_all(
            Request::get("/users")
                .select(&[
                    "id",
                    "displayName",
                    "userPrincipalName",
                    "userType",
                    "accountEnabled",
                    "onPremisesSyncEnabled",
                    "usageLocation",
                    "licenseAssignmentStates",
                ])
                .top(999),
        )
        .await
        .map_err(|e| e.to_string());
    let ids = with_ids(break_glass, &users);
    let facts = Facts::load(client).await.map_err(|e| e.to_string());
    // The groups policies exclude (their members tell a break-glass group from others) or
    // include (coverage evaluates each user with the groups policies name).
    let mut excluded: Vec<String> = facts
        .as_ref()
        .map(|f| {
            f.policies
                .iter()
                .flat_map(|p| {
                    let u = &p["conditions"]["users"];
                    let mut g = crate::ca::strs(&u["excludeGroups"]);
                    g.extend(crate::ca::strs(&u["includeGroups"]));
                    g
                })
                .collect()
        })
        .unwrap_or_default();
    excluded.sort();
    excluded.dedup();
    let reqs = excluded
        .iter()
        .map(|g| crate::graph::endpoints::group_members(g))
        .collect();
    // Their names, for the evidence ("excludes group Sales Team", not a GUID): getByIds is a
    // read (directoryobject-getbyids.md), up to 1,000 ids a call.
    let mut group_names = std::collections::HashMap::new();
    for chunk in excluded.chunks(1000) {
        let body = serde_json::json!({"ids": chunk, "types": ["group"]});
        if let Ok(v) = client
            .get_json(
                &Request::new(crate::graph::Method::Post, "/directoryObjects/getByIds").json(body),
            )
            .await
        {
            for g in v["value"].as_array().into_iter().flatten() {
                if let (Some(id), Some(name)) = (g["id"].as_str(), g["displayName"].as_str()) {
                    group_names.insert(id.to_string(), name.to_string());
                }
            }
        }
    }
    let mut group_members = std::collections::HashMap::new();
    for (g, r) in excluded.into_iter().zip(client.get_many(reqs, 4).await) {
        if let Ok(v) = r {
            let ids = v["value"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|m| m["id"].as_str().map(str::to_string))
                .collect();
            group_members.insert(g, ids);
        }
    }
    Inputs {
        roles: RoleFacts::load(client).await.map_err(|e| e.to_string()),
        facts,
        assignments: client
            .get_all(
                Request::get("/roleManagement/directory/roleAssignmentScheduleInstances")
                    .expand("principal"),
            )
            .await
            .map_err(|e| {
                if e.needs_p2() {
                    "needs Entra ID P2 (PIM): Graph refused the assignment schedules".into()
                } else {
                    e.to_string()
                }
            }),
        pim: client
            .get_all(crate::graph::resources::pim::policies_of_roles())
            .await
            .map_err(|e| {
                if e.needs_p2() {
                    "needs Entra ID P2 (PIM): Graph refused the role policies".into()
                } else {
                    e.to_string()
                }
            }),
        group_members,
        group_names,
        licences: LicenceFacts::load(client).await,
        users,
        risky: client
            .get_all(Request::get("/identityProtection/riskyUsers"))
            .await
            .map_err(|e| match e.licence_hint("/identityProtection/") {
                Some(h) => format!("{h} ({e})"),
                None => e.to_string(),
            }),
        break_glass: ids,
        authorization: singleton(client, "/policies/authorizationPolicy").await,
        methods: singleton(client, "/policies/authenticationMethodsPolicy").await,
        domains: client
            .get_all(Request::get("/domains"))
            .await
            .map_err(|e| e.to_string()),
        settings: client
            .get_all(Request::get("/groupSettings"))
            .await
            .map_err(|e| e.to_string()),
        setting_templates: client
            .get_all(Request::get("/groupSettingTemplates"))
            .await
            .map_err(|e| e.to_string()),
        consent_requests: match client
            .get_json(&Request::get("/policies/adminConsentRequestPolicy"))
            .await
        {
            Ok(v) if v.is_object() => Ok(v),
            Ok(_) => Err("/policies/adminConsentRequestPolicy returned no object".into()),
            Err(e) => Err(e.to_string()),
        },
        now: chrono::Utc::now(),
    }
}

/// The break-glass accounts as the profile names them (UPNs or ids) and the ids of the users
/// those UPNs name.
pub fn with_ids(break_glass: Vec<String>, users: &Result<Vec<Value>, String>) -> Vec<String> {
    let mut ids = break_glass.clone();
    for u in users.iter().flatten() {
        let upn = u["userPrincipalName"].as_str().unwrap_or_default();
        if break_glass.iter().any(|b| b.eq_ignore_ascii_case(upn))
            && let Some(id) = u["id"].as_str()
        {
            ids.push(id.to_string());
        }
    }
    ids
}

/// A finding that could not be judged.
pub fn not_evaluable(rule: &'static Rule, why: &str) -> Finding {
    Finding {
        rule,
        status: Status::NotEvaluable(why.to_string()),
        detail: String::new(),
        evidence: Vec::new(),
    }
}

/// Pass when there is no evidence, else fail.
pub fn judged(rule: &'static Rule, evidence: Vec<Evidence>, pass: &str, fail: &str) -> Finding {
    Finding {
        rule,
        status: if evidence.is_empty() {
            Status::Pass
        } else {
            Status::Fail
        },
        detail: if evidence.is_empty() {
            pass.into()
        } else {
            format!("{}: {fail}", evidence.len())
        },
        evidence,
    }
}

/// The text of a JSON string field.
pub fn s(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}

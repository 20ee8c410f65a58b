//! A role's PIM policy rules read in words (what an activation needs, how long, who
//! approves, when assignments expire): shared by the activation and the PIM settings blade.

use serde_json::Value;

/// A role's PIM policy rules, read in words.
pub struct Rules<'a>(pub &'a [Value]);

impl Rules<'_> {
    pub fn rule(&self, id: &str) -> Option<&Value> {
        self.0.iter().find(|r| r["id"] == id)
    }

    pub fn enabled(&self, what: &str) -> bool {
        self.rule("Enablement_EndUser_Assignment")
            .and_then(|r| r["enabledRules"].as_array())
            .is_some_and(|a| a.iter().any(|x| x == what))
    }

    pub fn needs_justification(&self) -> bool {
        self.enabled("Justification")
    }

    pub fn needs_ticket(&self) -> bool {
        self.enabled("Ticketing")
    }

    pub fn context(&self) -> Option<String> {
        self.rule("AuthenticationContext_EndUser_Assignment")
            .filter(|r| r["isEnabled"] == true)
            .and_then(|r| r["claimValue"].as_str())
            .map(str::to_string)
    }

    pub fn approval(&self) -> bool {
        self.rule("Approval_EndUser_Assignment")
            .is_some_and(|r| r["setting"]["isApprovalRequired"] == true)
    }

    /// The policy's longest activation in hours (8 when it does not say).
    pub fn max_hours(&self) -> u32 {
        let d = self
            .rule("Expiration_EndUser_Assignment")
            .and_then(|r| r["maximumDuration"].as_str())
            .unwrap_or("PT8H");
        let h = d
            .strip_prefix("PT")
            .and_then(|x| x.strip_suffix('H'))
            .and_then(|x| x.parse::<u32>().ok());
        let days = d
            .strip_prefix('P')
            .and_then(|x| x.strip_suffix('D'))
            .and_then(|x| x.parse::<u32>().ok())
            .map(|d| d * 24);
        h.or(days).unwrap_or(8).max(1)
    }

    /// The durations offered (ISO 8601), shortest first, at most the policy's maximum.
    pub fn durations(&self) -> Vec<String> {
        let hours = self.max_hours();
        let mut d: Vec<String> = [1, 2, 4, 8, 12, 24]
            .into_iter()
            .filter(|h| *h <= hours)
            .map(|h| format!("PT{h}H"))
            .collect();
        if d.is_empty() {
            d.push(format!("PT{hours}H"));
        }
        d
    }

    /// What the policy asks, in words.
    pub fn asks(&self) -> String {
        let mut a = Vec::new();
        if self.needs_justification() {
            a.push("a justification".to_string());
        }
        if self.needs_ticket() {
            a.push("a ticket".to_string());
        }
        if self.enabled("MultiFactorAuthentication") {
            a.push("MFA".to_string());
        }
        if let Some(c) = self.context() {
            a.push(format!("authentication context {c} (step-up)"));
        }
        if self.approval() {
            a.push("approval".to_string());
        }
        if a.is_empty() {
            "nothing more".into()
        } else {
            a.join(", ")
        }
    }

    /// A rule's `isExpirationRequired` and `maximumDuration`, as words: "8h", "365 days",
    /// "never expires".
    pub fn expiry(&self, id: &str) -> String {
        match self.rule(id) {
            None => "—".into(),
            Some(r) if r["isExpirationRequired"] == false => "never expires".into(),
            Some(r) => duration_words(r["maximumDuration"].as_str().unwrap_or_default()),
        }
    }

    /// What an activation needs, in words ("MFA, justification, ticket, context c4").
    pub fn activation_needs(&self) -> String {
        let mut a = Vec::new();
        if self.enabled("MultiFactorAuthentication") {
            a.push("MFA".to_string());
        }
        if let Some(c) = self.context() {
            a.push(format!("context {c}"));
        }
        if self.needs_justification() {
            a.push("justification".to_string());
        }
        if self.needs_ticket() {
            a.push("ticket".to_string());
        }
        if a.is_empty() {
            "nothing".into()
        } else {
            a.join(", ")
        }
    }

    /// The first stage's approvers as Graph names them (subject sets: a user's or a group's id,
    /// or the requestor's manager), when approval is required.
    pub fn approvers(&self) -> Vec<String> {
        let Some(r) = self.rule("Approval_EndUser_Assignment") else {
            return Vec::new();
        };
        r["setting"]["approvalStages"][0]["primaryApprovers"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                let id = a["userId"].as_str().or(a["groupId"].as_str());
                let kind = a["@odata.type"].as_str().unwrap_or_default();
                // The approver's name where the rule carries it (`description`, as Graph's
                // samples and the admin center write it); its id otherwise.
                let named = a["description"]
                    .as_str()
                    .filter(|d| !d.trim().is_empty())
                    .map(crate::sanitize::clean);
                match (kind.rsplit('.').next().unwrap_or_default(), id) {
                    ("singleUser", Some(_)) if named.is_some() => named.unwrap_or_default(),
                    ("groupMembers", Some(_)) if named.is_some() => {
                        format!("members of {}", named.unwrap_or_default())
                    }
                    ("singleUser", Some(id)) => format!("user {id}"),
                    ("groupMembers", Some(id)) => format!("members of group {id}"),
                    ("requestorManager", _) => "the requestor's manager".into(),
                    (k, id) => format!("{k} {}", id.unwrap_or_default()),
                }
            })
            .collect()
    }
}

/// The authentication contexts enabled Conditional Access policies target, when the policies
/// were read (`None`: unknown, say nothing).
pub fn targeted_contexts(facts: Option<&crate::protect::Facts>) -> Option<Vec<String>> {
    let f = facts?;
    if f.missing
        .iter()
        .any(|(p, _)| *p == crate::protect::Part::Policies)
    {
        return None;
    }
    Some(crate::protect::targeted_contexts(&f.policies))
}

/// Why an activation demanding `context` can never succeed, when no enabled policy targets it.
pub fn never_satisfied(context: Option<&str>, targeted: Option<&[String]>) -> Option<String> {
    let c = context?;
    let t = targeted?;
    (!t.iter().any(|x| x == c)).then(|| {
        format!(
            "this activation will be refused: no enabled Conditional Access policy targets \
             authentication context {c}"
        )
    })
}

/// An ISO 8601 duration in words (`PT8H` → "8h", `P365D` → "365 days"); another shape as it is.
pub fn duration_words(d: &str) -> String {
    if let Some(h) = d.strip_prefix("PT").and_then(|x| x.strip_suffix('H')) {
        return format!("{h}h");
    }
    if let Some(m) = d.strip_prefix("PT").and_then(|x| x.strip_suffix('M')) {
        return format!("{m} min");
    }
    if let Some(days) = d.strip_prefix('P').and_then(|x| x.strip_suffix('D')) {
        return format!("{days} days");
    }
    crate::sanitize::clean(d)
}

//! Time-boxed exceptions: an exclusion from a Conditional Access policy written with an end
//! ("in 14 days") is recorded in the cache's journal with its due time (method `EXCEPTION`,
//! incident `EXC-…`); `revert-due` puts the account back once it is due, but only while the
//! policy's exclusions are still exactly what the exception wrote: a list edited since (by
//! hand, to keep someone, or to add others) is named for review and never patched blindly.

use crate::cache::JournalEntry;
use crate::graph::{GraphClient, Method, Request};
use crate::sanitize::clean;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

/// The journal's method for an exception's rows.
pub const METHOD: &str = "EXCEPTION";

/// One exception, as recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct Exception {
    pub id: String,
    pub policy_path: String,
    pub policy_name: String,
    /// `excludeUsers` or `excludeGroups`.
    pub key: String,
    pub principal_id: String,
    pub principal_name: String,
    /// The exclusion list the exception wrote (what the policy must still say to be reverted).
    pub written: Vec<String>,
    pub due: DateTime<Utc>,
}

/// The journal row recording an exception just written (its due time in the outcome).
#[allow(clippy::too_many_arguments)]
pub fn record(
    profile: &str,
    now: DateTime<Utc>,
    policy_path: &str,
    policy_name: &str,
    key: &str,
    principal: (&str, &str),
    written: &[String],
    days: i64,
) -> JournalEntry {
    let due = now + Duration::days(days);
    JournalEntry {
        time: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        profile: profile.to_string(),
        user: None,
        method: METHOD.into(),
        path: policy_path.to_string(),
        before: Some(
            json!({"policyName": policy_name, "key": key, "principalId": principal.0,
                "principalName": principal.1})
            .to_string(),
        ),
        after: Some(json!({ key: written }).to_string()),
        outcome: format!(
            "due {}",
            due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        ),
        request_id: None,
        claims_context: None,
        incident: Some(format!(
            "EXC-{}-{}",
            now.format("%Y%m%d-%H%M%S"),
            &uuid::Uuid::new_v4().simple().to_string()[..6]
        )),
    }
}

/// A row closing an exception (reverted, or nothing left to revert).
pub fn closed(profile: &str, e: &Exception, now: DateTime<Utc>, outcome: &str) -> JournalEntry {
    JournalEntry {
        time: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        profile: profile.to_string(),
        user: None,
        method: METHOD.into(),
        path: e.policy_path.clone(),
        before: None,
        after: None,
        outcome: outcome.to_string(),
        request_id: None,
        claims_context: None,
        incident: Some(e.id.clone()),
    }
}

/// The exception a row just recorded holds (as `open` would read it back).
pub fn of_record(e: &JournalEntry) -> Option<Exception> {
    let row = json!({"method": e.method, "path": e.path, "before": e.before, "after": e.after,
        "outcome": e.outcome, "incident": e.incident});
    open(&[row]).pop()
}

/// An exception in words for a policy's page: who, until when, due or not.
pub fn words(e: &Exception, now: DateTime<Utc>) -> String {
    let when = e.due.format("%Y-%m-%d %H:%M UTC");
    if e.due <= now {
        format!(
            "{}: excluded until {when}: due (entra-console revert-due puts them back)",
            clean(&e.principal_name)
        )
    } else {
        format!(
            "{}: excluded until {when} (in {} days)",
            clean(&e.principal_name),
            // Whole days left, rounded up (14 right after choosing "in 14 days").
            ((e.due - now).num_minutes() + 1439) / 1440
        )
    }
}

/// The exceptions still open in a journal (as `Store::journal` lists it): recorded, not yet
/// closed by a later row of the same incident.
pub fn open(journal: &[Value]) -> Vec<Exception> {
    let mut out = Vec::new();
    for row in journal.iter().filter(|r| r["method"] == METHOD) {
        let Some(id) = row["incident"].as_str() else {
            continue;
        };
        let Some(due) = row["outcome"].as_str().and_then(|o| o.strip_prefix("due ")) else {
            continue;
        };
        let closed = journal.iter().any(|r| {
            r["method"] == METHOD
                && r["incident"] == id
                && !r["outcome"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("due ")
        });
        if closed {
            continue;
        }
        let parse = |k: &str| {
            serde_json::from_str::<Value>(row[k].as_str().unwrap_or("{}")).unwrap_or_default()
        };
        let (b, a) = (parse("before"), parse("after"));
        let key = b["key"].as_str().unwrap_or("excludeUsers").to_string();
        let Ok(due) = DateTime::parse_from_rfc3339(due) else {
            continue;
        };
        out.push(Exception {
            id: id.to_string(),
            policy_path: row["path"].as_str().unwrap_or_default().to_string(),
            policy_name: b["policyName"].as_str().unwrap_or_default().to_string(),
            principal_id: b["principalId"].as_str().unwrap_or_default().to_string(),
            principal_name: b["principalName"].as_str().unwrap_or_default().to_string(),
            written: crate::ca::strs(&a[key.as_str()]),
            key,
            due: due.with_timezone(&Utc),
        });
    }
    out.sort_by_key(|e| e.due);
    out
}

/// What to do with a due exception, given the policy as it is now (`None`: it is gone).
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// Send this PATCH (the exclusion list without the account).
    Revert(Request),
    /// Close it: nothing left to revert (why).
    Nothing(String),
    /// Leave it open and say why: the policy's exclusions changed since.
    Review(String),
}

/// `others`: the accounts other open exceptions on the same policy put there (they may come
/// and go without making this one's list "edited").
pub fn verdict(e: &Exception, policy: Option<&Value>, others: &[String]) -> Verdict {
    let Some(p) = policy else {
        return Verdict::Nothing("the policy no longer exists".into());
    };
    let now = crate::ca::strs(&p["conditions"]["users"][e.key.as_str()]);
    if !now.contains(&e.principal_id) {
        return Verdict::Nothing(format!(
            "{} is no longer excluded",
            clean(&e.principal_name)
        ));
    }
    let mine = |l: &[String]| -> std::collections::BTreeSet<String> {
        l.iter().filter(|x| !others.contains(x)).cloned().collect()
    };
    if mine(&now) != mine(&e.written) {
        return Verdict::Review(format!(
            "the policy's {} changed since the exception was written ({} then, {} now): review it by hand; nothing sent",
            e.key,
            e.written.len(),
            now.len()
        ));
    }
    let rest: Vec<String> = now.into_iter().filter(|x| *x != e.principal_id).collect();
    Verdict::Revert(
        Request::new(Method::Patch, e.policy_path.clone())
            .json(json!({"conditions": {"users": {e.key.as_str(): rest}}})),
    )
}

/// One due exception handled: (exception, what happened in words, whether it needs a person).
pub struct Outcome {
    pub exception: Exception,
    pub words: String,
    /// Put back now (not a dry run, Graph accepted it).
    pub reverted: bool,
    pub review: bool,
}

/// Every open exception due at `now`: reverted (through `write`, which steps up and journals),
/// closed, or named for review. With `dry_run`, only said.
pub async fn revert_due(
    client: &GraphClient,
    journal: &[Value],
    now: DateTime<Utc>,
    dry_run: bool,
    write: &impl AsyncFn(&Request) -> Result<(), String>,
) -> Result<Vec<Outcome>, String> {
    let mut out = Vec::new();
    let all = open(journal);
    for e in all.iter().filter(|e| e.due <= now).cloned() {
        let others: Vec<String> = all
            .iter()
            .filter(|o| o.id != e.id && o.policy_path == e.policy_path && o.key == e.key)
            .map(|o| o.principal_id.clone())
            .collect();
        let policy = match client.get_json(&Request::get(e.policy_path.clone())).await {
            Ok(v) => Some(v),
            Err(x) if x.api().is_some_and(|a| a.status == 404) => None,
            Err(x) => return Err(format!("{}: {x}", clean(&e.policy_name))),
        };
        let who = format!(
            "{} in \"{}\" (due {})",
            clean(&e.principal_name),
            clean(&e.policy_name),
            e.due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        );
        let (words, reverted, review) = match verdict(&e, policy.as_ref(), &others) {
            Verdict::Revert(_) if dry_run => (format!("would put back {who}"), false, false),
            Verdict::Revert(req) => match write(&req).await {
                Ok(()) => (
                    format!("reverted: {who} is no longer excluded"),
                    true,
                    false,
                ),
                Err(x) => (format!("not reverted: {who}: {x}"), false, true),
            },
            Verdict::Nothing(why) => (format!("nothing to revert for {who}: {why}"), false, false),
            Verdict::Review(why) => (format!("not reverted: {who}: {why}"), false, true),
        };
        out.push(Outcome {
            exception: e,
            words,
            reverted,
            review,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journal(rows: Vec<JournalEntry>) -> Vec<Value> {
        rows.into_iter()
            .map(|e| {
                json!({"method": e.method, "path": e.path, "before": e.before, "after": e.after,
                    "outcome": e.outcome, "incident": e.incident})
            })
            .collect()
    }

    fn one(now: DateTime<Utc>) -> (JournalEntry, Exception) {
        let written = vec!["bg".to_string(), "u1".to_string()];
        let r = record(
            "p",
            now,
            "/identity/conditionalAccess/policies/c1",
            "CA001",
            "excludeUsers",
            ("u1", "Chen"),
            &written,
            14,
        );
        let e = open(&journal(vec![r.clone()])).remove(0);
        (r, e)
    }

    #[test]
    fn recorded_open_and_closed() {
        let now = Utc::now();
        let (r, e) = one(now);
        assert_eq!(
            e.due,
            (now + Duration::days(14))
                .with_timezone(&Utc)
                .trunc_subsecs_secs()
        );
        assert_eq!(e.written, ["bg", "u1"]);
        let done = closed("p", &e, now, "reverted");
        assert!(open(&journal(vec![done, r])).is_empty());
    }

    #[test]
    fn reverted_only_while_the_list_is_what_was_written() {
        let (_, e) = one(Utc::now());
        let policy = |list: Value| json!({"conditions": {"users": {"excludeUsers": list}}});
        match verdict(&e, Some(&policy(json!(["u1", "bg"]))), &[]) {
            Verdict::Revert(r) => assert_eq!(
                r.body,
                Some(json!({"conditions": {"users": {"excludeUsers": ["bg"]}}}))
            ),
            v => panic!("{v:?}"),
        }
        let wider = policy(json!(["u1", "bg", "u2"]));
        assert!(matches!(verdict(&e, Some(&wider), &[]), Verdict::Review(_)));
        // u2 came with another open exception: not an edit of this one's list.
        assert!(matches!(
            verdict(&e, Some(&wider), &["u2".to_string()]),
            Verdict::Revert(_)
        ));
        assert!(matches!(
            verdict(&e, Some(&policy(json!(["bg"]))), &[]),
            Verdict::Nothing(_)
        ));
        assert!(matches!(verdict(&e, None, &[]), Verdict::Nothing(_)));
    }

    trait Trunc {
        fn trunc_subsecs_secs(self) -> Self;
    }
    impl Trunc for DateTime<Utc> {
        fn trunc_subsecs_secs(self) -> Self {
            DateTime::from_timestamp(self.timestamp(), 0).unwrap()
        }
    }
}

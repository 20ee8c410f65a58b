//! Finding history across runs: every audit (the command, live or offline, and the Findings
//! blade's live runs) keeps its time, tenant and each rule's result in the cache
//! (`audit:history`, the newest 100 runs); from them each rule's transition: new, fixed,
//! regressed (failed, fixed, failed again), still failing since DATE, waived, waiver expired.

use super::{Finding, Status};
use crate::cache::{CacheError, Store};
use serde_json::{Map, Value, json};

const COLLECTION: &str = "audit:history";
const KEPT: usize = 100;

/// A result as the history keeps it.
fn word(f: &Finding) -> &'static str {
    match &f.status {
        Status::Pass => "pass",
        Status::Fail if f.detail.starts_with("waiver expired") => "expired",
        Status::Fail => "fail",
        Status::NearMiss => "nearMiss",
        Status::NotEvaluable(_) => "notEvaluable",
        Status::Waived(_) => "waived",
    }
}

/// One run: when (to the millisecond: two runs in one second stay two), which tenant, each
/// rule's result.
pub fn run_of(tenant: &str, now: chrono::DateTime<chrono::Utc>, findings: &[Finding]) -> Value {
    let at = now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let results: Map<String, Value> = findings
        .iter()
        .map(|f| (f.rule.id.to_string(), json!(word(f))))
        .collect();
    json!({"id": at, "time": at, "tenant": tenant, "results": results})
}

/// The kept runs, oldest first.
pub fn runs(store: &Store) -> Result<Vec<Value>, CacheError> {
    let (mut items, _) = store.list(COLLECTION)?;
    items.sort_by(|a, b| a["time"].as_str().cmp(&b["time"].as_str()));
    Ok(items)
}

/// Keep a run (the oldest beyond the newest 100 are let go).
pub fn record(store: &Store, run: Value) -> Result<(), CacheError> {
    let mut all = runs(store)?;
    all.retain(|r| r["time"] != run["time"]);
    all.push(run);
    let skip = all.len().saturating_sub(KEPT);
    store.replace_collection(COLLECTION, &all[skip..])
}

fn open(s: &str) -> bool {
    matches!(s, "fail" | "nearMiss" | "expired")
}

/// Still a failing condition: open, or set aside by a waiver (a waiver is not a fix).
fn failing(s: &str) -> bool {
    open(s) || s == "waived"
}

/// One rule's transition over `runs` (oldest first): the words, and the results in order.
pub fn transition(rule: &str, runs: &[Value]) -> (String, Vec<String>) {
    let seen: Vec<(String, String)> = runs
        .iter()
        .filter_map(|r| {
            let s = r["results"][rule].as_str()?;
            Some((
                s.to_string(),
                r["time"].as_str().unwrap_or_default().to_string(),
            ))
        })
        .collect();
    let states: Vec<String> = seen.iter().map(|(s, _)| s.clone()).collect();
    let Some((now, _)) = seen.last() else {
        return ("no run judged it".into(), states);
    };
    let before = &seen[..seen.len() - 1];
    let words = match now.as_str() {
        "waived" => "waived".to_string(),
        "expired" => "waiver expired".to_string(),
        s if open(s) => {
            // The run where the present failing streak began (a waived run does not end it).
            let streak = seen.iter().rev().take_while(|(s, _)| failing(s)).count();
            let since = &seen[seen.len() - streak].1;
            let earlier = &seen[..seen.len() - streak];
            if earlier.is_empty() {
                if before.is_empty() {
                    "new".to_string()
                } else {
                    format!("still failing since {}", day(since))
                }
            } else if earlier.iter().any(|(s, _)| failing(s)) {
                // Failed before, passed after that (the run just before the streak), fails now.
                "regressed (failed, fixed, failed again)".to_string()
            } else if streak == 1 {
                "new".to_string()
            } else {
                format!("still failing since {}", day(since))
            }
        }
        "pass" if before.last().is_some_and(|(s, _)| failing(s)) => "fixed".to_string(),
        "pass" => "passing".to_string(),
        _ => "not evaluable".to_string(),
    };
    (words, states)
}

fn day(time: &str) -> &str {
    time.get(..10).unwrap_or(time)
}

/// Every rule's transition, in the order of `rules`.
pub fn transitions(rules: &[&str], runs: &[Value]) -> Vec<(String, String, Vec<String>)> {
    rules
        .iter()
        .map(|r| {
            let (w, s) = transition(r, runs);
            (r.to_string(), w, s)
        })
        .collect()
}

/// `audit --history` in Markdown: one row a rule, its transition and its results run by run.
pub fn markdown(rules: &[&str], runs: &[Value]) -> String {
    let cell = crate::sanitize::md_cell;
    let mut o = format!(
        "# Finding history: {} runs kept\n\n{}\n\n| Rule | Now | Since the runs before | Results, oldest first |\n|---|---|---|---|\n",
        runs.len(),
        runs.iter()
            .map(|r| format!(
                "- {} ({})",
                r["time"].as_str().unwrap_or("?"),
                cell(r["tenant"].as_str().unwrap_or("?"))
            ))
            .collect::<Vec<_>>()
            .join("\n")
    );
    for (rule, words, states) in transitions(rules, runs) {
        o.push_str(&format!(
            "| {rule} | {} | {} | {} |\n",
            states.last().map(String::as_str).unwrap_or("—"),
            cell(&words),
            states.join(" → ")
        ));
    }
    o
}

/// The short trend table of a report: the rules whose result moved or still fails.
pub fn trend(rules: &[&str], runs: &[Value]) -> String {
    if runs.len() < 2 {
        return String::new();
    }
    let rows: Vec<String> = transitions(rules, runs)
        .into_iter()
        .filter(|(_, w, _)| w != "passing" && w != "not evaluable")
        .map(|(r, w, s)| {
            let last: Vec<&str> = s.iter().rev().take(5).rev().map(String::as_str).collect();
            format!(
                "| {r} | {} | {} |",
                crate::sanitize::md_cell(&w),
                last.join(" → ")
            )
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    format!(
        "\n## Trend over the last {} runs\n\n| Rule | Since the runs before | Last results |\n|---|---|---|\n{}\n",
        runs.len(),
        rows.join("\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(t: &str, s: &str) -> Value {
        json!({"time": t, "results": {"R": s}})
    }

    #[test]
    fn new_fixed_regressed_and_still_failing() {
        let a = run("2026-12-01T00:00:00Z", "fail");
        let b = run("2026-12-02T00:00:00Z", "pass");
        let c = run("2026-12-03T00:00:00Z", "fail");
        let d = run("2026-12-04T00:00:00Z", "fail");
        assert_eq!(transition("R", std::slice::from_ref(&a)).0, "new");
        assert_eq!(transition("R", &[a.clone(), b.clone()]).0, "fixed");
        assert_eq!(
            transition("R", &[a.clone(), b.clone(), c.clone()]).0,
            "regressed (failed, fixed, failed again)"
        );
        assert_eq!(
            transition("R", &[b.clone(), c.clone(), d.clone()]).0,
            "still failing since 2026-12-03"
        );
        assert_eq!(transition("R", &[b.clone(), c]).0, "new");
        assert_eq!(
            transition("R", &[a.clone(), d]).0,
            "still failing since 2026-12-01"
        );
        assert_eq!(transition("R", &[b.clone(), b]).0, "passing");
        let w = run("2026-12-05T00:00:00Z", "waived");
        assert_eq!(transition("R", std::slice::from_ref(&w)).0, "waived");
        // Waived in between is not a fix: still failing since the first.
        let e = run("2026-12-06T00:00:00Z", "fail");
        assert_eq!(
            transition("R", &[a.clone(), w, e]).0,
            "still failing since 2026-12-01"
        );
    }
}

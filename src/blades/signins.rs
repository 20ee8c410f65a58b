//! A user's recent sign-ins, for triage (`GET /auditLogs/signIns`, newest first, the last 30
//! days): time, app, result, Graph's error code in words, and what Conditional Access did,
//! report-only policies included (Graph names their results only when asked with `Prefer:
//! include-unknown-enum-members`). Enter opens the sign-in's page; `p` there, the policy that
//! decided it.

use super::common::text;
use super::def::{ObjectKind, ObjectRef};
pub use super::signin_page::{deciding, deciding_policy, explain_code};
use crate::graph::Request;
use crate::theme::Theme;
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

/// How far back a user's sign-ins are read.
pub const DAYS: i64 = 30;

pub fn request(user_id: &str) -> Request {
    let since = (chrono::Utc::now() - chrono::Duration::days(DAYS))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Request::get("/auditLogs/signIns")
        .filter(format!(
            "userId eq '{}' and createdDateTime ge {since}",
            user_id.replace('\'', "''")
        ))
        .top(50)
        // Report-only results are evolvable enum members (signin.md, conditionalAccessPolicyResult).
        .header("Prefer", "include-unknown-enum-members")
}

/// What Conditional Access did, in words: enforced, failed and report-only results.
pub fn ca_summary(v: &Value) -> String {
    let short = |p: &Value| {
        let n = text(p, "displayName");
        n.split(" - ").next().unwrap_or(&n).to_string()
    };
    let mut parts = Vec::new();
    for p in v["appliedConditionalAccessPolicies"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let grant = p["enforcedGrantControls"]
            .as_array()
            .map(|g| {
                g.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("+")
            })
            .unwrap_or_default();
        let word = match p["result"].as_str().unwrap_or_default() {
            "success" => format!("{} {} met", short(p), grant),
            "failure" => format!("{} {} FAILED", short(p), grant),
            "reportOnlySuccess" => format!("{} would pass (report-only)", short(p)),
            "reportOnlyFailure" => format!("{} would fail (report-only)", short(p)),
            "reportOnlyInterrupted" => format!("{} would interrupt (report-only)", short(p)),
            "unknownFutureValue" => format!("{} report-only (result not named)", short(p)),
            _ => continue,
        };
        parts.push(word.replace("  ", " "));
    }
    if parts.is_empty() {
        "no policy applied".into()
    } else {
        parts.join("; ")
    }
}

pub fn columns() -> Vec<Column> {
    vec![
        Column::fixed("Time", 16),
        Column::grow("App", 12),
        Column::fixed("Result", 6),
        Column::grow("Why", 20),
        Column::fixed("CC", 2),
        Column::fixed("IP", 15).from(100),
        Column::grow("Conditional Access", 30).from(120),
        Column::fixed("Client", 10).from(140),
    ]
}

pub fn row(v: Value) -> TableRow {
    let when = text(&v, "createdDateTime")
        .replace('T', " ")
        .chars()
        .take(16)
        .collect();
    let code = v["status"]["errorCode"].as_i64().unwrap_or(-1);
    let result = match code {
        0 => "ok".to_string(),
        -1 => "?".to_string(),
        c => c.to_string(),
    };
    let mut why = if code == -1 {
        "no status".to_string()
    } else {
        explain_code(code).to_string()
    };
    if code != 0 && v["conditionalAccessStatus"] == "failure" {
        let names: Vec<String> = deciding(&v)
            .iter()
            .map(|p| text(p, "displayName"))
            .collect();
        if !names.is_empty() {
            // The policy first: it is what a narrow screen must still show.
            why = match code {
                53003 => format!("blocked by {}", names.join(", ")),
                _ => format!("{}: {why}", names.join(", ")),
            };
        }
    }
    let cells = vec![
        when,
        text(&v, "appDisplayName"),
        result,
        why,
        text(&v["location"], "countryOrRegion"),
        text(&v, "ipAddress"),
        ca_summary(&v),
        text(&v, "clientAppUsed"),
    ];
    TableRow::new(v, cells)
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match col {
        2 if &row.cells[2] == "ok" => Some(theme.info),
        2 | 3 if &row.cells[2] != "ok" => Some(theme.error),
        0 | 4 | 5 | 7 => Some(theme.muted),
        _ => None,
    }
}

/// Enter: the sign-in's own page (from where and how; `p` there opens the deciding policy).
pub fn open(v: &Value) -> Option<ObjectRef> {
    let id = text(v, "id");
    (!id.trim().is_empty()).then(|| ObjectRef {
        kind: ObjectKind(&super::signin_page::DETAIL),
        id,
        name: format!("sign-in {}", text(v, "createdDateTime")),
    })
}

/// The columns of `export sign-ins USER` (Graph's names, then the console's words).
pub const EXPORT_COLUMNS: &[&str] = &[
    "id",
    "createdDateTime",
    "userPrincipalName",
    "appDisplayName",
    "ipAddress",
    "city",
    "countryOrRegion",
    "errorCode",
    "failureReason",
    "meaning",
    "conditionalAccessStatus",
    "conditionalAccess",
];

/// One record per sign-in.
pub fn records(items: Vec<Value>) -> Vec<Vec<String>> {
    items
        .into_iter()
        .map(|v| {
            let r = row(v);
            let v = &r.object();
            vec![
                text(v, "id"),
                text(v, "createdDateTime"),
                text(v, "userPrincipalName"),
                text(v, "appDisplayName"),
                text(v, "ipAddress"),
                text(&v["location"], "city"),
                text(&v["location"], "countryOrRegion"),
                v["status"]["errorCode"]
                    .as_i64()
                    .map_or_else(String::new, |c| c.to_string()),
                text(&v["status"], "failureReason"),
                r.cells[3].to_string(),
                text(v, "conditionalAccessStatus"),
                r.cells[6].to_string(),
            ]
        })
        .collect()
}

/// A user's sign-ins.
pub static SIGN_INS: super::def::SubDef = super::def::SubDef {
    title: "Sign-ins",
    request,
    columns,
    row,
    style,
    open,
    verbs: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_block_names_its_policy_and_opens_it() {
        let v = json!({"createdDateTime": "2026-11-30T08:55:12Z", "appDisplayName": "Azure Portal",
            "conditionalAccessStatus": "failure",
            "status": {"errorCode": 53003},
            "appliedConditionalAccessPolicies": [
                {"id": "p4", "displayName": "CA004 - Block access from blocked countries", "result": "failure", "enforcedGrantControls": ["Block"]},
                {"id": "p3", "displayName": "CA003 - Require MFA for all users", "result": "reportOnlyNotApplied"},
                {"id": "p1", "displayName": "CA001 - Require MFA", "result": "reportOnlyFailure"}]});
        let r = row(v.clone());
        assert_eq!(&r.cells[2], "53003");
        assert!(
            r.cells[3].starts_with("blocked by CA004"),
            "{}",
            &r.cells[3]
        );
        assert!(r.cells[6].contains("CA004 Block FAILED"), "{}", &r.cells[6]);
        assert!(
            r.cells[6].contains("CA001 would fail (report-only)"),
            "{}",
            &r.cells[6]
        );
        assert_eq!(deciding_policy(&v).unwrap().id, "p4");
        // Enter opens the sign-in itself (no id: nothing to open).
        assert!(open(&v).is_none());
        assert_eq!(open(&json!({"id": "s1"})).unwrap().id, "s1");
        // No status, no policies: said, not failed.
        let r = row(json!({}));
        assert_eq!((&r.cells[2], &r.cells[6]), ("?", "no policy applied"));
    }
}

//! The tenant-wide Sign-ins blade (`:sign-ins`): the last 24 hours by default, and `/?…` terms
//! sent as Graph `$filter` on signIn's documented properties (signin-list.md: `eq` and
//! `startsWith` as each property allows; `status/errorCode` is `eq` only). Not cached: sign-in
//! logs are read live (and paced, as the client paces every sign-in log read).

use super::signins;
use crate::graph::Request;
use crate::theme::Theme;
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

/// A user's sign-in columns with the user after the time.
fn columns() -> Vec<Column> {
    let mut c = signins::columns();
    c.insert(1, Column::grow("User", 12));
    c
}

fn row(v: Value) -> TableRow {
    let user = super::common::text(&v, "userDisplayName");
    let r = signins::row(v);
    let mut cells: Vec<String> = r.cells.iter().map(str::to_string).collect();
    cells.insert(1, user);
    TableRow::new(r.object(), cells)
}

fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    let ok = row.cells.get(3).is_some_and(|c| c == "ok");
    match col {
        3 if ok => Some(theme.info),
        3 | 4 if !ok => Some(theme.error),
        0 | 5 | 6 | 8 => Some(theme.muted),
        _ => None,
    }
}

/// What a `/?` term asks for, as a `$filter` clause, or why it is refused.
fn clause(term: &str) -> Result<Option<String>, String> {
    let q = |s: &str| s.replace('\'', "''");
    let (key, value) = term.split_once(':').unwrap_or((term, ""));
    let value = value.trim();
    Ok(Some(match key.to_ascii_lowercase().as_str() {
        "since" | "last" => return Ok(None),
        "ok" | "success" => "status/errorCode eq 0".into(),
        // The sign-ins that asked the user for more (MFA, registration, "stay signed in"):
        // `status/errorCode` takes `eq` only, so each code is named.
        "interrupted" => format!(
            "({})",
            INTERRUPTED
                .iter()
                .map(|c| format!("status/errorCode eq {c}"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        "code" => {
            let c: i64 = value
                .parse()
                .map_err(|_| format!("code:{value}: a number, such as 50126"))?;
            format!("status/errorCode eq {c}")
        }
        "blocked" => "conditionalAccessStatus eq 'failure'".into(),
        "user" => format!(
            "startsWith(userPrincipalName,'{}')",
            q(&value.to_lowercase())
        ),
        "app" => format!("startsWith(appDisplayName,'{}')", q(value)),
        "ip" => format!("startsWith(ipAddress,'{}')", q(value)),
        "country" => {
            if value.len() != 2 || !value.chars().all(|c| c.is_ascii_alphabetic()) {
                return Err(format!("country:{value}: two letters, such as NG"));
            }
            format!(
                "location/countryOrRegion eq '{}'",
                value.to_ascii_uppercase()
            )
        }
        "city" => format!("startsWith(location/city,'{}')", q(value)),
        "client" => format!("clientAppUsed eq '{}'", q(value)),
        _ => {
            return Err(format!(
                "{term}: use since:24h|7d, ok, interrupted, code:N, blocked, user:, app:, ip:, country:XX, city:, client:"
            ));
        }
    }))
}

/// Codes of sign-ins interrupted for more from the user (signins.rs explains each).
const INTERRUPTED: &[i64] = &[50074, 50076, 50079, 50097, 50140, 50158];

/// The window a `since:` term asks for, in hours (24 by default; at most the 30 days Graph
/// keeps for P1/P2 tenants).
fn window_hours(terms: &[&str]) -> Result<i64, String> {
    let Some(t) = terms
        .iter()
        .find_map(|t| t.strip_prefix("since:").or_else(|| t.strip_prefix("last:")))
    else {
        return Ok(24);
    };
    let (n, unit) = t.split_at(t.len().saturating_sub(1));
    let n: i64 = n
        .parse()
        .map_err(|_| format!("since:{t}: such as 24h or 7d"))?;
    let hours = match unit {
        "h" => n,
        "d" => n * 24,
        _ => return Err(format!("since:{t}: such as 24h or 7d")),
    };
    if !(1..=30 * 24).contains(&hours) {
        return Err(format!("since:{t}: from 1h to 30d"));
    }
    Ok(hours)
}

/// The request for `query` (terms separated by spaces), or why it is refused.
pub fn query_request(query: &str) -> Result<Request, String> {
    let terms: Vec<&str> = query.split_whitespace().collect();
    let since = (chrono::Utc::now() - chrono::Duration::hours(window_hours(&terms)?))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut clauses = vec![format!("createdDateTime ge {since}")];
    for t in &terms {
        if let Some(c) = clause(t)? {
            clauses.push(c);
        }
    }
    Ok(Request::get("/auditLogs/signIns")
        .filter(clauses.join(" and "))
        .top(100)
        .header("Prefer", "include-unknown-enum-members"))
}

/// The blade's list: the last 24 hours.
fn requests() -> Vec<Request> {
    query_request("").into_iter().collect()
}

/// `/?…` on the blade: the terms as `$filter`; a term it cannot send reads nothing (the
/// list says so).
fn query(q: &str) -> super::source::Reading {
    match query_request(q) {
        Ok(r) => super::source::Reading::Parts(vec![r]),
        Err(_) => super::source::Reading::Parts(Vec::new()),
    }
}

/// The Sign-ins blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Sign-ins",
    nav_label: "Sign-ins",
    command: "sign-ins",
    aliases: &["signins", "sign-in-logs", "logins"],
    load: super::source::Load::Parts(requests),
    columns,
    row,
    rows_of: None,
    style,
    refine: None,
    opens: Some(super::def::ObjectKind(&super::signin_page::DETAIL)),
    sync: None,
    marks: super::source::Marks::No,
    query: Some(query),
    join: None,
    records: Some(super::source::Records {
        columns: signins::EXPORT_COLUMNS,
        of: |objects, _| signins::records(objects),
    }),
    verbs: &[],
};

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(q: &str) -> String {
        let r = query_request(q).unwrap();
        r.query
            .iter()
            .find(|(k, _)| k == "$filter")
            .map(|(_, v)| v.clone())
            .unwrap()
    }

    #[test]
    fn terms_become_documented_filters() {
        let f = filter("since:7d country:ng app:Office ok");
        assert!(f.starts_with("createdDateTime ge "), "{f}");
        assert!(f.contains("location/countryOrRegion eq 'NG'"), "{f}");
        assert!(f.contains("startsWith(appDisplayName,'Office')"), "{f}");
        assert!(f.contains("status/errorCode eq 0"), "{f}");
        assert!(filter("interrupted").contains("status/errorCode eq 50076 or"));
        assert!(filter("user:O'Brien").contains("'o''brien'"));
        for bad in [
            "country:Nigeria",
            "since:3w",
            "since:40d",
            "code:x",
            "colour:red",
        ] {
            assert!(query_request(bad).is_err(), "{bad}");
        }
    }
}

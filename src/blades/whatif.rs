//! The What If list: for one sign-in, every policy with whether it applies (offline evaluator),
//! why not, its grant, and what Graph's own What If said where it was asked.

use crate::ca::eval::Tri;
use crate::ca::whatif::{WhatIfResult, WhatIfRow};
use crate::protect::{requirement, state_label};
use crate::theme::Theme;
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("Policy", 18),
        Column::fixed("State", 11),
        Column::fixed("Applies", 11),
        Column::grow("Why not / unknown", 18),
        Column::fixed("Grant", 12),
        Column::fixed("Graph says", 14),
    ]
}

fn applies(r: &WhatIfRow) -> &'static str {
    match (r.outcome.applies, r.outcome.enforced) {
        (Tri::Yes, true) => "applies",
        (Tri::Yes, false) => "report-only",
        (Tri::No, _) => "no",
        (Tri::Unknown, _) => "unknown",
    }
}

/// Graph's answer, marked with ≠ where it contradicts the offline one.
fn graph(r: &WhatIfRow) -> String {
    let Some((applies, reasons)) = &r.online else {
        return String::new();
    };
    let text = if *applies {
        "applies".to_string()
    } else {
        format!("no: {reasons}")
    };
    let differs = matches!(
        (r.outcome.applies, applies),
        (Tri::Yes, false) | (Tri::No, true)
    );
    if differs { format!("≠ {text}") } else { text }
}

/// The grant the sign-in gets from the enforced policies that apply.
pub fn result(res: &WhatIfResult) -> String {
    let enforced: Vec<&WhatIfRow> = res
        .rows
        .iter()
        .filter(|r| r.outcome.applies == Tri::Yes && r.outcome.enforced)
        .collect();
    let unknown: Vec<&WhatIfRow> = res
        .rows
        .iter()
        .filter(|r| r.outcome.applies == Tri::Unknown && r.outcome.enforced)
        .collect();
    let maybe = unknown.len();
    // The inputs whose absence made them unknown, named once each.
    let mut missing: Vec<String> = unknown
        .iter()
        .flat_map(|r| &r.outcome.reasons)
        .filter_map(|r| r.text.strip_prefix("unknown: "))
        .map(str::to_string)
        .collect();
    missing.sort();
    missing.dedup();
    let missing = if missing.is_empty() {
        String::new()
    } else {
        format!(" ({})", missing.join("; "))
    };
    let mut text = if enforced.iter().any(|r| {
        crate::ca::strs(&r.policy["grantControls"]["builtInControls"])
            .contains(&"block".to_string())
    }) {
        "Block".to_string()
    } else if enforced.is_empty() && maybe > 0 {
        // Not "no policy applies": what is unknown may well apply.
        return format!(
            "unknown: {maybe} enabled polic{} may apply{missing}",
            if maybe == 1 { "y" } else { "ies" }
        );
    } else if enforced.is_empty() {
        "no enforced policy applies".to_string()
    } else {
        let mut parts: Vec<String> = enforced.iter().map(|r| requirement(&r.policy)).collect();
        parts.sort();
        parts.dedup();
        parts.join(" + ")
    };
    if maybe > 0 {
        text.push_str(&format!(" (and {maybe} more may apply{missing})"));
    }
    text
}

pub fn rows(res: &WhatIfResult) -> Vec<TableRow> {
    let mut out = vec![TableRow::new(
        Value::Null,
        vec![
            format!("= {}", res.user),
            String::new(),
            String::new(),
            result(res),
            String::new(),
            String::new(),
        ],
    )];
    out.extend(res.rows.iter().map(|r| {
        let why: Vec<String> = r.outcome.reasons.iter().map(|x| x.text.clone()).collect();
        TableRow::new(
            r.policy.clone(),
            vec![
                r.policy["displayName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                state_label(r.policy["state"].as_str().unwrap_or_default()).to_string(),
                applies(r).to_string(),
                why.join("; "),
                requirement(&r.policy),
                graph(r),
            ],
        )
    }));
    out
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    let cell = row.cells.get(col).unwrap_or_default();
    match col {
        0 if cell.starts_with("= ") => Some(theme.accent),
        2 if cell == "applies" => Some(theme.success),
        2 if cell == "report-only" || cell == "unknown" => Some(theme.warning),
        2 | 3 => Some(theme.muted),
        5 if cell.starts_with('≠') => Some(theme.error),
        _ => None,
    }
}

/// `t` on a What If result: the state of the selected policy (the shell's choice).
pub static STATE: super::def::Verb =
    crate::flow_verb!("set-state", "state", true, super::verb::Flow::CaState);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ca::eval::{Outcome, Reason};
    use serde_json::json;

    fn row(applies: Tri, enforced: bool, grant: &str, online: Option<bool>) -> WhatIfRow {
        WhatIfRow {
            policy: json!({"displayName": "p", "state": if enforced {"enabled"} else {"enabledForReportingButNotEnforced"},
                "grantControls": {"operator": "OR", "builtInControls": [grant]}}),
            outcome: Outcome {
                applies,
                enforced,
                reasons: vec![Reason {
                    code: "users",
                    text: "user is excluded".into(),
                }],
            },
            online: online.map(|a| (a, if a { "notSet".into() } else { "users".into() })),
        }
    }

    #[test]
    fn result_and_differences() {
        let res = WhatIfResult {
            user: "Ada".into(),
            rows: vec![
                row(Tri::Yes, true, "mfa", Some(true)),
                row(Tri::Yes, false, "block", None),
                row(Tri::No, true, "block", Some(true)),
                row(Tri::Unknown, true, "compliantDevice", None),
            ],
            ..Default::default()
        };
        assert_eq!(result(&res), "MFA (and 1 more may apply)");
        let r = rows(&res);
        assert_eq!(r.len(), 5);
        assert_eq!(&r[2].cells[2], "report-only");
        assert_eq!(&r[3].cells[5], "≠ applies");
        assert_eq!(&r[1].cells[5], "applies");
        // Issue 11, item 6: nothing known to apply, some unknown: say unknown, never "none".
        let mut only_unknown = res.clone();
        only_unknown.rows.retain(|r| r.outcome.applies != Tri::Yes);
        only_unknown.rows[1].outcome.reasons = vec![Reason {
            code: "users",
            text: "unknown: group membership not known".into(),
        }];
        assert_eq!(
            result(&only_unknown),
            "unknown: 1 enabled policy may apply (group membership not known)"
        );
    }
}

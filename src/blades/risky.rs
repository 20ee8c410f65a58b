//! The Risky users blade (Identity Protection, Entra ID P2): user, risk level, state, detail,
//! last updated; a user's page with its risk history (`h`) and detections (`e`); `C` confirms
//! the marked users (or the selected one) compromised, `D` dismisses their risk, both behind a
//! confirm naming every user and what follows, then the list is read again and shows what
//! Graph says now.

use super::common::{date, text};
use super::def::{Step, Verb};
use super::risk_verbs::{COMPROMISED, DISMISS};
use crate::graph::Request;
pub use crate::graph::resources::risky_users::detail_words;
pub use crate::graph::resources::risky_users::{list as list_request, one as detail_request};
use crate::theme::Theme;
use crate::widgets::sheet::{Sheet, show};
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("User", 16),
        Column::grow("UPN", 20).from(110),
        Column::fixed("Level", 6),
        Column::fixed("State", 20),
        Column::grow("Detail", 20).from(100),
        Column::fixed("Updated", 10),
    ]
}

pub fn row(v: Value) -> TableRow {
    let cells = vec![
        text(&v, "userDisplayName"),
        text(&v, "userPrincipalName"),
        text(&v, "riskLevel"),
        text(&v, "riskState"),
        detail_words(&text(&v, "riskDetail")),
        date(&v["riskLastUpdatedDateTime"]),
    ];
    TableRow::new(v, cells)
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match (col, row.cells.get(col)) {
        (2, Some("high")) => Some(theme.error),
        (2, Some("medium")) => Some(theme.warning),
        (3, Some("atRisk" | "confirmedCompromised")) => Some(theme.error),
        (3, Some("remediated" | "dismissed" | "confirmedSafe")) => Some(theme.muted),
        (1 | 4 | 5, _) => Some(theme.muted),
        _ => None,
    }
}

pub fn sheet(v: &Value) -> Sheet {
    let mut s = Sheet::default();
    let p = |k: &str| show(&v[k]);
    let u = s.section("Risky user");
    u.push(("User".into(), p("userDisplayName")));
    u.push(("UPN".into(), p("userPrincipalName")));
    u.push(("Object id".into(), p("id")));
    u.push(("Risk level".into(), p("riskLevel")));
    u.push(("Risk state".into(), p("riskState")));
    u.push(("Detail".into(), detail_words(&text(v, "riskDetail"))));
    u.push(("Last updated".into(), p("riskLastUpdatedDateTime")));
    u.push(("Processing".into(), p("isProcessing")));
    u.push(("Deleted user".into(), p("isDeleted")));
    let k = s.section("Keys");
    k.push((
        "h / e / i".into(),
        "risk history / risk detections / sign-ins".into(),
    ));
    k.push(("C / D".into(), "confirm compromised / dismiss".into()));
    k.push((
        "K".into(),
        "contain: compromised, block, revoke, password, pass, methods".into(),
    ));
    k.push((
        "t / R / P / T / M".into(),
        "block sign-in / revoke sessions / password / pass / methods".into(),
    ));
    s
}

/// The Risky users blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Risky users",
    nav_label: "Risky users",
    command: "risky-users",
    aliases: &["risky", "risk", "identity-protection"],
    load: super::source::Load::Graph(list_request),
    columns,
    row,
    rows_of: None,
    style,
    refine: None,
    opens: Some(super::def::ObjectKind(&DETAIL)),
    sync: None,
    marks: super::source::Marks::Last,
    query: None,
    join: None,
    records: None,
    // Contain first: the status bar shows the first verbs that fit.
    verbs: &[
        super::user_verbs::CONTAIN,
        COMPROMISED,
        DISMISS,
        Verb {
            help: "xray of the selected risky user",
            ..super::xray::VERB
        },
        super::user_verbs::REVOKE,
        super::user_verbs::SIGN_IN,
        super::user_verbs::RESET,
        super::user_verbs::TAP,
        super::user_verbs::METHODS,
    ],
};

/// A risky user's page.
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "risky user",
    collection: "risky-users",
    request: detail_request,
    sheet: |v, _, _| sheet(v),
    needs_facts: false,
    principal: false,
    members: false,
    computed: None,
    verbs: &[
        Verb {
            name: "history",
            keys: &["h"],
            label: "history",
            help: "The risk history of this user",
            writes: false,
            run: |_| vec![Step::Sub(&HISTORY)],
        },
        Verb {
            name: "detections",
            keys: &["e"],
            label: "detections",
            help: "This user's risk detections",
            writes: false,
            run: |_| vec![Step::Sub(&DETECTIONS)],
        },
        Verb {
            name: "sign-ins",
            keys: &["i"],
            label: "sign-ins",
            help: "This user's recent sign-ins; Enter on one opens its page (p there: the deciding policy)",
            writes: false,
            run: |_| vec![Step::Sub(&super::signins::SIGN_INS)],
        },
        Verb {
            help: "xray of this risky user",
            ..super::xray::VERB
        },
        Verb {
            help: "Confirm this user compromised",
            ..COMPROMISED
        },
        Verb {
            help: "Dismiss this user's risk",
            ..DISMISS
        },
        super::user_verbs::CONTAIN,
        super::user_verbs::REVOKE,
        super::user_verbs::SIGN_IN,
        super::user_verbs::RESET,
        super::user_verbs::TAP,
        super::user_verbs::METHODS,
    ],
};

fn history_columns() -> Vec<Column> {
    vec![
        Column::fixed("When", 17),
        Column::fixed("Level", 6),
        Column::fixed("State", 20),
        Column::grow("Detail", 24),
        Column::fixed("By", 10).from(100),
    ]
}

fn history_row(v: Value) -> TableRow {
    let when = text(&v, "riskLastUpdatedDateTime")
        .replace('T', " ")
        .chars()
        .take(16)
        .collect();
    let cells = vec![
        when,
        text(&v, "riskLevel"),
        text(&v, "riskState"),
        detail_words(&text(&v, "riskDetail")),
        if v["initiatedBy"].is_string() {
            "an admin".into()
        } else {
            "the service".into()
        },
    ];
    TableRow::new(v, cells)
}

/// A risky user's history (`GET /identityProtection/riskyUsers/{id}/history`).
pub static HISTORY: super::def::SubDef = super::def::SubDef {
    title: "Risk history",
    request: |id| {
        Request::get(format!(
            "/identityProtection/riskyUsers/{}/history",
            super::common::path_segment(id)
        ))
    },
    columns: history_columns,
    row: history_row,
    style,
    open: super::def::opens_nothing,
    verbs: &[],
};

fn detection_columns() -> Vec<Column> {
    vec![
        Column::fixed("Detected", 17),
        Column::grow("Risk event", 18),
        Column::fixed("Level", 6),
        Column::fixed("Timing", 8),
        Column::fixed("IP", 15).from(100),
        Column::grow("Location", 12).from(110),
    ]
}

fn detection_row(v: Value) -> TableRow {
    let when = text(&v, "detectedDateTime")
        .replace('T', " ")
        .chars()
        .take(16)
        .collect();
    let loc = &v["location"];
    let place = [text(loc, "city"), text(loc, "countryOrRegion")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let cells = vec![
        when,
        text(&v, "riskEventType"),
        text(&v, "riskLevel"),
        text(&v, "detectionTimingType"),
        text(&v, "ipAddress"),
        place,
    ];
    TableRow::new(v, cells)
}

fn detection_style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match (col, row.cells.get(col)) {
        (2, Some("high")) => Some(theme.error),
        (2, Some("medium")) => Some(theme.warning),
        (0 | 3 | 4 | 5, _) => Some(theme.muted),
        _ => None,
    }
}

/// A user's risk detections (`GET /identityProtection/riskDetections?$filter=userId eq '…'`;
/// default page 20, at most 500: graph-api.md §7).
pub static DETECTIONS: super::def::SubDef = super::def::SubDef {
    title: "Risk detections",
    request: |id| {
        Request::get("/identityProtection/riskDetections")
            .filter(format!("userId eq '{}'", id.replace('\'', "''")))
            .top(500)
    },
    columns: detection_columns,
    row: detection_row,
    style: detection_style,
    open: super::def::opens_nothing,
    verbs: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_published_placeholder_sample_is_shown_not_failed() {
        // riskyuser-list.md's v1.0 sample puts type names where values belong.
        let r = row(
            json!({"id": "c0ff", "isDeleted": "Boolean", "isProcessing": "Boolean",
            "riskLevel": "String", "riskState": "String", "riskDetail": "String",
            "riskLastUpdatedDateTime": "DateTimeOffset", "userDisplayName": "String",
            "userPrincipalName": "String"}),
        );
        assert_eq!(&r.cells[2], "String");
        assert_eq!(&r.cells[5], "DateTimeOf");
        let s = sheet(&json!({"isDeleted": "Boolean"}));
        assert!(!s.sections.is_empty());
    }

    #[test]
    fn detections_name_their_place() {
        let r = detection_row(json!({"detectedDateTime": "2026-11-29T22:13:00Z",
            "riskEventType": "unfamiliarFeatures", "riskLevel": "medium",
            "location": {"city": "Lagos", "countryOrRegion": "NG"}}));
        assert_eq!(&r.cells[0], "2026-11-29 22:13");
        assert_eq!(&r.cells[5], "Lagos, NG");
    }

    /// Issue 23, items 11 and 13: a risky user's page is titled by the user's name (the
    /// breadcrumb read `Risky users › b3fb95ee-…`), and a row without an id opens nothing.
    #[test]
    fn a_risky_users_page_is_named_not_numbered() {
        let source = super::super::ListSource::Blade(super::super::BladeKind(&BLADE));
        let open = source
            .open(
                &json!({"id": "b3fb95ee-0000", "userDisplayName": "Adele Vance",
                "userPrincipalName": "adele@contoso.com"}),
            )
            .unwrap();
        assert_eq!(open.name, "Adele Vance");
        let open = source
            .open(&json!({"id": "b3fb95ee-0000", "userPrincipalName": "adele@contoso.com"}))
            .unwrap();
        assert_eq!(open.name, "adele@contoso.com");
        assert!(source.open(&json!({"userDisplayName": "No Id"})).is_none());
        assert!(
            source
                .open(&json!({"id": "", "userDisplayName": "No Id"}))
                .is_none()
        );
    }
}

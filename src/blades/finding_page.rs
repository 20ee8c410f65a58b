//! One audit finding's page (Enter on a row of Findings): its result and why, the detail, the
//! fix, what it reads, and its objects (`o` lists them; Enter on one opens it in its blade).
//! The page is the finding as the blade judged it (its id carries it), so nothing is read.

use super::common::text;
use super::def::{ListSource, Step, Verb};
use crate::graph::Request;
use crate::widgets::sheet::Sheet;
use serde_json::Value;

fn request(_: &str) -> Request {
    // Never sent: the page is computed from the finding the list holds.
    Request::get("/finding")
}

fn sheet(v: &Value, _: Option<&crate::protect::Facts>, _: &super::common::Names) -> Sheet {
    let mut s = Sheet::default();
    let result = match text(v, "status").as_str() {
        "fail" => "FAIL".to_string(),
        "nearMiss" => "near miss".to_string(),
        "notEvaluable" => format!("not evaluable: {}", text(v, "reason")),
        "waived" => format!("WAIVED: {}", text(v, "reason")),
        other => other.to_string(),
    };
    let f = s.section("Finding");
    f.push(("Rule".into(), text(v, "id")));
    f.push(("Checks".into(), text(v, "title")));
    f.push((
        "Frameworks".into(),
        match text(v, "frameworks") {
            w if w.is_empty() => "— (this console's own)".into(),
            w => w,
        },
    ));
    f.push(("Severity".into(), text(v, "severity")));
    f.push(("Result".into(), result));
    f.push(("Detail".into(), text(v, "detail")));
    if let Some(t) = v["@trend"].as_str() {
        f.push(("Since the runs before".into(), crate::sanitize::clean(t)));
    }
    s.section("Fix")
        .push((String::new(), text(v, "remediation")));
    s.section("Reads").push((String::new(), text(v, "reads")));
    let objects = v["evidence"].as_array().cloned().unwrap_or_default();
    let o = s.section("Objects");
    if objects.is_empty() {
        o.push((
            String::new(),
            "none: the rule judges the tenant as a whole (the detail says what it found)".into(),
        ));
    }
    for e in objects.iter().take(12) {
        o.push((text(e, "name"), text(e, "note")));
    }
    if objects.len() > 12 {
        o.push((
            String::new(),
            format!("… and {} more (o lists them all)", objects.len() - 12),
        ));
    }
    s
}

/// `o`: the finding's objects (on its page, or its row).
pub const OBJECTS: Verb = Verb {
    name: "objects",
    keys: &["o"],
    label: "objects",
    help: "The objects behind the finding (Enter on one opens it in its blade)",
    writes: false,
    run: |s| {
        let Some(f) = s.page.cloned().or_else(|| s.selected.clone()) else {
            return Vec::new();
        };
        if f["evidence"].as_array().is_none_or(Vec::is_empty) {
            return vec![Step::refuse(
                "this finding names no object: the rule judges the tenant as a whole",
            )];
        }
        vec![Step::List(ListSource::Evidence {
            rule: text(&f, "id"),
            items: f["evidence"].to_string(),
        })]
    },
};

/// The page in the registry (opened by name from Findings).
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "finding",
    collection: "finding",
    request,
    sheet,
    needs_facts: false,
    principal: false,
    members: false,
    computed: Some(super::source::Computed {
        name: "finding",
        run: super::source::from_key,
    }),
    verbs: &[OBJECTS],
};

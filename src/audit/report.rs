//! An audit written out: Markdown a person signs, JSON, CSV, and SARIF 2.1.0 for viewers and
//! code-scanning uploads.

use super::{Finding, Severity, Status};
use crate::sanitize::md_cell;
use serde_json::{Value, json};

/// Who ran it, where and how (the report's head).
pub struct Run {
    pub tenant: String,
    pub profile: String,
    pub at: String,
    pub read_only: bool,
}

fn counts(findings: &[Finding]) -> (usize, usize, usize, usize, usize) {
    let n = |f: &dyn Fn(&Status) -> bool| findings.iter().filter(|x| f(&x.status)).count();
    (
        n(&|s| *s == Status::Fail),
        n(&|s| *s == Status::NearMiss),
        n(&|s| *s == Status::Pass),
        n(&|s| matches!(s, Status::NotEvaluable(_))),
        n(&|s| matches!(s, Status::Waived(_))),
    )
}

pub fn markdown(run: &Run, findings: &[Finding]) -> String {
    let (fail, near, pass, ne, waived) = counts(findings);
    let mut o = format!(
        "# Entra ID audit: {}\n\n- Run: {} by profile `{}` with entra-console {}\n- Read-only: {}\n- Result: {fail} failed, {near} near misses, {pass} passed, {ne} not evaluable{}\n\n## Summary\n\n| Rule | Frameworks | Severity | Result |\n|---|---|---|---|\n",
        md_cell(&run.tenant),
        run.at,
        md_cell(&run.profile),
        env!("CARGO_PKG_VERSION"),
        if run.read_only {
            "yes: the Graph client refused every method but reads for this run"
        } else {
            "no"
        },
        if waived > 0 {
            format!(", {waived} waived")
        } else {
            String::new()
        },
    );
    for f in findings {
        o.push_str(&format!(
            "| {} {} | {} | {} | {} |\n",
            f.rule.id,
            md_cell(f.rule.title),
            match f.rule.frameworks() {
                w if w.is_empty() => "—".to_string(),
                w => w,
            },
            f.rule.severity.word(),
            md_cell(&f.status.word())
        ));
    }
    o.push_str("\n## Findings\n");
    for f in findings.iter().filter(|f| f.status != Status::Pass) {
        o.push_str(&format!(
            "\n### {} {}\n\n{} ({}). {}\n\nFix: {}\n\nReads: {}\n",
            f.rule.id,
            md_cell(f.rule.title),
            md_cell(&f.status.word()),
            f.rule.severity.word(),
            md_cell(&f.detail),
            md_cell(f.rule.remediation),
            md_cell(f.rule.reads)
        ));
        if !f.evidence.is_empty() {
            o.push_str("\n| Object | Blade | Id | Why |\n|---|---|---|---|\n");
            for e in &f.evidence {
                o.push_str(&format!(
                    "| {} | {} | {} | {} |\n",
                    md_cell(&e.name),
                    e.blade,
                    md_cell(&e.id),
                    md_cell(&e.note)
                ));
            }
        }
    }
    o
}

pub fn json(run: &Run, findings: &[Finding]) -> Value {
    json!({
        "tenant": run.tenant, "profile": run.profile, "time": run.at, "readOnly": run.read_only,
        "findings": findings.iter().map(|f| json!({
            "id": f.rule.id, "scuba": f.rule.scuba, "eidsca": f.rule.eidsca, "cis": f.rule.cis,
            "frameworks": f.rule.frameworks(), "title": f.rule.title,
            "severity": f.rule.severity.word(), "status": match &f.status {
                Status::Pass => "pass", Status::Fail => "fail", Status::NearMiss => "nearMiss",
                Status::NotEvaluable(_) => "notEvaluable", Status::Waived(_) => "waived" },
            "reason": match &f.status {
                Status::NotEvaluable(w) | Status::Waived(w) => Value::from(w.as_str()),
                _ => Value::Null },
            "detail": f.detail, "remediation": f.rule.remediation, "reads": f.rule.reads,
            "evidence": f.evidence.iter().map(|e| json!({"blade": e.blade, "id": e.id, "name": e.name, "note": e.note})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// One record per finding and evidence object (a finding without evidence: one record).
pub fn records(findings: &[Finding]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for f in findings {
        let base = |e: Option<&super::Evidence>| {
            vec![
                f.rule.id.to_string(),
                f.rule.scuba.unwrap_or_default().to_string(),
                f.rule.eidsca.unwrap_or_default().to_string(),
                f.rule.cis.unwrap_or_default().to_string(),
                f.rule.severity.word().to_string(),
                f.status.word(),
                f.rule.title.to_string(),
                e.map(|e| e.blade.to_string()).unwrap_or_default(),
                e.map(|e| e.id.clone()).unwrap_or_default(),
                e.map(|e| e.name.clone()).unwrap_or_default(),
                e.map(|e| e.note.clone())
                    .unwrap_or_else(|| f.detail.clone()),
            ]
        };
        if f.evidence.is_empty() {
            out.push(base(None));
        }
        for e in &f.evidence {
            out.push(base(Some(e)));
        }
    }
    out
}

pub const CSV_COLUMNS: &[&str] = &[
    "rule",
    "scuba",
    "eidsca",
    "cis",
    "severity",
    "status",
    "title",
    "blade",
    "objectId",
    "objectName",
    "detail",
];

fn level(s: Severity) -> &'static str {
    match s {
        Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// SARIF 2.1.0: the rules in `tool.driver.rules`, one result per failed or near-miss finding
/// and object, each object a logical location.
pub fn sarif(findings: &[Finding]) -> Value {
    let rules: Vec<Value> = findings
        .iter()
        .map(|f| {
            json!({
                "id": f.rule.id,
                "name": f.rule.title,
                "shortDescription": {"text": f.rule.title},
                "fullDescription": {"text": format!("{} (reads: {})", f.rule.title, f.rule.reads)},
                "help": {"text": f.rule.remediation},
                "defaultConfiguration": {"level": level(f.rule.severity)},
                "properties": {"scuba": f.rule.scuba, "eidsca": f.rule.eidsca, "cis": f.rule.cis},
            })
        })
        .collect();
    let mut results = Vec::new();
    for (i, f) in findings.iter().enumerate() {
        if !matches!(
            f.status,
            Status::Fail | Status::NearMiss | Status::Waived(_)
        ) {
            continue;
        }
        let locations: Vec<Value> = f
            .evidence
            .iter()
            .map(|e| json!({"logicalLocations": [{"name": e.name, "fullyQualifiedName": format!("{}/{}", e.blade, e.id), "kind": "object"}]}))
            .collect();
        let mut result = json!({
            "ruleId": f.rule.id,
            "ruleIndex": i,
            "level": if f.status == Status::NearMiss { "note" } else { level(f.rule.severity) },
            "message": {"text": format!("{}: {}", f.status.word(), f.detail)},
            "locations": locations,
        });
        // A waiver is an external suppression (SARIF 2.1.0 §3.35: kind, status, justification).
        if let Status::Waived(why) = &f.status {
            result["suppressions"] =
                json!([{"kind": "external", "status": "accepted", "justification": why}]);
        }
        results.push(result);
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "entra-console", "version": env!("CARGO_PKG_VERSION"), "informationUri": "https://github.com/", "rules": rules}},
            "results": results,
        }],
    })
}

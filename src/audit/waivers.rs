//! Waivers and annotations (`--waivers FILE`, or `waivers = "…"` in a profile): accepted risk
//! with a rationale, an owner and an end date, and a reviewer's "the tool is wrong here" or
//! "fix planned by" (said beside the result, never hiding it). A waived finding is WAIVED with its rationale until the end date, then
//! FAIL "waiver expired on …"; a waiver or annotation that matches no failing finding is
//! reported as stale (a stale waiver hides nothing). Waived findings do not count for
//! `--fail-on`.

use super::{Finding, Status};
use crate::sanitize::clean;
use chrono::NaiveDate;
use serde_json::{Value, json};

/// One `[[waiver]]`: a whole rule, or one object of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Waiver {
    pub rule: String,
    pub object: Option<String>,
    pub rationale: String,
    pub owner: String,
    pub expires: NaiveDate,
    pub approved_by: Option<String>,
}

/// One `[[annotation]]`: a reviewer's comment on a rule (or one object of it).
#[derive(Clone, Debug, PartialEq)]
pub struct Annotation {
    pub rule: String,
    pub object: Option<String>,
    pub incorrect_result: bool,
    pub comment: String,
    pub remediation_date: Option<NaiveDate>,
}

/// A waivers file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Waivers {
    pub waivers: Vec<Waiver>,
    pub annotations: Vec<Annotation>,
}

fn field(t: &Value, k: &str, at: &str) -> Result<String, String> {
    match t[k].as_str().map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s.to_string()),
        _ => Err(format!("{at}: `{k}` is required")),
    }
}

fn date(t: &Value, k: &str, at: &str) -> Result<Option<NaiveDate>, String> {
    match &t[k] {
        Value::Null => Ok(None),
        Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map(Some)
            .map_err(|_| format!("{at}: `{k}` is not a date (YYYY-MM-DD): {}", clean(s))),
        // A bare TOML date (`expires = 2027-03-31`) arrives as the toml crate's datetime.
        Value::Object(m) if m.len() == 1 => match m.values().next() {
            Some(Value::String(s)) => date(&json!({ k: s }), k, at),
            _ => Err(format!("{at}: `{k}` is not a date (YYYY-MM-DD)")),
        },
        other => Err(format!("{at}: `{k}` is not a date (YYYY-MM-DD): {other}")),
    }
}

/// Parse a waivers file; every mistake is named with the table it is in.
pub fn parse(text: &str) -> Result<Waivers, String> {
    let v: toml::Value = toml::from_str(text).map_err(|e| {
        format!(
            "not a waivers file: {}",
            crate::sanitize::toml_error(text, &e)
        )
    })?;
    let v = serde_json::to_value(v).map_err(|e| e.to_string())?;
    let mut out = Waivers::default();
    for (n, t) in v["waiver"].as_array().into_iter().flatten().enumerate() {
        let at = format!("[[waiver]] {}", n + 1);
        let expires = date(t, "expires", &at)?.ok_or_else(|| {
            format!("{at}: `expires` is required (a waiver without an end hides a risk for ever)")
        })?;
        out.waivers.push(Waiver {
            rule: field(t, "rule", &at)?,
            object: t["object"].as_str().map(str::to_string),
            rationale: field(t, "rationale", &at)?,
            owner: field(t, "owner", &at)?,
            expires,
            approved_by: t["approved_by"].as_str().map(str::to_string),
        });
    }
    for (n, t) in v["annotation"].as_array().into_iter().flatten().enumerate() {
        let at = format!("[[annotation]] {}", n + 1);
        out.annotations.push(Annotation {
            rule: field(t, "rule", &at)?,
            object: t["object"].as_str().map(str::to_string),
            incorrect_result: t["incorrect_result"] == true,
            comment: field(t, "comment", &at)?,
            remediation_date: date(t, "remediation_date", &at)?,
        });
    }
    if out.waivers.is_empty() && out.annotations.is_empty() {
        return Err("no [[waiver]] or [[annotation]] table: nothing to apply".into());
    }
    Ok(out)
}

/// Read and parse the file at `path`.
pub fn load(path: &std::path::Path) -> Result<Waivers, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// What became of one waiver or annotation in a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// `waiver` or `annotation`.
    pub kind: &'static str,
    pub rule: String,
    pub object: Option<String>,
    /// `applied`, `expired` or `stale`.
    pub state: &'static str,
    /// In words: the rationale and owner, the end date, or why it matched nothing.
    pub words: String,
}

impl Outcome {
    pub fn json(&self) -> Value {
        json!({"kind": self.kind, "rule": self.rule, "object": self.object,
            "state": self.state, "words": self.words})
    }
}

/// Whether a waiver's `object` names this evidence object: its id or its display name.
fn names(e: &super::Evidence, object: &str) -> bool {
    e.id.eq_ignore_ascii_case(object) || e.name.eq_ignore_ascii_case(object)
}

fn open(f: &Finding) -> bool {
    matches!(f.status, Status::Fail | Status::NearMiss)
}

fn waiver_words(w: &Waiver) -> String {
    format!(
        "{} (owner {}{}, until {})",
        clean(&w.rationale),
        clean(&w.owner),
        w.approved_by
            .as_deref()
            .map(|a| format!(", approved by {}", clean(a)))
            .unwrap_or_default(),
        w.expires
    )
}

/// Apply the waivers and annotations to a run's findings on `today`. A rule waiver turns an
/// open finding WAIVED; an object waiver takes that object out of the finding's evidence (the
/// finding is WAIVED once none is left). Past its end date a waiver changes nothing but the
/// finding's words ("waiver expired on …"). Annotations add their comment; one marking the
/// result incorrect sets it aside like a waiver.
pub fn apply(findings: &mut [Finding], w: &Waivers, today: NaiveDate) -> Vec<Outcome> {
    let mut out = Vec::new();
    for wv in &w.waivers {
        let outcome = |state, words| Outcome {
            kind: "waiver",
            rule: wv.rule.clone(),
            object: wv.object.clone(),
            state,
            words,
        };
        let Some(f) = findings
            .iter_mut()
            .find(|f| f.rule.id.eq_ignore_ascii_case(&wv.rule))
        else {
            out.push(outcome("stale", "no rule of this audit has that id".into()));
            continue;
        };
        let hit = match &wv.object {
            None => open(f),
            Some(id) => open(f) && f.evidence.iter().any(|e| names(e, id)),
        };
        if !hit {
            let why = match (&wv.object, open(f)) {
                (_, false) => format!("the rule's result is {}: nothing to waive", f.status.word()),
                (Some(id), true) => format!("{} is not among the finding's objects", clean(id)),
                (None, true) => "nothing to waive".into(),
            };
            out.push(outcome("stale", why));
            continue;
        }
        if today > wv.expires {
            f.detail = format!(
                "waiver expired on {} ({}): {}",
                wv.expires,
                clean(&wv.rationale),
                f.detail
            );
            out.push(outcome("expired", format!("expired on {}", wv.expires)));
            continue;
        }
        let words = waiver_words(wv);
        match &wv.object {
            None => f.status = Status::Waived(words.clone()),
            Some(id) => {
                f.evidence.retain(|e| !names(e, id));
                f.detail = format!(
                    "{} ({} waived: {words}; {} object{} left)",
                    f.detail,
                    clean(id),
                    f.evidence.len(),
                    if f.evidence.len() == 1 { "" } else { "s" }
                );
                if f.evidence.is_empty() {
                    f.status = Status::Waived(words.clone());
                }
            }
        }
        out.push(outcome("applied", words));
    }
    for a in &w.annotations {
        let outcome = |state, words| Outcome {
            kind: "annotation",
            rule: a.rule.clone(),
            object: a.object.clone(),
            state,
            words,
        };
        let Some(f) = findings
            .iter_mut()
            .find(|f| f.rule.id.eq_ignore_ascii_case(&a.rule))
        else {
            out.push(outcome("stale", "no rule of this audit has that id".into()));
            continue;
        };
        if let Some(id) = &a.object
            && !f.evidence.iter().any(|e| names(e, id))
        {
            out.push(outcome(
                "stale",
                format!("{} is not among the finding's objects", clean(id)),
            ));
            continue;
        }
        let mut words = format!("reviewer: {}", clean(&a.comment));
        if let Some(d) = a.remediation_date {
            words.push_str(&if today > d {
                format!("; fix was planned by {d}: overdue")
            } else {
                format!("; fix planned by {d}")
            });
        }
        // A result the reviewer calls incorrect is said, never hidden: only a waiver, with
        // its owner and end date, sets a finding aside.
        if a.incorrect_result {
            f.detail = format!(
                "{} (the reviewer marks this result incorrect; {words})",
                f.detail
            );
        } else {
            f.detail = format!("{} ({words})", f.detail);
        }
        out.push(outcome("applied", words));
    }
    out
}

/// The report's section on waivers and annotations (Markdown), empty when there are none.
pub fn markdown(outcomes: &[Outcome]) -> String {
    if outcomes.is_empty() {
        return String::new();
    }
    let mut o = String::from(
        "\n## Waivers and annotations\n\n| Kind | Rule | Object | State | Words |\n|---|---|---|---|---|\n",
    );
    let cell = crate::sanitize::md_cell;
    for x in outcomes {
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            x.kind,
            cell(&x.rule),
            cell(x.object.as_deref().unwrap_or("(whole rule)")),
            x.state,
            cell(&x.words)
        ));
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::{Evidence, Rule, Severity};

    static R: Rule = Rule {
        id: "MS.AAD.7.4",
        scuba: None,
        eidsca: None,
        cis: None,
        title: "t",
        severity: Severity::High,
        remediation: "",
        reads: "",
    };

    fn finding(ids: &[&str]) -> Finding {
        Finding {
            rule: &R,
            status: Status::Fail,
            detail: "2 permanent".into(),
            evidence: ids
                .iter()
                .map(|id| Evidence {
                    blade: "roles",
                    id: id.to_string(),
                    name: id.to_string(),
                    note: String::new(),
                })
                .collect(),
        }
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn waiver(object: Option<&str>, expires: &str) -> Waivers {
        Waivers {
            waivers: vec![Waiver {
                rule: "MS.AAD.7.4".into(),
                object: object.map(str::to_string),
                rationale: "break-glass, reviewed".into(),
                owner: "sec@contoso.com".into(),
                expires: day(expires),
                approved_by: None,
            }],
            annotations: Vec::new(),
        }
    }

    #[test]
    fn a_waiver_hides_a_finding_until_its_end_then_it_fails_as_expired() {
        let w = waiver(None, "2027-03-31");
        let mut f = vec![finding(&["a"])];
        let o = apply(&mut f, &w, day("2027-03-31"));
        assert!(matches!(&f[0].status, Status::Waived(why) if why.contains("until 2027-03-31")));
        assert_eq!(o[0].state, "applied");
        let mut f = vec![finding(&["a"])];
        let o = apply(&mut f, &w, day("2027-04-01"));
        assert_eq!(f[0].status, Status::Fail);
        assert!(
            f[0].detail.starts_with("waiver expired on 2027-03-31"),
            "{}",
            f[0].detail
        );
        assert_eq!(o[0].state, "expired");
    }

    #[test]
    fn an_object_waiver_takes_out_one_object_and_a_stale_one_is_said() {
        let mut f = vec![finding(&["a", "b"])];
        apply(&mut f, &waiver(Some("A"), "2027-03-31"), day("2027-01-01"));
        assert_eq!(f[0].status, Status::Fail, "b is still there");
        assert_eq!(f[0].evidence.len(), 1);
        let mut f = vec![finding(&["a"])];
        apply(&mut f, &waiver(Some("a"), "2027-03-31"), day("2027-01-01"));
        assert!(matches!(f[0].status, Status::Waived(_)), "nothing left");
        let mut f = vec![finding(&["a"])];
        let o = apply(&mut f, &waiver(Some("zz"), "2027-03-31"), day("2027-01-01"));
        assert_eq!(o[0].state, "stale");
        assert_eq!(f[0].status, Status::Fail, "a stale waiver hides nothing");
        let mut f = vec![finding(&["a"])];
        f[0].status = Status::Pass;
        let o = apply(&mut f, &waiver(None, "2027-03-31"), day("2027-01-01"));
        assert_eq!(o[0].state, "stale");
    }

    #[test]
    fn annotations_add_their_words_or_set_an_incorrect_result_aside() {
        let a = |incorrect| Waivers {
            waivers: Vec::new(),
            annotations: vec![Annotation {
                rule: "MS.AAD.7.4".into(),
                object: None,
                incorrect_result: incorrect,
                comment: "the group is PIM-managed".into(),
                remediation_date: Some(day("2027-01-15")),
            }],
        };
        let mut f = vec![finding(&["a"])];
        apply(&mut f, &a(false), day("2027-02-01"));
        assert_eq!(f[0].status, Status::Fail);
        assert!(
            f[0].detail
                .contains("fix was planned by 2027-01-15: overdue"),
            "{}",
            f[0].detail
        );
        let mut f = vec![finding(&["a"])];
        apply(&mut f, &a(true), day("2027-01-01"));
        assert_eq!(
            f[0].status,
            Status::Fail,
            "an annotation never hides a finding"
        );
        assert!(
            f[0].detail.contains("marks this result incorrect"),
            "{}",
            f[0].detail
        );
    }

    #[test]
    fn bad_files_are_named() {
        assert!(
            parse("[[waiver]]\nrule = \"MS.AAD.3.2\"")
                .unwrap_err()
                .contains("expires")
        );
        let e = parse(
            "[[waiver]]\nrule = \"x\"\nrationale = \"r\"\nowner = \"o\"\nexpires = \"31/03/2027\"",
        )
        .unwrap_err();
        assert!(e.contains("not a date"), "{e}");
        assert!(parse("title = 1").unwrap_err().contains("nothing to apply"));
        let ok = parse(
            "[[waiver]]\nrule = \"MS.AAD.3.2\"\nrationale = \"r\"\nowner = \"o\"\nexpires = 2027-03-31\n",
        );
        let ok = ok.unwrap();
        assert_eq!(
            ok.waivers[0].expires.to_string(),
            "2027-03-31",
            "a bare TOML date too"
        );
    }
}

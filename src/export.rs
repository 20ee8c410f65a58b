//! `entra-console export BLADE`: a blade's objects as JSON, CSV (RFC 4180) or Markdown.

use crate::blades::ListSource;
use crate::cli::ExportFormat;
use crate::sanitize::json_safe;
use crate::widgets::table::TableRow;
use serde_json::Value;
use std::io::Write;

/// Write `objects` of `source` in `format`. Columns are the blade's table columns after `id`,
/// in a stable order; CSV and Markdown cells are sanitized and made safe to open (a CSV cell never
/// starts a spreadsheet formula; a Markdown cell never ends the cell or starts markup or HTML),
/// JSON keeps the exact values (with bidi and C1 characters escaped so a terminal never
/// interprets them).
pub fn write(
    source: &ListSource,
    objects: Vec<Value>,
    format: ExportFormat,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let rows = objects.into_iter().flat_map(|v| source.rows(v)).collect();
    write_rows(source, rows, format, out)
}

/// Write rows already built (facts-backed lists compute their cells from several collections).
pub fn write_rows(
    source: &ListSource,
    rows: Vec<TableRow>,
    format: ExportFormat,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        ExportFormat::Json => {
            let objects: Vec<Value> = rows.into_iter().map(|r| r.object()).collect();
            let text = serde_json::to_string_pretty(&objects).map_err(std::io::Error::other)?;
            writeln!(out, "{}", json_safe(&text))
        }
        ExportFormat::Csv | ExportFormat::Md => {
            let mut header = vec!["id".to_string()];
            header.extend(source.columns().iter().map(|c| c.title.to_string()));
            let rows: Vec<Vec<String>> = rows
                .into_iter()
                .map(|row| {
                    // A role assignment row stands for the assignment (its principal has a
                    // column of its own).
                    let id = row.object()["@assignment"]["id"]
                        .as_str()
                        .unwrap_or(row.id())
                        .to_string();
                    let mut cells = vec![id];
                    cells.extend(row.cells.to_vec());
                    cells
                })
                .collect();
            let header: Vec<&str> = header.iter().map(String::as_str).collect();
            write_records(&header, rows, format, out)
        }
    }
}

/// Write records under a header: JSON objects keyed by the header, or CSV (no cell starts a
/// formula) and Markdown (no cell ends early or starts markup). A blade's rows come here for
/// CSV and Markdown; records that are no blade's (`group-members`) for every format.
pub fn write_records(
    header: &[&str],
    records: Vec<Vec<String>>,
    format: ExportFormat,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        ExportFormat::Json => {
            let objects: Vec<Value> = records
                .into_iter()
                .map(|r| {
                    Value::Object(
                        header
                            .iter()
                            .zip(r)
                            .map(|(k, v)| (k.to_string(), Value::String(v)))
                            .collect(),
                    )
                })
                .collect();
            let text = serde_json::to_string_pretty(&objects).map_err(std::io::Error::other)?;
            writeln!(out, "{}", json_safe(&text))
        }
        ExportFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(header).map_err(csv_io)?;
            for r in records {
                let safe = r.iter().map(|c| crate::sanitize::csv_cell(c));
                w.write_record(safe).map_err(csv_io)?;
            }
            w.flush()
        }
        ExportFormat::Md => {
            let esc = crate::sanitize::md_cell;
            writeln!(
                out,
                "| {} |",
                header
                    .iter()
                    .map(|h| esc(h))
                    .collect::<Vec<_>>()
                    .join(" | ")
            )?;
            writeln!(out, "|{}", " --- |".repeat(header.len()))?;
            for r in records {
                writeln!(
                    out,
                    "| {} |",
                    r.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
                )?;
            }
            Ok(())
        }
    }
}

/// A CSV writer's error as the I/O error it is, its kind kept: a closed pipe stays a
/// `BrokenPipe` (the end of the output, not a failure).
fn csv_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blades::BladeKind;
    use serde_json::json;

    fn groups() -> Vec<Value> {
        vec![
            json!({"id": "1", "displayName": "A, \"quoted\"", "securityEnabled": true, "createdDateTime": "2024-01-02T00:00:00Z"}),
            json!({"id": "2", "displayName": "Evil\u{1b}[2J|x\u{202e}", "groupTypes": ["Unified"], "mailEnabled": true}),
        ]
    }

    #[test]
    fn csv_is_rfc4180_with_stable_header() {
        let mut out = Vec::new();
        write(
            &ListSource::Blade(BladeKind::Groups),
            groups(),
            ExportFormat::Csv,
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next().unwrap(), "id,Name,Type,Mail,Created");
        assert_eq!(
            lines.next().unwrap(),
            "1,\"A, \"\"quoted\"\"\",SEC,,2024-01-02"
        );
        assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'));
    }

    #[test]
    fn json_keeps_values_but_no_raw_controls() {
        let mut out = Vec::new();
        write(
            &ListSource::Blade(BladeKind::Groups),
            groups(),
            ExportFormat::Json,
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'));
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, Value::Array(groups()));
    }

    #[test]
    fn markdown_escapes_pipes() {
        let mut out = Vec::new();
        write(
            &ListSource::Blade(BladeKind::Groups),
            groups(),
            ExportFormat::Md,
            &mut out,
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\\|x"));
        assert_eq!(text.lines().count(), 4);
    }

    #[test]
    fn exports_are_safe_to_open() {
        let hostile = vec![
            json!({"id": "1", "displayName": "=HYPERLINK(\"http://x\",\"y\")"}),
            json!({"id": "2", "displayName": "a\\|b <script>x</script> **b**"}),
        ];
        let source = ListSource::Blade(BladeKind::Groups);
        let mut csv = Vec::new();
        write(&source, hostile.clone(), ExportFormat::Csv, &mut csv).unwrap();
        let mut r = csv::Reader::from_reader(csv.as_slice());
        let names: Vec<String> = r.records().map(|x| x.unwrap()[1].to_string()).collect();
        assert!(names[0].starts_with("'="), "{names:?}");
        let mut md = Vec::new();
        write(&source, hostile, ExportFormat::Md, &mut md).unwrap();
        let md = String::from_utf8(md).unwrap();
        let row = md.lines().nth(3).unwrap();
        // Five columns: six unescaped pipes, however many the name holds.
        let bars = row
            .match_indices('|')
            .filter(|(i, _)| !row[..*i].ends_with('\\'))
            .count();
        assert_eq!(bars, 6, "{row}");
        assert!(!md.contains("<script>"), "{md}");
    }
}

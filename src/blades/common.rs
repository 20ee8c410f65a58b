//! Small readers of Graph values and sheet sections every blade file shares.

pub use crate::graph::endpoints::path_segment;
use crate::widgets::sheet::Sheet;
use crate::widgets::table::TableRow;
use serde_json::Value;

/// The only row of a list built from one object (a facts- or roles-backed blade's row for an
/// export or the cache), or an empty row when the object gives none.
pub fn only_row(rows: Vec<TableRow>) -> TableRow {
    rows.into_iter()
        .next()
        .unwrap_or_else(|| TableRow::new(Value::Null, Vec::new()))
}

/// A sheet section listing policies with their state: `empty` when there are none, "loading…"
/// while the facts are not read yet, and why when the policies could not be read.
pub fn policy_section(
    sheet: &mut Sheet,
    title: &str,
    facts: Option<&crate::protect::Facts>,
    select: impl FnOnce(&crate::protect::Facts) -> Vec<&Value>,
    empty: &str,
) {
    let u = sheet.section(title);
    let Some(f) = facts else {
        u.push((String::new(), "loading…".into()));
        return;
    };
    if let Some(m) = f.lacking(&[crate::protect::Part::Policies]) {
        u.push(("unknown".into(), m));
        return;
    }
    let list = select(f);
    if list.is_empty() {
        u.push((String::new(), empty.to_string()));
    }
    for p in list {
        u.push((
            crate::protect::state_label(p["state"].as_str().unwrap_or_default()).into(),
            crate::widgets::sheet::show(&p["displayName"]),
        ));
    }
}

/// Names for ids (users, groups, role templates, locations, strengths, apps).
pub type Names = std::collections::HashMap<String, String>;

/// The date part of a Graph timestamp (`2024-05-01T...Z` -> `2024-05-01`).
pub fn date(v: &Value) -> String {
    v.as_str()
        .map(|s| s.chars().take(10).collect())
        .unwrap_or_default()
}

/// A string property or empty.
pub fn text(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The role's name (from the expanded definition), else its id.
pub fn role_name(v: &Value) -> String {
    v["roleDefinition"]["displayName"]
        .as_str()
        .map(crate::sanitize::clean)
        .unwrap_or_else(|| text(v, "roleDefinitionId"))
}

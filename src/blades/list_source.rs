//! What a list view lists, read and made into rows: `ListSource`'s title, reading and rows.

use super::common::text;
use super::def::{ListSource, ObjectKind, ObjectRef};
use super::source::{Load, Reading};
use super::{findings, groups, roles, whatif};
use crate::graph::Request;
use crate::graph::model::odata_kind;
use crate::theme::Theme;
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

impl ListSource {
    pub fn title(&self) -> String {
        match self {
            ListSource::Blade(b) => b.title().to_string(),
            ListSource::GroupMembers { relation, .. } => relation.title().to_string(),
            ListSource::MemberOf { .. } => "Member of".to_string(),
            // A list of one object's things names it (marked rows never make one).
            ListSource::Sub { def, name, .. } if !name.is_empty() => {
                format!("{} · {}", def.0.title, crate::sanitize::clean(name))
            }
            ListSource::Sub { def, .. } => def.0.title.to_string(),
            ListSource::Evidence { rule, .. } => format!("Evidence {rule}"),
            ListSource::Query { blade, query } => format!("{} ?{query}", blade.title()),
            ListSource::RoleAssignments { .. } => "Assignments".to_string(),
            ListSource::WhatIf { query } => format!("What If {}", query.user),
            ListSource::WhoCan { permission } => format!(
                "Who can {}",
                permission.trim_start_matches("microsoft.directory/")
            ),
        }
    }

    /// How this list is read.
    pub fn reading(&self) -> Reading {
        match self {
            ListSource::Blade(b) => match &b.0.load {
                Load::Graph(request) => Reading::Graph {
                    request: request(),
                    cache: Some(crate::cache::CacheKey::Collection(b.command().to_string())),
                },
                Load::Facts { .. } => Reading::Facts,
                Load::Roles(_) => Reading::Roles,
                Load::Journal => Reading::Journal,
                Load::Parts(requests) => Reading::Parts(requests()),
                Load::Computed(c) => Reading::Computed(*c, String::new()),
            },
            ListSource::RoleAssignments { .. } | ListSource::WhoCan { .. } => Reading::Roles,
            ListSource::GroupMembers {
                group_id, relation, ..
            } => Reading::Graph {
                request: relation.request(group_id),
                // Only the direct members are kept in the cache (synced with the groups).
                cache: (*relation == groups::Relation::Members)
                    .then(|| crate::cache::CacheKey::Members(group_id.clone())),
            },
            ListSource::MemberOf { user_id, .. } => Reading::Graph {
                request: crate::graph::endpoints::member_of(user_id),
                cache: None,
            },
            ListSource::Sub { def, id, .. } => Reading::Graph {
                request: (def.0.request)(id),
                cache: None,
            },
            ListSource::Query { blade, query } => match blade.0.query {
                Some(read) => read(query),
                None => Reading::Parts(Vec::new()),
            },
            ListSource::Evidence { items, .. } => {
                Reading::Computed(findings::EVIDENCE, items.clone())
            }
            ListSource::WhatIf { query } => Reading::WhatIf(query.clone()),
        }
    }

    /// The Graph request of a Graph-backed list (`export` reads it live).
    pub fn graph_request(&self) -> Option<Request> {
        match self.reading() {
            Reading::Graph { request, .. } => Some(request),
            _ => None,
        }
    }

    /// Lists built from the protection facts (actions, contexts, policies read together, so
    /// each row can say how well it is protected).
    pub fn facts_backed(&self) -> bool {
        matches!(self.reading(), Reading::Facts)
    }

    /// Lists built from the role facts (definitions, assignments, eligibility, group members).
    pub fn roles_backed(&self) -> bool {
        matches!(self.reading(), Reading::Roles)
    }

    /// The rows of a roles-backed list.
    pub fn rows_from_roles(&self, f: &crate::roles::RoleFacts) -> Vec<TableRow> {
        match self {
            ListSource::Blade(b) => match b.0.load {
                Load::Roles(rows) => rows(f),
                _ => Vec::new(),
            },
            ListSource::RoleAssignments { role_id, .. } => roles::assignment_rows(role_id, f),
            ListSource::WhoCan { permission } => roles::who_rows(permission, f),
            _ => Vec::new(),
        }
    }

    /// Why a roles-backed list has nothing to show, when the question itself is wrong (a
    /// permission no role grants is unknown, not "held by nobody").
    pub fn roles_problem(&self, f: &crate::roles::RoleFacts) -> Option<String> {
        match self {
            ListSource::WhoCan { permission }
                if crate::roles::who_can(permission, f).0.is_empty() =>
            {
                Some(format!(
                    "unknown permission {permission}: no role definition grants it"
                ))
            }
            _ => None,
        }
    }

    /// The parts of the facts this list shows (a missing one is named above the rows).
    pub fn facts_parts(&self) -> &'static [crate::protect::Part] {
        match self {
            ListSource::Blade(b) => match b.0.load {
                Load::Facts { parts, .. } => parts,
                _ => &[],
            },
            _ => &[],
        }
    }

    /// The rows of a facts-backed list.
    pub fn rows_from_facts(&self, facts: &crate::protect::Facts) -> Vec<TableRow> {
        match self {
            ListSource::Blade(b) => match b.0.load {
                Load::Facts { rows, .. } => rows(facts),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    pub fn columns(&self) -> Vec<Column> {
        match self {
            ListSource::Blade(b) => (b.0.columns)(),
            ListSource::WhatIf { .. } => whatif::columns(),
            ListSource::RoleAssignments { .. } => roles::assignment_columns(),
            ListSource::WhoCan { .. } => roles::who_columns(),
            ListSource::GroupMembers { .. } => groups::member_columns(),
            ListSource::MemberOf { .. } => groups::member_of_columns(),
            ListSource::Sub { def, .. } => (def.0.columns)(),
            ListSource::Query { blade, .. } => (blade.0.columns)(),
            ListSource::Evidence { .. } => findings::evidence_columns(),
        }
    }

    /// The rows of one object (one, unless the blade lists several per object).
    pub fn rows(&self, v: Value) -> Vec<TableRow> {
        match self {
            ListSource::Blade(b) if b.0.rows_of.is_some() => {
                b.0.rows_of.map_or_else(Vec::new, |f| f(v))
            }
            _ => vec![self.row(v)],
        }
    }

    /// What the list joins to its rows by id, when its blade declares one (risk on Users);
    /// only a list of one row per object is joined.
    pub fn join(&self) -> Option<&'static super::join::Join> {
        let def = match self {
            ListSource::Blade(b) | ListSource::Query { blade: b, .. } => b.0,
            _ => return None,
        };
        def.join.filter(|_| self.one_row_per_object())
    }

    /// Rows are one per object (merged by id when a page repeats one).
    pub fn one_row_per_object(&self) -> bool {
        // A related list (a risky user's history) repeats one id on every item.
        !matches!(self, ListSource::Blade(b) if b.0.rows_of.is_some())
            && !matches!(self, ListSource::Sub { .. })
    }

    pub fn row(&self, v: Value) -> TableRow {
        match self {
            ListSource::Blade(b) => (b.0.row)(v),
            ListSource::GroupMembers { .. } => groups::member_row(v),
            ListSource::MemberOf { .. } => groups::member_of_row(v),
            ListSource::Sub { def, .. } => (def.0.row)(v),
            ListSource::Query { blade, .. } => (blade.0.row)(v),
            ListSource::Evidence { .. } => findings::evidence_row(v),
            ListSource::WhatIf { .. }
            | ListSource::RoleAssignments { .. }
            | ListSource::WhoCan { .. } => {
                let name = text(&v, "displayName");
                TableRow::new(v, vec![name])
            }
        }
    }

    /// Colour for a cell, by blade.
    pub fn style(&self, row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
        match self {
            ListSource::Blade(b) => (b.0.style)(row, col, theme),
            ListSource::WhatIf { .. } => whatif::style(row, col, theme),
            ListSource::Sub { def, .. } => (def.0.style)(row, col, theme),
            ListSource::Query { blade, .. } => (blade.0.style)(row, col, theme),
            ListSource::RoleAssignments { .. }
            | ListSource::WhoCan { .. }
            | ListSource::GroupMembers { .. }
            | ListSource::Evidence { .. }
            | ListSource::MemberOf { .. } => None,
        }
    }

    /// What Enter on a row opens.
    pub fn open(&self, v: &Value) -> Option<ObjectRef> {
        let id = v
            .get("id")?
            .as_str()
            .filter(|id| !id.trim().is_empty())?
            .to_string();
        // Objects without a display name go by what names them: a risky user by its user's
        // name (titles and breadcrumbs never show a GUID that a name could replace), a
        // subscribed SKU by its part number; the id only when nothing names the object.
        let name = [
            "displayName",
            "userDisplayName",
            "skuPartNumber",
            "userPrincipalName",
            // A journal entry: the write itself.
            "path",
        ]
        .iter()
        .find_map(|k| {
            v.get(*k)
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
        })
        .unwrap_or(&id)
        .to_string();
        let kind = match self {
            ListSource::Blade(b) => b.0.opens?,
            ListSource::WhatIf { .. } => ObjectKind(&super::ca::DETAIL),
            ListSource::Sub { def, .. } => return (def.0.open)(v),
            ListSource::Query { blade, .. } => blade.0.opens?,
            ListSource::Evidence { .. } => return findings::open_evidence(v),
            ListSource::GroupMembers { .. }
            | ListSource::MemberOf { .. }
            | ListSource::RoleAssignments { .. }
            | ListSource::WhoCan { .. } => match odata_kind(v) {
                "user" => ObjectKind(&super::users::DETAIL),
                "group" => ObjectKind(&super::groups::DETAIL),
                _ => return None,
            },
        };
        Some(ObjectRef { kind, id, name })
    }
}

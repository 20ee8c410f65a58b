//! The blades: what each list shows (columns, request, rows) and what Enter opens. A blade adds
//! only its columns, requests, sheets and drill-downs; the shell does the rest.

pub mod ca;
pub mod ca_detail;
pub mod contexts;
pub mod groups;
pub mod journal;
pub mod locations;
pub mod protected;
pub mod roles;
pub mod strengths;
pub mod users;
pub mod whatif;

use crate::graph::Request;
use crate::graph::model::odata_kind;
use crate::theme::Theme;
use crate::widgets::sheet::Sheet;
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

/// The blades in the navigation list. Only working blades are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BladeKind {
    Groups,
    Users,
    CaPolicies,
    NamedLocations,
    AuthStrengths,
    Roles,
    ProtectedActions,
    AuthContexts,
    /// The journal of writes this console made (from the cache).
    Journal,
}

impl BladeKind {
    pub const ALL: &'static [BladeKind] = &[
        BladeKind::Groups,
        BladeKind::Users,
        BladeKind::Roles,
        BladeKind::CaPolicies,
        BladeKind::NamedLocations,
        BladeKind::AuthStrengths,
        BladeKind::ProtectedActions,
        BladeKind::AuthContexts,
        BladeKind::Journal,
    ];

    pub fn title(self) -> &'static str {
        match self {
            BladeKind::Groups => "Groups",
            BladeKind::Users => "Users",
            BladeKind::CaPolicies => "Conditional Access",
            BladeKind::NamedLocations => "Named locations",
            BladeKind::AuthStrengths => "Authentication strengths",
            BladeKind::Roles => "Roles and admins",
            BladeKind::ProtectedActions => "Protected actions",
            BladeKind::AuthContexts => "Authentication contexts",
            BladeKind::Journal => "Journal",
        }
    }

    /// The short name in the navigation list.
    pub fn nav_label(self) -> &'static str {
        match self {
            BladeKind::CaPolicies => "CA policies",
            BladeKind::NamedLocations => "Locations",
            BladeKind::AuthStrengths => "Strengths",
            BladeKind::Roles => "Roles",
            BladeKind::ProtectedActions => "Prot. actions",
            BladeKind::AuthContexts => "Auth contexts",
            other => other.title(),
        }
    }

    /// The name used by `:` and the CLI (`groups`).
    pub fn command(self) -> &'static str {
        match self {
            BladeKind::Groups => "groups",
            BladeKind::Users => "users",
            BladeKind::CaPolicies => "ca-policies",
            BladeKind::NamedLocations => "named-locations",
            BladeKind::AuthStrengths => "auth-strengths",
            BladeKind::Roles => "roles",
            BladeKind::ProtectedActions => "protected-actions",
            BladeKind::AuthContexts => "auth-contexts",
            BladeKind::Journal => "journal",
        }
    }

    pub fn from_command(s: &str) -> Option<BladeKind> {
        Self::ALL
            .iter()
            .copied()
            .find(|b| b.command().eq_ignore_ascii_case(s.trim()))
    }
}

/// What a list view lists.
#[derive(Clone, Debug, PartialEq)]
pub enum ListSource {
    Blade(BladeKind),
    /// A role's active and eligible assignments.
    RoleAssignments {
        role_id: String,
        role_name: String,
    },
    /// Everyone who can use a permission, through roles, groups and eligibility.
    WhoCan {
        permission: String,
    },
    GroupMembers {
        group_id: String,
        group_name: String,
    },
    /// Every policy evaluated for one sign-in.
    WhatIf {
        query: crate::ca::whatif::WhatIfQuery,
    },
}

/// The kinds of object a detail view can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    User,
    Group,
    CaPolicy,
    ProtectedAction,
    AuthContext,
    Role,
    NamedLocation,
    AuthStrength,
}

/// An object to open: kind, id and the name to show while it loads.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectRef {
    pub kind: ObjectKind,
    pub id: String,
    pub name: String,
}

impl ListSource {
    pub fn title(&self) -> String {
        match self {
            ListSource::Blade(b) => b.title().to_string(),
            ListSource::GroupMembers { .. } => "Members".to_string(),
            ListSource::RoleAssignments { .. } => "Assignments".to_string(),
            ListSource::WhatIf { query } => format!("What If {}", query.user),
            ListSource::WhoCan { permission } => format!(
                "Who can {}",
                permission.trim_start_matches("microsoft.directory/")
            ),
        }
    }

    /// Lists that exist only in the cache (the journal): never fetched from Graph.
    pub fn is_local(&self) -> bool {
        matches!(
            self,
            ListSource::Blade(BladeKind::Journal) | ListSource::WhatIf { .. }
        )
    }

    /// Lists built from the protection facts (actions, contexts, policies read together, so
    /// each row can say how well it is protected).
    pub fn facts_backed(&self) -> bool {
        matches!(
            self,
            ListSource::Blade(
                BladeKind::ProtectedActions | BladeKind::AuthContexts | BladeKind::AuthStrengths
            )
        )
    }

    /// Lists built from the role facts (definitions, assignments, eligibility, group members).
    pub fn roles_backed(&self) -> bool {
        matches!(
            self,
            ListSource::Blade(BladeKind::Roles)
                | ListSource::RoleAssignments { .. }
                | ListSource::WhoCan { .. }
        )
    }

    /// The rows of a roles-backed list.
    pub fn rows_from_roles(&self, f: &crate::roles::RoleFacts) -> Vec<TableRow> {
        match self {
            ListSource::Blade(BladeKind::Roles) => roles::rows(f),
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
        use crate::protect::Part::{Actions, Contexts, Policies, Strengths};
        match self {
            ListSource::Blade(BladeKind::ProtectedActions) => &[Actions, Contexts, Policies],
            ListSource::Blade(BladeKind::AuthContexts) => &[Contexts, Actions, Policies],
            ListSource::Blade(BladeKind::AuthStrengths) => &[Strengths, Policies],
            _ => &[],
        }
    }

    /// The rows of a facts-backed list.
    pub fn rows_from_facts(&self, facts: &crate::protect::Facts) -> Vec<TableRow> {
        match self {
            ListSource::Blade(BladeKind::ProtectedActions) => protected::rows(facts),
            ListSource::Blade(BladeKind::AuthContexts) => contexts::rows(facts),
            ListSource::Blade(BladeKind::AuthStrengths) => strengths::rows(facts),
            _ => Vec::new(),
        }
    }

    /// Where the cache keeps this list (`members:{group}` for members).
    pub fn cache_key(&self) -> Option<String> {
        Some(match self {
            _ if self.facts_backed() || self.roles_backed() => return None,
            ListSource::Blade(b) => b.command().to_string(),
            ListSource::GroupMembers { group_id, .. } => format!("members:{group_id}"),
            ListSource::RoleAssignments { .. }
            | ListSource::WhoCan { .. }
            | ListSource::WhatIf { .. } => return None,
        })
    }

    pub fn columns(&self) -> Vec<Column> {
        match self {
            ListSource::Blade(BladeKind::Groups) => groups::columns(),
            ListSource::Blade(BladeKind::Users) => users::columns(),
            ListSource::Blade(BladeKind::CaPolicies) => ca::columns(),
            ListSource::Blade(BladeKind::NamedLocations) => locations::columns(),
            ListSource::Blade(BladeKind::AuthStrengths) => strengths::columns(),
            ListSource::WhatIf { .. } => whatif::columns(),
            ListSource::Blade(BladeKind::Journal) => journal::columns(),
            ListSource::Blade(BladeKind::ProtectedActions) => protected::columns(),
            ListSource::Blade(BladeKind::AuthContexts) => contexts::columns(),
            ListSource::Blade(BladeKind::Roles) => roles::columns(),
            ListSource::RoleAssignments { .. } => roles::assignment_columns(),
            ListSource::WhoCan { .. } => roles::who_columns(),
            ListSource::GroupMembers { .. } => groups::member_columns(),
        }
    }

    pub fn request(&self) -> Request {
        match self {
            ListSource::Blade(BladeKind::Groups) => groups::list_request(),
            ListSource::Blade(BladeKind::Users) => users::list_request(),
            ListSource::Blade(BladeKind::CaPolicies) => ca::list_request(),
            ListSource::Blade(BladeKind::NamedLocations) => {
                Request::get(crate::ca::backup::LOCATIONS)
            }
            ListSource::Blade(BladeKind::AuthStrengths) => Request::get(strengths::PATH),
            ListSource::WhatIf { .. } => Request::get("/$whatif"),
            ListSource::Blade(BladeKind::Journal) => journal::request(),
            ListSource::Blade(BladeKind::Roles)
            | ListSource::RoleAssignments { .. }
            | ListSource::WhoCan { .. } => {
                Request::get("/roleManagement/directory/roleDefinitions").beta()
            }
            ListSource::Blade(BladeKind::ProtectedActions | BladeKind::AuthContexts) => {
                let [actions, contexts, _] = crate::protect::Facts::requests();
                if *self == ListSource::Blade(BladeKind::ProtectedActions) {
                    actions
                } else {
                    contexts
                }
            }
            ListSource::GroupMembers { group_id, .. } => groups::members_request(group_id),
        }
    }

    pub fn row(&self, v: Value) -> TableRow {
        match self {
            ListSource::Blade(BladeKind::Groups) => groups::row(v),
            ListSource::Blade(BladeKind::Users) => users::row(v),
            ListSource::Blade(BladeKind::CaPolicies) => ca::row(v),
            ListSource::Blade(BladeKind::NamedLocations) => locations::row(v),
            ListSource::Blade(BladeKind::AuthStrengths) => {
                let facts = crate::protect::Facts {
                    strengths: vec![v],
                    ..Default::default()
                };
                strengths::rows(&facts)
                    .pop()
                    .unwrap_or_else(|| TableRow::new(Value::Null, Vec::new()))
            }
            ListSource::WhatIf { .. } => {
                let name = text(&v, "displayName");
                TableRow::new(v, vec![name])
            }
            ListSource::Blade(BladeKind::Journal) => journal::row(v),
            ListSource::Blade(BladeKind::Roles) => {
                let f = crate::roles::RoleFacts {
                    definitions: vec![v],
                    ..Default::default()
                };
                roles::rows(&f)
                    .pop()
                    .unwrap_or_else(|| TableRow::new(Value::Null, Vec::new()))
            }
            ListSource::RoleAssignments { .. } | ListSource::WhoCan { .. } => {
                let name = text(&v, "displayName");
                TableRow::new(v, vec![name])
            }
            ListSource::Blade(BladeKind::ProtectedActions) => {
                protected::row(v, &Default::default())
            }
            ListSource::Blade(BladeKind::AuthContexts) => {
                let facts = crate::protect::Facts {
                    contexts: vec![v],
                    ..Default::default()
                };
                contexts::rows(&facts)
                    .pop()
                    .unwrap_or_else(|| TableRow::new(Value::Null, Vec::new()))
            }
            ListSource::GroupMembers { .. } => groups::member_row(v),
        }
    }

    /// Colour for a cell, by blade.
    pub fn style(&self, row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
        match self {
            ListSource::Blade(BladeKind::Groups) => groups::style(row, col, theme),
            ListSource::Blade(BladeKind::Users) => users::style(row, col, theme),
            ListSource::Blade(BladeKind::CaPolicies) => ca::style(row, col, theme),
            ListSource::Blade(BladeKind::NamedLocations) => locations::style(row, col, theme),
            ListSource::Blade(BladeKind::AuthStrengths) => strengths::style(row, col, theme),
            ListSource::WhatIf { .. } => whatif::style(row, col, theme),
            ListSource::Blade(BladeKind::Journal) => journal::style(row, col, theme),
            ListSource::Blade(BladeKind::Roles) => roles::style(row, col, theme),
            ListSource::RoleAssignments { .. } | ListSource::WhoCan { .. } => None,
            ListSource::Blade(BladeKind::ProtectedActions) => protected::style(row, col, theme),
            ListSource::Blade(BladeKind::AuthContexts) => contexts::style(row, col, theme),
            ListSource::GroupMembers { .. } => None,
        }
    }

    /// What Enter on a row opens.
    pub fn open(&self, v: &Value) -> Option<ObjectRef> {
        let id = v.get("id")?.as_str()?.to_string();
        let name = v
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or(&id)
            .to_string();
        let kind = match self {
            ListSource::Blade(BladeKind::Groups) => ObjectKind::Group,
            ListSource::Blade(BladeKind::Users) => ObjectKind::User,
            ListSource::Blade(BladeKind::CaPolicies) | ListSource::WhatIf { .. } => {
                ObjectKind::CaPolicy
            }
            ListSource::Blade(BladeKind::NamedLocations) => ObjectKind::NamedLocation,
            ListSource::Blade(BladeKind::AuthStrengths) => ObjectKind::AuthStrength,
            ListSource::Blade(BladeKind::Journal) => return None,
            ListSource::Blade(BladeKind::Roles) => ObjectKind::Role,
            ListSource::Blade(BladeKind::ProtectedActions) => ObjectKind::ProtectedAction,
            ListSource::Blade(BladeKind::AuthContexts) => ObjectKind::AuthContext,
            ListSource::GroupMembers { .. }
            | ListSource::RoleAssignments { .. }
            | ListSource::WhoCan { .. } => match odata_kind(v) {
                "user" => ObjectKind::User,
                "group" => ObjectKind::Group,
                _ => return None,
            },
        };
        Some(ObjectRef { kind, id, name })
    }
}

impl ObjectKind {
    pub fn request(self, id: &str) -> Request {
        match self {
            ObjectKind::Group => groups::detail_request(id),
            ObjectKind::User => users::detail_request(id),
            ObjectKind::CaPolicy => ca::detail_request(id),
            ObjectKind::ProtectedAction => protected::detail_request(id),
            ObjectKind::AuthContext => contexts::detail_request(id),
            ObjectKind::Role => roles::detail_request(id),
            ObjectKind::NamedLocation => locations::detail_request(id),
            ObjectKind::AuthStrength => {
                Request::get(format!("{}/{}", strengths::PATH, path_segment(id)))
            }
        }
    }

    /// The detail sheet. `roles` is `Ok(None)` while the role facts are being read and
    /// `Err(why)` when they could not be: a user's or group's page says which.
    pub fn sheet(
        self,
        v: &Value,
        facts: Option<&crate::protect::Facts>,
        roles: Result<Option<&crate::roles::RoleFacts>, &str>,
        names: &Names,
    ) -> Sheet {
        let mut sheet = self.base_sheet(v, facts, names);
        if !matches!(self, ObjectKind::User | ObjectKind::Group) {
            return sheet;
        }
        match (roles, v["id"].as_str()) {
            (Ok(Some(r)), Some(id)) => {
                roles::principal_sections(&mut sheet, id, self == ObjectKind::User, r);
            }
            (Ok(None), _) => sheet
                .section("Directory roles")
                .push((String::new(), "loading…".into())),
            (Err(why), _) => sheet
                .section("Directory roles")
                .push(("unavailable".into(), why.to_string())),
            (Ok(Some(_)), None) => {}
        }
        sheet
    }

    fn base_sheet(self, v: &Value, facts: Option<&crate::protect::Facts>, names: &Names) -> Sheet {
        match self {
            ObjectKind::ProtectedAction => protected::sheet(v, facts),
            ObjectKind::AuthContext => contexts::sheet(v, facts),
            ObjectKind::Role => roles::sheet(v, facts),
            ObjectKind::Group => groups::sheet(v),
            ObjectKind::User => users::sheet(v),
            ObjectKind::CaPolicy => ca::sheet(v, names),
            ObjectKind::NamedLocation => locations::sheet(v, facts),
            ObjectKind::AuthStrength => strengths::sheet(v, facts),
        }
    }

    /// The cache collection of this kind.
    pub fn collection(self) -> &'static str {
        match self {
            ObjectKind::Group => "groups",
            ObjectKind::User => "users",
            ObjectKind::CaPolicy => "ca-policies",
            ObjectKind::ProtectedAction => "protected-actions",
            ObjectKind::AuthContext => "auth-contexts",
            ObjectKind::Role => "roles",
            ObjectKind::NamedLocation => "named-locations",
            ObjectKind::AuthStrength => "auth-strengths",
        }
    }

    pub fn has_members(self) -> bool {
        self == ObjectKind::Group
    }
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

pub use crate::graph::endpoints::path_segment;

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

//! The blades' registry: every blade in its order, the names code refers to, what `sync` can
//! fill and the pages no blade opens. A blade is declared in its own file with the types of
//! `def` (the declarations), `source` (how a list is read), `verb` (what a verb sees and
//! asks) and `common` (small readers of Graph values); none of those names this file.

pub mod activation;
pub mod approvals;
pub mod assign_verbs;
pub mod auth_methods;
pub mod ca;
pub mod ca_detail;
pub mod common;
pub mod contexts;
pub mod coverage;
pub mod def;
pub mod deleted;
pub mod devices;
pub mod finding_page;
pub mod findings;
pub mod group_verbs;
pub mod groups;
pub mod join;
pub mod journal;
pub mod licence_verbs;
pub mod license_errors;
pub mod licensed_groups;
pub mod licenses;
mod list_source;
pub mod locations;
pub mod member_verbs;
pub mod my_groups;
pub mod my_roles;
pub mod pim_approvers;
pub mod pim_edit;
pub mod pim_group_page;
pub mod pim_harden;
pub mod pim_rules;
pub mod pim_settings;
pub mod protected;
pub mod report_only;
pub mod risk_verbs;
pub mod risky;
pub mod roles;
pub mod signin_blade;
pub mod signin_page;
pub mod signins;
pub mod source;
pub mod strengths;
pub mod user_verbs;
pub mod users;
pub mod verb;
pub mod whatif;
pub mod xray;

use crate::widgets::sheet::Sheet;
pub use common::*;
pub use def::*;
use serde_json::Value;
pub use source::*;

/// Names for the blades code refers to by name (a new blade needs none: the registry line is
/// enough).
#[allow(non_upper_case_globals)]
impl BladeKind {
    pub const Groups: BladeKind = BladeKind(&groups::BLADE);
    pub const Users: BladeKind = BladeKind(&users::BLADE);
    pub const Roles: BladeKind = BladeKind(&roles::BLADE);
    pub const CaPolicies: BladeKind = BladeKind(&ca::BLADE);
    pub const NamedLocations: BladeKind = BladeKind(&locations::BLADE);
    pub const AuthStrengths: BladeKind = BladeKind(&strengths::BLADE);
    pub const ProtectedActions: BladeKind = BladeKind(&protected::BLADE);
    pub const AuthContexts: BladeKind = BladeKind(&contexts::BLADE);
    pub const Journal: BladeKind = BladeKind(&journal::BLADE);
}

impl BladeKind {
    /// The registry: the navigation list, `:` completion, `export`, `sync`, help and the
    /// CLI's blade names all come from it, in this order. One line per blade.
    pub const ALL: &'static [BladeKind] = &[
        BladeKind(&groups::BLADE),
        BladeKind(&users::BLADE),
        BladeKind(&roles::BLADE),
        BladeKind(&ca::BLADE),
        BladeKind(&locations::BLADE),
        BladeKind(&strengths::BLADE),
        BladeKind(&protected::BLADE),
        BladeKind(&contexts::BLADE),
        BladeKind(&licenses::BLADE),
        BladeKind(&license_errors::BLADE),
        BladeKind(&licensed_groups::BLADE),
        BladeKind(&my_roles::BLADE),
        BladeKind(&pim_settings::BLADE),
        BladeKind(&approvals::BLADE),
        BladeKind(&risky::BLADE),
        BladeKind(&signin_blade::BLADE),
        BladeKind(&report_only::BLADE),
        BladeKind(&coverage::BLADE),
        BladeKind(&deleted::BLADE),
        BladeKind(&devices::BLADE),
        BladeKind(&findings::BLADE),
        BladeKind(&journal::BLADE),
    ];

    /// The blade a name means: its command first, else any of its other names (`licensing`,
    /// `deleted`, `lic-errors`), as `:` knows them.
    pub fn from_command(s: &str) -> Option<BladeKind> {
        let s = s.trim();
        Self::ALL
            .iter()
            .copied()
            .find(|b| b.command().eq_ignore_ascii_case(s))
            .or_else(|| {
                let s = s.to_lowercase();
                Self::ALL.iter().copied().find(|b| b.names().contains(&s))
            })
    }
}

/// Names for the kinds code refers to by name.
#[allow(non_upper_case_globals)]
impl ObjectKind {
    pub const User: ObjectKind = ObjectKind(&users::DETAIL);
    pub const Group: ObjectKind = ObjectKind(&groups::DETAIL);
    pub const CaPolicy: ObjectKind = ObjectKind(&ca::DETAIL);
    pub const ProtectedAction: ObjectKind = ObjectKind(&protected::DETAIL);
    pub const AuthContext: ObjectKind = ObjectKind(&contexts::DETAIL);
    pub const Role: ObjectKind = ObjectKind(&roles::DETAIL);
    pub const NamedLocation: ObjectKind = ObjectKind(&locations::DETAIL);
    pub const AuthStrength: ObjectKind = ObjectKind(&strengths::DETAIL);
}

impl ObjectKind {
    /// The page of that name: one a blade's rows open, or one of [`PAGES`].
    pub fn named(name: &str) -> Option<ObjectKind> {
        BladeKind::ALL
            .iter()
            .filter_map(|b| b.def().opens)
            .chain(PAGES.iter().copied())
            .find(|k| k.def().name == name)
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
        let mut sheet = (self.0.sheet)(v, facts, names);
        if !self.0.principal {
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
}

/// What `sync` can fill, in the order it runs: every blade with a sync spec, then the members
/// of the cached groups (`group-members`, a fan-out rather than a collection).
pub fn sync_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = BladeKind::ALL
        .iter()
        .filter(|b| b.0.sync.is_some())
        .map(|b| b.command())
        .collect();
    names.push(GROUP_MEMBERS);
    names.push(AUDIT_READS);
    names
}

/// The `sync` name of the audit's reads (roles, protection, policies, domains…), kept so any
/// synced cache audits offline and the console's roles and protected actions work offline.
pub const AUDIT_READS: &str = "audit";

/// The `sync` name of the members fan-out.
pub const GROUP_MEMBERS: &str = "group-members";

/// The sync spec of a blade, by its command.
pub fn sync_spec(name: &str) -> Option<crate::cache::sync::Spec> {
    BladeKind::from_command(name)
        .and_then(|b| b.0.sync)
        .map(|f| f())
}

/// Pages no blade's rows open, reached from a sub-list (a sign-in's): their verbs are bound
/// everywhere and answer only on their page.
pub static PAGES: &[ObjectKind] = &[
    ObjectKind(&signin_page::DETAIL),
    ObjectKind(&pim_group_page::DETAIL),
    ObjectKind(&finding_page::DETAIL),
    ObjectKind(&coverage::DETAIL),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_is_found_by_its_name() {
        assert_eq!(ObjectKind::named("user"), Some(ObjectKind::User));
        for k in BladeKind::ALL
            .iter()
            .filter_map(|b| b.def().opens)
            .chain(PAGES.iter().copied())
        {
            assert_eq!(ObjectKind::named(k.def().name), Some(k));
        }
        assert_eq!(ObjectKind::named("nope"), None);
    }
}

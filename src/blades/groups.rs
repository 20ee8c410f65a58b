//! The Groups blade: list with type badges, detail sheet, members sub-list.

use super::common::{date, text};
use super::def::ListSource;
use super::def::{Step, Verb};
use super::verb::Scope;
pub use crate::graph::endpoints::{
    GROUP_DETAIL_FIELDS as DETAIL_FIELDS, GROUP_LIST_FIELDS as LIST_FIELDS,
    group as detail_request, group_members as members_request, groups as list_request,
};
use crate::graph::model::{Group, odata_kind};
use crate::theme::Theme;
use crate::widgets::sheet::{Sheet, show};
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("Name", 16),
        Column::fixed("Type", 14),
        Column::fixed("Mail", 18),
        Column::fixed("Created", 10),
    ]
}

pub fn badges(g: &Group) -> String {
    g.badges()
        .iter()
        .map(|b| b.label())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn row(v: Value) -> TableRow {
    let g = Group::from_value(&v);
    let cells = vec![
        g.display_name.clone().unwrap_or_default(),
        badges(&g),
        g.mail.clone().unwrap_or_default(),
        date(&v["createdDateTime"]),
    ];
    TableRow::new(v, cells)
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match col {
        1 if row.cells[1].contains("ROLE") => Some(theme.privileged),
        1 => Some(theme.info),
        2 | 3 => Some(theme.muted),
        _ => None,
    }
}

pub use super::source::Relation;

impl Relation {
    pub fn request(self, group: &str) -> crate::graph::Request {
        match self {
            Relation::Members => members_request(group),
            other => crate::graph::endpoints::group_links(group, other.segment()),
        }
    }
}

pub fn member_columns() -> Vec<Column> {
    vec![
        Column::grow("Name", 16),
        Column::fixed("Type", 7),
        Column::fixed("UPN / mail", 40),
    ]
}

/// A directory object's type in a word (`servicePrincipal` is an app to an admin).
pub fn kind_label(v: &Value) -> String {
    match odata_kind(v) {
        "servicePrincipal" => "app".into(),
        "orgContact" => "contact".into(),
        "directoryObject" => "object".into(),
        other => other.into(),
    }
}

pub fn member_row(v: Value) -> TableRow {
    let kind = kind_label(&v);
    let upn = v
        .get("userPrincipalName")
        .and_then(Value::as_str)
        .or_else(|| v.get("mail").and_then(Value::as_str));
    let cells = vec![
        text(&v, "displayName"),
        kind,
        upn.unwrap_or_default().to_string(),
    ];
    TableRow::new(v, cells)
}

/// The readable sheet of a group: identity, type, membership, mail, sync, licences.
pub fn member_of_columns() -> Vec<Column> {
    vec![
        Column::grow("Name", 20),
        Column::fixed("Kind", 15),
        Column::fixed("Type", 18),
    ]
}

/// A group or directory role a user is in (Enter opens a group).
pub fn member_of_row(v: Value) -> TableRow {
    let kind = match odata_kind(&v) {
        "group" => "group",
        "directoryRole" => "directory role",
        other => other,
    }
    .to_string();
    let badges = if kind == "group" {
        badges(&Group::from_value(&v))
    } else {
        String::new()
    };
    TableRow::new(v.clone(), vec![text(&v, "displayName"), kind, badges])
}

pub fn sheet(v: &Value) -> Sheet {
    let g = Group::from_value(v);
    let mut s = Sheet::default();
    let p = |k: &str| show(&v[k]);
    let basics = s.section("Group");
    basics.push(("Name".into(), p("displayName")));
    basics.push(("Description".into(), p("description")));
    basics.push(("Object id".into(), p("id")));
    basics.push(("Created".into(), p("createdDateTime")));
    basics.push((
        "Type".into(),
        g.badges()
            .iter()
            .map(|b| b.describe())
            .collect::<Vec<_>>()
            .join(", "),
    ));
    basics.push(("Visibility".into(), p("visibility")));
    basics.push(("Classification".into(), p("classification")));
    let m = s.section("Membership");
    m.push((
        "Membership type".into(),
        if g.is_dynamic() {
            "Dynamic".into()
        } else {
            "Assigned".into()
        },
    ));
    m.push(("Rule".into(), p("membershipRule")));
    m.push(("Rule processing".into(), p("membershipRuleProcessingState")));
    m.push(("Role-assignable".into(), p("isAssignableToRole")));
    let mail = s.section("Mail");
    mail.push(("Mail enabled".into(), p("mailEnabled")));
    mail.push(("Security enabled".into(), p("securityEnabled")));
    mail.push(("Mail".into(), p("mail")));
    mail.push(("Alias".into(), p("mailNickname")));
    mail.push(("Proxy addresses".into(), p("proxyAddresses")));
    let sync = s.section("On-premises");
    sync.push(("Synced".into(), p("onPremisesSyncEnabled")));
    sync.push(("Domain".into(), p("onPremisesDomainName")));
    sync.push(("SAM account".into(), p("onPremisesSamAccountName")));
    sync.push(("SID".into(), p("onPremisesSecurityIdentifier")));
    sync.push(("Last sync".into(), p("onPremisesLastSyncDateTime")));
    let lic = s.section("Licences");
    if g.assigned_licenses.is_empty() {
        lic.push(("Assigned".into(), String::new()));
    }
    for l in &g.assigned_licenses {
        let disabled = if l.disabled_plans.is_empty() {
            "all plans enabled".to_string()
        } else {
            format!("{} plans disabled", l.disabled_plans.len())
        };
        let id = l.sku_id.clone().unwrap_or_default();
        let product = crate::licensing::product_name(&id, "").map_or(id.clone(), str::to_string);
        lic.push(("Product".into(), format!("{product} ({disabled})")));
    }
    // Group licensing is asynchronous: the page reads it again until it settles.
    lic.push((
        "Processing".into(),
        processing_words(&v["licenseProcessingState"]["state"]),
    ));
    s
}

/// A group's licence processing state in words (`licenseProcessingState.state`).
pub fn processing_words(state: &Value) -> String {
    match state.as_str() {
        Some("QueueForProcessing") => "queued: Graph has not started applying the licences".into(),
        Some("ProcessingInProgress") => "in progress: members are being licensed".into(),
        Some("ProcessingComplete") => "complete".into(),
        Some(other) => crate::sanitize::clean(other),
        None => String::new(),
    }
}

/// Whether the group's licence processing has not settled yet.
pub fn processing(group: &Value) -> bool {
    matches!(
        group["licenseProcessingState"]["state"].as_str(),
        Some("QueueForProcessing" | "ProcessingInProgress")
    )
}

/// The Groups blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Groups",
    nav_label: "Groups",
    command: "groups",
    aliases: &["group"],
    load: super::source::Load::Graph(list_request),
    columns,
    row,
    rows_of: None,
    style,
    refine: None,
    opens: Some(super::def::ObjectKind(&DETAIL)),
    sync: Some(|| crate::cache::sync::Spec {
        name: "groups",
        collection: "groups",
        request: crate::graph::Request::get("/groups/delta").select(LIST_FIELDS),
        delta: true,
    }),
    marks: super::source::Marks::No,
    query: None,
    join: None,
    records: None,
    verbs: super::group_verbs::VERBS,
};

/// The page of one group.
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "group",
    collection: "groups",
    request: detail_request,
    sheet: |v, _, _| sheet(v),
    needs_facts: false,
    principal: true,
    members: true,
    computed: None,
    verbs: &[
        Verb {
            name: "members",
            keys: &["m"],
            label: "members",
            help: "The group's members (Enter opens one; a adds, d removes, by reference)",
            writes: false,
            run: |s| group_list(s, Relation::Members),
        },
        Verb {
            name: "nested",
            keys: &["M"],
            label: "nested",
            help: "Every member of the group, through nested groups too",
            writes: false,
            run: |s| group_list(s, Relation::Transitive),
        },
        Verb {
            name: "owners",
            keys: &["o"],
            label: "owners",
            help: "The group's owners (a adds one, d removes one)",
            writes: false,
            run: |s| group_list(s, Relation::Owners),
        },
        Verb {
            name: "licence",
            keys: &["l"],
            label: "licence",
            help: "Assign or remove a licence of the group",
            writes: true,
            run: |s| match s.page {
                Some(g) => vec![Step::Flow(super::verb::Flow::Licence {
                    object: g.clone(),
                    group: true,
                })],
                None => Vec::new(),
            },
        },
        Verb {
            help: "The group's members whose licence is in error",
            ..LICENCE_ERRORS
        },
    ],
};

/// The verbs of a group's member and owner lists (by reference) and of its members in error.
pub use super::member_verbs::{ADD_MEMBER, ADD_OWNER, REMOVE_MEMBER, REMOVE_OWNER, REPROCESS_ALL};

/// A list of the group a key is about (its page, or the selected row).
fn group_list(s: &Scope, relation: Relation) -> Vec<Step> {
    super::def::list_of(s, |group_id, group_name| ListSource::GroupMembers {
        group_id,
        group_name,
        relation,
    })
}

/// `e`: the group's members whose licence is in error (a group's page, Licensed groups).
pub const LICENCE_ERRORS: Verb = Verb {
    name: "licence-errors",
    keys: &["e"],
    label: "licence errors",
    help: "The selected group's members whose licence is in error",
    writes: false,
    run: |s| group_list(s, Relation::LicenceErrors),
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn row_shows_badges_and_date() {
        let r = row(
            json!({"id": "1", "displayName": "Tier0", "groupTypes": [], "securityEnabled": true,
            "mailEnabled": false, "isAssignableToRole": true, "createdDateTime": "2024-03-05T10:00:00Z"}),
        );
        assert_eq!(r.cells, ["Tier0", "SEC ROLE", "", "2024-03-05"]);
    }

    #[test]
    fn sheet_tolerates_an_empty_object() {
        let s = sheet(&json!({}));
        assert!(s.sections.len() >= 4);
    }

    #[test]
    fn member_rows_name_their_type() {
        let r = member_row(
            json!({"@odata.type": "#microsoft.graph.group", "id": "g", "displayName": "Nested", "mail": "n@x"}),
        );
        assert_eq!(r.cells, ["Nested", "group", "n@x"]);
    }
}

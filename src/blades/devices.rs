//! The Devices blade: every device with its OS, join type (Entra joined, registered, hybrid),
//! compliance, management, whether it is enabled, its last sign-in and registered owner; `i`
//! lists the inactive ones (no sign-in for N days, 90 by default); a device's page shows its
//! owners, registered users, groups and the Conditional Access device filters it matches;
//! `t` enables or disables the marked devices (or the selected one), `d` deletes for good after
//! the name (or the count) is typed. Reads and writes are built in `graph::resources::devices`.

use super::common::{date, text};
use super::def::ListSource;
use super::def::{Prompt, Step, Then, Verb};
use super::source::Reading;
use super::verb::{Choice, Confirm, Scope, Target, count};
use crate::graph::resources::devices as graph;
use crate::graph::{GraphClient, Request};
use crate::sanitize::clean;
use crate::theme::Theme;
use crate::widgets::sheet::{Sheet, show};
use crate::widgets::table::{Column, TableRow};
use chrono::{DateTime, Utc};
use ratatui::style::Style;
use serde_json::{Value, json};

/// A device with no sign-in for this many days is inactive unless asked otherwise (the Entra
/// docs' "manage stale devices" suggests a 90-day window).
pub const STALE_DAYS: i64 = 90;

/// The join type in the admin center's words (`trustType`: device.md).
pub fn join_type(v: &Value) -> String {
    match v["trustType"].as_str().unwrap_or_default() {
        t if t.eq_ignore_ascii_case("AzureAd") => "Entra joined".into(),
        t if t.eq_ignore_ascii_case("Workplace") => "registered".into(),
        t if t.eq_ignore_ascii_case("ServerAd") => "hybrid joined".into(),
        "" => "—".into(),
        other => clean(other),
    }
}

fn yes_no(v: &Value) -> String {
    match v.as_bool() {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => "—".into(),
    }
}

/// Days since the last sign-in (`None`: never, or not known).
pub fn idle_days(v: &Value, now: DateTime<Utc>) -> Option<i64> {
    let at = v["approximateLastSignInDateTime"].as_str()?;
    let at = DateTime::parse_from_rfc3339(at).ok()?;
    Some((now - at.with_timezone(&Utc)).num_days())
}

/// A device object: the page's computed value keeps it under `device`.
fn device_of(v: &Value) -> &Value {
    v.get("device").filter(|d| d.is_object()).unwrap_or(v)
}

fn owner_names(v: &Value) -> String {
    v["registeredOwners"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|o| clean(o["displayName"].as_str().unwrap_or("?")))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
}

pub fn columns() -> Vec<Column> {
    vec![
        Column::grow("Name", 14),
        Column::grow("OS", 12).from(100),
        Column::fixed("Join", 13),
        Column::fixed("Compliant", 9),
        Column::fixed("Managed", 7).from(120),
        Column::fixed("Enabled", 7),
        Column::fixed("Last sign-in", 12),
        Column::grow("Owner", 14).from(110),
    ]
}

pub fn row(v: Value) -> TableRow {
    let os = format!(
        "{} {}",
        text(&v, "operatingSystem"),
        text(&v, "operatingSystemVersion")
    );
    let cells = vec![
        text(&v, "displayName"),
        os.trim().to_string(),
        join_type(&v),
        yes_no(&v["isCompliant"]),
        yes_no(&v["isManaged"]),
        yes_no(&v["accountEnabled"]),
        match date(&v["approximateLastSignInDateTime"]) {
            d if d.is_empty() => "never".into(),
            d => d,
        },
        owner_names(&v),
    ];
    TableRow::new(v, cells)
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    match (col, row.cells.get(col)) {
        (3, Some("no")) => Some(theme.warning),
        (5, Some("no")) => Some(theme.muted),
        (6, _) if idle_days(&row.object(), Utc::now()).is_none_or(|d| d > STALE_DAYS) => {
            Some(theme.warning)
        }
        (1 | 4 | 7, _) => Some(theme.muted),
        _ => None,
    }
}

/// People or groups of a relation, one per line, or what is known of them.
fn relation(s: &mut Sheet, title: &str, v: &Value, key: &str, none: &str) {
    let lines = s.section(title);
    if let Some(why) = v["unread"][key].as_str() {
        lines.push(("unknown".into(), clean(why)));
        return;
    }
    let Some(items) = v[key].as_array() else {
        lines.push((String::new(), "loading…".into()));
        return;
    };
    if items.is_empty() {
        lines.push((String::new(), none.into()));
    }
    for o in items {
        let name = show(&o["displayName"]);
        let detail = o["userPrincipalName"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| group_kind(o));
        lines.push((name, detail));
    }
}

/// A group in words (a device's groups).
fn group_kind(o: &Value) -> String {
    let unified = o["groupTypes"]
        .as_array()
        .is_some_and(|t| t.iter().any(|x| x == "Unified"));
    match (unified, o["securityEnabled"].as_bool()) {
        (true, _) => "Microsoft 365 group".into(),
        (false, Some(true)) => "security group".into(),
        _ => String::new(),
    }
}

/// The Conditional Access policies with a device filter, and what the filter does to this
/// device (Entra docs, concept-condition-filters-for-devices: include mode takes matching
/// devices in, exclude mode leaves them out).
fn device_filters(s: &mut Sheet, d: &Value, facts: Option<&crate::protect::Facts>) {
    let lines = s.section("Conditional Access device filters");
    let Some(f) = facts else {
        lines.push((String::new(), "loading…".into()));
        return;
    };
    if let Some(m) = f.lacking(&[crate::protect::Part::Policies]) {
        lines.push(("unknown".into(), m));
        return;
    }
    let mut any = false;
    for p in &f.policies {
        let filter = &p["conditions"]["devices"]["deviceFilter"];
        let Some(rule) = filter["rule"].as_str() else {
            continue;
        };
        any = true;
        let include = filter["mode"].as_str() != Some("exclude");
        let words = match (crate::ca::device_filter::matches(rule, d), include) {
            (Some(true), true) => "matches the include filter: the policy applies to it",
            (Some(false), true) => "does not match the include filter: the policy skips it",
            (Some(true), false) => "matches the exclude filter: the policy skips it",
            (Some(false), false) => "does not match the exclude filter: the policy applies to it",
            (None, _) => "unknown: the rule uses an attribute or operator not evaluated here",
        };
        // The state is the key (short); the name and what the filter does are the value.
        let state = crate::protect::state_label(p["state"].as_str().unwrap_or_default());
        lines.push((
            state.to_string(),
            format!(
                "{}: {words}. Rule: {}",
                show(&p["displayName"]),
                clean(rule)
            ),
        ));
    }
    if !any {
        lines.push((String::new(), "no policy has a device filter".into()));
    }
}

pub fn sheet(v: &Value, facts: Option<&crate::protect::Facts>) -> Sheet {
    let d = device_of(v);
    let mut s = Sheet::default();
    let p = |k: &str| show(&d[k]);
    let u = s.section("Device");
    u.push(("Name".into(), p("displayName")));
    u.push(("Object id".into(), p("id")));
    u.push(("Device id".into(), p("deviceId")));
    u.push((
        "OS".into(),
        format!("{} {}", p("operatingSystem"), p("operatingSystemVersion")),
    ));
    u.push(("Join type".into(), join_type(d)));
    u.push(("Ownership".into(), p("deviceOwnership")));
    u.push((
        "Make and model".into(),
        format!("{} {}", p("manufacturer"), p("model")),
    ));
    u.push(("Compliant".into(), yes_no(&d["isCompliant"])));
    u.push(("Managed".into(), yes_no(&d["isManaged"])));
    u.push(("Enabled".into(), yes_no(&d["accountEnabled"])));
    u.push(("Registered".into(), p("registrationDateTime")));
    let seen = match idle_days(d, Utc::now()) {
        Some(n) if n > STALE_DAYS => format!(
            "{} ({n} days ago: inactive)",
            p("approximateLastSignInDateTime")
        ),
        Some(n) => format!("{} ({n} days ago)", p("approximateLastSignInDateTime")),
        None => "never".into(),
    };
    u.push(("Last sign-in".into(), seen));
    u.push((
        "Synced from on-premises".into(),
        yes_no(&d["onPremisesSyncEnabled"]),
    ));
    relation(&mut s, "Registered owners", v, "registeredOwners", "none");
    relation(&mut s, "Registered users", v, "registeredUsers", "none");
    relation(&mut s, "Groups", v, "memberOf", "in no group");
    device_filters(&mut s, d, facts);
    let k = s.section("Keys");
    k.push((
        "o / u / m".into(),
        "owners / registered users / groups".into(),
    ));
    k.push(("t / d".into(), "enable or disable / delete for good".into()));
    s
}

/// The page: the device and its relations, read together (one that fails is named on the
/// page, the others shown). Offline: the device as `sync` kept it; relations are not kept.
fn page(
    client: GraphClient,
    store: Option<std::sync::Arc<crate::cache::Store>>,
    id: String,
) -> super::source::Computing {
    Box::pin(async move {
        if client.is_offline() {
            let Some(st) = store else {
                return Err(crate::graph::GraphError::Cache("no cache".into()));
            };
            let (all, _) = crate::cache::off_thread(st, |s| s.list("devices"))
                .await
                .map_err(|e| crate::graph::GraphError::Cache(e.to_string()))?;
            let device = all
                .into_iter()
                .find(|d| d["id"] == id.as_str())
                .ok_or_else(|| {
                    crate::graph::GraphError::Cache(format!("device {id} is not in the cache"))
                })?;
            let offline = "not kept offline (sync keeps the devices, not their relations)";
            return Ok(json!({
                "id": id, "displayName": device["displayName"], "device": device,
                "unread": {"registeredUsers": offline, "memberOf": offline},
                "registeredOwners": device["registeredOwners"],
            }));
        }
        let device = client.get_json(&graph::one(&id)).await?;
        let mut out = json!({"id": id, "displayName": device["displayName"], "device": device});
        for (key, request) in [
            ("registeredOwners", graph::registered_owners(&id)),
            ("registeredUsers", graph::registered_users(&id)),
            ("memberOf", graph::member_of(&id)),
        ] {
            match client.get_all(request).await {
                Ok(items) => out[key] = Value::Array(items),
                Err(e) => out["unread"][key] = json!(format!("could not be read: {e}")),
            }
        }
        Ok(out)
    })
}

/// `?stale:N` (from `i`): the devices with no sign-in for N days. Offline: from the cache.
fn stale(
    client: GraphClient,
    store: Option<std::sync::Arc<crate::cache::Store>>,
    days: String,
) -> super::source::Computing {
    Box::pin(async move {
        let days: i64 = days.parse().unwrap_or(STALE_DAYS);
        let now = Utc::now();
        let before = now - chrono::Duration::days(days);
        let items = match (client.is_offline(), store) {
            (true, Some(st)) => {
                let (all, _) = crate::cache::off_thread(st, |s| s.list("devices"))
                    .await
                    .map_err(|e| crate::graph::GraphError::Cache(e.to_string()))?;
                all.into_iter()
                    .filter(|d| idle_days(d, now).is_some_and(|n| n > days))
                    .collect()
            }
            _ => {
                let at = before.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                client.get_all(graph::signed_in_before(&at)).await?
            }
        };
        Ok(Value::Array(items))
    })
}

/// A query typed on Devices: `stale` / `stale:N`, `$filter=…`, else a name search.
fn query(q: &str) -> Reading {
    let q = q.trim();
    if let Some(rest) = q.strip_prefix("stale") {
        let days = rest.trim_start_matches(':').trim();
        let days = if days.is_empty() {
            STALE_DAYS.to_string()
        } else {
            days.to_string()
        };
        return Reading::Computed(
            super::source::Computed {
                name: "stale devices",
                run: stale,
            },
            days,
        );
    }
    Reading::Graph {
        request: graph::query(q),
        cache: None,
    }
}

/// `i`: how many days without a sign-in make a device inactive.
fn inactive(_: &Scope) -> Vec<Step> {
    vec![Step::Prompt(Prompt {
        title: "Devices with no sign-in for how many days".into(),
        input: STALE_DAYS.to_string(),
        then: Then {
            with: Value::Null,
            run: |typed, _| match typed.parse::<u32>() {
                Ok(n) if n > 0 => Ok(vec![Step::List(ListSource::Query {
                    blade: super::def::BladeKind(&BLADE),
                    query: format!("stale:{n}"),
                })]),
                _ => Err("a number of days, such as 90".into()),
            },
        },
        secret: false,
        optional: false,
    })]
}

/// The devices a verb applies to: this page's, else the marked rows, else the selected one.
fn devices(s: &Scope) -> Vec<Value> {
    s.targets().iter().map(|v| device_of(v).clone()).collect()
}

/// `t`: enable or disable the devices, each named with its state before and after.
fn set_state(s: &Scope) -> Vec<Step> {
    let list = devices(s);
    let Some(first) = list.first() else {
        return Vec::new();
    };
    let enabled = first["accountEnabled"].as_bool().unwrap_or(true);
    let choice = Choice {
        refill: None,
        field: "accountEnabled".into(),
        current: if list.len() == 1 {
            json!(enabled)
        } else {
            Value::Null
        },
        options: vec![
            ("enabled".into(), json!(true)),
            ("disabled (its sign-ins refused)".into(), json!(false)),
        ],
        // The other state is offered first.
        selected: usize::from(enabled),
    };
    let name = |d: &Value| clean(d["displayName"].as_str().unwrap_or("?"));
    if list.len() == 1 {
        let id = text(first, "id");
        let title = format!("Enable or disable device {}", name(first));
        let mut c = Confirm::one(
            title,
            &id,
            graph::set_enabled(&id, enabled),
            Some(first.clone()),
        );
        c.choice = Some(choice);
        return vec![c.into()];
    }
    let targets = list
        .iter()
        .map(|d| Target {
            name: name(d),
            current: d["accountEnabled"].clone(),
            object: d.clone(),
            request: graph::set_enabled(&text(d, "id"), enabled),
        })
        .collect();
    let title = format!("Enable or disable {}", count(list.len(), "device"));
    Confirm::each(title, targets, Some(choice))
        .map(Step::from)
        .into_iter()
        .collect()
}

/// `d`: delete the devices for good, once the name (one) or the count (several) is typed.
fn delete(s: &Scope) -> Vec<Step> {
    let list = devices(s);
    let (title, want) = match list.as_slice() {
        [] => return Vec::new(),
        [one] => {
            let name = text(one, "displayName");
            (
                format!(
                    "Delete device {} for good: type its name to confirm",
                    clean(&name)
                ),
                name,
            )
        }
        many => (
            format!(
                "Delete {} for good: type {} to confirm",
                count(many.len(), "device"),
                many.len()
            ),
            many.len().to_string(),
        ),
    };
    vec![Step::Prompt(Prompt {
        title,
        input: String::new(),
        then: Then {
            with: json!({"devices": list, "want": want}),
            run: delete_typed,
        },
        secret: false,
        optional: false,
    })]
}

/// The name (or count) typed: the confirm, which says a device cannot be restored.
fn delete_typed(typed: &str, with: &Value) -> Result<Vec<Step>, String> {
    let want = with["want"].as_str().unwrap_or_default().trim();
    if typed != want {
        return Err(format!("type exactly: {}", clean(want)));
    }
    let list = with["devices"].as_array().cloned().unwrap_or_default();
    let name = |d: &Value| clean(d["displayName"].as_str().unwrap_or("?"));
    let targets: Vec<Target> = list
        .iter()
        .map(|d| Target {
            name: name(d),
            current: Value::Null,
            object: d.clone(),
            request: graph::delete(&text(d, "id")),
        })
        .collect();
    let what = match list.as_slice() {
        [one] => format!("device {}", name(one)),
        many => count(many.len(), "device"),
    };
    let title = format!(
        "Delete {what} for good: a deleted device cannot be restored (it is not kept in Deleted items); it must register again"
    );
    Ok(Confirm::each(title, targets, None)
        .map(Step::from)
        .into_iter()
        .collect())
}

/// A related list of a device (owners, registered users, groups): Enter opens the person or
/// group.
const fn related(title: &'static str, request: fn(&str) -> Request) -> super::def::SubDef {
    super::def::SubDef {
        title,
        request,
        columns: super::groups::member_columns,
        row: super::groups::member_row,
        style: |_, _, _| None,
        open: open_related,
        verbs: &[],
    }
}

/// Enter on an owner, a user or a group of a device: its page.
fn open_related(v: &Value) -> Option<super::def::ObjectRef> {
    let kind = match crate::graph::model::odata_kind(v) {
        "user" => super::def::ObjectKind(&super::users::DETAIL),
        "group" => super::def::ObjectKind(&super::groups::DETAIL),
        _ => return None,
    };
    Some(super::def::ObjectRef {
        kind,
        id: text(v, "id"),
        name: text(v, "displayName"),
    })
}

static OWNERS: super::def::SubDef = related("Registered owners", graph::registered_owners);
static USERS: super::def::SubDef = related("Registered users", graph::registered_users);
static GROUPS: super::def::SubDef = related("Device groups", graph::member_of);

const SET_STATE: Verb = Verb {
    name: "state",
    keys: &["t"],
    label: "enable/disable",
    help: "Enable or disable the marked devices (or the selected one)",
    writes: true,
    run: set_state,
};

const DELETE: Verb = Verb {
    name: "delete",
    keys: &["d"],
    label: "delete",
    help: "Delete the marked devices (or the selected one) for good: type the name (or count)",
    writes: true,
    run: delete,
};

/// The Devices blade in the registry.
pub static BLADE: super::def::BladeDef = super::def::BladeDef {
    title: "Devices",
    nav_label: "Devices",
    command: "devices",
    aliases: &["device", "computers"],
    load: super::source::Load::Graph(graph::list),
    columns,
    row,
    rows_of: None,
    style,
    refine: None,
    opens: Some(super::def::ObjectKind(&DETAIL)),
    sync: Some(|| crate::cache::sync::Spec {
        name: "devices",
        collection: "devices",
        request: graph::list(),
        delta: false,
    }),
    marks: super::source::Marks::Last,
    query: Some(query),
    join: None,
    records: None,
    verbs: &[
        SET_STATE,
        DELETE,
        Verb {
            name: "inactive",
            keys: &["i"],
            label: "inactive",
            help: "The devices with no sign-in for N days (90 unless typed; offline: from the cache)",
            writes: false,
            run: inactive,
        },
    ],
};

/// A device's page.
pub static DETAIL: super::def::DetailDef = super::def::DetailDef {
    name: "device",
    collection: "devices",
    request: graph::one,
    sheet: |v, facts, _| sheet(v, facts),
    needs_facts: true,
    principal: false,
    computed: Some(super::source::Computed {
        name: "device",
        run: page,
    }),
    members: false,
    verbs: &[
        Verb {
            help: "Enable or disable this device",
            ..SET_STATE
        },
        Verb {
            help: "Delete this device for good (type its name)",
            ..DELETE
        },
        Verb {
            name: "owners",
            keys: &["o"],
            label: "owners",
            help: "This device's registered owners",
            writes: false,
            run: |_| vec![Step::Sub(&OWNERS)],
        },
        Verb {
            name: "users",
            keys: &["u"],
            label: "users",
            help: "This device's registered users",
            writes: false,
            run: |_| vec![Step::Sub(&USERS)],
        },
        Verb {
            name: "groups",
            keys: &["m"],
            label: "groups",
            help: "The groups this device is in",
            writes: false,
            run: |_| vec![Step::Sub(&GROUPS)],
        },
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_say_the_join_type_and_the_last_sign_in() {
        let r = row(
            json!({"id": "1", "displayName": "KIOSK-01", "operatingSystem": "Windows",
            "operatingSystemVersion": "10.0.22631", "trustType": "ServerAd", "isCompliant": false,
            "accountEnabled": true, "registeredOwners": [{"displayName": "Adele"}]}),
        );
        assert_eq!(&r.cells[1], "Windows 10.0.22631");
        assert_eq!(&r.cells[2], "hybrid joined");
        assert_eq!(&r.cells[3], "no");
        assert_eq!(&r.cells[4], "—");
        assert_eq!(&r.cells[6], "never");
        assert_eq!(&r.cells[7], "Adele");
        assert_eq!(join_type(&json!({"trustType": "Workplace"})), "registered");
        // An id-less device with nothing known still has a row.
        assert_eq!(row(json!({})).cells.len(), columns().len());
    }

    #[test]
    fn queries_and_inactivity() {
        let now = Utc::now();
        let old = (now - chrono::Duration::days(120)).to_rfc3339();
        assert_eq!(
            idle_days(&json!({"approximateLastSignInDateTime": old}), now),
            Some(120)
        );
        assert!(matches!(query("stale"), Reading::Computed(_, d) if d == "90"));
        assert!(matches!(query("stale:30"), Reading::Computed(_, d) if d == "30"));
        let Reading::Graph { request, .. } = query("$filter=isCompliant eq false") else {
            panic!("a filter is read from Graph");
        };
        assert!(
            request
                .query
                .iter()
                .any(|(k, v)| k == "$filter" && v == "isCompliant eq false")
        );
    }

    #[test]
    fn the_page_names_what_each_device_filter_does() {
        let facts = crate::protect::Facts {
            policies: vec![json!({"displayName": "CA004", "state": "enabled",
                "conditions": {"devices": {"deviceFilter": {"mode": "exclude",
                "rule": "device.trustType -eq \"AzureAD\" -or device.trustType -eq \"ServerAD\""}}}})],
            ..Default::default()
        };
        let v = json!({"device": {"id": "1", "trustType": "Workplace"}, "registeredOwners": [],
            "unread": {"memberOf": "could not be read: 403"}});
        let s = sheet(&v, Some(&facts));
        let text = format!("{:?}", s.sections);
        assert!(
            text.contains("does not match the exclude filter: the policy applies to it"),
            "{text}"
        );
        assert!(text.contains("could not be read: 403"), "{text}");
        assert!(text.contains("registered"), "{text}");
    }
}

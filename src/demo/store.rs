//! The demo tenant's data: fixtures from `assets/demo-tenant/` plus the seeded scale generator.

use crate::rng::Rng;
use serde_json::{Map, Value, json};
use std::collections::{BTreeSet, HashMap};

const USERS: &str = include_str!("../../assets/demo-tenant/users.json");
const GROUPS: &str = include_str!("../../assets/demo-tenant/groups.json");

/// Default properties of `GET /users` (graph-api.md §9); others need `$select`.
pub const USER_DEFAULTS: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "id",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
];

/// Group properties that are not returned unless selected.
pub const GROUP_NON_DEFAULTS: &[&str] = &["assignedLicenses", "serviceProvisioningErrors"];

/// Which collection an object lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    User,
    Group,
}

impl Kind {
    pub fn odata_type(self) -> &'static str {
        match self {
            Kind::User => "#microsoft.graph.user",
            Kind::Group => "#microsoft.graph.group",
        }
    }

    pub fn type_name(self) -> &'static str {
        match self {
            Kind::User => "microsoft.graph.user",
            Kind::Group => "microsoft.graph.group",
        }
    }
}

/// Everything the demo tenant holds.
#[derive(Debug, Default)]
pub struct Tenant {
    pub users: Vec<Value>,
    pub groups: Vec<Value>,
    /// group id -> member ids, in insertion order.
    pub members: HashMap<String, Vec<String>>,
    /// group id -> owner ids (users), in insertion order.
    pub owners: HashMap<String, Vec<String>>,
    index: HashMap<String, (Kind, usize)>,
    /// Property names known per kind (for `$select` validation).
    pub user_props: BTreeSet<String>,
    /// Conditional Access policies, named locations, auth contexts, resource actions.
    pub policy: super::policy::PolicyStore,
    /// Role definitions, assignments and PIM eligibility.
    pub roles: super::roles::RoleStore,
    /// Change sequence for delta queries: object id -> sequence of its last change.
    pub seq: u64,
    pub changed: HashMap<String, u64>,
    /// Removed objects: (id, kind, sequence).
    pub tombstones: Vec<(String, Kind, u64)>,
    /// Membership changes for `members@delta`: (sequence, group, member, added).
    pub member_log: Vec<(u64, String, String, bool)>,
    pub group_props: BTreeSet<String>,
    /// Deleted users, Microsoft 365 groups, applications and service principals (restorable
    /// for 30 days), each with `@odata.type` and `deletedDateTime`.
    pub deleted: Vec<Value>,
    /// PIM policies of directory roles and of PIM groups (with their rules).
    pub pim_policies: Vec<Value>,
    /// PIM for groups: eligibility, activations, requests and decisions.
    pub pim_groups: super::pim_groups::Store,
    /// Sign-in logs, newest first.
    pub sign_ins: Vec<Value>,
    /// Devices, and per device id the ids of its registered owners, users and groups.
    pub devices: Vec<Value>,
    pub device_relations: super::devices::Relations,
    /// Authentication methods by user id, for the users the fixture names or whose methods
    /// changed (the others have a password and a mobile phone).
    pub auth_methods: HashMap<String, Vec<Value>>,
    /// Restored applications and service principals (the demo serves no live collection of
    /// them; kept so a restore is visible to tests).
    pub restored_apps: Vec<Value>,
}

/// Size and seed of a generated tenant.
#[derive(Clone, Debug, Default)]
pub struct Scale {
    pub users: Option<usize>,
    pub groups: Option<usize>,
    pub seed: u64,
}

/// The `value` array of a fixture file in Graph's collection shape.
pub(super) fn collection(text: &str, name: &str) -> Result<Vec<Value>, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("fixture {name}: {e}"))?;
    match v.get("value") {
        Some(Value::Array(a)) => Ok(a.clone()),
        _ => Err(format!("fixture {name}: no `value` array")),
    }
}

/// Move the `field` timestamps of fixture items so the newest is `ago` before now (relative
/// times such as "days left" stay what the fixture means whenever the demo runs).
pub(super) fn rebase_times(items: &mut [Value], field: &str, ago: chrono::Duration) {
    let at = |v: &Value| {
        v[field]
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|d| d.with_timezone(&chrono::Utc))
    };
    let Some(newest) = items.iter().filter_map(at).max() else {
        return;
    };
    let shift = chrono::Utc::now() - ago - newest;
    for v in items.iter_mut() {
        if let Some(d) = at(v) {
            v[field] = Value::from((d + shift).to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
    }
}

fn last_segment(s: &str) -> String {
    s.rsplit('/').next().unwrap_or(s).to_string()
}

impl Tenant {
    /// The fixture organisation, grown to `scale` if asked.
    pub fn load(scale: &Scale) -> Result<Tenant, String> {
        let mut t = Tenant {
            users: collection(USERS, "users.json")?,
            policy: super::policy::PolicyStore::load()?,
            roles: super::roles::RoleStore::load()?,
            ..Default::default()
        };
        for mut g in collection(GROUPS, "groups.json")? {
            let Some(obj) = g.as_object_mut() else {
                continue;
            };
            let id = obj
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let refs = |v: Option<Value>| -> Vec<String> {
                match v {
                    Some(Value::Array(a)) => a
                        .iter()
                        .filter_map(Value::as_str)
                        .map(last_segment)
                        .collect(),
                    _ => Vec::new(),
                }
            };
            let ids = refs(obj.remove("members@odata.bind"));
            t.owners
                .insert(id.clone(), refs(obj.remove("owners@odata.bind")));
            // A member appears once, as in Graph (the fixture may name one twice).
            let mut seen = std::collections::HashSet::new();
            let ids: Vec<String> = ids.into_iter().filter(|m| seen.insert(m.clone())).collect();
            t.members.insert(id, ids);
            t.groups.push(g);
        }
        t.deleted = super::deleted::load()?;
        (t.devices, t.device_relations) = super::devices::load()?;
        t.auth_methods = super::auth_methods::load()?;
        t.sign_ins = super::signins::load()?;
        t.pim_policies = super::pim::load(&t.roles.definitions)?;
        t.pim_groups = super::pim_groups::load(&mut t.pim_policies)?;
        t.generate(scale);
        t.reindex();
        Ok(t)
    }

    fn generate(&mut self, scale: &Scale) {
        let mut rng = Rng::new(scale.seed ^ 0x5eed_0f7e_4a47);
        let depts = [
            "Finance",
            "Engineering",
            "Sales",
            "Marketing",
            "HR",
            "IT",
            "Legal",
            "Operations",
            "Support",
        ];
        let want_users = scale.users.unwrap_or(0);
        let mut n = self.users.len();
        while n < want_users {
            let dept = depts[rng.below(depts.len())];
            let upn = format!("user{n:06}@tailspindemo.onmicrosoft.com");
            self.users.push(json!({
                "id": rng.guid(), "accountEnabled": rng.below(20) != 0, "businessPhones": [],
                "createdDateTime": format!("20{:02}-{:02}-{:02}T08:00:00Z", 18 + rng.below(8), 1 + rng.below(12), 1 + rng.below(28)),
                "department": dept, "displayName": format!("User {n:06}"), "givenName": "User",
                "jobTitle": null, "mail": upn, "mailNickname": format!("user{n:06}"), "mobilePhone": null,
                "officeLocation": null, "preferredLanguage": "en-US", "surname": format!("{n:06}"),
                "usageLocation": "US", "userPrincipalName": upn, "userType": "Member", "assignedLicenses": []
            }));
            n += 1;
        }
        let want_groups = scale.groups.unwrap_or(0);
        let mut n = self.groups.len();
        while n < want_groups {
            let id = rng.guid();
            let unified = rng.below(3) == 0;
            self.groups.push(json!({
                "id": id, "deletedDateTime": null, "classification": null,
                "createdDateTime": format!("20{:02}-{:02}-{:02}T09:30:00Z", 18 + rng.below(8), 1 + rng.below(12), 1 + rng.below(28)),
                "creationOptions": [], "description": format!("Generated group {n}"),
                "displayName": format!("Group {n:06}"), "expirationDateTime": null,
                "groupTypes": if unified { json!(["Unified"]) } else { json!([]) },
                "isAssignableToRole": null, "mail": if unified { json!(format!("group{n:06}@tailspindemo.onmicrosoft.com")) } else { Value::Null },
                "mailEnabled": unified, "mailNickname": format!("group{n:06}"), "membershipRule": null,
                "membershipRuleProcessingState": null, "onPremisesSyncEnabled": null, "proxyAddresses": [],
                "securityEnabled": !unified, "visibility": if unified { json!("Private") } else { Value::Null },
                "assignedLicenses": []
            }));
            let k = rng.below(16);
            let mut ids = Vec::with_capacity(k);
            for _ in 0..k {
                let u = &self.users[rng.below(self.users.len())];
                if let Some(uid) = u["id"].as_str()
                    && !ids.iter().any(|x: &String| x == uid)
                {
                    ids.push(uid.to_string());
                }
            }
            self.members.insert(id, ids);
            n += 1;
        }
    }

    fn reindex(&mut self) {
        self.index.clear();
        let keys = |objs: &[Value], set: &mut BTreeSet<String>| {
            for o in objs.iter().take(200) {
                if let Some(m) = o.as_object() {
                    set.extend(m.keys().cloned());
                }
            }
        };
        keys(&self.users, &mut self.user_props);
        // Returned only on `$select` (user.md), made from the sign-in logs.
        self.user_props.insert("signInActivity".into());
        keys(&self.groups, &mut self.group_props);
        for (i, u) in self.users.iter().enumerate() {
            if let Some(id) = u["id"].as_str() {
                self.index.insert(id.to_string(), (Kind::User, i));
            }
        }
        for (i, g) in self.groups.iter().enumerate() {
            if let Some(id) = g["id"].as_str() {
                self.index.insert(id.to_string(), (Kind::Group, i));
            }
        }
    }

    fn list_mut(&mut self, kind: Kind) -> &mut Vec<Value> {
        match kind {
            Kind::User => &mut self.users,
            Kind::Group => &mut self.groups,
        }
    }

    /// Add or replace an object (a change delta queries will report).
    pub fn upsert(&mut self, kind: Kind, obj: Value) {
        let id = obj["id"].as_str().unwrap_or_default().to_string();
        self.seq += 1;
        let seq = self.seq;
        let list = self.list_mut(kind);
        match list
            .iter()
            .position(|o| o["id"].as_str() == Some(id.as_str()))
        {
            Some(i) => list[i] = obj,
            None => list.push(obj),
        }
        self.changed.insert(id, seq);
        self.reindex();
    }

    /// `n` mixed changes, deterministic (benchmarks and tests of a refresh): of every ten, three
    /// users renamed, three members added, three removed, and one user removed or group
    /// created in turn. Returns how many were made.
    pub fn apply_changes(&mut self, n: usize) -> usize {
        let mut made = 0;
        for i in 0..n {
            let (users, groups) = (self.users.len(), self.groups.len());
            if users < 2 || groups == 0 {
                break;
            }
            let u = (i * 7919) % users;
            let g = self.groups[(i * 104_729) % groups]["id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            match i % 10 {
                0..=2 => {
                    let mut obj = self.users[u].clone();
                    obj["displayName"] = json!(format!("Renamed {i}"));
                    self.upsert(Kind::User, obj);
                }
                3..=5 => {
                    let m = self.users[u]["id"].as_str().unwrap_or_default().to_string();
                    let list = self.members.entry(g.clone()).or_default();
                    if list.contains(&m) {
                        continue;
                    }
                    list.push(m.clone());
                    self.record_member(&g, &m, true);
                }
                6..=8 => {
                    let Some(m) = self.members.get(&g).and_then(|l| l.first().cloned()) else {
                        continue;
                    };
                    if let Some(l) = self.members.get_mut(&g) {
                        l.retain(|x| x != &m);
                    }
                    self.record_member(&g, &m, false);
                }
                _ if i % 20 == 9 => {
                    let id = self.users[users - 1 - (i % (users - 1))]["id"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string();
                    self.remove(Kind::User, &id);
                }
                _ => {
                    self.upsert(
                        Kind::Group,
                        json!({"id": format!("00000000-0000-4000-8000-{i:012}"), "displayName": format!("New group {i}"),
                            "groupTypes": [], "securityEnabled": true, "mailEnabled": false, "mailNickname": format!("new{i}")}),
                    );
                }
            }
            made += 1;
        }
        made
    }

    /// A member added to or removed from a group: the group changes (delta reports it) and
    /// the change is logged for the group's next `members@delta`.
    pub fn record_member(&mut self, group: &str, member: &str, added: bool) {
        self.patch(Kind::Group, group, &Value::Object(Default::default()));
        let seq = self.seq;
        self.member_log
            .push((seq, group.to_string(), member.to_string(), added));
    }

    /// Merge properties into an existing object.
    pub fn patch(&mut self, kind: Kind, id: &str, patch: &Value) -> bool {
        let Some(mut obj) = self
            .list_mut(kind)
            .iter()
            .find(|o| o["id"].as_str() == Some(id))
            .cloned()
        else {
            return false;
        };
        if let (Some(o), Some(p)) = (obj.as_object_mut(), patch.as_object()) {
            for (k, v) in p {
                o.insert(k.clone(), v.clone());
            }
        }
        self.upsert(kind, obj);
        true
    }

    /// Delete an object (delta queries report it as `@removed`).
    pub fn remove(&mut self, kind: Kind, id: &str) -> bool {
        if !remove_by_id(self.list_mut(kind), id) {
            return false;
        }
        self.seq += 1;
        self.tombstones.push((id.to_string(), kind, self.seq));
        self.changed.remove(id);
        self.members.remove(id);
        for m in self.members.values_mut() {
            m.retain(|x| x != id);
        }
        self.reindex();
        true
    }

    /// A directory object by id, with its kind.
    pub fn object(&self, id: &str) -> Option<(Kind, &Value)> {
        let (kind, i) = *self
            .index
            .get(&id.to_ascii_lowercase())
            .or_else(|| self.index.get(id))?;
        let list = match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
        };
        list.get(i).map(|v| (kind, v))
    }

    /// A user by id or user principal name.
    pub fn user(&self, key: &str) -> Option<&Value> {
        match self.object(key) {
            Some((Kind::User, v)) => Some(v),
            _ => self.users.iter().find(|u| {
                u["userPrincipalName"]
                    .as_str()
                    .is_some_and(|p| p.eq_ignore_ascii_case(key))
            }),
        }
    }

    pub fn group(&self, id: &str) -> Option<&Value> {
        match self.object(id) {
            Some((Kind::Group, v)) => Some(v),
            _ => None,
        }
    }

    /// Every member of a group through nesting: nested groups and their members, each once
    /// (group-list-transitivemembers.md), cycles followed once.
    pub fn transitive_members(&self, group: &str) -> Vec<String> {
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        let mut todo = vec![group.to_string()];
        while let Some(g) = todo.pop() {
            for m in self.members.get(&g).into_iter().flatten() {
                if m != group && seen.insert(m.clone()) {
                    out.push(m.clone());
                    if self.group(m).is_some() {
                        todo.push(m.clone());
                    }
                }
            }
        }
        out
    }

    pub fn props(&self, kind: Kind) -> &BTreeSet<String> {
        match kind {
            Kind::User => &self.user_props,
            Kind::Group => &self.group_props,
        }
    }
}

/// Remove the object with this id from a collection; `false` when there was none.
pub fn remove_by_id(items: &mut Vec<Value>, id: &str) -> bool {
    let before = items.len();
    items.retain(|o| o["id"].as_str() != Some(id));
    items.len() != before
}

/// The properties returned when no `$select` is given.
pub fn default_view(kind: Kind, obj: &Value) -> Value {
    let Some(m) = obj.as_object() else {
        return obj.clone();
    };
    let out: Map<String, Value> = match kind {
        Kind::User => USER_DEFAULTS
            .iter()
            .map(|k| (k.to_string(), m.get(*k).cloned().unwrap_or(Value::Null)))
            .collect(),
        Kind::Group => m
            .iter()
            .filter(|(k, _)| !GROUP_NON_DEFAULTS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    };
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_load_with_members() {
        let t = Tenant::load(&Scale::default()).unwrap();
        assert!(t.users.len() >= 55, "{}", t.users.len());
        assert_eq!(t.groups.len(), 25);
        assert!(
            t.groups
                .iter()
                .all(|g| g.get("members@odata.bind").is_none())
        );
        let all_staff = t
            .groups
            .iter()
            .find(|g| g["displayName"] == "All Staff")
            .unwrap();
        let members = &t.members[all_staff["id"].as_str().unwrap()];
        assert!(members.len() > 40);
        assert!(members.iter().all(|m| t.user(m).is_some()));
    }

    #[test]
    fn scale_is_deterministic() {
        let s = Scale {
            users: Some(500),
            groups: Some(250),
            seed: 7,
        };
        let a = Tenant::load(&s).unwrap();
        let b = Tenant::load(&s).unwrap();
        assert_eq!(a.users.len(), 500);
        assert_eq!(a.groups.len(), 250);
        assert_eq!(a.groups[200], b.groups[200]);
        assert!(a.group(a.groups[249]["id"].as_str().unwrap()).is_some());
    }

    #[test]
    fn users_found_by_upn() {
        let t = Tenant::load(&Scale::default()).unwrap();
        assert!(t.user("BG-ADMIN01@tailspindemo.onmicrosoft.com").is_some());
    }
}

//! Licences from a user's or a group's page (`l`): pick a subscribed SKU by product name; an
//! assigned one is removed, another is assigned with the plans chosen off (`POST
//! /{users|groups}/{id}/assignLicense`: 200 for a user, 202 for a group, whose processing then
//! shows on its page until it settles). The licence facts are read here too.

use super::picker::{Picker, Purpose, Stage};
use super::tenant::Loadable;
use super::view::{ListView, View};
use super::{App, Effect, Overlay, RequestId};
use crate::blades::ListSource;
use crate::licensing::{LicenceFacts, Units, plan_name};
use crate::sanitize::clean;
use serde_json::Value;

/// Whose licences the picker changes, and what they hold now.
#[derive(Clone, Debug, PartialEq)]
pub struct LicenceTarget {
    pub group: bool,
    pub id: String,
    pub name: String,
    /// The user's usage location (licences need one); always set for a group.
    pub location: Option<String>,
    /// SKU ids assigned directly (a group's own licences).
    pub direct: Vec<String>,
    /// (SKU id, group id) of a user's licences inherited from groups.
    pub inherited: Vec<(String, String)>,
    /// The SKUs offered, in the order of the options.
    pub skus: Vec<Value>,
}

impl LicenceTarget {
    /// What a user's or group's object holds (`licenseAssignmentStates` says where a user's
    /// licence comes from; without it every assigned licence counts as direct).
    pub fn of(object: &Value, group: bool) -> LicenceTarget {
        let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
        let mut t = LicenceTarget {
            group,
            id: s(&object["id"]),
            name: s(&object["displayName"]),
            location: object["usageLocation"]
                .as_str()
                .filter(|l| !l.is_empty())
                .map(str::to_string),
            direct: Vec::new(),
            inherited: Vec::new(),
            skus: Vec::new(),
        };
        match object["licenseAssignmentStates"].as_array() {
            Some(states) if !group => {
                for st in states {
                    match st["assignedByGroup"].as_str() {
                        Some(g) if !g.is_empty() => t.inherited.push((s(&st["skuId"]), g.into())),
                        _ => t.direct.push(s(&st["skuId"])),
                    }
                }
            }
            _ => {
                for l in object["assignedLicenses"].as_array().into_iter().flatten() {
                    t.direct.push(s(&l["skuId"]));
                }
            }
        }
        t
    }

    fn holds(&self, sku: &str) -> bool {
        self.direct.iter().any(|d| d.eq_ignore_ascii_case(sku))
    }

    /// The options of the SKU choice: product, units left, and whether it is held.
    fn option(&self, f: &LicenceFacts, sku: &Value) -> String {
        let id = sku["skuId"].as_str().unwrap_or_default();
        let u = Units::of(sku);
        let held = if self.holds(id) {
            " · assigned: Enter removes it"
        } else if self
            .inherited
            .iter()
            .any(|(s, _)| s.eq_ignore_ascii_case(id))
        {
            " · from a group"
        } else {
            ""
        };
        let supply = match u.available() {
            n if n < 0 => format!("{} short of {} enabled", -n, u.enabled),
            n => format!("{n} of {} left", u.enabled),
        };
        format!("{} · {supply}{held}", f.product(id))
    }
}

/// `POST /{users|groups}/{id}/assignLicense`: both arrays are always sent (graph-api.md §6).
pub fn assign_request(
    group: bool,
    id: &str,
    add: Option<(&str, &[String])>,
    remove: Option<&str>,
) -> crate::graph::Request {
    let kind = if group { "groups" } else { "users" };
    let add: Vec<Value> = add
        .map(|(sku, off)| serde_json::json!({"skuId": sku, "disabledPlans": off}))
        .into_iter()
        .collect();
    let remove: Vec<&str> = remove.into_iter().collect();
    crate::graph::Request::new(
        crate::graph::Method::Post,
        format!(
            "/{kind}/{}/assignLicense",
            crate::graph::endpoints::path_segment(id)
        ),
    )
    .json(serde_json::json!({"addLicenses": add, "removeLicenses": remove}))
}

impl App {
    /// Read the licence facts (again).
    /// A group's page whose licence processing has not settled is read again every 3 s, so
    /// the admin sees it settle (group licensing is asynchronous, group-assignlicense.md).
    pub(super) fn poll_processing(&mut self) -> Vec<Effect> {
        let View::Detail(d) = self.top() else {
            return Vec::new();
        };
        let due = d.target.kind == crate::blades::ObjectKind::Group
            && d.object
                .as_ref()
                .is_some_and(crate::blades::groups::processing)
            && !d.load.loading
            && d.load
                .loaded_at
                .is_some_and(|at| self.now - at >= chrono::Duration::seconds(3));
        if due && !self.ctx.offline {
            self.reload_top()
        } else {
            Vec::new()
        }
    }

    pub(super) fn load_licences(&mut self) -> Vec<Effect> {
        if self.ctx.offline {
            return Vec::new();
        }
        let id = self.fresh_id();
        self.tenant.licences = Loadable::Loading(id);
        vec![Effect::LoadLicences { id }]
    }

    pub(super) fn on_licences(&mut self, id: RequestId, facts: LicenceFacts) -> Vec<Effect> {
        if self.tenant.licences.request() != Some(id) {
            return Vec::new();
        }
        if !facts.missing.is_empty() {
            self.toast(
                format!("licences read in part: {}", facts.missing.join("; ")),
                true,
            );
        }
        // Open lists that name licences are completed now.
        for v in &mut self.stack {
            if let View::List(ListView {
                source: ListSource::Blade(b),
                table,
                ..
            }) = v
                && let Some(refine) = b.def().refine
            {
                table.rebuild(|r| refine(r, &facts));
            }
        }
        self.tenant.licences = Loadable::Ready(facts);
        self.dirty = true;
        self.offer_skus();
        Vec::new()
    }

    /// `l` on a user's or group's page: choose a licence to assign or remove.
    pub fn open_licence(&mut self, object: &Value, group: bool) -> Vec<Effect> {
        if self.ctx.read_only {
            self.toast("read-only mode: writes are disabled", true);
            return Vec::new();
        }
        let target = LicenceTarget::of(object, group);
        let whose = if group {
            format!("the group {}", clean(&target.name))
        } else {
            clean(&target.name)
        };
        self.overlay = Overlay::Picker(Box::new(Picker {
            title: format!("Licences of {whose}: Enter assigns (or removes an assigned one)"),
            purpose: Some(Purpose::Licence(Box::new(target))),
            stage: Stage::Choose {
                options: Vec::new(),
                selected: 0,
            },
            ..Default::default()
        }));
        self.dirty = true;
        if self.tenant.licences.ready().is_some() {
            self.offer_skus();
            Vec::new()
        } else {
            let effects = self.load_licences();
            if let Overlay::Picker(p) = &mut self.overlay {
                p.request = self.tenant.licences.request();
            }
            effects
        }
    }

    /// Fill a waiting licence picker with the subscribed SKUs.
    fn offer_skus(&mut self) {
        let Some(f) = self.tenant.licences.ready() else {
            return;
        };
        let Overlay::Picker(p) = &mut self.overlay else {
            return;
        };
        let Some(Purpose::Licence(t)) = &mut p.purpose else {
            return;
        };
        p.request = None;
        t.skus = f.skus.clone();
        let options: Vec<String> = t.skus.iter().map(|s| t.option(f, s)).collect();
        if options.is_empty() {
            p.error = Some(match f.missing.first() {
                Some(why) => format!("cannot list licences: {why}"),
                None => "the tenant has no subscribed SKUs".into(),
            });
        }
        p.stage = Stage::Choose {
            options,
            selected: 0,
        };
    }

    /// A SKU was chosen: remove it when held directly, refuse an inherited one, else choose the
    /// plans to turn off.
    pub(super) fn licence_chosen(&mut self, t: LicenceTarget, at: usize) -> Vec<Effect> {
        let Some(sku) = t.skus.get(at).cloned() else {
            return Vec::new();
        };
        let id = sku["skuId"].as_str().unwrap_or_default().to_string();
        let product = self
            .tenant
            .licences
            .ready()
            .map_or(id.clone(), |f| f.product(&id));
        if t.holds(&id) {
            self.overlay = Overlay::None;
            let title = if t.group {
                format!(
                    "Remove {product} from the group {} (its members lose it unless they have it another way)",
                    clean(&t.name)
                )
            } else {
                format!(
                    "Remove {product} from {} (the direct assignment; a licence from a group stays)",
                    clean(&t.name)
                )
            };
            let request = assign_request(t.group, &t.id, None, Some(&id));
            return self.begin_write(title, t.id.clone(), request, None, None);
        }
        if let Some((_, g)) = t
            .inherited
            .iter()
            .find(|(s, _)| s.eq_ignore_ascii_case(&id))
        {
            let name = self
                .tenant
                .names
                .get(g)
                .cloned()
                .unwrap_or_else(|| g.clone());
            self.overlay = Overlay::None;
            self.toast(
                format!(
                    "{} has {product} from the group {}: remove them from that group, or the licence from the group",
                    clean(&t.name),
                    clean(&name)
                ),
                true,
            );
            return Vec::new();
        }
        if !t.group && t.location.is_none() {
            self.overlay = Overlay::None;
            self.toast(
                format!(
                    "refused: {} has no usage location, and Graph assigns no licence without one: set it first (L)",
                    clean(&t.name)
                ),
                true,
            );
            return Vec::new();
        }
        let plans = sku["servicePlans"].as_array().cloned().unwrap_or_default();
        if let Overlay::Picker(p) = &mut self.overlay {
            p.title = format!("{product}: Space turns a plan off or on, Enter continues");
            p.stage = Stage::Plans {
                off: vec![false; plans.len()],
                sku,
                selected: 0,
            };
        }
        Vec::new()
    }

    /// Enter on the plans: the confirm for the assignment.
    pub(super) fn assign_licence(&mut self, sku: Value, off: Vec<bool>) -> Vec<Effect> {
        let Overlay::Picker(p) = std::mem::take(&mut self.overlay) else {
            return Vec::new();
        };
        let Some(Purpose::Licence(t)) = p.purpose else {
            return Vec::new();
        };
        let id = sku["skuId"].as_str().unwrap_or_default().to_string();
        let plans = sku["servicePlans"].as_array().cloned().unwrap_or_default();
        let disabled: Vec<&Value> = plans
            .iter()
            .zip(&off)
            .filter(|(_, o)| **o)
            .map(|(p, _)| p)
            .collect();
        let ids: Vec<String> = disabled
            .iter()
            .filter_map(|p| p["servicePlanId"].as_str().map(str::to_string))
            .collect();
        let names: Vec<String> = disabled.iter().map(|p| plan_label(p)).collect();
        let (product, left) = match self.tenant.licences.ready() {
            Some(f) => (f.product(&id), f.sku(&id).map(|s| Units::of(s).available())),
            None => (id.clone(), None),
        };
        let plans_note = if names.is_empty() {
            "every plan on".to_string()
        } else {
            format!("plans off: {}", names.join(", "))
        };
        let supply = match left {
            Some(n) if n <= 0 => "; none left: members beyond the count get CountViolation".into(),
            Some(n) => format!("; {n} left"),
            None => String::new(),
        };
        let title = if t.group {
            format!(
                "Assign {product} to the group {} ({plans_note}{supply}); Graph applies it to the members in the background",
                clean(&t.name)
            )
        } else {
            format!(
                "Assign {product} to {} ({plans_note}{supply})",
                clean(&t.name)
            )
        };
        let request = assign_request(t.group, &t.id, Some((&id, &ids)), None);
        self.begin_write(title, t.id.clone(), request, None, None)
    }
}

/// A service plan's friendly name, else its own name.
pub fn plan_label(p: &Value) -> String {
    let id = p["servicePlanId"].as_str().unwrap_or_default();
    plan_name(id)
        .map(str::to_string)
        .or_else(|| p["servicePlanName"].as_str().map(str::to_string))
        .unwrap_or_else(|| id.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn target_separates_direct_and_inherited() {
        let u = json!({"id": "u", "displayName": "B", "usageLocation": "US",
            "licenseAssignmentStates": [
                {"skuId": "A", "assignedByGroup": null},
                {"skuId": "B", "assignedByGroup": "g1"}]});
        let t = LicenceTarget::of(&u, false);
        assert_eq!(t.direct, ["A"]);
        assert_eq!(t.inherited, [("B".to_string(), "g1".to_string())]);
        assert_eq!(t.location.as_deref(), Some("US"));
        let g = LicenceTarget::of(
            &json!({"id": "g", "assignedLicenses": [{"skuId": "C"}]}),
            true,
        );
        assert_eq!(g.direct, ["C"]);
    }

    #[test]
    fn assign_body_always_has_both_arrays() {
        let r = assign_request(false, "u1", Some(("S", &["P".to_string()])), None);
        assert_eq!(r.path, "/users/u1/assignLicense");
        let b = r.body.unwrap();
        assert_eq!(b["addLicenses"][0]["disabledPlans"], json!(["P"]));
        assert_eq!(b["removeLicenses"], json!([]));
        let r = assign_request(true, "g", None, Some("S"));
        assert_eq!(r.path, "/groups/g/assignLicense");
        assert_eq!(
            r.body.unwrap(),
            json!({"addLicenses": [], "removeLicenses": ["S"]})
        );
    }
}

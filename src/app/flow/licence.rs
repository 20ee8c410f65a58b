//! The licence picker's flow from a user's or group's page (`l`): pick a product and its plans,
//! confirm the assignment or removal (state: `app::licence`).

use crate::app::licence::{LicenceTarget, assign_request, plan_label};
use crate::app::picker::{Picker, Purpose, Stage};
use crate::app::tenant::Loadable;
use crate::app::view::{ListView, View};
use crate::app::{App, Effect, Overlay, RequestId};
use crate::blades::ListSource;
use crate::licensing::{LicenceFacts, Units};
use crate::sanitize::clean;
use serde_json::Value;

impl App {
    /// Read the licence facts (again).
    /// A group's page whose licence processing has not settled is read again every 3 s, so
    /// the admin sees it settle (group licensing is asynchronous, group-assignlicense.md).
    pub(crate) fn poll_processing(&mut self) -> Vec<Effect> {
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

    pub(crate) fn load_licences(&mut self) -> Vec<Effect> {
        if self.ctx.offline {
            return Vec::new();
        }
        let id = self.fresh_id();
        self.tenant.licences = Loadable::Loading(id);
        vec![Effect::LoadLicences { id }]
    }

    pub(crate) fn on_licences(&mut self, id: RequestId, facts: LicenceFacts) -> Vec<Effect> {
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
    pub(crate) fn licence_chosen(&mut self, t: LicenceTarget, at: usize) -> Vec<Effect> {
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
    pub(crate) fn assign_licence(&mut self, sku: Value, off: Vec<bool>) -> Vec<Effect> {
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

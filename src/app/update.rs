//! `App::update`: keys to actions, actions and results to state changes and effects.

use super::msg::Switch;
use super::view::{DetailTab, DetailView, ListView, View};
use super::{Action, App, Effect, Msg, Overlay, Palette};
use crate::blades::{BladeKind, ListSource, Reading};

impl App {
    /// Handle one message; returns the work to start. A confirm that opens (by a key, a
    /// prompt's Enter, or a result: `:protect`'s next step, a walk's) is marked unseen until
    /// the run loop has drawn it and dropped the keys typed before (`confirm_drawn`): a second
    /// Enter typed ahead never applies a confirm nobody saw.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let before = self
            .write
            .as_ref()
            .map(|w| (w.title.clone(), w.phase.clone()));
        let mut effects = self.handle(msg);
        // A walk's stage that ended starts the next.
        if self.walk.is_some() {
            effects.extend(self.walk_tick());
        }
        let now = self
            .write
            .as_ref()
            .map(|w| (w.title.clone(), w.phase.clone()));
        if before != now
            && now
                .as_ref()
                .is_some_and(|(_, p)| *p == super::write::Phase::Confirm)
        {
            self.confirm_unseen = true;
        }
        // A write that has just failed is kept in `:messages` (its panel says it until left).
        if before != now
            && let Some((title, super::write::Phase::Failed(why))) = &now
        {
            let line = format!(
                "failed: {}: {}",
                crate::sanitize::clean(title.trim()),
                crate::sanitize::clean(why)
            );
            self.log(line, true);
        }
        effects
    }

    /// The run loop drew the frame showing a confirm a result opened, and dropped `dropped`
    /// keys that were typed before it was on screen: none of them may apply it.
    pub fn confirm_drawn(&mut self, dropped: usize) {
        self.confirm_unseen = false;
        if dropped > 0 {
            self.toast(
                format!(
                    "{dropped} key{} typed before this confirm was on screen {} dropped: nothing was applied",
                    if dropped == 1 { "" } else { "s" },
                    if dropped == 1 { "was" } else { "were" }
                ),
                true,
            );
        }
    }

    fn handle(&mut self, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Key(k) => self.on_key(k),
            Msg::Resize => {
                self.dirty = true;
                Vec::new()
            }
            Msg::Tick(now) => {
                let before = self.status_age();
                self.now = now;
                if self.toast.as_ref().is_some_and(|t| t.until <= now) {
                    self.toast = None;
                    self.dirty = true;
                }
                if self.status_age() != before {
                    self.dirty = true;
                }
                self.poll_processing()
            }
            Msg::Cached { id, items, .. } if self.tenant.exceptions_read == Some(id) => {
                self.on_exceptions(&items);
                Vec::new()
            }
            Msg::Cached { id, items, as_of } => self.on_cached(id, items, as_of),
            Msg::CachedRows {
                id,
                rows,
                first,
                last,
                as_of,
            } => self.on_cached_rows(id, rows, first, last, as_of),
            Msg::Page { id, page } => {
                let now = self.now;
                // The Findings blade's run flags its objects everywhere (badges, page sections).
                if let Some(View::List(l)) = self.view_for(id)
                    && l.source == ListSource::Blade(BladeKind(&crate::blades::findings::BLADE))
                {
                    self.tenant.findings = crate::blades::findings::index(&page.items);
                    self.tenant.findings_as_of = None;
                }
                let joined = self.joined_of(id);
                if let Some(View::List(l)) = self.view_for(id) {
                    let rows: Vec<_> = page
                        .items
                        .into_iter()
                        .flat_map(|v| l.source.rows(v))
                        .collect();
                    let rows = match (l.source.join(), joined) {
                        (Some(j), Some(m)) => crate::blades::join::rows(&l.source, j, &m, rows),
                        _ => rows,
                    };
                    let merge = l.source.one_row_per_object();
                    match (page.index == 0, merge) {
                        (true, true) => l.table.set_objects(rows),
                        (true, false) => l.table.set_rows(rows),
                        (false, true) => l.table.extend_objects(rows),
                        (false, false) => l.table.extend(rows),
                    }
                    if page.index == 0 {
                        l.load.count = page.count;
                    }
                    l.load.loaded_at = Some(now);
                    l.load.error = None;
                    l.load.live = true;
                    l.load.from_cache = false;
                    self.dirty = true;
                }
                Vec::new()
            }
            Msg::Object { id, object }
                if self.editor.as_ref().and_then(|e| e.rereading) == Some(id) =>
            {
                self.on_reread(object)
            }
            Msg::Done { id, error: Some(e) }
                if self.editor.as_ref().and_then(|e| e.rereading) == Some(id) =>
            {
                self.on_reread_failed(crate::ca::backup::graph(e));
                Vec::new()
            }
            Msg::Object { id, object } if self.verifying() == Some(id) => self.on_verified(object),
            Msg::Object { id, object } if self.tenant.plan_load == Some(id) => {
                self.tenant.plan_load = None;
                self.on_plan_read(object)
            }
            Msg::Done { id, error: Some(e) } if self.tenant.plan_load == Some(id) => {
                self.tenant.plan_load = None;
                self.toast(format!("plan not applied: {e}"), true);
                Vec::new()
            }
            Msg::Object { id, object } if self.tenant.plan_save == Some(id) => {
                self.on_plan_saved(Ok(object));
                Vec::new()
            }
            Msg::Done { id, error: Some(e) } if self.tenant.plan_save == Some(id) => {
                self.on_plan_saved(Err(e.to_string()));
                Vec::new()
            }
            Msg::Object { id, object } if self.tenant.impact_reads.contains_key(&id) => {
                self.on_impact(id, Ok(object));
                Vec::new()
            }
            Msg::Done { id, error: Some(e) } if self.tenant.impact_reads.contains_key(&id) => {
                self.on_impact(id, Err(e.to_string()));
                Vec::new()
            }
            Msg::Done { id, error: Some(e) } if self.verifying() == Some(id) => {
                if let Some(w) = &mut self.write {
                    if let Some(r) = &mut w.review {
                        r.verifying = None;
                    }
                    w.phase = super::write::Phase::Failed(format!(
                        "cannot re-read it before sending: {}. Your draft is kept.",
                        crate::ca::backup::graph(e)
                    ));
                }
                Vec::new()
            }
            Msg::Notice(text) => {
                self.toast(text, true);
                Vec::new()
            }
            Msg::CacheDamaged(text) => {
                self.cache_damaged = true;
                self.toast(text, true);
                Vec::new()
            }
            Msg::Guard { id, facts } => self.on_guard(id, facts),
            Msg::Names { id, names } => self.on_names(id, names),
            Msg::WhatIf { id, result } => {
                self.on_what_if(id, result);
                Vec::new()
            }
            Msg::Object { id, object } => {
                let now = self.now;
                let mut ids = None;
                let mut impact = None;
                if let Some(View::Detail(d)) = self.view_for(id) {
                    // A policy's page shows names for the ids it holds (and a report-only
                    // policy's impact).
                    if d.target.kind == crate::blades::ObjectKind::CaPolicy {
                        ids = Some(crate::ca::load::object_ids(&object));
                        impact = Some(object.clone());
                    }
                    // A user's page names the groups their licences come from.
                    if d.target.kind == crate::blades::ObjectKind::User {
                        ids = Some(
                            object["licenseAssignmentStates"]
                                .as_array()
                                .into_iter()
                                .flatten()
                                .filter_map(|s| s["assignedByGroup"].as_str())
                                .map(str::to_string)
                                .collect(),
                        );
                    }
                    d.object = Some(object);
                    d.load.loaded_at = Some(now);
                    d.load.error = None;
                    self.dirty = true;
                }
                let mut effects = match ids {
                    Some(mut ids) => {
                        ids.retain(|i| !self.tenant.names.contains_key(i));
                        self.load_names(ids)
                    }
                    None => Vec::new(),
                };
                if let Some(p) = impact {
                    effects.extend(self.read_impact(&p));
                }
                effects
            }
            Msg::Switched(id, Switch(_, ctx)) if self.switch_request == Some(id) => {
                self.switched(ctx)
            }
            Msg::Switched(..) => Vec::new(),
            Msg::SwitchFailed(id, why) if self.switch_request == Some(id) => {
                self.switch_request = None;
                self.toast(format!("cannot switch profile: {why}"), true);
                Vec::new()
            }
            Msg::SwitchFailed(..) => Vec::new(),
            Msg::Facts { id, facts } => self.on_facts(id, facts),
            Msg::WriteDone { id, result } => self.on_write_done(id, result),
            Msg::Resolved { id, ids } => self.on_resolved(id, ids),
            Msg::SearchResults { id, results } => {
                self.on_search(id, results);
                Vec::new()
            }
            Msg::Licences { id, facts } => self.on_licences(id, facts),
            Msg::Joined { id, join, result } => self.on_joined(id, join, result),
            Msg::Filtered(found) => self.on_filtered(found),
            Msg::CachedFindings { items, at } => self.on_cached_findings(items, at),
            Msg::Checked { id, result } => self.on_read(id, result),
            Msg::Roles { id, roles } => {
                self.on_roles(id, roles);
                Vec::new()
            }
            Msg::DeviceCode { id, code } => self.on_device_code(id, code),
            Msg::StepUpDone { id, result } => self.on_step_up(id, result),
            Msg::BulkReport {
                id,
                result,
                dry_run,
            } => self.on_bulk_report(id, result, dry_run),
            Msg::Retrying(n) => {
                let secs = n.wait.as_secs_f64().ceil().max(1.0) as u64;
                if n.attempt == 0 {
                    self.toast(format!("{}: waiting {secs} s", n.reason), false);
                } else {
                    self.toast(format!("{}, retrying in {secs} s", n.reason), false);
                }
                Vec::new()
            }
            Msg::Done { id, error } => {
                if let Some(v) = self.view_for(id) {
                    let path = match v {
                        View::List(l) => match l.source.reading() {
                            Reading::Graph { request, .. } => request.path,
                            Reading::Parts(r) => {
                                r.first().map(|r| r.path.clone()).unwrap_or_default()
                            }
                            _ => String::new(),
                        },
                        View::Detail(d) => d.target.kind.request(&d.target.id).path,
                    };
                    // A page opened from a list shows what the list holds while it reads the
                    // object again; when that re-read fails, the page says so and keeps it.
                    let shown = matches!(v, View::Detail(d) if d.object.is_some());
                    let load = v.load_mut();
                    load.loading = false;
                    load.request = None;
                    load.error = error.map(|e| {
                        let e = match e.licence_hint(&path) {
                            Some(h) => format!("{h}: {e}"),
                            None => e.to_string(),
                        };
                        if shown {
                            format!("re-reading {path} failed ({e}): shown as the list read it")
                        } else {
                            e
                        }
                    });
                    self.dirty = true;
                }
                Vec::new()
            }
        }
    }

    /// The view waiting for request `id`, if any (stale ids find none and are dropped).
    pub(super) fn view_for(&mut self, id: super::RequestId) -> Option<&mut View> {
        self.stack.iter_mut().find(|v| v.load().request == Some(id))
    }

    /// "as of" label of the top view, for the status bar.
    pub fn status_age(&self) -> String {
        let load = self.top().load();
        match (load.loading, load.loaded_at) {
            (true, None) => "loading…".into(),
            (_, None) => "not loaded".into(),
            (loading, Some(t)) => {
                let secs = (self.now - t).num_seconds().max(0);
                let age = if secs < 60 {
                    format!("{secs}s")
                } else if secs < 3600 {
                    format!("{}m", secs / 60)
                } else {
                    format!("{}h", secs / 3600)
                };
                if loading {
                    format!("loading… (as of {age} ago)")
                } else {
                    format!("as of {age} ago")
                }
            }
        }
    }

    /// Replace the stack with a blade's list and load it.
    pub fn switch_blade(&mut self, b: BladeKind) -> Vec<Effect> {
        self.blade = b;
        self.nav_cursor = BladeKind::ALL.iter().position(|x| *x == b).unwrap_or(0);
        self.nav_focus = false;
        // The views replaced stop their reads (a paged load would go on spending quota).
        let old = std::mem::replace(
            &mut self.stack,
            vec![View::List(ListView::new(ListSource::Blade(b)))],
        );
        let mut effects: Vec<Effect> = old.iter().filter_map(|v| self.cancel_load(v)).collect();
        self.dirty = true;
        effects.extend(self.reload_top());
        effects
    }

    /// The cancellation of a view's read in flight, if any (a shared read it started is
    /// forgotten too, so the next one is not skipped).
    fn cancel_load(&mut self, v: &View) -> Option<Effect> {
        let id = v.load().request?;
        if self.tenant.facts_request == Some(id) {
            self.tenant.facts_request = None;
        }
        if self.tenant.roles.request() == Some(id) {
            self.tenant.roles = super::tenant::Loadable::Idle;
        }
        Some(Effect::Cancel(id))
    }

    /// (Re)load the top view from Graph; any older request for it becomes stale.
    pub fn reload_top(&mut self) -> Vec<Effect> {
        let id = self.fresh_id();
        self.dirty = true;
        let effect = match self.top() {
            View::List(l) => match l.source.reading() {
                Reading::Roles => Effect::LoadRoles { id },
                Reading::WhatIf(query) => Effect::WhatIf { id, query },
                Reading::Facts => {
                    self.tenant.facts_request = Some(id);
                    Effect::LoadFacts { id }
                }
                Reading::Journal => Effect::LoadJournal { id },
                Reading::Graph { request, cache } => Effect::FetchPages {
                    id,
                    request,
                    cache,
                    rows: Some(l.source.clone()),
                },
                Reading::Parts(requests) => Effect::FetchParts { id, requests },
                // A blade's computation gets the profile's audit settings (break-glass
                // accounts, waivers: the audit honours them); a list's own key otherwise.
                Reading::Computed(computed, key) => Effect::ComputeList {
                    id,
                    computed,
                    key: if key.is_empty() {
                        crate::blades::findings::key(
                            &self.ctx.tenant,
                            &self.ctx.break_glass,
                            self.ctx.waivers.as_deref(),
                        )
                    } else {
                        key
                    },
                },
            },
            View::Detail(d) => match d.target.kind.def().computed {
                Some(computed) => Effect::Compute {
                    id,
                    computed,
                    key: d.target.id.clone(),
                },
                None => Effect::FetchObject {
                    id,
                    request: d.target.kind.request(&d.target.id),
                    cache: Some((d.target.kind.collection().to_string(), d.target.id.clone())),
                },
            },
        };
        let load = self.top_mut().load_mut();
        load.request = Some(id);
        load.loading = true;
        let mut effects = vec![effect];
        // Rows that name licences are completed from the licence facts: read them again too.
        if matches!(self.top(), View::List(ListView { source: ListSource::Blade(b), .. }) if b.def().refine.is_some())
        {
            effects.extend(self.load_licences());
        }
        // What the list joins to its rows is read again with it.
        if let View::List(l) = self.top()
            && let Some(join) = l.source.join()
        {
            let id = self.fresh_id();
            self.tenant.join_requests.insert(join.name, id);
            effects.push(Effect::Join { id, join });
        }
        effects
    }

    /// The object a key on the top view is about: the page's, else the selected row's, as
    /// (id, name).
    pub fn focused_object(&self) -> Option<(String, String)> {
        let name_of = |o: &serde_json::Value| {
            o["displayName"]
                .as_str()
                .or(o["userDisplayName"].as_str())
                .map(str::to_string)
        };
        match self.top() {
            View::Detail(d) => Some((
                d.target.id.clone(),
                d.object
                    .as_ref()
                    .and_then(name_of)
                    .unwrap_or_else(|| d.target.name.clone()),
            )),
            View::List(l) => l.table.selected().map(|r| {
                (
                    r.id().to_string(),
                    name_of(&r.object())
                        .unwrap_or_else(|| r.cells.first().map(str::to_string).unwrap_or_default()),
                )
            }),
        }
    }

    /// Open a list on top of the stack.
    pub fn open_list(&mut self, source: ListSource) -> Vec<Effect> {
        self.push(View::List(ListView::new(source)))
    }

    /// Open an object's page on top of the stack.
    pub fn open_object(&mut self, target: crate::blades::ObjectRef) -> Vec<Effect> {
        self.push(View::Detail(DetailView::new(target)))
    }

    pub(super) fn push(&mut self, v: View) -> Vec<Effect> {
        let principal = matches!(&v, View::Detail(d) if d.target.kind.def().principal);
        self.stack.push(v);
        let mut effects = self.reload_top();
        // A user's or group's page shows its roles: read them once, in the background.
        if principal && self.tenant.roles.wanted() {
            let id = self.fresh_id();
            self.tenant.roles = super::tenant::Loadable::Loading(id);
            effects.push(Effect::LoadRoles { id });
        }
        // A role's page marks its privileged permissions from the resource actions; a named
        // location's or strength's page lists the policies using it.
        let role = matches!(self.top(), View::Detail(d) if d.target.kind.def().needs_facts);
        if role && self.tenant.facts.is_none() && self.tenant.facts_request.is_none() {
            effects.extend(self.load_facts());
        }
        effects
    }

    pub(super) fn act(&mut self, a: Action) -> Vec<Effect> {
        self.dirty = true;
        let page = 10;
        // Read-only: a write is refused before any view sees it (its key is not even listed).
        if self.ctx.read_only && a.writes() {
            let key = self
                .keymap
                .hint_on(a, Some(self.key_blade()))
                .unwrap_or_else(|| a.name().to_string());
            self.toast(
                format!(
                    "read-only: {key} ({}) would change the tenant; this session writes nothing",
                    a.name()
                ),
                true,
            );
            return Vec::new();
        }
        // Nav focus keeps its own keys; elsewhere a key the view does not answer says so.
        if !self.nav_focus
            && let Some(why) = self.unsupported(a)
        {
            self.toast(why, false);
            return Vec::new();
        }
        // A verb of the view's blade: the blade answers it.
        if let Action::Verb(v) = a {
            // The view's own verb of that name (a key bound to a generic name means it).
            let mine =
                super::hints::view_actions(self.top())
                    .into_iter()
                    .find_map(|(x, _)| match x {
                        Action::Verb(m) if m == v => Some(m.0),
                        _ => None,
                    });
            return match mine {
                Some(verb) if !self.nav_focus => self.run_verb(verb),
                _ => Vec::new(),
            };
        }
        match a {
            Action::Quit => self.ask_quit(),
            Action::Help => self.overlay = Overlay::Help { scroll: 0 },
            Action::Palette => self.overlay = Overlay::Palette(Palette::default()),
            Action::FocusNav => self.nav_focus = !self.nav_focus,
            Action::Refresh => return self.reload_top(),
            Action::Back => return self.back(),
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => self.movement(a, page),
            Action::Open if self.nav_focus => {
                if let Some(b) = BladeKind::ALL.get(self.nav_cursor) {
                    return self.switch_blade(*b);
                }
            }
            Action::Open => {
                if let View::List(l) = self.top()
                    && let Some(row) = l.table.selected().map(|r| r.object())
                    && let Some(target) = l.source.open(&row)
                {
                    // The page shows what the list holds at once and reads the object again
                    // behind it (cache first, refresh behind); a failed re-read keeps what the
                    // list read instead of an empty page (a deleted item's page did).
                    let mut page = DetailView::new(target);
                    if matches!(l.source, ListSource::Blade(_)) {
                        page.object = Some(row);
                    }
                    return self.push(View::Detail(page));
                }
            }
            Action::Filter => {
                if let View::List(l) = self.top_mut() {
                    l.editing = true;
                }
            }
            Action::Sort => {
                if let View::List(l) = self.top_mut() {
                    l.table.cycle_sort();
                }
            }
            Action::SortReverse => {
                if let View::List(l) = self.top_mut() {
                    l.table.reverse_sort();
                }
            }
            Action::NextTab => {
                if let View::Detail(d) = self.top_mut() {
                    d.tab = match d.tab {
                        DetailTab::Properties => DetailTab::Json,
                        DetailTab::Json => DetailTab::Properties,
                    };
                    d.scroll = 0;
                }
            }
            Action::Mark => {
                if let View::List(l) = self.top_mut() {
                    l.table.toggle_mark();
                    l.table.move_by(1);
                }
            }
            // Run above.
            Action::Verb(_) => {}
            Action::CopyId => {
                let id = match self.top() {
                    View::List(l) => l.table.selected().map(|r| r.id().to_string()),
                    View::Detail(d) => Some(d.target.id.clone()),
                };
                if let Some(id) = id.filter(|i| !i.is_empty()) {
                    self.toast(format!("copied {id}"), false);
                    return vec![Effect::Copy(id)];
                }
            }
        }
        Vec::new()
    }

    /// `:whocan PERMISSION`: everyone who can use a permission.
    pub fn who_can(&mut self, permission: String) -> Vec<Effect> {
        let permission = crate::roles::full_permission(&permission);
        self.push(View::List(ListView::new(ListSource::WhoCan { permission })))
    }

    fn back(&mut self) -> Vec<Effect> {
        if !matches!(self.overlay, Overlay::None) {
            self.overlay = Overlay::None;
            return Vec::new();
        }
        if self.nav_focus {
            self.nav_focus = false;
            return Vec::new();
        }
        if let View::List(l) = self.top_mut()
            && !l.table.filter.is_empty()
        {
            l.table.set_filter("");
            return Vec::new();
        }
        if self.stack.len() > 1
            && let Some(v) = self.stack.pop()
        {
            // Leaving a view stops its read (k9s stops a covered view's refresh).
            return self.cancel_load(&v).into_iter().collect();
        }
        Vec::new()
    }

    fn movement(&mut self, a: Action, page: isize) {
        if self.nav_focus {
            let n = BladeKind::ALL.len();
            self.nav_cursor = match a {
                Action::Up => self.nav_cursor.saturating_sub(1),
                Action::Down => (self.nav_cursor + 1).min(n - 1),
                Action::Top | Action::PageUp => 0,
                _ => n - 1,
            };
            return;
        }
        match self.top_mut() {
            View::List(l) => match a {
                Action::Up => l.table.move_by(-1),
                Action::Down => l.table.move_by(1),
                Action::PageUp => l.table.page_by(-1),
                Action::PageDown => l.table.page_by(1),
                Action::Top => l.table.top(),
                _ => l.table.bottom(),
            },
            View::Detail(d) => {
                d.scroll = match a {
                    Action::Up => d.scroll.saturating_sub(1),
                    Action::Down => d.scroll.saturating_add(1),
                    Action::PageUp => d.scroll.saturating_sub(page as u16),
                    Action::PageDown => d.scroll.saturating_add(page as u16),
                    Action::Top => 0,
                    _ => u16::MAX / 2,
                }
            }
        }
    }
}

//! What the cache and off-task work hand the lists: cached objects and rows (a large list in
//! chunks), filter results, and the findings of the audit kept in the cache.

use super::view::View;
use super::{App, Effect, RequestId};
use crate::blades::join::{Join, Joined};
use crate::widgets::table::{Filtered, TableRow};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::sync::Arc;

impl App {
    /// A list's cached objects (a small list whole, a large one's first screen).
    pub(super) fn on_cached(
        &mut self,
        id: RequestId,
        items: Vec<Value>,
        as_of: Option<DateTime<Utc>>,
    ) -> Vec<Effect> {
        let Some(View::List(l)) = self.view_for(id) else {
            return Vec::new();
        };
        let rows = items.into_iter().flat_map(|v| l.source.rows(v)).collect();
        self.on_cached_rows(id, rows, true, false, as_of)
    }

    /// Cached rows: the first chunk replaces what is shown, the others add to it; shown only
    /// until the first live page replaces them.
    pub(super) fn on_cached_rows(
        &mut self,
        id: RequestId,
        rows: Vec<TableRow>,
        first: bool,
        last: bool,
        as_of: Option<DateTime<Utc>>,
    ) -> Vec<Effect> {
        let joined = self.joined_of(id);
        if let Some(View::List(l)) = self.view_for(id)
            && !l.load.live
        {
            let rows = match (l.source.join(), joined) {
                (Some(j), Some(m)) => crate::blades::join::rows(&l.source, j, &m, rows),
                _ => rows,
            };
            match (first, l.source.one_row_per_object()) {
                (true, true) => l.table.set_objects(rows),
                (true, false) => l.table.set_rows(rows),
                (false, true) => l.table.extend_objects(rows),
                (false, false) => l.table.extend(rows),
            }
            l.load.loaded_at = as_of;
            l.load.from_cache = true;
            if last {
                l.table.shrink();
                crate::memory::release();
            }
            self.dirty = true;
        }
        Vec::new()
    }

    /// What the list waiting for `id` joins to its rows, when it has been read.
    pub(super) fn joined_of(&mut self, id: RequestId) -> Option<Arc<Joined>> {
        let Some(View::List(l)) = self.view_for(id) else {
            return None;
        };
        let join = l.source.join()?;
        self.tenant.joined.get(join.name).cloned()
    }

    /// A join was read: the open lists that join it show it now (only the rows it names, or
    /// named before, are made again). Not read: said (the list itself is whole), and what an
    /// earlier read put on the rows is taken off: the column is blank, never stale.
    pub(super) fn on_joined(
        &mut self,
        id: RequestId,
        join: &'static Join,
        result: Result<Joined, String>,
    ) -> Vec<Effect> {
        if self.tenant.join_requests.get(join.name) != Some(&id) {
            return Vec::new();
        }
        self.tenant.join_requests.remove(join.name);
        let before = self.tenant.joined.remove(join.name);
        let joined = match result {
            Ok(j) => Arc::new(j),
            Err(why) => {
                self.toast(format!("{} not read: {why}", join.name), false);
                Arc::new(Joined::new())
            }
        };
        for v in &mut self.stack {
            if let View::List(l) = v
                && l.source.join() == Some(join)
            {
                let named_before = |id: &str| before.as_ref().is_some_and(|b| b.contains_key(id));
                let rows: Vec<TableRow> = l
                    .table
                    .all_rows()
                    .filter_map(
                        |r| match crate::blades::join::row(&l.source, join, &joined, r) {
                            Some(row) => Some(row),
                            None if named_before(r.id()) => {
                                crate::blades::join::row_without(&l.source, join, r)
                            }
                            None => None,
                        },
                    )
                    .collect();
                if !rows.is_empty() {
                    l.table.extend_objects(rows);
                }
            }
        }
        if !joined.is_empty() {
            self.tenant.joined.insert(join.name, joined);
        }
        self.dirty = true;
        Vec::new()
    }

    /// A large table's filter results, for the table still waiting for them.
    pub(super) fn on_filtered(&mut self, found: Filtered) -> Vec<Effect> {
        if let Some(View::List(l)) = self
            .stack
            .iter_mut()
            .find(|v| matches!(v, View::List(l) if l.table.awaits(found.generation)))
        {
            l.table.apply(found);
            self.dirty = true;
        }
        Vec::new()
    }

    /// Badges from the audit kept in the cache; the Findings blade's own (live) run wins.
    pub(super) fn on_cached_findings(&mut self, items: Vec<Value>, at: String) -> Vec<Effect> {
        if self.tenant.findings.is_empty() {
            self.tenant.findings = crate::blades::findings::index(&items);
            self.tenant.findings_as_of = Some(at);
            self.dirty = true;
        }
        Vec::new()
    }
}

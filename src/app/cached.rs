//! What the cache and off-task work hand the lists: cached objects and rows (a large list in
//! chunks), filter results, and the findings of the audit kept in the cache.

use super::view::View;
use super::{App, Effect, RequestId};
use crate::widgets::table::{Filtered, TableRow};
use chrono::{DateTime, Utc};
use serde_json::Value;

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
        if let Some(View::List(l)) = self.view_for(id)
            && !l.load.live
        {
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

//! The shared object table: rows of sanitized cells over raw Graph objects, fuzzy filter,
//! column sort, cursor and virtualized rendering (only visible rows are built).

pub use super::cells::{Cells, Hay, is_date};
pub use super::fit::{fit, fit_path};
use crate::sanitize::clean;
use crate::theme::Theme;
use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Row, Table};
use serde_json::Value;

/// A column: title and width rule.
#[derive(Clone, Debug)]
pub struct Column {
    pub title: &'static str,
    /// Minimum width; the first column marked `grow` takes the remaining space.
    pub min: u16,
    pub grow: bool,
    /// Shown only when the table is at least this wide (0: always): extra detail for wide
    /// terminals that must not squeeze the name column at 80x24.
    pub from_width: u16,
    /// A path whose end tells rows apart (`crossTenantAccessPolicy/default/…/update`): cut
    /// inside its segments, keeping each one's start and the last whole (`fit_path`).
    pub path: bool,
}

impl Column {
    pub const fn fixed(title: &'static str, min: u16) -> Self {
        Column {
            title,
            min,
            grow: false,
            from_width: 0,
            path: false,
        }
    }

    pub const fn grow(title: &'static str, min: u16) -> Self {
        Column {
            title,
            min,
            grow: true,
            from_width: 0,
            path: false,
        }
    }

    /// Show the column only on tables at least `width` wide.
    pub const fn from(mut self, width: u16) -> Self {
        self.from_width = width;
        self
    }

    /// The column holds paths: cut inside their segments, the last kept (`fit_path`).
    pub const fn path(mut self) -> Self {
        self.path = true;
        self
    }
}

/// Score `candidates` (row indices, kept in order) against the pattern; large sets are split
/// over the cores (each thread with its own matcher). `None` when `cancelled` says a newer
/// query made this one moot.
fn score_all<'h>(
    pattern: &Pattern,
    hay: &(dyn Fn(usize) -> nucleo_matcher::Utf32Str<'h> + Sync),
    candidates: &[usize],
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<(u32, usize)>> {
    let score = |part: &[usize]| {
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut out = Vec::new();
        for (n, &i) in part.iter().enumerate() {
            if n % 8192 == 8191 && cancelled() {
                return None;
            }
            if let Some(s) = pattern.score(hay(i), &mut matcher) {
                out.push((s, i));
            }
        }
        Some(out)
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    if candidates.len() < 20_000 || threads < 2 {
        return score(candidates);
    }
    let chunk = candidates.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = candidates
            .chunks(chunk)
            .map(|part| s.spawn(move || score(part)))
            .collect();
        let mut all = Vec::new();
        for h in handles {
            all.extend(h.join().ok()??);
        }
        Some(all)
    })
}

/// Row indices by score, best first, rows in order within a score (`scored` is in row order).
/// Scores are small numbers: counted into buckets in one pass, not sorted (a million matches
/// took 60 ms to sort).
fn best_first(scored: Vec<(u32, usize)>) -> Vec<usize> {
    let max = scored.iter().map(|s| s.0).max().unwrap_or(0) as usize;
    if max > 65_536 {
        let mut scored = scored;
        // (score desc, row) is a total order: the unstable sort gives the stable result.
        scored.sort_unstable_by_key(|s| (std::cmp::Reverse(s.0), s.1));
        return scored.into_iter().map(|(_, i)| i).collect();
    }
    // Where each score's rows start, best score first.
    let mut start = vec![0usize; max + 2];
    for &(s, _) in &scored {
        start[max - s as usize + 1] += 1;
    }
    for k in 1..start.len() {
        start[k] += start[k - 1];
    }
    let mut out = vec![0usize; scored.len()];
    for (s, i) in scored {
        let slot = &mut start[max - s as usize];
        out[*slot] = i;
        *slot += 1;
    }
    out
}

/// An id's key in the table's index.
fn id_hash(id: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(id)
}

/// Filters over more candidate rows than this run off the UI task (a keystroke's frame shows
/// the query at once; the rows follow).
const ASYNC_FROM: usize = 50_000;

/// Generations of filter results, unique across tables: a result applies only to the table
/// and query that asked for it.
static GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_generation() -> u64 {
    GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// A filter of a large table, to run off the UI task ([`FilterJob::run`]) on a snapshot of
/// the rows' search text.
#[derive(Clone)]
pub struct FilterJob {
    pub generation: u64,
    query: String,
    hay: std::sync::Arc<Vec<Hay>>,
    /// Rows to score (the previous matches when the query only grew), else every row.
    candidates: Option<Vec<usize>>,
    /// The table's current generation: a job whose table moved on stops early.
    current: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl std::fmt::Debug for FilterJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FilterJob({}, {:?})", self.generation, self.query)
    }
}

impl PartialEq for FilterJob {
    fn eq(&self, other: &Self) -> bool {
        self.generation == other.generation
    }
}

/// What a filter job found: scored rows, in row order.
#[derive(Debug)]
pub struct Filtered {
    pub generation: u64,
    scored: Vec<(u32, usize)>,
}

impl FilterJob {
    /// Score the rows (blocking; split over the cores). `None` when superseded.
    pub fn run(self) -> Option<Filtered> {
        let pattern = pattern(&self.query);
        let all: Vec<usize>;
        let candidates = match &self.candidates {
            Some(c) => c.as_slice(),
            None => {
                all = (0..self.hay.len()).collect();
                &all
            }
        };
        let hay = &self.hay;
        let current = &self.current;
        let generation = self.generation;
        let scored = score_all(&pattern, &|i| hay[i].slice(), candidates, &|| {
            current.load(std::sync::atomic::Ordering::Relaxed) != generation
        })?;
        Some(Filtered { generation, scored })
    }
}

/// Words match as contiguous text (a directory of 20,000 users has too many scattered
/// "a…d…a"); `~` first asks for fzf-style fuzzy matching instead. Word starts score higher,
/// so "adele" puts Adele Vance before Madeleine.
fn pattern(filter: &str) -> Pattern {
    let (text, kind) = match filter.strip_prefix('~') {
        Some(rest) => (rest, AtomKind::Fuzzy),
        None => (filter, AtomKind::Substring),
    };
    Pattern::new(text, CaseMatching::Ignore, Normalization::Smart, kind)
}

/// How rows look beyond their cells: a colour per cell, and whether an object carries a flag
/// (an open audit finding).
pub struct Look<'a> {
    pub style: &'a dyn Fn(&TableRow, usize) -> Option<Style>,
    pub flagged: &'a dyn Fn(&str) -> bool,
}

/// One row: the object, its display cells (already sanitized) and its search text. The
/// object is kept as its JSON text (a parsed object costs several times its text: 100k users
/// took 500 MB) and parsed again when asked for: rows are many, objects asked for are few.
#[derive(Clone, Debug)]
pub struct TableRow {
    id: Box<str>,
    json: Box<str>,
    pub cells: Cells,
}

impl TableRow {
    /// Build a row; every cell goes through the sanitizer here, once.
    pub fn new(object: Value, cells: Vec<String>) -> Self {
        let cells: Vec<String> = cells.iter().map(|c| clean(c)).collect();
        let cells = Cells::from(cells);
        TableRow {
            id: object
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .into(),
            json: object.to_string().into_boxed_str(),
            cells,
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    /// The row's Graph object (parsed from its kept text).
    pub fn object(&self) -> Value {
        serde_json::from_str(&self.json).unwrap_or(Value::Null)
    }
}

/// Table state: rows, the visible (filtered, sorted) order, cursor and scroll offset.
#[derive(Debug, Default)]
pub struct ObjectTable {
    pub columns: Vec<Column>,
    rows: Vec<TableRow>,
    visible: Vec<usize>,
    pub filter: String,
    pub sort: Option<(usize, bool)>,
    pub cursor: usize,
    offset: usize,
    /// Rows shown at the last render (for paging).
    page: usize,
    /// Ids of rows marked for a bulk action (Space).
    pub marked: std::collections::BTreeSet<String>,
    /// Rows matching `matched_for` (in row order): a filter that extends it only rescans these.
    matched: Vec<usize>,
    matched_for: String,
    /// Where each id sits in `rows`: a page that repeats an object replaces it, never adds a
    /// second copy (Graph paging that loops must not fill the table with duplicates). Keyed
    /// by the id's hash (a copy of every id cost 70 bytes a row); the row's own id decides,
    /// and the rare id whose hash another id holds is kept in `collided`.
    index: std::collections::HashMap<u64, u32>,
    collided: std::collections::HashMap<String, u32>,
    /// The rows' search text as a filter job sees it, made once per change of rows.
    snapshot: Option<std::sync::Arc<Vec<Hay>>>,
    /// A filter too large for a keystroke, waiting to be run off the UI task.
    job: Option<Box<FilterJob>>,
    /// The generation a pending filter's results must carry (shared with its job).
    generation: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// A filter runs off the UI task: the rows shown are the previous query's.
    pub matching: bool,
}

impl ObjectTable {
    pub fn new(columns: Vec<Column>) -> Self {
        ObjectTable {
            columns,
            page: 10,
            ..Default::default()
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Rebuild every row (the filter and sort apply again).
    pub fn rebuild(&mut self, mut f: impl FnMut(&TableRow) -> TableRow) {
        for r in &mut self.rows {
            *r = f(r);
        }
        self.rows_changed();
        self.matched_for.clear();
        self.refresh_view();
        self.clamp();
    }

    /// Every row, filtered out or not.
    pub fn all_rows(&self) -> impl Iterator<Item = &TableRow> {
        self.rows.iter()
    }

    /// Give back the spare capacity a list grown chunk by chunk keeps (a 100k-row list held
    /// room for 131,072).
    pub fn shrink(&mut self) {
        self.rows.shrink_to_fit();
        self.visible.shrink_to_fit();
        self.index.shrink_to_fit();
        // A table large enough to filter off the UI task gets its snapshot now, at load,
        // rather than on the first key (a million shared texts take tens of milliseconds).
        if self.rows.len() >= ASYNC_FROM && self.snapshot.is_none() {
            self.snapshot = Some(std::sync::Arc::new(
                self.rows.iter().map(|r| r.cells.hay()).collect(),
            ));
        }
    }

    pub fn visible_len(&self) -> usize {
        self.visible.len()
    }

    /// Replace all rows, keeping the cursor on the same object if it is still there.
    pub fn set_rows(&mut self, rows: Vec<TableRow>) {
        self.add(rows, false, true);
    }

    /// Replace all rows with Graph objects, one row per id (see [`Self::extend_objects`]).
    pub fn set_objects(&mut self, rows: Vec<TableRow>) {
        self.add(rows, true, true);
    }

    /// Append a page of Graph objects: an object whose id is already listed replaces its row
    /// (a server whose paging repeats itself must not fill the table with copies).
    pub fn extend_objects(&mut self, rows: Vec<TableRow>) {
        self.add(rows, true, false);
    }

    /// Append rows (a further page arriving).
    pub fn extend(&mut self, rows: Vec<TableRow>) {
        self.add(rows, false, false);
    }

    fn add(&mut self, rows: Vec<TableRow>, unique: bool, replace: bool) {
        let keep = self.selected().map(|r| r.id().to_string());
        if replace {
            self.rows.clear();
            self.index.clear();
            self.collided.clear();
        }
        if unique {
            self.push_unique(rows);
        } else {
            self.rows.extend(rows);
        }
        self.rows_changed();
        self.matched_for.clear();
        self.refresh_view();
        if let Some(id) = keep
            && let Some(pos) = self.visible.iter().position(|&i| self.rows[i].id() == id)
        {
            self.cursor = pos;
        }
        self.clamp();
    }

    /// Add rows; a row whose id is already listed replaces that row (rows without an id are
    /// all kept). Computed lists (who can, assignments) list one principal on several rows and
    /// do not come here.
    fn push_unique(&mut self, rows: Vec<TableRow>) {
        for row in rows {
            let id = row.id();
            if id.is_empty() {
                self.rows.push(row);
                continue;
            }
            let at = self.rows.len() as u32;
            match self.index.entry(id_hash(id)) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(at);
                    self.rows.push(row);
                }
                std::collections::hash_map::Entry::Occupied(e) => {
                    let held = *e.get() as usize;
                    if self.rows[held].id() == id {
                        self.rows[held] = row;
                    } else if let Some(&other) = self.collided.get(id) {
                        self.rows[other as usize] = row;
                    } else {
                        self.collided.insert(id.to_string(), at);
                        self.rows.push(row);
                    }
                }
            }
        }
    }

    /// Rows changed: a pending filter's results no longer fit them (the view is refreshed
    /// here, on the UI task), and the next job takes a new snapshot.
    fn rows_changed(&mut self) {
        self.snapshot = None;
        self.job = None;
        self.matching = false;
        self.generation
            .store(next_generation(), std::sync::atomic::Ordering::Relaxed);
    }

    pub fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_string();
        self.cursor = 0;
        self.offset = 0;
        let narrowing = !self.matched_for.is_empty() && self.filter.starts_with(&self.matched_for);
        let candidates = if narrowing {
            self.matched.len()
        } else {
            self.rows.len()
        };
        if self.filter.trim().is_empty() || candidates < ASYNC_FROM {
            self.job = None;
            self.matching = false;
            self.generation
                .store(next_generation(), std::sync::atomic::Ordering::Relaxed);
            self.refresh_view();
            return;
        }
        // Off the UI task: the frame shows the query now and the rows when they are scored.
        let generation = next_generation();
        self.generation
            .store(generation, std::sync::atomic::Ordering::Relaxed);
        let hay = self
            .snapshot
            .get_or_insert_with(|| {
                std::sync::Arc::new(self.rows.iter().map(|r| r.cells.hay()).collect())
            })
            .clone();
        self.job = Some(Box::new(FilterJob {
            generation,
            query: self.filter.clone(),
            hay,
            candidates: narrowing.then(|| self.matched.clone()),
            current: self.generation.clone(),
        }));
        self.matching = true;
    }

    /// The filter job `set_filter` left for the runtime, if any.
    pub fn take_job(&mut self) -> Option<FilterJob> {
        self.job.take().map(|j| *j)
    }

    /// Whether a job's results are the ones this table waits for.
    pub fn awaits(&self, generation: u64) -> bool {
        self.matching && self.generation.load(std::sync::atomic::Ordering::Relaxed) == generation
    }

    /// Show a filter job's results (when they are still the ones awaited).
    pub fn apply(&mut self, r: Filtered) {
        if !self.awaits(r.generation) {
            return;
        }
        self.matching = false;
        self.show_scored(r.scored);
        self.clamp();
    }

    /// Sort by the next column (or reverse the current order).
    pub fn cycle_sort(&mut self) {
        let n = self.columns.len();
        self.sort = match self.sort {
            None => Some((0, false)),
            Some((c, _)) if c + 1 < n => Some((c + 1, false)),
            Some(_) => None,
        };
        self.refresh_view();
    }

    pub fn reverse_sort(&mut self) {
        self.sort = Some(match self.sort {
            None => (0, true),
            Some((c, d)) => (c, !d),
        });
        self.refresh_view();
    }

    fn refresh_view(&mut self) {
        if self.filter.trim().is_empty() {
            self.matched_for.clear();
            self.visible = (0..self.rows.len()).collect();
            self.sort_visible();
            self.clamp();
            return;
        }
        let pattern = pattern(&self.filter);
        // Typing narrows: every row matching "ada lo" matched "ada l" (atoms are ANDed and
        // each atom only grows), so only those are scored again.
        let narrowing = !self.matched_for.is_empty() && self.filter.starts_with(&self.matched_for);
        let candidates: Vec<usize> = if narrowing {
            std::mem::take(&mut self.matched)
        } else {
            (0..self.rows.len()).collect()
        };
        let rows = &self.rows;
        let scored = score_all(
            &pattern,
            &|i| rows[i].cells.hay_slice(),
            &candidates,
            &|| false,
        )
        .unwrap_or_default();
        self.show_scored(scored);
        self.clamp();
    }

    /// The rows a query scored, best first unless a column sort decides.
    fn show_scored(&mut self, scored: Vec<(u32, usize)>) {
        self.matched = scored.iter().map(|s| s.1).collect();
        self.matched_for = self.filter.clone();
        // Without an explicit sort, best matches first (stable for equal scores).
        self.visible = if self.sort.is_none() {
            best_first(scored)
        } else {
            scored.into_iter().map(|(_, i)| i).collect()
        };
        self.sort_visible();
    }

    fn sort_visible(&mut self) {
        let mut visible = std::mem::take(&mut self.visible);
        if let Some((col, desc)) = self.sort {
            let rows = &self.rows;
            let key = |i: &usize| {
                rows[*i]
                    .cells
                    .get(col)
                    .map(str::to_lowercase)
                    .unwrap_or_default()
            };
            visible.sort_by_cached_key(key);
            if desc {
                visible.reverse();
            }
        }
        self.visible = visible;
    }

    fn clamp(&mut self) {
        if self.cursor >= self.visible.len() {
            self.cursor = self.visible.len().saturating_sub(1);
        }
    }

    /// Mark or unmark the selected row for a bulk action.
    pub fn toggle_mark(&mut self) {
        if let Some(id) = self.selected().map(|r| r.id().to_string())
            && !self.marked.remove(&id)
        {
            self.marked.insert(id);
        }
    }

    /// The marked rows (in visible order).
    pub fn marked_rows(&self) -> Vec<&TableRow> {
        self.visible_rows()
            .filter(|r| self.marked.contains(r.id()))
            .collect()
    }

    /// What a bulk key applies to: the marked rows on screen, else the selected one.
    pub fn marked_or_selected(&self) -> Vec<&TableRow> {
        let marked = self.marked_rows();
        if marked.is_empty() {
            self.selected().into_iter().collect()
        } else {
            marked
        }
    }

    pub fn selected(&self) -> Option<&TableRow> {
        self.visible.get(self.cursor).map(|&i| &self.rows[i])
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.visible.is_empty() {
            return;
        }
        let max = self.visible.len() - 1;
        self.cursor = (self.cursor as isize + delta).clamp(0, max as isize) as usize;
    }

    pub fn page_by(&mut self, pages: isize) {
        self.move_by(pages * self.page.max(1) as isize);
    }

    pub fn top(&mut self) {
        self.cursor = 0;
    }

    pub fn bottom(&mut self) {
        self.cursor = self.visible.len().saturating_sub(1);
    }

    /// All rows in visible order (for exports of the filtered view).
    pub fn visible_rows(&self) -> impl Iterator<Item = &TableRow> {
        self.visible.iter().map(|&i| &self.rows[i])
    }

    /// The columns shown on a table `total` wide (by index).
    fn shown(&self, total: u16) -> Vec<usize> {
        (0..self.columns.len())
            .filter(|&i| self.columns[i].from_width <= total)
            .collect()
    }

    /// Column widths for a table `total` wide: every column gets its minimum; spare room goes
    /// to the columns whose cells on the page `rows` would be cut, in equal shares (a column
    /// that needs less keeps only what it needs), and what is left to the grow column.
    fn widths(&self, total: u16, shown: &[usize], rows: std::ops::Range<usize>) -> Vec<Constraint> {
        use unicode_width::UnicodeWidthStr;
        let spacing = shown.len().saturating_sub(1) as u16;
        let fixed: u16 = shown.iter().map(|&i| self.columns[i].min).sum::<u16>() + spacing;
        let mut spare = total.saturating_sub(fixed);
        let mut out: Vec<u16> = shown.iter().map(|&i| self.columns[i].min).collect();
        let mut need: Vec<u16> = shown
            .iter()
            .zip(&out)
            .map(|(&i, &min)| {
                let widest = self.visible[rows.clone()]
                    .iter()
                    .filter_map(|&r| self.rows[r].cells.get(i))
                    .map(|c| c.width())
                    .max()
                    .unwrap_or(0)
                    .min(u16::MAX as usize) as u16;
                widest.saturating_sub(min)
            })
            .collect();
        while spare > 0 {
            let needy = need.iter().filter(|n| **n > 0).count() as u16;
            if needy == 0 {
                break;
            }
            let share = (spare / needy).max(1);
            for (k, n) in need.iter_mut().enumerate() {
                let more = (*n).min(share).min(spare);
                out[k] += more;
                *n -= more;
                spare -= more;
            }
        }
        if let Some(k) = shown.iter().position(|&i| self.columns[i].grow) {
            out[k] += spare;
        }
        // Too narrow for the minimums: take from the widest of the other columns first (down
        // to 8), then from the grow column (the name, down to 8), then from any, one cell at a
        // time, so the widths are exact (and a cut cell gets its …) instead of squeezed by the
        // layout.
        let grow = shown.iter().position(|&i| self.columns[i].grow);
        let mut sum: u16 = out.iter().sum::<u16>() + spacing;
        for (floor, grow_too) in [(8, false), (8, true), (1, true)] {
            while sum > total {
                let Some(widest) = (0..out.len())
                    .filter(|&k| out[k] > floor && (grow_too || Some(k) != grow))
                    .max_by_key(|&k| out[k])
                else {
                    break;
                };
                out[widest] -= 1;
                sum -= 1;
            }
        }
        out.into_iter().map(Constraint::Length).collect()
    }

    /// Draw the table; `styler` may colour a row's cells (badges, states).
    pub fn render(
        &mut self,
        f: &mut Frame,
        area: Rect,
        theme: &Theme,
        title: Line<'_>,
        focused: bool,
        look: &Look<'_>,
    ) {
        let (styler, flagged) = (look.style, look.flagged);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(if focused { theme.accent } else { theme.border })
            .title(title);
        let inner = block.inner(area);
        f.render_widget(block, area);
        if inner.height == 0 || inner.width == 0 {
            return;
        }
        let body = inner.height.saturating_sub(1) as usize; // one line for the header
        self.page = body.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if body > 0 && self.cursor >= self.offset + body {
            self.offset = self.cursor + 1 - body;
        }
        // Never scrolled past what fills the view: a list that shrank, or was read again
        // shorter, or a view that grew (a panel closed) shows rows, not blank lines, above.
        self.offset = self.offset.min(self.visible.len().saturating_sub(body));
        let arrow = |i: usize| match self.sort {
            Some((c, false)) if c == i => " ▲",
            Some((c, true)) if c == i => " ▼",
            _ => "",
        };
        let shown = self.shown(inner.width);
        let end = (self.offset + body).min(self.visible.len());
        let widths = self.widths(inner.width, &shown, self.offset..end);
        let header = Row::new(shown.iter().zip(&widths).map(|(&i, w)| {
            let width = match w {
                Constraint::Length(n) => *n as usize,
                _ => usize::MAX,
            };
            Cell::from(fit(
                &format!("{}{}", self.columns[i].title, arrow(i)),
                width,
            ))
        }))
        .style(theme.header);
        let rows: Vec<Row> = (self.offset..end)
            .map(|pos| {
                let r = &self.rows[self.visible[pos]];
                let selected = pos == self.cursor && focused;
                let marked = self.marked.contains(r.id());
                // An object with an open audit finding carries a flag in its first cell.
                let flag = if flagged(r.id()) { "⚑ " } else { "" };
                let cells = shown.iter().zip(&widths).enumerate().map(|(k, (&ci, w))| {
                    let c = r.cells.get(ci).unwrap_or_default();
                    let width = match w {
                        Constraint::Length(n) => *n as usize,
                        _ => usize::MAX,
                    };
                    // A marked row carries a glyph in its first cell, not only a colour.
                    let cut = if self.columns[ci].path { fit_path } else { fit };
                    let text = match (k, marked) {
                        (0, true) => cut(&format!("✓ {flag}{c}"), width),
                        (0, false) => cut(&format!("{flag}{c}"), width),
                        _ => cut(c, width),
                    };
                    // The selection and the mark style the whole row: a cell's own colour on
                    // the selection background can be unreadable (issue 11, item 20).
                    if selected || marked {
                        Cell::from(text)
                    } else {
                        let st = styler(r, ci).unwrap_or(theme.text);
                        Cell::from(Span::styled(text, st))
                    }
                });
                let row = Row::new(cells);
                if selected {
                    row.style(theme.selection)
                } else if marked {
                    row.style(theme.text.add_modifier(Modifier::REVERSED))
                } else {
                    row
                }
            })
            .collect();
        let table = Table::new(rows, widths).header(header).column_spacing(1);
        f.render_widget(table, inner);
    }
}

#[cfg(test)]
mod tests;

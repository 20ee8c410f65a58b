//! The shared object table: rows of sanitized cells over raw Graph objects, fuzzy filter,
//! column sort, cursor and virtualized rendering (only visible rows are built).

use crate::sanitize::clean;
use crate::theme::Theme;
use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};
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
}

impl Column {
    pub const fn fixed(title: &'static str, min: u16) -> Self {
        Column {
            title,
            min,
            grow: false,
            from_width: 0,
        }
    }

    pub const fn grow(title: &'static str, min: u16) -> Self {
        Column {
            title,
            min,
            grow: true,
            from_width: 0,
        }
    }

    /// Show the column only on tables at least `width` wide.
    pub const fn from(mut self, width: u16) -> Self {
        self.from_width = width;
        self
    }
}

/// Score `candidates` (row indices, kept in order) against the pattern; large sets are split
/// over the cores (each thread with its own matcher).
fn score_all(pattern: &Pattern, rows: &[TableRow], candidates: &[usize]) -> Vec<(u32, usize)> {
    let score = |part: &[usize]| {
        let mut matcher = Matcher::new(Config::DEFAULT);
        part.iter()
            .filter_map(|&i| {
                pattern
                    .score(rows[i].haystack.slice(..), &mut matcher)
                    .map(|s| (s, i))
            })
            .collect::<Vec<_>>()
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
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    })
}

/// `2025-09-12`: a date cell.
fn is_date(c: &str) -> bool {
    let b = c.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, x)| i == 4 || i == 7 || x.is_ascii_digit())
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
    pub cells: Vec<String>,
    haystack: Utf32String,
}

impl TableRow {
    /// Build a row; every cell goes through the sanitizer here, once.
    pub fn new(object: Value, cells: Vec<String>) -> Self {
        let cells: Vec<String> = cells.iter().map(|c| clean(c)).collect();
        // Dates are for sorting, not for the fuzzy filter: their digits would make "CA005"
        // match every policy modified in 2025.
        let searchable: Vec<&str> = cells
            .iter()
            .map(String::as_str)
            .filter(|c| !is_date(c))
            .collect();
        let haystack = Utf32String::from(searchable.join(" "));
        TableRow {
            id: object
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .into(),
            json: object.to_string().into_boxed_str(),
            cells,
            haystack,
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

/// `text` cut to `width` columns, ending in `…` when cut (a GUID cut by two characters must
/// not look complete).
pub fn fit(text: &str, width: usize) -> String {
    use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
    if text.width() <= width {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(ch);
    }
    if width > 0 {
        out.push('…');
    }
    out
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
    /// second copy (Graph paging that loops must not fill the table with duplicates).
    index: std::collections::HashMap<String, usize>,
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
        self.matched_for.clear();
        self.refresh_view();
        self.clamp();
    }

    /// Every row, filtered out or not.
    pub fn all_rows(&self) -> impl Iterator<Item = &TableRow> {
        self.rows.iter()
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
        }
        if unique {
            self.push_unique(rows);
        } else {
            self.rows.extend(rows);
        }
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
            match self.index.get(id) {
                Some(&at) => self.rows[at] = row,
                None => {
                    self.index.insert(id.to_string(), self.rows.len());
                    self.rows.push(row);
                }
            }
        }
    }

    pub fn set_filter(&mut self, filter: &str) {
        self.filter = filter.to_string();
        self.refresh_view();
        self.cursor = 0;
        self.offset = 0;
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
        let mut visible: Vec<usize> = if self.filter.trim().is_empty() {
            (0..self.rows.len()).collect()
        } else {
            // Words match as contiguous text (a directory of 20,000 users has too many
            // scattered "a…d…a"); `~` first asks for fzf-style fuzzy matching instead. Word
            // starts score higher, so "adele" puts Adele Vance before Madeleine.
            let (text, kind) = match self.filter.strip_prefix('~') {
                Some(rest) => (rest, AtomKind::Fuzzy),
                None => (self.filter.as_str(), AtomKind::Substring),
            };
            let pattern = Pattern::new(text, CaseMatching::Ignore, Normalization::Smart, kind);
            // Typing narrows: every row matching "ada lo" matched "ada l" (atoms are ANDed and
            // each atom only grows), so only those are scored again.
            let narrowing =
                !self.matched_for.is_empty() && self.filter.starts_with(&self.matched_for);
            let candidates: Vec<usize> = if narrowing {
                std::mem::take(&mut self.matched)
            } else {
                (0..self.rows.len()).collect()
            };
            let mut scored = score_all(&pattern, &self.rows, &candidates);
            self.matched = scored.iter().map(|s| s.1).collect();
            self.matched_for = self.filter.clone();
            // Without an explicit sort, best matches first (stable for equal scores).
            if self.sort.is_none() {
                // (score desc, row) is a total order: the unstable sort gives the stable result.
                scored.sort_unstable_by_key(|s| (std::cmp::Reverse(s.0), s.1));
            }
            scored.into_iter().map(|(_, i)| i).collect()
        };
        if let Some((col, desc)) = self.sort {
            let rows = &self.rows;
            let key = |i: &usize| {
                rows[*i]
                    .cells
                    .get(col)
                    .map(|s| s.to_lowercase())
                    .unwrap_or_default()
            };
            visible.sort_by_cached_key(key);
            if desc {
                visible.reverse();
            }
        }
        if self.filter.trim().is_empty() {
            self.matched_for.clear();
        }
        self.visible = visible;
        self.clamp();
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
                    let c = r.cells.get(ci).map(String::as_str).unwrap_or_default();
                    let width = match w {
                        Constraint::Length(n) => *n as usize,
                        _ => usize::MAX,
                    };
                    // A marked row carries a glyph in its first cell, not only a colour.
                    let text = match (k, marked) {
                        (0, true) => fit(&format!("✓ {flag}{c}"), width),
                        (0, false) => fit(&format!("{flag}{c}"), width),
                        _ => fit(c, width),
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

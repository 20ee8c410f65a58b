//! A table row's display cells in one shared allocation, whose searchable part is also the
//! text the filter matches (no second copy of it per row).

use nucleo_matcher::Utf32Str;
use std::sync::Arc;

/// `2025-09-12`: a date cell.
pub fn is_date(c: &str) -> bool {
    let b = c.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, x)| i == 4 || i == 7 || x.is_ascii_digit())
}

/// The cells: the searchable ones joined by spaces, then the dates (for sorting, not for the
/// filter: their digits would make "CA005" match every policy modified in 2025), and where
/// each cell sits. A `Vec<String>` of seven short cells cost 400 bytes a row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cells {
    text: Arc<str>,
    spans: Box<[(u32, u32)]>,
    search_len: u32,
    /// The search text as characters, for rows that are not ASCII (the matcher's form).
    wide: Option<Arc<[char]>>,
}

impl Cells {
    pub fn get(&self, i: usize) -> Option<&str> {
        let (start, end) = *self.spans.get(i)?;
        self.text.get(start as usize..end as usize)
    }

    pub fn first(&self) -> Option<&str> {
        self.get(0)
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.get(i).unwrap_or_default())
    }

    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }

    /// What the filter matches (borrowed, for a scan on the UI task).
    pub fn hay_slice(&self) -> Utf32Str<'_> {
        match &self.wide {
            Some(chars) => Utf32Str::Unicode(chars),
            None => Utf32Str::Ascii(&self.text.as_bytes()[..self.search_len as usize]),
        }
    }

    /// What the filter matches, shareable with a filter job.
    pub fn hay(&self) -> Hay {
        match &self.wide {
            Some(chars) => Hay::Wide(chars.clone()),
            None => Hay::Ascii(self.text.clone(), self.search_len),
        }
    }
}

impl From<Vec<String>> for Cells {
    fn from(v: Vec<String>) -> Self {
        let mut text = String::with_capacity(v.iter().map(|c| c.len() + 1).sum());
        let mut spans = vec![(0u32, 0u32); v.len()];
        let at = |t: &String| u32::try_from(t.len()).unwrap_or(u32::MAX);
        for (i, c) in v.iter().enumerate().filter(|(_, c)| !is_date(c)) {
            if !text.is_empty() {
                text.push(' ');
            }
            let start = at(&text);
            text.push_str(c);
            spans[i] = (start, at(&text));
        }
        let search_len = at(&text);
        for (i, c) in v.iter().enumerate().filter(|(_, c)| is_date(c)) {
            let start = at(&text);
            text.push_str(c);
            spans[i] = (start, at(&text));
        }
        let wide = (!text[..search_len as usize].is_ascii()).then(|| {
            // The matcher's own conversion (graphemes to their first character).
            match nucleo_matcher::Utf32String::from(&text[..search_len as usize]) {
                nucleo_matcher::Utf32String::Unicode(chars) => Arc::from(chars),
                nucleo_matcher::Utf32String::Ascii(s) => s.chars().collect(),
            }
        });
        Cells {
            text: Arc::from(text),
            spans: spans.into_boxed_slice(),
            search_len,
            wide,
        }
    }
}

impl<const N: usize> PartialEq<[&str; N]> for Cells {
    fn eq(&self, other: &[&str; N]) -> bool {
        self.len() == N && self.iter().zip(other).all(|(a, b)| a == *b)
    }
}

impl std::ops::Index<usize> for Cells {
    type Output = str;
    fn index(&self, i: usize) -> &str {
        self.get(i).unwrap_or_default()
    }
}

/// A row's search text as a filter job holds it (shared, not copied).
#[derive(Clone, Debug)]
pub enum Hay {
    Ascii(Arc<str>, u32),
    Wide(Arc<[char]>),
}

impl Hay {
    pub fn slice(&self) -> Utf32Str<'_> {
        match self {
            Hay::Ascii(t, n) => Utf32Str::Ascii(&t.as_bytes()[..*n as usize]),
            Hay::Wide(c) => Utf32Str::Unicode(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_their_order_and_search_text_leaves_out_dates() {
        let c = Cells::from(vec!["CA005 - x".into(), "2025-09-12".into(), "on".into()]);
        assert_eq!(c, ["CA005 - x", "2025-09-12", "on"]);
        assert_eq!(c.hay().slice().to_string(), "CA005 - x on");
        let w = Cells::from(vec!["José".into(), "2024-01-01".into()]);
        assert_eq!(&w[0], "José");
        assert_eq!(w.hay().slice().to_string(), "José");
    }
}

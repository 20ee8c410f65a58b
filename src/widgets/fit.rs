//! Text cut to a width for a cell: at the end with `…`, or, for paths, inside their segments
//! so the distinguishing end stays.

/// A `/`-separated path cut to `width` columns: the earlier segments are shortened first
/// (`crossTenant…/default/b2bCollab…/update`), the last one kept whole while it can be, so
/// rows that differ at the end stay apart; anything else that does not fit is cut at the end.
pub fn fit_path(text: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    if text.width() <= width || !text.contains('/') {
        return fit(text, width);
    }
    let segs: Vec<Vec<char>> = text.split('/').map(|s| s.chars().collect()).collect();
    let mut keep: Vec<usize> = segs.iter().map(Vec::len).collect();
    let render = |keep: &[usize]| -> String {
        segs.iter()
            .zip(keep)
            .map(|(s, &k)| {
                if k < s.len() {
                    let mut t: String = s[..k].iter().collect();
                    t.push('…');
                    t
                } else {
                    s.iter().collect()
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    };
    let last = segs.len() - 1;
    loop {
        let shown = render(&keep);
        if shown.width() <= width {
            return shown;
        }
        // The longest shortenable segment before the last loses a character.
        let pick = (0..last)
            .filter(|&i| keep[i] > 3)
            .max_by_key(|&i| (keep[i], std::cmp::Reverse(i)));
        match pick {
            Some(i) => keep[i] -= 1,
            None => return fit(&shown, width),
        }
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

//! File-level import circles under `src/` (the demo tenant apart): which files name which
//! (`crate::…`, `super::…`, `self::…` and a parent's paths into its children, `use` groups
//! included; tests excluded), and the circles among them: every circle fails the test.
//! `cargo test --test it circles -- --nocapture` prints the file count and any circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

// No circle is left (2026-12-07): the blades name their declarations in leaves
// (`blades::def`, `source`, `verb`, `common`), never the registry that names them; the app's
// state types sit in `app::<area>` files that never name `App`, whose behaviour is `impl App`
// in `app::flow::<area>`. A new circle fails the test.

type Module = Vec<String>;

fn modules(root: &Path) -> BTreeMap<Module, String> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(root, &mut files);
    let mut out = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(root).unwrap().with_extension("");
        let mut m: Module = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect();
        if m.last().is_some_and(|l| l == "mod") {
            m.pop();
        }
        if m == ["main"] || m.first().is_some_and(|x| x == "demo" || x == "bin") {
            continue;
        }
        if m == ["lib"] {
            m.clear();
        }
        out.insert(m, std::fs::read_to_string(&f).unwrap());
    }
    out
}

fn ident_at(s: &[char], i: usize) -> Option<(String, usize)> {
    let start = i;
    let mut j = i;
    while j < s.len() && (s[j].is_ascii_alphanumeric() || s[j] == '_') {
        j += 1;
    }
    (j > start && !s[start].is_ascii_digit()).then(|| (s[start..j].iter().collect(), j))
}

fn skip_ws(s: &[char], mut i: usize) -> usize {
    while i < s.len() && s[i].is_whitespace() {
        i += 1;
    }
    i
}

/// The paths a path expression starting at `i` names (`a::b::{c, d::e}` gives a::b,
/// a::b::c, a::b::d::e), each prefixed with `base`.
fn tree(s: &[char], mut i: usize, base: Module, out: &mut Vec<Module>) {
    let mut segs = base;
    loop {
        i = skip_ws(s, i);
        if i < s.len() && s[i] == '{' {
            out.push(segs.clone());
            i += 1;
            loop {
                i = skip_ws(s, i);
                if i >= s.len() || s[i] == '}' {
                    return;
                }
                tree(s, i, segs.clone(), out);
                // Skip this item to the next comma at this depth.
                let mut depth = 0;
                while i < s.len() {
                    match s[i] {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            i += 1;
                            break;
                        }
                        _ => {}
                    }
                    i += 1;
                }
            }
        }
        let Some((id, j)) = ident_at(s, i) else {
            break;
        };
        segs.push(id);
        i = skip_ws(s, j);
        if i + 1 < s.len() && s[i] == ':' && s[i + 1] == ':' {
            i += 2;
            continue;
        }
        break;
    }
    out.push(segs);
}

fn resolve(path: &[String], known: &BTreeMap<Module, String>) -> Option<Module> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| known.contains_key(p))
}

fn graph(known: &BTreeMap<Module, String>) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut g = BTreeMap::new();
    for (m, text) in known {
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        let code: String = code
            .lines()
            .map(|l| l.split("//").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        let s: Vec<char> = code.chars().collect();
        // `super` is the parent module, for a mod.rs as for any other file.
        let parent: Module = m[..m.len().saturating_sub(1)].to_vec();
        let mut named = Vec::new();
        let mut i = 0;
        while i < s.len() {
            let boundary =
                i == 0 || !(s[i - 1].is_ascii_alphanumeric() || s[i - 1] == '_' || s[i - 1] == ':');
            if !boundary {
                i += 1;
                continue;
            }
            let Some((id, j)) = ident_at(&s, i) else {
                i += 1;
                continue;
            };
            let after = skip_ws(&s, j);
            let path_follows = after + 1 < s.len() && s[after] == ':' && s[after + 1] == ':';
            if path_follows {
                let base: Option<Module> = match id.as_str() {
                    "crate" => Some(Vec::new()),
                    "super" => Some(parent.clone()),
                    "self" => Some(m.clone()),
                    // A path into a child module (`users::BLADE` in blades/mod.rs).
                    child if known.contains_key(&[m.clone(), vec![child.to_string()]].concat()) => {
                        Some(m.clone())
                    }
                    _ => None,
                };
                if let Some(base) = base {
                    let start = if id == "crate" || id == "super" || id == "self" {
                        after + 2
                    } else {
                        i
                    };
                    tree(&s, start, base, &mut named);
                }
            }
            i = j;
        }
        let deps: BTreeSet<Module> = named
            .iter()
            .filter_map(|p| resolve(p, known))
            .filter(|d| d != m && !d.is_empty())
            .collect();
        g.insert(m.clone(), deps);
    }
    g
}

/// Strongly connected components of more than one file (Tarjan).
fn circles(g: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct T<'a> {
        g: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<Module, usize>,
        low: BTreeMap<Module, usize>,
        stack: Vec<Module>,
        on: BTreeSet<Module>,
        next: usize,
        out: Vec<Vec<Module>>,
    }
    fn visit(t: &mut T, v: &Module) {
        t.index.insert(v.clone(), t.next);
        t.low.insert(v.clone(), t.next);
        t.next += 1;
        t.stack.push(v.clone());
        t.on.insert(v.clone());
        for w in t.g.get(v).into_iter().flatten() {
            if !t.g.contains_key(w) {
                continue;
            }
            if !t.index.contains_key(w) {
                visit(t, w);
                let l = t.low[v].min(t.low[w]);
                t.low.insert(v.clone(), l);
            } else if t.on.contains(w) {
                let l = t.low[v].min(t.index[w]);
                t.low.insert(v.clone(), l);
            }
        }
        if t.low[v] == t.index[v] {
            let mut c = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(&w);
                let done = &w == v;
                c.push(w);
                if done {
                    break;
                }
            }
            if c.len() > 1 {
                c.sort();
                t.out.push(c);
            }
        }
    }
    let mut t = T {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in g.keys() {
        if !t.index.contains_key(v) {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn no_file_level_import_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let known = modules(&root);
    let g = graph(&known);
    let found = circles(&g);
    let files: usize = found.iter().map(Vec::len).sum();
    println!(
        "{} files; {} circles, {files} files in them",
        known.len(),
        found.len()
    );
    for c in &found {
        let names: Vec<String> = c.iter().map(|m| m.join("::")).collect();
        println!("  {}: {}", c.len(), names.join(" "));
    }
    assert!(
        found.is_empty(),
        "file-level import circles (none is allowed): {:?}",
        found
            .iter()
            .map(|c| c.iter().map(|m| m.join("::")).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    );
}

#[test]
fn the_resolver_sees_groups_parents_and_children() {
    let mut known = BTreeMap::new();
    for m in [vec![], vec!["a"], vec!["a", "b"], vec!["a", "c"], vec!["d"]] {
        known.insert(
            m.iter().map(|s| s.to_string()).collect::<Module>(),
            String::new(),
        );
    }
    let s: Vec<char> = "{b::X, c, super::d}".chars().collect();
    let mut out = Vec::new();
    tree(&s, 0, vec!["a".into()], &mut out);
    let resolved: BTreeSet<Module> = out.iter().filter_map(|p| resolve(p, &known)).collect();
    assert!(resolved.contains(&vec!["a".to_string(), "b".to_string()]));
    assert!(resolved.contains(&vec!["a".to_string(), "c".to_string()]));
    // A circle of two files is found, a chain is not.
    let mut g = BTreeMap::new();
    let m = |x: &str| vec![x.to_string()];
    g.insert(m("x"), [m("y")].into_iter().collect());
    g.insert(m("y"), [m("x")].into_iter().collect());
    g.insert(m("z"), [m("x")].into_iter().collect());
    assert_eq!(circles(&g), vec![vec![m("x"), m("y")]]);
}

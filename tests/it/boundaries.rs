//! Layer boundaries that a review would otherwise have to catch: the domain and infrastructure
//! never reach up into the UI, and the demo tenant is an independent oracle (it imports no
//! product rule), so a test where "Graph agrees" with the console can fail.

use std::path::Path;

fn sources(path: &Path) -> Vec<(String, String)> {
    if !path.is_dir() {
        let text = std::fs::read_to_string(path).unwrap();
        return vec![(path.display().to_string(), text)];
    }
    let mut out = Vec::new();
    for e in std::fs::read_dir(path).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() || p.extension().is_some_and(|x| x == "rs") {
            out.extend(sources(&p));
        }
    }
    out
}

/// Lines of the files under `paths` that name one of the `forbidden` crate modules
/// (`crate::ca`, but not `crate::cache`).
fn uses(paths: &[&str], forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    for (file, text) in paths.iter().flat_map(|p| sources(&root.join(p))) {
        for (n, line) in text.lines().enumerate() {
            for m in forbidden {
                let path = format!("crate::{m}");
                let hit = line.match_indices(&path).any(|(i, _)| {
                    !line[i + path.len()..]
                        .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                });
                if hit {
                    found.push(format!("{file}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn the_demo_tenant_imports_no_product_rule() {
    let found = uses(
        &["src/demo"],
        &[
            "ca", "protect", "roles", "blades", "app", "ui", "widgets", "predict",
        ],
    );
    assert!(
        found.is_empty(),
        "the demo uses product rules:\n{}",
        found.join("\n")
    );
}

#[test]
fn domain_and_infrastructure_never_name_the_ui() {
    let found = uses(
        &[
            "src/graph",
            "src/auth",
            "src/cache",
            "src/ca",
            "src/protect.rs",
            "src/roles.rs",
            "src/predict.rs",
            "src/private.rs",
        ],
        &["app", "ui", "blades", "widgets"],
    );
    assert!(
        found.is_empty(),
        "layers pointing up:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_command_line_does_not_reach_into_the_console() {
    let found = uses(&["src/connect.rs", "src/commands.rs"], &["app", "ui"]);
    assert!(
        found.is_empty(),
        "the CLI names the TUI:\n{}",
        found.join("\n")
    );
}

/// Every top-level module and the modules it may name (`crate::x`, or `super::x` from a
/// module's root file). A module not listed, or a name not allowed, fails: a new layer or a
/// new edge is a decision, made here where a review sees it. Measure the graph with
/// `cargo test --test it layers -- --nocapture` (it prints every module's names and the
/// circles).
const LAYERS: &[(&str, &[&str])] = &[
    ("action", &["blades"]),
    (
        "app",
        &[
            "action",
            "auth",
            "blades",
            "bulk",
            "ca",
            "cache",
            "connect",
            "effect",
            "exceptions",
            "graph",
            "keymap",
            "licensing",
            "memory",
            "msg",
            "plan",
            "private",
            "protect",
            "roles",
            "sanitize",
            "session",
            "theme",
            "tui",
            "ui",
            "widgets",
        ],
    ),
    (
        "audit",
        &[
            "ca",
            "cache",
            "graph",
            "licensing",
            "protect",
            "roles",
            "sanitize",
        ],
    ),
    ("auth", &["clock", "graph", "sanitize"]),
    (
        "blades",
        &[
            "action",
            "app",
            "audit",
            "ca",
            "cache",
            "graph",
            "licensing",
            "pim_policy",
            "protect",
            "reset",
            "roles",
            "sanitize",
            "secret",
            "theme",
            "widgets",
            "xray",
        ],
    ),
    ("build", &[]),
    ("bulk", &["graph"]),
    (
        "ca",
        &["audit", "cache", "graph", "private", "protect", "sanitize"],
    ),
    ("cache", &["graph", "private"]),
    ("cli", &["blades", "config", "demo"]),
    ("clock", &[]),
    (
        "commands",
        &[
            "audit", "auth", "blades", "ca", "cache", "cli", "config", "connect", "graph",
            "package", "private", "sanitize",
        ],
    ),
    ("config", &["graph"]),
    (
        "connect",
        &[
            "auth", "cache", "cli", "clock", "config", "demo", "graph", "package", "session",
        ],
    ),
    ("demo", &["auth", "clock", "graph", "rng"]),
    (
        "effect",
        &[
            "audit",
            "auth",
            "blades",
            "bulk",
            "ca",
            "cache",
            "connect",
            "graph",
            "licensing",
            "msg",
            "protect",
            "roles",
            "session",
            "tui",
        ],
    ),
    ("export", &["blades", "cli", "sanitize", "widgets"]),
    (
        "contain_command",
        &[
            "cache",
            "cli",
            "config",
            "connect",
            "graph",
            "plan",
            "plan_command",
            "sanitize",
            "secret",
        ],
    ),
    (
        "export_command",
        &[
            "audit",
            "blades",
            "cache",
            "cli",
            "config",
            "connect",
            "effect",
            "export",
            "graph",
            "group_commands",
            "licensing",
            "protect",
            "roles",
            "sanitize",
            "widgets",
        ],
    ),
    ("graph", &["auth", "clock", "rng", "sanitize"]),
    (
        "group_commands",
        &[
            "bulk", "cache", "cli", "config", "connect", "export", "graph", "plan", "sanitize",
        ],
    ),
    ("keymap", &["action", "blades"]),
    ("licensing", &["blades", "graph"]),
    (
        "login",
        &[
            "auth", "cli", "clock", "config", "connect", "sanitize", "tui",
        ],
    ),
    ("memory", &[]),
    (
        "msg",
        &[
            "auth",
            "blades",
            "bulk",
            "ca",
            "cache",
            "connect",
            "graph",
            "licensing",
            "protect",
            "roles",
            "session",
            "widgets",
        ],
    ),
    (
        "pim_command",
        &[
            "audit",
            "auth",
            "ca",
            "cache",
            "cli",
            "commands",
            "config",
            "connect",
            "graph",
            "pim_policy",
            "private",
            "sanitize",
        ],
    ),
    ("package", &["ca", "cache", "private"]),
    ("pim_policy", &["ca", "sanitize"]),
    ("plan", &["ca", "graph", "private", "sanitize"]),
    ("exceptions", &["ca", "cache", "graph", "sanitize"]),
    (
        "ca_copy_command",
        &[
            "ca", "cli", "commands", "config", "connect", "plan", "sanitize",
        ],
    ),
    (
        "revert_command",
        &[
            "ca",
            "cache",
            "cli",
            "commands",
            "config",
            "connect",
            "exceptions",
            "graph",
            "sanitize",
        ],
    ),
    (
        "plan_command",
        &[
            "ca", "cache", "cli", "commands", "config", "connect", "graph", "plan", "sanitize",
            "secret",
        ],
    ),
    ("predict", &["ca", "protect", "sanitize"]),
    ("private", &[]),
    ("protect", &["auth", "graph", "sanitize"]),
    ("reset", &[]),
    (
        "review_commands",
        &[
            "audit", "cache", "cli", "config", "connect", "export", "package", "sanitize", "xray",
        ],
    ),
    ("rng", &[]),
    ("roles", &["graph"]),
    ("sanitize", &[]),
    ("secret", &[]),
    ("session", &[]),
    ("theme", &[]),
    ("tui", &["sanitize"]),
    (
        "ui",
        &[
            "app",
            "blades",
            "ca",
            "exceptions",
            "graph",
            "keymap",
            "predict",
            "protect",
            "sanitize",
            "theme",
            "widgets",
        ],
    ),
    ("widgets", &["sanitize", "theme"]),
    (
        "xray",
        &[
            "audit", "ca", "cache", "graph", "protect", "roles", "sanitize", "widgets",
        ],
    ),
];

/// The module-level import circles that remain (to shrink, never to grow). The knot is the
/// console's upper floors: blades still take `&mut App` in their `act` (a verb declared on the
/// new shape does not), `action` names the verbs of `blades`, the CLI names the blade registry;
/// `auth` and `graph` name each other's token and error types.
const KNOWN_CIRCLES: &[&[&str]] = &[
    &["auth", "graph"],
    &[
        "action",
        "app",
        "audit",
        "blades",
        "ca",
        "cli",
        "connect",
        "effect",
        "keymap",
        "licensing",
        "msg",
        "predict",
        "ui",
        "xray",
    ],
];

/// The top-level modules of `src/` and the modules each names.
fn module_graph() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(&root).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_stem().unwrap().to_string_lossy().to_string();
        if p.is_dir()
            || (p.extension().is_some_and(|x| x == "rs") && name != "lib" && name != "main")
        {
            modules.insert(name);
        }
    }
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut graph = std::collections::BTreeMap::new();
    for m in &modules {
        let mut names = std::collections::BTreeSet::new();
        let path = if root.join(m).is_dir() {
            root.join(m)
        } else {
            root.join(format!("{m}.rs"))
        };
        for (file, text) in sources(&path) {
            let depth = Path::new(&file)
                .strip_prefix(&root)
                .map(|p| p.components().count())
                .unwrap_or(0);
            let module_root = depth == 1 || (depth == 2 && file.ends_with("mod.rs"));
            let mut found = Vec::new();
            for (i, _) in text.match_indices("crate::") {
                let rest = &text[i + 7..];
                if let Some(group) = rest.strip_prefix('{') {
                    let end = group.find('}').unwrap_or(group.len());
                    found.extend(group[..end].split(',').map(|s| ident(s.trim())));
                } else {
                    found.push(ident(rest));
                }
            }
            if module_root {
                for (i, _) in text.match_indices("super::") {
                    found.push(ident(&text[i + 7..]));
                }
            }
            names.extend(found.into_iter().filter(|n| n != m && modules.contains(n)));
        }
        graph.insert(m.clone(), names);
    }
    graph
}

#[test]
fn layers_every_module_names_only_what_its_layer_allows() {
    let graph = module_graph();
    let table: std::collections::BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut wrong = Vec::new();
    for (m, names) in &graph {
        println!(
            "{m}: {}",
            names.iter().cloned().collect::<Vec<_>>().join(" ")
        );
        let Some(allowed) = table.get(m.as_str()) else {
            wrong.push(format!("{m} is not in the layers table"));
            continue;
        };
        for n in names {
            if !allowed.contains(&n.as_str()) {
                wrong.push(format!("{m} names {n}, which its layer does not allow"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn layers_no_new_import_circle() {
    let graph = module_graph();
    // Who reaches whom (the graph is small: a search from each module).
    let reach = |from: &str| {
        let mut seen = std::collections::BTreeSet::new();
        let mut todo = vec![from.to_string()];
        while let Some(m) = todo.pop() {
            for n in graph.get(&m).into_iter().flatten() {
                if seen.insert(n.clone()) {
                    todo.push(n.clone());
                }
            }
        }
        seen
    };
    let reaches: std::collections::BTreeMap<String, _> =
        graph.keys().map(|m| (m.clone(), reach(m))).collect();
    let mut circles: Vec<Vec<String>> = Vec::new();
    for m in graph.keys() {
        if circles.iter().any(|c| c.contains(m)) {
            continue;
        }
        let circle: Vec<String> = graph
            .keys()
            .filter(|n| *n == m || (reaches[m].contains(*n) && reaches[*n].contains(m)))
            .cloned()
            .collect();
        if circle.len() > 1 {
            circles.push(circle);
        }
    }
    println!("circles: {circles:?}");
    for c in &circles {
        let known = KNOWN_CIRCLES
            .iter()
            .any(|k| c.iter().all(|m| k.contains(&m.as_str())));
        assert!(known, "a new import circle: {c:?}");
    }
}

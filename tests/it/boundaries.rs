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

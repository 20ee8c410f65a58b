//! Layer boundaries that a review would otherwise have to catch: the demo tenant is an
//! independent oracle (it imports no product rule), so a test where "Graph agrees" with the
//! console can fail.

use std::path::Path;

fn sources(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(sources(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push((
                p.display().to_string(),
                std::fs::read_to_string(&p).unwrap(),
            ));
        }
    }
    out
}

#[test]
fn the_demo_tenant_imports_no_product_rule() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/demo");
    let forbidden = [
        "ca", "protect", "roles", "blades", "app", "ui", "widgets", "predict",
    ];
    let mut found = Vec::new();
    for (file, text) in sources(&demo) {
        for (n, line) in text.lines().enumerate() {
            for m in forbidden {
                let path = format!("crate::{m}");
                let hit = line.match_indices(&path).any(|(i, _)| {
                    // `crate::ca` but not `crate::cache` or `crate::clock`.
                    !line[i + path.len()..]
                        .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                });
                if hit {
                    found.push(format!("{file}:{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "the demo uses product rules:\n{}",
        found.join("\n")
    );
}

//! Property tests: random bodies and headers fed to the decoders and the challenge parser, random
//! keymap and theme files, and random text through the sanitizer and the export cells never
//! panic, and what they return is safe to display or to open.

use entra_console::demo::filter;
use entra_console::graph::ApiError;
use entra_console::graph::claims;
use entra_console::graph::model::{Group, User};
use entra_console::graph::retry::parse_retry_after;
use proptest::prelude::*;
use serde_json::Value;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_string()),
                    Just("groupTypes".to_string()),
                    Just("displayName".to_string()),
                    ".{0,6}"
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn error_bodies_never_panic(status in 100u16..600, body in prop::collection::vec(any::<u8>(), 0..256), rid in proptest::option::of(".{0,20}")) {
        let e = ApiError::from_body(status, &body, rid);
        let line = e.to_string();
        let want = format!("HTTP {status}");
        prop_assert!(line.contains(&want));
    }

    #[test]
    fn error_json_of_any_shape_never_panics(v in json_value()) {
        let wrapped = serde_json::json!({"error": v.clone()});
        let _ = ApiError::from_body(400, wrapped.to_string().as_bytes(), None);
        let _ = ApiError::from_body(400, v.to_string().as_bytes(), None);
    }

    #[test]
    fn challenge_parser_never_panics(headers in prop::collection::vec(".{0,80}", 0..4)) {
        let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        let _ = claims::parse(&refs);
    }

    #[test]
    fn structured_challenges_never_panic(
        params in prop::collection::vec(("[a-z_]{1,12}", "[ -~]{0,30}", any::<bool>()), 0..6),
        claims_b64 in "[A-Za-z0-9+/=_-]{0,60}"
    ) {
        let mut h = String::from("Bearer ");
        for (k, v, quoted) in &params {
            if *quoted { h.push_str(&format!("{k}=\"{v}\", ")) } else { h.push_str(&format!("{k}={v}, ")) }
        }
        h.push_str(&format!("error=\"insufficient_claims\", claims=\"{claims_b64}\""));
        let _ = claims::parse(&[&h]);
    }

    #[test]
    fn models_accept_any_json(v in json_value()) {
        let _ = Group::from_value(&v).badges();
        let _ = User::from_value(&v);
    }

    #[test]
    fn filter_parser_never_panics(s in ".{0,60}") {
        if let Ok(f) = filter::parse(&s) {
            let _ = f.matches(&serde_json::json!({"displayName": "x", "groupTypes": ["Unified"]}));
        }
    }

    #[test]
    fn retry_after_never_panics(s in ".{0,40}") {
        let _ = parse_retry_after(&s, chrono::Utc::now());
    }

    #[test]
    fn keymap_files_never_panic(text in "(\\[[a-z.\\-]{0,16}\\]\n)?([a-z_\\-]{0,10} ?= ?(\"[ -~]{0,12}\"|\\[[ -~]{0,20}\\])?\n){0,4}|.{0,120}") {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("keymap.toml");
        std::fs::write(&f, &text).unwrap();
        let (km, _) = entra_console::keymap::Keymap::load(Some(&f));
        let _ = km.hint(entra_console::app::Action::Help);
        let _ = entra_console::keymap::Chord::parse(&text);
    }

    #[test]
    fn theme_files_never_panic(text in "([a-z_]{0,10} ?= ?\"[#0-9a-zA-Z ]{0,12}\"\n){0,4}|.{0,120}") {
        let _ = entra_console::theme::Theme::parse("prop", &text, None);
    }

    #[test]
    fn sanitized_text_has_no_control_or_bidi(s in "\\PC{0,40}|[\\x00-\\x{9f}\\x{200b}-\\x{202e}\\x{2066}-\\x{2069}a-z]{0,40}") {
        let out = entra_console::sanitize::clean(&s);
        prop_assert!(!out.chars().any(|c| (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32))
            || matches!(c as u32, 0x200b..=0x200f | 0x202a..=0x202e | 0x2066..=0x2069)));
    }

    #[test]
    fn export_cells_are_safe_to_open(s in "[=+\\-@\\t\\r|\\\\<>*_`a-z ]{0,24}") {
        let c = entra_console::sanitize::csv_cell(&s);
        let number = c.len() > 1 && c[1..].chars().all(|d| d.is_ascii_digit() || d == '.');
        prop_assert!(number || !c.starts_with(['=', '+', '-', '@', '\t', '\r']), "{c:?}");
        let m = entra_console::sanitize::md_cell(&s);
        // No pipe that ends the cell: every pipe is preceded by an odd run of backslashes.
        for (i, _) in m.match_indices('|') {
            let run = m[..i].chars().rev().take_while(|c| *c == '\\').count();
            prop_assert!(run % 2 == 1, "{m:?}");
        }
        prop_assert!(!m.contains('<') || m.contains("\\<"));
    }

    /// Issue 32, item 11: a bulk-import file of any bytes (any encoding, any lines) decodes and
    /// parses without a panic; every line it reports names its place (a 1-based line number)
    /// and every row that is not data says why.
    #[test]
    fn bulk_import_files_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), text in "(version:v1\\.0\n)?([ -~\u{feff}]{0,40}\n){0,8}") {
        for input in [bytes.clone(), text.clone().into_bytes()] {
            let (decoded, _) = entra_console::bulk::decode(&input);
            let lines = decoded.lines().count().max(1);
            for row in entra_console::bulk::parse(&decoded) {
                prop_assert!(row.line >= 1 && row.line <= lines, "line {} of {lines}", row.line);
                if let Err(why) = &row.key {
                    prop_assert!(!why.is_empty());
                }
            }
        }
    }

    /// A config file of any text: loaded or refused with a message naming the file.
    #[test]
    fn config_files_never_panic(text in "(\\[profiles\\.[a-z]{0,6}\\]\n)?([a-z_]{0,12} ?= ?(\"[ -~]{0,16}\"|\\[[ -~]{0,20}\\]|[0-9a-z]{0,5})\n){0,5}|.{0,160}") {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, &text).unwrap();
        match entra_console::config::ConfigFile::load(&path) {
            Ok(c) => {
                let _ = c.profile(None);
            }
            Err(e) => prop_assert!(e.contains("config.toml"), "{e}"),
        }
    }

    /// A `/?` query on Users of any text builds a request whose `$search` quotes stay balanced
    /// (a typed quote cannot end the search phrase early) and never panics.
    #[test]
    fn user_queries_never_panic(q in "\\PC{0,40}") {
        let r = entra_console::blades::users::query_request(&q);
        for (k, v) in &r.query {
            if k == "$search" {
                prop_assert_eq!(v.matches('"').count() % 2, 0, "{}", v);
            }
        }
    }
}

/// The hostile corpus checked in under `tests/corpus/` (issue 32, item 11): each file through
/// its parser gives rows, a model or a message naming the place, never a panic, and nothing
/// shown carries a control character.
#[test]
fn the_hostile_corpus_never_panics() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let files = |dir: &str| {
        let mut v: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        v.sort();
        assert!(!v.is_empty(), "{dir}: a corpus");
        v
    };
    let safe = |s: &str| {
        !s.chars()
            .any(|c| (c as u32) < 0x20 || (0x7f..=0x9f).contains(&(c as u32)))
    };
    for f in files("csv") {
        let (text, _) = entra_console::bulk::decode(&std::fs::read(&f).unwrap());
        for row in entra_console::bulk::parse(&text) {
            assert!(row.line >= 1, "{f:?}");
            assert!(safe(&entra_console::sanitize::clean(&row.text)), "{f:?}");
        }
    }
    for f in files("config") {
        if let Err(e) = entra_console::config::ConfigFile::load(&f) {
            assert!(e.contains(f.file_name().unwrap().to_str().unwrap()), "{e}");
            assert!(safe(&entra_console::sanitize::clean(&e)), "{e:?}");
        }
    }
    for f in files("json") {
        let Ok(v) = serde_json::from_slice::<Value>(&std::fs::read(&f).unwrap()) else {
            continue;
        };
        for item in v["value"].as_array().into_iter().flatten() {
            let _ = User::from_value(item);
            let _ = Group::from_value(item);
            let row = entra_console::blades::users::row(item.clone());
            assert!(row.cells.iter().all(&safe), "{f:?}: {:?}", row.cells);
        }
    }
}

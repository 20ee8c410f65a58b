//! The `:` palette: blades, `:ctx`, `:whocan`, `:whatif`, `:protect`, `:contain`, `:plan`, messages, help and quit, matched as
//! you type (prefix first), Tab to complete, Enter to run.

use crate::blades::BladeKind;

/// A palette entry: what `:name` does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Blade(BladeKind),
    /// `:ctx NAME`: switch to another profile without restarting.
    Context(String),
    /// `:whocan PERMISSION`.
    WhoCan(String),
    /// `:protect` (`:protect new`: set up a new context even when one protects already).
    Protect(bool),
    /// `:whatif USER [key=value ...]`.
    WhatIf(String),
    /// `:messages`: the log of status messages.
    Messages,
    /// `:import FILE`: bulk-add members to the group whose members are open.
    Import(String),
    /// `:contain USER`: the guided containment of a user found by UPN or id.
    Contain(String),
    /// `:plan FILE`: a saved change plan reviewed, then applied through the write confirm.
    Plan(String),
    Help,
    Quit,
}

/// Palette entries matching the input (prefix matches first, then substring). A blade is
/// found by any of its names (`licensing`, `lic-errors`, `deleted`) and listed once, under its
/// command.
pub fn palette_matches(input: &str, profiles: &[String]) -> Vec<(String, Command)> {
    // (shown name, command, every name it answers to)
    let mut all: Vec<(String, Command, Vec<String>)> = BladeKind::ALL
        .iter()
        .map(|b| (b.command().to_string(), Command::Blade(*b), b.names()))
        .collect();
    let mut add = |name: String, cmd: Command| {
        let names = vec![name.to_lowercase()];
        all.push((name, cmd, names));
    };
    for p in profiles {
        add(format!("ctx {p}"), Command::Context(p.clone()));
    }
    let typed = input.trim();
    match typed
        .strip_prefix("whocan ")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(perm) => add(format!("whocan {perm}"), Command::WhoCan(perm.to_string())),
        None => add(
            "whocan microsoft.directory/conditionalAccessPolicies/create".into(),
            Command::WhoCan("microsoft.directory/conditionalAccessPolicies/create".into()),
        ),
    }
    match typed
        .strip_prefix("whatif ")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        Some(q) => add(format!("whatif {q}"), Command::WhatIf(q.to_string())),
        None => add("whatif ".into(), Command::WhatIf(String::new())),
    }
    match typed.strip_prefix("import ").map(str::trim) {
        Some(path) if !path.is_empty() => {
            add(format!("import {path}"), Command::Import(path.to_string()))
        }
        _ => add("import ".into(), Command::Import(String::new())),
    }
    match typed.strip_prefix("contain ").map(str::trim) {
        Some(user) if !user.is_empty() => add(
            format!("contain {user}"),
            Command::Contain(user.to_string()),
        ),
        _ => add("contain ".into(), Command::Contain(String::new())),
    }
    match typed.strip_prefix("plan ").map(str::trim) {
        Some(path) if !path.is_empty() => {
            add(format!("plan {path}"), Command::Plan(path.to_string()))
        }
        _ => add("plan ".into(), Command::Plan(String::new())),
    }
    add("protect".into(), Command::Protect(false));
    add("protect new".into(), Command::Protect(true));
    add("messages".into(), Command::Messages);
    add("help".into(), Command::Help);
    add("quit".into(), Command::Quit);
    let q = typed.to_lowercase();
    // A blade's label typed as it reads (`ca policies`, `lic. errors`) is its hyphenated name.
    let hyphenated = q
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    // Each entry's best name: 0 exact, 1 prefix, 2 contains.
    let mut found: Vec<(u8, usize, String, Command)> = all
        .into_iter()
        .enumerate()
        .filter_map(|(i, (shown, cmd, names))| {
            let rank = names
                .iter()
                .flat_map(|n| [(n, &q), (n, &hyphenated)])
                .filter_map(|(n, q)| {
                    if n == q {
                        Some(0)
                    } else if n.starts_with(q.as_str()) {
                        Some(1)
                    } else if n.contains(q.as_str()) {
                        Some(2)
                    } else {
                        None
                    }
                })
                .min()?;
            Some((rank, i, shown, cmd))
        })
        .collect();
    // An exact name wins (`protect` before `protected-actions`), then prefixes, in list order.
    found.sort_by_key(|(rank, i, _, _)| (*rank, *i));
    found.into_iter().map(|(_, _, n, c)| (n, c)).collect()
}

/// What Tab would add to the input: the rest of the selected entry when the input is its
/// beginning (shown dimmed after the cursor, as a shell does).
pub fn completion(input: &str, selected: Option<&str>) -> Option<String> {
    let name = selected?;
    let typed = input.trim_start();
    (!typed.is_empty() && name.len() > typed.len())
        .then(|| name.get(..typed.len()))
        .flatten()
        .filter(|head| head.eq_ignore_ascii_case(typed))
        .and_then(|_| name.get(typed.len()..))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(input: &str) -> Option<Command> {
        palette_matches(input, &[])
            .into_iter()
            .next()
            .map(|(_, c)| c)
    }

    /// Issue 23, item 16: every sidebar label, its `:` name and the common synonyms open the
    /// blade (`:licensing` said "no blade or command" while the sidebar said Licensing).
    #[test]
    fn every_label_and_synonym_resolves() {
        for b in BladeKind::ALL {
            for name in b.names() {
                assert_eq!(first(&name), Some(Command::Blade(*b)), "{name}");
            }
            let label = b.nav_label().to_lowercase();
            assert_eq!(first(&label), Some(Command::Blade(*b)), "{label}");
        }
        for (typed, command) in [
            ("licensing", "licenses"),
            ("licences", "licenses"),
            ("deleted", "deleted-items"),
            ("lic-errors", "license-errors"),
            ("ca", "ca-policies"),
            ("conditional-access", "ca-policies"),
        ] {
            assert_eq!(
                first(typed),
                BladeKind::from_command(command).map(Command::Blade),
                "{typed}"
            );
        }
        // A blade is listed once, however many of its names match.
        let lic = palette_matches("lic", &[]);
        let mut names: Vec<_> = lic.iter().map(|(n, _)| n.clone()).collect();
        names.dedup();
        assert_eq!(names.len(), lic.len(), "{names:?}");
        assert_eq!(first("protect"), Some(Command::Protect(false)));
    }

    #[test]
    fn completes_as_you_type() {
        assert_eq!(
            completion("lic", Some("licenses")).as_deref(),
            Some("enses")
        );
        assert_eq!(completion("licensing", Some("licenses")), None);
        assert_eq!(completion("", Some("groups")), None);
    }
}

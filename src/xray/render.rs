//! xray shown: as a sheet on the console's page (`x`) and as Markdown for `xray USER`.

use crate::sanitize::clean;
use crate::widgets::sheet::Sheet;
use serde_json::Value;

fn s(v: &Value) -> String {
    clean(v.as_str().unwrap_or_default())
}

/// How the user is in a group: directly, or through the groups before it on its path.
fn path(g: &Value) -> String {
    let p: Vec<String> = g["path"]
        .as_array()
        .map(|p| p.iter().map(s).collect())
        .unwrap_or_default();
    if g["direct"] == true || p.len() < 2 {
        "direct member".into()
    } else {
        format!("through {}", p[..p.len() - 1].join(" → "))
    }
}

/// A user's risk in rows: a riskyUser (level, state, detail, updated), `null` (not read), or
/// `{"notRead": why}`. Also a user's page.
pub fn risk_rows(risk: &Value) -> Vec<(String, String)> {
    if risk.is_null() {
        vec![(String::new(), "not read".into())]
    } else if let Some(why) = risk["notRead"].as_str() {
        vec![(String::new(), format!("not read: {}", clean(why)))]
    } else if risk["riskLevel"] == "none" && risk["riskState"] == "none" {
        vec![(
            String::new(),
            "not at risk (Identity Protection lists no risk)".into(),
        )]
    } else {
        vec![
            ("Level".into(), s(&risk["riskLevel"])),
            ("State".into(), s(&risk["riskState"])),
            (
                "Detail".into(),
                crate::graph::resources::risky_users::detail_words(
                    risk["riskDetail"].as_str().unwrap_or(""),
                ),
            ),
            ("Updated".into(), s(&risk["riskLastUpdatedDateTime"])),
        ]
    }
}

/// A user's authentication methods registration in rows (userRegistrationDetails): can they
/// do MFA, passwordless, which method by default. Also a user's page.
pub fn registration_rows(reg: &Value) -> Vec<(String, String)> {
    let yes = |v: &Value| match v.as_bool() {
        Some(true) => "yes".to_string(),
        Some(false) => "no".to_string(),
        None => "?".to_string(),
    };
    if reg.is_null() {
        return vec![(String::new(), "not read".into())];
    }
    if let Some(why) = reg["notRead"].as_str() {
        return vec![(String::new(), format!("not read: {}", clean(why)))];
    }
    let methods: Vec<String> = reg["methodsRegistered"]
        .as_array()
        .map(|a| a.iter().map(s).collect())
        .unwrap_or_default();
    vec![
        ("MFA capable".into(), yes(&reg["isMfaCapable"])),
        ("Passwordless".into(), yes(&reg["isPasswordlessCapable"])),
        ("Default method".into(), s(&reg["defaultMfaMethod"])),
        (
            "Registered".into(),
            if methods.is_empty() {
                "none".into()
            } else {
                methods.join(", ")
            },
        ),
    ]
}

/// The rows of each section: (label, text).
fn sections(x: &Value) -> Vec<(&'static str, Vec<(String, String)>)> {
    let u = &x["user"];
    let mut out = vec![(
        "User",
        vec![
            ("Name".into(), s(&u["displayName"])),
            ("UPN".into(), s(&u["userPrincipalName"])),
            ("Type".into(), s(&u["userType"])),
            (
                "Enabled".into(),
                u["accountEnabled"]
                    .as_bool()
                    .map_or("?".into(), |b| if b { "yes".into() } else { "no".into() }),
            ),
        ],
    )];
    out.push(("Risk", risk_rows(&x["risk"])));
    out.push(("Sign-in methods", registration_rows(&x["registration"])));
    let list = |k: &str| x[k].as_array().cloned().unwrap_or_default();
    let groups: Vec<(String, String)> = list("groups")
        .iter()
        .map(|g| (s(&g["displayName"]), path(g)))
        .collect();
    out.push(("Groups", or_none(groups, "in no group")));
    let roles: Vec<(String, String)> = list("roles")
        .iter()
        .map(|r| {
            let until = r["until"].as_str().map_or("permanent".to_string(), |d| {
                format!("until {}", &d[..d.len().min(10)])
            });
            let privileged = if r["privileged"] == true {
                ", PRIVILEGED"
            } else {
                ""
            };
            (
                s(&r["role"]),
                format!("{}, {}, {until}{privileged}", s(&r["state"]), s(&r["via"])),
            )
        })
        .collect();
    out.push(("Directory roles", or_none(roles, "no role")));
    let policies: Vec<(String, String)> = list("policies")
        .iter()
        .map(|p| {
            let scope = match p["scope"].as_str().unwrap_or_default() {
                "excluded" => "EXCLUDED",
                "applies to every sign-in" => "every sign-in",
                _ => "some sign-ins",
            };
            (
                s(&p["displayName"]),
                format!("{} · {} · {scope}", s(&p["state"]), s(&p["requires"])),
            )
        })
        .collect();
    out.push((
        "Conditional Access",
        or_none(policies, "no policy takes this user in"),
    ));
    let actions: Vec<(String, String)> = list("protectedActions")
        .iter()
        .map(|a| {
            let need = match a["context"].as_str() {
                Some(c) => format!(
                    "needs {c} {}{}",
                    s(&a["contextName"]),
                    if a["published"] == false {
                        " (not published)"
                    } else {
                        ""
                    }
                ),
                None => "no context: not protected".into(),
            };
            (
                s(&a["permission"])
                    .trim_start_matches("microsoft.directory/")
                    .to_string(),
                format!("{need} · through {}", s(&a["grantedBy"])),
            )
        })
        .collect();
    out.push((
        "Protected actions",
        or_none(actions, "none of the protected actions"),
    ));
    let missing: Vec<(String, String)> = list("notRead")
        .iter()
        .map(|m| ("not read".into(), s(m)))
        .collect();
    if !missing.is_empty() {
        out.push(("Not read", missing));
    }
    out
}

fn or_none(rows: Vec<(String, String)>, none: &str) -> Vec<(String, String)> {
    if rows.is_empty() {
        vec![(String::new(), none.into())]
    } else {
        rows
    }
}

/// The console's page.
pub fn sheet(x: &Value) -> Sheet {
    let mut sheet = Sheet::default();
    for (title, rows) in sections(x) {
        let sec = sheet.section(title);
        for r in rows {
            sec.push(r);
        }
    }
    sheet
}

/// Markdown for `xray USER --format md` (cells escaped like the exports).
pub fn markdown(x: &Value) -> String {
    let mut out = format!("# xray: {}\n", s(&x["user"]["userPrincipalName"]));
    for (title, rows) in sections(x) {
        out.push_str(&format!("\n## {title}\n\n| | |\n|---|---|\n"));
        for (k, v) in rows {
            out.push_str(&format!(
                "| {} | {} |\n",
                crate::sanitize::md_cell(&k),
                crate::sanitize::md_cell(&v)
            ));
        }
    }
    out
}

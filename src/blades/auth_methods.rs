//! A user's authentication methods (`M` on a user): each method's kind, what identifies it (as
//! Graph returns it: a number, a device, a key model), when it was added (methods added in the
//! last 7 days stand out: an attacker's persistence), and `d` to delete one.

use super::common::text;
use super::def::{Step, Verb};
use super::verb::{Confirm, Scope};
use crate::graph::resources::users as graph;
use crate::sanitize::clean;
use crate::theme::Theme;
use crate::widgets::table::{Column, TableRow};
use ratatui::style::Style;
use serde_json::Value;

/// Methods added this many days ago or less are marked.
pub const RECENT_DAYS: i64 = 7;

/// A method's `@odata.type` in words.
pub fn kind_words(odata_type: &str) -> String {
    let t = odata_type.trim_start_matches("#microsoft.graph.");
    match t {
        "passwordAuthenticationMethod" => "Password",
        "phoneAuthenticationMethod" => "Phone",
        "microsoftAuthenticatorAuthenticationMethod" => "Microsoft Authenticator",
        "fido2AuthenticationMethod" => "FIDO2 security key",
        "windowsHelloForBusinessAuthenticationMethod" => "Windows Hello for Business",
        "emailAuthenticationMethod" => "Email",
        "softwareOathAuthenticationMethod" => "Software OATH token",
        "temporaryAccessPassAuthenticationMethod" => "Temporary Access Pass",
        "platformCredentialAuthenticationMethod" => "Platform credential",
        "" => "?",
        other => return clean(other),
    }
    .to_string()
}

/// What identifies a method, as Graph returns it.
fn detail(v: &Value) -> String {
    let t = v["@odata.type"].as_str().unwrap_or_default();
    let s = |k: &str| clean(v[k].as_str().unwrap_or_default());
    let joined = |parts: &[String]| {
        parts
            .iter()
            .filter(|p| !p.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    };
    match t.trim_start_matches("#microsoft.graph.") {
        "phoneAuthenticationMethod" => joined(&[s("phoneNumber"), s("phoneType")]),
        "emailAuthenticationMethod" => s("emailAddress"),
        "fido2AuthenticationMethod" => joined(&[s("displayName"), s("model")]),
        "temporaryAccessPassAuthenticationMethod" => {
            let once = match v["isUsableOnce"].as_bool() {
                Some(true) => "one sign-in",
                Some(false) => "many sign-ins",
                None => "",
            };
            let minutes = v["lifetimeInMinutes"]
                .as_i64()
                .map(|m| format!("{m} min"))
                .unwrap_or_default();
            joined(&[minutes, once.into(), s("methodUsabilityReason")])
        }
        "passwordAuthenticationMethod" => String::new(),
        _ => joined(&[s("displayName"), s("deviceTag")]),
    }
}

/// Days since the method was added, when Graph says.
fn age_days(v: &Value) -> Option<i64> {
    let at = chrono::DateTime::parse_from_rfc3339(v["createdDateTime"].as_str()?).ok()?;
    Some((chrono::Utc::now() - at.with_timezone(&chrono::Utc)).num_days())
}

fn age_words(v: &Value) -> String {
    match age_days(v) {
        None => "—".into(),
        Some(d) if d <= 0 => "today".into(),
        Some(1) => "1 day ago".into(),
        Some(d) => format!("{d} days ago"),
    }
}

pub fn columns() -> Vec<Column> {
    vec![
        Column::fixed("Method", 23),
        Column::grow("Detail", 20),
        Column::fixed("Added", 12),
        Column::fixed("", 3),
    ]
}

pub fn row(v: Value) -> TableRow {
    // A password's createdDateTime is when it was last changed (passwordauthenticationmethod.md):
    // a reset is not a method added, so never NEW.
    let password = v["@odata.type"]
        .as_str()
        .is_some_and(|t| t.ends_with("passwordAuthenticationMethod"));
    let recent = !password && age_days(&v).is_some_and(|d| d <= RECENT_DAYS);
    let added = match age_words(&v) {
        w if password && w != "—" => format!("set {w}"),
        w => w,
    };
    let cells = vec![
        kind_words(v["@odata.type"].as_str().unwrap_or_default()),
        detail(&v),
        added,
        if recent { "NEW".into() } else { String::new() },
    ];
    TableRow::new(v, cells)
}

pub fn style(row: &TableRow, col: usize, theme: &Theme) -> Option<Style> {
    let recent = row.cells.get(3).is_some_and(|c| c == "NEW");
    match col {
        _ if recent => Some(theme.warning),
        2 => Some(theme.muted),
        _ => None,
    }
}

/// `d`: delete the selected method of the user the list is of.
fn delete(s: &Scope) -> Vec<Step> {
    let (Some(m), Some((uid, uname))) = (&s.selected, &s.parent) else {
        return Vec::new();
    };
    let kind = kind_words(m["@odata.type"].as_str().unwrap_or_default());
    let Some(request) = graph::delete_method(uid, m) else {
        return vec![Step::refuse(format!(
            "refused, nothing was sent: a {kind} method cannot be deleted{}",
            if kind == "Password" {
                " (reset the password instead: P on the user)"
            } else {
                " through Graph"
            }
        ))];
    };
    let what = match detail(m) {
        d if d.is_empty() => kind,
        d => format!("{kind} {d}"),
    };
    let title = format!(
        "Delete {}'s {what} (added {}): it stops working at once; to use it again they must \
         register it again. A method an attacker added is how they keep access after a \
         password reset",
        clean(uname),
        age_words(m)
    );
    vec![Confirm::one(title, &text(m, "id"), request, Some(m.clone())).into()]
}

/// The list's delete, bound to the keymap's `remove` (d).
const DELETE: Verb = Verb {
    name: "remove",
    keys: &[],
    label: "delete",
    help: "Delete the selected authentication method",
    writes: true,
    run: delete,
};

/// A user's authentication methods.
pub static METHODS: super::def::SubDef = super::def::SubDef {
    title: "Authentication methods",
    request: graph::methods,
    columns,
    row,
    style,
    open: super::def::opens_nothing,
    verbs: &[DELETE],
};

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_password_just_reset_is_not_a_new_method() {
        let now = chrono::Utc::now().to_rfc3339();
        let r = row(
            json!({"@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
            "id": "28c10230-6103-485e-b985-444c60001490", "createdDateTime": now}),
        );
        assert_eq!(r.cells[2], *"set today");
        assert_eq!(r.cells[3], *"");
    }

    #[test]
    fn recent_methods_are_marked_and_described() {
        let yesterday = (chrono::Utc::now() - chrono::Duration::hours(30)).to_rfc3339();
        let r = row(
            json!({"@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
            "id": "m1", "displayName": "SM-A546E", "deviceTag": "SoftwareTokenActivated", "createdDateTime": yesterday}),
        );
        assert_eq!(
            r.cells,
            [
                "Microsoft Authenticator",
                "SM-A546E, SoftwareTokenActivated",
                "1 day ago",
                "NEW"
            ]
        );
        let r = row(
            json!({"@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
            "id": "3179e48a-750b-4051-897c-87b9720928f7", "phoneNumber": "+1 4255550148", "phoneType": "mobile"}),
        );
        assert_eq!(r.cells, ["Phone", "+1 4255550148, mobile", "—", ""]);
        // An unknown kind and escape sequences in names are shown cleaned, not as raw bytes.
        let r = row(
            json!({"@odata.type": "#microsoft.graph.newMethod\u{1b}[2J", "displayName": "x\u{1b}[31m"}),
        );
        assert!(!r.cells.iter().any(|c| c.contains('\u{1b}')));
    }
}

//! Who can reset a user's password or perform sensitive actions on them, from the tables in
//! Entra's "Privileged roles and permissions" article (privileged-roles-permissions.md, "Who can
//! reset passwords" and "Who can perform sensitive actions"; the data is
//! `assets/password-reset-matrix.json`, rows keyed by the target's role, values the admin roles).

use serde_json::Value;

const MATRIX: &str = include_str!("../assets/password-reset-matrix.json");

/// The doc's abbreviations, as role display names.
fn full_name(abbrev: &str) -> String {
    match abbrev {
        "Auth Admin" => "Authentication Administrator",
        "Privileged Auth Admin" => "Privileged Authentication Administrator",
        "Global Admin" => "Global Administrator",
        "Groups Admin" => "Groups Administrator",
        "Helpdesk Admin" => "Helpdesk Administrator",
        "Password Admin" => "Password Administrator",
        "Privileged Role Admin" => "Privileged Role Administrator",
        "User Admin" => "User Administrator",
        other => other,
    }
    .to_string()
}

/// The admin roles able to act on a user holding `roles` (display names): the intersection of
/// the rows of every role the user holds (the most protected role decides). `in_role_group`:
/// the user is a member or owner of a role-assignable group.
pub fn who_can_act(table: &str, roles: &[String], in_role_group: bool) -> Vec<String> {
    let Ok(doc) = serde_json::from_str::<Value>(MATRIX) else {
        return Vec::new();
    };
    let Some(rows) = doc[table].as_object() else {
        return Vec::new();
    };
    let row_for = |role: &str| -> &str {
        rows.keys()
            .find(|k| full_name(k) == role)
            .map(String::as_str)
            .unwrap_or("All other built-in and custom roles")
    };
    let mut keys: Vec<&str> = roles.iter().map(|r| row_for(r)).collect();
    if roles.is_empty() {
        keys.push("User (no admin role)");
    }
    if in_role_group {
        keys.push("User (no admin role, but member or owner of a role-assignable group)");
    }
    let lists: Vec<Vec<String>> = keys
        .iter()
        .map(|k| {
            rows.get(*k)
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(full_name).collect())
                .unwrap_or_default()
        })
        .collect();
    let Some(first) = lists.first() else {
        return Vec::new();
    };
    first
        .iter()
        .filter(|r| lists.iter().all(|l| l.contains(r)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_protected_role_decides() {
        let plain = who_can_act("passwordReset", &[], false);
        assert!(plain.contains(&"Helpdesk Administrator".to_string()));
        let ga = who_can_act("passwordReset", &["Global Administrator".into()], false);
        assert_eq!(
            ga,
            [
                "Privileged Authentication Administrator",
                "Global Administrator"
            ]
        );
        let mixed = who_can_act(
            "passwordReset",
            &["Helpdesk Administrator".into(), "Security Reader".into()],
            false,
        );
        assert_eq!(
            mixed,
            [
                "Privileged Authentication Administrator",
                "Global Administrator"
            ],
            "Security Reader falls under all other roles"
        );
        let grouped = who_can_act("passwordReset", &[], true);
        assert_eq!(
            grouped,
            [
                "Privileged Authentication Administrator",
                "Global Administrator"
            ]
        );
        assert!(!who_can_act("sensitiveActions", &["User Administrator".into()], false).is_empty());
    }
}

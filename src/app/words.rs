//! A write in words: its title as a report of what was done, and Graph's property names as the confirm says them.

/// A write's title (an order: "Save policy X") as a report of what was done ("Saved policy X");
/// a title that starts otherwise ("Step 1 of 3: …") is prefixed with "Done:".
pub fn past_tense(title: &str) -> String {
    const VERBS: &[(&str, &str)] = &[
        ("Save", "Saved"),
        ("Restore", "Restored"),
        ("Delete", "Deleted"),
        ("Set", "Set"),
        ("Assign", "Assigned"),
        ("Make", "Made"),
        ("Rename", "Renamed"),
        ("Publish", "Published"),
        ("Activate", "Activated"),
        ("Add", "Added"),
        ("Remove", "Removed"),
        ("Create", "Created"),
        ("End", "Ended"),
        ("Confirm", "Confirmed"),
        ("Dismiss", "Dismissed"),
        ("Exclude", "Excluded"),
        ("Reprocess", "Reprocessed"),
        ("Change", "Changed"),
        ("Update", "Updated"),
        ("Unassign", "Unassigned"),
        ("Duplicate", "Duplicated"),
        ("Revoke", "Revoked"),
        ("Reset", "Reset"),
        ("Harden", "Hardened"),
        ("Approve", "Approved"),
        ("Deny", "Denied"),
    ];
    let (first, rest) = title.split_once(' ').unwrap_or((title, ""));
    let first = first.trim_end_matches(':');
    match VERBS.iter().find(|(v, _)| *v == first) {
        Some((_, past)) => format!("{past} {}", rest.trim_start())
            .trim_end()
            .to_string(),
        None => format!("Done: {title}"),
    }
}

/// A Graph property in the words the confirm uses for it (`directoryScopeId` is the scope).
pub fn field_words(field: &str) -> &str {
    match field {
        "directoryScopeId" => "scope",
        "isAvailable" => "published",
        "authenticationContextId" => "authentication context",
        "autoReconcileProxyConflict" => "proxy conflicts",
        "isUsableOnce" => "use",
        "accountEnabled" => "sign-in",
        "@until" => "the exclusion ends",
        other => other,
    }
}

//! SCuBA tenant-settings rules read from the authorization policy and the domains: only admins
//! register apps, users cannot consent to apps, passwords never expire, guests have limited
//! access and only admins and Guest Inviters invite.

use super::model::{Evidence, Finding, Inputs, Rule, Severity, s};
use serde_json::Value;

static APP_REGISTRATION: Rule = Rule {
    id: "MS.AAD.5.1",
    scuba: Some("MS.AAD.5.1v1"),
    eidsca: Some("EIDSCA.AP10"),
    cis: Some("5.1.2.2"),
    title: "Only administrators register applications",
    severity: Severity::Medium,
    remediation: "User settings: Users can register applications = No.",
    reads: "GET /policies/authorizationPolicy (defaultUserRolePermissions.allowedToCreateApps)",
};
static USER_CONSENT: Rule = Rule {
    id: "MS.AAD.5.2",
    scuba: Some("MS.AAD.5.2v1"),
    eidsca: None,
    cis: Some("5.1.5.1"),
    title: "Only administrators consent to applications",
    severity: Severity::Medium,
    remediation: "Enterprise applications > Consent and permissions: Do not allow user consent.",
    reads: "GET /policies/authorizationPolicy (defaultUserRolePermissions.permissionGrantPoliciesAssigned)",
};
static PASSWORD_EXPIRY: Rule = Rule {
    id: "MS.AAD.6.1",
    scuba: Some("MS.AAD.6.1v1"),
    eidsca: None,
    cis: Some("1.3.1"),
    title: "User passwords do not expire",
    severity: Severity::Low,
    remediation: "Microsoft 365 admin center > Settings > Password expiration policy: never expire (sets every managed domain's validity period).",
    reads: "GET /domains (isVerified, authenticationType, passwordValidityPeriodInDays)",
};
static GUEST_ACCESS: Rule = Rule {
    id: "MS.AAD.8.1",
    scuba: Some("MS.AAD.8.1v1"),
    eidsca: None,
    cis: Some("5.1.6.2"),
    title: "Guests have limited or restricted access to directory objects",
    severity: Severity::Medium,
    remediation: "External collaboration settings: guest user access limited to properties and memberships of directory objects, or restricted to their own.",
    reads: "GET /policies/authorizationPolicy (guestUserRoleId)",
};
static GUEST_INVITES: Rule = Rule {
    id: "MS.AAD.8.2",
    scuba: Some("MS.AAD.8.2v1"),
    eidsca: Some("EIDSCA.AP04"),
    cis: Some("5.1.6.3"),
    title: "Only administrators and Guest Inviters invite guests",
    severity: Severity::Medium,
    remediation: "External collaboration settings: Guest invite settings = only users assigned to specific admin roles (or no one).",
    reads: "GET /policies/authorizationPolicy (allowInvitesFrom)",
};

pub static RULES: [&Rule; 5] = [
    &APP_REGISTRATION,
    &USER_CONSENT,
    &PASSWORD_EXPIRY,
    &GUEST_ACCESS,
    &GUEST_INVITES,
];

/// The guest role templates (authorizationPolicy's guestUserRoleId) and whether SCuBA counts
/// them as limited.
const GUEST_ROLES: [(&str, &str, bool); 3] = [
    (
        "a0b1b346-4d3e-4e8b-98f8-753987be4970",
        "same access as members",
        false,
    ),
    (
        "10dae51f-b6af-4016-8d66-8c2a99b929b3",
        "limited access",
        true,
    ),
    (
        "2af84b1e-32c8-42b7-82bc-daa82404023b",
        "restricted access (most restrictive)",
        true,
    ),
];

/// Graph's value for "never expires" (the domain resource, passwordValidityPeriodInDays).
const NEVER: i64 = 2_147_483_647;
/// What counts as not expiring: a century or more.
const CENTURY: i64 = 36_500;

fn setting(note: String) -> Evidence {
    Evidence {
        blade: "tenant",
        id: "authorizationPolicy".into(),
        name: "Authorization policy".into(),
        note,
    }
}

fn authorization(p: &Value) -> Vec<Finding> {
    let perms = &p["defaultUserRolePermissions"];
    let mut out = Vec::new();
    out.push(match perms["allowedToCreateApps"].as_bool() {
        None => super::model::not_evaluable(
            &APP_REGISTRATION,
            "defaultUserRolePermissions.allowedToCreateApps was not returned",
        ),
        Some(allowed) => super::model::judged(
            &APP_REGISTRATION,
            if allowed {
                vec![setting("allowedToCreateApps is true".into())]
            } else {
                Vec::new()
            },
            "users cannot register applications",
            "every user can register applications",
        ),
    });
    out.push(match perms["permissionGrantPoliciesAssigned"].as_array() {
        None => super::model::not_evaluable(
            &USER_CONSENT,
            "defaultUserRolePermissions.permissionGrantPoliciesAssigned was not returned",
        ),
        Some(list) => super::model::judged(
            &USER_CONSENT,
            list.iter()
                .filter_map(Value::as_str)
                .filter(|x| x.starts_with("ManagePermissionGrantsForSelf."))
                .map(|x| setting(format!("users may consent under {x}")))
                .collect(),
            "users cannot consent to applications for themselves",
            "users can consent to applications",
        ),
    });
    let role = s(p, "guestUserRoleId");
    out.push(match GUEST_ROLES.iter().find(|(id, ..)| *id == role) {
        Some((_, what, true)) => super::model::judged(
            &GUEST_ACCESS,
            Vec::new(),
            &format!("guests have {what}"),
            "",
        ),
        Some((_, what, false)) => super::model::judged(
            &GUEST_ACCESS,
            vec![setting(format!("guests have the {what}"))],
            "",
            "guests are not limited",
        ),
        None if role.is_empty() => {
            super::model::not_evaluable(&GUEST_ACCESS, "guestUserRoleId was not returned")
        }
        None => super::model::judged(
            &GUEST_ACCESS,
            vec![setting(format!(
                "guestUserRoleId {role} is not a known guest role"
            ))],
            "",
            "guests' access level is not one SCuBA accepts",
        ),
    });
    let invites = s(p, "allowInvitesFrom");
    out.push(match invites.as_str() {
        "" => super::model::not_evaluable(&GUEST_INVITES, "allowInvitesFrom was not returned"),
        "none" | "adminsAndGuestInviters" => super::model::judged(
            &GUEST_INVITES,
            Vec::new(),
            &format!("allowInvitesFrom is {invites}"),
            "",
        ),
        other => super::model::judged(
            &GUEST_INVITES,
            vec![setting(format!("allowInvitesFrom is {other}"))],
            "",
            "more than admins and Guest Inviters can invite guests",
        ),
    });
    out
}

/// Verified managed domains whose passwords expire (federated and unverified ones are the
/// identity provider's or nobody's; they are not judged).
fn password_expiry(domains: &[Value]) -> Finding {
    let judged: Vec<&Value> = domains
        .iter()
        .filter(|d| d["isVerified"] == true && d["authenticationType"] == "Managed")
        .collect();
    if judged.is_empty() {
        return super::model::not_evaluable(
            &PASSWORD_EXPIRY,
            "no verified managed domain was returned",
        );
    }
    let ev = judged
        .into_iter()
        .filter_map(|d| {
            let days = d["passwordValidityPeriodInDays"].as_i64();
            let note = match days {
                Some(n) if n >= CENTURY => return None,
                Some(n) => format!("passwords expire after {n} days"),
                None => "passwordValidityPeriodInDays was not returned".into(),
            };
            Some(Evidence {
                blade: "tenant",
                id: s(d, "id"),
                name: format!("domain {}", s(d, "id")),
                note,
            })
        })
        .collect();
    super::model::judged(
        &PASSWORD_EXPIRY,
        ev,
        &format!("every verified managed domain's passwords never expire ({NEVER} days)"),
        "domains whose passwords expire",
    )
}

pub fn run(i: &Inputs) -> Vec<Finding> {
    let mut out = match &i.authorization {
        Ok(p) => authorization(p),
        Err(e) => [
            &APP_REGISTRATION,
            &USER_CONSENT,
            &GUEST_ACCESS,
            &GUEST_INVITES,
        ]
        .into_iter()
        .map(|r| super::model::not_evaluable(r, e))
        .collect(),
    };
    out.insert(
        2,
        match &i.domains {
            Ok(d) => password_expiry(d),
            Err(e) => super::model::not_evaluable(&PASSWORD_EXPIRY, e),
        },
    );
    out
}

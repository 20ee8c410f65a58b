//! The Entra ID Security Config Analyzer (EIDSCA) checks that Graph v1.0 reads can judge, as
//! Maester ships them (expected values, skips and comparisons from its published checks): the
//! authorization policy, each authentication method's settings, the directory settings
//! (Consent Policy, Password Rule, Group.Unified: a template the tenant never instantiated is
//! judged by its default) and the admin consent workflow. Each has this console's stable id
//! (`EC.20` …) and its EIDSCA id. Left out: AG02/AG03 (report suspicious activity) and
//! AM03/AM04 (number matching), whose properties only beta has; the checks a SCuBA rule already
//! makes (AG01, AP04, AP10, AM06-AM10) are mapped onto that rule instead of repeated.

use super::model::{Finding, Inputs, Rule, Severity, Status, not_evaluable};
use serde_json::Value;

/// Where a check's value lives.
#[derive(Clone, Copy)]
enum From {
    Authorization,
    /// An authentication method's configuration (its id), judged only while it is enabled
    /// (unless the check is the method's own state).
    Method(&'static str),
    /// A directory setting: (template id, template name).
    Setting(&'static str, &'static str),
    /// The admin consent workflow, judged only while it is on (but CR01, its state).
    ConsentRequests,
}

/// What the value must be (compared as text, case-insensitively, as Maester does).
#[derive(Clone, Copy)]
enum Expect {
    Is(&'static str),
    AtLeast(i64),
    AtMost(i64),
    /// Computed by `special` (AP08, AF05, AF06, AS04).
    Special,
}

struct Check {
    rule: Rule,
    from: From,
    /// A dotted path in the object, or the setting's name.
    path: &'static str,
    expect: Expect,
}

const CONSENT: From = From::Setting(
    "dffd5d46-495d-40a9-8e21-954ff55e198a",
    "Consent Policy Settings",
);
const PASSWORD: From = From::Setting(
    "5cf42378-d67d-4f36-ba46-e8b86229381d",
    "Password Rule Settings",
);
const UNIFIED: From = From::Setting("62375ab9-6b52-47ed-826b-58e47e0e304b", "Group.Unified");

macro_rules! check {
    (@reads auth, $path:literal) => {
        concat!("GET /policies/authorizationPolicy (", $path, ")")
    };
    (@reads method $m:literal, $path:literal) => {
        concat!("GET /policies/authenticationMethodsPolicy (configuration ", $m, ": ", $path, ")")
    };
    (@reads setting $t:literal, $path:literal) => {
        concat!("GET /groupSettings (", $t, ": ", $path, "), GET /groupSettingTemplates (its default when never set)")
    };
    (@reads consent, $path:literal) => {
        concat!("GET /policies/adminConsentRequestPolicy (", $path, ")")
    };
    ($id:literal, $eid:literal, $cis:expr, $sev:ident, $title:literal, $fix:literal, $from:expr, [$($src:tt)+], $path:literal, $expect:expr) => {
        Check {
            rule: Rule {
                id: $id,
                scuba: None,
                eidsca: Some($eid),
                cis: $cis,
                title: $title,
                severity: Severity::$sev,
                remediation: $fix,
                reads: check!(@reads $($src)+, $path),
            },
            from: $from,
            path: $path,
            expect: $expect,
        }
    };
}

static CHECKS: [Check; 33] = [
    check!(
        "EC.20",
        "EIDSCA.AP01",
        None,
        High,
        "Administrators cannot use self-service password reset",
        "Set allowedToUseSSPR to false on the authorization policy (Update-MgPolicyAuthorizationPolicy -AllowedToUseSspr:$false): admins reset through another admin.",
        From::Authorization,
        [auth],
        "allowedToUseSSPR",
        Expect::Is("false")
    ),
    check!(
        "EC.21",
        "EIDSCA.AP05",
        None,
        Medium,
        "Users cannot sign up for email-based subscriptions",
        "Authorization policy: allowedToSignUpEmailBasedSubscriptions = false.",
        From::Authorization,
        [auth],
        "allowedToSignUpEmailBasedSubscriptions",
        Expect::Is("false")
    ),
    check!(
        "EC.22",
        "EIDSCA.AP06",
        None,
        Medium,
        "Users cannot join the tenant by email validation",
        "Authorization policy: allowEmailVerifiedUsersToJoinOrganization = false.",
        From::Authorization,
        [auth],
        "allowEmailVerifiedUsersToJoinOrganization",
        Expect::Is("false")
    ),
    check!(
        "EC.23",
        "EIDSCA.AP07",
        None,
        High,
        "Guests have the most restrictive access (Restricted Guest User)",
        "External collaboration settings: guest user access restricted to properties and memberships of their own directory objects.",
        From::Authorization,
        [auth],
        "guestUserRoleId",
        Expect::Is("2af84b1e-32c8-42b7-82bc-daa82404023b")
    ),
    check!(
        "EC.24",
        "EIDSCA.AP08",
        None,
        Medium,
        "User consent is limited to low-risk permissions from verified publishers",
        "Consent and permissions: allow user consent for apps from verified publishers, for selected permissions (low impact), or turn user consent off.",
        From::Authorization,
        [auth],
        "defaultUserRolePermissions.permissionGrantPoliciesAssigned",
        Expect::Special
    ),
    check!(
        "EC.25",
        "EIDSCA.AP09",
        None,
        Medium,
        "Users cannot consent to risky apps (authorization policy)",
        "Authorization policy: allowUserConsentForRiskyApps = false.",
        From::Authorization,
        [auth],
        "allowUserConsentForRiskyApps",
        Expect::Is("false")
    ),
    check!(
        "EC.26",
        "EIDSCA.AP14",
        None,
        High,
        "Members can read other users (Graph asks never to turn this off)",
        "Authorization policy: defaultUserRolePermissions.allowedToReadOtherUsers = true.",
        From::Authorization,
        [auth],
        "defaultUserRolePermissions.allowedToReadOtherUsers",
        Expect::Is("true")
    ),
    check!("EC.27", "EIDSCA.AF01", None, High, "FIDO2 security keys are enabled", "Authentication methods > FIDO2 security key: enable it for all users.", From::Method("Fido2"), [method "Fido2"], "state", Expect::Is("enabled")),
    check!("EC.28", "EIDSCA.AF02", None, Medium, "Users can register FIDO2 security keys themselves", "FIDO2 security key > Configure: allow self-service set up.", From::Method("Fido2"), [method "Fido2"], "isSelfServiceRegistrationAllowed", Expect::Is("true")),
    check!("EC.29", "EIDSCA.AF03", None, High, "FIDO2 attestation is enforced", "FIDO2 security key > Configure: enforce attestation.", From::Method("Fido2"), [method "Fido2"], "isAttestationEnforced", Expect::Is("true")),
    check!("EC.30", "EIDSCA.AF04", None, High, "FIDO2 key restrictions are enforced", "FIDO2 security key > Configure: enforce key restrictions.", From::Method("Fido2"), [method "Fido2"], "keyRestrictions.isEnforced", Expect::Is("true")),
    check!("EC.31", "EIDSCA.AF05", None, High, "FIDO2 key restrictions name the allowed or blocked keys", "FIDO2 security key > Configure: list the AAGUIDs of the keys to allow (or block).", From::Method("Fido2"), [method "Fido2"], "keyRestrictions.aaGuids", Expect::Special),
    check!("EC.32", "EIDSCA.AF06", None, Medium, "FIDO2 key restrictions allow or block specific keys", "FIDO2 security key > Configure: restrict specific keys (allow or block) with their AAGUIDs.", From::Method("Fido2"), [method "Fido2"], "keyRestrictions.enforcementType", Expect::Special),
    check!("EC.33", "EIDSCA.AM01", None, High, "Microsoft Authenticator is enabled", "Authentication methods > Microsoft Authenticator: enable it for all users.", From::Method("MicrosoftAuthenticator"), [method "MicrosoftAuthenticator"], "state", Expect::Is("enabled")),
    check!("EC.34", "EIDSCA.AM02", None, Medium, "Microsoft Authenticator one-time passcodes are off", "Microsoft Authenticator > Configure: Allow use of Microsoft Authenticator OTP = No.", From::Method("MicrosoftAuthenticator"), [method "MicrosoftAuthenticator"], "isSoftwareOathEnabled", Expect::Is("false")),
    check!("EC.35", "EIDSCA.AS04", None, High, "SMS cannot be used to sign in", "Authentication methods > SMS: turn off 'Use for sign-in' for every target.", From::Method("Sms"), [method "Sms"], "includeTargets", Expect::Special),
    check!("EC.36", "EIDSCA.AT01", None, High, "Temporary Access Pass is enabled", "Authentication methods > Temporary Access Pass: enable it (for onboarding and recovery).", From::Method("TemporaryAccessPass"), [method "TemporaryAccessPass"], "state", Expect::Is("enabled")),
    check!("EC.37", "EIDSCA.AT02", None, High, "A Temporary Access Pass can be used once", "Temporary Access Pass > Configure: one-time use = Yes.", From::Method("TemporaryAccessPass"), [method "TemporaryAccessPass"], "isUsableOnce", Expect::Is("true")),
    check!("EC.38", "EIDSCA.AV01", None, High, "Voice call is disabled", "Authentication methods > Voice call: disable it.", From::Method("Voice"), [method "Voice"], "state", Expect::Is("disabled")),
    check!("EC.39", "EIDSCA.CP01", None, High, "Group owners cannot consent to apps accessing group data", "Consent and permissions > User consent settings: do not allow group owner consent (Consent Policy Settings EnableGroupSpecificConsent = false).", CONSENT, [setting "Consent Policy Settings"], "EnableGroupSpecificConsent", Expect::Is("false")),
    check!("EC.40", "EIDSCA.CP03", None, High, "User consent to risky apps is blocked (Consent Policy Settings)", "Consent Policy Settings: BlockUserConsentForRiskyApps = true.", CONSENT, [setting "Consent Policy Settings"], "BlockUserConsentForRiskyApps", Expect::Is("true")),
    check!("EC.41", "EIDSCA.CP04", None, Medium, "Users can request admin consent for apps they cannot consent to", "Consent Policy Settings: EnableAdminConsentRequests = true (and turn on the admin consent workflow).", CONSENT, [setting "Consent Policy Settings"], "EnableAdminConsentRequests", Expect::Is("true")),
    check!(
        "EC.42",
        "EIDSCA.CR01",
        Some("5.1.5.2"),
        High,
        "The admin consent workflow is on",
        "Enterprise applications > Admin consent settings: users can request admin consent = Yes, with reviewers.",
        From::ConsentRequests,
        [consent],
        "isEnabled",
        Expect::Is("true")
    ),
    check!(
        "EC.43",
        "EIDSCA.CR02",
        None,
        Medium,
        "Admin consent reviewers are notified of requests",
        "Admin consent settings: selected users receive email notifications for requests = Yes.",
        From::ConsentRequests,
        [consent],
        "notifyReviewers",
        Expect::Is("true")
    ),
    check!(
        "EC.44",
        "EIDSCA.CR03",
        None,
        Medium,
        "Admin consent reviewers are reminded before a request expires",
        "Admin consent settings: selected users receive request expiration reminders = Yes.",
        From::ConsentRequests,
        [consent],
        "remindersEnabled",
        Expect::Is("true")
    ),
    check!(
        "EC.45",
        "EIDSCA.CR04",
        None,
        High,
        "Admin consent requests expire within 30 days",
        "Admin consent settings: consent request expires after 30 days or fewer.",
        From::ConsentRequests,
        [consent],
        "requestDurationInDays",
        Expect::AtMost(30)
    ),
    check!("EC.46", "EIDSCA.PR01", Some("5.2.3.3"), High, "Password protection for Windows Server AD enforces (not audit)", "Authentication methods > Password protection: Mode = Enforced.", PASSWORD, [setting "Password Rule Settings"], "BannedPasswordCheckOnPremisesMode", Expect::Is("Enforce")),
    check!("EC.47", "EIDSCA.PR02", Some("5.2.3.3"), High, "Password protection is enabled on Windows Server AD", "Password protection: Enable password protection on Windows Server Active Directory = Yes.", PASSWORD, [setting "Password Rule Settings"], "EnableBannedPasswordCheckOnPremises", Expect::Is("true")),
    check!("EC.48", "EIDSCA.PR03", Some("5.2.3.2"), Medium, "The custom banned password list is enforced", "Password protection: Enforce custom list = Yes (and list the organisation's words).", PASSWORD, [setting "Password Rule Settings"], "EnableBannedPasswordCheck", Expect::Is("true")),
    check!("EC.49", "EIDSCA.PR05", Some("5.2.3.9"), Medium, "Smart lockout locks for at least 60 seconds", "Password protection: Lockout duration in seconds = 60 or more.", PASSWORD, [setting "Password Rule Settings"], "LockoutDurationInSeconds", Expect::AtLeast(60)),
    check!("EC.50", "EIDSCA.PR06", Some("5.2.3.8"), Medium, "Smart lockout locks after 10 failures or fewer", "Password protection: Lockout threshold = 10 or fewer.", PASSWORD, [setting "Password Rule Settings"], "LockoutThreshold", Expect::AtMost(10)),
    check!("EC.51", "EIDSCA.ST08", None, Medium, "Guests cannot own Microsoft 365 groups", "Group.Unified directory setting: AllowGuestsToBeGroupOwner = false.", UNIFIED, [setting "Group.Unified"], "AllowGuestsToBeGroupOwner", Expect::Is("false")),
    check!("EC.52", "EIDSCA.ST09", None, Medium, "Guests can access the content of Microsoft 365 groups they belong to", "Group.Unified directory setting: AllowGuestsToAccessGroups = true.", UNIFIED, [setting "Group.Unified"], "AllowGuestsToAccessGroups", Expect::Is("true")),
];

/// The EIDSCA rules, in id order (for `--framework`, waivers and reports).
pub fn rules() -> impl Iterator<Item = &'static Rule> {
    CHECKS.iter().map(|c| &c.rule)
}

/// A dotted path's value.
fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    path.split('.').fold(v, |v, k| &v[k])
}

/// A value as text: strings as they are, others as JSON (`true`, `60`), absent as empty.
fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A directory setting's value: the object the tenant created from the template, or the
/// template's default (with words saying so), or why neither can be read.
fn setting(i: &Inputs, template: &str, name: &str, what: &str) -> Result<(String, String), String> {
    let settings = i
        .settings
        .as_ref()
        .map_err(|e| format!("directory settings not read: {e}"))?;
    let value = |o: &Value, key: &str| {
        o["values"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|v| {
                v["name"]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
            .map(|v| text(&v[key]))
    };
    if let Some(o) = settings.iter().find(|s| s["templateId"] == template) {
        return value(o, "value")
            .map(|v| (v, String::new()))
            .ok_or_else(|| format!("{what} has no {name}"));
    }
    let templates = i.setting_templates.as_ref().map_err(|e| {
        format!("the tenant never created {what}, and its template was not read: {e}")
    })?;
    templates
        .iter()
        .find(|t| t["id"] == template)
        .and_then(|t| value(t, "defaultValue"))
        .map(|v| {
            (
                v,
                format!(" (the default: the tenant never created {what})"),
            )
        })
        .ok_or_else(|| {
            format!("the tenant never created {what}, and Graph lists no default for {name}")
        })
}

/// A method's configuration from the methods policy (configurations come inline).
fn method<'a>(methods: &'a Value, id: &str) -> Option<&'a Value> {
    methods["authenticationMethodConfigurations"]
        .as_array()?
        .iter()
        .find(|c| c["id"].as_str().is_some_and(|x| x.eq_ignore_ascii_case(id)))
}

/// The checks whose value is computed: (pass, the value in words), or not evaluable.
fn special(c: &Check, o: &Value) -> Result<(bool, String), String> {
    match c.rule.id {
        // v1.0 names the assigned consent policies in defaultUserRolePermissions (beta's
        // permissionGrantPolicyIdsAssignedToDefaultUserRole is the same list).
        "EC.24" => {
            let assigned = crate::ca::strs(at(o, c.path));
            let own: Vec<&String> = assigned
                .iter()
                .filter(|p| {
                    p.to_ascii_lowercase()
                        .starts_with("managepermissiongrantsforself.")
                })
                .collect();
            if own.is_empty() {
                return Ok((true, "user consent is off".into()));
            }
            let low = own.iter().any(|p| {
                p.eq_ignore_ascii_case("ManagePermissionGrantsForSelf.microsoft-user-default-low")
            });
            let words = own
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ");
            Ok((low, words))
        }
        // AF05/AF06 apply only while key restrictions are enforced (AF04).
        "EC.31" | "EC.32" => {
            let k = &o["keyRestrictions"];
            if k["isEnforced"] != true {
                return Err(
                    "applies only while FIDO2 key restrictions are enforced (EC.30)".into(),
                );
            }
            let guids = crate::ca::strs(&k["aaGuids"]);
            let kind = text(&k["enforcementType"]);
            let pass = !guids.is_empty()
                && (c.rule.id == "EC.31" || matches!(kind.as_str(), "allow" | "block"));
            Ok((pass, format!("{kind}: {} key(s) listed", guids.len())))
        }
        // AS04: no SMS target may be used to sign in.
        "EC.35" => {
            let usable = o["includeTargets"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|t| t["isUsableForSignIn"] == true)
                .count();
            Ok((
                usable == 0,
                format!("{usable} target(s) usable for sign-in"),
            ))
        }
        _ => Err("no judgement for this check".into()),
    }
}

/// One check judged.
fn judge(c: &'static Check, i: &Inputs) -> Finding {
    let rule = &c.rule;
    let (value, note) = match c.from {
        From::Authorization => match &i.authorization {
            Ok(p) if matches!(c.expect, Expect::Special) => return found(rule, special(c, p)),
            Ok(p) => (text(at(p, c.path)), String::new()),
            Err(e) => return not_evaluable(rule, e),
        },
        From::Method(m) => {
            let Ok(methods) = &i.methods else {
                return not_evaluable(rule, i.methods.as_ref().err().map_or("", |e| e));
            };
            let Some(conf) = method(methods, m) else {
                return not_evaluable(
                    rule,
                    &format!("the methods policy has no {m} configuration"),
                );
            };
            if c.path != "state" && conf["state"] != "enabled" {
                return not_evaluable(
                    rule,
                    &format!(
                        "applies only while {m} is enabled (it is {})",
                        text(&conf["state"])
                    ),
                );
            }
            if matches!(c.expect, Expect::Special) {
                return found(rule, special(c, conf));
            }
            (text(at(conf, c.path)), String::new())
        }
        From::Setting(t, name) => match setting(i, t, c.path, name) {
            Ok(v) => v,
            // CP01: Microsoft replaced group owner consent; a tenant without it is not judged.
            Err(e) => return not_evaluable(rule, &e),
        },
        From::ConsentRequests => match &i.consent_requests {
            Ok(p) if c.path != "isEnabled" && p["isEnabled"] != true => {
                return not_evaluable(
                    rule,
                    "applies only while the admin consent workflow is on (EC.42)",
                );
            }
            Ok(p) => (text(at(p, c.path)), String::new()),
            Err(e) => return not_evaluable(rule, e),
        },
    };
    if value.is_empty() {
        return not_evaluable(rule, &format!("{} was not returned", c.path));
    }
    let number = || {
        value
            .trim()
            .parse::<i64>()
            .map_err(|_| format!("{} is not a number: {value}", c.path))
    };
    let pass = match c.expect {
        Expect::Is(want) => Ok(value.eq_ignore_ascii_case(want)),
        Expect::AtLeast(n) => number().map(|v| v >= n),
        Expect::AtMost(n) => number().map(|v| v <= n),
        Expect::Special => Err("no judgement for this check".into()),
    };
    found(
        rule,
        pass.map(|p| (p, format!("{} is {}{note}", c.path, shown(c.path, &value)))),
    )
}

/// A value in words where Graph gives an id (the guest roles of authorizationpolicy.md).
fn shown(path: &str, value: &str) -> String {
    let words = match (path, value) {
        ("guestUserRoleId", "a0b1b346-4d3e-4e8b-98f8-753987be4970") => "same access as members",
        ("guestUserRoleId", "10dae51f-b6af-4016-8d66-8c2a99b929b3") => {
            "limited access (Guest User)"
        }
        ("guestUserRoleId", "2af84b1e-32c8-42b7-82bc-daa82404023b") => {
            "restricted access (Restricted Guest User)"
        }
        _ => return value.to_string(),
    };
    format!("{words}, {value}")
}

fn found(rule: &'static Rule, r: Result<(bool, String), String>) -> Finding {
    match r {
        Ok((pass, detail)) => Finding {
            rule,
            status: if pass { Status::Pass } else { Status::Fail },
            detail,
            evidence: Vec::new(),
        },
        Err(why) => not_evaluable(rule, &why),
    }
}

/// Every EIDSCA check.
pub fn run(i: &Inputs) -> Vec<Finding> {
    CHECKS.iter().map(|c| judge(c, i)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn inputs() -> Inputs {
        let mut i = super::super::tests::inputs();
        i.authorization = Ok(
            json!({"id": "authorizationPolicy", "allowedToUseSSPR": true,
            "guestUserRoleId": "2af84b1e-32c8-42b7-82bc-daa82404023b",
            "defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": ["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"]}}),
        );
        i.methods = Ok(
            json!({"id": "authenticationMethodsPolicy", "authenticationMethodConfigurations": [
            {"id": "Fido2", "state": "enabled", "keyRestrictions": {"isEnforced": false}},
            {"id": "Sms", "state": "enabled", "includeTargets": [{"id": "all_users", "isUsableForSignIn": true}]},
            {"id": "Voice", "state": "disabled"},
            {"id": "TemporaryAccessPass", "state": "disabled", "isUsableOnce": false}]}),
        );
        i.settings = Ok(vec![
            json!({"templateId": "5cf42378-d67d-4f36-ba46-e8b86229381d",
            "values": [{"name": "LockoutThreshold", "value": "20"}, {"name": "LockoutDurationInSeconds", "value": "90"}]}),
        ]);
        i.setting_templates = Ok(vec![json!({"id": "62375ab9-6b52-47ed-826b-58e47e0e304b",
            "values": [{"name": "AllowGuestsToBeGroupOwner", "defaultValue": "False"}]})]);
        i.consent_requests = Ok(json!({"isEnabled": false, "requestDurationInDays": 0}));
        i
    }

    fn status(i: &Inputs, eid: &str) -> Status {
        run(i)
            .into_iter()
            .find(|f| f.rule.eidsca == Some(eid))
            .unwrap()
            .status
    }

    #[test]
    fn each_kind_of_check_passes_and_fails() {
        let i = inputs();
        assert_eq!(
            status(&i, "EIDSCA.AP01"),
            Status::Fail,
            "admins may use SSPR"
        );
        assert_eq!(status(&i, "EIDSCA.AP07"), Status::Pass);
        assert_eq!(
            status(&i, "EIDSCA.AP08"),
            Status::Fail,
            "legacy consent policy"
        );
        assert_eq!(status(&i, "EIDSCA.AF01"), Status::Pass);
        assert!(
            matches!(status(&i, "EIDSCA.AF05"), Status::NotEvaluable(w) if w.contains("enforced"))
        );
        assert_eq!(status(&i, "EIDSCA.AS04"), Status::Fail);
        assert_eq!(status(&i, "EIDSCA.AV01"), Status::Pass);
        assert_eq!(status(&i, "EIDSCA.AT01"), Status::Fail);
        assert!(
            matches!(status(&i, "EIDSCA.AT02"), Status::NotEvaluable(w) if w.contains("only while")),
            "a disabled method's settings are not judged"
        );
        assert_eq!(status(&i, "EIDSCA.PR05"), Status::Pass, "90 ≥ 60");
        assert_eq!(status(&i, "EIDSCA.PR06"), Status::Fail, "20 > 10");
        assert!(
            matches!(status(&i, "EIDSCA.PR01"), Status::NotEvaluable(w) if w.contains("no BannedPasswordCheckOnPremisesMode"))
        );
        assert_eq!(status(&i, "EIDSCA.CR01"), Status::Fail);
        assert!(matches!(status(&i, "EIDSCA.CR04"), Status::NotEvaluable(_)));
    }

    #[test]
    fn a_setting_never_created_is_judged_by_its_template_default() {
        let i = inputs();
        let f = run(&i)
            .into_iter()
            .find(|f| f.rule.eidsca == Some("EIDSCA.ST08"))
            .unwrap();
        assert_eq!(f.status, Status::Pass);
        assert!(f.detail.contains("the default"), "{}", f.detail);
        // No template default either: said, not guessed.
        assert!(
            matches!(status(&i, "EIDSCA.ST09"), Status::NotEvaluable(w) if w.contains("no default"))
        );
        assert!(
            matches!(status(&i, "EIDSCA.CP03"), Status::NotEvaluable(w) if w.contains("never created Consent Policy Settings"))
        );
    }

    #[test]
    fn user_consent_off_passes_ap08() {
        let mut i = inputs();
        i.authorization = Ok(
            json!({"id": "a", "defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": []}}),
        );
        assert_eq!(status(&i, "EIDSCA.AP08"), Status::Pass);
    }
}

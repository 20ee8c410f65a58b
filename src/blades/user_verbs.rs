//! The verbs that contain a user, on Users rows, a user's page and Risky users: revoke sessions,
//! sign-in on/off (a break-glass account or one's own only once its name is typed), reset the
//! password, a Temporary Access Pass (both shown once, never kept), and the user's
//! authentication methods with their delete.

use super::def::{Prompt, ReadThen, Stage, Step, Then, Verb, Walk};
use super::verb::{Choice, Confirm, Reveal, Scope, Target, count};
use crate::graph::resources::users as graph;
use crate::sanitize::clean;
use serde_json::{Value, json};

/// A row or page as a user: a risky user's id is its user's, its name `userDisplayName`.
fn user_of(v: &Value) -> Value {
    let s = |k: &str, alt: &str| v[k].as_str().or(v[alt].as_str()).map(str::to_string);
    json!({
        "id": v["id"],
        "displayName": s("displayName", "userDisplayName"),
        "userPrincipalName": v["userPrincipalName"],
        "accountEnabled": v["accountEnabled"],
    })
}

fn users(s: &Scope) -> Vec<Value> {
    s.targets().iter().map(user_of).collect()
}

fn name(u: &Value) -> String {
    clean(
        u["displayName"]
            .as_str()
            .or(u["userPrincipalName"].as_str())
            .or(u["id"].as_str())
            .unwrap_or("?"),
    )
}

fn id(u: &Value) -> String {
    u["id"].as_str().unwrap_or_default().to_string()
}

/// "Chen Wei" / "3 users: Chen Wei, Ben Hart, Mei Lin".
fn who(list: &[Value]) -> String {
    match list {
        [one] => name(one),
        many => format!(
            "{}: {}",
            count(many.len(), "user"),
            many.iter().map(name).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// `R`: revoke the users' sign-in sessions (one request each).
fn revoke(s: &Scope) -> Vec<Step> {
    let list = users(s);
    if list.is_empty() {
        return Vec::new();
    }
    let title = format!(
        "Revoke the sign-in sessions of {}: their refresh tokens and session cookies stop \
         working, so every app asks them to sign in again (within minutes). It does not end \
         access tokens already issued: those work until they expire, up to about an hour \
         (apps using continuous access evaluation stop sooner)",
        who(&list)
    );
    let targets = list
        .iter()
        .map(|u| Target {
            name: name(u),
            current: Value::Null,
            object: u.clone(),
            request: graph::revoke_sessions(&id(u)),
        })
        .collect();
    Confirm::each(title, targets, None)
        .map(Step::from)
        .into_iter()
        .collect()
}

/// `t`: sign-in on or off. Who is signed in is read first: disabling oneself or a break-glass
/// account is asked for by typing its name before the confirm opens.
fn sign_in(s: &Scope) -> Vec<Step> {
    let list = users(s);
    if list.is_empty() {
        return Vec::new();
    }
    vec![Step::Read {
        request: graph::me(),
        then: ReadThen {
            with: json!({ "users": list, "breakGlass": s.break_glass }),
            run: sign_in_guarded,
        },
    }]
}

/// Who is signed in is known (or could not be read): the guard, else the confirm.
fn sign_in_guarded(me: Result<Value, crate::graph::GraphError>, with: &Value) -> Vec<Step> {
    let list = with["users"].as_array().cloned().unwrap_or_default();
    let glass: Vec<String> = with["breakGlass"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_lowercase)
        .collect();
    let me = me.ok();
    let is = |u: &Value, k: &str| {
        u[k].as_str()
            .is_some_and(|x| glass.contains(&x.to_lowercase()))
    };
    let guarded: Vec<(String, &str)> = list
        .iter()
        .filter(|u| u["accountEnabled"] != false)
        .filter_map(|u| {
            if me.as_ref().is_some_and(|m| m["id"] == u["id"]) {
                Some((name(u), "your own account"))
            } else if is(u, "id") || is(u, "userPrincipalName") {
                Some((name(u), "a break-glass account of this profile"))
            } else {
                None
            }
        })
        .collect();
    if guarded.is_empty() {
        return sign_in_confirm(&list);
    }
    let want = guarded
        .iter()
        .map(|(n, _)| n.clone())
        .collect::<Vec<_>>()
        .join(", ");
    let why = guarded
        .iter()
        .map(|(n, what)| format!("{n} is {what}"))
        .collect::<Vec<_>>()
        .join("; ");
    vec![Step::Prompt(Prompt {
        title: format!(
            "{why}: disabling it can lock you or the tenant out. Type {want} to go on to the confirm"
        ),
        input: String::new(),
        then: Then {
            with: json!({ "users": list, "want": want }),
            run: |typed, with| {
                let want = with["want"].as_str().unwrap_or_default();
                if typed != want {
                    return Err(format!("type exactly: {want}"));
                }
                let list = with["users"].as_array().cloned().unwrap_or_default();
                Ok(sign_in_confirm(&list))
            },
        },
        secret: false,
        optional: false,
    })]
}

fn sign_in_confirm(list: &[Value]) -> Vec<Step> {
    let Some(first) = list.first() else {
        return Vec::new();
    };
    let enabled = first["accountEnabled"].as_bool().unwrap_or(true);
    let choice = Choice {
        refill: None,
        field: "accountEnabled".into(),
        current: if list.len() == 1 {
            first["accountEnabled"].clone()
        } else {
            Value::Null
        },
        options: vec![
            ("allowed".into(), json!(true)),
            ("blocked (new sign-ins refused)".into(), json!(false)),
        ],
        // The other state is offered first.
        selected: usize::from(enabled),
    };
    let targets = list
        .iter()
        .map(|u| Target {
            name: name(u),
            current: u["accountEnabled"].clone(),
            object: u.clone(),
            request: graph::set_enabled(&id(u), enabled),
        })
        .collect();
    let title = format!("Set the sign-in of {}", who(list));
    Confirm::each(title, targets, Some(choice))
        .map(Step::from)
        .into_iter()
        .collect()
}

/// `P`: reset one user's password. Whether the admin's roles reach this user is read first
/// (the "Who can reset passwords" table), then a password is typed or generated.
fn reset(s: &Scope) -> Vec<Step> {
    match one_user(s, "a password reset") {
        Ok(u) => glass_guard(s, u, "reset"),
        Err(steps) => steps,
    }
}

/// Whether `u` is one of the profile's break-glass accounts (by id or UPN).
fn is_glass(u: &Value, glass: &[String]) -> bool {
    ["id", "userPrincipalName"].iter().any(|k| {
        u[*k]
            .as_str()
            .is_some_and(|v| glass.iter().any(|g| g.eq_ignore_ascii_case(v)))
    })
}

/// A password or pass for a break-glass account is asked for by typing its name first (a
/// credential on it is what an attacker would want); any other user goes straight on.
fn glass_guard(s: &Scope, u: Value, next: &str) -> Vec<Step> {
    if !is_glass(&u, s.break_glass) {
        return after_guard(&u, next);
    }
    let who = name(&u);
    let what = if next == "tap" {
        "a Temporary Access Pass"
    } else {
        "a new password"
    };
    vec![Step::Prompt(Prompt {
        title: format!(
            "{who} is a break-glass account of this profile: {what} on it opens the tenant's \
             last way in. Type {who} to go on"
        ),
        input: String::new(),
        then: Then {
            with: json!({ "user": u, "want": who, "next": next }),
            run: |typed, with| {
                let want = with["want"].as_str().unwrap_or_default();
                if typed != want {
                    return Err(format!("type exactly: {want}"));
                }
                Ok(after_guard(
                    &with["user"],
                    with["next"].as_str().unwrap_or_default(),
                ))
            },
        },
        secret: false,
        optional: false,
    })]
}

fn after_guard(u: &Value, next: &str) -> Vec<Step> {
    if next == "tap" {
        tap_steps(u.clone())
    } else {
        reset_steps(u.clone())
    }
}

fn reset_steps(u: Value) -> Vec<Step> {
    vec![Step::Read {
        request: crate::graph::Request::get("/me/transitiveMemberOf").select(&[
            "id",
            "displayName",
            "roleTemplateId",
        ]),
        then: ReadThen {
            with: json!({ "user": u }),
            run: |mine, with| match mine {
                Ok(mine) => vec![Step::Read {
                    request: crate::graph::Request::get(format!(
                        "/users/{}/transitiveMemberOf",
                        crate::graph::endpoints::path_segment(&id(&with["user"]))
                    ))
                    .select(&[
                        "id",
                        "displayName",
                        "roleTemplateId",
                        "isAssignableToRole",
                    ]),
                    then: ReadThen {
                        with: json!({ "user": with["user"], "mine": mine["value"] }),
                        run: reset_checked,
                    },
                }],
                // Graph decides; the confirm says the check could not be made.
                Err(e) => reset_prompt(
                    &with["user"],
                    Some(format!("your roles were not read ({e})")),
                ),
            },
        },
    }]
}

/// The directory roles in a `transitiveMemberOf` answer, by name.
fn roles_in(v: &Value) -> (Vec<String>, bool) {
    let items = v.as_array().cloned().unwrap_or_default();
    let roles = items
        .iter()
        .filter(|o| o["@odata.type"] == "#microsoft.graph.directoryRole")
        .filter_map(|o| o["displayName"].as_str().map(str::to_string))
        .collect();
    let role_group = items.iter().any(|o| o["isAssignableToRole"] == true);
    (roles, role_group)
}

fn reset_checked(theirs: Result<Value, crate::graph::GraphError>, with: &Value) -> Vec<Step> {
    let user = &with["user"];
    let (mine, _) = roles_in(&with["mine"]);
    let Ok(theirs) = theirs else {
        return reset_prompt(user, Some("the user's roles were not read".into()));
    };
    let (roles, role_group) = roles_in(&theirs["value"]);
    let able = crate::reset::who_can_act("passwordReset", &roles, role_group);
    if !mine.iter().any(|r| able.contains(r)) {
        let held = if roles.is_empty() {
            "no admin role".to_string()
        } else {
            roles.join(", ")
        };
        let yours = if mine.is_empty() {
            "no admin role".to_string()
        } else {
            mine.join(", ")
        };
        return vec![Step::refuse(format!(
            "refused, nothing was sent: your roles ({yours}) cannot reset the password of {} \
             ({held}); it takes {} (Entra's \"Who can reset passwords\")",
            name(user),
            able.join(" or ")
        ))];
    }
    reset_prompt(user, None)
}

fn reset_prompt(user: &Value, unchecked: Option<String>) -> Vec<Step> {
    vec![Step::Prompt(Prompt {
        title: format!(
            "Temporary password for {}: Enter on nothing generates one (16 characters); or type one (shown as dots)",
            name(user)
        ),
        input: String::new(),
        secret: true,
        optional: false,
        then: Then {
            with: json!({ "user": user, "unchecked": unchecked }),
            run: |typed, with| {
                let password = if typed.is_empty() {
                    crate::secret::password(16).map_err(|e| format!("no password made: {e}"))?
                } else {
                    typed.to_string()
                };
                let user = &with["user"];
                let made = if typed.is_empty() {
                    "generated here"
                } else {
                    "as typed"
                };
                let note = with["unchecked"]
                    .as_str()
                    .map(|w| format!(" ({w}: Graph decides whether you may)"))
                    .unwrap_or_default();
                let title = format!(
                    "Reset the password of {}: a temporary password ({made}) replaces theirs and \
                     must be changed at their next sign-in. It is shown once after Graph accepts \
                     it and kept nowhere; the journal records the reset only{note}",
                    name(user)
                );
                let mut c = Confirm::one(
                    title,
                    &id(user),
                    graph::reset_password(&id(user), &password),
                    None,
                );
                c.reveal = Some(Reveal::Known {
                    label: "Temporary password",
                    secret: crate::graph::Secret(password),
                });
                Ok(vec![c.into()])
            },
        },
    })]
}

/// The one user a verb acts on; `Err` holds what to say (nothing when no row is selected).
fn one_user(s: &Scope, what: &str) -> Result<Value, Vec<Step>> {
    match users(s).as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(Vec::new()),
        _ => Err(vec![Step::refuse(format!(
            "{what} is for one user at a time: unmark the others (space) or open the user"
        ))]),
    }
}

/// `T`: a Temporary Access Pass for one user; the lifetime is asked, one-time use chosen in the
/// confirm.
fn tap(s: &Scope) -> Vec<Step> {
    match one_user(s, "a Temporary Access Pass") {
        Ok(u) => glass_guard(s, u, "tap"),
        Err(steps) => steps,
    }
}

fn tap_steps(u: Value) -> Vec<Step> {
    vec![Step::Prompt(Prompt {
        title: format!(
            "Temporary Access Pass for {}: its lifetime in minutes (the policy bounds it; 60 is \
             the default)",
            name(&u)
        ),
        input: "60".into(),
        then: Then {
            with: u,
            run: |typed, u| {
                let minutes: u32 = typed
                    .parse()
                    .ok()
                    .filter(|m| (10..=43200).contains(m))
                    .ok_or("minutes from 10 to 43200 (30 days)")?;
                let mut title = format!(
                    "Create a Temporary Access Pass for {} valid {minutes} minutes from now: they \
                     can sign in with it and register methods. A new pass replaces any they \
                     have; it is shown once and kept nowhere",
                    name(u)
                );
                if u["accountEnabled"] == false {
                    title.push_str(
                        ". Their sign-in is blocked: the pass works only once it is allowed \
                         again (t), and it may expire before then (a longer lifetime helps)",
                    );
                }
                let mut c = Confirm::one(
                    title,
                    &id(u),
                    graph::create_tap(&id(u), minutes, true),
                    None,
                );
                c.choice = Some(Choice {
                    refill: None,
                    field: "isUsableOnce".into(),
                    current: Value::Null,
                    options: vec![
                        ("one sign-in only".into(), json!(true)),
                        (
                            "any number of sign-ins in its lifetime".into(),
                            json!(false),
                        ),
                    ],
                    selected: 0,
                });
                c.reveal = Some(Reveal::Answer {
                    label: "Temporary Access Pass",
                    field: "temporaryAccessPass",
                });
                Ok(vec![c.into()])
            },
        },
        secret: false,
        optional: false,
    })]
}

/// `M`: the authentication methods of one user (marked rows: refused, as a list is of one).
fn methods(s: &Scope) -> Vec<Step> {
    match one_user(s, "the methods list") {
        Ok(u) => vec![Step::List(super::def::ListSource::Sub {
            def: super::def::SubKind(&super::auth_methods::METHODS),
            id: id(&u),
            name: name(&u),
        })],
        Err(steps) => steps,
    }
}

pub const REVOKE: Verb = Verb {
    name: "revoke",
    keys: &["R"],
    label: "revoke",
    help: "Revoke the sign-in sessions of the marked users (or the selected one): every app asks them to sign in again",
    writes: true,
    run: revoke,
};

pub const SIGN_IN: Verb = Verb {
    name: "sign-in",
    keys: &["t"],
    label: "block/allow",
    help: "Block or allow sign-in (accountEnabled) of the marked users (or the selected one)",
    writes: true,
    run: sign_in,
};

pub const RESET: Verb = Verb {
    name: "reset-password",
    keys: &["P"],
    label: "reset pw",
    help: "Reset the selected user's password (typed or generated; shown once, kept nowhere)",
    writes: true,
    run: reset,
};

pub const TAP: Verb = Verb {
    name: "tap",
    keys: &["T"],
    label: "TAP",
    help: "Create a Temporary Access Pass for the selected user (shown once, kept nowhere)",
    writes: true,
    run: tap,
};

pub const METHODS: Verb = Verb {
    name: "methods",
    keys: &["M"],
    label: "methods",
    help: "The user's authentication methods (recently added ones marked; d deletes one)",
    writes: false,
    run: methods,
};

/// The stages of containing a user, in the order an incident lead expects; each is skippable.
static CONTAIN_STAGES: [Stage; 6] = [
    Stage {
        name: "confirm compromised",
        run: super::risk_verbs::compromised,
    },
    // Blocked, then revoked: Microsoft's emergency procedure (entra-docs
    // users-revoke-access.md), so no new session starts between the two.
    Stage {
        name: "block sign-in",
        run: sign_in,
    },
    Stage {
        name: "revoke sessions",
        run: revoke,
    },
    Stage {
        name: "reset password",
        run: reset,
    },
    Stage {
        name: "Temporary Access Pass",
        run: tap,
    },
    Stage {
        name: "review methods",
        run: |s| match s.page {
            Some(u) => vec![Step::List(super::def::ListSource::Sub {
                def: super::def::SubKind(&super::auth_methods::METHODS),
                id: id(u),
                name: name(u),
            })],
            None => Vec::new(),
        },
    },
];

/// `K`: contain one user: confirm compromised, revoke, block, reset or TAP, review methods.
fn contain(s: &Scope) -> Vec<Step> {
    let u = match one_user(s, "containing") {
        Ok(u) => u,
        Err(steps) => return steps,
    };
    vec![Step::Walk(Walk {
        title: format!("Contain {}", name(&u)),
        with: u,
        stages: &CONTAIN_STAGES,
    })]
}

/// `:contain USER`: the user is read (UPN or id), then contained as by `K`.
pub fn contain_user(key: &str) -> Vec<Step> {
    vec![Step::Read {
        request: crate::graph::endpoints::user(key).select(&[
            "id",
            "displayName",
            "userPrincipalName",
            "accountEnabled",
        ]),
        then: ReadThen {
            with: json!(key),
            run: |found, key| match found {
                Ok(u) if u["id"].as_str().is_some_and(|i| !i.trim().is_empty()) => {
                    let u = user_of(&u);
                    vec![Step::Walk(Walk {
                        title: format!("Contain {}", name(&u)),
                        with: u,
                        stages: &CONTAIN_STAGES,
                    })]
                }
                Ok(_) => vec![Step::refuse(format!(
                    "{}: Graph's answer has no id; nothing was started",
                    clean(key.as_str().unwrap_or_default())
                ))],
                Err(e) => vec![Step::refuse(format!(
                    "{}: {e}",
                    clean(key.as_str().unwrap_or_default())
                ))],
            },
        },
    }]
}

pub const CONTAIN: Verb = Verb {
    name: "contain",
    keys: &["K"],
    label: "contain",
    help: "Contain the selected user: confirm compromised, revoke sessions, block sign-in, reset password, TAP, review methods (each previewed, Esc skips)",
    writes: true,
    run: contain,
};

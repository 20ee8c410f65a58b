//! `contain USER [--confirm-compromised] [--revoke] [--disable] [--reset-password] [--tap] [--dry-run]`: the containment steps asked for, headless, each journaled under one incident id; a new password or pass printed once on stdout and nowhere else.

use crate::Failure;
use crate::cli::Cli;
use crate::config::Paths;
use crate::connect::connect;
use crate::graph::Request;
use crate::graph::resources::users as graph;
use crate::sanitize::clean;
use std::io::Write;

/// The steps asked for on the command line.
#[derive(Clone, Copy, Debug, Default)]
pub struct Asked {
    pub confirm_compromised: bool,
    pub revoke: bool,
    pub disable: bool,
    pub reset_password: bool,
    pub tap: bool,
}

/// One step: its name, its request, and the secret it makes (a password made here, or the
/// field of the answer holding a pass).
struct Planned {
    name: &'static str,
    request: Request,
    secret: Option<Secret>,
    /// A failure stops the steps after it (all but confirming compromised: without P2 it
    /// fails, and blocking and revoking must still go).
    stops: bool,
}

enum Secret {
    Made(&'static str, crate::graph::Secret),
    Answer(&'static str, &'static str),
}

pub async fn contain(
    cli: &Cli,
    paths: Option<&Paths>,
    user: &str,
    asked: Asked,
    dry_run: bool,
    planned: Option<(&std::path::Path, crate::plan::Approval)>,
) -> Result<(), Failure> {
    if !(asked.confirm_compromised
        || asked.revoke
        || asked.disable
        || asked.reset_password
        || asked.tap)
    {
        return Err(Failure {
            code: 2,
            message: "contain USER: say which steps (--confirm-compromised, --revoke, --disable, --reset-password, --tap)"
                .into(),
        });
    }
    // A display name is not looked up here (several users may share one): Graph would
    // answer "Invalid object identifier".
    if !user.contains('@') && uuid::Uuid::parse_str(user.trim()).is_err() {
        return Err(Failure {
            code: 2,
            message: format!(
                "contain {}: give the user's UPN or object id (a display name is not looked up here; `export users` lists both)",
                clean(user)
            ),
        });
    }
    let conn = connect(cli, paths).await?;
    if conn.offline {
        return Err(Failure::error(
            "contain writes to the tenant: not with --offline",
        ));
    }
    if conn.read_only && !dry_run && planned.is_none() {
        return Err(Failure::error(
            "read-only mode: nothing is sent (--dry-run prints the plan)",
        ));
    }
    let u = conn
        .client
        .get_json(&crate::graph::endpoints::user(user).select(&[
            "id",
            "displayName",
            "userPrincipalName",
            "accountEnabled",
        ]))
        .await
        .map_err(|e| Failure::error(format!("{user}: {e}")))?;
    let id = u["id"].as_str().unwrap_or_default().to_string();
    if id.trim().is_empty() {
        return Err(Failure::error(format!(
            "{user}: Graph's answer has no id; nothing was sent"
        )));
    }
    let name = clean(u["displayName"].as_str().unwrap_or(user));
    if asked.disable {
        // Never lock out a break-glass account or oneself from a script: the console asks for
        // the name typed; here it is refused.
        let glass = conn.break_glass();
        let is = |k: &str| {
            u[k].as_str()
                .is_some_and(|v| glass.iter().any(|g| g.eq_ignore_ascii_case(v)))
        };
        let me = conn.client.get_json(&graph::me()).await.ok();
        let what = if me.is_some_and(|m| m["id"] == u["id"]) {
            Some("your own account")
        } else if is("id") || is("userPrincipalName") {
            Some("a break-glass account of this profile")
        } else {
            None
        };
        if let Some(what) = what {
            return Err(Failure::error(format!(
                "{name} is {what}: --disable is refused here (block it in the console, where its name is typed); nothing was sent"
            )));
        }
    }
    // Blocked first, then revoked: Microsoft's emergency procedure (entra-docs
    // users-revoke-access.md: disable the user, then revoke the refresh tokens), so no new
    // session can start between the two.
    let mut plan = Vec::new();
    if asked.confirm_compromised {
        plan.push(Planned {
            name: "confirm compromised",
            request: crate::graph::resources::risky_users::change_risk(&[id.as_str()], true),
            secret: None,
            stops: false,
        });
    }
    if asked.disable {
        plan.push(Planned {
            name: "block sign-in",
            request: graph::set_enabled(&id, false),
            secret: None,
            stops: true,
        });
    }
    if asked.revoke {
        plan.push(Planned {
            name: "revoke sessions",
            request: graph::revoke_sessions(&id),
            secret: None,
            stops: true,
        });
    }
    if asked.reset_password {
        let pw = crate::secret::password(16)
            .map_err(|e| Failure::error(format!("no password could be made: {e}")))?;
        plan.push(Planned {
            name: "reset password",
            request: graph::reset_password(&id, &pw),
            secret: Some(Secret::Made("temporary password", crate::graph::Secret(pw))),
            stops: true,
        });
    }
    if asked.tap {
        plan.push(Planned {
            name: "Temporary Access Pass",
            request: graph::create_tap(&id, 60, true),
            secret: Some(Secret::Answer(
                "Temporary Access Pass",
                "temporaryAccessPass",
            )),
            stops: true,
        });
    }
    if let Some((file, approval)) = planned {
        return save_plan(&conn, file, approval, &u, &name, &plan).await;
    }
    let mut out = std::io::stdout().lock();
    let mut say = |line: String| {
        let _ = writeln!(out, "{line}");
    };
    if dry_run {
        say(format!("contain {name} ({id}): dry run, nothing is sent"));
        for p in &plan {
            say(format!(
                "would: {}: {} {}",
                p.name,
                p.request.method.as_str(),
                p.request.path
            ));
        }
        return Ok(());
    }
    let incident = format!(
        "INC-{}-{}",
        chrono::Utc::now().format("%Y%m%d-%H%M%S"),
        &uuid::Uuid::new_v4().simple().to_string()[..6]
    );
    say(format!("contain {name} ({id}): incident {incident}"));
    let admin = match conn.client.credential().session() {
        Some(s) => s.username().await,
        None => None,
    };
    let mut failed = None;
    for (i, p) in plan.iter().enumerate() {
        let answer = conn.client.send(&p.request).await;
        let journal = crate::cache::JournalEntry {
            user: admin.clone(),
            before: Some(
                serde_json::json!({"id": id, "displayName": u["displayName"], "userPrincipalName": u["userPrincipalName"]})
                    .to_string(),
            ),
            incident: Some(incident.clone()),
            ..crate::cache::JournalEntry::of_write(
                &conn.profile_name,
                p.request.method.as_str(),
                p.request.path.clone(),
                p.request
                    .body
                    .as_ref()
                    .map(|b| crate::graph::secret_free(b).to_string()),
                match &answer {
                    Ok(r) => Ok(r.request_id.clone()),
                    Err(e) if p.request.method == crate::graph::Method::Post && e.answer_lost() => {
                        Err(format!("unknown: {e}"))
                    }
                    Err(e) => Err(e.to_string()),
                },
            )
        };
        if let Some(st) = conn.store.clone()
            && let Err(e) = crate::cache::off_thread(st, move |s| s.journal_add(&journal)).await
        {
            crate::sanitize::say(&format!("warning: journal: {e}"));
        }
        match answer {
            Ok(r) => {
                let rid = r.request_id.clone().unwrap_or_default();
                say(format!("{}: ok (request-id {rid})", p.name));
                match &p.secret {
                    Some(Secret::Made(label, s)) => say(format!("{label}: {}", s.0)),
                    Some(Secret::Answer(label, field)) => {
                        if let Some(s) = r.body[*field].as_str() {
                            // How long and how often, as Graph answered (one line above the
                            // pass, which stays alone on its line for scripts).
                            say(format!(
                                "the pass below works for {} within {} minutes from {}{}",
                                if r.body["isUsableOnce"] == true {
                                    "one sign-in"
                                } else {
                                    "any number of sign-ins"
                                },
                                r.body["lifetimeInMinutes"].as_i64().unwrap_or(60),
                                clean(r.body["startDateTime"].as_str().unwrap_or("now")),
                                if asked.disable || u["accountEnabled"] == false {
                                    " (sign-in is blocked: it works once sign-in is allowed again)"
                                } else {
                                    ""
                                }
                            ));
                            say(format!("{label}: {s}"));
                        }
                    }
                    None => {}
                }
            }
            // Sent once, answer lost: the tenant may have carried it out; said as that, never
            // sent again (the journal says "unknown").
            Err(e) if p.request.method == crate::graph::Method::Post && e.answer_lost() => {
                say(format!(
                    "{}: unknown: the answer was lost and the tenant may have carried it out; not sent again ({})",
                    p.name,
                    clean(&e.to_string())
                ));
                failed = Some(i);
                if p.stops {
                    break;
                }
            }
            Err(e) => {
                say(format!("{}: failed: {}", p.name, clean(&e.to_string())));
                failed = Some(i);
                if p.stops {
                    break;
                }
            }
        }
    }
    say(format!(
        "record: entra-console export incident {incident} --format md"
    ));
    match failed {
        None => Ok(()),
        Some(i) => {
            let not_done: Vec<&str> = if plan[i].stops {
                plan[i + 1..].iter().map(|p| p.name).collect()
            } else {
                Vec::new()
            };
            Err(Failure::error(format!(
                "{} did not finish; not done: {}",
                plan[i].name,
                if not_done.is_empty() {
                    "none".into()
                } else {
                    not_done.join(", ")
                }
            )))
        }
    }
}

/// `--plan FILE`: the steps saved as a plan instead of sent (a password is made when the plan
/// is applied; the plan records whether sign-in was allowed, for the review).
async fn save_plan(
    conn: &crate::connect::Connection,
    file: &std::path::Path,
    approval: crate::plan::Approval,
    u: &serde_json::Value,
    name: &str,
    steps: &[Planned],
) -> Result<(), Failure> {
    let author = crate::plan::author(&conn.client)
        .await
        .map_err(Failure::error)?;
    let id = u["id"].as_str().unwrap_or_default();
    let path = format!("/users/{id}");
    let writes = steps
        .iter()
        .map(|p| {
            let mut w = crate::plan::Write::of(
                &format!("{}: {name}", p.name),
                &p.request,
                Some((path.as_str(), name)),
                Some(u),
            );
            match &p.secret {
                // Write::of marked it: the password is made when the plan is applied.
                Some(Secret::Made(..)) => {}
                Some(Secret::Answer(_, field)) => w.reveal = Some((*field).to_string()),
                None => {}
            }
            w
        })
        .collect();
    let plan = crate::plan::Plan::new(
        &format!("Contain {name}"),
        &conn.tenant_label,
        &conn.profile_name,
        author,
        approval,
        writes,
    );
    plan.save(file).map_err(Failure::error)?;
    crate::sanitize::say(&format!(
        "plan {} saved to {}: {} write(s), nothing sent; apply with: entra-console plan apply {}",
        plan.id,
        file.display(),
        plan.writes.len(),
        file.display()
    ));
    Ok(())
}

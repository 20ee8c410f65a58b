//! `export NAME`: find the list (a blade, or a list that is not one), read what its source declares (live, or from the cache with `--offline`) and write its rows.

use crate::Failure;
use crate::blades::{BladeKind, ListSource, Reading};
use crate::cli::{Cli, ExportFormat};
use crate::config::Paths;
use crate::connect::{Connection, connect};
use crate::widgets::table::TableRow;
use serde_json::Value;

/// What a list's reading gave: objects (rows made by the source), rows already made, or a
/// blade's own records; and, when a part could not be read, what to say after writing the rest.
enum Read {
    Objects(Vec<Value>),
    Rows(Vec<TableRow>),
    Records(&'static [&'static str], Vec<Vec<String>>),
}

/// `export NAME [ARG]`: the lists that are not blades take their argument; a blade takes none
/// and is read as its source declares, the same reading the console's list runs.
pub async fn export(
    cli: &Cli,
    paths: Option<&Paths>,
    name: &str,
    arg: Option<&str>,
    format: ExportFormat,
    partial: bool,
) -> Result<(), Failure> {
    let usage = |message: &str| Failure {
        code: 2,
        message: message.to_string(),
    };
    let source = match (name, arg) {
        ("group-members", None) => {
            return crate::group_commands::export_members(cli, paths, format, partial).await;
        }
        ("sign-ins", Some(user)) => return sign_ins(cli, paths, user, format).await,
        ("incident", Some(id)) => return incident(cli, paths, id, format).await,
        ("incident", None) => {
            return Err(usage(
                "export incident ID (the id a containment said, e.g. INC-20261207-101500-1a2b3c)",
            ));
        }
        ("whocan", None) => {
            return Err(usage(
                "export whocan PERMISSION (e.g. conditionalAccessPolicies/create)",
            ));
        }
        ("whocan", Some(p)) => ListSource::WhoCan {
            permission: crate::roles::full_permission(p),
        },
        (_, Some(_)) => {
            let name = BladeKind::from_command(name).map_or(name, |b| b.command());
            return Err(usage(&format!("export {name} takes no further argument")));
        }
        ("role-assignments", None) => ListSource::RoleAssignments {
            role_id: "*".into(),
            role_name: String::new(),
        },
        // A blade by any name `:` knows (`licensing`, `deleted`, `lic-errors`).
        (_, None) => ListSource::Blade(BladeKind::from_command(name).ok_or_else(|| {
            usage(&format!(
                "export: unknown blade \"{name}\" (available: {})",
                crate::cli::export_names().join(", ")
            ))
        })?),
    };
    let conn = connect(cli, paths).await?;
    let label = match &source {
        ListSource::Blade(b) => b.command(),
        _ => name,
    };
    let (read, not_read) = read(&conn, &source, label, partial).await?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let written = match read {
        Read::Objects(objects) => crate::export::write(&source, objects, format, &mut out),
        Read::Rows(rows) => crate::export::write_rows(&source, rows, format, &mut out),
        Read::Records(columns, records) => {
            crate::export::write_records(columns, records, format, &mut out)
        }
    };
    match written {
        // `| head` closing the pipe early is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
        other => other.map_err(|e| Failure::error(format!("export: {e}")))?,
    }
    // What was read is written; a part that was not makes the export fail, by name.
    not_read.map_or(Ok(()), |m| Err(Failure::error(format!("{label}: {m}"))))
}

/// Read a list as its source declares it: live, or from the cache when offline.
async fn read(
    conn: &Connection,
    source: &ListSource,
    label: &str,
    partial: bool,
) -> Result<(Read, Option<String>), Failure> {
    let offline_store = || match (conn.offline, conn.store.clone()) {
        (true, Some(st)) => Ok(Some(st)),
        (true, None) => Err(Failure::error("--offline needs a cache")),
        (false, _) => Ok(None),
    };
    let err = |e: crate::graph::GraphError| Failure::error(e.to_string());
    let cache_err = |e: crate::cache::CacheError| Failure::error(e.to_string());
    match source.reading() {
        Reading::Journal => {
            let store = conn
                .store
                .clone()
                .ok_or_else(|| Failure::error("no cache: the journal lives in the cache"))?;
            let entries =
                crate::cache::off_thread(store, |s| s.verify().and_then(|()| s.journal()))
                    .await
                    .map_err(cache_err)?;
            Ok((Read::Objects(entries), None))
        }
        // Offline: the role facts `sync` (or a live audit) kept.
        Reading::Roles => {
            let facts = match offline_store()? {
                Some(st) => crate::cache::off_thread(st, |s| Ok(crate::audit::cached::roles(s)))
                    .await
                    .map_err(cache_err)?
                    .map_err(Failure::error)?,
                None => crate::roles::RoleFacts::load(&conn.client)
                    .await
                    .map_err(err)?,
            };
            if let Some(why) = source.roles_problem(&facts) {
                return Err(Failure::error(why));
            }
            Ok((Read::Rows(source.rows_from_roles(&facts)), None))
        }
        // Offline: the protection facts `sync` (or a live audit) kept.
        Reading::Facts => {
            let facts = match offline_store()? {
                Some(st) => crate::cache::off_thread(st, |s| Ok(crate::audit::cached::facts(s)))
                    .await
                    .map_err(cache_err)?
                    .map_err(Failure::error)?,
                None => crate::protect::Facts::load(&conn.client)
                    .await
                    .map_err(err)?,
            };
            let lacking = facts.lacking(source.facts_parts());
            let rows = source.rows_from_facts(&facts);
            Ok((
                Read::Rows(rows),
                lacking.map(|m| format!("partly read: {m}")),
            ))
        }
        Reading::Parts(requests) => {
            if conn.offline {
                return Err(Failure::error(format!(
                    "{label} is not kept in the cache; export it online"
                )));
            }
            // Each part read; what was read is written, a part that failed is named after it.
            let (mut objects, mut failed) = (Vec::new(), Vec::new());
            for r in requests {
                match conn.client.get_all(r.clone()).await {
                    Ok(mut items) => {
                        crate::effect::tag_cast(&r.path, &mut items);
                        objects.extend(items);
                    }
                    Err(e) => failed.push(format!("{}: {e}", r.path)),
                }
            }
            let not_read = (!failed.is_empty())
                .then(|| format!("partly read; not read: {}", failed.join("; ")));
            Ok((records_of(source, objects, None), not_read))
        }
        Reading::Graph { request, .. } => {
            let mut objects = match offline_store()? {
                Some(st) => cached(st, source, label, partial).await?,
                None => conn.client.get_all(request).await.map_err(err)?,
            };
            // What the blade joins to its rows (risk on Users): without it, its column is
            // blank and a note says why.
            if let Some(join) = source.join() {
                match crate::blades::join::read(join, &conn.client, conn.store.as_ref()).await {
                    Ok(joined) => crate::blades::join::annotate(join, &joined, &mut objects),
                    Err(why) => crate::sanitize::say(&format!(
                        "note: {} not read ({why}); its column is blank",
                        join.name
                    )),
                }
            }
            // A blade whose rows name licences is written with the licence facts, live.
            let licences = match source {
                ListSource::Blade(b) if b.def().refine.is_some() && !conn.offline => {
                    let facts = crate::licensing::LicenceFacts::load(&conn.client).await;
                    for m in &facts.missing {
                        crate::sanitize::say(&format!(
                            "note: {m} (ids and counts shown without it)"
                        ));
                    }
                    Some(facts)
                }
                _ => None,
            };
            Ok((records_of(source, objects, licences.as_ref()), None))
        }
        Reading::Computed(c, key) => {
            // A blade's computation gets the profile's audit settings, as in the console.
            let key = if key.is_empty() {
                crate::blades::findings::key(
                    &conn.tenant_label,
                    &conn.break_glass(),
                    conn.profile.waivers.as_deref(),
                )
            } else {
                key
            };
            let v = (c.run)(conn.client.clone(), conn.store.clone(), key)
                .await
                .map_err(|e| match e {
                    crate::graph::GraphError::Offline => Failure::error(format!(
                        "{label} is computed from live reads (or an audit kept in the cache); export it online"
                    )),
                    e => err(e),
                })?;
            let objects = v.as_array().cloned().unwrap_or_default();
            Ok((records_of(source, objects, None), None))
        }
        Reading::WhatIf(_) => Err(Failure::error(format!("{label} is not exported"))),
    }
}

/// A blade's own records when it declares them (`export` columns that are not the table's),
/// else its objects.
fn records_of(
    source: &ListSource,
    objects: Vec<Value>,
    licences: Option<&crate::licensing::LicenceFacts>,
) -> Read {
    match source {
        ListSource::Blade(b) => match b.def().records {
            Some(r) => Read::Records(r.columns, (r.of)(objects, licences)),
            None => Read::Objects(objects),
        },
        _ => Read::Objects(objects),
    }
}

/// A blade's collection from the cache: a damaged file must not pass for a complete one, nor
/// (for a collection `sync` fills) one whose sync never finished; a collection only the console
/// fills must have been shown once.
async fn cached(
    store: std::sync::Arc<crate::cache::Store>,
    source: &ListSource,
    label: &str,
    partial: bool,
) -> Result<Vec<Value>, Failure> {
    let synced_by_sync = matches!(source, ListSource::Blade(b) if b.def().sync.is_some());
    let key = label.to_string();
    let (items, at, synced) = crate::cache::off_thread(store, move |s| {
        s.verify()?;
        let (items, at) = s.list(&key)?;
        Ok((items, at, s.completeness(&key)?))
    })
    .await
    .map_err(|e| Failure::error(e.to_string()))?;
    if !synced_by_sync {
        return match at {
            Some(_) => Ok(items),
            None => Err(Failure::error(format!(
                "{label} is kept in the cache once the console has shown it; export it online"
            ))),
        };
    }
    if let Some(why) = synced.refusal(label) {
        if !partial {
            return Err(Failure::error(why));
        }
        crate::sanitize::say(&format!("partial: {} {label} written; {why}", items.len()));
    }
    Ok(items)
}

/// `export sign-ins USER`: a user's sign-ins, live only (they are not kept in the cache).
async fn sign_ins(
    cli: &Cli,
    paths: Option<&Paths>,
    user: &str,
    format: ExportFormat,
) -> Result<(), Failure> {
    let conn = connect(cli, paths).await?;
    if conn.offline {
        return Err(Failure::error(
            "sign-ins are not kept in the cache; export them online",
        ));
    }
    // Graph takes a UPN or an id as a user's key.
    let u = conn
        .client
        .get_json(&crate::blades::users::detail_request(user).select(&["id"]))
        .await
        .map_err(|e| Failure::error(format!("{user}: {e}")))?;
    let id = u["id"].as_str().unwrap_or_default();
    if id.trim().is_empty() {
        return Err(Failure::error(format!(
            "{user}: Graph's answer for the user has no id; its sign-ins were not asked for"
        )));
    }
    let items = conn
        .client
        .get_all(crate::blades::signins::request(id))
        .await
        .map_err(|e| match e.licence_hint("/auditLogs/signIns") {
            Some(h) => Failure::error(format!("{h}: {e}")),
            None => Failure::error(e.to_string()),
        })?;
    let records = crate::blades::signins::records(items);
    let cols = crate::blades::signins::EXPORT_COLUMNS;
    match crate::export::write_records(cols, records, format, &mut std::io::stdout().lock()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Failure::error(format!("export: {e}"))),
    }
}

/// The columns of `export incident ID`.
pub const INCIDENT_COLUMNS: &[&str] = &[
    "incident",
    "time",
    "admin",
    "user",
    "step",
    "method",
    "path",
    "outcome",
    "requestId",
];

/// The id of the user a journaled write was about (`/users/{id}…`).
fn user_of(e: &Value) -> Option<String> {
    let path = e["path"].as_str()?;
    if let Some(rest) = path.strip_prefix("/users/") {
        return Some(rest.split('/').next()?.to_string());
    }
    // Identity Protection's actions name their users in the body (`userIds`).
    let body: Value = serde_json::from_str(e["after"].as_str()?).ok()?;
    body["userIds"].as_array().map(|ids| {
        ids.iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// A journaled write as a step of an incident, in words.
fn step_words(method: &str, path: &str, after: &str) -> &'static str {
    let p = path.to_ascii_lowercase();
    match method {
        "POST" if p.ends_with("/confirmcompromised") => "confirmed compromised",
        "POST" if p.ends_with("/dismiss") => "risk dismissed",
        "POST" if p.ends_with("/revokesigninsessions") => "sessions revoked",
        "POST" if p.ends_with("/temporaryaccesspassmethods") => "Temporary Access Pass created",
        "DELETE" if p.contains("/authentication/") => "authentication method deleted",
        "PATCH" if after.contains("passwordProfile") => "password reset",
        "PATCH" if after.contains("\"accountEnabled\":false") => "sign-in blocked",
        "PATCH" if after.contains("\"accountEnabled\":true") => "sign-in allowed",
        _ => "write",
    }
}

/// `export incident ID`: the journaled steps of one containment (who, when, each step with its
/// result and Graph's request-id), from the cache; never a password or pass (the journal keeps
/// none).
async fn incident(
    cli: &Cli,
    paths: Option<&Paths>,
    id: &str,
    format: ExportFormat,
) -> Result<(), Failure> {
    let conn = connect(cli, paths).await?;
    let store = conn
        .store
        .clone()
        .ok_or_else(|| Failure::error("no cache: the journal lives in the cache"))?;
    // The steps, and the names the cache knows of the users they were taken on.
    let (entries, names) = crate::cache::off_thread(store, |s| {
        s.verify()?;
        let entries = s.journal()?;
        let ids: Vec<String> = entries.iter().filter_map(user_of).collect();
        Ok((entries, s.names_of(&ids)?))
    })
    .await
    .map_err(|e| Failure::error(e.to_string()))?;
    let s = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_string();
    // The user by UPN as the write's journaled "before" names it, else the name the cache
    // knows, else the id.
    let user = |e: &Value| {
        let id = user_of(e).unwrap_or_default();
        let before: Value =
            serde_json::from_str(e["before"].as_str().unwrap_or("null")).unwrap_or(Value::Null);
        if before["id"] == id.as_str()
            && let Some(upn) = before["userPrincipalName"].as_str()
        {
            return upn.to_string();
        }
        names
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, n)| n.clone())
            .unwrap_or(id)
    };
    // Oldest first: the order the steps were taken.
    let records: Vec<Vec<String>> = entries
        .iter()
        .rev()
        .filter(|e| e["incident"].as_str() == Some(id))
        .map(|e| {
            vec![
                id.to_string(),
                s(e, "time"),
                s(e, "user"),
                crate::sanitize::clean(&user(e)),
                step_words(&s(e, "method"), &s(e, "path"), &s(e, "after")).to_string(),
                s(e, "method"),
                s(e, "path"),
                s(e, "outcome"),
                s(e, "requestId"),
            ]
        })
        .collect();
    if records.is_empty() {
        return Err(Failure::error(format!(
            "incident {id}: no journaled step carries this id in this cache"
        )));
    }
    match crate::export::write_records(
        INCIDENT_COLUMNS,
        records,
        format,
        &mut std::io::stdout().lock(),
    ) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Failure::error(format!("export: {e}"))),
    }
}

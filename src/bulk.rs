//! Bulk-add members to a group from the admin center's bulk-import CSV: parse every row (a
//! malformed row is a row outcome, never a file error), resolve UPNs in `$batch`es, add in
//! chunks of 20 with `members@odata.bind`, retry a failed chunk row by row, and report every
//! row by line number with its outcome.

use crate::graph::endpoints::path_segment;
use crate::graph::{GraphClient, GraphError, Method, Request};
use serde_json::{Value, json};
use std::collections::HashSet;

/// What the file says a row is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Key {
    Id(String),
    Upn(String),
}

/// One data row of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// 1-based line number in the file.
    pub line: usize,
    /// The line as written (shown sanitized).
    pub text: String,
    /// The object it names, or why it is malformed.
    pub key: Result<Key, String>,
    /// A line that is not data ("version line", "header"): reported, never sent.
    pub skip: Option<&'static str>,
}

/// How a row ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Added,
    /// `--dry-run`: would be added.
    WouldAdd,
    AlreadyMember,
    /// The row names the same object as an earlier line (its number).
    Duplicate(usize),
    /// Not a data line: the version line or the header.
    Skipped(&'static str),
    /// Added, though the write's answer was lost: the group's members were read back.
    AddedAnswerLost,
    NotFound,
    Malformed(String),
    Failed(String),
}

impl Outcome {
    /// Rows that ended as they should (exit 0 when every row did).
    pub fn ok(&self) -> bool {
        matches!(
            self,
            Outcome::Added
                | Outcome::AddedAnswerLost
                | Outcome::WouldAdd
                | Outcome::AlreadyMember
                | Outcome::Duplicate(_)
                | Outcome::Skipped(_)
        )
    }

    pub fn label(&self) -> String {
        match self {
            Outcome::Added => "added".into(),
            Outcome::WouldAdd => "would be added (dry run)".into(),
            Outcome::AlreadyMember => "already a member".into(),
            Outcome::Duplicate(line) => format!("duplicate of line {line}"),
            Outcome::AddedAnswerLost => {
                "added (the answer was lost; the group's members were read back)".into()
            }
            Outcome::Skipped(what) => (*what).to_string(),
            Outcome::NotFound => "not found".into(),
            Outcome::Malformed(why) => format!("malformed: {why}"),
            Outcome::Failed(why) => format!("failed: {why}"),
        }
    }
}

fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// A bulk-import file's text: UTF-8 (a byte-order mark dropped), else Windows-1252 (what Excel
/// writes on Western Windows: "CSV" there is not UTF-8), said in the second value so the
/// report can name it. A file Excel saved as UTF-16 is decoded from its byte-order mark.
pub fn decode(bytes: &[u8]) -> (String, Option<&'static str>) {
    let (enc, bom) = encoding_rs::Encoding::for_bom(bytes).unwrap_or((encoding_rs::UTF_8, 0));
    let body = &bytes[bom..];
    if enc == encoding_rs::UTF_8 {
        if let Ok(s) = std::str::from_utf8(body) {
            return (s.to_string(), None);
        }
        let (text, _, _) = encoding_rs::WINDOWS_1252.decode(body);
        return (text.into_owned(), Some("Windows-1252"));
    }
    let (text, _, _) = enc.decode(body);
    (text.into_owned(), Some(enc.name()))
}

/// Parse the bulk-import layout: an optional `version:v1.0` line, an optional one-column
/// header of any name, then one object id or UPN a row. The first line after the version line
/// is the header only when it is not data itself: a file of UPNs without a header loses no
/// row. Every non-blank line is a row (the version line and the header marked `skip`).
pub fn parse(text: &str) -> Vec<Row> {
    let lines = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_start_matches('\u{feff}')))
        .filter(|(_, l)| !l.trim().is_empty());
    let mut rows = Vec::new();
    let mut first = true;
    for (line, l) in lines {
        let key = key_of(l);
        let skip =
            if first && rows.is_empty() && l.trim().to_ascii_lowercase().starts_with("version:") {
                Some("version line")
            } else if first && key.is_err() {
                first = false;
                Some("header")
            } else {
                first = false;
                None
            };
        rows.push(Row {
            line,
            text: l.to_string(),
            key,
            skip,
        });
    }
    rows
}

/// What one line names.
fn key_of(l: &str) -> Result<Key, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(l.as_bytes());
    let fields: Vec<String> = match reader.records().next() {
        Some(Ok(r)) => r.iter().map(|f| f.trim().to_string()).collect(),
        _ => vec![l.trim().to_string()],
    };
    let extra = fields.iter().skip(1).any(|f| !f.is_empty());
    let value = fields.first().cloned().unwrap_or_default();
    if extra {
        Err("more than one field".to_string())
    } else if is_guid(&value) {
        Ok(Key::Id(value.to_ascii_lowercase()))
    } else if value.contains('@') && !value.contains(char::is_whitespace) {
        Ok(Key::Upn(value))
    } else {
        Err("neither an object id nor a user principal name".to_string())
    }
}

/// The group a `GROUP` argument names: its id, or its display name (exactly one group).
pub async fn find_group(client: &GraphClient, name: &str) -> Result<Value, String> {
    let select = [
        "id",
        "displayName",
        "groupTypes",
        "membershipRule",
        "isAssignableToRole",
    ];
    if is_guid(name) {
        return client
            .get_json(&Request::get(format!("/groups/{}", path_segment(name))).select(&select))
            .await
            .map_err(|e| format!("group {name}: {e}"));
    }
    let quoted = name.replace('\'', "''");
    let found = client
        .get_all(
            Request::get("/groups")
                .filter(format!("displayName eq '{quoted}'"))
                .select(&select),
        )
        .await
        .map_err(|e| format!("group \"{name}\": {e}"))?;
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!("no group is named \"{name}\"")),
        many => Err(format!(
            "{} groups are named \"{name}\" ({}): give the id",
            many.len(),
            many.iter()
                .filter_map(|g| g["id"].as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Why a group takes no manual members, if it does not.
pub fn refusal(group: &Value) -> Option<String> {
    let dynamic = group["groupTypes"]
        .as_array()
        .is_some_and(|a| a.iter().any(|t| t == "DynamicMembership"));
    dynamic.then(|| {
        format!(
            "the group is dynamic (rule: {}): its members come from the rule, and Graph refuses manual members",
            group["membershipRule"].as_str().unwrap_or("?")
        )
    })
}

/// The bind URL of a directory object, on the client's Graph host.
fn bind_url(client: &GraphClient, id: &str) -> String {
    format!(
        "{}/v1.0/directoryObjects/{id}",
        client.base_url().as_str().trim_end_matches('/')
    )
}

/// Graph's answer for an object already in the group.
fn already(e: &GraphError) -> bool {
    e.api()
        .is_some_and(|a| a.status == 400 && a.message.contains("already exist"))
}

/// A write that was sent (for the journal): method, path, body, outcome, request id.
pub type Sent = (Method, String, Value, Result<Option<String>, String>);

/// Add the rows to the group; every row gets an outcome. `dry_run` sends no write. `sent`
/// sees every write as it is answered.
pub async fn add_members(
    client: &GraphClient,
    group_id: &str,
    rows: &[Row],
    dry_run: bool,
    sent: &mut (dyn FnMut(Sent) + Send),
) -> Vec<Outcome> {
    let (mut out, ids, todo) = resolve(client, group_id, rows).await;
    if dry_run {
        for i in todo {
            out[i] = Some(Outcome::WouldAdd);
        }
    } else {
        let path = format!("/groups/{}", path_segment(group_id));
        for chunk in todo.chunks(20) {
            let binds: Vec<String> = chunk
                .iter()
                .filter_map(|&i| ids[i].as_deref().map(|id| bind_url(client, id)))
                .collect();
            let body = json!({ "members@odata.bind": binds });
            let req = Request::new(Method::Patch, &path).json(body.clone());
            match client.send(&req).await {
                Ok(r) => {
                    sent((Method::Patch, path.clone(), body, Ok(r.request_id)));
                    for &i in chunk {
                        out[i] = Some(Outcome::Added);
                    }
                }
                // The answer was lost: the tenant may have added them. Read the members
                // back and report each row as it stands; only the missing ones are sent again.
                Err(e) if e.answer_lost() => {
                    sent((
                        Method::Patch,
                        path.clone(),
                        body,
                        Err(format!("unknown: {e}; the members were read back")),
                    ));
                    let now = current_members(client, group_id).await;
                    for &i in chunk {
                        let Some(id) = ids[i].clone() else { continue };
                        out[i] = Some(match &now {
                            Some(m) if m.contains(&id) => Outcome::AddedAnswerLost,
                            Some(_) => add_one(client, group_id, &id, sent).await,
                            None => Outcome::Failed(format!(
                                "unknown: {e}; the members could not be read back: check the group"
                            )),
                        });
                    }
                }
                // All or nothing: one bad row fails the chunk, so each row is tried alone.
                Err(e) => {
                    sent((Method::Patch, path.clone(), body, Err(e.to_string())));
                    for &i in chunk {
                        let Some(id) = ids[i].clone() else { continue };
                        out[i] = Some(add_one(client, group_id, &id, sent).await);
                    }
                }
            }
        }
    }
    out.into_iter()
        .map(|o| o.unwrap_or_else(|| Outcome::Failed("not processed".into())))
        .collect()
}

/// The rows as a plan would add them: every row's outcome (those to add: would be added) and
/// the writes, twenty members a PATCH, in the order the real run sends them.
pub async fn planned(
    client: &GraphClient,
    group_id: &str,
    rows: &[Row],
) -> (Vec<Outcome>, Vec<Request>) {
    let (mut out, ids, todo) = resolve(client, group_id, rows).await;
    let path = format!("/groups/{}", path_segment(group_id));
    let writes = todo
        .chunks(20)
        .map(|chunk| {
            let binds: Vec<String> = chunk
                .iter()
                .filter_map(|&i| ids[i].as_deref().map(|id| bind_url(client, id)))
                .collect();
            Request::new(Method::Patch, &path).json(json!({ "members@odata.bind": binds }))
        })
        .collect();
    for i in todo {
        out[i] = Some(Outcome::WouldAdd);
    }
    let out = out
        .into_iter()
        .map(|o| o.unwrap_or_else(|| Outcome::Failed("not processed".into())))
        .collect();
    (out, writes)
}

/// Each row's outcome where already known (skipped, malformed, not found, duplicate, already a
/// member), each row's object id, and the rows to add.
async fn resolve(
    client: &GraphClient,
    group_id: &str,
    rows: &[Row],
) -> (Vec<Option<Outcome>>, Vec<Option<String>>, Vec<usize>) {
    let (mut out, ids) = lookup(client, rows).await;
    // Members already there (and rows repeating an earlier one) are not sent.
    let current: HashSet<String> = current_members(client, group_id).await.unwrap_or_default();
    // The first line naming each object (by UPN or by id): a later one is its duplicate,
    // never "already a member" when the object was not one.
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut todo: Vec<usize> = Vec::new();
    for i in 0..rows.len() {
        let Some(id) = ids[i].clone() else { continue };
        if out[i].is_some() {
            continue;
        }
        if let Some(first) = seen.get(&id) {
            out[i] = Some(Outcome::Duplicate(*first));
            continue;
        }
        seen.insert(id.clone(), rows[i].line);
        if current.contains(&id) {
            out[i] = Some(Outcome::AlreadyMember);
        } else {
            todo.push(i);
        }
    }
    (out, ids, todo)
}

/// Each row's object id (UPNs looked up, ids checked to exist), and the outcome of the rows
/// that cannot be added whatever the group holds.
async fn lookup(client: &GraphClient, rows: &[Row]) -> (Vec<Option<Outcome>>, Vec<Option<String>>) {
    let mut out: Vec<Option<Outcome>> = rows.iter().map(|r| r.skip.map(Outcome::Skipped)).collect();
    // UPNs to ids, twenty lookups a `$batch`.
    let upns: Vec<(usize, String)> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.skip.is_none())
        .filter_map(|(i, r)| match &r.key {
            Ok(Key::Upn(u)) => Some((i, u.clone())),
            _ => None,
        })
        .collect();
    let lookups: Vec<Request> = upns
        .iter()
        .map(|(_, u)| Request::get(format!("/users/{}", path_segment(u))).select(&["id"]))
        .collect();
    let answers = client.get_many(lookups, 4).await;
    let mut ids: Vec<Option<String>> = vec![None; rows.len()];
    for ((i, _), a) in upns.iter().zip(answers) {
        match a {
            Ok(v) => ids[*i] = v["id"].as_str().map(str::to_ascii_lowercase),
            Err(e) if e.api().is_some_and(|a| a.status == 404) => out[*i] = Some(Outcome::NotFound),
            Err(e) => out[*i] = Some(Outcome::Failed(e.to_string())),
        }
    }
    for (i, r) in rows.iter().enumerate().filter(|(_, r)| r.skip.is_none()) {
        match &r.key {
            Ok(Key::Id(id)) => ids[i] = Some(id.clone()),
            Err(why) => out[i] = Some(Outcome::Malformed(why.clone())),
            Ok(Key::Upn(_)) => {}
        }
    }
    // Ids that name no object are "not found" before anything is sent (so a dry run reports
    // what the real run would): `directoryObjects/getByIds`, a read, up to 1,000 ids a call.
    let given: Vec<String> = rows
        .iter()
        .filter(|r| r.skip.is_none())
        .filter_map(|r| match &r.key {
            Ok(Key::Id(id)) => Some(id.clone()),
            _ => None,
        })
        .collect();
    let mut known: Option<HashSet<String>> = Some(HashSet::new());
    for chunk in given.chunks(1000) {
        let req =
            Request::new(Method::Post, "/directoryObjects/getByIds").json(json!({ "ids": chunk }));
        match client.get_json(&req).await {
            Ok(v) => {
                if let Some(k) = known.as_mut() {
                    k.extend(
                        v["value"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|o| o["id"].as_str().map(str::to_ascii_lowercase)),
                    );
                }
            }
            // Not knowing is not "not found": the writes will tell.
            Err(_) => known = None,
        }
    }
    if let Some(known) = known {
        for (i, r) in rows.iter().enumerate().filter(|(_, r)| r.skip.is_none()) {
            if let Ok(Key::Id(id)) = &r.key
                && !known.contains(id)
            {
                out[i] = Some(Outcome::NotFound);
            }
        }
    }
    (out, ids)
}

/// The group's direct members (ids, lower case), or `None` when they cannot be read.
async fn current_members(client: &GraphClient, group_id: &str) -> Option<HashSet<String>> {
    let m = client
        .get_all(
            Request::get(format!("/groups/{}/members", path_segment(group_id)))
                .select(&["id"])
                .top(999),
        )
        .await
        .ok()?;
    Some(
        m.iter()
            .filter_map(|v| v["id"].as_str().map(str::to_ascii_lowercase))
            .collect(),
    )
}

/// One member by `POST /groups/{id}/members/$ref`.
async fn add_one(
    client: &GraphClient,
    group_id: &str,
    id: &str,
    sent: &mut (dyn FnMut(Sent) + Send),
) -> Outcome {
    let path = format!("/groups/{}/members/$ref", path_segment(group_id));
    let body = json!({ "@odata.id": bind_url(client, id) });
    let req = Request::new(Method::Post, &path).json(body.clone());
    match client.send(&req).await {
        Ok(r) => {
            sent((Method::Post, path, body, Ok(r.request_id)));
            Outcome::Added
        }
        // The answer was lost: the membership says whether it took effect.
        Err(e) if e.answer_lost() => {
            sent((
                Method::Post,
                path,
                body,
                Err(format!("unknown: {e}; the members were read back")),
            ));
            match current_members(client, group_id).await {
                Some(m) if m.contains(&id.to_ascii_lowercase()) => Outcome::AddedAnswerLost,
                Some(_) => Outcome::Failed(format!("{e} (not added: read back)")),
                None => Outcome::Failed(format!(
                    "unknown: {e}; the members could not be read back: check the group"
                )),
            }
        }
        Err(e) => {
            sent((Method::Post, path, body, Err(e.to_string())));
            if already(&e) {
                Outcome::AlreadyMember
            } else if e.api().is_some_and(|a| a.status == 404) {
                Outcome::NotFound
            } else {
                Outcome::Failed(e.to_string())
            }
        }
    }
}

/// One line of an import's report (the console's `:import` and its dry run).
#[derive(Clone, Debug, PartialEq)]
pub struct ReportLine {
    pub line: usize,
    pub text: String,
    pub outcome: String,
    pub ok: bool,
    /// The dry run would add this row.
    pub adds: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_admin_center_layout_with_every_kind_of_row() {
        let rows = parse(
            "version:v1.0\nMember object ID or user principal name [memberObjectIdOrUpn] Required\n\
             3ceaaf30-8142-48ea-91d9-3080f9b439fc\nadele@contoso.com\n\nnot a user\n\
             a@b.c,extra\n\"quoted@b.c\"\n3CEAAF30-8142-48EA-91D9-3080F9B439FC,\n",
        );
        let keys: Vec<_> = rows
            .iter()
            .filter(|r| r.skip.is_none())
            .map(|r| (r.line, r.key.clone()))
            .collect();
        assert_eq!(
            keys,
            [
                (
                    3,
                    Ok(Key::Id("3ceaaf30-8142-48ea-91d9-3080f9b439fc".into()))
                ),
                (4, Ok(Key::Upn("adele@contoso.com".into()))),
                (
                    6,
                    Err("neither an object id nor a user principal name".into())
                ),
                (7, Err("more than one field".into())),
                (8, Ok(Key::Upn("quoted@b.c".into()))),
                (
                    9,
                    Ok(Key::Id("3ceaaf30-8142-48ea-91d9-3080f9b439fc".into()))
                ),
            ]
        );
        // Without the version line the first line is the header.
        let rows = parse("upn\na@b.c\n");
        assert_eq!(rows[0].skip, Some("header"));
        assert_eq!(rows[1].line, 2);
        assert!(parse("").is_empty());
    }

    /// Issue 32, item 7: a Windows-1252 file (Excel) is decoded, not refused whole.
    #[test]
    fn windows_1252_and_utf16_files_are_read() {
        let cp1252 = b"memberObjectIdOrUpn\nren\xe9e.dubois@contoso.com\n";
        let (text, enc) = decode(cp1252);
        assert_eq!(enc, Some("Windows-1252"));
        assert!(text.contains("renée.dubois@contoso.com"), "{text}");
        let (text, enc) = decode("a@b.c\n".as_bytes());
        assert_eq!((text.as_str(), enc), ("a@b.c\n", None));
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "a@b.c".encode_utf16() {
            utf16.extend(u.to_le_bytes());
        }
        assert_eq!(decode(&utf16).0, "a@b.c");
    }

    /// Issue 23, item 3: a first line that is a UPN or an id is data, not a header; every
    /// line is in the report.
    #[test]
    fn a_file_without_a_header_loses_no_row() {
        let rows = parse("adele@contoso.com\nchen@contoso.com\n");
        assert_eq!(rows.len(), 2);
        assert!(rows.iter().all(|r| r.skip.is_none() && r.key.is_ok()));
        let rows = parse("3ceaaf30-8142-48ea-91d9-3080f9b439fc\n");
        assert_eq!(rows[0].skip, None);
        let rows = parse("version:v1.0\nadele@contoso.com\n");
        assert_eq!(rows[0].skip, Some("version line"));
        assert_eq!(rows[1].skip, None);
        // Only the first line can be a header: a later bad line is malformed.
        let rows = parse("upn\nnot a user\n");
        assert_eq!(rows[0].skip, Some("header"));
        assert_eq!(rows[1].skip, None);
        assert!(rows[1].key.is_err());
    }
}

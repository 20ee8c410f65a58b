//! Change plans: writes saved as a readable JSON document instead of being sent (tenant,
//! author, created and expiry times, each write's method, path, body and the words its confirm
//! showed, and the state each object had when planned), applied later after a re-read that
//! names what changed since, and, with `approval: required`, only by someone other than the
//! author (four eyes). A plan never holds a secret: a password is made when it is applied.

use crate::graph::{Method, Request};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// The first field of every plan: what reads it.
pub const FORMAT: &str = "entra-console-plan/1";

/// How long a plan stays applicable unless said otherwise.
pub const DEFAULT_DAYS: i64 = 7;

/// Someone signed in: the object id decides four eyes, the UPN is for people.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Person {
    pub id: String,
    pub upn: String,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Approval {
    /// Someone other than the author applies it.
    Required,
    None,
}

/// One write of a plan.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Write {
    /// What the confirm said ("Block sign-in for Chen Wei").
    pub words: String,
    pub method: String,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// The object re-read before applying (`GET` path) and its name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<Object>,
    /// What the fields this write changes were when it was planned (the review compares).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Value>,
    /// The protection and step-up the write will meet, in words, as the confirm said them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protection: Option<String>,
    /// `password`: a temporary password is made when the plan is applied, printed once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generate: Option<String>,
    /// The field of Graph's answer holding a secret to print once (a Temporary Access Pass).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reveal: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Object {
    pub path: String,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Plan {
    pub format: String,
    pub id: String,
    pub title: String,
    pub tenant: String,
    pub profile: String,
    pub author: Person,
    pub created: DateTime<Utc>,
    pub expires: DateTime<Utc>,
    pub approval: Approval,
    pub writes: Vec<Write>,
}

impl Write {
    /// A write as the confirm would send it, with the object it changes as it is now.
    /// (A body that carried a password has it taken out and is marked `generate: password`:
    /// a new one is made when the plan is applied.)
    pub fn of(
        words: &str,
        request: &Request,
        object: Option<(&str, &str)>,
        now: Option<&Value>,
    ) -> Write {
        let body = request.body.clone();
        let secret = body
            .as_ref()
            .is_some_and(|b| crate::graph::secret_free(b) != *b);
        Write {
            words: crate::sanitize::clean(words),
            method: request.method.as_str().to_string(),
            path: request.path.clone(),
            // Graph never returns a password: nothing to compare for one.
            before: match (&body, now) {
                (Some(b), Some(o)) if request.method == Method::Patch && !secret => {
                    Some(fields(o, b))
                }
                _ => None,
            },
            body: body.map(|b| crate::graph::secret_free(&b)),
            object: object.map(|(path, name)| Object {
                path: path.to_string(),
                name: crate::sanitize::clean(name),
            }),
            protection: None,
            generate: secret.then(|| "password".to_string()),
            reveal: None,
        }
    }

    /// The request to send (a password to make is made by the caller: `with_password`).
    pub fn request(&self) -> Result<Request, String> {
        let method = match self.method.as_str() {
            "POST" => Method::Post,
            "PATCH" => Method::Patch,
            "PUT" => Method::Put,
            "DELETE" => Method::Delete,
            m => {
                return Err(format!(
                    "{}: method {m} is not a write a plan can hold",
                    self.path
                ));
            }
        };
        if !self.path.starts_with('/') || self.path.contains("://") {
            return Err(format!("{}: not a Graph path", self.path));
        }
        let mut r = Request::new(method, self.path.clone());
        if let Some(b) = &self.body {
            r = r.json(b.clone());
        }
        Ok(r)
    }
}

/// The values `object` has for the top-level fields `body` sets (a nested change compares the
/// whole field: `conditions` for a policy's exclusion).
pub fn fields(object: &Value, body: &Value) -> Value {
    let mut out = serde_json::Map::new();
    if let Some(b) = body.as_object() {
        for k in b.keys() {
            out.insert(k.clone(), object.get(k).cloned().unwrap_or(Value::Null));
        }
    }
    Value::Object(out)
}

/// What changed in `now` since the plan recorded `before`: one sentence a field.
pub fn changes(before: &Value, now: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (k, was) in before.as_object().into_iter().flatten() {
        let is = now.get(k).unwrap_or(&Value::Null);
        if was != is {
            out.push(format!(
                "{k} was {} when planned, is {} now",
                short(was),
                short(is)
            ));
        }
    }
    out
}

fn short(v: &Value) -> String {
    let t = crate::sanitize::clean(&v.to_string());
    if t.chars().count() > 80 {
        format!("{}…", t.chars().take(79).collect::<String>())
    } else {
        t
    }
}

impl Plan {
    /// A plan made now, applicable for `DEFAULT_DAYS`.
    pub fn new(
        title: &str,
        tenant: &str,
        profile: &str,
        author: Person,
        approval: Approval,
        writes: Vec<Write>,
    ) -> Plan {
        let now = Utc::now();
        Plan {
            format: FORMAT.into(),
            id: format!(
                "PLAN-{}-{}",
                now.format("%Y%m%d-%H%M%S"),
                &uuid::Uuid::new_v4().simple().to_string()[..6]
            ),
            title: crate::sanitize::clean(title),
            tenant: tenant.to_string(),
            profile: profile.to_string(),
            author,
            created: now,
            expires: now + Duration::days(DEFAULT_DAYS),
            approval,
            writes,
        }
    }

    /// Written 0600 (in a 0700 folder when it makes one): a plan names tenant objects.
    pub fn save(&self, path: &std::path::Path) -> Result<(), String> {
        if let Some(dir) = path.parent() {
            crate::private::create_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        crate::private::write(path, format!("{text}\n").as_bytes())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    }

    /// A plan file read and checked: its format, its writes (Graph paths, no secret).
    pub fn load(path: &std::path::Path) -> Result<Plan, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not JSON ({e})", path.display()))?;
        if v["format"] != FORMAT {
            return Err(format!(
                "{}: not an entra-console plan (format {} expected)",
                path.display(),
                FORMAT
            ));
        }
        let plan: Plan = serde_json::from_value(v)
            .map_err(|e| format!("{}: not a plan this version reads ({e})", path.display()))?;
        for w in &plan.writes {
            w.request()?;
            let kept_out = w
                .body
                .as_ref()
                .is_some_and(|b| b.to_string().contains("(not kept)"));
            if kept_out && w.generate.as_deref() != Some("password") {
                return Err(format!(
                    "{}: \"{}\" needs a secret the plan does not hold (nothing applied)",
                    path.display(),
                    w.words
                ));
            }
            if let Some(b) = &w.body
                && crate::graph::secret_free(b) != *b
            {
                return Err(format!(
                    "{}: a write carries a password or pass; plans never do (nothing applied)",
                    path.display()
                ));
            }
        }
        if plan.writes.is_empty() {
            return Err(format!("{}: the plan has no writes", path.display()));
        }
        Ok(plan)
    }

    /// Why this plan cannot be applied now by `who`, if it cannot: past its expiry, or its
    /// author applying a plan that needs someone else's approval.
    pub fn refusal(&self, who: &Person, now: DateTime<Utc>) -> Option<String> {
        // Dates this console never writes (an edited file): refused, not trusted.
        let longest = Duration::days(DEFAULT_DAYS) + Duration::minutes(1);
        if self.expires < self.created
            || self.expires - self.created > longest
            || self.created > now + Duration::minutes(5)
        {
            return Some(format!(
                "plan {}'s dates are not ones this console writes (created {}, expires {}): refused",
                self.id,
                self.created
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                self.expires
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ));
        }
        if now > self.expires {
            return Some(format!(
                "plan {} expired on {}: nothing applied (make a new one)",
                self.id,
                self.expires
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ));
        }
        if self.approval == Approval::Required && who.id.eq_ignore_ascii_case(&self.author.id) {
            return Some(format!(
                "plan {} needs approval by someone other than its author ({}): you are the author; nothing applied",
                self.id, self.author.upn
            ));
        }
        None
    }

    /// The plan for a person (Markdown): who, when, until when, and each write in words with
    /// what it sends.
    pub fn markdown(&self) -> String {
        let mut o = format!(
            "# Plan {}: {}\n\n- Tenant: {} (profile `{}`)\n- Author: {} ({})\n- Created: {}\n- Expires: {}\n- Approval: {}\n\n## Writes, in order\n",
            self.id,
            self.title,
            crate::sanitize::clean(&self.tenant),
            crate::sanitize::clean(&self.profile),
            crate::sanitize::clean(&self.author.upn),
            self.author.id,
            self.created
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            self.expires
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            match self.approval {
                Approval::Required => "required: someone other than the author applies it",
                Approval::None => "none: anyone with the rights may apply it, the author too",
            }
        );
        for (i, w) in self.writes.iter().enumerate() {
            o.push_str(&format!(
                "\n{}. {}\n   - sends: {} {}\n",
                i + 1,
                w.words,
                w.method,
                w.path
            ));
            if let Some(b) = &w.body {
                o.push_str(&format!(
                    "   - body: `{}`\n",
                    crate::sanitize::clean(&b.to_string())
                ));
            }
            if let Some(obj) = &w.object {
                o.push_str(&format!(
                    "   - object: {} (re-read from {} before applying)\n",
                    obj.name, obj.path
                ));
            }
            if let Some(b) = &w.before {
                o.push_str(&format!(
                    "   - when planned: `{}`\n",
                    crate::sanitize::clean(&b.to_string())
                ));
            }
            if let Some(p) = &w.protection {
                o.push_str(&format!("   - protection: {p}\n"));
            }
            if w.generate.as_deref() == Some("password") {
                o.push_str("   - the temporary password is made when applied and printed once\n");
            }
        }
        o
    }
}

/// The signed-in admin, from `/me` (a plan's author, or who applies it).
pub async fn author(client: &crate::graph::GraphClient) -> Result<Person, String> {
    let v = client
        .get_json(&crate::graph::resources::users::me())
        .await
        .map_err(|e| format!("who is signed in could not be read: {e}"))?;
    match (v["id"].as_str(), v["userPrincipalName"].as_str()) {
        (Some(id), upn) if !id.is_empty() => Ok(Person {
            id: id.to_string(),
            upn: upn.unwrap_or(id).to_string(),
        }),
        _ => Err("who is signed in could not be read: /me has no id".into()),
    }
}

/// What changed since the plan, write by write (a removed object is a change too).
pub async fn changed_since(
    client: &crate::graph::GraphClient,
    plan: &Plan,
) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for w in &plan.writes {
        let Some(obj) = &w.object else { continue };
        // The fields the write changes are asked for by name (a user's default properties
        // leave out accountEnabled).
        // A write aimed elsewhere than the object it names (an edited file) is refused.
        if !w.path.starts_with(obj.path.as_str()) {
            out.push(format!(
                "{}: sends to {} but names {} ({}): the plan was edited",
                w.words, w.path, obj.name, obj.path
            ));
            continue;
        }
        let mut req = Request::get(obj.path.clone());
        let mut keys: Vec<&str> = w
            .before
            .as_ref()
            .and_then(Value::as_object)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        if !keys.is_empty() {
            keys.push("displayName");
            req = req.select(&keys);
        }
        match client.get_json(&req).await {
            Ok(now) => {
                if let Some(b) = &w.before {
                    for c in crate::plan::changes(b, &now) {
                        out.push(format!("{}: {c}", w.words));
                    }
                }
                // Named from the tenant, not the file: the object must be the one planned.
                if let Some(n) = now["displayName"].as_str()
                    && !obj.name.is_empty()
                    && n != obj.name
                {
                    out.push(format!(
                        "{}: the object is {} in the tenant, not {} as the plan names it",
                        w.words,
                        crate::sanitize::clean(n),
                        obj.name
                    ));
                }
            }
            Err(e) if e.api().is_some_and(|a| a.status == 404) => {
                out.push(format!("{}: {} no longer exists", w.words, obj.name));
            }
            Err(e) => {
                return Err(format!(
                    "{} could not be read again ({e}): nothing applied",
                    obj.name
                ));
            }
        }
    }
    Ok(out)
}

/// The lockout guard on the plan's Conditional Access writes, against the tenant as it is now:
/// what each would lock out (a break-glass account, or the admin applying it).
pub async fn lockouts(
    client: &crate::graph::GraphClient,
    plan: &Plan,
    break_glass: &[String],
    me: &Person,
) -> Vec<String> {
    let mut out = users_guarded(client, plan, break_glass, me).await;
    const POLICIES: &str = "/identity/conditionalAccess/policies";
    let ca: Vec<&crate::plan::Write> = plan
        .writes
        .iter()
        .filter(|w| w.path.starts_with(POLICIES) && w.method != "DELETE")
        .collect();
    if ca.is_empty() {
        return out;
    }
    let facts = crate::ca::load::guard_facts(client, break_glass).await;
    for w in ca {
        let body = w.body.clone().unwrap_or_default();
        let (before, after) = if w.method == "POST" {
            (None, body)
        } else {
            let Ok(now) = client.get_json(&Request::get(w.path.clone())).await else {
                continue;
            };
            let mut after = now.clone();
            crate::ca::diff::apply(&mut after, &body);
            (Some(now), after)
        };
        for r in crate::ca::guard::judge(before.as_ref(), &after, &facts).refusals {
            out.push(format!("{}: {r}", w.words));
        }
    }
    out
}

/// The writes that would block, reset or sign out the admin applying the plan or one of the
/// profile's break-glass accounts (as `contain --disable` refuses them).
async fn users_guarded(
    client: &crate::graph::GraphClient,
    plan: &Plan,
    break_glass: &[String],
    me: &Person,
) -> Vec<String> {
    let mut out = Vec::new();
    let mut read: std::collections::HashMap<String, Value> = Default::default();
    for w in &plan.writes {
        let Some(rest) = w.path.strip_prefix("/users/") else {
            continue;
        };
        let id = rest.split('/').next().unwrap_or_default();
        let blocks = w
            .body
            .as_ref()
            .is_some_and(|b| b["accountEnabled"] == false || !b["passwordProfile"].is_null())
            || w.path.ends_with("/revokeSignInSessions");
        if !blocks {
            continue;
        }
        // Each user read once, however many of the plan's writes act on them.
        if !read.contains_key(id) {
            let v = client
                .get_json(
                    &Request::get(format!("/users/{id}")).select(&["id", "userPrincipalName"]),
                )
                .await
                .unwrap_or_default();
            read.insert(id.to_string(), v);
        }
        let u = &read[id];
        let is = |k: &str| {
            u[k].as_str()
                .is_some_and(|v| break_glass.iter().any(|g| g.eq_ignore_ascii_case(v)))
        };
        if id.eq_ignore_ascii_case(&me.id) || u["id"] == me.id.as_str() {
            out.push(format!(
                "{}: it acts on you, the admin applying it",
                w.words
            ));
        } else if is("id") || is("userPrincipalName") || break_glass.iter().any(|g| g == id) {
            out.push(format!(
                "{}: it acts on a break-glass account of this profile",
                w.words
            ));
        }
    }
    out
}

/// Whether a profile's `require_approval` pattern takes this write: `AREA:VERB` where AREA is
/// `ca-policies`, `named-locations`, `users`, `groups`, `roles`, `devices`, `pim` or `*`, and
/// VERB `create`/`assign` (POST), `update` (PATCH), `delete` (DELETE) or `*`.
pub fn needs_approval(patterns: &[String], method: &Method, path: &str) -> bool {
    let area = if path.starts_with("/identity/conditionalAccess/policies") {
        "ca-policies"
    } else if path.starts_with("/identity/conditionalAccess/namedLocations") {
        "named-locations"
    } else if path.starts_with("/roleManagement/directory/role") {
        "roles"
    } else if path.starts_with("/policies/roleManagementPolicies")
        || path.starts_with("/identityGovernance/privilegedAccess")
    {
        "pim"
    } else {
        match path.trim_start_matches('/').split('/').next() {
            Some("users") => "users",
            Some("groups") => "groups",
            Some("devices") => "devices",
            _ => "other",
        }
    };
    let verbs: &[&str] = match method {
        Method::Post => &["create", "assign"],
        Method::Patch | Method::Put => &["update"],
        Method::Delete => &["delete"],
        _ => &[],
    };
    patterns.iter().any(|p| {
        let (a, v) = p.split_once(':').unwrap_or((p.as_str(), "*"));
        (a == "*" || a.eq_ignore_ascii_case(area))
            && (v == "*" || verbs.iter().any(|x| x.eq_ignore_ascii_case(v)))
    })
}

/// Why a plan's own author may not apply it under this profile: one of its writes is one the
/// profile gives to a second admin (whatever the file's `approval` says).
pub fn profile_refusal(plan: &Plan, who: &Person, patterns: &[String]) -> Option<String> {
    if !who.id.eq_ignore_ascii_case(&plan.author.id) {
        return None;
    }
    plan.writes
        .iter()
        .filter_map(|w| w.request().ok().map(|r| (w, r)))
        .find(|(_, r)| needs_approval(patterns, &r.method, &r.path))
        .map(|(w, _)| {
            format!(
                "\"{}\" needs a second admin (require_approval in this profile): you are the plan's author; nothing applied",
                w.words
            )
        })
}

/// Whether the journal shows this plan applied already (or a write of it whose answer was
/// lost, which the tenant may have carried out): when and by whom.
pub fn applied_before(journal: &[Value], id: &str) -> Option<String> {
    journal
        .iter()
        .filter(|e| e["incident"] == id)
        .find_map(|e| {
            let outcome = e["outcome"].as_str().unwrap_or_default();
            let what = if outcome == "ok" {
                "was applied already"
            } else if outcome.starts_with("unknown") {
                "may have been applied (a write's answer was lost): check the tenant, then make a new plan"
            } else {
                return None;
            };
            Some(format!(
                "plan {id} {what} ({} by {}): nothing applied again",
                e["time"].as_str().unwrap_or("?"),
                e["user"].as_str().filter(|u| !u.is_empty()).unwrap_or("?")
            ))
        })
}

/// The journal's record of who planned and who applied a write (kept in its `before`).
pub fn journal_note(plan: &Plan, approver: &Person, before: Option<&Value>) -> String {
    json!({
        "plan": plan.id,
        "author": plan.author.upn,
        "authorId": plan.author.id,
        "approver": approver.upn,
        "approverId": approver.id,
        "before": before,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: &str) -> Person {
        Person {
            id: id.into(),
            upn: format!("{id}@contoso.com"),
        }
    }

    fn plan(approval: Approval) -> Plan {
        let user = json!({"id": "u1", "accountEnabled": true, "displayName": "Chen"});
        let req = Request::new(Method::Patch, "/users/u1").json(json!({"accountEnabled": false}));
        let w = Write::of(
            "Block sign-in for Chen",
            &req,
            Some(("/users/u1", "Chen")),
            Some(&user),
        );
        Plan::new(
            "Contain Chen",
            "contoso",
            "prod",
            person("a"),
            approval,
            vec![w],
        )
    }

    #[test]
    fn four_eyes_and_expiry() {
        let p = plan(Approval::Required);
        assert!(
            p.refusal(&person("a"), Utc::now())
                .unwrap()
                .contains("author")
        );
        assert!(
            p.refusal(&person("A"), Utc::now()).is_some(),
            "ids compare without case"
        );
        assert_eq!(p.refusal(&person("b"), Utc::now()), None);
        let late = Utc::now() + Duration::days(8);
        assert!(p.refusal(&person("b"), late).unwrap().contains("expired"));
        assert_eq!(plan(Approval::None).refusal(&person("a"), Utc::now()), None);
    }

    #[test]
    fn before_and_changes_name_the_field() {
        let p = plan(Approval::None);
        let w = &p.writes[0];
        assert_eq!(w.before, Some(json!({"accountEnabled": true})));
        let now = json!({"id": "u1", "accountEnabled": false});
        let c = changes(w.before.as_ref().unwrap(), &now);
        assert_eq!(c, ["accountEnabled was true when planned, is false now"]);
        assert!(changes(w.before.as_ref().unwrap(), &json!({"accountEnabled": true})).is_empty());
    }

    #[test]
    fn a_plan_round_trips_and_never_holds_a_password() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plans/p.json");
        let p = plan(Approval::Required);
        p.save(&path).unwrap();
        assert_eq!(Plan::load(&path).unwrap(), p);
        // A password in a body is taken out when planned…
        let req = Request::new(Method::Patch, "/users/u1")
            .json(json!({"passwordProfile": {"password": "Secret-123456", "forceChangePasswordNextSignIn": true}}));
        let w = Write::of("Reset", &req, None, None);
        assert!(!serde_json::to_string(&w).unwrap().contains("Secret-123456"));
        // …and a file that carries one anyway is refused.
        let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        v["writes"][0]["body"] = json!({"passwordProfile": {"password": "Secret-123456"}});
        std::fs::write(&path, v.to_string()).unwrap();
        assert!(Plan::load(&path).unwrap_err().contains("password"));
        // Not a plan, or a path that is not Graph's.
        std::fs::write(&path, "{}").unwrap();
        assert!(
            Plan::load(&path)
                .unwrap_err()
                .contains("not an entra-console plan")
        );
        v["writes"][0]["body"] = Value::Null;
        v["writes"][0]["path"] = json!("https://evil.example/x");
        std::fs::write(&path, v.to_string()).unwrap();
        assert!(Plan::load(&path).unwrap_err().contains("not a Graph path"));
    }

    #[test]
    fn markdown_says_who_what_and_until_when() {
        let md = plan(Approval::Required).markdown();
        for want in [
            "Author: a@contoso.com",
            "Approval: required",
            "1. Block sign-in for Chen",
            "sends: PATCH /users/u1",
            "when planned: `{\"accountEnabled\":true}`",
        ] {
            assert!(md.contains(want), "{want}: {md}");
        }
    }
}

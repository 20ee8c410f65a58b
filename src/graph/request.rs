//! A Graph request description: version, path, OData query options, headers and body.

use serde_json::Value;

/// Which Graph API version a request targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiVersion {
    V1,
    Beta,
}

impl ApiVersion {
    pub fn segment(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }
}

/// HTTP methods the console uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Put,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// One Graph request. Build with [`Request::get`] and the OData helpers. Its `Debug` shows the
/// body without secrets ([`secret_free`]).
#[derive(Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    pub version: ApiVersion,
    /// Path below the version segment, starting with `/` (e.g. `/groups/{id}/members`).
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("version", &self.version)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &self.headers)
            .field("body", &self.body.as_ref().map(secret_free))
            .finish()
    }
}

/// The fields of a request or an answer that carry a secret: a password set for a user, a
/// Temporary Access Pass, a client secret.
const SECRET_FIELDS: &[&str] = &[
    "password",
    "newPassword",
    "currentPassword",
    "temporaryAccessPass",
    "secretText",
];

/// A secret shown once (a temporary password, a Temporary Access Pass): its `Debug` never
/// shows it, so a message or a state printed for a test or a log does not either.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(not shown)")
    }
}

/// `v` with every secret field's value replaced by "(not kept)": what the journal, logs and
/// `Debug` may hold of a body.
pub fn secret_free(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let x = if SECRET_FIELDS.contains(&k.as_str()) && !x.is_null() {
                        Value::String("(not kept)".into())
                    } else {
                        secret_free(x)
                    };
                    (k.clone(), x)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(secret_free).collect()),
        other => other.clone(),
    }
}

impl Request {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        let mut path = path.into();
        if !path.starts_with('/') {
            path.insert(0, '/');
        }
        Request {
            method,
            version: ApiVersion::V1,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::Get, path)
    }

    /// Where the request was built from an empty id, if it was: an empty path segment
    /// (`/users//memberOf`) or a filter comparing an id with `''` (`userId eq ''`). Such a
    /// request asks for something else than meant (a collection, or nothing), so it is never
    /// sent.
    pub fn empty_id(&self) -> Option<String> {
        let path = self.path.split('?').next().unwrap_or_default();
        if path.len() > 1 && (path.contains("//") || path.ends_with('/')) {
            return Some(format!("{} {}", self.method.as_str(), self.path));
        }
        self.query
            .iter()
            .filter(|(k, _)| k == "$filter")
            .find(|(_, v)| {
                let v = v.to_ascii_lowercase();
                v.match_indices("id eq ''").next().is_some()
            })
            .map(|(_, v)| format!("{} {} $filter={v}", self.method.as_str(), self.path))
    }

    pub fn beta(mut self) -> Self {
        self.version = ApiVersion::Beta;
        self
    }

    pub fn param(mut self, key: &str, value: impl Into<String>) -> Self {
        self.query.retain(|(k, _)| k != key);
        self.query.push((key.to_string(), value.into()));
        self
    }

    pub fn select(self, fields: &[&str]) -> Self {
        self.param("$select", fields.join(","))
    }

    pub fn filter(self, expr: impl Into<String>) -> Self {
        self.param("$filter", expr)
    }

    pub fn top(self, n: u32) -> Self {
        self.param("$top", n.to_string())
    }

    pub fn orderby(self, expr: impl Into<String>) -> Self {
        self.param("$orderby", expr)
    }

    pub fn expand(self, expr: impl Into<String>) -> Self {
        self.param("$expand", expr)
    }

    /// `$count=true` with `ConsistencyLevel: eventual` (advanced queries, graph-api.md §11.2).
    pub fn count(self) -> Self {
        self.param("$count", "true")
            .header("ConsistencyLevel", "eventual")
    }

    /// `$search` needs `ConsistencyLevel: eventual`; `$count=true` is sent too (the safe choice).
    pub fn search(self, expr: impl Into<String>) -> Self {
        self.param("$search", expr).count()
    }

    pub fn header(mut self, key: &str, value: impl Into<String>) -> Self {
        self.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
        self.headers.push((key.to_string(), value.into()));
        self
    }

    pub fn json(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }

    /// `GET`, and therefore safe to retry and allowed in read-only mode.
    pub fn is_read(&self) -> bool {
        self.method == Method::Get
    }
}

#[cfg(test)]
mod tests {

    /// Issue 23, item 11: a request built from an empty id names itself and is never sent.
    #[test]
    fn an_empty_id_is_caught() {
        assert!(Request::get("/users//memberOf").empty_id().is_some());
        assert!(Request::get("/groups/").empty_id().is_some());
        let f = Request::get("/auditLogs/signIns").filter("userId eq '' and createdDateTime ge 1");
        assert!(f.empty_id().is_some());
        assert!(Request::get("/users/abc/memberOf").empty_id().is_none());
        assert!(Request::get("/me").empty_id().is_none());
        let ok = Request::get("/auditLogs/signIns").filter("userId eq 'abc'");
        assert!(ok.empty_id().is_none());
    }
    use super::*;

    #[test]
    fn builder_replaces_repeated_options() {
        let r = Request::get("groups")
            .top(10)
            .top(999)
            .select(&["id", "displayName"]);
        assert_eq!(r.path, "/groups");
        assert_eq!(
            r.query,
            vec![
                ("$top".to_string(), "999".to_string()),
                ("$select".to_string(), "id,displayName".to_string())
            ]
        );
    }

    #[test]
    fn search_sets_consistency_level_and_count() {
        let r = Request::get("/users").search("\"displayName:ada\"");
        assert!(
            r.headers
                .iter()
                .any(|(k, v)| k == "ConsistencyLevel" && v == "eventual")
        );
        assert!(r.query.iter().any(|(k, v)| k == "$count" && v == "true"));
    }
}

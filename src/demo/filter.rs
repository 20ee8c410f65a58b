//! The demo tenant's OData `$filter` parser and evaluator: the operators the console and common
//! admin queries use (eq, ne, gt/ge/lt/le, in, startswith, endswith, any/all lambdas, and/or/not).

use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp(Vec<String>, CmpOp, Lit),
    In(Vec<String>, Vec<Lit>),
    StartsWith(Vec<String>, String),
    EndsWith(Vec<String>, String),
    /// `path/any(var: body)`; no body means "collection is not empty".
    Any {
        path: Vec<String>,
        var: String,
        body: Option<Box<Expr>>,
        all: bool,
    },
}

/// A parsed filter plus whether it needs advanced query parameters (graph-api.md §11.2:
/// `ne`, `not` and `endsWith` need `ConsistencyLevel: eventual` and `$count=true`).
#[derive(Clone, Debug)]
pub struct Filter {
    pub expr: Expr,
    pub advanced: bool,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Num(f64),
    LParen,
    RParen,
    Comma,
    Colon,
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1
            }
            ':' => {
                out.push(Tok::Colon);
                i += 1
            }
            '\'' => {
                let mut v = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Err("unterminated string literal".into()),
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            v.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            v.push(*ch);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Str(v));
            }
            c if c.is_ascii_digit() || c == '-' => {
                let start = i;
                i += 1;
                // Dates and times too (`2026-11-04T22:05:00Z`: lambdas never start with a digit).
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || ".-:+".contains(chars[i]))
                {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                match text.parse::<f64>() {
                    Ok(n) => out.push(Tok::Num(n)),
                    // Unquoted GUIDs and dates are compared as strings.
                    Err(_) => out.push(Tok::Str(text)),
                }
            }
            c if c.is_alphabetic() || c == '_' || c == '@' => {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || "_/.@".contains(chars[i])) {
                    i += 1;
                }
                out.push(Tok::Word(chars[start..i].iter().collect()));
            }
            other => return Err(format!("unexpected character '{other}' at position {i}")),
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    advanced: bool,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expect(&mut self, t: Tok) -> Result<(), String> {
        match self.next() {
            Some(x) if x == t => Ok(()),
            other => Err(format!("expected {t:?}, found {other:?}")),
        }
    }

    fn keyword(&self, k: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(k))
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut e = self.and()?;
        while self.keyword("or") {
            self.pos += 1;
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut e = self.unary()?;
        while self.keyword("and") {
            self.pos += 1;
            e = Expr::And(Box::new(e), Box::new(self.unary()?));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.keyword("not") {
            self.pos += 1;
            self.advanced = true;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        self.primary()
    }

    fn literal(&mut self) -> Result<Lit, String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(Lit::Str(s)),
            Some(Tok::Num(n)) => Ok(Lit::Num(n)),
            Some(Tok::Word(w)) if w == "true" => Ok(Lit::Bool(true)),
            Some(Tok::Word(w)) if w == "false" => Ok(Lit::Bool(false)),
            Some(Tok::Word(w)) if w == "null" => Ok(Lit::Null),
            other => Err(format!("expected a literal, found {other:?}")),
        }
    }

    fn path(word: &str) -> Vec<String> {
        word.split('/').map(str::to_string).collect()
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Tok::LParen) => {
                let e = self.or()?;
                self.expect(Tok::RParen)?;
                Ok(e)
            }
            Some(Tok::Word(w)) => {
                let lower = w.to_ascii_lowercase();
                if (lower == "startswith" || lower == "endswith")
                    && self.peek() == Some(&Tok::LParen)
                {
                    self.pos += 1;
                    let Some(Tok::Word(p)) = self.next() else {
                        return Err(format!("{w} expects a property"));
                    };
                    self.expect(Tok::Comma)?;
                    let Lit::Str(s) = self.literal()? else {
                        return Err(format!("{w} expects a string"));
                    };
                    self.expect(Tok::RParen)?;
                    if lower == "endswith" {
                        self.advanced = true;
                        return Ok(Expr::EndsWith(Self::path(&p), s));
                    }
                    return Ok(Expr::StartsWith(Self::path(&p), s));
                }
                let lw = lower.clone();
                if (lw.ends_with("/any") || lw.ends_with("/all"))
                    && self.peek() == Some(&Tok::LParen)
                {
                    self.pos += 1;
                    let all = lw.ends_with("/all");
                    let path = Self::path(&w[..w.len() - 4]);
                    if self.peek() == Some(&Tok::RParen) {
                        self.pos += 1;
                        return Ok(Expr::Any {
                            path,
                            var: String::new(),
                            body: None,
                            all,
                        });
                    }
                    let Some(Tok::Word(var)) = self.next() else {
                        return Err("lambda expects a variable".into());
                    };
                    self.expect(Tok::Colon)?;
                    let body = self.or()?;
                    self.expect(Tok::RParen)?;
                    return Ok(Expr::Any {
                        path,
                        var,
                        body: Some(Box::new(body)),
                        all,
                    });
                }
                let path = Self::path(&w);
                let op = match self.next() {
                    Some(Tok::Word(o)) => o.to_ascii_lowercase(),
                    other => {
                        return Err(format!("expected an operator after {w}, found {other:?}"));
                    }
                };
                if op == "in" {
                    self.expect(Tok::LParen)?;
                    let mut list = vec![self.literal()?];
                    while self.peek() == Some(&Tok::Comma) {
                        self.pos += 1;
                        list.push(self.literal()?);
                    }
                    self.expect(Tok::RParen)?;
                    return Ok(Expr::In(path, list));
                }
                let op = match op.as_str() {
                    "eq" => CmpOp::Eq,
                    "ne" => {
                        self.advanced = true;
                        CmpOp::Ne
                    }
                    "gt" => CmpOp::Gt,
                    "ge" => CmpOp::Ge,
                    "lt" => CmpOp::Lt,
                    "le" => CmpOp::Le,
                    o => return Err(format!("unsupported operator '{o}'")),
                };
                Ok(Expr::Cmp(path, op, self.literal()?))
            }
            other => Err(format!("unexpected {other:?}")),
        }
    }
}

/// Parse a `$filter` expression.
pub fn parse(s: &str) -> Result<Filter, String> {
    let mut p = Parser {
        toks: tokenize(s)?,
        pos: 0,
        advanced: false,
    };
    let expr = p.or()?;
    if p.pos != p.toks.len() {
        return Err(format!("unexpected trailing input at token {}", p.pos));
    }
    Ok(Filter {
        expr,
        advanced: p.advanced,
    })
}

fn resolve<'a>(obj: &'a Value, scope: &[(&str, &'a Value)], path: &[String]) -> &'a Value {
    let mut cur = obj;
    let mut rest = path;
    if let Some(first) = path.first()
        && let Some((_, v)) = scope.iter().rev().find(|(n, _)| n == first)
    {
        cur = v;
        rest = &path[1..];
    }
    for seg in rest {
        cur = cur.get(seg.as_str()).unwrap_or(&Value::Null);
    }
    cur
}

fn compare(v: &Value, op: CmpOp, lit: &Lit) -> bool {
    use std::cmp::Ordering;
    let ord: Option<Ordering> = match (v, lit) {
        (Value::Null, Lit::Null) => Some(Ordering::Equal),
        (_, Lit::Null) | (Value::Null, _) => None,
        (Value::String(a), Lit::Str(b)) => Some(a.to_lowercase().cmp(&b.to_lowercase())),
        (Value::Number(a), Lit::Num(b)) => a.as_f64().and_then(|a| a.partial_cmp(b)),
        (Value::Bool(a), Lit::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    };
    match (op, ord) {
        (CmpOp::Eq, o) => o == Some(Ordering::Equal),
        (CmpOp::Ne, o) => o != Some(Ordering::Equal),
        (CmpOp::Gt, Some(o)) => o == Ordering::Greater,
        (CmpOp::Ge, Some(o)) => o != Ordering::Less,
        (CmpOp::Lt, Some(o)) => o == Ordering::Less,
        (CmpOp::Le, Some(o)) => o != Ordering::Greater,
        _ => false,
    }
}

fn eval_in<'a>(e: &'a Expr, obj: &'a Value, scope: &mut Vec<(&'a str, &'a Value)>) -> bool {
    match e {
        Expr::And(a, b) => eval_in(a, obj, scope) && eval_in(b, obj, scope),
        Expr::Or(a, b) => eval_in(a, obj, scope) || eval_in(b, obj, scope),
        Expr::Not(a) => !eval_in(a, obj, scope),
        Expr::Cmp(p, op, lit) => compare(resolve(obj, scope, p), *op, lit),
        Expr::In(p, list) => {
            let v = resolve(obj, scope, p);
            list.iter().any(|l| compare(v, CmpOp::Eq, l))
        }
        Expr::StartsWith(p, s) => resolve(obj, scope, p)
            .as_str()
            .is_some_and(|v| v.to_lowercase().starts_with(&s.to_lowercase())),
        Expr::EndsWith(p, s) => resolve(obj, scope, p)
            .as_str()
            .is_some_and(|v| v.to_lowercase().ends_with(&s.to_lowercase())),
        Expr::Any {
            path,
            var,
            body,
            all,
        } => {
            let items = match resolve(obj, scope, path) {
                Value::Array(a) => a.as_slice(),
                _ => &[],
            };
            let Some(body) = body else {
                return !items.is_empty();
            };
            let mut test = |item: &'a Value| {
                scope.push((var.as_str(), item));
                let r = eval_in(body, obj, scope);
                scope.pop();
                r
            };
            if *all {
                items.iter().all(&mut test)
            } else {
                items.iter().any(&mut test)
            }
        }
    }
}

impl Filter {
    pub fn matches(&self, obj: &Value) -> bool {
        let mut scope = Vec::new();
        eval_in(&self.expr, obj, &mut scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn m(f: &str, v: Value) -> bool {
        parse(f).unwrap().matches(&v)
    }

    #[test]
    fn comparisons_and_logic() {
        let g = json!({"displayName": "Finance Team", "securityEnabled": true, "mail": null});
        assert!(m("displayName eq 'finance team'", g.clone()));
        assert!(m("securityEnabled eq true and mail eq null", g.clone()));
        assert!(m(
            "startswith(displayName,'Fin') or displayName eq 'x'",
            g.clone()
        ));
        assert!(!m("not(securityEnabled eq true)", g.clone()));
        assert!(m("displayName in ('a', 'Finance Team')", g.clone()));
        assert!(m("displayName ne 'x'", g));
    }

    #[test]
    fn lambdas() {
        let g = json!({"groupTypes": ["Unified"], "assignedLicenses": [{"skuId": "abc"}], "proxyAddresses": ["SMTP:a@b"]});
        assert!(m("groupTypes/any(c:c eq 'Unified')", g.clone()));
        assert!(!m("groupTypes/any(s:s eq 'DynamicMembership')", g.clone()));
        assert!(m("assignedLicenses/any()", g.clone()));
        assert!(m("assignedLicenses/any(x:x/skuId eq 'abc')", g.clone()));
        assert!(m("proxyAddresses/any(p:startswith(p,'smtp:'))", g));
    }

    #[test]
    fn advanced_operators_are_flagged() {
        assert!(!parse("displayName eq 'a'").unwrap().advanced);
        assert!(parse("displayName ne 'a'").unwrap().advanced);
        assert!(parse("endswith(mail,'@x.com')").unwrap().advanced);
        assert!(
            parse("NOT(groupTypes/any(s:s eq 'Unified'))")
                .unwrap()
                .advanced
        );
    }

    #[test]
    fn syntax_errors_are_reported() {
        for bad in [
            "displayName eq",
            "displayName foo 'x'",
            "(a eq 'b'",
            "'open",
            "a eq 'b' c",
            "startswith(a)",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn quotes_escape_and_guids() {
        let v = json!({"displayName": "O'Neil", "id": "11111111-2222-3333-4444-555555555555"});
        assert!(m("displayName eq 'O''Neil'", v.clone()));
        assert!(m("id eq '11111111-2222-3333-4444-555555555555'", v));
    }
}

//! Conditional Access device filter rules (`conditions.devices.deviceFilter.rule`) evaluated
//! against a device object: `device.ATTR -OP VALUE` clauses joined by `-and` / `-or` with
//! parentheses (Entra docs, concept-condition-filters-for-devices: the rule builder's
//! attributes and operators). An attribute the device does not carry makes its clause unknown,
//! and unknown stays unknown through `-and` / `-or` unless the other side decides.

use serde_json::Value;

/// Whether `device` matches `rule`: `None` when it cannot be told (an attribute not given, an
/// operator or a syntax not understood).
pub fn matches(rule: &str, device: &Value) -> Option<bool> {
    let tokens = tokens(rule)?;
    let mut p = Parser {
        t: &tokens,
        at: 0,
        device,
    };
    let v = p.or()?;
    (p.at == tokens.len()).then_some(v)?
}

/// Words, quoted strings (quotes kept off), parentheses and bracketed lists.
fn tokens(rule: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    let mut chars = rule.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' => {
                out.push(c.to_string());
                chars.next();
            }
            '"' => {
                chars.next();
                let mut s = String::from("\"");
                loop {
                    match chars.next()? {
                        '"' => break,
                        ch => s.push(ch),
                    }
                }
                out.push(s);
            }
            '[' => {
                let mut s = String::new();
                loop {
                    let ch = chars.next()?;
                    s.push(ch);
                    if ch == ']' {
                        break;
                    }
                }
                out.push(s);
            }
            _ => {
                let mut s = String::new();
                while let Some(&ch) = chars.peek() {
                    if ch.is_whitespace() || ch == '(' || ch == ')' {
                        break;
                    }
                    s.push(ch);
                    chars.next();
                }
                out.push(s);
            }
        }
    }
    Some(out)
}

struct Parser<'a> {
    t: &'a [String],
    at: usize,
    device: &'a Value,
}

/// The result of a clause: `Some(known)`, or unknown (`None` inside `Some`: the syntax was
/// understood); the outer `Option` is a syntax error.
type Tri = Option<bool>;

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.t.get(self.at).map(String::as_str)
    }

    fn or(&mut self) -> Option<Tri> {
        let mut v = self.and()?;
        while self.peek().is_some_and(|w| w.eq_ignore_ascii_case("-or")) {
            self.at += 1;
            let r = self.and()?;
            v = match (v, r) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
        }
        Some(v)
    }

    fn and(&mut self) -> Option<Tri> {
        let mut v = self.factor()?;
        while self.peek().is_some_and(|w| w.eq_ignore_ascii_case("-and")) {
            self.at += 1;
            let r = self.factor()?;
            v = match (v, r) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
        }
        Some(v)
    }

    fn factor(&mut self) -> Option<Tri> {
        if self.peek() == Some("(") {
            self.at += 1;
            let v = self.or()?;
            if self.peek() != Some(")") {
                return None;
            }
            self.at += 1;
            return Some(v);
        }
        let attr = self.t.get(self.at)?.clone();
        let op = self.t.get(self.at + 1)?.to_ascii_lowercase();
        let value = self.t.get(self.at + 2)?.clone();
        self.at += 3;
        let name = attr.strip_prefix("device.")?;
        Some(clause(self.device, name, &op, &value))
    }
}

/// The device's value of an attribute as text (`None`: not given).
fn attribute(device: &Value, name: &str) -> Option<Vec<String>> {
    let key = device
        .as_object()?
        .keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .cloned();
    let v = match key {
        Some(k) => &device[k.as_str()],
        // extensionAttribute1..15 live under extensionAttributes.
        None => {
            let ext = &device["extensionAttributes"];
            let k = ext
                .as_object()?
                .keys()
                .find(|k| k.eq_ignore_ascii_case(name))?
                .clone();
            &ext[k.as_str()]
        }
    };
    Some(match v {
        Value::Null => vec![String::new()],
        Value::String(s) => vec![s.clone()],
        Value::Bool(b) => vec![if *b { "True" } else { "False" }.to_string()],
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        other => vec![other.to_string()],
    })
}

fn clause(device: &Value, name: &str, op: &str, value: &str) -> Tri {
    let values = attribute(device, name)?;
    let want = value.trim_start_matches('"').to_lowercase();
    let list: Vec<String> = value
        .trim_start_matches('[')
        .trim_end_matches(']')
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_lowercase())
        .collect();
    let any = |f: &dyn Fn(&str) -> bool| values.iter().any(|v| f(&v.to_lowercase()));
    Some(match op {
        "-eq" => any(&|v| v == want),
        "-ne" => !any(&|v| v == want),
        "-startswith" => any(&|v| v.starts_with(&want)),
        "-notstartswith" => !any(&|v| v.starts_with(&want)),
        "-endswith" => any(&|v| v.ends_with(&want)),
        "-notendswith" => !any(&|v| v.ends_with(&want)),
        "-contains" => any(&|v| v.contains(&want)),
        "-notcontains" => !any(&|v| v.contains(&want)),
        "-in" => any(&|v| list.iter().any(|x| x == v)),
        "-notin" => !any(&|v| list.iter().any(|x| x == v)),
        // -match / -notMatch take regular expressions: not evaluated here.
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rules_of_the_rule_builder() {
        let d = json!({"trustType": "ServerAd", "isCompliant": false, "operatingSystem": "Windows",
            "displayName": "KIOSK-01", "extensionAttributes": {"extensionAttribute1": "SAW"},
            "physicalIds": ["[ZTDID]:abc"]});
        let m = |r: &str| matches(r, &d);
        assert_eq!(
            m("device.trustType -eq \"AzureAD\" -or device.trustType -eq \"ServerAD\""),
            Some(true)
        );
        assert_eq!(m("device.isCompliant -eq True"), Some(false));
        assert_eq!(m("device.displayName -startsWith \"KIOSK\""), Some(true));
        assert_eq!(m("device.extensionAttribute1 -eq \"SAW\""), Some(true));
        assert_eq!(
            m(
                "(device.operatingSystem -eq \"iOS\" -or device.operatingSystem -eq \"Windows\") -and device.trustType -ne \"Workplace\""
            ),
            Some(true)
        );
        assert_eq!(
            m("device.operatingSystem -in [\"iOS\", \"Android\"]"),
            Some(false)
        );
        assert_eq!(m("device.physicalIds -contains \"[ZTDID]\""), Some(true));
        // Unknown: an attribute not given; a regular expression; a syntax error.
        assert_eq!(m("device.model -eq \"X\""), None);
        assert_eq!(
            m("device.model -eq \"X\" -or device.trustType -eq \"ServerAD\""),
            Some(true)
        );
        assert_eq!(m("device.displayName -match \"K.*\""), None);
        assert_eq!(m("device.displayName -eq"), None);
        assert_eq!(m("(device.displayName -eq \"x\""), None);
    }
}

//! The demo tenant's check of a dynamic membership rule (the syntax in Entra's "dynamic
//! membership rules" reference): `(user.prop -op value)` comparisons joined by `-and` / `-or`
//! (or `and` / `or`), optionally negated with `-not`; values quoted, a list in brackets, a
//! number, `true`, `false` or `null`. A rule it cannot read is refused with the reason, as the
//! service refuses one (it does not evaluate membership).

/// The operators of the rule syntax (lowercase).
const OPERATORS: &[&str] = &[
    "-eq",
    "-ne",
    "-startswith",
    "-notstartswith",
    "-contains",
    "-notcontains",
    "-match",
    "-notmatch",
    "-in",
    "-notin",
    "-le",
    "-ge",
    "-any",
    "-all",
];

/// Why the rule is not valid, if it is not.
pub fn invalid(rule: &str) -> Option<String> {
    let tokens = match tokenize(rule) {
        Ok(t) => t,
        Err(e) => return Some(e),
    };
    if tokens.is_empty() {
        return Some("the rule is empty".into());
    }
    let mut p = Parser { t: &tokens, at: 0 };
    if let Err(e) = p.expression() {
        return Some(e);
    }
    (p.at < tokens.len()).then(|| format!("unexpected '{}'", tokens[p.at]))
}

fn tokenize(rule: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = rule.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' | ')' | '[' | ']' | ',' => {
                out.push(c.to_string());
                chars.next();
            }
            '"' => {
                chars.next();
                let mut s = String::from("\"");
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some(ch) => s.push(ch),
                        None => return Err("a quoted value is not closed".into()),
                    }
                }
                s.push('"');
                out.push(s);
            }
            _ => {
                let mut s = String::new();
                while let Some(&ch) = chars.peek() {
                    if ch.is_whitespace() || "()[],\"".contains(ch) {
                        break;
                    }
                    s.push(ch);
                    chars.next();
                }
                out.push(s);
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    t: &'a [String],
    at: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<String> {
        self.t.get(self.at).map(|s| s.to_ascii_lowercase())
    }

    fn next(&mut self) -> Option<String> {
        let s = self.t.get(self.at).cloned();
        self.at += 1;
        s
    }

    fn expression(&mut self) -> Result<(), String> {
        self.term()?;
        while let Some(op) = self.peek() {
            if ["-and", "-or", "and", "or"].contains(&op.as_str()) {
                self.at += 1;
                self.term()?;
            } else {
                break;
            }
        }
        Ok(())
    }

    fn term(&mut self) -> Result<(), String> {
        if matches!(self.peek().as_deref(), Some("-not" | "not")) {
            self.at += 1;
        }
        if self.peek().as_deref() == Some("(") {
            self.at += 1;
            self.expression()?;
            return match self.next().as_deref() {
                Some(")") => Ok(()),
                _ => Err("a parenthesis is not closed".into()),
            };
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<(), String> {
        let prop = self.next().ok_or("a comparison is missing")?;
        let lower = prop.to_ascii_lowercase();
        let (object, name) = lower.split_once('.').unwrap_or(("", ""));
        if !["user", "device"].contains(&object) || name.is_empty() {
            return Err(format!(
                "'{prop}' is not a property: properties are user.<name> or device.<name>"
            ));
        }
        let op = self.next().ok_or("an operator is missing")?;
        if !OPERATORS.contains(&op.to_ascii_lowercase().as_str()) {
            return Err(format!("'{op}' is not an operator"));
        }
        self.value()
    }

    fn value(&mut self) -> Result<(), String> {
        let v = self.next().ok_or("a value is missing")?;
        match v.as_str() {
            "[" => loop {
                self.value()?;
                match self.next().as_deref() {
                    Some(",") => {}
                    Some("]") => return Ok(()),
                    _ => return Err("a list is not closed".into()),
                }
            },
            "(" => {
                // `-any (assignedPlans.x -eq "y")`: a nested comparison.
                self.at -= 1;
                self.term()
            }
            v if v.starts_with('"') => Ok(()),
            v if ["true", "false", "null"].contains(&v.to_ascii_lowercase().as_str()) => Ok(()),
            v if v.parse::<f64>().is_ok() => Ok(()),
            v => Err(format!("'{v}' is not a value: quote text (\"{v}\")")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_of_the_reference_read() {
        for ok in [
            "user.department -eq \"Sales\"",
            "(user.department -eq \"Sales\") -and (user.accountEnabled -eq true)",
            "(user.country -in [\"US\", \"CA\"]) or (user.jobTitle -startsWith \"Eng\")",
            "-not (user.userType -eq \"Guest\")",
            "device.deviceOSType -eq \"Windows\"",
        ] {
            assert_eq!(invalid(ok), None, "{ok}");
        }
        for bad in [
            "",
            "department -eq \"Sales\"",
            "user.department -equals \"Sales\"",
            "user.department -eq Sales",
            "(user.department -eq \"Sales\"",
            "user.department -eq \"Sales",
            "user.department -eq \"Sales\" -and",
        ] {
            assert!(invalid(bad).is_some(), "{bad}");
        }
    }
}

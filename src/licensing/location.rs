//! Usage locations: a two-letter code checked against ISO 3166-1 alpha-2 (the `rust_iso3166`
//! crate's table), so an unassigned or user-assigned code (`XX`, `ZZ`, `QM`) is refused before
//! Graph refuses it.

/// The code, upper-cased, and its country's name; or why the code is not a usage location.
pub fn check(typed: &str) -> Result<(String, &'static str), String> {
    let code = typed.trim().to_ascii_uppercase();
    if code.len() != 2 || !code.chars().all(|c| c.is_ascii_uppercase()) {
        return Err("a usage location is two letters (ISO 3166-1 alpha-2, e.g. US)".into());
    }
    match rust_iso3166::from_alpha2(&code) {
        Some(c) => Ok((code, c.name)),
        None => Err(format!(
            "{code} is not an assigned ISO 3166-1 alpha-2 country code (codes such as XX, ZZ and \
             QM-QZ are left for private use), so Graph would refuse it as a usage location"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    /// Issue 23, item 7: `XX` was accepted.
    #[test]
    fn unassigned_codes_are_refused_with_the_reason() {
        assert_eq!(check("us").unwrap().0, "US");
        assert!(check("NL").unwrap().1.starts_with("Netherlands"));
        for bad in ["XX", "ZZ", "QM", "AA", "EU", "UK"] {
            let e = check(bad).unwrap_err();
            assert!(e.contains("not an assigned"), "{bad}: {e}");
        }
        assert!(check("USA").unwrap_err().contains("two letters"));
        assert!(check("1A").is_err());
    }
}

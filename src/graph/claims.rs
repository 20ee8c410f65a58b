//! Claims challenges: parse `WWW-Authenticate` headers of a 401/403 into a typed challenge
//! (graph-api.md §11.6: several headers, parameters in any order, padding-tolerant base64).

use base64::Engine;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::{DecodePaddingMode, general_purpose};
use serde_json::Value;

/// What Graph demands before it will accept the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimsChallenge {
    /// The decoded claims JSON, to send back (merged with `xms_cc`) on the token request.
    pub claims: String,
    /// The authentication context demanded (`acrs` value such as `c1`), when that is the case.
    pub acrs: Option<String>,
    /// `authorization_uri` from the header, if given.
    pub authorization_uri: Option<String>,
}

impl ClaimsChallenge {
    /// A short explanation for users.
    pub fn describe(&self) -> String {
        match &self.acrs {
            Some(c) => format!("authentication context {c} required (claims challenge)"),
            None => "additional claims required (claims challenge)".to_string(),
        }
    }
}

/// Split one header value into challenges, each a scheme and its `key=value` parameters.
fn challenges(header: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let chars: Vec<char> = header.chars().collect();
    let mut i = 0;
    let skip_ws = |i: &mut usize| {
        while *i < chars.len() && (chars[*i].is_whitespace() || chars[*i] == ',') {
            *i += 1;
        }
    };
    loop {
        skip_ws(&mut i);
        if i >= chars.len() {
            break;
        }
        // A token: either a scheme (followed by space) or a parameter name (followed by '=').
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '=' && chars[i] != ',' {
            i += 1;
        }
        let token: String = chars[start..i].iter().collect();
        let mut j = i;
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        if j < chars.len() && chars[j] == '=' {
            i = j + 1;
            while i < chars.len() && chars[i] == ' ' {
                i += 1;
            }
            let value = if i < chars.len() && chars[i] == '"' {
                i += 1;
                let mut v = String::new();
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    v.push(chars[i]);
                    i += 1;
                }
                i += 1;
                v
            } else {
                let s = i;
                while i < chars.len() && chars[i] != ',' && !chars[i].is_whitespace() {
                    i += 1;
                }
                chars[s..i].iter().collect()
            };
            if out.is_empty() {
                out.push((String::new(), Vec::new()));
            }
            if let Some(last) = out.last_mut() {
                last.1.push((token.to_ascii_lowercase(), value));
            }
        } else {
            out.push((token, Vec::new()));
        }
    }
    out
}

const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);
const LENIENT_URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Decode base64 claims (standard or URL-safe, with or without padding) to a JSON string.
pub fn decode_claims(b64: &str) -> Option<String> {
    let t = b64.trim();
    let bytes = LENIENT.decode(t).or_else(|_| LENIENT_URL.decode(t)).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    serde_json::from_str::<Value>(&text).ok()?;
    Some(text)
}

/// The `acrs` value of decoded claims (`{"access_token":{"acrs":{"essential":true,"value":"c1"}}}`).
pub fn acrs_of(claims: &str) -> Option<String> {
    let v: Value = serde_json::from_str(claims).ok()?;
    let acrs = &v["access_token"]["acrs"];
    acrs["value"].as_str().map(str::to_string).or_else(|| {
        acrs["values"]
            .as_array()?
            .first()?
            .as_str()
            .map(str::to_string)
    })
}

/// Find an `insufficient_claims` challenge among `WWW-Authenticate` header values.
pub fn parse(headers: &[&str]) -> Option<ClaimsChallenge> {
    for h in headers {
        for (_, params) in challenges(h) {
            let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            if get("error").as_deref() != Some("insufficient_claims") {
                continue;
            }
            let Some(claims) = get("claims").and_then(|c| decode_claims(&c)) else {
                continue;
            };
            return Some(ClaimsChallenge {
                acrs: acrs_of(&claims),
                claims,
                authorization_uri: get("authorization_uri"),
            });
        }
    }
    None
}

/// The claims PIM puts in the message of a `RoleAssignmentRequestAcrsValidationFailed` error
/// (`&claims=%7B%22access_token%22…`, URL-encoded JSON) when an activation needs an
/// authentication context the token lacks (seen in the Az and Graph PowerShell modules'
/// reports of this error).
pub fn from_pim_error(code: &str, message: &str) -> Option<ClaimsChallenge> {
    if code != "RoleAssignmentRequestAcrsValidationFailed" {
        return None;
    }
    let at = message.find("claims=")?;
    let query = message[at..].split_whitespace().next()?;
    let (_, claims) = url::form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "claims")?;
    serde_json::from_str::<Value>(&claims).ok()?;
    Some(ClaimsChallenge {
        acrs: acrs_of(&claims),
        claims: claims.into_owned(),
        authorization_uri: None,
    })
}

/// Base64 of claims JSON as Graph sends it (used by the demo tenant).
pub fn encode_claims(json: &str) -> String {
    general_purpose::STANDARD.encode(json.as_bytes())
}

#[cfg(test)]
mod pim_tests {
    use super::*;

    #[test]
    fn pim_puts_the_claims_in_the_message() {
        let m = "&claims=%7B%22access_token%22%3A%7B%22acrs%22%3A%7B%22essential%22%3Atrue%2C%20%22value%22%3A%22c1%22%7D%7D%7D";
        let c = from_pim_error("RoleAssignmentRequestAcrsValidationFailed", m).unwrap();
        assert_eq!(c.acrs.as_deref(), Some("c1"));
        assert!(from_pim_error("Other", m).is_none());
        assert!(from_pim_error("RoleAssignmentRequestAcrsValidationFailed", "no claims").is_none());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const C1: &str = "eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19";

    #[test]
    fn documented_layout() {
        let h = format!(
            "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\", error=\"insufficient_claims\", claims=\"{C1}\""
        );
        let c = parse(&[&h]).unwrap();
        assert_eq!(c.acrs.as_deref(), Some("c1"));
        assert_eq!(
            c.authorization_uri.as_deref(),
            Some("https://login.microsoftonline.com/common/oauth2/authorize")
        );
        assert!(c.claims.contains("\"acrs\""));
    }

    #[test]
    fn any_order_several_headers_and_no_padding() {
        let unpadded = C1.trim_end_matches('=');
        let h2 = format!("Bearer claims=\"{unpadded}\",error=\"insufficient_claims\" , realm=\"\"");
        let c = parse(&["Basic realm=\"x\"", "Bearer error=\"invalid_token\"", &h2]).unwrap();
        assert_eq!(c.acrs.as_deref(), Some("c1"));
    }

    #[test]
    fn padded_and_url_safe_variants() {
        let json = r#"{"access_token":{"acrs":{"essential":true,"value":"c25"}}}"#;
        let std = encode_claims(json);
        let url = std.replace('+', "-").replace('/', "_");
        for v in [std.clone(), url, std.trim_end_matches('=').to_string()] {
            let h = format!("Bearer error=\"insufficient_claims\", claims=\"{v}\"");
            assert_eq!(parse(&[&h]).unwrap().acrs.as_deref(), Some("c25"));
        }
    }

    #[test]
    fn cae_challenge_has_no_acrs() {
        let json = r#"{"access_token":{"nbf":{"essential":true, "value":"1604106651"}}}"#;
        let h = format!(
            "Bearer authorization_uri=\"https://login.windows.net/common/oauth2/authorize\", error=\"insufficient_claims\", claims=\"{}\"",
            encode_claims(json)
        );
        let c = parse(&[&h]).unwrap();
        assert_eq!(c.acrs, None);
        assert!(c.claims.contains("nbf"));
        assert!(c.describe().contains("claims"));
    }

    #[test]
    fn not_a_claims_challenge() {
        assert!(parse(&["Bearer realm=\"\", error=\"invalid_token\""]).is_none());
        assert!(
            parse(&["Bearer error=\"insufficient_claims\", claims=\"!!!notbase64\""]).is_none()
        );
        assert!(parse(&[""]).is_none());
        assert!(parse(&["Bearer error=\"insufficient_claims\", claims=\"unterminated"]).is_none());
    }
}

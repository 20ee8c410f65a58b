//! Plain-words explanations of the AADSTS codes an admin console meets (graph-api.md §12,
//! Entra `reference-error-codes.md`).

/// An explanation for a code, or `None` for codes without a specific text.
pub fn explain(code: u32) -> Option<&'static str> {
    Some(match code {
        53003 => {
            "Blocked by Conditional Access: a policy that applies to this sign-in blocks it (for a protected action, typically a device or location requirement you do not meet here)."
        }
        530032 => "Blocked by a tenant security policy for this sign-in.",
        530003 => {
            "A Conditional Access policy requires a managed (compliant or joined) device; this sign-in has none."
        }
        530035 => "Blocked by security defaults.",
        53000 => {
            "The device is not compliant; a Conditional Access policy requires a compliant device."
        }
        53001 => {
            "The device is not domain-joined; a Conditional Access policy requires an Entra-joined or hybrid-joined device."
        }
        53002 => "This application is not an approved client app for the policy.",
        53004 => "Security info registration is blocked because of risk.",
        50076 => "Multi-factor authentication is required; complete the sign-in with MFA.",
        50079 => "The account must register for multi-factor authentication first.",
        50074 => "Strong authentication was required and not completed.",
        50078 => "The multi-factor authentication presented has expired; sign in again.",
        50158 => {
            "An external security challenge (custom control or external authentication method) was not satisfied."
        }
        50097 => "Device authentication is required.",
        50173 | 70043 | 700082 => "The sign-in session expired or was revoked; sign in again.",
        65001 => "Consent is missing for this app and permission.",
        50105 => "Your account is not assigned to this application.",
        50196 => "The sign-in service detected a loop of requests.",
        70016 => "Waiting for you to complete the sign-in in the browser.",
        70018 => "The device code was not recognised.",
        70019 => "The device code expired before the sign-in completed.",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_codes_are_explained() {
        for c in [53003, 50076, 50079, 530032, 50158] {
            assert!(super::explain(c).is_some(), "{c}");
        }
        assert!(super::explain(12345).is_none());
    }
}

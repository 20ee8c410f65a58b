//! Named locations: draft validation (CIDR ranges, country codes), new-location templates, and
//! resolving a sign-in's IP, country or location name to the named locations it falls in.

use super::eval::Place;
use super::strs;
use ipnet::IpNet;
use serde_json::{Value, json};
use std::net::IpAddr;

pub const IP_TYPE: &str = "#microsoft.graph.ipNamedLocation";
pub const COUNTRY_TYPE: &str = "#microsoft.graph.countryNamedLocation";

/// A new IP-range location to edit.
pub fn blank_ip() -> Value {
    json!({
        "@odata.type": IP_TYPE,
        "displayName": "New IP range location",
        "isTrusted": false,
        "ipRanges": [{"@odata.type": "#microsoft.graph.iPv4CidrRange", "cidrAddress": "192.0.2.0/24"}]
    })
}

/// A new country location to edit.
pub fn blank_country() -> Value {
    json!({
        "@odata.type": COUNTRY_TYPE,
        "displayName": "New country location",
        "countriesAndRegions": ["NL"],
        "includeUnknownCountriesAndRegions": false
    })
}

fn ranges(v: &Value) -> Vec<String> {
    v["ipRanges"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| r["cidrAddress"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Check a named-location draft: its type, a name, valid CIDR ranges of the declared family
/// or ISO 3166 two-letter country codes.
pub fn validate(v: &Value) -> Result<(), String> {
    if v["displayName"]
        .as_str()
        .is_none_or(|s| s.trim().is_empty())
    {
        return Err("displayName is required".into());
    }
    match v["@odata.type"].as_str() {
        Some(IP_TYPE) => {
            let list = v["ipRanges"].as_array().cloned().unwrap_or_default();
            if list.is_empty() {
                return Err("ipRanges needs at least one range".into());
            }
            for r in &list {
                let cidr = r["cidrAddress"].as_str().unwrap_or_default();
                let net: IpNet = cidr
                    .parse()
                    .map_err(|_| format!("'{cidr}' is not a CIDR range (like 203.0.113.0/24)"))?;
                let want_v6 = r["@odata.type"].as_str() == Some("#microsoft.graph.iPv6CidrRange");
                if matches!(net, IpNet::V6(_)) != want_v6 {
                    return Err(format!(
                        "'{cidr}' does not match its @odata.type (iPv4CidrRange or iPv6CidrRange)"
                    ));
                }
            }
            Ok(())
        }
        Some(COUNTRY_TYPE) => {
            let list = strs(&v["countriesAndRegions"]);
            if list.is_empty() {
                return Err("countriesAndRegions needs at least one country code".into());
            }
            if let Some(bad) = list
                .iter()
                .find(|c| c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_uppercase()))
            {
                return Err(format!(
                    "'{bad}' is not a two-letter ISO 3166 country code (like NL)"
                ));
            }
            Ok(())
        }
        _ => Err(format!("@odata.type must be {IP_TYPE} or {COUNTRY_TYPE}")),
    }
}

/// "3 ranges, trusted", "4 countries".
pub fn summary(v: &Value) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if v["@odata.type"].as_str() == Some(COUNTRY_TYPE) {
        let n = strs(&v["countriesAndRegions"]);
        format!(
            "{}: {}",
            plural(n.len(), "country", "countries"),
            n.join(" ")
        )
    } else {
        let r = ranges(v);
        format!("{}: {}", plural(r.len(), "range", "ranges"), r.join(" "))
    }
}

/// Where a sign-in is: an IP address, a country code (`country:NL`), or a named location's
/// name or id. Unknown text is an error, not a guess.
pub fn place(input: &str, locations: &[Value]) -> Result<Place, String> {
    let mut p = Place::default();
    let input = input.trim();
    let ip: Option<IpAddr> = input.parse().ok();
    let country = input
        .strip_prefix("country:")
        .map(|c| c.trim().to_ascii_uppercase());
    let mut named = false;
    for l in locations {
        let id = l["id"].as_str().unwrap_or_default();
        let name = l["displayName"].as_str().unwrap_or_default();
        let hit = if let Some(ip) = ip {
            ranges(l)
                .iter()
                .filter_map(|c| c.parse::<IpNet>().ok())
                .any(|n| n.contains(&ip))
        } else if let Some(c) = &country {
            strs(&l["countriesAndRegions"]).contains(c)
        } else {
            let by_name = id == input || name.eq_ignore_ascii_case(input);
            named |= by_name;
            by_name
        };
        if hit {
            p.locations.insert(id.to_string());
            p.trusted |= l["isTrusted"].as_bool().unwrap_or(false);
        }
    }
    if ip.is_none() && country.is_none() && !named {
        return Err(format!(
            "'{input}' is not an IP address, country:XX or a named location"
        ));
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_ranges_and_countries() {
        assert!(validate(&blank_ip()).is_ok());
        assert!(validate(&blank_country()).is_ok());
        let mut v = blank_ip();
        v["ipRanges"][0]["cidrAddress"] = json!("300.1.1.0/24");
        assert!(validate(&v).unwrap_err().contains("not a CIDR"));
        v["ipRanges"][0]["cidrAddress"] = json!("2001:db8::/32");
        assert!(validate(&v).unwrap_err().contains("@odata.type"));
        let mut c = blank_country();
        c["countriesAndRegions"] = json!(["Netherlands"]);
        assert!(validate(&c).is_err());
        assert!(validate(&json!({"displayName": "x"})).is_err());
    }

    #[test]
    fn places_resolve() {
        let locs = vec![
            json!({"id": "hq", "displayName": "HQ", "isTrusted": true, "@odata.type": IP_TYPE,
                "ipRanges": [{"cidrAddress": "203.0.113.0/24"}, {"cidrAddress": "2001:db8:1200::/48"}]}),
            json!({"id": "bad", "displayName": "Blocked", "@odata.type": COUNTRY_TYPE, "countriesAndRegions": ["KP"]}),
        ];
        let p = place("203.0.113.9", &locs).unwrap();
        assert!(p.trusted && p.locations.contains("hq"));
        assert!(
            place("2001:db8:1200::1", &locs)
                .unwrap()
                .locations
                .contains("hq")
        );
        let c = place("country:kp", &locs).unwrap();
        assert!(!c.trusted && c.locations.contains("bad"));
        assert!(place("8.8.8.8", &locs).unwrap().locations.is_empty());
        assert!(place("hq", &locs).unwrap().trusted);
        assert!(place("Mars", &locs).is_err());
    }
}

//! Secrets made here: temporary passwords drawn from the operating system's CSPRNG.

/// Letters and digits without look-alikes (0/O, 1/l/I), and symbols Entra accepts.
const LOWER: &[u8] = b"abcdefghijkmnopqrstuvwxyz";
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"!@#$%*-_+=?";

/// One uniform index below `n` (rejection sampling: no modulo bias).
fn below(n: usize) -> Result<usize, getrandom::Error> {
    let n = n as u32;
    let zone = u32::MAX - (u32::MAX % n);
    loop {
        let mut b = [0u8; 4];
        getrandom::fill(&mut b)?;
        let x = u32::from_le_bytes(b);
        if x < zone {
            return Ok((x % n) as usize);
        }
    }
}

/// A password of `len` characters (at least 8) with each class at least once (Entra's
/// complexity rule asks for three of four), every character from the OS CSPRNG.
pub fn password(len: usize) -> Result<String, getrandom::Error> {
    let len = len.max(8);
    let classes = [LOWER, UPPER, DIGITS, SYMBOLS];
    let all: Vec<u8> = classes.concat();
    let mut out: Vec<u8> = Vec::with_capacity(len);
    for c in classes {
        out.push(c[below(c.len())?]);
    }
    while out.len() < len {
        out.push(all[below(all.len())?]);
    }
    // Fisher-Yates, so the classes' first characters are not always in front.
    for i in (1..out.len()).rev() {
        out.swap(i, below(i + 1)?);
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_have_every_class_and_differ() {
        let a = password(16).unwrap();
        let b = password(16).unwrap();
        assert_eq!(a.chars().count(), 16);
        assert_ne!(a, b);
        for class in [LOWER, UPPER, DIGITS, SYMBOLS] {
            assert!(a.bytes().any(|c| class.contains(&c)), "{a}");
        }
        assert_eq!(password(3).unwrap().len(), 8);
    }
}

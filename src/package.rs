//! A sealed review package (`snapshot export --package FILE`, `snapshot verify FILE`): the
//! snapshot with a manifest (tenant, time, who took it, the console version, which reads are
//! complete and which were not read, a SHA-256 of each part and of the snapshot's bytes). One
//! file: a first line naming the format, the manifest as one line of canonical JSON sealed
//! with its own SHA-256, then the snapshot's bytes. Any changed byte fails `verify`. The seal
//! shows change, not authorship: whoever rewrites the whole package can seal it again.
//! Opening a package is always offline and read-only, from a private copy removed on exit.

use crate::cache::Store;
use crate::cache::store::parts::{Part, hex};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const MAGIC: &[u8] = b"ENTRA-CONSOLE-PACKAGE 1\n";

/// Whether `path` is a package (its first line), not a plain cache or snapshot.
pub fn is_package(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; MAGIC.len()];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head == MAGIC)
}

fn parts_json(parts: &[Part]) -> Value {
    parts
        .iter()
        .map(|p| json!({"name": p.name, "rows": p.rows, "sha256": p.sha256}))
        .collect()
}

/// The seal: the SHA-256 of the manifest's canonical JSON without its `seal`.
fn seal(manifest: &Value) -> String {
    let mut m = manifest.clone();
    if let Some(o) = m.as_object_mut() {
        o.remove("seal");
    }
    let text = serde_json::to_string(&crate::ca::backup::canonical(&m)).unwrap_or_default();
    hex(Sha256::digest(text.as_bytes()))
}

/// Who and what the package is about (from the command line and the cache).
pub struct About {
    pub profile: String,
    pub tenant: Option<String>,
}

/// A copy of a package's snapshot in a private folder, removed when dropped.
#[derive(Debug)]
pub struct TempCopy {
    dir: PathBuf,
    pub db: PathBuf,
}

impl Drop for TempCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn temp_dir() -> Result<PathBuf, String> {
    let dir = std::env::temp_dir().join(format!(
        "entra-console-package-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    crate::private::create_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

/// Write the package of `store` to `dest` (it must not exist); the manifest is returned.
pub fn export(store: &Store, dest: &Path, about: &About) -> Result<Value, String> {
    if dest.exists() {
        return Err(format!(
            "{} already exists; choose a new file name",
            dest.display()
        ));
    }
    let dir = temp_dir()?;
    let copy = TempCopy {
        db: dir.join("snapshot.db"),
        dir,
    };
    store.snapshot(&copy.db).map_err(|e| e.to_string())?;
    let snap = Store::open(&copy.db, false).map_err(|e| e.to_string())?;
    let parts = snap.parts().map_err(|e| e.to_string())?;
    let collections: Vec<Value> = parts
        .iter()
        .filter(|p| {
            !matches!(
                p.name.as_str(),
                "members" | "sync_state" | "journal" | "meta"
            )
        })
        .map(|p| {
            let st = snap.sync_state(&p.name).unwrap_or_default();
            let complete = match (&st.last_sync, &st.next_link) {
                (None, _) => "not synced as a whole",
                (Some(_), Some(_)) => "cut short",
                (Some(_), None) => "complete",
            };
            json!({"name": p.name, "rows": p.rows, "read": complete, "syncedAt": st.last_sync})
        })
        .collect();
    let not_read = snap
        .list("audit:errors")
        .map(|(e, _)| e)
        .unwrap_or_default();
    let taken_by = snap
        .list("audit:me")
        .ok()
        .and_then(|(me, _)| me.into_iter().next())
        .map(|m| json!({"id": m["id"], "userPrincipalName": m["userPrincipalName"]}));
    drop(snap);
    // The copy is read back after SQLite let go of it (WAL folded in by the close).
    let bytes = std::fs::read(&copy.db).map_err(|e| format!("{}: {e}", copy.db.display()))?;
    let mut manifest = json!({
        "format": "entra-console review package 1",
        "tenant": about.tenant,
        "profile": about.profile,
        "takenAt": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "takenBy": taken_by,
        "console": env!("CARGO_PKG_VERSION"),
        "collections": collections,
        "notRead": not_read,
        "parts": parts_json(&parts),
        "snapshot": {"bytes": bytes.len(), "sha256": hex(Sha256::digest(&bytes))},
    });
    manifest["seal"] = json!(seal(&manifest));
    let line = serde_json::to_string(&crate::ca::backup::canonical(&manifest))
        .map_err(|e| e.to_string())?;
    let mut out = Vec::with_capacity(MAGIC.len() + line.len() + 1 + bytes.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(line.as_bytes());
    out.push(b'\n');
    out.extend_from_slice(&bytes);
    let f = crate::private::create_file(dest).map_err(|e| format!("{}: {e}", dest.display()))?;
    drop(f);
    crate::private::write(dest, &out).map_err(|e| format!("{}: {e}", dest.display()))?;
    Ok(manifest)
}

/// A verified package: its manifest and a private copy of its snapshot.
#[derive(Debug)]
pub struct Verified {
    pub manifest: Value,
    pub copy: TempCopy,
}

/// Check every byte: the format line, the manifest (canonical, its seal), the snapshot's
/// length and SHA-256, and each part against what the manifest lists (a differing part is
/// named).
pub fn verify(path: &Path) -> Result<Verified, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or("not an entra-console review package (its first line is not the format's)")?;
    let end = rest
        .iter()
        .position(|b| *b == b'\n')
        .ok_or("the manifest line is cut short")?;
    let (line, db) = (&rest[..end], &rest[end + 1..]);
    let manifest: Value = serde_json::from_slice(line)
        .map_err(|e| format!("the manifest is not JSON any more: {e}"))?;
    let canonical = serde_json::to_string(&crate::ca::backup::canonical(&manifest))
        .map_err(|e| e.to_string())?;
    if canonical.as_bytes() != line {
        return Err("the manifest was changed (its bytes are not the ones written)".into());
    }
    if manifest["seal"].as_str() != Some(seal(&manifest).as_str()) {
        return Err("the manifest was changed (its seal does not match its content)".into());
    }
    if manifest["snapshot"]["bytes"].as_u64() != Some(db.len() as u64) {
        return Err(format!(
            "the snapshot was changed: {} bytes, the manifest says {}",
            db.len(),
            manifest["snapshot"]["bytes"]
        ));
    }
    if manifest["snapshot"]["sha256"].as_str() != Some(hex(Sha256::digest(db)).as_str()) {
        return Err("the snapshot was changed: its SHA-256 is not the manifest's".into());
    }
    let dir = temp_dir()?;
    let copy = TempCopy {
        db: dir.join("snapshot.db"),
        dir,
    };
    crate::private::write(&copy.db, db).map_err(|e| format!("{}: {e}", copy.db.display()))?;
    let store = Store::open(&copy.db, false).map_err(|e| e.to_string())?;
    let parts = store.parts().map_err(|e| e.to_string())?;
    drop(store);
    let listed = manifest["parts"].clone();
    if parts_json(&parts) != listed {
        let differing: Vec<String> = parts
            .iter()
            .filter(|p| {
                !listed
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|l| l["name"] == p.name.as_str() && l["sha256"] == p.sha256.as_str())
            })
            .map(|p| p.name.clone())
            .collect();
        return Err(format!(
            "the parts are not the ones listed: {}",
            if differing.is_empty() {
                "a listed part is missing".to_string()
            } else {
                differing.join(", ")
            }
        ));
    }
    Ok(Verified { manifest, copy })
}

/// The package's name for reports: its file and seal.
pub fn label(path: &Path, manifest: &Value) -> String {
    format!(
        "package {} (seal sha256 {}; tenant {})",
        path.display(),
        manifest["seal"].as_str().unwrap_or("?"),
        manifest["tenant"].as_str().unwrap_or("unknown")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_changed_byte_fails_and_an_intact_package_opens() {
        let d = tempfile::tempdir().unwrap();
        let cache = Store::open(&d.path().join("c.db"), true).unwrap();
        cache
            .replace_collection("users", &[json!({"id": "u1", "displayName": "Ada"})])
            .unwrap();
        let pkg = d.path().join("p.ecpkg");
        let about = About {
            profile: "prod".into(),
            tenant: Some("contoso.onmicrosoft.com".into()),
        };
        let m = export(&cache, &pkg, &about).unwrap();
        assert_eq!(m["tenant"], "contoso.onmicrosoft.com");
        assert!(is_package(&pkg));
        let v = verify(&pkg).unwrap();
        assert!(v.copy.db.exists());
        let dir = v.copy.dir.clone();
        drop(v);
        assert!(!dir.exists(), "the private copy goes with it");
        let good = std::fs::read(&pkg).unwrap();
        // A byte in the format line, in the manifest, and in the snapshot.
        for at in [3, MAGIC.len() + 20, good.len() - 10, good.len() / 2 + 40] {
            let mut bad = good.clone();
            bad[at] ^= 0x01;
            std::fs::write(&pkg, &bad).unwrap();
            assert!(verify(&pkg).is_err(), "byte {at}");
        }
    }
}

//! One writer per cache: an advisory lock on `CACHE.lock`, held by a sync for its whole run
//! (and by `snapshot import` and the console's write-through while they write), with the
//! holder's pid in the file so a second writer can say who has it.

use super::store::CacheError;
use std::fs::{File, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The lock; dropping it releases it (so does the process ending, however it ends).
#[derive(Debug)]
pub struct WriterLock {
    _file: File,
}

/// The lock file of a cache file.
pub fn lock_path(cache: &Path) -> PathBuf {
    let mut name = cache.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl WriterLock {
    /// Take the lock now, or say which process holds it.
    pub fn try_acquire(cache: &Path) -> Result<WriterLock, CacheError> {
        let path = lock_path(cache);
        if let Some(why) = crate::private::file_in_the_way(&path) {
            return Err(CacheError::Sql(cache.to_path_buf(), why));
        }
        let io = |e: std::io::Error| CacheError::Sql(path.clone(), e.to_string());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::private::create_dir(dir).map_err(io)?;
        }
        let mut file = match crate::private::create_file(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(&path)
                .map_err(io)?,
            Err(e) => return Err(io(e)),
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = match holder.trim().parse::<u32>() {
                    Ok(pid) => format!("pid {pid}"),
                    Err(_) => "another process".to_string(),
                };
                return Err(CacheError::Busy(cache.to_path_buf(), holder));
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        // The holder's pid, for the message a second writer shows.
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "{}", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(WriterLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_told_who_holds_the_cache() {
        let dir = tempfile::tempdir().unwrap();
        let cache = dir.path().join("c.db");
        let held = WriterLock::try_acquire(&cache).unwrap();
        let e = WriterLock::try_acquire(&cache).unwrap_err().to_string();
        assert!(
            e.contains(&format!("being synced by pid {}", std::process::id())),
            "{e}"
        );
        drop(held);
        assert!(WriterLock::try_acquire(&cache).is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(lock_path(&cache))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}

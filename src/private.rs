//! Files and folders that hold tenant data (cache, snapshots, log, tokens): 0600 files in
//! 0700 folders, so other users of a shared jump host cannot read them.

use std::io;
use std::path::Path;

/// Create `dir` (and missing parents) as 0700. An existing folder is left as it is: it may be
/// the admin's own (`--cache /tmp/x.db`); `tighten` is for the console's own folders.
pub fn create_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// A file standing where `path` needs a folder, if one does (`--cache FILE/c.db`): said in
/// words instead of "File exists" or "Not a directory".
pub fn file_in_the_way(path: &Path) -> Option<String> {
    path.ancestors().skip(1).find(|a| a.is_file()).map(|f| {
        format!(
            "{} is a file, not a folder: give --cache a path in a folder",
            f.display()
        )
    })
}

/// Make one of the console's own folders (the data dir, the cache dir) 0700, creating it if
/// needed: earlier versions left them 0755.
pub fn tighten(dir: &Path) -> io::Result<()> {
    create_dir(dir)?;
    set_mode(dir, 0o700)
}

/// Make `file` 0600 (after a copy, which keeps the source's mode, or a `VACUUM INTO`).
pub fn restrict(file: &Path) -> io::Result<()> {
    set_mode(file, 0o600)
}

/// Create `file` empty as 0600 (it must not exist), so its data is never readable by others,
/// not even for a moment.
pub fn create_file(file: &Path) -> io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(file)
}

/// Write `bytes` to `file`, created as 0600 (never readable by others, not even for a moment),
/// or replaced and made 0600 when it exists.
pub fn write(file: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(file)?;
    restrict(file)?;
    f.write_all(bytes)?;
    f.flush()
}

/// Open `file` for appending, created as 0600 and kept so.
pub fn append(file: &Path) -> io::Result<std::fs::File> {
    let mut o = std::fs::OpenOptions::new();
    o.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let f = o.open(file)?;
    restrict(file)?;
    Ok(f)
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn folders_0700_files_0600() {
        let d = tempfile::tempdir().unwrap();
        let deep = d.path().join("a/b");
        create_dir(&deep).unwrap();
        assert_eq!(mode(&deep), 0o700);
        assert_eq!(mode(&d.path().join("a")), 0o700);
        let open = d.path().join("open");
        std::fs::create_dir(&open).unwrap();
        set_mode(&open, 0o755).unwrap();
        create_dir(&open).unwrap();
        assert_eq!(mode(&open), 0o755, "someone else's folder is left alone");
        tighten(&open).unwrap();
        assert_eq!(mode(&open), 0o700);
        let f = d.path().join("f");
        create_file(&f).unwrap();
        assert_eq!(mode(&f), 0o600);
        let log = d.path().join("log");
        append(&log).unwrap();
        assert_eq!(mode(&log), 0o600);
    }
}

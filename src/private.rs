//! Private by default: what atom-sync creates on disk (the data dir, the SQLite file,
//! the LanceDB dir, key and lock files) is the owner's alone, and a file is never
//! created through a symlink someone else planted at its name.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

/// A directory (and its missing parents) as owner-only (0700). One that exists keeps
/// the mode its owner gave it.
pub fn create_dir(path: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(0o700).create(path)
}

/// A new owner-only (0600) file; an existing name, a symlink included, is an error
/// (`O_CREAT | O_EXCL` never follows a link).
pub fn create_new(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)
}

/// A file to write, created owner-only (0600) if missing; a symlink at its name is
/// refused rather than followed (`O_NOFOLLOW`).
pub fn open_or_create(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create(true).truncate(false).mode(0o600).custom_flags(libc::O_NOFOLLOW).open(path)
}

/// An empty owner-only file, if nothing is at `path` yet (a database file sqlx will
/// open, so that it and its journals start private).
pub fn touch_new(path: &Path) -> io::Result<()> {
    match create_new(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Write `bytes` to `path` atomically (a private temp file beside it, then a rename):
/// a reader never sees half a file, and the temp file is never a planted symlink.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.{}.tmp", std::process::id(), uuid::Uuid::new_v4().simple()));
    let mut f = create_new(&tmp)?;
    let written = f.write_all(bytes).and_then(|()| f.sync_all()).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn what_is_created_is_owner_only_and_links_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("a/b");
        create_dir(&d).unwrap();
        assert_eq!(mode(&d), 0o700);
        let f = d.join("f");
        touch_new(&f).unwrap();
        assert_eq!(mode(&f), 0o600);
        // a planted link is refused, and its target untouched
        let target = dir.path().join("target");
        std::fs::write(&target, "keep").unwrap();
        let link = d.join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(open_or_create(&link).is_err());
        assert!(create_new(&link).is_err());
        write_atomic(&d.join("m.prom"), b"x 1\n").unwrap();
        assert_eq!(mode(&d.join("m.prom")), 0o600);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
    }
}

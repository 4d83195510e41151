//! The database files on disk: owner-only (0600) whatever the umask or the data directory's
//! mode. They hold sealed data and the audit chain, and nothing else on the machine needs
//! to read them.

use std::fs::{OpenOptions, Permissions};
use std::io::ErrorKind;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::Context;

const OWNER_ONLY: u32 = 0o600;

/// Creates the database file empty and 0600 before SQLite opens it, or makes an existing
/// one 0600. SQLite gives the `-wal` and `-shm` files it creates later the main file's
/// mode, so this decides theirs too.
pub(super) fn create_owner_only(database: &Path) -> anyhow::Result<()> {
    match OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(OWNER_ONLY)
        .open(database)
    {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == ErrorKind::AlreadyExists => restrict(database),
        Err(err) => {
            Err(err).with_context(|| format!("creating the database {}", database.display()))
        }
    }
}

/// Makes the database, its write-ahead log and its shared-memory index 0600, where they exist.
pub(super) fn restrict_database_files(database: &Path) -> anyhow::Result<()> {
    for path in [
        database.to_path_buf(),
        with_suffix(database, "-wal"),
        with_suffix(database, "-shm"),
    ] {
        if path.exists() {
            restrict(&path)?;
        }
    }
    Ok(())
}

fn restrict(path: &Path) -> anyhow::Result<()> {
    std::fs::set_permissions(path, Permissions::from_mode(OWNER_ONLY))
        .with_context(|| format!("making {} readable by its owner only", path.display()))
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

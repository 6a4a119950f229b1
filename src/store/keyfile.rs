//! The installation's master key, kept in a file outside the database (data standard §6).
//! Created with mode 0600 on first use; its fingerprint is recorded in the database so that a
//! database opened with another key is refused instead of producing unlinkable pseudonyms.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::StoreError;
use crate::domain::privacy::Keys;

/// Where the key lives when `--key-file` / `VETIS_KEY_FILE` does not say: beside a SQLite file
/// (`vetis.db` → `vetis.db.key`), or in the user's config directory for a server database.
pub fn default_path(db_location: &str, is_sqlite: bool) -> PathBuf {
    if is_sqlite {
        return PathBuf::from(format!("{db_location}.key"));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."));
    let safe: String = db_location.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    base.join("vetis").join(format!("{safe}.key"))
}

/// Reads the key, or creates it when `create` (first use of an empty database).
pub fn load_or_create(path: &Path, create: bool) -> Result<Keys, StoreError> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let bytes = hex::decode(text.trim())
                .map_err(|_| StoreError::KeyFile { path: path.into(), reason: "not a hex key".into() })?;
            let master: [u8; 32] = bytes
                .try_into()
                .map_err(|_| StoreError::KeyFile { path: path.into(), reason: "the key must be 32 bytes".into() })?;
            Ok(Keys::from_master(&master))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            let master = Keys::generate();
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::KeyFile { path: path.into(), reason: e.to_string() })?;
            }
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
            let mut f =
                opts.open(path).map_err(|e| StoreError::KeyFile { path: path.into(), reason: e.to_string() })?;
            f.write_all(hex::encode(master).as_bytes())
                .and_then(|_| f.sync_all())
                .map_err(|e| StoreError::KeyFile { path: path.into(), reason: e.to_string() })?;
            Ok(Keys::from_master(&master))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::KeyMissing { path: path.into() }),
        Err(e) => Err(StoreError::KeyFile { path: path.into(), reason: e.to_string() }),
    }
}

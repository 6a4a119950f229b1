//! The installation's master key, kept in a file outside the database (data standard §6).
//! Created with mode 0600 on first use; its fingerprint is recorded in the database so that a
//! database opened with another key is refused instead of producing unlinkable pseudonyms.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::StoreError;
use crate::domain::privacy::Keys;

/// Where the key lives when `--key-file` / `VETIS_KEY_FILE` does not say: beside a SQLite file
/// (`vetis.db` → `vetis.db.key`), or in the user's config directory for a server database, named
/// after its host, port and database only: never the user or the password, which would put a
/// secret in a file name and lose the key when the password changes.
pub fn default_path(db_location: &str, is_sqlite: bool) -> PathBuf {
    if is_sqlite {
        return PathBuf::from(format!("{db_location}.key"));
    }
    config_dir().join(format!("{}.key", safe_name(&server_identity(db_location))))
}

/// The name VETIS used before: the whole URL, password included, made safe for a file name. Only
/// read, to move an existing installation's key to its new name once.
pub fn legacy_path(db_location: &str) -> PathBuf {
    config_dir().join(format!("{}.key", safe_name(db_location)))
}

fn config_dir() -> PathBuf {
    std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))
        .unwrap_or_else(|| PathBuf::from("."))
        .join("vetis")
}

fn safe_name(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect()
}

/// `postgres://user:secret@db.example:6543/vetis?sslmode=require` → `db.example_6543_vetis`.
pub fn server_identity(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let database = path.split(['?', '#']).next().unwrap_or("");
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => (h, p),
        _ => (authority, "5432"),
    };
    let host = if host.is_empty() { "localhost" } else { host };
    let database = if database.is_empty() { "postgres" } else { database };
    format!("{host}_{port}_{database}")
}

/// The key path for a server database, moving a key found under the old name (which held the
/// password) to the new one. Returns a note for the operator when it moved one.
pub fn resolve_server_key(db_location: &str) -> (PathBuf, Option<String>) {
    let path = default_path(db_location, false);
    let legacy = legacy_path(db_location);
    if !path.exists() && legacy != path && legacy.exists() {
        if let Err(e) = std::fs::rename(&legacy, &path) {
            return (legacy, Some(format!("vetis: the key file could not be renamed ({e}); still using the old name")));
        }
        return (
            path.clone(),
            Some(format!(
                "vetis: 密钥文件已改名为 {}（旧文件名含数据库密码） / the key file was renamed to {} (its old name held the database password)",
                path.display(),
                path.display()
            )),
        );
    }
    (path, None)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_key_names_hold_no_credentials() {
        assert_eq!(server_identity("postgres://u:s3cret@db:6543/vetis?sslmode=require"), "db_6543_vetis");
        assert_eq!(server_identity("postgres://db/vetis"), "db_5432_vetis");
        assert_eq!(server_identity("postgresql://u@127.0.0.1:5432/"), "127.0.0.1_5432_postgres");
        let p = default_path("postgres://vetis:s3cret@db:5432/vetis", false);
        assert!(!p.display().to_string().contains("s3cret"), "{}", p.display());
    }
}

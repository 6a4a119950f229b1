//! Backups: a consistent online copy of the database with its key's fingerprint, in one file, and
//! its restore into an empty database. SQLite is copied with `VACUUM INTO` (a snapshot taken while
//! others keep working); PostgreSQL with `pg_dump`/`pg_restore` in their custom format.
//!
//! The file is a ZIP archive: `manifest.json` (what it holds, the key fingerprint, every table's
//! row count) and `database.sqlite` or `database.pgdump`. It holds the key's fingerprint, never the
//! key: personal data stays unreadable without the key file, which is backed up apart.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sqlx::{AssertSqlSafe, Row};

use super::{Backend, Db, StoreError, keyfile, parse_location};
use crate::messages::Message;

/// What a backup holds, written first in the archive.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    /// Always `vetis-backup`.
    pub format: String,
    pub format_version: u32,
    pub backend: String,
    pub schema_version: i64,
    pub key_fingerprint: String,
    pub created_at: String,
    pub vetis_version: String,
    /// Every table and its rows at the moment of the copy.
    pub tables: Vec<(String, i64)>,
}

const FORMAT: &str = "vetis-backup";

fn refused(zh: String, en: String) -> StoreError {
    StoreError::Refused(Message::new(zh, en))
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |e| refused(format!("{}：{e}", path.display()), format!("{}: {e}", path.display()))
}

/// Every table of the database with its row count, by name.
pub async fn table_counts(db: &Db) -> Result<Vec<(String, i64)>, StoreError> {
    counts_on(&db.pool, db.backend).await
}

async fn counts_on(pool: &sqlx::AnyPool, backend: Backend) -> Result<Vec<(String, i64)>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        }
    };
    let names: Vec<String> = sqlx::query(sql).fetch_all(pool).await?.iter().map(|r| r.get(0)).collect();
    let mut out = Vec::new();
    for name in names {
        // Names come from the catalogue itself and are quoted.
        let n: i64 = sqlx::query(AssertSqlSafe(format!("SELECT COUNT(*) FROM \"{}\"", name.replace('"', "\"\""))))
            .fetch_one(pool)
            .await?
            .get(0);
        out.push((name, n));
    }
    Ok(out)
}

/// Connection settings for the PostgreSQL tools: the URL without its password, which goes in
/// `PGPASSWORD` so that it never shows in a process list.
fn pg_target(url: &str) -> (String, Option<String>) {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, password)) => {
                    (format!("{}{user}{}", &url[..s + 3], &url[at..]), Some(percent_decode(password)))
                }
                None => (url.to_string(), None),
            }
        }
        _ => (url.to_string(), None),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(v) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or(""), 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Runs a PostgreSQL client tool, with a message naming the package when it is missing.
fn run_pg_tool(tool: &str, args: &[&str], url: &str) -> Result<(), StoreError> {
    let (target, password) = pg_target(url);
    let mut cmd = Command::new(tool);
    cmd.args(args).arg(format!("--dbname={target}"));
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            refused(
                format!("找不到 {tool}：PostgreSQL 的备份与恢复需要它，请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client）"),
                format!("{tool} was not found: PostgreSQL backups need it; install the PostgreSQL client (Debian: apt-get install postgresql-client)"),
            )
        } else {
            StoreError::Internal(format!("{tool}: {e}"))
        }
    })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr).replace(&target, "…");
        return Err(refused(format!("{tool} 失败：{}", err.trim()), format!("{tool} failed: {}", err.trim())));
    }
    Ok(())
}

/// A private file (0600): a backup holds account hashes and encrypted personal data.
fn private_temp_in(dir: &Path) -> Result<tempfile::NamedTempFile, StoreError> {
    let tmp = tempfile::Builder::new().prefix(".vetis-backup-").tempfile_in(dir).map_err(io_error(dir))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o600)).map_err(io_error(tmp.path()))?;
    }
    Ok(tmp)
}

/// Writes a backup of the open database to `out` (through a temporary file, so that a failed
/// backup leaves nothing half-written). Returns its manifest.
pub async fn backup(db: &Db, db_spec: &str, out: &Path) -> Result<Manifest, StoreError> {
    let dir = out.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let work = tempfile::tempdir_in(dir).map_err(io_error(dir))?;
    let (entry, copy, tables) = match db.backend {
        Backend::Sqlite => {
            let copy = work.path().join("database.sqlite");
            sqlx::query("VACUUM INTO $1").bind(copy.display().to_string()).execute(&db.pool).await?;
            // Counted in the copy itself: exactly what the backup holds.
            let pool = sqlx::AnyPool::connect(&format!("sqlite://{}?mode=ro", copy.display())).await?;
            let tables = counts_on(&pool, Backend::Sqlite).await?;
            pool.close().await;
            ("database.sqlite", copy, tables)
        }
        Backend::Postgres => {
            let copy = work.path().join("database.pgdump");
            let (_, location) = parse_location(db_spec);
            let file = copy.display().to_string();
            // No record changes while the dump runs: its counts are the dump's (logs and sessions
            // may still grow meanwhile).
            let w = db.begin_write().await?;
            run_pg_tool("pg_dump", &["--format=custom", "--no-owner", "--no-privileges", "--file", &file], &location)?;
            let tables = counts_on(&db.pool, Backend::Postgres).await?;
            w.rollback().await?;
            ("database.pgdump", copy, tables)
        }
    };
    let manifest = Manifest {
        format: FORMAT.into(),
        format_version: 1,
        backend: match db.backend {
            Backend::Sqlite => "sqlite".into(),
            Backend::Postgres => "postgres".into(),
        },
        schema_version: db.schema_version().await?,
        key_fingerprint: db.keys.fingerprint().to_string(),
        created_at: super::now(),
        vetis_version: env!("CARGO_PKG_VERSION").into(),
        tables,
    };
    let tmp = private_temp_in(dir)?;
    {
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(tmp.reopen().map_err(io_error(out))?));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        let zerr = |e: zip::result::ZipError| StoreError::Internal(format!("backup archive: {e}"));
        zip.start_file("manifest.json", opts).map_err(zerr)?;
        let text = serde_json::to_vec_pretty(&manifest).map_err(|e| StoreError::Internal(e.to_string()))?;
        zip.write_all(&text).map_err(io_error(out))?;
        // PostgreSQL's custom-format dump is compressed already: deflating it again took a
        // pass over the nation's 7 GB for nothing. SQLite's copy is plain pages and is deflated.
        let copy_opts = match db.backend {
            Backend::Postgres => opts.compression_method(zip::CompressionMethod::Stored),
            Backend::Sqlite => opts,
        };
        zip.start_file(entry, copy_opts).map_err(zerr)?;
        let mut f = std::fs::File::open(&copy).map_err(io_error(&copy))?;
        std::io::copy(&mut f, &mut zip).map_err(io_error(out))?;
        zip.finish().map_err(zerr)?.flush().map_err(io_error(out))?;
    }
    tmp.as_file().sync_all().map_err(io_error(out))?;
    tmp.persist(out).map_err(|e| io_error(out)(e.error))?;
    Ok(manifest)
}

/// Reads a backup's manifest, refusing a file that is not a VETIS backup.
pub fn read_manifest(file: &Path) -> Result<Manifest, StoreError> {
    let not_backup = |why: String| {
        refused(
            format!("{} 不是 VETIS 备份文件（{why}）", file.display()),
            format!("{} is not a VETIS backup ({why})", file.display()),
        )
    };
    let f = std::fs::File::open(file).map_err(io_error(file))?;
    let mut zip = zip::ZipArchive::new(f).map_err(|e| not_backup(e.to_string()))?;
    let mut text = String::new();
    zip.by_name("manifest.json")
        .map_err(|e| not_backup(e.to_string()))?
        .take(1 << 20)
        .read_to_string(&mut text)
        .map_err(|e| not_backup(e.to_string()))?;
    let m: Manifest = serde_json::from_str(&text).map_err(|e| not_backup(e.to_string()))?;
    if m.format != FORMAT || m.format_version != 1 {
        return Err(not_backup(format!("format {} {}", m.format, m.format_version)));
    }
    Ok(m)
}

/// Restores a backup into the database `db_spec` names, which must be empty, with the key file
/// that matches the backup. Returns the manifest; the caller opens the database to verify it.
pub async fn restore(file: &Path, db_spec: &str, key_file: Option<PathBuf>) -> Result<(Manifest, PathBuf), StoreError> {
    sqlx::any::install_default_drivers();
    let manifest = read_manifest(file)?;
    let (backend, location) = parse_location(db_spec);
    let wanted = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    if manifest.backend != wanted {
        return Err(refused(
            format!("备份来自 {} 数据库，不能恢复到 {wanted}：请恢复到同类数据库", manifest.backend),
            format!(
                "the backup is of a {} database and cannot be restored into {wanted}: restore into the same kind",
                manifest.backend
            ),
        ));
    }
    let key_path = match (key_file, backend) {
        (Some(p), _) => p,
        (None, Backend::Sqlite) => keyfile::default_path(&location, true),
        (None, Backend::Postgres) => keyfile::resolve_server_key(&location).0,
    };
    match keyfile::load_or_create(&key_path, false) {
        Ok(keys) if keys.fingerprint() == manifest.key_fingerprint => {}
        Ok(_) => {
            return Err(refused(
                format!(
                    "密钥文件 {} 不是该备份数据库的密钥（指纹不同）：请使用备份时数据库的密钥文件",
                    key_path.display()
                ),
                format!(
                    "the key file {} is not the backup's key (fingerprints differ): use the key file of the database that was backed up",
                    key_path.display()
                ),
            ));
        }
        Err(StoreError::KeyMissing { .. }) => {
            return Err(refused(
                format!(
                    "恢复需要该备份的密钥文件（指纹 {}）：请把它复制到 {}，或用 --key-file 指定",
                    manifest.key_fingerprint,
                    key_path.display()
                ),
                format!(
                    "the restore needs the backup's key file (fingerprint {}): copy it to {} or name it with --key-file",
                    manifest.key_fingerprint,
                    key_path.display()
                ),
            ));
        }
        Err(e) => return Err(e),
    }
    let f = std::fs::File::open(file).map_err(io_error(file))?;
    let mut zip = zip::ZipArchive::new(f).map_err(|e| StoreError::Internal(e.to_string()))?;
    match backend {
        Backend::Sqlite => {
            let target = PathBuf::from(&location);
            if sqlite_has_tables(&target).await? {
                return Err(not_empty(&location));
            }
            let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
            let tmp = private_temp_in(dir)?;
            {
                let mut entry = zip.by_name("database.sqlite").map_err(|e| StoreError::Internal(e.to_string()))?;
                let mut w = std::io::BufWriter::new(tmp.reopen().map_err(io_error(&target))?);
                std::io::copy(&mut entry, &mut w).map_err(io_error(&target))?;
                w.flush().map_err(io_error(&target))?;
            }
            tmp.as_file().sync_all().map_err(io_error(&target))?;
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{location}{suffix}"));
            }
            tmp.persist(&target).map_err(|e| io_error(&target)(e.error))?;
        }
        Backend::Postgres => {
            if postgres_has_tables(&location).await? {
                return Err(not_empty(&super::redact(&location)));
            }
            let work = tempfile::tempdir().map_err(io_error(Path::new(".")))?;
            let dump = work.path().join("database.pgdump");
            {
                let mut entry = zip.by_name("database.pgdump").map_err(|e| StoreError::Internal(e.to_string()))?;
                let mut w = std::fs::File::create(&dump).map_err(io_error(&dump))?;
                std::io::copy(&mut entry, &mut w).map_err(io_error(&dump))?;
            }
            let file = dump.display().to_string();
            run_pg_tool(
                "pg_restore",
                &["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", &file],
                &location,
            )?;
        }
    }
    Ok((manifest, key_path))
}

fn not_empty(location: &str) -> StoreError {
    refused(
        format!("{location} 不是空数据库：恢复只写入空数据库，以免覆盖现有数据（请新建一个空数据库）"),
        format!(
            "{location} is not empty: a restore only writes into an empty database, so that nothing is overwritten (create an empty one)"
        ),
    )
}

async fn sqlite_has_tables(path: &Path) -> Result<bool, StoreError> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io_error(path)(e)),
        Ok(m) if m.len() == 0 => return Ok(false),
        Ok(_) => {}
    }
    let pool = sqlx::AnyPool::connect(&format!("sqlite://{}?mode=ro", path.display()))
        .await
        .map_err(|e| StoreError::Open { location: path.display().to_string(), reason: e.to_string() })?;
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'").fetch_one(&pool).await?.get(0);
    pool.close().await;
    Ok(n > 0)
}

async fn postgres_has_tables(url: &str) -> Result<bool, StoreError> {
    let pool = sqlx::AnyPool::connect(url)
        .await
        .map_err(|e| StoreError::Open { location: super::redact(url), reason: e.to_string() })?;
    let n: i64 = sqlx::query(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    )
    .fetch_one(&pool)
    .await?
    .get(0);
    pool.close().await;
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_goes_to_the_environment_not_the_command_line() {
        let (target, pw) = pg_target("postgres://vetis:s%40cret@db:5432/vetis");
        assert_eq!(target, "postgres://vetis@db:5432/vetis");
        assert_eq!(pw.as_deref(), Some("s@cret"));
        assert_eq!(pg_target("postgres://db/vetis"), ("postgres://db/vetis".into(), None));
    }
}

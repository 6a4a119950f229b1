//! Storage: one code path for SQLite (the embedded default) and PostgreSQL, through sqlx's Any
//! driver with portable SQL. Migrations are numbered files per backend, applied on open. Dates are
//! ISO text and booleans 0/1 on both, so a query reads the same everywhere.

pub mod audit;
pub mod backup;
pub mod block_sums;
pub mod blocks;
pub mod compare;
pub mod credential;
pub mod credit;
pub mod credit_blocks;
pub mod designations;
pub mod dialect;
pub mod districts;
pub mod dual;
pub mod funding;
pub mod industry_map;
pub mod insert;
pub mod integrity;
pub mod keyfile;
pub mod locks;
pub mod lookup;
pub mod notifications;
pub mod packs;
pub mod pathway;
pub mod pool;
pub mod portal;
pub mod progress;
pub mod quality;
pub mod quality_report;
pub mod record_rows;
pub mod record_sums;
pub mod records;
pub mod refdata;
pub mod reference;
pub mod registry;
pub mod remarks;
pub mod rule_blocks;
pub mod rule_reads;
pub mod rule_record_reads;
pub mod rule_sums;
pub mod signin;
pub mod sql;
pub mod studio;
pub mod submissions;
pub mod tasks;
pub mod tokens;
pub mod users;
pub mod write;

use std::path::PathBuf;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{Any, AnyPool, Executor, Row, Transaction};

use crate::domain::privacy::Keys;
use crate::messages::Message;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("cannot open the database {location}: {reason}")]
    Open { location: String, reason: String },
    #[error(
        "the key file {path} is missing: personal data in this database cannot be read without it (set --key-file or VETIS_KEY_FILE)"
    )]
    KeyMissing { path: PathBuf },
    #[error("the key file {path} cannot be used: {reason}")]
    KeyFile { path: PathBuf, reason: String },
    #[error(
        "the key file {path} is not this database's key (fingerprints differ): use the key created with the database"
    )]
    KeyMismatch { path: PathBuf },
    #[error("the database was written by a newer VETIS (schema version {found}, this build knows {known})")]
    TooNew { found: i64, known: i64 },
    /// What was asked for does not exist (or is not visible to the caller).
    #[error("{0}")]
    NotFound(Message),
    /// The request breaks a rule: the message says which and how to fix it.
    #[error("{0}")]
    Refused(Message),
    /// Something else changed first (a review, a lock, another school's records): try again or
    /// resolve what the message names.
    #[error("{0}")]
    Conflict(Message),
    /// A fault of the system, not of the request: logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl StoreError {
    /// A refusal written as `中文 / English`.
    pub fn refused(text: impl Into<String>) -> StoreError {
        StoreError::Refused(Message::pair(text))
    }
    pub fn not_found(text: impl Into<String>) -> StoreError {
        StoreError::NotFound(Message::pair(text))
    }
    /// Something changed first, written as `中文 / English`.
    pub fn conflict(text: impl Into<String>) -> StoreError {
        StoreError::Conflict(Message::pair(text))
    }
    /// The message for a person, or None for a fault of the system (which is logged instead).
    pub fn message(&self) -> Option<Message> {
        match self {
            StoreError::NotFound(m) | StoreError::Refused(m) | StoreError::Conflict(m) => Some(m.clone()),
            StoreError::Db(_) | StoreError::Internal(_) => None,
            other => Some(Message::pair(other.to_string())),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An open database with its personal-data keys.
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    /// The location without any password, for messages and the audit log.
    pub location: String,
    /// Shared, so that rows can be prepared for writing on another thread.
    pub keys: std::sync::Arc<Keys>,
    /// One write transaction at a time in this process: the others wait here, not holding a
    /// pooled connection that the one writing may need.
    write_gate: tokio::sync::Mutex<()>,
    /// Sign-in counters are read and charged one attempt at a time in this process, so parallel
    /// guesses cannot all pass before any is counted.
    pub(crate) throttle_gate: tokio::sync::Mutex<()>,
    /// Write transactions this process has committed: a reader that looked at the data version
    /// since the last one knows it has not changed here.
    pub(crate) commits: std::sync::atomic::AtomicU64,
}

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "init",
        sqlite: include_str!("../../migrations/sqlite/0001_init.sql"),
        postgres: include_str!("../../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "accounts",
        sqlite: include_str!("../../migrations/sqlite/0002_accounts.sql"),
        postgres: include_str!("../../migrations/postgres/0002_accounts.sql"),
    },
    Migration {
        version: 3,
        name: "locks",
        sqlite: include_str!("../../migrations/sqlite/0003_locks.sql"),
        postgres: include_str!("../../migrations/postgres/0003_locks.sql"),
    },
    Migration {
        version: 4,
        name: "targets",
        sqlite: include_str!("../../migrations/sqlite/0004_targets.sql"),
        postgres: include_str!("../../migrations/postgres/0004_targets.sql"),
    },
    Migration {
        version: 5,
        name: "tasks",
        sqlite: include_str!("../../migrations/sqlite/0005_tasks.sql"),
        postgres: include_str!("../../migrations/postgres/0005_tasks.sql"),
    },
    Migration {
        version: 6,
        name: "data_version",
        sqlite: include_str!("../../migrations/sqlite/0006_data_version.sql"),
        postgres: include_str!("../../migrations/postgres/0006_data_version.sql"),
    },
    Migration {
        version: 7,
        name: "security",
        sqlite: include_str!("../../migrations/sqlite/0007_security.sql"),
        postgres: include_str!("../../migrations/postgres/0007_security.sql"),
    },
    Migration {
        version: 8,
        name: "figure_blocks",
        sqlite: include_str!("../../migrations/sqlite/0008_figure_blocks.sql"),
        postgres: include_str!("../../migrations/postgres/0008_figure_blocks.sql"),
    },
    Migration {
        version: 9,
        name: "rule_blocks",
        sqlite: include_str!("../../migrations/sqlite/0009_rule_blocks.sql"),
        postgres: include_str!("../../migrations/postgres/0009_rule_blocks.sql"),
    },
    Migration {
        version: 10,
        name: "credit_tables",
        sqlite: include_str!("../../migrations/sqlite/0010_credit_tables.sql"),
        postgres: include_str!("../../migrations/postgres/0010_credit_tables.sql"),
    },
    Migration {
        version: 11,
        name: "credit_bank",
        sqlite: include_str!("../../migrations/sqlite/0011_credit_bank.sql"),
        postgres: include_str!("../../migrations/postgres/0011_credit_bank.sql"),
    },
    Migration {
        version: 12,
        name: "credit_blocks",
        sqlite: include_str!("../../migrations/sqlite/0012_credit_blocks.sql"),
        postgres: include_str!("../../migrations/postgres/0012_credit_blocks.sql"),
    },
    Migration {
        version: 13,
        name: "practice_form",
        sqlite: include_str!("../../migrations/sqlite/0013_practice_form.sql"),
        postgres: include_str!("../../migrations/postgres/0013_practice_form.sql"),
    },
    Migration {
        version: 14,
        name: "dual_register",
        sqlite: include_str!("../../migrations/sqlite/0014_dual_register.sql"),
        postgres: include_str!("../../migrations/postgres/0014_dual_register.sql"),
    },
    Migration {
        version: 15,
        name: "teacher_pool",
        sqlite: include_str!("../../migrations/sqlite/0015_teacher_pool.sql"),
        postgres: include_str!("../../migrations/postgres/0015_teacher_pool.sql"),
    },
    Migration {
        version: 16,
        name: "studio_tables",
        sqlite: include_str!("../../migrations/sqlite/0016_studio_tables.sql"),
        postgres: include_str!("../../migrations/postgres/0016_studio_tables.sql"),
    },
    Migration {
        version: 17,
        name: "pathways_funding",
        sqlite: include_str!("../../migrations/sqlite/0017_pathways_funding.sql"),
        postgres: include_str!("../../migrations/postgres/0017_pathways_funding.sql"),
    },
    Migration {
        version: 18,
        name: "integrity_ledger",
        sqlite: include_str!("../../migrations/sqlite/0018_integrity_ledger.sql"),
        postgres: include_str!("../../migrations/postgres/0018_integrity_ledger.sql"),
    },
    Migration {
        version: 19,
        name: "training_quality",
        sqlite: include_str!("../../migrations/sqlite/0019_training_quality.sql"),
        postgres: include_str!("../../migrations/postgres/0019_training_quality.sql"),
    },
    Migration {
        version: 20,
        name: "quality_tables",
        sqlite: include_str!("../../migrations/sqlite/0020_quality_tables.sql"),
        postgres: include_str!("../../migrations/postgres/0020_quality_tables.sql"),
    },
    Migration {
        version: 21,
        name: "quality_reports",
        sqlite: include_str!("../../migrations/sqlite/0021_quality_reports.sql"),
        postgres: include_str!("../../migrations/postgres/0021_quality_reports.sql"),
    },
    Migration {
        version: 22,
        name: "daily_work",
        sqlite: include_str!("../../migrations/sqlite/0022_daily_work.sql"),
        postgres: include_str!("../../migrations/postgres/0022_daily_work.sql"),
    },
    Migration {
        version: 23,
        name: "evaluation_remarks_task_and_share_packs",
        sqlite: include_str!("../../migrations/sqlite/0023_evaluation_remarks.sql"),
        postgres: include_str!("../../migrations/postgres/0023_evaluation_remarks.sql"),
    },
    Migration {
        version: 24,
        name: "notices_by_mail",
        sqlite: include_str!("../../migrations/sqlite/0024_mail.sql"),
        postgres: include_str!("../../migrations/postgres/0024_mail.sql"),
    },
    Migration {
        version: 25,
        name: "records_by_school_year",
        sqlite: include_str!("../../migrations/sqlite/0025_records_by_school_year.sql"),
        postgres: include_str!("../../migrations/postgres/0025_records_by_school_year.sql"),
    },
    Migration {
        version: 26,
        name: "rule_items_by_school_year",
        sqlite: include_str!("../../migrations/sqlite/0026_rule_items_by_school_year.sql"),
        postgres: include_str!("../../migrations/postgres/0026_rule_items_by_school_year.sql"),
    },
    Migration {
        version: 27,
        name: "no_index_by_submission",
        sqlite: include_str!("../../migrations/sqlite/0027_no_index_by_submission.sql"),
        postgres: include_str!("../../migrations/postgres/0027_no_index_by_submission.sql"),
    },
];

/// Connection options that log every statement at debug level, and slow ones (over 2 s: a
/// rebuild, a large import) at info: they are the program's own statements, worth a look when
/// tuning (`VETIS_LOG=info`), not a warning for the person at the terminal.
fn quiet_options(url: &str) -> Result<sqlx::any::AnyConnectOptions, sqlx::Error> {
    use sqlx::ConnectOptions;
    let options: sqlx::any::AnyConnectOptions = url.parse()?;
    Ok(options
        .log_statements(log::LevelFilter::Debug)
        .log_slow_statements(log::LevelFilter::Info, std::time::Duration::from_secs(2)))
}

/// How the user named the database: a PostgreSQL URL, a `sqlite:` URL or a plain file path.
pub fn parse_location(spec: &str) -> (Backend, String) {
    if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        (Backend::Postgres, spec.to_string())
    } else {
        let path = spec.strip_prefix("sqlite://").or_else(|| spec.strip_prefix("sqlite:")).unwrap_or(spec);
        (Backend::Sqlite, path.to_string())
    }
}

/// Creates the SQLite file (and tightens an existing one, with its WAL and shared-memory files) to
/// mode 0600: it holds password hashes and session tokens. SQLite gives the WAL the database
/// file's mode.
fn private_database_file(path: &str) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let p = std::path::Path::new(path);
        if path == ":memory:" || path.starts_with("file:") {
            return Ok(());
        }
        if !p.exists() {
            std::fs::OpenOptions::new().write(true).create(true).truncate(false).mode(0o600).open(p)?;
        }
        for f in [path.to_string(), format!("{path}-wal"), format!("{path}-shm")] {
            if let Ok(m) = std::fs::metadata(&f)
                && m.permissions().mode() & 0o077 != 0
            {
                std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Hides the password of a URL: `postgres://u:secret@h/db` → `postgres://u:***@h/db`.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A moment as the database keeps it (ISO 8601 with the offset; sqlx's Any driver has no dates).
pub fn stamp(t: chrono::DateTime<chrono::Local>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

pub fn now() -> String {
    stamp(chrono::Local::now())
}

impl Db {
    /// Opens (creating on first use) the database, applies migrations and checks the key.
    pub async fn open(spec: &str, key_file: Option<PathBuf>) -> Result<Db, StoreError> {
        sqlx::any::install_default_drivers();
        let (backend, location) = parse_location(spec);
        let shown = redact(&location);
        let open_err = |e: sqlx::Error| StoreError::Open { location: shown.clone(), reason: e.to_string() };
        let pool = match backend {
            Backend::Sqlite => {
                if let Some(dir) = std::path::Path::new(&location).parent().filter(|d| !d.as_os_str().is_empty())
                    && !dir.is_dir()
                {
                    return Err(StoreError::Open {
                        location: shown,
                        reason: format!("the folder {} does not exist", dir.display()),
                    });
                }
                private_database_file(&location)
                    .map_err(|e| StoreError::Open { location: shown.clone(), reason: e.to_string() })?;
                AnyPoolOptions::new()
                    .max_connections(4)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            // A checkpointed WAL is cut back to 64 MiB: left at the size of the
                            // last big import (495 MB for a million students), every later open
                            // read it all first (0.4 s per command).
                            conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000; PRAGMA foreign_keys = ON; PRAGMA journal_size_limit = 67108864; PRAGMA cache_size = -65536;")
                                .await?;
                            Ok(())
                        })
                    })
                    .connect_with(quiet_options(&format!("sqlite://{location}?mode=rwc")).map_err(open_err)?)
                    .await
                    .map_err(open_err)?
            }
            Backend::Postgres => AnyPoolOptions::new()
                .max_connections(8)
                .connect_with(quiet_options(&location).map_err(open_err)?)
                .await
                .map_err(open_err)?,
        };
        let fresh = migrate(&pool, backend).await?;
        let key_path = match (key_file, backend) {
            (Some(p), _) => p,
            (None, Backend::Sqlite) => keyfile::default_path(&location, true),
            (None, Backend::Postgres) => {
                let (path, note) = keyfile::resolve_server_key(&location);
                if let Some(note) = note {
                    eprintln!("{note}");
                }
                path
            }
        };
        let stored: Option<String> = sqlx::query("SELECT value FROM setting WHERE key = 'key_fingerprint'")
            .fetch_optional(&pool)
            .await?
            .map(|r: AnyRow| r.get(0));
        let keys = keyfile::load_or_create(&key_path, stored.is_none() || fresh)?;
        match stored {
            Some(fp) if fp != keys.fingerprint() => {
                return Err(StoreError::KeyMismatch { path: key_path });
            }
            Some(_) => {}
            None => {
                sqlx::query("INSERT INTO setting (key, value) VALUES ('key_fingerprint', $1)")
                    .bind(keys.fingerprint().to_string())
                    .execute(&pool)
                    .await?;
            }
        }
        let db = Db {
            pool,
            backend,
            location: shown,
            keys: std::sync::Arc::new(keys),
            write_gate: tokio::sync::Mutex::new(()),
            throttle_gate: tokio::sync::Mutex::new(()),
            commits: std::sync::atomic::AtomicU64::new(0),
        };
        refdata::ensure_loaded(&db).await?;
        Ok(db)
    }

    /// Begins a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`): a
    /// deferred transaction that reads and then writes fails with "database is locked" when
    /// another writer went first, where waiting is what is wanted.
    pub async fn begin(&self) -> Result<Transaction<'static, Any>, StoreError> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        let v: Option<i64> =
            sqlx::query("SELECT MAX(version) FROM schema_migration").fetch_one(&self.pool).await?.get(0);
        Ok(v.unwrap_or(0))
    }
}

/// Applies pending migrations, each in its own transaction. Returns whether the database was new.
async fn migrate(pool: &AnyPool, backend: Backend) -> Result<bool, StoreError> {
    sqlx::raw_sql("CREATE TABLE IF NOT EXISTS schema_migration (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)")
        .execute(pool)
        .await?;
    let current: Option<i64> = sqlx::query("SELECT MAX(version) FROM schema_migration").fetch_one(pool).await?.get(0);
    let current = current.unwrap_or(0);
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    if current > known {
        return Err(StoreError::TooNew { found: current, known });
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        let mut tx = pool.begin().await?;
        let sql = match backend {
            Backend::Sqlite => m.sqlite,
            Backend::Postgres => m.postgres,
        };
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_migration (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(m.version)
            .bind(m.name)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(current == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_in_locations() {
        assert_eq!(redact("postgres://vetis:s3cret@db:5432/vetis"), "postgres://vetis:***@db:5432/vetis");
        assert_eq!(redact("postgres://db/vetis"), "postgres://db/vetis");
        assert_eq!(parse_location("sqlite:x.db"), (Backend::Sqlite, "x.db".into()));
    }
}

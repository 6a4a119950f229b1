//! The audit log: every import, unmasked export and plan load, with who, when, what and from where.
//! Append-only: the application has no statement that updates or deletes it.

use sqlx::Row;

use super::{Db, StoreError, now};

pub struct Entry<'a> {
    pub actor: &'a str,
    pub action: &'a str,
    pub object: &'a str,
    pub detail: &'a str,
    /// `cli` for the command line, the client's address on the web.
    pub source: &'a str,
}

pub async fn record<'e, E>(executor: E, e: &Entry<'_>) -> Result<(), StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query("INSERT INTO audit_log (at, actor, action, object, detail, source) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(now())
        .bind(e.actor.to_string())
        .bind(e.action.to_string())
        .bind(e.object.to_string())
        .bind(e.detail.to_string())
        .bind(e.source.to_string())
        .execute(executor)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct LoggedEntry {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub object: String,
    pub detail: String,
    pub source: String,
}

pub async fn recent(db: &Db, limit: i64) -> Result<Vec<LoggedEntry>, StoreError> {
    let rows = sqlx::query("SELECT at, actor, action, object, detail, source FROM audit_log ORDER BY id DESC LIMIT $1")
        .bind(limit)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| LoggedEntry {
            at: r.get(0),
            actor: r.get(1),
            action: r.get(2),
            object: r.get(3),
            detail: r.get(4),
            source: r.get(5),
        })
        .collect())
}

/// The operator on the command line: the OS user.
pub fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

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

impl LoggedEntry {
    /// From `SELECT at, actor, action, object, detail, source`.
    fn from_row(r: &sqlx::any::AnyRow) -> LoggedEntry {
        LoggedEntry {
            at: r.get(0),
            actor: r.get(1),
            action: r.get(2),
            object: r.get(3),
            detail: r.get(4),
            source: r.get(5),
        }
    }
}

pub async fn recent(db: &Db, limit: i64) -> Result<Vec<LoggedEntry>, StoreError> {
    let rows = sqlx::query("SELECT at, actor, action, object, detail, source FROM audit_log ORDER BY id DESC LIMIT $1")
        .bind(limit)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.iter().map(LoggedEntry::from_row).collect())
}

/// The operator on the command line: the OS user.
pub fn os_user() -> String {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// What the administrator searches the log for; every part is optional.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct Search {
    pub actor: Option<String>,
    pub action: Option<String>,
    /// Found in the object or the detail.
    pub text: Option<String>,
    /// ISO dates, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<i64>,
}

pub const SEARCH_PAGE: i64 = 100;

/// One page of matching entries, newest first, and whether there are more.
pub async fn search(db: &Db, s: &Search) -> Result<(Vec<LoggedEntry>, bool), StoreError> {
    let mut sql = String::from("SELECT at, actor, action, object, detail, source FROM audit_log WHERE 1 = 1");
    let mut params: Vec<String> = Vec::new();
    let add = |cond: &str, v: String, params: &mut Vec<String>, sql: &mut String| {
        params.push(v);
        sql.push_str(&cond.replace('?', &format!("${}", params.len())));
    };
    let some = |o: &Option<String>| o.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
    if let Some(a) = some(&s.actor) {
        add(" AND actor = ?", a, &mut params, &mut sql);
    }
    if let Some(a) = some(&s.action) {
        add(" AND action = ?", a, &mut params, &mut sql);
    }
    if let Some(t) = some(&s.text) {
        let like = format!("%{}%", t.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        params.push(like);
        let n = params.len();
        sql.push_str(&format!(" AND (object LIKE ${n} ESCAPE '\\' OR detail LIKE ${n} ESCAPE '\\')"));
    }
    if let Some(f) = some(&s.from) {
        add(" AND at >= ?", f, &mut params, &mut sql);
    }
    if let Some(t) = some(&s.to) {
        // `at` is an ISO timestamp: everything on the day `to` sorts below the next character.
        add(" AND at < ?", format!("{t}~"), &mut params, &mut sql);
    }
    let page = s.page.unwrap_or(1).max(1);
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {} OFFSET {}", SEARCH_PAGE + 1, (page - 1) * SEARCH_PAGE));
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    for p in params {
        q = q.bind(p);
    }
    let mut rows: Vec<LoggedEntry> = q.fetch_all(&db.pool).await?.iter().map(LoggedEntry::from_row).collect();
    let more = rows.len() as i64 > SEARCH_PAGE;
    rows.truncate(SEARCH_PAGE as usize);
    Ok((rows, more))
}

/// The actions the log holds, for the search form's list.
pub async fn actions(db: &Db) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query("SELECT DISTINCT action FROM audit_log ORDER BY action").fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(|r| r.get(0)).collect())
}

//! API tokens: random, shown once, stored only as SHA-256 hashes, and expiring. When each was
//! last used is kept (to the minute) so that an administrator sees which ones are dead.

use chrono::{DateTime, Duration, FixedOffset, Local};
use sqlx::Row;

use super::audit::{self, Entry};
use super::users::{Account, by_id, find, random_secret, sha256_hex};
use super::{Db, StoreError, now, stamp};

/// How long a new token lives unless the administrator says otherwise, and the longest allowed.
pub const DEFAULT_DAYS: i64 = 90;
pub const MAX_DAYS: i64 = 366;

fn parse(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s).ok()
}

/// When a token stops working: its own expiry, or (tokens made before tokens expired) its
/// creation plus the default lifetime.
fn expiry(created_at: &str, expires_at: Option<&str>) -> Option<DateTime<FixedOffset>> {
    match expires_at {
        Some(e) => parse(e),
        None => parse(created_at).map(|c| c + Duration::days(DEFAULT_DAYS)),
    }
}

/// A new API token for a user, valid for `days` days; returned once, only its hash is kept.
pub async fn new_token(db: &Db, username: &str, days: i64, actor: &str, source: &str) -> Result<String, StoreError> {
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(StoreError::refused(format!(
            "令牌有效期应为 1–{MAX_DAYS} 天 / a token lives 1 to {MAX_DAYS} days (--days)"
        )));
    }
    let acc = find(db, username)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("没有用户“{username}” / no user '{username}'")))?;
    if acc.disabled {
        return Err(StoreError::refused(format!("用户“{username}”已停用 / user '{username}' is disabled")));
    }
    let token = format!("vetis_{}", random_secret());
    let expires = stamp(Local::now() + Duration::days(days));
    sqlx::query(
        "INSERT INTO api_token (user_id, token_hash, created_at, revoked, expires_at) VALUES ($1, $2, $3, 0, $4)",
    )
    .bind(acc.id)
    .bind(sha256_hex(&token))
    .bind(now())
    .bind(expires.clone())
    .execute(&db.pool)
    .await?;
    let detail = format!("expires {expires}");
    audit::record(&db.pool, &Entry { actor, action: "token_create", object: username, detail: &detail, source })
        .await?;
    Ok(token)
}

/// The account a live token belongs to: not revoked, not expired, its account enabled.
pub async fn by_token(db: &Db, token: &str) -> Result<Option<Account>, StoreError> {
    let hash = sha256_hex(token);
    let row = sqlx::query(
        "SELECT u.id, t.last_used_at, t.created_at, t.expires_at FROM api_token t JOIN app_user u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked = 0 AND u.disabled = 0",
    )
    .bind(hash.clone())
    .fetch_optional(&db.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let created: String = r.get(2);
    let expires: Option<String> = r.get(3);
    if expiry(&created, expires.as_deref()).is_none_or(|e| e <= Local::now()) {
        return Ok(None);
    }
    let last: Option<String> = r.get(1);
    let a_minute_ago = stamp(Local::now() - Duration::minutes(1));
    if last.is_none_or(|l| l < a_minute_ago) {
        sqlx::query("UPDATE api_token SET last_used_at = $1 WHERE token_hash = $2")
            .bind(now())
            .bind(hash)
            .execute(&db.pool)
            .await?;
    }
    by_id(db, r.get(0)).await
}

/// One token as an administrator sees it (never the token itself).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenInfo {
    pub username: String,
    pub created_at: String,
    pub expires_at: String,
    pub last_used_at: Option<String>,
    pub live: bool,
}

/// Every token not revoked, with its expiry and when it was last used, newest first.
pub async fn list(db: &Db) -> Result<Vec<TokenInfo>, StoreError> {
    let rows = sqlx::query(
        "SELECT u.username, t.created_at, t.expires_at, t.last_used_at FROM api_token t \
         JOIN app_user u ON u.id = t.user_id WHERE t.revoked = 0 ORDER BY u.username, t.created_at DESC",
    )
    .fetch_all(&db.pool)
    .await?;
    let now = Local::now();
    Ok(rows
        .iter()
        .map(|r| {
            let created: String = r.get(1);
            let e = expiry(&created, r.get::<Option<String>, _>(2).as_deref());
            TokenInfo {
                username: r.get(0),
                expires_at: e.map(|e| e.format("%Y-%m-%d").to_string()).unwrap_or_default(),
                live: e.is_some_and(|e| e > now),
                created_at: created,
                last_used_at: r.get(3),
            }
        })
        .collect())
}

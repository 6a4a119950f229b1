//! Accounts, passwords, API tokens and sessions. Passwords are argon2id; tokens and session ids
//! are random and stored only as SHA-256 hashes, so a copy of the database signs nobody in.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::audit::{self, Entry};
use super::{Db, StoreError, now};
use crate::domain::access::{Principal, Role, password_problems};

/// A session not used for this long is over.
pub const IDLE_MINUTES: i64 = 30;
/// How many earlier passwords may not be used again.
pub const HISTORY: i64 = 5;

#[derive(Debug, Clone, serde::Serialize)]
pub struct Account {
    pub id: i64,
    pub username: String,
    pub role: String,
    pub school_code: Option<String>,
    pub district_code: Option<String>,
    pub must_change: bool,
    pub disabled: bool,
    pub locked_until: Option<String>,
    /// Where the user's notices are mailed, when the installation has an SMTP server.
    pub email: Option<String>,
}

impl Account {
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.id,
            username: self.username.clone(),
            role: Role::parse(&self.role).unwrap_or(Role::School),
            school: self.school_code.clone(),
            district: self.district_code.clone(),
        }
    }
}

pub(crate) const ACCOUNT: &str =
    "id, username, role, school_code, district_code, must_change, disabled, locked_until, email";

pub(crate) fn account_of(r: &sqlx::any::AnyRow) -> Account {
    Account {
        id: r.get(0),
        username: r.get(1),
        role: r.get(2),
        school_code: r.get(3),
        district_code: r.get(4),
        must_change: r.get::<i64, _>(5) == 1,
        disabled: r.get::<i64, _>(6) == 1,
        locked_until: r.get(7),
        email: r.get(8),
    }
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub(crate) fn hash_password(password: &str) -> Result<String, StoreError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::refused(format!("password hashing failed: {e}")))
}

pub(crate) fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// 32 random bytes, hex: a session id, an API token or a one-time password's raw material.
pub fn random_secret() -> String {
    let mut b = [0u8; 32];
    rand::fill(&mut b);
    hex::encode(b)
}

/// A one-time password that meets the policy: letters of both cases, digits and a symbol.
pub fn one_time_password() -> String {
    let s = random_secret();
    format!("Vt-{}{}", &s[..10], s[10..16].to_uppercase())
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub role: Role,
    pub school: Option<&'a str>,
    pub district: Option<&'a str>,
    pub password: &'a str,
    pub must_change: bool,
}

pub async fn find(db: &Db, username: &str) -> Result<Option<Account>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ACCOUNT} FROM app_user WHERE username = $1")))
        .bind(username.to_string())
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.as_ref().map(account_of))
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<Account>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ACCOUNT} FROM app_user WHERE id = $1")))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    Ok(row.as_ref().map(account_of))
}

pub async fn list(db: &Db) -> Result<Vec<Account>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {ACCOUNT} FROM app_user ORDER BY username")))
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.iter().map(account_of).collect())
}

pub async fn count_admins(db: &Db) -> Result<i64, StoreError> {
    Ok(sqlx::query("SELECT COUNT(*) FROM app_user WHERE role = 'admin' AND disabled = 0")
        .fetch_one(&db.pool)
        .await?
        .get(0))
}

/// Creates an account after checking its scope and the password policy.
pub async fn create(db: &Db, u: &NewUser<'_>, actor: &str, source: &str) -> Result<Account, StoreError> {
    let name_ok = !u.username.is_empty()
        && u.username.len() <= 64
        && u.username.chars().all(|c| c.is_alphanumeric() || "._-@".contains(c));
    if !name_ok {
        return Err(StoreError::refused("user names are 1–64 letters, digits or . _ - @"));
    }
    match (u.role, u.school, u.district) {
        (Role::School, None, _) => return Err(StoreError::refused("a school officer needs --school CODE")),
        (Role::District, _, None) => {
            return Err(StoreError::refused("a district officer needs --district CODE"));
        }
        _ => {}
    }
    let (school, district) = match u.role {
        Role::School => {
            let code = u.school.unwrap_or_default();
            let row = sqlx::query("SELECT district_code FROM rec_school WHERE school_code = $1 AND is_current = 1")
                .bind(code.to_string())
                .fetch_optional(&db.pool)
                .await?
                .ok_or_else(|| StoreError::refused(format!("school {code} is not in the registry")))?;
            (Some(code.to_string()), Some(row.get::<String, _>(0)))
        }
        Role::District => {
            let d = u.district.unwrap_or_default();
            let known: i64 = sqlx::query("SELECT COUNT(*) FROM gz_district WHERE code = $1")
                .bind(d.to_string())
                .fetch_one(&db.pool)
                .await?
                .get(0);
            if known == 0 {
                return Err(StoreError::refused(format!(
                    "“{d}”不在区（县）名单中（vetis districts list） / '{d}' is not in the district list (vetis districts list)"
                )));
            }
            (None, Some(d.to_string()))
        }
        _ => (None, None),
    };
    let problems = password_problems(u.username, u.password);
    if !problems.is_empty() {
        return Err(StoreError::refused(problems.join("; ")));
    }
    if find(db, u.username).await?.is_some() {
        return Err(StoreError::refused(format!("user '{}' exists already", u.username)));
    }
    let hash = hash_password(u.password)?;
    let mut tx = db.begin().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO app_user (username, role, school_code, district_code, password_hash, must_change, disabled, failed_logins, created_at, password_changed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 0, 0, $7, $7) RETURNING id",
    )
    .bind(u.username.to_string())
    .bind(u.role.key())
    .bind(school)
    .bind(district)
    .bind(hash.clone())
    .bind(i64::from(u.must_change))
    .bind(now())
    .fetch_one(&mut *tx)
    .await?
    .get(0);
    sqlx::query("INSERT INTO password_history (user_id, password_hash, changed_at) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(hash)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    let detail = format!("role {}", u.role.key());
    audit::record(&mut *tx, &Entry { actor, action: "account_create", object: u.username, detail: &detail, source })
        .await?;
    tx.commit().await?;
    by_id(db, id).await?.ok_or_else(|| StoreError::refused("account vanished"))
}

/// Sets a new password: the policy holds, and none of the last five passwords comes back.
pub async fn set_password(
    db: &Db,
    username: &str,
    password: &str,
    must_change: bool,
    actor: &str,
    source: &str,
) -> Result<(), StoreError> {
    let acc = find(db, username)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("没有用户“{username}” / no user '{username}'")))?;
    let problems = password_problems(username, password);
    if !problems.is_empty() {
        return Err(StoreError::refused(problems.join("; ")));
    }
    let recent =
        sqlx::query("SELECT password_hash FROM password_history WHERE user_id = $1 ORDER BY changed_at DESC LIMIT $2")
            .bind(acc.id)
            .bind(HISTORY)
            .fetch_all(&db.pool)
            .await?;
    if recent.iter().any(|r| verify(password, &r.get::<String, _>(0))) {
        return Err(StoreError::refused(format!(
            "密码不得与最近 {HISTORY} 次相同 / must differ from the last {HISTORY} passwords"
        )));
    }
    let hash = hash_password(password)?;
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE app_user SET password_hash = $1, must_change = $2, password_changed_at = $3 WHERE id = $4")
        .bind(hash.clone())
        .bind(i64::from(must_change))
        .bind(now())
        .bind(acc.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO password_history (user_id, password_hash, changed_at) VALUES ($1, $2, $3)")
        .bind(acc.id)
        .bind(hash)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    // A new password ends every session of the account.
    sqlx::query("DELETE FROM app_session WHERE user_id = $1").bind(acc.id).execute(&mut *tx).await?;
    audit::record(
        &mut *tx,
        &Entry { actor, action: "account_password", object: username, detail: "password changed", source },
    )
    .await?;
    tx.commit().await?;
    // A password set by an administrator also ends any wait the old one's guessers caused.
    super::signin::forget(db, username).await?;
    Ok(())
}

pub async fn set_disabled(
    db: &Db,
    username: &str,
    disabled: bool,
    actor: &str,
    source: &str,
) -> Result<(), StoreError> {
    let acc = find(db, username)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("没有用户“{username}” / no user '{username}'")))?;
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE app_user SET disabled = $1 WHERE id = $2")
        .bind(i64::from(disabled))
        .bind(acc.id)
        .execute(&mut *tx)
        .await?;
    if disabled {
        sqlx::query("DELETE FROM app_session WHERE user_id = $1").bind(acc.id).execute(&mut *tx).await?;
        sqlx::query("UPDATE api_token SET revoked = 1 WHERE user_id = $1").bind(acc.id).execute(&mut *tx).await?;
    }
    let action = if disabled { "account_disable" } else { "account_enable" };
    audit::record(&mut *tx, &Entry { actor, action, object: username, detail: "", source }).await?;
    tx.commit().await?;
    Ok(())
}

fn minutes_from_now(m: i64) -> String {
    super::stamp(chrono::Local::now() + chrono::Duration::minutes(m))
}

/// A user name as the audit log keeps it: at most 64 characters, and how long it was if longer.
pub fn log_name(username: &str) -> String {
    let n = username.chars().count();
    if n <= 64 {
        username.to_string()
    } else {
        format!("{}…({n} chars)", username.chars().take(64).collect::<String>())
    }
}

/// A new session: the cookie value (returned once) and its CSRF token.
pub async fn new_session(db: &Db, user_id: i64) -> Result<(String, String), StoreError> {
    let id = random_secret();
    let csrf = random_secret();
    sqlx::query("INSERT INTO app_session (id_hash, user_id, csrf, created_at, last_seen) VALUES ($1, $2, $3, $4, $4)")
        .bind(sha256_hex(&id))
        .bind(user_id)
        .bind(csrf.clone())
        .bind(now())
        .execute(&db.pool)
        .await?;
    Ok((id, csrf))
}

/// The account and CSRF token of a live session; an idle one is ended.
pub async fn by_session(db: &Db, id: &str) -> Result<Option<(Account, String)>, StoreError> {
    let hash = sha256_hex(id);
    let row = sqlx::query("SELECT user_id, csrf, last_seen FROM app_session WHERE id_hash = $1")
        .bind(hash.clone())
        .fetch_optional(&db.pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let last: String = row.get(2);
    let idle_limit = minutes_from_now(-IDLE_MINUTES);
    if last < idle_limit {
        sqlx::query("DELETE FROM app_session WHERE id_hash = $1").bind(hash).execute(&db.pool).await?;
        return Ok(None);
    }
    // Recording every request would make each page view a write; once a minute is enough for
    // an idle limit counted in minutes.
    if last < minutes_from_now(-1) {
        sqlx::query("UPDATE app_session SET last_seen = $1 WHERE id_hash = $2")
            .bind(now())
            .bind(hash)
            .execute(&db.pool)
            .await?;
    }
    let Some(acc) = by_id(db, row.get(0)).await?.filter(|a| !a.disabled) else { return Ok(None) };
    Ok(Some((acc, row.get(1))))
}

pub async fn end_session(db: &Db, id: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM app_session WHERE id_hash = $1").bind(sha256_hex(id)).execute(&db.pool).await?;
    Ok(())
}

/// Sets (or, with None, removes) the address a user's notices are mailed to; audited.
pub async fn set_email(
    db: &Db,
    username: &str,
    email: Option<&str>,
    actor: &str,
    source: &str,
) -> Result<(), StoreError> {
    let acc = find(db, username)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("没有用户“{username}” / no user '{username}'")))?;
    let mut tx = db.begin().await?;
    sqlx::query("UPDATE app_user SET email = $1 WHERE id = $2")
        .bind(email.map(str::to_string))
        .bind(acc.id)
        .execute(&mut *tx)
        .await?;
    let detail = email.unwrap_or("(removed)");
    audit::record(&mut *tx, &Entry { actor, action: "account_email", object: username, detail, source }).await?;
    tx.commit().await?;
    Ok(())
}

//! Year locks: once the bureau has published a year, its data cannot change (no import, no
//! approval, no restore) until an administrator unlocks it with a reason. Both are audited.

use std::collections::BTreeSet;

use sqlx::Row;

use super::audit::{self, Entry};
use super::write::WriteTx;
use super::{Db, StoreError, now};
use crate::messages::Message;

#[derive(Debug, Clone, serde::Serialize)]
pub struct YearLock {
    pub year: i64,
    pub locked_by: String,
    pub locked_at: String,
    pub reason: String,
}

pub async fn list(db: &Db) -> Result<Vec<YearLock>, StoreError> {
    let rows = sqlx::query("SELECT year, locked_by, locked_at, reason FROM year_lock ORDER BY year")
        .fetch_all(&db.pool)
        .await?;
    Ok(rows
        .iter()
        .map(|r| YearLock { year: r.get(0), locked_by: r.get(1), locked_at: r.get(2), reason: r.get(3) })
        .collect())
}

pub async fn locked_years(db: &Db) -> Result<BTreeSet<i64>, StoreError> {
    Ok(list(db).await?.into_iter().map(|l| l.year).collect())
}

/// The refusal for a change to a locked year, in both languages.
pub fn locked_message(year: i64) -> String {
    format!(
        "{year} 年度数据已锁定，修改须由管理员说明理由后解锁 / the year {year} is locked: an administrator must unlock it, with a reason, before its data can change"
    )
}

/// The locked years, read inside a write transaction.
pub async fn locked_years_in(w: &mut WriteTx<'_>) -> Result<BTreeSet<i64>, StoreError> {
    let rows = sqlx::query("SELECT year FROM year_lock").fetch_all(w.conn()).await?;
    Ok(rows.iter().map(|r| r.get::<i64, _>(0)).collect())
}

/// Refuses a change to a locked year, read inside the write transaction that would change it.
pub async fn ensure_unlocked_in(w: &mut WriteTx<'_>, year: Option<i64>) -> Result<(), StoreError> {
    match year {
        Some(y) if locked_years_in(w).await?.contains(&y) => {
            Err(StoreError::Conflict(Message::pair(locked_message(y))))
        }
        _ => Ok(()),
    }
}

fn check_year(year: i64) -> Result<(), StoreError> {
    if (2000..=2100).contains(&year) {
        Ok(())
    } else {
        Err(StoreError::refused(format!("年度 {year} 无效 / {year} is not a valid year")))
    }
}

pub async fn lock(db: &Db, year: i64, reason: &str, actor: &str, source: &str) -> Result<(), StoreError> {
    check_year(year)?;
    if locked_years(db).await?.contains(&year) {
        return Err(StoreError::refused(format!("{year} 年度已锁定 / {year} is already locked")));
    }
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    sqlx::query("INSERT INTO year_lock (year, locked_by, locked_at, reason) VALUES ($1, $2, $3, $4)")
        .bind(year)
        .bind(actor.to_string())
        .bind(now())
        .bind(reason.trim().to_string())
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut *tx,
        &Entry { actor, action: "year_lock", object: &format!("year {year}"), detail: reason.trim(), source },
    )
    .await?;
    w.commit().await?;
    Ok(())
}

/// Unlocks a year. The reason is required: it is what the audit log keeps of why published
/// figures may change.
pub async fn unlock(db: &Db, year: i64, reason: &str, actor: &str, source: &str) -> Result<(), StoreError> {
    if reason.trim().chars().count() < 4 {
        return Err(StoreError::refused(
            "解锁须说明理由（至少 4 个字） / an unlock needs a reason (at least 4 characters)",
        ));
    }
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let n = sqlx::query("DELETE FROM year_lock WHERE year = $1").bind(year).execute(&mut *tx).await?.rows_affected();
    if n == 0 {
        return Err(StoreError::refused(format!("{year} 年度未锁定 / {year} is not locked")));
    }
    audit::record(
        &mut *tx,
        &Entry { actor, action: "year_unlock", object: &format!("year {year}"), detail: reason.trim(), source },
    )
    .await?;
    w.commit().await?;
    Ok(())
}

//! The funding tables in use (a versioned pack, the shipped example until the bureau loads its
//! own), the catalogue's categories they are keyed to, and the students they are applied to.

use std::collections::BTreeMap;

use sqlx::{AnyConnection, Row};

use super::packs::{self, Identity, Kind};
use super::{Db, StoreError};
use crate::domain::funding::{DEFAULT_PACK, FundingPack};

/// A category or class of the catalogue: (level, code) → name.
pub type Categories = BTreeMap<(String, String), String>;

/// The 专业大类 (2 digits) and 专业类 (4 digits) of the catalogue, by level.
pub async fn categories_on(conn: &mut AnyConnection) -> Result<Categories, StoreError> {
    let rows =
        sqlx::query("SELECT DISTINCT level, code, name FROM catalog_item WHERE item_level IN ('CATEGORY', 'CLASS')")
            .fetch_all(&mut *conn)
            .await?;
    Ok(rows.iter().map(|r| ((r.get(0), r.get(1)), r.get(2))).collect())
}

pub async fn categories(db: &Db) -> Result<Categories, StoreError> {
    let mut conn = db.pool.acquire().await?;
    categories_on(&mut conn).await
}

/// Parses a funding file against the catalogue.
pub fn parse(text: &str, cats: &Categories) -> Result<FundingPack, Vec<String>> {
    FundingPack::parse(text, &|code| cats.keys().any(|(_, c)| c == code))
}

/// The pack in use, and its text.
pub async fn active(db: &Db) -> Result<(FundingPack, String), StoreError> {
    let mut conn = db.pool.acquire().await?;
    let text = packs::active_source(&mut conn, Kind::Funding).await?.unwrap_or_else(|| DEFAULT_PACK.to_string());
    let cats = categories_on(&mut conn).await?;
    let pack = parse(&text, &cats)
        .map_err(|e| StoreError::Internal(format!("the stored funding tables: {}", e.join("; "))))?;
    Ok((pack, text))
}

/// Loads a pack (checked by the caller) as the one in use; whether it was new.
pub async fn load(db: &Db, pack: &FundingPack, source: &str, actor: &str, origin: &str) -> Result<bool, StoreError> {
    let id = Identity { id: &pack.id, version: &pack.version, name_zh: &pack.name_zh };
    packs::load(db, Kind::Funding, &id, source, actor, origin).await
}

/// The versions loaded, newest first: (id, version, name, loaded at, by, in use).
pub async fn versions(db: &Db) -> Result<Vec<(String, String, String, String, String, bool)>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, version, name_zh, loaded_at, loaded_by, active FROM funding_pack ORDER BY loaded_at DESC, version DESC",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4), r.get::<i64, _>(5) == 1)).collect())
}

/// Full-time enrolled students of a year by school and program class (the first 4 digits of the
/// program code): (school, class) → students.
pub async fn funded_students(db: &Db, year: i64) -> Result<Vec<(String, String, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT school_code, SUBSTR(program_code, 1, 4), CAST(COUNT(*) AS BIGINT) FROM rec_student \
         WHERE is_current = 1 AND year = $1 AND study_mode = 'full_time' AND status = 'enrolled' \
         GROUP BY school_code, SUBSTR(program_code, 1, 4) ORDER BY school_code",
    )
    .bind(year)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
}

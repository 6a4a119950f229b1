//! The registry as views need it: schools (current `school` rows), Guangzhou's districts, the
//! program catalogue, and counts for status lines. Named questions, so that no view writes SQL.

use std::collections::HashMap;

use sqlx::{AssertSqlSafe, Row};

use super::records::record_table;
use super::{Db, StoreError};
use crate::domain::standard::Table;

/// A registered school, as the current `school` row describes it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct School {
    pub code: String,
    pub name: String,
    pub district: String,
    pub level: String,
    pub sponsor: String,
}

const SCHOOL_COLUMNS: &str = "school_code, name, district_code, level, sponsor";

fn school_from(r: &sqlx::any::AnyRow) -> School {
    School { code: r.get(0), name: r.get(1), district: r.get(2), level: r.get(3), sponsor: r.get(4) }
}

/// One school, or None when the registry does not hold it.
pub async fn school(db: &Db, code: &str) -> Result<Option<School>, StoreError> {
    let mut conn = db.pool.acquire().await?;
    school_on(&mut conn, code).await
}

/// The same, on a connection (inside a write transaction: what a step is checked against).
pub async fn school_on(conn: &mut sqlx::AnyConnection, code: &str) -> Result<Option<School>, StoreError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {SCHOOL_COLUMNS} FROM rec_school WHERE school_code = $1 AND is_current = 1"
    )))
    .bind(code.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.as_ref().map(school_from))
}

/// Every registered school, by district and code.
pub async fn schools(db: &Db) -> Result<Vec<School>, StoreError> {
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {SCHOOL_COLUMNS} FROM rec_school WHERE is_current = 1 ORDER BY district_code, school_code"
    )))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(school_from).collect())
}

/// The codes of a district's registered schools.
pub async fn school_codes_in_district(db: &Db, district: &str) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query("SELECT school_code FROM rec_school WHERE is_current = 1 AND district_code = $1")
        .bind(district.to_string())
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.into_iter().map(|r| r.get(0)).collect())
}

/// Guangzhou's districts, (code, name), by code.
pub async fn districts(db: &Db) -> Result<Vec<(String, String)>, StoreError> {
    let rows = sqlx::query("SELECT code, name FROM gz_district ORDER BY code").fetch_all(&db.pool).await?;
    Ok(rows.into_iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// District code → name.
pub async fn district_names(db: &Db) -> Result<HashMap<String, String>, StoreError> {
    Ok(districts(db).await?.into_iter().collect())
}

/// One program of the catalogue.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CatalogItem {
    pub level: String,
    pub code: String,
    pub name: String,
    /// `MAJOR`, or the category and class levels above it.
    pub kind: String,
}

/// Catalogue items whose code or name contains `text` (any level, or one), at most `limit`.
pub async fn search_catalog(
    db: &Db,
    text: &str,
    level: Option<&str>,
    limit: i64,
) -> Result<Vec<CatalogItem>, StoreError> {
    let like = format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let mut sql = String::from(
        "SELECT level, code, name, item_level FROM catalog_item WHERE (code LIKE $1 ESCAPE '\\' OR name LIKE $1 ESCAPE '\\')",
    );
    if level.is_some() {
        sql.push_str(" AND level = $2");
    }
    sql.push_str(&format!(" ORDER BY level, code LIMIT {}", limit.clamp(1, 10_000)));
    let mut query = sqlx::query(AssertSqlSafe(sql)).bind(like);
    if let Some(l) = level {
        query = query.bind(l.to_string());
    }
    let rows = query.fetch_all(&db.pool).await?;
    Ok(rows.iter().map(|r| CatalogItem { level: r.get(0), code: r.get(1), name: r.get(2), kind: r.get(3) }).collect())
}

/// Every program (major) of every loaded edition: (level, code, name), by level and code.
pub async fn all_programs(db: &Db) -> Result<Vec<(String, String, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT DISTINCT level, code, name FROM catalog_item WHERE item_level = 'MAJOR' ORDER BY level, code",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
}

/// The catalogue's editions: (edition, name, number of programs), by edition.
pub async fn catalog_editions(db: &Db) -> Result<Vec<(String, String, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT e.edition, e.name, (SELECT COUNT(*) FROM catalog_item i WHERE i.edition = e.edition AND i.item_level = 'MAJOR') FROM catalog_edition e ORDER BY e.edition",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect())
}

/// How many rows a record table holds now (current rows only).
pub async fn current_rows(db: &Db, table: Table) -> Result<i64, StoreError> {
    let row = sqlx::query(AssertSqlSafe(format!("SELECT COUNT(*) FROM {} WHERE is_current = 1", record_table(table))))
        .fetch_one(&db.pool)
        .await?;
    Ok(row.get(0))
}

/// What the reference data holds, for `vetis init`'s summary.
#[derive(Debug, Clone, Copy)]
pub struct ReferenceCounts {
    pub programs: i64,
    pub editions: i64,
    pub divisions: i64,
    pub districts: i64,
}

pub async fn reference_counts(db: &Db) -> Result<ReferenceCounts, StoreError> {
    let count = |sql: &'static str| async move {
        Ok::<i64, StoreError>(sqlx::query(sql).fetch_one(&db.pool).await?.get::<i64, _>(0))
    };
    Ok(ReferenceCounts {
        programs: count("SELECT COUNT(*) FROM catalog_item WHERE item_level = 'MAJOR'").await?,
        editions: count("SELECT COUNT(*) FROM catalog_edition").await?,
        divisions: count("SELECT COUNT(DISTINCT code) FROM division").await?,
        districts: count("SELECT COUNT(*) FROM gz_district").await?,
    })
}

/// The first secondary school by code, for the demo's school account.
pub async fn first_secondary_school(db: &Db) -> Result<Option<School>, StoreError> {
    let row = sqlx::query(AssertSqlSafe(format!(
        "SELECT {SCHOOL_COLUMNS} FROM rec_school WHERE is_current = 1 AND level = 'secondary' ORDER BY school_code LIMIT 1"
    )))
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.as_ref().map(school_from))
}

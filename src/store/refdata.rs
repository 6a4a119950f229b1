//! Reference data (program catalogue editions, division codes, districts, industries) and plans:
//! loaded on first use from the files shipped in the binary, and again by `vetis init`,
//! `vetis catalog load` and `vetis plan load`.

use sqlx::Row;

use super::audit::{self, Entry};
use super::packs::Kind;
use super::records::{SqlValue, insert_batch};
use super::{Db, StoreError, now};
use crate::domain::plan::{GUANGZHOU_PLAN, Plan};
use crate::domain::shares::TargetShares;

pub const CATALOG_2021: &str = include_str!("../../data/ref/vocational-catalog-2021.csv");
const DISTRICTS: &str = include_str!("../../data/ref/guangzhou-districts.csv");
const DIVISIONS_HISTORICAL: &str = include_str!("../../data/ref/cn-division-codes-historical.csv");
const AREAS: &str = include_str!("../../data/ref/cn-admin-areas.csv");
const INDUSTRIES: &str = include_str!("../../data/ref/gbt4754-2017-divisions.csv");

fn csv_rows(text: &str) -> impl Iterator<Item = Result<csv::StringRecord, csv::Error>> + '_ {
    csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes()).into_records()
}

fn opt_int(s: &str) -> SqlValue {
    s.trim().parse::<i64>().map_or(SqlValue::NullInt, SqlValue::Int)
}

/// Loads whatever reference data and plan a database lacks (first use of a new database).
pub async fn ensure_loaded(db: &Db) -> Result<(), StoreError> {
    let editions: i64 = sqlx::query("SELECT COUNT(*) FROM catalog_edition").fetch_one(&db.pool).await?.get(0);
    if editions == 0 {
        load_catalog(db, CATALOG_2021, "2021", "职业教育专业目录（2021年）", None, "system").await?;
    }
    let divisions: i64 = sqlx::query("SELECT COUNT(*) FROM division").fetch_one(&db.pool).await?.get(0);
    if divisions == 0 {
        load_geography(db).await?;
    }
    let plans: i64 = sqlx::query("SELECT COUNT(*) FROM plan").fetch_one(&db.pool).await?.get(0);
    if plans == 0 {
        load_plan(db, GUANGZHOU_PLAN, "system").await.map_err(|e| StoreError::refused(e.join("; ")))?;
    }
    // The plan's tasks, ready to assign.
    let tasks: i64 = sqlx::query("SELECT COUNT(*) FROM task_pack").fetch_one(&db.pool).await?.get(0);
    if tasks == 0 {
        super::tasks::load_pack(db, crate::domain::tasks::DEFAULT_TASKS, "system", "init").await?;
    }
    let mapped: i64 = sqlx::query("SELECT COUNT(*) FROM industry_map").fetch_one(&db.pool).await?.get(0);
    let plan = active_plan(db).await?;
    // A plan without key industries (an older or another city's) keeps the mapping empty.
    if mapped == 0 && !plan.key_industries.is_empty() {
        super::industry_map::load(db, super::industry_map::DEFAULT, "system", "init")
            .await
            .map_err(|e| StoreError::refused(e.join("; ")))?;
    }
    Ok(())
}

/// Division codes (historical and current), Guangzhou's districts and GB/T 4754 sections/divisions.
async fn load_geography(db: &Db) -> Result<(), StoreError> {
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let mut rows = Vec::new();
    let mut known = std::collections::HashSet::new();
    for r in csv_rows(DIVISIONS_HISTORICAL) {
        let r = r.map_err(|e| StoreError::refused(e.to_string()))?;
        known.insert(r[0].to_string());
        rows.push(vec![
            SqlValue::text(&r[0]),
            SqlValue::text(&r[1]),
            SqlValue::text(&r[2]),
            opt_int(&r[3]),
            opt_int(&r[4]),
        ]);
    }
    // Current codes the historical list lacks are valid now, from an unknown year.
    for r in csv_rows(AREAS) {
        let r = r.map_err(|e| StoreError::refused(e.to_string()))?;
        if !known.contains(&r[0]) {
            rows.push(vec![
                SqlValue::text(&r[0]),
                SqlValue::text(&r[3]),
                SqlValue::text(&r[1]),
                SqlValue::NullInt,
                SqlValue::NullInt,
            ]);
        }
    }
    insert_batch(&mut *tx, db.backend, "division", &["code", "province", "name", "valid_from", "valid_to"], rows)
        .await?;
    let rows = csv_rows(DISTRICTS)
        .map(|r| r.map(|r| vec![SqlValue::text(&r[0]), SqlValue::text(&r[1])]))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StoreError::refused(e.to_string()))?;
    insert_batch(&mut *tx, db.backend, "gz_district", &["code", "name"], rows).await?;
    let rows = csv_rows(INDUSTRIES)
        .map(|r| r.map(|r| vec![SqlValue::text(&r[0]), SqlValue::text(&r[1]), SqlValue::text(&r[2])]))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StoreError::refused(e.to_string()))?;
    insert_batch(&mut *tx, db.backend, "industry", &["code", "name", "level"], rows).await?;
    w.commit().await?;
    Ok(())
}

fn level_of(education_level: &str) -> Option<&'static str> {
    match education_level {
        "VOCATIONAL_SECONDARY" | "secondary" | "中职" => Some("secondary"),
        "VOCATIONAL_ASSOCIATE" | "higher" | "高职" | "高职专科" => Some("higher"),
        "VOCATIONAL_BACHELOR" | "bachelor" | "职业本科" => Some("bachelor"),
        _ => None,
    }
}

/// Loads a catalogue edition (same columns as the 2021 file); an edition of the same name is
/// replaced. Every bad row is reported with its line.
pub async fn load_catalog(
    db: &Db,
    text: &str,
    edition: &str,
    name: &str,
    effective_year: Option<i64>,
    actor: &str,
) -> Result<usize, StoreError> {
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let header = rdr.headers().map_err(|e| StoreError::refused(e.to_string()))?.clone();
    let col = |n: &str| header.iter().position(|h| h.trim_start_matches('\u{feff}') == n);
    let need = ["educationLevel", "categoryCode", "classCode", "majorCode", "majorName", "parentCode", "itemLevel"];
    let idx: Vec<usize> = need
        .iter()
        .map(|n| col(n).ok_or_else(|| StoreError::refused(format!("catalogue file: column '{n}' is missing"))))
        .collect::<Result<_, _>>()?;
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, r) in rdr.records().enumerate() {
        let line = i + 2;
        let r = match r {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let Some(level) = level_of(r[idx[0]].trim()) else {
            errors.push(format!("line {line}: unknown educationLevel '{}'", &r[idx[0]]));
            continue;
        };
        let item_level = r[idx[6]].trim().to_ascii_uppercase();
        if !["CATEGORY", "CLASS", "MAJOR"].contains(&item_level.as_str()) {
            errors.push(format!("line {line}: itemLevel must be CATEGORY, CLASS or MAJOR"));
            continue;
        }
        let code = r[idx[3]].trim().to_uppercase();
        if item_level == "MAJOR" && crate::domain::ids::ProgramCode::parse(&code).is_none() {
            errors.push(format!("line {line}: '{code}' is not a 6-digit program code"));
            continue;
        }
        rows.push(vec![
            SqlValue::text(edition),
            SqlValue::text(level),
            SqlValue::Text(code),
            SqlValue::text(r[idx[4]].trim()),
            SqlValue::Text(item_level),
            SqlValue::text(r[idx[1]].trim()),
            SqlValue::opt_text(r[idx[2]].trim()),
            SqlValue::opt_text(r[idx[5]].trim()),
        ]);
    }
    if !errors.is_empty() {
        return Err(StoreError::refused(format!("the catalogue was not loaded:\n{}", errors.join("\n"))));
    }
    let n = rows.len();
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    sqlx::query("DELETE FROM catalog_item WHERE edition = $1").bind(edition.to_string()).execute(&mut *tx).await?;
    sqlx::query("DELETE FROM catalog_edition WHERE edition = $1").bind(edition.to_string()).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO catalog_edition (edition, name, effective_year, source_note, loaded_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(edition.to_string())
        .bind(name.to_string())
        .bind(effective_year)
        .bind("see data/ref/vocational-catalog-2021.SOURCE.md for the 2021 edition".to_string())
        .bind(now())
        .execute(&mut *tx)
        .await?;
    insert_batch(
        &mut *tx,
        db.backend,
        "catalog_item",
        &["edition", "level", "code", "name", "item_level", "category_code", "class_code", "parent_code"],
        rows,
    )
    .await?;
    let detail = format!("{n} items");
    audit::record(&mut *tx, &Entry { actor, action: "catalog_load", object: edition, detail: &detail, source: "cli" })
        .await?;
    w.commit().await?;
    Ok(n)
}

/// Checks and loads a plan, making it the active one. Errors are the plan file's own problems.
pub async fn load_plan(db: &Db, text: &str, actor: &str) -> Result<Plan, Vec<String>> {
    let plan = Plan::from_toml(text)?;
    let run = async {
        let mut w = db.begin_write().await?;
        let tx = w.conn();
        sqlx::query("UPDATE plan SET active = 0").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM plan WHERE id = $1").bind(plan.id.clone()).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO plan (id, name_zh, name_en, source, active, loaded_at, loaded_by) VALUES ($1, $2, $3, $4, 1, $5, $6)")
            .bind(plan.id.clone())
            .bind(plan.name_zh.clone())
            .bind(plan.name_en.clone())
            .bind(text.to_string())
            .bind(now())
            .bind(actor.to_string())
            .execute(&mut *tx)
            .await?;
        let detail =
            format!("{} indicators, {} designation kinds", plan.indicators.len(), plan.designation_kinds.len());
        audit::record(
            &mut *tx,
            &Entry { actor, action: "plan_load", object: &plan.id, detail: &detail, source: "cli" },
        )
        .await?;
        // A new plan may bring new formulas: their blocks are built before it counts.
        super::blocks::rebuild_on(w.conn()).await?;
        w.commit().await?;
        Ok::<_, StoreError>(())
    };
    run.await.map_err(|e| vec![e.to_string()])?;
    Ok(plan)
}

/// The active plan.
pub async fn active_plan(db: &Db) -> Result<Plan, StoreError> {
    let mut conn = db.pool.acquire().await?;
    active_plan_on(&mut conn).await
}

/// The active plan, read on a given connection (inside a transaction).
pub async fn active_plan_on(conn: &mut sqlx::AnyConnection) -> Result<Plan, StoreError> {
    let row = sqlx::query("SELECT source FROM plan WHERE active = 1").fetch_optional(&mut *conn).await?;
    let text: String = row.ok_or_else(|| StoreError::refused("no plan is loaded: run `vetis plan load FILE`"))?.get(0);
    let mut plan = Plan::from_toml(&text).map_err(|e| StoreError::refused(e.join("; ")))?;
    // The city targets' shares, where the bureau has loaded them; a pack made for another plan
    // (an indicator it names is gone) splits nothing.
    if let Some(shares) = super::packs::active_source(&mut *conn, Kind::TargetShares).await? {
        match TargetShares::parse(&shares, &plan) {
            Ok(s) => plan.shares = s.shares,
            Err(e) => {
                tracing::warn!(target: "vetis::plan", "the loaded target shares do not fit the plan: {}", e.join("; "));
            }
        }
    }
    Ok(plan)
}

/// Loads the city targets' shares (checked against the active plan): they split its city totals
/// among districts and schools from now on. Whether the version was new.
pub async fn load_shares(db: &Db, text: &str, actor: &str, origin: &str) -> Result<bool, StoreError> {
    let plan = active_plan(db).await?;
    let s = TargetShares::parse(text, &plan).map_err(|e| StoreError::refused(e.join("\n")))?;
    let id = super::packs::Identity { id: &s.id, version: &s.version, name_zh: &s.name_zh };
    super::packs::load(db, Kind::TargetShares, &id, text, actor, origin).await
}

//! The measures of a quality report template, for every school of a year at once: counts, sums and
//! distinct values of approved rows, the linked counts (certified graduates by person, the
//! retention of a cohort), and which tables each school has rows in (so that a row without data
//! says so instead of showing 0).

use std::collections::{HashMap, HashSet};

use sqlx::{AssertSqlSafe, Row};

use super::records::{SqlValue, record_table};
use super::sql::{Sql, condition};
use super::{Db, StoreError};
use crate::domain::quality::{Builtin, MeasureDef, MeasureKind, Template};
use crate::domain::standard::Table;

/// Every school's measures of a year.
#[derive(Debug, Default, Clone)]
pub struct Measured {
    /// measure → school → value (schools without a matching row are absent: 0 if their table has
    /// rows, no data otherwise).
    pub values: HashMap<String, HashMap<String, f64>>,
    /// measure → school → distinct values (for `distinct` measures: the city counts their union).
    pub distinct: HashMap<String, HashMap<String, HashSet<String>>>,
    /// table → schools with approved rows of the year.
    pub present: HashMap<Table, HashSet<String>>,
}

fn year_column(m: &MeasureDef, table: Table) -> String {
    m.year_column.clone().or(table.year_column().map(str::to_string)).unwrap_or_else(|| "year".into())
}

async fn fetch(db: &Db, sql: Sql) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
    Ok(sql.bound().fetch_all(&db.pool).await?)
}

/// The measures of a template for every school in `year`.
pub async fn measures(db: &Db, t: &Template, year: i64) -> Result<Measured, StoreError> {
    let mut out = Measured::default();
    let mut tables: Vec<Table> = t.measures.values().filter_map(MeasureDef::table).collect();
    tables.sort();
    tables.dedup();
    for table in tables {
        let yc = table.year_column().unwrap_or("year");
        let sql =
            format!("SELECT DISTINCT school_code FROM {} WHERE is_current = 1 AND {yc} = $1", record_table(table));
        let rows = sqlx::query(AssertSqlSafe(sql)).bind(year).fetch_all(&db.pool).await?;
        out.present.insert(table, rows.iter().map(|r| r.get::<String, _>(0)).collect());
    }
    let mut linked: Option<HashMap<Builtin, HashMap<String, f64>>> = None;
    for (name, m) in &t.measures {
        if let Some(b) = m.builtin {
            if linked.is_none() {
                linked = Some(linked_counts(db, year).await?);
            }
            let by = linked.as_ref().and_then(|l| l.get(&b)).cloned().unwrap_or_default();
            out.values.insert(name.clone(), by);
            continue;
        }
        let Some(table) = m.table() else { continue };
        let yc = year_column(m, table);
        let mut sql = Sql::new();
        let filter = condition(&mut sql, &m.filter);
        let y = sql.param(SqlValue::Int(year));
        let from = format!("FROM {} t WHERE t.is_current = 1 AND {filter} AND t.{yc} = {y}", record_table(table));
        let col = m.column.clone().unwrap_or_default();
        match m.kind {
            MeasureKind::Distinct => {
                sql.text =
                    format!("SELECT DISTINCT t.school_code, CAST(t.{col} AS TEXT) {from} AND t.{col} IS NOT NULL");
                let mut by: HashMap<String, HashSet<String>> = HashMap::new();
                for r in fetch(db, sql).await? {
                    by.entry(r.get(0)).or_default().insert(r.get(1));
                }
                out.values.insert(name.clone(), by.iter().map(|(k, v)| (k.clone(), v.len() as f64)).collect());
                out.distinct.insert(name.clone(), by);
            }
            MeasureKind::Count | MeasureKind::Sum => {
                let agg = match (m.kind, m.column.as_deref()) {
                    (MeasureKind::Sum, Some(c)) => format!("CAST(SUM(t.{c}) AS DOUBLE PRECISION)"),
                    (_, Some(c)) => format!("CAST(COUNT(t.{c}) AS DOUBLE PRECISION)"),
                    _ => "CAST(COUNT(*) AS DOUBLE PRECISION)".into(),
                };
                sql.text = format!("SELECT t.school_code, {agg} {from} GROUP BY t.school_code");
                let by: HashMap<String, f64> = fetch(db, sql)
                    .await?
                    .iter()
                    .filter_map(|r| r.get::<Option<f64>, _>(1).map(|v| (r.get::<String, _>(0), v)))
                    .collect();
                out.values.insert(name.clone(), by);
            }
            MeasureKind::Builtin => {}
        }
    }
    Ok(out)
}

/// The linked counts of a year, per school: certified graduates, and the cohort of Y−2 with
/// those of it retained. Persons are joined in memory by pseudonym (a correlated lookup per
/// person is slow on SQLite without statistics).
async fn linked_counts(db: &Db, year: i64) -> Result<HashMap<Builtin, HashMap<String, f64>>, StoreError> {
    let mut out: HashMap<Builtin, HashMap<String, f64>> = HashMap::new();
    let certified: HashSet<String> = sqlx::query(
        "SELECT DISTINCT id_pseudo FROM rec_certificate WHERE is_current = 1 \
         AND kind IN ('x_certificate', 'vocational_qualification', 'skill_level') AND issued_date <= $1",
    )
    .bind(format!("{year}-12-31"))
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| r.get(0))
    .collect();
    let graduates =
        sqlx::query("SELECT school_code, id_pseudo FROM rec_graduate WHERE is_current = 1 AND graduation_year = $1")
            .bind(year)
            .fetch_all(&db.pool)
            .await?;
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let by = out.entry(Builtin::CertifiedGraduates).or_default();
    for r in &graduates {
        let (school, person): (String, String) = (r.get(0), r.get(1));
        if certified.contains(&person) && seen.insert((school.clone(), person)) {
            *by.entry(school).or_default() += 1.0;
        }
    }
    let cohort = sqlx::query(
        "SELECT DISTINCT school_code, id_pseudo FROM rec_student WHERE is_current = 1 AND year = $1 AND entry_year = $1",
    )
    .bind(year - 2)
    .fetch_all(&db.pool)
    .await?;
    let now: HashSet<(String, String)> =
        sqlx::query("SELECT DISTINCT school_code, id_pseudo FROM rec_student WHERE is_current = 1 AND year = $1")
            .bind(year)
            .fetch_all(&db.pool)
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
    let graduated: HashSet<(String, String)> = sqlx::query(
        "SELECT DISTINCT school_code, id_pseudo FROM rec_graduate WHERE is_current = 1 AND graduation_year <= $1",
    )
    .bind(year)
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let mut base: HashMap<String, f64> = HashMap::new();
    let mut kept: HashMap<String, f64> = HashMap::new();
    for r in &cohort {
        let key: (String, String) = (r.get(0), r.get(1));
        *base.entry(key.0.clone()).or_default() += 1.0;
        if now.contains(&key) || graduated.contains(&key) {
            *kept.entry(key.0.clone()).or_default() += 1.0;
        }
    }
    out.insert(Builtin::RetentionBase, base);
    out.insert(Builtin::Retained, kept);
    Ok(out)
}

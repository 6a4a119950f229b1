//! A formula's raw sums read from the records themselves, never from the blocks: the rows,
//! numerator rows and sum per year (or per group in one year), in the shape `block_sums` gives
//! them, so the figures finish both the same way. This is what the blocks must always agree with
//! (the property tests and `vetis figures check`), how a pending submission is previewed, and the
//! SQL DuckDB runs over the CSV files (`figures::duckdb`).

use std::collections::{BTreeMap, HashMap};

use sqlx::Row;

use super::block_sums::GroupBy;
use super::records::{SqlValue, SubmissionAt, record_table, rows_of_submission};
use super::sql::{Area, Sql, condition};
use super::{Backend, Db, StoreError, dialect};
use crate::domain::plan::{Formula, Measure};
use crate::domain::standard::{Keying, PATHWAYS, Table};

/// Figures as if a pending submission were approved: its rows count and the rows it would
/// replace do not. Nothing is written; this is how a reviewer previews a submission.
#[derive(Debug, Clone)]
pub struct Pending {
    pub submission: i64,
    pub table: Table,
    pub school: String,
    pub year: Option<i64>,
}

impl Pending {
    /// The pending submission as the record tables are keyed.
    pub fn at(&self) -> SubmissionAt<'_> {
        SubmissionAt { id: self.submission, school: &self.school, year: self.year }
    }
}

/// The record table a formula reads, and the column that gives a row's year.
fn table_and_year(f: &Formula) -> Result<(Table, &str), StoreError> {
    let table = Table::from_name(&f.table).ok_or_else(|| StoreError::Internal(format!("unknown table {}", f.table)))?;
    let yc = f
        .year_column
        .as_deref()
        .or(table.year_column())
        .ok_or_else(|| StoreError::Internal(format!("formula over {} has no year column", f.table)))?;
    Ok((table, yc))
}

/// FROM/WHERE shared by every measure: current rows at current schools in the area, filtered.
fn from_where(
    sql: &mut Sql,
    backend: Backend,
    table: Table,
    f: &Formula,
    area: Area<'_>,
    pending: Option<&Pending>,
) -> String {
    let levels = sql.in_list(f.levels.iter().map(|l| SqlValue::text(l)).collect());
    let sponsors = sql.in_list(f.sponsors.iter().map(|s| SqlValue::text(s)).collect());
    let filter = condition(sql, &f.filter);
    // One school's rows are found through the index; wider areas read most of the table.
    let from = match area {
        Area::School(_) => format!("{} t", record_table(table)),
        _ => dialect::scan_table(backend, &record_table(table), "t"),
    };
    let scope_sql = sql.area(area, "k.school_code");
    let current = match pending.filter(|p| p.table == table) {
        None => "t.is_current = 1".to_string(),
        Some(p) => {
            // The pending rows are found by their school and year too: the large tables keep no
            // index by submission (schema v27).
            let pending_rows = rows_of_submission(sql, table, "t", p.at());
            let replaced = match table.spec().keying {
                Keying::SchoolYear { year_column } => {
                    let school = sql.param(SqlValue::text(&p.school));
                    let year = sql.param(p.year.map_or(SqlValue::NullInt, SqlValue::Int));
                    format!("t.school_code = {school} AND t.{year_column} = {year}")
                }
                Keying::Natural { key } => {
                    let id = sql.param(SqlValue::Int(p.submission));
                    let same: Vec<String> = key.iter().map(|k| format!("n.{k} = t.{k}")).collect();
                    format!(
                        "EXISTS (SELECT 1 FROM {} n WHERE n.submission_id = {id} AND {})",
                        record_table(table),
                        same.join(" AND ")
                    )
                }
            };
            format!("((t.is_current = 1 AND NOT ({replaced})) OR ({pending_rows}))")
        }
    };
    format!(
        "FROM {from} JOIN rec_school k ON k.school_code = t.school_code AND k.is_current = 1 \
         WHERE {current} AND k.level IN ({levels}) AND k.sponsor IN ({sponsors}) AND {filter}{scope_sql}"
    )
}

/// The one query that computes a formula's raw sums per year from the records in an area:
/// (year, rows[, numerator rows]) or (year, sum); for a count of schools, each school's first year.
pub fn records_sql(
    backend: Backend,
    f: &Formula,
    area: Area<'_>,
    pending: Option<&Pending>,
) -> Result<Sql, StoreError> {
    let (table, yc) = table_and_year(f)?;
    let mut sql = Sql::new();
    let body = from_where(&mut sql, backend, table, f, area, pending);
    let (select, group) = match f.measure {
        Measure::Count => ("COUNT(*)".to_string(), format!("t.{yc}")),
        Measure::Sum => {
            let col = f.sum_column.as_deref().unwrap_or("0");
            (format!("CAST(SUM(t.{col}) AS DOUBLE PRECISION)"), format!("t.{yc}"))
        }
        Measure::Share => {
            let mut alts = Vec::new();
            for n in &f.numerator {
                alts.push(format!("({})", condition(&mut sql, n)));
            }
            (format!("COUNT(*), SUM(CASE WHEN {} THEN 1 ELSE 0 END)", alts.join(" OR ")), format!("t.{yc}"))
        }
        // The first year each school qualifies; counted cumulatively by the figures.
        Measure::DistinctSchools => (format!("MIN(t.{yc})"), "t.school_code".to_string()),
    };
    sql.text = if f.measure == Measure::DistinctSchools {
        format!("SELECT {select} {body} AND t.{yc} IS NOT NULL GROUP BY {group}")
    } else {
        format!("SELECT t.{yc}, {select} {body} AND t.{yc} IS NOT NULL GROUP BY {group}")
    };
    Ok(sql)
}

/// A formula's sums per year from the records, as `block_sums::sums` gives them from the blocks:
/// (year, rows, numerator rows, sum); a count of schools counts each school in its first year.
pub async fn sums(
    db: &Db,
    f: &Formula,
    area: Area<'_>,
    pending: Option<&Pending>,
) -> Result<Vec<(i64, i64, i64, Option<f64>)>, StoreError> {
    let rows = records_sql(db.backend, f, area, pending)?.bound().fetch_all(&db.pool).await?;
    let mut out: BTreeMap<i64, (i64, i64, Option<f64>)> = BTreeMap::new();
    for row in &rows {
        match f.measure {
            Measure::Count => {
                out.insert(row.get(0), (row.get(1), 0, None));
            }
            Measure::Sum => {
                out.insert(row.get(0), (0, 0, Some(row.get::<Option<f64>, _>(1).unwrap_or(0.0))));
            }
            Measure::Share => {
                let hits: Option<i64> = row.get(2);
                out.insert(row.get(0), (row.get(1), hits.unwrap_or(0), None));
            }
            Measure::DistinctSchools => out.entry(row.get(0)).or_insert((0, 0, None)).0 += 1,
        }
    }
    Ok(out.into_iter().map(|(y, (n, hits, total))| (y, n, hits, total)).collect())
}

/// The SQL expression a formula's rows are grouped by, if its table has what it needs.
pub fn group_expression(by: GroupBy, table: Table) -> Option<&'static str> {
    match by {
        GroupBy::Province => Some("SUBSTR(k.district_code, 1, 2)"),
        GroupBy::District => Some("k.district_code"),
        GroupBy::School => Some("k.school_code"),
        GroupBy::Category => table.column("program_code").map(|_| "SUBSTR(t.program_code, 1, 2)"),
        GroupBy::Pathway => table.column("pathway").map(|_| "t.pathway"),
    }
}

/// A formula's sums in `year` (up to `year` for cumulative ones) from the records, one per group,
/// as `block_sums::grouped` gives them: (key, rows, numerator rows, sum); a count of schools gives
/// the schools in each group as its rows. None when the formula's table cannot be grouped so.
pub async fn grouped(
    db: &Db,
    f: &Formula,
    area: Area<'_>,
    year: i32,
    by: GroupBy,
) -> Result<Option<Vec<(String, i64, i64, Option<f64>)>>, StoreError> {
    let (table, yc) = table_and_year(f)?;
    let Some(group) = group_expression(by, table) else { return Ok(None) };
    let mut sql = Sql::new();
    let body = from_where(&mut sql, db.backend, table, f, area, None);
    let year_cond =
        format!("t.{yc} {} {}", if f.cumulative { "<=" } else { "=" }, sql.param(SqlValue::Int(i64::from(year))));
    let select = match f.measure {
        Measure::Count => "COUNT(*)".to_string(),
        Measure::DistinctSchools => "COUNT(DISTINCT t.school_code)".to_string(),
        Measure::Sum => format!("CAST(SUM(t.{}) AS DOUBLE PRECISION)", f.sum_column.as_deref().unwrap_or("0")),
        Measure::Share => {
            let alts: Vec<String> = f.numerator.iter().map(|n| format!("({})", condition(&mut sql, n))).collect();
            format!("COUNT(*), SUM(CASE WHEN {} THEN 1 ELSE 0 END)", alts.join(" OR "))
        }
    };
    sql.text = format!("SELECT {group}, {select} {body} AND {year_cond} GROUP BY {group} ORDER BY {group}");
    let rows = sql.bound().fetch_all(&db.pool).await?;
    Ok(Some(
        rows.iter()
            .map(|row| {
                let key: String = row.get::<Option<String>, _>(0).unwrap_or_default();
                match f.measure {
                    Measure::Share => (key, row.get(1), row.get::<Option<i64>, _>(2).unwrap_or(0), None),
                    Measure::Sum => (key, 0, 0, row.get::<Option<f64>, _>(1)),
                    Measure::Count | Measure::DistinctSchools => (key, row.get(1), 0, None),
                }
            })
            .collect(),
    ))
}

/// The names of a grouping's keys: provinces, districts, schools, program categories, pathways.
pub async fn group_labels(db: &Db, by: GroupBy) -> Result<HashMap<String, String>, StoreError> {
    let sql = match by {
        // A province's own division code is its two digits and four zeros (440000 广东省).
        GroupBy::Province => {
            "SELECT SUBSTR(code, 1, 2), MAX(name) FROM division WHERE SUBSTR(code, 3, 4) = '0000' GROUP BY SUBSTR(code, 1, 2)"
        }
        GroupBy::District => "SELECT code, name FROM gz_district",
        GroupBy::School => "SELECT school_code, name FROM rec_school WHERE is_current = 1",
        GroupBy::Category => "SELECT DISTINCT code, name FROM catalog_item WHERE item_level = 'CATEGORY'",
        GroupBy::Pathway => return Ok(PATHWAYS.iter().map(|p| (p.key.to_string(), p.zh.to_string())).collect()),
    };
    Ok(sqlx::query(sql).fetch_all(&db.pool).await?.into_iter().map(|r| (r.get(0), r.get(1))).collect())
}

//! Turning a plan formula into one portable SQL query that returns its figure for every year.
//! Column and table names come from the data standard only; every value is a bound parameter.

use std::collections::BTreeMap;

use sqlx::{AssertSqlSafe, Row};

use crate::domain::plan::{Formula, Measure};
use crate::domain::standard::{Keying, Table};
use crate::store::records::{SqlValue, bind, record_table};
pub(crate) use crate::store::sql::{Area, Sql, condition};
use crate::store::{Backend, Db, StoreError, dialect};

/// Whose figures: the whole installation (the city, or the nation), a region (a province or a
/// city: the leading 2 or 4 digits of its districts' codes), one district or one school.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(tag = "kind", content = "code", rename_all = "snake_case")]
pub enum Scope {
    City,
    Region(String),
    District(String),
    School(String),
}

impl Scope {
    /// The rows the scope's figures sum, as the store selects them.
    pub fn area(&self) -> Area<'_> {
        match self {
            Scope::City => Area::All,
            Scope::Region(r) => Area::Region(r),
            Scope::District(d) => Area::District(d),
            Scope::School(s) => Area::School(s),
        }
    }
}

/// A figure for one year: the value and, for ratios, what it is made of.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Point {
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
}

/// Figures as if a pending submission were approved: its rows count and the rows it would
/// replace do not. Nothing is written; this is how a reviewer previews a submission.
#[derive(Debug, Clone)]
pub struct Pending {
    pub submission: i64,
    pub table: Table,
    pub school: String,
    pub year: Option<i64>,
}

/// FROM/WHERE shared by every measure: current rows at current schools in scope, filtered.
pub(crate) fn from_where(
    sql: &mut Sql,
    backend: Backend,
    table: Table,
    f: &Formula,
    scope: &Scope,
    pending: Option<&Pending>,
) -> String {
    let levels = sql.in_list(f.levels.iter().map(|l| SqlValue::text(l)).collect());
    let sponsors = sql.in_list(f.sponsors.iter().map(|s| SqlValue::text(s)).collect());
    let filter = condition(sql, &f.filter);
    // One school's rows are found through the index; wider scopes read most of the table.
    let from = match scope {
        Scope::School(_) => format!("{} t", record_table(table)),
        _ => dialect::scan_table(backend, &record_table(table), "t"),
    };
    let scope_sql = sql.area(scope.area(), "k.school_code");
    let current = match pending.filter(|p| p.table == table) {
        None => "t.is_current = 1".to_string(),
        Some(p) => {
            let id = sql.param(SqlValue::Int(p.submission));
            // The pending rows are found by their school and year too: the large tables keep no
            // index by submission (schema v27).
            let (replaced, pending_rows) = match table.spec().keying {
                Keying::SchoolYear { year_column } => {
                    let school = sql.param(SqlValue::text(&p.school));
                    let year = sql.param(p.year.map_or(SqlValue::NullInt, SqlValue::Int));
                    let same = format!("t.school_code = {school} AND t.{year_column} = {year}");
                    (same.clone(), format!("{same} AND t.submission_id = {id}"))
                }
                Keying::Natural { key } => {
                    let same: Vec<String> = key.iter().map(|k| format!("n.{k} = t.{k}")).collect();
                    let replaced = format!(
                        "EXISTS (SELECT 1 FROM {} n WHERE n.submission_id = {id} AND {})",
                        record_table(table),
                        same.join(" AND ")
                    );
                    (replaced, format!("t.submission_id = {id}"))
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

/// The formula's figure for every year the records have, as `year → point`. Cumulative formulas
/// (designations) give a value for every year from `from_year` to `to_year`.
pub async fn series(
    db: &Db,
    f: &Formula,
    scope: &Scope,
    from_year: i32,
    to_year: i32,
    pending: Option<&Pending>,
) -> Result<BTreeMap<i32, Point>, StoreError> {
    // Figures of what counts now are sums of the building blocks; a preview of a pending
    // submission (and a formula without blocks) reads the records.
    if pending.is_none() && crate::store::blocks::registered(db, f).await? {
        let rows = crate::store::block_sums::sums(db, f, scope.area()).await?;
        let per_year = rows.into_iter().map(|(y, n, hits, total)| (y, (n, hits, total))).collect();
        return Ok(finish(f, per_year, from_year, to_year));
    }
    series_from_records(db, f, scope, from_year, to_year, pending).await
}

/// The formula's figures computed from the records themselves, never from the blocks: what the
/// blocks must always agree with (the property test compares them), and how a preview is made.
pub async fn series_from_records(
    db: &Db,
    f: &Formula,
    scope: &Scope,
    from_year: i32,
    to_year: i32,
    pending: Option<&Pending>,
) -> Result<BTreeMap<i32, Point>, StoreError> {
    let sql = records_sql(db.backend, f, scope, pending)?;
    let mut q = sqlx::query(AssertSqlSafe(sql.text.clone()));
    for p in sql.params.clone() {
        q = bind(q, p);
    }
    let rows = q.fetch_all(&db.pool).await?;
    // The same raw sums as the blocks give: year → (rows, numerator rows, sum).
    let mut raw: BTreeMap<i64, (i64, i64, Option<f64>)> = BTreeMap::new();
    for row in &rows {
        match f.measure {
            Measure::Count => {
                raw.insert(row.get(0), (row.get(1), 0, None));
            }
            Measure::Sum => {
                let n = (0, 0, Some(row.get::<Option<f64>, _>(1).unwrap_or(0.0)));
                raw.insert(row.get(0), n);
            }
            Measure::Share => {
                let num: Option<i64> = row.get(2);
                raw.insert(row.get(0), (row.get(1), num.unwrap_or(0), None));
            }
            Measure::DistinctSchools => raw.entry(row.get(0)).or_insert((0, 0, None)).0 += 1,
        }
    }
    Ok(finish(f, raw, from_year, to_year))
}

/// The one query that computes a formula's raw sums per year from the records in a scope:
/// (year, rows[, numerator rows]) or (year, sum); for a count of schools, each school's first year.
pub(crate) fn records_sql(
    backend: Backend,
    f: &Formula,
    scope: &Scope,
    pending: Option<&Pending>,
) -> Result<Sql, StoreError> {
    let table = Table::from_name(&f.table).ok_or_else(|| StoreError::Internal(format!("unknown table {}", f.table)))?;
    let yc = f
        .year_column
        .as_deref()
        .or(table.year_column())
        .ok_or_else(|| StoreError::Internal("no year column".into()))?;
    let mut sql = Sql::new();
    let body = from_where(&mut sql, backend, table, f, scope, pending);
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
        // The first year each school qualifies; counted cumulatively below.
        Measure::DistinctSchools => (format!("MIN(t.{yc})"), "t.school_code".to_string()),
    };
    sql.text = if f.measure == Measure::DistinctSchools {
        format!("SELECT {select} {body} AND t.{yc} IS NOT NULL GROUP BY {group}")
    } else {
        format!("SELECT t.{yc}, {select} {body} AND t.{yc} IS NOT NULL GROUP BY {group}")
    };
    Ok(sql)
}

/// A formula's figures per year from its raw sums (rows, numerator rows, summed column), wherever
/// they came from: ratios, divisors and cumulative counts are applied here, once.
fn finish(
    f: &Formula,
    raw: BTreeMap<i64, (i64, i64, Option<f64>)>,
    from_year: i32,
    to_year: i32,
) -> BTreeMap<i32, Point> {
    let mut per_year: BTreeMap<i32, Point> = BTreeMap::new();
    for (y, (n, hits, total)) in raw {
        let y = y as i32;
        let point = match f.measure {
            Measure::Count | Measure::DistinctSchools => Point { value: n as f64, numerator: None, denominator: None },
            Measure::Sum => Point { value: total.unwrap_or(0.0), numerator: None, denominator: None },
            // A ratio with no denominator has no value (indicators.md: never 0 or 100).
            Measure::Share if n > 0 => Point {
                value: hits as f64 * 100.0 / n as f64,
                numerator: Some(hits as f64),
                denominator: Some(n as f64),
            },
            Measure::Share => continue,
        };
        per_year.insert(y, point);
    }
    let mut out = BTreeMap::new();
    if f.cumulative {
        let mut running = per_year.range(..from_year).map(|(_, p)| p.value).sum::<f64>();
        for y in from_year..=to_year {
            running += per_year.get(&y).map_or(0.0, |p| p.value);
            out.insert(y, Point { value: running / f.divisor, numerator: None, denominator: None });
        }
    } else {
        for (y, p) in per_year {
            let value = if f.measure == Measure::Share { p.value } else { p.value / f.divisor };
            out.insert(y, Point { value, ..p });
        }
    }
    out
}

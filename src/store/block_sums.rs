//! Reading the formulas' building blocks for the figures: a formula's rows, numerator rows and
//! sum per year, or grouped by province, district, school, category or pathway, summed over the
//! current schools of its levels and sponsors in an area. The blocks are written by `blocks`.

use sqlx::Row;

use super::blocks::formula_key;
use super::records::SqlValue;
use super::sql::{Area, Sql};
use super::{Db, StoreError};
use crate::domain::plan::{Formula, Measure};

/// FROM/WHERE of a formula's blocks at the current schools of its levels and sponsors in an area.
fn blocks_in_scope(sql: &mut Sql, f: &Formula, area: Area<'_>) -> String {
    let key = sql.param(SqlValue::Text(formula_key(f)));
    let levels = sql.in_list(f.levels.iter().map(|l| SqlValue::text(l)).collect());
    let sponsors = sql.in_list(f.sponsors.iter().map(|s| SqlValue::text(s)).collect());
    let scope = sql.area(area, "b.school_code");
    format!(
        "FROM figure_block b JOIN rec_school k ON k.school_code = b.school_code AND k.is_current = 1 \
         WHERE b.formula_key = {key} AND k.level IN ({levels}) AND k.sponsor IN ({sponsors}){scope}"
    )
}

/// What block sums can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Province,
    District,
    School,
    Category,
    Pathway,
}

/// A formula's sums in `year` (up to `year` for cumulative ones), one per group:
/// (key, rows, numerator rows, sum). None when the blocks do not carry the grouping (a count of
/// schools by category is not a sum of blocks).
pub async fn grouped(
    db: &Db,
    f: &Formula,
    area: Area<'_>,
    year: i32,
    by: GroupBy,
) -> Result<Option<Vec<(String, i64, i64, Option<f64>)>>, StoreError> {
    let distinct = f.measure == Measure::DistinctSchools;
    let group = match by {
        GroupBy::Province => "SUBSTR(k.district_code, 1, 2)",
        GroupBy::District => "k.district_code",
        GroupBy::School => "k.school_code",
        GroupBy::Category | GroupBy::Pathway if distinct => return Ok(None),
        GroupBy::Category => "b.category",
        GroupBy::Pathway => "b.pathway",
    };
    let mut sql = Sql::new();
    let from = blocks_in_scope(&mut sql, f, area);
    let when =
        format!("b.year {} {}", if f.cumulative { "<=" } else { "=" }, sql.param(SqlValue::Int(i64::from(year))));
    let n = if distinct { "COUNT(*)" } else { "SUM(b.n)" };
    sql.text = format!(
        "SELECT {group}, CAST({n} AS BIGINT), CAST(SUM(b.hits) AS BIGINT), CAST(SUM(b.total) AS DOUBLE PRECISION) \
         {from} AND {when} GROUP BY {group} ORDER BY {group}"
    );
    let rows = sql.bound().fetch_all(&db.pool).await?;
    Ok(Some(rows.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect()))
}

/// A formula's figure per year from its blocks: (year, rows, numerator rows, sum), for the schools
/// of the formula's levels and sponsors in an area.
pub async fn sums(db: &Db, f: &Formula, area: Area<'_>) -> Result<Vec<(i64, i64, i64, Option<f64>)>, StoreError> {
    let mut sql = Sql::new();
    let from = blocks_in_scope(&mut sql, f, area);
    // DistinctSchools has one block per school, in its first year: counting blocks counts schools.
    let n = if f.measure == Measure::DistinctSchools { "COUNT(*)" } else { "SUM(b.n)" };
    sql.text = format!(
        "SELECT b.year, CAST({n} AS BIGINT), CAST(SUM(b.hits) AS BIGINT), CAST(SUM(b.total) AS DOUBLE PRECISION) \
         {from} GROUP BY b.year"
    );
    Ok(sql.bound().fetch_all(&db.pool).await?.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect())
}

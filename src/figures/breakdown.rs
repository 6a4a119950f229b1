//! Breakdowns of an indicator in one year (indicators.md): by district and by school for every
//! indicator, by program category and by pathway where the records carry them.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::{AssertSqlSafe, Row};

use super::query::{Scope, Sql, condition, from_where};
use crate::domain::plan::{Formula, Measure};
use crate::domain::standard::{PATHWAYS, Table};
use crate::store::records::{SqlValue, bind};
use crate::store::{Db, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum By {
    /// 省: the first two digits of the district's code (a national installation).
    Province,
    District,
    School,
    /// 专业大类: the first two digits of the program code.
    Category,
    Pathway,
}

impl By {
    /// The SQL expression a formula's rows are grouped by, if its table has what it needs.
    fn expression(self, table: Table) -> Option<&'static str> {
        match self {
            By::Province => Some("SUBSTR(k.district_code, 1, 2)"),
            By::District => Some("k.district_code"),
            By::School => Some("k.school_code"),
            By::Category => table.column("program_code").map(|_| "SUBSTR(t.program_code, 1, 2)"),
            By::Pathway => table.column("pathway").map(|_| "t.pathway"),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Group {
    pub key: String,
    pub label: String,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
}

/// The formula's figure for `year`, one per group; None when the table cannot be broken down so.
/// Sums of the building blocks where they carry the grouping, else from the records.
pub async fn breakdown(
    db: &Db,
    f: &Formula,
    scope: &Scope,
    year: i32,
    by: By,
) -> Result<Option<Vec<Group>>, StoreError> {
    let table = Table::from_name(&f.table).ok_or_else(|| StoreError::Internal(format!("unknown table {}", f.table)))?;
    if by.expression(table).is_none() {
        return Ok(None);
    }
    if let Some(groups) = from_blocks(db, f, scope, year, by).await? {
        return Ok(Some(groups));
    }
    breakdown_from_records(db, f, scope, year, by).await
}

/// The breakdown computed from the records themselves (what the blocks must agree with).
pub async fn breakdown_from_records(
    db: &Db,
    f: &Formula,
    scope: &Scope,
    year: i32,
    by: By,
) -> Result<Option<Vec<Group>>, StoreError> {
    let table = Table::from_name(&f.table).ok_or_else(|| StoreError::Internal(format!("unknown table {}", f.table)))?;
    let Some(group) = by.expression(table) else { return Ok(None) };
    let yc = f
        .year_column
        .as_deref()
        .or(table.year_column())
        .ok_or_else(|| StoreError::Internal("no year column".into()))?;
    let mut sql = Sql::new();
    let body = from_where(&mut sql, db.backend, table, f, scope, None);
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
    let mut q = sqlx::query(AssertSqlSafe(sql.text.clone()));
    for p in sql.params.clone() {
        q = bind(q, p);
    }
    let labels = labels(db, by).await?;
    let mut out = Vec::new();
    for row in q.fetch_all(&db.pool).await? {
        let key: Option<String> = row.get(0);
        let key = key.unwrap_or_default();
        let (value, numerator, denominator) = match f.measure {
            Measure::Share => {
                let den: i64 = row.get(1);
                let num: Option<i64> = row.get(2);
                let num = num.unwrap_or(0) as f64;
                let v = (den > 0).then(|| num * 100.0 / den as f64);
                (v, Some(num), Some(den as f64))
            }
            Measure::Sum => (row.get::<Option<f64>, _>(1).map(|v| v / f.divisor), None, None),
            _ => (Some(row.get::<i64, _>(1) as f64 / f.divisor), None, None),
        };
        let label = labels.get(&key).cloned().unwrap_or_else(|| key.clone());
        out.push(Group { key, label, value, numerator, denominator });
    }
    Ok(Some(out))
}

/// The breakdown as sums of the building blocks, when the formula has them and they carry the grouping.
async fn from_blocks(db: &Db, f: &Formula, scope: &Scope, year: i32, by: By) -> Result<Option<Vec<Group>>, StoreError> {
    use crate::store::block_sums::{self, GroupBy};
    use crate::store::blocks;
    if !blocks::registered(db, f).await? {
        return Ok(None);
    }
    let area = scope.area();
    let g = match by {
        By::Province => GroupBy::Province,
        By::District => GroupBy::District,
        By::School => GroupBy::School,
        By::Category => GroupBy::Category,
        By::Pathway => GroupBy::Pathway,
    };
    let Some(rows) = block_sums::grouped(db, f, area, year, g).await? else { return Ok(None) };
    let labels = labels(db, by).await?;
    Ok(Some(
        rows.into_iter()
            .map(|(key, n, hits, total)| {
                let (value, numerator, denominator) = match f.measure {
                    Measure::Share => {
                        ((n > 0).then(|| hits as f64 * 100.0 / n as f64), Some(hits as f64), Some(n as f64))
                    }
                    Measure::Sum => (total.map(|v| v / f.divisor), None, None),
                    _ => (Some(n as f64 / f.divisor), None, None),
                };
                let label = labels.get(&key).cloned().unwrap_or_else(|| key.clone());
                Group { key, label, value, numerator, denominator }
            })
            .collect(),
    ))
}

async fn labels(db: &Db, by: By) -> Result<HashMap<String, String>, StoreError> {
    let sql = match by {
        // A province's own division code is its two digits and four zeros (440000 广东省).
        By::Province => {
            "SELECT SUBSTR(code, 1, 2), MAX(name) FROM division WHERE SUBSTR(code, 3, 4) = '0000' GROUP BY SUBSTR(code, 1, 2)"
        }
        By::District => "SELECT code, name FROM gz_district",
        By::School => "SELECT school_code, name FROM rec_school WHERE is_current = 1",
        By::Category => "SELECT DISTINCT code, name FROM catalog_item WHERE item_level = 'CATEGORY'",
        By::Pathway => return Ok(PATHWAYS.iter().map(|p| (p.key.to_string(), p.zh.to_string())).collect()),
    };
    Ok(sqlx::query(sql).fetch_all(&db.pool).await?.into_iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// One line of a comparison: a district's, province's or school's value of every indicator.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub key: String,
    pub label: String,
    /// In the plan's order of indicators; None where a breakdown has no value for the key.
    pub values: Vec<Option<f64>>,
}

/// Each indicator's breakdown (in the plan's order) merged into one line per key, sorted by key:
/// what a dashboard compares, computed once per scope and year rather than on every request.
pub fn lines(breakdowns: &[Option<Vec<Group>>]) -> Vec<Line> {
    let mut by_key: HashMap<&str, Line> = HashMap::new();
    for (i, groups) in breakdowns.iter().enumerate() {
        for g in groups.iter().flatten() {
            let line = by_key.entry(&g.key).or_insert_with(|| Line {
                key: g.key.clone(),
                label: g.label.clone(),
                values: vec![None; breakdowns.len()],
            });
            line.values[i] = g.value;
        }
    }
    let mut out: Vec<Line> = by_key.into_values().collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(key: &str, value: f64) -> Group {
        Group { key: key.into(), label: format!("名{key}"), value: Some(value), numerator: None, denominator: None }
    }

    #[test]
    fn lines_merge_each_indicators_groups_by_key_in_key_order_leaving_gaps_empty() {
        let got = lines(&[Some(vec![group("b", 1.0), group("a", 2.0)]), None, Some(vec![group("c", 3.0)])]);
        let want = vec![
            Line { key: "a".into(), label: "名a".into(), values: vec![Some(2.0), None, None] },
            Line { key: "b".into(), label: "名b".into(), values: vec![Some(1.0), None, None] },
            Line { key: "c".into(), label: "名c".into(), values: vec![None, None, Some(3.0)] },
        ];
        assert_eq!(got, want);
    }
}

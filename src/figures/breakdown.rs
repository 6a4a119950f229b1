//! Breakdowns of an indicator in one year (indicators.md): by district and by school for every
//! indicator, by program category and by pathway where the records carry them.

use std::collections::HashMap;

use serde::Serialize;

use super::query::Scope;
use crate::domain::plan::{Formula, Measure};
use crate::domain::standard::Table;
use crate::store::block_sums::{self, GroupBy};
use crate::store::{Db, StoreError, blocks, record_sums};

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

impl From<By> for GroupBy {
    fn from(by: By) -> GroupBy {
        match by {
            By::Province => GroupBy::Province,
            By::District => GroupBy::District,
            By::School => GroupBy::School,
            By::Category => GroupBy::Category,
            By::Pathway => GroupBy::Pathway,
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
    if record_sums::group_expression(by.into(), table).is_none() {
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
    let Some(rows) = record_sums::grouped(db, f, scope.area(), year, by.into()).await? else { return Ok(None) };
    Ok(Some(groups(db, f, by, rows).await?))
}

/// The breakdown as sums of the building blocks, when the formula has them and they carry the grouping.
async fn from_blocks(db: &Db, f: &Formula, scope: &Scope, year: i32, by: By) -> Result<Option<Vec<Group>>, StoreError> {
    if !blocks::registered(db, f).await? {
        return Ok(None);
    }
    let Some(rows) = block_sums::grouped(db, f, scope.area(), year, by.into()).await? else { return Ok(None) };
    Ok(Some(groups(db, f, by, rows).await?))
}

/// Each group's figure from its sums (key, rows, numerator rows, sum), blocks' or records', named.
async fn groups(
    db: &Db,
    f: &Formula,
    by: By,
    rows: Vec<(String, i64, i64, Option<f64>)>,
) -> Result<Vec<Group>, StoreError> {
    let labels = record_sums::group_labels(db, by.into()).await?;
    Ok(rows
        .into_iter()
        .map(|(key, n, hits, total)| {
            let (value, numerator, denominator) = match f.measure {
                Measure::Share => ((n > 0).then(|| hits as f64 * 100.0 / n as f64), Some(hits as f64), Some(n as f64)),
                Measure::Sum => (total.map(|v| v / f.divisor), None, None),
                _ => (Some(n as f64 / f.divisor), None, None),
            };
            let label = labels.get(&key).cloned().unwrap_or_else(|| key.clone());
            Group { key, label, value, numerator, denominator }
        })
        .collect())
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

//! A plan formula's figure for every year in a scope: sums of the building blocks for what
//! counts now, or of the records themselves (`store::record_sums`) for a preview and a check,
//! finished here the same way (ratios, divisors, cumulative counts).

use std::collections::BTreeMap;

use crate::domain::plan::{Formula, Measure};
pub use crate::store::record_sums::Pending;
use crate::store::sql::Area;
use crate::store::{Db, StoreError};

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
        return Ok(finish(f, rows, from_year, to_year));
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
    let rows = crate::store::record_sums::sums(db, f, scope.area(), pending).await?;
    Ok(finish(f, rows, from_year, to_year))
}

/// A formula's figures per year from its raw sums (year, rows, numerator rows, summed column),
/// blocks' or records': ratios, divisors and cumulative counts are applied here, once.
fn finish(f: &Formula, raw: Vec<(i64, i64, i64, Option<f64>)>, from_year: i32, to_year: i32) -> BTreeMap<i32, Point> {
    let mut per_year: BTreeMap<i32, Point> = BTreeMap::new();
    for (y, n, hits, total) in raw {
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

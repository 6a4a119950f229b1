//! The plan's key indicators for a scope and year: value, target, status, projection and the
//! series behind them (indicators.md).

use serde::Serialize;

use super::query::{Pending, Point, Scope, series};
use crate::domain::plan::{Indicator, Measure, Plan, TargetScope};
use crate::domain::shares::share_of;
use crate::domain::status::{Assessment, Judgement, Status};
use crate::store::{Db, StoreError};

#[derive(Debug, Clone, Serialize)]
pub struct InterimResult {
    pub year: i32,
    pub target: f64,
    pub status: Status,
    pub projection: Option<f64>,
}

/// One indicator, judged for one year. `value` is unrounded; rounding is for display only.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorResult {
    pub id: String,
    pub number: u32,
    pub name: String,
    pub name_en: String,
    pub year: i32,
    pub value: Option<f64>,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub unit: String,
    pub unit_en: String,
    pub decimals: u32,
    pub baseline: Option<f64>,
    pub baseline_year: i32,
    /// None where the plan sets no target at this scope.
    pub target: Option<f64>,
    /// Where the target is a share of the city's, as the bureau split it: the share in per cent.
    pub target_share: Option<f64>,
    pub target_year: i32,
    pub comparator: String,
    pub comparator_symbol: String,
    pub attribute: String,
    pub status: Status,
    pub alert: bool,
    pub projection_2025: Option<f64>,
    pub crossing_year: Option<i32>,
    pub interim: Vec<InterimResult>,
    pub scope: Scope,
    /// Values from the baseline year to `year`.
    pub series: Vec<(i32, f64)>,
}

fn judge(
    ind: &Indicator,
    plan: &Plan,
    values: &[(i32, f64)],
    year: i32,
    target_year: i32,
    target: f64,
    scope: &Scope,
) -> Assessment {
    // Below the city, the line starts at the scope's own first value when it has one.
    let baseline = match scope {
        Scope::City => ind.baseline,
        _ => values.iter().find(|(y, _)| *y == plan.baseline_year).map(|(_, v)| *v).or(ind.baseline),
    };
    Judgement {
        baseline_year: plan.baseline_year,
        baseline,
        target_year,
        target,
        comparator: ind.comparator,
        values,
        year,
        bounds: (ind.formula.measure == Measure::Share).then_some((0.0, 100.0)),
    }
    .assess()
}

pub async fn indicator(
    db: &Db,
    plan: &Plan,
    ind: &Indicator,
    scope: &Scope,
    year: i32,
    pending: Option<&Pending>,
) -> Result<IndicatorResult, StoreError> {
    let all = series(db, &ind.formula, scope, plan.baseline_year, year.max(plan.target_year), pending).await?;
    let values: Vec<(i32, f64)> =
        all.iter().filter(|(y, _)| **y >= plan.baseline_year && **y <= year).map(|(y, p)| (*y, p.value)).collect();
    let point: Option<&Point> = all.get(&year);
    // A city total's target reaches a district or a school only through the share the bureau
    // gave it; a ratio's target applies everywhere.
    let share = match scope {
        Scope::City | Scope::Region(_) => None,
        Scope::District(d) => share_of(&plan.shares, &ind.id, Some(d), None),
        Scope::School(c) => share_of(&plan.shares, &ind.id, None, Some(c)),
    }
    .filter(|_| ind.target_scope == TargetScope::City)
    .map(|s| s.percent);
    let part = share.map_or(1.0, |p| p / 100.0);
    let target = ind.target * part;
    let has_target = ind.target_scope == TargetScope::All || *scope == Scope::City || share.is_some();
    let a = if has_target {
        judge(ind, plan, &values, year, plan.target_year, target, scope)
    } else {
        let base = judge(ind, plan, &values, year, plan.target_year, target, scope);
        Assessment {
            status: if point.is_some() { Status::NoTarget } else { Status::NoData },
            crossing_year: None,
            ..base
        }
    };
    // In a mid-term year the status judges the mid-term target: met or not met.
    let mut a = a;
    if has_target && let Some(i) = ind.interim.iter().find(|i| i.year == year) {
        a.status = judge(ind, plan, &values, year, i.year, i.target * part, scope).status;
    }
    let interim = if has_target {
        ind.interim
            .iter()
            .filter(|i| year <= i.year)
            .map(|i| {
                let a = judge(ind, plan, &values, year, i.year, i.target * part, scope);
                InterimResult { year: i.year, target: i.target * part, status: a.status, projection: a.projection }
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(IndicatorResult {
        id: ind.id.clone(),
        number: ind.number,
        name: ind.name_zh.clone(),
        name_en: ind.name_en.clone(),
        year,
        value: point.map(|p| p.value),
        numerator: point.and_then(|p| p.numerator),
        denominator: point.and_then(|p| p.denominator),
        unit: ind.unit_zh.clone(),
        unit_en: ind.unit_en.clone(),
        decimals: ind.decimals,
        // The plan's baseline is the city's; a district or a school has its own baseline year's
        // figure, or none.
        baseline: match scope {
            Scope::City => ind.baseline,
            _ => values.iter().find(|(y, _)| *y == plan.baseline_year).map(|(_, v)| *v),
        },
        baseline_year: plan.baseline_year,
        target: has_target.then_some(target),
        target_share: share,
        target_year: plan.target_year,
        comparator: ind.comparator.key().to_string(),
        comparator_symbol: ind.comparator.symbol().to_string(),
        attribute: ind.attribute.key().to_string(),
        status: a.status,
        alert: ind.attribute == crate::domain::plan::Attribute::Binding && a.status.is_alarming(),
        projection_2025: if point.is_some() { a.projection } else { None },
        crossing_year: a.crossing_year,
        interim,
        scope: scope.clone(),
        series: values,
    })
}

/// Every key indicator of the plan for a scope and year.
pub async fn compute(db: &Db, plan: &Plan, scope: &Scope, year: i32) -> Result<Vec<IndicatorResult>, StoreError> {
    compute_with(db, plan, scope, year, None).await
}

/// Every key indicator, optionally as if a pending submission were approved.
pub async fn compute_with(
    db: &Db,
    plan: &Plan,
    scope: &Scope,
    year: i32,
    pending: Option<&Pending>,
) -> Result<Vec<IndicatorResult>, StoreError> {
    let mut out = Vec::with_capacity(plan.indicators.len());
    for ind in &plan.indicators {
        out.push(indicator(db, plan, ind, scope, year, pending).await?);
    }
    Ok(out)
}

/// The latest statistical year with students on record, else `fallback`.
pub async fn latest_year(db: &Db, fallback: i32) -> Result<i32, StoreError> {
    let y = crate::store::submissions::latest_approved_year(db, crate::domain::standard::Table::Student).await?;
    Ok(y.map_or(fallback, |y| y as i32))
}

/// Formats a value as the plan shows it: shares to one decimal, 万 figures to two, counts exact,
/// thousands separated (`195,994`).
pub fn display(value: Option<f64>, decimals: u32) -> String {
    match value {
        None => "—".into(),
        Some(v) => crate::messages::numbers::grouped(v, decimals as usize),
    }
}

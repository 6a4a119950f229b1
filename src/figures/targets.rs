//! Every target of the plan for a scope and year: the ten key indicators, the counted targets
//! and the rules, each with value, target and status (the `vetis targets` and report model).

use serde::Serialize;

use super::counted::{counts_by_year, designations, in_construction, schools_of};
use super::indicators::{IndicatorResult, compute, display};
use super::query::Scope;
use super::rules::{Detail, Failure, evaluate};
use crate::domain::plan::{Comparator, Plan};
use crate::domain::status::{Judgement, Status};
use crate::domain::targets::Check;
use crate::domain::targets::{CountedTarget, Rule};
use crate::store::{Db, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    Key,
    Counted,
    Rule,
}

impl TargetKind {
    pub fn zh(self) -> &'static str {
        match self {
            TargetKind::Key => "主要指标",
            TargetKind::Counted => "数量目标",
            TargetKind::Rule => "规则",
        }
    }
}

/// One target judged in one year.
#[derive(Debug, Clone, Serialize)]
pub struct TargetResult {
    pub id: String,
    pub kind: TargetKind,
    pub name: String,
    pub name_en: String,
    pub section: String,
    pub year: i32,
    pub value: Option<f64>,
    /// What passes (rules) or the numerator (key shares); with `denominator`.
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    pub unit: String,
    pub unit_en: String,
    pub decimals: u32,
    pub target: Option<f64>,
    pub target_max: Option<f64>,
    pub comparator_symbol: String,
    pub target_year: i32,
    pub baseline: Option<f64>,
    pub status: Status,
    pub projection: Option<f64>,
    pub attribute: Option<String>,
    pub note: Option<String>,
    /// The note in English.
    pub note_en: Option<String>,
    pub series: Vec<(i32, f64)>,
}

impl TargetResult {
    /// The target as the plan states it: "≥8", "6–8", "↑" (rising) or "—" (none).
    pub fn target_text(&self) -> String {
        let fmt = |v: f64| display(Some(v), if v.fract() == 0.0 { 0 } else { self.decimals });
        match (self.target, self.target_max) {
            (Some(a), Some(b)) => format!("{}–{}", fmt(a), fmt(b)),
            (Some(a), None) => format!("{}{}", self.comparator_symbol, fmt(a)),
            (None, _) if self.comparator_symbol == "↑" => "↑".into(),
            (None, _) => "—".into(),
        }
    }
}

fn judge(
    plan: &Plan,
    bounds: Option<(f64, f64)>,
    comparator: Comparator,
    target: Option<f64>,
    target_year: i32,
    series: &[(i32, f64)],
    year: i32,
) -> (Status, Option<f64>) {
    let Some(target) = target else {
        return (if series.iter().any(|(y, _)| *y == year) { Status::NoTarget } else { Status::NoData }, None);
    };
    let baseline = series.iter().find(|(y, _)| *y == plan.baseline_year).map(|(_, v)| *v);
    let a = Judgement {
        baseline_year: plan.baseline_year,
        baseline,
        target_year,
        target,
        comparator,
        values: series,
        year,
        bounds,
    }
    .assess();
    (a.status, a.projection)
}

/// A key indicator as a target row.
pub fn from_key(r: &IndicatorResult) -> TargetResult {
    TargetResult {
        id: r.id.clone(),
        kind: TargetKind::Key,
        name: r.name.clone(),
        name_en: r.name_en.clone(),
        section: format!("主要指标 {}", r.number),
        year: r.year,
        value: r.value,
        numerator: r.numerator,
        denominator: r.denominator,
        unit: r.unit.clone(),
        unit_en: r.unit_en.clone(),
        decimals: r.decimals,
        target: r.target,
        target_max: None,
        comparator_symbol: r.comparator_symbol.clone(),
        target_year: r.target_year,
        baseline: r.baseline,
        status: r.status,
        projection: r.projection_2025,
        attribute: Some(r.attribute.clone()),
        note: None,
        note_en: None,
        series: r.series.clone(),
    }
}

/// A counted target in a scope: the count (with its trend) or, for "in every district" and
/// "every school" targets, how many districts or schools meet it.
pub async fn counted(
    db: &Db,
    plan: &Plan,
    t: &CountedTarget,
    scope: &Scope,
    year: i32,
) -> Result<TargetResult, StoreError> {
    let kind = plan.designation_kind(&t.designation_kind);
    let rows = designations(db, t, scope).await?;
    let counts = counts_by_year(&rows, t, plan.baseline_year, year);
    let mut r = TargetResult {
        id: t.designation_kind.clone(),
        kind: TargetKind::Counted,
        name: kind.map_or(t.designation_kind.clone(), |k| k.name_zh.clone()),
        name_en: kind.map_or(t.designation_kind.clone(), |k| k.name_en.clone()),
        section: t.section.clone(),
        year,
        value: counts.get(&year).copied(),
        numerator: None,
        denominator: None,
        unit: "个".into(),
        unit_en: "".into(),
        decimals: 0,
        target: if *scope == Scope::City { t.target } else { None },
        target_max: if *scope == Scope::City { t.target_max } else { None },
        comparator_symbol: t.comparator.symbol().into(),
        target_year: t.target_year,
        baseline: counts.get(&plan.baseline_year).copied(),
        status: Status::NoTarget,
        projection: None,
        attribute: None,
        note: t.note_zh.clone(),
        note_en: t.note_en.clone(),
        series: counts.into_iter().collect(),
    };
    let building = in_construction(&rows, year);
    if building > 0 && !t.statuses.iter().any(|s| s == "in_progress") {
        r.note = Some(format!("{}另有 {building} 个在建", r.note.map(|n| format!("{n}；")).unwrap_or_default()));
        r.note_en = Some(format!(
            "{}{building} more under construction",
            r.note_en.map(|n| format!("{n}; ")).unwrap_or_default()
        ));
    }
    if t.per_district && !matches!(scope, Scope::School(_)) {
        // The target holds in each district: count the districts that reach it.
        let districts: Vec<String> =
            crate::store::registry::districts(db).await?.into_iter().map(|(code, _)| code).collect();
        let districts: Vec<String> = match scope {
            Scope::District(d) => vec![d.clone()],
            Scope::Region(r) => districts.into_iter().filter(|d| d.starts_with(r.as_str())).collect(),
            _ => districts,
        };
        let need = t.target.unwrap_or(1.0);
        let mut series = Vec::new();
        for y in plan.baseline_year..=year {
            let n = districts
                .iter()
                .filter(|d| {
                    rows.iter()
                        .filter(|r| &r.district_code == *d && r.counts_from(t).is_some_and(|c| c <= i64::from(y)))
                        .count() as f64
                        >= need
                })
                .count();
            series.push((y, n as f64));
        }
        r.value = series.last().map(|s| s.1);
        r.unit = "个区".into();
        r.unit_en = "districts".into();
        r.target = Some(districts.len() as f64);
        r.target_max = None;
        r.comparator_symbol = "≥".into();
        r.note = Some(format!("每区 {need}–{} 所", t.target_max.unwrap_or(need)));
        r.note_en = Some(format!("{need}–{} schools in each district", t.target_max.unwrap_or(need)));
        r.series = series;
    }
    if !t.every_school_of.is_empty() {
        let schools = schools_of(db, &t.every_school_of, scope).await?;
        let mut series = Vec::new();
        for y in plan.baseline_year..=year {
            let holding: std::collections::BTreeSet<&String> = rows
                .iter()
                .filter(|r| schools.contains_key(&r.school_code) && r.counts_from(t).is_some_and(|c| c <= i64::from(y)))
                .map(|r| &r.school_code)
                .collect();
            series.push((y, holding.len() as f64));
        }
        r.value = series.last().map(|s| s.1);
        r.unit = "所".into();
        r.unit_en = "schools".into();
        r.target = Some(schools.len() as f64);
        r.comparator_symbol = "≥".into();
        r.series = series;
    }
    let comparator = if t.per_district || !t.every_school_of.is_empty() { Comparator::AtLeast } else { t.comparator };
    let (status, projection) = judge(plan, None, comparator, r.target, t.target_year, &r.series, year);
    r.status = status;
    r.projection = projection;
    Ok(r)
}

/// A rule in a scope, and the failures behind it.
pub async fn rule(
    db: &Db,
    plan: &Plan,
    rule: &Rule,
    scope: &Scope,
    year: i32,
) -> Result<(TargetResult, Vec<Failure>), StoreError> {
    judge_rule(db, plan, rule, scope, year, Detail::Failures).await
}

/// A rule in a scope, without its failures: what a list of targets shows.
pub async fn rule_counts(
    db: &Db,
    plan: &Plan,
    rule: &Rule,
    scope: &Scope,
    year: i32,
) -> Result<TargetResult, StoreError> {
    Ok(judge_rule(db, plan, rule, scope, year, Detail::Counts).await?.0)
}

/// A rule in a scope, its failures read only as `detail` asks.
async fn judge_rule(
    db: &Db,
    plan: &Plan,
    rule: &Rule,
    scope: &Scope,
    year: i32,
    detail: Detail,
) -> Result<(TargetResult, Vec<Failure>), StoreError> {
    let mut outcomes = evaluate(db, plan, rule, scope, year, detail).await?;
    // A school is judged by its own ratio (2,500 person-times ÷ 30 students = 83.3 against ≥ 2),
    // not by the share of passing schools, which for one school is 0 or 100 %.
    let by_ratio = rule.check == Check::TrainingToEnrolment && matches!(scope, Scope::School(_));
    let series: Vec<(i32, f64)> =
        outcomes.iter().filter_map(|(y, o)| if by_ratio { o.ratio } else { o.value() }.map(|v| (*y, v))).collect();
    let now = outcomes.remove(&year).unwrap_or_default();
    let value = if by_ratio { now.ratio } else { now.value() };
    let (target, comparator) = if by_ratio {
        (Some(rule.min_ratio.unwrap_or(2.0)), Comparator::AtLeast)
    } else {
        (rule.target, rule.comparator)
    };
    let (status, projection) = if rule.rising {
        let previous = series.iter().rev().find(|(y, _)| *y < year).map(|(_, v)| *v);
        match (value, previous) {
            (None, _) => (Status::NoData, None),
            (Some(_), None) => (Status::NoTarget, None),
            (Some(v), Some(p)) => (if v > p { Status::Met } else { Status::OffTrack }, None),
        }
    } else if by_ratio {
        // Each year's ratio is met or not: the rule sets no baseline to draw a line from.
        match value {
            None => (Status::NoData, None),
            Some(v) if comparator.satisfied(v, target.unwrap_or(2.0)) => (Status::Met, None),
            Some(_) if year >= rule.target_year => (Status::NotMet, None),
            Some(_) => (Status::OffTrack, None),
        }
    } else {
        judge(plan, Some((0.0, 100.0)), comparator, target, rule.target_year, &series, year)
    };
    let result = TargetResult {
        id: rule.id.clone(),
        kind: TargetKind::Rule,
        name: rule.name_zh.clone(),
        name_en: rule.name_en.clone(),
        section: rule.section.clone(),
        year,
        value,
        numerator: (!by_ratio).then_some(now.passed),
        denominator: (!by_ratio).then_some(now.total),
        unit: if by_ratio { "人次/人".into() } else { "%".into() },
        unit_en: if by_ratio { "person-times per student".into() } else { "%".into() },
        decimals: if by_ratio { 2 } else { 1 },
        target,
        target_max: None,
        comparator_symbol: if rule.rising { "↑".into() } else { comparator.symbol().into() },
        target_year: rule.target_year,
        baseline: series.iter().find(|(y, _)| *y == plan.baseline_year).map(|(_, v)| *v),
        status,
        projection,
        attribute: None,
        note: rule.rising.then(|| "逐年提高".to_string()),
        note_en: rule.rising.then(|| "rising every year".to_string()),
        series,
    };
    Ok((result, now.failures))
}

/// Every target of the plan for a scope and year: key indicators, counted targets, rules.
pub async fn all(db: &Db, plan: &Plan, scope: &Scope, year: i32) -> Result<Vec<TargetResult>, StoreError> {
    let indicators = compute(db, plan, scope, year).await?;
    all_with(db, plan, scope, year, &indicators).await
}

/// Every target, the key indicators given already computed (the evaluation needs them too).
pub async fn all_with(
    db: &Db,
    plan: &Plan,
    scope: &Scope,
    year: i32,
    indicators: &[IndicatorResult],
) -> Result<Vec<TargetResult>, StoreError> {
    let mut out: Vec<TargetResult> = indicators.iter().map(from_key).collect();
    for t in &plan.targets {
        out.push(counted(db, plan, t, scope, year).await?);
    }
    // The list shows each rule's counts; its failures are for its own page.
    for r in &plan.rules {
        out.push(judge_rule(db, plan, r, scope, year, Detail::Counts).await?.0);
    }
    Ok(out)
}

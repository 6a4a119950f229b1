//! Teacher figures of a scope (the Teachers issue): the register of dual-qualified recognitions by
//! level and how each stands today, applications waiting for the panel, recognitions due for
//! review within a year; the two dual-qualified indicators counted from the claims and from the
//! register side by side; and the practice, new-teacher practice and training-cycle rules.

use chrono::NaiveDate;
use serde::Serialize;

use super::query::{Scope, series};
use crate::domain::dual::Level;
use crate::domain::dual::register::{IndicatorSource, Standing};
use crate::domain::plan::Plan;
use crate::domain::targets::Check;
use crate::store::rule_sums::{self, Within};
use crate::store::{Db, StoreError};

/// Recognitions of one level by how they stand.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LevelCount {
    pub level: String,
    pub objection: i64,
    pub active: i64,
    pub review_due: i64,
    pub expired: i64,
    pub suspended: i64,
    pub revoked: i64,
}

impl LevelCount {
    /// In force or about to be: what the register holds as dual-qualified today.
    pub fn in_force(&self) -> i64 {
        self.active + self.review_due
    }
}

/// A dual-qualified indicator counted both ways.
#[derive(Debug, Clone, Serialize)]
pub struct SideBySide {
    pub indicator: String,
    pub name_zh: String,
    pub name_en: String,
    /// Which of the two the plan counts the indicator by.
    pub source: IndicatorSource,
    pub claims: Option<(f64, f64, f64)>,
    pub register: Option<(f64, f64, f64)>,
}

/// A teacher rule's share that passes in the year.
#[derive(Debug, Clone, Serialize)]
pub struct RuleShare {
    pub rule: String,
    pub name_zh: String,
    pub name_en: String,
    pub passed: f64,
    pub total: f64,
    pub value: Option<f64>,
}

/// The teacher figures of a scope.
#[derive(Debug, Clone, Serialize)]
pub struct TeacherFigures {
    pub year: i32,
    pub today: String,
    pub levels: Vec<LevelCount>,
    pub pending_applications: i64,
    /// In force and due for review within a year.
    pub expiring_within_year: i64,
    pub dual: Vec<SideBySide>,
    pub rules: Vec<RuleShare>,
}

/// The figures of `scope` for `year`, with recognitions judged as they stand on `today`.
pub async fn figures(
    db: &Db,
    plan: &Plan,
    scope: &Scope,
    year: i32,
    today: NaiveDate,
) -> Result<TeacherFigures, StoreError> {
    let area = scope.area();
    let schools = rule_sums::schools(db, &Within { area, levels: &[], sponsor: None }).await?;
    let mut levels: Vec<LevelCount> = [Level::Elementary, Level::Intermediate, Level::Advanced]
        .iter()
        .map(|l| LevelCount { level: l.key().into(), ..LevelCount::default() })
        .collect();
    for (_, r) in crate::store::dual::register::recognitions(db, area.school()).await? {
        if !schools.contains_key(&r.school_code) {
            continue;
        }
        let c = &mut levels[r.level as usize];
        match r.standing(today) {
            Standing::Objection => c.objection += 1,
            Standing::Active => c.active += 1,
            Standing::ReviewDue => c.review_due += 1,
            Standing::Expired => c.expired += 1,
            Standing::Suspended => c.suspended += 1,
            Standing::Revoked => c.revoked += 1,
        }
    }
    let pending = crate::store::dual::register::applications(db, area.school(), true)
        .await?
        .iter()
        .filter(|a| schools.contains_key(&a.school_code))
        .count() as i64;
    let mut dual = Vec::new();
    for ind in &plan.indicators {
        let Some(alt) = plan.dual_alternate(&ind.id) else { continue };
        let point = |m: std::collections::BTreeMap<i32, super::query::Point>| {
            m.get(&year).map(|p| (p.value, p.numerator.unwrap_or(0.0), p.denominator.unwrap_or(0.0)))
        };
        let own = point(series(db, &ind.formula, scope, year, year, None).await?);
        let other = point(series(db, alt, scope, year, year, None).await?);
        let source = plan.dual_register.indicator_source;
        let (claims, register) = match source {
            IndicatorSource::Claims => (own, other),
            IndicatorSource::Register => (other, own),
        };
        dual.push(SideBySide {
            indicator: ind.id.clone(),
            name_zh: ind.name_zh.clone(),
            name_en: ind.name_en.clone(),
            source,
            claims,
            register,
        });
    }
    let mut rules = Vec::new();
    for rule in plan
        .rules
        .iter()
        .filter(|r| matches!(r.check, Check::Practice | Check::NewTeacherPractice | Check::TrainingCycle))
    {
        let outcomes = super::rules::evaluate(db, plan, rule, scope, year, super::rules::Detail::Counts).await?;
        let o = outcomes.get(&year).cloned().unwrap_or_default();
        rules.push(RuleShare {
            rule: rule.id.clone(),
            name_zh: rule.name_zh.clone(),
            name_en: rule.name_en.clone(),
            passed: o.passed,
            total: o.total,
            value: o.value(),
        });
    }
    Ok(TeacherFigures {
        year,
        today: today.to_string(),
        expiring_within_year: levels.iter().map(|l| l.review_due).sum(),
        levels,
        pending_applications: pending,
        dual,
        rules,
    })
}

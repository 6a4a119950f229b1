//! Rules checked on records (plan-targets.md §3): each gives, per year, how many schools or
//! teachers pass out of how many, and the ones that fail with why. Summed from the rule blocks
//! (`store::rule_blocks`); computed from the records for a rule without blocks yet.

use std::collections::BTreeMap;

use super::query::Scope;
use super::rules_records::evaluate_from_records;
use crate::domain::plan::Plan;
use crate::domain::school_rules;
use crate::domain::targets::{Check, Rule};
use crate::store::rule_blocks;
use crate::store::rule_sums::{self, Within};
use crate::store::{Db, StoreError};

/// A school, teacher or industry that fails a rule in the year asked for.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Failure {
    pub school_code: String,
    pub school_name: String,
    /// The teacher (masked), the industry or the school itself.
    pub subject: String,
    pub detail_zh: String,
    pub detail_en: String,
}

/// A rule's outcome in one year: passed out of total, and the failures.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Outcome {
    pub passed: f64,
    pub total: f64,
    pub failures: Vec<Failure>,
    /// For a rule judged by a ratio (training ÷ enrolment), the school's own ratio when the scope
    /// is one school: what that school is judged by, rather than a share of one.
    pub ratio: Option<f64>,
}

impl Outcome {
    /// The share that passes, in per cent; None with nothing to judge.
    pub fn value(&self) -> Option<f64> {
        (self.total > 0.0).then(|| self.passed * 100.0 / self.total)
    }

    /// Adds a quality school's training to enrolment; `own`: the scope is that school, whose
    /// ratio is what it is judged by.
    pub(crate) fn add_quality_school(
        &mut self,
        school: (String, String),
        trained: f64,
        enrolled: f64,
        need: f64,
        own: bool,
    ) {
        let (ratio, why) = school_rules::training_ratio(trained, enrolled, need);
        self.total += 1.0;
        if own {
            self.ratio = ratio;
        }
        match why {
            None => self.passed += 1.0,
            Some((detail_zh, detail_en)) => self.failures.push(Failure {
                school_code: school.0,
                school_name: school.1,
                subject: String::new(),
                detail_zh,
                detail_en,
            }),
        }
    }
}

/// What an evaluation reads besides the counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    /// Passed and total only: a list of targets, a share. The nation's failing teachers (read
    /// whole, 1.4 GiB for `vetis targets`) are not read.
    Counts,
    /// The failures of `year` too: what a rule's page and `--failures` list.
    Failures,
}

/// Evaluates a rule for every year from the plan's baseline to `year`; failures only for `year`,
/// and from the building blocks only when `detail` asks for them.
pub async fn evaluate(
    db: &Db,
    plan: &Plan,
    rule: &Rule,
    scope: &Scope,
    year: i32,
    detail: Detail,
) -> Result<BTreeMap<i32, Outcome>, StoreError> {
    if matches!(rule.check, Check::XCertificates | Check::CreditConversions) {
        return super::credit::rule_outcomes(db, plan, rule, scope, year).await;
    }
    if rule_blocks::registered(db, plan, rule).await? {
        evaluate_from_blocks(db, plan, rule, scope, year, detail).await
    } else {
        evaluate_from_records(db, plan, rule, scope, year).await
    }
}

fn failure(
    (school_code, school_name, subject, detail_zh, detail_en): (String, String, String, String, String),
) -> Failure {
    Failure { school_code, school_name, subject, detail_zh, detail_en }
}

/// A rule's outcomes summed from its blocks.
pub async fn evaluate_from_blocks(
    db: &Db,
    plan: &Plan,
    rule: &Rule,
    scope: &Scope,
    year: i32,
    detail: Detail,
) -> Result<BTreeMap<i32, Outcome>, StoreError> {
    let area = scope.area();
    let within = |levels, sponsor| Within { area, levels, sponsor };
    let years = (plan.baseline_year, year);
    let mut out: BTreeMap<i32, Outcome> = (plan.baseline_year..=year).map(|y| (y, Outcome::default())).collect();
    match rule.check {
        Check::Practice
        | Check::TrainingCycle
        | Check::NewTeacherPractice
        | Check::LocalIntake
        | Check::IdealsHours => {
            let w = if rule.check == Check::LocalIntake {
                within(&["higher", "bachelor"][..], Some("municipal"))
            } else {
                within(&[][..], None)
            };
            for (y, (passed, total)) in rule_sums::tallies(db, rule, &w, years).await? {
                if let Some(o) = out.get_mut(&y) {
                    (o.passed, o.total) = (passed, total);
                }
            }
            if rule.check != Check::LocalIntake
                && detail == Detail::Failures
                && let Some(o) = out.get_mut(&year)
            {
                o.failures = rule_sums::failures(db, rule, &w, year).await?.into_iter().map(failure).collect();
            }
        }
        Check::Conditions => {
            // Every current secondary school is judged; one without a record for the year fails.
            let w = within(&["secondary"][..], None);
            let schools = rule_sums::schools(db, &w).await?;
            let judged = rule_sums::judged_schools(db, rule, &w, years).await?;
            for (y, o) in &mut out {
                o.total = schools.len() as f64;
                o.passed = judged.get(y).map_or(0.0, |m| m.values().sum());
            }
            if detail == Detail::Failures
                && let Some(o) = out.get_mut(&year)
            {
                let mut failures: Vec<Failure> =
                    rule_sums::failures(db, rule, &w, year).await?.into_iter().map(failure).collect();
                let (zh, en) = school_rules::no_conditions_record(year);
                for (code, name) in &schools {
                    if !judged.get(&year).is_some_and(|m| m.contains_key(code)) {
                        failures.push(Failure {
                            school_code: code.clone(),
                            school_name: name.clone(),
                            subject: String::new(),
                            detail_zh: zh.clone(),
                            detail_en: en.clone(),
                        });
                    }
                }
                failures.sort_by(|a, b| a.school_code.cmp(&b.school_code));
                o.failures = failures;
            }
        }
        Check::XCertificates | Check::CreditConversions => {
            return super::credit::rule_outcomes(db, plan, rule, scope, year).await;
        }
        Check::TrainingToEnrolment => {
            let need = rule.min_ratio.unwrap_or(2.0);
            let w = within(&[][..], None);
            for (y, o) in &mut out {
                for (code, name, trained, enrolled) in rule_sums::quality_schools(db, rule, &w, *y).await? {
                    o.add_quality_school((code, name), trained, enrolled, need, area.school().is_some());
                }
            }
        }
        Check::IndustryCoverage => {
            let covered = rule_sums::covered(db, rule, &within(&[][..], None), years).await?;
            for (y, o) in &mut out {
                for k in plan.key_industries.iter().filter(|k| k.counted) {
                    o.total += 1.0;
                    if covered.get(y).is_some_and(|c| c.contains(&k.key)) {
                        o.passed += 1.0;
                    } else {
                        let (detail_zh, detail_en) = school_rules::uncovered(*y, &k.name_zh, &k.name_en);
                        o.failures.push(Failure {
                            school_code: String::new(),
                            school_name: String::new(),
                            subject: k.name_zh.clone(),
                            detail_zh,
                            detail_en,
                        });
                    }
                }
            }
        }
    }
    Ok(out)
}

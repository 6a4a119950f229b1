//! The rule figures computed straight from the records, as they were before the blocks: the
//! figures when a rule has no blocks yet, and what the property test compares the blocks with.

use std::collections::BTreeMap;

use super::query::Scope;
use super::rules::{Failure, Outcome};
use crate::domain::plan::Plan;
use crate::domain::school_rules::{self, TeacherOfYear};
use crate::domain::targets::{Check, Rule};
use crate::store::rule_record_reads as reads;
use crate::store::{Db, StoreError};

/// Evaluates a rule from the records for every year from the plan's baseline to `year`; failures
/// only for `year`.
pub async fn evaluate_from_records(
    db: &Db,
    plan: &Plan,
    rule: &Rule,
    scope: &Scope,
    year: i32,
) -> Result<BTreeMap<i32, Outcome>, StoreError> {
    let years = plan.baseline_year..=year;
    let mut out = BTreeMap::new();
    match rule.check {
        Check::Practice | Check::TrainingCycle | Check::NewTeacherPractice => {
            let people = reads::full_time_teachers(db, scope.area(), rule.check == Check::Practice).await?;
            let activity = reads::everyones_activity(db, rule.check).await?;
            let mut by_year = teacher_rule(rule, &people, &activity);
            for y in years {
                let mut o = by_year.remove(&y).unwrap_or_default();
                if y != year {
                    o.failures.clear();
                }
                out.insert(y, o);
            }
        }
        Check::Conditions => {
            for y in years {
                out.insert(y, conditions(db, plan, scope, y, y == year).await?);
            }
        }
        Check::TrainingToEnrolment => {
            for y in years {
                out.insert(y, training_to_enrolment(db, rule, scope, y).await?);
            }
        }
        Check::LocalIntake => {
            for y in years {
                out.insert(y, local_intake(db, scope, y).await?);
            }
        }
        Check::IndustryCoverage => {
            for y in years {
                out.insert(y, industry_coverage(db, plan, scope, y).await?);
            }
        }
        // Only ever kept in blocks: the applications are no records to recompute from.
        Check::XCertificates | Check::CreditConversions => {
            return super::credit::rule_outcomes(db, plan, rule, scope, year).await;
        }
        Check::IdealsHours => {
            for y in years {
                out.insert(y, ideals_hours(db, rule, scope, y, y == year).await?);
            }
        }
    }
    Ok(out)
}

/// Each school's teachers judged by themselves, summed: every year's outcome and its failures.
fn teacher_rule(
    rule: &Rule,
    people: &BTreeMap<String, (String, Vec<TeacherOfYear>)>,
    activity: &school_rules::Activity,
) -> BTreeMap<i32, Outcome> {
    let mut out: BTreeMap<i32, Outcome> = BTreeMap::new();
    for (code, (name, teachers)) in people {
        for y in school_rules::teacher_years(rule, teachers, activity) {
            let o = out.entry(y.year).or_default();
            o.passed += y.passed;
            o.total += y.total;
            o.failures.extend(y.items.into_iter().map(|i| Failure {
                school_code: code.clone(),
                school_name: name.clone(),
                subject: i.subject,
                detail_zh: i.detail_zh,
                detail_en: i.detail_en,
            }));
        }
    }
    out
}

/// Basic conditions of every secondary school in scope in `year`.
async fn conditions(db: &Db, plan: &Plan, scope: &Scope, year: i32, list: bool) -> Result<Outcome, StoreError> {
    let mut out = Outcome::default();
    for r in reads::conditions_of_year(db, scope.area(), year).await? {
        let land = r.land_area;
        let facts =
            school_rules::condition_facts(land.unwrap_or(0.0), r.building_area, r.equipment_value, r.books, r.counts);
        let (code, name) = (r.school_code, r.school_name);
        out.total += 1.0;
        if land.is_none() {
            if list {
                out.failures.push(Failure {
                    school_code: code,
                    school_name: name,
                    subject: String::new(),
                    detail_zh: school_rules::no_conditions_record(year).0,
                    detail_en: school_rules::no_conditions_record(year).1,
                });
            }
            continue;
        }
        let judged = school_rules::conditions_year(&plan.conditions, year, &facts);
        out.passed += judged.passed;
        if list {
            out.failures.extend(judged.items.into_iter().map(|i| Failure {
                school_code: code.clone(),
                school_name: name.clone(),
                subject: i.subject,
                detail_zh: i.detail_zh,
                detail_en: i.detail_en,
            }));
        }
    }
    Ok(out)
}

/// Quality schools' training person-times ÷ full-time enrolment.
async fn training_to_enrolment(db: &Db, rule: &Rule, scope: &Scope, year: i32) -> Result<Outcome, StoreError> {
    let need = rule.min_ratio.unwrap_or(2.0);
    let mut out = Outcome::default();
    for (code, name, trained, enrolled) in
        reads::training_and_enrolment(db, &rule.quality_kinds, scope.area(), year).await?
    {
        out.add_quality_school((code, name), trained, enrolled as f64, need, matches!(scope, Scope::School(_)));
    }
    Ok(out)
}

/// First-year full-time students of municipal higher schools, and those from the city's
/// secondary schools.
async fn local_intake(db: &Db, scope: &Scope, year: i32) -> Result<Outcome, StoreError> {
    let (total, local) = reads::local_intake(db, scope.area(), year).await?;
    Ok(Outcome { passed: local as f64, total: total as f64, failures: Vec::new(), ratio: None })
}

/// Key industries with a program offered in `year`, through the program-to-industry mapping.
async fn industry_coverage(db: &Db, plan: &Plan, scope: &Scope, year: i32) -> Result<Outcome, StoreError> {
    let covered = reads::industries_offered(db, scope.area(), year).await?;
    let mut out = Outcome::default();
    for k in plan.key_industries.iter().filter(|k| k.counted) {
        out.total += 1.0;
        if covered.contains(&k.key) {
            out.passed += 1.0;
        } else {
            out.failures.push(Failure {
                school_code: String::new(),
                school_name: String::new(),
                subject: k.name_zh.clone(),
                detail_zh: school_rules::uncovered(year, &k.name_zh, &k.name_en).0,
                detail_en: school_rules::uncovered(year, &k.name_zh, &k.name_en).1,
            });
        }
    }
    Ok(out)
}

/// Programs whose curriculum has at least the rule's 职业精神 hours in `year`, over the schools in
/// scope; failures named when asked for.
async fn ideals_hours(db: &Db, rule: &Rule, scope: &Scope, year: i32, failures: bool) -> Result<Outcome, StoreError> {
    let by_school = reads::ideals_hours(db, scope.area(), year).await?;
    let mut out = Outcome::default();
    for ((code, name), programs) in by_school {
        let judged = school_rules::ideals_year(year, rule.min_hours.unwrap_or(16.0), &programs);
        out.passed += judged.passed;
        out.total += judged.total;
        if failures {
            for item in judged.items {
                out.failures.push(Failure {
                    school_code: code.clone(),
                    school_name: name.clone(),
                    subject: item.subject,
                    detail_zh: item.detail_zh,
                    detail_en: item.detail_en,
                });
            }
        }
    }
    Ok(out)
}

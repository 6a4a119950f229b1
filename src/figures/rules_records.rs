//! The rule figures computed straight from the records, as they were before the blocks: the
//! figures when a rule has no blocks yet, and what the property test compares the blocks with.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sqlx::{AssertSqlSafe, Row};

use super::counted::scope_condition;
use super::query::{Scope, Sql};
use super::rules::{Failure, Outcome};
use crate::domain::plan::Plan;
use crate::domain::school_rules::{self, TeacherOfYear};
use crate::domain::targets::{Check, Rule};
use crate::store::records::{SqlValue, bind};
use crate::store::rule_reads::{day, teacher_of_year};
use crate::store::{Db, StoreError};

async fn rows(db: &Db, text: String, params: Vec<SqlValue>) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
    let mut q = sqlx::query(AssertSqlSafe(text));
    for p in params {
        q = bind(q, p);
    }
    Ok(q.fetch_all(&db.pool).await?)
}

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
            let people = teachers(db, scope, rule.check == Check::Practice).await?;
            let activity = teacher_activity(db, rule.check).await?;
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

/// Full-time teachers in scope (specialty teachers only, for practice), every year, by school.
async fn teachers(
    db: &Db,
    scope: &Scope,
    specialty_only: bool,
) -> Result<BTreeMap<String, (String, Vec<TeacherOfYear>)>, StoreError> {
    let mut sql = Sql { text: String::new(), params: Vec::new() };
    let cond = scope_condition(&mut sql, scope);
    let specialty = if specialty_only { " AND t.is_specialty = 1" } else { "" };
    let text = format!(
        "SELECT t.school_code, k.name, t.year, t.teacher_no, t.id_pseudo, t.name_masked, t.hire_date, \
         CAST(t.industry_years AS DOUBLE PRECISION) FROM rec_teacher t \
         JOIN rec_school k ON k.school_code = t.school_code AND k.is_current = 1 \
         WHERE t.is_current = 1 AND t.category = 'full_time'{specialty}{cond}"
    );
    let mut out: BTreeMap<String, (String, Vec<TeacherOfYear>)> = BTreeMap::new();
    for r in rows(db, text, sql.params).await? {
        let e = out.entry(r.get(0)).or_insert_with(|| (r.get(1), Vec::new()));
        e.1.push(teacher_of_year(&r, 2));
    }
    Ok(out)
}

/// Everyone's practice placements (start, end, days) or training (start, end, hours), by person:
/// a (school, teacher number) is a person through that school's teacher records.
async fn teacher_activity(db: &Db, check: Check) -> Result<school_rules::Activity, StoreError> {
    let mut person_of: HashMap<(String, String), Vec<String>> = HashMap::new();
    let text = "SELECT DISTINCT school_code, teacher_no, id_pseudo FROM rec_teacher WHERE is_current = 1";
    for r in rows(db, text.into(), Vec::new()).await? {
        person_of.entry((r.get(0), r.get(1))).or_default().push(r.get(2));
    }
    let text = match check {
        Check::Practice | Check::NewTeacherPractice => {
            "SELECT school_code, teacher_no, start_date, end_date, CAST(days AS DOUBLE PRECISION) FROM rec_practice WHERE is_current = 1"
        }
        _ => {
            "SELECT school_code, teacher_no, start_date, end_date, CAST(hours AS DOUBLE PRECISION) FROM rec_pd WHERE is_current = 1"
        }
    };
    let mut out = school_rules::Activity::new();
    for r in rows(db, text.into(), Vec::new()).await? {
        let (s, e): (String, String) = (r.get(2), r.get(3));
        let amount: Option<f64> = r.get(4);
        if let (Some(s), Some(e), Some(people)) = (day(&s), day(&e), person_of.get(&(r.get(0), r.get(1)))) {
            for p in people {
                out.entry(p.clone()).or_default().push((s, e, amount.unwrap_or(0.0)));
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
    let mut sql = Sql { text: String::new(), params: Vec::new() };
    let y = sql.param(SqlValue::Int(i64::from(year)));
    let cond = scope_condition(&mut sql, scope);
    let text = format!(
        "SELECT k.school_code, k.name, c.land_area, c.building_area, c.equipment_value, c.books, \
         (SELECT COUNT(*) FROM rec_student s WHERE s.school_code = k.school_code AND s.is_current = 1 AND s.year = {y} AND s.status = 'enrolled' AND s.study_mode = 'full_time'), \
         (SELECT COUNT(*) FROM rec_teacher t WHERE t.school_code = k.school_code AND t.is_current = 1 AND t.year = {y} AND t.category = 'full_time'), \
         (SELECT COUNT(*) FROM rec_teacher t WHERE t.school_code = k.school_code AND t.is_current = 1 AND t.year = {y} AND t.category = 'full_time' AND t.is_specialty = 1), \
         (SELECT COUNT(*) FROM rec_teacher t WHERE t.school_code = k.school_code AND t.is_current = 1 AND t.year = {y} AND t.category = 'full_time' AND t.is_specialty = 1 AND t.dual_qualified = 1) \
         FROM rec_school k LEFT JOIN rec_condition c ON c.school_code = k.school_code AND c.is_current = 1 AND c.year = {y} \
         WHERE k.is_current = 1 AND k.level = 'secondary'{cond} ORDER BY k.school_code"
    );
    let mut out = Outcome::default();
    for r in rows(db, text, sql.params).await? {
        let land: Option<f64> = r.try_get(2).ok().flatten();
        let counts = [r.get::<i64, _>(6), r.get(7), r.get(8), r.get(9)];
        let facts =
            school_rules::condition_facts(land.unwrap_or(0.0), r.try_get(3)?, r.try_get(4)?, r.try_get(5)?, counts);
        let (code, name): (String, String) = (r.get(0), r.get(1));
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
    let mut sql = Sql { text: String::new(), params: Vec::new() };
    let y = sql.param(SqlValue::Int(i64::from(year)));
    let kinds: Vec<String> = rule.quality_kinds.iter().map(|k| sql.param(SqlValue::text(k))).collect();
    let cond = scope_condition(&mut sql, scope);
    let text = format!(
        "SELECT k.school_code, k.name, \
         (SELECT CAST(COALESCE(SUM(t.person_times), 0) AS DOUBLE PRECISION) FROM rec_training t WHERE t.school_code = k.school_code AND t.is_current = 1 AND t.year = {y}), \
         (SELECT COUNT(*) FROM rec_student s WHERE s.school_code = k.school_code AND s.is_current = 1 AND s.year = {y} AND s.status = 'enrolled' AND s.study_mode = 'full_time') \
         FROM rec_school k WHERE k.is_current = 1{cond} AND EXISTS (SELECT 1 FROM rec_designation g WHERE g.school_code = k.school_code AND g.is_current = 1 \
         AND g.kind IN ({}) AND g.status = 'accepted' AND g.accepted_year <= {y}) ORDER BY k.school_code",
        kinds.join(", ")
    );
    let need = rule.min_ratio.unwrap_or(2.0);
    let mut out = Outcome::default();
    for r in rows(db, text, sql.params).await? {
        let (code, name, trained, enrolled): (String, String, f64, i64) = (r.get(0), r.get(1), r.get(2), r.get(3));
        out.add_quality_school((code, name), trained, enrolled as f64, need, matches!(scope, Scope::School(_)));
    }
    Ok(out)
}

/// First-year full-time students of municipal higher schools, and those from the city's
/// secondary schools.
async fn local_intake(db: &Db, scope: &Scope, year: i32) -> Result<Outcome, StoreError> {
    let mut sql = Sql { text: String::new(), params: Vec::new() };
    let y = sql.param(SqlValue::Int(i64::from(year)));
    let cond = scope_condition(&mut sql, scope);
    let text = format!(
        "SELECT COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM rec_school p WHERE p.school_code = s.prior_school_code AND p.is_current = 1 AND p.level = 'secondary') THEN 1 ELSE 0 END) \
         FROM rec_student s JOIN rec_school k ON k.school_code = s.school_code AND k.is_current = 1 \
         WHERE s.is_current = 1 AND s.year = {y} AND s.entry_year = {y} AND s.study_mode = 'full_time' \
         AND k.level IN ('higher', 'bachelor') AND k.sponsor = 'municipal'{cond}"
    );
    let r = rows(db, text, sql.params).await?;
    let (total, local): (i64, Option<i64>) = (r[0].get(0), r[0].get(1));
    Ok(Outcome { passed: local.unwrap_or(0) as f64, total: total as f64, failures: Vec::new(), ratio: None })
}

/// Key industries with a program offered in `year`, through the program-to-industry mapping.
async fn industry_coverage(db: &Db, plan: &Plan, scope: &Scope, year: i32) -> Result<Outcome, StoreError> {
    let mut sql = Sql { text: String::new(), params: Vec::new() };
    let y = sql.param(SqlValue::Int(i64::from(year)));
    let cond = scope_condition(&mut sql, scope);
    let text = format!(
        "SELECT DISTINCT m.industry FROM rec_offering o JOIN rec_school k ON k.school_code = o.school_code AND k.is_current = 1 \
         JOIN industry_map m ON o.program_code LIKE m.prefix || '%' WHERE o.is_current = 1 AND o.year = {y}{cond}"
    );
    let covered: BTreeSet<String> = rows(db, text, sql.params).await?.iter().map(|r| r.get(0)).collect();
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
    let mut sql = Sql { text: String::new(), params: Vec::new() };
    let y = sql.param(SqlValue::Int(i64::from(year)));
    let cond = scope_condition(&mut sql, scope);
    let text = format!(
        "SELECT c.school_code, k.name, c.program_code, CAST(COALESCE(SUM(c.ideals_hours), 0) AS DOUBLE PRECISION) \
         FROM rec_curriculum c JOIN rec_school k ON k.school_code = c.school_code AND k.is_current = 1 \
         WHERE c.is_current = 1 AND c.year = {y}{cond} GROUP BY c.school_code, k.name, c.program_code \
         ORDER BY c.school_code, c.program_code"
    );
    let mut by_school: BTreeMap<(String, String), Vec<school_rules::ProgramHours>> = BTreeMap::new();
    for r in rows(db, text, sql.params).await? {
        by_school.entry((r.get(0), r.get(1))).or_default().push((r.get(2), String::new(), r.get(3)));
    }
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

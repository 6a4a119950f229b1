//! Rules checked on records (plan-targets.md §3): each gives, per year, how many schools or
//! teachers pass out of how many, and the ones that fail with why.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use sqlx::{AssertSqlSafe, Row};

use super::counted::scope_condition;
use super::query::{Scope, Sql};
use crate::domain::plan::Plan;
use crate::domain::targets::{self, Check, Facts, Quantity, Rule};
use crate::store::records::{SqlValue, bind};
use crate::store::{Db, StoreError};

/// A school, teacher or industry that fails a rule in the year asked for.
#[derive(Debug, Clone, serde::Serialize)]
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
}

fn d(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

async fn rows(db: &Db, text: String, params: Vec<SqlValue>) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
    let mut q = sqlx::query(AssertSqlSafe(text));
    for p in params {
        q = bind(q, p);
    }
    Ok(q.fetch_all(&db.pool).await?)
}

/// Evaluates a rule for every year from the plan's baseline to `year`; failures only for `year`.
pub async fn evaluate(
    db: &Db,
    plan: &Plan,
    rule: &Rule,
    scope: &Scope,
    year: i32,
) -> Result<BTreeMap<i32, Outcome>, StoreError> {
    let years = plan.baseline_year..=year;
    let mut out = BTreeMap::new();
    match rule.check {
        Check::Practice | Check::TrainingCycle => {
            let people = teachers(db, scope, rule.check == Check::Practice).await?;
            let activity = teacher_activity(db, rule.check).await?;
            for y in years {
                out.insert(y, teacher_rule(rule, &people, &activity, y, y == year));
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
    }
    Ok(out)
}

/// A teacher row of some year: who (pseudonym), where, and the masked name to show.
struct TeacherRow {
    year: i32,
    school: String,
    school_name: String,
    teacher_no: String,
    pseudonym: String,
    masked: String,
}

/// Full-time teachers in scope (specialty teachers only, for practice), every year; and the
/// person behind every (school, teacher number) anywhere, so that a teacher who changed school
/// keeps the practice done at the first.
async fn teachers(
    db: &Db,
    scope: &Scope,
    specialty_only: bool,
) -> Result<(Vec<TeacherRow>, HashMap<(String, String), String>), StoreError> {
    let mut sql = Sql { text: String::new(), params: Vec::new() };
    let cond = scope_condition(&mut sql, scope);
    let specialty = if specialty_only { " AND t.is_specialty = 1" } else { "" };
    let text = format!(
        "SELECT t.year, t.school_code, k.name, t.teacher_no, t.id_pseudo, t.name_masked FROM rec_teacher t \
         JOIN rec_school k ON k.school_code = t.school_code AND k.is_current = 1 \
         WHERE t.is_current = 1 AND t.category = 'full_time'{specialty}{cond}"
    );
    let scoped = rows(db, text, sql.params)
        .await?
        .iter()
        .map(|r| TeacherRow {
            year: r.get::<i64, _>(0) as i32,
            school: r.get(1),
            school_name: r.get(2),
            teacher_no: r.get(3),
            pseudonym: r.get(4),
            masked: r.get(5),
        })
        .collect();
    let all = rows(
        db,
        "SELECT DISTINCT school_code, teacher_no, id_pseudo FROM rec_teacher WHERE is_current = 1".into(),
        Vec::new(),
    )
    .await?
    .iter()
    .map(|r| ((r.get(0), r.get(1)), r.get(2)))
    .collect();
    Ok((scoped, all))
}

/// Practice placements (start, end, days) or training (start, end, hours), by (school, teacher number).
type Activity = HashMap<(String, String), Vec<(NaiveDate, NaiveDate, f64)>>;

async fn teacher_activity(db: &Db, check: Check) -> Result<Activity, StoreError> {
    let text = match check {
        Check::Practice => {
            "SELECT school_code, teacher_no, start_date, end_date, CAST(days AS DOUBLE PRECISION) FROM rec_practice WHERE is_current = 1"
        }
        _ => {
            "SELECT school_code, teacher_no, start_date, end_date, CAST(hours AS DOUBLE PRECISION) FROM rec_pd WHERE is_current = 1"
        }
    };
    let mut out: Activity = HashMap::new();
    for r in rows(db, text.into(), Vec::new()).await? {
        let (s, e): (String, String) = (r.get(2), r.get(3));
        if let (Some(s), Some(e)) = (d(&s), d(&e)) {
            out.entry((r.get(0), r.get(1))).or_default().push((s, e, r.get(4)));
        }
    }
    Ok(out)
}

fn teacher_rule(
    rule: &Rule,
    (people, person_of): &(Vec<TeacherRow>, HashMap<(String, String), String>),
    activity: &Activity,
    year: i32,
    list_failures: bool,
) -> Outcome {
    // Everything each person did, wherever they were.
    let mut by_person: HashMap<&str, Vec<(NaiveDate, NaiveDate, f64)>> = HashMap::new();
    for (key, acts) in activity {
        if let Some(p) = person_of.get(key) {
            by_person.entry(p.as_str()).or_default().extend(acts.iter().copied());
        }
    }
    let window = targets::window(year, rule.window_years);
    let mut out = Outcome::default();
    let mut seen = BTreeSet::new();
    for t in people.iter().filter(|t| t.year == year) {
        if !seen.insert(&t.pseudonym) {
            continue;
        }
        let acts = by_person.get(t.pseudonym.as_str()).map_or(&[][..], Vec::as_slice);
        let (have, need, unit_zh, unit_en) = if rule.check == Check::Practice {
            // The recorded 实践天数, not the calendar span (a placement of 184 days may hold 170).
            (targets::practice_days(acts, window), rule.min_days.unwrap_or(180.0), "天", "days")
        } else {
            let hours = acts.iter().filter(|a| a.0 >= window.0 && a.0 <= window.1).map(|a| a.2).sum::<f64>();
            (hours, rule.min_hours.unwrap_or(360.0), "学时", "hours")
        };
        out.total += 1.0;
        if have >= need {
            out.passed += 1.0;
        } else if list_failures {
            out.failures.push(Failure {
                school_code: t.school.clone(),
                school_name: t.school_name.clone(),
                subject: format!("{} {}", t.teacher_no, t.masked),
                detail_zh: format!(
                    "{}–{} 年累计 {} {unit_zh}，差 {} {unit_zh}",
                    window.0.format("%Y"),
                    year,
                    amount(have),
                    amount(need - have)
                ),
                detail_en: format!(
                    "{} {unit_en} in {}–{year}, {} short",
                    amount(have),
                    window.0.format("%Y"),
                    amount(need - have)
                ),
            });
        }
    }
    out
}

/// Days or hours as a person reads them: whole where whole, else to one decimal (a placement
/// across the window's edge counts part of its days).
fn amount(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 { format!("{:.0}", x.round()) } else { format!("{x:.1}") }
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
        let mut facts = Facts::new();
        if land.is_some() {
            facts.insert(Quantity::LandArea, land.unwrap_or(0.0));
            facts.insert(Quantity::BuildingArea, r.try_get::<Option<f64>, _>(3)?.unwrap_or(0.0));
            facts.insert(Quantity::EquipmentValue, r.try_get::<Option<f64>, _>(4)?.unwrap_or(0.0));
            facts.insert(Quantity::Books, r.try_get::<Option<i64>, _>(5)?.unwrap_or(0) as f64);
        }
        for (i, q) in [
            Quantity::FullTimeStudents,
            Quantity::FullTimeTeachers,
            Quantity::SpecialtyTeachers,
            Quantity::DualQualifiedTeachers,
        ]
        .into_iter()
        .enumerate()
        {
            facts.insert(q, r.get::<i64, _>(6 + i) as f64);
        }
        let (code, name): (String, String) = (r.get(0), r.get(1));
        out.total += 1.0;
        if land.is_none() {
            if list {
                out.failures.push(Failure {
                    school_code: code,
                    school_name: name,
                    subject: String::new(),
                    detail_zh: format!("未报送 {year} 年度办学条件"),
                    detail_en: format!("no conditions record for {year}"),
                });
            }
            continue;
        }
        let checks = targets::evaluate(&plan.conditions, &facts);
        if targets::compliant(&checks) {
            out.passed += 1.0;
        } else if list {
            let failed: Vec<&targets::CheckOutcome> = checks.iter().filter(|c| !c.passed && !c.advisory).collect();
            out.failures.push(Failure {
                school_code: code,
                school_name: name,
                subject: String::new(),
                detail_zh: failed.iter().map(|c| c.message_zh.as_str()).collect::<Vec<_>>().join("；"),
                detail_en: failed.iter().map(|c| c.message_en.as_str()).collect::<Vec<_>>().join("; "),
            });
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
        out.total += 1.0;
        let ratio = (enrolled > 0).then(|| trained / enrolled as f64);
        if matches!(scope, Scope::School(_)) {
            out.ratio = ratio;
        }
        match ratio {
            Some(x) if x >= need => out.passed += 1.0,
            _ => out.failures.push(Failure {
                school_code: code,
                school_name: name,
                subject: String::new(),
                detail_zh: match ratio {
                    Some(x) => format!("培训 {trained:.0} 人次 ÷ 在校生 {enrolled} 人 = {x:.2} < {need}"),
                    None => format!("培训 {trained:.0} 人次，无全日制在校生"),
                },
                detail_en: match ratio {
                    Some(x) => format!("{trained:.0} trainees ÷ {enrolled} students = {x:.2} < {need}"),
                    None => format!("{trained:.0} trainees, no full-time students"),
                },
            }),
        }
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
                detail_zh: format!("{year} 年没有开设对应“{}”的专业", k.name_zh),
                detail_en: format!("no program for {} offered in {year}", k.name_en),
            });
        }
    }
    Ok(out)
}

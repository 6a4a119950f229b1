//! What the rule figures computed straight from the records read (`figures::rules_records`): the
//! reference the rule blocks are compared with, read apart from the blocks' own reads
//! (`rule_reads`) so that a mistake in one is not copied into the other.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sqlx::Row;

use super::records::SqlValue;
use super::rule_reads::{day, teacher_of_year};
use super::sql::{Area, Sql};
use super::{Db, StoreError};
use crate::domain::school_rules::{self, ProgramHours, TeacherOfYear};
use crate::domain::targets::Check;

/// Full-time teachers at the current schools of an area (specialty teachers only when asked),
/// every year: school → (school name, teachers).
pub async fn full_time_teachers(
    db: &Db,
    area: Area<'_>,
    specialty_only: bool,
) -> Result<BTreeMap<String, (String, Vec<TeacherOfYear>)>, StoreError> {
    let mut sql = Sql::new();
    let only = sql.area(area, "k.school_code");
    let specialty = if specialty_only { " AND t.is_specialty = 1" } else { "" };
    sql.text = format!(
        "SELECT t.school_code, k.name, t.year, t.teacher_no, t.id_pseudo, t.name_masked, t.hire_date, \
         CAST(t.industry_years AS DOUBLE PRECISION) FROM rec_teacher t \
         JOIN rec_school k ON k.school_code = t.school_code AND k.is_current = 1 \
         WHERE t.is_current = 1 AND t.category = 'full_time'{specialty}{only}"
    );
    let mut out: BTreeMap<String, (String, Vec<TeacherOfYear>)> = BTreeMap::new();
    for r in sql.bound().fetch_all(&db.pool).await? {
        let e = out.entry(r.get(0)).or_insert_with(|| (r.get(1), Vec::new()));
        e.1.push(teacher_of_year(&r, 2));
    }
    Ok(out)
}

/// Everyone's practice placements (start, end, days) or training (start, end, hours), by person:
/// a (school, teacher number) is a person through that school's teacher records.
pub async fn everyones_activity(db: &Db, check: Check) -> Result<school_rules::Activity, StoreError> {
    let mut person_of: HashMap<(String, String), Vec<String>> = HashMap::new();
    let people =
        sqlx::query("SELECT DISTINCT school_code, teacher_no, id_pseudo FROM rec_teacher WHERE is_current = 1")
            .fetch_all(&db.pool)
            .await?;
    for r in people {
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
    for r in sqlx::query(text).fetch_all(&db.pool).await? {
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

/// A secondary school's basic conditions in a year, with the counts they are judged against.
#[derive(Debug, Clone)]
pub struct ConditionsRow {
    pub school_code: String,
    pub school_name: String,
    /// None when the school filed no conditions record for the year.
    pub land_area: Option<f64>,
    pub building_area: Option<f64>,
    pub equipment_value: Option<f64>,
    pub books: Option<i64>,
    /// Full-time students, full-time teachers, specialty teachers, dual-qualified ones.
    pub counts: [i64; 4],
}

/// Every current secondary school of an area with its conditions record of `year`, by code.
pub async fn conditions_of_year(db: &Db, area: Area<'_>, year: i32) -> Result<Vec<ConditionsRow>, StoreError> {
    let mut sql = Sql::new();
    let y = sql.param(SqlValue::Int(i64::from(year)));
    let only = sql.area(area, "k.school_code");
    sql.text = format!(
        "SELECT k.school_code, k.name, c.land_area, c.building_area, c.equipment_value, c.books, \
         (SELECT COUNT(*) FROM rec_student s WHERE s.school_code = k.school_code AND s.is_current = 1 AND s.year = {y} AND s.status = 'enrolled' AND s.study_mode = 'full_time'), \
         (SELECT COUNT(*) FROM rec_teacher t WHERE t.school_code = k.school_code AND t.is_current = 1 AND t.year = {y} AND t.category = 'full_time'), \
         (SELECT COUNT(*) FROM rec_teacher t WHERE t.school_code = k.school_code AND t.is_current = 1 AND t.year = {y} AND t.category = 'full_time' AND t.is_specialty = 1), \
         (SELECT COUNT(*) FROM rec_teacher t WHERE t.school_code = k.school_code AND t.is_current = 1 AND t.year = {y} AND t.category = 'full_time' AND t.is_specialty = 1 AND t.dual_qualified = 1) \
         FROM rec_school k LEFT JOIN rec_condition c ON c.school_code = k.school_code AND c.is_current = 1 AND c.year = {y} \
         WHERE k.is_current = 1 AND k.level = 'secondary'{only} ORDER BY k.school_code"
    );
    let mut out = Vec::new();
    for r in sql.bound().fetch_all(&db.pool).await? {
        out.push(ConditionsRow {
            school_code: r.get(0),
            school_name: r.get(1),
            land_area: r.try_get(2).ok().flatten(),
            building_area: r.try_get(3)?,
            equipment_value: r.try_get(4)?,
            books: r.try_get(5)?,
            counts: [r.get(6), r.get(7), r.get(8), r.get(9)],
        });
    }
    Ok(out)
}

/// The current schools of an area with a designation of these kinds accepted by `year`, each with
/// its training person-times and full-time enrolment of that year: (code, name, trained, enrolled).
pub async fn training_and_enrolment(
    db: &Db,
    kinds: &[String],
    area: Area<'_>,
    year: i32,
) -> Result<Vec<(String, String, f64, i64)>, StoreError> {
    if kinds.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new();
    let y = sql.param(SqlValue::Int(i64::from(year)));
    let kinds = sql.in_list(kinds.iter().map(|k| SqlValue::text(k)).collect());
    let only = sql.area(area, "k.school_code");
    sql.text = format!(
        "SELECT k.school_code, k.name, \
         (SELECT CAST(COALESCE(SUM(t.person_times), 0) AS DOUBLE PRECISION) FROM rec_training t WHERE t.school_code = k.school_code AND t.is_current = 1 AND t.year = {y}), \
         (SELECT COUNT(*) FROM rec_student s WHERE s.school_code = k.school_code AND s.is_current = 1 AND s.year = {y} AND s.status = 'enrolled' AND s.study_mode = 'full_time') \
         FROM rec_school k WHERE k.is_current = 1{only} AND EXISTS (SELECT 1 FROM rec_designation g WHERE g.school_code = k.school_code AND g.is_current = 1 \
         AND g.kind IN ({kinds}) AND g.status = 'accepted' AND g.accepted_year <= {y}) ORDER BY k.school_code"
    );
    Ok(sql.bound().fetch_all(&db.pool).await?.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect())
}

/// First-year full-time students of the area's municipal higher schools in `year`, and how many
/// of them came from a secondary school on the registry: (all, local).
pub async fn local_intake(db: &Db, area: Area<'_>, year: i32) -> Result<(i64, i64), StoreError> {
    let mut sql = Sql::new();
    let y = sql.param(SqlValue::Int(i64::from(year)));
    let only = sql.area(area, "k.school_code");
    sql.text = format!(
        "SELECT COUNT(*), SUM(CASE WHEN EXISTS (SELECT 1 FROM rec_school p WHERE p.school_code = s.prior_school_code AND p.is_current = 1 AND p.level = 'secondary') THEN 1 ELSE 0 END) \
         FROM rec_student s JOIN rec_school k ON k.school_code = s.school_code AND k.is_current = 1 \
         WHERE s.is_current = 1 AND s.year = {y} AND s.entry_year = {y} AND s.study_mode = 'full_time' \
         AND k.level IN ('higher', 'bachelor') AND k.sponsor = 'municipal'{only}"
    );
    let r = sql.bound().fetch_one(&db.pool).await?;
    Ok((r.get(0), r.get::<Option<i64>, _>(1).unwrap_or(0)))
}

/// The industries with a program offered in the area in `year`, through the program-to-industry
/// mapping.
pub async fn industries_offered(db: &Db, area: Area<'_>, year: i32) -> Result<BTreeSet<String>, StoreError> {
    let mut sql = Sql::new();
    let y = sql.param(SqlValue::Int(i64::from(year)));
    let only = sql.area(area, "k.school_code");
    sql.text = format!(
        "SELECT DISTINCT m.industry FROM rec_offering o JOIN rec_school k ON k.school_code = o.school_code AND k.is_current = 1 \
         JOIN industry_map m ON o.program_code LIKE m.prefix || '%' WHERE o.is_current = 1 AND o.year = {y}{only}"
    );
    Ok(sql.bound().fetch_all(&db.pool).await?.iter().map(|r| r.get(0)).collect())
}

/// Each program's 职业精神 hours in `year` at the area's current schools: (school code, name) →
/// programs.
pub async fn ideals_hours(
    db: &Db,
    area: Area<'_>,
    year: i32,
) -> Result<BTreeMap<(String, String), Vec<ProgramHours>>, StoreError> {
    let mut sql = Sql::new();
    let y = sql.param(SqlValue::Int(i64::from(year)));
    let only = sql.area(area, "k.school_code");
    sql.text = format!(
        "SELECT c.school_code, k.name, c.program_code, CAST(COALESCE(SUM(c.ideals_hours), 0) AS DOUBLE PRECISION) \
         FROM rec_curriculum c JOIN rec_school k ON k.school_code = c.school_code AND k.is_current = 1 \
         WHERE c.is_current = 1 AND c.year = {y}{only} GROUP BY c.school_code, k.name, c.program_code \
         ORDER BY c.school_code, c.program_code"
    );
    let mut by_school: BTreeMap<(String, String), Vec<ProgramHours>> = BTreeMap::new();
    for r in sql.bound().fetch_all(&db.pool).await? {
        by_school.entry((r.get(0), r.get(1))).or_default().push((r.get(2), String::new(), r.get(3)));
    }
    Ok(by_school)
}

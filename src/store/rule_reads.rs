//! What several rules read, read once for all the rules of a rebuild or refresh. The teacher
//! rules (practice, new teachers' practice, training cycle) read the full-time teachers of the
//! schools judged and one kind of activity (placements or training) of the people who teach
//! there, wherever it was done; they are judged a chunk of schools at a time, on both cores, so
//! that what a rule's failures hold is bounded by the chunk and not by the nation. Training to
//! enrolment and local intake count the full-time students of each school and year in one scan.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use futures_util::TryStreamExt;
use sqlx::{AnyConnection, Row};

use super::StoreError;
use super::sql::Sql;
use crate::domain::school_rules::{self, Activity, SchoolYear, TeacherOfYear};
use crate::domain::standard::Table;
use crate::domain::targets::{Check, Rule};

/// Schools judged at once by a teacher rule over every school: their failures (the nation's
/// practice rule fails 780,000 teachers a year) are written before the next chunk is judged.
pub const SCHOOLS_JUDGED_AT_ONCE: usize = 500;

/// Whether a rule is judged from the teachers and their activity.
pub fn is_teacher_rule(check: Check) -> bool {
    matches!(check, Check::Practice | Check::TrainingCycle | Check::NewTeacherPractice)
}

/// The order in which rules are judged when several are. The rules that scan the students come
/// first, while a rebuild's formula pass has left them in memory and before the teacher rules
/// write their failures (the nation's 2 M): after those, the same scan took 10–14 s instead of 6.
/// The teacher rules reading placements come next to each other, so that each read is made once.
pub fn read_order(check: Check) -> u8 {
    match check {
        Check::TrainingToEnrolment | Check::LocalIntake => 0,
        Check::Practice | Check::NewTeacherPractice => 2,
        Check::TrainingCycle => 3,
        _ => 1,
    }
}

/// The activity table a teacher rule reads.
fn activity_table(check: Check) -> Table {
    if check == Check::TrainingCycle { Table::Pd } else { Table::Practice }
}

/// Full-time students of a school and year, as the student rules count them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StudentTally {
    /// Enrolled (在籍) full-time students: training to enrolment's denominator.
    pub enrolled: f64,
    /// Full-time students in their entry year at a higher or bachelor school: local intake's total.
    pub intake: f64,
    /// Of those, the ones whose prior school is a current secondary school of the registry.
    pub local: f64,
}

/// The schools what `Reads` holds was read for.
#[derive(Debug, Default, PartialEq)]
enum ReadFor {
    /// Nothing is held yet.
    #[default]
    Nothing,
    /// Every school with records.
    Every,
    /// These schools.
    Schools(Vec<String>),
}

/// What the rules read, kept across the rules of one rebuild or refresh. Each rule read it afresh
/// before: the nation's 1.3 M teachers took 2 s a read, three times, and its 30 M students were
/// scanned twice (8.8 and 7.1 s).
#[derive(Default)]
pub struct Reads {
    /// The schools what is kept was read for.
    scope: ReadFor,
    /// School → its full-time teachers of every year, each with whether they teach a specialty.
    teachers: Option<BTreeMap<String, Vec<(bool, TeacherOfYear)>>>,
    /// The activity table read (`Table::Practice` or `Table::Pd`) and what it holds.
    activity: Option<(Table, Activity)>,
    /// (school, year) → its full-time students.
    students: Option<BTreeMap<(String, i32), StudentTally>>,
}

impl Reads {
    /// Forgets what was read for other schools than `schools`.
    fn scoped(&mut self, schools: Option<&[String]>) {
        let scope = schools.map_or(ReadFor::Every, |s| ReadFor::Schools(s.to_vec()));
        if self.scope != scope {
            *self = Reads { scope, ..Reads::default() };
        }
    }

    /// The full-time students of `schools` (every school for None) per school and year.
    pub async fn students(
        &mut self,
        conn: &mut AnyConnection,
        schools: Option<&[String]>,
    ) -> Result<&BTreeMap<(String, i32), StudentTally>, StoreError> {
        self.scoped(schools);
        if self.students.is_none() {
            self.students = Some(student_tallies(conn, schools).await?);
        }
        Ok(self.students.get_or_insert_default())
    }

    /// Reads what `check` needs for `schools` (every school for None), unless it is held already.
    /// What was read for other schools is let go, and so is the other kind of activity.
    pub async fn load(
        &mut self,
        conn: &mut AnyConnection,
        check: Check,
        schools: Option<&[String]>,
    ) -> Result<(), StoreError> {
        self.scoped(schools);
        if self.teachers.is_none() {
            self.teachers = Some(full_time_teachers(conn, schools).await?);
        }
        let table = activity_table(check);
        if self.activity.as_ref().map(|a| a.0) != Some(table) {
            self.activity = None;
            self.activity = Some((table, activity(conn, table, schools).await?));
        }
        Ok(())
    }

    /// The schools whose teachers were read, in order.
    pub fn schools(&self) -> Vec<&str> {
        self.teachers.iter().flat_map(|t| t.keys().map(String::as_str)).collect()
    }

    /// `rule` judged for `schools` (of those read) against what was read for it by `load`: school
    /// → its years. The schools are split between two threads: judging is pure, and the database
    /// waits meanwhile.
    pub fn judge(&self, rule: &Rule, schools: &[&str]) -> BTreeMap<String, Vec<SchoolYear>> {
        let empty = Activity::new();
        let activity = match &self.activity {
            Some((table, a)) if *table == activity_table(rule.check) => a,
            // Not loaded for this rule: no activity is what the records would say of nobody.
            _ => &empty,
        };
        let Some(teachers) = &self.teachers else { return BTreeMap::new() };
        let judge_some = |some: &[&str]| {
            let mut out = BTreeMap::new();
            for s in some {
                let Some(people) = teachers.get(*s) else { continue };
                let specialty_only = rule.check == Check::Practice;
                let judged = people.iter().filter(|p| p.0 || !specialty_only).map(|p| &p.1);
                let years = school_rules::teacher_years(rule, judged, activity);
                if !years.is_empty() {
                    out.insert(s.to_string(), years);
                }
            }
            out
        };
        // One school's refresh (an upload on the web) is judged here, without a thread.
        if schools.len() < 2 {
            return judge_some(schools);
        }
        let (a, b) = schools.split_at(schools.len() / 2);
        let (mut out, rest) = std::thread::scope(|scope| {
            let other = scope.spawn(|| judge_some(b));
            let mine = judge_some(a);
            (mine, other.join())
        });
        match rest {
            Ok(rest) => out.extend(rest),
            Err(panic) => std::panic::resume_unwind(panic),
        }
        out
    }
}

/// A stored date (ISO text, perhaps with a time) as a day; None if it is not one.
pub(crate) fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

/// The teacher of a year in a row whose columns from `at` are year, teacher_no, id_pseudo,
/// name_masked, hire_date and industry_years (as DOUBLE PRECISION): the one reading of a teacher
/// row, for the blocks and for the figures computed from the records.
pub(crate) fn teacher_of_year(r: &sqlx::any::AnyRow, at: usize) -> TeacherOfYear {
    TeacherOfYear {
        year: r.get::<i64, _>(at) as i32,
        teacher_no: r.get(at + 1),
        pseudonym: r.get(at + 2),
        masked: r.get(at + 3),
        hire_date: r.get::<Option<String>, _>(at + 4).as_deref().and_then(day),
        industry_years: r.get(at + 5),
    }
}

/// The current full-time teachers of some schools (every school for None), each with whether
/// they teach a specialty (the practice rule reads those only): school → teachers.
async fn full_time_teachers(
    conn: &mut AnyConnection,
    schools: Option<&[String]>,
) -> Result<BTreeMap<String, Vec<(bool, TeacherOfYear)>>, StoreError> {
    let mut sql = Sql::new();
    let one = sql.only_schools("school_code", schools);
    sql.text = format!(
        "SELECT school_code, year, teacher_no, id_pseudo, name_masked, hire_date, \
         CAST(industry_years AS DOUBLE PRECISION), is_specialty FROM rec_teacher \
         WHERE is_current = 1 AND category = 'full_time'{one}"
    );
    let mut teachers: BTreeMap<String, Vec<(bool, TeacherOfYear)>> = BTreeMap::new();
    // Streamed: the nation's 1.3 M rows fetched whole held several hundred MiB of rows at once.
    let mut rows = sql.bound().fetch(&mut *conn);
    while let Some(r) = rows.try_next().await? {
        let teacher = teacher_of_year(&r, 1);
        let specialty = r.get::<i64, _>(7) == 1;
        teachers.entry(r.get(0)).or_default().push((specialty, teacher));
    }
    Ok(teachers)
}

/// Full-time students per school and year, in one scan of the students for both rules that count
/// them (see `StudentTally`). The school's level and the prior school are joined, not looked up
/// row by row: PostgreSQL runs a correlated lookup on one core, and the joins on both.
async fn student_tallies(
    conn: &mut AnyConnection,
    schools: Option<&[String]>,
) -> Result<BTreeMap<(String, i32), StudentTally>, StoreError> {
    let mut sql = Sql::new();
    let one = sql.only_schools("s.school_code", schools);
    let intake = "s.year = s.entry_year AND k.level IN ('higher', 'bachelor')";
    sql.text = format!(
        "SELECT s.school_code, s.year, \
         CAST(SUM(CASE WHEN s.status = 'enrolled' THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN {intake} THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN {intake} AND p.school_code IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT) \
         FROM rec_student s LEFT JOIN rec_school k ON k.school_code = s.school_code AND k.is_current = 1 \
         LEFT JOIN (SELECT DISTINCT school_code FROM rec_school WHERE is_current = 1 AND level = 'secondary') p \
         ON p.school_code = s.prior_school_code \
         WHERE s.is_current = 1 AND s.study_mode = 'full_time'{one} GROUP BY s.school_code, s.year"
    );
    let mut out = BTreeMap::new();
    for r in sql.bound().fetch_all(&mut *conn).await? {
        let tally = StudentTally {
            enrolled: r.get::<i64, _>(2) as f64,
            intake: r.get::<i64, _>(3) as f64,
            local: r.get::<i64, _>(4) as f64,
        };
        out.insert((r.get(0), r.get::<i64, _>(1) as i32), tally);
    }
    Ok(out)
}

/// Practice placements or training of the people who teach at `schools` (everyone's, for None),
/// wherever they were done: a (school, teacher number) is a person through that school's teachers.
async fn activity(conn: &mut AnyConnection, kind: Table, schools: Option<&[String]>) -> Result<Activity, StoreError> {
    let (table, amount) = if kind == Table::Pd { ("rec_pd", "hours") } else { ("rec_practice", "days") };
    let mut sql = Sql::new();
    let people = match schools {
        Some(_) => format!(
            " AND m.id_pseudo IN (SELECT id_pseudo FROM rec_teacher WHERE is_current = 1{})",
            sql.only_schools("school_code", schools)
        ),
        None => String::new(),
    };
    sql.text = format!(
        "SELECT m.id_pseudo, a.start_date, a.end_date, CAST(a.{amount} AS DOUBLE PRECISION) FROM {table} a \
         JOIN (SELECT DISTINCT school_code, teacher_no, id_pseudo FROM rec_teacher WHERE is_current = 1) m \
         ON m.school_code = a.school_code AND m.teacher_no = a.teacher_no WHERE a.is_current = 1{people}"
    );
    let mut out = Activity::new();
    let mut rows = sql.bound().fetch(&mut *conn);
    while let Some(r) = rows.try_next().await? {
        let (s, e): (String, String) = (r.get(1), r.get(2));
        if let (Some(s), Some(e)) = (day(&s), day(&e)) {
            out.entry(r.get(0)).or_default().push((s, e, r.get::<Option<f64>, _>(3).unwrap_or(0.0)));
        }
    }
    Ok(out)
}

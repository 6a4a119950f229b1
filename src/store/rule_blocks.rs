//! Building blocks of the rule figures (practice, training cycle, basic conditions, training to
//! enrolment, local intake, industry coverage): each rule of the active plan judged per school and
//! year (`domain::school_rules`), kept in the transaction that changes the records it reads, so a
//! district's or the city's rule figure is a sum over a few hundred small rows. A teacher's
//! practice and training follow the person, so a change at one school refreshes every school that
//! shares a teacher with it.

use std::collections::{BTreeMap, BTreeSet};

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use super::records::{SqlValue, insert_batch};
use super::rule_reads::{Reads, SCHOOLS_JUDGED_AT_ONCE, is_teacher_rule, read_order};
use super::rule_sums::{self, KeptItem};
use super::sql::{SCHOOLS_PER_STATEMENT, Sql};
use super::{Db, StoreError, now};
use crate::domain::plan::Plan;
use crate::domain::school_rules::{self, Item, SchoolYear};
use crate::domain::standard::Table;
use crate::domain::targets::{Check, Rule};

/// A rule's identity in the blocks: a hash of the rule as the plan states it (and of the
/// conditions standard, which the conditions rule reads), so a changed rule is a new one.
pub fn rule_key(plan: &Plan, rule: &Rule) -> String {
    let mut text = serde_json::to_string(rule).unwrap_or_default();
    if rule.check == Check::Conditions {
        text.push_str(&serde_json::to_string(&plan.conditions).unwrap_or_default());
    }
    format!("rule:{}", hex::encode(&Sha256::digest(text.as_bytes())[..12]))
}

/// The record tables a check reads (the registry is read when the figure is summed).
fn reads(check: Check, table: Table) -> bool {
    use Table as T;
    match check {
        Check::Practice | Check::NewTeacherPractice => matches!(table, T::Teacher | T::Practice),
        Check::TrainingCycle => matches!(table, T::Teacher | T::Pd),
        Check::Conditions => matches!(table, T::Condition | T::Student | T::Teacher),
        Check::TrainingToEnrolment => matches!(table, T::Training | T::Student),
        // A prior school that stops being a current secondary school changes every higher school's count.
        Check::LocalIntake => matches!(table, T::Student | T::School),
        Check::IndustryCoverage => table == T::Offering,
        Check::IdealsHours => table == T::Curriculum,
        // Kept in the credit blocks (`store::credit_blocks`), not here.
        Check::XCertificates | Check::CreditConversions => false,
    }
}

async fn fetch(conn: &mut AnyConnection, sql: Sql) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
    Ok(sql.bound().fetch_all(&mut *conn).await?)
}

/// A rule judged from the records, per school (some, or every school with records it reads).
/// `reads` keeps what a teacher rule read for the next one (see `rule_reads::Reads`).
pub async fn judge(
    conn: &mut AnyConnection,
    plan: &Plan,
    rule: &Rule,
    school: Option<&[String]>,
    reads: &mut Reads,
) -> Result<BTreeMap<String, Vec<SchoolYear>>, StoreError> {
    let mut out: BTreeMap<String, Vec<SchoolYear>> = BTreeMap::new();
    match rule.check {
        Check::Practice | Check::TrainingCycle | Check::NewTeacherPractice => {
            reads.load(conn, rule.check, school).await?;
            out = reads.judge(rule, &reads.schools());
        }
        Check::Conditions => {
            let mut sql = Sql::new();
            let one = sql.only_schools("c.school_code", school);
            let full_time =
                "t.school_code = c.school_code AND t.is_current = 1 AND t.year = c.year AND t.category = 'full_time'";
            sql.text = format!(
                "SELECT c.school_code, c.year, c.land_area, c.building_area, c.equipment_value, c.books, \
                 (SELECT COUNT(*) FROM rec_student s WHERE s.school_code = c.school_code AND s.is_current = 1 AND s.year = c.year AND s.status = 'enrolled' AND s.study_mode = 'full_time'), \
                 (SELECT COUNT(*) FROM rec_teacher t WHERE {full_time}), \
                 (SELECT COUNT(*) FROM rec_teacher t WHERE {full_time} AND t.is_specialty = 1), \
                 (SELECT COUNT(*) FROM rec_teacher t WHERE {full_time} AND t.is_specialty = 1 AND t.dual_qualified = 1) \
                 FROM rec_condition c WHERE c.is_current = 1{one}"
            );
            for r in fetch(conn, sql).await? {
                // A record without its land area is read as no record, as the figure reads it.
                let Some(land) = r.try_get::<Option<f64>, _>(2)? else { continue };
                let counts = [r.get::<i64, _>(6), r.get(7), r.get(8), r.get(9)];
                let facts = school_rules::condition_facts(land, r.try_get(3)?, r.try_get(4)?, r.try_get(5)?, counts);
                let year = r.get::<i64, _>(1) as i32;
                out.entry(r.get(0)).or_default().push(school_rules::conditions_year(&plan.conditions, year, &facts));
            }
        }
        Check::TrainingToEnrolment => {
            let mut amounts: BTreeMap<(String, i32), (f64, f64)> = BTreeMap::new();
            let mut sql = Sql::new();
            let one = sql.only_schools("school_code", school);
            sql.text = format!(
                "SELECT school_code, year, CAST(COALESCE(SUM(person_times), 0) AS DOUBLE PRECISION) FROM rec_training \
                 WHERE is_current = 1{one} GROUP BY school_code, year"
            );
            for r in fetch(conn, sql).await? {
                amounts.entry((r.get(0), r.get::<i64, _>(1) as i32)).or_default().0 = r.get(2);
            }
            for ((s, year), tally) in reads.students(conn, school).await? {
                if tally.enrolled > 0.0 {
                    amounts.entry((s.clone(), *year)).or_default().1 = tally.enrolled;
                }
            }
            for ((s, year), (trained, enrolled)) in amounts {
                out.entry(s).or_default().push(SchoolYear { year, trained, enrolled, ..SchoolYear::default() });
            }
        }
        Check::LocalIntake => {
            for ((s, year), tally) in reads.students(conn, school).await? {
                if tally.intake > 0.0 {
                    let judged =
                        SchoolYear { year: *year, passed: tally.local, total: tally.intake, ..SchoolYear::default() };
                    out.entry(s.clone()).or_default().push(judged);
                }
            }
        }
        Check::IdealsHours => {
            let min = rule.min_hours.unwrap_or(16.0);
            for ((s, year), programs) in ideals_hours(conn, school).await? {
                out.entry(s).or_default().push(school_rules::ideals_year(year, min, &programs));
            }
        }
        Check::XCertificates | Check::CreditConversions => {}
        Check::IndustryCoverage => {
            let mut sql = Sql::new();
            let one = sql.only_schools("o.school_code", school);
            sql.text = format!(
                "SELECT DISTINCT o.school_code, o.year, m.industry FROM rec_offering o \
                 JOIN industry_map m ON o.program_code LIKE m.prefix || '%' WHERE o.is_current = 1{one}"
            );
            let mut covered: BTreeMap<(String, i32), BTreeSet<String>> = BTreeMap::new();
            for r in fetch(conn, sql).await? {
                covered.entry((r.get(0), r.get::<i64, _>(1) as i32)).or_default().insert(r.get(2));
            }
            for ((s, year), industries) in covered {
                let items: Vec<Item> = industries
                    .into_iter()
                    .map(|i| Item { subject: i, passed: true, detail_zh: String::new(), detail_en: String::new() })
                    .collect();
                out.entry(s).or_default().push(SchoolYear {
                    year,
                    passed: items.len() as f64,
                    items,
                    ..SchoolYear::default()
                });
            }
        }
    }
    for years in out.values_mut() {
        years.sort_by_key(|y| y.year);
    }
    Ok(out)
}

/// Each program's 职业精神 hours per school and year, summed over its courses: (school, year) →
/// [(program, "", hours)]. The one query both the blocks and the direct computation read.
pub async fn ideals_hours(
    conn: &mut AnyConnection,
    school: Option<&[String]>,
) -> Result<BTreeMap<(String, i32), Vec<school_rules::ProgramHours>>, StoreError> {
    let mut sql = Sql::new();
    let one = sql.only_schools("school_code", school);
    sql.text = format!(
        "SELECT school_code, year, program_code, CAST(COALESCE(SUM(ideals_hours), 0) AS DOUBLE PRECISION) \
         FROM rec_curriculum WHERE is_current = 1{one} GROUP BY school_code, year, program_code \
         ORDER BY school_code, year, program_code"
    );
    let mut out: BTreeMap<(String, i32), Vec<school_rules::ProgramHours>> = BTreeMap::new();
    for r in fetch(conn, sql).await? {
        out.entry((r.get(0), r.get::<i64, _>(1) as i32)).or_default().push((r.get(2), String::new(), r.get(3)));
    }
    Ok(out)
}

/// Replaces a rule's blocks of some schools (or of every school) with `judged`.
async fn write(
    conn: &mut AnyConnection,
    rule: &Rule,
    schools: Option<&[String]>,
    judged: BTreeMap<String, Vec<SchoolYear>>,
) -> Result<usize, StoreError> {
    clear(conn, rule, schools).await?;
    insert(conn, rule, judged).await
}

/// Deletes a rule's blocks of some schools (or of every school).
async fn clear(conn: &mut AnyConnection, rule: &Rule, schools: Option<&[String]>) -> Result<(), StoreError> {
    for table in ["rule_block", "rule_item"] {
        let mut sql = Sql::new();
        let id = sql.param(SqlValue::text(&rule.id));
        let some = sql.only_schools("school_code", schools);
        sql.text = format!("DELETE FROM {table} WHERE rule_id = {id}{some}");
        sql.bound().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Writes the blocks of `judged` (whose schools hold none of this rule). Returns how many items.
async fn insert(
    conn: &mut AnyConnection,
    rule: &Rule,
    judged: BTreeMap<String, Vec<SchoolYear>>,
) -> Result<usize, StoreError> {
    // No NULLs: PostgreSQL keeps a prepared INSERT's parameter types from its first use, and a
    // NULL there is typed differently from a number.
    let mut blocks = Vec::new();
    for (s, years) in &judged {
        for y in years {
            blocks.push(vec![
                SqlValue::text(s),
                SqlValue::text(&rule.id),
                SqlValue::Int(i64::from(y.year)),
                SqlValue::Real(y.passed),
                SqlValue::Real(y.total),
                SqlValue::Real(y.trained),
                SqlValue::Real(y.enrolled),
            ]);
        }
    }
    // A school's year of items is one row (schema v26): the nation's 2.1 M failures were as many
    // rows and index entries, and they are only ever read a school's year at a time.
    let (mut items, mut count) = (Vec::new(), 0);
    for (s, years) in &judged {
        for y in years.iter().filter(|y| !y.items.is_empty()) {
            count += y.items.len();
            items.push(vec![
                SqlValue::text(s),
                SqlValue::text(&rule.id),
                SqlValue::Int(i64::from(y.year)),
                SqlValue::Text(rule_sums::encode_items(&y.items)),
            ]);
        }
    }
    let backend = super::dialect::backend_of(conn);
    let cols = ["school_code", "rule_id", "year", "items"];
    let block_cols = ["school_code", "rule_id", "year", "passed", "total", "trained", "enrolled"];
    insert_batch(&mut *conn, backend, "rule_block", &block_cols, blocks).await?;
    insert_batch(&mut *conn, backend, "rule_item", &cols, items).await?;
    Ok(count)
}

/// Judges a rule for every school and replaces all its blocks. A teacher rule is judged and
/// written a chunk of schools at a time against the teachers and activity read once, so that it
/// holds one chunk's failures at a time. Returns how many items.
async fn rewrite_whole(
    conn: &mut AnyConnection,
    plan: &Plan,
    rule: &Rule,
    reads: &mut Reads,
) -> Result<usize, StoreError> {
    if !is_teacher_rule(rule.check) {
        let judged = judge(conn, plan, rule, None, reads).await?;
        return write(conn, rule, None, judged).await;
    }
    clear(conn, rule, None).await?;
    reads.load(conn, rule.check, None).await?;
    let (mut items, mut writing) = (0, std::time::Duration::ZERO);
    let reads = &*reads;
    for some in reads.schools().chunks(SCHOOLS_JUDGED_AT_ONCE) {
        let judged = reads.judge(rule, some);
        let started = std::time::Instant::now();
        items += insert(conn, rule, judged).await?;
        writing += started.elapsed();
    }
    tracing::debug!(rule = %rule.id, items, millis = writing.as_millis() as u64, "rule items written");
    Ok(items)
}

/// The schools whose rule blocks read the records of `schools` in `table`: themselves, and for
/// teacher records every school that shares a teacher with them. Asked before and after a change,
/// so that a person who leaves a school's records is followed too.
pub async fn linked(conn: &mut AnyConnection, table: Table, schools: &[String]) -> Result<Vec<String>, StoreError> {
    let mut out: BTreeSet<String> = schools.iter().cloned().collect();
    if matches!(table, Table::Teacher | Table::Practice | Table::Pd) && !schools.is_empty() {
        let mut sql = Sql::new();
        let list = sql.in_list(schools.iter().map(|s| SqlValue::text(s)).collect());
        sql.text = format!(
            "SELECT DISTINCT b.school_code FROM rec_teacher a JOIN rec_teacher b ON b.id_pseudo = a.id_pseudo AND b.is_current = 1 \
             WHERE a.is_current = 1 AND a.school_code IN ({list})"
        );
        out.extend(fetch(conn, sql).await?.iter().map(|r| r.get::<String, _>(0)));
    }
    Ok(out.into_iter().collect())
}

/// Recomputes, inside the caller's transaction, the blocks of `schools` for every rule of the
/// active plan that reads `table` (every higher school's local intake when the registry changes).
pub async fn refresh(
    conn: &mut AnyConnection,
    plan: &Plan,
    table: Table,
    schools: &[String],
) -> Result<(), StoreError> {
    let mut rules: Vec<&Rule> = plan.rules.iter().filter(|r| reads(r.check, table)).collect();
    rules.sort_by_key(|r| read_order(r.check));
    let mut kept = Reads::default();
    for rule in rules {
        if !registered_on(conn, &rule_key(plan, rule)).await? {
            continue;
        }
        if rule.check == Check::LocalIntake && table == Table::School {
            rewrite_whole(conn, plan, rule, &mut kept).await?;
            continue;
        }
        // A file of a few schools is judged for them alone. One of more schools than a statement
        // names is judged whole, once: a rule reads the people's activity wherever they teach,
        // so each chunk of schools read every teacher again (the nation's 1.3 M teachers: minutes
        // per rule), and the result for the schools outside the file is what they hold already.
        if schools.len() > SCHOOLS_PER_STATEMENT {
            rewrite_whole(conn, plan, rule, &mut kept).await?;
            continue;
        }
        let judged = judge(conn, plan, rule, Some(schools), &mut kept).await?;
        write(conn, rule, Some(schools), judged).await?;
    }
    Ok(())
}

/// Rebuilds whole, in the caller's transaction, the blocks of the active plan's rules of one
/// check (the industry map changed) or of all (None), and registers them.
pub async fn rebuild_on(conn: &mut AnyConnection, plan: &Plan, only_check: Option<Check>) -> Result<usize, StoreError> {
    if only_check.is_none() {
        let started = std::time::Instant::now();
        super::dialect::empty_table(conn, "rule_block").await?;
        super::dialect::empty_table(conn, "rule_item").await?;
        tracing::info!(millis = started.elapsed().as_millis() as u64, "rebuild: rule blocks emptied");
    }
    let mut n = 0;
    let mut rules: Vec<&Rule> = plan.rules.iter().filter(|r| only_check.is_none_or(|c| c == r.check)).collect();
    rules.sort_by_key(|r| read_order(r.check));
    let mut kept = Reads::default();
    for rule in rules {
        let started = std::time::Instant::now();
        let items = rewrite_whole(conn, plan, rule, &mut kept).await?;
        tracing::info!(rule = %rule.id, items, millis = started.elapsed().as_millis() as u64, "rebuild: rule blocks");
        let key = rule_key(plan, rule);
        sqlx::query("DELETE FROM figure_formula WHERE formula_key = $1").bind(key.clone()).execute(&mut *conn).await?;
        sqlx::query("INSERT INTO figure_formula (formula_key, formula, built_at) VALUES ($1, $2, $3)")
            .bind(key)
            .bind(serde_json::to_string(rule).unwrap_or_default())
            .bind(now())
            .execute(&mut *conn)
            .await?;
        n += 1;
    }
    Ok(n)
}

async fn registered_on(conn: &mut AnyConnection, key: &str) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM figure_formula WHERE formula_key = $1")
        .bind(key.to_string())
        .fetch_one(&mut *conn)
        .await?
        .get(0);
    Ok(n > 0)
}

/// Whether a rule has blocks (else its figures are computed from the records).
pub async fn registered(db: &Db, plan: &Plan, rule: &Rule) -> Result<bool, StoreError> {
    let mut conn = db.pool.acquire().await?;
    registered_on(&mut conn, &rule_key(plan, rule)).await
}

/// A block as compared: (school, year) → (passed, total, trained, enrolled, items).
pub type Kept = BTreeMap<(String, i64), (i64, i64, i64, i64, Vec<KeptItem>)>;

fn milli(x: f64) -> i64 {
    (x * 1000.0).round() as i64
}

/// A rule's blocks as kept, and as the records give them now: equal unless something was missed.
/// For `vetis figures check` and the property test.
pub async fn kept_and_fresh(db: &Db, plan: &Plan, rule: &Rule) -> Result<(Kept, Kept), StoreError> {
    let mut conn = db.pool.acquire().await?;
    let mut kept = Kept::new();
    let rows =
        sqlx::query("SELECT school_code, year, passed, total, trained, enrolled FROM rule_block WHERE rule_id = $1")
            .bind(rule.id.clone())
            .fetch_all(&mut *conn)
            .await?;
    for r in rows {
        kept.insert(
            (r.get(0), r.get(1)),
            (milli(r.get(2)), milli(r.get(3)), milli(r.get(4)), milli(r.get(5)), Vec::new()),
        );
    }
    let rows = sqlx::query("SELECT school_code, year, items FROM rule_item WHERE rule_id = $1")
        .bind(rule.id.clone())
        .fetch_all(&mut *conn)
        .await?;
    for r in rows {
        let items = rule_sums::decode_items(&r.get::<String, _>(2))?;
        match kept.get_mut(&(r.get(0), r.get(1))) {
            Some(k) => k.4 = items,
            // Items without their block: shown as a block of zeros, so the comparison fails.
            None => {
                kept.insert((r.get(0), r.get(1)), (0, 0, 0, 0, items));
            }
        }
    }
    let mut fresh = Kept::new();
    for (s, years) in judge(&mut conn, plan, rule, None, &mut Reads::default()).await? {
        for y in years {
            let items = y.items.into_iter().map(|i| (i.subject, i.passed, i.detail_zh, i.detail_en)).collect();
            fresh.insert(
                (s.clone(), i64::from(y.year)),
                (milli(y.passed), milli(y.total), milli(y.trained), milli(y.enrolled), items),
            );
        }
    }
    Ok((kept, fresh))
}

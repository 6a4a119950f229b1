//! Loads what the checker needs to know for one sheet: reference data, the active plan's
//! designation kinds and the approved records that cross-table rules (§5) compare with, limited to
//! the schools and years the sheet touches.

use std::collections::HashSet;

use sqlx::AnyConnection;
use sqlx::{AssertSqlSafe, Row};

use super::write::WriteTx;
use super::{Db, StoreError, refdata};
pub use crate::domain::reference::Scanned;
use crate::domain::reference::{Reference, SchoolInfo};
use crate::domain::standard::Table;

fn in_list(n: usize, start: usize) -> String {
    (0..n).map(|i| format!("${}", start + i)).collect::<Vec<_>>().join(", ")
}

/// The code lists and the registry a sheet's cells are read against, as the database holds them
/// now. Returns the data version read before them, so that a writer can tell whether anything
/// changed since.
pub async fn load_static(db: &Db) -> Result<(i64, Reference), StoreError> {
    let version = db.data_version().await?;
    let mut conn = db.pool.acquire().await?;
    Ok((version, static_on(&mut conn).await?))
}

/// Adds the approved records the cross-table rules compare a sheet with, for the schools and
/// years it names.
pub async fn load_records(db: &Db, table: Table, scanned: &Scanned, r: &mut Reference) -> Result<(), StoreError> {
    let mut conn = db.pool.acquire().await?;
    records_on(&mut conn, table, scanned, r).await
}

/// Both inside a write transaction: what the rules see there is what the rows will join.
pub async fn load_in(w: &mut WriteTx<'_>, table: Table, scanned: &Scanned) -> Result<Reference, StoreError> {
    let mut r = static_on(w.conn()).await?;
    records_on(w.conn(), table, scanned, &mut r).await?;
    Ok(r)
}

async fn static_on(conn: &mut AnyConnection) -> Result<Reference, StoreError> {
    let mut r = Reference::default();
    let pool = &mut *conn;
    for row in sqlx::query("SELECT school_code, level, sponsor, district_code FROM rec_school WHERE is_current = 1")
        .fetch_all(&mut *pool)
        .await?
    {
        r.schools.insert(row.get(0), SchoolInfo { level: row.get(1), sponsor: row.get(2), district: row.get(3) });
    }
    for row in sqlx::query("SELECT level, code, name FROM catalog_item WHERE item_level = 'MAJOR'")
        .fetch_all(&mut *pool)
        .await?
    {
        r.programs.insert((row.get(0), row.get(1)), row.get(2));
    }
    for row in sqlx::query("SELECT code, valid_from, valid_to, province FROM division").fetch_all(&mut *pool).await? {
        let code: String = row.get(0);
        r.divisions.insert(code.clone());
        let from: Option<i64> = row.get(1);
        let to: Option<i64> = row.get(2);
        r.division_history.entry(code).or_default().push((from.map(|v| v as i32), to.map(|v| v as i32)));
    }
    for row in sqlx::query("SELECT code FROM gz_district").fetch_all(&mut *pool).await? {
        r.guangzhou_districts.insert(row.get(0));
    }
    for row in sqlx::query("SELECT code FROM industry").fetch_all(&mut *pool).await? {
        r.industries.insert(row.get(0));
    }
    let plan = refdata::active_plan_on(&mut *pool).await?;
    r.dual_register = plan.dual_register.clone();
    for k in &plan.designation_kinds {
        r.designation_kinds.insert(k.key.clone(), k.key.clone());
        r.designation_kinds.insert(k.name_zh.clone(), k.key.clone());
    }
    Ok(r)
}

async fn records_on(
    conn: &mut AnyConnection,
    table: Table,
    scanned: &Scanned,
    r: &mut Reference,
) -> Result<(), StoreError> {
    let (schools, years, pairs) = (&scanned.schools, &scanned.years, &scanned.pairs);
    let pool = &mut *conn;
    if table == Table::Certificate {
        certificate_holders(pool, &scanned.certificates, r).await?;
    }
    if table == Table::Teacher {
        // The whole register: a teacher new to these schools may hold a recognition from another.
        for (person, rec) in super::dual::register::recognitions_on(pool, None).await? {
            r.recognitions.entry(person).or_default().push(rec);
        }
    }
    if matches!(table, Table::Student | Table::Transfer) {
        r.pathways = super::pathway::register_on(pool).await?;
    }
    if table == Table::Transfer {
        r.transfer_scheme = Some(super::pathway::scheme_on(pool).await?);
    }
    let schools: Vec<String> = schools.iter().cloned().collect();
    if schools.is_empty() {
        return Ok(());
    }
    let school_in = in_list(schools.len(), 1);
    let bind_schools = |sql: String| {
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for s in &schools {
            q = q.bind(s.clone());
        }
        q
    };
    if matches!(table, Table::Student | Table::Graduate | Table::Cooperation | Table::Curriculum) {
        let sql = format!(
            "SELECT school_code, year, program_code FROM rec_offering WHERE is_current = 1 AND school_code IN ({school_in})"
        );
        for row in bind_schools(sql).fetch_all(&mut *pool).await? {
            r.offerings.entry((row.get(0), row.get(1))).or_default().insert(row.get(2));
        }
    }
    if matches!(table, Table::Member | Table::Output) {
        for row in sqlx::query("SELECT designation_code FROM rec_designation WHERE is_current = 1")
            .fetch_all(&mut *pool)
            .await?
        {
            r.designations.insert(row.get(0));
        }
    }
    if matches!(table, Table::Practice | Table::Pd | Table::Member) {
        let sql = format!(
            "SELECT DISTINCT school_code, teacher_no FROM rec_teacher WHERE is_current = 1 AND school_code IN ({school_in})"
        );
        for row in bind_schools(sql).fetch_all(&mut *pool).await? {
            r.teachers.entry(row.get(0)).or_default().insert(row.get(1));
        }
    }
    if table == Table::TrainingSurvey {
        r.survey_rules = super::integrity::pack_on(pool).await?.survey;
        let sql = format!(
            "SELECT school_code, year, project_code, start_date, end_date, completed FROM rec_training \
             WHERE is_current = 1 AND school_code IN ({school_in})"
        );
        for row in bind_schools(sql).fetch_all(&mut *pool).await? {
            let project = crate::domain::reference::TrainingProject {
                start_date: row.get(3),
                end_date: row.get(4),
                completed: row.get(5),
            };
            r.training_projects.entry((row.get(0), row.get(1))).or_default().insert(row.get(2), project);
        }
    }
    if table == Table::Transfer {
        let sql = format!(
            "SELECT id_pseudo, school_code, program_code, pathway, entry_year FROM rec_student \
             WHERE is_current = 1 AND pathway IN ('three_plus_two', 'five_year', 'through') AND school_code IN ({school_in})"
        );
        for row in bind_schools(sql).fetch_all(&mut *pool).await? {
            r.pathway_students.entry(row.get(0)).or_default().push((row.get(1), row.get(2), row.get(3), row.get(4)));
        }
    }
    if table == Table::Practice {
        let sql = format!(
            "SELECT school_code, teacher_no, start_date, end_date FROM rec_practice WHERE is_current = 1 AND school_code IN ({school_in})"
        );
        for row in bind_schools(sql).fetch_all(&mut *pool).await? {
            r.placements.entry((row.get(0), row.get(1))).or_default().push((row.get(2), row.get(3)));
        }
    }
    if table == Table::Student && !years.is_empty() {
        // Enrolments of other schools in the file's years. Those of the file's own schools count
        // only for years the file does not replace.
        let year_in = in_list(years.len(), 1);
        let school_not_in = in_list(schools.len(), years.len() + 1);
        let sql = format!(
            "SELECT year, id_pseudo, school_code FROM rec_student WHERE is_current = 1 AND status = 'enrolled' \
             AND year IN ({year_in}) AND school_code NOT IN ({school_not_in})"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for y in years {
            q = q.bind(*y);
        }
        for s in &schools {
            q = q.bind(s.clone());
        }
        for row in q.fetch_all(&mut *pool).await? {
            r.enrolled.insert((row.get(0), row.get(1)), row.get(2));
        }
        for s in &schools {
            for y in years.iter().filter(|y| !pairs.contains(&(s.clone(), **y))) {
                let rows = sqlx::query(
                    "SELECT year, id_pseudo, school_code FROM rec_student WHERE is_current = 1 AND status = 'enrolled' AND year = $1 AND school_code = $2",
                )
                .bind(*y)
                .bind(s.clone())
                .fetch_all(&mut *pool)
                .await?;
                for row in rows {
                    r.enrolled.insert((row.get(0), row.get(1)), row.get(2));
                }
            }
        }
    }
    if let Some(year_col) = table.year_column() {
        let rec = super::records::record_table(table);
        let extra = if table == Table::Training { "CAST(SUM(person_times) AS BIGINT)" } else { "0" };
        let sql = format!(
            "SELECT school_code, {year_col}, COUNT(*), {extra} FROM {rec} WHERE is_current = 1 AND school_code IN ({school_in}) GROUP BY school_code, {year_col}"
        );
        let wanted: HashSet<i64> = years.iter().map(|y| y - 1).collect();
        for row in bind_schools(sql).fetch_all(&mut *pool).await? {
            let year: i64 = row.get(1);
            if wanted.contains(&year) {
                let key: (String, i64) = (row.get(0), year);
                r.row_counts.insert(key.clone(), row.get(2));
                r.person_times.insert(key, row.get::<Option<i64>, _>(3).unwrap_or(0));
            }
        }
    }
    Ok(())
}

/// Who each certificate of the file is on record for, looked up by number a thousand at a time.
async fn certificate_holders(
    conn: &mut AnyConnection,
    keys: &HashSet<(String, String)>,
    r: &mut Reference,
) -> Result<(), StoreError> {
    let numbers: Vec<&String> = keys.iter().map(|(_, no)| no).collect::<HashSet<_>>().into_iter().collect();
    for chunk in numbers.chunks(1000) {
        let sql = format!(
            "SELECT issuer_credit_code, certificate_no, id_pseudo FROM rec_certificate WHERE is_current = 1 AND certificate_no IN ({})",
            in_list(chunk.len(), 1)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for no in chunk {
            q = q.bind((*no).clone());
        }
        for row in q.fetch_all(&mut *conn).await? {
            let key: (String, String) = (row.get(0), row.get(1));
            if keys.contains(&key) {
                r.certificates.insert(key, row.get(2));
            }
        }
    }
    Ok(())
}

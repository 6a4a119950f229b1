//! Loads what the checker needs to know for one sheet: reference data, the active plan's
//! designation kinds and the approved records that cross-table rules (§5) compare with, limited to
//! the schools and years the sheet touches.

use std::collections::HashSet;

use sqlx::{AssertSqlSafe, Row};

use super::{Db, StoreError, refdata};
use crate::domain::ids::{SchoolCode, normalise_code};
use crate::domain::standard::Table;
use crate::ingest::check::ColumnMap;
use crate::ingest::read::Sheet;
use crate::ingest::reference::{Reference, SchoolInfo};

/// The schools and years a sheet names, read from the raw cells before any checking.
pub struct Scanned {
    pub schools: HashSet<String>,
    pub years: HashSet<i64>,
    /// The (school, year) groups the sheet replaces.
    pub pairs: HashSet<(String, i64)>,
}

pub fn scan(table: Table, sheet: &Sheet, map: &ColumnMap) -> Scanned {
    let col = |k: &str| table.spec().columns.iter().position(|c| c.key == k).and_then(|i| map[i]);
    let school_col = col("school_code");
    let year_col = table.year_column().and_then(col);
    let mut out = Scanned { schools: HashSet::new(), years: HashSet::new(), pairs: HashSet::new() };
    for (_, cells) in sheet.rows().flatten() {
        let school = school_col.and_then(|i| cells.get(i)).and_then(|s| SchoolCode::parse(s));
        let year = year_col.and_then(|i| cells.get(i)).and_then(|y| normalise_code(y).parse::<i64>().ok());
        if let Some(s) = &school
            && !out.schools.contains(s.as_str())
        {
            out.schools.insert(s.as_str().to_string());
        }
        if let Some(y) = year {
            out.years.insert(y);
            if let Some(s) = school
                && !out.pairs.contains(&(s.as_str().to_string(), y))
            {
                out.pairs.insert((s.as_str().to_string(), y));
            }
        }
    }
    out
}

fn in_list(n: usize, start: usize) -> String {
    (0..n).map(|i| format!("${}", start + i)).collect::<Vec<_>>().join(", ")
}

pub async fn load(db: &Db, table: Table, scanned: &Scanned) -> Result<Reference, StoreError> {
    let (schools, years, pairs) = (&scanned.schools, &scanned.years, &scanned.pairs);
    let mut r = Reference::default();
    let pool = &db.pool;
    for row in sqlx::query("SELECT school_code, level, sponsor, district_code FROM rec_school WHERE is_current = 1")
        .fetch_all(pool)
        .await?
    {
        r.schools.insert(row.get(0), SchoolInfo { level: row.get(1), sponsor: row.get(2), district: row.get(3) });
    }
    for row in
        sqlx::query("SELECT level, code, name FROM catalog_item WHERE item_level = 'MAJOR'").fetch_all(pool).await?
    {
        r.programs.insert((row.get(0), row.get(1)), row.get(2));
    }
    for row in sqlx::query("SELECT code, valid_from, valid_to, province FROM division").fetch_all(pool).await? {
        let code: String = row.get(0);
        r.divisions.insert(code.clone());
        let from: Option<i64> = row.get(1);
        let to: Option<i64> = row.get(2);
        r.division_history.entry(code).or_default().push((from.map(|v| v as i32), to.map(|v| v as i32)));
    }
    for row in sqlx::query("SELECT code FROM gz_district").fetch_all(pool).await? {
        r.guangzhou_districts.insert(row.get(0));
    }
    for row in sqlx::query("SELECT code FROM industry").fetch_all(pool).await? {
        r.industries.insert(row.get(0));
    }
    let plan = refdata::active_plan(db).await?;
    for k in &plan.designation_kinds {
        r.designation_kinds.insert(k.key.clone(), k.key.clone());
        r.designation_kinds.insert(k.name_zh.clone(), k.key.clone());
    }
    let schools: Vec<String> = schools.iter().cloned().collect();
    if schools.is_empty() {
        return Ok(r);
    }
    let school_in = in_list(schools.len(), 1);
    let bind_schools = |sql: String| {
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for s in &schools {
            q = q.bind(s.clone());
        }
        q
    };
    if matches!(table, Table::Student | Table::Graduate | Table::Cooperation) {
        let sql = format!(
            "SELECT school_code, year, program_code FROM rec_offering WHERE is_current = 1 AND school_code IN ({school_in})"
        );
        for row in bind_schools(sql).fetch_all(pool).await? {
            r.offerings.entry((row.get(0), row.get(1))).or_default().insert(row.get(2));
        }
    }
    if matches!(table, Table::Practice | Table::Pd) {
        let sql = format!(
            "SELECT DISTINCT school_code, teacher_no FROM rec_teacher WHERE is_current = 1 AND school_code IN ({school_in})"
        );
        for row in bind_schools(sql).fetch_all(pool).await? {
            r.teachers.entry(row.get(0)).or_default().insert(row.get(1));
        }
    }
    if table == Table::Practice {
        let sql = format!(
            "SELECT school_code, teacher_no, start_date, end_date FROM rec_practice WHERE is_current = 1 AND school_code IN ({school_in})"
        );
        for row in bind_schools(sql).fetch_all(pool).await? {
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
        for row in q.fetch_all(pool).await? {
            r.enrolled.insert((row.get(0), row.get(1)), row.get(2));
        }
        for s in &schools {
            for y in years.iter().filter(|y| !pairs.contains(&(s.clone(), **y))) {
                let rows = sqlx::query(
                    "SELECT year, id_pseudo, school_code FROM rec_student WHERE is_current = 1 AND status = 'enrolled' AND year = $1 AND school_code = $2",
                )
                .bind(*y)
                .bind(s.clone())
                .fetch_all(pool)
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
        for row in bind_schools(sql).fetch_all(pool).await? {
            let year: i64 = row.get(1);
            if wanted.contains(&year) {
                let key: (String, i64) = (row.get(0), year);
                r.row_counts.insert(key.clone(), row.get(2));
                r.person_times.insert(key, row.get::<Option<i64>, _>(3).unwrap_or(0));
            }
        }
    }
    Ok(r)
}

//! A teacher's own record, as the school and the bureau read it: their rows year by year (masked),
//! the recognitions of the person, and their practice placements and training wherever they were
//! recorded (a person through every school's teacher rows).

use sqlx::Row;

use super::register::recognitions_on;
use crate::domain::dual::register::Recognition;
use crate::store::{Db, StoreError};

/// One year's row of the teacher at the school.
#[derive(Debug, Clone, serde::Serialize)]
pub struct YearRow {
    pub year: i64,
    pub category: String,
    pub is_specialty: bool,
    pub dual_claimed: bool,
    pub dual_recognised: bool,
    pub title: Option<String>,
}

/// A placement or a training course, with the school that recorded it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Activity {
    pub school_code: String,
    pub what: String,
    pub start_date: String,
    pub end_date: String,
    /// Days of practice, or hours of training.
    pub amount: f64,
}

/// The record.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TeacherRecord {
    pub school_code: String,
    pub teacher_no: String,
    pub name_masked: String,
    pub id_masked: String,
    pub years: Vec<YearRow>,
    pub recognitions: Vec<Recognition>,
    pub practice: Vec<Activity>,
    pub training: Vec<Activity>,
}

/// The record of `teacher_no` at `school`; None when the school has no such teacher.
pub async fn record(db: &Db, school: &str, teacher_no: &str) -> Result<Option<TeacherRecord>, StoreError> {
    let mut conn = db.pool.acquire().await?;
    let rows = sqlx::query(
        "SELECT year, category, is_specialty, dual_qualified, dual_recognised, title, id_pseudo, name_masked, id_masked FROM rec_teacher \
         WHERE school_code = $1 AND teacher_no = $2 AND is_current = 1 ORDER BY year",
    )
    .bind(school.to_string())
    .bind(teacher_no.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let Some(last) = rows.last() else { return Ok(None) };
    let person: String = last.get(6);
    let (name_masked, id_masked): (String, String) = (last.get(7), last.get(8));
    let years = rows
        .iter()
        .map(|r| YearRow {
            year: r.get(0),
            category: r.get(1),
            is_specialty: r.get::<i64, _>(2) == 1,
            dual_claimed: r.get::<i64, _>(3) == 1,
            dual_recognised: r.get::<i64, _>(4) == 1,
            title: r.get(5),
        })
        .collect();
    let recognitions =
        recognitions_on(&mut conn, None).await?.into_iter().filter(|(p, _)| *p == person).map(|(_, r)| r).collect();
    let activity = |table: &str, what: &str, amount: &str| {
        format!(
            "SELECT a.school_code, {what}, a.start_date, a.end_date, CAST({amount} AS DOUBLE PRECISION) FROM {table} a \
             JOIN (SELECT DISTINCT school_code, teacher_no FROM rec_teacher WHERE id_pseudo = $1 AND is_current = 1) m \
             ON m.school_code = a.school_code AND m.teacher_no = a.teacher_no WHERE a.is_current = 1 ORDER BY a.start_date"
        )
    };
    let mut lists = Vec::new();
    for sql in [activity("rec_practice", "a.enterprise_name", "a.days"), activity("rec_pd", "a.course", "a.hours")] {
        let list: Vec<Activity> = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(person.clone())
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|r| Activity {
                school_code: r.get(0),
                what: r.get(1),
                start_date: r.get(2),
                end_date: r.get(3),
                amount: r.get(4),
            })
            .collect();
        lists.push(list);
    }
    let training = lists.pop().unwrap_or_default();
    let practice = lists.pop().unwrap_or_default();
    Ok(Some(TeacherRecord {
        school_code: school.to_string(),
        teacher_no: teacher_no.to_string(),
        name_masked,
        id_masked,
        years,
        recognitions,
        practice,
        training,
    }))
}

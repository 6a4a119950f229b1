//! What the dual-qualified pre-check reads of a teacher (the Teachers issue): their latest
//! `teacher` row at a school (title, enterprise years), their practice placements wherever they
//! were done (a person through every school's teacher rows), and the certificates on record for
//! the person that are valid today and not revoked. The register of recognitions (`register`) and
//! the pack in force (`pack`) live beside it.

use sqlx::{AnyConnection, Row};

use super::{Db, StoreError, now};
use crate::domain::dual::TeacherFacts;

pub mod evidence;
pub mod marks;
pub mod pack;
pub mod record;
pub mod register;

fn day(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

/// The facts of teacher `teacher_no` of `school`, from their row of `year` (their latest, when
/// None); None when the school has no such teacher.
pub async fn facts(
    db: &Db,
    school: &str,
    teacher_no: &str,
    year: Option<i32>,
) -> Result<Option<TeacherFacts>, StoreError> {
    let mut conn = db.pool.acquire().await?;
    Ok(facts_on(&mut conn, school, teacher_no, year).await?.map(|(_, f)| f))
}

/// The same inside a transaction, with the person's pseudonym.
pub(crate) async fn facts_on(
    conn: &mut AnyConnection,
    school: &str,
    teacher_no: &str,
    year: Option<i32>,
) -> Result<Option<(String, TeacherFacts)>, StoreError> {
    let row = sqlx::query(
        "SELECT year, id_pseudo, title, CAST(industry_years AS DOUBLE PRECISION) FROM rec_teacher \
         WHERE school_code = $1 AND teacher_no = $2 AND is_current = 1 AND year <= $3 ORDER BY year DESC LIMIT 1",
    )
    .bind(school.to_string())
    .bind(teacher_no.to_string())
    .bind(i64::from(year.unwrap_or(9999)))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let pseudonym: String = row.get(1);
    let practice = sqlx::query(
        "SELECT a.start_date, a.end_date, CAST(a.days AS DOUBLE PRECISION) FROM rec_practice a \
         JOIN (SELECT DISTINCT school_code, teacher_no FROM rec_teacher WHERE id_pseudo = $1 AND is_current = 1) m \
         ON m.school_code = a.school_code AND m.teacher_no = a.teacher_no WHERE a.is_current = 1",
    )
    .bind(pseudonym.clone())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .filter_map(|r| {
        let (s, e): (String, String) = (r.get(0), r.get(1));
        Some((day(&s)?, day(&e)?, r.get::<Option<f64>, _>(2).unwrap_or(0.0)))
    })
    .collect();
    let today = now()[..10].to_string();
    let certificates = sqlx::query(
        "SELECT c.kind, c.level FROM rec_certificate c WHERE c.id_pseudo = $1 AND c.is_current = 1 \
         AND (c.valid_until IS NULL OR c.valid_until = '' OR c.valid_until >= $2) \
         AND NOT EXISTS (SELECT 1 FROM outcome_revocation r WHERE r.issuer_credit_code = c.issuer_credit_code \
         AND r.certificate_no = c.certificate_no)",
    )
    .bind(pseudonym.clone())
    .bind(today)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect();
    let facts = TeacherFacts {
        year: row.get::<i64, _>(0) as i32,
        title: row.get(2),
        industry_years: row.get(3),
        practice,
        certificates,
    };
    Ok(Some((pseudonym, facts)))
}

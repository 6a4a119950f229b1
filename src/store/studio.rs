//! A studio's or team's page (data standard v1.3): the designation as recorded, its members (the
//! teacher's masked name from their latest row) and its outputs by year.

use sqlx::Row;

use super::{Db, StoreError};

/// One member.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Member {
    pub school_code: String,
    pub teacher_no: String,
    pub name_masked: String,
    pub role: String,
    pub joined_date: Option<String>,
}

/// One output.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Output {
    pub school_code: String,
    pub year: i64,
    pub kind: String,
    pub title: String,
    pub achieved_date: Option<String>,
    pub note: Option<String>,
}

/// The designation with its members and outputs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Studio {
    pub code: String,
    pub kind: String,
    pub level: String,
    pub school_code: String,
    pub school_name: String,
    pub subject: Option<String>,
    pub status: String,
    pub approved_year: i64,
    pub accepted_year: Option<i64>,
    pub members: Vec<Member>,
    pub outputs: Vec<Output>,
}

/// The studio or team of `code`; None when no designation has it.
pub async fn studio(db: &Db, code: &str) -> Result<Option<Studio>, StoreError> {
    let Some(d) = sqlx::query(
        "SELECT d.designation_code, d.kind, d.level, d.school_code, COALESCE(s.name, ''), d.subject, d.status, d.approved_year, d.accepted_year \
         FROM rec_designation d LEFT JOIN rec_school s ON s.school_code = d.school_code AND s.is_current = 1 \
         WHERE d.designation_code = $1 AND d.is_current = 1",
    )
    .bind(code.to_string())
    .fetch_optional(&db.pool)
    .await?
    else {
        return Ok(None);
    };
    let members = sqlx::query(
        "SELECT m.school_code, m.teacher_no, COALESCE((SELECT t.name_masked FROM rec_teacher t WHERE t.school_code = m.school_code \
         AND t.teacher_no = m.teacher_no AND t.is_current = 1 ORDER BY t.year DESC LIMIT 1), ''), m.role, m.joined_date \
         FROM rec_member m WHERE m.designation_code = $1 AND m.is_current = 1 ORDER BY CASE m.role WHEN 'host' THEN 0 WHEN 'core' THEN 1 ELSE 2 END, m.school_code, m.teacher_no",
    )
    .bind(code.to_string())
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| Member { school_code: r.get(0), teacher_no: r.get(1), name_masked: r.get(2), role: r.get(3), joined_date: r.get(4) })
    .collect();
    let outputs = sqlx::query(
        "SELECT school_code, year, kind, title, achieved_date, note FROM rec_output WHERE designation_code = $1 AND is_current = 1 ORDER BY year DESC, kind, title",
    )
    .bind(code.to_string())
    .fetch_all(&db.pool)
    .await?
    .iter()
    .map(|r| Output { school_code: r.get(0), year: r.get(1), kind: r.get(2), title: r.get(3), achieved_date: r.get(4), note: r.get(5) })
    .collect();
    Ok(Some(Studio {
        code: d.get(0),
        kind: d.get(1),
        level: d.get(2),
        school_code: d.get(3),
        school_name: d.get(4),
        subject: d.get(5),
        status: d.get(6),
        approved_year: d.get(7),
        accepted_year: d.get(8),
        members,
        outputs,
    }))
}

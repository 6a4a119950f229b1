//! What the public portal reads beside the figures: the programs each school offers in its latest
//! year on record, and a school's designations.

use std::collections::HashMap;

use sqlx::Row;

use super::{Db, StoreError};

/// school → (latest year, program codes offered that year).
pub async fn offerings(db: &Db) -> Result<HashMap<String, (i64, Vec<String>)>, StoreError> {
    let rows = sqlx::query(
        "SELECT o.school_code, o.year, o.program_code FROM rec_offering o \
         JOIN (SELECT school_code, MAX(year) AS y FROM rec_offering WHERE is_current = 1 GROUP BY school_code) m \
         ON m.school_code = o.school_code AND m.y = o.year WHERE o.is_current = 1 ORDER BY o.school_code, o.program_code",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut out: HashMap<String, (i64, Vec<String>)> = HashMap::new();
    for r in rows {
        let e = out.entry(r.get(0)).or_insert_with(|| (r.get(1), Vec::new()));
        e.1.push(r.get(2));
    }
    Ok(out)
}

/// A designation as the portal lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Designation {
    pub code: String,
    pub kind: String,
    pub level: String,
    pub subject: Option<String>,
    pub approved_year: i64,
    pub status: String,
}

/// A school's designations (建设项目与认定), newest first.
pub async fn designations(db: &Db, school: &str) -> Result<Vec<Designation>, StoreError> {
    let rows = sqlx::query(
        "SELECT designation_code, kind, level, subject, approved_year, status FROM rec_designation \
         WHERE is_current = 1 AND school_code = $1 ORDER BY approved_year DESC, designation_code",
    )
    .bind(school.to_string())
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Designation {
            code: r.get(0),
            kind: r.get(1),
            level: r.get(2),
            subject: r.get(3),
            approved_year: r.get(4),
            status: r.get(5),
        })
        .collect())
}

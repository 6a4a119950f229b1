//! Evidence files of a dual-qualified application (certificates, practice confirmations, outputs
//! for the panel), kept in the database like a task's, with the same checks.

use sqlx::Row;

use crate::store::audit::{self, Entry};
use crate::store::{Db, StoreError, now};

/// A stored evidence file, without its content.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Evidence {
    pub id: i64,
    pub application_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// Adds a file to an application waiting for the panel.
pub async fn add(
    db: &Db,
    application: i64,
    file_name: &str,
    bytes: &[u8],
    actor: &str,
    source: &str,
) -> Result<i64, StoreError> {
    let (name, content_type, sha) = crate::store::tasks::vetted(file_name, bytes)?;
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let row = sqlx::query("SELECT school_code, status FROM dual_application WHERE id = $1")
        .bind(application)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            StoreError::not_found(format!("没有申请 {application} / there is no application {application}"))
        })?;
    let (school, status): (String, String) = (row.get(0), row.get(1));
    if status != "pending" {
        return Err(StoreError::refused(format!(
            "申请 {application} 已评审，不能再补充材料 / application {application} is decided: no more evidence"
        )));
    }
    let id: i64 = sqlx::query(
        "INSERT INTO dual_evidence (application_id, school_code, file_name, content_type, size, sha256, content, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(application)
    .bind(school)
    .bind(name.clone())
    .bind(content_type)
    .bind(bytes.len() as i64)
    .bind(sha.clone())
    .bind(bytes.to_vec())
    .bind(actor.to_string())
    .bind(now())
    .fetch_one(&mut *tx)
    .await?
    .get(0);
    let e = Entry {
        actor,
        action: "dual_evidence",
        object: &format!("dual application {application}"),
        detail: &format!("{name} sha256 {sha}"),
        source,
    };
    audit::record(&mut *tx, &e).await?;
    w.commit().await?;
    Ok(id)
}

/// The files of an application.
pub async fn list(db: &Db, application: i64) -> Result<Vec<Evidence>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, application_id, file_name, content_type, size, sha256, uploaded_by, uploaded_at FROM dual_evidence WHERE application_id = $1 ORDER BY id",
    )
    .bind(application)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Evidence {
            id: r.get(0),
            application_id: r.get(1),
            file_name: r.get(2),
            content_type: r.get(3),
            size: r.get(4),
            sha256: r.get(5),
            uploaded_by: r.get(6),
            uploaded_at: r.get(7),
        })
        .collect())
}

//! The files behind an integrity event (decisions, inspection notes, corrective reports), kept in
//! the database with the checks of every evidence file; added at any stage, never removed.

use sqlx::Row;

use crate::store::audit::{self, Entry};
use crate::store::{Db, StoreError, now};

/// A stored file, without its content.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Evidence {
    pub id: i64,
    pub event_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

/// Adds a file to an event; its id.
pub async fn add(
    db: &Db,
    event: i64,
    file_name: &str,
    bytes: &[u8],
    actor: &str,
    source: &str,
) -> Result<i64, StoreError> {
    crate::store::tasks::vetted(file_name, bytes)?;
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let school: String = sqlx::query("SELECT school_code FROM integrity_event WHERE id = $1")
        .bind(event)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("没有编号为 {event} 的事件 / there is no event {event}")))?
        .get(0);
    let id = insert_on(&mut *tx, event, &school, file_name, bytes, actor, source).await?;
    w.commit().await?;
    Ok(id)
}

/// Checks a file (kind, size) before anything is written.
pub fn vet(file_name: &str, bytes: &[u8]) -> Result<(), StoreError> {
    crate::store::tasks::vetted(file_name, bytes).map(|_| ())
}

/// Stores a file of an event inside the caller's transaction, audited; its id.
pub(super) async fn insert_on(
    tx: &mut sqlx::AnyConnection,
    event: i64,
    school: &str,
    file_name: &str,
    bytes: &[u8],
    actor: &str,
    source: &str,
) -> Result<i64, StoreError> {
    let (name, content_type, sha) = crate::store::tasks::vetted(file_name, bytes)?;
    let id: i64 = sqlx::query(
        "INSERT INTO integrity_evidence (event_id, school_code, file_name, content_type, size, sha256, content, uploaded_by, uploaded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(event)
    .bind(school.to_string())
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
        action: "integrity_evidence",
        object: &format!("event {event}"),
        detail: &format!("{name} sha256 {sha}"),
        source,
    };
    audit::record(&mut *tx, &e).await?;
    Ok(id)
}

/// The files of an event, oldest first.
pub async fn list(db: &Db, event: i64) -> Result<Vec<Evidence>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, event_id, file_name, content_type, size, sha256, uploaded_by, uploaded_at FROM integrity_evidence WHERE event_id = $1 ORDER BY id",
    )
    .bind(event)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Evidence {
            id: r.get(0),
            event_id: r.get(1),
            file_name: r.get(2),
            content_type: r.get(3),
            size: r.get(4),
            sha256: r.get(5),
            uploaded_by: r.get(6),
            uploaded_at: r.get(7),
        })
        .collect())
}

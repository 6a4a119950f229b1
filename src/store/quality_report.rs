//! Quality reports as written and published: versions per subject (a school's code, or `city`)
//! and year, their chapters, the review, and at publication the frozen tables with their hash and
//! the data version they were read at. Every step audited; nothing deleted.

use std::collections::HashMap;

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use super::audit::{self, Entry};
use super::{Db, StoreError, now};
use crate::domain::quality::Template;
use crate::domain::quality::report::ReportStatus;

/// A version of a report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    pub id: i64,
    pub subject: String,
    pub year: i64,
    pub version: i64,
    pub status: ReportStatus,
    pub template_id: String,
    pub template_version: String,
    pub submitted_at: Option<String>,
    pub decided_by: Option<String>,
    pub review_comment: Option<String>,
    pub published_at: Option<String>,
    pub data_version: Option<i64>,
    pub snapshot_hash: Option<String>,
}

const COLUMNS: &str = "id, subject, year, version, status, template_id, template_version, submitted_at, decided_by, review_comment, published_at, data_version, snapshot_hash";

fn report(r: &sqlx::any::AnyRow) -> Report {
    Report {
        id: r.get(0),
        subject: r.get(1),
        year: r.get(2),
        version: r.get(3),
        status: ReportStatus::parse(&r.get::<String, _>(4)).unwrap_or(ReportStatus::Draft),
        template_id: r.get(5),
        template_version: r.get(6),
        submitted_at: r.get(7),
        decided_by: r.get(8),
        review_comment: r.get(9),
        published_at: r.get(10),
        data_version: r.get(11),
        snapshot_hash: r.get(12),
    }
}

async fn latest_on(conn: &mut AnyConnection, subject: &str, year: i64) -> Result<Option<Report>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM quality_report WHERE subject = $1 AND year = $2 ORDER BY version DESC");
    let row =
        sqlx::query(sqlx::AssertSqlSafe(sql)).bind(subject.to_string()).bind(year).fetch_optional(&mut *conn).await?;
    Ok(row.as_ref().map(report))
}

/// The latest version of a subject's report of a year.
pub async fn latest(db: &Db, subject: &str, year: i64) -> Result<Option<Report>, StoreError> {
    let mut conn = db.pool.acquire().await?;
    latest_on(&mut conn, subject, year).await
}

/// Every version of a subject's report of a year, newest first.
pub async fn versions(db: &Db, subject: &str, year: i64) -> Result<Vec<Report>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM quality_report WHERE subject = $1 AND year = $2 ORDER BY version DESC");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(subject.to_string()).bind(year).fetch_all(&db.pool).await?;
    Ok(rows.iter().map(report).collect())
}

/// Every report of a year (every subject's latest and earlier versions), or of every year.
pub async fn all(db: &Db, year: Option<i64>) -> Result<Vec<Report>, StoreError> {
    let (filter, y) = match year {
        Some(y) => ("WHERE year = $1", y),
        None => ("WHERE year > $1", 0),
    };
    let sql = format!("SELECT {COLUMNS} FROM quality_report {filter} ORDER BY subject, year, version");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(y).fetch_all(&db.pool).await?;
    Ok(rows.iter().map(report).collect())
}

/// A version's chapters: chapter id → text.
pub async fn chapters(db: &Db, report: i64) -> Result<HashMap<String, String>, StoreError> {
    let rows = sqlx::query("SELECT chapter_id, body FROM quality_chapter WHERE report_id = $1")
        .bind(report)
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// A published version's frozen tables (JSON).
pub async fn snapshot(db: &Db, report: i64) -> Result<Option<String>, StoreError> {
    Ok(sqlx::query("SELECT snapshot FROM quality_report WHERE id = $1")
        .bind(report)
        .fetch_optional(&db.pool)
        .await?
        .and_then(|r| r.get(0)))
}

/// The most characters a chapter holds.
pub const CHAPTER_LIMIT: usize = 100_000;

/// Writes a chapter of the report being written: the draft (made on first use, or as a new
/// version copying the chapters of a published one), or one returned for changes.
pub async fn write(
    db: &Db,
    (subject, year): (&str, i64),
    t: &Template,
    chapter: &str,
    body: &str,
    actor: &str,
    source: &str,
) -> Result<Report, StoreError> {
    if !t.chapters.iter().any(|c| c.id == chapter) {
        let ids: Vec<&str> = t.chapters.iter().map(|c| c.id.as_str()).collect();
        return Err(StoreError::refused(format!(
            "章节“{chapter}”不在报告模板中（{}） / '{chapter}' is not a chapter of the template ({})",
            ids.join(", "),
            ids.join(", ")
        )));
    }
    if body.chars().count() > CHAPTER_LIMIT {
        return Err(StoreError::refused(format!(
            "章节超过 {CHAPTER_LIMIT} 字 / a chapter holds at most {CHAPTER_LIMIT} characters"
        )));
    }
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let stamp = now();
    let current = latest_on(&mut *tx, subject, year).await?;
    let report = match current {
        Some(r) if r.status.editable() => r,
        Some(r) if matches!(r.status, ReportStatus::Submitted | ReportStatus::Approved) => {
            return Err(StoreError::conflict(format!(
                "报告 {subject} {year} 第 {} 版{}，不能修改 / the report {subject} {year} v{} is {}: it cannot be changed now",
                r.version,
                r.status.zh(),
                r.version,
                r.status.key()
            )));
        }
        previous => {
            // A first draft, or a correction of a published version (its chapters copied).
            let version = previous.as_ref().map_or(1, |p| p.version + 1);
            let id: i64 = sqlx::query(
                "INSERT INTO quality_report (subject, year, version, status, template_id, template_version, created_by, created_at) \
                 VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7) RETURNING id",
            )
            .bind(subject.to_string())
            .bind(year)
            .bind(version)
            .bind(t.id.clone())
            .bind(t.version.clone())
            .bind(actor.to_string())
            .bind(stamp.clone())
            .fetch_one(&mut *tx)
            .await?
            .get(0);
            if let Some(p) = &previous {
                sqlx::query(
                    "INSERT INTO quality_chapter (report_id, chapter_id, body, updated_by, updated_at) \
                     SELECT $1, chapter_id, body, updated_by, updated_at FROM quality_chapter WHERE report_id = $2",
                )
                .bind(id)
                .bind(p.id)
                .execute(&mut *tx)
                .await?;
            }
            latest_on(&mut *tx, subject, year)
                .await?
                .ok_or_else(|| StoreError::Internal("the new draft vanished".into()))?
        }
    };
    sqlx::query("DELETE FROM quality_chapter WHERE report_id = $1 AND chapter_id = $2")
        .bind(report.id)
        .bind(chapter.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO quality_chapter (report_id, chapter_id, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(report.id)
    .bind(chapter.to_string())
    .bind(body.to_string())
    .bind(actor.to_string())
    .bind(stamp)
    .execute(&mut *tx)
    .await?;
    let object = format!("quality report {subject} {year} v{}", report.version);
    let detail = format!("{chapter}: {} characters", body.chars().count());
    audit::record(&mut *tx, &Entry { actor, action: "quality_write", object: &object, detail: &detail, source })
        .await?;
    w.commit().await?;
    Ok(report)
}

/// A step of the review.
pub enum Step<'a> {
    Submit {
        template: &'a Template,
    },
    Approve,
    Return {
        comment: &'a str,
    },
    /// Publishes with the frozen tables (JSON) read at `data_version`; `on`: the day it was
    /// published, for a report published before VETIS kept it (today when None).
    Publish {
        snapshot: &'a str,
        data_version: i64,
        on: Option<&'a str>,
    },
}

/// Takes a step on the latest version, refused with the reason when it is not where the step
/// starts (or, to submit, while a required chapter is empty).
pub async fn step(
    db: &Db,
    subject: &str,
    year: i64,
    s: &Step<'_>,
    actor: &str,
    source: &str,
) -> Result<Report, StoreError> {
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let Some(r) = latest_on(&mut *tx, subject, year).await? else {
        return Err(StoreError::not_found(format!(
            "{subject} 没有 {year} 年度的质量报告 / {subject} has no quality report of {year}"
        )));
    };
    let wrong = |wanted: &str| {
        StoreError::refused(format!(
            "报告 {subject} {year} 第 {} 版当前为“{}”，此操作要求“{wanted}” / the report is {}: this step needs it {wanted}",
            r.version,
            r.status.zh(),
            r.status.key()
        ))
    };
    let stamp = now();
    let (action, detail) = match s {
        Step::Submit { template } => {
            if !r.status.editable() {
                return Err(wrong("draft / returned"));
            }
            let written: HashMap<String, String> =
                sqlx::query("SELECT chapter_id, body FROM quality_chapter WHERE report_id = $1")
                    .bind(r.id)
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(|x| (x.get(0), x.get(1)))
                    .collect();
            let empty: Vec<&str> = template
                .chapters
                .iter()
                .filter(|c| c.required && written.get(&c.id).is_none_or(|b| b.trim().is_empty()))
                .map(|c| c.name_zh.as_str())
                .collect();
            if !empty.is_empty() {
                return Err(StoreError::refused(format!(
                    "必写章节尚未填写：{} / required chapters are empty: {}",
                    empty.join("、"),
                    empty.join(", ")
                )));
            }
            sqlx::query("UPDATE quality_report SET status = 'submitted', submitted_at = $1 WHERE id = $2")
                .bind(stamp)
                .bind(r.id)
                .execute(&mut *tx)
                .await?;
            ("quality_submit", String::new())
        }
        Step::Approve | Step::Return { .. } if r.status != ReportStatus::Submitted => return Err(wrong("submitted")),
        Step::Approve => {
            sqlx::query(
                "UPDATE quality_report SET status = 'approved', decided_by = $1, decided_at = $2 WHERE id = $3",
            )
            .bind(actor.to_string())
            .bind(stamp)
            .bind(r.id)
            .execute(&mut *tx)
            .await?;
            ("quality_approve", String::new())
        }
        Step::Return { comment } => {
            if comment.trim().is_empty() {
                return Err(StoreError::refused("退回须写明意见 / a return needs a comment".to_string()));
            }
            sqlx::query(
                "UPDATE quality_report SET status = 'returned', decided_by = $1, decided_at = $2, review_comment = $3 WHERE id = $4",
            )
            .bind(actor.to_string())
            .bind(stamp)
            .bind(comment.trim().to_string())
            .bind(r.id)
            .execute(&mut *tx)
            .await?;
            ("quality_return", comment.trim().to_string())
        }
        Step::Publish { .. } if r.status != ReportStatus::Approved => return Err(wrong("approved")),
        Step::Publish { snapshot, data_version, on } => {
            let hash = hex::encode(Sha256::digest(snapshot.as_bytes()));
            let stamp = on.map_or(stamp, |d| format!("{d}T00:00:00+00:00"));
            sqlx::query("UPDATE quality_report SET status = 'superseded' WHERE subject = $1 AND year = $2 AND status = 'published'")
                .bind(subject.to_string())
                .bind(year)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE quality_report SET status = 'published', published_by = $1, published_at = $2, data_version = $3, snapshot = $4, snapshot_hash = $5 WHERE id = $6",
            )
            .bind(actor.to_string())
            .bind(stamp)
            .bind(*data_version)
            .bind(snapshot.to_string())
            .bind(hash.clone())
            .bind(r.id)
            .execute(&mut *tx)
            .await?;
            ("quality_publish", format!("data version {data_version}, sha256 {hash}"))
        }
    };
    let object = format!("quality report {subject} {year} v{}", r.version);
    audit::record(&mut *tx, &Entry { actor, action, object: &object, detail: &detail, source }).await?;
    w.commit().await?;
    latest(db, subject, year).await?.ok_or_else(|| StoreError::Internal("the report vanished".into()))
}

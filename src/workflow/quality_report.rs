//! Quality reports from writing to publication, for the CLI and the web alike: the document of a
//! draft (tables read now) or of the published version (tables as frozen), and publication, which
//! freezes the tables read at the current data version.

use crate::domain::quality::Edition;
use crate::domain::quality::report::{ReportStatus, Timeliness};
use crate::figures::quality::{self, Frozen, Subject};
use crate::reports::quality::Document;
use crate::store::quality_report::{self as store, Report, Step};
use crate::store::{Db, StoreError};

/// The key a subject is stored under.
pub fn subject_key(s: &Subject) -> String {
    match s {
        Subject::School(c) => c.clone(),
        Subject::City => "city".into(),
    }
}

/// A report as a document: the published version's frozen tables, or the working version (or an
/// empty draft) with the tables read now.
pub async fn document(db: &Db, subject: &Subject, year: i64, published: bool) -> Result<Document, StoreError> {
    let key = subject_key(subject);
    let template = quality::template_for(db, subject, year).await?;
    let versions = store::versions(db, &key, year).await?;
    let (report, frozen): (Option<Report>, Frozen) = if published {
        let Some(r) = versions.into_iter().find(|r| r.status == ReportStatus::Published) else {
            return Err(StoreError::not_found(format!(
                "{key} 尚未发布 {year} 年度质量报告 / {key} has published no quality report of {year}"
            )));
        };
        let text = store::snapshot(db, r.id).await?.unwrap_or_default();
        let frozen = serde_json::from_str(&text)
            .map_err(|e| StoreError::Internal(format!("snapshot of report {}: {e}", r.id)))?;
        (Some(r), frozen)
    } else {
        (versions.into_iter().next(), quality::freeze(db, subject, year, &roster(db, subject, year).await?).await?)
    };
    let written = match &report {
        Some(r) => store::chapters(db, r.id).await?,
        None => Default::default(),
    };
    let chapters = template
        .chapters
        .iter()
        .map(|c| (c.id.clone(), c.name_zh.clone(), written.get(&c.id).cloned().unwrap_or_default()))
        .collect();
    let status_line = match &report {
        Some(r) if r.status == ReportStatus::Published => {
            format!("第 {} 版 · 已发布 {}", r.version, r.published_at.as_deref().map_or("", |d| &d[..d.len().min(10)]))
        }
        Some(r) => format!("第 {} 版 · {}（未发布，数据随报送更新）", r.version, r.status.zh()),
        None => "草稿（未发布，数据随报送更新）".into(),
    };
    Ok(Document { frozen, chapters, status_line, hash: report.and_then(|r| r.snapshot_hash).filter(|_| published) })
}

/// The schools of the city's report with their own report's timeliness (none for a school's).
pub async fn roster(db: &Db, subject: &Subject, year: i64) -> Result<Vec<quality::RosterEntry>, StoreError> {
    if *subject != Subject::City {
        return Ok(Vec::new());
    }
    let lines = status(db, year).await?;
    Ok(crate::store::registry::schools(db)
        .await?
        .into_iter()
        .map(|s| {
            let report = lines.iter().find(|l| l.subject == s.code).map_or("—", |l| l.timeliness.zh()).to_string();
            quality::RosterEntry { code: s.code, name: s.name, sponsor: s.sponsor, report }
        })
        .collect())
}

/// Publishes the approved version with its tables frozen now.
pub async fn publish(
    db: &Db,
    subject: &Subject,
    year: i64,
    on: Option<chrono::NaiveDate>,
    actor: &str,
    source: &str,
) -> Result<Report, StoreError> {
    let key = subject_key(subject);
    let frozen = quality::freeze(db, subject, year, &roster(db, subject, year).await?).await?;
    publish_frozen(db, (&key, year), &frozen, on, actor, source).await
}

/// Publishes with tables already frozen (the demo freezes many reports from one reading).
pub async fn publish_frozen(
    db: &Db,
    (key, year): (&str, i64),
    frozen: &Frozen,
    on: Option<chrono::NaiveDate>,
    actor: &str,
    source: &str,
) -> Result<Report, StoreError> {
    if let Some(d) = on
        && (d > chrono::Local::now().date_naive() || i64::from(chrono::Datelike::year(&d)) <= year)
    {
        return Err(StoreError::refused(format!(
            "发布日期 {d} 须在报告年度之后且不晚于今天 / the publication date {d} must fall after the report's year and not after today"
        )));
    }
    let snapshot = serde_json::to_string(frozen).map_err(|e| StoreError::Internal(e.to_string()))?;
    let on = on.map(|d| d.to_string());
    let s = Step::Publish { snapshot: &snapshot, data_version: frozen.data_version, on: on.as_deref() };
    store::step(db, key, year, &s, actor, source).await
}

/// A line of the bureau's overview.
#[derive(serde::Serialize)]
pub struct StatusLine {
    pub subject: String,
    pub name: String,
    pub status: String,
    pub version: Option<i64>,
    pub published_at: Option<String>,
    pub deadline: String,
    pub timeliness: Timeliness,
}

/// Every school's (and the city's) report of a year: its latest status, when it was first
/// published and whether by the deadline.
pub async fn status(db: &Db, year: i64) -> Result<Vec<StatusLine>, StoreError> {
    let today = chrono::Local::now().date_naive().to_string();
    let reports = store::all(db, Some(year)).await?;
    let mut out = Vec::new();
    // One template per edition (not one look-up per school): the deadline is the edition's.
    let mut deadlines: std::collections::HashMap<Edition, String> = std::collections::HashMap::new();
    for e in [Edition::City, Edition::Secondary, Edition::Higher] {
        deadlines.insert(e, quality::template_of(db, e, year).await?.deadline_of(year));
    }
    let mut subjects: Vec<(String, String, Edition)> = vec![("city".into(), "广州市".into(), Edition::City)];
    for s in crate::store::registry::schools(db).await? {
        subjects.push((s.code, s.name, Edition::of_level(&s.level)));
    }
    for (key, name, edition) in subjects {
        let deadline = deadlines[&edition].clone();
        let mine: Vec<&store::Report> = reports.iter().filter(|r| r.subject == key).collect();
        let first_published = mine.iter().filter_map(|r| r.published_at.clone()).min();
        let latest = mine.iter().max_by_key(|r| r.version);
        out.push(StatusLine {
            subject: key,
            name,
            status: latest.map_or_else(|| "none".into(), |r| r.status.key().to_string()),
            version: latest.map(|r| r.version),
            timeliness: Timeliness::of(first_published.as_deref(), &deadline, &today),
            published_at: first_published,
            deadline,
        });
    }
    Ok(out)
}

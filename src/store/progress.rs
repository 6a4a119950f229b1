//! Submission progress (报送进度): the statistical calendar the bureau loaded, the state of every
//! school's return of every table of a year, and the notices that chase late returns.

use std::collections::HashMap;

use sqlx::Row;

use super::audit::{self, Entry};
use super::notifications::{self, Audience, Notice};
use super::packs::{self, Identity, Kind};
use super::{Db, StoreError};
use crate::domain::calendar::{Calendar, DEFAULT_CALENDAR, Progress};
use crate::messages::notice::{self, NoticeKind};

/// The active calendar: the one the bureau loaded last, else the shipped one.
pub async fn calendar(db: &Db) -> Result<Calendar, StoreError> {
    let mut conn = db.pool.acquire().await?;
    let text = packs::active_source(&mut conn, Kind::Calendar).await?.unwrap_or_else(|| DEFAULT_CALENDAR.to_string());
    Calendar::parse(&text).map_err(|e| StoreError::Internal(format!("stored calendar: {}", e.join("; "))))
}

/// Loads a calendar (checked by the caller) and makes it the active one; whether it was new.
pub async fn load_calendar(db: &Db, c: &Calendar, source: &str, actor: &str, origin: &str) -> Result<bool, StoreError> {
    let id = Identity { id: &c.id, version: &c.version, name_zh: &c.name_zh };
    packs::load(db, Kind::Calendar, &id, source, actor, origin).await
}

/// One cell of the board: where a school's return stands and the day of its last move
/// (submission or review), as stored (UTC timestamp).
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub progress: Progress,
    pub at: Option<String>,
    /// The submission the cell shows (the approved one, else the newest).
    pub submission: Option<i64>,
}

/// The state of every (school, table) return of a statistical year that has any submission.
pub async fn cells(db: &Db, year: i64) -> Result<HashMap<(String, String), Cell>, StoreError> {
    let rows = sqlx::query(
        "SELECT school_code, table_name, status, submitted_at, reviewed_at, id FROM submission WHERE year = $1 \
         ORDER BY school_code, table_name, id DESC",
    )
    .bind(year)
    .fetch_all(&db.pool)
    .await?;
    // Newest first within each (school, table): (status, day of the last move, submission).
    type Moves = Vec<(String, Option<String>, i64)>;
    let mut grouped: HashMap<(String, String), Moves> = HashMap::new();
    for r in &rows {
        let at = r.get::<Option<String>, _>(4).or_else(|| Some(r.get::<String, _>(3)));
        grouped.entry((r.get(0), r.get(1))).or_default().push((r.get(2), at, r.get(5)));
    }
    Ok(grouped
        .into_iter()
        .map(|(k, subs)| {
            let progress = Progress::of(subs.iter().map(|s| s.0.as_str()));
            let shown = match progress {
                Progress::Approved => subs.iter().find(|s| s.0 == "approved" || s.0 == "superseded"),
                _ => subs.first(),
            };
            let cell = Cell { progress, at: shown.and_then(|s| s.1.clone()), submission: shown.map(|s| s.2) };
            (k, cell)
        })
        .collect())
}

/// A school's late returns, as a reminder names them: (table's Chinese name, key, due date).
pub struct Late {
    pub school: String,
    pub tables: Vec<(String, String, String)>,
}

/// Sends one reminder to the officers of every school in the list, and audits it; how many users
/// were told (a school reminded twice the same day is told once).
pub async fn remind(
    db: &Db,
    year: i64,
    late: &[Late],
    from: &str,
    today: &str,
    actor: &str,
    origin: &str,
) -> Result<u64, StoreError> {
    let mut tx = db.begin().await?;
    let mut told = 0;
    for l in late {
        let n = Notice {
            kind: NoticeKind::Reminder,
            text: notice::reminder(from, year, &l.tables),
            link: &format!("/progress?year={year}"),
            dedup: format!("remind:{year}:{today}"),
        };
        told += notifications::send(&mut tx, &Audience::School(&l.school), &n).await?;
    }
    let schools: Vec<&str> = late.iter().map(|l| l.school.as_str()).collect();
    let detail = format!("{} 所学校 / schools: {}", late.len(), schools.join(", "));
    let e =
        Entry { actor, action: "progress_remind", object: &format!("year {year}"), detail: &detail, source: origin };
    audit::record(&mut *tx, &e).await?;
    tx.commit().await?;
    Ok(told)
}

/// Tells a school's officers that a return is due soon (once per table, year and due date).
pub async fn due_soon(
    db: &Db,
    school: &str,
    year: i64,
    table: crate::domain::standard::Table,
    due: &str,
    days: i64,
) -> Result<u64, StoreError> {
    let mut conn = db.pool.acquire().await?;
    let n = Notice {
        kind: NoticeKind::DueSoon,
        text: notice::due_soon(year, table.zh(), table.key(), due, days),
        link: "/progress",
        dedup: format!("due:{year}:{}:{due}", table.key()),
    };
    notifications::send(&mut conn, &Audience::School(school), &n).await
}

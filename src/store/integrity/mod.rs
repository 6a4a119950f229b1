//! The integrity ledger of training providers: the scorecard in use, events recorded, confirmed,
//! appealed, decided and repaired, each step audited, nothing deleted; and what a provider's year
//! and public page are made of.

pub mod evidence;
pub mod providers;
pub mod survey;

use chrono::NaiveDate;
use sqlx::{AnyConnection, Row};

use crate::domain::integrity::{DEFAULT_PACK, Event, EventKind, EventStatus, ScorecardPack};
use crate::store::audit::{self, Entry};
use crate::store::packs::{self, Identity, Kind};
use crate::store::{Db, StoreError, now};

/// The scorecard in use (the shipped one until the bureau loads another).
pub async fn pack_on(conn: &mut AnyConnection) -> Result<ScorecardPack, StoreError> {
    let text = packs::active_source(conn, Kind::Integrity).await?.unwrap_or_else(|| DEFAULT_PACK.to_string());
    ScorecardPack::parse(&text).map_err(|e| StoreError::Internal(format!("the stored scorecard: {}", e.join("; "))))
}

pub async fn pack(db: &Db) -> Result<ScorecardPack, StoreError> {
    let mut conn = db.pool.acquire().await?;
    pack_on(&mut conn).await
}

/// Loads a scorecard (checked by the caller); whether it was new.
pub async fn load_pack(
    db: &Db,
    pack: &ScorecardPack,
    source: &str,
    actor: &str,
    origin: &str,
) -> Result<bool, StoreError> {
    let id = Identity { id: &pack.id, version: &pack.version, name_zh: &pack.name_zh };
    packs::load(db, Kind::Integrity, &id, source, actor, origin).await
}

/// An event as recorded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EventRecord {
    pub event: Event,
    pub school_code: String,
    pub facts: String,
    pub legal_basis: String,
    pub decision_no: Option<String>,
    pub display_until: String,
    pub repair_reason: Option<String>,
    pub appeal_reason: Option<String>,
    pub appeal_decision: Option<String>,
    pub recorded_by: String,
}

/// What a new event says.
pub struct NewEvent<'a> {
    pub school: &'a str,
    pub indicator: &'a str,
    pub kind: EventKind,
    pub date: NaiveDate,
    pub points: i64,
    pub facts: &'a str,
    pub legal_basis: &'a str,
    pub decision_no: Option<&'a str>,
    /// Days the event stays on the public page (the scorecard's `display_days` when None).
    pub display_days: Option<i64>,
    /// Evidence files (name, bytes), stored with the event or not at all.
    pub evidence: &'a [(String, Vec<u8>)],
}

fn refused(zh: &str, en: &str) -> StoreError {
    StoreError::refused(format!("{zh} / {en}"))
}

/// Records an event as a draft; its id.
pub async fn record(db: &Db, e: &NewEvent<'_>, actor: &str, source: &str) -> Result<i64, StoreError> {
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let pack = pack_on(&mut *tx).await?;
    if pack.indicator(e.indicator).is_none() {
        let ids: Vec<&str> = pack.indicators.iter().map(|i| i.id.as_str()).collect();
        return Err(StoreError::refused(format!(
            "指标“{}”不在评价指标中（{}） / '{}' is not an indicator of the scorecard ({})",
            e.indicator,
            ids.join(", "),
            e.indicator,
            ids.join(", ")
        )));
    }
    if providers::named_on(&mut *tx, e.school).await?.is_none() {
        return Err(StoreError::not_found(format!(
            "{} 既不是名录中的学校，也不在培训机构名册中（vetis integrity providers load） / {} is neither a school of the registry nor a registered provider (vetis integrity providers load)",
            e.school, e.school
        )));
    }
    if e.points < 0 || e.points > 1000 {
        return Err(refused("分值须在 0 到 1000 之间", "points lie between 0 and 1000"));
    }
    if e.facts.trim().is_empty() {
        return Err(refused("须写明事实", "the facts are required"));
    }
    let decision_no = e.decision_no.map(str::trim).filter(|s| !s.is_empty());
    if e.kind == EventKind::Sanction && decision_no.is_none() {
        return Err(refused(
            "行政处罚须填写决定书文号（--decision-no）",
            "a sanction needs its decision number (--decision-no)",
        ));
    }
    let days = e.display_days.unwrap_or(pack.display_days);
    if !(1..=3650).contains(&days) {
        return Err(refused("公示期限须在 1 到 3650 天之间", "the display period lies between 1 and 3650 days"));
    }
    let until = e.date + chrono::Duration::days(days);
    let id: i64 = sqlx::query(
        "INSERT INTO integrity_event (school_code, indicator, kind, event_date, points, facts, legal_basis, decision_no, status, display_until, pack_id, pack_version, recorded_by, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(e.school.to_string())
    .bind(e.indicator.to_string())
    .bind(e.kind.key())
    .bind(e.date.to_string())
    .bind(e.points)
    .bind(e.facts.trim().to_string())
    .bind(e.legal_basis.trim().to_string())
    .bind(decision_no.map(str::to_string))
    .bind(until.to_string())
    .bind(pack.id.clone())
    .bind(pack.version.clone())
    .bind(actor.to_string())
    .bind(now())
    .fetch_one(&mut *tx)
    .await?
    .get(0);
    for (name, bytes) in e.evidence {
        evidence::insert_on(&mut *tx, id, e.school, name, bytes, actor, source).await?;
    }
    let detail = format!("{} {} {} points {}", e.school, e.indicator, e.kind.key(), e.points);
    audit::record(
        &mut *tx,
        &Entry { actor, action: "integrity_record", object: &format!("event {id}"), detail: &detail, source },
    )
    .await?;
    w.commit().await?;
    Ok(id)
}

/// A step on an event: what it requires and what it makes of it.
pub enum Step<'a> {
    Confirm,
    Appeal { reason: &'a str },
    Uphold,
    Withdraw,
    Vary { points: i64 },
    Repair { reason: &'a str, today: NaiveDate },
}

/// Takes a step on an event, inside one transaction, audited; refused with the reason when the
/// event is not where the step starts.
pub async fn step(db: &Db, id: i64, s: &Step<'_>, actor: &str, source: &str) -> Result<EventStatus, StoreError> {
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let Some(row) = sqlx::query("SELECT status, points, display_until, repaired_at FROM integrity_event WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
    else {
        return Err(StoreError::not_found(format!("没有编号为 {id} 的事件 / there is no event {id}")));
    };
    let status = EventStatus::parse(&row.get::<String, _>(0)).unwrap_or(EventStatus::Draft);
    let points: i64 = row.get(1);
    let until: String = row.get(2);
    let repaired: Option<String> = row.get(3);
    let stamp = now();
    let wrong = |wanted: &str| {
        StoreError::refused(format!(
            "事件 {id} 当前为“{}”，此操作要求“{wanted}” / event {id} is {}: this step needs it {wanted}",
            status.zh(),
            status.key()
        ))
    };
    let (next, action, detail) = match s {
        Step::Confirm if status == EventStatus::Draft => (EventStatus::Confirmed, "integrity_confirm", String::new()),
        Step::Confirm => return Err(wrong("draft")),
        Step::Appeal { reason } if status == EventStatus::Confirmed => {
            if reason.trim().is_empty() {
                return Err(refused("申诉须说明理由", "an appeal needs a reason"));
            }
            sqlx::query("INSERT INTO integrity_appeal (event_id, reason, filed_by, filed_at) VALUES ($1, $2, $3, $4)")
                .bind(id)
                .bind(reason.trim().to_string())
                .bind(actor.to_string())
                .bind(stamp.clone())
                .execute(&mut *tx)
                .await?;
            (EventStatus::UnderAppeal, "integrity_appeal", reason.trim().to_string())
        }
        Step::Appeal { .. } if matches!(status, EventStatus::Upheld | EventStatus::Varied | EventStatus::Withdrawn) => {
            return Err(refused("每个事件只能申诉一次", "an event can be appealed once"));
        }
        Step::Appeal { .. } => return Err(wrong("confirmed")),
        Step::Uphold | Step::Withdraw | Step::Vary { .. } if status != EventStatus::UnderAppeal => {
            return Err(wrong("under_appeal"));
        }
        Step::Uphold => (EventStatus::Upheld, "integrity_decide", "upheld".into()),
        Step::Withdraw => (EventStatus::Withdrawn, "integrity_decide", "withdrawn".into()),
        Step::Vary { points: p } => {
            if *p < 0 || *p > points {
                return Err(StoreError::refused(format!(
                    "变更后的分值须在 0 到 {points} 之间 / the varied points lie between 0 and {points}"
                )));
            }
            sqlx::query("UPDATE integrity_event SET varied_points = $1 WHERE id = $2")
                .bind(*p)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            (EventStatus::Varied, "integrity_decide", format!("varied to {p}"))
        }
        Step::Repair { reason, today } => {
            if !status.stands() || status == EventStatus::UnderAppeal || repaired.is_some() {
                return Err(refused(
                    "只能修复已确认、未在申诉中且尚未修复的事件",
                    "only a confirmed event, not under appeal and not yet repaired, can be repaired",
                ));
            }
            if today.to_string() <= until {
                return Err(StoreError::refused(format!(
                    "公示期至 {until}，期满并提交整改报告后方可修复 / the display period runs to {until}: repair comes after it, with a corrective report"
                )));
            }
            if reason.trim().is_empty() {
                return Err(refused("修复须说明整改情况", "a repair needs the corrective report's summary"));
            }
            sqlx::query("UPDATE integrity_event SET repaired_at = $1, repair_reason = $2 WHERE id = $3")
                .bind(stamp.clone())
                .bind(reason.trim().to_string())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            (status, "integrity_repair", reason.trim().to_string())
        }
    };
    match s {
        Step::Confirm => {
            sqlx::query("UPDATE integrity_event SET status = $1, confirmed_by = $2, confirmed_at = $3 WHERE id = $4")
                .bind(next.key())
                .bind(actor.to_string())
                .bind(stamp.clone())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        _ => {
            sqlx::query("UPDATE integrity_event SET status = $1 WHERE id = $2")
                .bind(next.key())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
    }
    if matches!(s, Step::Uphold | Step::Withdraw | Step::Vary { .. }) {
        sqlx::query("UPDATE integrity_appeal SET decision = $1, decided_by = $2, decided_at = $3 WHERE event_id = $4")
            .bind(next.key())
            .bind(actor.to_string())
            .bind(stamp)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    audit::record(&mut *tx, &Entry { actor, action, object: &format!("event {id}"), detail: &detail, source }).await?;
    w.commit().await?;
    Ok(next)
}

/// A provider's events of a year (by event date), or of every year, oldest first.
pub async fn events(db: &Db, school: &str, year: Option<i32>) -> Result<Vec<EventRecord>, StoreError> {
    events_of(db, Some(school), year).await
}

/// Every provider's events of a year (or of every year), by provider and date.
pub async fn events_of(db: &Db, school: Option<&str>, year: Option<i32>) -> Result<Vec<EventRecord>, StoreError> {
    let (from, to) = match year {
        Some(y) => (format!("{y}-01-01"), format!("{y}-12-31")),
        None => ("0000-01-01".into(), "9999-12-31".into()),
    };
    // Placeholders in the order they appear (SQLite numbers `$n` by first appearance).
    let filter = if school.is_some() {
        "e.school_code = $1 AND e.event_date >= $2 AND e.event_date <= $3"
    } else {
        "e.event_date >= $1 AND e.event_date <= $2"
    };
    let sql = format!(
        "SELECT e.id, e.indicator, e.kind, e.event_date, e.points, e.varied_points, e.status, e.repaired_at, e.school_code, \
         e.facts, e.legal_basis, e.decision_no, e.display_until, e.repair_reason, a.reason, a.decision, e.recorded_by \
         FROM integrity_event e LEFT JOIN integrity_appeal a ON a.event_id = e.id \
         WHERE {filter} ORDER BY e.school_code, e.event_date, e.id"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(s) = school {
        q = q.bind(s.to_string());
    }
    let q = q.bind(from).bind(to);
    let rows = q.fetch_all(&db.pool).await?;
    Ok(rows
        .iter()
        .map(|r| EventRecord {
            event: Event {
                id: r.get(0),
                indicator: r.get(1),
                kind: EventKind::parse(&r.get::<String, _>(2)).unwrap_or(EventKind::Inspection),
                date: r.get(3),
                points: r.get(4),
                varied_points: r.get(5),
                status: EventStatus::parse(&r.get::<String, _>(6)).unwrap_or(EventStatus::Draft),
                repaired: r.get::<Option<String>, _>(7).is_some(),
            },
            school_code: r.get(8),
            facts: r.get(9),
            legal_basis: r.get(10),
            decision_no: r.get(11),
            display_until: r.get(12),
            repair_reason: r.get(13),
            appeal_reason: r.get(14),
            appeal_decision: r.get(15),
            recorded_by: r.get(16),
        })
        .collect())
}

//! The register of dual-qualified recognitions: a school files a batch of applications (each
//! pre-checked on the records, every unmet condition kept), the panel decides each, the bureau
//! publishes the results for the objection period, and then suspends or revokes with a reason.
//! Every step is one write transaction with its audit entry; a step that changes who is
//! recognised on some statistical date refreshes the teacher rows' register mark and the
//! figures' blocks of the schools those people teach at (`marks`).

use chrono::NaiveDate;
use sqlx::{AnyConnection, Row};

use super::marks;
use crate::domain::dual::register::{
    ApplicationStatus, BatchStatus, Recognition, RecognitionStatus, Suspension, validity,
};
use crate::domain::dual::{Level, Unmet, precheck};
use crate::store::audit::{self, Entry};
use crate::store::{Db, StoreError, now};

/// One teacher's application, as listed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Application {
    pub id: i64,
    pub batch_id: i64,
    pub school_code: String,
    pub teacher_no: String,
    pub level: Level,
    pub eligible: bool,
    pub unmet: Vec<Unmet>,
    pub status: ApplicationStatus,
    pub reason: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
}

/// A batch with its applications.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Batch {
    pub id: i64,
    pub school_code: String,
    pub year: i64,
    pub level: Level,
    pub title: String,
    pub status: BatchStatus,
    pub pack_id: String,
    pub pack_version: String,
    pub created_by: String,
    pub created_at: String,
    pub published_on: Option<String>,
    pub objection_until: Option<String>,
    pub applications: Vec<Application>,
}

/// Who acts, and from where, for the audit log.
pub struct Actor<'a> {
    pub name: &'a str,
    pub origin: &'a str,
}

fn level_of(key: &str) -> Result<Level, StoreError> {
    match key {
        "elementary" => Ok(Level::Elementary),
        "intermediate" => Ok(Level::Intermediate),
        "advanced" => Ok(Level::Advanced),
        other => Err(StoreError::Internal(format!("stored dual level '{other}'"))),
    }
}

pub(crate) fn date(s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d")
        .map_err(|_| StoreError::Internal(format!("stored date '{s}'")))
}

async fn audit_step(
    tx: &mut AnyConnection,
    who: &Actor<'_>,
    action: &str,
    object: &str,
    detail: &str,
) -> Result<(), StoreError> {
    audit::record(&mut *tx, &Entry { actor: who.name, action, object, detail, source: who.origin }).await
}

/// Files a batch for teachers of `school` at `level`, each pre-checked on the records of `year`
/// (their latest when None) under the pack in force. Refused whole, naming each, when a teacher
/// is not the school's, already has an application waiting, or already holds a recognition of
/// that level or higher in force.
pub async fn apply(
    db: &Db,
    school: &str,
    level: Level,
    year: Option<i32>,
    teachers: &[String],
    title: &str,
    who: &Actor<'_>,
) -> Result<Batch, StoreError> {
    if teachers.is_empty() {
        return Err(StoreError::refused("至少申报一名教师 / name at least one teacher"));
    }
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let pack = super::pack::active_on(tx).await?;
    let today = now()[..10].to_string();
    let mut problems = Vec::new();
    let mut checked = Vec::new();
    for no in teachers {
        let Some((person, facts)) = super::facts_on(tx, school, no, year).await? else {
            problems.push(format!("工号“{no}”不是学校 {school} 的教师 / '{no}' is not a teacher of school {school}"));
            continue;
        };
        let waiting: i64 =
            sqlx::query("SELECT COUNT(*) FROM dual_application WHERE id_pseudo = $1 AND status = 'pending'")
                .bind(person.clone())
                .fetch_one(&mut *tx)
                .await?
                .get(0);
        if waiting > 0 {
            problems.push(format!("{no}：已有待评审的申请 / {no} already has an application waiting for the panel"));
        }
        for r in sqlx::query(
            "SELECT level FROM dual_recognition WHERE id_pseudo = $1 AND status <> 'revoked' AND valid_until >= $2",
        )
        .bind(person.clone())
        .bind(today.clone())
        .fetch_all(&mut *tx)
        .await?
        {
            let held = level_of(&r.get::<String, _>(0))?;
            if held >= level {
                problems.push(format!(
                    "{no}：已有{}认定，尚在有效期内 / {no} already holds a recognition at {} in force",
                    held.zh(),
                    held.key()
                ));
            }
        }
        checked.push((no.clone(), person, precheck(&pack, level, &facts), facts.year));
    }
    if !problems.is_empty() {
        return Err(StoreError::refused(problems.join("；")));
    }
    let batch_year = year.unwrap_or_else(|| checked.iter().map(|c| c.3).max().unwrap_or(0));
    let title = if title.trim().is_empty() {
        format!("{school} {batch_year} {}", level.zh())
    } else {
        title.trim().to_string()
    };
    let batch_id: i64 = sqlx::query(
        "INSERT INTO dual_batch (school_code, year, level, title, status, pack_id, pack_version, created_by, created_at) \
         VALUES ($1, $2, $3, $4, 'submitted', $5, $6, $7, $8) RETURNING id",
    )
    .bind(school.to_string())
    .bind(i64::from(batch_year))
    .bind(level.key())
    .bind(title.clone())
    .bind(pack.id.clone())
    .bind(pack.version.clone())
    .bind(who.name.to_string())
    .bind(now())
    .fetch_one(&mut *tx)
    .await?
    .get(0);
    for (no, person, check, _) in &checked {
        sqlx::query(
            "INSERT INTO dual_application (batch_id, school_code, teacher_no, id_pseudo, level, eligible, unmet, status, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', '')",
        )
        .bind(batch_id)
        .bind(school.to_string())
        .bind(no.clone())
        .bind(person.clone())
        .bind(level.key())
        .bind(i64::from(check.eligible))
        .bind(serde_json::to_string(&check.unmet).unwrap_or_else(|_| "[]".into()))
        .execute(&mut *tx)
        .await?;
    }
    let eligible = checked.iter().filter(|c| c.2.eligible).count();
    let detail = format!(
        "{title}: {} teachers, {eligible} meet the checked conditions ({} {})",
        checked.len(),
        pack.id,
        pack.version
    );
    audit_step(tx, who, "dual_apply", &format!("dual batch {batch_id}"), &detail).await?;
    w.commit().await?;
    batch(db, batch_id).await
}

/// The panel's decision on one application. Recognising one whose checked conditions are unmet on
/// the records now (they are checked again) is refused with each named; rejecting needs a reason.
pub async fn decide(
    db: &Db,
    application: i64,
    recognise: bool,
    reason: &str,
    who: &Actor<'_>,
) -> Result<Application, StoreError> {
    let mut decided = decide_many(db, &[application], recognise, reason, who).await?;
    decided.pop().ok_or_else(|| StoreError::Internal("no decision".into()))
}

/// The same decision on several applications in one transaction: all of them, or none.
pub async fn decide_many(
    db: &Db,
    applications: &[i64],
    recognise: bool,
    reason: &str,
    who: &Actor<'_>,
) -> Result<Vec<Application>, StoreError> {
    let reason = reason.trim();
    if !recognise && reason.is_empty() {
        return Err(StoreError::refused("不予认定须说明理由（--reason） / a rejection needs a reason (--reason)"));
    }
    let mut w = db.begin_write().await?;
    let mut out = Vec::with_capacity(applications.len());
    for id in applications {
        out.push(decide_on(w.conn(), *id, recognise, reason, who).await?);
    }
    w.commit().await?;
    Ok(out)
}

async fn decide_on(
    tx: &mut AnyConnection,
    application: i64,
    recognise: bool,
    reason: &str,
    who: &Actor<'_>,
) -> Result<Application, StoreError> {
    let a = application_on(tx, application).await?;
    if a.status != ApplicationStatus::Pending {
        return Err(StoreError::Conflict(crate::messages::Message::pair(format!(
            "申请 {application} 已{}，不能再评审 / application {application} is already {}",
            a.status.zh(),
            a.status.en()
        ))));
    }
    let row = sqlx::query("SELECT pack_id, pack_version, year FROM dual_batch WHERE id = $1")
        .bind(a.batch_id)
        .fetch_one(&mut *tx)
        .await?;
    if recognise {
        let pack = super::pack::version_on(tx, &row.get::<String, _>(0), &row.get::<String, _>(1)).await?;
        let year = row.get::<i64, _>(2) as i32;
        let facts = super::facts_on(tx, &a.school_code, &a.teacher_no, Some(year)).await?;
        let unmet: Vec<(String, String)> = facts.map_or_else(
            || {
                vec![(
                    format!("{} 已不在学校 {} 的教师记录中", a.teacher_no, a.school_code),
                    format!("{} is no longer in the school's teacher records", a.teacher_no),
                )]
            },
            |(_, f)| precheck(&pack, a.level, &f).unmet.into_iter().map(|u| (u.zh, u.en)).collect(),
        );
        if !unmet.is_empty() {
            let (zh, en): (Vec<String>, Vec<String>) = unmet.into_iter().unzip();
            return Err(StoreError::Refused(crate::messages::Message::new(
                format!("申请 {application} 不能认定，记录不满足：{}", zh.join("；")),
                format!("application {application} cannot be recognised on the records: {}", en.join("; ")),
            )));
        }
    }
    let status = if recognise { ApplicationStatus::Recognised } else { ApplicationStatus::NotRecognised };
    sqlx::query("UPDATE dual_application SET status = $1, reason = $2, decided_by = $3, decided_at = $4 WHERE id = $5")
        .bind(status.key())
        .bind(reason.to_string())
        .bind(who.name.to_string())
        .bind(now())
        .bind(application)
        .execute(&mut *tx)
        .await?;
    let detail = format!(
        "{} {}: {}{}",
        a.teacher_no,
        a.level.key(),
        status.key(),
        if reason.is_empty() { String::new() } else { format!(": {reason}") }
    );
    audit_step(tx, who, "dual_decide", &format!("dual application {application}"), &detail).await?;
    application_on(tx, application).await
}

/// Publishes a batch whose every application is decided: each one recognised becomes a
/// recognition in force from the day after the objection period, for the pack's years.
pub async fn publish(db: &Db, batch_id: i64, on: NaiveDate, who: &Actor<'_>) -> Result<Batch, StoreError> {
    let mut w = db.begin_write().await?;
    let b = batch_on(w.conn(), batch_id).await?;
    if b.status == BatchStatus::Published {
        return Err(StoreError::Conflict(crate::messages::Message::pair(format!(
            "批次 {batch_id} 已于 {} 公示 / batch {batch_id} was published on {}",
            b.published_on.clone().unwrap_or_default(),
            b.published_on.clone().unwrap_or_default()
        ))));
    }
    let waiting: Vec<String> = b
        .applications
        .iter()
        .filter(|a| a.status == ApplicationStatus::Pending)
        .map(|a| a.teacher_no.clone())
        .collect();
    if !waiting.is_empty() {
        return Err(StoreError::refused(format!(
            "批次 {batch_id} 尚有未评审的申请：{} / batch {batch_id} still has applications to decide: {}",
            waiting.join("，"),
            waiting.join(", ")
        )));
    }
    let tx = w.conn();
    let pack = super::pack::version_on(tx, &b.pack_id, &b.pack_version).await?;
    let (until, from, last) = validity(on, pack.objection_working_days, pack.valid_years);
    let mut persons = Vec::new();
    for a in b.applications.iter().filter(|a| a.status == ApplicationStatus::Recognised) {
        let person: String = sqlx::query("SELECT id_pseudo FROM dual_application WHERE id = $1")
            .bind(a.id)
            .fetch_one(&mut *tx)
            .await?
            .get(0);
        sqlx::query(
            "INSERT INTO dual_recognition (application_id, school_code, teacher_no, id_pseudo, level, published_on, valid_from, valid_until, status, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'active', '')",
        )
        .bind(a.id)
        .bind(a.school_code.clone())
        .bind(a.teacher_no.clone())
        .bind(person.clone())
        .bind(a.level.key())
        .bind(on.to_string())
        .bind(from.to_string())
        .bind(last.to_string())
        .execute(&mut *tx)
        .await?;
        persons.push(person);
    }
    sqlx::query("UPDATE dual_batch SET status = 'published', published_on = $1, objection_until = $2, published_by = $3 WHERE id = $4")
        .bind(on.to_string())
        .bind(until.to_string())
        .bind(who.name.to_string())
        .bind(batch_id)
        .execute(&mut *tx)
        .await?;
    let detail = format!("{} recognised, objections until {until}, in force {from} to {last}", persons.len());
    audit_step(tx, who, "dual_publish", &format!("dual batch {batch_id}"), &detail).await?;
    marks::follow(&mut w, &persons).await?;
    w.commit().await?;
    batch(db, batch_id).await
}

/// What the bureau does to a recognition in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Suspend,
    /// Lifts the open suspension.
    Lift,
    Revoke,
}

/// Suspends, lifts a suspension of, or revokes a recognition from `on`, with a reason. Refused
/// when it would change a locked year's figures.
pub async fn change(
    db: &Db,
    id: i64,
    change: Change,
    on: NaiveDate,
    reason: &str,
    who: &Actor<'_>,
) -> Result<Recognition, StoreError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::refused("须说明理由（--reason） / give a reason (--reason)"));
    }
    let mut w = db.begin_write().await?;
    let r = recognition_on(w.conn(), id).await?;
    let open = r.suspensions.iter().any(|s| s.until.is_none());
    let refuse = |zh: &str, en: &str| {
        Err(StoreError::Conflict(crate::messages::Message::new(
            format!("认定 {id} {zh}"),
            format!("recognition {id} {en}"),
        )))
    };
    match (change, r.status) {
        (_, RecognitionStatus::Revoked) => return refuse("已撤销", "is revoked"),
        (Change::Suspend, _) if open => return refuse("已暂停", "is suspended already"),
        (Change::Lift, _) if !open => return refuse("未被暂停", "is not suspended"),
        _ => {}
    }
    let tx = w.conn();
    let (action, status) = match change {
        Change::Suspend => {
            let seq = r.suspensions.len() as i64 + 1;
            sqlx::query("INSERT INTO dual_suspension (recognition_id, seq, from_date, until_date, reason, actor, at) VALUES ($1, $2, $3, NULL, $4, $5, $6)")
                .bind(id)
                .bind(seq)
                .bind(on.to_string())
                .bind(reason.to_string())
                .bind(who.name.to_string())
                .bind(now())
                .execute(&mut *tx)
                .await?;
            ("dual_suspend", RecognitionStatus::Suspended)
        }
        Change::Lift => {
            sqlx::query("UPDATE dual_suspension SET until_date = $1 WHERE recognition_id = $2 AND until_date IS NULL")
                .bind(on.to_string())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            ("dual_lift", RecognitionStatus::Active)
        }
        Change::Revoke => ("dual_revoke", RecognitionStatus::Revoked),
    };
    sqlx::query("UPDATE dual_recognition SET status = $1, reason = $2, ended_on = $3 WHERE id = $4")
        .bind(status.key())
        .bind(reason.to_string())
        .bind((change == Change::Revoke).then(|| on.to_string()))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let person: String =
        sqlx::query("SELECT id_pseudo FROM dual_recognition WHERE id = $1").bind(id).fetch_one(&mut *tx).await?.get(0);
    audit_step(
        tx,
        who,
        action,
        &format!("dual recognition {id}"),
        &format!("{} {} from {on}: {reason}", r.teacher_no, r.level.key()),
    )
    .await?;
    marks::follow(&mut w, &[person]).await?;
    let out = recognition_on(w.conn(), id).await?;
    w.commit().await?;
    Ok(out)
}

const APPLICATION: &str = "SELECT id, batch_id, school_code, teacher_no, level, eligible, unmet, status, reason, decided_by, decided_at FROM dual_application";

fn application_row(r: &sqlx::any::AnyRow) -> Result<Application, StoreError> {
    let status: String = r.get(7);
    Ok(Application {
        id: r.get(0),
        batch_id: r.get(1),
        school_code: r.get(2),
        teacher_no: r.get(3),
        level: level_of(&r.get::<String, _>(4))?,
        eligible: r.get::<i64, _>(5) == 1,
        unmet: serde_json::from_str(&r.get::<String, _>(6)).unwrap_or_default(),
        status: ApplicationStatus::from_key(&status)
            .ok_or_else(|| StoreError::Internal(format!("application status {status}")))?,
        reason: r.get(8),
        decided_by: r.get(9),
        decided_at: r.get(10),
    })
}

async fn application_on(conn: &mut AnyConnection, id: i64) -> Result<Application, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{APPLICATION} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("没有申请 {id} / there is no application {id}")))?;
    application_row(&row)
}

async fn batch_on(conn: &mut AnyConnection, id: i64) -> Result<Batch, StoreError> {
    let r = sqlx::query(
        "SELECT id, school_code, year, level, title, status, pack_id, pack_version, created_by, created_at, published_on, objection_until FROM dual_batch WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| StoreError::not_found(format!("没有申报批次 {id} / there is no batch {id}")))?;
    let status: String = r.get(5);
    let applications = sqlx::query(sqlx::AssertSqlSafe(format!("{APPLICATION} WHERE batch_id = $1 ORDER BY id")))
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(application_row)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Batch {
        id: r.get(0),
        school_code: r.get(1),
        year: r.get(2),
        level: level_of(&r.get::<String, _>(3))?,
        title: r.get(4),
        status: BatchStatus::from_key(&status).ok_or_else(|| StoreError::Internal(format!("batch status {status}")))?,
        pack_id: r.get(6),
        pack_version: r.get(7),
        created_by: r.get(8),
        created_at: r.get(9),
        published_on: r.get(10),
        objection_until: r.get(11),
        applications,
    })
}

/// One batch with its applications.
pub async fn batch(db: &Db, id: i64) -> Result<Batch, StoreError> {
    let mut conn = db.pool.acquire().await?;
    batch_on(&mut conn, id).await
}

/// The applications of a school (or all), newest first; only those waiting when `pending`.
pub async fn applications(db: &Db, school: Option<&str>, pending: bool) -> Result<Vec<Application>, StoreError> {
    let sql = format!(
        "{APPLICATION} WHERE ($1 = '' OR school_code = $2) AND ($3 = 0 OR status = 'pending') ORDER BY id DESC"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(school.unwrap_or("").to_string())
        .bind(school.unwrap_or("").to_string())
        .bind(i64::from(pending))
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(application_row)
        .collect()
}

const RECOGNITION: &str = "SELECT id, school_code, teacher_no, level, published_on, valid_from, valid_until, status, ended_on, id_pseudo FROM dual_recognition";

/// Recognitions with their suspensions, from rows of `RECOGNITION`; the holder's pseudonym beside.
async fn recognitions_from(
    conn: &mut AnyConnection,
    rows: Vec<sqlx::any::AnyRow>,
) -> Result<Vec<(String, Recognition)>, StoreError> {
    let mut out = Vec::with_capacity(rows.len());
    let mut suspended: std::collections::HashMap<i64, Vec<Suspension>> = std::collections::HashMap::new();
    for s in
        sqlx::query("SELECT recognition_id, from_date, until_date FROM dual_suspension ORDER BY recognition_id, seq")
            .fetch_all(&mut *conn)
            .await?
    {
        let until: Option<String> = s.get(2);
        suspended
            .entry(s.get(0))
            .or_default()
            .push(Suspension { from: date(&s.get::<String, _>(1))?, until: until.as_deref().map(date).transpose()? });
    }
    for r in rows {
        let id: i64 = r.get(0);
        let status: String = r.get(7);
        let ended: Option<String> = r.get(8);
        out.push((
            r.get(9),
            Recognition {
                id,
                school_code: r.get(1),
                teacher_no: r.get(2),
                level: level_of(&r.get::<String, _>(3))?,
                published_on: date(&r.get::<String, _>(4))?,
                valid_from: date(&r.get::<String, _>(5))?,
                valid_until: date(&r.get::<String, _>(6))?,
                status: RecognitionStatus::from_key(&status)
                    .ok_or_else(|| StoreError::Internal(format!("recognition status {status}")))?,
                ended_on: ended.as_deref().map(date).transpose()?,
                suspensions: suspended.remove(&id).unwrap_or_default(),
            },
        ));
    }
    Ok(out)
}

async fn recognition_on(conn: &mut AnyConnection, id: i64) -> Result<Recognition, StoreError> {
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(format!("{RECOGNITION} WHERE id = $1"))).bind(id).fetch_all(&mut *conn).await?;
    recognitions_from(conn, rows)
        .await?
        .pop()
        .map(|(_, r)| r)
        .ok_or_else(|| StoreError::not_found(format!("没有认定 {id} / there is no recognition {id}")))
}

/// The register: every recognition of a school (or all), with the holder's pseudonym.
pub async fn recognitions(db: &Db, school: Option<&str>) -> Result<Vec<(String, Recognition)>, StoreError> {
    let mut conn = db.pool.acquire().await?;
    recognitions_on(&mut conn, school).await
}

pub(crate) async fn recognitions_on(
    conn: &mut AnyConnection,
    school: Option<&str>,
) -> Result<Vec<(String, Recognition)>, StoreError> {
    let rows =
        sqlx::query(sqlx::AssertSqlSafe(format!("{RECOGNITION} WHERE ($1 = '' OR school_code = $2) ORDER BY id")))
            .bind(school.unwrap_or("").to_string())
            .bind(school.unwrap_or("").to_string())
            .fetch_all(&mut *conn)
            .await?;
    recognitions_from(conn, rows).await
}

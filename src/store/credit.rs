//! The credit bank's records: conversion rule packs as loaded, applications to convert a learning
//! outcome into a course with every rule they failed, their review steps (the school's academic
//! office, the bureau's credit bank, one appeal), revoked outcomes, and a learner's account. Each
//! change is one write transaction with its audit entry; an application is judged inside it, so
//! two applications racing cannot together break a rule each obeys alone.

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::audit::{self, Entry};
use super::credit_blocks::Part;
use super::{Db, StoreError, now};
use crate::domain::credit::{Candidate, CourseFacts, OutcomeFacts, OutcomeStatus, Refusal, RulePack, judge};
use crate::domain::frameworks::{FRAMEWORKS, Placement, hk_credits};

/// The pack applied when the bureau has loaded none: the one shipped with VETIS.
pub const DEFAULT_PACK: &str = include_str!("../../data/credit/guangzhou-credit-rules.toml");

/// Statuses an application moves through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Failed a rule when applied for: never reviewed.
    Refused,
    /// Waiting for the school's academic office.
    Pending,
    /// Approved by the school, waiting for the credit bank.
    SchoolApproved,
    Approved,
    Rejected,
    /// Rejected, appealed once, waiting for the credit bank.
    Appealed,
    /// The outcome it was built on was revoked.
    Revoked,
}

impl Status {
    pub fn key(self) -> &'static str {
        match self {
            Status::Refused => "refused",
            Status::Pending => "pending",
            Status::SchoolApproved => "school_approved",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Appealed => "appealed",
            Status::Revoked => "revoked",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Status::Refused => "不符合规则",
            Status::Pending => "待学校审核",
            Status::SchoolApproved => "待学分银行认定",
            Status::Approved => "已认定",
            Status::Rejected => "未予认定",
            Status::Appealed => "申诉待认定",
            Status::Revoked => "已撤销",
        }
    }
    /// Every status, in the order an application moves through them.
    pub const ALL: [Status; 7] = [
        Status::Pending,
        Status::SchoolApproved,
        Status::Approved,
        Status::Rejected,
        Status::Appealed,
        Status::Refused,
        Status::Revoked,
    ];
    /// A status by its key.
    pub fn from_key(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.key() == s)
    }
    /// Whether a step is open, and whose: the school's academic office (`false`) or the credit
    /// bank (`true`); None when nothing is to be decided.
    pub fn open_step(self) -> Option<bool> {
        match self {
            Status::Pending => Some(false),
            Status::SchoolApproved | Status::Appealed => Some(true),
            _ => None,
        }
    }
    fn parse(s: &str) -> Result<Status, StoreError> {
        Status::from_key(s).ok_or_else(|| StoreError::Internal(format!("unknown credit application status {s}")))
    }
    /// Statuses that hold an outcome and a course (so another application for either is refused).
    const HOLDING: &'static str = "('pending', 'school_approved', 'approved', 'appealed')";
}

/// A reviewer's decision on one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

/// An application as stored.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Application {
    pub id: i64,
    pub school_code: String,
    pub year: i64,
    pub program_code: String,
    pub course_code: String,
    pub issuer_credit_code: String,
    pub certificate_no: String,
    pub requested: f64,
    pub credits: f64,
    pub status: Status,
    pub reasons: Vec<StoredRefusal>,
    pub rules_id: String,
    pub rules_version: String,
    pub appealed: bool,
    pub applied_by: String,
    pub applied_at: String,
}

/// A failed rule as kept with the application.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StoredRefusal {
    pub rule: String,
    pub zh: String,
    pub en: String,
}

impl From<Refusal> for StoredRefusal {
    fn from(r: Refusal) -> StoredRefusal {
        StoredRefusal { rule: r.rule.to_string(), zh: r.zh, en: r.en }
    }
}

const COLUMNS: &str = "id, school_code, year, program_code, course_code, issuer_credit_code, certificate_no, requested, credits, status, reasons, rules_id, rules_version, appealed, applied_by, applied_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<Application, StoreError> {
    let reasons: String = r.get(10);
    Ok(Application {
        id: r.get(0),
        school_code: r.get(1),
        year: r.get(2),
        program_code: r.get(3),
        course_code: r.get(4),
        issuer_credit_code: r.get(5),
        certificate_no: r.get(6),
        requested: r.get(7),
        credits: r.get(8),
        status: Status::parse(&r.get::<String, _>(9))?,
        reasons: serde_json::from_str(&reasons).map_err(|e| StoreError::Internal(format!("reasons: {e}")))?,
        rules_id: r.get(11),
        rules_version: r.get(12),
        appealed: r.get::<i64, _>(13) != 0,
        applied_by: r.get(14),
        applied_at: r.get(15),
    })
}

/// The active rule pack: the one the bureau loaded last, else the shipped default.
pub async fn active_pack(db: &Db) -> Result<RulePack, StoreError> {
    let mut conn = db.pool.acquire().await?;
    active_pack_on(&mut conn).await
}

async fn active_pack_on(conn: &mut AnyConnection) -> Result<RulePack, StoreError> {
    let row = sqlx::query("SELECT source FROM credit_rule_pack WHERE active = 1").fetch_optional(&mut *conn).await?;
    let text = row.map_or_else(|| DEFAULT_PACK.to_string(), |r| r.get::<String, _>(0));
    RulePack::from_toml(&text)
        .map_err(|e| StoreError::Internal(format!("the stored credit rule pack: {}", e.join("; "))))
}

/// Loads a pack (checked by the caller): it becomes the active one; whether it was new. The same id and version with
/// other content is refused: a changed pack needs a new version, so old decisions stay readable.
pub async fn load_pack(db: &Db, pack: &RulePack, source: &str, actor: &str, origin: &str) -> Result<bool, StoreError> {
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let existing = sqlx::query("SELECT source FROM credit_rule_pack WHERE id = $1 AND version = $2")
        .bind(pack.id.clone())
        .bind(pack.version.clone())
        .fetch_optional(&mut *tx)
        .await?;
    let new = existing.is_none();
    if let Some(r) = existing {
        if r.get::<String, _>(0) != source {
            return Err(StoreError::refused(format!(
                "规则包 {} 的 {} 版已载入且内容不同：请提高 version / pack {} version {} is loaded with other content: raise the version",
                pack.id, pack.version, pack.id, pack.version
            )));
        }
    } else {
        sqlx::query("INSERT INTO credit_rule_pack (id, version, name_zh, source, active, loaded_at, loaded_by) VALUES ($1, $2, $3, $4, 0, $5, $6)")
            .bind(pack.id.clone())
            .bind(pack.version.clone())
            .bind(pack.name_zh.clone())
            .bind(source.to_string())
            .bind(now())
            .bind(actor.to_string())
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE credit_rule_pack SET active = CASE WHEN id = $1 AND version = $2 THEN 1 ELSE 0 END")
        .bind(pack.id.clone())
        .bind(pack.version.clone())
        .execute(&mut *tx)
        .await?;
    let object = format!("{} {}", pack.id, pack.version);
    let e = Entry { actor, action: "credit_rules_load", object: &object, detail: &pack.name_zh, source: origin };
    audit::record(&mut *tx, &e).await?;
    w.commit().await?;
    Ok(new)
}

/// An outcome on record: the facts the rules read, its holder and its school.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub facts: OutcomeFacts,
    pub id_pseudo: String,
    pub school_code: String,
    pub program_code: Option<String>,
    pub credits: Option<f64>,
    pub hours: Option<f64>,
    pub valid_until: Option<String>,
    pub id_masked: String,
    pub name_masked: String,
}

pub(super) async fn outcome_on(
    conn: &mut AnyConnection,
    issuer: &str,
    no: &str,
    on: &str,
) -> Result<Option<Outcome>, StoreError> {
    let row = sqlx::query(
        "SELECT c.kind, c.level, c.title, c.issuer_name, c.issued_date, c.valid_until, c.id_pseudo, c.school_code, \
         c.program_code, c.credits, c.hours, c.id_masked, c.name_masked, \
         (SELECT COUNT(*) FROM outcome_revocation r WHERE r.issuer_credit_code = c.issuer_credit_code AND r.certificate_no = c.certificate_no) \
         FROM rec_certificate c WHERE c.is_current = 1 AND c.issuer_credit_code = $1 AND c.certificate_no = $2",
    )
    .bind(issuer.to_string())
    .bind(no.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|r| {
        let valid_until: Option<String> = r.get(5);
        let revoked = r.get::<i64, _>(13) > 0;
        Outcome {
            facts: OutcomeFacts {
                kind: r.get(0),
                level: r.get(1),
                title: r.get(2),
                issuer_name: r.get(3),
                issued_date: r.get(4),
                status: OutcomeStatus::of(revoked, valid_until.as_deref(), on),
            },
            id_pseudo: r.get(6),
            school_code: r.get(7),
            program_code: r.get(8),
            credits: r.get(9),
            hours: r.get(10),
            valid_until,
            id_masked: r.get(11),
            name_masked: r.get(12),
        }
    }))
}

/// What a school asks: convert this outcome into this course of this program and year.
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub issuer: &'a str,
    pub certificate_no: &'a str,
    pub school: &'a str,
    pub year: i64,
    pub program: &'a str,
    pub course: &'a str,
}

/// Applies: the rules are checked at once, inside the write transaction; an application that fails
/// any is kept as `refused` with every reason, one that passes waits for the school's review.
pub async fn apply(db: &Db, req: &Request<'_>, actor: &str, origin: &str) -> Result<Application, StoreError> {
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let pack = active_pack_on(tx).await?;
    let today = now()[..10].to_string();
    let outcome = outcome_on(tx, req.issuer, req.certificate_no, &today).await?.ok_or_else(|| {
        StoreError::not_found(format!(
            "没有发证机构 {} 编号 {} 的证书记录 / no certificate {} of issuer {} is on record",
            req.issuer, req.certificate_no, req.certificate_no, req.issuer
        ))
    })?;
    let course = sqlx::query(
        "SELECT course_type, credits, (SELECT SUM(o.credits) FROM rec_curriculum o WHERE o.is_current = 1 AND o.school_code = c.school_code \
         AND o.year = c.year AND o.program_code = c.program_code) FROM rec_curriculum c \
         WHERE c.is_current = 1 AND c.school_code = $1 AND c.year = $2 AND c.program_code = $3 AND c.course_code = $4",
    )
    .bind(req.school.to_string())
    .bind(req.year)
    .bind(req.program.to_string())
    .bind(req.course.to_string())
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        StoreError::not_found(format!(
            "学校 {} {} 年专业 {} 的课程表中没有课程 {} / course {} is not in the {} curriculum of program {} at school {}",
            req.school, req.year, req.program, req.course, req.course, req.year, req.program, req.school
        ))
    })?;
    let course = CourseFacts { course_type: course.get(0), credits: course.get(1), program_credits: course.get(2) };
    // The learner must be a student of the school (in any year): a school applies for its own.
    let enrolled: i64 =
        sqlx::query("SELECT COUNT(*) FROM rec_student WHERE is_current = 1 AND school_code = $1 AND id_pseudo = $2")
            .bind(req.school.to_string())
            .bind(outcome.id_pseudo.clone())
            .fetch_one(&mut *tx)
            .await?
            .get(0);
    let used_for: Option<String> = sqlx::query(AssertSqlSafe(format!(
        "SELECT course_code FROM credit_application WHERE issuer_credit_code = $1 AND certificate_no = $2 AND status IN {}",
        Status::HOLDING
    )))
    .bind(req.issuer.to_string())
    .bind(req.certificate_no.to_string())
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| r.get(0));
    let held = format!(
        "FROM credit_application WHERE id_pseudo = $1 AND school_code = $2 AND program_code = $3 AND status IN {}",
        Status::HOLDING
    );
    let taken: i64 = sqlx::query(AssertSqlSafe(format!("SELECT COUNT(*) {held} AND course_code = $4")))
        .bind(outcome.id_pseudo.clone())
        .bind(req.school.to_string())
        .bind(req.program.to_string())
        .bind(req.course.to_string())
        .fetch_one(&mut *tx)
        .await?
        .get(0);
    let used: f64 =
        sqlx::query(AssertSqlSafe(format!("SELECT CAST(COALESCE(SUM(credits), 0) AS DOUBLE PRECISION) {held}")))
            .bind(outcome.id_pseudo.clone())
            .bind(req.school.to_string())
            .bind(req.program.to_string())
            .fetch_one(&mut *tx)
            .await?
            .get(0);
    let candidate = Candidate {
        outcome: outcome.facts.clone(),
        course: course.clone(),
        on: today,
        outcome_used_for: used_for,
        course_taken: taken > 0,
        program_credits_used: used,
    };
    let judged = judge(&pack, &candidate);
    let mut reasons: Vec<StoredRefusal> = Vec::new();
    if enrolled == 0 {
        reasons.push(StoredRefusal {
            rule: "learner_of_school".into(),
            zh: format!("证书持有人不是学校 {} 的学生", req.school),
            en: format!("the holder is not a student of school {}", req.school),
        });
    }
    reasons.extend(judged.refusals.into_iter().map(StoredRefusal::from));
    let status = if reasons.is_empty() { Status::Pending } else { Status::Refused };
    let credits = if reasons.is_empty() { judged.credits } else { 0.0 };
    let reasons_json = serde_json::to_string(&reasons).map_err(|e| StoreError::Internal(e.to_string()))?;
    let id: i64 = sqlx::query(
        "INSERT INTO credit_application (school_code, year, program_code, course_code, id_pseudo, issuer_credit_code, certificate_no, \
         requested, credits, status, reasons, rules_id, rules_version, appealed, applied_by, applied_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $14, $15) RETURNING id",
    )
    .bind(req.school.to_string())
    .bind(req.year)
    .bind(req.program.to_string())
    .bind(req.course.to_string())
    .bind(outcome.id_pseudo.clone())
    .bind(req.issuer.to_string())
    .bind(req.certificate_no.to_string())
    .bind(course.credits)
    .bind(credits)
    .bind(status.key())
    .bind(reasons_json)
    .bind(pack.id.clone())
    .bind(pack.version.clone())
    .bind(actor.to_string())
    .bind(now())
    .fetch_one(&mut *tx)
    .await?
    .get(0);
    let object = format!("credit application {id}");
    let detail = format!(
        "{} {} → {} {} {} {}: {} ({} {})",
        req.issuer,
        req.certificate_no,
        req.school,
        req.year,
        req.program,
        req.course,
        status.key(),
        pack.id,
        pack.version
    );
    audit::record(&mut *tx, &Entry { actor, action: "credit_apply", object: &object, detail: &detail, source: origin })
        .await?;
    let app = get_on(tx, id).await?;
    super::credit_blocks::refresh(tx, std::slice::from_ref(&app.school_code), Part::Applications).await?;
    w.commit().await?;
    Ok(app)
}

pub(super) async fn get_on(conn: &mut AnyConnection, id: i64) -> Result<Application, StoreError> {
    let row = sqlx::query(AssertSqlSafe(format!("SELECT {COLUMNS} FROM credit_application WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| {
            StoreError::not_found(format!("没有编号为 {id} 的学分转换申请 / there is no credit application {id}"))
        })?;
    from_row(&row)
}

/// Applications of some schools (all: None), of one status or all, newest first, at most `limit`.
pub async fn list(
    db: &Db,
    schools: Option<&[String]>,
    status: Option<Status>,
    limit: i64,
) -> Result<Vec<Application>, StoreError> {
    if schools.is_some_and(<[String]>::is_empty) {
        return Ok(Vec::new());
    }
    let mut sql = super::sql::Sql::new();
    let mut cond = String::new();
    if let Some(list) = schools {
        let l = sql.in_list(list.iter().map(|s| super::records::SqlValue::text(s)).collect());
        cond.push_str(&format!(" AND school_code IN ({l})"));
    }
    if let Some(s) = status {
        cond.push_str(&format!(" AND status = {}", sql.param(super::records::SqlValue::text(s.key()))));
    }
    let n = sql.param(super::records::SqlValue::Int(limit));
    sql.text = format!("SELECT {COLUMNS} FROM credit_application WHERE 1 = 1{cond} ORDER BY id DESC LIMIT {n}");
    let mut q = sqlx::query(AssertSqlSafe(sql.text));
    for p in sql.params {
        q = super::records::bind(q, p);
    }
    q.fetch_all(&db.pool).await?.iter().map(from_row).collect()
}

/// One review step as recorded.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Step {
    pub seq: i64,
    /// `school`, `bank`, `appeal` (the appeal itself, or the credit bank's decision on it).
    pub step: String,
    /// `approve`, `reject` or `appeal`.
    pub decision: String,
    pub reason: String,
    pub actor: String,
    pub at: String,
}

/// An application's review steps, in order.
pub async fn steps(db: &Db, id: i64) -> Result<Vec<Step>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, step, decision, reason, actor, at FROM credit_review WHERE application_id = $1 ORDER BY seq",
    )
    .bind(id)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Step {
            seq: r.get(0),
            step: r.get(1),
            decision: r.get(2),
            reason: r.get(3),
            actor: r.get(4),
            at: r.get(5),
        })
        .collect())
}

/// One application.
pub async fn get(db: &Db, id: i64) -> Result<Application, StoreError> {
    let mut conn = db.pool.acquire().await?;
    get_on(&mut conn, id).await
}

/// Advances one review step: the school's approval, then the credit bank's; a rejection needs a
/// reason. An approval checks the outcome again (a revoked or expired one is refused).
pub async fn review(
    db: &Db,
    id: i64,
    decision: Decision,
    reason: &str,
    actor: &str,
    origin: &str,
) -> Result<Application, StoreError> {
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let app = get_on(tx, id).await?;
    let (step, next) = match (app.status, decision) {
        (Status::Pending, Decision::Approve) => ("school", Status::SchoolApproved),
        (Status::Pending, Decision::Reject) => ("school", Status::Rejected),
        (Status::SchoolApproved, Decision::Approve) => ("bank", Status::Approved),
        (Status::SchoolApproved, Decision::Reject) => ("bank", Status::Rejected),
        (Status::Appealed, Decision::Approve) => ("appeal", Status::Approved),
        (Status::Appealed, Decision::Reject) => ("appeal", Status::Rejected),
        (s, _) => {
            return Err(StoreError::refused(format!(
                "申请 {id} 状态为“{}”，没有待审核的步骤 / application {id} is {}: no review step is open",
                s.zh(),
                s.key()
            )));
        }
    };
    if decision == Decision::Reject && reason.trim().is_empty() {
        return Err(StoreError::refused("不予认定须说明理由（--reason） / a rejection needs a reason (--reason)"));
    }
    if decision == Decision::Approve {
        let today = now()[..10].to_string();
        let outcome = outcome_on(tx, &app.issuer_credit_code, &app.certificate_no, &today).await?;
        match outcome.map(|o| o.facts.status) {
            Some(OutcomeStatus::Earned) => {}
            Some(s) => {
                return Err(StoreError::refused(format!(
                    "证书已{}，不能认定 / the certificate is {}: it cannot be recognised",
                    s.zh().trim_start_matches('已'),
                    s.key()
                )));
            }
            None => return Err(StoreError::refused("证书记录已不存在 / the certificate is no longer on record")),
        }
    }
    let decided = if decision == Decision::Approve { "approve" } else { "reject" };
    record_step(tx, id, step, decided, reason, actor).await?;
    let credits = if next == Status::Rejected { 0.0 } else { app.credits };
    let decided_at = matches!(next, Status::Approved | Status::Rejected).then(now);
    sqlx::query("UPDATE credit_application SET status = $1, credits = $2, decided_at = $3 WHERE id = $4")
        .bind(next.key())
        .bind(credits)
        .bind(decided_at)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let object = format!("credit application {id}");
    let detail = format!("{step}: {decided} → {} {}", next.key(), reason.trim());
    audit::record(
        &mut *tx,
        &Entry { actor, action: "credit_review", object: &object, detail: &detail, source: origin },
    )
    .await?;
    let app = get_on(tx, id).await?;
    super::credit_blocks::refresh(tx, std::slice::from_ref(&app.school_code), Part::Applications).await?;
    w.commit().await?;
    Ok(app)
}

/// Writes one review step of an application, numbered after the ones before it.
async fn record_step(
    tx: &mut AnyConnection,
    id: i64,
    step: &str,
    decision: &str,
    reason: &str,
    actor: &str,
) -> Result<(), StoreError> {
    let seq: i64 = sqlx::query("SELECT COUNT(*) FROM credit_review WHERE application_id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?
        .get(0);
    sqlx::query("INSERT INTO credit_review (application_id, seq, step, decision, reason, actor, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(id)
        .bind(seq + 1)
        .bind(step.to_string())
        .bind(decision.to_string())
        .bind(reason.trim().to_string())
        .bind(actor.to_string())
        .bind(now())
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// The one appeal against a rejection: the credit bank decides it.
pub async fn appeal(db: &Db, id: i64, reason: &str, actor: &str, origin: &str) -> Result<Application, StoreError> {
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let app = get_on(tx, id).await?;
    if app.status != Status::Rejected {
        return Err(StoreError::refused(format!(
            "只有未予认定的申请可以申诉（申请 {id} 为“{}”） / only a rejected application can be appealed ({id} is {})",
            app.status.zh(),
            app.status.key()
        )));
    }
    if app.appealed {
        return Err(StoreError::refused(format!(
            "申请 {id} 已申诉过一次 / application {id} has been appealed once already"
        )));
    }
    if reason.trim().is_empty() {
        return Err(StoreError::refused("申诉须说明理由（--reason） / an appeal needs a reason (--reason)"));
    }
    sqlx::query("UPDATE credit_application SET status = 'appealed', appealed = 1, decided_at = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    record_step(tx, id, "appeal", "appeal", reason, actor).await?;
    let object = format!("credit application {id}");
    audit::record(
        &mut *tx,
        &Entry { actor, action: "credit_appeal", object: &object, detail: reason.trim(), source: origin },
    )
    .await?;
    let app = get_on(tx, id).await?;
    super::credit_blocks::refresh(tx, std::slice::from_ref(&app.school_code), Part::Applications).await?;
    w.commit().await?;
    Ok(app)
}

/// Revokes an outcome: it never converts again, and every conversion built on it is revoked.
/// The number of conversions revoked with it.
pub async fn revoke(
    db: &Db,
    issuer: &str,
    no: &str,
    reason: &str,
    actor: &str,
    origin: &str,
) -> Result<u64, StoreError> {
    if reason.trim().is_empty() {
        return Err(StoreError::refused("撤销须说明理由（--reason） / a revocation needs a reason (--reason)"));
    }
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let today = now()[..10].to_string();
    let outcome = outcome_on(tx, issuer, no, &today).await?;
    match outcome.map(|o| o.facts.status) {
        None => {
            return Err(StoreError::not_found(format!(
                "没有发证机构 {issuer} 编号 {no} 的证书记录 / no certificate {no} of issuer {issuer} is on record"
            )));
        }
        Some(OutcomeStatus::Revoked) => {
            return Err(StoreError::refused(format!("证书 {no} 已撤销 / certificate {no} is revoked already")));
        }
        Some(_) => {}
    }
    sqlx::query("INSERT INTO outcome_revocation (issuer_credit_code, certificate_no, reason, actor, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(issuer.to_string())
        .bind(no.to_string())
        .bind(reason.trim().to_string())
        .bind(actor.to_string())
        .bind(now())
        .execute(&mut *tx)
        .await?;
    let revoked = sqlx::query(AssertSqlSafe(format!(
        "UPDATE credit_application SET status = 'revoked', decided_at = $1 WHERE issuer_credit_code = $2 AND certificate_no = $3 AND status IN {}",
        Status::HOLDING
    )))
    .bind(now())
    .bind(issuer.to_string())
    .bind(no.to_string())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    // Every credential issued for the outcome or a conversion built on it is revoked with it.
    let credentials = sqlx::query(
        "UPDATE credential SET revoked_at = $1, revoked_reason = $2 WHERE issuer_credit_code = $3 AND certificate_no = $4 AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(reason.trim().to_string())
    .bind(issuer.to_string())
    .bind(no.to_string())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let schools = super::credit_blocks::schools_of_outcomes(tx, &[(issuer.to_string(), no.to_string())]).await?;
    super::credit_blocks::refresh(tx, &schools, Part::All).await?;
    let object = format!("certificate {issuer} {no}");
    let detail = format!("{}; {revoked} conversions and {credentials} credentials revoked", reason.trim());
    audit::record(
        &mut *tx,
        &Entry { actor, action: "credit_revoke", object: &object, detail: &detail, source: origin },
    )
    .await?;
    w.commit().await?;
    Ok(revoked)
}

/// A learner's account: every outcome on record for the person and every conversion asked for.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Account {
    pub outcomes: Vec<AccountOutcome>,
    pub conversions: Vec<Application>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct AccountOutcome {
    pub certificate_no: String,
    pub issuer: String,
    pub issuer_name: String,
    pub kind: String,
    pub title: String,
    pub level: Option<String>,
    pub issued_date: String,
    pub valid_until: Option<String>,
    pub school_code: String,
    pub program_code: Option<String>,
    pub credits: Option<f64>,
    pub hours: Option<f64>,
    pub status: OutcomeStatus,
    pub id_masked: String,
    pub name_masked: String,
    /// Its level in each framework where one is known (national, Guangdong, Hong Kong).
    pub frameworks: Vec<Placement>,
    /// Hong Kong QF credits for its notional hours (10 hours a credit).
    pub hk_credits: Option<f64>,
}

/// The account of the person with this pseudonym (`Keys::pseudonym`).
pub async fn account(db: &Db, pseudonym: &str) -> Result<Account, StoreError> {
    let mut conn = db.pool.acquire().await?;
    let today = now()[..10].to_string();
    let rows = sqlx::query(
        "SELECT issuer_credit_code, certificate_no FROM rec_certificate WHERE is_current = 1 AND id_pseudo = $1 ORDER BY issued_date, certificate_no",
    )
    .bind(pseudonym.to_string())
    .fetch_all(&mut *conn)
    .await?;
    let mut outcomes = Vec::new();
    for r in rows {
        let (issuer, no): (String, String) = (r.get(0), r.get(1));
        if let Some(o) = outcome_on(&mut conn, &issuer, &no, &today).await? {
            let school_level: Option<String> =
                sqlx::query("SELECT level FROM rec_school WHERE school_code = $1 AND is_current = 1")
                    .bind(o.school_code.clone())
                    .fetch_optional(&mut *conn)
                    .await?
                    .map(|r| r.get(0));
            let frameworks = FRAMEWORKS.place_outcome(&o.facts.kind, o.facts.level.as_deref(), school_level.as_deref());
            outcomes.push(AccountOutcome {
                frameworks,
                hk_credits: o.hours.map(hk_credits),
                certificate_no: no,
                issuer,
                issuer_name: o.facts.issuer_name,
                kind: o.facts.kind,
                title: o.facts.title,
                level: o.facts.level,
                issued_date: o.facts.issued_date,
                valid_until: o.valid_until,
                school_code: o.school_code,
                program_code: o.program_code,
                credits: o.credits,
                hours: o.hours,
                status: o.facts.status,
                id_masked: o.id_masked,
                name_masked: o.name_masked,
            });
        }
    }
    let conversions = sqlx::query(AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM credit_application WHERE id_pseudo = $1 ORDER BY id"
    )))
    .bind(pseudonym.to_string())
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(from_row)
    .collect::<Result<Vec<_>, _>>()?;
    Ok(Account { outcomes, conversions })
}

/// An outcome with the learner's school and program (the demo city's applications start here).
#[derive(Debug, Clone)]
pub struct Candidacy {
    pub issuer: String,
    pub certificate_no: String,
    pub school_code: String,
    pub program_code: String,
    pub kind: String,
    pub level: Option<String>,
}

/// Outcomes issued in `year` at a school and program, at most `limit`, in certificate order.
pub async fn outcomes_issued_in(db: &Db, year: i32, limit: i64) -> Result<Vec<Candidacy>, StoreError> {
    let rows = sqlx::query(
        "SELECT issuer_credit_code, certificate_no, school_code, program_code, kind, level FROM rec_certificate \
         WHERE is_current = 1 AND school_code <> '' AND program_code IS NOT NULL AND issued_date >= $1 AND issued_date <= $2 \
         ORDER BY certificate_no LIMIT $3",
    )
    .bind(format!("{year}-01-01"))
    .bind(format!("{year}-12-31"))
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Candidacy {
            issuer: r.get(0),
            certificate_no: r.get(1),
            school_code: r.get(2),
            program_code: r.get(3),
            kind: r.get(4),
            level: r.get(5),
        })
        .collect())
}

/// The courses of a program in a year: (course code, course type).
pub async fn courses(db: &Db, school: &str, year: i64, program: &str) -> Result<Vec<(String, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT course_code, course_type FROM rec_curriculum WHERE is_current = 1 AND school_code = $1 AND year = $2 AND program_code = $3 ORDER BY course_code",
    )
    .bind(school.to_string())
    .bind(year)
    .bind(program.to_string())
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

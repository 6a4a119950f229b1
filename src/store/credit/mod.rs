//! The credit bank's records: conversion rule packs as loaded, applications to convert a learning
//! outcome into a course with every rule they failed, their review steps (the school's academic
//! office, the bureau's credit bank, one appeal), revoked outcomes, and a learner's account. Each
//! change is one write transaction with its audit entry; an application is judged inside it, so
//! two applications racing cannot together break a rule each obeys alone.

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::audit::{self, Entry};
use super::{Db, StoreError, now};
use crate::domain::credit::{Candidate, CourseFacts, Refusal, judge};
use crate::store::credit_blocks::Part;

mod outcome;
mod pack;
mod review;

pub(crate) use outcome::outcome_on;
pub use outcome::{Account, AccountOutcome, Candidacy, Outcome, account, courses, outcomes_issued_in, revoke};
use pack::active_pack_on;
pub use pack::{DEFAULT_PACK, active_pack, load_pack};
pub use review::{Decision, Step, appeal, review, steps};

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
    pub(crate) const HOLDING: &'static str = "('pending', 'school_approved', 'approved', 'appealed')";
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

pub(crate) const COLUMNS: &str = "id, school_code, year, program_code, course_code, issuer_credit_code, certificate_no, requested, credits, status, reasons, rules_id, rules_version, appealed, applied_by, applied_at";

pub(crate) fn from_row(r: &sqlx::any::AnyRow) -> Result<Application, StoreError> {
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
    crate::store::credit_blocks::refresh(tx, std::slice::from_ref(&app.school_code), Part::Applications).await?;
    w.commit().await?;
    Ok(app)
}

pub(crate) async fn get_on(conn: &mut AnyConnection, id: i64) -> Result<Application, StoreError> {
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
    sql.bound().fetch_all(&db.pool).await?.iter().map(from_row).collect()
}

/// One application.
pub async fn get(db: &Db, id: i64) -> Result<Application, StoreError> {
    let mut conn = db.pool.acquire().await?;
    get_on(&mut conn, id).await
}

//! An application's review: the school's academic office, then the credit bank; one appeal.
//! Every step is recorded with who decided and why, and audited.

use sqlx::{AnyConnection, Row};

use super::outcome::outcome_on;
use super::{Application, Status, get_on};
use crate::domain::credit::OutcomeStatus;
use crate::store::audit::{self, Entry};
use crate::store::credit_blocks::Part;
use crate::store::{Db, StoreError, now};

/// A reviewer's decision on one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
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
    crate::store::credit_blocks::refresh(tx, std::slice::from_ref(&app.school_code), Part::Applications).await?;
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
    crate::store::credit_blocks::refresh(tx, std::slice::from_ref(&app.school_code), Part::Applications).await?;
    w.commit().await?;
    Ok(app)
}

//! Learning outcomes as the credit bank reads them: an outcome's facts and status, its
//! revocation (with every conversion and credential built on it), a learner's account, and what
//! the demo city's applications start from.

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::{Application, COLUMNS, Status, from_row};
use crate::domain::credit::{OutcomeFacts, OutcomeStatus};
use crate::domain::frameworks::{FRAMEWORKS, Placement, hk_credits};
use crate::store::audit::{self, Entry};
use crate::store::credit_blocks::Part;
use crate::store::{Db, StoreError, now};

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

pub(crate) async fn outcome_on(
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
    let schools = crate::store::credit_blocks::schools_of_outcomes(tx, &[(issuer.to_string(), no.to_string())]).await?;
    crate::store::credit_blocks::refresh(tx, &schools, Part::All).await?;
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
    pub valid_until: Option<String>,
}

/// Outcomes issued in `year` at a school and program, at most `limit`, in certificate order.
pub async fn outcomes_issued_in(db: &Db, year: i32, limit: i64) -> Result<Vec<Candidacy>, StoreError> {
    let rows = sqlx::query(
        "SELECT issuer_credit_code, certificate_no, school_code, program_code, kind, level, valid_until FROM rec_certificate \
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
            valid_until: r.get(6),
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

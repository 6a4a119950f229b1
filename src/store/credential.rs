//! The credit bank's verifiable credentials: issuing an Open Badges 3.0 credential (VC-JWT) for a
//! recognised conversion or a registered outcome, with its entry in the register that revocation
//! marks, and verifying a presented one against that register (`domain::credential` signs and
//! checks; this module reads and writes the records).

use sqlx::Row;

use super::audit::{self, Entry};
use super::credit::{Status, get_on, outcome_on};
use super::{Db, StoreError, now};
use crate::domain::credit::OutcomeStatus;
/// The credit bank's signing identity: derived from the installation's master key.
pub fn issuer(db: &Db) -> crate::domain::credential::Issuer {
    crate::domain::credential::Issuer::new(
        &db.keys.credential_seed(),
        "广州市职业教育学分银行 / Guangzhou VET credit bank",
    )
}

/// What to issue a credential for: a recognised conversion or a registered outcome.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    Application(i64),
    Outcome { issuer: &'a str, certificate_no: &'a str },
}

/// Issues a signed credential (VC-JWT) and registers it, so that its revocation can be looked up.
/// `status_list`: the address of the published revocation list (`status_list_address`).
pub async fn issue(
    db: &Db,
    subject: Subject<'_>,
    status_list: &str,
    actor: &str,
    origin: &str,
) -> Result<String, StoreError> {
    use crate::domain::credential::CONTEXTS;
    let signer = issuer(db);
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let today = now()[..10].to_string();
    let (app, issuer_code, no) = match subject {
        Subject::Application(id) => {
            let app = get_on(tx, id).await?;
            if app.status != Status::Approved {
                return Err(StoreError::refused(format!(
                    "只有已认定的转换可以签发凭证（申请 {id} 为“{}”） / only a recognised conversion gets a credential ({id} is {})",
                    app.status.zh(),
                    app.status.key()
                )));
            }
            let (i, n) = (app.issuer_credit_code.clone(), app.certificate_no.clone());
            (Some(app), i, n)
        }
        Subject::Outcome { issuer, certificate_no } => (None, issuer.to_string(), certificate_no.to_string()),
    };
    let outcome = outcome_on(tx, &issuer_code, &no, &today).await?.ok_or_else(|| {
        StoreError::not_found(format!(
            "没有发证机构 {issuer_code} 编号 {no} 的证书记录 / no certificate {no} of issuer {issuer_code} is on record"
        ))
    })?;
    if outcome.facts.status != OutcomeStatus::Earned {
        return Err(StoreError::refused(format!(
            "证书{}，不能签发凭证 / the certificate is {}: no credential is issued",
            outcome.facts.status.zh(),
            outcome.facts.status.key()
        )));
    }
    // The learner is named by a salted hash of the ID number (Open Badges' IdentityObject).
    let id_enc: String = sqlx::query(
        "SELECT id_enc FROM rec_certificate WHERE is_current = 1 AND issuer_credit_code = $1 AND certificate_no = $2",
    )
    .bind(issuer_code.clone())
    .bind(no.clone())
    .fetch_one(&mut *tx)
    .await?
    .get(0);
    let id_number = db.keys.decrypt(&id_enc).map_err(|e| StoreError::Internal(e.to_string()))?;
    let mut salt = [0u8; 16];
    rand::fill(&mut salt);
    let salt = hex::encode(salt);
    let identity_hash = {
        use sha2::{Digest, Sha256};
        format!("sha256${}", hex::encode(Sha256::digest(format!("{id_number}{salt}").as_bytes())))
    };
    let index: i64 =
        sqlx::query("SELECT COALESCE(MAX(status_index), 0) + 1 FROM credential").fetch_one(&mut *tx).await?.get(0);
    let id = format!("urn:uuid:{}", uuid_v4());
    let achievement_type = match outcome.facts.kind.as_str() {
        "x_certificate" | "skill_level" => "Certificate",
        "vocational_qualification" => "License",
        "competition" => "Award",
        "training" => "Course",
        _ => "Course",
    };
    let level = outcome.facts.level.clone().unwrap_or_default();
    let mut achievement = serde_json::json!({
        "id": format!("urn:vetis:achievement:{}:{}:{}", outcome.facts.kind, issuer_code, no),
        "type": ["Achievement"],
        "achievementType": achievement_type,
        "name": outcome.facts.title,
        "description": format!("{} {}", outcome.facts.title, level).trim().to_string(),
        "criteria": { "narrative": format!("由 {}（{}）颁发，证书编号 {}，发证日期 {} / issued by {} ({}), number {}, on {}", outcome.facts.issuer_name, issuer_code, no, outcome.facts.issued_date, outcome.facts.issuer_name, issuer_code, no, outcome.facts.issued_date) },
    });
    if let Some(c) = outcome.credits {
        achievement["creditsAvailable"] = serde_json::json!(c);
    }
    let mut subject_json = serde_json::json!({
        "type": ["AchievementSubject"],
        "identifier": [{ "type": "IdentityObject", "identityHash": identity_hash, "identityType": "identifier", "hashed": true, "salt": salt }],
        "achievement": achievement,
    });
    let name = match &app {
        Some(a) => {
            subject_json["creditsEarned"] = serde_json::json!(a.credits);
            subject_json["result"] = serde_json::json!([{ "type": ["Result"], "value": format!("学校 {} {} 年专业 {} 课程 {} 以 {} 学分认定（规则 {} {}） / course {} of program {} at school {} ({}) recognised for {} credits (rules {} {})", a.school_code, a.year, a.program_code, a.course_code, a.credits, a.rules_id, a.rules_version, a.course_code, a.program_code, a.school_code, a.year, a.credits, a.rules_id, a.rules_version) }]);
            format!("学分转换：{} → {} / credit conversion", outcome.facts.title, a.course_code)
        }
        None => outcome.facts.title.clone(),
    };
    let at = chrono::Utc::now();
    let issued = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut credential = serde_json::json!({
        "@context": CONTEXTS,
        "id": id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": { "id": signer.id, "type": ["Profile"], "name": signer.name },
        "validFrom": issued,
        "name": name,
        "credentialSubject": subject_json,
        "credentialStatus": {
            "id": format!("{status_list}#{index}"),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": index.to_string(),
            "statusListCredential": status_list,
        },
    });
    if let Some(u) = &outcome.valid_until {
        credential["validUntil"] = serde_json::json!(format!("{u}T23:59:59Z"));
    }
    let jwt = signer.sign(&credential, at.timestamp());
    sqlx::query(
        "INSERT INTO credential (id, status_index, kind, issuer_credit_code, certificate_no, application_id, issued_at, issued_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id.clone())
    .bind(index)
    .bind(if app.is_some() { "conversion" } else { "outcome" })
    .bind(issuer_code.clone())
    .bind(no.clone())
    .bind(app.as_ref().map(|a| a.id))
    .bind(issued)
    .bind(actor.to_string())
    .execute(&mut *tx)
    .await?;
    let detail =
        format!("{issuer_code} {no}{}", app.as_ref().map_or(String::new(), |a| format!(" application {}", a.id)));
    audit::record(&mut *tx, &Entry { actor, action: "credit_issue", object: &id, detail: &detail, source: origin })
        .await?;
    w.commit().await?;
    Ok(jwt)
}

fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    rand::fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// Verifies a presented credential: one result per check. Revocation is looked up in this
/// installation's register and fails closed: a credential it never issued is not valid here.
pub async fn verify(db: &Db, text: &str) -> Result<Vec<crate::domain::credential::Check>, StoreError> {
    use crate::domain::credential::{Check, check_dates, check_signature_and_issuer, parse};
    let parsed = match parse(text) {
        Ok(p) => p,
        Err(message) => return Ok(vec![Check { check: "format", ok: false, message }]),
    };
    let mut checks = vec![Check {
        check: "format",
        ok: true,
        message: "Open Badges 3.0 凭证（VC-JWT） / an Open Badges 3.0 credential (VC-JWT)".into(),
    }];
    let (signature, issuer_check) = check_signature_and_issuer(&parsed, &issuer(db).id);
    let trusted = signature.ok && issuer_check.ok;
    checks.push(signature);
    checks.push(issuer_check);
    let id = parsed.credential["id"].as_str().unwrap_or("").to_string();
    let row = sqlx::query("SELECT revoked_at, revoked_reason FROM credential WHERE id = $1")
        .bind(id.clone())
        .fetch_optional(&db.pool)
        .await?;
    checks.push(match row {
        None => Check {
            check: "revocation",
            ok: false,
            message: format!("本学分银行的登记中没有凭证 {id} / credential {id} is not in this credit bank's register"),
        },
        Some(r) => match r.get::<Option<String>, _>(0) {
            Some(at) => {
                let why: Option<String> = r.get(1);
                let why = why.unwrap_or_default();
                Check { check: "revocation", ok: false, message: format!("已于 {at} 撤销：{why} / revoked on {at}: {why}") }
            }
            None if trusted => Check { check: "revocation", ok: true, message: "未撤销 / not revoked".into() },
            None => Check {
                check: "revocation",
                ok: false,
                message: "签名或发证方无效，登记状态不可作为依据 / the signature or issuer is not valid: the register cannot vouch for it".into(),
            },
        },
    });
    checks.push(check_dates(&parsed.credential, &chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()));
    Ok(checks)
}

/// Where the revocation list is published: `{public}/status/revocation` for an installation with
/// a public address (`VETIS_PUBLIC_URL`), else the name its own `/status/revocation` answers to.
pub fn status_list_address(public_url: Option<&str>) -> String {
    match public_url {
        Some(u) => format!("{}/status/revocation", u.trim_end_matches('/')),
        None => crate::domain::status_list::DEFAULT_LIST_ID.to_string(),
    }
}

/// The revocation list as of now: a `BitstringStatusListCredential` signed by the credit bank
/// (VC-JWT), one bit per credential it issued, set for the revoked ones.
pub async fn status_list(db: &Db, address: &str) -> Result<String, StoreError> {
    let rows =
        sqlx::query("SELECT status_index FROM credential WHERE revoked_at IS NOT NULL").fetch_all(&db.pool).await?;
    let revoked: Vec<u64> = rows.iter().filter_map(|r| u64::try_from(r.get::<i64, _>(0)).ok()).collect();
    let signer = issuer(db);
    let at = chrono::Utc::now();
    let list = crate::domain::status_list::credential(
        address,
        &signer.id,
        &signer.name,
        &at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        &revoked,
    );
    Ok(signer.sign(&list, at.timestamp()))
}

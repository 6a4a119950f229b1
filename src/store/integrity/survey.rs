//! Trainees' evaluations: one-time codes for the public form (kept as digests, each used once, a
//! wrong code throttled per address), the answers given with them (kept apart from the codes), and
//! each project's tally over those answers and the school's imported `training_survey` rows.

use std::collections::HashMap;

use sqlx::Row;

use crate::domain::integrity::ratings::{Response, SurveyKind, Tally};
use crate::domain::throttle::{Policy, Scope};
use crate::store::audit::{self, Entry};
use crate::store::signin::{counter, epoch, save};
use crate::store::users::sha256_hex;
use crate::store::{Db, StoreError, now};

/// The code alphabet: no 0/O or 1/I, so that a code read aloud or copied by hand survives.
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
/// Codes per call at most (a class at a time, not a print run).
pub const MAX_CODES: i64 = 5000;

/// A code as a person types it: upper case, without spaces and dashes.
pub fn normalise(code: &str) -> String {
    code.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).take(32).collect()
}

/// A fresh code: 12 characters from a 32-letter alphabet (60 bits), shown as XXXX-XXXX-XXXX.
fn fresh_code() -> String {
    let mut bytes = [0u8; 12];
    rand::fill(&mut bytes);
    let chars: Vec<char> = bytes.iter().map(|b| ALPHABET[(*b & 31) as usize] as char).collect();
    chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
}

/// The project a survey code is for.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Project {
    pub school_code: String,
    pub school_name: String,
    pub year: i64,
    pub project_code: String,
    pub name: String,
    pub start_date: String,
    pub end_date: String,
    pub person_times: i64,
    pub completed: i64,
}

/// The school's approved training project of the year.
pub async fn project(db: &Db, school: &str, year: i64, code: &str) -> Result<Option<Project>, StoreError> {
    let row = sqlx::query(
        "SELECT t.school_code, COALESCE(s.name, t.school_code), t.year, t.project_code, t.name, t.start_date, t.end_date, t.person_times, t.completed \
         FROM rec_training t LEFT JOIN rec_school s ON s.school_code = t.school_code AND s.is_current = 1 \
         WHERE t.is_current = 1 AND t.school_code = $1 AND t.year = $2 AND t.project_code = $3",
    )
    .bind(school.to_string())
    .bind(year)
    .bind(code.to_string())
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.map(|r| Project {
        school_code: r.get(0),
        school_name: r.get(1),
        year: r.get(2),
        project_code: r.get(3),
        name: r.get(4),
        start_date: r.get(5),
        end_date: r.get(6),
        person_times: r.get(7),
        completed: r.get(8),
    }))
}

/// What codes are asked for: a project's survey and how many.
pub struct CodeRequest<'a> {
    pub school: &'a str,
    pub year: i64,
    pub project: &'a str,
    pub survey: SurveyKind,
    pub count: i64,
}

/// Issues one-time codes for a project's survey; the codes, shown this once (only their digests
/// are kept).
pub async fn issue_codes(db: &Db, r: &CodeRequest<'_>, actor: &str, source: &str) -> Result<Vec<String>, StoreError> {
    let CodeRequest { school, year, project: code, survey, count } = *r;
    let Some(p) = project(db, school, year, code).await? else {
        return Err(StoreError::not_found(format!(
            "学校 {school} {year} 年度已通过的培训项目中没有“{code}” / school {school} has no approved training project '{code}' in {year}"
        )));
    };
    let issued: i64 = sqlx::query(
        "SELECT COUNT(*) FROM survey_code WHERE school_code = $1 AND year = $2 AND project_code = $3 AND survey = $4",
    )
    .bind(school.to_string())
    .bind(year)
    .bind(code.to_string())
    .bind(survey.key())
    .fetch_one(&db.pool)
    .await?
    .get(0);
    if !(1..=MAX_CODES).contains(&count) || issued + count > p.person_times.max(1) {
        return Err(StoreError::refused(format!(
            "可发放 1 至 {} 个邀请码（项目培训 {} 人次，已发放 {issued} 个） / between 1 and {} codes can be issued (the project trained {} person-times; {issued} issued before)",
            (p.person_times - issued).clamp(0, MAX_CODES),
            p.person_times,
            (p.person_times - issued).clamp(0, MAX_CODES),
            p.person_times
        )));
    }
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let stamp = now();
    let mut codes = Vec::with_capacity(count as usize);
    while (codes.len() as i64) < count {
        let c = fresh_code();
        let digest = sha256_hex(&normalise(&c));
        let clash: Option<i64> = sqlx::query("SELECT 1 FROM survey_code WHERE code_hash = $1")
            .bind(digest.clone())
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| r.get(0));
        if clash.is_some() {
            continue;
        }
        sqlx::query(
            "INSERT INTO survey_code (code_hash, school_code, year, project_code, survey, issued_by, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(digest)
        .bind(school.to_string())
        .bind(year)
        .bind(code.to_string())
        .bind(survey.key())
        .bind(actor.to_string())
        .bind(stamp.clone())
        .execute(&mut *tx)
        .await?;
        codes.push(c);
    }
    let e = Entry {
        actor,
        action: "survey_codes",
        object: &format!("training {school} {year} {code}"),
        detail: &format!("{count} {} codes", survey.key()),
        source,
    };
    audit::record(&mut *tx, &e).await?;
    w.commit().await?;
    Ok(codes)
}

/// What a code opens.
#[derive(Debug)]
pub enum Opened {
    /// The form of this project's survey.
    Open { project: Project, survey: SurveyKind },
    /// Unknown or already used (one answer for both: the page says nothing more).
    Invalid,
    /// An outcome survey before its time: the first day it opens.
    NotYet { from: String },
    /// Too many wrong codes from this address: try again after this many seconds.
    Throttled { wait_secs: u64 },
}

/// Opens the survey a code is for, without using the code. A wrong code counts against the address.
pub async fn open(db: &Db, code: &str, address: &str, today: chrono::NaiveDate) -> Result<Opened, StoreError> {
    let policy = Policy::lookups();
    let key = format!("survey-ip:{}", address.chars().take(64).collect::<String>());
    let now_s = epoch();
    let c = counter(db, &key).await?;
    let wait = policy.waiting(&c, now_s);
    if wait > 0 {
        return Ok(Opened::Throttled { wait_secs: wait });
    }
    let row = sqlx::query(
        "SELECT school_code, year, project_code, survey FROM survey_code WHERE code_hash = $1 AND used_at IS NULL",
    )
    .bind(sha256_hex(&normalise(code)))
    .fetch_optional(&db.pool)
    .await?;
    let Some(row) = row else {
        let _gate = db.throttle_gate.lock().await;
        let c = counter(db, &key).await?;
        save(db, &key, &policy.fail(Scope::Address, &c, now_s)).await?;
        return Ok(Opened::Invalid);
    };
    let (school, year, code, survey): (String, i64, String, String) = (row.get(0), row.get(1), row.get(2), row.get(3));
    let survey = SurveyKind::parse(&survey).unwrap_or(SurveyKind::Completion);
    let Some(project) = project(db, &school, year, &code).await? else { return Ok(Opened::Invalid) };
    if survey == SurveyKind::Outcome {
        let days = super::pack(db).await?.survey.outcome_after_days;
        let from = crate::ingest::cells::parse_date(&project.end_date).map(|e| e + chrono::Duration::days(days));
        if let Some(from) = from
            && today < from
        {
            return Ok(Opened::NotYet { from: from.to_string() });
        }
    }
    Ok(Opened::Open { project, survey })
}

/// Records an answer and uses its code, in one transaction: a code answers once, however many
/// times the form is sent.
pub async fn answer(
    db: &Db,
    code: &str,
    survey: SurveyKind,
    r: &Response,
    today: chrono::NaiveDate,
) -> Result<(), StoreError> {
    let complete = match survey {
        SurveyKind::Completion => r.scores.iter().all(|s| s.is_some_and(|v| (1..=5).contains(&v))),
        SurveyKind::Outcome => r.outcomes.iter().all(Option::is_some),
    };
    if !complete {
        return Err(StoreError::refused("请回答每一题 / please answer every question".to_string()));
    }
    let digest = sha256_hex(&normalise(code));
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    let Some(row) = sqlx::query(
        "SELECT school_code, year, project_code, survey FROM survey_code WHERE code_hash = $1 AND used_at IS NULL",
    )
    .bind(digest.clone())
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Err(StoreError::conflict("邀请码无效或已使用 / the code is not valid or has been used".to_string()));
    };
    let (school, year, project, kind): (String, i64, String, String) = (row.get(0), row.get(1), row.get(2), row.get(3));
    if kind != survey.key() {
        return Err(StoreError::refused("问卷与邀请码不符 / the survey is not the code's".to_string()));
    }
    let used = sqlx::query("UPDATE survey_code SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL")
        .bind(now())
        .bind(digest)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if used != 1 {
        return Err(StoreError::conflict("邀请码无效或已使用 / the code is not valid or has been used".to_string()));
    }
    let b = |v: Option<bool>| v.map(i64::from);
    sqlx::query(
        "INSERT INTO survey_answer (school_code, year, project_code, survey, answered_on, content, teaching, facilities, overall, employed, certified, promoted) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(school)
    .bind(year)
    .bind(project)
    .bind(kind)
    .bind(today.to_string())
    .bind(r.scores[0])
    .bind(r.scores[1])
    .bind(r.scores[2])
    .bind(r.scores[3])
    .bind(b(r.outcomes[0]))
    .bind(b(r.outcomes[1]))
    .bind(b(r.outcomes[2]))
    .execute(&mut *tx)
    .await?;
    w.commit().await?;
    Ok(())
}

/// (school, project, survey) → tally, for a year: the imported answers and the form's together.
pub type Tallies = HashMap<(String, String, SurveyKind), Tally>;

/// Every project's tally of a year (or only one school's).
pub async fn tallies(db: &Db, year: i64, school: Option<&str>) -> Result<Tallies, StoreError> {
    let mut out = Tallies::new();
    let sums = "COUNT(*), \
        COUNT(content), CAST(COALESCE(SUM(content), 0) AS DOUBLE PRECISION), CAST(COALESCE(SUM(content * content), 0) AS DOUBLE PRECISION), \
        COUNT(teaching), CAST(COALESCE(SUM(teaching), 0) AS DOUBLE PRECISION), CAST(COALESCE(SUM(teaching * teaching), 0) AS DOUBLE PRECISION), \
        COUNT(facilities), CAST(COALESCE(SUM(facilities), 0) AS DOUBLE PRECISION), CAST(COALESCE(SUM(facilities * facilities), 0) AS DOUBLE PRECISION), \
        COUNT(overall), CAST(COALESCE(SUM(overall), 0) AS DOUBLE PRECISION), CAST(COALESCE(SUM(overall * overall), 0) AS DOUBLE PRECISION), \
        COUNT(employed), CAST(COALESCE(SUM(employed), 0) AS BIGINT), COUNT(certified), CAST(COALESCE(SUM(certified), 0) AS BIGINT), \
        COUNT(promoted), CAST(COALESCE(SUM(promoted), 0) AS BIGINT), \
        CAST(COALESCE(SUM(CASE WHEN overall >= 4 THEN 1 ELSE 0 END), 0) AS BIGINT)";
    for (from, current) in [("rec_training_survey", " AND is_current = 1"), ("survey_answer", "")] {
        let only = if school.is_some() { " AND school_code = $2" } else { "" };
        let sql = format!(
            "SELECT school_code, project_code, survey, {sums} FROM {from} WHERE year = $1{current}{only} GROUP BY school_code, project_code, survey"
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(year);
        if let Some(s) = school {
            q = q.bind(s.to_string());
        }
        for r in q.fetch_all(&db.pool).await? {
            let Some(kind) = SurveyKind::parse(&r.get::<String, _>(2)) else { continue };
            let mut t = Tally { responses: r.get(3), ..Tally::default() };
            for i in 0..4 {
                t.scores[i] = (r.get(4 + 3 * i), r.get(5 + 3 * i), r.get(6 + 3 * i));
            }
            for i in 0..3 {
                t.outcomes[i] = (r.get(16 + 2 * i), r.get(17 + 2 * i));
            }
            t.satisfied = (t.scores[3].0, r.get(22));
            out.entry((r.get(0), r.get(1), kind)).or_default().merge(&t);
        }
    }
    Ok(out)
}

/// A training project as the public pages and figures read it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TrainingRow {
    pub school_code: String,
    pub project_code: String,
    pub name: String,
    pub category: String,
    pub start_date: String,
    pub end_date: String,
    pub hours: f64,
    pub person_times: i64,
    pub completed: i64,
    pub certified: Option<i64>,
}

/// The approved training projects of a year (or one school's), by school and project.
pub async fn training(db: &Db, year: i64, school: Option<&str>) -> Result<Vec<TrainingRow>, StoreError> {
    let only = if school.is_some() { " AND school_code = $2" } else { "" };
    let sql = format!(
        "SELECT school_code, project_code, name, category, start_date, end_date, hours, person_times, completed, certified \
         FROM rec_training WHERE is_current = 1 AND year = $1{only} ORDER BY school_code, project_code"
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(year);
    if let Some(s) = school {
        q = q.bind(s.to_string());
    }
    Ok(q.fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| TrainingRow {
            school_code: r.get(0),
            project_code: r.get(1),
            name: r.get(2),
            category: r.get(3),
            start_date: r.get(4),
            end_date: r.get(5),
            hours: r.get(6),
            person_times: r.get(7),
            completed: r.get(8),
            certified: r.get(9),
        })
        .collect())
}

/// The years with approved training, latest first.
pub async fn training_years(db: &Db) -> Result<Vec<i64>, StoreError> {
    Ok(sqlx::query("SELECT DISTINCT year FROM rec_training WHERE is_current = 1 ORDER BY year DESC")
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

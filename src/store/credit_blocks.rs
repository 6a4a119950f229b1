//! Building blocks of the credit bank's figures: per school, year and program, the graduates and
//! those holding a 1+X certificate by graduation, and the year's conversion applications by what
//! became of their credits; per school and year, how often each reason refused or rejected one.
//! Kept in the transaction that changes the graduates, the certificates or an application, so the
//! city's credit figures are a sum over a few thousand small rows (schema v12).

use std::collections::BTreeMap;

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::credit::StoredRefusal;
use super::records::{SqlValue, insert_batch};
use super::rule_sums::Within;
use super::sql::Sql;
use super::{Backend, Db, StoreError, now};

/// The key under which complete credit blocks are listed in `figure_formula`.
pub const KEY: &str = "credit:v1";

/// One school's year in one program, as kept.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Tally {
    pub graduates: i64,
    /// Graduates holding at least one 1+X certificate issued by their graduation year.
    pub holders: i64,
    /// 1+X certificates those graduates hold.
    pub certificates: i64,
    pub applications: i64,
    /// Credits asked for in every application of the year.
    pub requested: f64,
    pub granted: f64,
    /// Asked for in applications a reviewer rejected.
    pub rejected: f64,
    /// Asked for in applications a rule refused.
    pub refused: f64,
    /// Asked for in applications still under review.
    pub pending: f64,
    /// Granted, then revoked with the outcome they were built on.
    pub revoked: f64,
    /// Approved conversions of an outcome earned at another school.
    pub cross_school: i64,
}

impl Tally {
    /// Adds another block to this one.
    pub fn add(&mut self, o: &Tally) {
        self.graduates += o.graduates;
        self.holders += o.holders;
        self.certificates += o.certificates;
        self.applications += o.applications;
        self.requested += o.requested;
        self.granted += o.granted;
        self.rejected += o.rejected;
        self.refused += o.refused;
        self.pending += o.pending;
        self.revoked += o.revoked;
        self.cross_school += o.cross_school;
    }
}

/// Why applications were refused or rejected: (reason key, zh, en) → (applications, credits).
pub type Reasons = BTreeMap<(String, String, String), (i64, f64)>;

/// Which blocks a change touches: an application only changes the application blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Applications,
    All,
}

/// Everything the blocks hold for some schools, keyed (school, year, program): the graduates'
/// part (graduates, holders, certificates) and the applications' part of a tally; the reasons
/// keyed (school, year).
#[derive(Debug, Default, PartialEq)]
pub struct Judged {
    pub graduates: BTreeMap<(String, i64, String), (i64, i64, i64)>,
    pub applications: BTreeMap<(String, i64, String), Tally>,
    pub reasons: BTreeMap<(String, i64), Reasons>,
}

/// The applications' part of a tally from a row, its eight columns from `at` on (applications,
/// requested, granted, rejected, refused, pending, revoked, cross-school), as every query here
/// lists them.
fn applications_part(r: &sqlx::any::AnyRow, at: usize) -> Tally {
    Tally {
        applications: r.get(at),
        requested: r.get(at + 1),
        granted: r.get(at + 2),
        rejected: r.get(at + 3),
        refused: r.get(at + 4),
        pending: r.get(at + 5),
        revoked: r.get(at + 6),
        cross_school: r.get(at + 7),
        ..Tally::default()
    }
}

async fn fetch(conn: &mut AnyConnection, sql: Sql) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
    Ok(sql.bound().fetch_all(&mut *conn).await?)
}

/// A reviewer's reason as a reason label: the first line, at most 60 characters.
fn review_label(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    line.chars().take(60).collect()
}

/// The graduates' part: (school, year, program) → (graduates, holders, certificates).
async fn graduates(
    conn: &mut AnyConnection,
    schools: Option<&[String]>,
) -> Result<BTreeMap<(String, i64, String), (i64, i64, i64)>, StoreError> {
    // A certificate counts for a graduate when issued by the graduation year, still valid then,
    // and not revoked. Graduates are counted by themselves, and only the holders are joined to
    // their certificates: a count per graduate (a lookup for each of a nation's 10 M graduates)
    // was the largest statement of a rebuild.
    let mut out = BTreeMap::new();
    let mut sql = Sql::new();
    let one = sql.only_schools("g.school_code", schools);
    sql.text = format!(
        "SELECT g.school_code, g.graduation_year, g.program_code, CAST(COUNT(*) AS BIGINT) \
         FROM rec_graduate g WHERE g.is_current = 1{one} GROUP BY g.school_code, g.graduation_year, g.program_code"
    );
    for r in fetch(conn, sql).await? {
        out.insert((r.get(0), r.get(1), r.get(2)), (r.get(3), 0, 0));
    }
    let mut sql = Sql::new();
    let one = sql.only_schools("g.school_code", schools);
    sql.text = format!(
        "SELECT x.school_code, x.graduation_year, x.program_code, CAST(COUNT(*) AS BIGINT), CAST(SUM(x.n) AS BIGINT) \
         FROM (SELECT g.school_code, g.graduation_year, g.program_code, COUNT(*) AS n \
         FROM rec_graduate g JOIN rec_certificate c ON c.id_pseudo = g.id_pseudo \
         WHERE g.is_current = 1{one} AND c.is_current = 1 AND c.kind = 'x_certificate' \
         AND SUBSTR(c.issued_date, 1, 4) <= CAST(g.graduation_year AS TEXT) \
         AND (c.valid_until IS NULL OR c.valid_until = '' OR SUBSTR(c.valid_until, 1, 4) >= CAST(g.graduation_year AS TEXT)) \
         AND NOT EXISTS (SELECT 1 FROM outcome_revocation r WHERE r.issuer_credit_code = c.issuer_credit_code \
         AND r.certificate_no = c.certificate_no) \
         GROUP BY g.school_code, g.graduation_year, g.submission_id, g.row_no, g.program_code) x \
         GROUP BY x.school_code, x.graduation_year, x.program_code"
    );
    for r in fetch(conn, sql).await? {
        let e = out.entry((r.get(0), r.get(1), r.get(2))).or_insert((0, 0, 0));
        (e.1, e.2) = (r.get(3), r.get(4));
    }
    Ok(out)
}

/// The credit blocks of `schools` (every school: None) as the records and applications give them.
pub async fn judge(conn: &mut AnyConnection, schools: Option<&[String]>, part: Part) -> Result<Judged, StoreError> {
    let mut out = Judged::default();
    if schools.is_some_and(<[String]>::is_empty) {
        return Ok(out);
    }
    if part == Part::All {
        out.graduates = graduates(conn, schools).await?;
    }
    let mut sql = Sql::new();
    let one = sql.only_schools("a.school_code", schools);
    let credits = |statuses: &str, column: &str| {
        format!("CAST(SUM(CASE WHEN a.status IN ({statuses}) THEN a.{column} ELSE 0 END) AS DOUBLE PRECISION)")
    };
    sql.text = format!(
        "SELECT a.school_code, a.year, a.program_code, CAST(COUNT(*) AS BIGINT), CAST(SUM(a.requested) AS DOUBLE PRECISION), \
         {}, {}, {}, {}, {}, \
         CAST(SUM(CASE WHEN a.status = 'approved' AND EXISTS (SELECT 1 FROM rec_certificate c \
         WHERE c.issuer_credit_code = a.issuer_credit_code AND c.certificate_no = a.certificate_no AND c.is_current = 1 \
         AND c.school_code <> '' AND c.school_code <> a.school_code) THEN 1 ELSE 0 END) AS BIGINT) \
         FROM credit_application a WHERE 1 = 1{one} GROUP BY a.school_code, a.year, a.program_code",
        credits("'approved'", "credits"),
        credits("'rejected'", "requested"),
        credits("'refused'", "requested"),
        credits("'pending', 'school_approved', 'appealed'", "requested"),
        credits("'revoked'", "requested"),
    );
    for r in fetch(conn, sql).await? {
        out.applications.insert((r.get(0), r.get(1), r.get(2)), applications_part(&r, 3));
    }
    let mut sql = Sql::new();
    let one = sql.only_schools("a.school_code", schools);
    sql.text = format!(
        "SELECT a.school_code, a.year, a.status, CAST(a.requested AS DOUBLE PRECISION), a.reasons, \
         (SELECT r.reason FROM credit_review r WHERE r.application_id = a.id AND r.decision = 'reject' \
         ORDER BY r.seq DESC LIMIT 1) FROM credit_application a WHERE a.status IN ('refused', 'rejected'){one}"
    );
    for r in fetch(conn, sql).await? {
        let reasons = out.reasons.entry((r.get(0), r.get(1))).or_default();
        let requested: f64 = r.get(3);
        if r.get::<String, _>(2) == "refused" {
            let failed: Vec<StoredRefusal> = serde_json::from_str(&r.get::<String, _>(4))
                .map_err(|e| StoreError::Internal(format!("credit application reasons: {e}")))?;
            for f in failed {
                let e = reasons.entry((f.rule, f.zh, f.en)).or_default();
                e.0 += 1;
                e.1 += requested;
            }
        } else {
            let text = review_label(&r.get::<Option<String>, _>(5).unwrap_or_default());
            let e = reasons.entry(("review".into(), text.clone(), text)).or_default();
            e.0 += 1;
            e.1 += requested;
        }
    }
    Ok(out)
}

async fn delete(conn: &mut AnyConnection, table: &str, schools: Option<&[String]>) -> Result<(), StoreError> {
    let mut sql = Sql::new();
    let one = sql.only_schools("school_code", schools);
    sql.text = format!("DELETE FROM {table} WHERE 1 = 1{one}");
    sql.bound().execute(&mut *conn).await?;
    Ok(())
}

const APPLICATION_COLUMNS: [&str; 11] = [
    "school_code",
    "year",
    "program_code",
    "applications",
    "requested",
    "granted",
    "rejected",
    "refused",
    "pending",
    "revoked",
    "cross_school",
];

/// Replaces the blocks of `schools` (all: None) of `part` with `judged`.
async fn write(
    conn: &mut AnyConnection,
    schools: Option<&[String]>,
    part: Part,
    judged: Judged,
) -> Result<(), StoreError> {
    let backend = if conn.backend_name().eq_ignore_ascii_case("sqlite") { Backend::Sqlite } else { Backend::Postgres };
    if part == Part::All {
        delete(conn, "credit_block", schools).await?;
        let rows: Vec<Vec<SqlValue>> = judged
            .graduates
            .into_iter()
            .map(|((s, y, p), (g, h, c))| {
                vec![
                    SqlValue::Text(s),
                    SqlValue::Int(y),
                    SqlValue::Text(p),
                    SqlValue::Int(g),
                    SqlValue::Int(h),
                    SqlValue::Int(c),
                ]
            })
            .collect();
        let cols = ["school_code", "year", "program_code", "graduates", "holders", "certificates"];
        insert_batch(&mut *conn, backend, "credit_block", &cols, rows).await?;
    }
    delete(conn, "credit_application_block", schools).await?;
    delete(conn, "credit_reason_block", schools).await?;
    let rows: Vec<Vec<SqlValue>> = judged
        .applications
        .into_iter()
        .map(|((s, y, p), t)| {
            vec![
                SqlValue::Text(s),
                SqlValue::Int(y),
                SqlValue::Text(p),
                SqlValue::Int(t.applications),
                SqlValue::Real(t.requested),
                SqlValue::Real(t.granted),
                SqlValue::Real(t.rejected),
                SqlValue::Real(t.refused),
                SqlValue::Real(t.pending),
                SqlValue::Real(t.revoked),
                SqlValue::Int(t.cross_school),
            ]
        })
        .collect();
    insert_batch(&mut *conn, backend, "credit_application_block", &APPLICATION_COLUMNS, rows).await?;
    let mut reasons = Vec::new();
    for ((s, y), rs) in judged.reasons {
        for ((key, zh, en), (n, credits)) in rs {
            reasons.push(vec![
                SqlValue::text(&s),
                SqlValue::Int(y),
                SqlValue::Text(key),
                SqlValue::Text(zh),
                SqlValue::Text(en),
                SqlValue::Int(n),
                SqlValue::Real(credits),
            ]);
        }
    }
    let cols = ["school_code", "year", "reason", "label_zh", "label_en", "applications", "credits"];
    insert_batch(&mut *conn, backend, "credit_reason_block", &cols, reasons).await?;
    Ok(())
}

async fn registered_on(conn: &mut AnyConnection) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM figure_formula WHERE formula_key = $1")
        .bind(KEY)
        .fetch_one(&mut *conn)
        .await?
        .get(0);
    Ok(n > 0)
}

/// Whether the credit blocks are complete (else `blocks::ensure` builds them).
pub async fn registered(db: &Db) -> Result<bool, StoreError> {
    let mut conn = db.pool.acquire().await?;
    registered_on(&mut conn).await
}

/// Recomputes, in the caller's transaction, `part` of the credit blocks of `schools` (nothing
/// before the blocks were first built).
pub async fn refresh(conn: &mut AnyConnection, schools: &[String], part: Part) -> Result<(), StoreError> {
    if schools.is_empty() || !registered_on(conn).await? {
        return Ok(());
    }
    let mut list = schools.to_vec();
    list.sort();
    list.dedup();
    let judged = judge(conn, Some(&list), part).await?;
    write(conn, Some(&list), part, judged).await
}

/// Rebuilds every credit block in the caller's transaction and registers them.
pub async fn rebuild_on(conn: &mut AnyConnection) -> Result<(), StoreError> {
    let judged = judge(conn, None, Part::All).await?;
    write(conn, None, Part::All, judged).await?;
    sqlx::query("DELETE FROM figure_formula WHERE formula_key = $1").bind(KEY).execute(&mut *conn).await?;
    sqlx::query("INSERT INTO figure_formula (formula_key, formula, built_at) VALUES ($1, $2, $3)")
        .bind(KEY)
        .bind("credit bank: graduates' 1+X certificates and conversion applications")
        .bind(now())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The schools whose credit blocks read the outcomes `keys` ((issuer, certificate no)): those
/// where a holder graduated, and those with an application built on one.
pub async fn schools_of_outcomes(
    conn: &mut AnyConnection,
    keys: &[(String, String)],
) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for (issuer, no) in keys {
        let rows = sqlx::query(
            "SELECT DISTINCT g.school_code FROM rec_graduate g JOIN rec_certificate c ON c.id_pseudo = g.id_pseudo \
             WHERE g.is_current = 1 AND c.issuer_credit_code = $1 AND c.certificate_no = $2 \
             UNION SELECT DISTINCT a.school_code FROM credit_application a WHERE a.issuer_credit_code = $1 AND a.certificate_no = $2",
        )
        .bind(issuer.clone())
        .bind(no.clone())
        .fetch_all(&mut *conn)
        .await?;
        out.extend(rows.iter().map(|r| r.get::<String, _>(0)));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// The schools whose credit blocks read the certificates of submission `id` (every version of
/// each of its outcomes, so a holder who changed is followed too).
pub async fn schools_of_submission(conn: &mut AnyConnection, id: i64) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query(
        "SELECT DISTINCT g.school_code FROM rec_certificate n \
         JOIN rec_certificate o ON o.issuer_credit_code = n.issuer_credit_code AND o.certificate_no = n.certificate_no \
         JOIN rec_graduate g ON g.id_pseudo = o.id_pseudo AND g.is_current = 1 WHERE n.submission_id = $1 \
         UNION SELECT DISTINCT a.school_code FROM rec_certificate n JOIN credit_application a \
         ON a.issuer_credit_code = n.issuer_credit_code AND a.certificate_no = n.certificate_no WHERE n.submission_id = $1",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(|r| r.get::<String, _>(0)).collect())
}

/// The kept blocks summed over `within`, per year from `from` to `to`.
pub async fn tallies(db: &Db, within: &Within<'_>, (from, to): (i32, i32)) -> Result<BTreeMap<i32, Tally>, StoreError> {
    let mut out: BTreeMap<i32, Tally> = BTreeMap::new();
    for ((_, year), t) in by_program(db, within, (from, to)).await? {
        out.entry(year).or_default().add(&t);
    }
    Ok(out)
}

/// The kept blocks summed over `within` per program and year: (program, year) → tally.
pub async fn by_program(
    db: &Db,
    within: &Within<'_>,
    (from, to): (i32, i32),
) -> Result<BTreeMap<(String, i32), Tally>, StoreError> {
    let mut out: BTreeMap<(String, i32), Tally> = BTreeMap::new();
    let mut conn = db.pool.acquire().await?;
    let mut sql = Sql::new();
    let (a, b) = (sql.param(SqlValue::Int(i64::from(from))), sql.param(SqlValue::Int(i64::from(to))));
    let cond = within.condition(&mut sql);
    sql.text = format!(
        "SELECT b.program_code, b.year, CAST(SUM(b.graduates) AS BIGINT), CAST(SUM(b.holders) AS BIGINT), \
         CAST(SUM(b.certificates) AS BIGINT) FROM credit_block b \
         JOIN rec_school k ON k.school_code = b.school_code AND k.is_current = 1 \
         WHERE b.year >= {a} AND b.year <= {b}{cond} GROUP BY b.program_code, b.year"
    );
    for r in fetch(&mut conn, sql).await? {
        let t = out.entry((r.get(0), r.get::<i64, _>(1) as i32)).or_default();
        (t.graduates, t.holders, t.certificates) = (r.get(2), r.get(3), r.get(4));
    }
    let mut sql = Sql::new();
    let (a, b) = (sql.param(SqlValue::Int(i64::from(from))), sql.param(SqlValue::Int(i64::from(to))));
    let cond = within.condition(&mut sql);
    sql.text = format!(
        "SELECT b.program_code, b.year, CAST(SUM(b.applications) AS BIGINT), \
         CAST(SUM(b.requested) AS DOUBLE PRECISION), CAST(SUM(b.granted) AS DOUBLE PRECISION), \
         CAST(SUM(b.rejected) AS DOUBLE PRECISION), CAST(SUM(b.refused) AS DOUBLE PRECISION), \
         CAST(SUM(b.pending) AS DOUBLE PRECISION), CAST(SUM(b.revoked) AS DOUBLE PRECISION), \
         CAST(SUM(b.cross_school) AS BIGINT) FROM credit_application_block b \
         JOIN rec_school k ON k.school_code = b.school_code AND k.is_current = 1 \
         WHERE b.year >= {a} AND b.year <= {b}{cond} GROUP BY b.program_code, b.year"
    );
    for r in fetch(&mut conn, sql).await? {
        let t = out.entry((r.get(0), r.get::<i64, _>(1) as i32)).or_default();
        let (graduates, holders, certificates) = (t.graduates, t.holders, t.certificates);
        *t = Tally { graduates, holders, certificates, ..applications_part(&r, 2) };
    }
    Ok(out)
}

/// Why applications of `year` in `within` were refused or rejected, most frequent first.
pub async fn reasons(
    db: &Db,
    within: &Within<'_>,
    year: i32,
) -> Result<Vec<(String, String, String, i64, f64)>, StoreError> {
    let mut sql = Sql::new();
    let y = sql.param(SqlValue::Int(i64::from(year)));
    let cond = within.condition(&mut sql);
    sql.text = format!(
        "SELECT b.reason, b.label_zh, b.label_en, CAST(SUM(b.applications) AS BIGINT), CAST(SUM(b.credits) AS DOUBLE PRECISION) \
         FROM credit_reason_block b JOIN rec_school k ON k.school_code = b.school_code AND k.is_current = 1 \
         WHERE b.year = {y}{cond} GROUP BY b.reason, b.label_zh, b.label_en"
    );
    let mut conn = db.pool.acquire().await?;
    let mut out: Vec<(String, String, String, i64, f64)> =
        fetch(&mut conn, sql).await?.iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4))).collect();
    out.sort_by(|a, b| b.3.cmp(&a.3).then_with(|| a.0.cmp(&b.0)).then_with(|| a.1.cmp(&b.1)));
    Ok(out)
}

/// The blocks as kept and as the records give them now: equal unless something was missed. For
/// `vetis figures check`.
pub async fn kept_and_fresh(db: &Db) -> Result<(Judged, Judged), StoreError> {
    let mut conn = db.pool.acquire().await?;
    let mut kept = Judged::default();
    let rows =
        sqlx::query("SELECT school_code, year, program_code, graduates, holders, certificates FROM credit_block")
            .fetch_all(&mut *conn)
            .await?;
    for r in rows {
        kept.graduates.insert((r.get(0), r.get(1), r.get(2)), (r.get(3), r.get(4), r.get(5)));
    }
    let rows =
        sqlx::query(AssertSqlSafe(format!("SELECT {} FROM credit_application_block", APPLICATION_COLUMNS.join(", "))))
            .fetch_all(&mut *conn)
            .await?;
    for r in rows {
        kept.applications.insert((r.get(0), r.get(1), r.get(2)), applications_part(&r, 3));
    }
    let rows = sqlx::query(
        "SELECT school_code, year, reason, label_zh, label_en, applications, credits FROM credit_reason_block",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in rows {
        kept.reasons
            .entry((r.get(0), r.get(1)))
            .or_default()
            .insert((r.get(2), r.get(3), r.get(4)), (r.get(5), r.get(6)));
    }
    let fresh = judge(&mut conn, None, Part::All).await?;
    Ok((kept, fresh))
}

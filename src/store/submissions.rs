//! Submissions and their versions: which rows count (`is_current`), and the moves between states.
//!
//!   submitted ──approve──▶ approved ──(a newer version is approved)──▶ superseded
//!       └──────return────▶ returned            ◀──────restore──────────────┘
//!
//! Only approved submissions' rows count. A school-and-year submission replaces the school's
//! rows of that year; a submission of a natural-key table replaces the rows with the same keys.

use sqlx::AnyConnection;
use sqlx::{AssertSqlSafe, Row};

use super::audit::{self, Entry};
use super::credit_blocks::Part;
use super::notifications::{self, Audience, Notice};
use super::records::{SubmissionAt, record_table, rows_of_submission};
use super::sql::Sql;
use super::{Db, StoreError, now};
use crate::domain::standard::{Keying, Table};
use crate::messages::Message;
use crate::messages::notice::{self, NoticeKind};

#[derive(Debug, Clone, serde::Serialize)]
pub struct Submission {
    pub id: i64,
    pub table: String,
    pub school_code: String,
    pub year: Option<i64>,
    pub file_name: String,
    pub file_hash: String,
    pub row_count: i64,
    pub status: String,
    pub warnings: String,
    pub submitted_by: String,
    pub submitted_at: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
    pub review_comment: Option<String>,
    pub replaces: Option<i64>,
}

const COLUMNS: &str = "id, table_name, school_code, year, file_name, file_hash, row_count, status, warnings, submitted_by, submitted_at, reviewed_by, reviewed_at, review_comment, replaces";

fn from_row(r: &sqlx::any::AnyRow) -> Submission {
    Submission {
        id: r.get(0),
        table: r.get(1),
        school_code: r.get(2),
        year: r.get(3),
        file_name: r.get(4),
        file_hash: r.get(5),
        row_count: r.get(6),
        status: r.get(7),
        warnings: r.get(8),
        submitted_by: r.get(9),
        submitted_at: r.get(10),
        reviewed_by: r.get(11),
        reviewed_at: r.get(12),
        review_comment: r.get(13),
        replaces: r.get(14),
    }
}

#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub table: Option<Table>,
    pub school: Option<String>,
    /// The schools of a district (a district officer's scope).
    pub district: Option<String>,
    pub year: Option<i64>,
    pub status: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

impl Filter {
    /// The WHERE clause and its values, in order.
    fn clause(&self) -> (String, Vec<String>, Option<i64>) {
        let mut sql = String::from(" WHERE 1 = 1");
        let mut texts = Vec::new();
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        for (value, column) in [
            (self.table.map(|t| t.key().to_string()), "table_name"),
            (self.school.clone(), "school_code"),
            (self.status.clone(), "status"),
        ] {
            if let Some(v) = value {
                sql.push_str(&format!(" AND {column} = {}", next()));
                texts.push(v);
            }
        }
        if let Some(d) = &self.district {
            sql.push_str(&format!(
                " AND school_code IN (SELECT school_code FROM rec_school WHERE is_current = 1 AND district_code = {})",
                next()
            ));
            texts.push(d.clone());
        }
        if self.year.is_some() {
            sql.push_str(&format!(" AND year = {}", next()));
        }
        (sql, texts, self.year)
    }
}

/// Submissions matching a filter, newest first, `limit` (100 when 0) from `offset`.
pub async fn list(db: &Db, f: &Filter) -> Result<Vec<Submission>, StoreError> {
    let (clause, texts, year) = f.clause();
    let at = texts.len() + usize::from(year.is_some());
    let sql = format!("SELECT {COLUMNS} FROM submission{clause} ORDER BY id DESC LIMIT ${} OFFSET ${}", at + 1, at + 2);
    let mut q = sqlx::query(AssertSqlSafe(sql));
    for t in texts {
        q = q.bind(t);
    }
    if let Some(y) = year {
        q = q.bind(y);
    }
    q = q.bind(if f.limit > 0 { f.limit } else { 100 }).bind(f.offset.max(0));
    Ok(q.fetch_all(&db.pool).await?.iter().map(from_row).collect())
}

/// How many submissions match a filter (its limit and offset aside).
pub async fn count(db: &Db, f: &Filter) -> Result<i64, StoreError> {
    let (clause, texts, year) = f.clause();
    let mut q = sqlx::query(AssertSqlSafe(format!("SELECT COUNT(*) FROM submission{clause}")));
    for t in texts {
        q = q.bind(t);
    }
    if let Some(y) = year {
        q = q.bind(y);
    }
    Ok(q.fetch_one(&db.pool).await?.get(0))
}

/// The latest year of an approved submission of `table`, if any. The submissions say it: a few
/// thousand rows, where the records' own MAX(year) reads the whole student index (1.2 s from a
/// cold disk on the demo city).
pub async fn latest_approved_year(db: &Db, table: Table) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query("SELECT MAX(year) FROM submission WHERE table_name = $1 AND status = 'approved'")
        .bind(table.key())
        .fetch_one(&db.pool)
        .await?
        .get(0))
}

/// The error for a submission id that names none.
fn no_submission(id: i64) -> StoreError {
    StoreError::not_found(format!("没有编号为 {id} 的提交 / there is no submission {id}"))
}

pub async fn get(db: &Db, id: i64) -> Result<Submission, StoreError> {
    let row = sqlx::query(AssertSqlSafe(format!("SELECT {COLUMNS} FROM submission WHERE id = $1")))
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
        .ok_or_else(|| no_submission(id))?;
    Ok(from_row(&row))
}

/// Makes a submission's rows the ones that count, and retires what they replace. Returns how many
/// rows stopped counting.
pub async fn activate(tx: &mut AnyConnection, table: Table, id: i64) -> Result<u64, StoreError> {
    activate_all(tx, table, &[id], Written::NotCounting).await
}

/// How a submission's rows were written: an approved import writes them counting already, so
/// making it count only retires what they replace; a submission approved later flips its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Counting,
    NotCounting,
}

/// Makes several submissions of one table count at once (a file's schools and years), then
/// recomputes the blocks of the schools they touch once: a file of 60 schools over six years
/// refreshes each school's rule blocks once, not six times. Returns how many rows stopped counting.
pub async fn activate_all(
    tx: &mut AnyConnection,
    table: Table,
    ids: &[i64],
    written: Written,
) -> Result<u64, StoreError> {
    if ids.is_empty() {
        return Ok(0);
    }
    // The schools whose counted rows change: the submissions', and any whose rows they retire (a
    // natural key need not hold the school). Their blocks follow in the same transaction.
    let rec = record_table(table);
    // Each submission's school and year, read once: the record tables are reached by them.
    let mut placed: Vec<Placed> = Vec::with_capacity(ids.len());
    for &id in ids {
        let r = sqlx::query("SELECT school_code, year FROM submission WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| no_submission(id))?;
        placed.push(Placed { id, school: r.get(0), year: r.get(1) });
    }
    let mut years: std::collections::BTreeMap<String, std::collections::BTreeSet<Option<i64>>> = Default::default();
    for p in &placed {
        years.entry(p.school.clone()).or_default().insert(p.year);
    }
    let mut schools: Vec<String> = years.keys().cloned().collect();
    if let Keying::Natural { key } = table.spec().keying {
        // Driven from the submission's own rows (by its index) to the current rows with their keys
        // (by the key's): a correlated EXISTS over every current row was quadratic in a large
        // table (certificates: minutes for the demo city).
        let same_key: Vec<String> = key.iter().map(|k| format!("o.{k} = n.{k}")).collect();
        for id in ids {
            let others = sqlx::query(AssertSqlSafe(format!(
                "SELECT DISTINCT o.school_code FROM {rec} n JOIN {rec} o ON {} \
                 WHERE n.submission_id = $1 AND o.is_current = 1 AND o.submission_id <> $1",
                same_key.join(" AND ")
            )))
            .bind(*id)
            .fetch_all(&mut *tx)
            .await?;
            schools.extend(others.iter().map(|r| r.get::<String, _>(0)));
        }
        schools.sort();
        schools.dedup();
    }
    // A teacher's practice counts wherever they teach: the schools sharing a person with these,
    // before the change and after it.
    let mut linked = super::rule_blocks::linked(tx, table, &schools).await?;
    let mut retired = 0;
    for p in &placed {
        retired += switch(tx, table, p.at(), written).await?;
    }
    // The plan is read once for both kinds of blocks; without a plan there is nothing to keep.
    let plan = super::refdata::active_plan_on(tx).await;
    if table == Table::Teacher {
        // The register's mark first: a dual-qualified figure counted from the register reads it.
        let settings = plan.as_ref().map(|p| p.dual_register.clone()).unwrap_or_default();
        // A statement per few hundred submissions, not one each: a nation's file makes 10,000. A
        // teacher submission always has its year; one without could mark nothing.
        let dated: Vec<SubmissionAt<'_>> = placed.iter().filter(|p| p.year.is_some()).map(Placed::at).collect();
        for some in dated.chunks(super::sql::SUBMISSIONS_PER_STATEMENT) {
            super::dual::marks::mark(tx, &settings, &super::dual::marks::Rows::Submissions(some)).await?;
        }
    }
    let Ok(plan) = plan else { return Ok(retired) };
    // One year of a school: that year's blocks; several: the school's blocks whole, once. The
    // schools of one year are counted together (a city's file: a few statements per formula).
    let mut by_year: std::collections::BTreeMap<Option<i64>, Vec<String>> = Default::default();
    for school in &schools {
        let year = match years.get(school) {
            Some(ys) if ys.len() == 1 => ys.iter().next().copied().flatten(),
            _ => None,
        };
        by_year.entry(year).or_default().push(school.clone());
    }
    for (year, group) in &by_year {
        super::blocks::refresh(tx, &plan, table, group, *year).await?;
    }
    linked.extend(super::rule_blocks::linked(tx, table, &schools).await?);
    linked.sort();
    linked.dedup();
    super::rule_blocks::refresh(tx, &plan, table, &linked).await?;
    match table {
        Table::Graduate => super::credit_blocks::refresh(tx, &schools, Part::All).await?,
        Table::Certificate => {
            let mut holders = Vec::new();
            for id in ids {
                holders.extend(super::credit_blocks::schools_of_submission(tx, *id).await?);
            }
            holders.sort();
            holders.dedup();
            super::credit_blocks::refresh(tx, &holders, Part::All).await?;
        }
        _ => {}
    }
    Ok(retired)
}

/// A submission as read for making it count: owns what `SubmissionAt` borrows.
struct Placed {
    id: i64,
    school: String,
    year: Option<i64>,
}

impl Placed {
    fn at(&self) -> SubmissionAt<'_> {
        SubmissionAt { id: self.id, school: &self.school, year: self.year }
    }
}

/// Retires the rows `at`'s rows replace and, for a submission written not counting, makes its own
/// rows count. Returns how many rows stopped counting.
async fn switch(
    tx: &mut AnyConnection,
    table: Table,
    at: SubmissionAt<'_>,
    written: Written,
) -> Result<u64, StoreError> {
    let rec = record_table(table);
    let retired = match table.spec().keying {
        Keying::SchoolYear { year_column } => {
            // The school's year's rows of its other submissions, named by submission: the key
            // (or the index by school and year) reaches them without reading the new rows, which
            // `submission_id <> $3` made every statement read (4.3 s for a city's million
            // students on PostgreSQL, a row fetched from the heap each).
            let retired = sqlx::query(AssertSqlSafe(format!(
                "UPDATE {rec} SET is_current = 0 WHERE school_code = $1 AND {year_column} = $2 AND is_current = 1 \
                 AND submission_id IN (SELECT id FROM submission WHERE table_name = $3 AND school_code = $1 AND year = $2 AND id <> $4)"
            )))
            .bind(at.school)
            .bind(at.year)
            .bind(table.key())
            .bind(at.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            sqlx::query(
                "UPDATE submission SET status = 'superseded' WHERE table_name = $1 AND school_code = $2 AND year = $3 AND status = 'approved' AND id <> $4",
            )
            .bind(table.key())
            .bind(at.school)
            .bind(at.year)
            .bind(at.id)
            .execute(&mut *tx)
            .await?;
            retired
        }
        Keying::Natural { key } => {
            // The rows to retire, found from the submission's rows by key, named by primary key.
            let same_key: Vec<String> = key.iter().map(|k| format!("o.{k} = n.{k}")).collect();
            sqlx::query(AssertSqlSafe(format!(
                "UPDATE {rec} SET is_current = 0 WHERE (school_code, submission_id, row_no) IN \
                 (SELECT o.school_code, o.submission_id, o.row_no FROM {rec} n JOIN {rec} o ON {} \
                 WHERE n.submission_id = $1 AND o.is_current = 1 AND o.submission_id <> $1)",
                same_key.join(" AND ")
            )))
            .bind(at.id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
        }
    };
    if written == Written::NotCounting {
        let mut sql = Sql::new();
        let these = rows_of_submission(&mut sql, table, "r", at);
        sql.text = format!("UPDATE {rec} AS r SET is_current = 1 WHERE {these} AND r.is_current = 0");
        sql.bound().execute(&mut *tx).await?;
    }
    Ok(retired)
}

/// Moves a submission between states, checking the move is allowed, with an audit entry. The
/// state, the lock and the rules an approval must keep are read inside the write transaction, so
/// two reviewers cannot together approve what each alone could not.
async fn transition(
    db: &Db,
    id: i64,
    from: &[&str],
    to: &str,
    actor: &str,
    source: &str,
    comment: Option<&str>,
) -> Result<Submission, StoreError> {
    let mut w = db.begin_write().await?;
    let row = sqlx::query(AssertSqlSafe(format!("SELECT {COLUMNS} FROM submission WHERE id = $1")))
        .bind(id)
        .fetch_optional(w.conn())
        .await?
        .ok_or_else(|| no_submission(id))?;
    let s = from_row(&row);
    if !from.contains(&s.status.as_str()) {
        return Err(StoreError::refused(format!("submission {id} is {}: it cannot become {to}", s.status)));
    }
    let table = Table::from_name(&s.table).ok_or_else(|| StoreError::Internal(format!("unknown table {}", s.table)))?;
    if to == "approved" {
        super::locks::ensure_unlocked_in(&mut w, s.year).await?;
        approval_conflicts(w.conn(), table, &s).await?;
    }
    let tx = w.conn();
    sqlx::query(
        "UPDATE submission SET status = $1, reviewed_by = $2, reviewed_at = $3, review_comment = $4 WHERE id = $5",
    )
    .bind(to.to_string())
    .bind(actor.to_string())
    .bind(now())
    .bind(comment.map(str::to_string))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if to == "approved" {
        activate(&mut *tx, table, id).await?;
    }
    let detail = format!("{} → {to}{}", s.status, comment.map(|c| format!(": {c}")).unwrap_or_default());
    let action = match to {
        "approved" if s.status == "superseded" => "submission_restore",
        "approved" => "submission_approve",
        _ => "submission_return",
    };
    audit::record(&mut *tx, &Entry { actor, action, object: &format!("submission {id}"), detail: &detail, source })
        .await?;
    if s.status == "submitted" {
        // The submitter hears of the decision; a restore tells no one (the bureau's own act).
        let text = notice::decided(to == "approved", id, (table.zh(), table.key(), s.year), actor, comment);
        let kind = if to == "approved" { NoticeKind::Approved } else { NoticeKind::Returned };
        let link = format!("/submissions/{id}");
        let n = Notice { kind, text, link: &link, dedup: format!("{}:{id}", kind.key()) };
        notifications::send(&mut *tx, &Audience::User(&s.submitted_by), &n).await?;
    }
    w.commit().await?;
    get(db, id).await
}

/// The rules across schools that approving a submission could break, checked against what counts
/// now: a person enrolled (在籍) at another school in the same year, or a student of a program the
/// school no longer offers that year. Refuses the approval naming the first rows.
async fn approval_conflicts(conn: &mut AnyConnection, table: Table, s: &Submission) -> Result<(), StoreError> {
    let at = SubmissionAt { id: s.id, school: &s.school_code, year: s.year };
    if table == Table::Student {
        let mut sql = Sql::new();
        let these = rows_of_submission(&mut sql, Table::Student, "n", at);
        sql.text = format!(
            "SELECT n.row_no, o.school_code FROM rec_student n JOIN rec_student o ON o.year = n.year AND o.id_pseudo = n.id_pseudo \
             WHERE {these} AND n.status = 'enrolled' AND o.is_current = 1 AND o.status = 'enrolled' \
             AND o.school_code <> n.school_code ORDER BY n.row_no LIMIT 20"
        );
        let rows = sql.bound().fetch_all(&mut *conn).await?;
        if !rows.is_empty() {
            let list: Vec<String> =
                rows.iter().map(|r| format!("{} → {}", r.get::<i64, _>(0), r.get::<String, _>(1))).collect();
            return Err(StoreError::Conflict(Message::new(
                format!(
                    "提交 {} 不能通过：以下行的学生在同一年已在其他学校在籍（行号 → 学校）：{}。请退回，由学校核实后重新报送。",
                    s.id,
                    list.join("，")
                ),
                format!(
                    "submission {} cannot be approved: these rows' students are already enrolled at another school in the same year (row → school): {}. Return it for the school to check.",
                    s.id,
                    list.join(", ")
                ),
            )));
        }
    }
    if matches!(table, Table::Student | Table::Graduate | Table::Cooperation) {
        let rec = super::records::record_table(table);
        let year_col = table.year_column().unwrap_or("year");
        let mut sql = Sql::new();
        let these = rows_of_submission(&mut sql, table, "n", at);
        sql.text = format!(
            "SELECT n.row_no, n.program_code FROM {rec} n WHERE {these} AND n.program_code IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM rec_offering o WHERE o.is_current = 1 AND o.school_code = n.school_code \
             AND o.year = n.{year_col} AND o.program_code = n.program_code) ORDER BY n.row_no LIMIT 20"
        );
        let rows = sql.bound().fetch_all(&mut *conn).await?;
        if !rows.is_empty() {
            let list: Vec<String> =
                rows.iter().map(|r| format!("{} ({})", r.get::<i64, _>(0), r.get::<String, _>(1))).collect();
            return Err(StoreError::Conflict(Message::new(
                format!(
                    "提交 {} 不能通过：以下行的专业在该年度未由本校开设：{}。请先通过该年度的专业设置（offering）。",
                    s.id,
                    list.join("，")
                ),
                format!(
                    "submission {} cannot be approved: the programs of these rows are not offered by the school that year: {}. Approve the year's offering first.",
                    s.id,
                    list.join(", ")
                ),
            )));
        }
    }
    Ok(())
}

pub async fn approve(db: &Db, id: i64, actor: &str, source: &str) -> Result<Submission, StoreError> {
    transition(db, id, &["submitted"], "approved", actor, source, None).await
}

pub async fn return_for_changes(
    db: &Db,
    id: i64,
    actor: &str,
    source: &str,
    comment: &str,
) -> Result<Submission, StoreError> {
    transition(db, id, &["submitted"], "returned", actor, source, Some(comment)).await
}

/// Brings a replaced version back: it counts again and replaces what replaced it.
pub async fn restore(db: &Db, id: i64, actor: &str, source: &str) -> Result<Submission, StoreError> {
    transition(db, id, &["superseded", "approved"], "approved", actor, source, Some("restored")).await
}

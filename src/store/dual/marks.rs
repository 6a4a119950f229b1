//! The register's mark on the teacher records: `rec_teacher.dual_recognised` is 1 where a
//! recognition of the person was in force on the row's statistical date (the plan's
//! `[dual_register] statistical_day`). The dual-qualified indicator counted from the register
//! reads it like any column, so its blocks stay sums of rows. Marked when rows become current, for
//! the people a register step touches, and whole on a rebuild; `Recognition::counts_on` is the
//! same rule in Rust (the tests hold the two together).

use sqlx::{AnyConnection, Row};

use crate::domain::dual::register::RegisterSettings;
use crate::domain::standard::Table;
use crate::store::records::{SqlValue, SubmissionAt, rows_of_submission};
use crate::store::sql::Sql;
use crate::store::write::WriteTx;
use crate::store::{StoreError, refdata};

/// The condition, over a teacher row `t`, that a recognition was in force on its statistical date.
fn in_force(settings: &RegisterSettings) -> Result<String, StoreError> {
    // Written into the SQL, not bound: a checked MM-DD of digits, so nothing else can get in.
    let day = settings
        .statistical_date(2021)
        .map(|d| d.format("-%m-%d").to_string())
        .ok_or_else(|| StoreError::Internal(format!("statistical_day {}", settings.statistical_day)))?;
    let d = format!("(CAST(t.year AS TEXT) || '{day}')");
    Ok(format!(
        "EXISTS (SELECT 1 FROM dual_recognition r WHERE r.id_pseudo = t.id_pseudo AND r.valid_from <= {d} \
         AND r.valid_until >= {d} AND (r.ended_on IS NULL OR r.ended_on > {d}) \
         AND NOT EXISTS (SELECT 1 FROM dual_suspension s WHERE s.recognition_id = r.id AND s.from_date <= {d} \
         AND (s.until_date IS NULL OR s.until_date > {d})))"
    ))
}

/// A teacher row's mark as the register gives it: 1 with a recognition in force, else 0.
fn mark_expr(settings: &RegisterSettings) -> Result<String, StoreError> {
    Ok(format!("CASE WHEN {} THEN 1 ELSE 0 END", in_force(settings)?))
}

/// Which rows to mark.
pub(crate) enum Rows<'a> {
    All,
    /// The rows of these submissions, each with its school and year: the table is reached by its
    /// key, having no index by submission (the caller keeps the list within a statement's
    /// parameters).
    Submissions(&'a [SubmissionAt<'a>]),
    Persons(&'a [String]),
}

fn scope(sql: &mut Sql, rows: &Rows<'_>) -> String {
    match rows {
        Rows::All => "1 = 1".into(),
        Rows::Submissions(subs) => {
            let each: Vec<String> =
                subs.iter().map(|at| format!("({})", rows_of_submission(sql, Table::Teacher, "t", *at))).collect();
            format!("({})", each.join(" OR "))
        }
        Rows::Persons(p) => format!("t.id_pseudo IN ({})", sql.in_list(p.iter().map(|s| SqlValue::text(s)).collect())),
    }
}

async fn run(conn: &mut AnyConnection, sql: Sql) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
    Ok(sql.bound().fetch_all(&mut *conn).await?)
}

/// Sets the mark on `rows`.
pub(crate) async fn mark(
    conn: &mut AnyConnection,
    settings: &RegisterSettings,
    rows: &Rows<'_>,
) -> Result<(), StoreError> {
    if matches!(rows, Rows::Persons(p) if p.is_empty()) || matches!(rows, Rows::Submissions(s) if s.is_empty()) {
        return Ok(());
    }
    let mut sql = Sql::new();
    let only = scope(&mut sql, rows);
    // Only the rows whose mark changes are written: a new file's teachers are mostly unmarked
    // and stay so, and rewriting each row (a new version in PostgreSQL, its indexes too) took
    // half a minute for the nation's 1.3 M.
    let mark = mark_expr(settings)?;
    sql.text =
        format!("UPDATE rec_teacher AS t SET dual_recognised = {mark} WHERE {only} AND t.dual_recognised <> {mark}");
    run(conn, sql).await?;
    Ok(())
}

/// The years of current rows among `rows` whose mark the register would change.
async fn changed_years(
    conn: &mut AnyConnection,
    settings: &RegisterSettings,
    rows: &Rows<'_>,
) -> Result<Vec<i64>, StoreError> {
    let mut sql = Sql::new();
    let only = scope(&mut sql, rows);
    sql.text = format!(
        "SELECT DISTINCT t.year FROM rec_teacher t WHERE t.is_current = 1 AND {only} \
         AND t.dual_recognised <> {}",
        mark_expr(settings)?
    );
    Ok(run(conn, sql).await?.iter().map(|r| r.get::<i64, _>(0)).collect())
}

/// How many years have current teacher rows whose mark differs from the register (0 when all is
/// well; `vetis figures check`).
pub async fn stale(db: &crate::store::Db) -> Result<i64, StoreError> {
    let mut conn = db.pool.acquire().await?;
    let settings = refdata::active_plan_on(&mut conn).await.map(|p| p.dual_register).unwrap_or_default();
    Ok(changed_years(&mut conn, &settings, &Rows::All).await?.len() as i64)
}

/// After a register step for `persons`: refuses it if it would change a locked year, marks their
/// rows, and refreshes the teacher blocks of every school they are current teachers at.
pub(crate) async fn follow(w: &mut WriteTx<'_>, persons: &[String]) -> Result<(), StoreError> {
    if persons.is_empty() {
        return Ok(());
    }
    let plan = refdata::active_plan_on(w.conn()).await.ok();
    let settings = plan.as_ref().map(|p| p.dual_register.clone()).unwrap_or_default();
    let rows = Rows::Persons(persons);
    for year in changed_years(w.conn(), &settings, &rows).await? {
        crate::store::locks::ensure_unlocked_in(w, Some(year)).await?;
    }
    let conn = w.conn();
    mark(conn, &settings, &rows).await?;
    let Some(plan) = plan else { return Ok(()) };
    let mut sql = Sql::new();
    let only = scope(&mut sql, &rows);
    sql.text = format!("SELECT DISTINCT t.school_code FROM rec_teacher t WHERE t.is_current = 1 AND {only} ORDER BY 1");
    let schools: Vec<String> = run(conn, sql).await?.iter().map(|r| r.get(0)).collect();
    crate::store::blocks::refresh(conn, &plan, Table::Teacher, &schools, None).await
}

/// A claim the register does not back: a current teacher row of the year marked dual-qualified
/// by its school without a recognition in force on the statistical date.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Unbacked {
    pub school_code: String,
    pub teacher_no: String,
    pub name_masked: String,
    pub category: String,
    pub is_specialty: bool,
}

/// The claims of `year` (at one school, or all) that the register does not back.
pub async fn unbacked(db: &crate::store::Db, year: i32, school: Option<&str>) -> Result<Vec<Unbacked>, StoreError> {
    let rows = sqlx::query(
        "SELECT school_code, teacher_no, name_masked, category, is_specialty FROM rec_teacher \
         WHERE is_current = 1 AND year = $1 AND dual_qualified = 1 AND dual_recognised = 0 AND ($2 = '' OR school_code = $3) \
         ORDER BY school_code, teacher_no",
    )
    .bind(i64::from(year))
    .bind(school.unwrap_or("").to_string())
    .bind(school.unwrap_or("").to_string())
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Unbacked {
            school_code: r.get(0),
            teacher_no: r.get(1),
            name_masked: r.get(2),
            category: r.get(3),
            is_specialty: r.get::<i64, _>(4) == 1,
        })
        .collect())
}

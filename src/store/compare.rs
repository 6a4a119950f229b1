//! What a submission holds in sum (its rows and the total of each numeric column), to compare it
//! with the version it replaces and with the school's return of the year before.

use sqlx::Row;

use super::records::{SubmissionAt, record_table, rows_of_submission};
use super::sql::Sql;
use super::{Db, StoreError};
use crate::domain::standard::{Kind, Table};

/// A submission's rows and the sum of each numeric column (key, Chinese label, sum).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Totals {
    pub submission: i64,
    pub rows: i64,
    pub sums: Vec<(&'static str, &'static str, f64)>,
}

/// The numeric columns of a table (counts and amounts), in the standard's order.
fn numeric(table: Table) -> Vec<(&'static str, &'static str)> {
    table
        .spec()
        .columns
        .iter()
        .filter(|c| matches!(c.kind, Kind::Count | Kind::Number { .. }))
        .map(|c| (c.key, c.zh))
        .collect()
}

/// The totals of one submission's rows.
pub async fn totals(db: &Db, table: Table, at: SubmissionAt<'_>) -> Result<Totals, StoreError> {
    let cols = numeric(table);
    let mut select = vec!["COUNT(*)".to_string()];
    // Sums as floating point on both backends (SUM of an integer column is NUMERIC on PostgreSQL).
    select.extend(cols.iter().map(|(k, _)| format!("CAST(COALESCE(SUM({k}), 0) AS DOUBLE PRECISION)")));
    let mut sql = Sql::new();
    let rows = rows_of_submission(&mut sql, table, "t", at);
    sql.text = format!("SELECT {} FROM {} t WHERE {rows}", select.join(", "), record_table(table));
    let row = sql.bound().fetch_one(&db.pool).await?;
    let sums = cols.iter().enumerate().map(|(i, (k, zh))| (*k, *zh, row.get::<f64, _>(i + 1))).collect();
    Ok(Totals { submission: at.id, rows: row.get(0), sums })
}

/// The approved submission of a school's table for a year, if there is one.
pub async fn approved_of(db: &Db, table: Table, school: &str, year: i64) -> Result<Option<i64>, StoreError> {
    Ok(sqlx::query(
        "SELECT id FROM submission WHERE table_name = $1 AND school_code = $2 AND year = $3 AND status = 'approved'",
    )
    .bind(table.key())
    .bind(school.to_string())
    .bind(year)
    .fetch_optional(&db.pool)
    .await?
    .map(|r| r.get(0)))
}

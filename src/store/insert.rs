//! Inserting rows: typed values (NULLs typed too) bound to multi-row statements.

use sqlx::AnyConnection;
use sqlx::any::AnyArguments;
use sqlx::{Any, AssertSqlSafe};

use super::write::WriteTx;
use super::{Backend, StoreError};
use crate::domain::record::Value;
use crate::domain::standard::Column;

/// A value bound to a statement, typed so that NULLs have a type PostgreSQL accepts.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlValue {
    NullInt,
    NullReal,
    NullText,
    Int(i64),
    Real(f64),
    Text(String),
}

impl SqlValue {
    pub fn text(s: &str) -> SqlValue {
        SqlValue::Text(s.to_string())
    }
    pub fn opt_text(s: &str) -> SqlValue {
        if s.is_empty() { SqlValue::NullText } else { SqlValue::text(s) }
    }
    pub(crate) fn from_value(v: &Value, c: &Column) -> SqlValue {
        match v {
            Value::Null if c.kind.is_integer() => SqlValue::NullInt,
            Value::Null if c.kind.is_real() => SqlValue::NullReal,
            Value::Null => SqlValue::NullText,
            Value::Int(i) => SqlValue::Int(*i),
            Value::Real(r) => SqlValue::Real(*r),
            Value::Text(s) => SqlValue::Text(s.clone()),
        }
    }
}

pub type Query<'q> = sqlx::query::Query<'q, Any, AnyArguments>;

pub fn bind(q: Query<'_>, v: SqlValue) -> Query<'_> {
    match v {
        SqlValue::NullInt => q.bind(None::<i64>),
        // sqlx 0.9's Any driver swaps the two float kinds when it hands a NULL to PostgreSQL
        // (`Null(Double)` becomes `Option::<f32>::None`): a NULL f64 would prepare the statement's
        // parameter as float4, and the next execution's real f64 is then refused ("incorrect
        // binary data format"). A NULL f32 arrives as a float8 NULL, which is the column's type.
        SqlValue::NullReal => q.bind(None::<f32>),
        SqlValue::NullText => q.bind(None::<String>),
        SqlValue::Int(i) => q.bind(i),
        SqlValue::Real(r) => q.bind(r),
        SqlValue::Text(s) => q.bind(s),
    }
}

/// Parameters per multi-row INSERT, under both backends' limits (SQLite 32,766, PostgreSQL 65,535).
/// SQLite gets positional `?` placeholders here: with `$N` ones sqlx looks every parameter's name
/// up (`sqlite3_bind_parameter_name`, linear in the statement), which made 15,000-parameter
/// statements ten times slower than small ones (benches/import.rs, 100,000 rows: 57 s vs 5.3 s).
fn params_per_statement(backend: Backend) -> usize {
    match backend {
        Backend::Sqlite => 30_000,
        Backend::Postgres => 15_000,
    }
}

/// Inserts rows with multi-row VALUES statements. `table` and `columns` are the program's own names.
pub async fn insert_batch(
    tx: &mut AnyConnection,
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<SqlValue>>,
) -> Result<(), StoreError> {
    insert_with(tx, backend, "INSERT", table, columns, rows).await
}

/// Inserts rows inside a write transaction, which rolls back whole on any error.
///
/// On SQLite the statements are `INSERT OR FAIL`: a multi-row `INSERT` (conflict `ABORT`) keeps a
/// statement journal so that a failing statement can undo its own earlier rows, and for 1,250 rows
/// a statement that journal outgrows memory and is written to a temporary file. `FAIL` keeps no
/// such journal; the rows a failing statement leaves go with the transaction, which the error rolls
/// back. A million students: 15.7 s of inserting became 11.5 s (benches/scale.sh). PostgreSQL
/// keeps no such journal; sending it each statement's rows as one JSON document instead of bound
/// parameters was tried and took a second longer for the million.
pub async fn insert_in_write(
    w: &mut WriteTx<'_>,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<SqlValue>>,
) -> Result<(), StoreError> {
    let backend = super::dialect::backend_of(w.conn());
    let verb = match backend {
        Backend::Sqlite => "INSERT OR FAIL",
        Backend::Postgres => "INSERT",
    };
    insert_with(w.conn(), backend, verb, table, columns, rows).await
}

async fn insert_with(
    tx: &mut AnyConnection,
    backend: Backend,
    verb: &str,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<SqlValue>>,
) -> Result<(), StoreError> {
    let per = (params_per_statement(backend) / columns.len()).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<SqlValue>> = rows.by_ref().take(per).collect();
        let mut sql = format!("{verb} INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for j in 0..columns.len() {
                n += 1;
                if j > 0 {
                    sql.push_str(", ");
                }
                match backend {
                    Backend::Sqlite => sql.push('?'),
                    Backend::Postgres => sql.push_str(&format!("${n}")),
                }
            }
            sql.push(')');
        }
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for v in chunk.into_iter().flatten() {
            q = bind(q, v);
        }
        q.execute(&mut *tx).await?;
    }
    Ok(())
}

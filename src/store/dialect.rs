//! The few places where SQLite and PostgreSQL need different SQL. Everything else is portable.

use sqlx::AnyConnection;

use super::sql::Sql;
use super::{Backend, Db, StoreError};
use crate::domain::standard::Table;

/// How to name a record table in a query that reads most of it (a city's or a district's figures).
/// SQLite's planner, without statistics, walks an index and then fetches every row at random,
/// which on 1,000,000 students took 2.8 s against 0.64 s for a plain scan; PostgreSQL plans well.
pub fn scan_table(backend: Backend, table: &str, alias: &str) -> String {
    match backend {
        Backend::Sqlite => format!("{table} {alias} NOT INDEXED"),
        Backend::Postgres => format!("{table} {alias}"),
    }
}

/// Rows written at once past which a record table's planner statistics are refreshed.
pub const ANALYZE_AFTER_ROWS: i64 = 10_000;

/// Refreshes PostgreSQL's statistics of a record table after a large write. Autovacuum does it
/// too, but later: until then a table filled by one import is planned as if empty, and a school's
/// page of 50 rows sorted its 3,000 rows (3 ms instead of 0.07 ms, measured on the province).
/// SQLite's planner keeps to the key without statistics.
pub async fn refresh_statistics(db: &Db, table: Table) -> Result<(), StoreError> {
    if db.backend == Backend::Postgres {
        let name = super::records::record_table(table);
        sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {name}"))).execute(&db.pool).await?;
    }
    Ok(())
}

/// The backend a connection talks to.
pub fn backend_of(conn: &AnyConnection) -> Backend {
    if conn.backend_name().eq_ignore_ascii_case("sqlite") { Backend::Sqlite } else { Backend::Postgres }
}

/// Writes the rows `select` computes over most of a record table with the INSERT `insert` makes:
/// it is given what to read the rows from, as a table, and adds its own parameters to the `Sql`
/// it is given. PostgreSQL 15 runs an `INSERT … SELECT` on one core, however large the scan, but
/// may run the SELECT of a `CREATE TABLE … AS` in parallel: there the rows (blocks: few, from
/// millions of records) are first computed into a temporary table. SQLite runs one
/// `INSERT … SELECT`.
pub async fn insert_selected(
    conn: &mut AnyConnection,
    select: Sql,
    insert: impl FnOnce(&str, &mut Sql) -> String,
) -> Result<(), StoreError> {
    match backend_of(conn) {
        Backend::Sqlite => insert_inline(conn, select, insert).await?,
        Backend::Postgres => {
            let Sql { text, params } = select;
            Sql { text: format!("CREATE TEMPORARY TABLE selected_rows AS {text}"), params }
                .bound()
                .execute(&mut *conn)
                .await?;
            let mut sql = Sql::new();
            sql.text = insert("selected_rows", &mut sql);
            sql.bound().execute(&mut *conn).await?;
            sqlx::query("DROP TABLE selected_rows").execute(&mut *conn).await?;
        }
    }
    Ok(())
}

/// One `INSERT … SELECT`: `select` as a subquery of what `insert` makes (see `insert_selected`).
pub async fn insert_inline(
    conn: &mut AnyConnection,
    select: Sql,
    insert: impl FnOnce(&str, &mut Sql) -> String,
) -> Result<(), StoreError> {
    let Sql { text, params } = select;
    let mut sql = Sql { text: String::new(), params };
    sql.text = insert(&format!("({text})"), &mut sql);
    sql.bound().execute(&mut *conn).await?;
    Ok(())
}

/// Empties a block table that a full rebuild fills again, in the caller's transaction. On
/// PostgreSQL a `TRUNCATE`: a `DELETE` of the nation's 2.1 M rule items took 4.8 s, writing a
/// dead version of each row that the rebuild's own inserts then had to step over. It takes the
/// table's lock until the rebuild commits, so a reader of a figure not in the server's cache
/// waits for the rebuild instead of reading the old blocks. SQLite empties a table on a `DELETE`
/// without a condition by itself.
pub async fn empty_table(conn: &mut AnyConnection, table: &'static str) -> Result<(), StoreError> {
    let verb = match backend_of(conn) {
        Backend::Sqlite => "DELETE FROM",
        Backend::Postgres => "TRUNCATE",
    };
    sqlx::query(sqlx::AssertSqlSafe(format!("{verb} {table}"))).execute(&mut *conn).await?;
    Ok(())
}

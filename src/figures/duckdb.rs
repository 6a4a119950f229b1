//! The plan's key indicators as a DuckDB script over the data standard's CSV files: the very SQL
//! the figures are checked against (`store::record_sums::records_sql`, parameters written in),
//! over views that read each file as VETIS stores it (code-list labels as keys, 是/否 as 1/0). The benchmark
//! (`benches/scale.sh`) runs it beside VETIS: DuckDB scans the files on every figure, VETIS sums
//! its blocks; and it checks that both give the same figures.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use super::query::Scope;
use crate::domain::plan::{Measure, Plan};
use crate::domain::standard::{Kind, Table};
use crate::store::record_sums::records_sql;
use crate::store::records::SqlValue;
use crate::store::{Backend, StoreError};

/// The script: views over the files, then one query per indicator and scope.
#[derive(Debug, Serialize)]
pub struct Script {
    /// `CREATE VIEW …` statements, one per table the formulas read.
    pub views: Vec<String>,
    pub queries: Vec<Query>,
}

/// One indicator's query in one scope, with what turns its rows into the figure.
#[derive(Debug, Serialize)]
pub struct Query {
    pub indicator: String,
    pub scope: Scope,
    pub measure: Measure,
    pub divisor: f64,
    pub cumulative: bool,
    pub sql: String,
}

/// A SQL string literal.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// A column name as DuckDB quotes it.
fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The statement with its `$n` parameters written in as literals (highest first: `$1` is a prefix
/// of `$10`).
fn inline(text: &str, params: &[SqlValue]) -> String {
    let mut out = text.to_string();
    for (i, p) in params.iter().enumerate().rev() {
        let v = match p {
            SqlValue::NullInt | SqlValue::NullReal | SqlValue::NullText => "NULL".to_string(),
            SqlValue::Int(n) => n.to_string(),
            SqlValue::Real(x) => format!("{x:?}"),
            SqlValue::Text(s) => literal(s),
        };
        out = out.replace(&format!("${}", i + 1), &v);
    }
    out
}

/// The file's header cells (a byte-order mark dropped), or a refusal naming the file.
fn header(path: &Path) -> Result<Vec<String>, StoreError> {
    use std::io::BufRead;
    let file = std::fs::File::open(path)
        .map_err(|e| StoreError::refused(format!("{}：无法读取 / cannot be read: {e}", path.display())))?;
    let mut line = String::new();
    std::io::BufReader::new(file)
        .read_line(&mut line)
        .map_err(|e| StoreError::refused(format!("{}：无法读取 / cannot be read: {e}", path.display())))?;
    Ok(line
        .trim_start_matches('\u{feff}')
        .trim_end()
        .split(',')
        .map(|c| c.trim().trim_matches('"').to_string())
        .collect())
}

/// A view named as the record table that reads `{table}.csv` in `dir` as VETIS stores it; with no
/// such file (a table nobody submitted), an empty one: its figures are empty, as in VETIS.
fn view(plan: &Plan, table: Table, dir: &Path) -> Result<String, StoreError> {
    let path = dir.join(format!("{}.csv", table.key()));
    if table != Table::School && !path.exists() {
        let cols: Vec<String> = table
            .spec()
            .columns
            .iter()
            .map(|c| {
                let ty = if c.kind.is_integer() {
                    "BIGINT"
                } else if c.kind.is_real() {
                    "DOUBLE"
                } else {
                    "VARCHAR"
                };
                format!("CAST(NULL AS {ty}) AS {}", c.key)
            })
            .collect();
        return Ok(format!(
            "CREATE VIEW {} AS SELECT 1 AS is_current, {} WHERE false",
            crate::store::records::record_table(table),
            cols.join(", ")
        ));
    }
    let cells = header(&path)?;
    let mut cols = vec!["1 AS is_current".to_string()];
    for c in table.spec().columns {
        // A file may head a column with its key or its Chinese name, as an import accepts.
        let Some(h) = cells.iter().find(|h| *h == c.key || *h == c.zh) else { continue };
        let v = ident(h);
        let expr = match c.kind {
            Kind::Choice(list) => {
                let whens: Vec<String> =
                    list.iter().map(|x| format!("WHEN {} THEN {}", literal(x.zh), literal(x.key))).collect();
                format!("CASE {v} {} ELSE {v} END", whens.join(" "))
            }
            Kind::DesignationKind => {
                let whens: Vec<String> = plan
                    .designation_kinds
                    .iter()
                    .map(|k| format!("WHEN {} THEN {}", literal(&k.name_zh), literal(&k.key)))
                    .collect();
                if whens.is_empty() { v.clone() } else { format!("CASE {v} {} ELSE {v} END", whens.join(" ")) }
            }
            Kind::Bool => format!(
                "CASE WHEN lower(trim({v})) IN ('是', 'true', '1', 'yes', 'y') THEN 1 \
                 WHEN lower(trim({v})) IN ('否', 'false', '0', 'no', 'n') THEN 0 END"
            ),
            Kind::Count | Kind::Year => format!("TRY_CAST({v} AS BIGINT)"),
            Kind::Number { .. } => format!("TRY_CAST({v} AS DOUBLE)"),
            _ => v.clone(),
        };
        cols.push(format!("{expr} AS {}", c.key));
    }
    Ok(format!(
        "CREATE VIEW {} AS SELECT {} FROM read_csv({}, header = true, all_varchar = true)",
        crate::store::records::record_table(table),
        cols.join(", "),
        literal(&path.to_string_lossy())
    ))
}

/// The script for the plan's key indicators in each scope, over the CSV files in `dir`.
pub fn script(plan: &Plan, dir: &Path, scopes: &[Scope]) -> Result<Script, StoreError> {
    let mut tables: BTreeSet<Table> = BTreeSet::from([Table::School]);
    let mut queries = Vec::new();
    for ind in &plan.indicators {
        let f = &ind.formula;
        let table =
            Table::from_name(&f.table).ok_or_else(|| StoreError::Internal(format!("unknown table {}", f.table)))?;
        tables.insert(table);
        for scope in scopes {
            // The PostgreSQL text is portable to DuckDB (SQLite's would carry NOT INDEXED).
            let sql = records_sql(Backend::Postgres, f, scope.area(), None)?;
            queries.push(Query {
                indicator: ind.id.clone(),
                scope: scope.clone(),
                measure: f.measure,
                divisor: f.divisor,
                cumulative: f.cumulative,
                sql: inline(&sql.text, &sql.params),
            });
        }
    }
    let views = tables.into_iter().map(|t| view(plan, t, dir)).collect::<Result<_, _>>()?;
    Ok(Script { views, queries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_written_in_highest_first_and_quotes_are_doubled() {
        let params: Vec<SqlValue> = (1..=10).map(SqlValue::Int).chain([SqlValue::text("o'k")]).collect();
        assert_eq!(inline("$1 $10 $11", &params), "1 10 'o''k'");
    }
}

//! The current rows of a record table in the data standard's columns, as cells: what an export
//! writes and what a drill-down shows behind a numerator or denominator. Personal data is masked
//! unless the caller unmasks it (and audits that).

use std::collections::HashMap;

use futures_util::TryStreamExt;
use sqlx::{AssertSqlSafe, Row};

use super::records::{SqlValue, bind, record_table};
use super::sql::{Sql, condition};
use super::{Db, StoreError, refdata};
use crate::domain::plan::Filter;
use crate::domain::standard::{Kind, Table};

/// Which rows to read.
#[derive(Debug, Clone)]
pub struct RowRequest {
    pub table: Table,
    pub year: Option<i64>,
    pub school: Option<String>,
    pub unmask: bool,
    /// One page of rows (the web's drill-down); None for all rows.
    pub page: Option<Page>,
    /// Only the rows behind a figure (the drill-down's numerator or denominator).
    pub rows_of: Option<RowFilter>,
    /// The language of the code lists' labels (男 / male); exports keep Chinese, as schools file.
    pub lang: crate::messages::Lang,
    /// Only rows where some column holds these words (see [`search_condition`]).
    pub search: Option<String>,
    /// The order of the rows; None for the file's own (school, year, row).
    pub order: Option<Order>,
}

/// A page of rows: at most `limit` of them, from an offset (a jump to a page number) or after
/// the key of the row before (keyset paging: the thousandth page is read as fast as the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub limit: i64,
    pub from: PageFrom,
}

/// Where a page starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageFrom {
    Offset(i64),
    /// After this row in the file's own order; ignored under a chosen [`Order`].
    After(RowKey),
}

/// Where a row stands in the file's own order: the record tables' key (school, year, submission,
/// row), so a page after it is one range of that key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowKey {
    pub school: String,
    pub year: Option<i64>,
    pub submission: i64,
    pub row: i64,
}

impl RowKey {
    /// The key as one URL-safe word: `school.year.submission.row` (`-` for no year).
    pub fn cursor(&self) -> String {
        let year = self.year.map_or("-".to_string(), |y| y.to_string());
        format!("{}.{year}.{}.{}", self.school, self.submission, self.row)
    }

    /// A cursor back to its key; None for anything [`RowKey::cursor`] did not write.
    pub fn parse(cursor: &str) -> Option<RowKey> {
        let mut parts = cursor.split('.');
        let school = parts.next().filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric()))?;
        let year = match parts.next()? {
            "-" => None,
            y => Some(y.parse().ok()?),
        };
        let submission = parts.next()?.parse().ok()?;
        let row = parts.next()?.parse().ok()?;
        parts.next().is_none().then(|| RowKey { school: school.to_string(), year, submission, row })
    }
}

/// Rows ordered by one column of the standard; empty cells come last either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    pub column: &'static str,
    pub descending: bool,
}

impl Order {
    /// The order by `key`, if rows can be sorted by that column: a column of the table that is not
    /// personal data (masked cells would sort by their mask, which says nothing).
    pub fn by(table: Table, key: &str, descending: bool) -> Option<Order> {
        let spec = table.spec();
        let c = spec.columns.iter().find(|c| c.key == key)?;
        let masked = c.key == "id_number" || (c.key == "name" && spec.personal);
        (!masked).then_some(Order { column: c.key, descending })
    }
}

/// The longest search accepted: longer text is cut, not refused (it cannot match more).
const SEARCH_CHARS: usize = 100;

/// The rows an indicator's formula counts: its filter, and for a numerator one of its conditions.
#[derive(Debug, Clone, Default)]
pub struct RowFilter {
    pub all: Filter,
    pub any_of: Vec<Filter>,
    /// Cumulative formulas (designations) count every year up to the one asked for.
    pub up_to_year: bool,
    pub year_column: Option<String>,
}

/// A cell of an exported row: numbers stay numbers in XLSX.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl Cell {
    /// The cell as CSV text; text a spreadsheet would execute is escaped when `escape`.
    pub fn csv(&self, escape: bool) -> String {
        match self {
            Cell::Text(s) if escape && s.starts_with(['=', '+', '-', '@']) => format!("'{s}"),
            Cell::Text(s) => s.clone(),
            Cell::Number(n) => format!("{n}"),
            Cell::Empty => String::new(),
        }
    }
}

/// The columns read from the record table for an export, in the standard's order.
fn select_list(table: Table, unmask: bool) -> Vec<&'static str> {
    let spec = table.spec();
    spec.columns
        .iter()
        .map(|c| match c.key {
            "id_number" => {
                if unmask {
                    "id_enc"
                } else {
                    "id_masked"
                }
            }
            "name" if spec.personal => {
                if unmask {
                    "name_enc"
                } else {
                    "name_masked"
                }
            }
            k => k,
        })
        .collect()
}

/// The rows a request reads, as a WHERE condition (parameters added to `sql`).
async fn conditions(db: &Db, req: &RowRequest, sql: &mut Sql) -> Result<String, StoreError> {
    let table = req.table;
    let mut text = String::from("t.is_current = 1");
    let year_col = match &req.rows_of {
        Some(RowFilter { year_column: Some(c), .. }) => Some(c.as_str()),
        _ => table.year_column(),
    };
    if let Some(y) = req.year {
        let yc = year_col.ok_or_else(|| {
            StoreError::refused(format!("table {} has no statistical year: leave out --year", table.key()))
        })?;
        let op = if req.rows_of.as_ref().is_some_and(|r| r.up_to_year) { "<=" } else { "=" };
        text.push_str(&format!(" AND t.{yc} {op} {}", sql.param(SqlValue::Int(y))));
    }
    if let Some(s) = &req.school {
        text.push_str(&format!(" AND t.school_code = {}", sql.param(SqlValue::text(s))));
    }
    if let Some(r) = &req.rows_of {
        text.push_str(&format!(" AND {}", condition(sql, &r.all)));
        if !r.any_of.is_empty() {
            let alts: Vec<String> = r.any_of.iter().map(|f| format!("({})", condition(sql, f))).collect();
            text.push_str(&format!(" AND ({})", alts.join(" OR ")));
        }
    }
    if let Some(words) = req.search.as_deref().map(str::trim).filter(|w| !w.is_empty()) {
        let words: String = words.chars().take(SEARCH_CHARS).collect();
        let programs = if req.table.column("program_code").is_some() {
            super::registry::all_programs(db).await?
        } else {
            Vec::new()
        };
        text.push_str(&format!(" AND ({})", search_condition(db, req.table, &words, &programs, sql)));
    }
    Ok(text)
}

/// Rows where any column holds `words`: text and codes containing them (any case); a code list's
/// value whose label contains them ("男" finds `male`); a program whose name contains them; a count
/// or year equal to them; and a full ID number, found through its pseudonym, since ID numbers and
/// names are kept only encrypted and cannot be searched in part.
fn search_condition(
    db: &Db,
    table: Table,
    words: &str,
    programs: &[(String, String, String)],
    sql: &mut Sql,
) -> String {
    let spec = table.spec();
    let lower = words.to_lowercase();
    let escaped = lower.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    let like = sql.param(SqlValue::text(&format!("%{escaped}%")));
    let mut alts: Vec<String> = Vec::new();
    let any_in = |sql: &mut Sql, col: &str, values: Vec<String>| -> Option<String> {
        if values.is_empty() {
            return None;
        }
        let ps: Vec<String> = values.into_iter().map(|v| sql.param(SqlValue::text(&v))).collect();
        Some(format!("t.{col} IN ({})", ps.join(", ")))
    };
    for c in spec.columns {
        match c.kind {
            Kind::IdNumber => {
                let id = crate::domain::ids::normalise_code(words).to_uppercase();
                if id.len() >= 6 && id.chars().all(|ch| ch.is_ascii_alphanumeric()) {
                    let pseudonyms =
                        crate::domain::standard::ID_TYPES.iter().map(|t| db.keys.pseudonym(t.key, &id)).collect();
                    alts.extend(any_in(sql, "id_pseudo", pseudonyms));
                }
            }
            _ if c.key == "name" && spec.personal => {}
            Kind::Choice(list) => {
                let keys = list
                    .iter()
                    .filter(|x| x.zh.contains(words) || x.en().contains(&lower) || x.key == lower)
                    .map(|x| x.key.to_string())
                    .collect();
                alts.extend(any_in(sql, c.key, keys));
            }
            Kind::Bool | Kind::Number { .. } => {}
            Kind::Year | Kind::Count => {
                if let Ok(n) = words.parse::<i64>() {
                    alts.push(format!("t.{} = {}", c.key, sql.param(SqlValue::Int(n))));
                }
            }
            Kind::Program => {
                alts.push(format!("LOWER(t.{}) LIKE {like} ESCAPE '\\'", c.key));
                let mut codes: Vec<String> = programs
                    .iter()
                    .filter(|(_, _, name)| name.contains(words))
                    .map(|(_, code, _)| code.clone())
                    .collect();
                codes.sort();
                codes.dedup();
                codes.truncate(500);
                alts.extend(any_in(sql, c.key, codes));
            }
            _ => alts.push(format!("LOWER(t.{}) LIKE {like} ESCAPE '\\'", c.key)),
        }
    }
    if alts.is_empty() { "1 = 0".into() } else { alts.join(" OR ") }
}

/// How many rows a request reads in all (its page left aside): the drill-down's total.
pub async fn count_rows(db: &Db, req: &RowRequest) -> Result<i64, StoreError> {
    let mut sql = Sql { text: String::new(), params: Vec::new() };
    let text =
        format!("SELECT COUNT(*) FROM {} t WHERE {}", record_table(req.table), conditions(db, req, &mut sql).await?);
    let mut q = sqlx::query(AssertSqlSafe(text));
    for p in sql.params {
        q = bind(q, p);
    }
    Ok(q.fetch_one(&db.pool).await?.get::<i64, _>(0))
}

/// Reads the current rows of a table as export cells, one row at a time.
pub async fn for_each_row(
    db: &Db,
    req: &RowRequest,
    mut f: impl FnMut(Vec<Cell>) -> Result<(), StoreError>,
) -> Result<usize, StoreError> {
    walk(db, req, |cells, _| f(cells)).await
}

/// A page of rows, and the key of its last row when the page is full (where the next one starts).
pub async fn page_of_rows(db: &Db, req: &RowRequest) -> Result<(Vec<Vec<Cell>>, Option<RowKey>), StoreError> {
    let mut rows = Vec::new();
    let mut last = None;
    walk(db, req, |cells, key| {
        rows.push(cells);
        last = Some(key);
        Ok(())
    })
    .await?;
    let full = req.page.as_ref().is_some_and(|p| rows.len() as i64 >= p.limit.clamp(1, 1000));
    Ok((rows, last.filter(|_| full)))
}

/// Every row of a request with its key, in order.
async fn walk(
    db: &Db,
    req: &RowRequest,
    mut f: impl FnMut(Vec<Cell>, RowKey) -> Result<(), StoreError>,
) -> Result<usize, StoreError> {
    let table = req.table;
    let spec = table.spec();
    let cols = select_list(table, req.unmask);
    let year_col = table.year_column();
    let mut sql = Sql { text: String::new(), params: Vec::new() };
    let mut text = format!(
        "SELECT {}, t.school_code, {}, t.submission_id, t.row_no FROM {} t WHERE {}",
        cols.join(", "),
        year_col.map_or("CAST(NULL AS BIGINT)".to_string(), |y| format!("CAST(t.{y} AS BIGINT)")),
        record_table(table),
        conditions(db, req, &mut sql).await?
    );
    if let (None, Some(Page { from: PageFrom::After(k), .. })) = (req.order, &req.page) {
        // One range of the key, which the record tables are clustered on.
        let school = sql.param(SqlValue::text(&k.school));
        let sub = sql.param(SqlValue::Int(k.submission));
        let row = sql.param(SqlValue::Int(k.row));
        match (year_col, k.year) {
            (Some(y), Some(year)) => {
                let year = sql.param(SqlValue::Int(year));
                text.push_str(&format!(
                    " AND (t.school_code, t.{y}, t.submission_id, t.row_no) > ({school}, {year}, {sub}, {row})"
                ));
            }
            _ => text.push_str(&format!(" AND (t.school_code, t.submission_id, t.row_no) > ({school}, {sub}, {row})")),
        }
    }
    // Empty cells last in both directions: SQLite and PostgreSQL disagree on where NULL sorts.
    let chosen = req
        .order
        .map(|o| format!("(t.{c} IS NULL), t.{c} {}, ", if o.descending { "DESC" } else { "ASC" }, c = o.column))
        .unwrap_or_default();
    text.push_str(&format!(
        " ORDER BY {chosen}t.school_code, {}t.submission_id, t.row_no",
        year_col.map(|y| format!("t.{y}, ")).unwrap_or_default()
    ));
    match &req.page {
        None => {}
        Some(Page { limit, from: PageFrom::Offset(offset) }) => {
            text.push_str(&format!(" LIMIT {} OFFSET {}", (*limit).clamp(1, 1000), (*offset).max(0)));
        }
        Some(Page { limit, from: PageFrom::After(_) }) => {
            // Under a chosen order a key says nothing of where the page starts: the first page.
            text.push_str(&format!(" LIMIT {}", (*limit).clamp(1, 1000)));
        }
    }
    let kinds: HashMap<String, String> = if table == Table::Designation {
        refdata::active_plan(db).await?.designation_kinds.into_iter().map(|k| (k.key, k.name_zh)).collect()
    } else {
        HashMap::new()
    };
    let mut q = sqlx::query(AssertSqlSafe(text));
    for p in sql.params {
        q = bind(q, p);
    }
    let mut stream = q.fetch(&db.pool);
    let mut n = 0;
    while let Some(row) = stream.try_next().await? {
        let mut cells = Vec::with_capacity(spec.columns.len());
        for (i, c) in spec.columns.iter().enumerate() {
            let cell = if c.kind.is_integer() {
                match row.try_get::<Option<i64>, _>(i)? {
                    None => Cell::Empty,
                    Some(v) if c.kind == Kind::Bool => Cell::Text(
                        match (v == 1, req.lang) {
                            (true, crate::messages::Lang::Zh) => "是",
                            (false, crate::messages::Lang::Zh) => "否",
                            (true, crate::messages::Lang::En) => "yes",
                            (false, crate::messages::Lang::En) => "no",
                        }
                        .into(),
                    ),
                    Some(v) => Cell::Number(v as f64),
                }
            } else if c.kind.is_real() {
                row.try_get::<Option<f64>, _>(i)?.map_or(Cell::Empty, Cell::Number)
            } else {
                match row.try_get::<Option<String>, _>(i)? {
                    None => Cell::Empty,
                    Some(s) => Cell::Text(match (c.kind, c.key) {
                        (_, "id_number" | "name") if req.unmask && spec.personal => {
                            db.keys.decrypt(&s).map_err(|e| StoreError::refused(e.to_string()))?
                        }
                        // Masks stored before the mask kept less are cut to today's mask.
                        (_, "id_number") if spec.personal => crate::domain::ids::remask(&s),
                        (Kind::Choice(list), _) => {
                            list.iter().find(|x| x.key == s).map_or(s.clone(), |x| x.label(req.lang))
                        }
                        (Kind::DesignationKind, _) => kinds.get(&s).cloned().unwrap_or(s),
                        _ => s,
                    }),
                }
            };
            cells.push(cell);
        }
        let at = spec.columns.len();
        let key = RowKey {
            school: row.try_get(at)?,
            year: row.try_get(at + 1)?,
            submission: row.try_get(at + 2)?,
            row: row.try_get(at + 3)?,
        };
        f(cells, key)?;
        n += 1;
    }
    Ok(n)
}

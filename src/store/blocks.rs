//! Building blocks of the figures: for every formula of the active plan, per school, year,
//! program category and pathway, the rows counted, the rows of the numerator and the sum of the
//! summed column. City, district and school figures are sums over them (joined with the current
//! registry for level, sponsor and district), so a figure reads a few thousand small rows instead
//! of scanning the records. The blocks are derived from the formulas (the same filter SQL as the
//! direct query), kept in the transaction that changes which rows count (`submissions::activate`),
//! and rebuilt whole when a plan is loaded or by `vetis figures rebuild`.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use super::records::{SqlValue, record_table};
use super::sql::{SCHOOLS_PER_STATEMENT, Sql, condition};
use super::{Db, StoreError, now};
use crate::domain::plan::{Formula, Measure, Plan};
use crate::domain::standard::Table;

/// A formula's identity: a hash of its text, so that a changed formula is a new one.
pub fn formula_key(f: &Formula) -> String {
    let text = serde_json::to_string(f).unwrap_or_default();
    hex::encode(&Sha256::digest(text.as_bytes())[..12])
}

fn table_of(f: &Formula) -> Result<(Table, String), StoreError> {
    let table = Table::from_name(&f.table).ok_or_else(|| StoreError::Internal(format!("unknown table {}", f.table)))?;
    let yc = f
        .year_column
        .clone()
        .or(table.year_column().map(str::to_string))
        .ok_or_else(|| StoreError::Internal("no year column".into()))?;
    Ok((table, yc))
}

/// The SELECT that computes a formula's blocks from the records (of some schools, or all):
/// columns school_code, year, category, pathway, n, hits, total, named so (a table is made of them).
fn block_select(f: &Formula, schools: Option<&[String]>, year: Option<i64>) -> Result<Sql, StoreError> {
    let (table, yc) = table_of(f)?;
    let mut sql = Sql::new();
    let filter = condition(&mut sql, &f.filter);
    let mut scope = sql.only_schools("t.school_code", schools);
    if let Some(y) = year {
        scope.push_str(&format!(" AND t.{yc} = {}", sql.param(SqlValue::Int(y))));
    }
    let from =
        format!("FROM {} t WHERE t.is_current = 1 AND {filter} AND t.{yc} IS NOT NULL{scope}", record_table(table));
    sql.text = if f.measure == Measure::DistinctSchools {
        // The first year each school qualifies; counted cumulatively by the reader.
        format!(
            "SELECT t.school_code, MIN(t.{yc}) AS year, '' AS category, '' AS pathway, CAST(1 AS BIGINT) AS n, \
             CAST(0 AS BIGINT) AS hits, CAST(NULL AS DOUBLE PRECISION) AS total {from} GROUP BY t.school_code"
        )
    } else {
        let (cat, path, group) = dimensions(table, &yc);
        let (hits, total) = hits_and_total(&mut sql, f, None);
        format!(
            "SELECT t.school_code, t.{yc} AS year, {cat} AS category, {path} AS pathway, CAST(COUNT(*) AS BIGINT) AS n, \
             CAST({hits} AS BIGINT) AS hits, {total} AS total {from} GROUP BY {group}"
        )
    };
    Ok(sql)
}

/// A formula's numerator count and sum over the rows of a group, as SQL aggregates: over those
/// the WHERE clause kept (None), or over those the condition `kept` holds for.
fn hits_and_total(sql: &mut Sql, f: &Formula, kept: Option<&str>) -> (String, String) {
    let hits = if f.measure == Measure::Share {
        let alts: Vec<String> = f.numerator.iter().map(|n| format!("({})", condition(sql, n))).collect();
        match kept {
            None => format!("SUM(CASE WHEN {} THEN 1 ELSE 0 END)", alts.join(" OR ")),
            Some(k) => format!("SUM(CASE WHEN ({k}) AND ({}) THEN 1 ELSE 0 END)", alts.join(" OR ")),
        }
    } else {
        "0".into()
    };
    let total = match (f.measure, f.sum_column.as_deref(), kept) {
        (Measure::Sum, Some(col), None) => format!("CAST(SUM(t.{col}) AS DOUBLE PRECISION)"),
        (Measure::Sum, Some(col), Some(k)) => format!("CAST(SUM(CASE WHEN {k} THEN t.{col} END) AS DOUBLE PRECISION)"),
        _ => "CAST(NULL AS DOUBLE PRECISION)".into(),
    };
    (hits, total)
}

/// A block's dimensions over `table`: the program category and pathway expressions, and the
/// GROUP BY list. PostgreSQL refuses a constant in GROUP BY: a dimension the table lacks is ''
/// and not grouped.
fn dimensions(table: Table, yc: &str) -> (&'static str, &'static str, String) {
    let cat = table.column("program_code").map(|_| "COALESCE(SUBSTR(t.program_code, 1, 2), '')");
    let path = table.column("pathway").map(|_| "COALESCE(t.pathway, '')");
    let mut group = vec!["t.school_code".to_string(), format!("t.{yc}")];
    group.extend(cat.iter().chain(path.iter()).map(|e| (*e).to_string()));
    (cat.unwrap_or("''"), path.unwrap_or("''"), group.join(", "))
}

/// Formulas whose blocks are the same rows (see `same_blocks`).
type Group<'a> = Vec<&'a Formula>;

/// The table and year column a scan reads; None for a scan of its own.
type Scan = Option<(String, String)>;

/// Groups of formulas (see `same_blocks`) whose blocks one scan counts together: those over the
/// same table and year column, counted per year. A cumulative count (the first year a school
/// qualifies) is grouped differently and keeps a scan of its own.
fn same_scan(groups: Vec<Group<'_>>) -> Result<Vec<Vec<Group<'_>>>, StoreError> {
    let mut out: Vec<(Scan, Vec<Group>)> = Vec::new();
    for group in groups {
        let f = group[0];
        let scan = if f.measure == Measure::DistinctSchools { None } else { Some((f.table.clone(), table_of(f)?.1)) };
        match out.iter_mut().find(|(s, _)| scan.is_some() && *s == scan) {
            Some((_, together)) => together.push(group),
            None => out.push((scan, vec![group])),
        }
    }
    Ok(out.into_iter().map(|(_, together)| together).collect())
}

/// Every school's blocks of several groups over one table (see `same_scan`) from one scan: per
/// school, year, category and pathway, each group's `n{i}`, `hits{i}` and `total{i}` over the
/// rows its filter keeps. The nation's graduates (3.7 GB) were read once per group.
fn scan_select(groups: &[Vec<&Formula>]) -> Result<Sql, StoreError> {
    let (table, yc) = table_of(groups[0][0])?;
    let (cat, path, group) = dimensions(table, &yc);
    let mut sql = Sql::new();
    let mut counts = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        let f = g[0];
        let kept = condition(&mut sql, &f.filter);
        let (hits, total) = hits_and_total(&mut sql, f, Some(&kept));
        counts.push(format!(
            "CAST(SUM(CASE WHEN {kept} THEN 1 ELSE 0 END) AS BIGINT) AS n{i}, CAST({hits} AS BIGINT) AS hits{i}, {total} AS total{i}"
        ));
    }
    sql.text = format!(
        "SELECT t.school_code AS school_code, t.{yc} AS year, {cat} AS category, {path} AS pathway, {} \
         FROM {} t WHERE t.is_current = 1 AND t.{yc} IS NOT NULL GROUP BY {group}",
        counts.join(", "),
        record_table(table)
    );
    Ok(sql)
}

/// Replaces every block of several groups over one table with one scan (`scan_select`). A group
/// keeps a block where its filter kept a row, as its own query would have made it.
async fn write_scanned(conn: &mut AnyConnection, groups: &[Vec<&Formula>]) -> Result<(), StoreError> {
    let mut del = Sql::new();
    let keys = groups.iter().flatten().map(|f| SqlValue::text(&formula_key(f))).collect();
    let ks = del.in_list(keys);
    del.text = format!("DELETE FROM figure_block WHERE formula_key IN ({ks})");
    del.bound().execute(&mut *conn).await?;
    let select = scan_select(groups)?;
    let pick = |column: &str| {
        let arms: String = (0..groups.len()).map(|i| format!(" WHEN {i} THEN b.{column}{i}")).collect();
        format!("CASE k.i{arms} END")
    };
    let insert = |source: &str, sql: &mut Sql| {
        let mut keys = Vec::new();
        for (i, g) in groups.iter().enumerate() {
            for f in g {
                keys.push(format!("SELECT {} AS formula_key, {i} AS i", sql.param(SqlValue::text(&formula_key(f)))));
            }
        }
        let n = pick("n");
        format!(
            "INSERT INTO figure_block (formula_key, school_code, year, category, pathway, n, hits, total) \
             SELECT k.formula_key, b.school_code, b.year, b.category, b.pathway, {n}, {}, {} \
             FROM {source} b CROSS JOIN ({}) k WHERE {n} > 0",
            pick("hits"),
            pick("total"),
            keys.join(" UNION ALL ")
        )
    };
    super::dialect::insert_selected(conn, select, insert).await
}

/// The formulas blocks are kept for: the active plan's indicators, and the dual-qualified ones
/// counted the other way (claims ↔ register) for showing both.
pub fn formulas(plan: &Plan) -> Vec<&Formula> {
    plan.indicators.iter().map(|i| &i.formula).chain(plan.dual_alternates.iter().map(|(_, f)| f)).collect()
}

/// Formulas whose blocks are the same rows, grouped (each key once): formulas that differ only in
/// how their blocks are read (levels, sponsors, divisor: the plan's two enrolment indicators) are
/// counted once and kept under each one's key.
fn same_blocks<'a>(fs: impl IntoIterator<Item = &'a Formula>) -> Result<Vec<Vec<&'a Formula>>, StoreError> {
    let mut out: Vec<(Vec<&Formula>, String)> = Vec::new();
    for f in fs {
        let select = block_select(f, None, None)?;
        let shape = format!("{} {:?}", select.text, select.params);
        match out.iter_mut().find(|(_, s)| *s == shape) {
            Some((group, _)) if group.iter().any(|g| formula_key(g) == formula_key(f)) => {}
            Some((group, _)) => group.push(f),
            None => out.push((vec![f], shape)),
        }
    }
    Ok(out.into_iter().map(|(group, _)| group).collect())
}

/// Replaces the blocks of a group of formulas with the same blocks: all of them, some schools',
/// or some schools' in one year.
async fn write_blocks(
    conn: &mut AnyConnection,
    group: &[&Formula],
    schools: Option<&[String]>,
    year: Option<i64>,
) -> Result<(), StoreError> {
    let f = group[0];
    let keys: Vec<String> = group.iter().map(|g| formula_key(g)).collect();
    let year = year.filter(|_| schools.is_some());
    let mut del = Sql::new();
    let ks = del.in_list(keys.iter().map(|k| SqlValue::text(k)).collect());
    let mut text =
        format!("DELETE FROM figure_block WHERE formula_key IN ({ks}){}", del.only_schools("school_code", schools));
    if let Some(y) = year {
        text.push_str(&format!(" AND year = {}", del.param(SqlValue::Int(y))));
    }
    del.text = text;
    del.bound().execute(&mut *conn).await?;
    let select = block_select(f, schools, year)?;
    // One formula's blocks kept under each key of its group.
    let insert = |source: &str, sql: &mut Sql| {
        let ks: Vec<String> =
            keys.iter().map(|k| format!("SELECT {} AS formula_key", sql.param(SqlValue::text(k)))).collect();
        format!(
            "INSERT INTO figure_block (formula_key, school_code, year, category, pathway, n, hits, total) \
             SELECT k.formula_key, b.* FROM {source} b CROSS JOIN ({}) k",
            ks.join(" UNION ALL ")
        )
    };
    if schools.is_none() {
        // Every school's: a scan of the whole table, worth computing on every core.
        super::dialect::insert_selected(conn, select, insert).await
    } else {
        super::dialect::insert_inline(conn, select, insert).await
    }
}

/// Recomputes, inside the caller's transaction, the blocks of `schools` for every formula of the
/// active plan over `table`.
/// `year`: the submission's year, for a table keyed by school and year; then only that year's
/// blocks change, for formulas counted by that same year column (others are redone whole).
pub async fn refresh(
    conn: &mut AnyConnection,
    plan: &Plan,
    table: Table,
    schools: &[String],
    year: Option<i64>,
) -> Result<(), StoreError> {
    let keyed_by = match table.spec().keying {
        crate::domain::standard::Keying::SchoolYear { year_column } => Some(year_column),
        crate::domain::standard::Keying::Natural { .. } => None,
    };
    let mut kept = Vec::new();
    for f in formulas(plan).into_iter().filter(|f| f.table == table.key()) {
        if registered_on(conn, f).await? {
            kept.push(f);
        }
    }
    for group in same_blocks(kept)? {
        let f = group[0];
        let (_, yc) = table_of(f)?;
        // A cumulative count's first year may move to any year: those are redone whole.
        let only_year = year.filter(|_| keyed_by == Some(yc.as_str()) && f.measure != Measure::DistinctSchools);
        // A file of many schools is counted in a few statements, not one per school.
        for some in schools.chunks(SCHOOLS_PER_STATEMENT) {
            write_blocks(conn, &group, Some(some), only_year).await?;
        }
    }
    Ok(())
}

/// Recomputes every block of the active plan's formulas from the records, in the caller's
/// transaction, and records which formulas have blocks. Returns how many formulas.
pub async fn rebuild_on(conn: &mut AnyConnection) -> Result<usize, StoreError> {
    let plan = super::refdata::active_plan_on(conn).await?;
    let started = std::time::Instant::now();
    super::dual::marks::mark(conn, &plan.dual_register, &super::dual::marks::Rows::All).await?;
    tracing::info!(millis = started.elapsed().as_millis() as u64, "rebuild: dual register marks");
    let started = std::time::Instant::now();
    super::dialect::empty_table(conn, "figure_block").await?;
    sqlx::query("DELETE FROM figure_formula").execute(&mut *conn).await?;
    tracing::info!(millis = started.elapsed().as_millis() as u64, "rebuild: formula blocks emptied");
    let mut done = std::collections::BTreeSet::new();
    for scan in same_scan(same_blocks(formulas(&plan))?)? {
        let started = std::time::Instant::now();
        match scan.as_slice() {
            [group] => write_blocks(conn, group, None, None).await?,
            groups => write_scanned(conn, groups).await?,
        }
        tracing::info!(
            table = %scan[0][0].table,
            formulas = scan.iter().map(Vec::len).sum::<usize>(),
            millis = started.elapsed().as_millis() as u64,
            "rebuild: formula blocks"
        );
        for f in scan.into_iter().flatten() {
            let key = formula_key(f);
            done.insert(key.clone());
            sqlx::query("INSERT INTO figure_formula (formula_key, formula, built_at) VALUES ($1, $2, $3)")
                .bind(key)
                .bind(serde_json::to_string(f).unwrap_or_default())
                .bind(now())
                .execute(&mut *conn)
                .await?;
        }
    }
    let rules = super::rule_blocks::rebuild_on(conn, &plan, None).await?;
    let started = std::time::Instant::now();
    super::credit_blocks::rebuild_on(conn).await?;
    tracing::info!(millis = started.elapsed().as_millis() as u64, "rebuild: credit blocks");
    Ok(done.len() + rules + 1)
}

/// `vetis figures rebuild`: every block (of the formulas and of the rules) from the records, in
/// one write transaction. Returns how many formulas and rules.
pub async fn rebuild(db: &Db) -> Result<usize, StoreError> {
    let mut w = db.begin_write().await?;
    let n = rebuild_on(w.conn()).await?;
    w.commit().await?;
    Ok(n)
}

/// Builds the blocks if the active plan has a formula without them (a database from before the
/// blocks, or one restored from such a backup). Whether it had to.
pub async fn ensure(db: &Db) -> Result<bool, StoreError> {
    let Ok(plan) = super::refdata::active_plan(db).await else { return Ok(false) };
    for f in formulas(&plan) {
        if !registered(db, f).await? {
            rebuild(db).await?;
            return Ok(true);
        }
    }
    for r in &plan.rules {
        if !super::rule_blocks::registered(db, &plan, r).await? {
            rebuild(db).await?;
            return Ok(true);
        }
    }
    if !super::credit_blocks::registered(db).await? {
        rebuild(db).await?;
        return Ok(true);
    }
    Ok(false)
}

async fn registered_on(conn: &mut AnyConnection, f: &Formula) -> Result<bool, StoreError> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM figure_formula WHERE formula_key = $1")
        .bind(formula_key(f))
        .fetch_one(&mut *conn)
        .await?
        .get(0);
    Ok(n > 0)
}

/// Whether a formula has blocks (else its figures are computed from the records).
pub async fn registered(db: &Db, f: &Formula) -> Result<bool, StoreError> {
    let mut conn = db.pool.acquire().await?;
    registered_on(&mut conn, f).await
}

/// One block: (school, year, category, pathway) → (n, hits, total).
pub type Blocks = BTreeMap<(String, i64, String, String), (i64, i64, Option<f64>)>;

fn collect(rows: &[sqlx::any::AnyRow]) -> Blocks {
    rows.iter()
        .map(|r| {
            let total: Option<f64> = r.get(6);
            ((r.get(0), r.get(1), r.get(2), r.get(3)), (r.get(4), r.get(5), total.map(|t| (t * 1e6).round() / 1e6)))
        })
        .collect()
}

/// A formula's blocks as kept, and as the records give them now: equal unless something was
/// missed. For `vetis figures check` and the property test.
pub async fn kept_and_fresh(db: &Db, f: &Formula) -> Result<(Blocks, Blocks), StoreError> {
    let kept = sqlx::query(
        "SELECT school_code, year, category, pathway, n, hits, total FROM figure_block WHERE formula_key = $1",
    )
    .bind(formula_key(f))
    .fetch_all(&db.pool)
    .await?;
    let fresh = block_select(f, None, None)?.bound().fetch_all(&db.pool).await?;
    Ok((collect(&kept), collect(&fresh)))
}

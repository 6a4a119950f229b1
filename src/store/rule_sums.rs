//! Reading the rule blocks for the figures: a rule's tallies summed over the schools in scope,
//! what failed it and why, the schools judged, and the industries covered. The blocks are written
//! by `rule_blocks`; a school's year of items is one row holding them as JSON (schema v26).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sqlx::{AnyConnection, Row};

use super::records::SqlValue;
use super::sql::{Area, Sql};
use super::{Db, StoreError};
use crate::domain::school_rules::Item;
use crate::domain::targets::Rule;

/// An item as kept and read back: (subject, passed, detail_zh, detail_en).
pub type KeptItem = (String, bool, String, String);

/// A school's year of items as kept: a JSON array of `[subject, passed, detail_zh, detail_en]`,
/// in the order judged.
pub(crate) fn encode_items(items: &[Item]) -> String {
    let rows: Vec<(&str, bool, &str, &str)> =
        items.iter().map(|i| (i.subject.as_str(), i.passed, i.detail_zh.as_str(), i.detail_en.as_str())).collect();
    serde_json::to_string(&rows).unwrap_or_else(|_| "[]".into())
}

/// The items of a school's year as kept. A row that does not parse was not written by VETIS.
pub(crate) fn decode_items(text: &str) -> Result<Vec<KeptItem>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Internal(format!("rule_item: {e}")))
}

async fn fetch(conn: &mut AnyConnection, sql: Sql) -> Result<Vec<sqlx::any::AnyRow>, StoreError> {
    Ok(sql.bound().fetch_all(&mut *conn).await?)
}

/// Where rule blocks are summed: the current schools of some levels (and a sponsor) in an area.
pub struct Within<'a> {
    pub area: Area<'a>,
    pub levels: &'a [&'a str],
    pub sponsor: Option<&'a str>,
}

impl Within<'_> {
    /// The SQL condition on the registry row `k` that keeps a block in scope.
    pub(crate) fn condition(&self, sql: &mut Sql) -> String {
        let mut c = sql.area(self.area, "k.school_code");
        if !self.levels.is_empty() {
            let l = sql.in_list(self.levels.iter().map(|l| SqlValue::text(l)).collect());
            c.push_str(&format!(" AND k.level IN ({l})"));
        }
        if let Some(s) = self.sponsor {
            c.push_str(&format!(" AND k.sponsor = {}", sql.param(SqlValue::text(s))));
        }
        c
    }
}

/// A rule's passed and total per year from `from` to `to`, summed over its blocks in scope.
pub async fn tallies(
    db: &Db,
    rule: &Rule,
    within: &Within<'_>,
    (from, to): (i32, i32),
) -> Result<BTreeMap<i32, (f64, f64)>, StoreError> {
    let mut sql = Sql::new();
    let id = sql.param(SqlValue::text(&rule.id));
    let (a, b) = (sql.param(SqlValue::Int(i64::from(from))), sql.param(SqlValue::Int(i64::from(to))));
    let cond = within.condition(&mut sql);
    sql.text = format!(
        "SELECT b.year, CAST(SUM(b.passed) AS DOUBLE PRECISION), CAST(SUM(b.total) AS DOUBLE PRECISION) FROM rule_block b \
         JOIN rec_school k ON k.school_code = b.school_code AND k.is_current = 1 \
         WHERE b.rule_id = {id} AND b.year >= {a} AND b.year <= {b}{cond} GROUP BY b.year"
    );
    let mut conn = db.pool.acquire().await?;
    Ok(fetch(&mut conn, sql).await?.iter().map(|r| (r.get::<i64, _>(0) as i32, (r.get(1), r.get(2)))).collect())
}

/// What failed a rule in `year` in scope, and why: (school, school name, subject, zh, en), in
/// school order.
pub async fn failures(
    db: &Db,
    rule: &Rule,
    within: &Within<'_>,
    year: i32,
) -> Result<Vec<(String, String, String, String, String)>, StoreError> {
    let mut sql = Sql::new();
    let id = sql.param(SqlValue::text(&rule.id));
    let y = sql.param(SqlValue::Int(i64::from(year)));
    let cond = within.condition(&mut sql);
    sql.text = format!(
        "SELECT i.school_code, k.name, i.items FROM rule_item i \
         JOIN rec_school k ON k.school_code = i.school_code AND k.is_current = 1 \
         WHERE i.rule_id = {id} AND i.year = {y}{cond} ORDER BY i.school_code"
    );
    let mut conn = db.pool.acquire().await?;
    let mut out = Vec::new();
    for r in fetch(&mut conn, sql).await? {
        let (code, name): (String, String) = (r.get(0), r.get(1));
        for (subject, passed, zh, en) in decode_items(&r.get::<String, _>(2))? {
            if !passed {
                out.push((code.clone(), name.clone(), subject, zh, en));
            }
        }
    }
    Ok(out)
}

/// The current schools in scope: code → name.
pub async fn schools(db: &Db, within: &Within<'_>) -> Result<BTreeMap<String, String>, StoreError> {
    let mut sql = Sql::new();
    let cond = within.condition(&mut sql);
    sql.text = format!("SELECT k.school_code, k.name FROM rec_school k WHERE k.is_current = 1{cond}");
    let mut conn = db.pool.acquire().await?;
    Ok(fetch(&mut conn, sql).await?.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// Which schools in scope had a block in each year from `from` to `to` (with it, what passed).
pub async fn judged_schools(
    db: &Db,
    rule: &Rule,
    within: &Within<'_>,
    (from, to): (i32, i32),
) -> Result<HashMap<i32, BTreeMap<String, f64>>, StoreError> {
    let mut sql = Sql::new();
    let id = sql.param(SqlValue::text(&rule.id));
    let (a, b) = (sql.param(SqlValue::Int(i64::from(from))), sql.param(SqlValue::Int(i64::from(to))));
    let cond = within.condition(&mut sql);
    sql.text = format!(
        "SELECT b.year, b.school_code, b.passed FROM rule_block b JOIN rec_school k ON k.school_code = b.school_code AND k.is_current = 1 \
         WHERE b.rule_id = {id} AND b.year >= {a} AND b.year <= {b}{cond}"
    );
    let mut conn = db.pool.acquire().await?;
    let mut out: HashMap<i32, BTreeMap<String, f64>> = HashMap::new();
    for r in fetch(&mut conn, sql).await? {
        out.entry(r.get::<i64, _>(0) as i32).or_default().insert(r.get(1), r.get(2));
    }
    Ok(out)
}

/// Training to enrolment: every quality school in scope in `year` (a designation of one of the
/// rule's kinds accepted by then) with its person-times trained and full-time students that year.
pub async fn quality_schools(
    db: &Db,
    rule: &Rule,
    within: &Within<'_>,
    year: i32,
) -> Result<Vec<(String, String, f64, f64)>, StoreError> {
    let mut sql = Sql::new();
    let id = sql.param(SqlValue::text(&rule.id));
    let y = sql.param(SqlValue::Int(i64::from(year)));
    let kinds = sql.in_list(rule.quality_kinds.iter().map(|k| SqlValue::text(k)).collect());
    let cond = within.condition(&mut sql);
    if rule.quality_kinds.is_empty() {
        return Ok(Vec::new());
    }
    sql.text = format!(
        "SELECT k.school_code, k.name, b.trained, b.enrolled FROM rec_school k \
         LEFT JOIN rule_block b ON b.school_code = k.school_code AND b.rule_id = {id} AND b.year = {y} \
         WHERE k.is_current = 1{cond} AND EXISTS (SELECT 1 FROM rec_designation g WHERE g.school_code = k.school_code \
         AND g.is_current = 1 AND g.kind IN ({kinds}) AND g.status = 'accepted' AND g.accepted_year <= {y}) ORDER BY k.school_code"
    );
    let mut conn = db.pool.acquire().await?;
    Ok(fetch(&mut conn, sql)
        .await?
        .iter()
        .map(|r| {
            let (t, e): (Option<f64>, Option<f64>) = (r.get(2), r.get(3));
            (r.get(0), r.get(1), t.unwrap_or(0.0), e.unwrap_or(0.0))
        })
        .collect())
}

/// Industry coverage: the key industries covered in scope, per year from `from` to `to`.
pub async fn covered(
    db: &Db,
    rule: &Rule,
    within: &Within<'_>,
    (from, to): (i32, i32),
) -> Result<BTreeMap<i32, BTreeSet<String>>, StoreError> {
    let mut sql = Sql::new();
    let id = sql.param(SqlValue::text(&rule.id));
    let (a, b) = (sql.param(SqlValue::Int(i64::from(from))), sql.param(SqlValue::Int(i64::from(to))));
    let cond = within.condition(&mut sql);
    sql.text = format!(
        "SELECT i.year, i.items FROM rule_item i JOIN rec_school k ON k.school_code = i.school_code AND k.is_current = 1 \
         WHERE i.rule_id = {id} AND i.year >= {a} AND i.year <= {b}{cond}"
    );
    let mut conn = db.pool.acquire().await?;
    let mut out: BTreeMap<i32, BTreeSet<String>> = BTreeMap::new();
    for r in fetch(&mut conn, sql).await? {
        let year = r.get::<i64, _>(0) as i32;
        let passed = decode_items(&r.get::<String, _>(1))?.into_iter().filter(|i| i.1).map(|i| i.0);
        out.entry(year).or_default().extend(passed);
    }
    Ok(out)
}

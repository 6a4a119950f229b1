//! Counted targets (plan-targets.md §2): designations of one kind by year, in a scope, with the
//! designations behind each count.

use std::collections::BTreeMap;

use sqlx::{AssertSqlSafe, Row};

use super::query::{Scope, Sql};
use crate::domain::targets::CountedTarget;
use crate::store::records::{SqlValue, bind};
use crate::store::{Db, StoreError};

/// One designation behind a count.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DesignationRow {
    pub designation_code: String,
    pub school_code: String,
    pub school_name: String,
    pub district_code: String,
    pub subject: Option<String>,
    pub level: String,
    pub status: String,
    pub approved_year: i64,
    pub accepted_year: Option<i64>,
}

impl DesignationRow {
    /// The year from which it counts: acceptance when only accepted ones count, else approval.
    pub fn counts_from(&self, t: &CountedTarget) -> Option<i64> {
        if !t.statuses.contains(&self.status) {
            return None;
        }
        if t.statuses.iter().any(|s| s == "in_progress") { Some(self.approved_year) } else { self.accepted_year }
    }
}

/// `AND …` keeping the registry rows `k` of a scope.
pub(crate) fn scope_condition(sql: &mut Sql, scope: &Scope) -> String {
    sql.area(scope.area(), "k.school_code")
}

/// Every current designation of the target's kind and levels at current schools in scope.
pub async fn designations(db: &Db, t: &CountedTarget, scope: &Scope) -> Result<Vec<DesignationRow>, StoreError> {
    let mut sql = Sql { text: String::new(), params: Vec::new() };
    let kind = sql.param(SqlValue::text(&t.designation_kind));
    let mut text = format!(
        "SELECT d.designation_code, d.school_code, k.name, k.district_code, d.subject, d.level, d.status, d.approved_year, d.accepted_year \
         FROM rec_designation d JOIN rec_school k ON k.school_code = d.school_code AND k.is_current = 1 \
         WHERE d.is_current = 1 AND d.kind = {kind}"
    );
    if !t.levels.is_empty() {
        let ps: Vec<String> = t.levels.iter().map(|l| sql.param(SqlValue::text(l))).collect();
        text.push_str(&format!(" AND d.level IN ({})", ps.join(", ")));
    }
    text.push_str(&scope_condition(&mut sql, scope));
    text.push_str(" ORDER BY k.district_code, d.school_code, d.designation_code");
    let mut q = sqlx::query(AssertSqlSafe(text));
    for p in sql.params {
        q = bind(q, p);
    }
    Ok(q.fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| DesignationRow {
            designation_code: r.get(0),
            school_code: r.get(1),
            school_name: r.get(2),
            district_code: r.get(3),
            subject: r.get(4),
            level: r.get(5),
            status: r.get(6),
            approved_year: r.get(7),
            accepted_year: r.get(8),
        })
        .collect())
}

/// The count for every year from `from` to `to` (cumulative: what counts by that year).
pub fn counts_by_year(rows: &[DesignationRow], t: &CountedTarget, from: i32, to: i32) -> BTreeMap<i32, f64> {
    (from..=to)
        .map(|y| (y, rows.iter().filter(|r| r.counts_from(t).is_some_and(|c| c <= i64::from(y))).count() as f64))
        .collect()
}

/// Designations still being built (counted nowhere yet when only accepted ones count).
pub fn in_construction(rows: &[DesignationRow], year: i32) -> usize {
    rows.iter().filter(|r| r.status == "in_progress" && r.approved_year <= i64::from(year)).count()
}

/// Schools of these levels in scope (for "every secondary school" targets): code → district.
pub async fn schools_of(db: &Db, levels: &[String], scope: &Scope) -> Result<BTreeMap<String, String>, StoreError> {
    let mut sql = Sql { text: String::new(), params: Vec::new() };
    let ps: Vec<String> = levels.iter().map(|l| sql.param(SqlValue::text(l))).collect();
    let text = format!(
        "SELECT k.school_code, k.district_code FROM rec_school k WHERE k.is_current = 1 AND k.level IN ({}){}",
        ps.join(", "),
        scope_condition(&mut sql, scope)
    );
    let mut q = sqlx::query(AssertSqlSafe(text));
    for p in sql.params {
        q = bind(q, p);
    }
    Ok(q.fetch_all(&db.pool).await?.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// The city's districts.
pub async fn district_codes(db: &Db) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query("SELECT code FROM gz_district ORDER BY code")
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

//! The designations behind counted targets (plan-targets.md §2), and the schools of some levels
//! in an area: the registry reads the counted targets are made of.

use std::collections::BTreeMap;

use sqlx::Row;

use super::records::SqlValue;
use super::sql::{Area, Sql};
use super::{Db, StoreError};
use crate::domain::targets::CountedTarget;

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

/// Every current designation of a kind (of these levels, or any when none are named) at the
/// current schools of an area, by district, school and designation.
pub async fn of_kind(
    db: &Db,
    kind: &str,
    levels: &[String],
    area: Area<'_>,
) -> Result<Vec<DesignationRow>, StoreError> {
    let mut sql = Sql::new();
    let kind = sql.param(SqlValue::text(kind));
    let mut text = format!(
        "SELECT d.designation_code, d.school_code, k.name, k.district_code, d.subject, d.level, d.status, d.approved_year, d.accepted_year \
         FROM rec_designation d JOIN rec_school k ON k.school_code = d.school_code AND k.is_current = 1 \
         WHERE d.is_current = 1 AND d.kind = {kind}"
    );
    if !levels.is_empty() {
        let levels = sql.in_list(levels.iter().map(|l| SqlValue::text(l)).collect());
        text.push_str(&format!(" AND d.level IN ({levels})"));
    }
    text.push_str(&sql.area(area, "k.school_code"));
    text.push_str(" ORDER BY k.district_code, d.school_code, d.designation_code");
    sql.text = text;
    Ok(sql
        .bound()
        .fetch_all(&db.pool)
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

/// The current schools of these levels in an area (for "every secondary school" targets):
/// code → district.
pub async fn schools_of_levels(
    db: &Db,
    levels: &[String],
    area: Area<'_>,
) -> Result<BTreeMap<String, String>, StoreError> {
    if levels.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut sql = Sql::new();
    let levels = sql.in_list(levels.iter().map(|l| SqlValue::text(l)).collect());
    let only = sql.area(area, "k.school_code");
    sql.text = format!(
        "SELECT k.school_code, k.district_code FROM rec_school k WHERE k.is_current = 1 AND k.level IN ({levels}){only}"
    );
    Ok(sql.bound().fetch_all(&db.pool).await?.iter().map(|r| (r.get(0), r.get(1))).collect())
}

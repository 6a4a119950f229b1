//! Counted targets (plan-targets.md §2): designations of one kind by year, in a scope, with the
//! designations behind each count.

use std::collections::BTreeMap;

use super::query::Scope;
use crate::domain::targets::CountedTarget;
pub use crate::store::designations::DesignationRow;
use crate::store::{Db, StoreError};

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

/// Every current designation of the target's kind and levels at current schools in scope.
pub async fn designations(db: &Db, t: &CountedTarget, scope: &Scope) -> Result<Vec<DesignationRow>, StoreError> {
    crate::store::designations::of_kind(db, &t.designation_kind, &t.levels, scope.area()).await
}

/// Schools of these levels in scope (for "every secondary school" targets): code → district.
pub async fn schools_of(db: &Db, levels: &[String], scope: &Scope) -> Result<BTreeMap<String, String>, StoreError> {
    crate::store::designations::schools_of_levels(db, levels, scope.area()).await
}

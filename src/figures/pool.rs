//! Figures of the part-time teacher pool (the Teachers issue): the pool's size by program category
//! and by key industry (experts who consented to be listed), engagements and hours in a scope's
//! school year with the average rating, the programs the scope offers that no engaged expert
//! taught, and how many of the year's part-time teacher rows are people in the pool.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::query::Scope;
use crate::domain::plan::Plan;
use crate::store::rule_sums::{self, Within};
use crate::store::{Db, StoreError, industry_map, pool};

/// The pool's figures for a scope and school year.
#[derive(Debug, Clone, Serialize)]
pub struct PoolFigures {
    pub year: i32,
    /// Listed experts (the whole city's pool: any school may engage them).
    pub experts: usize,
    /// Program category (first two digits) → listed experts.
    pub by_category: BTreeMap<String, usize>,
    /// Key industry (name) → listed experts.
    pub by_industry: BTreeMap<String, usize>,
    pub engagements: usize,
    pub hours: f64,
    pub pay: f64,
    pub average_rating: Option<f64>,
    /// Programs offered in the scope that year with no engagement: (school, program).
    pub programs_without: Vec<(String, String)>,
    pub programs_offered: usize,
    pub part_time_rows: i64,
    pub part_time_in_pool: i64,
}

/// The figures of `scope` for the school year starting in `year`.
pub async fn figures(db: &Db, plan: &Plan, scope: &Scope, year: i32) -> Result<PoolFigures, StoreError> {
    let area = scope.area();
    let schools: Vec<String> =
        rule_sums::schools(db, &Within { area, levels: &[], sponsor: None }).await?.into_keys().collect();
    let listed = pool::listed_programs(db).await?;
    let experts: BTreeSet<i64> = listed.iter().map(|(e, _)| *e).collect();
    let mut by_category: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    let mut by_industry: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
    let map = industry_map::list(db).await?;
    let names: BTreeMap<&str, &str> =
        plan.key_industries.iter().map(|k| (k.key.as_str(), k.name_zh.as_str())).collect();
    for (e, p) in &listed {
        by_category.entry(p.chars().take(2).collect()).or_default().insert(*e);
        for m in map.iter().filter(|m| p.starts_with(&m.prefix)) {
            let name = names.get(m.industry.as_str()).copied().unwrap_or(m.industry.as_str());
            by_industry.entry(name.to_string()).or_default().insert(*e);
        }
    }
    let in_scope = |s: &str| schools.binary_search_by(|x| x.as_str().cmp(s)).is_ok();
    let engaged: Vec<pool::Engagement> = pool::engagements(db, area.school(), Some(year))
        .await?
        .into_iter()
        .filter(|g| in_scope(&g.school_code))
        .collect();
    let ratings: Vec<f64> = engaged.iter().filter_map(|g| g.rating).map(|r| r as f64).collect();
    let taught: BTreeSet<(String, String)> =
        engaged.iter().filter_map(|g| g.program_code.clone().map(|p| (g.school_code.clone(), p))).collect();
    let offered: Vec<(String, String)> =
        pool::offered(db, year).await?.into_iter().filter(|(s, _)| in_scope(s)).collect();
    let (part_time_rows, part_time_in_pool) = pool::part_time_linked(db, year, &schools).await?;
    Ok(PoolFigures {
        year,
        experts: experts.len(),
        by_category: by_category.into_iter().map(|(k, v)| (k, v.len())).collect(),
        by_industry: by_industry.into_iter().map(|(k, v)| (k, v.len())).collect(),
        engagements: engaged.len(),
        hours: engaged.iter().map(|g| g.hours).sum(),
        pay: engaged.iter().map(|g| g.pay).sum(),
        average_rating: (!ratings.is_empty()).then(|| ratings.iter().sum::<f64>() / ratings.len() as f64),
        programs_offered: offered.len(),
        programs_without: offered.into_iter().filter(|o| !taught.contains(o)).collect(),
        part_time_rows,
        part_time_in_pool,
    })
}

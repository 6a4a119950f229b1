//! Figures served many times between changes: the plan, each scope's indicators and breakdowns
//! are kept until the data changes. Every change to records, reviews or the plan writes the audit
//! log, so the log's newest id says whether what is kept is still true (one primary-key lookup).

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use crate::domain::plan::Plan;
use crate::figures::Scope;
use crate::figures::breakdown::{By, Group, breakdown};
use crate::figures::indicators::{IndicatorResult, compute, latest_year};
use crate::figures::targets::{TargetResult, all};
use crate::store::{Db, StoreError, refdata};

type Kept = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
pub struct FigureCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    generation: i64,
    kept: HashMap<String, Kept>,
}

/// Entries kept at most before starting afresh (a district's schools come and go; the city and
/// districts are asked for again at once).
const CAPACITY: usize = 4096;

impl FigureCache {
    async fn generation(db: &Db) -> Result<i64, StoreError> {
        // The data version changes with every import, review, lock and plan load, and with
        // nothing else: signing in no longer throws the figures away.
        db.data_version().await
    }

    /// What is kept under `key`, or what `make` computes, kept if nothing changed meanwhile.
    async fn get_or<T, F>(&self, db: &Db, key: String, make: F) -> Result<Arc<T>, StoreError>
    where
        T: Send + Sync + 'static,
        F: Future<Output = Result<T, StoreError>>,
    {
        let g = Self::generation(db).await?;
        {
            let mut inner = self.inner.lock().expect("cache lock");
            if inner.generation != g {
                *inner = Inner { generation: g, kept: HashMap::new() };
            }
            if let Some(v) = inner.kept.get(&key).and_then(|v| v.clone().downcast::<T>().ok()) {
                return Ok(v);
            }
        }
        let value = Arc::new(make.await?);
        if Self::generation(db).await? == g {
            let mut inner = self.inner.lock().expect("cache lock");
            if inner.generation == g {
                if inner.kept.len() >= CAPACITY {
                    inner.kept.clear();
                }
                inner.kept.insert(key, value.clone() as Kept);
            }
        }
        Ok(value)
    }

    pub async fn plan(&self, db: &Db) -> Result<Arc<Plan>, StoreError> {
        self.get_or(db, "plan".into(), refdata::active_plan(db)).await
    }

    /// The latest year with students on record (the pages' default year).
    pub async fn latest_year(&self, db: &Db) -> Result<i32, StoreError> {
        let plan = self.plan(db).await?;
        Ok(*self.get_or(db, "latest_year".into(), latest_year(db, plan.baseline_year)).await?)
    }

    pub async fn indicators(&self, db: &Db, scope: &Scope, year: i32) -> Result<Arc<Vec<IndicatorResult>>, StoreError> {
        let plan = self.plan(db).await?;
        self.get_or(db, format!("indicators {scope:?} {year}"), compute(db, &plan, scope, year)).await
    }

    /// Every target of the plan (key, counted, rules) for a scope and year.
    pub async fn targets(&self, db: &Db, scope: &Scope, year: i32) -> Result<Arc<Vec<TargetResult>>, StoreError> {
        let plan = self.plan(db).await?;
        self.get_or(db, format!("targets {scope:?} {year}"), all(db, &plan, scope, year)).await
    }

    /// An indicator's figure by district, school, category or pathway; None where its table
    /// cannot be broken down so.
    pub async fn breakdown(
        &self,
        db: &Db,
        indicator: &str,
        scope: &Scope,
        year: i32,
        by: By,
    ) -> Result<Arc<Option<Vec<Group>>>, StoreError> {
        let plan = self.plan(db).await?;
        let ind = plan
            .indicator(indicator)
            .ok_or_else(|| StoreError::Internal(format!("the plan has no indicator {indicator}")))?;
        let key = format!("breakdown {indicator} {scope:?} {year} {by:?}");
        self.get_or(db, key, breakdown(db, &ind.formula, scope, year, by)).await
    }
}

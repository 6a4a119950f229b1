//! Figures served many times between changes: the plan and each scope's indicators are kept
//! until the data changes. Every change to records, reviews or the plan writes the audit log, so
//! the log's newest id says whether what is kept is still true (one primary-key lookup).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sqlx::Row;

use crate::domain::plan::Plan;
use crate::figures::Scope;
use crate::figures::indicators::{IndicatorResult, compute, latest_year};
use crate::store::{Db, StoreError, refdata};

type Key = (Scope, i32);

#[derive(Default)]
pub struct FigureCache {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    generation: i64,
    plan: Option<Arc<Plan>>,
    latest_year: Option<i32>,
    figures: HashMap<Key, Arc<Vec<IndicatorResult>>>,
}

/// Scopes kept at most; a district's schools come and go, the city and districts stay.
const CAPACITY: usize = 512;

impl FigureCache {
    async fn generation(db: &Db) -> Result<i64, StoreError> {
        let g: Option<i64> = sqlx::query("SELECT MAX(id) FROM audit_log").fetch_one(&db.pool).await?.get(0);
        Ok(g.unwrap_or(0))
    }

    /// Forgets everything kept if the data changed since.
    async fn fresh(&self, db: &Db) -> Result<i64, StoreError> {
        let g = Self::generation(db).await?;
        let mut inner = self.inner.lock().expect("cache lock");
        if inner.generation != g {
            *inner = Inner { generation: g, ..Inner::default() };
        }
        Ok(g)
    }

    pub async fn plan(&self, db: &Db) -> Result<Arc<Plan>, StoreError> {
        self.fresh(db).await?;
        if let Some(p) = self.inner.lock().expect("cache lock").plan.clone() {
            return Ok(p);
        }
        let p = Arc::new(refdata::active_plan(db).await?);
        self.inner.lock().expect("cache lock").plan = Some(p.clone());
        Ok(p)
    }

    /// The latest year with students on record (the pages' default year).
    pub async fn latest_year(&self, db: &Db) -> Result<i32, StoreError> {
        let plan = self.plan(db).await?;
        if let Some(y) = self.inner.lock().expect("cache lock").latest_year {
            return Ok(y);
        }
        let y = latest_year(db, plan.baseline_year).await?;
        self.inner.lock().expect("cache lock").latest_year = Some(y);
        Ok(y)
    }

    pub async fn indicators(&self, db: &Db, scope: &Scope, year: i32) -> Result<Arc<Vec<IndicatorResult>>, StoreError> {
        let plan = self.plan(db).await?;
        let g = self.fresh(db).await?;
        let key = (scope.clone(), year);
        if let Some(f) = self.inner.lock().expect("cache lock").figures.get(&key) {
            return Ok(f.clone());
        }
        let f = Arc::new(compute(db, &plan, scope, year).await?);
        // Kept only if nothing changed while it was computed.
        if Self::generation(db).await? != g {
            return Ok(f);
        }
        let mut inner = self.inner.lock().expect("cache lock");
        if inner.generation != g {
            return Ok(f);
        }
        if inner.figures.len() >= CAPACITY {
            inner.figures.clear();
        }
        inner.figures.insert(key, f.clone());
        Ok(f)
    }
}

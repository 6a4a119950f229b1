//! Figures served many times between changes: the plan, each scope's indicators, breakdowns,
//! targets, rules and their failures, and the registry, kept until the data version changes (records,
//! reviews, locks, plan, catalogue; never sign-ins or reading). The version is looked up at most
//! every `LOOK_AGAIN` unless this process committed a write since: a change made here shows at
//! once, one made by another process (a `vetis import` beside the server) within that time.
//! A figure asked for while it is being computed is waited for, not computed twice; what the
//! warmer (`web::warm`) computed stays when the cache is full, and of what readers asked for
//! beyond it the least recently used goes.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::domain::plan::Plan;
use crate::figures::Scope;
use crate::figures::breakdown::{By, Group, Line, breakdown, lines};
use crate::figures::indicators::{IndicatorResult, compute, latest_year};
use crate::figures::rules::Failure;
use crate::figures::targets::{TargetResult, counted, from_key, rule, rule_counts};
use crate::figures::teachers::{self, TeacherFigures};
use crate::store::registry::School;
use crate::store::{Db, StoreError, refdata};

/// How long a look at the data version is trusted when this process has written nothing since.
const LOOK_AGAIN: Duration = Duration::from_millis(250);

type Kept = Arc<dyn Any + Send + Sync>;

/// A figure being computed or computed: everyone asking for it shares the one computation.
#[derive(Default)]
struct Slot {
    cell: Arc<tokio::sync::OnceCell<Kept>>,
    /// Asked for by the warmer: kept when the cache is full.
    pinned: bool,
    /// When it was last asked for (the map's tick then): the least recent goes first.
    used: u64,
}

tokio::task_local! {
    /// Set for the warmer's task: what it asks for is pinned.
    static WARMING: ();
}

/// Runs `f` as the warmer: every figure it asks for (and every part those are made of) is
/// pinned, so that what readers ask for later cannot push it out.
pub async fn as_warmer<F: Future>(f: F) -> F::Output {
    WARMING.scope((), f).await
}

#[derive(Default)]
pub struct FigureCache {
    inner: Mutex<Inner>,
    /// The last look at the data version: (version, when, this process's commits then).
    look: Mutex<Option<(i64, Instant, u64)>>,
    /// What the warmer last did (for `/readyz`).
    warmed: Mutex<Option<Warmed>>,
}

#[derive(Default)]
struct Inner {
    generation: i64,
    kept: HashMap<String, Slot>,
    /// Counts every look-up: the slots' `used`.
    tick: u64,
    /// How many slots are pinned.
    pinned: usize,
}

impl Inner {
    /// Makes room when full: the least recently used eighth of what is not pinned goes. The
    /// warmer pins at most `WARM_BUDGET`, so there is always something to let go.
    fn make_room(&mut self) {
        let mut loose: Vec<(u64, &String)> =
            self.kept.iter().filter(|(_, s)| !s.pinned).map(|(k, s)| (s.used, k)).collect();
        let go = (CAPACITY / 8).min(loose.len());
        if go == 0 {
            return;
        }
        loose.select_nth_unstable(go - 1);
        let gone: Vec<String> = loose[..go].iter().map(|(_, k)| (*k).clone()).collect();
        for k in gone {
            self.kept.remove(&k);
        }
    }
}

/// A finished warm-up: the data version it computed, how many figures and how long it took.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Warmed {
    pub version: i64,
    pub figures: usize,
    pub millis: u128,
}

/// Figures kept at most. On the nation, the warmer's 12,320 figures left `vetis serve` at 330 MiB
/// resident (about 23 KB a figure); a rule's page keeps its failures too, which for the nation's
/// practice rule are 780,000 teachers, so a cache of pages like it is larger.
const CAPACITY: usize = 16_384;

/// Figures the warmer pins at most: the rest of the capacity serves what readers ask for beyond
/// them. A city installation's warm set (3,000 figures) fits whole; a nation's does not (2,850
/// counties, six years, forty figures each), so the warmer goes in order of what is asked for
/// most and costs most (`web::warm`).
pub const WARM_BUDGET: usize = CAPACITY * 3 / 4;

impl FigureCache {
    /// The data version, looked up at most every `LOOK_AGAIN` unless this process wrote since.
    pub async fn generation(&self, db: &Db) -> Result<i64, StoreError> {
        // The data version changes with every import, review, lock and plan load, and with
        // nothing else: signing in does not throw the figures away.
        let commits = db.commits();
        if let Some((v, at, c)) = *self.look.lock().expect("cache lock")
            && c == commits
            && at.elapsed() < LOOK_AGAIN
        {
            return Ok(v);
        }
        let v = db.data_version().await?;
        *self.look.lock().expect("cache lock") = Some((v, Instant::now(), commits));
        Ok(v)
    }

    /// What is kept under `key`, or what `make` computes; a second caller meanwhile waits for
    /// the first's result. A version change starts a new map, so nothing computed before it is
    /// handed out after it has been seen.
    async fn get_or<T, F>(&self, db: &Db, key: String, make: F) -> Result<Arc<T>, StoreError>
    where
        T: Send + Sync + 'static,
        F: Future<Output = Result<T, StoreError>>,
    {
        let g = self.generation(db).await?;
        let warming = WARMING.try_with(|_| ()).is_ok();
        let cell = {
            let mut inner = self.inner.lock().expect("cache lock");
            if inner.generation != g {
                *inner = Inner { generation: g, ..Inner::default() };
            }
            if inner.kept.len() >= CAPACITY && !inner.kept.contains_key(&key) {
                inner.make_room();
            }
            inner.tick += 1;
            let tick = inner.tick;
            let slot = inner.kept.entry(key).or_default();
            slot.used = tick;
            let newly_pinned = warming && !slot.pinned;
            slot.pinned |= warming;
            let cell = slot.cell.clone();
            inner.pinned += usize::from(newly_pinned);
            cell
        };
        let kept = cell.get_or_try_init(|| async { Ok::<Kept, StoreError>(Arc::new(make.await?)) }).await?;
        kept.clone().downcast::<T>().map_err(|_| StoreError::Internal("a cache key holds two kinds of value".into()))
    }

    /// How many figures of data version `g` the warmer has pinned (0 under another version).
    pub fn pinned(&self, g: i64) -> usize {
        let inner = self.inner.lock().expect("cache lock");
        if inner.generation == g { inner.pinned } else { 0 }
    }

    /// Records a finished warm-up.
    pub fn set_warmed(&self, w: Warmed) {
        *self.warmed.lock().expect("cache lock") = Some(w);
    }

    /// The last finished warm-up, if any.
    pub fn warmed(&self) -> Option<Warmed> {
        *self.warmed.lock().expect("cache lock")
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

    /// Every target of the plan (key, counted, rules) for a scope and year, as `figures::targets::all`
    /// puts them, made of the kept parts: the list and each target's page share one computation.
    pub async fn targets(&self, db: &Db, scope: &Scope, year: i32) -> Result<Arc<Vec<TargetResult>>, StoreError> {
        let plan = self.plan(db).await?;
        let make = async {
            let mut out: Vec<TargetResult> = self.indicators(db, scope, year).await?.iter().map(from_key).collect();
            for t in &plan.targets {
                out.push((*self.counted(db, &t.designation_kind, scope, year).await?).clone());
            }
            for r in &plan.rules {
                out.push((*self.rule_counts(db, &r.id, scope, year).await?).clone());
            }
            Ok(out)
        };
        self.get_or(db, format!("targets {scope:?} {year}"), make).await
    }

    /// A rule for a scope and year, with what fails it (the `/target/{id}` page).
    pub async fn rule(
        &self,
        db: &Db,
        id: &str,
        scope: &Scope,
        year: i32,
    ) -> Result<Arc<(TargetResult, Vec<Failure>)>, StoreError> {
        let plan = self.plan(db).await?;
        let r = plan.rule(id).ok_or_else(|| StoreError::not_found(format!("no rule {id}")))?;
        self.get_or(db, format!("rule {id} {scope:?} {year}"), rule(db, &plan, r, scope, year)).await
    }

    /// A rule for a scope and year without its failures (the targets list, a rule page's
    /// districts): a nation's failures are hundreds of thousands of teachers, read only for the
    /// rule's own page.
    pub async fn rule_counts(
        &self,
        db: &Db,
        id: &str,
        scope: &Scope,
        year: i32,
    ) -> Result<Arc<TargetResult>, StoreError> {
        let plan = self.plan(db).await?;
        let r = plan.rule(id).ok_or_else(|| StoreError::not_found(format!("no rule {id}")))?;
        self.get_or(db, format!("rule counts {id} {scope:?} {year}"), rule_counts(db, &plan, r, scope, year)).await
    }

    /// A counted target (by its designation kind) for a scope and year.
    pub async fn counted(
        &self,
        db: &Db,
        kind: &str,
        scope: &Scope,
        year: i32,
    ) -> Result<Arc<TargetResult>, StoreError> {
        let plan = self.plan(db).await?;
        let t = plan
            .targets
            .iter()
            .find(|t| t.designation_kind == kind)
            .ok_or_else(|| StoreError::not_found(format!("no target {kind}")))?;
        self.get_or(db, format!("counted {kind} {scope:?} {year}"), counted(db, &plan, t, scope, year)).await
    }

    /// The teacher figures of a scope and year (the register as it stands today).
    pub async fn teachers(&self, db: &Db, scope: &Scope, year: i32) -> Result<Arc<TeacherFigures>, StoreError> {
        let plan = self.plan(db).await?;
        let today = chrono::Local::now().date_naive();
        self.get_or(db, format!("teachers {scope:?} {year} {today}"), teachers::figures(db, &plan, scope, year, today))
            .await
    }

    /// The credit bank's figures of a scope and year (the dashboard's panel).
    pub async fn credit(
        &self,
        db: &Db,
        scope: &Scope,
        year: i32,
    ) -> Result<Arc<crate::figures::credit::CreditFigures>, StoreError> {
        self.get_or(db, format!("credit {scope:?} {year}"), crate::figures::credit::figures(db, scope, year)).await
    }

    /// The returns board of a scope and year as it stands today: every submission is a write,
    /// so the data version tells when it changed (the dashboard's coverage panel).
    pub async fn board(
        &self,
        db: &Db,
        scope: &Scope,
        year: i64,
    ) -> Result<Arc<crate::figures::progress::Board>, StoreError> {
        let today = crate::messages::time::today();
        self.get_or(
            db,
            format!("board {scope:?} {year} {today}"),
            crate::figures::progress::board(db, year, scope, today),
        )
        .await
    }

    /// Every agreement's cohort funnels and their roll-ups.
    pub async fn pathways(&self, db: &Db) -> Result<Arc<crate::figures::pathway::PathwayFigures>, StoreError> {
        self.get_or(db, "pathways".into(), crate::figures::pathway::figures(db)).await
    }

    /// Every school's allocation of a year under the funding tables in use.
    pub async fn allocation(&self, db: &Db, year: i32) -> Result<Arc<crate::figures::funding::Allocation>, StoreError> {
        self.get_or(db, format!("allocation {year}"), async move {
            let (pack, _) = crate::store::funding::active(db).await?;
            crate::figures::funding::allocate(db, &pack, year, None).await
        })
        .await
    }

    /// The training directory of a year (every provider and project, unfiltered), as of today:
    /// grades depend on the events, public rows on the display periods.
    pub async fn training_directory(
        &self,
        db: &Db,
        year: i64,
    ) -> Result<Arc<crate::figures::integrity::Directory>, StoreError> {
        self.get_or(db, format!("training directory {year}"), crate::figures::integrity::directory(db, year)).await
    }

    /// A provider's public page of a year, as of today (events leave it when their period ends).
    pub async fn provider_page(
        &self,
        db: &Db,
        code: &str,
        year: i64,
    ) -> Result<Arc<Option<crate::figures::integrity::PublicPage>>, StoreError> {
        let today = chrono::Local::now().date_naive();
        let key = format!("provider {code} {year} {today}");
        self.get_or(db, key, crate::figures::integrity::public_page(db, code, Some(year), today)).await
    }

    /// The city's integrity figures of a year, with the providers whose grade fell.
    pub async fn integrity_figures(
        &self,
        db: &Db,
        year: i64,
    ) -> Result<Arc<crate::figures::integrity::city::CityFigures>, StoreError> {
        self.get_or(db, format!("integrity figures {year}"), crate::figures::integrity::city::figures(db, year)).await
    }

    /// The year the training pages show by default.
    pub async fn training_year(&self, db: &Db) -> Result<i64, StoreError> {
        let today = chrono::Local::now().date_naive();
        let y = self.get_or(db, "training year".into(), crate::figures::integrity::default_year(db, today)).await?;
        Ok(*y)
    }

    /// Every quality report that is or was published (the portal never shows a draft).
    pub async fn published_reports(
        &self,
        db: &Db,
    ) -> Result<Arc<Vec<crate::store::quality_report::Report>>, StoreError> {
        self.get_or(db, "published reports".into(), async move {
            let all = crate::store::quality_report::all(db, None).await?;
            Ok(all
                .into_iter()
                .filter(|r| {
                    use crate::domain::quality::report::ReportStatus as S;
                    matches!(r.status, S::Published | S::Superseded)
                })
                .collect())
        })
        .await
    }

    /// A published report's file (PDF or DOCX), typeset once per data version.
    pub async fn report_file(
        &self,
        db: &Db,
        subject: &str,
        year: i64,
        format: &str,
        make: impl FnOnce() -> Result<Vec<u8>, StoreError>,
    ) -> Result<Arc<Vec<u8>>, StoreError> {
        self.get_or(db, format!("report file {subject} {year} {format}"), async move { make() }).await
    }

    /// school → (latest year, programs offered that year).
    pub async fn offerings(&self, db: &Db) -> Result<Arc<HashMap<String, (i64, Vec<String>)>>, StoreError> {
        self.get_or(db, "offerings".into(), crate::store::portal::offerings(db)).await
    }

    /// (level, program code) → catalogue name.
    pub async fn program_names(&self, db: &Db) -> Result<Arc<HashMap<(String, String), String>>, StoreError> {
        self.get_or(db, "program names".into(), async move {
            Ok(crate::store::registry::all_programs(db).await?.into_iter().map(|(l, c, n)| ((l, c), n)).collect())
        })
        .await
    }

    /// The city's districts: code → name.
    pub async fn district_names(&self, db: &Db) -> Result<Arc<HashMap<String, String>>, StoreError> {
        self.get_or(db, "district_names".into(), crate::store::registry::district_names(db)).await
    }

    /// What the district list spans (a city, a province, the nation).
    pub async fn extent(&self, db: &Db) -> Result<crate::domain::extent::Extent, StoreError> {
        let names = self.district_names(db).await?;
        let codes: Vec<&str> = names.keys().map(String::as_str).collect();
        let extent = async { Ok(crate::domain::extent::Extent::of(&codes)) };
        Ok(*self.get_or(db, "extent".into(), extent).await?)
    }

    /// A region's name and how many listed districts it holds; refused when it holds none.
    pub async fn region(&self, db: &Db, region: &str) -> Result<Arc<(String, i64)>, StoreError> {
        self.get_or(db, format!("region {region}"), crate::store::districts::region(db, region)).await
    }

    /// The provinces the district list spans, with their names (a national installation's picker).
    pub async fn provinces(&self, db: &Db) -> Result<Arc<Vec<(String, String)>>, StoreError> {
        self.get_or(db, "provinces".into(), crate::store::districts::provinces(db)).await
    }

    /// The current schools of the registry.
    pub async fn schools(&self, db: &Db) -> Result<Arc<Vec<School>>, StoreError> {
        self.get_or(db, "schools".into(), crate::store::registry::schools(db)).await
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

    /// Every indicator's breakdown by `by`, one line per key in key order: a dashboard's
    /// comparison, merged once per data version rather than on every request (a county of a
    /// national installation compares 300 schools, ten values each).
    pub async fn lines(&self, db: &Db, scope: &Scope, year: i32, by: By) -> Result<Arc<Vec<Line>>, StoreError> {
        let key = format!("lines {scope:?} {year} {by:?}");
        self.get_or(db, key, async {
            let plan = self.plan(db).await?;
            let mut each = Vec::with_capacity(plan.indicators.len());
            for ind in &plan.indicators {
                each.push(self.breakdown(db, &ind.id, scope, year, by).await?.as_ref().clone());
            }
            Ok(lines(&each))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_cache_lets_the_least_recently_used_eighth_go_and_keeps_what_the_warmer_pinned() {
        let mut inner = Inner::default();
        // Every other figure pinned; figure i last used at tick i.
        for i in 0..CAPACITY {
            let slot = Slot { pinned: i % 2 == 0, used: i as u64, ..Slot::default() };
            inner.kept.insert(format!("k{i}"), slot);
        }
        inner.make_room();
        assert_eq!(inner.kept.len(), CAPACITY - CAPACITY / 8);
        for i in 0..CAPACITY {
            // The unpinned ones are the odd ones; the oldest CAPACITY / 8 of them are below 2 × that.
            let kept = i % 2 == 0 || i >= 2 * (CAPACITY / 8);
            assert_eq!(inner.kept.contains_key(&format!("k{i}")), kept, "figure {i}");
        }
    }

    #[test]
    fn a_cache_of_pinned_figures_only_lets_none_go() {
        let mut inner = Inner::default();
        for i in 0..10 {
            inner.kept.insert(format!("k{i}"), Slot { pinned: true, ..Slot::default() });
        }
        inner.make_room();
        assert_eq!(inner.kept.len(), 10);
    }
}

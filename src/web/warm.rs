//! Figures computed before anyone asks for them. `vetis serve` warms the cache at start and again
//! after every change of the data version (an approval, an import beside the server, a plan load):
//! the city's and every district's indicators, targets, rule details, counted targets and
//! breakdowns, the latest year first, then the years before it. A reader who asks meanwhile
//! shares the computation under way instead of starting a second one; a change in the middle
//! starts the warm-up again on the new data. Schools' figures are cheap (one school's blocks) and
//! are left to be computed when asked for.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::cache::{FigureCache, Warmed};
use crate::figures::Scope;
use crate::figures::breakdown::By;
use crate::store::{Db, StoreError};

/// How often the data version is looked at for a change when nothing is being warmed.
const WATCH: Duration = Duration::from_millis(250);

/// After a failed warm-up (the database away), the next try waits this long.
const RETRY: Duration = Duration::from_secs(5);

/// How a warm-up ended.
enum Outcome {
    /// Every figure of this version is kept.
    Done(Warmed),
    /// The data changed meanwhile: start again on the new version.
    Changed,
}

/// Keeps the cache warm for as long as the server runs.
pub async fn keep_warm(db: Arc<Db>, cache: Arc<FigureCache>) {
    let mut warmed: Option<i64> = None;
    loop {
        match cache.generation(&db).await {
            Ok(g) if Some(g) != warmed => match warm(&db, &cache, g).await {
                Ok(Outcome::Done(w)) => {
                    tracing::info!(target: "vetis::warm", "figures of data version {} warm: {} figures in {} ms", w.version, w.figures, w.millis);
                    warmed = Some(g);
                    cache.set_warmed(w);
                }
                Ok(Outcome::Changed) => continue,
                Err(e) => {
                    tracing::warn!(target: "vetis::warm", "warming the figures failed, trying again in {} s: {e}", RETRY.as_secs());
                    tokio::time::sleep(RETRY).await;
                }
            },
            Ok(_) => tokio::time::sleep(WATCH).await,
            Err(e) => {
                tracing::warn!(target: "vetis::warm", "the data version could not be read: {e}");
                tokio::time::sleep(RETRY).await;
            }
        }
    }
}

/// Computes every figure a page of the city or a district may ask for under data version `g`.
async fn warm(db: &Db, cache: &FigureCache, g: i64) -> Result<Outcome, StoreError> {
    let start = Instant::now();
    let plan = cache.plan(db).await?;
    let latest = cache.latest_year(db).await?;
    // The districts that hold schools: a national list has thousands of empty ones, whose pages
    // are empty and cheap; and a whole that spans provinces is compared by province.
    let schools = cache.schools(db).await?;
    let districts: std::collections::BTreeSet<&str> = schools.iter().map(|s| s.district.as_str()).collect();
    let provinces: std::collections::BTreeSet<&str> = districts.iter().map(|d| d.get(..2).unwrap_or(d)).collect();
    // As the pages decide it: by what the installation's district list spans.
    let mut scopes = Vec::new();
    if cache.extent(db).await? == crate::domain::extent::Extent::Nation {
        scopes.push((Scope::City, By::Province));
        scopes.extend(provinces.iter().map(|p| (Scope::Region(p.to_string()), By::District)));
    } else {
        scopes.push((Scope::City, By::District));
    }
    scopes.extend(districts.iter().map(|d| (Scope::District(d.to_string()), By::School)));
    // The latest year is every page's default: it comes first.
    let years: Vec<i32> = (plan.baseline_year..=latest.max(plan.baseline_year)).rev().collect();
    for year in years {
        for (scope, by) in &scopes {
            if cache.generation(db).await? != g {
                return Ok(Outcome::Changed);
            }
            // The targets are made of the indicators, counted targets and rule details: all kept.
            cache.targets(db, scope, year).await?;
            for ind in &plan.indicators {
                cache.breakdown(db, &ind.id, scope, year, *by).await?;
            }
        }
    }
    // The pathway funnels and the latest year's allocation: one computation each, for every scope.
    cache.pathways(db).await?;
    // A year the funding tables do not cover is the page's to explain, not a failed warm-up.
    if let Err(e) = cache.allocation(db, latest).await {
        tracing::debug!(target: "vetis::web", "no allocation to warm for {latest}: {e}");
    }
    // The dashboard's grade drops and the public training directory of the latest year.
    cache.integrity_figures(db, i64::from(latest)).await?;
    let training_year = cache.training_year(db).await?;
    cache.training_directory(db, training_year).await?;
    if cache.generation(db).await? != g {
        return Ok(Outcome::Changed);
    }
    let figures = cache.pin(g);
    Ok(Outcome::Done(Warmed { version: g, figures, millis: start.elapsed().as_millis() }))
}

/// `GET /readyz`: 200 when the figures of the current data version are all computed, 503 while
/// they are being computed (a load balancer sends readers elsewhere meanwhile); with what the
/// last warm-up did.
pub async fn readyz(axum::extract::State(state): axum::extract::State<super::AppState>) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let version = match state.db.data_version().await {
        Ok(v) => v,
        Err(e) => {
            tracing::warn!(target: "vetis::warm", "readyz: the data version could not be read: {e}");
            let body = serde_json::json!({ "ready": false, "error": "database unavailable / 数据库不可用" });
            return (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response();
        }
    };
    let warmed = state.cache.warmed();
    let ready = warmed.is_some_and(|w| w.version == version);
    let body = serde_json::json!({ "ready": ready, "data_version": version, "warmed": warmed });
    let status = if ready { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    (status, axum::Json(body)).into_response()
}

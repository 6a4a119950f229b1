//! Figures computed before anyone asks for them. `vetis serve` warms the cache at start and again
//! after every change of the data version (an approval, an import beside the server, a plan load):
//! the whole's, the provinces' and the districts' indicators, targets (rules counted, without
//! their failures), counted targets and breakdowns, as many as the cache keeps for the warmer
//! (see `warm`). A reader who asks meanwhile shares the computation under way instead of starting
//! a second one; a change in the middle starts the warm-up again on the new data. Schools'
//! figures are cheap (one school's blocks) and are left to be computed when asked for.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::cache::{FigureCache, WARM_BUDGET, Warmed};
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

/// Computes the figures pages of the whole, its provinces and its districts ask for, pinned so
/// that readers' requests cannot push them out, until `WARM_BUDGET` is reached: first every year
/// of the whole and of each province (each is a sum over many schools' blocks), then the districts
/// of the latest year, largest first, then the years before it. A city installation's set fits
/// whole; a nation's 2,850 counties do not, and the smaller ones are computed when asked for (one
/// county's blocks, a few milliseconds a figure).
async fn warm(db: &Db, cache: &FigureCache, g: i64) -> Result<Outcome, StoreError> {
    let start = Instant::now();
    let plan = cache.plan(db).await?;
    let latest = cache.latest_year(db).await?;
    // The districts that hold schools, most schools first: a national list has thousands of
    // empty ones, whose pages are empty and cheap.
    let schools = cache.schools(db).await?;
    let mut held: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for s in schools.iter() {
        *held.entry(s.district.as_str()).or_default() += 1;
    }
    let districts: Vec<(&str, usize)> = held.into_iter().collect();
    let provinces: std::collections::BTreeSet<&str> = districts.iter().map(|(d, _)| d.get(..2).unwrap_or(d)).collect();
    // As the pages decide it: by what the installation's district list spans.
    let mut wholes = Vec::new();
    if cache.extent(db).await? == crate::domain::extent::Extent::Nation {
        wholes.push((Scope::City, By::Province));
        wholes.extend(provinces.iter().map(|p| (Scope::Region(p.to_string()), By::District)));
    } else {
        wholes.push((Scope::City, By::District));
    }
    // The latest year is every page's default: it comes first.
    let years: Vec<i32> = (plan.baseline_year..=latest.max(plan.baseline_year)).rev().collect();
    let order = warm_order(&wholes, &districts, &years);
    let total = order.len();
    let mut done = 0;
    let pass = super::cache::as_warmer(async {
        for (scope, by, year) in &order {
            if cache.generation(db).await? != g {
                return Ok::<bool, StoreError>(false);
            }
            if cache.pinned(g) >= WARM_BUDGET {
                break;
            }
            // The targets are made of the indicators, counted targets and rules: all kept.
            cache.targets(db, scope, *year).await?;
            for ind in &plan.indicators {
                cache.breakdown(db, &ind.id, scope, *year, *by).await?;
            }
            // The dashboard's comparison, merged from those breakdowns.
            cache.lines(db, scope, *year, *by).await?;
            done += 1;
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
        Ok(true)
    })
    .await?;
    if !pass || cache.generation(db).await? != g {
        return Ok(Outcome::Changed);
    }
    if done < total {
        tracing::info!(target: "vetis::warm", "the warm set is full: {done} of {total} scopes and years warmed, the rest computed when asked for");
    }
    let figures = cache.pinned(g);
    Ok(Outcome::Done(Warmed { version: g, figures, millis: start.elapsed().as_millis() }))
}

/// The order figures are warmed in: every year of the wholes (the installation and its
/// provinces, each with what its comparison is by), latest first; then each year's districts
/// (with their number of schools), most schools first.
fn warm_order(wholes: &[(Scope, By)], districts: &[(&str, usize)], years: &[i32]) -> Vec<(Scope, By, i32)> {
    let mut by_size = districts.to_vec();
    by_size.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut order: Vec<(Scope, By, i32)> = Vec::new();
    for &year in years {
        order.extend(wholes.iter().map(|(s, b)| (s.clone(), *b, year)));
    }
    for &year in years {
        order.extend(by_size.iter().map(|(d, _)| (Scope::District(d.to_string()), By::School, year)));
    }
    order
}

/// `GET /readyz`: 200 when the warm set of the current data version is computed, 503 while
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wholes_of_every_year_are_warmed_before_any_district_and_larger_districts_first() {
        let wholes = [(Scope::City, By::Province), (Scope::Region("44".into()), By::District)];
        let districts = [("110105", 3), ("440106", 323), ("440103", 12)];
        let got = warm_order(&wholes, &districts, &[2025, 2024]);
        let d = |c: &str, y| (Scope::District(c.into()), By::School, y);
        let want = vec![
            (Scope::City, By::Province, 2025),
            (Scope::Region("44".into()), By::District, 2025),
            (Scope::City, By::Province, 2024),
            (Scope::Region("44".into()), By::District, 2024),
            d("440106", 2025),
            d("440103", 2025),
            d("110105", 2025),
            d("440106", 2024),
            d("440103", 2024),
            d("110105", 2024),
        ];
        assert_eq!(got, want);
    }
}

//! The dashboard: "are we going to meet the plan?" for the viewer's scope and a chosen year, with
//! alerts, trend charts and a comparison one level down (districts, a district's schools, or the
//! school beside its district and the city).

use axum::extract::{Query, State};
use axum::response::Response;
use serde::Serialize;

use super::scope::{
    PageScope, ScopeQuery, district_names, school_info, scope_options, scope_query, scope_value, spans_provinces, whole,
};
use super::targets::PageNo;
use super::{OrPage, PageError, Viewer, pager, render};
use crate::domain::access::Target;
use crate::domain::plan::{Indicator, Plan, TargetScope};
use crate::figures::Scope;
use crate::figures::breakdown::{By, Line};
use crate::figures::indicators::{IndicatorResult, display};
use crate::messages::Lang;
use crate::web::AppState;
use crate::web::chart::trend;

#[derive(Serialize)]
pub struct CardView {
    id: String,
    number: u32,
    name: String,
    value: String,
    unit: String,
    target: String,
    /// Where the target comes from below the city: a share of the city's, or only the city's.
    target_note: Option<String>,
    baseline: String,
    attribute: String,
    status: String,
    status_key: &'static str,
    projection: Option<String>,
    numerator: Option<String>,
    denominator: Option<String>,
    chart: String,
}

impl CardView {
    pub fn new(r: &IndicatorResult, lang: Lang) -> CardView {
        let en = lang == Lang::En;
        // Below the city (whose baseline is its own first-year value, see `figures::indicators`)
        // a count in 万 reads better as a plain number.
        let local = r.scope != Scope::City;
        let baseline = r.baseline;
        let plain = local && r.unit.starts_with('万');
        let show = |v: Option<f64>| {
            if plain {
                v.map_or("—".into(), |v| crate::messages::numbers::grouped(v * 10_000.0, 0))
            } else {
                display(v, r.decimals)
            }
        };
        let unit = match (plain, en) {
            (true, true) => r.unit_en.trim_start_matches("10k ").to_string(),
            (true, false) => r.unit.trim_start_matches('万').to_string(),
            (false, true) => r.unit_en.clone(),
            (false, false) => r.unit.clone(),
        };
        let (value, baseline, projection) = (show(r.value), show(baseline), r.projection_2025.map(|p| show(Some(p))));
        CardView {
            id: r.id.clone(),
            number: r.number,
            name: if en { r.name_en.clone() } else { r.name.clone() },
            value,
            unit,
            target: r.target.map_or("—".into(), |t| {
                // The plan's own figure as the plan writes it (≥50, ≈10); a district's share in
                // the unit its value is shown in.
                let t = if r.target_share.is_some() {
                    show(Some(t))
                } else {
                    crate::messages::numbers::grouped(t, if t.fract() == 0.0 { 0 } else { r.decimals as usize })
                };
                format!("{}{t}", r.comparator_symbol)
            }),
            target_note: match (r.target_share, local && r.target.is_none(), en) {
                (Some(p), _, false) => Some(format!("全市目标的 {p}%（区级分解）")),
                (Some(p), _, true) => Some(format!("{p}% of the city's target, as the bureau split it")),
                (None, true, false) => Some("此项目标只适用于全市，未分解到本范围".into()),
                (None, true, true) => Some("the target is the city's; it is not split to this scope".into()),
                _ => None,
            },
            baseline,
            attribute: match (r.attribute.as_str(), en) {
                ("binding", false) => "约束性".into(),
                ("binding", true) => "binding".into(),
                (_, false) => "预期性".into(),
                (_, true) => "expected".into(),
            },
            status: if en { r.status.en().into() } else { r.status.zh().into() },
            status_key: r.status.key(),
            projection,
            numerator: r.numerator.map(|n| crate::messages::numbers::grouped(n, 0)),
            denominator: r.denominator.map(|n| crate::messages::numbers::grouped(n, 0)),
            chart: trend(r, lang),
        }
    }
}

/// The binding indicators in trouble, each with what it takes to reach its target.
pub fn alerts(plan: &Plan, results: &[IndicatorResult], lang: Lang) -> Vec<serde_json::Value> {
    results
        .iter()
        .filter(|r| r.alert)
        .map(|r| {
            let (name, status) = if lang == Lang::En { (&r.name_en, r.status.en()) } else { (&r.name, r.status.zh()) };
            let takes = crate::figures::shortfall::shortfall(plan, r, None).map(|s| {
                let reach = s.reach_year.map_or(String::new(), |y| y.to_string());
                match (lang, s.reach_year) {
                    (Lang::En, Some(_)) => format!("{} needed; at the present trend reached in {reach}", s.text_en),
                    (Lang::En, None) => format!(
                        "{} needed; at the present trend not reached before {}",
                        s.text_en,
                        crate::figures::shortfall::HORIZON_YEAR
                    ),
                    (_, Some(_)) => format!("还差 {}，按当前趋势 {reach} 年达到", s.text_zh),
                    (_, None) => {
                        format!("还差 {}，按当前趋势 {} 年前达不到", s.text_zh, crate::figures::shortfall::HORIZON_YEAR)
                    }
                }
            });
            serde_json::json!({ "id": r.id, "name": name, "status": status, "status_key": r.status.key(), "takes": takes })
        })
        .collect()
}

#[derive(Serialize)]
struct CompareCell {
    value: String,
    /// `meets`, `misses` or empty (no target here or no value).
    mark: &'static str,
}

#[derive(Serialize)]
struct CompareRow {
    label: String,
    href: Option<String>,
    cells: Vec<CompareCell>,
}

/// A value beside the target that applies in its year, marked only where the plan's target applies
/// at every scope: in and after the target year the final target, in a mid-term year its mid-term
/// target; in other years no mark (the value is on its way, judged by the trend on the card).
/// A comparison cell, marked against the target that applies to its row: a target for every
/// district and school, or for a city total the part of it the row has (`part`: 1 for the city,
/// the bureau's share for a district or school, None where the target is the city's alone).
fn cell(ind: &Indicator, target_year: i32, year: i32, value: Option<f64>, part: Option<f64>) -> CompareCell {
    let part = if ind.target_scope == TargetScope::All { Some(1.0) } else { part };
    let target = part.and_then(|p| {
        if year >= target_year {
            Some(ind.target * p)
        } else {
            ind.interim.iter().find(|i| i.year == year).map(|i| i.target * p)
        }
    });
    let mark = match (value, target) {
        (Some(v), Some(t)) => {
            if ind.comparator.satisfied(v, t) {
                "meets"
            } else {
                "misses"
            }
        }
        _ => "",
    };
    CompareCell { value: display(value, ind.decimals), mark }
}

/// The part of a city total's target the bureau gave a district or a school (see `domain::shares`).
fn part_of(
    plan: &crate::domain::plan::Plan,
    ind: &Indicator,
    district: Option<&str>,
    school: Option<&str>,
) -> Option<f64> {
    crate::domain::shares::share_of(&plan.shares, &ind.id, district, school).map(|s| s.percent / 100.0)
}

/// A page of the comparison under the cards: its title, the rows shown, how many rows in all and
/// the page shown. Only the page's rows are built: a county of a national installation has 300
/// schools, and building each of them on every request was most of its dashboard's extra time.
async fn comparison(
    state: &AppState,
    v: &Viewer,
    scope: &Scope,
    year: i32,
    results: &[IndicatorResult],
    page: Option<usize>,
) -> Result<(String, Vec<CompareRow>, usize, usize), PageError> {
    let plan = state.cache.plan(&state.db).await.page(v)?;
    let plan = &plan;
    match scope {
        Scope::City | Scope::Region(_) => {
            // A national installation's whole compares its provinces; a province its districts.
            let provinces = *scope == Scope::City && spans_provinces(state).await.page(v)?;
            let by = if provinces { By::Province } else { By::District };
            let lines = state.cache.lines(&state.db, scope, year, by).await.page(v)?;
            let (shown, total, page) = paged(lines.iter().collect(), page);
            let rows = shown
                .into_iter()
                .map(|l| CompareRow {
                    label: l.label.clone(),
                    href: Some(if provinces {
                        format!("/dashboard?region={}&year={year}", l.key)
                    } else {
                        format!("/dashboard?district={}&year={year}", l.key)
                    }),
                    cells: plan
                        .indicators
                        .iter()
                        .zip(&l.values)
                        .map(|(i, val)| {
                            let part = if provinces { None } else { part_of(plan, i, Some(&l.key), None) };
                            cell(i, plan.target_year, year, *val, part)
                        })
                        .collect(),
                })
                .collect();
            Ok((v.t(if provinces { "compare_provinces" } else { "compare_districts" }), rows, total, page))
        }
        Scope::District(district) => {
            let lines = state.cache.lines(&state.db, scope, year, By::School).await.page(v)?;
            let readable =
                lines.iter().filter(|l| v.who.may_read_figures(&Target::School { code: &l.key, district })).collect();
            let (shown, total, page) = paged(readable, page);
            let rows = shown
                .into_iter()
                .map(|l| CompareRow {
                    label: l.label.clone(),
                    href: Some(format!("/dashboard?school={}&year={year}", l.key)),
                    cells: plan
                        .indicators
                        .iter()
                        .zip(&l.values)
                        .map(|(i, val)| cell(i, plan.target_year, year, *val, part_of(plan, i, None, Some(&l.key))))
                        .collect(),
                })
                .collect();
            Ok((v.t("compare_schools"), rows, total, page))
        }
        Scope::School(s) => {
            let (_, d) = school_info(state, s).await.page(v)?;
            let names = district_names(state).await.page(v)?;
            let district = state.cache.indicators(&state.db, &Scope::District(d.clone()), year).await.page(v)?;
            let city = state.cache.indicators(&state.db, &Scope::City, year).await.page(v)?;
            // Each row is judged on its own part of a city total: the school's and the district's
            // shares where the bureau set them, the whole target for the city.
            let row = |label: String, href: Option<String>, rs: &[IndicatorResult]| CompareRow {
                label,
                href,
                cells: plan
                    .indicators
                    .iter()
                    .zip(rs)
                    .map(|(i, x)| {
                        let part = match &x.scope {
                            Scope::City => Some(1.0),
                            Scope::Region(_) => None,
                            Scope::District(d) => part_of(plan, i, Some(d), None),
                            Scope::School(c) => part_of(plan, i, None, Some(c)),
                        };
                        cell(i, plan.target_year, year, x.value, part)
                    })
                    .collect(),
            };
            Ok((
                v.t("compare_levels"),
                vec![
                    row(v.t("school"), None, results),
                    row(
                        names.get(&d).cloned().unwrap_or(d.clone()),
                        Some(format!("/dashboard?district={d}&year={year}")),
                        &district,
                    ),
                    row(whole(state, v).await?, Some(format!("/dashboard?scope=city&year={year}")), &city),
                ],
                3,
                1,
            ))
        }
    }
}

/// The page of `lines` asked for (the last one when past the end), how many in all and which page.
fn paged(lines: Vec<&Line>, page: Option<usize>) -> (Vec<&Line>, usize, usize) {
    let total = lines.len();
    let pages = total.div_ceil(COMPARE_ROWS).max(1);
    let page = page.unwrap_or(1).clamp(1, pages);
    let shown = lines.into_iter().skip((page - 1) * COMPARE_ROWS).take(COMPARE_ROWS).collect();
    (shown, total, page)
}

/// Rows of the comparison shown at a time. A county of a national installation has 300 schools;
/// rendering every one of them was most of its dashboard's time (p99 203 ms at 50 connections).
const COMPARE_ROWS: usize = 50;

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ScopeQuery>,
    Query(pn): Query<PageNo>,
) -> Result<Response, PageError> {
    let PageScope { scope, label, plan, latest, year } = q.resolve(&state, &v).await?;
    let results = state.cache.indicators(&state.db, &scope, year).await.page(&v)?;
    let cards: Vec<CardView> = results.iter().map(|r| CardView::new(r, v.lang)).collect();
    let (compare_title, compare_rows, total, page) = comparison(&state, &v, &scope, year, &results, pn.page).await?;
    let pages = total.div_ceil(COMPARE_ROWS).max(1);
    let sq = scope_query(&scope);
    let compare_pager = pager(&v, page, pages, total, |p| format!("/dashboard?year={year}{sq}&page={p}#compare-h"));
    let heads: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            serde_json::json!({ "number": r.number, "name": if v.lang == Lang::En { &r.name_en } else { &r.name },
            "unit": if v.lang == Lang::En { &r.unit_en } else { &r.unit },
            "target": r.target.map(|t| format!("{}{t}", r.comparator_symbol)) })
        })
        .collect();
    let years: Vec<i32> = (plan.baseline_year..=latest.max(plan.baseline_year)).rev().collect();
    // Sums of the credit blocks, kept until the data version changes (as every figure here).
    let credit = state.cache.credit(&state.db, &scope, year).await.page(&v)?;
    let teachers = state.cache.teachers(&state.db, &scope, year).await.page(&v)?;
    // Providers whose integrity grade fell since the year before, within the scope.
    let integrity = state.cache.integrity_figures(&state.db, i64::from(year)).await.page(&v)?;
    let drops: Vec<&crate::figures::integrity::city::Drop> = integrity
        .drops
        .iter()
        .filter(|d| match &scope {
            Scope::City => true,
            Scope::Region(r) => d.district_code.starts_with(r.as_str()),
            Scope::District(dc) => d.district_code == *dc,
            Scope::School(s) => d.code == *s,
        })
        .collect();
    // How complete the year's returns are: what the figures rest on (the Daily work issue).
    let board = state.cache.board(&state.db, &scope, i64::from(year)).await.page(&v)?;
    let coverage: Vec<serde_json::Value> = board
        .columns
        .iter()
        .filter(|c| c.owed > 0)
        .map(|c| {
            let name = if v.lang == Lang::En { c.table.to_string() } else { c.name_zh.to_string() };
            serde_json::json!({ "table": c.table, "name": name, "approved": c.approved, "owed": c.owed,
                "pending": c.submitted - c.approved, "full": c.approved == c.owed })
        })
        .collect();
    let options: Vec<serde_json::Value> = scope_options(&state, &v, (&scope, &label))
        .await?
        .into_iter()
        .map(|(value, label)| serde_json::json!({ "value": value, "label": label }))
        .collect();
    render(
        "dashboard.html",
        &v,
        serde_json::json!({
            "scope_label": label,
            "scope_value": scope_value(&scope),
            "scope_query": scope_query(&scope),
            "year": year,
            "years": years,
            "options": options,
            "cards": cards,
            "alerts": alerts(&plan, &results, v.lang),
            "compare_title": compare_title,
            "compare_heads": heads,
            "compare_rows": compare_rows,
            "compare_pager": compare_pager,
            "f": CreditPanel::of(&credit),
            "tf": &*teachers,
            "grade_drops": drops,
            "coverage": coverage,
            "coverage_full": board.columns.iter().all(|c| c.approved == c.owed),
            "coverage_schools": board.rows.len(),
        }),
    )
}

/// The credit figures the dashboard's panel shows: without the per-program list, which at
/// national scale is most of the figures (120 KB of JSON) and would be converted on every request.
#[derive(Serialize)]
struct CreditPanel<'a> {
    year: i32,
    #[serde(flatten)]
    totals: &'a crate::store::credit_blocks::Tally,
    holder_share: Option<f64>,
    granted_share: Option<f64>,
    top_reasons: &'a [crate::figures::credit::ReasonCount],
}

impl<'a> CreditPanel<'a> {
    fn of(f: &'a crate::figures::credit::CreditFigures) -> CreditPanel<'a> {
        CreditPanel {
            year: f.year,
            totals: &f.totals,
            holder_share: f.holder_share,
            granted_share: f.granted_share,
            top_reasons: &f.top_reasons,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comparison_cell_is_marked_against_the_part_of_a_city_total_its_row_has() {
        let plan = crate::domain::plan::Plan::from_toml(crate::domain::plan::GUANGZHOU_PLAN).unwrap();
        let enrolment = plan.indicator("secondary_enrolment").unwrap();
        // About 10 万 (±5 %) for the city; a district with 30 % of it meets 3.1 万 and misses 2.5 万.
        assert_eq!(cell(enrolment, 2025, 2025, Some(3.1), Some(0.3)).mark, "meets");
        assert_eq!(cell(enrolment, 2025, 2025, Some(2.5), Some(0.3)).mark, "misses");
        assert_eq!(cell(enrolment, 2025, 2025, Some(2.5), None).mark, "", "no share: the target is the city's");
        assert_eq!(cell(enrolment, 2025, 2025, Some(9.0), Some(1.0)).mark, "misses", "the city against the whole");
        // A ratio's target applies to every row, share or not.
        let dual = plan.indicator("secondary_dual_qualified_share").unwrap();
        assert_eq!(cell(dual, 2025, 2025, Some(71.0), None).mark, "meets");
    }
}

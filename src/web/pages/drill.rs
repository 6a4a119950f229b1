//! Drill-down: from any figure to the one below it (city → district → school) and, at a school,
//! to the rows that make up the numerator and the denominator, paged and masked.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::dashboard::CardView;
use super::scope::{PageScope, ScopeQuery, school_info, scope_query};
use super::{OrPage, PageError, Viewer, render, urlencode};
use crate::domain::access::Target;
use crate::domain::plan::{Formula, Measure};
use crate::domain::standard::Table;
use crate::figures::Scope;
use crate::figures::breakdown::By;
use crate::figures::indicators::display;
use crate::messages::Lang;
use crate::store::record_rows::{Cell, Order, Page, PageFrom, RowFilter, RowKey, RowRequest, count_rows, page_of_rows};
use crate::web::AppState;
use crate::web::error::WebError;

#[derive(Serialize)]
struct GroupRow {
    label: String,
    href: Option<String>,
    value: String,
    numerator: Option<String>,
    denominator: Option<String>,
}

#[derive(Serialize)]
struct Breakdown {
    title: String,
    rows: Vec<GroupRow>,
    /// The districts' schematic map (SVG), for the breakdown by district.
    map: Option<String>,
}

fn count(n: Option<f64>) -> Option<String> {
    n.map(|n| crate::messages::numbers::grouped(n, 0))
}

pub async fn indicator(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<ScopeQuery>,
) -> Result<Response, PageError> {
    let PageScope { scope, label, plan, year, .. } = q.resolve(&state, &v).await?;
    let ind = plan.indicator(&id).ok_or(PageError::Web(WebError::NotFound, v.lang, None))?.clone();
    let results = state.cache.indicators(&state.db, &scope, year).await.page(&v)?;
    let r = results.iter().find(|r| r.id == id).ok_or(PageError::Web(WebError::NotFound, v.lang, None))?;
    let card = CardView::new(r, v.lang);
    let mut tables = Vec::new();
    let spans = super::scope::spans_provinces(&state).await.page(&v)?;
    let level_down = match &scope {
        Scope::City if spans => Some((By::Province, v.t("by_province"))),
        Scope::City | Scope::Region(_) => Some((By::District, v.t("by_district"))),
        Scope::District(_) => Some((By::School, v.t("by_school"))),
        Scope::School(_) => None,
    };
    let district_of_scope = match &scope {
        Scope::District(d) => d.clone(),
        _ => String::new(),
    };
    for (by, title) in
        level_down.into_iter().chain([(By::Category, v.t("by_category")), (By::Pathway, v.t("by_pathway"))])
    {
        let kept = state.cache.breakdown(&state.db, &ind.id, &scope, year, by).await.page(&v)?;
        let Some(groups) = kept.as_ref().clone() else { continue };
        // The tile map is of the city's own districts: not drawn for a wider installation.
        let map = if by == By::District && !spans {
            let names = super::scope::district_names(&state).await.page(&v)?;
            Some(district_map(&ind, r, &groups, &names, year, v.lang))
        } else {
            None
        };
        let rows: Vec<GroupRow> = groups
            .into_iter()
            .filter(|g| {
                by != By::School
                    || v.who.may_read_figures(&Target::School { code: &g.key, district: &district_of_scope })
            })
            .map(|g| GroupRow {
                href: match by {
                    By::Province => Some(format!("/indicator/{id}?year={year}&region={}", g.key)),
                    By::District => Some(format!("/indicator/{id}?year={year}&district={}", g.key)),
                    By::School => Some(format!("/indicator/{id}?year={year}&school={}", g.key)),
                    _ => None,
                },
                label: if by == By::Category { format!("{} {}", g.key, g.label) } else { g.label },
                value: display(g.value, ind.decimals),
                numerator: count(g.numerator),
                denominator: count(g.denominator),
            })
            .collect();
        if !rows.is_empty() {
            tables.push(Breakdown { title, rows, map });
        }
    }
    // At a school: links to the rows behind the figure.
    let mut row_links = Vec::new();
    let mut outside = false;
    if let Scope::School(s) = &scope {
        let base = format!("/records/{}?school={s}&year={year}&indicator={id}", ind.formula.table);
        outside = !school_in_formula(&state, s, &ind.formula).await.page(&v)?;
        match ind.formula.measure {
            Measure::Share => {
                row_links.push(serde_json::json!({ "href": format!("{base}&part=numerator"), "label": v.t("rows_numerator"), "n": card_n(r.numerator) }));
                row_links.push(serde_json::json!({ "href": format!("{base}&part=denominator"), "label": v.t("rows_denominator"), "n": card_n(r.denominator) }));
            }
            _ => row_links.push(serde_json::json!({ "href": format!("{base}&part=all"), "label": v.t("rows_all"), "n": serde_json::Value::Null })),
        }
    }
    let takes = what_it_takes(&state, &v, &plan, r, &district_of_scope).await?;
    let series: Vec<serde_json::Value> = r
        .series
        .iter()
        .map(|(y, val)| serde_json::json!({ "year": y, "value": display(Some(*val), ind.decimals) }))
        .collect();
    let up = match &scope {
        Scope::City => None,
        Scope::Region(_) => Some(format!("/indicator/{id}?year={year}&scope=city")),
        Scope::District(d) => Some(match super::scope::region_above(&state, d).await.page(&v)? {
            Some(r) => format!("/indicator/{id}?year={year}&region={r}"),
            None => format!("/indicator/{id}?year={year}&scope=city"),
        }),
        Scope::School(s) => {
            let (_, d) = school_info(&state, s).await.page(&v)?;
            Some(format!("/indicator/{id}?year={year}&district={d}"))
        }
    };
    render(
        "indicator.html",
        &v,
        serde_json::json!({
            "card": card,
            "scope_label": label,
            "scope_query": scope_query(&scope),
            "year": year,
            "tables": tables,
            "row_links": row_links,
            "outside": outside,
            "series": series,
            "up": up,
            "definition": if v.lang == Lang::En { &ind.name_en } else { &ind.name_zh },
            "takes": takes,
        }),
    )
}

/// The figure's gap to its target, in what it counts, with the schools holding most of it (those
/// the viewer may see) and the year the trend reaches the target.
async fn what_it_takes(
    state: &AppState,
    v: &Viewer,
    plan: &crate::domain::plan::Plan,
    r: &crate::figures::indicators::IndicatorResult,
    district_of_scope: &str,
) -> Result<Option<serde_json::Value>, PageError> {
    use crate::domain::shortfall::Basis;
    use crate::figures::shortfall::{HORIZON_YEAR, shortfall};
    if shortfall(plan, r, None).is_none() {
        return Ok(None);
    }
    let groups = match r.scope {
        Scope::School(_) => None,
        _ => state.cache.breakdown(&state.db, &r.id, &r.scope, r.year, By::School).await.page(v)?.as_ref().clone(),
    };
    let Some(s) = shortfall(plan, r, groups.as_deref()) else { return Ok(None) };
    let en = v.lang == Lang::En;
    let holders: Vec<serde_json::Value> = s
        .holders
        .iter()
        .filter(|h| v.who.may_read_figures(&Target::School { code: &h.code, district: district_of_scope }))
        .map(|h| {
            serde_json::json!({
                "name": h.name,
                "href": format!("/indicator/{}?year={}&school={}", r.id, r.year, h.code),
                "text": if en { &h.text_en } else { &h.text_zh },
            })
        })
        .collect();
    let gap = if en { &s.text_en } else { &s.text_zh };
    let target = display(Some(s.target), r.decimals);
    let reach = match (s.reach_year, en) {
        (Some(y), false) => format!("按当前趋势，{y} 年达到目标。"),
        (Some(y), true) => format!("At the present trend the target is reached in {y}."),
        (None, false) => format!("按当前趋势，{HORIZON_YEAR} 年前达不到目标。"),
        (None, true) => format!("At the present trend the target is not reached before {HORIZON_YEAR}."),
    };
    let basis = match (s.basis, en) {
        (Some(Basis::OwnTarget), false) => "各校达到目标比例所需",
        (Some(Basis::OwnTarget), true) => "what each school needs to reach the target share",
        (Some(Basis::Proportional), false) => "目标只适用于全市，按各校现有规模分摊",
        (Some(Basis::Proportional), true) => "the target is the city's; shared out by each school's present size",
        (None, _) => "",
    };
    let share = s.holders_share.map(|p| format!("{p:.0}%"));
    Ok(Some(serde_json::json!({
        "gap": gap,
        "target": format!("{target}{}", if r.unit == "%" { "%" } else { "" }),
        "target_year": s.target_year,
        "reach": reach,
        "holders": holders,
        "schools_short": s.schools_short,
        "share": share,
        "basis": basis,
    })))
}

fn card_n(n: Option<f64>) -> serde_json::Value {
    n.map_or(serde_json::Value::Null, |n| serde_json::json!(crate::messages::numbers::grouped(n, 0)))
}

/// Whether the school's level and sponsor are ones the formula counts.
/// The schematic map of the districts' figures; every district of the map has its tile, those
/// without a figure marked so. A target applying to every district marks each one against it.
fn district_map(
    ind: &crate::domain::plan::Indicator,
    r: &crate::figures::indicators::IndicatorResult,
    groups: &[crate::figures::breakdown::Group],
    names: &std::collections::HashMap<String, String>,
    year: i32,
    lang: Lang,
) -> String {
    use crate::reports::map::{DistrictValue, districts};
    let map = crate::domain::tilemap::TileMap::default_map();
    let values: Vec<DistrictValue> = map
        .tiles
        .iter()
        .map(|t| {
            let g = groups.iter().find(|g| g.key == t.district);
            DistrictValue {
                district: t.district.clone(),
                name: g.map(|g| g.label.clone()).or_else(|| names.get(&t.district).cloned()).unwrap_or_default(),
                value: g.and_then(|g| g.value),
                href: Some(format!("/indicator/{}?year={year}&district={}", ind.id, t.district)),
            }
        })
        .filter(|d| !d.name.is_empty())
        .collect();
    let (name, unit) = if lang == Lang::En { (&r.name_en, &r.unit_en) } else { (&r.name, &r.unit) };
    let chart = crate::reports::chart::Chart { name, unit, decimals: r.decimals as usize, lang };
    let target = r.target.filter(|_| ind.target_scope == crate::domain::plan::TargetScope::All);
    districts(&map, &values, &chart, target)
}

async fn school_in_formula(state: &AppState, school: &str, f: &Formula) -> Result<bool, WebError> {
    let s = crate::store::registry::school(&state.db, school).await?;
    Ok(s.is_some_and(|s| f.levels.contains(&s.level) && f.sponsors.contains(&s.sponsor)))
}

#[derive(Deserialize)]
pub struct RecordsQuery {
    pub school: String,
    pub year: Option<i64>,
    pub page: Option<i64>,
    pub indicator: Option<String>,
    /// `numerator`, `denominator` or `all`.
    pub part: Option<String>,
    /// Words to find in any column (see `store::record_rows`).
    pub q: Option<String>,
    /// A column of the table to sort by, and `desc` for the largest first.
    pub sort: Option<String>,
    pub dir: Option<String>,
    /// Where the page starts: the cursor of the last row before it (the "next" link writes it).
    pub after: Option<String>,
}

impl RecordsQuery {
    /// The order asked for; a column that does not exist or is masked is refused by name.
    fn order(&self, table: Table) -> Result<Option<Order>, WebError> {
        let Some(key) = self.sort.as_deref().filter(|k| !k.is_empty()) else { return Ok(None) };
        Order::by(table, key, self.dir.as_deref() == Some("desc")).map(Some).ok_or_else(|| {
            WebError::bad(format!(
                "不能按“{key}”排序：{} 表没有这一列，或该列为加密的个人信息 / cannot sort by '{key}': table {} has no such column, or it holds encrypted personal data",
                table.zh(),
                table.key()
            ))
        })
    }
}

pub const PAGE_SIZE: i64 = 50;

/// A page of rows, what they total (when asked: counting reads every row of the school's year)
/// and the cursor of the page after them (None on the last).
pub struct RowsPage {
    pub rows: Vec<Vec<Cell>>,
    pub total: Option<i64>,
    pub next: Option<String>,
}

/// One page of the rows behind a school's figure (or all its rows of a table), masked, after the
/// scope check. Shared by the records page and `GET /api/v1/records/{table}`.
pub async fn rows_page(
    state: &AppState,
    who: &crate::domain::access::Principal,
    table: Table,
    q: &RecordsQuery,
    lang: Lang,
    count: bool,
) -> Result<RowsPage, WebError> {
    let (_, district) = school_info(state, &q.school).await?;
    if !who.may_read_records(&q.school, &district) {
        return Err(WebError::Forbidden);
    }
    let rows_of = match &q.indicator {
        None => None,
        Some(id) => {
            let plan = state.cache.plan(&state.db).await?;
            let ind = plan.indicator(id).ok_or(WebError::NotFound)?;
            if ind.formula.table != table.key() {
                return Err(WebError::bad(format!(
                    "指标 {id} 的记录在 {} 表 / indicator {id} counts rows of {}",
                    ind.formula.table, ind.formula.table
                )));
            }
            Some(RowFilter {
                all: ind.formula.filter.clone(),
                any_of: if q.part.as_deref() == Some("numerator") { ind.formula.numerator.clone() } else { Vec::new() },
                up_to_year: ind.formula.cumulative,
                year_column: ind.formula.year_column.clone(),
            })
        }
    };
    let page = q.page.unwrap_or(1).max(1);
    // Following "next" reads one range of the records' key; a jump to a page number counts rows.
    let from = match q.after.as_deref().filter(|a| !a.is_empty()) {
        None => PageFrom::Offset((page - 1) * PAGE_SIZE),
        Some(a) => PageFrom::After(RowKey::parse(a).ok_or_else(|| {
            WebError::bad(format!(
                "“{a}”不是翻页位置，请从第 1 页重新翻 / '{a}' is not a page cursor: start again from page 1"
            ))
        })?),
    };
    let year =
        q.year.filter(|_| table.year_column().is_some() || rows_of.as_ref().is_some_and(|r| r.year_column.is_some()));
    let req = RowRequest {
        table,
        year,
        school: Some(q.school.clone()),
        unmask: false,
        page: Some(Page { limit: PAGE_SIZE, from }),
        rows_of,
        lang,
        search: q.q.clone(),
        order: q.order(table)?,
    };
    let (rows, last) = page_of_rows(&state.db, &req).await?;
    let total = if count { Some(count_rows(&state.db, &req).await?) } else { None };
    // A cursor only means something in the file's own order.
    let next = last.filter(|_| req.order.is_none()).map(|k| k.cursor());
    Ok(RowsPage { rows, total, next })
}

pub async fn records(
    State(state): State<AppState>,
    v: Viewer,
    Path(table): Path<String>,
    Query(q): Query<RecordsQuery>,
) -> Result<Response, PageError> {
    let table = Table::from_name(&table).ok_or(PageError::Web(WebError::NotFound, v.lang, None))?;
    let RowsPage { rows, total, next } = rows_page(&state, &v.who, table, &q, v.lang, true).await.page(&v)?;
    let total = total.unwrap_or_default();
    let (school_name, _) = school_info(&state, &q.school).await.page(&v)?;

    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Cell::Text(s) => s.clone(),
                    Cell::Number(n) => format!("{n}"),
                    Cell::Empty => String::new(),
                })
                .collect()
        })
        .collect();
    let page = q.page.unwrap_or(1).max(1);
    // The page's address without its order and page: the sort links add their own.
    let mut plain = format!("/records/{}?school={}", table.key(), urlencode(&q.school));
    if let Some(y) = q.year {
        plain.push_str(&format!("&year={y}"));
    }
    if let Some(i) = &q.indicator {
        plain.push_str(&format!("&indicator={}&part={}", urlencode(i), urlencode(q.part.as_deref().unwrap_or("all"))));
    }
    let order = q.order(table).page(&v)?;
    let order_part = order
        .map(|o| format!("&sort={}&dir={}", o.column, if o.descending { "desc" } else { "asc" }))
        .unwrap_or_default();
    // Clearing the search keeps the order.
    let clear = format!("{plain}{order_part}");
    let words = q.q.as_deref().map(str::trim).filter(|w| !w.is_empty());
    if let Some(w) = words {
        plain.push_str(&format!("&q={}", urlencode(w)));
    }
    let base = format!("{plain}{order_part}");
    // Each header sorts by its column (a second click reverses); the masked ones do not sort.
    let heads: Vec<serde_json::Value> = table
        .spec()
        .columns
        .iter()
        .map(|c| {
            let label = if v.lang == Lang::En { c.key } else { c.zh };
            let Some(by) = Order::by(table, c.key, false) else {
                return serde_json::json!({ "label": label });
            };
            let current = order.filter(|o| o.column == by.column);
            let next_desc = current.is_some_and(|o| !o.descending);
            serde_json::json!({
                "label": label,
                "href": format!("{plain}&sort={}&dir={}", c.key, if next_desc { "desc" } else { "asc" }),
                "sort": current.map(|o| if o.descending { "descending" } else { "ascending" }),
            })
        })
        .collect();
    // Page numbers: the first, the last, and two either side of this one.
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let mut numbers: Vec<serde_json::Value> = Vec::new();
    let mut last_shown = 0;
    for n in 1..=pages {
        if n == 1 || n == pages || (n - page).abs() <= 2 {
            if n > last_shown + 1 {
                numbers.push(serde_json::json!({ "gap": true }));
            }
            numbers.push(serde_json::json!({ "n": n, "href": format!("{base}&page={n}"), "current": n == page }));
            last_shown = n;
        }
    }
    let part = match q.part.as_deref() {
        Some("numerator") => v.t("numerator"),
        Some("denominator") => v.t("denominator"),
        _ => String::new(),
    };
    let back = q.indicator.as_ref().map(|i| {
        format!("/indicator/{i}?school={}{}", q.school, q.year.map(|y| format!("&year={y}")).unwrap_or_default())
    });
    render(
        "records.html",
        &v,
        serde_json::json!({
            "table": if v.lang == Lang::En { table.key() } else { table.zh() },
            "table_key": table.key(),
            "school_name": school_name,
            "school": q.school,
            "year": q.year,
            "indicator": q.indicator,
            "part": part,
            "heads": heads,
            "rows": cells,
            "page": page,
            "page_label": v
                .t("records_shown")
                .replace("{total}", &crate::messages::numbers::count(total))
                .replace("{page}", &page.to_string())
                .replace("{pages}", &pages.to_string()),
            "prev": (page > 1).then(|| format!("{base}&page={}", page - 1)),
            "next": (page < pages).then(|| match &next {
                Some(c) => format!("{base}&page={}&after={c}", page + 1),
                None => format!("{base}&page={}", page + 1),
            }),
            "numbers": numbers,
            "back": back,
            "q": words,
            "clear": words.map(|_| clear),
            "sort": order.map(|o| o.column),
            "dir": order.map(|o| if o.descending { "desc" } else { "asc" }),
            "indicator_part": q.part,
        }),
    )
}

//! Every target of the plan in the browser: the list for a scope and year, and each target's
//! detail with what is behind it (a rule's failing schools and teachers, a count's designations),
//! by district where the scope is the city.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Serialize;

use super::scope::{PageScope, ScopeQuery, scope_query, scope_value};
use super::{OrPage, PageError, Viewer, render};
use crate::domain::access::Target;
use crate::figures::Scope;
use crate::figures::indicators::display;
use crate::figures::rules::Failure;
use crate::figures::targets::{TargetKind, TargetResult};
use crate::messages::Lang;
use crate::web::AppState;
use crate::web::error::WebError;

#[derive(Serialize)]
struct Row {
    id: String,
    kind: String,
    kind_key: &'static str,
    name: String,
    section: String,
    value: String,
    unit: String,
    target: String,
    target_year: i32,
    status: String,
    status_key: &'static str,
    note: String,
    href: String,
}

fn row(r: &TargetResult, v: &Viewer, year: i32, q: &str) -> Row {
    let en = v.lang == Lang::En;
    Row {
        id: r.id.clone(),
        kind: v.t(match r.kind {
            TargetKind::Key => "kind_key",
            TargetKind::Counted => "kind_counted",
            TargetKind::Rule => "kind_rule",
        }),
        kind_key: match r.kind {
            TargetKind::Key => "key",
            TargetKind::Counted => "counted",
            TargetKind::Rule => "rule",
        },
        name: if en { r.name_en.clone() } else { r.name.clone() },
        section: if en { crate::messages::numbers::section_en(&r.section) } else { r.section.clone() },
        value: display(r.value, r.decimals),
        unit: if en { r.unit_en.clone() } else { r.unit.clone() },
        target: r.target_text(),
        target_year: r.target_year,
        status: if en { r.status.en().into() } else { r.status.zh().into() },
        status_key: r.status.key(),
        note: if en { r.note_en.clone() } else { r.note.clone() }.unwrap_or_default(),
        href: match r.kind {
            TargetKind::Key => format!("/indicator/{}?year={year}{q}", r.id),
            _ => format!("/target/{}?year={year}{q}", r.id),
        },
    }
}

pub async fn list(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ScopeQuery>,
) -> Result<Response, PageError> {
    let PageScope { scope, label, plan, latest, year } = q.resolve(&state, &v).await?;
    let results = state.cache.targets(&state.db, &scope, year).await.page(&v)?;
    let sq = scope_query(&scope);
    let rows: Vec<Row> = results.iter().map(|r| row(r, &v, year, &sq)).collect();
    let years: Vec<i32> = (plan.baseline_year..=latest.max(plan.baseline_year)).rev().collect();
    render(
        "targets.html",
        &v,
        serde_json::json!({ "rows": rows, "year": year, "years": years, "scope_label": label, "scope_value": scope_value(&scope) }),
    )
}

/// Failing schools and teachers, or designations, shown a page at a time.
const PAGE_ROWS: usize = 100;

/// A list's page number (`?page=N`, from 1), beside the scope's query.
#[derive(serde::Deserialize, Default)]
pub struct PageNo {
    pub page: Option<usize>,
}

pub async fn detail(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<String>,
    Query(q): Query<ScopeQuery>,
    Query(pn): Query<PageNo>,
) -> Result<Response, PageError> {
    let PageScope { scope, label, plan, year, .. } = q.resolve(&state, &v).await?;
    let sq = scope_query(&scope);
    let not_found = || PageError::Web(WebError::NotFound, v.lang, None);
    let en = v.lang == Lang::En;
    // The failures are kept once per scope and year; a page turns only its own 100 into rows.
    // The bureau reads them all, so its pages take the kept list as it is: a nation's list holds
    // hundreds of thousands of teachers, and filtering it for every request made the page 0.5 s.
    let mut failures: &[Failure] = &[];
    // The viewer's own part of the failures, where the viewer may not read every school.
    let mut filtered: Option<Vec<&Failure>> = None;
    let kept = if plan.rule(&id).is_some() {
        Some(state.cache.rule(&state.db, &id, &scope, year).await.page(&v)?)
    } else {
        None
    };
    let (result, designations) = if let Some(kept) = &kept {
        if v.who.may_read_every_school() {
            failures = &kept.1;
            (kept.0.clone(), Vec::new())
        } else {
            // Failures name schools and (masked) teachers: only those the viewer may read. The
            // registry is read once, not once a failure.
            let schools = state.cache.schools(&state.db).await?;
            let district_of: std::collections::HashMap<&str, &str> =
                schools.iter().map(|s| (s.code.as_str(), s.district.as_str())).collect();
            filtered = Some(
                kept.1
                    .iter()
                    .filter(|f| {
                        f.school_code.is_empty()
                            || v.who.may_read_records(
                                &f.school_code,
                                district_of.get(f.school_code.as_str()).copied().unwrap_or(""),
                            )
                    })
                    .collect(),
            );
            (kept.0.clone(), Vec::new())
        }
    } else if let Some(t) = plan.targets.iter().find(|t| t.designation_kind == id) {
        let result = (*state.cache.counted(&state.db, &t.designation_kind, &scope, year).await.page(&v)?).clone();
        let rows = crate::figures::counted::designations(&state.db, t, &scope).await.page(&v)?;
        let list: Vec<serde_json::Value> = rows
            .iter()
            .filter(|r| r.approved_year <= i64::from(year))
            .map(|r| serde_json::json!({ "code": r.designation_code, "school": format!("{} {}", r.school_code, r.school_name), "school_code": r.school_code, "subject": r.subject, "level": r.level, "status": r.status, "approved_year": r.approved_year, "accepted_year": r.accepted_year, "counted": r.counts_from(t).is_some_and(|c| c <= i64::from(year)) }))
            .collect();
        (result, list)
    } else {
        return Err(not_found());
    };
    // At the city, the same target in each district; in a national installation, in each province
    // at the whole and in each district holding schools at a province.
    let spans = super::scope::spans_provinces(&state).await.page(&v)?;
    let below: Vec<(Scope, String, String)> = match &scope {
        Scope::City if spans => state
            .cache
            .provinces(&state.db)
            .await
            .page(&v)?
            .iter()
            .map(|(p, name)| (Scope::Region(p.clone()), name.clone(), format!("region={p}")))
            .collect(),
        Scope::City | Scope::Region(_) => {
            let names = state.cache.district_names(&state.db).await.page(&v)?;
            let schools = state.cache.schools(&state.db).await.page(&v)?;
            let held: std::collections::BTreeSet<&str> = schools.iter().map(|s| s.district.as_str()).collect();
            let mut codes: Vec<&String> = names
                .keys()
                .filter(|d| match &scope {
                    Scope::Region(r) => d.starts_with(r.as_str()) && held.contains(d.as_str()),
                    _ => true,
                })
                .filter(|d| v.who.may_read_figures(&Target::District(d)))
                .collect();
            codes.sort();
            codes.into_iter().map(|d| (Scope::District(d.clone()), names[d].clone(), format!("district={d}"))).collect()
        }
        _ => Vec::new(),
    };
    let mut districts = Vec::new();
    for (ds, name, query) in below {
        let r = if plan.rule(&id).is_some() {
            (*state.cache.rule_counts(&state.db, &id, &ds, year).await.page(&v)?).clone()
        } else {
            (*state.cache.counted(&state.db, &id, &ds, year).await.page(&v)?).clone()
        };
        districts.push(serde_json::json!({ "name": name, "href": format!("/target/{id}?year={year}&{query}"), "value": display(r.value, r.decimals), "numerator": r.numerator.map(|n| crate::messages::numbers::grouped(n, 0)), "denominator": r.denominator.map(|n| crate::messages::numbers::grouped(n, 0)), "status": if en { r.status.en() } else { r.status.zh() }, "status_key": r.status.key() }));
    }
    let row = row(&result, &v, year, &sq);
    let passed = match (result.numerator, result.denominator) {
        (Some(a), Some(b)) => {
            Some(v.t("passed_of").replace("{a}", &format!("{a:.0}")).replace("{b}", &format!("{b:.0}")))
        }
        _ => None,
    };
    let chart = super::super::chart::trend_of(
        &super::super::chart::Chart {
            name: if v.lang == Lang::En { &result.name_en } else { &result.name },
            unit: &result.unit,
            decimals: result.decimals as usize,
            lang: v.lang,
        },
        &result.series,
        result.target,
        result.projection,
        plan.baseline_year,
        result.target_year,
    );
    // One page of the list (failures or designations), with links to the others.
    let shown: Box<dyn Iterator<Item = &Failure>> = match &filtered {
        Some(list) => Box::new(list.iter().copied()),
        None => Box::new(failures.iter()),
    };
    let total = filtered.as_ref().map_or(failures.len(), Vec::len).max(designations.len());
    let pages = total.div_ceil(PAGE_ROWS).max(1);
    let page = pn.page.unwrap_or(1).clamp(1, pages);
    let window = |list: Vec<serde_json::Value>| -> Vec<serde_json::Value> {
        list.into_iter().skip((page - 1) * PAGE_ROWS).take(PAGE_ROWS).collect()
    };
    let failures: Vec<serde_json::Value> = shown
        .skip((page - 1) * PAGE_ROWS)
        .take(PAGE_ROWS)
        .map(|f| serde_json::json!({ "school": format!("{} {}", f.school_code, f.school_name).trim().to_string(), "school_code": f.school_code, "subject": f.subject, "problem": if en { &f.detail_en } else { &f.detail_zh } }))
        .collect();
    let designations = window(designations);
    let pager = super::pager(&v, page, pages, total, |p| format!("/target/{id}?year={year}{sq}&page={p}"));
    render(
        "target.html",
        &v,
        serde_json::json!({ "r": row, "scope_label": label, "scope_query": sq, "year": year, "failures": failures, "designations": designations, "districts": districts, "by_province": scope == Scope::City && spans, "passed": passed, "chart": chart, "is_rule": plan.rule(&id).is_some(), "pager": pager,
            // The local intake share drills into the cohort funnels it comes from.
            "pathways_link": plan.rule(&id).is_some_and(|r| r.check == crate::domain::targets::Check::LocalIntake) }),
    )
}

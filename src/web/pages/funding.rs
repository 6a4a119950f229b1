//! Funding in the browser: `/funding`, each school's allocation of a year under the funding tables
//! in use (a school sees its own, a district its schools', the bureau every school and the city
//! total) with the floor and 两个只增不减 flags; for the bureau, the coefficients as a form whose
//! what-if shows every school's change and the city total before an administrator keeps it as a
//! new version.

use std::collections::HashMap;

use axum::extract::{Form, Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::credit::schools_of;
use super::{OrPage, PageError, Viewer, render, see_other};
use crate::domain::access::Role;
use crate::domain::funding::{FundingPack, RateTable};
use crate::domain::standard::{LEVELS, find_choice};
use crate::figures::funding::{self as figures, Allocation, SchoolAllocation, WhatIf};
use crate::messages::Lang;
use crate::store::funding;
use crate::web::AppState;
use crate::web::error::WebError;

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
    problem: Option<String>,
}

fn level_label(level: &str, lang: Lang) -> String {
    if lang == Lang::Zh {
        find_choice(LEVELS, level).map_or(level.to_string(), |c| c.zh.to_string())
    } else {
        level.to_string()
    }
}

fn school_json(s: &SchoolAllocation, v: &Viewer) -> serde_json::Value {
    let mut flags = Vec::new();
    if let Some(f) = s.below_floor {
        flags.push(v.t("funding_below_floor").replace("{n}", &format!("{f:.0}")));
    }
    if s.total_fell {
        flags.push(v.t("funding_total_fell"));
    }
    if s.per_student_fell {
        flags.push(v.t("funding_per_student_fell"));
    }
    serde_json::json!({
        "code": s.school_code, "name": s.name, "level": level_label(&s.level, v.lang), "students": s.students,
        "allocation": crate::messages::numbers::grouped(s.allocation, 0), "per_student": s.per_student.map(|p| crate::messages::numbers::grouped(p, 0)),
        "previous": s.previous.map(|(_, a)| format!("{a:.0}")), "factor": s.size_factor, "flags": flags,
    })
}

fn bureau(v: &Viewer) -> bool {
    matches!(v.who.role, Role::Admin | Role::Analyst)
}

async fn page_with(
    state: &AppState,
    v: &Viewer,
    year: i32,
    what_if: Option<(&WhatIf, &HashMap<String, String>)>,
    error: Option<String>,
) -> Result<Response, PageError> {
    let plan = state.cache.plan(&state.db).await.page(v)?;
    let latest = state.cache.latest_year(&state.db).await.page(v)?;
    let (pack, _) = funding::active(&state.db).await.page(v)?;
    let alloc: std::sync::Arc<Allocation> = state.cache.allocation(&state.db, year).await.page(v)?;
    let schools = schools_of(state, v).await?;
    let visible = |s: &str| schools.as_ref().is_none_or(|list| list.iter().any(|x| x == s));
    let rows: Vec<serde_json::Value> =
        alloc.schools.iter().filter(|s| visible(&s.school_code)).map(|s| school_json(s, v)).collect();
    let coefficients = match pack.for_year(year) {
        Some(t) => figures::coefficient_rows(&state.db, t).await.page(v)?,
        None => Vec::new(),
    };
    let coefficients: Vec<serde_json::Value> = coefficients
        .iter()
        .map(|r| {
            let field = format!("k_{}_{}", r.level, r.category_code);
            let value = what_if.and_then(|(_, form)| form.get(&field).cloned()).unwrap_or_else(|| format!("{}", r.coefficient));
            serde_json::json!({ "level": level_label(&r.level, v.lang), "code": r.category_code, "name": r.category_name,
                "field": field, "value": value, "current": format!("{}", r.coefficient) })
        })
        .collect();
    let bases: Vec<serde_json::Value> = pack
        .for_year(year)
        .map(|t| {
            t.base_rates
                .iter()
                .map(|(l, r)| {
                    let field = format!("base_{l}");
                    let value = what_if.and_then(|(_, form)| form.get(&field).cloned()).unwrap_or_else(|| format!("{r}"));
                    serde_json::json!({ "level": level_label(l, v.lang), "field": field, "value": value, "current": format!("{r}") })
                })
                .collect()
        })
        .unwrap_or_default();
    let changes: Option<serde_json::Value> = what_if.map(|(w, _)| {
        let list: Vec<serde_json::Value> = w
            .changes()
            .iter()
            .map(|(s, before, change)| {
                serde_json::json!({ "code": s.school_code, "name": s.name, "before": format!("{before:.0}"),
                    "after": crate::messages::numbers::grouped(s.allocation, 0), "change": if *change >= 0.0 { format!("+{}", crate::messages::numbers::grouped(*change, 0)) } else { crate::messages::numbers::grouped(*change, 0) } })
            })
            .collect();
        serde_json::json!({ "schools": list, "before": crate::messages::numbers::grouped(w.current.total, 0), "after": crate::messages::numbers::grouped(w.changed.total, 0),
            "change": format!("{:+.0}", w.changed.total - w.current.total) })
    });
    let years: Vec<i32> = (plan.baseline_year..=latest.max(plan.baseline_year)).rev().collect();
    render(
        "funding.html",
        v,
        serde_json::json!({
            "year": year, "years": years, "pack": format!("{} {}", pack.id, pack.version), "pack_name": if v.lang == Lang::En && !pack.name_en.is_empty() { &pack.name_en } else { &pack.name_zh },
            "example": pack.example, "source": alloc.source, "schools": rows,
            "total": bureau(v).then(|| crate::messages::numbers::grouped(alloc.total, 0)), "students": bureau(v).then_some(alloc.students),
            "bureau": bureau(v), "may_save": v.who.role == Role::Admin,
            "coefficients": coefficients, "bases": bases, "what_if": changes, "error": error,
        }),
    )
}

/// `GET /funding`.
pub async fn page(State(state): State<AppState>, v: Viewer, Query(q): Query<YearQuery>) -> Result<Response, PageError> {
    let latest = state.cache.latest_year(&state.db).await.page(&v)?;
    let error = state.flash.get(&v.who.username, q.problem.as_deref(), v.lang);
    page_with(&state, &v, q.year.unwrap_or(latest), None, error).await
}

/// The table the form describes: the year's table in use with the rates and coefficients the form
/// changed; a value that is not a number names its field.
fn table_from(pack: &FundingPack, year: i32, form: &HashMap<String, String>, lang: Lang) -> Result<RateTable, String> {
    let Some(like) = pack.for_year(year) else {
        return Err(format!("{year}: no table / 没有适用的标准"));
    };
    let mut t = like.clone();
    t.source = format!("{} (调整 / what-if)", like.source);
    let number = |k: &str, v: &str| -> Result<f64, String> {
        v.trim().parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0).ok_or_else(|| {
            if lang == Lang::Zh {
                format!("{k}：“{v}”不是大于等于 0 的数")
            } else {
                format!("{k}: '{v}' is not a number ≥ 0")
            }
        })
    };
    for (k, v) in form {
        if let Some(level) = k.strip_prefix("base_") {
            if t.base_rates.contains_key(level) {
                t.base_rates.insert(level.to_string(), number(k, v)?);
            }
        } else if let Some(rest) = k.strip_prefix("k_")
            && let Some((_, code)) = rest.split_once('_')
        {
            let k_value = number(k, v)?;
            if (k_value - like.coefficient(code)).abs() > 1e-12 || like.coefficients.contains_key(code) {
                t.coefficients.insert(code.to_string(), k_value);
            }
        }
    }
    // The same checks as a table loaded from a file.
    match t.check().as_slice() {
        [] => Ok(t),
        errors => Err(errors.join("; ")),
    }
}

fn year_of(form: &HashMap<String, String>) -> Option<i32> {
    form.get("year").and_then(|y| y.parse().ok())
}

/// `POST /funding/whatif`: the bureau's what-if, shown beside what is in force.
pub async fn what_if(
    State(state): State<AppState>,
    v: Viewer,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    v.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    if !bureau(&v) {
        return Err(PageError::Web(WebError::Forbidden, v.lang, None));
    }
    let Some(year) = year_of(&form) else { return Err(PageError::Web(WebError::NotFound, v.lang, None)) };
    let (pack, _) = funding::active(&state.db).await.page(&v)?;
    match table_from(&pack, year, &form, v.lang) {
        Ok(t) => {
            let w = figures::what_if(&state.db, &pack, year, &t).await.page(&v)?;
            page_with(&state, &v, year, Some((&w, &form)), None).await
        }
        Err(e) => page_with(&state, &v, year, None, Some(e)).await,
    }
}

/// `POST /funding/save`: an administrator keeps the what-if as a new version of the tables.
pub async fn save(
    State(state): State<AppState>,
    v: Viewer,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    v.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    if v.who.role != Role::Admin {
        return Err(PageError::Web(WebError::Forbidden, v.lang, None));
    }
    let Some(year) = year_of(&form) else { return Err(PageError::Web(WebError::NotFound, v.lang, None)) };
    let back = format!("/funding?year={year}");
    let (pack, _) = funding::active(&state.db).await.page(&v)?;
    let version = form.get("version").map_or("", |s| s.trim());
    let refuse = |m: String| crate::store::StoreError::refused(m);
    let result = async {
        if version.is_empty() || version.len() > 40 {
            return Err(refuse("新版本号须为 1–40 个字符 / the new version needs 1–40 characters".into()));
        }
        let table = table_from(&pack, year, &form, v.lang).map_err(refuse)?;
        let next = pack.with_table(year, table, version);
        let text = toml::to_string(&next).map_err(|e| crate::store::StoreError::Internal(e.to_string()))?;
        let cats = funding::categories(&state.db).await?;
        let checked = funding::parse(&text, &cats).map_err(|e| refuse(e.join("; ")))?;
        funding::load(&state.db, &checked, &text, &v.who.username, &v.source).await
    };
    match result.await {
        Ok(_) => Ok(see_other(&back)),
        Err(e) => super::refused_to(&state, &v, "/funding", e),
    }
}

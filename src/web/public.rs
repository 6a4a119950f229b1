//! The public page: the plan at a glance. Aggregates only, nothing about a person, no sign-in.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::AppState;
use super::chart::trend;
use super::error::WebError;
use crate::figures::Scope;
use crate::figures::indicators::{compute, display, latest_year};
use crate::store::refdata;

#[derive(Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
    year: Option<i32>,
}

#[derive(Serialize)]
struct Card {
    number: u32,
    name: String,
    value: String,
    unit: String,
    target: String,
    baseline: String,
    attribute: String,
    status: String,
    status_key: &'static str,
    projection: Option<String>,
    chart: String,
}

pub async fn page(State(state): State<AppState>, Query(q): Query<PageQuery>) -> Result<Response, WebError> {
    let en = q.lang.as_deref() == Some("en");
    let plan = refdata::active_plan(&state.db).await?;
    let year = match q.year {
        Some(y) => y,
        None => latest_year(&state.db, plan.baseline_year).await?,
    };
    let results = compute(&state.db, &plan, &Scope::City, year).await?;
    let cards: Vec<Card> = results
        .iter()
        .map(|r| Card {
            number: r.number,
            name: if en { r.name_en.clone() } else { r.name.clone() },
            value: display(r.value, r.decimals),
            unit: if en { r.unit_en.clone() } else { r.unit.clone() },
            target: r.target.map_or("—".into(), |t| format!("{}{t}", r.comparator_symbol)),
            baseline: display(r.baseline, r.decimals),
            attribute: match (r.attribute.as_str(), en) {
                ("binding", false) => "约束性".into(),
                ("binding", true) => "binding".into(),
                (_, false) => "预期性".into(),
                (_, true) => "expected".into(),
            },
            status: if en { r.status.en().into() } else { r.status.zh().into() },
            status_key: r.status.key(),
            projection: r.projection_2025.map(|p| display(Some(p), r.decimals)),
            chart: trend(r),
        })
        .collect();
    let alerts: Vec<String> = results
        .iter()
        .filter(|r| r.alert)
        .map(|r| {
            if en { format!("{} ({})", r.name_en, r.status.en()) } else { format!("{}（{}）", r.name, r.status.zh()) }
        })
        .collect();
    let t = if en {
        serde_json::json!({"title": plan.name_en, "subtitle": "key indicators computed from the schools' records", "switch": "中文",
            "alerts": "Binding indicators at risk or off track", "target": "target", "baseline": "2020 baseline", "projection": "2025 projected",
            "footer": "VETIS · figures are computed from approved records; no personal data is shown here."})
    } else {
        serde_json::json!({"title": plan.name_zh, "subtitle": "主要指标（由学校报送数据自动计算）", "switch": "English",
            "alerts": "约束性指标预警", "target": "目标", "baseline": "2020 基期", "projection": "2025 预测",
            "footer": "VETIS · 指标均由审核通过的报送数据计算；本页不含个人信息。"})
    };
    let ctx = serde_json::json!({ "lang": if en { "en" } else { "zh-CN" }, "other_lang": if en { "zh" } else { "en" }, "year": year, "t": t, "cards": cards, "alerts": alerts });
    let tmpl = state.templates.get_template("public.html").map_err(|e| WebError::Internal(e.to_string()))?;
    let html = tmpl.render(minijinja::value::Serde(&ctx)).map_err(|e| WebError::Internal(e.to_string()))?;
    Ok(Html(html).into_response())
}

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("static/vetis.css")).into_response()
}

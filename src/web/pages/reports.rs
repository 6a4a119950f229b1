//! The evaluation reports in the browser: choose a year and a format, get the file. Each export
//! is audited.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{OrPage, PageError, Viewer, render};
use crate::reports::{ReportFormat, evaluation};
use crate::store::audit::{self, Entry};
use crate::web::AppState;
use crate::web::error::WebError;

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    year: Option<i32>,
    format: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let plan = state.cache.plan(&state.db).await.page(&v)?;
    let latest = state.cache.latest_year(&state.db).await.page(&v)?;
    let years: Vec<i32> = (plan.baseline_year + 1..=latest.max(plan.baseline_year + 1)).rev().collect();
    let year = q.year.unwrap_or(if latest >= plan.target_year { plan.target_year } else { latest });
    render(
        "reports.html",
        &v,
        serde_json::json!({ "years": years, "year": year, "formats": ["html", "docx", "xlsx", "pdf"] }),
    )
}

pub async fn evaluation(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let bad = |m: &str| PageError::Web(WebError::bad(m.to_string()), v.lang, None);
    let format = ReportFormat::parse(q.format.as_deref().unwrap_or("html"))
        .ok_or_else(|| bad("format: html, docx, xlsx or pdf"))?;
    let latest = state.cache.latest_year(&state.db).await.page(&v)?;
    let year = q.year.unwrap_or(latest);
    let e = evaluation::build(&state.db, year).await.page(&v)?;
    let bytes = crate::reports::render(&e, format).page(&v)?;
    audit::record(
        &state.db.pool,
        &Entry {
            actor: &v.who.username,
            action: "report_export",
            object: &format!("evaluation {year}"),
            detail: format.extension(),
            source: &v.source,
        },
    )
    .await?;
    let name = format!("evaluation-{year}.{}", format.extension());
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

//! The evaluation reports in the browser: choose a year and a format; the report is made in the
//! background (`web::jobs`) and the page follows it until the file is ready. Starting and
//! exporting are audited.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{OrPage, PageError, Viewer, render};
use crate::domain::access::Role;
use crate::reports::ReportFormat;
use crate::reports::evaluation::findings;
use crate::store::audit::{self, Entry};
use crate::store::remarks::{self, Section};
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::jobs::{Ask, ReportKey, ReportScope};

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    year: Option<i32>,
    format: Option<String>,
    saved: Option<bool>,
}

pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<ReportQuery>,
) -> Result<Response, PageError> {
    let plan = state.cache.plan(&state.db).await.page(&v)?;
    let latest = state.cache.latest_year(&state.db).await.page(&v)?;
    let years: Vec<serde_json::Value> = (plan.baseline_year + 1..=latest.max(plan.baseline_year + 1))
        .rev()
        .map(|y| {
            let kind = if y == plan.target_year {
                v.t("final_evaluation")
            } else if plan.indicators.iter().any(|i| i.interim.iter().any(|m| m.year == y)) {
                v.t("midterm_evaluation")
            } else {
                String::new()
            };
            serde_json::json!({ "year": y, "kind": kind })
        })
        .collect();
    let year = q.year.unwrap_or(if latest >= plan.target_year { plan.target_year } else { latest });
    // The bureau writes the report's own sections before it goes out: the draft from the
    // figures, or what was saved.
    let remarks = if may_edit(&v) {
        let e = state
            .reports
            .evaluation(&state.db, year)
            .await
            .map_err(|m| PageError::Web(WebError::BadRequest(m), v.lang, None))?;
        let text = |which| {
            let (items, draft) = findings::section(&e, which, v.lang);
            serde_json::json!({ "text": items.join("\n"), "draft": draft })
        };
        let saved = e
            .remarks
            .iter()
            .map(|r| {
                serde_json::json!({
                    "by": r.updated_by,
                    "at": crate::messages::time::date_time(&r.updated_at, v.lang),
                })
            })
            .next();
        Some(serde_json::json!({
            "problems": text(Section::Problems),
            "measures": text(Section::Measures),
            "saved": saved,
        }))
    } else {
        None
    };
    render(
        "reports.html",
        &v,
        serde_json::json!({ "years": years, "year": year, "formats": ["html", "docx", "xlsx", "pdf"],
            "remarks": remarks, "saved": q.saved.unwrap_or(false) }),
    )
}

/// Who writes the report's sections: the bureau's administrators and analysts.
fn may_edit(v: &Viewer) -> bool {
    matches!(v.who.role, Role::Admin | Role::Analyst)
}

#[derive(Deserialize)]
pub struct RemarksForm {
    csrf: String,
    year: i32,
    problems: String,
    measures: String,
    /// `draft`: go back to the draft from the figures.
    reset: Option<String>,
}

/// Saves the evaluation's 存在问题 and 下一步措施 for a year (or goes back to the draft).
pub async fn save_remarks(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<RemarksForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    if !may_edit(&v) {
        return Err(PageError::Web(WebError::Forbidden, v.lang, None));
    }
    let reset = f.reset.is_some();
    for (section, text) in [(Section::Problems, &f.problems), (Section::Measures, &f.measures)] {
        let items = if reset { Vec::new() } else { remarks::items_of(text) };
        remarks::save(&state.db, f.year, section, &items, &v.who.username, &v.source).await.page(&v)?;
    }
    Ok(super::see_other(&format!("/reports?year={}&saved=true", f.year)))
}

/// The evaluation report: the file when it is ready; else a page that follows the job (it reloads
/// itself every few seconds, no script needed) with 202.
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
    let version = state.db.data_version().await?;
    let key = ReportKey { year, format, scope: ReportScope::of(&v.who), version, lang: v.lang };
    let (seconds, waiting) = match state.reports.ask(&state.db, &v.who, key) {
        Ask::Ready(bytes) => return download(&state, &v, year, format, bytes).await,
        Ask::Refused(b) => return Err(PageError::Web(WebError::Busy(b), v.lang, None)),
        Ask::Failed(m) => return Err(PageError::Web(WebError::BadRequest(m), v.lang, None)),
        Ask::Pending { seconds, waiting, started_now } => {
            if started_now {
                audited(&state, &v, "report_start", year, format).await?;
            }
            (seconds, waiting)
        }
    };
    let again = format!("/reports/evaluation?year={year}&format={}", format.extension());
    let mut res = render(
        "report_wait.html",
        &v,
        serde_json::json!({ "year": year, "format": format.extension(), "seconds": seconds, "waiting": waiting, "again": again }),
    )?;
    *res.status_mut() = StatusCode::ACCEPTED;
    res.headers_mut().insert(header::REFRESH, HeaderValue::from_static("3"));
    Ok(res)
}

async fn download(
    state: &AppState,
    v: &Viewer,
    year: i32,
    format: ReportFormat,
    bytes: std::sync::Arc<Vec<u8>>,
) -> Result<Response, PageError> {
    audited(state, v, "report_export", year, format).await?;
    let name = format!("evaluation-{year}.{}", format.extension());
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes.as_ref().clone(),
    )
        .into_response())
}

/// Records a report's start or export in the audit log.
async fn audited(state: &AppState, v: &Viewer, action: &str, year: i32, format: ReportFormat) -> Result<(), PageError> {
    let object = format!("evaluation {year}");
    let entry =
        Entry { actor: &v.who.username, action, object: &object, detail: format.extension(), source: &v.source };
    audit::record(&state.db.pool, &entry).await?;
    Ok(())
}

//! Quality reports in the browser: the reports in the viewer's scope for a year with their status
//! and deadline (the bureau sees missing and late ones), and a report's page: the chapters written
//! beside their guidance (each saved on its own, and as the writer types), submission, the review
//! (the district for its district's schools, the bureau for the others and the city) and
//! publication, with the tables as they stand.

use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::{OrPage, PageError, Viewer, refused_to, render, see_other};
use crate::domain::access::Role;
use crate::domain::quality::report::{ReportStatus, Timeliness};
use crate::figures::quality::{self as fq, Subject};
use crate::store::quality_report::{self as store, Step};
use crate::web::AppState;
use crate::web::error::WebError;

#[derive(Deserialize, Default)]
pub struct Notice {
    year: Option<i64>,
    problem: Option<String>,
    saved: Option<String>,
}

/// What a viewer may do with a subject's report.
struct Rights {
    read: bool,
    write: bool,
    review: bool,
}

async fn rights(state: &AppState, v: &Viewer, subject: &str) -> Result<Rights, PageError> {
    if subject == "city" {
        let admin = v.who.role == Role::Admin;
        return Ok(Rights { read: true, write: admin, review: admin });
    }
    let schools = state.cache.schools(&state.db).await.page(v)?;
    let Some(s) = schools.iter().find(|s| s.code == subject) else {
        return Err(PageError::Web(WebError::NotFound, v.lang, None));
    };
    let read = v.who.may_read_records(&s.code, &s.district);
    let write = v.who.may_submit_for(&s.code, &s.district) && v.who.role != Role::District;
    // District schools are reviewed by their district; the others by the bureau.
    let review = match v.who.role {
        Role::Admin => true,
        Role::District => s.sponsor == "district" && v.who.may_review(&s.district),
        _ => false,
    };
    Ok(Rights { read, write, review })
}

fn subject_of(key: &str) -> Subject {
    if key == "city" { Subject::City } else { Subject::School(key.to_string()) }
}

/// `GET /quality?year=Y`: the reports in scope.
pub async fn list(State(state): State<AppState>, v: Viewer, Query(n): Query<Notice>) -> Result<Response, PageError> {
    let latest = i64::from(state.cache.latest_year(&state.db).await.page(&v)?);
    let year = n.year.filter(|y| (2000..=2100).contains(y)).unwrap_or(latest - 1);
    let lines = crate::workflow::quality_report::status(&state.db, year).await.page(&v)?;
    let schools = state.cache.schools(&state.db).await.page(&v)?;
    let rows: Vec<serde_json::Value> = lines
        .iter()
        .filter(|l| {
            l.subject == "city"
                || schools.iter().any(|s| s.code == l.subject && v.who.may_read_records(&s.code, &s.district))
        })
        .map(|l| {
            let en = v.lang == crate::messages::Lang::En;
            let status = ReportStatus::parse(&l.status).map_or("—", |s| if en { s.en() } else { s.zh() });
            let name = if en && l.subject == "city" { "Guangzhou".to_string() } else { l.name.clone() };
            serde_json::json!({"subject": l.subject, "name": name, "status": status, "status_key": l.status,
                "version": l.version, "published_at": l.published_at.as_deref().map(|d| d[..d.len().min(10)].to_string()),
                "deadline": l.deadline, "timeliness": if en { l.timeliness.en() } else { l.timeliness.zh() },
                "late": matches!(l.timeliness, Timeliness::Late | Timeliness::Missing)})
        })
        .collect();
    let years: Vec<i64> = (2021..=latest).rev().collect();
    render(
        "quality.html",
        &v,
        serde_json::json!({"year": year, "years": years, "rows": rows,
            "error": state.flash.get(&v.who.username, n.problem.as_deref(), v.lang)}),
    )
}

/// `GET /quality/{subject}/{year}`: a report's page.
pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    Path((subject, year)): Path<(String, i64)>,
    Query(n): Query<Notice>,
) -> Result<Response, PageError> {
    let r = rights(&state, &v, &subject).await?;
    if !r.read {
        return Err(PageError::Web(WebError::Forbidden, v.lang, None));
    }
    let s = subject_of(&subject);
    let t = fq::template_for(&state.db, &s, year).await.page(&v)?;
    let latest = store::latest(&state.db, &subject, year).await.page(&v)?;
    let written = match &latest {
        Some(x) => store::chapters(&state.db, x.id).await.page(&v)?,
        None => Default::default(),
    };
    let status = latest.as_ref().map(|x| x.status);
    let editable = status.is_none_or(ReportStatus::editable)
        || status == Some(ReportStatus::Published)
        || status == Some(ReportStatus::Superseded);
    let chapters: Vec<serde_json::Value> = t
        .chapters
        .iter()
        .map(|c| {
            serde_json::json!({"id": c.id, "name": c.name_zh, "required": c.required, "guidance": c.guidance_zh,
                "body": written.get(&c.id).cloned().unwrap_or_default()})
        })
        .collect();
    let tables = fq::tables(&state.db, &s, year, v.lang).await.page(&v)?;
    let tables: Vec<serde_json::Value> = tables
        .tables
        .iter()
        .map(|table| {
            let rows: Vec<serde_json::Value> = table
                .rows
                .iter()
                .map(|x| {
                    serde_json::json!({"id": x.id, "name": x.name,
                        "value": crate::reports::quality::shown(x.value, &x.unit, x.why.as_ref().map(|w| w.text(v.lang, &tables.template)).as_deref()),
                        "unit": x.unit, "nodata": x.value.is_none()})
                })
                .collect();
            serde_json::json!({"id": table.id, "name": table.name, "rows": rows})
        })
        .collect();
    render(
        "quality_edit.html",
        &v,
        serde_json::json!({
            "subject": subject, "year": year, "title": t.name_zh,
            "status": status.map(ReportStatus::zh), "status_key": status.map(ReportStatus::key),
            "version": latest.as_ref().map(|x| x.version), "comment": latest.as_ref().and_then(|x| x.review_comment.clone()),
            "may_write": r.write && editable, "may_submit": r.write && status.is_some_and(ReportStatus::editable),
            "may_review": r.review && status == Some(ReportStatus::Submitted),
            "may_publish": r.review && status == Some(ReportStatus::Approved),
            "published": matches!(status, Some(ReportStatus::Published)),
            "chapters": chapters, "tables": tables,
            "error": state.flash.get(&v.who.username, n.problem.as_deref(), v.lang), "saved": n.saved.is_some(),
        }),
    )
}

#[derive(Deserialize)]
pub struct ChapterForm {
    csrf: String,
    chapter: String,
    #[serde(default)]
    body: String,
}

/// `POST /quality/{subject}/{year}/chapter`: saves one chapter (the page's autosave sends the
/// same form; it answers 204 to `fetch` and redirects a plain form).
pub async fn save(
    State(state): State<AppState>,
    v: Viewer,
    Path((subject, year)): Path<(String, i64)>,
    headers: axum::http::HeaderMap,
    Form(f): Form<ChapterForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    if !rights(&state, &v, &subject).await?.write {
        return Err(PageError::Web(WebError::Forbidden, v.lang, None));
    }
    let back = format!("/quality/{subject}/{year}");
    let t = fq::template_for(&state.db, &subject_of(&subject), year).await.page(&v)?;
    let body = f.body.replace("\r\n", "\n");
    match store::write(&state.db, (&subject, year), &t, &f.chapter, &body, &v.who.username, "web").await {
        Ok(_) if headers.get("x-autosave").is_some() => {
            Ok(axum::response::IntoResponse::into_response(axum::http::StatusCode::NO_CONTENT))
        }
        Ok(_) => Ok(see_other(&format!("{back}?saved=1#c-{}", f.chapter))),
        Err(e) => refused_to(&state, &v, &back, e),
    }
}

#[derive(Deserialize)]
pub struct StepForm {
    csrf: String,
    /// submit, approve, return or publish.
    action: String,
    #[serde(default)]
    comment: String,
}

/// `POST /quality/{subject}/{year}/step`.
pub async fn step(
    State(state): State<AppState>,
    v: Viewer,
    Path((subject, year)): Path<(String, i64)>,
    Form(f): Form<StepForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let r = rights(&state, &v, &subject).await?;
    let allowed = match f.action.as_str() {
        "submit" => r.write,
        "approve" | "return" | "publish" => r.review,
        _ => false,
    };
    if !allowed {
        return Err(PageError::Web(WebError::Forbidden, v.lang, None));
    }
    let back = format!("/quality/{subject}/{year}");
    let s = subject_of(&subject);
    let t = fq::template_for(&state.db, &s, year).await.page(&v)?;
    let who = v.who.username.clone();
    let done = match f.action.as_str() {
        "submit" => store::step(&state.db, &subject, year, &Step::Submit { template: &t }, &who, "web").await,
        "approve" => store::step(&state.db, &subject, year, &Step::Approve, &who, "web").await,
        "return" => store::step(&state.db, &subject, year, &Step::Return { comment: &f.comment }, &who, "web").await,
        _ => crate::workflow::quality_report::publish(&state.db, &s, year, None, &who, "web").await,
    };
    match done {
        Ok(_) => Ok(see_other(&format!("{back}?saved=1"))),
        Err(e) => refused_to(&state, &v, &back, e),
    }
}

//! The public portal (no sign-in, no personal data, cached per data version): `/schools` (every
//! school by name, district, level and program), `/school/{code}` (registry facts, programs,
//! designations, key figures and the published quality reports, the training integrity grade),
//! `/quality-reports` (the city's and every school's published reports by year) with each report
//! as a page, a PDF and a DOCX. A draft is never shown here.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::error::WebError;
use super::i18n::{lang_of, text};
use super::pages::{PageError, Viewer, render_page};
use crate::domain::quality::report::ReportStatus;
use crate::figures::quality::{Frozen, Subject};
use crate::messages::Lang;
use crate::reports::quality as render;
use crate::store::quality_report::Report;

fn level_label(level: &str, lang: Lang) -> String {
    crate::domain::standard::label_of(crate::domain::standard::LEVELS, level, lang)
}

fn sponsor_label(s: &str, lang: Lang) -> String {
    crate::domain::standard::label_of(crate::domain::standard::SPONSORS, s, lang)
}

fn subject_of(key: &str) -> Subject {
    if key == "city" { Subject::City } else { Subject::School(key.to_string()) }
}

/// The published versions (the current one of each subject and year; superseded ones stay
/// readable from their report's page).
async fn published(state: &AppState) -> Result<std::sync::Arc<Vec<Report>>, PageError> {
    Ok(state.cache.published_reports(&state.db).await?)
}

#[derive(Deserialize, Default)]
pub struct ReportsQuery {
    year: Option<i64>,
}

/// `GET /quality-reports`.
pub async fn reports(State(state): State<AppState>, mut parts: Parts) -> Result<Response, PageError> {
    let lang = lang_of(&parts);
    let viewer = Viewer::optional(&mut parts, &state).await;
    let q: ReportsQuery = Query::try_from_uri(&parts.uri).map(|q| q.0).unwrap_or_default();
    let all = published(&state).await?;
    let schools = state.cache.schools(&state.db).await?;
    let mut years: Vec<i64> = all.iter().map(|r| r.year).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let year = q.year.filter(|y| years.contains(y)).or(years.first().copied());
    let rows: Vec<serde_json::Value> = all
        .iter()
        .filter(|r| Some(r.year) == year && r.status == ReportStatus::Published)
        .map(|r| {
            let name = if r.subject == "city" {
                text(lang, "portal_city_report")
            } else {
                schools.iter().find(|s| s.code == r.subject).map_or_else(|| r.subject.clone(), |s| s.name.clone())
            };
            serde_json::json!({"subject": r.subject, "name": name, "year": r.year, "version": r.version,
                "published_at": r.published_at.as_deref().map(|d| d[..d.len().min(10)].to_string())})
        })
        .collect();
    let ctx = serde_json::json!({"years": years, "year": year, "rows": rows});
    Ok(render_page("quality_reports.html", lang, viewer.as_ref(), ctx)?.into_response())
}

/// The frozen tables of a subject's published report of a year (404 for a draft or none).
async fn document(state: &AppState, subject: &str, year: i64, lang: Lang) -> Result<render::Document, PageError> {
    let all = published(state).await?;
    if !all.iter().any(|r| r.subject == subject && r.year == year && r.status == ReportStatus::Published) {
        return Err(PageError::Web(WebError::NotFound, lang, None));
    }
    let d = crate::workflow::quality_report::document(&state.db, &subject_of(subject), year, true).await?;
    Ok(d)
}

/// `GET /quality-reports/{subject}/{year}`: the published report as a page.
pub async fn report(
    State(state): State<AppState>,
    Path((subject, year)): Path<(String, i64)>,
    mut parts: Parts,
) -> Result<Response, PageError> {
    let lang = lang_of(&parts);
    let viewer = Viewer::optional(&mut parts, &state).await;
    let d = document(&state, &subject, year, lang).await?;
    let ctx = serde_json::json!({"subject": subject, "year": year, "title": render::title(&d.frozen),
        "body": render::html_body(&d)});
    Ok(render_page("quality_report.html", lang, viewer.as_ref(), ctx)?.into_response())
}

/// `GET /quality-reports/{subject}/{year}/{format}`: the published report as a PDF or DOCX.
pub async fn download(
    State(state): State<AppState>,
    Path((subject, year, format)): Path<(String, i64, String)>,
    parts: Parts,
) -> Result<Response, PageError> {
    let lang = lang_of(&parts);
    let d = document(&state, &subject, year, lang).await?;
    let (bytes, kind, ext) = match format.as_str() {
        "pdf" => (
            state.cache.report_file(&state.db, &subject, year, "pdf", || render::pdf(&d)).await?,
            "application/pdf",
            "pdf",
        ),
        "docx" => (
            state.cache.report_file(&state.db, &subject, year, "docx", || render::docx(&d)).await?,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
        _ => return Err(PageError::Web(WebError::NotFound, lang, None)),
    };
    let name = format!("quality-report-{subject}-{year}.{ext}");
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{name}\"")),
        ],
        bytes.as_ref().clone(),
    )
        .into_response())
}

#[derive(Deserialize, Default)]
pub struct SchoolsQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    district: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    program: String,
}

/// `GET /schools`.
pub async fn schools(State(state): State<AppState>, mut parts: Parts) -> Result<Response, PageError> {
    let lang = lang_of(&parts);
    let viewer = Viewer::optional(&mut parts, &state).await;
    let q: SchoolsQuery = Query::try_from_uri(&parts.uri).map(|q| q.0).unwrap_or_default();
    let cut = |s: &str| s.trim().chars().take(40).collect::<String>();
    let (text_q, district, level, program) = (cut(&q.q), cut(&q.district), cut(&q.level), cut(&q.program));
    let all = state.cache.schools(&state.db).await?;
    let names = state.cache.district_names(&state.db).await?;
    let offered = state.cache.offerings(&state.db).await?;
    let rows: Vec<serde_json::Value> = all
        .iter()
        .filter(|s| text_q.is_empty() || s.name.contains(&text_q) || s.code.contains(&text_q))
        .filter(|s| district.is_empty() || s.district == district)
        .filter(|s| level.is_empty() || s.level == level)
        .filter(|s| program.is_empty() || offered.get(&s.code).is_some_and(|(_, p)| p.iter().any(|c| c.starts_with(&program))))
        .map(|s| {
            serde_json::json!({"code": s.code, "name": s.name, "district": names.get(&s.district).cloned().unwrap_or_default(),
                "level": level_label(&s.level, lang), "sponsor": sponsor_label(&s.sponsor, lang),
                "programs": offered.get(&s.code).map_or(0, |(_, p)| p.len())})
        })
        .collect();
    let mut districts: Vec<(String, String)> = names.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    districts.sort();
    let ctx = serde_json::json!({
        "q": text_q, "district": district, "level": level, "program": program, "rows": rows,
        "districts": districts.iter().map(|(k, v)| serde_json::json!({"key": k, "label": v})).collect::<Vec<_>>(),
        "matches": text(lang, "matches").replace("{n}", &rows.len().to_string()),
    });
    Ok(render_page("schools.html", lang, viewer.as_ref(), ctx)?.into_response())
}

/// `GET /school/{code}`.
pub async fn school(
    State(state): State<AppState>,
    Path(code): Path<String>,
    mut parts: Parts,
) -> Result<Response, PageError> {
    let lang = lang_of(&parts);
    let viewer = Viewer::optional(&mut parts, &state).await;
    let code: String = code.chars().filter(char::is_ascii_digit).take(10).collect();
    let all = state.cache.schools(&state.db).await?;
    let Some(s) = all.iter().find(|s| s.code == code) else {
        return Err(PageError::Web(WebError::NotFound, lang, None));
    };
    let names = state.cache.district_names(&state.db).await?;
    let offered = state.cache.offerings(&state.db).await?;
    let catalog = state.cache.program_names(&state.db).await?;
    let (program_year, programs) = offered.get(&code).cloned().unwrap_or((0, Vec::new()));
    let programs: Vec<serde_json::Value> = programs
        .iter()
        .map(|p| serde_json::json!({"code": p, "name": catalog.get(&(s.level.clone(), p.clone())).cloned().unwrap_or_default()}))
        .collect();
    let designations: Vec<serde_json::Value> = crate::store::portal::designations(&state.db, &code)
        .await?
        .into_iter()
        .map(|d| {
            use crate::domain::standard::{DESIGNATION_LEVELS, DESIGNATION_STATUSES, label_of};
            serde_json::json!({ "code": d.code, "kind": d.kind, "subject": d.subject, "approved_year": d.approved_year,
                "level": label_of(DESIGNATION_LEVELS, &d.level, lang), "status": label_of(DESIGNATION_STATUSES, &d.status, lang) })
        })
        .collect();
    let all_published = published(&state).await?;
    let reports: Vec<serde_json::Value> = all_published
        .iter()
        .filter(|r| r.subject == code && r.status == ReportStatus::Published)
        .map(|r| serde_json::json!({"year": r.year, "version": r.version, "published_at": r.published_at.as_deref().map(|d| d[..d.len().min(10)].to_string())}))
        .collect();
    // Key figures: the latest published report's scorecard and resources, as frozen.
    let latest = all_published
        .iter()
        .filter(|r| r.subject == code && r.status == ReportStatus::Published)
        .max_by_key(|r| r.year)
        .cloned();
    let figures: Vec<serde_json::Value> = match &latest {
        Some(r) => {
            let snap = crate::store::quality_report::snapshot(&state.db, r.id).await?.unwrap_or_default();
            let frozen: Option<Frozen> = serde_json::from_str(&snap).ok();
            frozen
                .map(|f| {
                    f.tables
                        .iter()
                        .flat_map(|t| t.rows.iter())
                        .filter(|x| ["full_time_enrolment", "graduates", "placement_rate", "student_teacher_ratio", "dual_qualified_share", "training_person_times"].contains(&x.id.as_str()))
                        .map(|x| serde_json::json!({"name": x.name_zh, "value": render::shown(x.value, &x.unit, x.note_zh.as_deref()), "unit": x.unit}))
                        .collect()
                })
                .unwrap_or_default()
        }
        None => Vec::new(),
    };
    let training_year = state.cache.training_year(&state.db).await?;
    let grade =
        state.cache.provider_page(&state.db, &code, training_year).await?.as_ref().as_ref().map(|p| p.grade.clone());
    let ctx = serde_json::json!({
        "s": {"code": s.code, "name": s.name, "district": names.get(&s.district).cloned().unwrap_or_default(),
              "level": level_label(&s.level, lang), "sponsor": sponsor_label(&s.sponsor, lang)},
        "program_year": program_year, "programs": programs, "designations": designations, "reports": reports,
        "figures": figures, "figures_year": latest.map(|r| r.year), "grade": grade, "grade_year": training_year,
    });
    Ok(render_page("school.html", lang, viewer.as_ref(), ctx)?.into_response())
}

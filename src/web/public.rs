//! The public pages: the plan at a glance, the program catalogue and the credential check.
//! Aggregates only, nothing about a person, no sign-in.

use axum::extract::{Query, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::i18n::lang_of;
use super::pages::dashboard::{CardView, alerts};
use super::pages::{PageError, Viewer, render_page};
use crate::figures::Scope;

#[derive(Deserialize, Default)]
pub struct PageQuery {
    year: Option<i32>,
}

pub async fn page(State(state): State<AppState>, mut parts: Parts) -> Result<Response, PageError> {
    let lang = lang_of(&parts);
    let viewer = Viewer::optional(&mut parts, &state).await;
    let q: PageQuery = Query::try_from_uri(&parts.uri).map(|q| q.0).unwrap_or_default();
    let plan = state.cache.plan(&state.db).await?;
    let latest = state.cache.latest_year(&state.db).await?;
    let year = q.year.unwrap_or(latest).clamp(plan.baseline_year, latest.max(plan.baseline_year));
    let results = state.cache.indicators(&state.db, &Scope::City, year).await?;
    let cards: Vec<CardView> = results.iter().map(|r| CardView::new(r, lang)).collect();
    let title = if lang == crate::messages::Lang::En { &plan.name_en } else { &plan.name_zh };
    let years: Vec<i32> = (plan.baseline_year..=latest.max(plan.baseline_year)).rev().collect();
    let ctx = serde_json::json!({ "title": title, "year": year, "years": years, "cards": cards, "alerts": alerts(&plan, &results, lang) });
    Ok(render_page("public.html", lang, viewer.as_ref(), ctx)?.into_response())
}

#[derive(Deserialize, Default)]
pub struct CatalogQuery {
    q: Option<String>,
    level: Option<String>,
}

/// The loaded program catalogue, searchable by code or name.
pub async fn catalog(State(state): State<AppState>, mut parts: Parts) -> Result<Response, PageError> {
    let lang = lang_of(&parts);
    let viewer = Viewer::optional(&mut parts, &state).await;
    let q: CatalogQuery = Query::try_from_uri(&parts.uri).map(|q| q.0).unwrap_or_default();
    let text = q.q.as_deref().map_or("", str::trim).chars().take(40).collect::<String>();
    let level = q.level.filter(|l| ["secondary", "higher", "bachelor"].contains(&l.as_str()));
    let rows = crate::store::registry::search_catalog(&state.db, &text, level.as_deref(), 501).await?;
    let more = rows.len() > 500;
    let items: Vec<serde_json::Value> = rows
        .iter()
        .take(500)
        .map(|r| {
            let level = crate::domain::standard::label_of(crate::domain::standard::LEVELS, &r.level, lang);
            serde_json::json!({ "level": level, "code": r.code, "name": r.name, "kind": r.kind })
        })
        .collect();
    let n = if more { "500+".to_string() } else { items.len().to_string() };
    let ctx = serde_json::json!({
        "q": text, "level": level, "items": items,
        "matches": super::i18n::text(lang, "matches").replace("{n}", &n),
    });
    Ok(render_page("catalog.html", lang, viewer.as_ref(), ctx)?.into_response())
}

/// `GET /verify`: the form to check a credential.
pub async fn verify_form(State(state): State<AppState>, mut parts: Parts) -> Result<Response, PageError> {
    let lang = lang_of(&parts);
    let viewer = Viewer::optional(&mut parts, &state).await;
    let ctx = serde_json::json!({ "text": "", "checks": null, "valid": false });
    Ok(render_page("verify.html", lang, viewer.as_ref(), ctx)?.into_response())
}

#[derive(Deserialize)]
pub struct VerifyForm {
    credential: String,
}

/// `POST /verify`: one result per check of the presented credential. Nothing is stored and
/// nothing changes, so the form needs no session.
pub async fn verify(
    State(state): State<AppState>,
    mut parts: Parts,
    axum::Form(form): axum::Form<VerifyForm>,
) -> Result<Response, PageError> {
    let lang = lang_of(&parts);
    let viewer = Viewer::optional(&mut parts, &state).await;
    let checks = crate::store::credential::verify(&state.db, &form.credential).await?;
    let valid = checks.iter().all(|c| c.ok);
    let rows: Vec<serde_json::Value> = checks
        .iter()
        .map(|c| serde_json::json!({ "check": c.check, "ok": c.ok, "message": crate::messages::Message::pair(c.message.clone()).get(lang) }))
        .collect();
    // The text goes back into the form, cut to what a credential can be.
    let text: String = form.credential.chars().take(20_000).collect();
    let ctx = serde_json::json!({ "text": text, "checks": rows, "valid": valid });
    Ok(render_page("verify.html", lang, viewer.as_ref(), ctx)?.into_response())
}

/// `GET /status/revocation`: the credit bank's revocation list, a signed
/// `BitstringStatusListCredential` (VC-JWT) that verifiers outside VETIS read a credential's bit
/// from. Public, as the specification means it to be; it holds no personal data.
pub async fn status_list(State(state): State<AppState>) -> Result<Response, super::error::WebError> {
    let address = crate::store::credential::status_list_address(state.config.public_url.as_deref());
    let jwt = crate::store::credential::status_list(&state.db, &address).await?;
    Ok(([(header::CONTENT_TYPE, "application/vc+jwt")], jwt).into_response())
}

pub async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], include_str!("static/vetis.css")).into_response()
}

pub async fn script() -> Response {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], include_str!("static/vetis.js")).into_response()
}

/// `POST /export/table.xlsx`: a table of a page, as the page shows it, as a workbook (the script
/// adds a download button under every table). It holds only what the reader already sees.
pub async fn table_xlsx(axum::Json(t): axum::Json<crate::reports::table::Shown>) -> Response {
    match crate::reports::table::workbook(&t) {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"table.xlsx\""),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => super::error::WebError::from(e).into_response(),
    }
}

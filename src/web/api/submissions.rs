//! Submissions through the API: a school uploads a file (multipart field `file`); every error comes
//! back with its row and column and nothing is stored, or the data waits for review. Reviewers
//! (the school's district officer, the bureau) approve or return it.

use std::collections::HashSet;

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use sqlx::Row;

use super::super::AppState;
use super::super::auth::Caller;
use super::super::error::WebError;
use crate::domain::access::{Principal, Role};
use crate::domain::standard::Table;
use crate::ingest::finding::Lang;
use crate::store::submissions;
use crate::workflow::import::{ImportOptions, NoProgress, import_file};

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// The schools a caller may submit for; None means every school (the bureau's administrator).
async fn allowed_schools(state: &AppState, who: &Principal) -> Result<Option<HashSet<String>>, WebError> {
    match who.role {
        Role::Admin => Ok(None),
        Role::Analyst => Err(WebError::Forbidden),
        Role::School => Ok(Some(who.school.iter().cloned().collect())),
        Role::District => {
            let rows = sqlx::query("SELECT school_code FROM rec_school WHERE is_current = 1 AND district_code = $1")
                .bind(who.district.clone().unwrap_or_default())
                .fetch_all(&state.db.pool)
                .await
                .map_err(|e| WebError::Internal(e.to_string()))?;
            Ok(Some(rows.into_iter().map(|r| r.get(0)).collect()))
        }
    }
}

/// Keeps only a safe file name: the extension decides the format, the stem may name the table.
fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("upload");
    let cleaned: String = base.chars().filter(|c| c.is_alphanumeric() || "-_.".contains(*c)).collect();
    if cleaned.trim_matches('.').is_empty() { "upload.csv".into() } else { cleaned }
}

pub async fn create(
    State(state): State<AppState>,
    Caller(who): Caller,
    Query(q): Query<LangQuery>,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let lang = if q.lang.as_deref() == Some("en") { Lang::En } else { Lang::Zh };
    let allowed = allowed_schools(&state, &who).await?;
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut table: Option<Table> = None;
    while let Some(field) = form.next_field().await.map_err(|e| WebError::BadRequest(e.to_string()))? {
        match field.name() {
            Some("file") => {
                let name = safe_name(field.file_name().unwrap_or("upload.csv"));
                let bytes = field.bytes().await.map_err(|e| WebError::BadRequest(e.to_string()))?;
                file = Some((name, bytes.to_vec()));
            }
            Some("table") => {
                let t = field.text().await.map_err(|e| WebError::BadRequest(e.to_string()))?;
                table = Some(Table::from_name(&t).ok_or_else(|| WebError::BadRequest(format!("unknown table '{t}'")))?);
            }
            _ => {}
        }
    }
    let (name, bytes) = file.ok_or_else(|| {
        WebError::BadRequest("multipart 字段 file 缺失 / the multipart field 'file' is missing".into())
    })?;
    let dir = tempfile::tempdir().map_err(|e| WebError::Internal(e.to_string()))?;
    let path = dir.path().join(&name);
    std::fs::write(&path, &bytes).map_err(|e| WebError::Internal(e.to_string()))?;
    let mut opts = ImportOptions {
        table,
        actor: &who.username,
        source: "web",
        status: "submitted",
        allowed_schools: allowed.as_ref(),
        dry_run: true,
    };
    // Check every sheet first: a workbook is stored whole or not at all.
    let checked = import_file(&state.db, &path, &name, &opts, &NoProgress).await?;
    if checked.iter().any(|r| !r.accepted()) {
        let errors: Vec<serde_json::Value> = checked
            .iter()
            .flat_map(|r| r.errors.iter())
            .map(|f| serde_json::json!({ "file": f.file, "row": f.row, "column": f.column, "message": f.problem.message(lang) }))
            .collect();
        let total: usize = checked.iter().map(|r| r.error_total).sum();
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(serde_json::json!({ "errors": errors, "error_count": total })),
        )
            .into_response());
    }
    opts.dry_run = false;
    let written = import_file(&state.db, &path, &name, &opts, &NoProgress).await?;
    let ids: Vec<i64> =
        written.iter().filter_map(|r| r.written.as_ref()).flat_map(|w| w.submissions.iter().copied()).collect();
    let warnings: Vec<String> = written.iter().flat_map(|r| r.warnings.iter()).map(|w| w.render(lang)).collect();
    if ids.is_empty() {
        return Ok((
            StatusCode::OK,
            Json(serde_json::json!({ "id": null, "ids": ids, "status": "unchanged", "warnings": warnings })),
        )
            .into_response());
    }
    Ok((
        StatusCode::CREATED,
        Json(serde_json::json!({ "id": ids[0], "ids": ids, "status": "submitted", "warnings": warnings })),
    )
        .into_response())
}

/// The district of a submission's school, for the reviewer check.
async fn reviewable(state: &AppState, who: &Principal, id: i64) -> Result<(), WebError> {
    let s = submissions::get(&state.db, id).await.map_err(|_| WebError::NotFound)?;
    let row = sqlx::query("SELECT district_code FROM rec_school WHERE school_code = $1 AND is_current = 1")
        .bind(s.school_code.clone())
        .fetch_optional(&state.db.pool)
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?;
    let district: String = row.map(|r| r.get(0)).unwrap_or_default();
    if who.may_review(&district) { Ok(()) } else { Err(WebError::Forbidden) }
}

pub async fn approve(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    reviewable(&state, &who, id).await?;
    let s = submissions::approve(&state.db, id, &who.username, "web").await?;
    Ok(Json(s).into_response())
}

#[derive(Deserialize)]
pub struct ReturnBody {
    comment: String,
}

pub async fn return_for_changes(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(id): Path<i64>,
    Json(b): Json<ReturnBody>,
) -> Result<Response, WebError> {
    reviewable(&state, &who, id).await?;
    if b.comment.trim().is_empty() {
        return Err(WebError::BadRequest("退回须说明原因 / a returned submission needs a comment".into()));
    }
    let s = submissions::return_for_changes(&state.db, id, &who.username, "web", b.comment.trim()).await?;
    Ok(Json(s).into_response())
}

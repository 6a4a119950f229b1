//! Submissions through the API: a school uploads a file (multipart field `file`); every error comes
//! back with its row and column and nothing is stored, or the data waits for review. Reviewers
//! (the school's district officer, the bureau) approve or return it.

use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::super::AppState;
use super::super::auth::{Caller, Source};
use super::super::error::WebError;
use super::super::submission::{Received, receive, reviewable};
use crate::domain::standard::Table;
use crate::messages::Lang;
use crate::store::submissions;

#[derive(Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    Caller(who): Caller,
    Source(source): Source,
    Query(q): Query<LangQuery>,
    mut form: Multipart,
) -> Result<Response, WebError> {
    let lang = if q.lang.as_deref() == Some("en") { Lang::En } else { Lang::Zh };
    // The turn comes before the body is read: a waiting upload stays in the client's socket.
    let _turn = state.queues.imports.turn(&who.username).await.map_err(WebError::Busy)?;
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut table: Option<Table> = None;
    while let Some(field) = form.next_field().await.map_err(|e| WebError::multipart(&e))? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or("upload.csv").to_string();
                let bytes = field.bytes().await.map_err(|e| WebError::multipart(&e))?;
                file = Some((name, bytes.to_vec()));
            }
            Some("table") => {
                let t = field.text().await.map_err(|e| WebError::multipart(&e))?;
                table = Some(Table::from_name(&t).ok_or_else(|| WebError::bad(format!("unknown table '{t}'")))?);
            }
            _ => {}
        }
    }
    let (name, bytes) =
        file.ok_or_else(|| WebError::bad("multipart 字段 file 缺失 / the multipart field 'file' is missing"))?;
    Ok(match receive(&state, &who, table, &name, &bytes, lang, &source).await? {
        Received::Refused { errors, total } => {
            (StatusCode::UNPROCESSABLE_ENTITY, Json(serde_json::json!({ "errors": errors, "error_count": total })))
                .into_response()
        }
        Received::Unchanged { warnings } => (
            StatusCode::OK,
            Json(serde_json::json!({ "id": null, "ids": [], "status": "unchanged", "warnings": warnings })),
        )
            .into_response(),
        Received::Submitted { ids, warnings } => (
            StatusCode::CREATED,
            Json(serde_json::json!({ "id": ids[0], "ids": ids, "status": "submitted", "warnings": warnings })),
        )
            .into_response(),
    })
}

pub async fn approve(
    State(state): State<AppState>,
    Caller(who): Caller,
    Source(source): Source,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    reviewable(&state, &who, id).await?;
    let s = submissions::approve(&state.db, id, &who.username, &source).await?;
    Ok(Json(s).into_response())
}

#[derive(Deserialize)]
pub struct ReturnBody {
    comment: String,
}

pub async fn return_for_changes(
    State(state): State<AppState>,
    Caller(who): Caller,
    Source(source): Source,
    Path(id): Path<i64>,
    Json(b): Json<ReturnBody>,
) -> Result<Response, WebError> {
    reviewable(&state, &who, id).await?;
    if b.comment.trim().is_empty() {
        return Err(WebError::bad("退回须说明原因 / a returned submission needs a comment"));
    }
    let s = submissions::return_for_changes(&state.db, id, &who.username, &source, b.comment.trim()).await?;
    Ok(Json(s).into_response())
}

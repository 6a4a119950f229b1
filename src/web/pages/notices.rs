//! The bell: a user's notices (a submission approved or returned, a review waiting, a return due
//! soon or late), newest first; opening one marks it read and follows its link.

use axum::extract::{Form, Path, State};
use axum::response::Response;
use serde::Deserialize;

use super::{OrPage, PageError, Viewer, render, see_other};
use crate::messages::time;
use crate::store::notifications;
use crate::web::AppState;

/// `GET /notifications`.
pub async fn list(State(state): State<AppState>, v: Viewer) -> Result<Response, PageError> {
    let items = notifications::list(&state.db, v.who.user_id, 200).await.page(&v)?;
    let rows: Vec<serde_json::Value> = items
        .iter()
        .map(|n| {
            serde_json::json!({
                "id": n.id,
                "kind": n.kind.key(),
                "label": n.kind.label().get(v.lang),
                "text": n.text.get(v.lang),
                "at": time::date_time(&n.created_at, v.lang),
                "read": n.read,
            })
        })
        .collect();
    let unread = rows.iter().filter(|r| r["read"] == false).count();
    render("notifications.html", &v, serde_json::json!({ "items": rows, "unread_here": unread }))
}

/// `GET /notifications/{id}`: marks the notice read and goes to what it is about.
pub async fn open(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    let link = notifications::link_of(&state.db, v.who.user_id, id).await.page(&v)?;
    notifications::mark_read(&state.db, v.who.user_id, Some(id)).await.page(&v)?;
    // Only a path of this site: a stored link never sends the reader elsewhere.
    let to = if link.starts_with('/') && !link.starts_with("//") { link } else { "/notifications".into() };
    Ok(see_other(&to))
}

#[derive(Deserialize)]
pub struct ReadForm {
    csrf: String,
}

/// `POST /notifications/read`: marks every notice read.
pub async fn read_all(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<ReadForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    notifications::mark_read(&state.db, v.who.user_id, None).await.page(&v)?;
    Ok(see_other("/notifications"))
}

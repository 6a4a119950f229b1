//! The JSON API under /api/v1: the same figures and records as the CLI, for sessions and bearer
//! tokens alike, with the caller's scope checked where data is read.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

use super::AppState;
use super::auth::{Address, Caller, SESSION_COOKIE, Source, cookie};
use super::error::WebError;
use crate::domain::access::Target;
use crate::domain::standard::Table;
use crate::figures::Scope;
use crate::store::record_rows::Cell;
use crate::store::signin::{self, SignIn};
use crate::store::users;
use crate::web::pages::drill::{PAGE_SIZE, RecordsQuery, RowsPage, rows_page};

mod submissions;

/// Uploads up to this size (a large school's student file is a few megabytes).
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/session", post(sign_in).delete(sign_out))
        .route("/api/v1/password", post(change_password))
        .route("/api/v1/indicators", get(indicators))
        .route("/api/v1/credit/figures", get(credit_figures))
        .route("/api/v1/records/{table}", get(records))
        .route(
            "/api/v1/submissions",
            post(submissions::create).layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/api/v1/submissions/{id}/approve", post(submissions::approve))
        .route("/api/v1/submissions/{id}/return", post(submissions::return_for_changes))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/api/v1/queue", get(queue))
        .route("/api/v1/templates/{table}", get(template))
        .route("/api/v1/templates/{table}/roll-forward", get(roll_forward))
}

#[derive(serde::Deserialize)]
struct RollForwardQuery {
    school: String,
    /// The statistical year due; the rows of the year before fill it.
    year: i64,
}

/// The template of a table filled with a school's rows of the year before `year`, for whoever may
/// submit for that school (its officer, its district, the bureau); audited, as it holds personal
/// data in full.
async fn roll_forward(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(table): Path<String>,
    Query(q): Query<RollForwardQuery>,
    Source(source): Source,
) -> Result<Response, WebError> {
    let table = Table::from_name(table.trim_end_matches(".xlsx")).ok_or(WebError::NotFound)?;
    let school = crate::store::registry::school(&state.db, &q.school).await?.ok_or(WebError::NotFound)?;
    if !who.may_submit_for(&school.code, &school.district) {
        return Err(WebError::Forbidden);
    }
    let (bytes, _) =
        crate::workflow::template::roll_forward(&state.db, table, &school.code, q.year, &who.username, &source).await?;
    let disposition = format!("attachment; filename=\"{}-{}-{}.xlsx\"", table.key(), school.code, q.year);
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}

/// The Excel template of a table, for any signed-in caller.
async fn template(
    State(state): State<AppState>,
    Caller(_): Caller,
    Path(table): Path<String>,
) -> Result<Response, WebError> {
    let table = Table::from_name(table.trim_end_matches(".xlsx")).ok_or(WebError::NotFound)?;
    let bytes = crate::workflow::template::template(&state.db, table).await?;
    let disposition = format!("attachment; filename=\"{}.xlsx\"", table.key());
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// How many imports and reports are running and waiting: what an upload page shows while its
/// file waits for a turn.
async fn queue(State(state): State<AppState>, Caller(_): Caller) -> Json<serde_json::Value> {
    Json(serde_json::json!({ "imports": state.queues.imports.state(), "reports": state.queues.reports.state() }))
}

/// The OpenAPI document of this API.
async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], include_str!("openapi.json")).into_response()
}

#[derive(Deserialize)]
struct Credentials {
    username: String,
    password: String,
}

fn session_cookie(value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .expect("cookie characters are hex")
}

async fn sign_in(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    Json(c): Json<Credentials>,
) -> Result<Response, WebError> {
    let source = super::auth::client(&parts);
    let address = super::auth::address(&parts, &state.config);
    match signin::sign_in(&state.db, &state.config.signin, &c.username, &c.password, &address, &source).await? {
        SignIn::Refused => Err(WebError::Unauthorized("用户名或密码错误 / wrong user name or password")),
        SignIn::Throttled { wait_secs } => Err(WebError::Throttled(wait_secs)),
        SignIn::Ok(acc) => {
            let (id, csrf) = users::new_session(&state.db, acc.id).await?;
            let body = serde_json::json!({ "username": acc.username, "role": acc.role, "csrf": csrf, "must_change_password": acc.must_change });
            let mut res = (StatusCode::OK, Json(body)).into_response();
            res.headers_mut()
                .insert(header::SET_COOKIE, session_cookie(&id, users::IDLE_MINUTES * 60, state.secure_cookies));
            Ok(res)
        }
    }
}

async fn sign_out(
    State(state): State<AppState>,
    Caller(_): Caller,
    req: axum::http::Request<axum::body::Body>,
) -> Result<Response, WebError> {
    let (parts, _) = req.into_parts();
    if let Some(id) = cookie(&parts, SESSION_COOKIE) {
        users::end_session(&state.db, &id).await?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().insert(header::SET_COOKIE, session_cookie("", 0, state.secure_cookies));
    Ok(res)
}

#[derive(Deserialize)]
struct NewPassword {
    current: String,
    new: String,
}

/// Changes the caller's own password: the current one is checked (a wrong one counts towards the
/// lock-out), the policy and history apply, and every session of the account ends.
async fn change_password(
    State(state): State<AppState>,
    Caller(who): Caller,
    Source(source): Source,
    Address(address): Address,
    Json(p): Json<NewPassword>,
) -> Result<Response, WebError> {
    match signin::sign_in(&state.db, &state.config.signin, &who.username, &p.current, &address, &source).await? {
        SignIn::Ok(_) => {}
        SignIn::Throttled { wait_secs } => return Err(WebError::Throttled(wait_secs)),
        SignIn::Refused => return Err(WebError::Unauthorized("当前密码错误 / the current password is wrong")),
    }
    users::set_password(&state.db, &who.username, &p.new, false, &who.username, &source).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut().insert(header::SET_COOKIE, session_cookie("", 0, state.secure_cookies));
    Ok(res)
}

#[derive(Deserialize)]
struct ScopeQuery {
    year: Option<i32>,
    school: Option<String>,
    district: Option<String>,
    /// A province (`44`) or a city (`4401`) of a provincial or national installation.
    region: Option<String>,
}

/// The district of a registered school, or 404.
async fn district_of(state: &AppState, school: &str) -> Result<String, WebError> {
    let school = crate::store::registry::school(&state.db, school).await?;
    school.map(|s| s.district).ok_or(WebError::NotFound)
}

/// The scope a query names, if the caller may read its figures, and its year (the latest with
/// students when it names none).
async fn scope_of(
    state: &AppState,
    who: &crate::domain::access::Principal,
    q: &ScopeQuery,
) -> Result<(Scope, i32), WebError> {
    let scope = match (&q.school, &q.district, &q.region) {
        (Some(s), None, None) => {
            let d = district_of(state, s).await?;
            if !who.may_read_figures(&Target::School { code: s, district: &d }) {
                return Err(WebError::Forbidden);
            }
            Scope::School(s.clone())
        }
        (None, Some(d), None) => {
            if !who.may_read_figures(&Target::District(d)) {
                return Err(WebError::Forbidden);
            }
            Scope::District(d.clone())
        }
        (None, None, Some(r)) => {
            // A region is a part of the whole: whoever may read the whole may read it.
            if !who.may_read_figures(&Target::City) {
                return Err(WebError::Forbidden);
            }
            state.cache.region(&state.db, r).await?;
            Scope::Region(r.clone())
        }
        (None, None, None) => Scope::City,
        _ => {
            return Err(WebError::bad(
                "school、district 与 region 只能给一个 / give one of school, district or region",
            ));
        }
    };
    let year = match q.year {
        Some(y) => y,
        None => state.cache.latest_year(&state.db).await?,
    };
    Ok((scope, year))
}

async fn indicators(
    State(state): State<AppState>,
    Caller(who): Caller,
    Query(q): Query<ScopeQuery>,
) -> Result<Response, WebError> {
    let (scope, year) = scope_of(&state, &who, &q).await?;
    Ok(Json(&*state.cache.indicators(&state.db, &scope, year).await?).into_response())
}

/// The credit bank's figures of a scope and year (`vetis credit figures --format json`).
async fn credit_figures(
    State(state): State<AppState>,
    Caller(who): Caller,
    Query(q): Query<ScopeQuery>,
) -> Result<Response, WebError> {
    let (scope, year) = scope_of(&state, &who, &q).await?;
    Ok(Json(crate::figures::credit::figures(&state.db, &scope, year).await?).into_response())
}

async fn records(
    State(state): State<AppState>,
    Caller(who): Caller,
    Path(table): Path<String>,
    Query(q): Query<RecordsQuery>,
) -> Result<Response, WebError> {
    let table = Table::from_name(&table).ok_or(WebError::NotFound)?;
    let RowsPage { rows, next, .. } = rows_page(&state, &who, table, &q, crate::messages::Lang::Zh, false).await?;
    let keys: Vec<&str> = table.spec().columns.iter().map(|c| c.key).collect();
    let rows: Vec<serde_json::Value> = rows
        .into_iter()
        .map(|cells| {
            let obj: serde_json::Map<String, serde_json::Value> = keys
                .iter()
                .zip(cells)
                .map(|(k, c)| {
                    let v = match c {
                        Cell::Text(s) => serde_json::Value::String(s),
                        Cell::Number(n) => serde_json::json!(n),
                        Cell::Empty => serde_json::Value::Null,
                    };
                    (k.to_string(), v)
                })
                .collect();
            serde_json::Value::Object(obj)
        })
        .collect();
    let page = q.page.unwrap_or(1).max(1);
    Ok(Json(serde_json::json!({ "table": table.key(), "school": q.school, "year": q.year, "indicator": q.indicator, "part": q.part, "page": page, "page_size": PAGE_SIZE, "next": next, "rows": rows })).into_response())
}

//! Who is calling: a bearer token (API clients) or a session cookie (browsers). Scope is then
//! checked where data is read, by `domain::access`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{Method, header};

use super::AppState;
use super::error::WebError;
use crate::domain::access::Principal;
use crate::store::{tokens, users};

pub const SESSION_COOKIE: &str = "vetis_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// A signed-in caller. Extracting it refuses anonymous requests with 401, and cookie-authenticated
/// requests that change something without the session's CSRF token with 403.
pub struct Caller(pub Principal);

pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts.headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(
        |kv| {
            let (k, v) = kv.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        },
    )
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) {
            let token = auth.strip_prefix("Bearer ").ok_or(WebError::Unauthorized("Authorization: Bearer TOKEN"))?;
            let acc = tokens::by_token(&state.db, token.trim())
                .await?
                .ok_or(WebError::Unauthorized("令牌无效 / invalid token"))?;
            return Ok(Caller(acc.principal()));
        }
        let id = cookie(parts, SESSION_COOKIE).ok_or(WebError::Unauthorized("请先登录 / sign in first"))?;
        let (acc, csrf) =
            users::by_session(&state.db, &id).await?.ok_or(WebError::Unauthorized("会话已过期 / session expired"))?;
        let changes = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if changes {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            if sent != csrf {
                return Err(WebError::Forbidden);
            }
        }
        // A one-time password opens a session for one thing only: choosing a password (or leaving).
        if acc.must_change && !matches!(parts.uri.path(), "/api/v1/password" | "/api/v1/session") {
            return Err(WebError::PasswordChangeRequired);
        }
        Ok(Caller(acc.principal()))
    }
}

/// Where a request came from, for the audit log: the peer address, and the address a proxy says
/// it forwarded for (kept apart, since a client can write that header itself).
pub fn client(parts: &Parts) -> String {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "web".into(), |c| c.0.ip().to_string());
    match parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
        Some(f) => format!("{peer} (for {})", f.chars().take(64).collect::<String>()),
        None => peer,
    }
}

/// Where a request came from (see `client`), as an extractor for handlers that write the audit log.
pub struct Source(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Source(client(parts)))
    }
}

/// The client's address for the sign-in throttle: the peer, or what a trusted proxy says.
pub fn address(parts: &Parts, config: &super::config::WebConfig) -> String {
    let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    config.client_address(peer, parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()))
}

/// The client's address (see `address`), as an extractor.
pub struct Address(pub String);

impl FromRequestParts<AppState> for Address {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Address(address(parts, &state.config)))
    }
}

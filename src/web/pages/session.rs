//! Signing in and out, choosing a new password, and the language switch. The sign-in form is
//! protected by a double-submit token (a cookie and the same value in the form), every other form
//! by the session's CSRF token.

use axum::extract::{Form, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{PageError, Viewer, render, render_page, see_other};
use crate::messages::Lang;
use crate::store::signin::{self, SignIn};
use crate::store::users;
use crate::web::AppState;
use crate::web::auth::{SESSION_COOKIE, client, cookie};
use crate::web::i18n::{self, LANG_COOKIE, lang_of};

const PRE_COOKIE: &str = "vetis_pre";

/// A local path to go back to after signing in; anything else (another site) becomes the dashboard.
fn safe_next(next: Option<&str>) -> String {
    crate::web::security::same_site_or(next.filter(|n| !n.starts_with("/login")), "/dashboard")
}

fn cookie_header(name: &str, value: &str, max_age: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"))
        .expect("cookie values are hex or language codes")
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
    changed: Option<String>,
}

fn login_page(
    state: &AppState,
    lang: Lang,
    next: &str,
    username: &str,
    error: Option<&str>,
    notice: Option<&str>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let pre = users::random_secret();
    let ctx = serde_json::json!({ "pre": pre, "next": next, "username": username, "error": error, "notice": notice });
    let mut res = (status, render_page("login.html", lang, None, ctx)?).into_response();
    res.headers_mut().append(header::SET_COOKIE, cookie_header(PRE_COOKIE, &pre, 1800, state.secure_cookies));
    Ok(res)
}

pub async fn login_form(State(state): State<AppState>, parts: Parts) -> Result<Response, PageError> {
    let lang = lang_of(&parts);
    let q: NextQuery = Query::try_from_uri(&parts.uri).map(|q| q.0).unwrap_or_default();
    let notice = q.changed.map(|_| i18n::text(lang, "password_changed"));
    login_page(&state, lang, &safe_next(q.next.as_deref()), "", None, notice.as_deref(), StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf: String,
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    parts: Parts,
    Form(f): Form<LoginForm>,
) -> Result<Response, PageError> {
    let lang = lang_of(&parts);
    let next = safe_next(f.next.as_deref());
    let pre = cookie(&parts, PRE_COOKIE).unwrap_or_default();
    if pre.is_empty() || pre != f.csrf {
        let msg = i18n::text(lang, "form_expired");
        return login_page(&state, lang, &next, &f.username, Some(&msg), None, StatusCode::FORBIDDEN);
    }
    let address = crate::web::auth::address(&parts, &state.config);
    let policy = &state.config.signin;
    match signin::sign_in(&state.db, policy, f.username.trim(), &f.password, &address, &client(&parts)).await? {
        SignIn::Refused => {
            let msg = i18n::text(lang, "login_failed");
            login_page(&state, lang, &next, &f.username, Some(&msg), None, StatusCode::UNAUTHORIZED)
        }
        SignIn::Throttled { wait_secs } => {
            let msg = crate::web::error::WebError::throttled_message(wait_secs).get(lang).to_string();
            let mut res =
                login_page(&state, lang, &next, &f.username, Some(&msg), None, StatusCode::TOO_MANY_REQUESTS)?;
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(wait_secs));
            Ok(res)
        }
        SignIn::Ok(acc) => {
            let (id, _) = users::new_session(&state.db, acc.id).await?;
            let to = if acc.must_change { "/password".to_string() } else { next };
            let mut res = see_other(&to);
            let h = res.headers_mut();
            h.append(
                header::SET_COOKIE,
                cookie_header(SESSION_COOKIE, &id, users::IDLE_MINUTES * 60, state.secure_cookies),
            );
            h.append(header::SET_COOKIE, cookie_header(PRE_COOKIE, "", 0, state.secure_cookies));
            Ok(res)
        }
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn logout(
    State(state): State<AppState>,
    v: Viewer,
    parts: Parts,
    Form(f): Form<CsrfForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    if let Some(id) = cookie(&parts, SESSION_COOKIE) {
        users::end_session(&state.db, &id).await?;
    }
    let mut res = see_other("/");
    res.headers_mut().append(header::SET_COOKIE, cookie_header(SESSION_COOKIE, "", 0, state.secure_cookies));
    Ok(res)
}

pub async fn password_form(State(state): State<AppState>, v: Viewer) -> Result<Response, PageError> {
    let must = users::find(&state.db, &v.who.username).await?.is_some_and(|a| a.must_change);
    render("password.html", &v, serde_json::json!({ "must_change": must }))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    csrf: String,
    current: String,
    new: String,
    again: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<PasswordForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let must = users::find(&state.db, &v.who.username).await?.is_some_and(|a| a.must_change);
    let again = |errors: Vec<String>| -> Result<Response, PageError> {
        let mut res = render("password.html", &v, serde_json::json!({ "must_change": must, "errors": errors }))?;
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        Ok(res)
    };
    if f.new != f.again {
        return again(vec![v.t("password_mismatch")]);
    }
    match signin::sign_in(&state.db, &state.config.signin, &v.who.username, &f.current, &v.address, &v.source).await? {
        SignIn::Ok(_) => {}
        SignIn::Throttled { wait_secs } => {
            return Err(PageError::Web(crate::web::error::WebError::Throttled(wait_secs), v.lang, None));
        }
        SignIn::Refused => return again(vec![v.t("login_failed")]),
    }
    if let Err(e) = users::set_password(&state.db, &v.who.username, &f.new, false, &v.who.username, &v.source).await {
        return again(e.to_string().split("; ").map(str::to_string).collect());
    }
    // Every session of the account has ended: sign in again with the new password.
    let mut res = see_other("/login?changed=1");
    res.headers_mut().append(header::SET_COOKIE, cookie_header(SESSION_COOKIE, "", 0, state.secure_cookies));
    Ok(res)
}

#[derive(Deserialize)]
pub struct BackQuery {
    back: Option<String>,
}

/// Sets the language cookie and goes back to the page the switch was clicked on.
pub async fn switch_language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<BackQuery>,
    headers: axum::http::HeaderMap,
) -> Response {
    let lang = Lang::parse(&code).unwrap_or(Lang::Zh);
    let code = if lang == Lang::En { "en" } else { "zh" };
    // The page the switch was on: `back`, else the referring page of this site, else the start.
    let referer = headers.get(header::REFERER).and_then(|r| r.to_str().ok()).and_then(|r| {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok())?;
        let rest = r.split_once("://")?.1.strip_prefix(host)?;
        Some(rest.to_string())
    });
    let back = crate::web::security::same_site_or(q.back.or(referer).as_deref(), "/");
    let back = strip_lang(&back);
    let mut res = see_other(&back);
    let secure = if state.secure_cookies { "; Secure" } else { "" };
    res.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_str(&format!("{LANG_COOKIE}={code}; Path=/; SameSite=Lax; Max-Age=31536000{secure}"))
            .expect("a language code"),
    );
    res
}

/// Drops a `lang=` parameter, which would otherwise outrank the cookie just set.
fn strip_lang(path: &str) -> String {
    match path.split_once('?') {
        None => path.to_string(),
        Some((p, q)) => {
            let kept: Vec<&str> = q.split('&').filter(|kv| !kv.starts_with("lang=")).collect();
            if kept.is_empty() { p.to_string() } else { format!("{p}?{}", kept.join("&")) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/indicator/x?year=2023")), "/indicator/x?year=2023");
        assert_eq!(safe_next(Some("//evil.example/")), "/dashboard");
        assert_eq!(safe_next(Some("https://evil.example/")), "/dashboard");
        assert_eq!(safe_next(Some("/\\evil.example")), "/dashboard");
        assert_eq!(safe_next(None), "/dashboard");
        assert_eq!(strip_lang("/dashboard?lang=en&year=2023"), "/dashboard?year=2023");
    }
}

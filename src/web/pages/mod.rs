//! The signed-in web pages: server-rendered HTML forms for the dashboard, drill-down, submission
//! and review, and administration. Every page checks scope where it reads, as the API does.

pub mod admin;
pub mod credit;
pub mod dashboard;
pub mod drill;
pub mod funding;
pub mod notices;
pub mod pathways;
pub mod progress;
pub mod quality;
pub mod reports;
pub mod scope;
pub mod session;
pub mod submit;
pub mod targets;
pub mod tasks;
pub mod teachers;

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};

use super::AppState;
use super::auth::{SESSION_COOKIE, cookie};
use super::error::WebError;
use super::i18n::{self, lang_of};
use crate::domain::access::{Principal, Role};
use crate::messages::Lang;
use crate::store::users;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(session::login_form).post(session::login))
        .route("/logout", post(session::logout))
        .route("/password", get(session::password_form).post(session::change_password))
        .route("/lang/{code}", get(session::switch_language))
        .route("/dashboard", get(dashboard::page))
        .route("/indicator/{id}", get(drill::indicator))
        .route("/records/{table}", get(drill::records))
        .route(
            "/submissions",
            get(submit::list)
                .post(submit::upload)
                .layer(axum::extract::DefaultBodyLimit::max(super::api::UPLOAD_LIMIT)),
        )
        .route("/submissions/{id}", get(submit::detail))
        .route("/submissions/{id}/approve", post(submit::approve))
        .route("/submissions/{id}/return", post(submit::return_for_changes))
        .route("/progress", get(progress::page))
        .route("/progress.xlsx", get(progress::workbook))
        .route("/progress/remind", post(progress::remind))
        .route("/notifications", get(notices::list))
        .route("/notifications/read", post(notices::read_all))
        .route("/notifications/{id}", get(notices::open))
        .route("/targets", get(targets::list))
        .route("/target/{id}", get(targets::detail))
        .route("/tasks", get(tasks::list).post(tasks::add))
        .route("/quality", get(quality::list))
        .route("/quality/{subject}/{year}", get(quality::page))
        .route("/quality/{subject}/{year}/chapter", post(quality::save))
        .route("/quality/{subject}/{year}/step", post(quality::step))
        .route("/tasks/assign", get(tasks::assign_form).post(tasks::assign))
        .route("/tasks/{id}", get(tasks::detail))
        .route(
            "/tasks/{id}/report",
            post(tasks::file).layer(axum::extract::DefaultBodyLimit::max(crate::domain::tasks::EVIDENCE_LIMIT * 5)),
        )
        .route("/evidence/{id}", get(tasks::evidence))
        .route("/teachers", get(teachers::page))
        .route("/teachers/{school}/{teacher}", get(teachers::record))
        .route("/designation/{code}", get(teachers::studio))
        .route("/pathways", get(pathways::page))
        .route("/pathways/admissions.xlsx", get(pathways::admissions))
        .route("/funding", get(funding::page))
        .route("/funding/whatif", post(funding::what_if))
        .route("/funding/save", post(funding::save))
        .route("/credit", get(credit::list))
        .route("/credit/apply", post(credit::apply))
        .route("/credit/{id}", get(credit::detail))
        .route("/credit/{id}/review", post(credit::review))
        .route("/credit/{id}/appeal", post(credit::appeal))
        .route("/reports", get(reports::page))
        .route("/reports/evaluation", get(reports::evaluation))
        .route("/reports/remarks", post(reports::save_remarks))
        .route("/admin/audit", get(admin::audit))
        .route("/admin/years", get(admin::years))
        .route("/admin/years/lock", post(admin::lock))
        .route("/admin/years/unlock", post(admin::unlock))
}

/// A signed-in browser user. Without a live session the page sends them to sign in; with a
/// one-time password, to choose a new one.
pub struct Viewer {
    pub who: Principal,
    pub csrf: String,
    pub lang: Lang,
    /// Where the request came from, for the audit log.
    pub source: String,
    /// The client's address as the sign-in throttle knows it.
    pub address: String,
    /// How many of the user's notices are unread (the bell).
    pub unread: i64,
}

impl Viewer {
    /// Forms carry the session's CSRF token; a form without it is refused.
    pub fn check_csrf(&self, sent: &str) -> Result<(), PageError> {
        if !sent.is_empty() && sent == self.csrf {
            Ok(())
        } else {
            Err(PageError::Web(WebError::Forbidden, self.lang, Some("form_expired")))
        }
    }
    pub fn t(&self, key: &str) -> String {
        i18n::text(self.lang, key)
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let lang = lang_of(parts);
        let next = parts.uri.path_and_query().map_or_else(|| "/dashboard".into(), |p| p.as_str().to_string());
        let to_login = || PageError::Redirect(format!("/login?next={}", urlencode(&next)));
        let Some(id) = cookie(parts, SESSION_COOKIE) else { return Err(to_login()) };
        let Some((acc, csrf)) =
            users::by_session(&state.db, &id).await.map_err(|e| PageError::Web(e.into(), lang, None))?
        else {
            return Err(to_login());
        };
        if acc.must_change && !matches!(parts.uri.path(), "/password" | "/logout") {
            return Err(PageError::Redirect("/password".into()));
        }
        let unread = crate::store::notifications::unread(&state.db, acc.id)
            .await
            .map_err(|e| PageError::Web(e.into(), lang, None))?;
        Ok(Viewer {
            who: acc.principal(),
            csrf,
            lang,
            unread,
            source: super::auth::client(parts),
            address: super::auth::address(parts, &state.config),
        })
    }
}

impl Viewer {
    /// The signed-in user on a page anyone may open, if there is one.
    pub async fn optional(parts: &mut Parts, state: &AppState) -> Option<Viewer> {
        Viewer::from_request_parts(parts, state).await.ok()
    }
}

/// Percent-encodes a value for a query string.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A refusal from the store goes back to the page it came from, its message carried by key
/// (`?problem=KEY`): the URL never holds the text. Other errors are error pages.
pub fn refused_to(
    state: &crate::web::AppState,
    v: &Viewer,
    to: &str,
    e: crate::store::StoreError,
) -> Result<Response, PageError> {
    match e {
        crate::store::StoreError::Refused(m) | crate::store::StoreError::Conflict(m) => {
            let key = state.flash.put(&v.who.username, m);
            let join = if to.contains('?') { '&' } else { '?' };
            Ok(see_other(&format!("{to}{join}problem={key}")))
        }
        e => Err(PageError::Web(e.into(), v.lang, None)),
    }
}

/// What a page answers instead of itself: a redirect, or an error page in the reader's language.
#[derive(Debug)]
pub enum PageError {
    Redirect(String),
    /// The error, the language, and optionally the key of a text to show instead of its message.
    Web(WebError, Lang, Option<&'static str>),
}

impl From<crate::store::StoreError> for PageError {
    fn from(e: crate::store::StoreError) -> Self {
        PageError::Web(e.into(), Lang::Zh, None)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (err, lang, key) = match self {
            PageError::Redirect(to) => return Redirect::to(&to).into_response(),
            PageError::Web(e, l, k) => (e, l, k),
        };
        let (status, message) = match (&err, key) {
            (_, Some(k)) => (StatusCode::FORBIDDEN, i18n::text(lang, k)),
            (WebError::Forbidden, _) => (StatusCode::FORBIDDEN, i18n::text(lang, "forbidden")),
            (WebError::NotFound, _) => (StatusCode::NOT_FOUND, i18n::text(lang, "not_found")),
            (WebError::BadRequest(m), _) => (StatusCode::BAD_REQUEST, m.get(lang).to_string()),
            (WebError::Conflict(m), _) => (StatusCode::CONFLICT, m.get(lang).to_string()),
            (WebError::TooLarge, _) => {
                (StatusCode::PAYLOAD_TOO_LARGE, WebError::too_large_message().get(lang).to_string())
            }
            (WebError::Unauthorized(m), _) => (StatusCode::UNAUTHORIZED, m.to_string()),
            (WebError::Throttled(secs), _) => {
                (StatusCode::TOO_MANY_REQUESTS, WebError::throttled_message(*secs).get(lang).to_string())
            }
            (WebError::Busy(b), _) => {
                let (status, _, m) = WebError::busy(*b);
                (status, m.get(lang).to_string())
            }
            (WebError::PasswordChangeRequired, _) => return Redirect::to("/password").into_response(),
            (WebError::Internal(detail), _) => {
                tracing::error!(target: "vetis::web", "internal error: {detail}");
                (StatusCode::INTERNAL_SERVER_ERROR, i18n::text(lang, "error_title"))
            }
        };
        let ctx = serde_json::json!({ "message": message, "status": status.as_u16() });
        let mut res = match render_page("error.html", lang, None, ctx) {
            Ok(html) => (status, html).into_response(),
            Err(_) => (status, message.clone()).into_response(),
        };
        // Made without its reader: `errors_in_layout` renders it again for a signed-in one.
        res.extensions_mut().insert(ErrorBody { message, status, lang });
        res
    }
}

/// What an error page says, kept on the response for `errors_in_layout`.
#[derive(Debug, Clone)]
struct ErrorBody {
    message: String,
    status: StatusCode,
    lang: Lang,
}

/// Renders an error page inside the signed-in layout (menu, bell, the user's name) when the
/// request came with a live session; otherwise leaves the public one.
pub async fn errors_in_layout(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let cookie = req.headers().get(header::COOKIE).cloned();
    let uri = req.uri().clone();
    let mut res = next.run(req).await;
    let Some(body) = res.extensions_mut().remove::<ErrorBody>() else { return res };
    let Some(cookie) = cookie else { return res };
    let Ok(request) = axum::http::Request::builder().uri(uri).header(header::COOKIE, cookie).body(()) else {
        return res;
    };
    let (mut parts, ()) = request.into_parts();
    let Ok(v) = Viewer::from_request_parts(&mut parts, &state).await else { return res };
    let ctx = serde_json::json!({ "message": body.message, "status": body.status.as_u16() });
    match render_page("error.html", body.lang, Some(&v), ctx) {
        Ok(html) => (body.status, html).into_response(),
        Err(_) => res,
    }
}

/// Any path no route serves: the site's own 404 page (JSON under `/api/`).
pub async fn not_found(req: axum::extract::Request) -> Response {
    let (parts, _) = req.into_parts();
    if parts.uri.path().starts_with("/api/") {
        return WebError::NotFound.into_response();
    }
    PageError::Web(WebError::NotFound, lang_of(&parts), None).into_response()
}

/// The context every page shares: language, texts, the user and the menu they may use.
fn base(lang: Lang, viewer: Option<&Viewer>) -> serde_json::Value {
    let user = viewer.map(|v| {
        let role = match (v.who.role, lang) {
            (r, Lang::Zh) => r.zh().to_string(),
            (r, Lang::En) => r.key().to_string(),
        };
        serde_json::json!({
            "username": v.who.username,
            "role": role,
            "is_admin": v.who.role == Role::Admin,
            "may_submit": v.who.role != Role::Analyst,
            "unread": v.unread,
            "role_key": v.who.role.key(),
        })
    });
    serde_json::json!({
        "lang": i18n::code(lang),
        "other": if lang == Lang::En { "zh" } else { "en" },
        "t": i18n::texts(lang),
        "user": user,
        "csrf": viewer.map(|v| v.csrf.clone()),
    })
}

pub fn render_page(
    name: &str,
    lang: Lang,
    viewer: Option<&Viewer>,
    ctx: serde_json::Value,
) -> Result<Html<String>, PageError> {
    let mut all = base(lang, viewer);
    if let (Some(a), serde_json::Value::Object(c)) = (all.as_object_mut(), ctx) {
        a.extend(c);
    }
    let tmpl = super::TEMPLATES
        .get_template(name)
        .map_err(|e| PageError::Web(WebError::Internal(e.to_string()), lang, None))?;
    let html = tmpl
        .render(minijinja::value::Serde(&all))
        .map_err(|e| PageError::Web(WebError::Internal(format!("{name}: {e:#}")), lang, None))?;
    Ok(Html(html))
}

/// Renders a page for a signed-in viewer.
/// A list's pager as the templates show it: "page n · N in all", links to the pages either side
/// (`link` makes a page's address), shown only when there is more than one page.
pub fn pager(v: &Viewer, page: usize, pages: usize, total: usize, link: impl Fn(usize) -> String) -> serde_json::Value {
    serde_json::json!({
        "label": format!("{} · {}", v.t("page").replace("{n}", &page.to_string()), v.t("rows_total").replace("{n}", &total.to_string())),
        "prev": (page > 1).then(|| link(page - 1)),
        "next": (page < pages).then(|| link(page + 1)),
        "show": pages > 1,
    })
}

pub fn render(name: &str, v: &Viewer, ctx: serde_json::Value) -> Result<Response, PageError> {
    Ok(render_page(name, v.lang, Some(v), ctx)?.into_response())
}

/// A 303 to another page after a form (so a reload does not post again).
pub fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}

/// Turns a store or web error into a page error in the viewer's language.
pub trait OrPage<T> {
    fn page(self, v: &Viewer) -> Result<T, PageError>;
}

impl<T, E: Into<WebError>> OrPage<T> for Result<T, E> {
    fn page(self, v: &Viewer) -> Result<T, PageError> {
        self.map_err(|e| PageError::Web(e.into(), v.lang, None))
    }
}

//! The administrator's pages: searching the audit log, and locking or unlocking a year.

use axum::extract::{Form, Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::{PageError, Viewer, render, see_other, urlencode};
use crate::store::audit::{self, Search};
use crate::store::locks;
use crate::web::AppState;
use crate::web::error::WebError;

fn admin_only(v: &Viewer) -> Result<(), PageError> {
    if v.who.may_manage_accounts() { Ok(()) } else { Err(PageError::Web(WebError::Forbidden, v.lang, None)) }
}

pub async fn audit(State(state): State<AppState>, v: Viewer, Query(s): Query<Search>) -> Result<Response, PageError> {
    admin_only(&v)?;
    let (rows, more) = audit::search(&state.db, &s).await?;
    let actions = audit::actions(&state.db).await?;
    let page = s.page.unwrap_or(1).max(1);
    let query = format!(
        "actor={}&action={}&text={}&from={}&to={}",
        urlencode(s.actor.as_deref().unwrap_or("")),
        urlencode(s.action.as_deref().unwrap_or("")),
        urlencode(s.text.as_deref().unwrap_or("")),
        urlencode(s.from.as_deref().unwrap_or("")),
        urlencode(s.to.as_deref().unwrap_or(""))
    );
    render(
        "audit.html",
        &v,
        serde_json::json!({
            "rows": rows, "actions": actions, "q": {
                "actor": s.actor, "action": s.action, "text": s.text, "from": s.from, "to": s.to },
            "page_label": v.t("page").replace("{n}", &page.to_string()),
            "prev": (page > 1).then(|| format!("/admin/audit?{query}&page={}", page - 1)),
            "next": more.then(|| format!("/admin/audit?{query}&page={}", page + 1)),
        }),
    )
}

#[derive(Deserialize, Default)]
pub struct YearsQuery {
    problem: Option<String>,
}

pub async fn years(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<YearsQuery>,
) -> Result<Response, PageError> {
    admin_only(&v)?;
    let locks = locks::list(&state.db).await?;
    let plan = state.cache.plan(&state.db).await?;
    let latest = state.cache.latest_year(&state.db).await?;
    let years: Vec<i32> = (plan.baseline_year..=latest.max(plan.target_year)).collect();
    render(
        "years.html",
        &v,
        serde_json::json!({ "locks": locks, "years": years, "error": state.flash.get(&v.who.username, q.problem.as_deref(), v.lang) }),
    )
}

#[derive(Deserialize)]
pub struct LockForm {
    #[serde(default)]
    csrf: String,
    year: i64,
    #[serde(default)]
    reason: String,
}

fn back(state: &AppState, r: Result<(), crate::store::StoreError>, v: &Viewer) -> Result<Response, PageError> {
    match r {
        Ok(()) => Ok(see_other("/admin/years")),
        Err(e) => super::refused_to(state, v, "/admin/years", e),
    }
}

pub async fn lock(State(state): State<AppState>, v: Viewer, Form(f): Form<LockForm>) -> Result<Response, PageError> {
    admin_only(&v)?;
    v.check_csrf(&f.csrf)?;
    back(&state, locks::lock(&state.db, f.year, &f.reason, &v.who.username, &v.source).await, &v)
}

pub async fn unlock(State(state): State<AppState>, v: Viewer, Form(f): Form<LockForm>) -> Result<Response, PageError> {
    admin_only(&v)?;
    v.check_csrf(&f.csrf)?;
    back(&state, locks::unlock(&state.db, f.year, &f.reason, &v.who.username, &v.source).await, &v)
}

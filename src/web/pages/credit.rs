//! The credit bank in the browser: the applications a viewer may see with the figures of their
//! scope, the form to apply for a learner's conversion (the rules are checked at once and every
//! failing rule is named), and an application's page with its review steps, the open step's
//! decision and the one appeal. Scope as for records: a school its own, a district its schools,
//! the bureau all.

use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::{OrPage, PageError, Viewer, refused_to, render, see_other};
use crate::domain::access::Role;
use crate::figures::Scope;
use crate::messages::Lang;
use crate::store::credit::{self, Application, Decision, Request, Status};
use crate::web::AppState;
use crate::web::error::WebError;

/// The schools whose applications a viewer sees (None: every school).
pub(super) async fn schools_of(state: &AppState, v: &Viewer) -> Result<Option<Vec<String>>, PageError> {
    Ok(match v.who.role {
        Role::Admin | Role::Analyst => None,
        Role::School => Some(v.who.school.iter().cloned().collect()),
        Role::District => {
            let d = v.who.district.clone().unwrap_or_default();
            Some(crate::store::registry::school_codes_in_district(&state.db, &d).await?)
        }
    })
}

pub(super) fn scope_of(v: &Viewer) -> Scope {
    match (v.who.role, &v.who.school, &v.who.district) {
        (Role::School, Some(s), _) => Scope::School(s.clone()),
        (Role::District, _, Some(d)) => Scope::District(d.clone()),
        _ => Scope::City,
    }
}

fn status_label(s: Status, lang: Lang) -> &'static str {
    if lang == Lang::Zh { s.zh() } else { s.key() }
}

fn row(a: &Application, lang: Lang) -> serde_json::Value {
    serde_json::json!({
        "id": a.id, "school_code": a.school_code, "year": a.year, "program_code": a.program_code,
        "course_code": a.course_code, "certificate_no": a.certificate_no, "issuer": a.issuer_credit_code,
        "requested": a.requested, "credits": a.credits, "status": status_label(a.status, lang), "status_key": a.status.key(),
        "applied_by": a.applied_by, "applied_at": a.applied_at, "rules": format!("{} {}", a.rules_id, a.rules_version),
        "reasons": a.reasons.iter().map(|r| if lang == Lang::Zh { r.zh.clone() } else { r.en.clone() }).collect::<Vec<_>>(),
    })
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    year: Option<i32>,
    problem: Option<String>,
}

/// `GET /credit`: the applications in scope, newest first, with the scope's credit figures.
pub async fn list(State(state): State<AppState>, v: Viewer, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    let status = q.status.as_deref().and_then(Status::from_key);
    let schools = schools_of(&state, &v).await?;
    let apps = credit::list(&state.db, schools.as_deref(), status, 500).await?;
    let plan = state.cache.plan(&state.db).await.page(&v)?;
    let latest = state.cache.latest_year(&state.db).await.page(&v)?;
    let year = q.year.unwrap_or(latest).clamp(plan.baseline_year, latest.max(plan.baseline_year));
    let figures = crate::figures::credit::figures(&state.db, &scope_of(&v), year).await?;
    let statuses: Vec<serde_json::Value> =
        Status::ALL.iter().map(|s| serde_json::json!({ "key": s.key(), "label": status_label(*s, v.lang) })).collect();
    let may_apply = matches!(v.who.role, Role::Admin | Role::School);
    let years: Vec<i32> = (plan.baseline_year..=latest.max(plan.baseline_year)).rev().collect();
    render(
        "credit.html",
        &v,
        serde_json::json!({
            "rows": apps.iter().map(|a| row(a, v.lang)).collect::<Vec<_>>(),
            "statuses": statuses,
            "status": status.map(Status::key).unwrap_or_default(),
            "may_apply": may_apply,
            "school_fixed": v.who.school.clone().filter(|_| v.who.role == Role::School),
            "year": year,
            "years": years,
            "f": figures,
            "error": state.flash.get(&v.who.username, q.problem.as_deref(), v.lang),
        }),
    )
}

#[derive(Deserialize)]
pub struct ApplyForm {
    csrf: String,
    #[serde(default)]
    school: String,
    certificate_no: String,
    issuer: String,
    year: String,
    program: String,
    course: String,
}

/// `POST /credit/apply`: checks the rules at once; a refused application is kept with every
/// failing rule named, as the CLI keeps it.
pub async fn apply(State(state): State<AppState>, v: Viewer, Form(f): Form<ApplyForm>) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let school = match (v.who.role, &v.who.school) {
        (Role::School, Some(s)) => s.clone(),
        _ => f.school.trim().to_string(),
    };
    if !v.who.may_apply_credit(&school) {
        return Err(PageError::Web(WebError::Forbidden, v.lang, None));
    }
    let Ok(year) = f.year.trim().parse::<i64>() else {
        let e = crate::store::StoreError::refused("年度须为四位数字 / the year must be four digits");
        return refused_to(&state, &v, "/credit", e);
    };
    let req = Request {
        issuer: f.issuer.trim(),
        certificate_no: f.certificate_no.trim(),
        school: &school,
        year,
        program: f.program.trim(),
        course: f.course.trim(),
    };
    match credit::apply(&state.db, &req, &v.who.username, &v.source).await {
        Ok(app) => Ok(see_other(&format!("/credit/{}", app.id))),
        Err(e) => refused_to(&state, &v, "/credit", e),
    }
}

/// The application if the viewer may see it.
async fn visible(state: &AppState, v: &Viewer, id: i64) -> Result<Application, PageError> {
    let app = credit::get(&state.db, id).await?;
    match schools_of(state, v).await? {
        Some(list) if !list.contains(&app.school_code) => Err(PageError::Web(WebError::NotFound, v.lang, None)),
        _ => Ok(app),
    }
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    problem: Option<String>,
}

/// `GET /credit/{id}`: one application, its review steps, and what the viewer may do with it.
pub async fn detail(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, PageError> {
    let app = visible(&state, &v, id).await?;
    let steps = credit::steps(&state.db, id).await?;
    let may_decide = app.status.open_step().is_some_and(|bank| v.who.may_decide_credit(&app.school_code, bank));
    let may_appeal = app.status == Status::Rejected && !app.appealed && v.who.may_apply_credit(&app.school_code);
    let step_label = |s: &str| v.t(&format!("credit_step_{s}"));
    let steps: Vec<serde_json::Value> = steps
        .iter()
        .map(|s| {
            serde_json::json!({ "seq": s.seq, "step": step_label(&s.step), "decision": v.t(&format!("credit_decision_{}", s.decision)), "reason": s.reason, "actor": s.actor, "at": s.at })
        })
        .collect();
    let open = app.status.open_step().map(|bank| step_label(if bank { "bank" } else { "school" }));
    render(
        "credit_application.html",
        &v,
        serde_json::json!({
            "a": row(&app, v.lang),
            "steps": steps,
            "open_step": open,
            "may_decide": may_decide,
            "may_appeal": may_appeal,
            "error": state.flash.get(&v.who.username, q.problem.as_deref(), v.lang),
        }),
    )
}

#[derive(Deserialize)]
pub struct DecideForm {
    csrf: String,
    decision: String,
    #[serde(default)]
    reason: String,
}

/// `POST /credit/{id}/review`: decides the open step.
pub async fn review(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<DecideForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let app = visible(&state, &v, id).await?;
    let allowed = app.status.open_step().is_none_or(|bank| v.who.may_decide_credit(&app.school_code, bank));
    if !allowed {
        return Err(PageError::Web(WebError::Forbidden, v.lang, None));
    }
    let decision = if f.decision == "approve" { Decision::Approve } else { Decision::Reject };
    let back = format!("/credit/{id}");
    match credit::review(&state.db, id, decision, &f.reason, &v.who.username, &v.source).await {
        Ok(_) => Ok(see_other(&back)),
        Err(e) => refused_to(&state, &v, &back, e),
    }
}

#[derive(Deserialize)]
pub struct AppealForm {
    csrf: String,
    reason: String,
}

/// `POST /credit/{id}/appeal`: the one appeal against a rejection.
pub async fn appeal(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<AppealForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    let app = visible(&state, &v, id).await?;
    if !v.who.may_apply_credit(&app.school_code) {
        return Err(PageError::Web(WebError::Forbidden, v.lang, None));
    }
    let back = format!("/credit/{id}");
    match credit::appeal(&state.db, id, &f.reason, &v.who.username, &v.source).await {
        Ok(_) => Ok(see_other(&back)),
        Err(e) => refused_to(&state, &v, &back, e),
    }
}

//! Teachers in the browser: `/teachers`, the viewer's scope with the register of dual-qualified
//! recognitions (how each stands today), applications waiting for the panel, the claims the
//! register does not back, the teacher figures and the part-time teacher pool; and
//! `/teachers/{school}/{teacher}`, one teacher's own record (years, recognitions, practice and
//! training wherever recorded), for their school, its district and the bureau.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::credit::{schools_of, scope_of};
use super::{OrPage, PageError, Viewer, render};
use crate::domain::dual::register::Recognition;
use crate::messages::Lang;
use crate::web::AppState;
use crate::web::error::WebError;

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
}

fn recognition_row(r: &Recognition, lang: Lang) -> serde_json::Value {
    let s = r.standing(chrono::Local::now().date_naive());
    serde_json::json!({
        "id": r.id, "school_code": r.school_code, "teacher_no": r.teacher_no,
        "level": if lang == Lang::Zh { r.level.zh() } else { r.level.key() },
        "valid_from": r.valid_from.to_string(), "valid_until": r.valid_until.to_string(),
        "standing": if lang == Lang::Zh { s.zh() } else { s.en() }, "standing_key": s.key(),
    })
}

/// The most rows a list on the page shows.
const SHOWN: usize = 200;

/// `GET /teachers`.
pub async fn page(State(state): State<AppState>, v: Viewer, Query(q): Query<YearQuery>) -> Result<Response, PageError> {
    let plan = state.cache.plan(&state.db).await.page(&v)?;
    let latest = state.cache.latest_year(&state.db).await.page(&v)?;
    let year = q.year.unwrap_or(latest).clamp(plan.baseline_year, latest.max(plan.baseline_year));
    let scope = scope_of(&v);
    let schools = schools_of(&state, &v).await?;
    let visible = |s: &str| schools.as_ref().is_none_or(|list| list.iter().any(|x| x == s));
    let tf = state.cache.teachers(&state.db, &scope, year).await.page(&v)?;
    let register: Vec<serde_json::Value> = crate::store::dual::register::recognitions(&state.db, None)
        .await?
        .iter()
        .filter(|(_, r)| visible(&r.school_code))
        .rev()
        .take(SHOWN)
        .map(|(_, r)| recognition_row(r, v.lang))
        .collect();
    let pending: Vec<serde_json::Value> = crate::store::dual::register::applications(&state.db, None, true)
        .await?
        .iter()
        .filter(|a| visible(&a.school_code))
        .take(SHOWN)
        .map(|a| {
            let unmet: Vec<&str> = a.unmet.iter().map(|u| if v.lang == Lang::Zh { u.zh.as_str() } else { u.en.as_str() }).collect();
            serde_json::json!({ "id": a.id, "batch": a.batch_id, "school_code": a.school_code, "teacher_no": a.teacher_no,
                "level": if v.lang == Lang::Zh { a.level.zh() } else { a.level.key() }, "eligible": a.eligible, "unmet": unmet })
        })
        .collect();
    let unbacked: Vec<crate::store::dual::marks::Unbacked> = crate::store::dual::marks::unbacked(&state.db, year, None)
        .await?
        .into_iter()
        .filter(|u| visible(&u.school_code))
        .collect();
    let pool = crate::figures::pool::figures(&state.db, &plan, &scope, year).await?;
    let years: Vec<i32> = (plan.baseline_year..=latest.max(plan.baseline_year)).rev().collect();
    render(
        "teachers.html",
        &v,
        serde_json::json!({
            "year": year,
            "years": years,
            "tf": &*tf,
            "register": register,
            "pending": pending,
            "unbacked_total": unbacked.len(),
            "unbacked": unbacked.iter().take(SHOWN).collect::<Vec<_>>(),
            "pool": pool,
        }),
    )
}

/// `GET /teachers/{school}/{teacher}`: one teacher's record, for whoever may read the school's records.
pub async fn record(
    State(state): State<AppState>,
    v: Viewer,
    Path((school, teacher)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let not_found = || PageError::Web(WebError::NotFound, v.lang, None);
    if let Some(list) = schools_of(&state, &v).await?
        && !list.contains(&school)
    {
        return Err(not_found());
    }
    let Some(r) = crate::store::dual::record::record(&state.db, &school, &teacher).await? else {
        return Err(not_found());
    };
    crate::store::audit::record(
        &state.db.pool,
        &crate::store::audit::Entry {
            actor: &v.who.username,
            action: "teacher_record_view",
            object: &format!("teacher {school} {teacher}"),
            detail: "",
            source: &v.source,
        },
    )
    .await?;
    let recognitions: Vec<serde_json::Value> = r.recognitions.iter().map(|x| recognition_row(x, v.lang)).collect();
    render("teacher.html", &v, serde_json::json!({ "r": r, "recognitions": recognitions }))
}

/// `GET /designation/{code}`: a studio's or team's page with its members (masked) and outputs.
pub async fn studio(State(state): State<AppState>, v: Viewer, Path(code): Path<String>) -> Result<Response, PageError> {
    let Some(s) = crate::store::studio::studio(&state.db, &code).await? else {
        return Err(PageError::Web(WebError::NotFound, v.lang, None));
    };
    let plan = state.cache.plan(&state.db).await.page(&v)?;
    let kind = plan
        .designation_kind(&s.kind)
        .map_or_else(|| s.kind.clone(), |k| if v.lang == Lang::Zh { k.name_zh.clone() } else { k.name_en.clone() });
    let schools = schools_of(&state, &v).await?;
    let may_open = |school: &str| schools.as_ref().is_none_or(|l| l.iter().any(|x| x == school));
    let choice = |list: &'static [crate::domain::standard::Choice], key: &str| {
        list.iter()
            .find(|c| c.key == key)
            .map_or_else(|| key.to_string(), |c| if v.lang == Lang::Zh { c.zh.to_string() } else { c.key.to_string() })
    };
    let members: Vec<serde_json::Value> = s
        .members
        .iter()
        .map(|m| {
            serde_json::json!({ "school_code": m.school_code, "teacher_no": m.teacher_no, "name": m.name_masked,
                "role": choice(crate::domain::standard::MEMBER_ROLES, &m.role), "joined": m.joined_date, "link": may_open(&m.school_code) })
        })
        .collect();
    let outputs: Vec<serde_json::Value> = s
        .outputs
        .iter()
        .map(|o| {
            serde_json::json!({ "school_code": o.school_code, "year": o.year, "kind": choice(crate::domain::standard::OUTPUT_KINDS, &o.kind),
                "title": o.title, "date": o.achieved_date, "note": o.note })
        })
        .collect();
    render("studio.html", &v, serde_json::json!({ "s": s, "kind": kind, "members": members, "outputs": outputs }))
}

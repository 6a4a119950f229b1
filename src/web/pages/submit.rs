//! Submission and review in the browser: the list of a viewer's submissions, the upload form with
//! every error shown by row and column, and the review page with a preview of the figures.

use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use super::{OrPage, PageError, Viewer, render, see_other};
use crate::domain::access::Role;
use crate::domain::standard::Table;
use crate::figures::indicators::{compute_with, display};
use crate::figures::{Pending, Scope};
use crate::messages::Lang;
use crate::store::submissions::{self, Submission};
use crate::web::AppState;
use crate::web::error::WebError;
use crate::web::submission::{ErrorLine, Received, district_of_school, receive, reviewable, visible};

#[derive(Deserialize, Default, Clone)]
pub struct ListQuery {
    status: Option<String>,
    table: Option<String>,
    year: Option<i64>,
    school: Option<String>,
    page: Option<i64>,
}

/// Submissions a page shows.
const PER_PAGE: i64 = 100;

const STATUSES: [&str; 4] = ["submitted", "approved", "returned", "superseded"];

fn status_label(v: &Viewer, s: &str) -> String {
    v.t(&format!("st_{s}"))
}

fn table_label(lang: Lang, key: &str) -> String {
    match (Table::from_name(key), lang) {
        (Some(t), Lang::Zh) => t.zh().to_string(),
        _ => key.to_string(),
    }
}

fn row_view(v: &Viewer, s: &Submission) -> serde_json::Value {
    serde_json::json!({
        "id": s.id, "table": table_label(v.lang, &s.table), "school": s.school_code, "year": s.year,
        "file_name": s.file_name, "rows": s.row_count, "status": status_label(v, &s.status), "status_key": s.status,
        "submitted_by": s.submitted_by, "submitted_at": crate::messages::time::date_time(&s.submitted_at, v.lang),
    })
}

/// The submissions a viewer may see that match the query, newest first: one page of them and how
/// many there are in all.
async fn in_scope(state: &AppState, v: &Viewer, q: &ListQuery) -> Result<(Vec<Submission>, i64), PageError> {
    let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.trim().is_empty());
    let filter = submissions::Filter {
        school: match v.who.role {
            Role::School => Some(v.who.school.clone().unwrap_or_default()),
            _ => nonempty(&q.school),
        },
        district: match v.who.role {
            Role::District => Some(v.who.district.clone().unwrap_or_default()),
            _ => None,
        },
        table: nonempty(&q.table).and_then(|t| Table::from_name(&t)),
        year: q.year,
        status: nonempty(&q.status).filter(|s| STATUSES.contains(&s.as_str())),
        limit: PER_PAGE,
        offset: (q.page.unwrap_or(1).max(1) - 1) * PER_PAGE,
    };
    let total = submissions::count(&state.db, &filter).await?;
    Ok((submissions::list(&state.db, &filter).await?, total))
}

fn tables(lang: Lang) -> Vec<serde_json::Value> {
    Table::ALL
        .iter()
        .map(|t| serde_json::json!({ "key": t.key(), "label": if lang == Lang::En { t.key().replace('_', " ") } else { t.zh().to_string() } }))
        .collect()
}

async fn list_page(
    state: &AppState,
    v: &Viewer,
    q: ListQuery,
    errors: Option<(Vec<ErrorLine>, usize)>,
    notice: Option<String>,
) -> Result<Response, PageError> {
    let (list, total_rows) = in_scope(state, v, &q).await?;
    let names: std::collections::HashMap<String, String> =
        crate::store::registry::schools(&state.db).await?.into_iter().map(|s| (s.code, s.name)).collect();
    let rows: Vec<serde_json::Value> = list
        .iter()
        .map(|s| {
            let mut r = row_view(v, s);
            r["school_name"] = serde_json::json!(names.get(&s.school_code));
            r
        })
        .collect();
    let pages = ((total_rows + PER_PAGE - 1) / PER_PAGE).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let query = format!(
        "status={}&table={}&year={}&school={}",
        super::urlencode(q.status.as_deref().unwrap_or("")),
        super::urlencode(q.table.as_deref().unwrap_or("")),
        q.year.map(|y| y.to_string()).unwrap_or_default(),
        super::urlencode(q.school.as_deref().unwrap_or("")),
    );
    let status = q.status.clone().filter(|s| !s.is_empty());
    let shown = v
        .t("submissions_shown")
        .replace("{total}", &crate::messages::numbers::count(total_rows))
        .replace("{page}", &page.to_string())
        .replace("{pages}", &pages.to_string());
    let schools: Vec<serde_json::Value> = if v.who.role == Role::School {
        Vec::new()
    } else {
        let mut all: Vec<(&String, &String)> = names.iter().collect();
        all.sort();
        all.into_iter().map(|(c, n)| serde_json::json!({ "code": c, "name": n })).collect()
    };
    let statuses: Vec<serde_json::Value> =
        STATUSES.iter().map(|s| serde_json::json!({ "key": s, "label": status_label(v, s) })).collect();
    let failed = errors.is_some();
    let (errors, total) = errors.unwrap_or_default();
    let mut res = render(
        "submissions.html",
        v,
        serde_json::json!({
            "rows": rows,
            "shown": shown,
            "page": page,
            "pages": pages,
            "prev": (page > 1).then(|| page - 1),
            "next": (page < pages).then(|| page + 1),
            "query": query,
            "schools": schools,
            "f_table": q.table.clone().unwrap_or_default(),
            "f_year": q.year,
            "f_school": q.school.clone().unwrap_or_default(),
            "statuses": statuses,
            "status": status.unwrap_or_default(),
            "tables": tables(v.lang),
            "errors": errors,
            "failed": failed,
            "errors_count": v.t("errors_count").replace("{n}", &total.to_string()),
            "notice": notice,
        }),
    )?;
    if failed {
        *res.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(res)
}

pub async fn list(State(state): State<AppState>, v: Viewer, Query(q): Query<ListQuery>) -> Result<Response, PageError> {
    list_page(&state, &v, q, None, None).await
}

pub async fn upload(State(state): State<AppState>, v: Viewer, mut form: Multipart) -> Result<Response, PageError> {
    let bad = |m: String| PageError::Web(WebError::bad(m), v.lang, None);
    let broken = |e: axum::extract::multipart::MultipartError| PageError::Web(WebError::multipart(&e), v.lang, None);
    // The turn comes before the body is read: a waiting upload stays in the client's socket.
    let _turn = state
        .queues
        .imports
        .turn(&v.who.username)
        .await
        .map_err(|b| PageError::Web(WebError::Busy(b), v.lang, None))?;
    let (mut csrf, mut table, mut file) = (String::new(), None, None);
    while let Some(field) = form.next_field().await.map_err(broken)? {
        match field.name() {
            Some("csrf") => csrf = field.text().await.map_err(broken)?,
            Some("table") => {
                let t = field.text().await.map_err(broken)?;
                table = if t.is_empty() {
                    None
                } else {
                    Some(Table::from_name(&t).ok_or_else(|| bad(format!("unknown table '{t}'")))?)
                };
            }
            Some("file") => {
                let name = field.file_name().unwrap_or("upload.csv").to_string();
                let bytes = field.bytes().await.map_err(broken)?;
                file = Some((name, bytes));
            }
            _ => {}
        }
    }
    v.check_csrf(&csrf)?;
    let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return Err(bad(format!("{}: {}", v.t("file"), v.t("no_rows"))));
    };
    match receive(&state, &v.who, table, &name, &bytes, v.lang, &v.source).await.page(&v)? {
        Received::Refused { errors, total } => {
            list_page(&state, &v, ListQuery::default(), Some((errors, total)), None).await
        }
        Received::Unchanged { .. } => list_page(&state, &v, ListQuery::default(), None, Some(v.t("unchanged"))).await,
        Received::Submitted { ids, .. } => Ok(see_other(&format!("/submissions/{}?new=1", ids[0]))),
    }
}

#[derive(Deserialize, Default)]
pub struct DetailQuery {
    new: Option<String>,
    problem: Option<String>,
}

pub async fn detail(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> Result<Response, PageError> {
    let s = visible(&state, &v.who, id).await.page(&v)?;
    let district = district_of_school(&state, &s.school_code).await.page(&v)?;
    let may_review = s.status == "submitted" && v.who.may_review(&district);
    // The school's figures now and as if this submission were approved: the reviewer's preview,
    // shown to the school too while it waits.
    let mut preview = Vec::new();
    if s.status == "submitted"
        && let Some(table) = Table::from_name(&s.table)
    {
        let plan = state.cache.plan(&state.db).await.page(&v)?;
        let latest = state.cache.latest_year(&state.db).await.page(&v)?;
        let year = s.year.map_or(latest, |y| y as i32);
        let scope = Scope::School(s.school_code.clone());
        let pending = Pending { submission: s.id, table, school: s.school_code.clone(), year: s.year };
        let now = state.cache.indicators(&state.db, &scope, year).await.page(&v)?;
        let after = compute_with(&state.db, &plan, &scope, year, Some(&pending)).await?;
        for (a, b) in now.iter().zip(&after) {
            let changed = a.value != b.value;
            // A school's share of a city total in 万 reads better as a plain number, with its unit.
            let en = v.lang == Lang::En;
            let unit = if en { &a.unit_en } else { &a.unit };
            let plain = unit.starts_with('万') || unit.starts_with("10k ");
            let shown_unit = if plain {
                unit.trim_start_matches('万').trim_start_matches("10k ").to_string()
            } else {
                unit.to_string()
            };
            let show = |x: Option<f64>| {
                let value = if plain {
                    x.map_or("—".into(), |x| crate::messages::numbers::grouped(x * 10_000.0, 0))
                } else {
                    display(x, a.decimals)
                };
                if x.is_some() && !shown_unit.is_empty() {
                    if shown_unit == "%" { format!("{value}%") } else { format!("{value} {shown_unit}") }
                } else {
                    value
                }
            };
            preview.push(serde_json::json!({
                "name": if en { &a.name_en } else { &a.name },
                "now": show(a.value), "after": show(b.value), "changed": changed,
                "status_now": if v.lang == Lang::En { a.status.en() } else { a.status.zh() },
                "status_after": if v.lang == Lang::En { b.status.en() } else { b.status.zh() },
            }));
        }
    }
    let warnings: Vec<String> = serde_json::from_str::<Vec<crate::messages::Finding>>(&s.warnings)
        .unwrap_or_default()
        .iter()
        .map(|f| f.render(v.lang))
        .collect();
    let comparison = match Table::from_name(&s.table) {
        Some(table) => compare(&state, &v, table, &s).await?,
        None => Vec::new(),
    };
    let reviewers =
        if s.status == "submitted" { reviewers_of(&state, &district, v.lang).await? } else { String::new() };
    let school_name = crate::store::registry::school(&state.db, &s.school_code).await?.map(|x| x.name);
    render(
        "submission.html",
        &v,
        serde_json::json!({
            "s": row_view(&v, &s),
            "school_name": school_name,
            "comparison": comparison,
            "flagged": comparison.iter().any(|r| r["flag"] == true),
            "reviewers": reviewers,
            "reviewed_by": s.reviewed_by,
            "reviewed_at": s.reviewed_at.as_deref().map(|t| crate::messages::time::date_time(t, v.lang)),
            "review_comment": s.review_comment,
            "warnings": warnings,
            "may_review": may_review,
            "preview": preview,
            "new": q.new.is_some(),
            "error": state.flash.get(&v.who.username, q.problem.as_deref(), v.lang),
        }),
    )
}

/// Who reviews a school's submissions, as the school reads it: its district's education bureau,
/// or the city's for schools the district does not review.
async fn reviewers_of(state: &AppState, district: &str, lang: Lang) -> Result<String, PageError> {
    let names = crate::store::registry::district_names(&state.db).await?;
    Ok(match (names.get(district), lang) {
        (Some(n), Lang::Zh) => format!("{n}教育局（区级审核），市教育局亦可审核"),
        (Some(n), Lang::En) => format!("the {n} education bureau (district review), or the city's bureau"),
        (None, Lang::Zh) => "广州市教育局".into(),
        (None, Lang::En) => "the Guangzhou Education Bureau".into(),
    })
}

/// A change beyond this share is flagged for a second look.
const FLAG_CHANGE: f64 = 0.30;

/// The submission's rows and numeric totals beside the version it replaces and the school's
/// approved return of the year before, changes beyond ±30 % flagged.
async fn compare(
    state: &AppState,
    v: &Viewer,
    table: Table,
    s: &Submission,
) -> Result<Vec<serde_json::Value>, PageError> {
    use crate::messages::numbers::{change, change_text, grouped};
    use crate::store::compare::{approved_of, totals};
    use crate::store::records::SubmissionAt;
    let at = |id: i64, year: Option<i64>| SubmissionAt { id, school: &s.school_code, year };
    let this = totals(&state.db, table, at(s.id, s.year)).await?;
    // The version replaced is the same school's same year.
    let replaced = match s.replaces {
        Some(id) if id != s.id => Some(totals(&state.db, table, at(id, s.year)).await?),
        _ => None,
    };
    let last_year = match s.year {
        Some(y) => match approved_of(&state.db, table, &s.school_code, y - 1).await? {
            Some(id) => Some(totals(&state.db, table, at(id, Some(y - 1))).await?),
            None => None,
        },
        None => None,
    };
    if replaced.is_none() && last_year.is_none() {
        return Ok(Vec::new());
    }
    let mut items: Vec<(String, f64, Option<f64>, Option<f64>)> = vec![(
        v.t("rows"),
        this.rows as f64,
        replaced.as_ref().map(|r| r.rows as f64),
        last_year.as_ref().map(|r| r.rows as f64),
    )];
    for (i, (key, zh, sum)) in this.sums.iter().enumerate() {
        let label = if v.lang == Lang::Zh { (*zh).to_string() } else { (*key).to_string() };
        items.push((label, *sum, replaced.as_ref().map(|r| r.sums[i].2), last_year.as_ref().map(|r| r.sums[i].2)));
    }
    let side = |before: Option<f64>, now: f64| -> (Option<String>, Option<String>, bool) {
        let Some(b) = before else { return (None, None, false) };
        let c = change(b, now);
        (
            Some(grouped(b, if b.fract() == 0.0 { 0 } else { 1 })),
            c.map(change_text),
            c.is_some_and(|c| c.abs() > FLAG_CHANGE),
        )
    };
    Ok(items
        .into_iter()
        .map(|(label, now, rep, last)| {
            let (rep_v, rep_c, rep_f) = side(rep, now);
            let (last_v, last_c, last_f) = side(last, now);
            serde_json::json!({
                "item": label, "now": grouped(now, if now.fract() == 0.0 { 0 } else { 1 }),
                "replaced": rep_v, "replaced_change": rep_c, "replaced_flag": rep_f,
                "last": last_v, "last_change": last_c, "last_flag": last_f, "flag": rep_f || last_f,
            })
        })
        .collect())
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    comment: String,
}

/// A refusal from the store (a locked year, a submission already reviewed) goes back to the page.
fn after_review(
    state: &AppState,
    id: i64,
    r: Result<Submission, crate::store::StoreError>,
    v: &Viewer,
) -> Result<Response, PageError> {
    match r {
        Ok(_) => Ok(see_other(&format!("/submissions/{id}"))),
        Err(e) => super::refused_to(state, v, &format!("/submissions/{id}"), e),
    }
}

pub async fn approve(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    reviewable(&state, &v.who, id).await.page(&v)?;
    after_review(&state, id, submissions::approve(&state.db, id, &v.who.username, &v.source).await, &v)
}

pub async fn return_for_changes(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Form(f): Form<ReviewForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    reviewable(&state, &v.who, id).await.page(&v)?;
    if f.comment.trim().is_empty() {
        let m = crate::messages::Message::new(
            crate::web::i18n::text(crate::messages::Lang::Zh, "comment"),
            crate::web::i18n::text(crate::messages::Lang::En, "comment"),
        );
        return super::refused_to(&state, &v, &format!("/submissions/{id}"), crate::store::StoreError::Refused(m));
    }
    after_review(
        &state,
        id,
        submissions::return_for_changes(&state.db, id, &v.who.username, &v.source, f.comment.trim()).await,
        &v,
    )
}

//! 报送进度 in the browser: the board of schools × tables of a year for the bureau (the city, or a
//! district), a district officer (its district) and a school (its own returns: what is due), with
//! filters, the workbook, and one action that reminds every late school.

use axum::extract::{Form, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{OrPage, PageError, Viewer, render, see_other};
use crate::domain::access::Role;
use crate::domain::calendar::{Progress, Timing, current_year};
use crate::figures::progress::{self, Board, Scope};
use crate::messages::{Lang, time};
use crate::web::AppState;
use crate::web::error::WebError;

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    year: Option<i64>,
    district: Option<String>,
    table: Option<String>,
    status: Option<String>,
    /// Only schools with a late return.
    late: Option<String>,
    notice: Option<String>,
}

/// The scope a viewer's board covers, narrowed to a district the bureau picks.
fn scope(v: &Viewer, district: Option<&str>) -> Result<Scope, PageError> {
    Ok(match v.who.role {
        Role::Admin | Role::Analyst => match district.filter(|d| !d.is_empty()) {
            Some(d) => Scope::District(d.to_string()),
            None => Scope::City,
        },
        Role::District => {
            Scope::District(v.who.district.clone().ok_or(PageError::Web(WebError::Forbidden, v.lang, None))?)
        }
        Role::School => Scope::School(v.who.school.clone().ok_or(PageError::Web(WebError::Forbidden, v.lang, None))?),
    })
}

/// The year a query asks for, else the one being returned now.
fn year_of(q: &BoardQuery) -> i64 {
    q.year.filter(|y| (2000..=2100).contains(y)).unwrap_or_else(|| i64::from(current_year(time::today())))
}

/// The board narrowed as the filters ask: by table (columns), by state of that table, late only.
fn filtered(mut b: Board, q: &BoardQuery) -> Board {
    let table = q.table.as_deref().filter(|t| !t.is_empty());
    if let Some(t) = table
        && let Some(i) = b.columns.iter().position(|c| c.table == t)
    {
        b.columns = vec![b.columns[i].clone()];
        for r in &mut b.rows {
            r.cells = vec![r.cells[i].clone()];
        }
    }
    if let Some(p) = q.status.as_deref().and_then(Progress::parse) {
        b.rows.retain(|r| r.cells.iter().flatten().any(|c| c.progress == p));
    }
    if q.late.as_deref().is_some_and(|l| !l.is_empty()) {
        b.rows.retain(|r| r.cells.iter().flatten().any(|c| c.timing == Some(Timing::Late)));
    }
    b
}

/// A cell of the board; `roll` is the address of the roll-forward template where the viewer is the
/// school's own officer and the return is still to make (nothing sent, or sent back).
fn cell_view(c: Option<&progress::Cell>, lang: Lang, roll: Option<String>) -> serde_json::Value {
    let Some(c) = c else { return serde_json::json!({ "none": true }) };
    let roll = roll.filter(|_| matches!(c.progress, Progress::Missing | Progress::Returned));
    let label = if lang == Lang::Zh { c.progress.zh() } else { c.progress.en() };
    serde_json::json!({
        "key": c.progress.key(),
        "label": label,
        "on": c.on.map(|d| time::date(d, lang)),
        "late": c.timing == Some(Timing::Late),
        "soon": c.timing == Some(Timing::DueSoon),
        "submission": c.submission,
        "roll": roll,
    })
}

fn board_view(b: &Board, v: &Viewer) -> serde_json::Value {
    let zh = v.lang == Lang::Zh;
    let columns: Vec<serde_json::Value> = b
        .columns
        .iter()
        .map(|c| {
            serde_json::json!({
                "table": c.table, "name": if zh { c.name_zh } else { c.table },
                "due": time::date(c.due, v.lang), "due_short": time::month_day(c.due, v.lang), "owed": c.owed, "submitted": c.submitted,
                "approved": c.approved, "late": c.late,
            })
        })
        .collect();
    let rows: Vec<serde_json::Value> = b
        .rows
        .iter()
        .map(|r| {
            serde_json::json!({
                "school": r.school, "name": r.name, "district": r.district_name, "late": r.late,
                "cells": r.cells.iter().zip(&b.columns).map(|(c, col)| {
                    // Only the standard's tables returned by year have a template to roll forward.
                    let rolls = crate::domain::standard::Table::from_name(col.table)
                        .is_some_and(|t| t.year_column().is_some());
                    let roll = (v.who.role == Role::School && rolls).then(|| {
                        format!("/api/v1/templates/{}/roll-forward?school={}&year={}", col.table, r.school, b.year)
                    });
                    cell_view(c.as_ref(), v.lang, roll)
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    serde_json::json!({ "columns": columns, "rows": rows, "complete": b.complete, "total": b.rows.len() })
}

/// `GET /progress`: the board.
pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<BoardQuery>,
) -> Result<Response, PageError> {
    let year = year_of(&q);
    let scope = scope(&v, q.district.as_deref())?;
    let today = time::today();
    let whole = progress::board(&state.db, year, &scope, today).await.page(&v)?;
    let late_schools = whole.late().len();
    let b = filtered(whole, &q);
    let districts = if matches!(v.who.role, Role::Admin | Role::Analyst) {
        crate::store::registry::districts(&state.db).await.page(&v)?
    } else {
        Vec::new()
    };
    let statuses: Vec<serde_json::Value> = Progress::ALL
        .iter()
        .map(|p| serde_json::json!({ "key": p.key(), "label": if v.lang == Lang::Zh { p.zh() } else { p.en() } }))
        .collect();
    let this_year = i64::from(current_year(today));
    let notice = match q.notice.as_deref() {
        Some(n) => n.parse::<usize>().ok().map(|n| v.t("reminded").replace("{n}", &n.to_string())),
        None => None,
    };
    let query = format!(
        "year={year}&district={}&table={}&status={}&late={}",
        super::urlencode(q.district.as_deref().unwrap_or("")),
        super::urlencode(q.table.as_deref().unwrap_or("")),
        super::urlencode(q.status.as_deref().unwrap_or("")),
        super::urlencode(q.late.as_deref().unwrap_or("")),
    );
    render(
        "progress.html",
        &v,
        serde_json::json!({
            "year": year,
            "years": (year.min(this_year - 5).max(2000)..=this_year.max(year)).rev().collect::<Vec<_>>(),
            "today": time::date(today, v.lang),
            "board": board_view(&b, &v),
            "calendar": b.calendar,
            "districts": districts.iter().map(|(c, n)| serde_json::json!({ "code": c, "name": n })).collect::<Vec<_>>(),
            "district": q.district.clone().unwrap_or_default(),
            "table": q.table.clone().unwrap_or_default(),
            "status": q.status.clone().unwrap_or_default(),
            "late_only": q.late.as_deref().is_some_and(|l| !l.is_empty()),
            "statuses": statuses,
            "may_remind": matches!(v.who.role, Role::Admin | Role::District) && late_schools > 0,
            "late_schools": late_schools,
            "is_school": v.who.role == Role::School,
            "query": query,
            "notice": notice,
        }),
    )
}

/// `GET /progress.xlsx`: the board as shown (same filters), as a workbook.
pub async fn workbook(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<BoardQuery>,
) -> Result<Response, PageError> {
    let year = year_of(&q);
    let scope = scope(&v, q.district.as_deref())?;
    let b = filtered(progress::board(&state.db, year, &scope, time::today()).await.page(&v)?, &q);
    let bytes = crate::reports::progress::workbook(&b, v.lang).page(&v)?;
    let name = format!("progress-{year}.xlsx");
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct RemindForm {
    csrf: String,
    year: i64,
    #[serde(default)]
    district: String,
}

/// `POST /progress/remind`: one reminder to every late school in the viewer's scope.
pub async fn remind(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<RemindForm>,
) -> Result<Response, PageError> {
    v.check_csrf(&f.csrf)?;
    if !matches!(v.who.role, Role::Admin | Role::District) {
        return Err(PageError::Web(WebError::Forbidden, v.lang, None));
    }
    let scope = scope(&v, Some(&f.district))?;
    let today = time::today();
    let b = progress::board(&state.db, f.year, &scope, today).await.page(&v)?;
    let late = b.late();
    let from = match (v.who.role, &scope) {
        (Role::District, Scope::District(d)) => {
            let names = crate::store::registry::district_names(&state.db).await.page(&v)?;
            format!("{}教育局", names.get(d).cloned().unwrap_or_else(|| d.clone()))
        }
        _ => "广州市教育局".to_string(),
    };
    crate::store::progress::remind(&state.db, f.year, &late, &from, &today.to_string(), &v.who.username, &v.source)
        .await
        .page(&v)?;
    Ok(see_other(&format!(
        "/progress?year={}&district={}&notice={}",
        f.year,
        super::urlencode(&f.district),
        late.len()
    )))
}

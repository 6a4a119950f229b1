//! The plan's tasks in the browser: the bureau assigns tasks to undertaking schools and sees
//! completion by task, school and district with overdue items; a school files its yearly plan and
//! progress report with figures and evidence files, downloadable by those in scope.

use std::collections::BTreeMap;

use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{OrPage, PageError, Viewer, render, see_other, urlencode};
use crate::domain::access::Role;
use crate::domain::tasks::ReportKind;
use crate::store::tasks::{self, Assignment};
use crate::web::AppState;
use crate::web::error::WebError;

#[derive(Deserialize, Default)]
pub struct Notice {
    problem: Option<String>,
    saved: Option<String>,
}

/// The assignments a viewer may see.
async fn visible(state: &AppState, v: &Viewer) -> Result<Vec<Assignment>, PageError> {
    let list = match v.who.role {
        Role::Admin | Role::Analyst => tasks::assignments(&state.db, None, None).await,
        Role::District => tasks::assignments(&state.db, None, v.who.district.as_deref()).await,
        Role::School => tasks::assignments(&state.db, Some(v.who.school.as_deref().unwrap_or("")), None).await,
    };
    Ok(list?)
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

pub async fn list(State(state): State<AppState>, v: Viewer, Query(n): Query<Notice>) -> Result<Response, PageError> {
    let all = visible(&state, &v).await?;
    let names = super::scope::district_names(&state).await.page(&v)?;
    let mut by_task: BTreeMap<String, (String, Vec<f64>, usize)> = BTreeMap::new();
    let mut by_district: BTreeMap<String, (Vec<f64>, usize)> = BTreeMap::new();
    for a in &all {
        let t = by_task.entry(a.task_code.clone()).or_insert((a.task_title.clone(), Vec::new(), 0));
        t.1.extend(a.completion);
        t.2 += a.overdue.len();
        let d = by_district.entry(a.district_code.clone()).or_default();
        d.0.extend(a.completion);
        d.1 += a.overdue.len();
    }
    let fmt = |c: Option<f64>| c.map_or("—".to_string(), |c| format!("{c:.0}%"));
    let tasks_rows: Vec<serde_json::Value> = by_task
        .iter()
        .map(|(code, (title, c, o))| serde_json::json!({ "code": code, "title": title, "completion": fmt(mean(c)), "overdue": o }))
        .collect();
    let district_rows: Vec<serde_json::Value> = by_district
        .iter()
        .map(|(code, (c, o))| serde_json::json!({ "name": names.get(code).cloned().unwrap_or(code.clone()), "completion": fmt(mean(c)), "overdue": o }))
        .collect();
    let pack = tasks::pack(&state.db).await?;
    let rows: Vec<serde_json::Value> = all
        .iter()
        .map(|a| {
            let title = title_in(&pack, &a.task_code, &a.task_title, v.lang);
            let next = a.next_due().map(|d| due_view(d, v.lang));
            serde_json::json!({ "id": a.id, "task": format!("{} {title}", a.task_code), "section": section_in(&a.section, v.lang),
                "school": a.school_name, "years": format!("{}–{}", a.first_year, a.last_year), "completion": fmt(a.completion),
                "overdue": a.overdue.len(), "next": next })
        })
        .collect();
    let defined: Vec<serde_json::Value> = tasks::tasks(&state.db)
        .await?
        .into_iter()
        .map(|(code, title, section)| {
            let n = all.iter().filter(|a| a.task_code == code).count();
            let title = title_in(&pack, &code, &title, v.lang);
            serde_json::json!({ "code": code, "title": title, "section": section_in(&section, v.lang), "assigned": n })
        })
        .collect();
    render(
        "tasks.html",
        &v,
        serde_json::json!({ "rows": rows, "by_task": tasks_rows, "by_district": district_rows, "defined": defined, "error": state.flash.get(&v.who.username, n.problem.as_deref(), v.lang), "saved": n.saved.is_some() }),
    )
}

/// A task's title in the language: the task file's English title on English pages.
fn title_in(pack: &crate::domain::tasks::TaskPack, code: &str, title: &str, lang: crate::messages::Lang) -> String {
    match (lang, pack.task(code)) {
        (crate::messages::Lang::En, Some(t)) if !t.title_en.is_empty() => t.title_en.clone(),
        _ => title.to_string(),
    }
}

/// A plan section as the language writes it: 三(七), or 3(7) in English.
fn section_in(section: &str, lang: crate::messages::Lang) -> String {
    if lang == crate::messages::Lang::En { crate::messages::numbers::section_en(section) } else { section.to_string() }
}

/// A due item as pages show it: what, when, and where it stands.
fn due_view(d: &crate::domain::tasks::DueItem, lang: crate::messages::Lang) -> serde_json::Value {
    use crate::domain::tasks::DueState;
    let en = lang == crate::messages::Lang::En;
    let what = if en {
        format!("{} {}", d.year, if d.kind == ReportKind::Plan { "plan" } else { "progress report" })
    } else {
        format!("{} {}", d.year, d.kind.zh())
    };
    let state = match (d.state, en) {
        (DueState::Filed, false) => "已报送",
        (DueState::Filed, true) => "filed",
        (DueState::Overdue, false) => "逾期",
        (DueState::Overdue, true) => "overdue",
        (DueState::DueSoon, false) => "即将到期",
        (DueState::DueSoon, true) => "due soon",
        (DueState::Upcoming, false) => "未到期",
        (DueState::Upcoming, true) => "upcoming",
    };
    let key = match d.state {
        DueState::Filed => "met",
        DueState::Overdue => "off_track",
        DueState::DueSoon => "at_risk",
        DueState::Upcoming => "no_target",
    };
    serde_json::json!({ "what": what, "due": crate::messages::time::date(d.due, lang), "state": state, "key": key })
}

fn admin_only(v: &Viewer) -> Result<(), PageError> {
    if v.who.role == Role::Admin { Ok(()) } else { Err(PageError::Web(WebError::Forbidden, v.lang, None)) }
}

fn back(
    state: &AppState,
    to: &str,
    r: Result<(), crate::store::StoreError>,
    v: &Viewer,
) -> Result<Response, PageError> {
    match r {
        Ok(()) => Ok(see_other(&format!("{to}?saved=1"))),
        Err(e) => super::refused_to(state, v, to, e),
    }
}

#[derive(Deserialize)]
pub struct TaskForm {
    #[serde(default)]
    csrf: String,
    code: String,
    title: String,
    #[serde(default)]
    section: String,
}

pub async fn add(State(state): State<AppState>, v: Viewer, Form(f): Form<TaskForm>) -> Result<Response, PageError> {
    admin_only(&v)?;
    v.check_csrf(&f.csrf)?;
    back(
        &state,
        "/tasks",
        tasks::add_task(&state.db, &f.code, &f.title, &f.section, &v.who.username, &v.source).await.map(|_| ()),
        &v,
    )
}

#[derive(Deserialize, Default)]
pub struct AssignQuery {
    code: Option<String>,
    problem: Option<String>,
}

/// How many output rows the assignment form offers.
const OUTPUT_ROWS: usize = 5;

/// The assignment form for one task: the school picked by name (the browser's own search over
/// the list), the years, and the outputs in fields, started from the task file's suggestions.
pub async fn assign_form(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<AssignQuery>,
) -> Result<Response, PageError> {
    admin_only(&v)?;
    let defined = tasks::tasks(&state.db).await?;
    let code = q.code.clone().or_else(|| defined.first().map(|t| t.0.clone())).unwrap_or_default();
    let pack = tasks::pack(&state.db).await?;
    let suggested = pack.task(&code).map(|t| t.outputs.clone()).unwrap_or_default();
    let mut outputs: Vec<serde_json::Value> = suggested
        .iter()
        .map(|o| serde_json::json!({ "name": o.name, "unit": o.unit, "target": o.target.to_string() }))
        .collect();
    outputs.resize(OUTPUT_ROWS.max(outputs.len()), serde_json::json!({ "name": "", "unit": "", "target": "" }));
    let assigned = tasks::schools_of_task(&state.db, &code).await?;
    let schools: Vec<serde_json::Value> = crate::store::registry::schools(&state.db)
        .await?
        .into_iter()
        .filter(|s| !assigned.contains(&s.code))
        .map(|s| serde_json::json!({ "label": format!("{}（{}）", s.name, s.code) }))
        .collect();
    let plan = state.cache.plan(&state.db).await.page(&v)?;
    let years: Vec<i32> = (plan.baseline_year + 1..=plan.target_year).collect();
    let tasks_json: Vec<serde_json::Value> = defined
        .iter()
        .map(|(c, title, section)| serde_json::json!({ "code": c, "title": title, "section": section_in(section, v.lang) }))
        .collect();
    render(
        "task_assign.html",
        &v,
        serde_json::json!({ "code": code, "tasks": tasks_json, "outputs": outputs, "schools": schools, "years": years,
            "first": years.first(), "last": years.last(), "error": state.flash.get(&v.who.username, q.problem.as_deref(), v.lang) }),
    )
}

/// Assigns a task to a school: the school by name or code; outputs from the form's fields (or,
/// as scripts send them, one `名称:单位:目标` per line in `outputs`).
pub async fn assign(
    State(state): State<AppState>,
    v: Viewer,
    Form(f): Form<std::collections::HashMap<String, String>>,
) -> Result<Response, PageError> {
    admin_only(&v)?;
    v.check_csrf(f.get("csrf").map_or("", String::as_str))?;
    let field = |k: &str| f.get(k).map_or("", |s| s.trim());
    let code = field("code").to_string();
    let run = async {
        let years = match (field("first_year"), field("last_year")) {
            ("", _) | (_, "") => field("years").to_string(),
            (a, b) => format!("{a}-{b}"),
        };
        let (a, b) = years.split_once('-').unwrap_or((&years, &years));
        let (first, last) = match (a.trim().parse::<i64>(), b.trim().parse::<i64>()) {
            (Ok(a), Ok(b)) if a <= b => (a, b),
            _ => {
                return Err(crate::store::StoreError::refused(format!(
                    "“{years}”：年度应写作 2021-2025 / write the years as 2021-2025"
                )));
            }
        };
        let mut outputs = Vec::new();
        for i in 1..=OUTPUT_ROWS * 2 {
            let (name, unit, target) = (
                field(&format!("output_name_{i}")),
                field(&format!("output_unit_{i}")),
                field(&format!("output_target_{i}")),
            );
            if name.is_empty() && target.is_empty() {
                continue;
            }
            outputs.push(tasks::parse_output(&format!("{name}:{unit}:{target}"))?);
        }
        for line in field("outputs").lines().filter(|l| !l.trim().is_empty()) {
            outputs.push(tasks::parse_output(line)?);
        }
        if outputs.is_empty() {
            return Err(crate::store::StoreError::refused(
                "请至少填写一项预期成果 / name at least one expected output",
            ));
        }
        let school = tasks::resolve_school(&state.db, field("school")).await?;
        tasks::assign(&state.db, &code, &school, first, last, &outputs, &v.who.username, &v.source).await.map(|_| ())
    };
    match run.await {
        Ok(()) => Ok(see_other("/tasks?saved=1")),
        Err(e) => super::refused_to(&state, &v, &format!("/tasks/assign?code={}", urlencode(&code)), e),
    }
}

/// An assignment the viewer may see, or 403/404.
async fn readable(state: &AppState, v: &Viewer, id: i64) -> Result<Assignment, PageError> {
    let a = tasks::assignment(&state.db, id).await.map_err(|e| PageError::Web(e.into(), v.lang, None))?;
    if v.who.may_read_records(&a.school_code, &a.district_code) {
        Ok(a)
    } else {
        Err(PageError::Web(WebError::Forbidden, v.lang, None))
    }
}

pub async fn detail(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    Query(n): Query<Notice>,
) -> Result<Response, PageError> {
    let a = readable(&state, &v, id).await?;
    let may_file = v.who.may_submit_for(&a.school_code, &a.district_code);
    let outputs: BTreeMap<i64, String> =
        a.outputs.iter().map(|o| (o.id, format!("{}（{}）", o.name, o.unit))).collect();
    let reports: Vec<serde_json::Value> = a
        .reports
        .iter()
        .map(|r| {
            let kind = ReportKind::parse(&r.kind).map_or(r.kind.clone(), |k| k.zh().to_string());
            let figures: Vec<String> = r.figures.iter().map(|(o, val)| format!("{} {val}", outputs.get(o).cloned().unwrap_or_default())).collect();
            serde_json::json!({ "year": r.year, "kind": kind, "body": r.body, "by": r.submitted_by, "at": r.submitted_at, "figures": figures, "evidence": r.evidence })
        })
        .collect();
    let years: Vec<i64> = (a.first_year..=a.last_year).collect();
    let schedule: Vec<serde_json::Value> = a.schedule.iter().map(|d| due_view(d, v.lang)).collect();
    render(
        "task.html",
        &v,
        serde_json::json!({ "a": a, "section": section_in(&a.section, v.lang), "reports": reports, "may_file": may_file, "years": years, "schedule": schedule,
            "overdue": a.overdue.len(), "error": state.flash.get(&v.who.username, n.problem.as_deref(), v.lang), "saved": n.saved.is_some() }),
    )
}

pub async fn file(
    State(state): State<AppState>,
    v: Viewer,
    Path(id): Path<i64>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let a = readable(&state, &v, id).await?;
    if !v.who.may_submit_for(&a.school_code, &a.district_code) {
        return Err(PageError::Web(WebError::Forbidden, v.lang, None));
    }
    let bad = |m: String| PageError::Web(WebError::bad(m), v.lang, None);
    let (mut csrf, mut year, mut kind, mut body) = (String::new(), String::new(), String::new(), String::new());
    let mut figures = Vec::new();
    let mut files = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| bad(e.to_string()))? {
        let name = field.name().unwrap_or("").to_string();
        match name.as_str() {
            "evidence" => {
                let file_name = field.file_name().unwrap_or("").to_string();
                let bytes = field.bytes().await.map_err(|e| bad(e.to_string()))?;
                if !file_name.is_empty() && !bytes.is_empty() {
                    files.push((file_name, bytes));
                }
            }
            _ => {
                let text = field.text().await.map_err(|e| bad(e.to_string()))?;
                match name.as_str() {
                    "csrf" => csrf = text,
                    "year" => year = text,
                    "kind" => kind = text,
                    "body" => body = text,
                    n if n.starts_with("figure_") && !text.trim().is_empty() => {
                        let o = n.trim_start_matches("figure_").parse::<i64>().map_err(|e| bad(e.to_string()))?;
                        let val =
                            text.trim().parse::<f64>().map_err(|_| bad(format!("“{text}”不是数字 / not a number")))?;
                        figures.push((o, val));
                    }
                    _ => {}
                }
            }
        }
    }
    v.check_csrf(&csrf)?;
    let to = format!("/tasks/{id}");
    let run = async {
        let year: i64 = year.parse().map_err(|_| crate::store::StoreError::refused("year"))?;
        let kind = ReportKind::parse(&kind).ok_or_else(|| crate::store::StoreError::refused("kind"))?;
        // Check every file before storing anything.
        for (n, b) in &files {
            if crate::domain::tasks::evidence_type(n, b).is_none() || b.len() > crate::domain::tasks::EVIDENCE_LIMIT {
                return Err(crate::store::StoreError::refused(format!(
                    "“{n}”：只接受 20 MB 以内的 PDF、PNG、JPEG、DOCX、XLSX、PPTX 文件 / only PDF, PNG, JPEG, DOCX, XLSX and PPTX files up to 20 MB"
                )));
            }
        }
        let rid = tasks::file_report(&state.db, id, year, kind, &body, &figures, &v.who.username, &v.source).await?;
        for (n, b) in &files {
            tasks::add_evidence(&state.db, rid, n, b, &v.who.username, &v.source).await?;
        }
        Ok(())
    };
    back(&state, &to, run.await, &v)
}

pub async fn evidence(State(state): State<AppState>, v: Viewer, Path(id): Path<i64>) -> Result<Response, PageError> {
    let (meta, bytes) = tasks::evidence(&state.db, id).await.map_err(|e| PageError::Web(e.into(), v.lang, None))?;
    let d = crate::web::submission::district_of_school(&state, &meta.school_code).await.page(&v)?;
    if !v.who.may_read_records(&meta.school_code, &d) {
        return Err(PageError::Web(WebError::Forbidden, v.lang, None));
    }
    // The stored name may hold any characters: send an ASCII fallback and the UTF-8 name.
    let ascii: String =
        meta.file_name.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c } else { '_' }).collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", urlencode(&meta.file_name));
    Ok(([(header::CONTENT_TYPE, meta.content_type.clone()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response())
}

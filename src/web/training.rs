//! The public training pages (plan 四(四)), without sign-in and without personal data:
//! `/training` (providers and projects by category, district and grade), `/provider/{code}` (the
//! grade with its meaning, every deduction, current events with the fixed disclosure fields,
//! projects with completion, certification and ratings that pass the response rules) and
//! `/survey` (a trainee answers a project's survey with a one-time code).

use axum::extract::{Path, Query, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::error::WebError;
use super::i18n::{lang_of, text};
use super::pages::{PageError, Viewer, render_page};
use crate::domain::integrity::ratings::{OUTCOME_ITEMS, Rating, Response as Answer, SCORE_ITEMS, SurveyKind, Verdict};
use crate::domain::standard::TRAINING_CATEGORIES;
use crate::figures::integrity::{Filter, ProjectView};
use crate::messages::Lang;
use crate::store::integrity::survey::{self, Opened};

#[derive(Deserialize, Default)]
pub struct DirectoryQuery {
    year: Option<i64>,
    #[serde(default)]
    category: String,
    #[serde(default)]
    district: String,
    #[serde(default)]
    grade: String,
    #[serde(default)]
    q: String,
}

/// At most this many projects on one page (a filter narrows them).
const PROJECTS_SHOWN: usize = 300;

fn item_label(key: &str, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    if key == "satisfied" {
        return if zh { "满意（4—5 分）" } else { "Satisfied (4–5)" }.into();
    }
    let found = SCORE_ITEMS.iter().chain(OUTCOME_ITEMS.iter()).find(|i| i.0 == key);
    found.map_or_else(|| key.to_string(), |i| if zh { i.1.to_string() } else { i.2.to_string() })
}

/// A survey as a page shows it: the count and rate always; items with intervals only when
/// published, else the reason.
fn rating_view(r: &Rating, lang: Lang) -> serde_json::Value {
    let zh = lang == Lang::Zh;
    let reason = match r.verdict {
        Verdict::Published => None,
        Verdict::TooFew { needed } => Some(text(lang, "training_too_few").replace("{n}", &needed.to_string())),
        Verdict::LowRate { needed } => {
            Some(text(lang, "training_low_rate").replace("{n}", &format!("{:.0}", needed * 100.0)))
        }
    };
    let items: Vec<serde_json::Value> = r
        .items
        .iter()
        .map(|i| {
            serde_json::json!({"item": i.item, "label": item_label(i.item, lang), "n": i.n, "mean": format!("{:.2}", i.mean),
                "estimate": format!("{:.2}", i.estimate), "low": format!("{:.2}", i.low), "high": format!("{:.2}", i.high)})
        })
        .collect();
    let shares: Vec<serde_json::Value> = r
        .shares
        .iter()
        .map(|s| {
            serde_json::json!({"item": s.item, "label": item_label(s.item, lang), "n": s.n, "yes": s.yes,
                "share": format!("{:.1}", s.share * 100.0), "low": format!("{:.1}", s.low * 100.0), "high": format!("{:.1}", s.high * 100.0),
                "low_exact": s.low, "high_exact": s.high})
        })
        .collect();
    serde_json::json!({
        "survey": r.survey.key(), "survey_label": if zh { r.survey.zh() } else { r.survey.key() },
        "responses": r.responses, "base": r.base, "rate": r.rate.map(|v| format!("{:.0}", v * 100.0)),
        "published": r.verdict == Verdict::Published, "reason": reason, "items": items, "shares": shares,
    })
}

fn project_view(p: &ProjectView, provider: &str, lang: Lang) -> serde_json::Value {
    let pct = |v: Option<f64>| v.map(|v| format!("{v:.1}"));
    serde_json::json!({
        "school_code": p.school_code, "provider": provider, "code": p.project_code, "name": p.name,
        "category": if lang == Lang::Zh { p.category_zh.clone() } else { p.category.clone() },
        "start": p.start_date, "end": p.end_date, "hours": p.hours, "person_times": p.person_times, "completed": p.completed,
        "certified": p.certified, "completion_rate": pct(p.completion_rate), "certification_rate": pct(p.certification_rate),
        "ratings": p.ratings.iter().map(|r| rating_view(r, lang)).collect::<Vec<_>>(),
    })
}

fn choices(list: &[(String, String)], chosen: &str) -> Vec<serde_json::Value> {
    list.iter().map(|(k, v)| serde_json::json!({"key": k, "label": v, "selected": k == chosen})).collect()
}

/// `GET /training`: the directory.
pub async fn directory(State(state): State<AppState>, mut parts: Parts) -> Result<Response, PageError> {
    let lang = lang_of(&parts);
    let viewer = Viewer::optional(&mut parts, &state).await;
    let q: DirectoryQuery = Query::try_from_uri(&parts.uri).map(|q| q.0).unwrap_or_default();
    let year = match q.year {
        Some(y) if (2000..=2100).contains(&y) => y,
        _ => state.cache.training_year(&state.db).await?,
    };
    let cut = |s: &str, n: usize| s.trim().chars().take(n).collect::<String>();
    let filter = Filter {
        category: cut(&q.category, 40),
        district: cut(&q.district, 6),
        grade: cut(&q.grade, 4),
        text: cut(&q.q, 40),
    };
    let all = state.cache.training_directory(&state.db, year).await?;
    let shown = all.filtered(&filter);
    let names = state.cache.district_names(&state.db).await?;
    let pack = crate::store::integrity::pack(&state.db).await?;
    let providers: Vec<serde_json::Value> = shown
        .providers
        .iter()
        .map(|p| {
            let cats: Vec<String> = p
                .categories
                .iter()
                .map(|c| if lang == Lang::Zh { crate::figures::integrity::category_zh(c) } else { c.clone() })
                .collect();
            serde_json::json!({"code": p.code, "name": p.name, "district": names.get(&p.district_code).cloned().unwrap_or_default(),
                "grade": p.grade, "score": p.score, "categories": cats.join("、"), "projects": p.projects, "person_times": p.person_times})
        })
        .collect();
    let projects: Vec<serde_json::Value> =
        shown.projects.iter().take(PROJECTS_SHOWN).map(|(name, p)| project_view(p, name, lang)).collect();
    let categories: Vec<(String, String)> = TRAINING_CATEGORIES
        .iter()
        .map(|c| (c.key.to_string(), if lang == Lang::Zh { c.zh.to_string() } else { c.key.to_string() }))
        .collect();
    let mut districts: Vec<(String, String)> = names.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    districts.sort();
    let grades: Vec<(String, String)> = pack.grades.iter().map(|g| (g.grade.clone(), g.grade.clone())).collect();
    let figures = state.cache.integrity_figures(&state.db, year).await?;
    let pct = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |v| format!("{v:.1}%"));
    let rates: Vec<serde_json::Value> = figures
        .rates
        .iter()
        .map(|r| {
            serde_json::json!({"name": if r.key == "city" { text(lang, "city") } else { r.name.clone() }, "person_times": r.person_times,
                "complaints": r.complaints, "per_10k": r.complaints_per_10k.map_or_else(|| "—".to_string(), |v| format!("{v:.2}")),
                "completion": pct(r.completion_rate), "certification": pct(r.certification_rate)})
        })
        .collect();
    let grade_rows = |rows: &[crate::figures::integrity::city::GradeRow], by_key: bool| -> Vec<serde_json::Value> {
        rows.iter()
            .map(|r| {
                let name = if by_key && lang == Lang::En { r.key.clone() } else { r.name.clone() };
                let counts: Vec<i64> =
                    figures.grade_order.iter().map(|g| r.grades.get(g).copied().unwrap_or(0)).collect();
                serde_json::json!({"name": name, "counts": counts})
            })
            .collect()
    };
    let ctx = serde_json::json!({
        "grade_order": figures.grade_order, "by_district": grade_rows(&figures.by_district, false),
        "by_category": grade_rows(&figures.by_category, true), "rates": rates, "subsidised": figures.subsidised,
        "year": year, "q": filter.text, "categories": choices(&categories, &filter.category),
        "districts": choices(&districts, &filter.district), "grades": choices(&grades, &filter.grade),
        "providers": providers, "projects": projects, "more": shown.projects.len() > PROJECTS_SHOWN,
        "matches": text(lang, "matches").replace("{n}", &shown.providers.len().to_string()),
    });
    Ok(render_page("training.html", lang, viewer.as_ref(), ctx)?.into_response())
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i64>,
}

/// `GET /provider/{code}`: a provider's public page.
pub async fn provider(
    State(state): State<AppState>,
    Path(code): Path<String>,
    mut parts: Parts,
) -> Result<Response, PageError> {
    let lang = lang_of(&parts);
    let viewer = Viewer::optional(&mut parts, &state).await;
    let q: YearQuery = Query::try_from_uri(&parts.uri).map(|q| q.0).unwrap_or_default();
    let code: String = code.chars().filter(char::is_ascii_alphanumeric).take(18).collect::<String>().to_uppercase();
    let year = match q.year {
        Some(y) if (2000..=2100).contains(&y) => y,
        _ => state.cache.training_year(&state.db).await?,
    };
    let page = state.cache.provider_page(&state.db, &code, year).await?;
    let Some(p) = page.as_ref() else { return Err(PageError::Web(WebError::NotFound, lang, None)) };
    let names = state.cache.district_names(&state.db).await?;
    let zh = lang == Lang::Zh;
    let projects: Vec<serde_json::Value> = p.projects.iter().map(|x| project_view(x, &p.provider.name, lang)).collect();
    let method = text(lang, "training_method")
        .replace("{k}", &format!("{}", p.rules.prior_weight))
        .replace("{n}", &p.rules.min_responses.to_string())
        .replace("{rate}", &format!("{:.0}", p.rules.min_rate * 100.0));
    let ctx = serde_json::json!({
        "p": p, "year": p.year, "district": names.get(&p.provider.district_code).cloned().unwrap_or_default(),
        "meaning": if zh { &p.meaning_zh } else { &p.meaning_en }, "projects": projects, "method": method,
        "years": [p.year, p.year - 1, p.year - 2],
    });
    Ok(render_page("provider.html", lang, viewer.as_ref(), ctx)?.into_response())
}

#[derive(Deserialize, Default)]
pub struct SurveyForm {
    #[serde(default)]
    code: String,
    /// Empty to open the form; `answer` to send the answers.
    #[serde(default)]
    step: String,
    #[serde(default)]
    content: Option<i64>,
    #[serde(default)]
    teaching: Option<i64>,
    #[serde(default)]
    facilities: Option<i64>,
    #[serde(default)]
    overall: Option<i64>,
    #[serde(default)]
    employed: Option<String>,
    #[serde(default)]
    certified: Option<String>,
    #[serde(default)]
    promoted: Option<String>,
}

fn questions(kind: SurveyKind, lang: Lang) -> Vec<serde_json::Value> {
    let zh = lang == Lang::Zh;
    let items: &[(&str, &str, &str)] = match kind {
        SurveyKind::Completion => &SCORE_ITEMS,
        SurveyKind::Outcome => &OUTCOME_ITEMS,
    };
    items.iter().map(|i| serde_json::json!({"key": i.0, "label": if zh { i.1 } else { i.2 }})).collect()
}

/// `GET /survey`: the code form.
pub async fn survey_form(State(state): State<AppState>, mut parts: Parts) -> Result<Response, PageError> {
    let lang = lang_of(&parts);
    let viewer = Viewer::optional(&mut parts, &state).await;
    let ctx = serde_json::json!({"stage": "code", "message": null});
    Ok(render_page("survey.html", lang, viewer.as_ref(), ctx)?.into_response())
}

/// `POST /survey`: opens the survey a code is for, or records the answers and uses the code.
pub async fn survey_post(
    State(state): State<AppState>,
    mut parts: Parts,
    axum::Form(f): axum::Form<SurveyForm>,
) -> Result<Response, PageError> {
    let lang = lang_of(&parts);
    let viewer = Viewer::optional(&mut parts, &state).await;
    let today = chrono::Local::now().date_naive();
    let code: String = survey::normalise(&f.code);
    let address = super::auth::address(&parts, &state.config);
    let render = |ctx: serde_json::Value| -> Result<Response, PageError> {
        Ok(render_page("survey.html", lang, viewer.as_ref(), ctx)?.into_response())
    };
    let opened = survey::open(&state.db, &code, &address, today).await?;
    let (project, kind) = match opened {
        Opened::Open { project, survey } => (project, survey),
        Opened::Invalid => {
            return render(serde_json::json!({"stage": "code", "message": text(lang, "survey_invalid")}));
        }
        Opened::NotYet { from } => {
            return render(
                serde_json::json!({"stage": "code", "message": text(lang, "survey_not_yet").replace("{d}", &from)}),
            );
        }
        Opened::Throttled { wait_secs } => {
            let m = text(lang, "account_throttled").replace("{n}", &wait_secs.div_ceil(60).to_string());
            return render(serde_json::json!({"stage": "code", "message": m}));
        }
    };
    let form = serde_json::json!({
        "stage": "questions", "code": code, "survey": kind.key(), "survey_label": if lang == Lang::Zh { kind.zh() } else { kind.key() },
        "project": {"name": project.name, "school": project.school_name, "start": project.start_date, "end": project.end_date},
        "questions": questions(kind, lang), "message": null,
    });
    if f.step != "answer" {
        return render(form);
    }
    let yes = |v: &Option<String>| match v.as_deref() {
        Some("yes") => Some(true),
        Some("no") => Some(false),
        _ => None,
    };
    let answer = Answer {
        scores: match kind {
            SurveyKind::Completion => [f.content, f.teaching, f.facilities, f.overall],
            SurveyKind::Outcome => [None; 4],
        },
        outcomes: match kind {
            SurveyKind::Completion => [None; 3],
            SurveyKind::Outcome => [yes(&f.employed), yes(&f.certified), yes(&f.promoted)],
        },
    };
    match survey::answer(&state.db, &code, kind, &answer, today).await {
        Ok(()) => render(serde_json::json!({"stage": "done", "message": null})),
        Err(e) => {
            let m = e.message().map_or_else(|| text(lang, "error_title"), |m| m.get(lang).to_string());
            let mut form = form;
            form["message"] = serde_json::Value::String(m);
            render(form)
        }
    }
}

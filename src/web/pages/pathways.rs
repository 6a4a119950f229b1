//! Pathways in the browser: `/pathways`, the cohort funnels of the 3+2, five-year and through
//! agreements the viewer may see (a school: those it is a side of; a district: its schools'; the
//! bureau: all, with the district and city roll-ups), by intake year, with the funnel drawn.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;

use super::credit::schools_of;
use super::{OrPage, PageError, Viewer, render};
use crate::domain::pathway::funnel::{Funnel, Stage};
use crate::messages::Lang;
use crate::web::AppState;

#[derive(Deserialize, Default)]
pub struct IntakeQuery {
    intake: Option<i64>,
}

fn stage_label(s: Stage, lang: Lang) -> String {
    if lang == Lang::Zh { s.zh().to_string() } else { s.key().replace('_', " ") }
}

fn funnel_json(label: &str, f: &Funnel) -> serde_json::Value {
    serde_json::json!({
        "label": label, "counts": f.counts, "quota": f.quota, "unmatched": f.unmatched_results,
        "transfer_rate": f.transfer_rate().map(|v| format!("{v:.1}")),
        "rate_of_year_3": f.rate_of_year_3().map(|v| format!("{v:.1}")),
    })
}

/// `GET /pathways`.
pub async fn page(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<IntakeQuery>,
) -> Result<Response, PageError> {
    let f = state.cache.pathways(&state.db).await.page(&v)?;
    let schools = schools_of(&state, &v).await?;
    let visible = |s: &str| schools.as_ref().is_none_or(|list| list.iter().any(|x| x == s));
    let mut intakes: Vec<i64> = f.funnels.iter().map(|r| r.intake).collect();
    intakes.sort_unstable();
    intakes.dedup();
    // The latest intake that has reached its assessment, else the latest.
    let assessed = f.city.iter().filter(|r| r.funnel.count(Stage::Assessed) > 0).map(|r| r.intake).max();
    let intake = q.intake.or(assessed).or(intakes.last().copied()).unwrap_or(0);
    let mine: Vec<_> = f
        .funnels
        .iter()
        .filter(|r| r.intake == intake && (visible(&r.agreement.lower_school) || visible(&r.agreement.upper_school)))
        .collect();
    let mut total = Funnel::default();
    for r in &mine {
        total.add(&r.funnel);
    }
    let stages: Vec<(String, i64)> = Stage::ALL.iter().map(|s| (stage_label(*s, v.lang), total.count(*s))).collect();
    let chart = crate::reports::chart::funnel(&format!("{} {intake}", v.t("pathways_funnel")), &stages);
    let agreements: Vec<serde_json::Value> = mine
        .iter()
        .map(|r| {
            let a = &r.agreement;
            let mut j = funnel_json(&a.code, &r.funnel);
            if let Some(o) = j.as_object_mut() {
                o.insert("pathway".into(), (if v.lang == Lang::Zh { a.pathway.zh() } else { a.pathway.key() }).into());
                o.insert("lower".into(), format!("{} {}", a.lower_school, a.lower_program).into());
                o.insert("upper".into(), format!("{} {}", a.upper_school, a.upper_program).into());
                // The upper school's admission list of the year this intake transfers.
                if visible(&a.upper_school) {
                    let year = r.intake + crate::domain::pathway::LOWER_YEARS;
                    o.insert(
                        "admissions".into(),
                        format!("/pathways/admissions.xlsx?school={}&year={year}", a.upper_school).into(),
                    );
                }
            }
            j
        })
        .collect();
    let bureau = schools.is_none();
    let rollup = |rows: &[crate::figures::pathway::Rollup]| -> Vec<serde_json::Value> {
        rows.iter().filter(|r| r.intake == intake).map(|r| funnel_json(&r.label, &r.funnel)).collect()
    };
    let by_school: Vec<serde_json::Value> = f
        .by_school
        .iter()
        .filter(|r| r.intake == intake && visible(&r.key))
        .map(|r| funnel_json(&r.label, &r.funnel))
        .collect();
    let city_series: Vec<serde_json::Value> = if bureau {
        f.city.iter().map(|r| funnel_json(&r.intake.to_string(), &r.funnel)).collect()
    } else {
        Vec::new()
    };
    let stage_names: Vec<String> = Stage::ALL.iter().map(|s| stage_label(*s, v.lang)).collect();
    render(
        "pathways.html",
        &v,
        serde_json::json!({
            "intake": intake,
            "intakes": intakes,
            "stages": stage_names,
            "chart": chart,
            "total": funnel_json(&v.t("pathways_total"), &total),
            "agreements": agreements,
            "by_school": by_school,
            "by_district": if bureau { rollup(&f.by_district) } else { Vec::new() },
            "by_pathway": if bureau { rollup(&f.by_pathway) } else { Vec::new() },
            "city_series": city_series,
            "bureau": bureau,
        }),
    )
}

#[derive(Deserialize)]
pub struct AdmissionsQuery {
    school: String,
    year: i64,
}

/// `GET /pathways/admissions.xlsx?school=&year=`: an upper school's admission list, for the school
/// itself, its district and the bureau; personal data masked (unmasked lists come from the CLI,
/// audited), the download audited.
pub async fn admissions(
    State(state): State<AppState>,
    v: Viewer,
    Query(q): Query<AdmissionsQuery>,
) -> Result<Response, PageError> {
    use axum::http::header;
    use axum::response::IntoResponse;
    if let Some(list) = schools_of(&state, &v).await?
        && !list.contains(&q.school)
    {
        return Err(PageError::Web(crate::web::error::WebError::NotFound, v.lang, None));
    }
    let list = crate::store::pathway::admissions(&state.db, &q.school, q.year, false).await?;
    let bytes = crate::reports::xlsx::admission_list(&list)?;
    crate::store::audit::record(
        &state.db.pool,
        &crate::store::audit::Entry {
            actor: &v.who.username,
            action: "admissions",
            object: &format!("school {} year {}", q.school, q.year),
            detail: &format!("{} rows, masked", list.len()),
            source: &v.source,
        },
    )
    .await?;
    let name = format!("admissions-{}-{}.xlsx", q.school, q.year);
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

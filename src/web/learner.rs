//! `/account`: a learner's own account (学习账户) by ID number and name, without signing in.
//! Rate-limited and audited in the store (`store::lookup`); sent by POST so that an ID number
//! never lands in an address bar, a history or a log.

use axum::extract::State;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::i18n::{lang_of, text};
use super::pages::{PageError, Viewer, render_page};
use crate::domain::frameworks::Framework;
use crate::domain::standard::{CERTIFICATE_KINDS, CERTIFICATE_LEVELS, Choice, ID_TYPES, find_choice};
use crate::messages::Lang;
use crate::store::credit::Account;
use crate::store::lookup::{self, Lookup};

/// `GET /account`: the form.
pub async fn form(State(state): State<AppState>, mut parts: Parts) -> Result<Response, PageError> {
    let lang = lang_of(&parts);
    let viewer = Viewer::optional(&mut parts, &state).await;
    let ctx = serde_json::json!({ "id_types": id_types(lang), "id_type": "resident_id", "name": "", "message": null, "account": null });
    Ok(render_page("account.html", lang, viewer.as_ref(), ctx)?.into_response())
}

#[derive(Deserialize)]
pub struct LookupForm {
    #[serde(default)]
    id_type: String,
    id_number: String,
    name: String,
}

/// `POST /account`: the account, or one answer for an unknown ID and a wrong name alike.
pub async fn lookup(
    State(state): State<AppState>,
    mut parts: Parts,
    axum::Form(f): axum::Form<LookupForm>,
) -> Result<Response, PageError> {
    let lang = lang_of(&parts);
    let viewer = Viewer::optional(&mut parts, &state).await;
    let id_type = if ID_TYPES.iter().any(|c| c.key == f.id_type) { f.id_type.as_str() } else { "resident_id" };
    // What a person can type, cut to what an ID number and a name can be.
    let id_number: String = f.id_number.chars().take(40).collect();
    let name: String = f.name.chars().take(60).collect();
    let address = super::auth::address(&parts, &state.config);
    let source = super::auth::client(&parts);
    let (message, account) = match lookup::learner(&state.db, id_type, &id_number, &name, &address, &source).await? {
        Lookup::Found(a) => (None, Some(account_view(&a, lang))),
        Lookup::NoMatch => (Some(text(lang, "account_no_match")), None),
        Lookup::Throttled { wait_secs } => {
            (Some(text(lang, "account_throttled").replace("{n}", &wait_secs.div_ceil(60).to_string())), None)
        }
    };
    // The name is not echoed back into the form: the page may be left open on a shared screen.
    let ctx = serde_json::json!({
        "id_types": id_types(lang), "id_type": id_type, "name": "", "message": message, "account": account,
    });
    Ok(render_page("account.html", lang, viewer.as_ref(), ctx)?.into_response())
}

fn id_types(lang: Lang) -> Vec<serde_json::Value> {
    ID_TYPES
        .iter()
        .map(|c| serde_json::json!({ "key": c.key, "label": if lang == Lang::Zh { c.zh } else { c.key } }))
        .collect()
}

fn choice(list: &'static [Choice], key: &str, lang: Lang) -> String {
    match find_choice(list, key) {
        Some(c) if lang == Lang::Zh => c.zh.to_string(),
        _ => key.to_string(),
    }
}

/// The account as the page shows it: masked, with each outcome's levels in the frameworks.
fn account_view(a: &Account, lang: Lang) -> serde_json::Value {
    let zh = lang == Lang::Zh;
    let outcomes: Vec<serde_json::Value> = a
        .outcomes
        .iter()
        .map(|o| {
            let level = o.level.as_deref().map(|l| choice(CERTIFICATE_LEVELS, l, lang));
            let frameworks: Vec<String> = o
                .frameworks
                .iter()
                .map(|p| {
                    let (fz, fe) = p.framework.name();
                    let shown = if p.framework == Framework::National {
                        if zh { p.name_zh.clone() } else { p.name_en.clone() }
                    } else {
                        format!("L{}", p.level)
                    };
                    let note = p.evidence.note().map(|(z, e)| format!(" ({})", if zh { z } else { e })).unwrap_or_default();
                    format!("{}: {shown}{note}", if zh { fz } else { fe })
                })
                .collect();
            serde_json::json!({
                "certificate_no": o.certificate_no, "title": o.title, "kind": choice(CERTIFICATE_KINDS, &o.kind, lang),
                "level": level, "issuer_name": o.issuer_name, "issued_date": o.issued_date, "valid_until": o.valid_until,
                "school_code": o.school_code, "credits": o.credits, "hours": o.hours, "hk_credits": o.hk_credits.map(|c| c as i64),
                "status": if zh { o.status.zh() } else { o.status.key() }, "status_key": o.status.key(),
                "frameworks": frameworks,
            })
        })
        .collect();
    let conversions: Vec<serde_json::Value> = a
        .conversions
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id, "school_code": c.school_code, "year": c.year, "program_code": c.program_code,
                "course_code": c.course_code, "certificate_no": c.certificate_no, "credits": c.credits,
                "status": if zh { c.status.zh() } else { c.status.key() }, "rules_version": c.rules_version,
            })
        })
        .collect();
    let (name, id) =
        a.outcomes.first().map_or((String::new(), String::new()), |o| (o.name_masked.clone(), o.id_masked.clone()));
    serde_json::json!({ "name": name, "id": id, "outcomes": outcomes, "conversions": conversions })
}

//! Receiving a submission, shared by the upload page and `POST /api/v1/submissions`: the whole
//! file is checked first and stored only if every sheet passes; reviewers are the school's
//! district officer and the bureau.

use std::collections::HashSet;

use super::AppState;
use super::error::WebError;
use crate::domain::access::{Principal, Role};
use crate::domain::standard::Table;
use crate::messages::Lang;
use crate::store::submissions;
use crate::workflow::import::{ImportOptions, NoProgress, import_file};

/// The schools a caller may submit for; None means every school (the bureau's administrator).
pub async fn allowed_schools(state: &AppState, who: &Principal) -> Result<Option<HashSet<String>>, WebError> {
    match who.role {
        Role::Admin => Ok(None),
        Role::Analyst => Err(WebError::Forbidden),
        Role::School => Ok(Some(who.school.iter().cloned().collect())),
        Role::District => {
            let district = who.district.clone().unwrap_or_default();
            let codes = crate::store::registry::school_codes_in_district(&state.db, &district).await?;
            Ok(Some(codes.into_iter().collect()))
        }
    }
}

/// Keeps only a safe file name: the extension decides the format, the stem may name the table.
pub fn safe_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("upload");
    let cleaned: String = base.chars().filter(|c| c.is_alphanumeric() || "-_.".contains(*c)).collect();
    if cleaned.trim_matches('.').is_empty() {
        return "upload.csv".into();
    }
    // A file system takes 255 bytes a name: keep the extension and the first 100 characters.
    match cleaned.rsplit_once('.') {
        Some((stem, ext)) if cleaned.chars().count() > 100 => {
            let ext: String = ext.chars().take(10).collect();
            format!("{}.{ext}", stem.chars().take(100).collect::<String>())
        }
        None if cleaned.chars().count() > 100 => cleaned.chars().take(100).collect(),
        _ => cleaned,
    }
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct ErrorLine {
    pub file: String,
    pub row: Option<usize>,
    pub column: Option<String>,
    pub message: String,
}

pub enum Received {
    /// Nothing was stored: every error (up to the checker's cap) and how many there were.
    Refused {
        errors: Vec<ErrorLine>,
        total: usize,
    },
    /// The same data as what is approved: nothing to review.
    Unchanged {
        warnings: Vec<String>,
    },
    Submitted {
        ids: Vec<i64>,
        warnings: Vec<String>,
    },
}

pub async fn receive(
    state: &AppState,
    who: &Principal,
    table: Option<Table>,
    file_name: &str,
    bytes: &[u8],
    lang: Lang,
    source: &str,
) -> Result<Received, WebError> {
    let allowed = allowed_schools(state, who).await?;
    let name = safe_name(file_name);
    let dir = tempfile::tempdir().map_err(|e| WebError::Internal(e.to_string()))?;
    let path = dir.path().join(&name);
    std::fs::write(&path, bytes).map_err(|e| WebError::Internal(e.to_string()))?;
    let opts = ImportOptions {
        table,
        actor: &who.username,
        source,
        status: "submitted",
        allowed_schools: allowed.as_ref(),
        dry_run: false,
    };
    // One pass: every sheet is checked, and only if all pass is the file written, in one
    // transaction that checks again what other submissions may have changed meanwhile.
    let written = import_file(&state.db, &path, &name, &opts, &NoProgress).await?;
    if written.iter().any(|r| !r.accepted()) {
        let errors = written
            .iter()
            .flat_map(|r| r.errors.iter())
            .map(|f| ErrorLine {
                file: f.file.clone(),
                row: f.row,
                column: f.column.clone(),
                message: f.problem.message(lang),
            })
            .collect();
        return Ok(Received::Refused { errors, total: written.iter().map(|r| r.error_total).sum() });
    }
    let ids: Vec<i64> =
        written.iter().filter_map(|r| r.written.as_ref()).flat_map(|w| w.submissions.iter().copied()).collect();
    let warnings: Vec<String> = written.iter().flat_map(|r| r.warnings.iter()).map(|w| w.render(lang)).collect();
    Ok(if ids.is_empty() { Received::Unchanged { warnings } } else { Received::Submitted { ids, warnings } })
}

/// The district of a school (empty if the school is unknown).
pub async fn district_of_school(state: &AppState, school: &str) -> Result<String, WebError> {
    Ok(crate::store::registry::school(&state.db, school).await?.map(|s| s.district).unwrap_or_default())
}

/// A submission the caller may see (its school is in their scope), or 404/403.
pub async fn visible(state: &AppState, who: &Principal, id: i64) -> Result<submissions::Submission, WebError> {
    // Not found stays not found; a database fault is an internal error, never a 404.
    let s = submissions::get(&state.db, id).await?;
    let d = district_of_school(state, &s.school_code).await?;
    if who.may_read_records(&s.school_code, &d) { Ok(s) } else { Err(WebError::Forbidden) }
}

/// Refuses anyone but the school's district officer and the bureau.
pub async fn reviewable(state: &AppState, who: &Principal, id: i64) -> Result<submissions::Submission, WebError> {
    let s = submissions::get(&state.db, id).await?;
    let d = district_of_school(state, &s.school_code).await?;
    if who.may_review(&d) { Ok(s) } else { Err(WebError::Forbidden) }
}

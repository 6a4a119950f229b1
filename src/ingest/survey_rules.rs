//! The rules of `training_survey` rows (data standard v1.5, the Integrity issue): an answer belongs
//! to an approved training project of the school's year; a completion survey scores its items 1–5
//! and says nothing of outcomes, an outcome survey the reverse and comes late enough after the end;
//! a project's survey has no more answers than trainees completed it.

use std::collections::HashMap;

use crate::domain::integrity::ratings::{OUTCOME_ITEMS, SCORE_ITEMS, SurveyKind};
use crate::domain::record::CheckedRow;
use crate::domain::reference::Reference;
use crate::domain::standard::Table;
use crate::messages::{Problem, Severity};

use super::pathway_rules::RowProblem;

const TABLE: Table = Table::TrainingSurvey;

fn err(col: &'static str, p: Problem) -> RowProblem {
    (col, p, Severity::Error)
}

/// One row's rules.
pub(super) fn row(row: &CheckedRow, reference: &Reference) -> Vec<RowProblem> {
    let mut out = Vec::new();
    let Some(kind) = row.text(TABLE, "survey").and_then(SurveyKind::parse) else { return out };
    let (asked, unasked, when): (Vec<&'static str>, Vec<&'static str>, &str) = match kind {
        SurveyKind::Completion => {
            (SCORE_ITEMS.iter().map(|i| i.0).collect(), OUTCOME_ITEMS.iter().map(|i| i.0).collect(), "结业评价")
        }
        SurveyKind::Outcome => {
            (OUTCOME_ITEMS.iter().map(|i| i.0).collect(), SCORE_ITEMS.iter().map(|i| i.0).collect(), "跟踪调查")
        }
    };
    for col in asked {
        if row.get(TABLE, col).is_null() {
            out.push(err(col, Problem::ConditionalRequired { when: format!("问卷类型为{when}") }));
        }
    }
    for col in unasked {
        if !row.get(TABLE, col).is_null() {
            out.push(err(col, Problem::ConditionalForbidden { when: format!("问卷类型为{when}") }));
        }
    }
    if kind == SurveyKind::Completion {
        for (col, _, _) in SCORE_ITEMS {
            if let Some(v) = row.int(TABLE, col)
                && !(1..=5).contains(&v)
            {
                out.push(err(col, Problem::ScoreOutOfRange { value: v }));
            }
        }
    }
    let (Some(school), Some(year), Some(code)) =
        (row.text(TABLE, "school_code"), row.int(TABLE, "year"), row.text(TABLE, "project_code"))
    else {
        return out;
    };
    if !reference.schools.contains_key(school) {
        return out;
    }
    let Some(project) = reference.training_projects.get(&(school.to_string(), year)).and_then(|p| p.get(code)) else {
        out.push(err("project_code", Problem::TrainingProjectUnknown { value: code.into(), year }));
        return out;
    };
    if let Some(date) = row.text(TABLE, "response_date") {
        if date < project.start_date.as_str() {
            out.push(err("response_date", Problem::DateBefore { limit_column: "项目开始日期".into() }));
        }
        let days = reference.survey_rules.outcome_after_days;
        if kind == SurveyKind::Outcome
            && let Some(earliest) = super::cells::parse_date(&project.end_date)
                .and_then(|e| e.checked_add_signed(chrono::Duration::days(days)))
            && date < earliest.to_string().as_str()
        {
            out.push(err("response_date", Problem::SurveyTooEarly { end: project.end_date.clone(), days }));
        }
    }
    out
}

/// Answers counted per project and survey across a file: the one past the trainees who completed
/// the project is an error at its row.
#[derive(Default)]
pub(super) struct Counts(HashMap<(String, i64, String, String), i64>);

impl Counts {
    pub(super) fn observe(&mut self, row: &CheckedRow, reference: &Reference) -> Option<RowProblem> {
        let (school, year, code, survey) = (
            row.text(TABLE, "school_code")?,
            row.int(TABLE, "year")?,
            row.text(TABLE, "project_code")?,
            row.text(TABLE, "survey")?,
        );
        let completed = reference.training_projects.get(&(school.to_string(), year))?.get(code)?.completed;
        let n = self.0.entry((school.to_string(), year, code.to_string(), survey.to_string())).or_default();
        *n += 1;
        (*n == completed + 1).then(|| err("respondent", Problem::SurveyMoreThanCompleted { completed }))
    }
}

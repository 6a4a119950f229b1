//! The reference data and existing records an import is checked against, loaded by the store for
//! the schools and years a file touches. Plain data: the checker asks, never queries.

use std::collections::{HashMap, HashSet};

use crate::domain::ids::DivisionHistory;

/// The schools and years a sheet names, read from the raw cells before any checking.
#[derive(Debug, Clone, Default)]
pub struct Scanned {
    pub schools: HashSet<String>,
    pub years: HashSet<i64>,
    /// The (school, year) groups the sheet replaces.
    pub pairs: HashSet<(String, i64)>,
    /// The (issuer credit code, certificate number) keys of a `certificate` sheet.
    pub certificates: HashSet<(String, String)>,
}

/// Years a division code was valid: [from, to], None for open.
pub type Periods = Vec<(Option<i32>, Option<i32>)>;

#[derive(Debug, Clone)]
pub struct SchoolInfo {
    pub level: String,
    pub sponsor: String,
    pub district: String,
}

#[derive(Default)]
pub struct Reference {
    pub schools: HashMap<String, SchoolInfo>,
    /// (level, program code) → catalogue name, over every loaded catalogue edition.
    pub programs: HashMap<(String, String), String>,
    /// Every 6-digit code the division lists know (current and historical).
    pub divisions: HashSet<String>,
    /// code → periods [from, to] in which it was valid (None = open).
    pub division_history: HashMap<String, Periods>,
    pub guangzhou_districts: HashSet<String>,
    pub industries: HashSet<String>,
    /// Designation kinds of the active plan: Chinese name or key → key.
    pub designation_kinds: HashMap<String, String>,
    /// (school, year) → programs offered, from approved records.
    pub offerings: HashMap<(String, i64), HashSet<String>>,
    /// school → teacher numbers in any year's approved `teacher` rows.
    pub teachers: HashMap<String, HashSet<String>>,
    /// (year, pseudonym) → school, for students enrolled at a school the file does not replace.
    pub enrolled: HashMap<(i64, String), String>,
    /// (school, teacher) → approved placements (start, end) not replaced by the file.
    pub placements: HashMap<(String, String), Vec<(String, String)>>,
    /// (school, year) → approved row count of this table (for plausibility warnings).
    pub row_counts: HashMap<(String, i64), i64>,
    /// (issuer credit code, certificate number) → the pseudonym of the person it is on record for.
    pub certificates: HashMap<(String, String), String>,
    /// (school, year) → approved Σ person_times of `training`.
    pub person_times: HashMap<(String, i64), i64>,
    /// Designation codes on record (for a studio's members and outputs).
    pub designations: HashSet<String>,
    /// pseudonym → the person's dual-qualified recognitions (for a `teacher` sheet's claims).
    pub recognitions: HashMap<String, Vec<crate::domain::dual::register::Recognition>>,
    /// The plan's settings for those claims.
    pub dual_register: crate::domain::dual::register::RegisterSettings,
    /// The pathway agreements register (for `student` and `transfer` sheets).
    pub pathways: crate::domain::pathway::Register,
    /// The transfer assessment scheme in use (for `transfer` sheets).
    pub transfer_scheme: Option<crate::domain::pathway::scheme::SchemePack>,
    /// pseudonym → (school, program, pathway, entry year) of the person's approved student rows on
    /// an agreement pathway at the schools a `transfer` sheet names.
    pub pathway_students: HashMap<String, Vec<(String, String, String, i64)>>,
    /// (school, year) → project code → the approved `training` project (for `training_survey`).
    pub training_projects: HashMap<(String, i64), HashMap<String, TrainingProject>>,
    /// The survey rules of the scorecard in use (for `training_survey`).
    pub survey_rules: crate::domain::integrity::ratings::SurveyRules,
}

/// A training project as its survey answers are checked against it.
#[derive(Debug, Clone)]
pub struct TrainingProject {
    pub start_date: String,
    pub end_date: String,
    pub completed: i64,
}

impl DivisionHistory for Reference {
    fn valid_in(&self, code: &str, year: i32) -> Option<bool> {
        let periods = self.division_history.get(code)?;
        Some(periods.iter().any(|(from, to)| from.is_none_or(|f| f <= year) && to.is_none_or(|t| year <= t)))
    }
}

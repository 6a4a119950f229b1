//! What an import found wrong, where, and how to say it to a person in zh-CN or English.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh_cn" | "cn" => Some(Lang::Zh),
            "en" | "en-us" | "en-gb" | "english" => Some(Lang::En),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, located: the file, the spreadsheet row (header = 1) and the column's label.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Finding {
    pub file: String,
    pub row: Option<usize>,
    pub column: Option<String>,
    pub severity: Severity,
    pub problem: Problem,
}

impl Finding {
    /// `FILE:ROW:COLUMN: message`, with empty parts left out.
    pub fn render(&self, lang: Lang) -> String {
        let mut s = self.file.clone();
        if let Some(r) = self.row {
            s.push_str(&format!(":{r}"));
        }
        if let Some(c) = &self.column {
            s.push_str(&format!(":{c}"));
        }
        let label = match (self.severity, lang) {
            (Severity::Error, _) => "",
            (Severity::Warning, Lang::Zh) => "提示：",
            (Severity::Warning, Lang::En) => "warning: ",
        };
        format!("{s}: {label}{}", self.problem.message(lang))
    }
}

/// Every kind of problem the data standard's rules can find. Each carries what the message needs.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Problem {
    FileUnreadable {
        reason: String,
    },
    UnsupportedFormat {
        extension: String,
    },
    Encoding,
    /// The file read for writing is not the file that was checked (it changed on disk meanwhile).
    FileChanged,
    /// The check's temporary files (the sorted keys of a large file) could not be read back.
    CheckStorage {
        reason: String,
    },
    EmptyFile,
    NoTable,
    UnknownTable {
        name: String,
    },
    MissingColumn {
        column: String,
    },
    UnknownColumn {
        column: String,
    },
    DuplicateColumn {
        column: String,
    },
    MalformedCsv {
        reason: String,
    },
    /// A cell longer than the limit (`VETIS_MAX_CELL_CHARS`).
    CellTooLong {
        column: String,
        found: usize,
        limit: usize,
    },
    /// More columns than the limit (`VETIS_MAX_COLUMNS`); `cell` names where, for workbooks.
    TooManyColumns {
        found: String,
        limit: usize,
    },
    /// More data rows than the limit (`VETIS_MAX_ROWS`).
    TooManyRows {
        limit: usize,
    },
    /// A part of a workbook that inflates beyond the limits: a zip bomb, or a file to split.
    WorkbookTooLarge {
        entry: String,
        reason: String,
    },
    TooManyCells {
        expected: usize,
        found: usize,
    },
    Required,
    NotInteger {
        value: String,
    },
    NotNumber {
        value: String,
    },
    Negative {
        value: String,
    },
    NotPositive {
        value: String,
    },
    NotYear {
        value: String,
    },
    NotDate {
        value: String,
    },
    NotBool {
        value: String,
    },
    NotInList {
        value: String,
        allowed: String,
    },
    SchoolCodeFormat {
        value: String,
    },
    SchoolUnknown {
        value: String,
    },
    ProgramFormat {
        value: String,
    },
    ProgramNotInCatalog {
        value: String,
        level: String,
    },
    ProgramNameMismatch {
        value: String,
        expected: String,
    },
    IdFormat {
        value: String,
    },
    IdChecksum {
        expected: char,
        found: char,
    },
    IdBirthDate,
    IdProvince,
    IdRegionHistory {
        code: String,
        year: i32,
    },
    IdOtherFormat,
    CreditLength {
        value: String,
    },
    CreditFormat {
        value: String,
    },
    CreditChecksum {
        expected: char,
        found: char,
    },
    DivisionUnknown {
        value: String,
    },
    NotGuangzhouDistrict {
        value: String,
    },
    IndustryUnknown {
        value: String,
    },
    DesignationKindUnknown {
        value: String,
    },
    GenderMismatch {
        id_gender: String,
    },
    Duplicate {
        key: String,
        first_row: usize,
    },
    YearAfter {
        value: i32,
        limit_column: String,
        limit: i32,
    },
    ConditionalRequired {
        when: String,
    },
    ConditionalForbidden {
        when: String,
    },
    EndBeforeStart,
    DaysOutOfRange {
        max: i64,
    },
    Overlap {
        other_row: Option<usize>,
        start: String,
        end: String,
    },
    ExceedsColumn {
        other: String,
    },
    OutsideYear {
        year: i32,
    },
    AcceptedBeforeApproved,
    ProgramNotOffered {
        value: String,
        year: i32,
    },
    TeacherUnknown {
        value: String,
    },
    /// The other row of the file, or the other school in the records.
    EnrolledTwice {
        other_row: Option<usize>,
        other_school: Option<String>,
    },
    YearOnYear {
        previous: f64,
        current: f64,
    },
    PersonTimesFell {
        previous: i64,
        current: i64,
    },
    TooManyErrors {
        more: usize,
    },
    SchoolNotAllowed {
        value: String,
    },
    /// A date earlier than the column it must not precede.
    DateBefore {
        limit_column: String,
    },
    /// A certificate number of an issuer that is already on record for another person.
    CertificateHeldByOther,
    /// A studio's member or output names a designation that is not on record.
    DesignationUnknown {
        value: String,
    },
    /// A teacher claimed as dual-qualified without a recognition in force on the statistical date.
    DualClaimUnrecognised {
        date: String,
    },
    /// A student on a 3+2, five-year or through pathway with no agreement of the register for the
    /// school, program and intake year.
    PathwayNoAgreement {
        pathway: String,
        program: String,
        entry_year: i64,
    },
    /// A transfer result names an agreement that is not in the register.
    AgreementUnknown {
        value: String,
    },
    /// A transfer result submitted by a school that is not the agreement's lower school.
    AgreementOtherSchool {
        value: String,
        lower_school: String,
    },
    /// A transfer result of an intake year the agreement does not run.
    AgreementIntakeOutside {
        value: String,
        first: i64,
        last: i64,
    },
    /// No transfer assessment scheme applies to the intake year.
    TransferNoScheme {
        year: i64,
    },
    /// A score above the scheme's maximum.
    TransferScoreAboveMax {
        max: f64,
    },
    /// An exemption the scheme does not accept.
    TransferExemptionNotAccepted {
        accepted: String,
    },
    /// A pass with neither the threshold reached nor an accepted exemption.
    TransferPassBelowThreshold {
        threshold: f64,
    },
    /// A failure with the threshold reached.
    TransferFailAboveThreshold {
        threshold: f64,
    },
    /// A result for a person who is not among the agreement's students of that intake.
    TransferNotInCohort {
        value: String,
        year: i64,
    },
    /// A survey answer for a project that is not among the school's approved training of the year.
    TrainingProjectUnknown {
        value: String,
        year: i64,
    },
    /// A score outside 1–5.
    ScoreOutOfRange {
        value: i64,
    },
    /// An outcome survey answered sooner after the project's end than the rules allow.
    SurveyTooEarly {
        end: String,
        days: i64,
    },
    /// More answers to a project's survey than trainees completed it.
    SurveyMoreThanCompleted {
        completed: i64,
    },
    /// The file changes a year the bureau has locked.
    YearLocked {
        year: i64,
    },
}

impl Problem {
    /// The problem with every text it echoes cut to `max` characters, so that a huge cell is
    /// never sent back whole in an error.
    pub fn clipped(self, max: usize) -> Problem {
        /// Cuts every long text in place; whether anything was cut.
        fn clip(v: &mut serde_json::Value, max: usize) -> bool {
            match v {
                serde_json::Value::String(s) if s.chars().count() > max => {
                    *s = s.chars().take(max).chain(std::iter::once('…')).collect();
                    true
                }
                serde_json::Value::Object(m) => m.values_mut().fold(false, |cut, x| clip(x, max) | cut),
                serde_json::Value::Array(a) => a.iter_mut().fold(false, |cut, x| clip(x, max) | cut),
                _ => false,
            }
        }
        let Ok(mut v) = serde_json::to_value(&self) else { return self };
        if !clip(&mut v, max) {
            return self;
        }
        serde_json::from_value(v).unwrap_or(self)
    }
}

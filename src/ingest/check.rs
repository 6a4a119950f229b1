//! Checking a sheet against its table: the header (§1), every cell (§3, §4), every row's and the
//! file's rules (§4, §5). Produces the findings and, when there are none, what the store needs to
//! know before writing (the school/year groups and their content hashes).

use std::collections::{BTreeMap, HashSet};

use sha2::{Digest, Sha256};

use super::cells::{Value, parse_cell};
use super::finding::{Finding, Problem, Severity};
use super::read::Sheet;
use super::reference::Reference;
use super::rules::{FileRules, row_rules};
use crate::domain::privacy::Keys;
use crate::domain::standard::{Keying, Req, Table};

/// At most this many errors are listed; the rest are counted.
pub const ERROR_CAP: usize = 200;

/// Where each of the table's columns is in the file (None: the file lacks it).
pub type ColumnMap = Vec<Option<usize>>;

fn label_matches(header: &str, key: &str, zh: &str) -> bool {
    let h = header.trim();
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    h.eq_ignore_ascii_case(key) || h == zh || squeeze(h) == squeeze(zh)
}

/// Maps the header onto the table's columns; every missing, unknown or duplicated column is named.
pub fn map_header(table: Table, header: &[String]) -> Result<ColumnMap, Vec<(Option<String>, Problem)>> {
    let spec = table.spec();
    let mut map: ColumnMap = vec![None; spec.columns.len()];
    let mut problems = Vec::new();
    for (i, h) in header.iter().enumerate() {
        match spec.columns.iter().position(|c| label_matches(h, c.key, c.zh)) {
            Some(ci) if map[ci].is_some() => {
                problems.push((Some(h.clone()), Problem::DuplicateColumn { column: h.clone() }))
            }
            Some(ci) => map[ci] = Some(i),
            None => {
                let shown = if h.is_empty() { format!("#{}", i + 1) } else { h.clone() };
                problems.push((Some(shown.clone()), Problem::UnknownColumn { column: shown }));
            }
        }
    }
    for (ci, c) in spec.columns.iter().enumerate() {
        if c.req == Req::Required && map[ci].is_none() {
            problems
                .push((Some(c.zh.to_string()), Problem::MissingColumn { column: format!("{}（{}）", c.zh, c.key) }));
        }
    }
    if problems.is_empty() { Ok(map) } else { Err(problems) }
}

/// A row after its cells and its own rules were checked.
pub struct ParsedRow {
    pub row: usize,
    /// One value per column of the table, in the order of the data standard.
    pub values: Vec<Value>,
    pub problems: Vec<(&'static str, Problem, Severity)>,
}

impl ParsedRow {
    /// The value of a column; Null for a column the table does not have, so that shared rules can
    /// ask about any column.
    pub fn get(&self, table: Table, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        match table.spec().columns.iter().position(|c| c.key == key) {
            Some(i) => &self.values[i],
            None => &NULL,
        }
    }
    pub fn text(&self, table: Table, key: &str) -> Option<&str> {
        self.get(table, key).as_str()
    }
    pub fn int(&self, table: Table, key: &str) -> Option<i64> {
        self.get(table, key).as_int()
    }
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.2 == Severity::Error)
    }
    /// The hash of the row's content, the same for the same data however it was written.
    pub fn content_hash(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        for v in &self.values {
            h.update(v.canonical().as_bytes());
            h.update([0x1f]);
        }
        h.finalize().into()
    }
}

/// Checks one row: each cell by its kind, then the table's rules on the row (pure).
pub fn parse_row(table: Table, map: &ColumnMap, row: usize, cells: &[String], reference: &Reference) -> ParsedRow {
    let spec = table.spec();
    let mut problems = Vec::new();
    let mut values = Vec::with_capacity(spec.columns.len());
    if cells.len() > map.iter().flatten().max().map_or(0, |m| m + 1)
        && cells.iter().skip(map.len()).any(|c| !c.trim().is_empty())
    {
        let found = cells.len();
        problems.push(("", Problem::TooManyCells { expected: map.iter().flatten().count(), found }, Severity::Error));
    }
    for (ci, c) in spec.columns.iter().enumerate() {
        let raw = map[ci].and_then(|i| cells.get(i)).map(|s| s.trim()).unwrap_or("");
        if raw.is_empty() {
            if c.req == Req::Required {
                problems.push((c.key, Problem::Required, Severity::Error));
            }
            values.push(Value::Null);
            continue;
        }
        match parse_cell(c.kind, raw, reference) {
            Ok(v) => values.push(v),
            Err(p) => {
                problems.push((c.key, p, Severity::Error));
                values.push(Value::Null);
            }
        }
    }
    // An empty document type means the default, 居民身份证: stored as such, so that a file that
    // spells it out is the same data as one that leaves it empty.
    if spec.personal
        && let Some(i) = spec.columns.iter().position(|c| c.key == "id_type")
        && values[i].is_null()
    {
        values[i] = Value::Text("resident_id".into());
    }
    let mut parsed = ParsedRow { row, values, problems };
    let extra = row_rules(table, &parsed, reference);
    parsed.problems.extend(extra);
    parsed
}

/// The rows of one school and year (or one school, for tables keyed row by row).
#[derive(Debug, Clone, Default)]
pub struct Group {
    pub rows: i64,
    /// Hash of the sorted row hashes: independent of row order.
    pub content_hash: String,
    pub person_times: i64,
    row_hashes: Vec<[u8; 32]>,
}

pub type GroupKey = (String, Option<i64>);

pub struct CheckReport {
    pub table: Table,
    pub label: String,
    pub rows: usize,
    pub errors: Vec<Finding>,
    /// All errors, including those beyond the cap.
    pub error_total: usize,
    pub warnings: Vec<Finding>,
    pub groups: BTreeMap<GroupKey, Group>,
}

impl CheckReport {
    pub fn accepted(&self) -> bool {
        self.error_total == 0
    }
}

/// The school and year a row belongs to, for grouping (natural-key tables group by school only).
pub fn group_key(table: Table, row: &ParsedRow) -> GroupKey {
    let school = row.text(table, "school_code").unwrap_or("").to_string();
    let year = match table.spec().keying {
        Keying::SchoolYear { year_column } => row.int(table, year_column),
        Keying::Natural { .. } => None,
    };
    (school, year)
}

/// First pass over a sheet: every finding, and the groups the file would replace.
pub fn check_sheet(
    table: Table,
    sheet: &Sheet,
    map: &ColumnMap,
    reference: &Reference,
    keys: &Keys,
    allowed_schools: Option<&HashSet<String>>,
    mut progress: impl FnMut(usize),
) -> CheckReport {
    let spec = table.spec();
    let mut report = CheckReport {
        table,
        label: sheet.label.clone(),
        rows: 0,
        errors: Vec::new(),
        error_total: 0,
        warnings: Vec::new(),
        groups: BTreeMap::new(),
    };
    let mut file_rules = FileRules::new(table, keys);
    let column_label = |key: &str| spec.columns.iter().find(|c| c.key == key).map(|c| c.zh.to_string());
    let push =
        |report: &mut CheckReport, row: Option<usize>, column: Option<String>, problem: Problem, severity: Severity| {
            let finding = Finding { file: sheet.label.clone(), row, column, severity, problem };
            match severity {
                Severity::Warning => report.warnings.push(finding),
                Severity::Error => {
                    report.error_total += 1;
                    if report.errors.len() < ERROR_CAP {
                        report.errors.push(finding);
                    }
                }
            }
        };
    for item in sheet.rows() {
        let (row, cells) = match item {
            Ok(r) => r,
            Err((row, p)) => {
                push(&mut report, Some(row), None, p, Severity::Error);
                continue;
            }
        };
        if Sheet::is_blank(&cells) {
            continue;
        }
        report.rows += 1;
        if report.rows.is_multiple_of(10_000) {
            progress(report.rows);
        }
        let parsed = parse_row(table, map, row, &cells, reference);
        for (col, p, sev) in &parsed.problems {
            push(&mut report, Some(row), column_label(col), p.clone(), *sev);
        }
        if let (Some(allowed), Some(school)) = (allowed_schools, parsed.text(table, "school_code"))
            && !allowed.contains(school)
        {
            push(
                &mut report,
                Some(row),
                column_label("school_code"),
                Problem::SchoolNotAllowed { value: school.into() },
                Severity::Error,
            );
        }
        if parsed.has_errors() {
            continue;
        }
        for (r, col, p, sev) in file_rules.observe(&parsed, reference) {
            push(&mut report, Some(r), column_label(col), p, sev);
        }
        let key = group_key(table, &parsed);
        let g = report.groups.entry(key).or_default();
        g.rows += 1;
        g.row_hashes.push(parsed.content_hash());
        if table == Table::Training {
            g.person_times += parsed.int(table, "person_times").unwrap_or(0);
        }
    }
    progress(report.rows);
    for (r, col, p, sev) in file_rules.finish() {
        push(&mut report, Some(r), column_label(col), p, sev);
    }
    if report.rows == 0 && report.error_total == 0 {
        push(&mut report, None, None, Problem::EmptyFile, Severity::Error);
    }
    for ((school, year), g) in report.groups.iter_mut() {
        g.row_hashes.sort_unstable();
        let mut h = Sha256::new();
        for rh in &g.row_hashes {
            h.update(rh);
        }
        g.content_hash = hex::encode(h.finalize());
        g.row_hashes = Vec::new();
        let Some(year) = *year else { continue };
        plausibility(table, school, year, g, reference, &sheet.label, &mut report.warnings);
    }
    report
}

/// Warnings that do not block (§2, §5): big year-on-year changes, training person-times halving.
fn plausibility(
    table: Table,
    school: &str,
    year: i64,
    g: &Group,
    reference: &Reference,
    label: &str,
    out: &mut Vec<Finding>,
) {
    let warn =
        |problem| Finding { file: label.to_string(), row: None, column: None, severity: Severity::Warning, problem };
    if let Some(&prev) = reference.row_counts.get(&(school.to_string(), year - 1)) {
        let change = (g.rows - prev).abs() as f64 / prev.max(1) as f64;
        // Small tables swing naturally; only counts of ten rows or more are judged.
        if prev >= 10 && change > 0.5 {
            out.push(warn(Problem::YearOnYear { previous: prev as f64, current: g.rows as f64 }));
        }
    }
    if table == Table::Training
        && let Some(&prev) = reference.person_times.get(&(school.to_string(), year - 1))
        && prev > 0
        && g.person_times * 2 < prev
    {
        out.push(warn(Problem::PersonTimesFell { previous: prev, current: g.person_times }));
    }
}

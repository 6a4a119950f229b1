//! Checking a sheet against its table: the header (§1), every cell (§3, §4), every row's and the
//! file's rules (§4, §5). Produces the findings and, when there are none, what the store needs to
//! know before writing (the school/year groups and their content hashes).

use std::collections::{BTreeMap, HashSet};

use sha2::{Digest, Sha256};

use super::cells::{Value, parse_cell};
use super::file_rules::FileRules;
use super::read::Sheet;
use super::rules::row_rules;
use super::spill::{RUN_RECORDS, Spill};
use crate::domain::privacy::Keys;
pub use crate::domain::record::{CheckedRow, CheckedSheet, Group, GroupKey};
use crate::domain::reference::{Reference, Scanned, SchoolInfo};
use crate::domain::standard::{Req, Table};
use crate::messages::{Finding, Problem, Severity};

/// Rows handed at a time from the thread that reads to the one that checks across rows.
const CHUNK: usize = 1_000;

/// At most this many errors are listed; the rest are counted.
pub const ERROR_CAP: usize = 200;

/// At most this many characters of a cell are echoed in a message.
pub const ECHO_CHARS: usize = 80;

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
                problems.push((Some(h.clone()), Problem::DuplicateColumn { column: h.clone() }));
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

/// A row after its cells and its own rules were checked: its values and what is wrong with them.
pub struct ParsedRow {
    pub record: CheckedRow,
    pub problems: Vec<(&'static str, Problem, Severity)>,
}

impl std::ops::Deref for ParsedRow {
    type Target = CheckedRow;
    fn deref(&self) -> &CheckedRow {
        &self.record
    }
}

impl ParsedRow {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.2 == Severity::Error)
    }
}

/// Reads one row's cells, each by its column's kind (pure). The rules on the row come after, once
/// the records it is checked against are known.
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
        let raw = map[ci].and_then(|i| cells.get(i)).map_or("", |s| s.trim());
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
    ParsedRow { record: CheckedRow { row, values }, problems }
}

/// The schools and years a sheet names, read from those columns only: what the store loads the
/// approved records for before the rows are checked. A cell that does not read is skipped here;
/// checking reports it.
pub fn scan_sheet(table: Table, sheet: &Sheet, map: &ColumnMap, reference: &Reference) -> Scanned {
    let spec = table.spec();
    let col = |key: &str| spec.columns.iter().position(|c| c.key == key).map(|i| (i, spec.columns[i].kind));
    let school = col("school_code");
    let year = table.year_column().and_then(col);
    let cert = (table == Table::Certificate).then(|| (col("issuer_credit_code"), col("certificate_no")));
    let read = |cells: &[String], c: Option<(usize, crate::domain::standard::Kind)>| -> Option<Value> {
        let (i, kind) = c?;
        let raw = cells.get(map[i]?)?.trim();
        if raw.is_empty() { None } else { parse_cell(kind, raw, reference).ok() }
    };
    let mut out = Scanned::default();
    for (_, cells) in sheet.rows().flatten() {
        let s = read(&cells, school).and_then(|v| v.as_str().map(str::to_string));
        let y = read(&cells, year).and_then(|v| v.as_int());
        if let Some(s) = &s
            && !out.schools.contains(s)
        {
            out.schools.insert(s.clone());
        }
        if let Some(y) = y {
            out.years.insert(y);
            if let Some(s) = s {
                out.pairs.insert((s, y));
            }
        }
        if let Some((issuer, no)) = cert
            && let (Some(Value::Text(i)), Some(Value::Text(n))) = (read(&cells, issuer), read(&cells, no))
        {
            out.certificates.insert((i, n));
        }
    }
    out
}

/// Every data row of a sheet read into typed values, with what is wrong with its cells: one pass,
/// holding one row at a time.
fn parsed_rows<'a>(
    table: Table,
    sheet: &'a Sheet,
    map: &'a ColumnMap,
    reference: &'a Reference,
) -> impl Iterator<Item = Result<ParsedRow, (usize, Problem)>> + 'a {
    sheet.rows().filter_map(move |item| match item {
        Err(e) => Some(Err(e)),
        Ok((_, cells)) if Sheet::is_blank(&cells) => None,
        Ok((row, cells)) => Some(Ok(parse_row(table, map, row, &cells, reference))),
    })
}

/// The rows of a sheet that passed checking, read again from the file to be written (or checked
/// again): memory holds one row, not the file. A row that no longer reads as it did is an error
/// ([`Problem::FileChanged`]); the writer also compares the rows' digest and count at the end.
pub fn checked_rows<'a>(
    table: Table,
    sheet: &'a Sheet,
    map: &'a ColumnMap,
    reference: &'a Reference,
) -> impl Iterator<Item = Result<CheckedRow, (usize, Problem)>> + 'a {
    parsed_rows(table, sheet, map, reference).map(|item| match item {
        Ok(p) if !p.has_errors() => Ok(p.record),
        Ok(p) => Err((p.row, Problem::FileChanged)),
        Err((row, _)) => Err((row, Problem::FileChanged)),
    })
}

/// What checking a sheet found: every finding and, when there is no error, the checked sheet.
pub struct CheckReport {
    pub table: Table,
    pub label: String,
    pub rows: usize,
    pub errors: Vec<Finding>,
    /// All errors, including those beyond the cap.
    pub error_total: usize,
    pub warnings: Vec<Finding>,
    /// The rows and their groups, ready to be written: complete only while there is no error.
    pub sheet: CheckedSheet,
}

impl CheckReport {
    pub fn accepted(&self) -> bool {
        self.error_total == 0
    }
    fn push(&mut self, row: Option<usize>, column: Option<String>, problem: Problem, severity: Severity) {
        // What a finding echoes is cut short: a 50 MB cell is never sent back whole.
        let problem = problem.clipped(ECHO_CHARS);
        let finding = Finding { file: self.label.clone(), row, column, severity, problem };
        match severity {
            Severity::Warning => self.warnings.push(finding),
            Severity::Error => {
                self.error_total += 1;
                if self.errors.len() < ERROR_CAP {
                    self.errors.push(finding);
                }
            }
        }
    }
}

fn column_label(table: Table, key: &str) -> Option<String> {
    table.spec().columns.iter().find(|c| c.key == key).map(|c| c.zh.to_string())
}

/// Checks a sheet: every finding and, when there is none, the typed rows grouped by school and
/// year. The only pass over the file's cells: writing consumes what this returns.
pub fn check_sheet(
    table: Table,
    sheet: &Sheet,
    map: &ColumnMap,
    reference: &Reference,
    keys: &Keys,
    allowed_schools: Option<&HashSet<String>>,
    mut progress: impl FnMut(usize),
) -> CheckReport {
    let label = sheet.label.clone();
    let mut report = CheckReport {
        table,
        label: label.clone(),
        rows: 0,
        errors: Vec::new(),
        error_total: 0,
        warnings: Vec::new(),
        sheet: CheckedSheet {
            table,
            label: label.clone(),
            groups: BTreeMap::new(),
            rows_digest: [0; 32],
            warnings_json: String::new(),
        },
    };
    let mut file_rules = FileRules::new(table, keys);
    // Each row's hash under its group's number, sorted at the end into the groups' content
    // hashes: bounded memory for any number of rows.
    let mut row_hashes = GroupHashes::default();
    let mut digest = Sha256::new();
    // One thread reads the file and checks each row on its own (cells, the row's rules, its
    // hash); this one applies the rules across rows, in file order.
    std::thread::scope(|scope| {
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<Result<(ParsedRow, [u8; 32]), (usize, Problem)>>>(8);
        scope.spawn(move || {
            let mut chunk = Vec::with_capacity(CHUNK);
            for item in parsed_rows(table, sheet, map, reference) {
                chunk.push(item.map(|mut parsed| {
                    let extra = row_rules(table, &parsed.record, reference);
                    parsed.problems.extend(extra);
                    let hash = parsed.content_hash();
                    (parsed, hash)
                }));
                if chunk.len() == CHUNK && send.send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK))).is_err()
                {
                    return;
                }
            }
            let _ = send.send(chunk);
        });
        for item in receive.into_iter().flatten() {
            let (parsed, hash) = match item {
                Ok(r) => {
                    report.rows += 1;
                    if report.rows.is_multiple_of(10_000) {
                        progress(report.rows);
                    }
                    r
                }
                Err((row, p)) => {
                    report.push(Some(row), None, p, Severity::Error);
                    continue;
                }
            };
            let row = parsed.row;
            for (col, p, sev) in &parsed.problems {
                report.push(Some(row), column_label(table, col), p.clone(), *sev);
            }
            if let (Some(allowed), Some(school)) = (allowed_schools, parsed.text(table, "school_code"))
                && !allowed.contains(school)
            {
                report.push(
                    Some(row),
                    column_label(table, "school_code"),
                    Problem::SchoolNotAllowed { value: school.into() },
                    Severity::Error,
                );
            }
            // Outcomes without a school are the bureau's to register; a school or district names its own.
            if allowed_schools.is_some() && table == Table::Certificate && parsed.text(table, "school_code").is_none() {
                report.push(
                    Some(row),
                    column_label(table, "school_code"),
                    Problem::ConditionalRequired { when: "由学校或区提交证书".into() },
                    Severity::Error,
                );
            }
            if parsed.has_errors() {
                continue;
            }
            for (r, col, p, sev) in file_rules.observe(&parsed, reference) {
                report.push(Some(r), column_label(table, col), p, sev);
            }
            let key = parsed.group_key(table);
            let g = report.sheet.groups.entry(key.clone()).or_default();
            g.rows += 1;
            if table == Table::Training {
                g.person_times += parsed.int(table, "person_times").unwrap_or(0);
            }
            row_hashes.push(key, hash);
            digest.update(hash);
        }
    });
    progress(report.rows);
    report.sheet.rows_digest = digest.finalize().into();
    for (r, col, p, sev) in file_rules.finish() {
        // Row 0 is no row: a problem of the whole check (its temporary files).
        report.push(Some(r).filter(|r| *r > 0), column_label(table, col), p, sev);
    }
    if report.rows == 0 && report.error_total == 0 {
        report.push(None, None, Problem::EmptyFile, Severity::Error);
    }
    match row_hashes.finish() {
        Ok(hashes) => {
            for (key, g) in &mut report.sheet.groups {
                g.content_hash = hashes.get(key).cloned().unwrap_or_else(|| group_hash(Vec::new()));
            }
        }
        Err(e) => report.push(None, None, Problem::CheckStorage { reason: e.to_string() }, Severity::Error),
    }
    let groups: Vec<(GroupKey, Group)> = report.sheet.groups.iter().map(|(k, g)| (k.clone(), g.clone())).collect();
    for ((school, year), g) in &groups {
        let Some(year) = *year else { continue };
        plausibility(table, school, year, g, reference, &label, &mut report.warnings);
    }
    // Every submission of the file keeps its warnings for the reviewer, so what is kept is bounded:
    // a national file of 10,000 schools with a warning each stored 10,000 × 10,000 warnings (hours
    // of compressing JSON). The importer is shown them all.
    let kept = &report.warnings[..report.warnings.len().min(STORED_WARNINGS)];
    report.sheet.warnings_json = serde_json::to_string(kept).unwrap_or_else(|_| "[]".into());
    report
}

/// The most warnings a submission keeps for its reviewer (the file's first ones).
pub const STORED_WARNINGS: usize = 200;

/// Hash of a group's sorted row hashes: the same rows in any order give the same hash.
fn group_hash(mut hashes: Vec<[u8; 32]>) -> String {
    hashes.sort_unstable();
    let mut h = Sha256::new();
    for rh in &hashes {
        h.update(rh);
    }
    hex::encode(h.finalize())
}

/// The rows' hashes of each group, gathered for [`group_hash`] without holding them all: each
/// hash is a 36-byte record (the group's number, big-endian, then the hash) in an external sort,
/// so the sorted stream gives each group's hashes together and in order.
struct GroupHashes {
    numbers: std::collections::HashMap<GroupKey, u32>,
    records: Spill<36>,
}

impl Default for GroupHashes {
    fn default() -> Self {
        GroupHashes::with_run(RUN_RECORDS)
    }
}

impl GroupHashes {
    fn with_run(run_records: usize) -> Self {
        GroupHashes { numbers: Default::default(), records: Spill::new(run_records) }
    }

    fn push(&mut self, key: GroupKey, hash: [u8; 32]) {
        let next = self.numbers.len() as u32;
        let number = *self.numbers.entry(key).or_insert(next);
        let mut r = [0u8; 36];
        r[..4].copy_from_slice(&number.to_be_bytes());
        r[4..].copy_from_slice(&hash);
        self.records.push(r);
    }

    /// Each group's content hash (as [`group_hash`] computes it).
    fn finish(self) -> std::io::Result<std::collections::HashMap<GroupKey, String>> {
        let mut names: Vec<Option<GroupKey>> = vec![None; self.numbers.len()];
        for (key, n) in self.numbers {
            names[n as usize] = Some(key);
        }
        let mut out = std::collections::HashMap::with_capacity(names.len());
        let mut current: Option<(u32, Sha256)> = None;
        let mut close = |current: Option<(u32, Sha256)>, out: &mut std::collections::HashMap<GroupKey, String>| {
            if let Some((n, h)) = current
                && let Some(key) = names[n as usize].take()
            {
                out.insert(key, hex::encode(h.finalize()));
            }
        };
        for record in self.records.sorted() {
            let record = record?;
            let n = u32::from_be_bytes(record[..4].try_into().expect("4 bytes"));
            if current.as_ref().is_none_or(|(c, _)| *c != n) {
                close(current.take(), &mut out);
                current = Some((n, Sha256::new()));
            }
            if let Some((_, h)) = current.as_mut() {
                h.update(&record[4..]);
            }
        }
        close(current, &mut out);
        Ok(out)
    }
}

/// Checks a checked sheet again against records that may have changed since it was checked (other
/// schools' enrolments, the registry, offerings, teachers, placements): the rules of each row and
/// across rows, not the cells, which do not change. Used inside the writing transaction, so that
/// two submissions racing cannot together break a rule each obeys alone.
pub fn recheck(
    sheet: &CheckedSheet,
    rows: impl Iterator<Item = Result<CheckedRow, (usize, Problem)>>,
    reference: &Reference,
    keys: &Keys,
) -> Vec<Finding> {
    let table = sheet.table;
    let mut out = Vec::new();
    let mut push = |row: usize, col: &str, problem: Problem, severity: Severity| {
        if severity == Severity::Error && out.len() < ERROR_CAP {
            out.push(Finding {
                file: sheet.label.clone(),
                row: Some(row).filter(|r| *r > 0),
                column: column_label(table, col),
                severity,
                problem,
            });
        }
    };
    let mut file_rules = FileRules::new(table, keys);
    for row in rows {
        let row = match row {
            Ok(r) => r,
            Err((r, p)) => {
                push(r, "", p, Severity::Error);
                continue;
            }
        };
        for (col, p, sev) in row_rules(table, &row, reference) {
            push(row.row, col, p, sev);
        }
        for (r, col, p, sev) in file_rules.observe(&row, reference) {
            push(r, col, p, sev);
        }
    }
    for (r, col, p, sev) in file_rules.finish() {
        push(r, col, p, sev);
    }
    out
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

/// Adds what an earlier sheet of the same file will write to what later sheets are checked
/// against: a workbook of schools, offerings and students goes in as one, its students checked
/// against its own schools and offerings.
pub fn absorb(reference: &mut Reference, sheet: &CheckedSheet, rows: impl Iterator<Item = CheckedRow>) {
    let t = sheet.table;
    match t {
        Table::School => {
            for r in rows {
                if let (Some(code), Some(level), Some(sponsor), Some(district)) =
                    (r.text(t, "school_code"), r.text(t, "level"), r.text(t, "sponsor"), r.text(t, "district_code"))
                {
                    reference.schools.insert(
                        code.to_string(),
                        SchoolInfo { level: level.into(), sponsor: sponsor.into(), district: district.into() },
                    );
                }
            }
        }
        Table::Offering => {
            // The sheet replaces each of its schools' years: what was offered before no longer counts.
            for (school, year) in sheet.groups.keys() {
                if let Some(y) = year {
                    reference.offerings.insert((school.clone(), *y), Default::default());
                }
            }
            for r in rows {
                if let (Some(s), Some(y), Some(p)) =
                    (r.text(t, "school_code"), r.int(t, "year"), r.text(t, "program_code"))
                {
                    reference.offerings.entry((s.to_string(), y)).or_default().insert(p.to_string());
                }
            }
        }
        Table::Teacher => {
            for r in rows {
                if let (Some(s), Some(n)) = (r.text(t, "school_code"), r.text(t, "teacher_no")) {
                    reference.teachers.entry(s.to_string()).or_default().insert(n.to_string());
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_hashes_sorted_through_disk_equal_each_group_hashed_in_memory() {
        let key = |i: usize| (format!("44019{:05}", i % 3), Some(2024 + (i % 2) as i64));
        let hash = |i: usize| -> [u8; 32] { Sha256::digest(i.to_string().as_bytes()).into() };
        let mut spilled = GroupHashes::with_run(4);
        let mut expected: BTreeMap<GroupKey, Vec<[u8; 32]>> = BTreeMap::new();
        for i in 0..41 {
            spilled.push(key(i), hash(i));
            expected.entry(key(i)).or_default().push(hash(i));
        }
        let got = spilled.finish().expect("runs read back");
        assert_eq!(got.len(), 6);
        for (k, hashes) in expected {
            assert_eq!(got[&k], group_hash(hashes), "{k:?}");
        }
    }
}

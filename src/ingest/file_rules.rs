//! The rules of a table across the rows of one file (data standard §3–§5): uniqueness of the
//! natural key, overlapping placements, one enrolment per person and year, and the checks against
//! approved records that need the whole file. The rules within one row are in `rules`.

use std::collections::HashMap;

use super::spill::{RUN_RECORDS, Spill};

use crate::domain::dual::register::ClaimCheck;
use crate::domain::privacy::Keys;
use crate::domain::record::CheckedRow;
use crate::domain::reference::Reference;
use crate::domain::standard::Table;
use crate::messages::{Problem, Severity};

/// Which rule a remembered key belongs to: the first byte of its record, so that one sort
/// groups each rule's keys together.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u8)]
enum KeyRule {
    /// The table's natural key (§3).
    Unique = 0,
    /// One person once in a school's year.
    Person = 1,
    /// One enrolment per person and year across schools (§4.4).
    Enrolled = 2,
}

/// What the file-wide rules remember of a row, 32 bytes that sort as the rule needs: the rule,
/// the key's digest, the row (big-endian, so a key's first row comes first) and the school's
/// number in the file.
type KeyRecord = [u8; 32];

fn key_record(rule: KeyRule, digest: u128, row: usize, school: u32) -> KeyRecord {
    let mut r = [0u8; 32];
    r[0] = rule as u8;
    r[1..17].copy_from_slice(&digest.to_be_bytes());
    r[17..25].copy_from_slice(&(row as u64).to_be_bytes());
    r[25..29].copy_from_slice(&school.to_be_bytes());
    r
}

fn record_row(r: &KeyRecord) -> usize {
    u64::from_be_bytes(r[17..25].try_into().expect("8 bytes")) as usize
}

fn record_school(r: &KeyRecord) -> u32 {
    u32::from_be_bytes(r[25..29].try_into().expect("4 bytes"))
}

/// A problem found across rows: row, column, problem, severity.
type RowProblem = (usize, &'static str, Problem, Severity);

/// A placement in the file: row, start, end.
type Placement = (usize, String, String);

/// Rules across the rows of a file, fed row by row (rows with errors of their own are not fed).
pub struct FileRules<'k> {
    table: Table,
    keys: &'k Keys,
    /// The keys' digests are keyed afresh in each check: what is written to disk while sorting
    /// cannot be matched against a list of ID numbers.
    digest_keys: (std::hash::RandomState, std::hash::RandomState),
    /// Every key of every row, sorted at the end: duplicates are neighbours. Memory stays bounded
    /// for any number of rows (a hash table of 30 M rows' keys took 8.5 GiB).
    keys_seen: Spill<32>,
    /// Each school's number in the file.
    school_numbers: HashMap<String, u32>,
    /// (school, teacher) → placements (row, start, end).
    placements: HashMap<(String, String), Vec<Placement>>,
    /// Answers per project and survey of a `training_survey` sheet.
    surveys: super::survey_rules::Counts,
}

impl<'k> FileRules<'k> {
    pub fn new(table: Table, keys: &'k Keys) -> Self {
        Self::with_run(table, keys, RUN_RECORDS)
    }

    /// Rules whose key sorter keeps `run_records` records in memory before writing a run out.
    fn with_run(table: Table, keys: &'k Keys, run_records: usize) -> Self {
        FileRules {
            table,
            keys,
            digest_keys: Default::default(),
            keys_seen: Spill::new(run_records),
            school_numbers: HashMap::new(),
            placements: HashMap::new(),
            surveys: Default::default(),
        }
    }

    /// The columns that must be unique within the file, and how the key is shown.
    fn unique_key(&self) -> (&'static [&'static str], &'static str) {
        match self.table {
            Table::School => (&["school_code"], "school_code"),
            Table::Condition => (&["school_code", "year"], "year"),
            Table::Offering => (&["school_code", "year", "program_code"], "program_code"),
            Table::Student => (&["school_code", "year", "student_no"], "student_no"),
            Table::Graduate => (&["school_code", "graduation_year", "student_no"], "student_no"),
            Table::Teacher => (&["school_code", "year", "teacher_no"], "teacher_no"),
            Table::Practice => (&["school_code", "teacher_no", "start_date"], "start_date"),
            Table::Pd => (&["school_code", "teacher_no", "course", "start_date"], "course"),
            Table::Training => (&["school_code", "year", "project_code"], "project_code"),
            Table::Cooperation => (&["school_code", "year", "credit_code", "form", "program_code"], "credit_code"),
            Table::Designation => (&["designation_code"], "designation_code"),
            Table::Certificate => (&["issuer_credit_code", "certificate_no"], "certificate_no"),
            Table::Curriculum => (&["school_code", "year", "program_code", "course_code"], "course_code"),
            Table::Member => (&["designation_code", "school_code", "teacher_no"], "teacher_no"),
            Table::Output => (&["school_code", "year", "designation_code", "title"], "title"),
            // One result per person in a school's intake.
            Table::Transfer => (&["school_code", "intake_year", "id_number"], "id_number"),
            Table::TrainingSurvey => (&["school_code", "year", "project_code", "survey", "respondent"], "respondent"),
            Table::Finance | Table::International => (&["school_code", "year"], "year"),
            Table::Survey => (&["school_code", "year", "respondent_group"], "respondent_group"),
        }
    }

    pub fn observe(&mut self, row: &CheckedRow, reference: &Reference) -> Vec<RowProblem> {
        let mut out = Vec::new();
        let table = self.table;
        let (cols, _) = self.unique_key();
        let parts: Vec<String> = cols.iter().map(|c| row.get(table, c).canonical()).collect();
        let refs: Vec<&str> = std::iter::once("key").chain(parts.iter().map(String::as_str)).collect();
        let digest = self.key_digest(&refs);
        self.keys_seen.push(key_record(KeyRule::Unique, digest, row.row, 0));
        // One person appears once in a school's year (students, teachers, graduates; a transfer
        // sheet's key is already the person).
        if table.spec().personal && table != Table::Transfer {
            let year = table.year_column().and_then(|y| row.int(table, y)).map(|y| y.to_string());
            if let (Some(s), Some(y), Some(id)) = (row.text(table, "school_code"), year, row.text(table, "id_number")) {
                let digest = self.key_digest(&["person", s, &y, id]);
                self.keys_seen.push(key_record(KeyRule::Person, digest, row.row, 0));
            }
        }
        if table == Table::Student && row.text(table, "status") == Some("enrolled") {
            self.enrolled_once(row, reference, &mut out);
        }
        // A dual-qualified claim follows the register (the Teachers issue): without a recognition
        // in force on the statistical date it is a warning, or an error where the plan says so.
        // Only once the register is in use (a first recognition published): before, every claim
        // of an installation that does not keep one would be flagged.
        if table == Table::Teacher
            && !reference.recognitions.is_empty()
            && row.int(table, "dual_qualified") == Some(1)
            && let (Some(id), Some(date)) = (
                row.text(table, "id_number"),
                row.int(table, "year").and_then(|y| reference.dual_register.statistical_date(y as i32)),
            )
        {
            let person = self.keys.pseudonym(row.text(table, "id_type").unwrap_or("resident_id"), id);
            let held = reference.recognitions.get(&person).is_some_and(|rs| rs.iter().any(|r| r.counts_on(date)));
            if !held {
                let severity = match reference.dual_register.claims_without_recognition {
                    ClaimCheck::Warning => Severity::Warning,
                    ClaimCheck::Error => Severity::Error,
                };
                out.push((
                    row.row,
                    "dual_qualified",
                    Problem::DualClaimUnrecognised { date: date.to_string() },
                    severity,
                ));
            }
        }
        if table == Table::Transfer
            && !reference.pathway_students.is_empty()
            && let Some(id) = row.text(table, "id_number")
        {
            let person = self.keys.pseudonym(row.text(table, "id_type").unwrap_or("resident_id"), id);
            out.extend(
                super::pathway_rules::transfer_cohort(row, &person, reference).map(|(c, p, s)| (row.row, c, p, s)),
            );
        }
        if table == Table::TrainingSurvey
            && let Some((c, p, s)) = self.surveys.observe(row, reference)
        {
            out.push((row.row, c, p, s));
        }
        // An issuer's certificate number belongs to one person (§4.12).
        if table == Table::Certificate
            && let (Some(issuer), Some(no), Some(id)) =
                (row.text(table, "issuer_credit_code"), row.text(table, "certificate_no"), row.text(table, "id_number"))
            && let Some(holder) = reference.certificates.get(&(issuer.to_string(), no.to_string()))
            && *holder != self.keys.pseudonym(row.text(table, "id_type").unwrap_or("resident_id"), id)
        {
            out.push((row.row, "id_number", Problem::CertificateHeldByOther, Severity::Error));
        }
        if table == Table::Practice
            && let (Some(s), Some(tn), Some(a), Some(b)) = (
                row.text(table, "school_code"),
                row.text(table, "teacher_no"),
                row.text(table, "start_date"),
                row.text(table, "end_date"),
            )
        {
            if let Some(existing) = reference.placements.get(&(s.to_string(), tn.to_string())) {
                for (ea, eb) in existing {
                    if ea.as_str() != a && ea.as_str() <= b && a <= eb.as_str() {
                        out.push((
                            row.row,
                            "start_date",
                            Problem::Overlap { other_row: None, start: ea.clone(), end: eb.clone() },
                            Severity::Error,
                        ));
                    }
                }
            }
            self.placements.entry((s.into(), tn.into())).or_default().push((row.row, a.into(), b.into()));
        }
        out
    }

    /// A 128-bit digest of a key's parts. The file-wide rules keep digests, not strings: a key is
    /// then 32 bytes however long its parts. Two independent 64-bit SipHashes make a false
    /// "duplicate" practically impossible (about 1 in 10^26 for a million rows).
    fn key_digest(&self, parts: &[&str]) -> u128 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut a = self.digest_keys.0.build_hasher();
        let mut b = self.digest_keys.1.build_hasher();
        for p in parts {
            p.hash(&mut a);
            p.hash(&mut b);
        }
        (u128::from(a.finish()) << 64) | u128::from(b.finish())
    }

    fn school_index(&mut self, school: &str) -> u32 {
        // Looked up, not searched: a nation's file names 10,000 schools, and a scan of them for
        // each of its 30 M rows was three quarters of the check's time.
        if let Some(i) = self.school_numbers.get(school) {
            return *i;
        }
        let i = self.school_numbers.len() as u32;
        self.school_numbers.insert(school.to_string(), i);
        i
    }

    /// One ID enrolled (在籍) at one school per year, across the file and the approved records (§4.4, §5).
    fn enrolled_once(&mut self, row: &CheckedRow, reference: &Reference, out: &mut Vec<RowProblem>) {
        let table = self.table;
        let (Some(year), Some(id), Some(school)) =
            (row.int(table, "year"), row.text(table, "id_number"), row.text(table, "school_code"))
        else {
            return;
        };
        let id_type = row.text(table, "id_type").unwrap_or("resident_id");
        let digest = self.key_digest(&[&year.to_string(), id_type, id]);
        let school_ix = self.school_index(school);
        self.keys_seen.push(key_record(KeyRule::Enrolled, digest, row.row, school_ix));
        // Against the approved records: each row on its own (a row repeated in the file is already
        // an error of the file's own rules).
        if !reference.enrolled.is_empty() {
            let pseudo = self.keys.pseudonym(id_type, id);
            if let Some(other) = reference.enrolled.get(&(year, pseudo))
                && other != school
            {
                out.push((
                    row.row,
                    "id_number",
                    Problem::EnrolledTwice { other_row: None, other_school: Some(other.clone()) },
                    Severity::Error,
                ));
            }
        }
    }

    /// The key rules over every row's keys, sorted so that rows sharing a key are neighbours and
    /// the first of them (the smallest row) comes first.
    fn key_rules(&mut self, out: &mut Vec<RowProblem>) {
        let (cols, shown) = self.unique_key();
        let table = self.table;
        let label = cols.iter().map(|c| table.column(c).map_or(*c, |x| x.zh)).collect::<Vec<_>>().join("+");
        let keys = std::mem::replace(&mut self.keys_seen, Spill::new(1));
        tracing::debug!(runs_on_disk = keys.spilled_runs(), "file rules: merging the keys");
        let mut first: Option<KeyRecord> = None;
        for record in keys.sorted() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    // A run that cannot be read back leaves the rules unjudged: the file is refused.
                    out.push((0, "", Problem::CheckStorage { reason: e.to_string() }, Severity::Error));
                    return;
                }
            };
            let same_key = first.is_some_and(|f| f[..17] == record[..17]);
            if !same_key {
                first = Some(record);
                continue;
            }
            let f = first.expect("a key's first row is kept");
            let (row, first_row) = (record_row(&record), record_row(&f));
            match record[0] {
                r if r == KeyRule::Unique as u8 => {
                    out.push((row, shown, Problem::Duplicate { key: label.clone(), first_row }, Severity::Error));
                }
                r if r == KeyRule::Person as u8 => out.push((
                    row,
                    "id_number",
                    Problem::Duplicate { key: "身份证件号".into(), first_row },
                    Severity::Error,
                )),
                _ if record_school(&record) != record_school(&f) => {
                    out.push((
                        row,
                        "id_number",
                        Problem::EnrolledTwice { other_row: Some(first_row), other_school: None },
                        Severity::Error,
                    ));
                    out.push((
                        first_row,
                        "id_number",
                        Problem::EnrolledTwice { other_row: Some(row), other_school: None },
                        Severity::Error,
                    ));
                }
                _ => {}
            }
        }
    }

    /// Rules that need the whole file: the keys that must be unique, one enrolment, overlapping
    /// placements of one teacher.
    pub fn finish(mut self) -> Vec<RowProblem> {
        let mut out = Vec::new();
        self.key_rules(&mut out);
        for list in self.placements.values_mut() {
            list.sort_by(|a, b| a.1.cmp(&b.1));
            for w in list.windows(2) {
                let (prev, next) = (&w[0], &w[1]);
                if next.1 <= prev.2 {
                    out.push((
                        next.0,
                        "start_date",
                        Problem::Overlap { other_row: Some(prev.0), start: prev.1.clone(), end: prev.2.clone() },
                        Severity::Error,
                    ));
                }
            }
        }
        out.sort_by_key(|p| p.0);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::record::Value;

    /// A student row with the columns the key rules read.
    fn student(row: usize, school: &str, student_no: &str, id: &str) -> CheckedRow {
        let spec = Table::Student.spec();
        let mut values = vec![Value::Null; spec.columns.len()];
        let mut set = |key: &str, v: Value| {
            let i = spec.columns.iter().position(|c| c.key == key).expect("a student column");
            values[i] = v;
        };
        set("school_code", Value::Text(school.into()));
        set("year", Value::Int(2024));
        set("student_no", Value::Text(student_no.into()));
        set("id_type", Value::Text("resident_id".into()));
        set("id_number", Value::Text(id.into()));
        set("status", Value::Text("enrolled".into()));
        CheckedRow { row, values }
    }

    fn judged(run_records: usize, rows: &[CheckedRow]) -> Vec<RowProblem> {
        let keys = Keys::from_master(&[7u8; 32]);
        let reference = Reference::default();
        let mut rules = FileRules::with_run(Table::Student, &keys, run_records);
        let mut out = Vec::new();
        for r in rows {
            out.extend(rules.observe(r, &reference));
        }
        out.extend(rules.finish());
        out.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| format!("{:?}", a.2).cmp(&format!("{:?}", b.2))));
        out
    }

    #[test]
    fn duplicates_and_double_enrolments_are_found_the_same_whether_the_keys_fit_in_memory_or_not() {
        let mut rows: Vec<CheckedRow> =
            (0..500).map(|i| student(i + 2, "4401000001", &format!("S{i}"), &format!("ID{i}"))).collect();
        // Row 600 repeats row 2's student number; row 601 repeats row 3's person in the same school;
        // rows 602 and 603 enrol row 4's person at two other schools.
        rows.push(student(600, "4401000001", "S0", "ID-other"));
        rows.push(student(601, "4401000001", "S-new", "ID1"));
        rows.push(student(602, "4401000002", "S2", "ID2"));
        rows.push(student(603, "4401000003", "S2", "ID2"));
        let in_memory = judged(RUN_RECORDS, &rows);
        let spilled = judged(7, &rows);
        assert_eq!(in_memory, spilled);
        let found: Vec<(usize, &str, Problem)> = in_memory.into_iter().map(|(r, c, p, _)| (r, c, p)).collect();
        assert_eq!(
            found,
            vec![
                (4, "id_number", Problem::EnrolledTwice { other_row: Some(602), other_school: None }),
                (4, "id_number", Problem::EnrolledTwice { other_row: Some(603), other_school: None }),
                (600, "student_no", Problem::Duplicate { key: "学校标识码+统计年度+学号".into(), first_row: 2 }),
                (601, "id_number", Problem::Duplicate { key: "身份证件号".into(), first_row: 3 }),
                (602, "id_number", Problem::EnrolledTwice { other_row: Some(4), other_school: None }),
                (603, "id_number", Problem::EnrolledTwice { other_row: Some(4), other_school: None }),
            ]
        );
    }
}

//! The rules of a table across the rows of one file (data standard §3–§5): uniqueness of the
//! natural key, overlapping placements, one enrolment per person and year, and the checks against
//! approved records that need the whole file. The rules within one row are in `rules`.

use std::collections::HashMap;

use crate::domain::dual::register::ClaimCheck;
use crate::domain::privacy::Keys;
use crate::domain::record::CheckedRow;
use crate::domain::reference::Reference;
use crate::domain::standard::Table;
use crate::messages::{Problem, Severity};

/// A 128-bit digest of a key's parts. The file-wide rules keep digests, not strings: a million
/// students' keys then take tens of megabytes, not hundreds. Two independent 64-bit SipHashes make
/// a false "duplicate" practically impossible (about 1 in 10^26 for a million rows).
fn key_digest(parts: &[&str]) -> u128 {
    use std::hash::{Hash, Hasher};
    let mut a = std::hash::DefaultHasher::new();
    let mut b = std::hash::DefaultHasher::new();
    0u8.hash(&mut a);
    1u8.hash(&mut b);
    for p in parts {
        p.hash(&mut a);
        p.hash(&mut b);
    }
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

/// Keys that are digests already need no second hashing.
#[derive(Default, Clone, Copy)]
struct Prehashed(u64);

impl std::hash::Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_le_bytes(b);
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 = (v as u64) ^ ((v >> 64) as u64);
    }
}

/// A placement in the file: row, start, end.
type Placement = (usize, String, String);

type DigestMap<V> = HashMap<u128, V, std::hash::BuildHasherDefault<Prehashed>>;

/// Rules across the rows of a file, fed row by row (rows with errors of their own are not fed).
pub struct FileRules<'k> {
    table: Table,
    keys: &'k Keys,
    /// Digest of a unique key → first row.
    seen: DigestMap<usize>,
    /// Digest of (year, id) → (row, school index) of enrolled students in this file.
    enrolled: DigestMap<(usize, u32)>,
    schools: Vec<String>,
    /// Each school's index in `schools`.
    school_numbers: HashMap<String, u32>,
    /// (school, teacher) → placements (row, start, end).
    placements: HashMap<(String, String), Vec<Placement>>,
    deferred: Vec<(usize, &'static str, Problem, Severity)>,
    /// Answers per project and survey of a `training_survey` sheet.
    surveys: super::survey_rules::Counts,
}

impl<'k> FileRules<'k> {
    pub fn new(table: Table, keys: &'k Keys) -> Self {
        FileRules {
            table,
            keys,
            seen: DigestMap::default(),
            enrolled: DigestMap::default(),
            schools: Vec::new(),
            school_numbers: HashMap::new(),
            placements: HashMap::new(),
            deferred: Vec::new(),
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

    pub fn observe(
        &mut self,
        row: &CheckedRow,
        reference: &Reference,
    ) -> Vec<(usize, &'static str, Problem, Severity)> {
        let mut out = Vec::new();
        let table = self.table;
        let (cols, shown) = self.unique_key();
        let parts: Vec<String> = cols.iter().map(|c| row.get(table, c).canonical()).collect();
        let refs: Vec<&str> = std::iter::once("key").chain(parts.iter().map(String::as_str)).collect();
        let digest = key_digest(&refs);
        if let Some(&first) = self.seen.get(&digest) {
            let label = cols.iter().map(|c| table.column(c).map_or(*c, |x| x.zh)).collect::<Vec<_>>().join("+");
            out.push((row.row, shown, Problem::Duplicate { key: label, first_row: first }, Severity::Error));
        } else {
            self.seen.insert(digest, row.row);
        }
        // One person appears once in a school's year (students, teachers, graduates; a transfer
        // sheet's key is already the person).
        if table.spec().personal && table != Table::Transfer {
            let year = table.year_column().and_then(|y| row.int(table, y)).map(|y| y.to_string());
            if let (Some(s), Some(y), Some(id)) = (row.text(table, "school_code"), year, row.text(table, "id_number")) {
                let digest = key_digest(&["person", s, &y, id]);
                if let Some(&first) = self.seen.get(&digest) {
                    out.push((
                        row.row,
                        "id_number",
                        Problem::Duplicate { key: "身份证件号".into(), first_row: first },
                        Severity::Error,
                    ));
                } else {
                    self.seen.insert(digest, row.row);
                }
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

    fn school_index(&mut self, school: &str) -> u32 {
        // Looked up, not searched: a nation's file names 10,000 schools, and a scan of them for
        // each of its 30 M rows was three quarters of the check's time.
        if let Some(i) = self.school_numbers.get(school) {
            return *i;
        }
        let i = self.schools.len() as u32;
        self.schools.push(school.to_string());
        self.school_numbers.insert(school.to_string(), i);
        i
    }

    /// One ID enrolled (在籍) at one school per year, across the file and the approved records (§4.4, §5).
    fn enrolled_once(
        &mut self,
        row: &CheckedRow,
        reference: &Reference,
        out: &mut Vec<(usize, &'static str, Problem, Severity)>,
    ) {
        let table = self.table;
        let (Some(year), Some(id), Some(school)) =
            (row.int(table, "year"), row.text(table, "id_number"), row.text(table, "school_code"))
        else {
            return;
        };
        let id_type = row.text(table, "id_type").unwrap_or("resident_id");
        let digest = key_digest(&[&year.to_string(), id_type, id]);
        let school_ix = self.school_index(school);
        match self.enrolled.get(&digest) {
            Some(&(first, first_school)) if first_school != school_ix => {
                out.push((
                    row.row,
                    "id_number",
                    Problem::EnrolledTwice { other_row: Some(first), other_school: None },
                    Severity::Error,
                ));
                self.deferred.push((
                    first,
                    "id_number",
                    Problem::EnrolledTwice { other_row: Some(row.row), other_school: None },
                    Severity::Error,
                ));
            }
            Some(_) => {}
            None => {
                self.enrolled.insert(digest, (row.row, school_ix));
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
        }
    }

    /// Rules that need the whole file: overlapping placements of one teacher.
    pub fn finish(mut self) -> Vec<(usize, &'static str, Problem, Severity)> {
        let mut out = std::mem::take(&mut self.deferred);
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

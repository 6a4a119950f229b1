//! The rules of pathway rows (the Pathways and funding issue): a student on a 3+2, five-year or
//! through pathway studies under an agreement of the register; a transfer result names an agreement
//! of its school and intake, fits the assessment scheme of that intake, and is a cohort member's.

use crate::domain::pathway::Standing;
use crate::domain::pathway::scheme::ResultProblem;
use crate::domain::record::CheckedRow;
use crate::domain::reference::Reference;
use crate::domain::standard::{PATHWAYS, Table, find_choice};
use crate::messages::{Problem, Severity};

pub(super) type RowProblem = (&'static str, Problem, Severity);

/// A `student` row on an agreement pathway: no agreement is an error, or a warning for intakes
/// earlier than any the register records. Nothing is checked while no register is kept.
pub(super) fn student(row: &CheckedRow, reference: &Reference) -> Vec<RowProblem> {
    let table = Table::Student;
    let (Some(school), Some(program), Some(pathway), Some(entry)) = (
        row.text(table, "school_code"),
        row.text(table, "program_code"),
        row.text(table, "pathway"),
        row.int(table, "entry_year"),
    ) else {
        return Vec::new();
    };
    match reference.pathways.standing(school, program, pathway, entry) {
        Standing::Uncovered { before_register } => {
            let p = Problem::PathwayNoAgreement {
                pathway: find_choice(PATHWAYS, pathway).map_or(pathway.to_string(), |c| c.zh.to_string()),
                program: program.into(),
                entry_year: entry,
            };
            vec![("pathway", p, if before_register { Severity::Warning } else { Severity::Error })]
        }
        _ => Vec::new(),
    }
}

/// A `transfer` row: its agreement, its school and intake, and its result under the scheme.
pub(super) fn transfer(row: &CheckedRow, reference: &Reference) -> Vec<RowProblem> {
    let table = Table::Transfer;
    let mut out = Vec::new();
    let (Some(code), Some(intake)) = (row.text(table, "agreement_code"), row.int(table, "intake_year")) else {
        return out;
    };
    match reference.pathways.get(code) {
        None => out.push(("agreement_code", Problem::AgreementUnknown { value: code.into() }, Severity::Error)),
        Some(a) => {
            if row.text(table, "school_code").is_some_and(|s| s != a.lower_school) {
                let p = Problem::AgreementOtherSchool { value: code.into(), lower_school: a.lower_school.clone() };
                out.push(("school_code", p, Severity::Error));
            }
            if !a.runs_intake(intake) {
                let p =
                    Problem::AgreementIntakeOutside { value: code.into(), first: a.first_intake, last: a.last_intake };
                out.push(("intake_year", p, Severity::Error));
            }
        }
    }
    let Some(scheme) = reference.transfer_scheme.as_ref().and_then(|p| p.for_intake(intake)) else {
        out.push(("intake_year", Problem::TransferNoScheme { year: intake }, Severity::Error));
        return out;
    };
    let score = row.get(table, "score").as_real();
    let Some(result) = row.text(table, "result") else {
        return out;
    };
    for p in scheme.judge(score, row.text(table, "exemption"), result) {
        out.push(match p {
            ResultProblem::ScoreAboveMax { max } => ("score", Problem::TransferScoreAboveMax { max }, Severity::Error),
            ResultProblem::ExemptionNotAccepted { accepted } => {
                ("exemption", Problem::TransferExemptionNotAccepted { accepted: accepted.join("、") }, Severity::Error)
            }
            ResultProblem::PassBelowThreshold { threshold } => {
                ("result", Problem::TransferPassBelowThreshold { threshold }, Severity::Error)
            }
            ResultProblem::FailAboveThreshold { threshold } => {
                ("result", Problem::TransferFailAboveThreshold { threshold }, Severity::Warning)
            }
            ResultProblem::NoScheme => ("intake_year", Problem::TransferNoScheme { year: intake }, Severity::Error),
        });
    }
    out
}

/// A result of a person who is not among the agreement's students of the intake (a warning: the
/// students may be submitted later, or the ID mistyped).
pub(super) fn transfer_cohort(row: &CheckedRow, person: &str, reference: &Reference) -> Option<RowProblem> {
    let table = Table::Transfer;
    let code = row.text(table, "agreement_code")?;
    let intake = row.int(table, "intake_year")?;
    let a = reference.pathways.get(code)?;
    let member = reference.pathway_students.get(person).is_some_and(|rows| {
        rows.iter().any(|(s, p, path, entry)| {
            *s == a.lower_school && *p == a.lower_program && path == a.pathway.key() && *entry == intake
        })
    });
    (!member)
        .then(|| ("id_number", Problem::TransferNotInCohort { value: code.into(), year: intake }, Severity::Warning))
}

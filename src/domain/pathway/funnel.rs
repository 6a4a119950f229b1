//! Cohort funnels (plan 三(二)): the persons of an agreement's intake, followed by person across
//! schools through the stages entered → still enrolled in years 2 and 3 → assessed → passed →
//! admitted to the partner program → graduated. Pure: the rows come in as facts.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::{Agreement, LOWER_YEARS};

/// The stages, in order (the JSON `stage` keys are fixed: scripts read them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Entered,
    EnrolledYear2,
    EnrolledYear3,
    Assessed,
    Passed,
    Admitted,
    Graduated,
}

impl Stage {
    pub const ALL: [Stage; 7] = [
        Stage::Entered,
        Stage::EnrolledYear2,
        Stage::EnrolledYear3,
        Stage::Assessed,
        Stage::Passed,
        Stage::Admitted,
        Stage::Graduated,
    ];
    pub fn key(self) -> &'static str {
        match self {
            Stage::Entered => "entered",
            Stage::EnrolledYear2 => "enrolled_year_2",
            Stage::EnrolledYear3 => "enrolled_year_3",
            Stage::Assessed => "assessed",
            Stage::Passed => "passed",
            Stage::Admitted => "admitted",
            Stage::Graduated => "graduated",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Stage::Entered => "入学",
            Stage::EnrolledYear2 => "第二年仍在读",
            Stage::EnrolledYear3 => "第三年仍在读",
            Stage::Assessed => "参加转段考核",
            Stage::Passed => "考核通过",
            Stage::Admitted => "升入对口专业",
            Stage::Graduated => "毕业",
        }
    }
}

/// A student row on the lower side of an agreement (its school, program and pathway).
#[derive(Debug, Clone)]
pub struct LowerRow {
    pub person: String,
    pub year: i64,
    pub entry_year: i64,
}

/// What the records say of one agreement's persons.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub lower: Vec<LowerRow>,
    /// (person, statistical year) of rows in the partner program at the partner school.
    pub upper: Vec<(String, i64)>,
    /// Persons with a graduate row of the partner program at the partner school.
    pub graduated: HashSet<String>,
    /// (intake year, person) → the result key, from the lower school's `transfer` rows.
    pub results: HashMap<(i64, String), String>,
}

/// One funnel: the count at each stage.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Funnel {
    pub counts: [i64; 7],
    /// Quota of the intake (Σ over agreements when added up).
    pub quota: Option<i64>,
    /// Results of persons not in the cohort: a data problem to show.
    pub unmatched_results: i64,
}

impl Funnel {
    pub fn count(&self, s: Stage) -> i64 {
        self.counts[Stage::ALL.iter().position(|x| *x == s).unwrap_or(0)]
    }

    /// Admitted to the partner program ÷ entered × 100.
    pub fn transfer_rate(&self) -> Option<f64> {
        ratio(self.count(Stage::Admitted), self.count(Stage::Entered))
    }

    /// Admitted ÷ still enrolled in year 3 × 100.
    pub fn rate_of_year_3(&self) -> Option<f64> {
        ratio(self.count(Stage::Admitted), self.count(Stage::EnrolledYear3))
    }

    /// Students lost between consecutive enrolment stages, as % of the earlier: [year 1→2, year 2→3].
    pub fn attrition(&self) -> [Option<f64>; 2] {
        let [e, y2, y3, ..] = self.counts;
        [ratio(e - y2, e), ratio(y2 - y3, y2)]
    }

    /// Adds another funnel (agreements of a school, district or the city).
    pub fn add(&mut self, other: &Funnel) {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        self.quota = match (self.quota, other.quota) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        self.unmatched_results += other.unmatched_results;
    }
}

fn ratio(a: i64, b: i64) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64 * 100.0)
}

/// The funnel of one agreement's intake year.
///
/// - entered: persons with a row on the lower side whose entry year is the intake;
/// - enrolled in year 2 / 3: of those, with such a row in the statistical year intake + 1 / + 2
///   (a student who changed school, program or pathway has left the class: leaving is final);
/// - assessed / passed: of those who entered, with a result passed or failed / passed;
/// - admitted: of those who entered, with a row in the partner program at the partner school from
///   intake + `LOWER_YEARS` on, whatever their result;
/// - graduated: of the admitted, with a graduate row of the partner program at the partner school.
pub fn funnel(agreement: &Agreement, intake: i64, facts: &Facts) -> Funnel {
    let entered: HashSet<&str> =
        facts.lower.iter().filter(|r| r.entry_year == intake).map(|r| r.person.as_str()).collect();
    let in_year = |y: i64| -> HashSet<&str> {
        facts
            .lower
            .iter()
            .filter(|r| r.entry_year == intake && r.year == y)
            .map(|r| r.person.as_str())
            .filter(|p| entered.contains(p))
            .collect()
    };
    let year2 = in_year(intake + 1);
    let year3 = in_year(intake + 2);
    let mut assessed = 0;
    let mut passed = 0;
    let mut unmatched = 0;
    for ((y, person), result) in &facts.results {
        if *y != intake {
            continue;
        }
        if !entered.contains(person.as_str()) {
            unmatched += 1;
            continue;
        }
        match result.as_str() {
            "passed" => {
                assessed += 1;
                passed += 1;
            }
            "failed" => assessed += 1,
            _ => {}
        }
    }
    let admitted: HashSet<&str> = facts
        .upper
        .iter()
        .filter(|(p, y)| *y >= intake + LOWER_YEARS && entered.contains(p.as_str()))
        .map(|(p, _)| p.as_str())
        .collect();
    let graduated = admitted.iter().filter(|p| facts.graduated.contains(**p)).count() as i64;
    Funnel {
        counts: [
            entered.len() as i64,
            year2.len() as i64,
            year3.len() as i64,
            assessed,
            passed,
            admitted.len() as i64,
            graduated,
        ],
        quota: agreement.quota,
        unmatched_results: unmatched,
    }
}

#[cfg(test)]
mod tests {
    use super::super::Pathway;
    use super::*;

    fn agreement() -> Agreement {
        Agreement {
            code: "A1".into(),
            pathway: Pathway::ThreePlusTwo,
            lower_school: "S1".into(),
            lower_program: "700206".into(),
            upper_school: "H1".into(),
            upper_program: "460702".into(),
            first_intake: 2020,
            last_intake: 2025,
            quota: Some(10),
        }
    }

    fn lower(person: &str, years: &[i64]) -> Vec<LowerRow> {
        years.iter().map(|y| LowerRow { person: person.into(), year: *y, entry_year: 2020 }).collect()
    }

    #[test]
    fn a_cohort_is_followed_stage_by_stage() {
        let mut f = Facts::default();
        // a: through to graduation; b: left after year 1; c: exempt, admitted; d: passed, went elsewhere.
        f.lower.extend(lower("a", &[2020, 2021, 2022]));
        f.lower.extend(lower("b", &[2020]));
        f.lower.extend(lower("c", &[2020, 2021, 2022]));
        f.lower.extend(lower("d", &[2020, 2021, 2022]));
        f.upper = vec![("a".into(), 2023), ("a".into(), 2024), ("c".into(), 2023)];
        f.graduated.insert("a".into());
        for (p, r) in [("a", "passed"), ("c", "passed"), ("d", "passed"), ("x", "failed")] {
            f.results.insert((2020, p.into()), r.into());
        }
        let fun = funnel(&agreement(), 2020, &f);
        assert_eq!(fun.counts, [4, 3, 3, 3, 3, 2, 1]);
        assert_eq!(fun.unmatched_results, 1);
        assert_eq!(fun.transfer_rate(), Some(50.0));
        assert_eq!(fun.attrition()[0], Some(25.0));
    }
}

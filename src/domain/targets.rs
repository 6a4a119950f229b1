//! The plan's targets beyond the ten key indicators (plan-targets.md §2–§4): counted targets over
//! designations, rules checked on records with every threshold as data, and the city's key
//! industries. Loaded with the plan file; the checks here are pure.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::plan::Comparator;

fn accepted() -> Vec<String> {
    vec!["accepted".into()]
}

fn at_least() -> Comparator {
    Comparator::AtLeast
}

fn five() -> i32 {
    5
}

fn one() -> f64 {
    1.0
}

/// A count of designations of one kind (plan-targets.md §2).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountedTarget {
    /// The designation kind counted; also the target's id.
    pub designation_kind: String,
    /// Where the plan sets it, e.g. "二(三)".
    pub section: String,
    /// Designation levels counted; empty for any.
    #[serde(default)]
    pub levels: Vec<String>,
    /// Statuses counted: `accepted`, and `in_progress` where nothing is accepted ("打造/培育").
    #[serde(default = "accepted")]
    pub statuses: Vec<String>,
    /// None where the plan gives no number ("若干"): the count is shown without a status.
    pub target: Option<f64>,
    /// The top of a range ("6–8": target 6, target_max 8).
    pub target_max: Option<f64>,
    #[serde(default = "at_least")]
    pub comparator: Comparator,
    pub target_year: i32,
    /// The target holds in every district ("1–2 in every district").
    #[serde(default)]
    pub per_district: bool,
    /// The target is every school of these levels ("every secondary school").
    #[serde(default)]
    pub every_school_of: Vec<String>,
    pub note_zh: Option<String>,
    #[serde(default)]
    pub note_en: Option<String>,
}

/// What a rule checks on the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Check {
    /// Basic school conditions, per secondary school (`[conditions]`).
    Conditions,
    /// Enterprise practice days per full-time specialty teacher over the window.
    Practice,
    /// Training hours per full-time teacher over the window.
    TrainingCycle,
    /// Training person-times ÷ full-time enrolment, per quality school.
    TrainingToEnrolment,
    /// Share of municipal higher schools' first-year students from the city's secondary schools.
    LocalIntake,
    /// Key industries with at least one program offered.
    IndustryCoverage,
    /// Hours of 职业精神、工匠精神、劳模精神 topics in each program's curriculum (plan 三(六)):
    /// at least `min_hours` per program a school teaches that year.
    IdealsHours,
    /// Graduates holding at least one 1+X vocational skill certificate issued by their graduation
    /// year, still valid then and not revoked (plan 三(七)); kept in the credit blocks.
    XCertificates,
    /// Credits granted out of the credits asked for in the year's conversion applications that
    /// were decided (plan 三(七), 三(九)); kept in the credit blocks.
    CreditConversions,
    /// New full-time teachers (hired within `window_years`, with fewer than `industry_years` of
    /// enterprise work) with at least `min_days` of enterprise practice since their hire date
    /// (plan 三(五); the 2016 《职业学校教师企业实践规定》: new teachers without enterprise experience
    /// practise before they teach).
    NewTeacherPractice,
}

/// A rule on the records, judged as a secondary indicator (indicators.md, "Secondary indicators").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub check: Check,
    pub name_zh: String,
    pub name_en: String,
    pub section: String,
    /// A share in per cent (every rule is reported as the share that passes), or None for
    /// "rising" targets.
    pub target: Option<f64>,
    #[serde(default = "at_least")]
    pub comparator: Comparator,
    pub target_year: i32,
    /// Met when the value is above the previous year's ("rises").
    #[serde(default)]
    pub rising: bool,
    /// Practice: days needed in the window.
    pub min_days: Option<f64>,
    /// Training cycle: hours needed in the window.
    pub min_hours: Option<f64>,
    /// Training to enrolment: the ratio each quality school must reach.
    pub min_ratio: Option<f64>,
    /// The window in years ending with the year asked for.
    #[serde(default = "five")]
    pub window_years: i32,
    /// Training to enrolment: designation kinds that make a school a "quality school".
    #[serde(default)]
    pub quality_kinds: Vec<String>,
    /// New-teacher practice: a teacher with fewer years of enterprise work than this is a new
    /// teacher without enterprise experience (3 when not given).
    pub industry_years: Option<f64>,
}

/// A quantity of a school's record that a basic-conditions rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quantity {
    LandArea,
    BuildingArea,
    /// 万元, as the `condition` table holds it.
    EquipmentValue,
    Books,
    FullTimeStudents,
    FullTimeTeachers,
    SpecialtyTeachers,
    DualQualifiedTeachers,
}

/// One rule of the basic-conditions standard, e.g. "buildings ≥ 20 m² per full-time student".
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionCheck {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    pub quantity: Quantity,
    /// Divide by this quantity ("per student").
    pub per: Option<Quantity>,
    /// Multiply the value by this (万元 → 元: 10 000; a share: 100).
    #[serde(default = "one")]
    pub scale: f64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub unit: String,
    /// Shown but not required for compliance.
    #[serde(default)]
    pub advisory: bool,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionStandard {
    /// The standard's name and document number, cited wherever a result is shown.
    pub source: String,
    #[serde(rename = "check", default)]
    pub checks: Vec<ConditionCheck>,
}

/// A key industry of the city (plan-targets.md §4).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyIndustry {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    /// pillar, emerging, future, platform, training_base.
    pub group: String,
    /// Whether program coverage counts it (the plan's future industries have no programs yet).
    #[serde(default = "yes")]
    pub counted: bool,
}

fn yes() -> bool {
    true
}

/// A school's facts in one year, as the conditions standard reads them.
pub type Facts = BTreeMap<Quantity, f64>;

/// One rule applied to one school.
#[derive(Debug, Clone, Serialize)]
pub struct CheckOutcome {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    pub value: Option<f64>,
    pub passed: bool,
    pub advisory: bool,
    /// e.g. "生均校舍建筑面积 17.2 m² < 20 m²"; empty when passed.
    pub message_zh: String,
    pub message_en: String,
}

fn number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 { format!("{v:.0}") } else { format!("{v:.1}") }
}

/// Applies every rule of the standard to a school's facts. A missing fact fails the rule.
pub fn evaluate(standard: &ConditionStandard, facts: &Facts) -> Vec<CheckOutcome> {
    standard
        .checks
        .iter()
        .map(|c| {
            let value = match (facts.get(&c.quantity), c.per.map(|p| facts.get(&p))) {
                (Some(v), None) => Some(v * c.scale),
                (Some(v), Some(Some(d))) if *d > 0.0 => Some(v * c.scale / d),
                _ => None,
            };
            let failed = match value {
                None => Some(("无数据".to_string(), "no data".to_string())),
                Some(v) => match (c.min, c.max) {
                    (Some(min), _) if v < min => Some((
                        format!("{} {} {} < {} {}", c.name_zh, number(v), c.unit, number(min), c.unit),
                        format!("{} {} {} < {} {}", c.name_en, number(v), c.unit, number(min), c.unit),
                    )),
                    (_, Some(max)) if v > max => Some((
                        format!("{} {} {} > {} {}", c.name_zh, number(v), c.unit, number(max), c.unit),
                        format!("{} {} {} > {} {}", c.name_en, number(v), c.unit, number(max), c.unit),
                    )),
                    _ => None,
                },
            };
            let (message_zh, message_en) = match (&failed, value) {
                (Some((zh, en)), None) => (format!("{}：{zh}", c.name_zh), format!("{}: {en}", c.name_en)),
                (Some(m), Some(_)) => m.clone(),
                (None, _) => (String::new(), String::new()),
            };
            CheckOutcome {
                key: c.key.clone(),
                name_zh: c.name_zh.clone(),
                name_en: c.name_en.clone(),
                value,
                passed: failed.is_none(),
                advisory: c.advisory,
                message_zh,
                message_en,
            }
        })
        .collect()
}

/// Whether every required (not advisory) rule passed.
pub fn compliant(outcomes: &[CheckOutcome]) -> bool {
    outcomes.iter().all(|o| o.passed || o.advisory)
}

/// The window of `years` calendar years ending with `year`: 1 January to 31 December.
pub fn window(year: i32, years: i32) -> (NaiveDate, NaiveDate) {
    let from = NaiveDate::from_ymd_opt(year - years + 1, 1, 1).expect("a valid year");
    let to = NaiveDate::from_ymd_opt(year, 12, 31).expect("a valid year");
    (from, to)
}

/// Recorded practice days (实践天数) within the window. A placement's days are spread evenly over
/// its calendar span, so one crossing the window's edge counts its days in proportion to the part
/// inside; where placements of one person overlap, each calendar day counts once, at the highest
/// rate of the placements covering it.
pub fn practice_days(placements: &[(NaiveDate, NaiveDate, f64)], (from, to): (NaiveDate, NaiveDate)) -> f64 {
    // Each placement as a rate over half-open day ranges [start, end + 1).
    let spans: Vec<(NaiveDate, NaiveDate, f64)> = placements
        .iter()
        .filter(|(a, b, _)| a <= b)
        .map(|&(a, b, days)| {
            let span = ((b - a).num_days() + 1) as f64;
            (a, b + chrono::Duration::days(1), days / span)
        })
        .collect();
    let end = to + chrono::Duration::days(1);
    let mut cuts: Vec<NaiveDate> = spans.iter().flat_map(|s| [s.0, s.1]).chain([from, end]).collect();
    cuts.sort();
    cuts.dedup();
    let mut total = 0.0;
    for w in cuts.windows(2) {
        let (a, b) = (w[0].max(from), w[1].min(end));
        if a >= b {
            continue;
        }
        let rate = spans.iter().filter(|s| s.0 <= a && b <= s.1).map(|s| s.2).fold(0.0, f64::max);
        total += rate * (b - a).num_days() as f64;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn overlapping_placements_count_each_day_once() {
        let w = window(2024, 5);
        assert_eq!(w, (d("2020-01-01"), d("2024-12-31")));
        // A full-time placement records a day of practice per calendar day.
        let iv = [
            (d("2021-03-01"), d("2021-03-31"), 31.0),
            (d("2021-03-15"), d("2021-04-14"), 31.0),
            (d("2022-07-01"), d("2022-07-10"), 10.0),
        ];
        assert!((practice_days(&iv, w) - 55.0).abs() < 1e-9);
        let iv = [(d("2019-12-01"), d("2020-01-10"), 41.0), (d("2020-01-11"), d("2020-01-20"), 10.0)];
        assert!((practice_days(&iv, w) - 20.0).abs() < 1e-9);
    }

    #[test]
    fn practice_counts_the_recorded_days_not_the_calendar_span() {
        let w = window(2024, 5);
        // 184 calendar days, 170 days of practice: 170, not 184.
        let p = [(d("2022-03-01"), d("2022-08-31"), 170.0)];
        assert!((practice_days(&p, w) - 170.0).abs() < 1e-9);
        // Across the window's start: 2019-12-01..2020-01-30 is 61 days, 30 of them inside; 61
        // recorded days count 30.
        let p = [(d("2019-12-01"), d("2020-01-30"), 61.0)];
        assert!((practice_days(&p, w) - 30.0).abs() < 1e-9);
        // The same 30 days recorded at two schools count once.
        let p = [(d("2021-03-01"), d("2021-03-30"), 30.0), (d("2021-03-01"), d("2021-03-30"), 30.0)];
        assert!((practice_days(&p, w) - 30.0).abs() < 1e-9);
        // Half-overlapping: 20 days over 20 calendar days and 10 over the next 20 (10 shared):
        // 10 + 10 (at the higher rate, 1/day) + 5 (the second's own 10 days at 0.5/day).
        let p = [(d("2021-05-01"), d("2021-05-20"), 20.0), (d("2021-05-11"), d("2021-05-30"), 10.0)];
        assert!((practice_days(&p, w) - 25.0).abs() < 1e-9);
    }

    #[test]
    fn a_leap_year_has_its_extra_day() {
        // A placement over the end of February recorded as 60 days, half of it inside each year.
        let iv = [(d("2024-02-01"), d("2024-03-01"), 30.0)];
        assert!((practice_days(&iv, window(2024, 1)) - 30.0).abs() < 1e-9);
        let iv = [(d("2023-12-03"), d("2024-01-31"), 60.0)];
        assert!((practice_days(&iv, window(2023, 1)) - 29.0).abs() < 1e-9);
    }

    #[test]
    fn a_condition_failure_is_named_with_value_and_threshold() {
        let standard = ConditionStandard {
            source: "test".into(),
            checks: vec![ConditionCheck {
                key: "building_per_student".into(),
                name_zh: "生均校舍建筑面积".into(),
                name_en: "Building area per student".into(),
                quantity: Quantity::BuildingArea,
                per: Some(Quantity::FullTimeStudents),
                scale: 1.0,
                min: Some(20.0),
                max: None,
                unit: "m²".into(),
                advisory: false,
            }],
        };
        let facts: Facts = [(Quantity::BuildingArea, 17_200.0), (Quantity::FullTimeStudents, 1000.0)].into();
        let out = evaluate(&standard, &facts);
        assert_eq!(out[0].message_zh, "生均校舍建筑面积 17.2 m² < 20 m²");
        assert!(!compliant(&out));
        // A school with no students has no per-student value: it fails as "no data".
        let out = evaluate(&standard, &[(Quantity::BuildingArea, 17_200.0)].into());
        assert!(!out[0].passed && out[0].message_zh.contains("无数据"));
    }
}

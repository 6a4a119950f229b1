//! A rule judged for one school in one year (plan-targets.md §3): how many of its teachers or how
//! many of it pass, and why the others fail. These are the rule figures' building blocks: a
//! district's or the city's figure is their sum. Pure: the records come in as plain rows.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

use super::targets::{self, Check, ConditionStandard, Facts, Rule};

/// Something a rule judged in a school's year: a teacher or the school that failed, or (for
/// industry coverage) an industry the school's programs cover.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    /// The teacher (number and masked name), the industry key, or empty for the school itself.
    pub subject: String,
    pub passed: bool,
    pub detail_zh: String,
    pub detail_en: String,
}

/// A rule's outcome for one school in one year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SchoolYear {
    pub year: i32,
    pub passed: f64,
    pub total: f64,
    /// Training to enrolment: person-times trained and full-time students enrolled (0 for the
    /// other rules).
    pub trained: f64,
    pub enrolled: f64,
    pub items: Vec<Item>,
}

/// A full-time teacher's row in one year of one school.
#[derive(Debug, Clone)]
pub struct TeacherOfYear {
    pub year: i32,
    pub teacher_no: String,
    pub pseudonym: String,
    pub masked: String,
    /// 入职日期 and 企业工作年限, which the new-teacher rule reads.
    pub hire_date: Option<NaiveDate>,
    pub industry_years: Option<f64>,
}

impl TeacherOfYear {
    /// Whether the new-teacher rule judges this teacher in their year: hired within the rule's
    /// window up to that year's end, with fewer years of enterprise work than the rule says. A
    /// teacher without a hire date cannot be judged; one without enterprise years counts as none.
    pub fn is_new(&self, rule: &Rule) -> Option<NaiveDate> {
        let hired = self.hire_date?;
        let (from, to) = targets::window(self.year, rule.window_years);
        let inexperienced = self.industry_years.unwrap_or(0.0) < rule.industry_years.unwrap_or(3.0);
        (hired >= from && hired <= to && inexperienced).then_some(hired)
    }
}

/// Practice placements (start, end, days) or training (start, end, hours) of one person,
/// wherever they were done.
pub type Activity = HashMap<String, Vec<(NaiveDate, NaiveDate, f64)>>;

/// Days or hours as a person reads them: whole where whole, else to one decimal (a placement
/// across the window's edge counts part of its days).
pub fn amount(x: f64) -> String {
    if (x - x.round()).abs() < 0.05 { format!("{:.0}", x.round()) } else { format!("{x:.1}") }
}

/// A practice or training-cycle rule for one school's teachers, every year they are on record.
/// A teacher is counted once in a school's year (a full-time teacher of two schools counts at
/// both); what they did anywhere counts, so a teacher who changed school keeps it.
pub fn teacher_years<'a>(
    rule: &Rule,
    teachers: impl IntoIterator<Item = &'a TeacherOfYear>,
    activity: &Activity,
) -> Vec<SchoolYear> {
    let mut by_year: BTreeMap<i32, Vec<&TeacherOfYear>> = BTreeMap::new();
    for t in teachers {
        by_year.entry(t.year).or_default().push(t);
    }
    let practice = rule.check != Check::TrainingCycle;
    let new_teachers = rule.check == Check::NewTeacherPractice;
    let mut out = Vec::new();
    for (year, mut people) in by_year {
        people.sort_by(|a, b| a.teacher_no.cmp(&b.teacher_no));
        let window = targets::window(year, rule.window_years);
        let mut seen = BTreeSet::new();
        let mut o = SchoolYear { year, ..SchoolYear::default() };
        for t in people {
            let hired = t.is_new(rule);
            if (new_teachers && hired.is_none()) || !seen.insert(t.pseudonym.as_str()) {
                continue;
            }
            let acts = activity.get(&t.pseudonym).map_or(&[][..], Vec::as_slice);
            if let Some(hired) = hired.filter(|_| new_teachers) {
                // Since the hire date, to the end of the year judged.
                let have = targets::practice_days(acts, (hired, window.1));
                let need = rule.min_days.unwrap_or(60.0);
                o.total += 1.0;
                if have >= need {
                    o.passed += 1.0;
                } else {
                    o.items.push(Item {
                        subject: format!("{} {}", t.teacher_no, t.masked),
                        passed: false,
                        detail_zh: format!(
                            "{hired} 入职以来企业实践 {} 天，差 {} 天",
                            amount(have),
                            amount(need - have)
                        ),
                        detail_en: format!(
                            "{} practice days since hired on {hired}, {} short",
                            amount(have),
                            amount(need - have)
                        ),
                    });
                }
                continue;
            }
            let (have, need, unit_zh, unit_en) = if practice {
                // The recorded 实践天数, not the calendar span (a placement of 184 days may hold 170).
                (targets::practice_days(acts, window), rule.min_days.unwrap_or(180.0), "天", "days")
            } else {
                let hours = acts.iter().filter(|a| a.0 >= window.0 && a.0 <= window.1).map(|a| a.2).sum::<f64>();
                (hours, rule.min_hours.unwrap_or(360.0), "学时", "hours")
            };
            o.total += 1.0;
            if have >= need {
                o.passed += 1.0;
                continue;
            }
            o.items.push(Item {
                subject: format!("{} {}", t.teacher_no, t.masked),
                passed: false,
                detail_zh: format!(
                    "{}–{} 年累计 {} {unit_zh}，差 {} {unit_zh}",
                    window.0.format("%Y"),
                    year,
                    amount(have),
                    amount(need - have)
                ),
                detail_en: format!(
                    "{} {unit_en} in {}–{year}, {} short",
                    amount(have),
                    window.0.format("%Y"),
                    amount(need - have)
                ),
            });
        }
        out.push(o);
    }
    out
}

/// A school's facts in a year as the conditions standard reads them: its conditions record (a
/// missing area or count reads as 0) and its full-time students, full-time teachers, specialty
/// teachers and dual-qualified specialty teachers that year.
pub fn condition_facts(
    land: f64,
    building: Option<f64>,
    equipment: Option<f64>,
    books: Option<i64>,
    counts: [i64; 4],
) -> Facts {
    use super::targets::Quantity as Q;
    let mut facts = Facts::new();
    facts.insert(Q::LandArea, land);
    facts.insert(Q::BuildingArea, building.unwrap_or(0.0));
    facts.insert(Q::EquipmentValue, equipment.unwrap_or(0.0));
    facts.insert(Q::Books, books.unwrap_or(0) as f64);
    let people = [Q::FullTimeStudents, Q::FullTimeTeachers, Q::SpecialtyTeachers, Q::DualQualifiedTeachers];
    for (q, n) in people.into_iter().zip(counts) {
        facts.insert(q, n as f64);
    }
    facts
}

/// The basic-conditions standard for one school's year with a conditions record.
pub fn conditions_year(standard: &ConditionStandard, year: i32, facts: &Facts) -> SchoolYear {
    let checks = targets::evaluate(standard, facts);
    let mut o = SchoolYear { year, total: 1.0, ..SchoolYear::default() };
    if targets::compliant(&checks) {
        o.passed = 1.0;
    } else {
        let failed: Vec<&targets::CheckOutcome> = checks.iter().filter(|c| !c.passed && !c.advisory).collect();
        o.items.push(Item {
            subject: String::new(),
            passed: false,
            detail_zh: failed.iter().map(|c| c.message_zh.as_str()).collect::<Vec<_>>().join("；"),
            detail_en: failed.iter().map(|c| c.message_en.as_str()).collect::<Vec<_>>().join("; "),
        });
    }
    o
}

/// Why a secondary school without a conditions record for the year fails.
pub fn no_conditions_record(year: i32) -> (String, String) {
    (format!("未报送 {year} 年度办学条件"), format!("no conditions record for {year}"))
}

/// A quality school's training to enrolment: its ratio (None without full-time students), and
/// why it fails if it does.
pub fn training_ratio(trained: f64, enrolled: f64, need: f64) -> (Option<f64>, Option<(String, String)>) {
    let ratio = (enrolled > 0.0).then(|| trained / enrolled);
    let why = match ratio {
        Some(x) if x >= need => None,
        Some(x) => Some((
            format!("培训 {trained:.0} 人次 ÷ 在校生 {enrolled:.0} 人 = {x:.2} < {need}"),
            format!("{trained:.0} trainees ÷ {enrolled:.0} students = {x:.2} < {need}"),
        )),
        None => Some((
            format!("培训 {trained:.0} 人次，无全日制在校生"),
            format!("{trained:.0} trainees, no full-time students"),
        )),
    };
    (ratio, why)
}

/// A program of a school's year with its curriculum's 职业精神 hours: (code, name, hours).
pub type ProgramHours = (String, String, f64);

/// A school's programs in a year judged on their curricula's 职业精神 hours (summed over its
/// courses), one item for each program short of `min`.
pub fn ideals_year(year: i32, min: f64, programs: &[ProgramHours]) -> SchoolYear {
    let mut out = SchoolYear { year, total: programs.len() as f64, ..SchoolYear::default() };
    for (code, name, hours) in programs {
        if *hours >= min {
            out.passed += 1.0;
        } else {
            out.items.push(Item {
                subject: format!("{code} {name}").trim().to_string(),
                passed: false,
                detail_zh: format!(
                    "职业精神、工匠精神、劳模精神教育 {} 学时，少于 {} 学时",
                    amount(*hours),
                    amount(min)
                ),
                detail_en: format!(
                    "{} hours of vocational, craftsmanship and model-worker spirit, fewer than {}",
                    amount(*hours),
                    amount(min)
                ),
            });
        }
    }
    out
}

/// Why a key industry counts as uncovered in a year.
pub fn uncovered(year: i32, name_zh: &str, name_en: &str) -> (String, String) {
    (format!("{year} 年没有开设对应“{name_zh}”的专业"), format!("no program for {name_en} offered in {year}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(check: Check) -> Rule {
        serde_json::from_value(serde_json::json!({
            "id": "r", "check": check, "name_zh": "r", "name_en": "r", "section": "s",
            "target": 100.0, "target_year": 2025, "min_days": 30.0, "min_hours": 10.0, "window_years": 2
        }))
        .unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_teacher_keeps_practice_done_at_another_school_and_counts_once_a_year() {
        let t = |year, no: &str, p: &str| TeacherOfYear {
            year,
            teacher_no: no.into(),
            pseudonym: p.into(),
            masked: "张*".into(),
            hire_date: None,
            industry_years: None,
        };
        let teachers = vec![t(2021, "T2", "p2"), t(2021, "T1", "p1"), t(2021, "T1b", "p1"), t(2022, "T1", "p1")];
        let mut activity = Activity::new();
        activity.insert("p1".into(), vec![(day("2020-03-01"), day("2020-03-31"), 31.0)]);
        let years = teacher_years(&rule(Check::Practice), &teachers, &activity);
        assert_eq!(years.len(), 2);
        assert_eq!((years[0].year, years[0].passed, years[0].total), (2021, 1.0, 2.0));
        assert_eq!(years[0].items[0].subject, "T2 张*");
        // The 2020 placement is outside 2021–2022.
        assert_eq!((years[1].passed, years[1].total), (0.0, 1.0));
        assert!(years[1].items[0].detail_zh.contains("差 30 天"), "{:?}", years[1].items);
    }

    #[test]
    fn a_new_teacher_without_enterprise_work_needs_practice_days_since_the_hire_date() {
        let t = |no: &str, hired: Option<&str>, industry: Option<f64>| TeacherOfYear {
            year: 2022,
            teacher_no: no.into(),
            pseudonym: no.into(),
            masked: "李*".into(),
            hire_date: hired.map(day),
            industry_years: industry,
        };
        let teachers = vec![
            t("N1", Some("2021-09-01"), Some(0.0)),
            t("N2", Some("2022-02-01"), None),
            // Experienced, hired before the window, or without a hire date: not judged.
            t("E1", Some("2022-03-01"), Some(5.0)),
            t("O1", Some("2019-09-01"), Some(0.0)),
            t("U1", None, Some(0.0)),
        ];
        let mut activity = Activity::new();
        // N1: 30 days before the hire date do not count, 30 after do; N2: 30 days, 30 short.
        activity.insert(
            "N1".into(),
            vec![(day("2021-07-01"), day("2021-07-30"), 30.0), (day("2022-07-01"), day("2022-08-29"), 60.0)],
        );
        activity.insert("N2".into(), vec![(day("2022-07-01"), day("2022-07-30"), 30.0)]);
        let mut r = rule(Check::NewTeacherPractice);
        r.min_days = Some(60.0);
        let years = teacher_years(&r, &teachers, &activity);
        assert_eq!((years[0].passed, years[0].total), (1.0, 2.0), "{years:?}");
        assert_eq!(years[0].items[0].subject, "N2 李*");
        assert!(
            years[0].items[0].detail_zh.contains("2022-02-01 入职以来企业实践 30 天，差 30 天"),
            "{:?}",
            years[0].items
        );
    }

    #[test]
    fn a_school_without_students_fails_training_to_enrolment_with_a_reason() {
        assert_eq!(training_ratio(100.0, 50.0, 2.0), (Some(2.0), None));
        let (ratio, why) = training_ratio(10.0, 0.0, 2.0);
        assert!(ratio.is_none() && why.unwrap().0.contains("无全日制在校生"));
    }
}

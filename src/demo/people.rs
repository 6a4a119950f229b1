//! Students and graduates of the demo city, year by year: cohorts enter, move up, some leave or
//! suspend, the final-year students of one year graduate the next, and the new cohort of the
//! calibrated groups is whatever brings full-time enrolment exactly to the target.

use std::collections::{HashMap, HashSet};

use super::city::School;
use super::ids::IdMaker;
use super::names;
use super::pathways::DemoAgreement;
use super::rng::{Rng, apportion};
use super::targets::{HIGHER_ENROLMENT, IN_FIELD, PROGRESSION, Path, SECONDARY_ENROLMENT, count_for_share};
use super::writer::Tables;
use crate::domain::standard::Table;

pub struct Student {
    pub no: String,
    pub id: String,
    pub name: String,
    pub male: bool,
    pub school: usize,
    pub program: usize,
    pub entry: i32,
    pub duration: i32,
    pub pathway: &'static str,
    pub full_time: bool,
    pub origin: String,
    pub prior_school: Option<usize>,
    pub poverty: bool,
    pub disability: bool,
    pub minority: bool,
    pub left: Option<i32>,
    pub suspended: Option<i32>,
}

impl Student {
    /// At the school at the statistical date of `year` (suspended students included).
    pub fn present(&self, year: i32) -> bool {
        self.entry <= year && year < self.entry + self.duration && self.left.is_none_or(|l| l > year)
    }
    /// Graduates at the end of the school year before `year`'s statistical date.
    pub fn graduates_in(&self, year: i32) -> bool {
        self.entry + self.duration == year && self.left.is_none_or(|l| l >= year) && self.suspended != Some(year - 1)
    }
    pub fn counts(&self, year: i32) -> bool {
        self.present(year) && self.full_time && self.suspended != Some(year)
    }
}

/// The groups whose size the generator steers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    /// Municipal and district secondary (indicator 1).
    ScopeSecondary,
    /// Municipal higher and bachelor (indicator 5).
    ScopeHigher,
    /// Private and provincial schools: sized by weight alone.
    Other,
}

fn group(s: &School) -> Group {
    match (s.level, s.sponsor) {
        (0, "市属" | "区属") => Group::ScopeSecondary,
        (1 | 2, "市属") => Group::ScopeHigher,
        _ => Group::Other,
    }
}

pub struct Population {
    pub students: Vec<Student>,
    pub(super) rng: Rng,
    pub(super) serial: Vec<usize>,
    /// The pathway agreements: only their programs take 3+2, five-year and through students.
    pub(super) agreements: Vec<DemoAgreement>,
    /// (agreement, intake year) → students who entered under it.
    pub intakes: HashMap<(String, i32), usize>,
}

/// Outside an agreement: regular or apprenticeship.
const PATHWAYS: [(&str, f64); 2] = [("普通", 0.90), ("现代学徒制", 0.10)];

impl Population {
    pub fn new(rng: Rng, schools: &[School]) -> Population {
        Population {
            students: Vec::new(),
            rng,
            serial: vec![0; schools.len()],
            agreements: Vec::new(),
            intakes: HashMap::new(),
        }
    }

    /// The agreements new students may join.
    pub fn set_agreements(&mut self, agreements: Vec<DemoAgreement>) {
        self.agreements = agreements;
    }

    fn duration(level: usize, pathway: &str) -> i32 {
        match (level, pathway) {
            (0, _) => 3,
            (1, "五年一贯制") => 5,
            (1, "三二分段") => 2,
            (1, _) => 3,
            _ => 4,
        }
    }

    /// Adds `n` students entering `school` in `entry`, spread over the programs it runs then.
    fn enter(&mut self, schools: &[School], school: usize, entry: i32, n: usize, full_time: bool, ids: &mut IdMaker) {
        let s = &schools[school];
        let programs: Vec<usize> = (0..s.programs.len()).filter(|i| s.programs[*i].1 <= entry.max(2015)).collect();
        let weights: Vec<f64> = programs.iter().map(|i| 1.0 + ((i * 7919) % 5) as f64 * 0.3).collect();
        let counts = apportion(n, &weights);
        let sec_in_scope: Vec<usize> =
            (0..schools.len()).filter(|i| group(&schools[*i]) == Group::ScopeSecondary).collect();
        for (pi, count) in programs.iter().zip(counts) {
            // A program under an agreement fills part of its intake as the agreement's class.
            let agreement = self.agreement_for(school, *pi, entry).map(|a| (a.code.clone(), a.label()));
            for _ in 0..count {
                let r = &mut self.rng;
                let class = match &agreement {
                    Some((_, "五年一贯制")) => 0.4,
                    Some(_) => 0.6,
                    None => 0.0,
                };
                let pathway = match &agreement {
                    Some((code, label)) if full_time && r.chance(class) => {
                        *self.intakes.entry((code.clone(), entry)).or_default() += 1;
                        *label
                    }
                    _ => PATHWAYS[r.weighted(&PATHWAYS.iter().map(|p| p.1).collect::<Vec<_>>())].0,
                };
                let age = match (s.level, pathway) {
                    (0, _) | (1, "五年一贯制") => 15,
                    _ => 18,
                };
                let male = r.chance(0.53);
                let birth_year = entry - age - r.range(0, 1) as i32;
                let (id, origin) = ids.person(r, birth_year, male);
                self.serial[school] += 1;
                // Higher students who come from the city's secondary schools name their school (3+2
                // students come through `transfers`, naming theirs).
                let prior_school =
                    (s.level > 0 && pathway != "五年一贯制" && r.chance(0.3)).then(|| *r.pick(&sec_in_scope));
                self.students.push(Student {
                    no: format!("{}{:05}", entry, self.serial[school]),
                    id,
                    name: names::person(r),
                    male,
                    school,
                    program: *pi,
                    entry,
                    duration: Self::duration(s.level, pathway),
                    pathway,
                    full_time,
                    origin,
                    prior_school,
                    poverty: r.chance(0.03),
                    disability: r.chance(0.004),
                    minority: r.chance(0.04),
                    left: None,
                    suspended: None,
                });
            }
        }
    }

    /// Students who leave or suspend during `year` (continuing students only).
    fn attrition(&mut self, year: i32) {
        for st in &mut self.students {
            if st.entry < year && st.present(year) {
                if self.rng.chance(0.015) {
                    st.left = Some(year);
                } else if self.rng.chance(0.006) {
                    st.suspended = Some(year);
                }
            }
        }
    }

    fn target(g: Group, year: i32) -> Option<Path> {
        match g {
            Group::ScopeSecondary => Some(SECONDARY_ENROLMENT),
            Group::ScopeHigher => Some(HIGHER_ENROLMENT),
            Group::Other => None,
        }
        .filter(|_| year >= 2020)
    }

    /// Cohorts that entered before the first statistical year, so that 2020 has all grades and
    /// graduates.
    pub fn history(&mut self, schools: &[School], first_year: i32, ids: &mut IdMaker) -> std::io::Result<()> {
        for entry in (first_year - 5)..first_year {
            // Their cohorts' students are not on record: the results are not written.
            self.transfers(schools, entry, None)?;
            for (i, s) in schools.iter().enumerate() {
                let base = match group(s) {
                    Group::ScopeSecondary => SECONDARY_ENROLMENT.at(first_year) / 3.0,
                    Group::ScopeHigher => HIGHER_ENROLMENT.at(first_year) / 3.0,
                    Group::Other => {
                        if s.level == 0 {
                            2_400.0
                        } else {
                            8_000.0
                        }
                    }
                };
                let share = s.weight / schools.iter().filter(|x| group(x) == group(s)).map(|x| x.weight).sum::<f64>();
                let n =
                    if group(s) == Group::Other { (base * s.weight / 3.0) as usize } else { (base * share) as usize };
                // Five-year cohorts reach back further; the oldest years only need them (and the
                // secondary cohort whose transfer falls in the year before the first).
                let n = if entry < first_year - 4 || (entry == first_year - 4 && s.level > 0) { n / 8 } else { n };
                self.enter(schools, i, entry, n, true, ids);
            }
            for y in entry..first_year {
                self.attrition(y);
            }
        }
        Ok(())
    }

    /// The new cohort of `year`: exact for the calibrated groups, by weight for the others.
    pub fn new_cohort(&mut self, schools: &[School], year: i32, ids: &mut IdMaker) {
        self.attrition(year);
        for g in [Group::ScopeSecondary, Group::ScopeHigher, Group::Other] {
            let members: Vec<usize> = (0..schools.len()).filter(|i| group(&schools[*i]) == g).collect();
            match Self::target(g, year) {
                Some(path) => {
                    let continuing =
                        self.students.iter().filter(|st| members.contains(&st.school) && st.counts(year)).count();
                    let need = (path.at(year) as usize).saturating_sub(continuing);
                    let weights: Vec<f64> = members.iter().map(|i| schools[*i].weight).collect();
                    for (i, n) in members.iter().zip(apportion(need, &weights)) {
                        self.enter(schools, *i, year, n, true, ids);
                        // A few part-time learners beside them (not counted by indicator 1 or 5).
                        self.enter(schools, *i, year, n / 40, false, ids);
                    }
                }
                None => {
                    for i in members {
                        let n = if schools[i].level == 0 { 2_400.0 } else { 8_000.0 } * schools[i].weight / 3.0
                            * (1.0 + 0.02 * f64::from(year - 2020));
                        self.enter(schools, i, year, n as usize, true, ids);
                    }
                }
            }
        }
    }

    pub fn write_year(&self, schools: &[School], year: i32, out: &mut Tables) -> std::io::Result<()> {
        for st in self.students.iter().filter(|st| st.present(year)) {
            let s = &schools[st.school];
            out.row(
                Table::Student,
                &[
                    &st.no,
                    "",
                    &st.id,
                    &st.name,
                    if st.male { "男" } else { "女" },
                    &s.code,
                    &year.to_string(),
                    &s.programs[st.program].0.code,
                    if st.full_time { "全日制" } else { "非全日制" },
                    &st.entry.to_string(),
                    st.pathway,
                    if st.suspended == Some(year) { "休学" } else { "在籍" },
                    st.prior_school.map_or("", |p| schools[p].code.as_str()),
                    &st.origin,
                    if st.poverty { "是" } else { "否" },
                    if st.disability { "是" } else { "否" },
                    if st.minority { "壮族" } else { "汉族" },
                ],
            )?;
        }
        Ok(())
    }

    /// Graduates of `year`: last year's final-year students who were enrolled then.
    pub fn graduates(
        &mut self,
        schools: &[School],
        year: i32,
        firms: &[(String, String)],
        out: &mut Tables,
    ) -> std::io::Result<usize> {
        let grads: Vec<usize> = (0..self.students.len()).filter(|i| self.students[*i].graduates_in(year)).collect();
        let in_scope = |st: &Student| schools[st.school].in_scope();
        // Progression (indicator 2) over in-scope secondary graduates: 3+2 and through students first.
        let mut sec: Vec<usize> = grads
            .iter()
            .copied()
            .filter(|i| schools[self.students[*i].school].level == 0 && in_scope(&self.students[*i]))
            .collect();
        self.rng.shuffle(&mut sec);
        sec.sort_by_key(|i| !matches!(self.students[*i].pathway, "三二分段" | "中高本贯通"));
        let progress: HashSet<usize> =
            sec.iter().take(count_for_share(PROGRESSION.at(year), sec.len())).copied().collect();
        let mut destination: Vec<(usize, &'static str)> = Vec::new();
        for i in &grads {
            let st = &self.students[*i];
            let level = schools[st.school].level;
            let d = if progress.contains(i) {
                if self.rng.chance(0.1) { "升入本科" } else { "升入高职专科" }
            } else if level == 0 && in_scope(st) {
                *self.rng.pick(&[
                    "单位就业",
                    "单位就业",
                    "单位就业",
                    "单位就业",
                    "灵活就业",
                    "自主创业",
                    "参军入伍",
                    "待就业",
                    "其他",
                ])
            } else if level == 0 {
                *self.rng.pick(&["升入高职专科", "单位就业", "单位就业", "单位就业", "灵活就业", "待就业"])
            } else {
                let w = [0.15, 0.62, 0.03, 0.1, 0.02, 0.02, 0.06];
                ["升入本科", "单位就业", "自主创业", "灵活就业", "参军入伍", "出国出境", "待就业"]
                    [self.rng.weighted(&w)]
            };
            destination.push((*i, d));
        }
        // In-field employment (indicator 6) over in-scope graduates in employment.
        let mut employed: Vec<usize> = destination
            .iter()
            .filter(|(i, d)| matches!(*d, "单位就业" | "自主创业" | "灵活就业") && in_scope(&self.students[*i]))
            .map(|(i, _)| *i)
            .collect();
        self.rng.shuffle(&mut employed);
        let in_field: HashSet<usize> =
            employed.iter().take(count_for_share(IN_FIELD.at(year), employed.len())).copied().collect();
        for (i, d) in &destination {
            let st = &self.students[*i];
            let s = &schools[st.school];
            let working = matches!(*d, "单位就业" | "自主创业" | "灵活就业");
            let field = if !working {
                ""
            } else if in_scope(st) {
                if in_field.contains(i) { "是" } else { "否" }
            } else if self.rng.chance(0.75) {
                "是"
            } else {
                "否"
            };
            let (credit, firm) = if *d == "单位就业" && self.rng.chance(0.6) {
                let f = self.rng.pick(firms);
                (f.0.as_str(), f.1.as_str())
            } else {
                ("", "")
            };
            let industry = if working { industry_of(&s.programs[st.program].0.category) } else { "" };
            out.row(
                Table::Graduate,
                &[
                    &st.no,
                    "",
                    &st.id,
                    &st.name,
                    if st.male { "男" } else { "女" },
                    &s.code,
                    &s.programs[st.program].0.code,
                    &year.to_string(),
                    d,
                    credit,
                    firm,
                    industry,
                    field,
                ],
            )?;
        }
        Ok(grads.len())
    }

    /// Students at each school at the statistical date of `year`.
    pub fn enrolled(&self, schools: usize, year: i32) -> Vec<usize> {
        let mut n = vec![0; schools];
        for st in self.students.iter().filter(|st| st.present(year)) {
            n[st.school] += 1;
        }
        n
    }
}

/// GB/T 4754 section of the industries a program category leads to.
fn industry_of(category: &str) -> &'static str {
    match category.parse::<u32>().unwrap_or(0) % 20 {
        6 | 7 | 8 | 9 | 3 => "C",
        10 => "G",
        11 => "I",
        12 => "Q",
        13 => "F",
        14 => "H",
        15 | 16 => "R",
        4 | 5 => "E",
        17 => "P",
        1 => "A",
        _ => "L",
    }
}

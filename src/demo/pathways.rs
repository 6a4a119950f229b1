//! The demo city's pathways (the Pathways and funding issue): the agreements the bureau registers
//! (each in-scope secondary school runs 3+2 classes with municipal colleges in up to three of its
//! programs, a few run through classes with the city's vocational university, each college one
//! five-year program), the transfer assessment of each cohort in its third year, and the students
//! who pass entering the partner program as the same person.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::city::School;
use super::people::{Population, Student};
use super::rng::Rng;
use super::writer::Tables;
use crate::domain::pathway::Pathway;
use crate::domain::standard::Table;

/// One agreement: school and program indexes on each side.
#[derive(Debug, Clone)]
pub struct DemoAgreement {
    pub code: String,
    pub pathway: Pathway,
    pub lower: usize,
    pub lower_program: usize,
    pub upper: usize,
    pub upper_program: usize,
    pub first: i32,
    pub last: i32,
}

impl DemoAgreement {
    /// The `student.pathway` label of its students.
    pub fn label(&self) -> &'static str {
        self.pathway.zh()
    }
}

/// Where the agreements file is written beside the tables.
pub fn agreements_file(dir: &Path) -> PathBuf {
    dir.join("pathway").join("agreements.csv")
}

/// The partner program: one of the upper school's in the same 专业大类 (the catalogue places a
/// category 20 codes apart at each level), else any of its programs.
fn partner(rng: &mut Rng, lower: &School, program: usize, upper: &School) -> usize {
    let cat: u32 = lower.programs[program].0.category.parse().unwrap_or(0);
    let same: Vec<usize> = (0..upper.programs.len())
        .filter(|j| upper.programs[*j].0.category.parse::<u32>().is_ok_and(|c| c % 20 == cat % 20))
        .collect();
    if same.is_empty() { rng.below(upper.programs.len()) } else { *rng.pick(&same) }
}

pub fn agreements(rng: &mut Rng, schools: &[School], last_year: i32) -> Vec<DemoAgreement> {
    let colleges: Vec<usize> =
        (0..schools.len()).filter(|i| schools[*i].level == 1 && schools[*i].sponsor == "市属").collect();
    let university: Vec<usize> = (0..schools.len()).filter(|i| schools[*i].level == 2).collect();
    let mut out = Vec::new();
    let add = |pathway: Pathway, lower: usize, lp: usize, upper: usize, up: usize, out: &mut Vec<DemoAgreement>| {
        let first = 2015.max(schools[lower].programs[lp].1).max(schools[upper].programs[up].1 - 3);
        let n = out.len() + 1;
        let prefix = match pathway {
            Pathway::ThreePlusTwo => "GZ32",
            Pathway::FiveYear => "GZ5Y",
            Pathway::Through => "GZZB",
        };
        out.push(DemoAgreement {
            code: format!("{prefix}-{n:03}"),
            pathway,
            lower,
            lower_program: lp,
            upper,
            upper_program: up,
            first,
            last: last_year,
        });
    };
    for (i, s) in schools.iter().enumerate() {
        if s.level != 0 || !matches!(s.sponsor, "市属" | "区属") || colleges.is_empty() {
            continue;
        }
        let mut programs: Vec<usize> = (0..s.programs.len()).filter(|p| s.programs[*p].1 <= 2018).collect();
        rng.shuffle(&mut programs);
        for (k, p) in programs.into_iter().take(3).enumerate() {
            // Every fourth school sends its third program to the university instead.
            if k == 2 && i % 4 == 0 && !university.is_empty() {
                let u = university[0];
                let up = partner(rng, s, p, &schools[u]);
                add(Pathway::Through, i, p, u, up, &mut out);
                continue;
            }
            let c = *rng.pick(&colleges);
            let up = partner(rng, s, p, &schools[c]);
            add(Pathway::ThreePlusTwo, i, p, c, up, &mut out);
        }
    }
    for c in colleges {
        let p = rng.below(schools[c].programs.len());
        add(Pathway::FiveYear, c, p, c, p, &mut out);
    }
    out
}

/// Writes the register, with each agreement's quota a little above its largest intake.
pub fn write_agreements(
    dir: &Path,
    schools: &[School],
    list: &[DemoAgreement],
    intakes: &HashMap<(String, i32), usize>,
) -> std::io::Result<()> {
    let path = agreements_file(dir);
    std::fs::create_dir_all(path.parent().unwrap_or(dir))?;
    let mut w = csv::Writer::from_path(path)?;
    w.write_record(crate::domain::pathway::AGREEMENT_COLUMNS)?;
    for a in list {
        let largest = intakes.iter().filter(|((c, _), _)| *c == a.code).map(|(_, n)| *n).max();
        let quota = largest.map_or(30, |n| (n * 11 / 10).div_ceil(5) * 5).max(5);
        w.write_record([
            a.code.as_str(),
            a.label(),
            &schools[a.lower].code,
            &schools[a.lower].programs[a.lower_program].0.code,
            &schools[a.upper].code,
            &schools[a.upper].programs[a.upper_program].0.code,
            &a.first.to_string(),
            &a.last.to_string(),
            &quota.to_string(),
        ])?;
    }
    w.flush()
}

/// A score of the transfer assessment: roughly normal around 63 out of 100, to the half point.
fn score(rng: &mut Rng) -> f64 {
    let z = (rng.unit() + rng.unit() + rng.unit() + rng.unit() - 2.0) * 3f64.sqrt();
    ((63.0 + 14.0 * z).clamp(0.0, 100.0) * 2.0).round() / 2.0
}

impl Population {
    /// The agreement a new student of `school`'s program `program` entering in `entry` would join.
    pub(super) fn agreement_for(&self, school: usize, program: usize, entry: i32) -> Option<&DemoAgreement> {
        self.agreements
            .iter()
            .find(|a| a.lower == school && a.lower_program == program && a.first <= entry && entry <= a.last)
    }

    /// The transfer assessment of the cohort that entered in `year - 3`, written as the lower
    /// schools submit it (when `out` is given: cohorts whose students are on record); those who
    /// pass enter the partner program in `year` (3+2 and through: as new students of the upper
    /// school, most of them; five-year: they stay, and those who do not pass leave).
    pub fn transfers(&mut self, schools: &[School], year: i32, mut out: Option<&mut Tables>) -> std::io::Result<()> {
        let intake = year - 3;
        let agreements = self.agreements.clone();
        // One pass over the students: the cohort of each agreement running the intake, keyed by
        // its class (school, program), in the agreements' order and then the students'.
        let running: std::collections::HashMap<(usize, usize), usize> = agreements
            .iter()
            .enumerate()
            .filter(|(_, a)| a.first <= intake && intake <= a.last)
            .map(|(k, a)| ((a.lower, a.lower_program), k))
            .collect();
        let mut cohorts: Vec<Vec<usize>> = vec![Vec::new(); agreements.len()];
        for (i, st) in self.students.iter().enumerate() {
            if st.entry != intake || st.left.is_some_and(|l| l < year) || st.suspended == Some(year - 1) {
                continue;
            }
            if let Some(&k) = running.get(&(st.school, st.program))
                && st.pathway == agreements[k].label()
            {
                cohorts[k].push(i);
            }
        }
        for (a, members) in agreements.iter().zip(cohorts) {
            for i in members {
                let roll = self.rng.unit();
                let (s, exemption, result) = if roll < 0.03 {
                    (None, "", "放弃")
                } else if roll < 0.05 {
                    (None, "技能竞赛获奖", "通过")
                } else {
                    let s = score(&mut self.rng);
                    (Some(s), "", if s >= 40.0 { "通过" } else { "未通过" })
                };
                let st = &self.students[i];
                if let Some(out) = out.as_deref_mut() {
                    out.row(
                        Table::Transfer,
                        &[
                            "",
                            &st.id,
                            &st.name,
                            &schools[a.lower].code,
                            &a.code,
                            &intake.to_string(),
                            &s.map(|v| v.to_string()).unwrap_or_default(),
                            exemption,
                            result,
                        ],
                    )?;
                }
                let passed = result == "通过";
                if a.pathway == Pathway::FiveYear {
                    if !passed {
                        self.students[i].left = Some(year);
                    }
                    continue;
                }
                // A few who pass take another offer (or none) instead of the partner program.
                if passed && self.rng.chance(0.93) {
                    let upper = &schools[a.upper];
                    self.serial[a.upper] += 1;
                    let st = &self.students[i];
                    let moved = Student {
                        no: format!("{}{:05}", year, self.serial[a.upper]),
                        id: st.id.clone(),
                        name: st.name.clone(),
                        male: st.male,
                        school: a.upper,
                        program: a.upper_program,
                        entry: year,
                        duration: if upper.level == 2 { 4 } else { 2 },
                        pathway: a.label(),
                        full_time: true,
                        origin: st.origin.clone(),
                        prior_school: Some(a.lower),
                        poverty: st.poverty,
                        disability: st.disability,
                        minority: st.minority,
                        left: None,
                        suspended: None,
                    };
                    self.students.push(moved);
                }
            }
        }
        Ok(())
    }
}

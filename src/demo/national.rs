//! The national scale: one year of China's VET system (about 30 million students, 10 million
//! graduates, 1.3 million teachers, 500,000 training projects in 10,000 schools in every
//! province) written as data-standard CSV files for performance work. Streamed school by school:
//! memory stays bounded whatever the size, and ID numbers are unique by construction (a counter
//! mapped to area, birth date and sequence), so no set of issued numbers is kept.
//!
//! The registry's `district_code` holds each school's county code: a Guangzhou installation
//! refuses those (its districts are reference data); a national one loads its own first
//! (`vetis districts region CN`: every current county).

use std::collections::BTreeMap;
use std::path::Path;

use super::city::catalogue;
use super::names;
use super::rng::Rng;
use super::writer::Tables;
use crate::domain::ids::id_check_char;
use crate::domain::standard::Table;

const YEAR: i32 = 2024;
const SCHOOLS: usize = 10_000;
const STUDENTS: usize = 30_000_000;
const GRADUATES: usize = 10_000_000;
const TEACHERS: usize = 1_300_000;
const PROJECTS: usize = 500_000;

/// A current county of each province, in PROVINCES' order: where the schools are
/// (`vetis districts region CN` accepts them).
const COUNTIES: [&str; 31] = [
    "110105", "120101", "130102", "140105", "150102", "210102", "220102", "230102", "310104", "320102", "330102",
    "340102", "350102", "360102", "370102", "410102", "420102", "430102", "440104", "450102", "460105", "500103",
    "510104", "520102", "530102", "540102", "610102", "620102", "630102", "640104", "650102",
];
/// Birthplaces for the ID numbers, one per ID block (see `id`): county codes that are current and
/// valid in the historical list since before its records begin, so that a teacher born in 1975
/// passes the birthplace check as a student born in 2005 does (most codes date from 1983).
const BIRTHPLACES: [&str; 40] = [
    "110101", "120101", "140121", "150121", "210224", "222401", "230722", "310101", "330122", "340121", "350121",
    "360121", "422822", "430121", "510121", "520203", "530124", "540121", "610323", "620121", "632221", "640121",
    "650121", "110102", "120102", "140122", "150122", "210321", "222402", "232721", "310104", "330127", "340421",
    "422823", "430321", "510321", "522323", "532322", "540122", "610324",
];
const PROVINCES: [&str; 31] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44",
    "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
];

/// The n-th person's ID: blocks of 1,460,000 people share an area, each with 1,460 birth days and
/// 1,000 sequence numbers, so no two people get the same number.
fn id(n: usize, first_birth_year: i32) -> (String, bool) {
    let area = BIRTHPLACES[(n / 1_460_000) % BIRTHPLACES.len()];
    let within = n % 1_460_000;
    let day = chrono::NaiveDate::from_ymd_opt(first_birth_year, 1, 1).unwrap()
        + chrono::Duration::days((within / 1000) as i64);
    let seq = within % 1000;
    let body = format!("{area}{}{seq:03}", day.format("%Y%m%d"));
    let male = seq % 2 == 1;
    (format!("{body}{}", id_check_char(body.as_bytes())), male)
}

/// Writes the national files into `dir`, scaled by `fraction` (1.0 is the whole country).
pub fn write_scaled(
    dir: &Path,
    seed: u64,
    fraction: f64,
    progress: &dyn Fn(usize),
) -> std::io::Result<BTreeMap<Table, usize>> {
    let mut rng = Rng::new(seed).fork(99);
    let cat = catalogue();
    let tables = [Table::School, Table::Offering, Table::Student, Table::Graduate, Table::Teacher, Table::Training];
    let mut out = Tables::create(dir, &tables)?;
    let scale = |n: usize| ((n as f64) * fraction).round() as usize;
    let schools = scale(SCHOOLS).max(1);
    let per = |total: usize| scale(total) / schools;
    let mut person = 0usize;
    let year = YEAR.to_string();
    for k in 0..schools {
        let province = PROVINCES[k % PROVINCES.len()];
        let level = if k % 10 < 6 {
            0
        } else if k % 10 < 9 {
            1
        } else {
            2
        };
        let code = format!("41{province}{:06}", k);
        // A current county of that province (COUNTIES lists one per province in PROVINCES' order):
        // `vetis districts region CN` accepts it.
        let county = COUNTIES[k % PROVINCES.len()].to_string();
        let sponsor = ["市属", "区属", "民办", "省属"][k % 4];
        out.row(
            Table::School,
            &[
                &code,
                &format!("{}职业学校{k}", names::SCHOOL_WORDS[k % names::SCHOOL_WORDS.len()]),
                super::city::LEVELS_ZH[level],
                sponsor,
                &county,
                "1990",
            ],
        )?;
        let programs: Vec<&str> = (0..6).map(|_| rng.pick(&cat[level]).code.as_str()).collect();
        let mut offered: Vec<&str> = programs.clone();
        offered.sort();
        offered.dedup();
        for p in &offered {
            out.row(Table::Offering, &[&code, &year, p, "", "", "2015"])?;
        }
        for i in 0..per(STUDENTS) {
            let (idn, male) = id(person, 2005);
            person += 1;
            let entry = (YEAR - (i % 3) as i32).to_string();
            out.row(
                Table::Student,
                &[
                    &format!("{i:07}"),
                    "",
                    &idn,
                    &names::person(&mut rng),
                    if male { "男" } else { "女" },
                    &code,
                    &year,
                    offered[i % offered.len()],
                    "全日制",
                    &entry,
                    "普通",
                    "在籍",
                    "",
                    "",
                    "否",
                    "否",
                    "汉族",
                ],
            )?;
        }
        for i in 0..per(GRADUATES) {
            let (idn, male) = id(person, 2003);
            person += 1;
            let dest = ["升入高职专科", "单位就业", "单位就业", "灵活就业", "待就业"][i % 5];
            let in_field = if matches!(dest, "单位就业" | "灵活就业") {
                if i % 7 == 0 { "否" } else { "是" }
            } else {
                ""
            };
            out.row(
                Table::Graduate,
                &[
                    &format!("G{i:07}"),
                    "",
                    &idn,
                    &names::person(&mut rng),
                    if male { "男" } else { "女" },
                    &code,
                    offered[i % offered.len()],
                    &year,
                    dest,
                    "",
                    "",
                    "",
                    in_field,
                ],
            )?;
        }
        for i in 0..per(TEACHERS) {
            let (idn, male) = id(person, 1975);
            person += 1;
            let dual = i % 3 != 0;
            out.row(
                Table::Teacher,
                &[
                    &format!("T{i:05}"),
                    "",
                    &idn,
                    &names::person(&mut rng),
                    if male { "男" } else { "女" },
                    &code,
                    &year,
                    "专任教师",
                    if i % 5 < 3 { "是" } else { "否" },
                    if dual { "是" } else { "否" },
                    if dual { "2018-06-30" } else { "" },
                    "本科",
                    "学士",
                    "中级",
                    "2010-09-01",
                    "2",
                ],
            )?;
        }
        for i in 0..per(PROJECTS) {
            let n = 20 + rng.below(200);
            out.row(
                Table::Training,
                &[
                    &format!("PX{i:04}"),
                    &code,
                    &year,
                    "职业技能培训",
                    "企业职工",
                    &format!("{YEAR}-03-01"),
                    &format!("{YEAR}-04-30"),
                    "40",
                    &n.to_string(),
                    &n.to_string(),
                    &(n / 2).to_string(),
                    "",
                ],
            )?;
        }
        if k % 100 == 99 {
            progress(k + 1);
        }
    }
    let counts = out.rows.clone();
    out.finish()?;
    Ok(counts)
}

pub fn write(dir: &Path, seed: u64, progress: &dyn Fn(usize)) -> std::io::Result<BTreeMap<Table, usize>> {
    write_scaled(dir, seed, 1.0, progress)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn national_ids_are_valid_and_never_repeat_across_blocks() {
        let a = id(0, 2005).0;
        let b = id(1_460_000, 2005).0;
        assert_ne!(a, b);
        assert_ne!(&a[..6], &b[..6]);
        assert!(crate::domain::ids::IdNumber::parse(&id(1_459_999, 2005).0, None).is_ok());
    }

    #[test]
    fn every_birthplace_was_a_county_in_every_birth_year_the_generator_uses() {
        let history = include_str!("../../data/ref/cn-division-codes-historical.csv");
        let always: Vec<&str> = history
            .lines()
            .filter_map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f.len() == 5 && f[3].is_empty() && f[4].is_empty()).then_some(f[0])
            })
            .collect();
        for code in BIRTHPLACES {
            assert!(always.contains(&code), "{code} has no name valid in every year");
        }
        for (k, code) in COUNTIES.iter().enumerate() {
            assert_eq!(&code[..2], PROVINCES[k], "COUNTIES follows PROVINCES");
        }
    }
}

//! The demo city's schools and the programs they run, built from the seed and the 2021 catalogue.

use super::names::{FIELDS, SCHOOL_WORDS};
use super::rng::Rng;
use crate::store::refdata::CATALOG_2021;

#[derive(Debug, Clone)]
pub struct Program {
    pub code: String,
    pub name: String,
    /// 专业大类 code (2 digits).
    pub category: String,
}

/// Secondary, higher or bachelor (the `level` column), by index.
pub const LEVELS_ZH: [&str; 3] = ["中职", "高职", "职业本科"];

#[derive(Debug, Clone)]
pub struct School {
    pub code: String,
    pub name: String,
    pub level: usize,
    pub sponsor: &'static str,
    pub district: &'static str,
    pub founded: i32,
    /// Relative size (students).
    pub weight: f64,
    /// Programs by index into `programs`, with the year each was first offered.
    pub programs: Vec<(Program, i32)>,
    /// Quality (0–1): designations, training volume and teachers lean towards better schools.
    pub quality: f64,
}

impl School {
    /// In the plan's scope (municipal, district, private).
    pub fn in_scope(&self) -> bool {
        matches!(self.sponsor, "市属" | "区属" | "民办")
    }
    pub fn programs_in(&self, year: i32) -> impl Iterator<Item = &Program> {
        self.programs.iter().filter(move |(_, y)| *y <= year).map(|(p, _)| p)
    }
}

pub const DISTRICTS: [&str; 11] =
    ["440103", "440104", "440105", "440106", "440111", "440112", "440113", "440114", "440115", "440117", "440118"];
pub const DISTRICT_NAMES: [&str; 11] =
    ["荔湾区", "越秀区", "海珠区", "天河区", "白云区", "黄埔区", "番禺区", "花都区", "南沙区", "从化区", "增城区"];

/// The catalogue's programs by level (0 secondary, 1 higher, 2 bachelor).
pub fn catalogue() -> [Vec<Program>; 3] {
    let mut out: [Vec<Program>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    let mut rdr = csv::Reader::from_reader(CATALOG_2021.as_bytes());
    for r in rdr.records().flatten() {
        if &r[9] != "MAJOR" {
            continue;
        }
        let level = match &r[1] {
            "VOCATIONAL_SECONDARY" => 0,
            "VOCATIONAL_ASSOCIATE" => 1,
            _ => 2,
        };
        out[level].push(Program { code: r[6].to_string(), name: r[7].to_string(), category: r[2].to_string() });
    }
    out
}

/// How much a category matters to Guangzhou's key industries (plan-targets.md §4), by its place in
/// the catalogue (the same at every level: 装备制造 is 66, 46 and 26).
fn industry_weight(category: &str) -> f64 {
    match category.parse::<u32>().unwrap_or(0) % 20 {
        6 => 3.0,     // 装备制造: intelligent equipment, robots
        10 => 3.0,    // 交通运输: rail transit, new-energy vehicles
        11 => 3.5,    // 电子与信息: new-generation IT, AI, ICs
        13 => 2.5,    // 财经商贸: e-commerce
        14 => 2.0,    // 旅游: Cantonese cuisine, hospitality
        15 => 1.5,    // 文化艺术: digital creative
        12 => 1.5,    // 医药卫生: biomedicine and health
        7 | 3 => 1.0, // 生物与化工, 能源动力与材料
        4 => 1.0,     // 土木建筑
        _ => 0.4,
    }
}

/// `count` distinct programs of a level covering exactly `categories` categories, weighted towards
/// the key industries, always including the programs the plan names for training bases.
fn choose_programs(rng: &mut Rng, all: &[Program], count: usize, categories: usize) -> Vec<Program> {
    let mut cats: Vec<String> = all.iter().map(|p| p.category.clone()).collect();
    cats.sort();
    cats.dedup();
    // Leave out the categories a city economy like Guangzhou's needs least.
    cats.sort_by(|a, b| industry_weight(b).total_cmp(&industry_weight(a)).then(a.cmp(b)));
    cats.truncate(categories);
    let pool: Vec<&Program> = all.iter().filter(|p| cats.contains(&p.category)).collect();
    let named = [
        "汽车运用与维修",
        "电子商务",
        "中餐烹饪",
        "工业机器人技术应用",
        "电子技术应用",
        "新能源汽车技术",
        "计算机应用",
    ];
    let mut chosen: Vec<Program> =
        pool.iter().filter(|p| named.contains(&p.name.as_str())).map(|p| (*p).clone()).collect();
    for c in &cats {
        if !chosen.iter().any(|p| &p.category == c) {
            let in_cat: Vec<&&Program> = pool.iter().filter(|p| &p.category == c).collect();
            chosen.push((**rng.pick(&in_cat)).clone());
        }
    }
    let mut rest: Vec<&Program> = pool.iter().filter(|p| !chosen.iter().any(|c| c.code == p.code)).copied().collect();
    while chosen.len() < count && !rest.is_empty() {
        let w: Vec<f64> = rest.iter().map(|p| industry_weight(&p.category)).collect();
        let i = rng.weighted(&w);
        chosen.push(rest.remove(i).clone());
    }
    chosen
}

/// Spreads a set of programs over schools so that each is run somewhere, then gives every school a
/// few more of the set, up to `per_school`.
fn assign(rng: &mut Rng, schools: &mut [&mut School], set: &[Program], per_school: (usize, usize), founded: i32) {
    let mut order: Vec<usize> = (0..set.len()).collect();
    rng.shuffle(&mut order);
    for (k, i) in order.iter().enumerate() {
        let n = schools.len();
        schools[k % n].programs.push((set[*i].clone(), founded));
    }
    for s in schools.iter_mut() {
        let want = rng.range(per_school.0 as i64, per_school.1 as i64) as usize;
        let mut tries = 0;
        while s.programs.len() < want && tries < 200 {
            tries += 1;
            let p = rng.pick(set);
            if !s.programs.iter().any(|(q, _)| q.code == p.code) {
                s.programs.push((p.clone(), founded));
            }
        }
    }
}

/// The schools of the demo city.
pub fn schools(rng: &mut Rng) -> Vec<School> {
    let mut words: Vec<&str> = SCHOOL_WORDS.to_vec();
    rng.shuffle(&mut words);
    let mut next_word = words.into_iter();
    let mut out = Vec::new();
    let mut serial = 0;
    let mut add =
        |out: &mut Vec<School>, rng: &mut Rng, level: usize, sponsor: &'static str, district: usize, name: String| {
            serial += 1;
            let prefix = ["4144", "4144", "4144"][level];
            out.push(School {
                code: format!("{prefix}{:06}", 10_000 + serial * 37),
                name,
                level,
                sponsor,
                district: DISTRICTS[district],
                founded: rng.range(1952, 2005) as i32,
                weight: 0.6 + rng.unit() * 1.2,
                programs: Vec::new(),
                quality: rng.unit(),
            });
        };
    let mut word = || next_word.next().unwrap_or("新城");
    // Municipal secondary schools, mostly in the old centre.
    for i in 0..14 {
        let d = [0, 1, 2, 3, 3, 0, 1, 2, 4, 5, 6, 3, 2, 1][i];
        let name = format!("广州市{}{}职业学校", word(), FIELDS[i % FIELDS.len()]);
        add(&mut out, rng, 0, "市属", d, name);
    }
    // District secondary schools: every district at least one.
    for (k, d) in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 4, 6, 6, 7, 10, 5, 4].iter().enumerate() {
        let name = format!("广州市{}{}职业技术学校", DISTRICT_NAMES[*d], if k >= 11 { word() } else { "" });
        add(&mut out, rng, 0, "区属", *d, name);
    }
    for d in [4, 4, 6, 7, 10, 9, 8, 5] {
        let name = format!("广州{}{}职业学校", word(), FIELDS[rng.below(FIELDS.len())]);
        add(&mut out, rng, 0, "民办", d, name);
    }
    for d in [3, 2] {
        let name = format!("广东省{}{}学校", word(), FIELDS[rng.below(FIELDS.len())]);
        add(&mut out, rng, 0, "省属", d, name);
    }
    for d in [6, 5, 4, 3, 10, 7, 8, 9, 2, 4] {
        let name = format!("广州{}职业技术学院", word());
        add(&mut out, rng, 1, "市属", d, name);
    }
    let name = format!("广州{}职业技术大学", word());
    add(&mut out, rng, 2, "市属", 8, name);
    for d in [3, 4, 5] {
        let name = format!("广东{}职业学院", word());
        add(&mut out, rng, 1, "省属", d, name);
    }
    let cat = catalogue();
    // Plan §一: municipal and district secondary schools ran 133 programs in 18 categories;
    // municipal higher schools 128 programs in 17 categories.
    let sec_set = choose_programs(rng, &cat[0], 133, 18);
    let higher_set = choose_programs(rng, &cat[1], 128, 17);
    let bachelor_set = choose_programs(rng, &cat[2], 8, 5);
    {
        let mut group: Vec<&mut School> =
            out.iter_mut().filter(|s| s.level == 0 && matches!(s.sponsor, "市属" | "区属")).collect();
        assign(rng, &mut group, &sec_set, (6, 9), 2015);
    }
    {
        let mut group: Vec<&mut School> = out.iter_mut().filter(|s| s.level == 1 && s.sponsor == "市属").collect();
        assign(rng, &mut group, &higher_set, (14, 18), 2015);
    }
    for s in &mut out {
        let (pool, n): (&[Program], usize) = match (s.level, s.sponsor) {
            (0, "民办" | "省属") => (&sec_set, 5),
            (1, "省属") => (&cat[1], 12),
            (2, _) => (&bachelor_set, 8),
            _ => continue,
        };
        while s.programs.len() < n {
            let p = rng.pick(pool);
            if !s.programs.iter().any(|(q, _)| q.code == p.code) {
                s.programs.push((p.clone(), 2015));
            }
        }
    }
    // Later years: in-scope secondary schools open programs for the key industries.
    let extra: Vec<Program> = cat[0]
        .iter()
        .filter(|p| industry_weight(&p.category) >= 3.0 && !sec_set.iter().any(|q| q.code == p.code))
        .cloned()
        .collect();
    for year in 2022..=2025 {
        for _ in 0..3 {
            let idx: Vec<usize> =
                (0..out.len()).filter(|i| out[*i].level == 0 && matches!(out[*i].sponsor, "市属" | "区属")).collect();
            let s = &mut out[*rng.pick(&idx)];
            let p = rng.pick(&extra).clone();
            if !s.programs.iter().any(|(q, _)| q.code == p.code) {
                s.programs.push((p, year));
            }
        }
    }
    out
}

//! What schools report besides people: the registry, programs offered, basic conditions, social
//! training, cooperation with enterprises and designations.

use super::city::{LEVELS_ZH, School};
use super::rng::{Rng, apportion};
use super::targets::{ORDER_CLASSES_2020, TRAINING};
use super::writer::Tables;
use crate::domain::standard::Table;

pub fn registry(schools: &[School], out: &mut Tables) -> std::io::Result<()> {
    for s in schools {
        out.row(Table::School, &[&s.code, &s.name, LEVELS_ZH[s.level], s.sponsor, s.district, &s.founded.to_string()])?;
    }
    Ok(())
}

pub fn offerings(schools: &[School], year: i32, out: &mut Tables) -> std::io::Result<()> {
    for s in schools {
        let mut groups = 0;
        for (p, first) in s.programs.iter().filter(|(_, y)| *y <= year) {
            groups += 1;
            let group = format!("{}专业群", &p.name.chars().take(4).collect::<String>());
            out.row(
                Table::Offering,
                &[
                    &s.code,
                    &year.to_string(),
                    &p.code,
                    &p.name,
                    if groups % 3 == 1 { &group } else { "" },
                    &first.to_string(),
                ],
            )?;
        }
    }
    Ok(())
}

/// Basic conditions of secondary schools: most comfortably meet the 2010 standard; a few fall short
/// on one rule or another, fewer every year.
pub fn conditions(
    rng: &mut Rng,
    schools: &[School],
    year: i32,
    enrolled: &[usize],
    out: &mut Tables,
) -> std::io::Result<()> {
    for (i, s) in schools.iter().enumerate().filter(|(_, s)| s.level == 0) {
        let n = enrolled[i].max(300) as f64;
        // Schools whose quality is lowest are short of space; they improve over the period.
        let short = s.quality < 0.25 - 0.04 * f64::from(year - 2020);
        let f = if short { 0.75 } else { 1.15 + rng.unit() * 0.4 };
        let land = (n * 34.0 * f).max(if short { 30_000.0 } else { 41_000.0 });
        let building = (n * 21.0 * f).max(if short { 18_000.0 } else { 24_500.0 });
        let equipment = (n * 0.26 * f).max(if short { 250.0 } else { 310.0 });
        let books = (n * 31.0 * f) as i64;
        out.row(
            Table::Condition,
            &[
                &s.code,
                &year.to_string(),
                &format!("{land:.0}"),
                &format!("{building:.0}"),
                &format!("{equipment:.1}"),
                &books.to_string(),
                &((n * 0.45) as i64).to_string(),
            ],
        )?;
    }
    Ok(())
}

const TRAINING_KINDS: [(&str, &str); 12] = [
    ("广东技工", "技能提升培训"),
    ("粤菜师傅", "粤菜师傅工程培训"),
    ("南粤家政", "南粤家政服务培训"),
    ("退役军人", "退役军人职业技能培训"),
    ("农民工", "农民工技能培训"),
    ("高校毕业生", "高校毕业生就业技能培训"),
    ("残疾人", "残疾人职业技能培训"),
    ("企业职工", "企业职工岗位技能培训"),
    ("1+X证书", "1+X职业技能等级证书培训"),
    ("社区教育", "社区居民技能培训"),
    ("老年教育", "老年人智能技术运用培训"),
    ("其他", "职业技能公益培训"),
];

/// A training project as the demo's surveys need it.
pub struct Project {
    pub school: usize,
    pub code: String,
    pub end: chrono::NaiveDate,
    pub completed: usize,
}

/// Training projects: the person-times of in-scope schools add up to the year's target exactly.
pub fn training(rng: &mut Rng, schools: &[School], year: i32, out: &mut Tables) -> std::io::Result<Vec<Project>> {
    let mut written = Vec::new();
    let scope: Vec<usize> = (0..schools.len()).filter(|i| schools[*i].in_scope()).collect();
    let weights: Vec<f64> = scope
        .iter()
        .map(|i| schools[*i].weight * (0.5 + schools[*i].quality * 1.5) * if schools[*i].level > 0 { 2.0 } else { 1.0 })
        .collect();
    let per_school = apportion(TRAINING.at(year) as usize, &weights);
    let mut others: Vec<(usize, usize)> =
        (0..schools.len()).filter(|i| !schools[*i].in_scope()).map(|i| (i, 2_000 + rng.below(6_000))).collect();
    let mut all: Vec<(usize, usize)> = scope.iter().copied().zip(per_school).collect();
    all.append(&mut others);
    for (i, total) in all {
        let projects = (total / 900).clamp(2, 60);
        let split = apportion(total, &(0..projects).map(|_| 0.3 + rng.unit()).collect::<Vec<_>>());
        for (k, person_times) in split.into_iter().enumerate() {
            let (category, name) = *rng.pick(&TRAINING_KINDS);
            let start =
                chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap() + chrono::Duration::days(rng.range(0, 300));
            let end = (start + chrono::Duration::days(rng.range(1, 60)))
                .min(chrono::NaiveDate::from_ymd_opt(year, 12, 31).unwrap());
            let completed = person_times - person_times * rng.below(8) / 100;
            let certified = completed * (60 + rng.below(35)) / 100;
            out.row(
                Table::Training,
                &[
                    &format!("PX{year}{:03}", k + 1),
                    &schools[i].code,
                    &year.to_string(),
                    &format!("{year}年{name}（第{}期）", k + 1),
                    category,
                    &start.format("%Y-%m-%d").to_string(),
                    &end.format("%Y-%m-%d").to_string(),
                    &rng.range(8, 120).to_string(),
                    &person_times.to_string(),
                    &completed.to_string(),
                    &certified.to_string(),
                    &(person_times as i64 * rng.range(50, 400)).to_string(),
                ],
            )?;
            written.push(Project { school: i, code: format!("PX{year}{:03}", k + 1), end, completed });
        }
    }
    Ok(written)
}

const FORMS: [&str; 7] =
    ["现代学徒制", "产业学院", "共建实训基地", "职业教育集团", "教师企业工作站", "技术服务", "其他"];

/// Cooperation with enterprises; order classes at secondary schools number 178 in 2020 (plan §一).
pub fn cooperation(
    rng: &mut Rng,
    schools: &[School],
    year: i32,
    firms: &[(String, String)],
    out: &mut Tables,
) -> std::io::Result<()> {
    let secondary: Vec<usize> =
        (0..schools.len()).filter(|i| schools[*i].level == 0 && schools[*i].in_scope()).collect();
    let classes = ORDER_CLASSES_2020 + 6 * (year - 2020).max(0) as usize;
    let per = apportion(classes, &secondary.iter().map(|i| schools[*i].weight).collect::<Vec<_>>());
    let per_school: Vec<usize> =
        (0..schools.len()).map(|i| secondary.iter().position(|s| *s == i).map_or(0, |k| per[k])).collect();
    for (i, s) in schools.iter().enumerate() {
        let programs: Vec<&str> = s.programs_in(year).map(|p| p.code.as_str()).collect();
        let mut used = std::collections::HashSet::new();
        let mut emit = |rng: &mut Rng, form: &str, students: usize, out: &mut Tables| -> std::io::Result<()> {
            // One row per enterprise, form and program: draw until the combination is new (with
            // 600 enterprises that is quick; the bound only guards against the impossible).
            for _ in 0..10_000 {
                let f = rng.pick(firms);
                let p = *rng.pick(&programs);
                if used.insert((f.0.clone(), form.to_string(), p.to_string())) {
                    return out.row(
                        Table::Cooperation,
                        &[
                            &s.code,
                            &year.to_string(),
                            &f.0,
                            &f.1,
                            form,
                            p,
                            &students.to_string(),
                            &format!("{year}-09-01"),
                            &format!("{}-06-30", year + 3),
                        ],
                    );
                }
            }
            Ok(())
        };
        for _ in 0..per_school[i] {
            let n = 40 + rng.below(35);
            emit(rng, "订单培养班", n, out)?;
        }
        for _ in 0..(3 + rng.below(6)) {
            let form = *rng.pick(&FORMS);
            let n = rng.below(120);
            emit(rng, form, n, out)?;
        }
    }
    Ok(())
}

/// Designations by kind: (kind, level, schools' level filter, approvals (year, count), acceptance
/// delay in years, count accepted by 2025). Chosen so that some counted targets of the plan are met
/// and some are not.
struct Plan {
    kind: &'static str,
    level: &'static str,
    secondary_only: bool,
    approvals: &'static [(i32, usize)],
    /// Years to acceptance; 0: no acceptance step (counted while in construction).
    delay: i32,
    /// Of the approvals, how many are accepted (the rest stay in construction; one may be revoked).
    accepted: usize,
}

const DESIGNATIONS: &[Plan] = &[
    Plan {
        kind: "省高水平中等职业学校",
        level: "省级",
        secondary_only: true,
        approvals: &[(2019, 8), (2021, 2)],
        delay: 0,
        accepted: 10,
    },
    Plan {
        kind: "省高水平中职专业群",
        level: "省级",
        secondary_only: true,
        approvals: &[(2019, 6), (2020, 6), (2021, 6)],
        delay: 2,
        accepted: 16,
    },
    Plan {
        kind: "国家级优质中等职业学校",
        level: "国家级",
        secondary_only: true,
        approvals: &[(2021, 5)],
        delay: 3,
        accepted: 5,
    },
    Plan {
        kind: "中国特色高水平高职学校",
        level: "国家级",
        secondary_only: false,
        approvals: &[(2019, 2)],
        delay: 5,
        accepted: 2,
    },
    Plan {
        kind: "国家示范性职业教育集团",
        level: "国家级",
        secondary_only: false,
        approvals: &[(2019, 1), (2022, 1)],
        delay: 1,
        accepted: 2,
    },
    Plan {
        kind: "三全育人典型学校",
        level: "市级",
        secondary_only: false,
        approvals: &[(2021, 3), (2023, 3)],
        delay: 2,
        accepted: 6,
    },
    Plan {
        kind: "名班主任工作室",
        level: "市级",
        secondary_only: true,
        approvals: &[(2021, 5)],
        delay: 3,
        accepted: 5,
    },
    Plan {
        kind: "德育特色案例", level: "市级", secondary_only: true, approvals: &[(2022, 4)], delay: 1, accepted: 4
    },
    Plan {
        kind: "思政课教学创新团队",
        level: "市级",
        secondary_only: false,
        approvals: &[(2021, 5), (2022, 5)],
        delay: 2,
        accepted: 10,
    },
    Plan {
        kind: "思政课示范课堂",
        level: "市级",
        secondary_only: false,
        approvals: &[(2021, 10), (2023, 12)],
        delay: 1,
        accepted: 22,
    },
    Plan {
        kind: "课程思政教育案例",
        level: "市级",
        secondary_only: false,
        approvals: &[(2022, 15), (2024, 10)],
        delay: 1,
        accepted: 25,
    },
    Plan {
        kind: "名教师、名校长、教育专家工作室",
        level: "市级",
        secondary_only: false,
        approvals: &[(2021, 12), (2022, 9)],
        delay: 3,
        accepted: 21,
    },
    Plan {
        kind: "核心素养档案包试点学校",
        level: "市级",
        secondary_only: true,
        approvals: &[(2022, 5)],
        delay: 2,
        accepted: 5,
    },
    Plan {
        kind: "示范专业和校企合作项目",
        level: "市级",
        secondary_only: false,
        approvals: &[(2021, 7), (2023, 7)],
        delay: 2,
        accepted: 14,
    },
    Plan {
        kind: "产教融合实训基地",
        level: "市级",
        secondary_only: false,
        approvals: &[(2021, 9), (2023, 9)],
        delay: 2,
        accepted: 18,
    },
    Plan {
        kind: "市级精品课程",
        level: "市级",
        secondary_only: false,
        approvals: &[(2021, 30), (2022, 30), (2023, 30)],
        delay: 2,
        accepted: 84,
    },
    Plan {
        kind: "教师教学创新团队",
        level: "市级",
        secondary_only: false,
        approvals: &[(2022, 12)],
        delay: 2,
        accepted: 12,
    },
    Plan {
        kind: "虚拟仿真实训基地",
        level: "省级",
        secondary_only: false,
        approvals: &[(2022, 3)],
        delay: 2,
        accepted: 3,
    },
    Plan {
        kind: "信息化标杆学校",
        level: "市级",
        secondary_only: false,
        approvals: &[(2021, 6)],
        delay: 2,
        accepted: 6,
    },
    Plan {
        kind: "退役军人培训创业就业基地",
        level: "国家级",
        secondary_only: false,
        approvals: &[(2022, 1)],
        delay: 2,
        accepted: 1,
    },
    Plan {
        kind: "中外合作办学项目",
        level: "省级",
        secondary_only: false,
        approvals: &[(2021, 2), (2023, 2)],
        delay: 0,
        accepted: 4,
    },
    Plan {
        kind: "职业本科（应用型本科）学校",
        level: "省级",
        secondary_only: false,
        approvals: &[(2020, 1)],
        delay: 1,
        accepted: 1,
    },
];

/// The years the provincial high-level secondary schools pass acceptance (indicator 3: 10 by 2025).
const HIGH_LEVEL_ACCEPTANCE: [i32; 10] = [2022, 2022, 2023, 2023, 2023, 2024, 2024, 2024, 2025, 2025];

/// A designation as written: code, kind (Chinese), school index, approval year.
pub type Written = (String, &'static str, usize, i32);

pub fn designations(
    rng: &mut Rng,
    schools: &[School],
    last_year: i32,
    out: &mut Tables,
) -> std::io::Result<Vec<Written>> {
    let mut written = Vec::new();
    let mut by_quality: Vec<usize> = (0..schools.len()).filter(|i| schools[*i].in_scope()).collect();
    by_quality.sort_by(|a, b| schools[*b].quality.total_cmp(&schools[*a].quality));
    let mut serial = 0;
    for plan in DESIGNATIONS {
        let candidates: Vec<usize> = by_quality
            .iter()
            .copied()
            .filter(|i| if plan.secondary_only { schools[*i].level == 0 } else { true })
            .filter(|i| plan.kind != "职业本科（应用型本科）学校" || schools[*i].level == 2)
            .filter(|i| plan.kind != "中国特色高水平高职学校" || schools[*i].level == 1)
            .collect();
        let one_per_school = plan.kind.ends_with("学校");
        let mut k = 0;
        for (approved, count) in plan.approvals {
            for _ in 0..*count {
                serial += 1;
                let school = if one_per_school {
                    candidates[k % candidates.len()]
                } else {
                    candidates[rng.below(candidates.len().min(20))]
                };
                let s = &schools[school];
                let accepted_year = if plan.kind == "省高水平中等职业学校" {
                    Some(HIGH_LEVEL_ACCEPTANCE[k.min(9)])
                } else if k < plan.accepted && plan.delay > 0 {
                    Some((approved + plan.delay).min(2025))
                } else {
                    None
                };
                let accepted_year = accepted_year.filter(|y| *y <= last_year);
                let program = s.programs.first().map(|p| p.0.code.clone()).unwrap_or_default();
                let subject = match plan.kind {
                    "省高水平中职专业群" => format!("{}专业群", s.programs[k % s.programs.len()].0.name),
                    "市级精品课程" => format!("{}核心课程{}", s.programs[k % s.programs.len()].0.name, k + 1),
                    _ => String::new(),
                };
                let program = if plan.kind == "省高水平中职专业群" {
                    s.programs[k % s.programs.len()].0.code.clone()
                } else {
                    program
                };
                let status = if accepted_year.is_some() { "验收通过" } else { "立项建设" };
                written.push((format!("XM{approved}{serial:04}"), plan.kind, school, *approved));
                out.row(
                    Table::Designation,
                    &[
                        &format!("XM{approved}{serial:04}"),
                        plan.kind,
                        plan.level,
                        &s.code,
                        &subject,
                        if plan.kind == "省高水平中职专业群" { &program } else { "" },
                        &approved.to_string(),
                        status,
                        &accepted_year.map(|y| y.to_string()).unwrap_or_default(),
                    ],
                )?;
                k += 1;
            }
        }
    }
    // District key schools: one in every district but Conghua (plan: 1–2 in every district).
    for d in super::city::DISTRICTS.iter().filter(|d| **d != "440117") {
        if let Some(i) = by_quality.iter().find(|i| schools[**i].district == *d && schools[**i].sponsor == "区属") {
            serial += 1;
            out.row(
                Table::Designation,
                &[
                    &format!("XM2021{serial:04}"),
                    "区重点建设中等职业学校",
                    "区级",
                    &schools[*i].code,
                    "",
                    "",
                    "2021",
                    "立项建设",
                    "",
                ],
            )?;
        }
    }
    Ok(written)
}

//! The demo city's curricula and learning outcomes (the Credit bank issue): every program's courses
//! each year, with credits, hours and the 职业精神 hours of its ideological course (a few programs
//! fall short of the plan's 16 hours, fewer each year); and the certificates its graduates earn in
//! their last year: 1+X certificates in most programs, skill levels, a few competition awards.

use super::city::School;
use super::ids;
use super::people::Student;
use super::rng::Rng;
use super::writer::Tables;
use crate::domain::standard::Table;

/// Courses every program has, by level (secondary, higher and bachelor): name, type, credits, hours.
const GENERAL_SECONDARY: [(&str, u32, u32); 8] = [
    ("思想政治", 8, 144),
    ("语文", 10, 198),
    ("数学", 8, 144),
    ("英语", 8, 144),
    ("信息技术", 6, 108),
    ("体育与健康", 8, 144),
    ("历史", 4, 72),
    ("艺术", 2, 36),
];
const GENERAL_HIGHER: [(&str, u32, u32); 6] = [
    ("思想道德与法治", 3, 48),
    ("毛泽东思想和中国特色社会主义理论体系概论", 4, 64),
    ("大学英语", 6, 96),
    ("体育", 4, 108),
    ("信息技术", 3, 48),
    ("职业发展与就业指导", 2, 38),
];

/// The courses of each program the schools run in `year`.
pub fn curricula(rng: &mut Rng, schools: &[School], year: i32, out: &mut Tables) -> std::io::Result<()> {
    // The share of programs whose ideological course has too few 职业精神 hours: 12 % in 2020,
    // falling by two points a year.
    let short = (0.12 - 0.02 * f64::from(year - 2020)).max(0.01);
    for s in schools {
        for p in s.programs_in(year) {
            let general: &[(&str, u32, u32)] = if s.level == 0 { &GENERAL_SECONDARY } else { &GENERAL_HIGHER };
            let mut n = 0;
            let mut course = |kind: &str, name: &str, credits: f64, hours: f64, ideals: Option<f64>| {
                n += 1;
                let code = format!("{}{}{n:02}", p.code, &kind[..1].to_uppercase());
                let ideals = ideals.map(|h| format!("{h}")).unwrap_or_default();
                out.row(
                    Table::Curriculum,
                    &[
                        &s.code,
                        &year.to_string(),
                        &p.code,
                        &code,
                        name,
                        match kind {
                            "general" => "公共基础课",
                            "foundation" => "专业基础课",
                            "core" => "专业核心课",
                            "elective" => "专业拓展课",
                            _ => "实习实训",
                        },
                        &format!("{credits}"),
                        &format!("{hours}"),
                        &ideals,
                    ],
                )
            };
            for (i, (name, credits, hours)) in general.iter().enumerate() {
                // The first general course carries the 职业精神、工匠精神、劳模精神 topics.
                let ideals =
                    (i == 0).then(|| if rng.chance(short) { rng.range(8, 15) } else { rng.range(16, 24) } as f64);
                course("general", name, f64::from(*credits), f64::from(*hours), ideals)?;
            }
            let numbers = ["一", "二", "三", "四", "五", "六"];
            for k in numbers.iter().take(4) {
                course("foundation", &format!("{}专业基础（{k}）", p.name), 4.0, 72.0, None)?;
            }
            for k in numbers.iter().take(if s.level == 0 { 5 } else { 6 }) {
                course("core", &format!("{}核心课程（{k}）", p.name), rng.range(3, 5) as f64, 72.0, None)?;
            }
            for k in numbers.iter().take(3) {
                course("elective", &format!("{}拓展课程（{k}）", p.name), 2.0, 36.0, None)?;
            }
            course("practicum", "岗位实习", if s.level == 0 { 20.0 } else { 24.0 }, 540.0, None)?;
        }
    }
    Ok(())
}

/// The organisations that issue the demo city's certificates: 1+X training-evaluation
/// organisations, the skill-level assessment centre and the competition committee.
pub struct Issuers {
    list: Vec<(String, String)>,
}

impl Issuers {
    pub fn new(rng: &mut Rng) -> Issuers {
        let names = [
            "广东智造职业技能评价有限公司",
            "南粤数字技术培训评价中心",
            "华南汽车技术教育科技有限公司",
            "岭南商贸职业技能评价有限公司",
            "粤港澳大湾区健康服务培训评价中心",
            "广州市职业技能等级认定指导中心（示例）",
            "广州市职业院校技能大赛组委会（示例）",
        ];
        let list = names.iter().map(|n| (n.to_string(), ids::credit_code(rng, "440106"))).collect();
        Issuers { list }
    }
}

/// Certificates the graduates of `year` earned in their last year.
pub fn certificates(
    rng: &mut Rng,
    schools: &[School],
    students: &[Student],
    year: i32,
    issuers: &Issuers,
    out: &mut Tables,
) -> std::io::Result<()> {
    let mut serial = 0u32;
    for st in students.iter().filter(|st| st.graduates_in(year)) {
        let s = &schools[st.school];
        let Some((program, _)) = s.programs.get(st.program) else { continue };
        // The 1+X pilot "steadily advances" (plan 四): 30 % of secondary graduates (38 % of higher)
        // hold one in 2020, four points more each year.
        let x_share = if s.level == 0 { 0.30 } else { 0.38 } + 0.04 * f64::from((year - 2020).max(0));
        let mut write = |rng: &mut Rng, issuer: usize, kind: &str, title: &str, level: &str, valid: bool| {
            serial += 1;
            let (issuer_name, issuer_code) = &issuers.list[issuer];
            let month = if rng.chance(0.5) { 6 } else { 12 };
            let issued = format!("{}-{month:02}-{:02}", year - 1, rng.range(1, 28));
            let valid_until = if valid { format!("{}-{month:02}-28", year + 2) } else { String::new() };
            let hours =
                if kind == "1+X职业技能等级证书" { format!("{}", rng.range(4, 8) * 12) } else { String::new() };
            out.row(
                Table::Certificate,
                &[
                    &format!("{issuer:02}{}{serial:07}", year - 1),
                    "居民身份证",
                    &st.id,
                    &st.name,
                    kind,
                    title,
                    level,
                    issuer_name,
                    issuer_code,
                    &issued,
                    &valid_until,
                    &s.code,
                    &program.code,
                    &hours,
                    "",
                ],
            )
        };
        if rng.chance(x_share) {
            let level = match (s.level, rng.weighted(&[0.6, 0.3, 0.1])) {
                (0, 0 | 2) | (1.., 0) => "初级",
                (0, _) | (1.., 1) => "中级",
                _ => "高级",
            };
            let (issuer, valid) = (rng.below(5), rng.chance(0.3));
            write(rng, issuer, "1+X职业技能等级证书", &format!("{}职业技能等级证书", program.name), level, valid)?;
        }
        if rng.chance(0.12) {
            let level = if s.level == 0 { "初级" } else { "中级" };
            write(rng, 5, "职业技能等级认定", &format!("{}（职业技能等级）", program.name), level, false)?;
        }
        if rng.chance(0.02 + 0.03 * s.quality) {
            let level =
                *rng.pick(&["市级一等奖", "市级二等奖", "市级三等奖", "省级二等奖", "省级三等奖", "国家级三等奖"]);
            write(rng, 6, "技能竞赛获奖", &format!("职业院校技能大赛 {}赛项", program.name), level, false)?;
        }
    }
    Ok(())
}

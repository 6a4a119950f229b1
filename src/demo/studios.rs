//! The members and outputs of the demo city's studios and teams (data standard v1.3): a host and a
//! few core members and members from the school's teachers (now and then one from another school),
//! and one to three outputs a year from the year after approval.

use super::activity::Written;
use super::city::School;
use super::rng::Rng;
use super::staff::Staff;
use super::writer::Tables;
use crate::domain::standard::Table;

const OUTPUTS: [(&str, &str); 7] = [
    ("教材", "校本教材《{}》"),
    ("课程", "{}在线开放课程"),
    ("论文", "{}教学改革研究"),
    ("获奖", "{}教学成果奖"),
    ("技术服务", "面向企业的{}技术服务"),
    ("培训", "{}骨干教师培训"),
    ("专利", "一种用于{}实训的装置"),
];

/// Writes the members and outputs of every studio and team among `written`.
pub fn write(
    rng: &mut Rng,
    schools: &[School],
    staff: &Staff,
    written: &[Written],
    last_year: i32,
    out: &mut Tables,
) -> std::io::Result<()> {
    for (code, kind, school, approved) in written.iter().filter(|w| w.1.contains("工作室") || w.1.contains("创新团队"))
    {
        let here: Vec<&super::staff::Teacher> =
            staff.teachers.iter().filter(|t| t.school == *school && t.full_time() && t.present(last_year)).collect();
        if here.is_empty() {
            continue;
        }
        let size = (3 + rng.below(5)).min(here.len());
        let mut picked: Vec<usize> = Vec::new();
        while picked.len() < size {
            let i = rng.below(here.len());
            if !picked.contains(&i) {
                picked.push(i);
            }
        }
        for (n, i) in picked.iter().enumerate() {
            let role = match n {
                0 => "主持人",
                1 | 2 => "核心成员",
                _ => "成员",
            };
            let joined = format!("{approved}-{:02}-01", 3 + rng.below(8));
            out.row(Table::Member, &[code, &schools[*school].code, &here[*i].no, role, &joined])?;
        }
        // Now and then a member from another school of the same level.
        if rng.chance(0.3)
            && let Some(t) = staff.teachers.iter().find(|t| {
                t.school != *school
                    && schools[t.school].level == schools[*school].level
                    && t.full_time()
                    && t.present(last_year)
            })
        {
            out.row(
                Table::Member,
                &[code, &schools[t.school].code, &t.no, "成员", &format!("{}-09-01", approved + 1)],
            )?;
        }
        let topic = schools[*school].programs.first().map_or(*kind, |p| p.0.name.as_str());
        for year in (approved + 1)..=last_year {
            // Distinct kinds within a year: a title is unique per school, year and designation.
            let mut kinds: Vec<usize> = (0..OUTPUTS.len()).collect();
            rng.shuffle(&mut kinds);
            for i in kinds.into_iter().take(1 + rng.below(3)) {
                let (k, pattern) = OUTPUTS[i];
                let title = pattern.replace("{}", topic);
                out.row(
                    Table::Output,
                    &[
                        code,
                        &schools[*school].code,
                        &year.to_string(),
                        k,
                        &title,
                        &format!("{year}-{:02}-15", 1 + rng.below(12)),
                        "",
                    ],
                )?;
            }
        }
    }
    Ok(())
}

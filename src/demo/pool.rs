//! The demo city's pool of part-time teachers from enterprises (the Teachers issue): about 300
//! experts, two thirds of them people the schools already list as part-time teachers (registered by
//! their school) and the rest registered by the bureau; each with the programs they can teach,
//! their skills, a fixed or flexible post, and consent to be listed for most. Written as
//! `pool/experts.csv` in the columns `vetis pool import` reads, beside (not among) the standard's files.

use std::path::{Path, PathBuf};

use super::city::School;
use super::ids::IdMaker;
use super::names;
use super::rng::Rng;
use super::staff::Staff;

const SKILLS: [&str; 12] = [
    "企业项目管理",
    "工艺改进",
    "设备维护",
    "质量检测",
    "客户服务",
    "数据分析",
    "安全生产",
    "产品设计",
    "现场施工",
    "生产调度",
    "技术培训",
    "标准制定",
];
const TITLES: [&str; 5] = ["正高级", "副高级", "中级", "中级", ""];

/// How many experts the pool holds.
const SIZE: usize = 300;

/// Writes `dir/pool/experts.csv`; returns its path and how many experts.
pub fn write(
    dir: &Path,
    rng: &mut Rng,
    schools: &[School],
    staff: &Staff,
    firms: &[(String, String)],
    year: i32,
    ids: &mut IdMaker,
) -> std::io::Result<(PathBuf, usize)> {
    let folder = dir.join("pool");
    std::fs::create_dir_all(&folder)?;
    let path = folder.join("experts.csv");
    let mut w = csv::Writer::from_path(&path)?;
    w.write_record([
        "id_number",
        "name",
        "enterprise_credit_code",
        "enterprise_name",
        "programs",
        "skills",
        "title",
        "post",
        "available_from",
        "available_until",
        "consent",
        "school_code",
    ])?;
    let mut n = 0;
    let row =
        |w: &mut csv::Writer<std::fs::File>, rng: &mut Rng, id: &str, name: &str, school: &School, by_school: bool| {
            let programs: Vec<&super::city::Program> = school.programs_in(year).collect();
            if programs.is_empty() {
                return Ok::<bool, std::io::Error>(false);
            }
            let first = programs[rng.below(programs.len())];
            let mut teach = vec![first.code.clone()];
            if let Some(other) = programs.iter().find(|p| p.category == first.category && p.code != first.code)
                && rng.chance(0.4)
            {
                teach.push(other.code.clone());
            }
            let skills = [format!("{}实务", first.name), (*rng.pick(&SKILLS)).to_string()];
            let (code, firm) = rng.pick(firms);
            let flexible = rng.chance(0.6);
            w.write_record([
                id,
                name,
                code.as_str(),
                firm.as_str(),
                &teach.join(";"),
                &skills.join("、"),
                *rng.pick(&TITLES),
                if flexible { "流动岗" } else { "固定岗" },
                &format!("{}-09-01", year - rng.range(0, 4) as i32),
                if flexible { "" } else { "2028-08-31" },
                if rng.chance(0.92) { "是" } else { "否" },
                if by_school { school.code.as_str() } else { "" },
            ])?;
            Ok(true)
        };
    // The schools' part-time teachers first: their teacher rows link to the pool by person.
    for t in staff.teachers.iter().filter(|t| t.part_time() && t.present(year)) {
        if n >= SIZE * 2 / 3 {
            break;
        }
        let (id, name) = t.person();
        if row(&mut w, rng, id, name, &schools[t.school], true)? {
            n += 1;
        }
    }
    while n < SIZE {
        let school = &schools[rng.below(schools.len())];
        let male = rng.chance(0.6);
        let born = 1965 + rng.range(0, 25) as i32;
        let (id, _) = ids.person(rng, born, male);
        let name = names::person(rng);
        if row(&mut w, rng, &id, &name, school, false)? {
            n += 1;
        }
    }
    w.flush()?;
    Ok((path, n))
}

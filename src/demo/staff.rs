//! Teachers of the demo city: they stay from year to year with some turnover; new hires fill the
//! posts that enrolment needs; dual qualification and degrees are earned over time, and the
//! calibrated shares (indicators 7, 8, 9) are met exactly by who is promoted or hired.

use super::city::School;
use super::ids::IdMaker;
use super::names;
use super::rng::Rng;
use super::targets::{HIGHER_DUAL, SECONDARY_DUAL, SECONDARY_MASTER, STUDENTS_PER_TEACHER, count_for_share};
use super::writer::Tables;
use crate::domain::standard::Table;

pub struct Teacher {
    pub no: String,
    id: String,
    name: String,
    male: bool,
    pub school: usize,
    /// 专任教师, 兼职教师, 外聘教师 or 行政兼课.
    category: &'static str,
    pub specialty: bool,
    dual_since: Option<String>,
    master: bool,
    doctor: bool,
    hired: i32,
    pub left: Option<i32>,
    title: &'static str,
    industry_years: i64,
}

impl Teacher {
    /// The person: ID number and name (for the part-time pool, which links by person).
    pub fn person(&self) -> (&str, &str) {
        (&self.id, &self.name)
    }
    pub fn part_time(&self) -> bool {
        self.category == "兼职教师"
    }
    pub fn present(&self, year: i32) -> bool {
        self.hired <= year && self.left.is_none_or(|l| l > year)
    }
    pub fn full_time(&self) -> bool {
        self.category == "专任教师"
    }
}

const TITLES: [&str; 6] = ["正高级", "副高级", "中级", "中级", "初级", "未评"];

pub struct Staff {
    pub teachers: Vec<Teacher>,
    rng: Rng,
    serial: Vec<usize>,
}

impl Staff {
    pub fn new(rng: Rng, schools: usize) -> Staff {
        Staff { teachers: Vec::new(), rng, serial: vec![0; schools] }
    }

    fn hire(&mut self, schools: &[School], school: usize, year: i32, category: &'static str, ids: &mut IdMaker) {
        let r = &mut self.rng;
        let male = r.chance(0.45);
        let birth = year - r.range(23, 45) as i32;
        let (id, _) = ids.person(r, birth, male);
        self.serial[school] += 1;
        let level = schools[school].level;
        let master = r.chance(if level == 0 { 0.2 } else { 0.55 });
        self.teachers.push(Teacher {
            no: format!("T{:04}", self.serial[school]),
            id,
            name: names::person(r),
            male,
            school,
            category,
            specialty: r.chance(0.62),
            dual_since: None,
            master,
            doctor: level > 0 && master && r.chance(0.15),
            hired: year,
            left: None,
            title: TITLES[r.below(TITLES.len())],
            industry_years: if r.chance(0.4) { r.range(1, 12) } else { 0 },
        });
    }

    /// Turnover, hiring to the posts `enrolled` needs, and the calibration of the shares.
    pub fn year(&mut self, schools: &[School], year: i32, enrolled: &[usize], first_year: i32, ids: &mut IdMaker) {
        if year > first_year {
            for t in self.teachers.iter_mut().filter(|t| t.present(year - 1)) {
                if self.rng.chance(if t.full_time() { 0.04 } else { 0.15 }) {
                    t.left = Some(year);
                }
            }
        }
        for (i, s) in schools.iter().enumerate() {
            let need_ft = (enrolled[i] as f64 / STUDENTS_PER_TEACHER[s.level]).ceil() as usize;
            let need_other = need_ft / 8;
            let have_ft = self.teachers.iter().filter(|t| t.school == i && t.present(year) && t.full_time()).count();
            let have_other =
                self.teachers.iter().filter(|t| t.school == i && t.present(year) && !t.full_time()).count();
            let hired_in = if year == first_year { 1990 } else { year };
            for _ in have_ft..need_ft {
                self.hire(schools, i, year, "专任教师", ids);
                let t = self.teachers.last_mut().unwrap();
                if year == first_year {
                    t.hired = hired_in + self.rng.range(0, i64::from(first_year - 1990)) as i32;
                }
            }
            for _ in have_other..need_other {
                let c = *self.rng.pick(&["兼职教师", "外聘教师", "外聘教师", "行政兼课"]);
                self.hire(schools, i, year, c, ids);
                if year == first_year {
                    let t = self.teachers.last_mut().unwrap();
                    t.hired = first_year - self.rng.range(0, 4) as i32;
                }
            }
        }
        let secondary = |s: &School| s.level == 0 && s.in_scope();
        let higher = |s: &School| s.level > 0 && s.in_scope();
        self.steer_dual(schools, year, &secondary, SECONDARY_DUAL.at(year));
        self.steer_dual(schools, year, &higher, HIGHER_DUAL.at(year));
        self.steer_master(schools, year, &secondary, SECONDARY_MASTER.at(year));
        // Outside the plan's scope, about two thirds of specialty teachers are dual-qualified.
        let others: Vec<usize> = (0..self.teachers.len())
            .filter(|i| {
                let t = &self.teachers[*i];
                t.present(year) && !schools[t.school].in_scope() && t.hired == year && t.specialty
            })
            .collect();
        for i in others {
            if self.rng.chance(0.66) {
                self.teachers[i].dual_since = Some(format!("{year}-06-30"));
            }
        }
    }

    /// Brings the dual-qualified share of full-time specialty teachers in `group` to `share`:
    /// teachers qualify during the year, or, when the share would overshoot, this year's hires
    /// are the ones who have not qualified yet.
    fn steer_dual(&mut self, schools: &[School], year: i32, group: &dyn Fn(&School) -> bool, share: f64) {
        let pool: Vec<usize> = (0..self.teachers.len())
            .filter(|i| {
                let t = &self.teachers[*i];
                t.present(year) && t.full_time() && t.specialty && group(&schools[t.school])
            })
            .collect();
        let target = count_for_share(share, pool.len());
        let mut dual: Vec<usize> = pool.iter().copied().filter(|i| self.teachers[*i].dual_since.is_some()).collect();
        let mut not: Vec<usize> = pool.iter().copied().filter(|i| self.teachers[*i].dual_since.is_none()).collect();
        self.rng.shuffle(&mut not);
        while dual.len() < target {
            let i = not.pop().expect("enough teachers");
            let t = &mut self.teachers[i];
            let since = if t.hired < year {
                self.rng.range(i64::from(t.hired.max(2005)), i64::from(year)) as i32
            } else {
                year
            };
            t.dual_since = Some(format!("{since}-{:02}-{:02}", self.rng.range(1, 12), self.rng.range(1, 28)));
            dual.push(i);
        }
        // Newest first: a qualification is not lost, so only recent ones are undone.
        dual.sort_by_key(|i| std::cmp::Reverse(self.teachers[*i].hired));
        while dual.len() > target {
            let i = dual.remove(0);
            self.teachers[i].dual_since = None;
        }
    }

    fn steer_master(&mut self, schools: &[School], year: i32, group: &dyn Fn(&School) -> bool, share: f64) {
        let pool: Vec<usize> = (0..self.teachers.len())
            .filter(|i| {
                let t = &self.teachers[*i];
                t.present(year) && t.full_time() && group(&schools[t.school])
            })
            .collect();
        let target = count_for_share(share, pool.len());
        let mut with: Vec<usize> = pool.iter().copied().filter(|i| self.teachers[*i].master).collect();
        let mut without: Vec<usize> = pool.iter().copied().filter(|i| !self.teachers[*i].master).collect();
        self.rng.shuffle(&mut without);
        while with.len() < target {
            let i = without.pop().expect("enough teachers");
            self.teachers[i].master = true;
            with.push(i);
        }
        with.sort_by_key(|i| std::cmp::Reverse(self.teachers[*i].hired));
        while with.len() > target {
            let i = with.remove(0);
            self.teachers[i].master = false;
            self.teachers[i].doctor = false;
        }
    }

    pub fn write_year(&self, schools: &[School], year: i32, out: &mut Tables) -> std::io::Result<()> {
        for t in self.teachers.iter().filter(|t| t.present(year)) {
            let (education, degree) = match (t.doctor, t.master) {
                (true, _) => ("研究生", "博士"),
                (_, true) => ("研究生", "硕士"),
                _ => ("本科", "学士"),
            };
            let dual = t.dual_since.as_deref().filter(|d| d[..4].parse::<i32>().unwrap_or(0) <= year);
            out.row(
                Table::Teacher,
                &[
                    &t.no,
                    "",
                    &t.id,
                    &t.name,
                    if t.male { "男" } else { "女" },
                    &schools[t.school].code,
                    &year.to_string(),
                    t.category,
                    if t.specialty { "是" } else { "否" },
                    if dual.is_some() { "是" } else { "否" },
                    dual.unwrap_or(""),
                    education,
                    degree,
                    t.title,
                    &format!("{}-09-01", t.hired),
                    &t.industry_years.to_string(),
                ],
            )?;
        }
        Ok(())
    }

    /// Enterprise practice and continuing training of the year's full-time teachers. `from_year`
    /// before the first statistical year writes the history the five-year rules look back on.
    pub fn development(
        &mut self,
        schools: &[School],
        year: i32,
        firms: &[(String, String)],
        out: &mut Tables,
    ) -> std::io::Result<()> {
        const COURSES: [(&str, &str); 6] = [
            ("国家级", "职业院校教师素质提高计划国家级培训"),
            ("省级", "广东省中职骨干教师培训"),
            ("市级", "广州市职业教育“双师型”教师培训"),
            ("校级", "校本研修：课程思政与教学能力"),
            ("企业", "企业新技术新工艺研修"),
            ("市级", "信息化教学能力提升培训"),
        ];
        let rng = &mut self.rng;
        for t in self.teachers.iter().filter(|t| t.full_time() && t.hired <= year && t.left.is_none_or(|l| l > year)) {
            let school = &schools[t.school].code;
            if t.specialty && rng.chance(0.55) {
                let start =
                    chrono::NaiveDate::from_ymd_opt(year, 7, 1).unwrap() + chrono::Duration::days(rng.range(0, 9));
                let days = rng.range(15, 50);
                let end = start + chrono::Duration::days(days - 1 + rng.range(0, 6));
                let f = rng.pick(firms);
                out.row(
                    Table::Practice,
                    &[
                        &t.no,
                        school,
                        &f.0,
                        &f.1,
                        &start.format("%Y-%m-%d").to_string(),
                        &end.format("%Y-%m-%d").to_string(),
                        &days.to_string(),
                        // Longer placements are posts or development work, short ones visits
                        // and training; most hosts confirm (no draw: the demo's stream stays).
                        match days {
                            ..20 => "考察观摩",
                            20..30 => "企业技能培训",
                            30..42 => "兼职或任职",
                            _ => "产品研发和技术创新",
                        },
                        if days % 10 == 3 { "否" } else { "是" },
                    ],
                )?;
            }
            let courses = rng.range(1, 2) as usize;
            let first = rng.below(COURSES.len());
            for k in 0..courses {
                // A second course is always another one.
                let c = if k == 0 { first } else { (first + 1 + rng.below(COURSES.len() - 1)) % COURSES.len() };
                let (level, course) = COURSES[c];
                let start = chrono::NaiveDate::from_ymd_opt(year, [3, 10][k] as u32, 1).unwrap()
                    + chrono::Duration::days(rng.range(0, 20));
                let end = start + chrono::Duration::days(rng.range(2, 14));
                let hours = rng.range(24, 72);
                out.row(
                    Table::Pd,
                    &[
                        &t.no,
                        school,
                        course,
                        level,
                        &hours.to_string(),
                        &start.format("%Y-%m-%d").to_string(),
                        &end.format("%Y-%m-%d").to_string(),
                    ],
                )?;
            }
        }
        Ok(())
    }
}

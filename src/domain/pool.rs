//! The municipal pool of part-time teachers from enterprises (市级职业教育兼职教师资源库, plan 三(五),
//! "固定岗+流动岗"): an expert as a school or the bureau registers them, an engagement of one by a
//! school for a term, and the feedback after it. Pure: what comes in is checked here, every
//! problem named with the field it is in; nothing is read or written.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ids::{CreditCode, IdNumber, ProgramCode};
use super::standard::TITLES;

/// How an expert can serve: a fixed post held over terms, or visits as needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Post {
    /// 固定岗
    Fixed,
    /// 流动岗
    Flexible,
}

impl Post {
    pub fn key(self) -> &'static str {
        match self {
            Post::Fixed => "fixed",
            Post::Flexible => "flexible",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Post::Fixed => "固定岗",
            Post::Flexible => "流动岗",
        }
    }
    /// By key or Chinese name.
    pub fn parse(s: &str) -> Option<Post> {
        match s.trim() {
            "fixed" | "固定岗" => Some(Post::Fixed),
            "flexible" | "流动岗" => Some(Post::Flexible),
            _ => None,
        }
    }
}

/// An expert as typed in, before checking.
#[derive(Debug, Clone, Default)]
pub struct ExpertForm {
    pub id_number: String,
    pub name: String,
    pub enterprise_credit_code: String,
    pub enterprise_name: String,
    pub programs: Vec<String>,
    pub skills: Vec<String>,
    pub title: Option<String>,
    pub post: String,
    pub available_from: Option<String>,
    pub available_until: Option<String>,
    /// Consent to be listed in the pool (searchable by every school).
    pub consent: bool,
}

/// A checked expert.
#[derive(Debug, Clone)]
pub struct Expert {
    pub id: IdNumber,
    pub name: String,
    pub enterprise: CreditCode,
    pub enterprise_name: String,
    pub programs: Vec<ProgramCode>,
    pub skills: Vec<String>,
    pub title: Option<String>,
    pub post: Post,
    pub available_from: Option<NaiveDate>,
    pub available_until: Option<NaiveDate>,
    pub consent: bool,
}

fn date(field: &str, v: Option<&str>, errors: &mut Vec<String>) -> Option<NaiveDate> {
    let v = v.map(str::trim).filter(|s| !s.is_empty())?;
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map_err(|_| errors.push(format!("{field}: '{v}' 不是日期（YYYY-MM-DD） / is not a date (YYYY-MM-DD)")))
        .ok()
}

/// The longest skill text kept, and how many skills.
const SKILL_CHARS: usize = 40;
const SKILLS: usize = 20;

impl ExpertForm {
    /// Checks every field; every problem is named with its field.
    pub fn check(&self) -> Result<Expert, Vec<String>> {
        let mut errors = Vec::new();
        let id = IdNumber::parse(&self.id_number, None)
            .map_err(|_| {
                errors.push("id_number: 不是有效的居民身份证号码 / is not a valid resident ID number".to_string());
            })
            .ok();
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 50 {
            errors.push("name: 须填写，不超过 50 字 / required, at most 50 characters".into());
        }
        let enterprise = CreditCode::parse(&self.enterprise_credit_code)
            .map_err(|_| {
                errors.push(format!(
                    "enterprise_credit_code: '{}' 不是有效的统一社会信用代码 / is not a valid unified social credit code",
                    self.enterprise_credit_code.trim()
                ));
            })
            .ok();
        let enterprise_name = self.enterprise_name.trim().to_string();
        if enterprise_name.is_empty() {
            errors.push("enterprise_name: 须填写 / required".into());
        }
        let mut programs = Vec::new();
        for p in self.programs.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
            match ProgramCode::parse(p) {
                Some(c) if !programs.contains(&c) => programs.push(c),
                Some(_) => {}
                None => errors.push(format!("programs: '{p}' 不是专业代码 / is not a program code")),
            }
        }
        if programs.is_empty() {
            errors
                .push("programs: 至少填写一个可任教的专业代码 / name at least one program code they can teach".into());
        }
        let skills: Vec<String> = self.skills.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        if skills.len() > SKILLS || skills.iter().any(|s| s.chars().count() > SKILL_CHARS) {
            errors.push(format!("skills: 至多 {SKILLS} 项，每项不超过 {SKILL_CHARS} 字 / at most {SKILLS}, each at most {SKILL_CHARS} characters"));
        }
        let title = self.title.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(|t| {
            TITLES.iter().find(|c| c.key == t || c.zh == t).map_or_else(
                || {
                    let keys: Vec<&str> = TITLES.iter().map(|c| c.zh).collect();
                    errors.push(format!("title: '{t}' 不是专业技术职务（{}） / is not a title", keys.join("、")));
                    String::new()
                },
                |c| c.key.to_string(),
            )
        });
        let post = Post::parse(&self.post);
        if post.is_none() {
            errors.push(format!(
                "post: '{}' 应为 固定岗 fixed 或 流动岗 flexible / must be fixed or flexible",
                self.post.trim()
            ));
        }
        let from = date("available_from", self.available_from.as_deref(), &mut errors);
        let until = date("available_until", self.available_until.as_deref(), &mut errors);
        if let (Some(a), Some(b)) = (from, until)
            && b < a
        {
            errors.push("available_until: 早于 available_from / is before available_from".into());
        }
        match (id, enterprise, post, errors.is_empty()) {
            (Some(id), Some(enterprise), Some(post), true) => Ok(Expert {
                id,
                name,
                enterprise,
                enterprise_name,
                programs,
                skills,
                title,
                post,
                available_from: from,
                available_until: until,
                consent: self.consent,
            }),
            _ => Err(errors),
        }
    }
}

/// An engagement as typed in: who, by which school, for which term, what and how much.
#[derive(Debug, Clone, Default)]
pub struct EngagementForm {
    pub term: String,
    pub courses: String,
    pub hours: f64,
    pub pay: f64,
}

/// A school year's term: `2025-2026-1` (first term of the 2025–2026 school year).
pub fn check_term(term: &str) -> Result<(i32, u8), String> {
    let t = term.trim();
    let parts: Vec<&str> = t.split('-').collect();
    let bad =
        || format!("term: '{t}' 应写作 2025-2026-1（学年-学期） / write it as 2025-2026-1 (school year and term)");
    if parts.len() != 3 {
        return Err(bad());
    }
    let (a, b, n): (i32, i32, u8) = (
        parts[0].parse().map_err(|_| bad())?,
        parts[1].parse().map_err(|_| bad())?,
        parts[2].parse().map_err(|_| bad())?,
    );
    if b != a + 1 || !(1..=2).contains(&n) || !(2000..=2100).contains(&a) {
        return Err(bad());
    }
    Ok((a, n))
}

impl EngagementForm {
    /// Checks every field; every problem is named with its field.
    pub fn check(&self) -> Result<(), Vec<String>> {
        let mut errors = Vec::new();
        if let Err(e) = check_term(&self.term) {
            errors.push(e);
        }
        if self.courses.trim().is_empty() {
            errors.push("courses: 须填写任教课程 / name the courses taught".into());
        }
        if !(self.hours > 0.0 && self.hours <= 1000.0) {
            errors.push(format!("hours: {} 应在 0 到 1000 学时之间 / must be above 0 and at most 1000", self.hours));
        }
        if !(self.pay >= 0.0 && self.pay.is_finite()) {
            errors.push(format!("pay: {} 不能为负数 / must not be negative", self.pay));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// A rating after a term: 1 (poor) to 5 (excellent).
pub fn check_rating(rating: i64) -> Result<(), String> {
    if (1..=5).contains(&rating) { Ok(()) } else { Err(format!("rating: {rating} 应为 1–5 / must be 1 to 5")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> String {
        let first = "44010619750101001";
        format!("{first}{}", crate::domain::ids::id_check_char(first.as_bytes()))
    }

    fn form() -> ExpertForm {
        ExpertForm {
            id_number: id(),
            name: "李工".into(),
            enterprise_credit_code: "91110000600037341L".into(),
            enterprise_name: "广汽本田汽车有限公司".into(),
            programs: vec!["700207".into()],
            skills: vec!["新能源汽车电控".into()],
            title: Some("正高级".into()),
            post: "固定岗".into(),
            consent: true,
            ..ExpertForm::default()
        }
    }

    #[test]
    fn a_complete_expert_passes_and_every_bad_field_is_named() {
        let e = form().check().expect("valid");
        assert_eq!((e.post, e.programs[0].as_str(), e.title.as_deref()), (Post::Fixed, "700207", Some("senior")));
        let bad = ExpertForm {
            id_number: "440106".into(),
            enterprise_credit_code: "X".into(),
            programs: vec!["abc".into()],
            title: Some("教授".into()),
            post: "part".into(),
            available_from: Some("2025-09-01".into()),
            available_until: Some("2025-01-01".into()),
            ..form()
        };
        let errors = bad.check().unwrap_err();
        for field in ["id_number", "enterprise_credit_code", "programs", "title", "post", "available_until"] {
            assert!(errors.iter().any(|e| e.starts_with(field)), "{field}: {errors:?}");
        }
    }

    #[test]
    fn terms_hours_and_ratings_are_checked() {
        assert_eq!(check_term("2025-2026-1"), Ok((2025, 1)));
        for bad in ["2025-1", "2025-2027-1", "2025-2026-3", "x-y-z"] {
            assert!(check_term(bad).is_err(), "{bad}");
        }
        let e = EngagementForm { term: "2025-2026-2".into(), courses: "汽车电控".into(), hours: 0.0, pay: -1.0 };
        assert_eq!(e.check().unwrap_err().len(), 2);
        assert!(check_rating(5).is_ok() && check_rating(0).is_err());
    }
}

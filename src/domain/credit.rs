//! The credit bank's conversion rules (plan 三(七), 三(九)) as data: which learning outcomes may
//! replace which courses, for how many credits, within which caps. A rule pack is a TOML file like
//! the plan file, versioned, checked on load; every decision records the pack's id and version.
//! `judge` applies a pack to one application and names every rule it fails, in both languages.

use serde::{Deserialize, Serialize};

use super::standard::{CERTIFICATE_KINDS, CERTIFICATE_LEVELS, COURSE_TYPES, find_choice};

/// A rule pack: the caps and the sources that may convert.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulePack {
    /// A stable identifier: loading a pack with the same id and a new version replaces it.
    pub id: String,
    /// Written with every decision taken under the pack.
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    /// Outcomes issued more than this many years before the application do not convert.
    pub max_age_years: u32,
    /// At most this share (%) of a program's credits may be replaced for one learner.
    pub max_program_share_pct: f64,
    /// At most this many credits for one outcome, whatever its course.
    pub max_credits_per_outcome: f64,
    /// Which outcomes may replace which course types.
    #[serde(rename = "source")]
    pub sources: Vec<Source>,
}

/// Outcomes of these kinds (and levels, titles, issuers) may replace courses of these types.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Keys of the `certificate.kind` code list.
    pub kinds: Vec<String>,
    /// Keys of the `certificate.level` code list; empty: any level (or none).
    #[serde(default)]
    pub levels: Vec<String>,
    /// Course types it may replace (keys of `curriculum.course_type`).
    pub course_types: Vec<String>,
    /// Only outcomes whose title contains this text.
    #[serde(default)]
    pub title_contains: Option<String>,
    /// Only outcomes whose issuer's name contains this text.
    #[serde(default)]
    pub issuer_contains: Option<String>,
    /// A lower cap than the pack's for these outcomes.
    #[serde(default)]
    pub max_credits: Option<f64>,
}

impl RulePack {
    /// Parses and checks a pack; every error names where it is.
    pub fn from_toml(text: &str) -> Result<RulePack, Vec<String>> {
        let pack: RulePack = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let errors = pack.check();
        if errors.is_empty() { Ok(pack) } else { Err(errors) }
    }

    fn check(&self) -> Vec<String> {
        let mut errors = crate::domain::pack_identity_errors(&self.id, &self.version);
        if !(self.max_program_share_pct > 0.0 && self.max_program_share_pct <= 100.0) {
            errors.push(format!(
                "max_program_share_pct = {}: must be above 0 and at most 100",
                self.max_program_share_pct
            ));
        }
        if self.max_credits_per_outcome.is_nan() || self.max_credits_per_outcome <= 0.0 {
            errors.push(format!("max_credits_per_outcome = {}: must be above 0", self.max_credits_per_outcome));
        }
        if self.max_age_years == 0 {
            errors.push("max_age_years: must be at least 1".into());
        }
        if self.sources.is_empty() {
            errors.push("no [[source]]: nothing could ever convert".into());
        }
        for (i, s) in self.sources.iter().enumerate() {
            let at = format!("[[source]] {}", i + 1);
            if s.kinds.is_empty() {
                errors.push(format!("{at}: kinds must name at least one kind"));
            }
            for k in &s.kinds {
                if !CERTIFICATE_KINDS.iter().any(|c| c.key == k) {
                    errors.push(format!("{at}: kind '{k}' is not a certificate kind ({})", keys(CERTIFICATE_KINDS)));
                }
            }
            for l in &s.levels {
                if !CERTIFICATE_LEVELS.iter().any(|c| c.key == l) {
                    errors.push(format!("{at}: level '{l}' is not a certificate level ({})", keys(CERTIFICATE_LEVELS)));
                }
            }
            if s.course_types.is_empty() {
                errors.push(format!("{at}: course_types must name at least one course type"));
            }
            for t in &s.course_types {
                if !COURSE_TYPES.iter().any(|c| c.key == t) {
                    errors.push(format!("{at}: course type '{t}' is not one of {}", keys(COURSE_TYPES)));
                }
            }
            if let Some(m) = s.max_credits
                && (m.is_nan() || m <= 0.0)
            {
                errors.push(format!("{at}: max_credits = {m}: must be above 0"));
            }
        }
        errors
    }

    /// The sources that an outcome matches (kind, level, title and issuer).
    fn matching<'a>(&'a self, o: &'a OutcomeFacts) -> impl Iterator<Item = &'a Source> + 'a {
        self.sources.iter().filter(move |s| {
            s.kinds.contains(&o.kind)
                && (s.levels.is_empty() || o.level.as_ref().is_some_and(|l| s.levels.contains(l)))
                && s.title_contains.as_ref().is_none_or(|t| o.title.contains(t.as_str()))
                && s.issuer_contains.as_ref().is_none_or(|t| o.issuer_name.contains(t.as_str()))
        })
    }
}

fn keys(list: &[super::standard::Choice]) -> String {
    list.iter().map(|c| c.key).collect::<Vec<_>>().join(", ")
}

/// Where an outcome stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeStatus {
    Earned,
    Expired,
    Revoked,
}

impl OutcomeStatus {
    pub fn key(self) -> &'static str {
        match self {
            OutcomeStatus::Earned => "earned",
            OutcomeStatus::Expired => "expired",
            OutcomeStatus::Revoked => "revoked",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            OutcomeStatus::Earned => "有效",
            OutcomeStatus::Expired => "已过期",
            OutcomeStatus::Revoked => "已撤销",
        }
    }
    /// On a date (ISO): revoked stays revoked, past `valid_until` is expired.
    pub fn of(revoked: bool, valid_until: Option<&str>, on: &str) -> OutcomeStatus {
        if revoked {
            OutcomeStatus::Revoked
        } else if valid_until.is_some_and(|v| v < on) {
            OutcomeStatus::Expired
        } else {
            OutcomeStatus::Earned
        }
    }
}

/// What the rules need to know of an outcome.
#[derive(Debug, Clone)]
pub struct OutcomeFacts {
    pub kind: String,
    pub level: Option<String>,
    pub title: String,
    pub issuer_name: String,
    /// ISO date.
    pub issued_date: String,
    pub status: OutcomeStatus,
}

/// What the rules need to know of the course asked for.
#[derive(Debug, Clone)]
pub struct CourseFacts {
    pub course_type: String,
    pub credits: f64,
    /// The credits of every course of the program that year.
    pub program_credits: f64,
}

/// One application, with what is on record around it.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub outcome: OutcomeFacts,
    pub course: CourseFacts,
    /// ISO date of the application.
    pub on: String,
    /// Another application (pending or granted) already converts this outcome: its course code.
    pub outcome_used_for: Option<String>,
    /// Another outcome already replaces, or is asked to replace, this course for this learner.
    pub course_taken: bool,
    /// Credits already granted or pending for this learner in this program.
    pub program_credits_used: f64,
}

/// A failed rule: a stable id for scripts and the message for a person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Refusal {
    pub rule: &'static str,
    pub zh: String,
    pub en: String,
}

/// What the rules decide: the credits the application may carry and every rule it fails.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judgement {
    pub credits: f64,
    pub refusals: Vec<Refusal>,
}

impl Judgement {
    pub fn eligible(&self) -> bool {
        self.refusals.is_empty()
    }
}

fn label(list: &'static [super::standard::Choice], key: &str) -> (&'static str, String) {
    match find_choice(list, key) {
        Some(c) => (c.zh, c.key.replace('_', " ")),
        None => ("", key.to_string()),
    }
}

/// The outcome as a person names it: 中级证书, an intermediate certificate.
fn outcome_name(o: &OutcomeFacts) -> (String, String) {
    let (kind_zh, kind_en) = label(CERTIFICATE_KINDS, &o.kind);
    match o.level.as_deref() {
        Some(l) if matches!(o.kind.as_str(), "x_certificate" | "vocational_qualification" | "skill_level") => {
            let (lz, le) = label(CERTIFICATE_LEVELS, l);
            (format!("{lz}证书"), format!("{} {le} certificate", article(&le)))
        }
        Some(l) => {
            let (lz, le) = label(CERTIFICATE_LEVELS, l);
            (format!("{kind_zh}（{lz}）"), format!("{kind_en} ({le})"))
        }
        None => (kind_zh.to_string(), kind_en),
    }
}

/// Applies the pack to one application.
pub fn judge(pack: &RulePack, c: &Candidate) -> Judgement {
    let mut refusals = Vec::new();
    let o = &c.outcome;
    let (course_zh, course_en) = label(COURSE_TYPES, &c.course.course_type);
    let (name_zh, name_en) = outcome_name(o);
    match o.status {
        OutcomeStatus::Revoked => refusals.push(Refusal {
            rule: "outcome_valid",
            zh: "该成果已被撤销，不能转换".into(),
            en: "the outcome has been revoked and cannot convert".into(),
        }),
        OutcomeStatus::Expired => refusals.push(Refusal {
            rule: "outcome_valid",
            zh: "该成果已过有效期，不能转换".into(),
            en: "the outcome has expired and cannot convert".into(),
        }),
        OutcomeStatus::Earned => {}
    }
    let age_limit = shift_years(&o.issued_date, pack.max_age_years);
    if age_limit.as_deref().is_some_and(|limit| limit < c.on.as_str()) {
        refusals.push(Refusal {
            rule: "recency",
            zh: format!("成果取得已超过 {} 年（{}），不能转换", pack.max_age_years, o.issued_date),
            en: format!(
                "the outcome is more than {} years old ({}) and cannot convert",
                pack.max_age_years, o.issued_date
            ),
        });
    }
    let sources: Vec<&Source> = pack.matching(o).collect();
    let allowed: Vec<&Source> =
        sources.iter().copied().filter(|s| s.course_types.contains(&c.course.course_type)).collect();
    if sources.is_empty() {
        refusals.push(Refusal {
            rule: "source_allowed",
            zh: format!("{name_zh}不在可转换的成果之列"),
            en: format!("{name_en}: no rule lets this outcome convert"),
        });
    } else if allowed.is_empty() {
        refusals.push(Refusal {
            rule: "source_allowed",
            zh: format!("{name_zh}不能替代{course_zh}"),
            en: format!("{name_en} cannot replace {} {course_en} course", article(&course_en)),
        });
    }
    if let Some(other) = &c.outcome_used_for {
        refusals.push(Refusal {
            rule: "one_course_per_outcome",
            zh: format!("该成果已用于替代课程 {other}，一项成果只能替代一门课程"),
            en: format!("the outcome already replaces course {other}: one outcome replaces one course"),
        });
    }
    if c.course_taken {
        refusals.push(Refusal {
            rule: "one_outcome_per_course",
            zh: "已有证书替代该课程".into(),
            en: "another outcome already replaces this course".into(),
        });
    }
    let source_cap = allowed.iter().filter_map(|s| s.max_credits).fold(f64::INFINITY, f64::min);
    let credits = c.course.credits.min(pack.max_credits_per_outcome).min(source_cap).max(0.0);
    let limit = c.course.program_credits * pack.max_program_share_pct / 100.0;
    if c.program_credits_used + credits > limit + 1e-9 {
        refusals.push(Refusal {
            rule: "program_share",
            zh: format!(
                "本专业已认定或申请 {} 学分，再加 {} 学分将超过专业总学分 {} 的 {}%",
                trim(c.program_credits_used),
                trim(credits),
                trim(c.course.program_credits),
                trim(pack.max_program_share_pct)
            ),
            en: format!(
                "{} credits of the program are already granted or asked for: {} more would pass {}% of its {} credits",
                trim(c.program_credits_used),
                trim(credits),
                trim(pack.max_program_share_pct),
                trim(c.course.program_credits)
            ),
        });
    }
    Judgement { credits, refusals }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

fn trim(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// An ISO date `years` later (29 February becomes 28 February).
fn shift_years(date: &str, years: u32) -> Option<String> {
    use chrono::{Datelike, NaiveDate};
    let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    let y = d.year() + i32::try_from(years).ok()?;
    let shifted = d.with_year(y).or_else(|| NaiveDate::from_ymd_opt(y, d.month(), 28))?;
    Some(shifted.format("%Y-%m-%d").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pack() -> RulePack {
        RulePack::from_toml(include_str!("../../data/credit/guangzhou-credit-rules.toml"))
            .expect("the default pack loads")
    }

    fn candidate(kind: &str, level: Option<&str>, course_type: &str) -> Candidate {
        Candidate {
            outcome: OutcomeFacts {
                kind: kind.into(),
                level: level.map(str::to_string),
                title: "工业机器人操作与运维".into(),
                issuer_name: "某培训评价组织".into(),
                issued_date: "2023-06-30".into(),
                status: OutcomeStatus::Earned,
            },
            course: CourseFacts { course_type: course_type.into(), credits: 4.0, program_credits: 120.0 },
            on: "2024-03-01".into(),
            outcome_used_for: None,
            course_taken: false,
            program_credits_used: 0.0,
        }
    }

    fn rules(j: &Judgement) -> Vec<&'static str> {
        j.refusals.iter().map(|r| r.rule).collect()
    }

    #[test]
    fn an_elementary_certificate_replaces_a_foundation_course_and_nothing_else() {
        let p = pack();
        assert!(judge(&p, &candidate("x_certificate", Some("elementary"), "foundation")).eligible());
        let j = judge(&p, &candidate("x_certificate", Some("elementary"), "core"));
        assert_eq!(rules(&j), ["source_allowed"]);
        assert_eq!(j.refusals[0].zh, "初级证书不能替代专业核心课");
    }

    #[test]
    fn an_intermediate_certificate_cannot_replace_a_general_course() {
        let p = pack();
        assert!(judge(&p, &candidate("x_certificate", Some("intermediate"), "core")).eligible());
        let j = judge(&p, &candidate("x_certificate", Some("intermediate"), "general"));
        assert_eq!(j.refusals[0].zh, "中级证书不能替代公共基础课");
        assert_eq!(j.refusals[0].en, "an intermediate certificate cannot replace a general course");
    }

    #[test]
    fn credits_are_capped_by_the_course_and_the_pack() {
        let p = pack();
        let mut c = candidate("x_certificate", Some("advanced"), "core");
        c.course.credits = 10.0;
        assert_eq!(judge(&p, &c).credits, 8.0);
        c.course.credits = 3.0;
        assert_eq!(judge(&p, &c).credits, 3.0);
    }

    #[test]
    fn old_revoked_and_expired_outcomes_do_not_convert() {
        let p = pack();
        let mut c = candidate("x_certificate", Some("advanced"), "core");
        c.outcome.issued_date = "2015-01-01".into();
        assert_eq!(rules(&judge(&p, &c)), ["recency"]);
        c.outcome.issued_date = "2016-03-01".into();
        assert!(judge(&p, &c).eligible(), "exactly eight years old still converts");
        c.outcome.status = OutcomeStatus::Revoked;
        assert_eq!(rules(&judge(&p, &c)), ["outcome_valid"]);
        c.outcome.status = OutcomeStatus::Expired;
        assert_eq!(judge(&p, &c).refusals[0].zh, "该成果已过有效期，不能转换");
    }

    #[test]
    fn one_outcome_one_course_and_half_of_a_program_at_most() {
        let p = pack();
        let mut c = candidate("x_certificate", Some("advanced"), "core");
        c.outcome_used_for = Some("ZY101".into());
        assert_eq!(rules(&judge(&p, &c)), ["one_course_per_outcome"]);
        c.outcome_used_for = None;
        c.course_taken = true;
        assert_eq!(judge(&p, &c).refusals[0].zh, "已有证书替代该课程");
        c.course_taken = false;
        c.program_credits_used = 57.0;
        assert_eq!(rules(&judge(&p, &c)), ["program_share"]);
        c.program_credits_used = 56.0;
        assert!(judge(&p, &c).eligible(), "exactly half converts");
    }

    #[test]
    fn a_pack_with_unknown_codes_is_refused_naming_each() {
        let bad = include_str!("../../data/credit/guangzhou-credit-rules.toml")
            .replacen("\"foundation\"", "\"basics\"", 1)
            .replacen("max_program_share_pct = 50", "max_program_share_pct = 150", 1);
        let errors = RulePack::from_toml(&bad).unwrap_err();
        assert!(errors.iter().any(|e| e.contains("course type 'basics'")), "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("max_program_share_pct = 150")), "{errors:?}");
    }
}

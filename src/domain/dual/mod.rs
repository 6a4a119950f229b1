//! Dual-qualified (“双师型”) teacher recognition as a versioned rule pack (the Teachers issue): the
//! conditions of each level (初级 / 中级 / 高级), each checked on a teacher's records or left to the
//! panel, and the pre-check of one teacher for one level that names every unmet condition. The
//! panel decides; software never judges 师德 or "或具有相应能力". Pure: the records come in as facts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::standard::{CERTIFICATE_KINDS, CERTIFICATE_LEVELS, TITLES};
use super::targets;

pub mod register;

/// The pack shipped with VETIS.
pub const DEFAULT_PACK: &str = include_str!("../../../data/teachers/dual-qualified-2022.toml");

/// A recognition level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Elementary,
    Intermediate,
    Advanced,
}

impl Level {
    pub fn key(self) -> &'static str {
        match self {
            Level::Elementary => "elementary",
            Level::Intermediate => "intermediate",
            Level::Advanced => "advanced",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Level::Elementary => "初级",
            Level::Intermediate => "中级",
            Level::Advanced => "高级",
        }
    }
}

/// How a condition is judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "check", rename_all = "snake_case", deny_unknown_fields)]
pub enum Check {
    /// Left to the panel: never decided by software.
    Panel,
    /// A certificate of one of `kinds` (at one of `levels`, when given) on record for the person.
    Certificate {
        kinds: Vec<String>,
        #[serde(default)]
        levels: Vec<String>,
        /// Without one on record, the panel may still find the equivalent ability.
        #[serde(default)]
        or_panel: bool,
    },
    /// At least `days` of enterprise practice in the `years` ending with the application's year,
    /// or at least `or_industry_years` of enterprise work.
    PracticeDaysWithin {
        days: f64,
        years: i32,
        #[serde(default)]
        or_industry_years: Option<f64>,
    },
    /// At least `years` of enterprise work (企业工作年限).
    IndustryYearsAtLeast { years: f64 },
    /// A professional title at least `title` (the data standard's order), or a certificate at
    /// one of `or_certificate_levels`.
    TitleAtLeast {
        title: String,
        #[serde(default)]
        or_certificate_levels: Vec<String>,
    },
}

/// One condition of a level.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Condition {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(flatten)]
    pub check: Check,
}

impl Condition {
    /// Whether the records can decide it (`vetis dual rules show`'s `checked`).
    pub fn checked(&self) -> bool {
        self.check != Check::Panel
    }
}

/// One level and its conditions.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelRules {
    pub key: Level,
    #[serde(rename = "condition", default)]
    pub conditions: Vec<Condition>,
}

/// A recognition rule pack as the bureau keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DualPack {
    pub id: String,
    pub version: String,
    pub name_zh: String,
    pub name_en: String,
    /// Years a recognition is valid (its last year shows "review due").
    pub valid_years: i32,
    /// Working days results are published for objections before they take effect.
    pub objection_working_days: i32,
    #[serde(rename = "level")]
    pub levels: Vec<LevelRules>,
}

fn keys(list: &[super::standard::Choice]) -> String {
    list.iter().map(|c| c.key).collect::<Vec<_>>().join(", ")
}

impl DualPack {
    /// Reads and checks a pack; every problem is named with where it is.
    pub fn from_toml(text: &str) -> Result<DualPack, Vec<String>> {
        let pack: DualPack = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let errors = pack.check();
        if errors.is_empty() { Ok(pack) } else { Err(errors) }
    }

    fn check(&self) -> Vec<String> {
        let mut errors = crate::domain::pack_identity_errors(&self.id, &self.version);
        if self.valid_years < 1 {
            errors.push(format!("valid_years = {}: must be at least 1", self.valid_years));
        }
        if self.objection_working_days < 0 {
            errors.push(format!("objection_working_days = {}: must not be negative", self.objection_working_days));
        }
        if self.levels.is_empty() {
            errors.push("no [[level]]: nothing could be recognised".into());
        }
        let mut seen_levels = Vec::new();
        for l in &self.levels {
            let at = format!("[[level]] {}", l.key.key());
            if seen_levels.contains(&l.key) {
                errors.push(format!("{at}: the level is given twice"));
            }
            seen_levels.push(l.key);
            let mut ids = Vec::new();
            for c in &l.conditions {
                let at = format!("{at}, condition '{}'", c.id);
                if c.id.trim().is_empty() || ids.contains(&c.id) {
                    errors.push(format!("{at}: every condition needs its own id"));
                }
                ids.push(c.id.clone());
                let known_levels = |levels: &[String], errors: &mut Vec<String>| {
                    for v in levels {
                        if !CERTIFICATE_LEVELS.iter().any(|c| c.key == v) {
                            errors.push(format!(
                                "{at}: level '{v}' is not a certificate level ({})",
                                keys(CERTIFICATE_LEVELS)
                            ));
                        }
                    }
                };
                match &c.check {
                    Check::Panel => {}
                    Check::Certificate { kinds, levels, .. } => {
                        if kinds.is_empty() {
                            errors.push(format!("{at}: kinds must name at least one kind"));
                        }
                        for k in kinds {
                            if !CERTIFICATE_KINDS.iter().any(|c| c.key == k) {
                                errors.push(format!(
                                    "{at}: kind '{k}' is not a certificate kind ({})",
                                    keys(CERTIFICATE_KINDS)
                                ));
                            }
                        }
                        known_levels(levels, &mut errors);
                    }
                    Check::PracticeDaysWithin { days, years, or_industry_years } => {
                        if days.is_nan() || *days <= 0.0 || *years < 1 {
                            errors.push(format!("{at}: days must be above 0 and years at least 1"));
                        }
                        if or_industry_years.is_some_and(|y| y.is_nan() || y <= 0.0) {
                            errors.push(format!("{at}: or_industry_years must be above 0"));
                        }
                    }
                    Check::IndustryYearsAtLeast { years } => {
                        if years.is_nan() || *years <= 0.0 {
                            errors.push(format!("{at}: years must be above 0"));
                        }
                    }
                    Check::TitleAtLeast { title, or_certificate_levels } => {
                        if title_rank(title).is_none() {
                            errors.push(format!("{at}: title '{title}' is not a title ({})", keys(TITLES)));
                        }
                        known_levels(or_certificate_levels, &mut errors);
                    }
                }
            }
        }
        errors
    }

    /// A level's rules, if the pack has that level.
    pub fn level(&self, level: Level) -> Option<&LevelRules> {
        self.levels.iter().find(|l| l.key == level)
    }
}

/// A title's rank: 0 for the highest (the data standard lists them from 正高级 down).
fn title_rank(key: &str) -> Option<usize> {
    TITLES.iter().position(|t| t.key == key)
}

/// What the records say of one teacher, as the pre-check reads them.
#[derive(Debug, Clone, Default)]
pub struct TeacherFacts {
    /// The statistical year the application is judged in.
    pub year: i32,
    pub title: Option<String>,
    pub industry_years: Option<f64>,
    /// Practice placements (start, end, recorded days), wherever done.
    pub practice: Vec<(NaiveDate, NaiveDate, f64)>,
    /// Certificates on record for the person and still valid: (kind, level).
    pub certificates: Vec<(String, Option<String>)>,
}

/// A condition the records do not meet, with why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unmet {
    pub condition: String,
    pub zh: String,
    pub en: String,
}

/// A pre-check: eligible when no checked condition is unmet; the conditions left to the panel
/// are listed either way.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Precheck {
    pub level: Level,
    pub eligible: bool,
    pub unmet: Vec<Unmet>,
    pub for_panel: Vec<String>,
}

fn amount(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 { format!("{r:.0}") } else { format!("{r:.1}") }
}

/// Pre-checks one teacher for one level of the pack. A level the pack lacks is one unmet
/// condition that says so.
pub fn precheck(pack: &DualPack, level: Level, t: &TeacherFacts) -> Precheck {
    let mut out = Precheck { level, eligible: true, unmet: Vec::new(), for_panel: Vec::new() };
    let Some(rules) = pack.level(level) else {
        out.eligible = false;
        out.unmet.push(Unmet {
            condition: "level".into(),
            zh: format!("规则包 {} {} 没有{}认定条件", pack.id, pack.version, level.zh()),
            en: format!("the pack {} {} has no {} level", pack.id, pack.version, level.key()),
        });
        return out;
    };
    for c in &rules.conditions {
        let has_level =
            |levels: &[String]| t.certificates.iter().any(|(_, l)| l.as_ref().is_some_and(|l| levels.contains(l)));
        let why: Option<(String, String)> = match &c.check {
            Check::Panel => {
                out.for_panel.push(c.id.clone());
                None
            }
            Check::Certificate { kinds, levels, or_panel } => {
                let held = t.certificates.iter().any(|(k, l)| {
                    kinds.contains(k) && (levels.is_empty() || l.as_ref().is_some_and(|l| levels.contains(l)))
                });
                match (held, or_panel) {
                    (true, _) => None,
                    (false, true) => {
                        out.for_panel.push(c.id.clone());
                        None
                    }
                    (false, false) => {
                        Some(("没有符合条件的证书记录".into(), "no qualifying certificate on record".into()))
                    }
                }
            }
            Check::PracticeDaysWithin { days, years, or_industry_years } => {
                let have = targets::practice_days(&t.practice, targets::window(t.year, *years));
                let worked = or_industry_years.is_some_and(|y| t.industry_years.unwrap_or(0.0) >= y);
                (have < *days && !worked).then(|| {
                    (
                        format!("近 {years} 年企业实践 {} 天，差 {} 天", amount(have), amount(days - have)),
                        format!(
                            "{} practice days in the last {years} years, {} short",
                            amount(have),
                            amount(days - have)
                        ),
                    )
                })
            }
            Check::IndustryYearsAtLeast { years } => {
                let have = t.industry_years.unwrap_or(0.0);
                (have < *years).then(|| {
                    (
                        format!("企业工作 {} 年，少于 {} 年", amount(have), amount(*years)),
                        format!("{} years of enterprise work, fewer than {}", amount(have), amount(*years)),
                    )
                })
            }
            Check::TitleAtLeast { title, or_certificate_levels } => {
                let need = title_rank(title).unwrap_or(0);
                let ok = t.title.as_deref().and_then(title_rank).is_some_and(|r| r <= need)
                    || has_level(or_certificate_levels);
                (!ok).then(|| {
                    let name = TITLES.get(need).map_or(title.as_str(), |c| c.zh);
                    let now =
                        t.title.as_deref().and_then(|k| TITLES.iter().find(|c| c.key == k)).map_or("无", |c| c.zh);
                    (
                        format!("专业技术职务为“{now}”，未达到{name}，也没有相应等级的证书"),
                        format!(
                            "title '{}' is below '{title}', and no certificate of that level",
                            t.title.as_deref().unwrap_or("none")
                        ),
                    )
                })
            }
        };
        if let Some((zh, en)) = why {
            out.eligible = false;
            out.unmet.push(Unmet {
                condition: c.id.clone(),
                zh: format!("{}：{zh}", c.name_zh),
                en: format!("{}: {en}", c.name_en),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn pack() -> DualPack {
        DualPack::from_toml(DEFAULT_PACK).expect("the shipped pack is valid")
    }

    #[test]
    fn the_shipped_pack_has_three_levels_and_leaves_ethics_to_the_panel() {
        let p = pack();
        assert_eq!(
            p.levels.iter().map(|l| l.key).collect::<Vec<_>>(),
            [Level::Elementary, Level::Intermediate, Level::Advanced]
        );
        assert!(p.levels.iter().all(|l| l.conditions.iter().any(|c| c.id == "ethics" && !c.checked())));
        assert_eq!((p.valid_years, p.objection_working_days), (5, 5));
    }

    #[test]
    fn every_checked_condition_has_a_passing_and_a_failing_case() {
        let p = pack();
        let placement =
            |days: f64| vec![(day("2022-07-01"), day("2022-07-01") + chrono::Duration::days(days as i64 - 1), days)];
        // Elementary: a certificate (or the panel), 30 practice days or a year in industry.
        let ok = TeacherFacts {
            year: 2024,
            practice: placement(30.0),
            certificates: vec![("skill_level".into(), Some("elementary".into()))],
            ..Default::default()
        };
        let r = precheck(&p, Level::Elementary, &ok);
        assert!(r.eligible && r.for_panel == ["ethics"], "{r:?}");
        let short = TeacherFacts { year: 2024, practice: placement(20.0), ..Default::default() };
        let r = precheck(&p, Level::Elementary, &short);
        assert!(!r.eligible, "{r:?}");
        assert_eq!(r.unmet.len(), 1);
        assert!(r.unmet[0].zh.contains("近 5 年企业实践 20 天，差 10 天"), "{r:?}");
        // Without a certificate the panel may find the ability: referred, not failed.
        assert!(r.for_panel.contains(&"certificate".to_string()));
        let worked = TeacherFacts { year: 2024, industry_years: Some(2.0), ..Default::default() };
        assert!(precheck(&p, Level::Elementary, &worked).eligible);
        // Intermediate: an intermediate title (or skill level) and 180 days.
        let mid = TeacherFacts {
            year: 2024,
            title: Some("intermediate".into()),
            practice: placement(180.0),
            ..Default::default()
        };
        assert!(precheck(&p, Level::Intermediate, &mid).eligible);
        let by_cert = TeacherFacts {
            title: Some("junior".into()),
            certificates: vec![("x_certificate".into(), Some("intermediate".into()))],
            ..mid.clone()
        };
        assert!(precheck(&p, Level::Intermediate, &by_cert).eligible);
        let junior = TeacherFacts { title: Some("junior".into()), practice: placement(179.0), ..mid.clone() };
        let r = precheck(&p, Level::Intermediate, &junior);
        let failed: Vec<&str> = r.unmet.iter().map(|u| u.condition.as_str()).collect();
        assert_eq!(failed, ["title", "practice"], "{r:?}");
        assert!(r.unmet[0].zh.contains("“初级”，未达到中级"), "{r:?}");
        // Advanced: an associate senior title and 730 days.
        let senior = TeacherFacts {
            year: 2024,
            title: Some("associate_senior".into()),
            practice: placement(730.0),
            ..Default::default()
        };
        assert!(precheck(&p, Level::Advanced, &senior).eligible);
        let r = precheck(&p, Level::Advanced, &mid);
        assert_eq!(r.unmet.iter().map(|u| u.condition.as_str()).collect::<Vec<_>>(), ["title", "practice"]);
    }

    #[test]
    fn industry_years_are_a_condition_of_their_own_too() {
        let text = DEFAULT_PACK.replace(
            "check = \"practice_days_within\"\ndays = 30\nyears = 5\nor_industry_years = 1",
            "check = \"industry_years_at_least\"\nyears = 3",
        );
        let p = DualPack::from_toml(&text).unwrap();
        let r = precheck(
            &p,
            Level::Elementary,
            &TeacherFacts { year: 2024, industry_years: Some(2.0), ..Default::default() },
        );
        assert!(r.unmet[0].zh.contains("企业工作 2 年，少于 3 年"), "{r:?}");
        assert!(
            precheck(
                &p,
                Level::Elementary,
                &TeacherFacts { year: 2024, industry_years: Some(3.0), ..Default::default() }
            )
            .eligible
        );
    }

    #[test]
    fn a_bad_pack_is_refused_with_every_problem_named() {
        let text = DEFAULT_PACK
            .replace("valid_years = 5", "valid_years = 0")
            .replace("title = \"intermediate\"", "title = \"professor\"")
            .replace(
                "kinds = [\"x_certificate\", \"vocational_qualification\", \"skill_level\"]",
                "kinds = [\"diploma\"]",
            );
        let e = DualPack::from_toml(&text).unwrap_err();
        assert!(e.iter().any(|m| m.starts_with("valid_years = 0")), "{e:?}");
        assert!(e.iter().any(|m| m.contains("condition 'title': title 'professor' is not a title")), "{e:?}");
        assert!(e.iter().any(|m| m.contains("kind 'diploma' is not a certificate kind")), "{e:?}");
        assert!(DualPack::from_toml("id = 1").is_err());
    }
}

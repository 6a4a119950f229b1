//! The integrity of training providers (plan 四(四)): the scorecard as a versioned pack (indicators
//! with maximum points, grade bands and what each grade means), the events of the ledger with
//! their life (draft → confirmed → under appeal → upheld / varied / withdrawn; credit repair), and
//! a year's score with every deduction explained. Pure: the events come in as data.

use serde::{Deserialize, Serialize};

pub mod providers;
pub mod ratings;

/// The scorecard shipped with VETIS (modelled on Tianjin's provider credit rules).
pub const DEFAULT_PACK: &str = include_str!("../../../data/integrity/training-scorecard.toml");

/// What happened (the CLI's `--kind` keys are fixed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Complaint,
    Refund,
    Subsidy,
    Reporting,
    Inspection,
    Sanction,
    Commendation,
}

impl EventKind {
    pub const ALL: [EventKind; 7] = [
        EventKind::Complaint,
        EventKind::Refund,
        EventKind::Subsidy,
        EventKind::Reporting,
        EventKind::Inspection,
        EventKind::Sanction,
        EventKind::Commendation,
    ];
    pub fn key(self) -> &'static str {
        match self {
            EventKind::Complaint => "complaint",
            EventKind::Refund => "refund",
            EventKind::Subsidy => "subsidy",
            EventKind::Reporting => "reporting",
            EventKind::Inspection => "inspection",
            EventKind::Sanction => "sanction",
            EventKind::Commendation => "commendation",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            EventKind::Complaint => "投诉经查属实",
            EventKind::Refund => "退费纠纷",
            EventKind::Subsidy => "补贴申领违规",
            EventKind::Reporting => "虚报或迟报数据",
            EventKind::Inspection => "检查发现问题",
            EventKind::Sanction => "行政处罚",
            EventKind::Commendation => "表彰",
        }
    }
    pub fn parse(key: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// Where an event stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    Draft,
    Confirmed,
    UnderAppeal,
    Upheld,
    Varied,
    Withdrawn,
}

impl EventStatus {
    pub const ALL: [EventStatus; 6] = [
        EventStatus::Draft,
        EventStatus::Confirmed,
        EventStatus::UnderAppeal,
        EventStatus::Upheld,
        EventStatus::Varied,
        EventStatus::Withdrawn,
    ];
    pub fn key(self) -> &'static str {
        match self {
            EventStatus::Draft => "draft",
            EventStatus::Confirmed => "confirmed",
            EventStatus::UnderAppeal => "under_appeal",
            EventStatus::Upheld => "upheld",
            EventStatus::Varied => "varied",
            EventStatus::Withdrawn => "withdrawn",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            EventStatus::Draft => "草稿",
            EventStatus::Confirmed => "已确认",
            EventStatus::UnderAppeal => "申诉中",
            EventStatus::Upheld => "申诉后维持",
            EventStatus::Varied => "申诉后变更",
            EventStatus::Withdrawn => "已撤销",
        }
    }
    pub fn parse(key: &str) -> Option<EventStatus> {
        EventStatus::ALL.into_iter().find(|s| s.key() == key)
    }
    /// Confirmed and not withdrawn: the event counts (an appeal does not suspend it) and is public.
    pub fn stands(self) -> bool {
        matches!(self, EventStatus::Confirmed | EventStatus::UnderAppeal | EventStatus::Upheld | EventStatus::Varied)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScorecardPack {
    pub id: String,
    pub version: String,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    /// The points a provider starts a year with.
    pub total: i64,
    /// How long a sanction stays on the public page unless the event says otherwise (days).
    pub display_days: i64,
    #[serde(rename = "indicator")]
    pub indicators: Vec<Indicator>,
    #[serde(rename = "grade")]
    pub grades: Vec<Grade>,
    /// When trainees' ratings are published, and how they are estimated.
    #[serde(default)]
    pub survey: ratings::SurveyRules,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    /// At most this many points are deducted under the indicator in a year.
    pub max_points: i64,
    /// The rule, as the source states it (e.g. "−10 per person-time").
    #[serde(default)]
    pub rule: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub grade: String,
    /// The lowest score of the band.
    pub min: i64,
    /// What the grade means (inspection sampling, eligibility for subsidised training).
    pub meaning_zh: String,
    #[serde(default)]
    pub meaning_en: String,
}

impl ScorecardPack {
    pub fn parse(text: &str) -> Result<ScorecardPack, Vec<String>> {
        let pack: ScorecardPack = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let errors = pack.check();
        if errors.is_empty() { Ok(pack) } else { Err(errors) }
    }

    fn check(&self) -> Vec<String> {
        let mut errors = crate::domain::pack_identity_errors(&self.id, &self.version);
        errors.extend(self.survey.check());
        for c in &self.survey.subsidised_categories {
            if crate::domain::standard::find_choice(crate::domain::standard::TRAINING_CATEGORIES, c).is_none() {
                errors.push(format!("[survey] subsidised_categories: '{c}' is not a category of the training table"));
            }
        }
        if self.total < 1 || self.display_days < 1 {
            errors.push("total and display_days must be at least 1".into());
        }
        let mut ids = Vec::new();
        for i in &self.indicators {
            if ids.contains(&i.id) {
                errors.push(format!("[[indicator]] {}: given twice", i.id));
            }
            ids.push(i.id.clone());
            if i.max_points < 1 {
                errors.push(format!("[[indicator]] {}: max_points must be at least 1", i.id));
            }
        }
        let sum: i64 = self.indicators.iter().map(|i| i.max_points).sum();
        if sum > self.total {
            errors.push(format!("the indicators' max_points add up to {sum}, more than total = {}", self.total));
        }
        if self.grades.is_empty() {
            errors.push("no [[grade]]".into());
        }
        if !self.grades.iter().any(|g| g.min <= 0) {
            errors.push("the lowest [[grade]] must start at min = 0 (every score has a grade)".into());
        }
        errors
    }

    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    /// The grade of a score: the band with the highest `min` at or below it.
    pub fn grade(&self, score: i64) -> Option<&Grade> {
        self.grades.iter().filter(|g| g.min <= score).max_by_key(|g| g.min)
    }
}

/// An event as the score reads it.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub id: i64,
    pub indicator: String,
    pub kind: EventKind,
    pub date: String,
    pub points: i64,
    /// Points after an appeal varied them.
    pub varied_points: Option<i64>,
    pub status: EventStatus,
    pub repaired: bool,
}

impl Event {
    /// The points that stand: none while a draft, once withdrawn or repaired.
    pub fn standing_points(&self) -> i64 {
        if !self.status.stands() || self.repaired {
            return 0;
        }
        self.varied_points.unwrap_or(self.points)
    }
}

/// A deduction as it counts: the event, its indicator, and its points after the indicator's cap.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deduction {
    pub event: i64,
    pub indicator: String,
    pub points: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Score {
    pub score: i64,
    pub grade: String,
    pub deductions: Vec<Deduction>,
}

/// A provider's score for a year: the total less each indicator's standing deductions, in date
/// order, up to the indicator's cap; commendations are recorded but never raise the score above
/// the total, and count as no deduction.
pub fn score(pack: &ScorecardPack, events: &[Event]) -> Score {
    let mut sorted: Vec<&Event> = events.iter().collect();
    sorted.sort_by(|a, b| (a.date.as_str(), a.id).cmp(&(b.date.as_str(), b.id)));
    let mut used: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
    let mut deductions = Vec::new();
    for e in sorted {
        let p = e.standing_points();
        if p <= 0 || e.kind == EventKind::Commendation {
            continue;
        }
        let cap = pack.indicator(&e.indicator).map_or(0, |i| i.max_points);
        let so_far = used.entry(e.indicator.as_str()).or_default();
        let counted = p.min(cap - *so_far).max(0);
        *so_far += counted;
        if counted > 0 {
            deductions.push(Deduction { event: e.id, indicator: e.indicator.clone(), points: counted });
        }
    }
    let score = (pack.total - deductions.iter().map(|d| d.points).sum::<i64>()).max(0);
    Score { score, grade: pack.grade(score).map_or_else(String::new, |g| g.grade.clone()), deductions }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: i64, indicator: &str, points: i64, status: EventStatus) -> Event {
        Event {
            id,
            indicator: indicator.into(),
            kind: EventKind::Refund,
            date: format!("2025-0{id}-01"),
            points,
            varied_points: None,
            status,
            repaired: false,
        }
    }

    #[test]
    fn the_shipped_scorecard_loads_with_its_grade_bands() {
        let pack = ScorecardPack::parse(DEFAULT_PACK).unwrap();
        assert_eq!(pack.total, 1000);
        assert_eq!(pack.grade(985).unwrap().grade, "A");
        assert_eq!(pack.grade(950).unwrap().grade, "B");
        assert_eq!(pack.grade(799).unwrap().grade, "E");
    }

    #[test]
    fn deductions_count_within_the_indicators_cap_and_only_while_they_stand() {
        let pack = ScorecardPack::parse(DEFAULT_PACK).unwrap();
        let cap = pack.indicator("refunds").unwrap().max_points;
        let mut events = vec![
            event(1, "refunds", cap - 10, EventStatus::Confirmed),
            event(2, "refunds", 30, EventStatus::UnderAppeal),
            event(3, "refunds", 50, EventStatus::Draft),
            event(4, "refunds", 50, EventStatus::Withdrawn),
        ];
        let s = score(&pack, &events);
        assert_eq!(
            s.deductions,
            vec![
                Deduction { event: 1, indicator: "refunds".into(), points: cap - 10 },
                Deduction { event: 2, indicator: "refunds".into(), points: 10 },
            ]
        );
        assert_eq!(s.score, 1000 - cap);
        events[0].repaired = true;
        assert_eq!(score(&pack, &events).score, 1000 - 30);
    }
}

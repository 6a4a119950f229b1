//! Trainee ratings that tell the truth (plan 四(四), the Integrity issue item 3): a project's survey
//! answers become a published rating only above a minimum response count and rate, and then always
//! with their count and a 95 % interval: Wilson's for shares, and for mean scores a shrinkage
//! towards the city mean that pulls small samples in (the rule is stated on the page). Pure.

use serde::{Deserialize, Serialize};

/// The two surveys of a training project (data standard v1.5, `training_survey.survey`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyKind {
    /// 结业评价: on the last days of the project, 1–5 on the fixed items.
    Completion,
    /// 跟踪调查: at least six months after the end: employed / certified / promoted.
    Outcome,
}

impl SurveyKind {
    pub const ALL: [SurveyKind; 2] = [SurveyKind::Completion, SurveyKind::Outcome];
    pub fn key(self) -> &'static str {
        match self {
            SurveyKind::Completion => "completion",
            SurveyKind::Outcome => "outcome",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            SurveyKind::Completion => "结业评价",
            SurveyKind::Outcome => "跟踪调查",
        }
    }
    pub fn parse(key: &str) -> Option<SurveyKind> {
        SurveyKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

/// The completion survey's items, scored 1–5 (column keys of `training_survey`, Chinese labels).
pub const SCORE_ITEMS: [(&str, &str, &str); 4] = [
    ("content", "培训内容实用", "Content useful"),
    ("teaching", "教学水平", "Teaching"),
    ("facilities", "场地设备", "Premises and equipment"),
    ("overall", "总体满意度", "Overall satisfaction"),
];

/// The outcome survey's items, each yes or no.
pub const OUTCOME_ITEMS: [(&str, &str, &str); 3] = [
    ("employed", "就业或在岗", "Employed"),
    ("certified", "取得证书或技能等级", "Certified"),
    ("promoted", "晋升或增加收入", "Promoted or paid more"),
];

/// An overall score of 4 or 5 counts as satisfied.
pub const SATISFIED_FROM: i64 = 4;

/// When a rating may be published, and how it is estimated (the scorecard pack's `[survey]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SurveyRules {
    /// At least this many responses.
    pub min_responses: i64,
    /// And at least this share of the trainees who completed (0–1).
    pub min_rate: f64,
    /// The shrinkage's weight of the city mean, in responses (k in (n·x̄ + k·μ) / (n + k)).
    pub prior_weight: f64,
    /// The normal quantile of the intervals (1.96 for 95 %).
    pub z: f64,
    /// An outcome survey is answered at least this many days after the project ends.
    pub outcome_after_days: i64,
    /// Categories of `training` that are subsidised (广东技工, 粤菜师傅, 南粤家政 …), by key.
    pub subsidised_categories: Vec<String>,
}

impl Default for SurveyRules {
    fn default() -> Self {
        SurveyRules {
            min_responses: 30,
            min_rate: 0.5,
            prior_weight: 20.0,
            z: 1.96,
            outcome_after_days: 183,
            subsidised_categories: vec![
                "guangdong_technician".into(),
                "cantonese_chef".into(),
                "south_guangdong_housekeeping".into(),
            ],
        }
    }
}

impl SurveyRules {
    pub fn check(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if self.min_responses < 1 {
            errors.push("[survey] min_responses must be at least 1".into());
        }
        if !(0.0..=1.0).contains(&self.min_rate) {
            errors.push("[survey] min_rate is a share between 0 and 1 (0.5 = 50 %)".into());
        }
        if !(self.prior_weight >= 0.0 && self.prior_weight.is_finite()) {
            errors.push("[survey] prior_weight must be 0 or more".into());
        }
        if !(self.z > 0.0 && self.z < 10.0) {
            errors.push("[survey] z must lie between 0 and 10 (1.96 for 95 %)".into());
        }
        if self.outcome_after_days < 0 {
            errors.push("[survey] outcome_after_days must not be negative".into());
        }
        errors
    }
}

/// One response, as imported or answered on the public form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Response {
    /// The completion items' scores, in `SCORE_ITEMS` order.
    pub scores: [Option<i64>; 4],
    /// The outcome items, in `OUTCOME_ITEMS` order.
    pub outcomes: [Option<bool>; 3],
}

/// Running sums over responses: what a rating and a city mean are made of.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub responses: i64,
    /// Per score item: (n, Σx, Σx²).
    pub scores: [(i64, f64, f64); 4],
    /// Per outcome item: (n, yes).
    pub outcomes: [(i64, i64); 3],
    /// Responses whose overall score is given, and those of them satisfied.
    pub satisfied: (i64, i64),
}

impl Tally {
    pub fn add(&mut self, r: &Response) {
        self.responses += 1;
        for (slot, v) in self.scores.iter_mut().zip(r.scores) {
            if let Some(v) = v {
                slot.0 += 1;
                slot.1 += v as f64;
                slot.2 += (v * v) as f64;
            }
        }
        for (slot, v) in self.outcomes.iter_mut().zip(r.outcomes) {
            if let Some(v) = v {
                slot.0 += 1;
                slot.1 += i64::from(v);
            }
        }
        if let Some(o) = r.scores[3] {
            self.satisfied.0 += 1;
            self.satisfied.1 += i64::from(o >= SATISFIED_FROM);
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        self.responses += other.responses;
        for (a, b) in self.scores.iter_mut().zip(other.scores) {
            a.0 += b.0;
            a.1 += b.1;
            a.2 += b.2;
        }
        for (a, b) in self.outcomes.iter_mut().zip(other.outcomes) {
            a.0 += b.0;
            a.1 += b.1;
        }
        self.satisfied.0 += other.satisfied.0;
        self.satisfied.1 += other.satisfied.1;
    }

    /// The mean of a score item, with its sample variance (None without answers).
    fn moments(&self, item: usize) -> Option<(i64, f64, f64)> {
        let (n, s, ss) = self.scores[item];
        if n == 0 {
            return None;
        }
        let mean = s / n as f64;
        let var = if n > 1 { ((ss - n as f64 * mean * mean) / (n - 1) as f64).max(0.0) } else { 0.0 };
        Some((n, mean, var))
    }
}

/// Wilson's score interval of a share: (share, low, high), all 0–1; None for no answers.
pub fn wilson(successes: i64, n: i64, z: f64) -> Option<(f64, f64, f64)> {
    if n <= 0 || successes < 0 || successes > n {
        return None;
    }
    let nf = n as f64;
    let p = successes as f64 / nf;
    let z2 = z * z;
    let centre = p + z2 / (2.0 * nf);
    let half = z * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    let denom = 1.0 + z2 / nf;
    Some((p, ((centre - half) / denom).max(0.0), ((centre + half) / denom).min(1.0)))
}

/// A mean score pulled towards the city mean: (n·x̄ + k·μ) / (n + k), with the interval
/// ± z·s / √(n + k), s the standard deviation pooled from the project's and the city's
/// ((n − 1)·s²ₚ + k·s²꜀) / (n − 1 + k), kept within 1–5.
pub fn shrunk_mean(n: i64, mean: f64, sd: f64, city_mean: f64, k: f64, z: f64) -> (f64, f64, f64) {
    let nf = n as f64;
    let est = (nf * mean + k * city_mean) / (nf + k);
    let half = z * sd / (nf + k).sqrt();
    (est, (est - half).max(1.0), (est + half).min(5.0))
}

/// Why a rating is or is not shown.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Published,
    /// Fewer responses than the minimum.
    TooFew {
        needed: i64,
    },
    /// A response rate below the minimum (or no trainee who completed to take it from).
    LowRate {
        needed: f64,
    },
}

/// A score item as published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemRating {
    pub item: &'static str,
    pub n: i64,
    pub mean: f64,
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

/// A share as published (satisfied, employed, certified, promoted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareRating {
    pub item: &'static str,
    pub n: i64,
    pub yes: i64,
    pub share: f64,
    pub low: f64,
    pub high: f64,
}

/// A project's survey as the public page may show it: always the count and rate; items and shares
/// only when published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rating {
    pub survey: SurveyKind,
    pub responses: i64,
    /// Trainees who completed the project (the base of the response rate).
    pub base: i64,
    pub rate: Option<f64>,
    #[serde(flatten)]
    pub verdict: Verdict,
    pub items: Vec<ItemRating>,
    pub shares: Vec<ShareRating>,
}

/// Rates a project's survey against the city's tally of the same survey and year.
pub fn rate(survey: SurveyKind, tally: &Tally, base: i64, city: &Tally, rules: &SurveyRules) -> Rating {
    let rate = (base > 0).then(|| tally.responses as f64 / base as f64);
    let verdict = if tally.responses < rules.min_responses {
        Verdict::TooFew { needed: rules.min_responses }
    } else if rate.is_none_or(|r| r < rules.min_rate) {
        Verdict::LowRate { needed: rules.min_rate }
    } else {
        Verdict::Published
    };
    let mut items = Vec::new();
    let mut shares = Vec::new();
    if verdict == Verdict::Published {
        match survey {
            SurveyKind::Completion => {
                for (i, (key, _, _)) in SCORE_ITEMS.iter().enumerate() {
                    let Some((n, mean, var)) = tally.moments(i) else { continue };
                    let (city_mean, city_var) = city.moments(i).map_or((mean, var), |(_, m, v)| (m, v));
                    // The spread pooled with the city's, weighted as the means are: a project whose
                    // answers all agree does not get an interval of zero width.
                    let k = rules.prior_weight;
                    let dof = (n - 1) as f64 + k;
                    let sd = if dof > 0.0 { (((n - 1) as f64 * var + k * city_var) / dof).sqrt() } else { 0.0 };
                    let (estimate, low, high) = shrunk_mean(n, mean, sd, city_mean, rules.prior_weight, rules.z);
                    items.push(ItemRating { item: key, n, mean, estimate, low, high });
                }
                if let Some((share, low, high)) = wilson(tally.satisfied.1, tally.satisfied.0, rules.z) {
                    let (n, yes) = tally.satisfied;
                    shares.push(ShareRating { item: "satisfied", n, yes, share, low, high });
                }
            }
            SurveyKind::Outcome => {
                for (i, (key, _, _)) in OUTCOME_ITEMS.iter().enumerate() {
                    let (n, yes) = tally.outcomes[i];
                    if let Some((share, low, high)) = wilson(yes, n, rules.z) {
                        shares.push(ShareRating { item: key, n, yes, share, low, high });
                    }
                }
            }
        }
    }
    Rating { survey, responses: tally.responses, base, rate, verdict, items, shares }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(overall: i64) -> Response {
        Response { scores: [Some(4), Some(4), Some(3), Some(overall)], outcomes: [None; 3] }
    }

    #[test]
    fn wilson_matches_the_textbook_example() {
        // 8 of 10 at 95 %: Wilson's interval is 0.490 to 0.943 (Newcombe 1998, table I style).
        let (p, lo, hi) = wilson(8, 10, 1.959964).unwrap();
        assert!((p - 0.8).abs() < 1e-12);
        assert!((lo - 0.4902).abs() < 1e-3, "{lo}");
        assert!((hi - 0.9433).abs() < 1e-3, "{hi}");
        assert_eq!(wilson(0, 0, 1.96), None);
        let (_, lo, hi) = wilson(0, 5, 1.96).unwrap();
        assert!(lo == 0.0 && hi > 0.4);
    }

    #[test]
    fn a_rating_is_published_only_above_the_minimum_count_and_rate() {
        let rules = SurveyRules::default();
        let mut t = Tally::default();
        for i in 0..29 {
            t.add(&scores(if i % 3 == 0 { 3 } else { 5 }));
        }
        let city = t.clone();
        let r = rate(SurveyKind::Completion, &t, 40, &city, &rules);
        assert_eq!(r.verdict, Verdict::TooFew { needed: 30 });
        assert!(r.items.is_empty() && r.shares.is_empty());
        t.add(&scores(5));
        assert_eq!(rate(SurveyKind::Completion, &t, 100, &city, &rules).verdict, Verdict::LowRate { needed: 0.5 });
        let r = rate(SurveyKind::Completion, &t, 40, &city, &rules);
        assert_eq!(r.verdict, Verdict::Published);
        let sat = &r.shares[0];
        assert_eq!((sat.n, sat.yes), (30, 20));
        let overall = &r.items[3];
        assert!(overall.low < overall.estimate && overall.estimate < overall.high);
    }

    #[test]
    fn a_small_sample_is_pulled_towards_the_city_mean() {
        let (est, _, _) = shrunk_mean(5, 5.0, 0.0, 4.0, 20.0, 1.96);
        assert!((est - 4.2).abs() < 1e-12);
        let (est, _, _) = shrunk_mean(500, 5.0, 0.0, 4.0, 20.0, 1.96);
        assert!(est > 4.96);
    }
}

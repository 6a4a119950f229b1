//! The transfer assessment (转段考核) as data: per intake year from which it applies, the components
//! and their weights, the pass threshold out of the maximum, and the exemptions accepted; and the
//! check of one submitted result against the scheme of its intake.

use serde::{Deserialize, Serialize};

use crate::domain::standard::{TRANSFER_EXEMPTIONS, find_choice};

/// The scheme shipped with VETIS (Guangdong's rules, 粤教职函〔2021〕19号).
pub const DEFAULT_PACK: &str = include_str!("../../../data/pathways/transfer-scheme.toml");

/// The file: one or more schemes, each applying from an intake year until the next.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemePack {
    pub id: String,
    pub version: String,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(rename = "scheme")]
    pub schemes: Vec<Scheme>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    pub from_intake_year: i64,
    /// The document the scheme follows.
    pub source: String,
    pub max_score: f64,
    pub threshold: f64,
    /// Keys of `transfer.exemption` the scheme accepts in place of a score.
    #[serde(default)]
    pub exemptions: Vec<String>,
    #[serde(rename = "component")]
    pub components: Vec<Component>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Component {
    pub key: String,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    pub weight: f64,
}

impl SchemePack {
    /// Parses and checks a scheme file, naming every problem.
    pub fn parse(text: &str) -> Result<SchemePack, Vec<String>> {
        let pack: SchemePack = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let errors = pack.check();
        if errors.is_empty() { Ok(pack) } else { Err(errors) }
    }

    fn check(&self) -> Vec<String> {
        let mut errors = crate::domain::pack_identity_errors(&self.id, &self.version);
        if self.schemes.is_empty() {
            errors.push("no [[scheme]]: no intake could be assessed".into());
        }
        let mut years = Vec::new();
        for s in &self.schemes {
            let at = format!("[[scheme]] from_intake_year = {}", s.from_intake_year);
            if years.contains(&s.from_intake_year) {
                errors.push(format!("{at}: given twice"));
            }
            years.push(s.from_intake_year);
            if !(2000..=2100).contains(&s.from_intake_year) {
                errors.push(format!("{at}: not a year (2000–2100)"));
            }
            if s.max_score <= 0.0 || !(0.0..=s.max_score).contains(&s.threshold) {
                errors.push(format!(
                    "{at}: threshold {} must lie between 0 and max_score {} (> 0)",
                    s.threshold, s.max_score
                ));
            }
            for e in &s.exemptions {
                if !TRANSFER_EXEMPTIONS.iter().any(|c| c.key == e) {
                    let known: Vec<&str> = TRANSFER_EXEMPTIONS.iter().map(|c| c.key).collect();
                    errors.push(format!("{at}: exemption '{e}' is not one of {}", known.join(", ")));
                }
            }
            if s.components.is_empty() {
                errors.push(format!("{at}: no [[scheme.component]]"));
            }
            let sum: f64 = s.components.iter().map(|c| c.weight).sum();
            if s.components.iter().any(|c| c.weight <= 0.0) || (sum - 1.0).abs() > 1e-6 {
                errors.push(format!("{at}: component weights must be > 0 and add up to 1 (they add up to {sum})"));
            }
        }
        errors
    }

    /// The scheme an intake year is assessed under: the latest that applies from that year or before.
    pub fn for_intake(&self, year: i64) -> Option<&Scheme> {
        self.schemes.iter().filter(|s| s.from_intake_year <= year).max_by_key(|s| s.from_intake_year)
    }
}

/// What is wrong with a result under its scheme.
#[derive(Debug, Clone, PartialEq)]
pub enum ResultProblem {
    /// The score is above the scheme's maximum.
    ScoreAboveMax { max: f64 },
    /// The exemption is not one the scheme accepts.
    ExemptionNotAccepted { accepted: Vec<String> },
    /// A pass with neither a score at the threshold nor an accepted exemption.
    PassBelowThreshold { threshold: f64 },
    /// A failure with a score at or above the threshold (a warning: the upper school may set
    /// further requirements).
    FailAboveThreshold { threshold: f64 },
    /// No scheme applies to the intake year.
    NoScheme,
}

impl Scheme {
    /// Checks one result: `score` out of `max_score`, an optional exemption key, the result key.
    pub fn judge(&self, score: Option<f64>, exemption: Option<&str>, result: &str) -> Vec<ResultProblem> {
        let mut out = Vec::new();
        if let Some(s) = score
            && s > self.max_score
        {
            out.push(ResultProblem::ScoreAboveMax { max: self.max_score });
        }
        let exempt = match exemption {
            Some(e) if self.exemptions.iter().any(|x| x == e) => true,
            Some(_) => {
                out.push(ResultProblem::ExemptionNotAccepted {
                    accepted: self
                        .exemptions
                        .iter()
                        .map(|k| find_choice(TRANSFER_EXEMPTIONS, k).map_or(k.clone(), |c| c.zh.to_string()))
                        .collect(),
                });
                false
            }
            None => false,
        };
        let reached = score.is_some_and(|s| s >= self.threshold);
        match result {
            "passed" if !exempt && !reached => {
                out.push(ResultProblem::PassBelowThreshold { threshold: self.threshold });
            }
            "failed" if reached => out.push(ResultProblem::FailAboveThreshold { threshold: self.threshold }),
            _ => {}
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_scheme_loads_and_applies_to_its_intakes() {
        let pack = SchemePack::parse(DEFAULT_PACK).unwrap();
        let s = pack.for_intake(2021).unwrap();
        assert_eq!(s.threshold, 40.0);
        assert!(pack.for_intake(1990).is_none());
    }

    #[test]
    fn a_pass_needs_the_threshold_or_an_accepted_exemption() {
        let pack = SchemePack::parse(DEFAULT_PACK).unwrap();
        let s = pack.for_intake(2021).unwrap();
        assert!(s.judge(Some(55.0), None, "passed").is_empty());
        assert!(s.judge(None, Some("competition"), "passed").is_empty());
        assert_eq!(s.judge(Some(30.0), None, "passed"), vec![ResultProblem::PassBelowThreshold { threshold: 40.0 }]);
        assert_eq!(s.judge(Some(60.0), None, "failed"), vec![ResultProblem::FailAboveThreshold { threshold: 40.0 }]);
        assert!(matches!(s.judge(Some(101.0), None, "failed")[0], ResultProblem::ScoreAboveMax { .. }));
        assert!(s.judge(None, None, "withdrawn").is_empty());
    }

    #[test]
    fn weights_that_do_not_add_up_are_refused() {
        let text = DEFAULT_PACK.replace("weight = 0.6", "weight = 0.7");
        let errors = SchemePack::parse(&text).unwrap_err();
        assert!(errors[0].contains("add up to 1"), "{errors:?}");
    }
}

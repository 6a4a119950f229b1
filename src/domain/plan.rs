//! The plan as data: key indicators with baselines, targets, comparators and the formula each uses,
//! and the designation kinds that records may name. Loaded from a TOML file and checked on load.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::dual::register::{CLAIM_COLUMN, IndicatorSource, REGISTER_COLUMN, RegisterSettings};
use super::standard::{DESIGNATION_LEVELS, DESIGNATION_STATUSES, Kind, LEVELS, SPONSORS, Table, find_choice};
use super::targets::{Check, ConditionStandard, CountedTarget, KeyIndustry, Rule};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// A stable identifier: loading a plan with the same id replaces it.
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Who issues the plan's evaluations (the cover's 发文机关); the plan's name when absent.
    #[serde(default)]
    pub issuer_zh: Option<String>,
    #[serde(default)]
    pub issuer_en: Option<String>,
    pub baseline_year: i32,
    pub target_year: i32,
    #[serde(rename = "indicator")]
    pub indicators: Vec<Indicator>,
    #[serde(rename = "designation_kind", default)]
    pub designation_kinds: Vec<DesignationKind>,
    /// Counted targets over designations (plan-targets.md §2).
    #[serde(rename = "target", default)]
    pub targets: Vec<CountedTarget>,
    /// Rules checked on records (§3).
    #[serde(rename = "rule", default)]
    pub rules: Vec<Rule>,
    /// The basic-conditions standard the `conditions` rule applies.
    #[serde(default)]
    pub conditions: ConditionStandard,
    #[serde(rename = "key_industry", default)]
    pub key_industries: Vec<KeyIndustry>,
    /// How the return's dual-qualified claims meet the register of recognitions.
    #[serde(default)]
    pub dual_register: RegisterSettings,
    /// The dual-qualified indicators counted the other way (claims ↔ register), kept beside the
    /// plan's own so that both can be shown side by side; derived on load, never written.
    #[serde(skip)]
    pub dual_alternates: Vec<(String, Formula)>,
    /// The city totals' shares by district or school, as the bureau loaded them (not part of the
    /// plan file: attached when the plan is read from the store).
    #[serde(skip)]
    pub shares: Vec<super::shares::Share>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribute {
    Binding,
    Expected,
}

impl Attribute {
    pub fn zh(self) -> &'static str {
        match self {
            Attribute::Binding => "约束性",
            Attribute::Expected => "预期性",
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            Attribute::Binding => "binding",
            Attribute::Expected => "expected",
        }
    }
}

/// How a value is compared with its target.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum Comparator {
    AtLeast,
    AtMost,
    /// Within ± `band_pct` per cent of the target.
    Around {
        band_pct: f64,
    },
}

impl Comparator {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::AtLeast => "≥",
            Comparator::AtMost => "≤",
            Comparator::Around { .. } => "≈",
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            Comparator::AtLeast => "at_least",
            Comparator::AtMost => "at_most",
            Comparator::Around { .. } => "around",
        }
    }
    pub fn satisfied(self, value: f64, target: f64) -> bool {
        match self {
            Comparator::AtLeast => value >= target,
            Comparator::AtMost => value <= target,
            Comparator::Around { band_pct } => (value - target).abs() <= target.abs() * band_pct / 100.0 + 1e-12,
        }
    }
}

/// Where an indicator's target applies: ratios apply to every school, totals only to the city.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetScope {
    City,
    All,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Interim {
    pub year: i32,
    pub target: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    pub number: u32,
    pub name_zh: String,
    pub name_en: String,
    pub unit_zh: String,
    pub unit_en: String,
    /// Decimals shown (values are compared unrounded).
    pub decimals: u32,
    /// The plan's 2020 figure; none for counts that start from nothing.
    pub baseline: Option<f64>,
    pub target: f64,
    pub comparator: Comparator,
    pub attribute: Attribute,
    pub target_scope: TargetScope,
    #[serde(default)]
    pub interim: Vec<Interim>,
    pub formula: Formula,
    /// How a gap to the target is worded ("{n} 名“双师型”教师"); the unit when absent.
    #[serde(default)]
    pub gap: Option<super::shortfall::GapWords>,
}

/// A filter on a table's coded columns: every listed column must hold one of the listed values.
pub type Filter = BTreeMap<String, Vec<FilterValue>>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FilterValue {
    Bool(bool),
    Text(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Number of rows.
    Count,
    /// Number of distinct schools among the rows.
    DistinctSchools,
    /// Sum of a column (`sum_column`).
    Sum,
    /// Rows matching `numerator` ÷ rows, × 100.
    Share,
}

/// The formula of an indicator: which rows of which table, at which schools, measured how.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Formula {
    pub table: String,
    pub measure: Measure,
    /// School levels in scope (`secondary`, `higher`, `bachelor`).
    pub levels: Vec<String>,
    /// School sponsors in scope (`municipal`, `district`, `private`).
    pub sponsors: Vec<String>,
    #[serde(default)]
    pub filter: Filter,
    /// For `share`: rows matching any of these filters (each filter's entries all hold).
    #[serde(default)]
    pub numerator: Vec<Filter>,
    pub sum_column: Option<String>,
    /// The year column; designations count every year up to Y when `cumulative`.
    pub year_column: Option<String>,
    #[serde(default)]
    pub cumulative: bool,
    #[serde(default = "one")]
    pub divisor: f64,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignationKind {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
}

impl Plan {
    /// Parses and checks a plan file; every problem is listed, with where it is.
    pub fn from_toml(text: &str) -> Result<Plan, Vec<String>> {
        let mut plan: Plan = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let errors = plan.check();
        if !errors.is_empty() {
            return Err(errors);
        }
        plan.count_dual_from_source();
        Ok(plan)
    }

    /// Points the dual-qualified indicators at the claims or the register, as the plan says, and
    /// keeps the other way as an alternate. A formula's numerator names the claim column; counted
    /// from the register it names the column the store keeps from the recognitions instead, so the
    /// formula (and its blocks) are a different one.
    fn count_dual_from_source(&mut self) {
        let (from, to) = match self.dual_register.indicator_source {
            IndicatorSource::Claims => (CLAIM_COLUMN, REGISTER_COLUMN),
            IndicatorSource::Register => (REGISTER_COLUMN, CLAIM_COLUMN),
        };
        let swap = |f: &Formula, a: &str, b: &str| -> Option<Formula> {
            if f.table != "teacher" || !f.numerator.iter().any(|n| n.contains_key(a)) {
                return None;
            }
            let mut g = f.clone();
            for n in &mut g.numerator {
                if let Some(v) = n.remove(a) {
                    n.insert(b.to_string(), v);
                }
            }
            Some(g)
        };
        let mut alternates = Vec::new();
        for ind in &mut self.indicators {
            if let Some(g) = swap(&ind.formula, CLAIM_COLUMN, from) {
                ind.formula = g;
            }
            if let Some(alt) = swap(&ind.formula, from, to) {
                alternates.push((ind.id.clone(), alt));
            }
        }
        self.dual_alternates = alternates;
    }

    /// The other way of counting a dual-qualified indicator (claims ↔ register), if it is one.
    pub fn dual_alternate(&self, indicator: &str) -> Option<&Formula> {
        self.dual_alternates.iter().find(|(id, _)| id == indicator).map(|(_, f)| f)
    }

    pub fn indicator(&self, id: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.id == id)
    }

    fn check(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if self.target_year <= self.baseline_year {
            errors.push(format!("target_year {} must follow baseline_year {}", self.target_year, self.baseline_year));
        }
        let mut seen = std::collections::HashSet::new();
        for ind in &self.indicators {
            let at = format!("indicator '{}'", ind.id);
            if !seen.insert(ind.id.clone()) {
                errors.push(format!("{at}: the id is used twice"));
            }
            if let Comparator::Around { band_pct } = ind.comparator
                && !(band_pct > 0.0 && band_pct < 100.0)
            {
                errors.push(format!("{at}: band_pct must be between 0 and 100"));
            }
            for i in &ind.interim {
                if i.year <= self.baseline_year || i.year > self.target_year {
                    errors.push(format!("{at}: interim year {} is outside the plan's period", i.year));
                }
            }
            errors.extend(self.check_formula(&ind.formula).into_iter().map(|e| format!("{at}: {e}")));
            if let Some(g) = &ind.gap {
                errors.extend(g.problems().into_iter().map(|e| format!("{at}: {e}")));
            }
        }
        let mut kinds = std::collections::HashSet::new();
        for k in &self.designation_kinds {
            if !kinds.insert(k.key.clone()) || !kinds.insert(k.name_zh.clone()) {
                errors.push(format!("designation kind '{}': key or name used twice", k.key));
            }
        }
        errors.extend(self.check_targets());
        errors.extend(self.dual_register.problems());
        errors
    }

    pub fn designation_kind(&self, key: &str) -> Option<&DesignationKind> {
        self.designation_kinds.iter().find(|k| k.key == key)
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    fn check_targets(&self) -> Vec<String> {
        let mut errors = Vec::new();
        let period = self.baseline_year + 1..=self.target_year;
        let mut seen = std::collections::HashSet::new();
        for t in &self.targets {
            let at = format!("target '{}'", t.designation_kind);
            if self.designation_kind(&t.designation_kind).is_none() {
                errors.push(format!("{at}: no [[designation_kind]] has this key"));
            }
            if !seen.insert(t.designation_kind.clone()) {
                errors.push(format!("{at}: counted twice"));
            }
            for l in &t.levels {
                if find_choice(DESIGNATION_LEVELS, l).is_none() {
                    errors.push(format!("{at}: unknown designation level '{l}'"));
                }
            }
            for s in &t.statuses {
                if !matches!(s.as_str(), "accepted" | "in_progress") || find_choice(DESIGNATION_STATUSES, s).is_none() {
                    errors.push(format!("{at}: statuses may be 'accepted' and 'in_progress', not '{s}'"));
                }
            }
            for l in &t.every_school_of {
                if find_choice(LEVELS, l).is_none() {
                    errors.push(format!("{at}: unknown school level '{l}'"));
                }
            }
            if let (Some(a), Some(b)) = (t.target, t.target_max)
                && b < a
            {
                errors.push(format!("{at}: target_max {b} is below target {a}"));
            }
            if t.target.is_some() && !t.every_school_of.is_empty() {
                errors.push(format!("{at}: give a target or every_school_of, not both"));
            }
            if !period.contains(&t.target_year) {
                errors.push(format!("{at}: target_year {} is outside the plan's period", t.target_year));
            }
        }
        for r in &self.rules {
            let at = format!("rule '{}'", r.id);
            if !seen.insert(r.id.clone()) || self.indicator(&r.id).is_some() {
                errors.push(format!("{at}: the id is used twice"));
            }
            if !period.contains(&r.target_year) {
                errors.push(format!("{at}: target_year {} is outside the plan's period", r.target_year));
            }
            if r.target.is_none() && !r.rising {
                errors.push(format!("{at}: give a target, or rising = true"));
            }
            if r.window_years < 1 {
                errors.push(format!("{at}: window_years must be at least 1"));
            }
            let needs = match r.check {
                Check::Practice | Check::NewTeacherPractice => r.min_days.map_or(Some("min_days"), |_| None),
                Check::TrainingCycle | Check::IdealsHours => r.min_hours.map_or(Some("min_hours"), |_| None),
                Check::TrainingToEnrolment => r.min_ratio.map_or(Some("min_ratio"), |_| None),
                Check::Conditions if self.conditions.checks.is_empty() => Some("a [conditions] standard"),
                Check::IndustryCoverage if self.key_industries.is_empty() => Some("[[key_industry]] entries"),
                _ => None,
            };
            if let Some(n) = needs {
                errors.push(format!("{at}: the {:?} check needs {n}", r.check));
            }
            for k in &r.quality_kinds {
                if self.designation_kind(k).is_none() {
                    errors.push(format!("{at}: quality kind '{k}' is not a designation kind"));
                }
            }
        }
        let mut keys = std::collections::HashSet::new();
        for c in &self.conditions.checks {
            let at = format!("conditions check '{}'", c.key);
            if !keys.insert(c.key.clone()) {
                errors.push(format!("{at}: the key is used twice"));
            }
            if c.min.is_none() && c.max.is_none() {
                errors.push(format!("{at}: give min or max"));
            }
        }
        let mut industries = std::collections::HashSet::new();
        for k in &self.key_industries {
            if !industries.insert(k.key.clone()) {
                errors.push(format!("key industry '{}': the key is used twice", k.key));
            }
        }
        errors
    }

    fn check_formula(&self, f: &Formula) -> Vec<String> {
        let mut errors = Vec::new();
        let Some(table) = Table::from_name(&f.table) else {
            return vec![format!("unknown table '{}'", f.table)];
        };
        for l in &f.levels {
            if find_choice(LEVELS, l).is_none() {
                errors.push(format!("unknown school level '{l}'"));
            }
        }
        for s in &f.sponsors {
            if find_choice(SPONSORS, s).is_none() {
                errors.push(format!("unknown sponsor '{s}'"));
            }
        }
        let filters = std::iter::once(&f.filter).chain(f.numerator.iter());
        for filter in filters {
            for (column, values) in filter {
                match table.column(column) {
                    None => errors.push(format!("table {} has no column '{column}'", table.key())),
                    Some(c) => {
                        for v in values {
                            let ok = match (c.kind, v) {
                                (Kind::Bool, FilterValue::Bool(_)) => true,
                                (Kind::Choice(list), FilterValue::Text(t)) => list.iter().any(|x| x.key == t),
                                (Kind::DesignationKind, FilterValue::Text(t)) => {
                                    self.designation_kinds.iter().any(|k| &k.key == t)
                                }
                                _ => false,
                            };
                            if !ok {
                                errors.push(format!("'{v:?}' is not a value of {}.{column}", table.key()));
                            }
                        }
                    }
                }
            }
        }
        if f.measure == Measure::Share && f.numerator.is_empty() {
            errors.push("a share needs a numerator".into());
        }
        if f.measure == Measure::Sum {
            match f.sum_column.as_deref().and_then(|c| table.column(c)) {
                Some(c) if c.kind.is_integer() || c.kind.is_real() => {}
                _ => errors.push("a sum needs a numeric sum_column".into()),
            }
        }
        let year_col = f.year_column.as_deref().or(table.year_column());
        match year_col.and_then(|c| table.column(c)) {
            Some(c) if c.kind == Kind::Year => {}
            _ => errors.push("no year column: name one with year_column".into()),
        }
        if f.divisor <= 0.0 {
            errors.push("divisor must be positive".into());
        }
        errors
    }
}

/// The plan shipped with VETIS: Guangzhou's 14th five-year plan for vocational education.
pub const GUANGZHOU_PLAN: &str = include_str!("../../plans/guangzhou-2021-2025.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_plan_loads_with_ten_indicators() {
        let plan = Plan::from_toml(GUANGZHOU_PLAN).unwrap();
        assert_eq!(plan.indicators.len(), 10);
        assert_eq!(plan.indicator("secondary_master_share").unwrap().target, 25.0);
        assert!(plan.designation_kinds.len() >= 24);
    }

    #[test]
    fn a_plan_naming_an_unknown_column_is_refused_with_the_indicator_named() {
        let bad = GUANGZHOU_PLAN.replacen("destination = [\"study_higher\"", "destiny = [\"study_higher\"", 1);
        let errors = Plan::from_toml(&bad).unwrap_err();
        assert!(errors.iter().any(|e| e.contains("secondary_progression_rate") && e.contains("destiny")), "{errors:?}");
    }
}

//! What it takes: for a key indicator short of its target, the gap in what it counts ("+37 名
//! “双师型”教师"), the five schools that hold most of it with their share, and the year the current
//! trend reaches the target. Shown on the indicator page, in the dashboard's alerts and in the
//! evaluation report.

use serde::Serialize;

use super::breakdown::{By, Group, breakdown};
use super::indicators::IndicatorResult;
use super::query::Scope;
use crate::domain::plan::{Indicator, Measure, Plan};
use crate::domain::shortfall::{Basis, Figure, contributions, reach_year};
use crate::messages::numbers::grouped;
use crate::store::{Db, StoreError};

/// How far ahead the trend is followed before saying it does not get there.
pub const HORIZON_YEAR: i32 = 2050;

/// How many schools are named as holding the gap.
const NAMED: usize = 5;

/// A school's part of the gap.
#[derive(Debug, Clone, Serialize)]
pub struct Holder {
    pub code: String,
    pub name: String,
    /// In what is counted (people, attendances).
    pub amount: f64,
    pub text_zh: String,
    pub text_en: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Shortfall {
    pub id: String,
    pub target: f64,
    pub target_year: i32,
    /// The gap in what is counted: positive when more are needed.
    pub amount: f64,
    /// "+37 名“双师型”教师" and "+37 dual-qualified teachers".
    pub text_zh: String,
    pub text_en: String,
    /// How the schools' parts were worked out; None where no school can hold a part.
    pub basis: Option<Basis>,
    /// The schools holding most of the gap, largest first (at most five).
    pub holders: Vec<Holder>,
    /// How many schools hold a part of it.
    pub schools_short: usize,
    /// The named schools' share of all the schools' parts, in %.
    pub holders_share: Option<f64>,
    /// The first year the current trend meets the target (none by `HORIZON_YEAR`).
    pub reach_year: Option<i32>,
}

fn signed(v: f64, decimals: usize) -> String {
    let body = grouped(v.abs(), decimals);
    if v < 0.0 { format!("−{body}") } else { format!("+{body}") }
}

/// The gap worded as the plan says ("{n} 名升学毕业生"), in both languages.
pub fn words(ind: &Indicator, amount: f64) -> (String, String) {
    let n = signed(amount, 0);
    let in_unit = amount / ind.formula.divisor;
    // 万 figures to one decimal, or two below one (a school's +0.04 万人次, not +0.0).
    let decimals = match ind.formula.divisor {
        d if d <= 1.0 => 0,
        _ if in_unit.abs() < 1.0 => 2,
        _ => 1,
    };
    let w = signed(in_unit, decimals);
    let fill = |t: &str| t.replace("{n}", &n).replace("{w}", &w);
    match &ind.gap {
        Some(g) => (fill(&g.zh), fill(&g.en)),
        None if ind.formula.measure == Measure::Share => (format!("{n} 人"), format!("{n} people")),
        None => (format!("{w} {}", ind.unit_zh), format!("{w} {}", ind.unit_en)),
    }
}

fn figure(ind: &Indicator, value: f64, numerator: Option<f64>, denominator: Option<f64>) -> Figure {
    Figure {
        measure: ind.formula.measure,
        comparator: ind.comparator,
        value,
        numerator,
        denominator,
        divisor: ind.formula.divisor,
    }
}

/// The gap of one indicator result, with its schools' parts from `schools` (the indicator broken
/// down by school in the same scope and year), or None when the target is met or not set here.
pub fn shortfall(plan: &Plan, r: &IndicatorResult, schools: Option<&[Group]>) -> Option<Shortfall> {
    let ind = plan.indicator(&r.id)?;
    let (value, target) = (r.value?, r.target?);
    let whole = figure(ind, value, r.numerator, r.denominator);
    let amount = whole.gap(target)?;
    let (text_zh, text_en) = words(ind, amount);
    let reach = reach_year(
        &r.series,
        ind.comparator,
        target,
        r.year + 1,
        HORIZON_YEAR - r.year - 1,
        ind.formula.measure == Measure::Share,
    );
    let mut s = Shortfall {
        id: r.id.clone(),
        target,
        target_year: r.target_year,
        amount,
        text_zh,
        text_en,
        basis: None,
        holders: Vec::new(),
        schools_short: 0,
        holders_share: None,
        reach_year: reach,
    };
    // A designation is a school's or not: no school holds a part of the gap in designations.
    let Some(groups) = schools.filter(|_| !matches!(r.scope, Scope::School(_)) && ind.formula.table != "designation")
    else {
        return Some(s);
    };
    let parts: Vec<Figure> =
        groups.iter().map(|g| figure(ind, g.value.unwrap_or(0.0), g.numerator, g.denominator)).collect();
    if let Some((basis, parts)) = contributions(&parts, &whole, target) {
        let all: f64 = parts.iter().map(|c| c.amount).sum();
        let named: Vec<Holder> = parts
            .iter()
            .take(NAMED)
            .map(|c| {
                let g = &groups[c.index];
                // A part of less than half a person would read "+0": say it is under one.
                let (text_zh, text_en) = if c.amount.round() == 0.0 && ind.formula.divisor <= 1.0 {
                    let (zh, en) = words(ind, c.amount.signum());
                    (
                        format!("不足 {}", zh.trim_start_matches(['+', '-'])),
                        format!("under {}", en.trim_start_matches(['+', '-'])),
                    )
                } else {
                    words(ind, c.amount.round())
                };
                Holder { code: g.key.clone(), name: g.label.clone(), amount: c.amount, text_zh, text_en }
            })
            .collect();
        let top: f64 = parts.iter().take(NAMED).map(|c| c.amount).sum();
        s.holders_share = (all != 0.0).then(|| top / all * 100.0);
        s.schools_short = parts.len();
        s.basis = Some(basis);
        s.holders = named;
    }
    Some(s)
}

/// Every key indicator's gap in a scope and year, the schools' parts read from the records.
pub async fn all(db: &Db, plan: &Plan, results: &[IndicatorResult]) -> Result<Vec<Shortfall>, StoreError> {
    let mut out = Vec::new();
    for r in results {
        let Some(ind) = plan.indicator(&r.id) else { continue };
        if shortfall(plan, r, None).is_none() {
            continue;
        }
        let groups = if matches!(r.scope, Scope::School(_)) {
            None
        } else {
            breakdown(db, &ind.formula, &r.scope, r.year, By::School).await?
        };
        out.extend(shortfall(plan, r, groups.as_deref()));
    }
    Ok(out)
}

impl Shortfall {
    /// One sentence saying what it takes, in Chinese: the gap, the schools holding most of it, and
    /// when the trend gets there.
    pub fn sentence_zh(&self, name: &str, target_text: &str) -> String {
        let mut s = format!("{name}距 {} 年目标 {target_text} 还差 {}", self.target_year, self.text_zh);
        if !self.holders.is_empty() {
            let names: Vec<String> = self.holders.iter().map(|h| format!("{}（{}）", h.name, h.text_zh)).collect();
            s.push_str(&format!(
                "；缺口集中在 {} 所学校中的{}{}",
                self.schools_short,
                names.join("、"),
                self.holders_share.map(|p| format!("，合计占 {p:.0}%")).unwrap_or_default()
            ));
            if self.basis == Some(Basis::Proportional) {
                s.push_str("（按各校现有规模分摊）");
            }
        }
        s.push_str(&match self.reach_year {
            Some(y) => format!("；按当前趋势 {y} 年达到目标。"),
            None => format!("；按当前趋势 {HORIZON_YEAR} 年前达不到目标。"),
        });
        s
    }

    /// The same sentence in English.
    pub fn sentence_en(&self, name: &str, target_text: &str) -> String {
        let mut s =
            format!("{name}: {} needed to reach the {} target of {target_text}", self.text_en, self.target_year);
        if !self.holders.is_empty() {
            let names: Vec<String> = self.holders.iter().map(|h| format!("{} ({})", h.name, h.text_en)).collect();
            s.push_str(&format!(
                "; of the {} schools short, {} hold{} most of it",
                self.schools_short,
                names.join(", "),
                self.holders_share.map(|p| format!(", {p:.0}% together")).unwrap_or_default()
            ));
            if self.basis == Some(Basis::Proportional) {
                s.push_str(" (shared out by present size)");
            }
        }
        s.push_str(&match self.reach_year {
            Some(y) => format!("; at the present trend it is reached in {y}."),
            None => format!("; at the present trend it is not reached before {HORIZON_YEAR}."),
        });
        s
    }
}

//! What it takes to reach a target (pure arithmetic): the gap in the things an indicator counts
//! (people, schools, attendances), which parts (schools) hold most of it, and the year the
//! current trend reaches the target.

use serde::{Deserialize, Serialize};

use super::plan::{Comparator, Measure};
use super::status::fit;

/// How the plan words a gap: `{n}` is the gap in what the formula counts (people, schools),
/// signed and with thousands separators; `{w}` is the gap in the indicator's own unit (万人次).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GapWords {
    pub zh: String,
    pub en: String,
}

impl GapWords {
    /// What is wrong with the wording, for the plan's check.
    pub fn problems(&self) -> Vec<String> {
        [("zh", &self.zh), ("en", &self.en)]
            .into_iter()
            .filter(|(_, t)| !t.contains("{n}") && !t.contains("{w}"))
            .map(|(k, _)| {
                format!("gap.{k} must contain {{n}} (the gap in what is counted) or {{w}} (in the indicator's unit)")
            })
            .collect()
    }
}

/// What an indicator's figure is made of, for the gap's arithmetic.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    pub measure: Measure,
    pub comparator: Comparator,
    /// The value in the indicator's unit (a share in %, a count after the divisor).
    pub value: f64,
    pub numerator: Option<f64>,
    pub denominator: Option<f64>,
    /// What the count is divided by to reach the indicator's unit (10,000 for 万).
    pub divisor: f64,
}

impl Figure {
    /// The gap to `target` in what the formula counts (rows of the numerator for a share, at the
    /// current denominator; the count itself otherwise): positive when more are needed, negative
    /// when fewer; None when the target is already met or the figure has no parts to count.
    pub fn gap(&self, target: f64) -> Option<f64> {
        if self.comparator.satisfied(self.value, target) {
            return None;
        }
        let raw = match self.measure {
            Measure::Share => {
                let (num, den) = (self.numerator?, self.denominator?);
                target / 100.0 * den - num
            }
            _ => (target - self.value) * self.divisor,
        };
        // Whole people: round away from zero, so that the gap closed reaches the target.
        let whole = if raw > 0.0 { (raw - 1e-9).ceil() } else { (raw + 1e-9).floor() };
        (whole != 0.0).then_some(whole)
    }
}

/// How the parts' contributions are shared out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Each part's own gap if it reached the target share (ratios apply to every school).
    OwnTarget,
    /// The city's gap shared out in proportion to each part's present size (totals have a city
    /// target only).
    Proportional,
}

/// One part's contribution to closing a gap, in what is counted.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub index: usize,
    pub amount: f64,
}

/// Each part's contribution in the gap's direction, largest first. `parts` are the parts'
/// figures; `whole` the figure of the scope they make up.
pub fn contributions(parts: &[Figure], whole: &Figure, target: f64) -> Option<(Basis, Vec<Contribution>)> {
    let gap = whole.gap(target)?;
    let sign = gap.signum();
    let (basis, mut out): (Basis, Vec<Contribution>) = match whole.measure {
        Measure::Share => (
            Basis::OwnTarget,
            parts
                .iter()
                .enumerate()
                .filter_map(|(i, p)| {
                    // A part counts in the gap's direction only; one above target offsets nothing.
                    let g = Figure { comparator: Comparator::AtLeast, ..*p }.gap_raw(target)?;
                    (g * sign > 0.0).then_some(Contribution { index: i, amount: g })
                })
                .collect(),
        ),
        Measure::Count | Measure::Sum if whole.value > 0.0 => {
            let total: f64 = parts.iter().map(|p| p.value).sum();
            if total <= 0.0 {
                return Some((Basis::Proportional, Vec::new()));
            }
            (
                Basis::Proportional,
                parts
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.value > 0.0)
                    .map(|(i, p)| Contribution { index: i, amount: gap * p.value / total })
                    .collect(),
            )
        }
        // Designations: a school is designated or not; no share to hand out.
        _ => return None,
    };
    out.sort_by(|a, b| b.amount.abs().partial_cmp(&a.amount.abs()).unwrap_or(std::cmp::Ordering::Equal));
    Some((basis, out))
}

impl Figure {
    /// The share gap of one part without the "already met" test or rounding (a part's target is
    /// reached or passed; its surplus is dropped by the caller).
    fn gap_raw(&self, target: f64) -> Option<f64> {
        let (num, den) = (self.numerator?, self.denominator?);
        (den > 0.0).then(|| target / 100.0 * den - num)
    }
}

/// The first year from `from` on in which the straight line fitted to `values` satisfies the
/// target, looking up to `horizon` years ahead; None when the trend does not get there by then.
/// A share's line is kept within 0–100.
pub fn reach_year(
    values: &[(i32, f64)],
    comparator: Comparator,
    target: f64,
    from: i32,
    horizon: i32,
    bounded: bool,
) -> Option<i32> {
    let points: Vec<(f64, f64)> = values.iter().map(|(y, v)| (f64::from(*y), *v)).collect();
    if points.len() < 2 {
        return None;
    }
    let (slope, intercept) = fit(&points)?;
    (from..=from + horizon).find(|y| {
        let v = slope * f64::from(*y) + intercept;
        let v = if bounded { v.clamp(0.0, 100.0) } else { v };
        comparator.satisfied(v, target)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn share(num: f64, den: f64) -> Figure {
        Figure {
            measure: Measure::Share,
            comparator: Comparator::AtLeast,
            value: num / den * 100.0,
            numerator: Some(num),
            denominator: Some(den),
            divisor: 1.0,
        }
    }

    #[test]
    fn a_share_short_of_its_target_needs_whole_people_at_the_present_denominator() {
        // 690 of 1,000 teachers dual-qualified; 70 % needs 700.
        assert_eq!(share(690.0, 1000.0).gap(70.0), Some(10.0));
        // 69.95 % of 2,000 is 1,399; 70 % is 1,400.
        assert_eq!(share(1399.0, 2000.0).gap(70.0), Some(1.0));
        assert_eq!(share(700.0, 1000.0).gap(70.0), None);
    }

    #[test]
    fn a_count_in_ten_thousands_is_counted_in_people() {
        let f = Figure {
            measure: Measure::Count,
            comparator: Comparator::AtLeast,
            value: 24.59,
            numerator: None,
            denominator: None,
            divisor: 10_000.0,
        };
        assert_eq!(f.gap(28.7), Some(41_100.0));
    }

    #[test]
    fn schools_above_the_target_offset_nothing_and_the_largest_gap_comes_first() {
        let parts = [share(50.0, 100.0), share(90.0, 100.0), share(10.0, 40.0)];
        let whole = share(150.0, 240.0);
        let (basis, c) = contributions(&parts, &whole, 70.0).unwrap();
        assert_eq!(basis, Basis::OwnTarget);
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].index, c[1].index), (0, 2));
        assert!((c[0].amount - 20.0).abs() < 1e-9);
        assert!((c[1].amount - 18.0).abs() < 1e-9);
    }

    #[test]
    fn a_total_is_shared_out_by_present_size() {
        let part = |v: f64| Figure {
            measure: Measure::Count,
            comparator: Comparator::AtLeast,
            value: v,
            numerator: None,
            denominator: None,
            divisor: 1.0,
        };
        let whole = part(100.0);
        let (basis, c) = contributions(&[part(75.0), part(25.0)], &whole, 120.0).unwrap();
        assert_eq!(basis, Basis::Proportional);
        assert_eq!(c[0].index, 0);
        assert!((c[0].amount - 15.0).abs() < 1e-9);
    }

    #[test]
    fn the_trend_reaches_a_target_in_the_year_its_line_crosses_it() {
        let values = [(2020, 60.0), (2021, 62.0), (2022, 64.0), (2023, 66.0)];
        assert_eq!(reach_year(&values, Comparator::AtLeast, 70.0, 2023, 25, true), Some(2025));
        let flat = [(2020, 60.0), (2021, 60.0)];
        assert_eq!(reach_year(&flat, Comparator::AtLeast, 70.0, 2021, 25, true), None);
    }

    #[test]
    fn a_wording_without_a_number_is_refused() {
        let w = GapWords { zh: "名教师".into(), en: "{n} teachers".into() };
        assert_eq!(w.problems().len(), 1);
    }
}

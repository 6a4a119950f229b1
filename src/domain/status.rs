//! Status of an indicator in a year and its projection to the target year (indicators.md, "Status").

use serde::Serialize;

use super::plan::Comparator;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Met,
    OnTrack,
    AtRisk,
    OffTrack,
    /// In or after the target year, short of the target: too late for a trend to matter.
    NotMet,
    NoData,
    /// The indicator has a value here but the plan sets no target at this scope (a district's
    /// share of a city-wide total).
    NoTarget,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Met,
        Status::OnTrack,
        Status::AtRisk,
        Status::OffTrack,
        Status::NotMet,
        Status::NoData,
        Status::NoTarget,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::OnTrack => "on_track",
            Status::AtRisk => "at_risk",
            Status::OffTrack => "off_track",
            Status::NotMet => "not_met",
            Status::NoData => "no_data",
            Status::NoTarget => "no_target",
        }
    }
    pub fn zh(self) -> &'static str {
        match self {
            Status::Met => "已达标",
            Status::OnTrack => "进度正常",
            Status::AtRisk => "有风险",
            Status::OffTrack => "偏离目标",
            Status::NotMet => "未达标",
            Status::NoData => "无数据",
            Status::NoTarget => "无目标",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::OnTrack => "on track",
            Status::AtRisk => "at risk",
            Status::OffTrack => "off track",
            Status::NotMet => "not met",
            Status::NoData => "no data",
            Status::NoTarget => "no target",
        }
    }
    /// An alert is raised for binding indicators in these states.
    pub fn is_alarming(self) -> bool {
        matches!(self, Status::AtRisk | Status::OffTrack | Status::NotMet)
    }
}

/// What the status rules need to judge year `year` against a target due in `target_year`.
pub struct Judgement<'a> {
    pub baseline_year: i32,
    pub baseline: Option<f64>,
    pub target_year: i32,
    pub target: f64,
    pub comparator: Comparator,
    /// Values by year, for every year from the baseline year up to `year` that has one.
    pub values: &'a [(i32, f64)],
    pub year: i32,
    /// The range a value can take (0–100 for a share): a trend is never projected outside it.
    pub bounds: Option<(f64, f64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Assessment {
    pub status: Status,
    /// The trend's value in the target year.
    pub projection: Option<f64>,
    /// The first year (after the baseline) in which the trend satisfies the target, if it ever does
    /// by 2100; the current year when already met.
    pub crossing_year: Option<i32>,
}

/// Least-squares line through the points: (slope, intercept); a single point gives a flat line.
pub(crate) fn fit(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let n = points.len() as f64;
    if points.is_empty() {
        return None;
    }
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = if sxx == 0.0 { 0.0 } else { sxy / sxx };
    Some((slope, my - slope * mx))
}

impl Judgement<'_> {
    /// The straight line from the baseline (0 for counts without one) to the target, at `year`.
    fn planned(&self, year: i32) -> f64 {
        let b = self.baseline.unwrap_or(0.0);
        let span = f64::from(self.target_year - self.baseline_year);
        b + (self.target - b) * (f64::from(year - self.baseline_year) / span).clamp(0.0, 1.0)
    }

    /// The points the trend is fitted to: the records' values up to `year`, with the plan's baseline
    /// standing in for the baseline year when the records have none there.
    fn trend_points(&self) -> Vec<(f64, f64)> {
        let mut pts: Vec<(f64, f64)> =
            self.values.iter().filter(|(y, _)| *y <= self.year).map(|(y, v)| (f64::from(*y), *v)).collect();
        let has_base = self.values.iter().any(|(y, _)| *y == self.baseline_year);
        if !has_base {
            pts.insert(0, (f64::from(self.baseline_year), self.baseline.unwrap_or(0.0)));
        }
        pts
    }

    pub fn assess(&self) -> Assessment {
        let Some(&(_, value)) = self.values.iter().find(|(y, _)| *y == self.year) else {
            return Assessment { status: Status::NoData, projection: None, crossing_year: None };
        };
        // In the target year (and after it) a figure is met or not: no trend, no projection.
        if self.year >= self.target_year {
            let met = self.comparator.satisfied(value, self.target);
            return Assessment {
                status: if met { Status::Met } else { Status::NotMet },
                projection: None,
                crossing_year: met.then_some(self.year),
            };
        }
        let (slope, intercept) = fit(&self.trend_points()).expect("at least the baseline point");
        let at = |y: i32| slope * f64::from(y) + intercept;
        let projection = match self.bounds {
            Some((lo, hi)) => at(self.target_year).clamp(lo, hi),
            None => at(self.target_year),
        };
        let crossing_year = (self.baseline_year + 1..=2100)
            .find(|y| *y >= self.year.min(self.target_year) && self.comparator.satisfied(at(*y), self.target));
        let status = if self.comparator.satisfied(value, self.target) {
            Status::Met
        } else if self.beyond_line(value) {
            Status::OnTrack
        } else if self.comparator.satisfied(projection, self.target) {
            Status::AtRisk
        } else {
            Status::OffTrack
        };
        let crossing_year = if status == Status::Met { Some(self.year) } else { crossing_year };
        Assessment { status, projection: Some(projection), crossing_year }
    }

    /// At or beyond the planned line in the direction of the target, and not past the target's band.
    fn beyond_line(&self, value: f64) -> bool {
        let line = self.planned(self.year);
        let rising = self.target >= self.baseline.unwrap_or(0.0);
        match self.comparator {
            Comparator::AtLeast => value >= line - 1e-12,
            Comparator::AtMost => value <= line + 1e-12,
            Comparator::Around { band_pct } => {
                let band = self.target.abs() * band_pct / 100.0;
                if rising {
                    value >= line - 1e-12 && value < self.target - band
                } else {
                    value <= line + 1e-12 && value > self.target + band
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(
        values: &[(i32, f64)],
        year: i32,
        baseline: Option<f64>,
        target: f64,
        comparator: Comparator,
    ) -> Assessment {
        Judgement { baseline_year: 2020, baseline, target_year: 2025, target, comparator, values, year, bounds: None }
            .assess()
    }

    #[test]
    fn a_share_is_never_projected_beyond_100_per_cent() {
        let values = [(2020, 40.0), (2021, 60.0), (2022, 80.0)];
        let j = |bounds| Judgement {
            baseline_year: 2020,
            baseline: Some(40.0),
            target_year: 2025,
            target: 100.0,
            comparator: Comparator::AtLeast,
            values: &values,
            year: 2022,
            bounds,
        };
        assert_eq!(j(Some((0.0, 100.0))).assess().projection, Some(100.0));
        assert!(j(None).assess().projection.unwrap() > 130.0);
    }

    #[test]
    fn a_value_that_satisfies_the_target_is_met() {
        let a = judge(&[(2020, 33.5), (2023, 51.0)], 2023, Some(33.5), 50.0, Comparator::AtLeast);
        assert_eq!(a.status, Status::Met);
        assert_eq!(a.crossing_year, Some(2023));
    }

    #[test]
    fn a_value_on_the_planned_line_is_on_track() {
        // Line from 33.5 to 50 over five years: 2022 → 40.1.
        let a = judge(&[(2020, 33.5), (2021, 36.8), (2022, 40.1)], 2022, Some(33.5), 50.0, Comparator::AtLeast);
        assert_eq!(a.status, Status::OnTrack);
    }

    #[test]
    fn behind_the_line_but_trending_to_the_target_is_at_risk() {
        // Behind the line at 2022 (40.1): whether the trend reaches 50 decides.
        let a = judge(&[(2020, 33.5), (2021, 33.6), (2022, 40.0)], 2022, Some(33.5), 50.0, Comparator::AtLeast);
        // Trend: slope 3.25, projection 2025 = 48.7 → misses: off track.
        assert_eq!(a.status, Status::OffTrack);
        let b = judge(&[(2020, 30.0), (2021, 35.0), (2022, 39.9)], 2022, Some(33.5), 50.0, Comparator::AtLeast);
        // Slope 4.95: projection 2025 ≈ 54.77 → reaches: at risk.
        assert_eq!(b.status, Status::AtRisk);
        assert!((b.projection.unwrap() - 54.7667).abs() < 0.001);
    }

    #[test]
    fn the_baseline_stands_in_for_a_missing_first_year() {
        let a = judge(&[(2021, 70.0)], 2021, Some(69.1), 70.0, Comparator::AtLeast);
        assert_eq!(a.status, Status::Met);
        let b = judge(&[(2021, 69.2)], 2021, Some(69.1), 70.0, Comparator::AtLeast);
        // Line at 2021: 69.28; 69.2 is behind; trend 0.1/yr → 69.6 in 2025: off track.
        assert_eq!(b.status, Status::OffTrack);
        assert!((b.projection.unwrap() - 69.6).abs() < 1e-9);
    }

    #[test]
    fn around_is_met_within_the_band_and_not_on_track_past_it() {
        let c = Comparator::Around { band_pct: 5.0 };
        assert_eq!(judge(&[(2020, 9.74), (2022, 9.6)], 2022, Some(9.74), 10.0, c).status, Status::Met);
        assert_eq!(judge(&[(2020, 9.74), (2022, 11.0)], 2022, Some(9.74), 10.0, c).status, Status::OffTrack);
        assert_eq!(judge(&[(2020, 6.4), (2022, 7.1)], 2022, Some(6.4), 8.0, c).status, Status::OnTrack);
    }

    #[test]
    fn counts_without_a_baseline_start_from_zero() {
        let a = judge(&[(2022, 4.0)], 2022, None, 10.0, Comparator::AtLeast);
        assert_eq!(a.status, Status::OnTrack);
    }

    #[test]
    fn in_and_after_the_target_year_a_figure_is_met_or_not_met_without_projection() {
        // 48 in 2025 against ≥50, rising fast enough that a trend would call it "at risk".
        let values = [(2020, 33.5), (2023, 45.0), (2025, 48.0)];
        let a = judge(&values, 2025, Some(33.5), 50.0, Comparator::AtLeast);
        assert_eq!(a.status, Status::NotMet);
        assert_eq!(a.projection, None);
        let a = judge(&[(2020, 33.5), (2025, 51.0)], 2025, Some(33.5), 50.0, Comparator::AtLeast);
        assert_eq!((a.status, a.projection), (Status::Met, None));
        let a = judge(&[(2020, 33.5), (2026, 49.0)], 2026, Some(33.5), 50.0, Comparator::AtLeast);
        assert_eq!(a.status, Status::NotMet);
    }

    #[test]
    fn no_value_for_the_year_is_no_data() {
        assert_eq!(judge(&[(2020, 1.0)], 2021, Some(1.0), 2.0, Comparator::AtLeast).status, Status::NoData);
    }
}

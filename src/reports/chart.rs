//! Trend charts drawn as SVG (web pages and reports): the values from the baseline year, the target as a
//! dashed line, the least-squares projection to the target year as a dotted one.

use crate::figures::indicators::IndicatorResult;

const W: f64 = 260.0;
const H: f64 = 96.0;
const PAD: f64 = 22.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub fn trend(r: &IndicatorResult) -> String {
    let mut series = r.series.clone();
    if r.scope == crate::figures::Scope::City
        && !series.iter().any(|(y, _)| *y == r.baseline_year)
        && let Some(b) = r.baseline
    {
        // The plan's (city) baseline stands in for a baseline year the records lack.
        series.insert(0, (r.baseline_year, b));
    }
    trend_of(&r.name, &series, r.target, r.projection_2025, r.baseline_year, r.target_year)
}

/// The chart of any series: values, the target as a dashed line, the projection as a dotted one.
pub fn trend_of(
    name: &str,
    series: &[(i32, f64)],
    target: Option<f64>,
    projection: Option<f64>,
    first: i32,
    last: i32,
) -> String {
    let mut ys: Vec<f64> = series.iter().map(|p| p.1).collect();
    ys.extend(target);
    ys.extend(projection);
    if ys.is_empty() {
        return String::new();
    }
    let (mut lo, mut hi) = ys.iter().fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    if (hi - lo).abs() < 1e-9 {
        lo -= 1.0;
        hi += 1.0;
    }
    let margin = (hi - lo) * 0.1;
    let (lo, hi) = (lo - margin, hi + margin);
    let x = |year: i32| PAD + f64::from(year - first) / f64::from((last - first).max(1)) * (W - 2.0 * PAD);
    let y = |v: f64| H - PAD * 0.6 - (v - lo) / (hi - lo) * (H - PAD * 1.2);
    let mut svg = format!(
        r#"<svg class="trend" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(name),
        esc(&format!("{name} {first}–{last}"))
    );
    svg.push_str(&format!(
        r#"<line class="axis" x1="{PAD}" y1="{b}" x2="{e}" y2="{b}"/>"#,
        b = H - PAD * 0.6,
        e = W - PAD
    ));
    for yr in [first, last] {
        svg.push_str(&format!(
            r#"<text class="tick" x="{:.1}" y="{:.1}" text-anchor="middle">{yr}</text>"#,
            x(yr),
            H - 2.0
        ));
    }
    if let Some(t) = target {
        svg.push_str(&format!(
            r#"<line class="target" x1="{PAD}" y1="{v:.1}" x2="{e}" y2="{v:.1}"/>"#,
            v = y(t),
            e = W - PAD
        ));
    }
    let pts: Vec<String> = series.iter().map(|(yr, v)| format!("{:.1},{:.1}", x(*yr), y(*v))).collect();
    if pts.len() > 1 {
        svg.push_str(&format!(r#"<polyline class="series" points="{}"/>"#, pts.join(" ")));
    }
    for (yr, v) in series {
        svg.push_str(&format!(r#"<circle class="point" cx="{:.1}" cy="{:.1}" r="2.5"/>"#, x(*yr), y(*v)));
    }
    if let (Some((yr, v)), Some(p)) = (series.last(), projection)
        && *yr < last
    {
        svg.push_str(&format!(
            r#"<line class="projection" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/>"#,
            x(*yr),
            y(*v),
            x(last),
            y(p)
        ));
    }
    svg.push_str("</svg>");
    svg
}

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

/// A cohort funnel as horizontal bars, one per stage, each labelled with its count and its share
/// of the first stage.
pub fn funnel(name: &str, stages: &[(String, i64)]) -> String {
    const FW: f64 = 520.0;
    const ROW: f64 = 24.0;
    const LABEL: f64 = 120.0;
    let first = stages.first().map_or(0, |s| s.1).max(1) as f64;
    let h = ROW * stages.len() as f64 + 8.0;
    let mut svg = format!(
        r#"<svg class="funnel" viewBox="0 0 {FW} {h}" width="{FW}" height="{h}" role="img" aria-label="{}"><title>{}</title>"#,
        esc(name),
        esc(name)
    );
    for (i, (label, n)) in stages.iter().enumerate() {
        let y = 4.0 + ROW * i as f64;
        let w = (*n as f64 / first * (FW - LABEL - 110.0)).max(1.0);
        svg.push_str(&format!(
            r#"<text x="{x}" y="{ty}" text-anchor="end">{}</text><rect class="step" x="{LABEL}" y="{y}" width="{w:.1}" height="{bh}"/><text x="{vx:.1}" y="{ty}">{n} ({:.1}%)</text>"#,
            esc(label),
            *n as f64 / first * 100.0,
            x = LABEL - 6.0,
            ty = y + ROW * 0.62,
            bh = ROW - 6.0,
            vx = LABEL + w + 6.0
        ));
    }
    svg.push_str("</svg>");
    svg
}

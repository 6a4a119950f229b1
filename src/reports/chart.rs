//! Charts drawn as SVG (web pages and reports): the values from the baseline year on an axis from
//! zero, the target as a labelled dashed line, the least-squares projection to the target year as a
//! dashed segment; each value labelled for hover and screen readers.

use crate::figures::indicators::IndicatorResult;
use crate::messages::Lang;

const W: f64 = 300.0;
const H: f64 = 132.0;
/// Room for the y-axis labels on the left, the target's label on the right.
const LEFT: f64 = 44.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 18.0;

/// The chart's own style, inside the SVG: the web page, the PDF and the DOCX draw it the same.
const STYLE: &str = "<style>.vt-axis{stroke:#767676}.vt-grid{stroke:#e1e4e8}.vt-target{stroke:#cf222e;stroke-dasharray:5 3}.vt-series{fill:none;stroke:#0b3d6e;stroke-width:2}.vt-point{fill:#0b3d6e}.vt-projection{stroke:#0b3d6e;stroke-dasharray:4 3;stroke-width:1.5;fill:none}.vt-tick,.vt-unit{font-size:9px;fill:#555555;font-family:'Noto Sans CJK SC',sans-serif}.vt-tlabel{font-size:9px;fill:#cf222e;font-family:'Noto Sans CJK SC',sans-serif}</style>";

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// What a chart says of its figure: its name, unit and decimals, in the reader's language.
pub struct Chart<'a> {
    pub name: &'a str,
    pub unit: &'a str,
    pub decimals: usize,
    pub lang: Lang,
}

impl Chart<'_> {
    /// A value as the chart writes it: separators, its decimals and its unit (`72.5%`, `1.50 万人`).
    pub fn with_unit(&self, v: f64) -> String {
        use crate::messages::numbers::grouped;
        let unit = self.unit.trim();
        if unit == "%" {
            format!("{}%", grouped(v, self.decimals))
        } else {
            format!("{} {unit}", grouped(v, self.decimals)).trim().to_string()
        }
    }
}

/// An indicator's trend chart, in the reader's language.
pub fn trend(r: &IndicatorResult, lang: Lang) -> String {
    let mut series = r.series.clone();
    if r.scope == crate::figures::Scope::City
        && !series.iter().any(|(y, _)| *y == r.baseline_year)
        && let Some(b) = r.baseline
    {
        // The plan's (city) baseline stands in for a baseline year the records lack.
        series.insert(0, (r.baseline_year, b));
    }
    let (name, unit) = if lang == Lang::En { (&r.name_en, &r.unit_en) } else { (&r.name, &r.unit) };
    let c = Chart { name, unit, decimals: r.decimals as usize, lang };
    trend_of(&c, &series, r.target, r.projection_2025, r.baseline_year, r.target_year)
}

/// Round numbers for an axis: a top at or above `hi` (1, 2, 2.5 or 5 × a power of ten).
fn nice_top(hi: f64) -> f64 {
    if hi <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(hi.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * p).find(|t| *t >= hi - 1e-12).unwrap_or(10.0 * p)
}

/// The chart of any series: a y-axis from zero with its values and unit (figures here are counts
/// and shares, never negative; a series that is would start at its least), the values with a
/// label on hover and for screen readers, the target as a labelled dashed line, the projection to
/// the target year as a dashed segment.
pub fn trend_of(
    c: &Chart,
    series: &[(i32, f64)],
    target: Option<f64>,
    projection: Option<f64>,
    first: i32,
    last: i32,
) -> String {
    use crate::messages::numbers::grouped;
    let mut ys: Vec<f64> = series.iter().map(|p| p.1).collect();
    ys.extend(target);
    ys.extend(projection);
    if ys.is_empty() {
        return String::new();
    }
    let (min, max) = ys.iter().fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(*v), b.max(*v)));
    let lo = if min >= 0.0 { 0.0 } else { -nice_top(-min) };
    let hi = nice_top(max.max(lo + 1e-9) * 1.05).max(lo + 1e-9);
    let x = |year: i32| LEFT + f64::from(year - first) / f64::from((last - first).max(1)) * (W - LEFT - RIGHT);
    let y = |v: f64| H - BOTTOM - (v - lo) / (hi - lo) * (H - TOP - BOTTOM);
    let zh = c.lang == Lang::Zh;
    let unit = c.unit.trim();
    let with_unit = |v: f64| c.with_unit(v);
    // What a screen reader says: every value, the target and the projection.
    let mut said: Vec<String> = series.iter().map(|(yr, v)| format!("{yr} {}", with_unit(*v))).collect();
    if let Some(t) = target {
        said.push(if zh { format!("目标 {}", with_unit(t)) } else { format!("target {}", with_unit(t)) });
    }
    if let Some(p) = projection {
        said.push(if zh {
            format!("{last} 预测 {}", with_unit(p))
        } else {
            format!("{last} projected {}", with_unit(p))
        });
    }
    let sep = if zh { "，" } else { ", " };
    let label = format!("{}{}{}", c.name, if zh { "：" } else { ": " }, said.join(sep));
    let mut svg = format!(
        r#"<svg class="trend" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">{STYLE}<title>{}</title>"#,
        esc(&label),
        esc(&label)
    );
    // The y-axis: three values and the unit on top.
    for v in [lo, lo + (hi - lo) / 2.0, hi] {
        let d = if (v - v.round()).abs() < 1e-9 { 0 } else { c.decimals.max(1) };
        svg.push_str(&format!(
            r#"<line class="vt-grid" x1="{LEFT}" y1="{yy:.1}" x2="{e}" y2="{yy:.1}"/><text class="vt-tick" x="{tx}" y="{ty:.1}" text-anchor="end">{}</text>"#,
            esc(&grouped(v, d)),
            yy = y(v),
            e = W - RIGHT,
            tx = LEFT - 4.0,
            ty = y(v) + 3.0
        ));
    }
    if !unit.is_empty() {
        svg.push_str(&format!(
            r#"<text class="vt-unit" x="{}" y="9" text-anchor="end">{}</text>"#,
            LEFT - 4.0,
            esc(unit)
        ));
    }
    svg.push_str(&format!(
        r#"<line class="vt-axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{b}"/><line class="vt-axis" x1="{LEFT}" y1="{b}" x2="{e}" y2="{b}"/>"#,
        b = H - BOTTOM,
        e = W - RIGHT
    ));
    for yr in [first, last] {
        svg.push_str(&format!(
            r#"<text class="vt-tick" x="{:.1}" y="{:.1}" text-anchor="middle">{yr}</text>"#,
            x(yr),
            H - 5.0
        ));
    }
    if let Some(t) = target {
        let tl = if zh { format!("目标 {}", with_unit(t)) } else { format!("target {}", with_unit(t)) };
        svg.push_str(&format!(
            r#"<line class="vt-target" x1="{LEFT}" y1="{v:.1}" x2="{e}" y2="{v:.1}"/><text class="vt-tlabel" x="{e}" y="{ly:.1}" text-anchor="end">{}</text>"#,
            esc(&tl),
            v = y(t),
            e = W - RIGHT,
            ly = if y(t) - 3.0 < TOP { y(t) + 10.0 } else { y(t) - 3.0 }
        ));
    }
    let pts: Vec<String> = series.iter().map(|(yr, v)| format!("{:.1},{:.1}", x(*yr), y(*v))).collect();
    if pts.len() > 1 {
        svg.push_str(&format!(r#"<polyline class="vt-series" points="{}"/>"#, pts.join(" ")));
    }
    if let (Some((yr, v)), Some(p)) = (series.last(), projection)
        && *yr < last
    {
        svg.push_str(&format!(
            r#"<line class="vt-projection" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"><title>{}</title></line>"#,
            x(*yr),
            y(*v),
            x(last),
            y(p),
            esc(&if zh {
                format!("{last} 预测 {}", with_unit(p))
            } else {
                format!("{last} projected {}", with_unit(p))
            })
        ));
    }
    for (yr, v) in series {
        svg.push_str(&format!(
            r#"<circle class="vt-point" cx="{:.1}" cy="{:.1}" r="3"><title>{yr}{}{}</title></circle>"#,
            x(*yr),
            y(*v),
            if zh { "：" } else { ": " },
            esc(&with_unit(*v))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_starts_at_zero_labels_its_axis_target_and_points() {
        let c = Chart { name: "双师型教师占比", unit: "%", decimals: 1, lang: Lang::Zh };
        let svg = trend_of(&c, &[(2020, 69.1), (2023, 69.9)], Some(70.0), Some(70.2), 2020, 2025);
        // 69.1 → 69.9 is not a spike: the axis runs from 0 to 100.
        assert!(svg.contains(">0</text>") && svg.contains(">100</text>"), "{svg}");
        assert!(svg.contains("目标 70.0%") && svg.contains("<title>2023：69.9%</title>"), "{svg}");
        assert!(svg.contains("2025 预测 70.2%") && svg.contains("<style>"));
        let en = trend_of(&Chart { lang: Lang::En, name: "Share", ..c }, &[(2020, 1.0)], None, None, 2020, 2025);
        assert!(!en.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)), "{en}");
    }
}

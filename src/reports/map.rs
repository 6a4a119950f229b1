//! The schematic map of the districts for one indicator, drawn as SVG: a tile per district (see
//! `domain::tilemap`), shaded by its figure in five equal steps between the lowest and the highest,
//! the figure and the unit on the tile, a mark where the target applies to each district, each tile
//! linked to the district's page and titled for hover and screen readers; a legend and the map's
//! note saying it shows no boundaries.

use super::chart::Chart;
use crate::domain::tilemap::TileMap;
use crate::messages::Lang;

const TILE_W: f64 = 92.0;
const TILE_H: f64 = 58.0;
const GAP: f64 = 4.0;
const LEGEND_H: f64 = 60.0;
/// Five steps of one blue, light to dark (ColorBrewer "Blues"), readable by those who see few colours.
const STEPS: [&str; 5] = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];
const NO_DATA: &str = "#f2f2f2";

/// The web page's stylesheet repeats these classes (its security policy allows no inline style);
/// the PDF and DOCX read them from the SVG.
const STYLE: &str = "<style>.vt-tile-name{font-size:12px;font-weight:bold;font-family:'Noto Sans CJK SC',sans-serif}.vt-tile-value{font-size:11px;font-family:'Noto Sans CJK SC',sans-serif}.vt-legend,.vt-note{font-size:9px;fill:#555555;font-family:'Noto Sans CJK SC',sans-serif}.vt-short{stroke:#cf222e;stroke-width:2.5;stroke-dasharray:5 3}.vt-met{stroke:#1a7f37;stroke-width:2.5}</style>";

/// One district's figure on the map.
pub struct DistrictValue {
    pub district: String,
    pub name: String,
    pub value: Option<f64>,
    /// Where the tile leads (the district's page), if anywhere.
    pub href: Option<String>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Which of the five steps a value falls in, between the lowest and the highest shown.
fn step(v: f64, lo: f64, hi: f64) -> usize {
    if hi - lo < 1e-12 {
        return 2;
    }
    (((v - lo) / (hi - lo) * 5.0).floor() as usize).min(4)
}

/// The map of `values` on `map`; `target` marks each district as meeting it or not, for a target
/// that applies to every district (not a city total). Empty when no district has a tile.
pub fn districts(map: &TileMap, values: &[DistrictValue], c: &Chart, target: Option<f64>) -> String {
    let zh = c.lang == Lang::Zh;
    let (cols, rows) = map.size();
    let placed: Vec<(&crate::domain::tilemap::Tile, &DistrictValue)> =
        map.tiles.iter().filter_map(|t| values.iter().find(|v| v.district == t.district).map(|v| (t, v))).collect();
    if placed.is_empty() {
        return String::new();
    }
    let shown: Vec<f64> = placed.iter().filter_map(|(_, v)| v.value).collect();
    let lo = shown.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = shown.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let with_unit = |v: f64| c.with_unit(v);
    let w = f64::from(cols) * (TILE_W + GAP) + GAP;
    let h = f64::from(rows) * (TILE_H + GAP) + GAP + LEGEND_H;
    let name = if zh { &map.name_zh } else { &map.name_en };
    let label = format!("{}{}{}", c.name, if zh { "：" } else { ": " }, name);
    let mut svg = format!(
        r##"<svg class="district-map" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{l}" xmlns="http://www.w3.org/2000/svg">{STYLE}<title>{l}</title>"##,
        l = esc(&label)
    );
    for (t, v) in &placed {
        let x = GAP + f64::from(t.col) * (TILE_W + GAP);
        let y = GAP + f64::from(t.row) * (TILE_H + GAP);
        let (fill, ink) = match v.value {
            Some(val) => {
                let s = step(val, lo, hi);
                (STEPS[s], if s >= 3 { "#ffffff" } else { "#1f2328" })
            }
            None => (NO_DATA, "#555555"),
        };
        let meets = match (v.value, target) {
            (Some(val), Some(t)) => Some(val >= t - 1e-9),
            _ => None,
        };
        let value_text = v.value.map_or_else(|| if zh { "无数据".to_string() } else { "no data".into() }, with_unit);
        let mark = match meets {
            Some(true) => {
                if zh {
                    "（达到目标）"
                } else {
                    " (meets the target)"
                }
            }
            Some(false) => {
                if zh {
                    "（低于目标）"
                } else {
                    " (below the target)"
                }
            }
            None => "",
        };
        let title = format!("{}{}{value_text}{mark}", v.name, if zh { "：" } else { ": " });
        let short_name = if zh { v.name.trim_end_matches('区').to_string() } else { v.name.clone() };
        let outline = match meets {
            Some(true) => r##" class="vt-met""##,
            Some(false) => r##" class="vt-short""##,
            None => r##" stroke="#ffffff""##,
        };
        let tile = format!(
            r##"<g><title>{title}</title><rect x="{x}" y="{y}" width="{TILE_W}" height="{TILE_H}" rx="4" fill="{fill}"{outline}/><text class="vt-tile-name" x="{cx}" y="{ny}" text-anchor="middle" fill="{ink}">{name}</text><text class="vt-tile-value" x="{cx}" y="{vy}" text-anchor="middle" fill="{ink}">{value}</text></g>"##,
            title = esc(&title),
            cx = x + TILE_W / 2.0,
            ny = y + 24.0,
            vy = y + 42.0,
            name = esc(&short_name),
            value = esc(&value_text),
        );
        match &v.href {
            Some(href) => svg.push_str(&format!(r##"<a href="{}">{tile}</a>"##, esc(href))),
            None => svg.push_str(&tile),
        }
    }
    // The legend: the five steps with their lower bounds, no data, and the target's marks.
    let ly = f64::from(rows) * (TILE_H + GAP) + GAP + 6.0;
    if !shown.is_empty() {
        for (i, colour) in STEPS.iter().enumerate() {
            let from = lo + (hi - lo) * i as f64 / 5.0;
            let x = GAP + i as f64 * 64.0;
            svg.push_str(&format!(
                r##"<rect x="{x}" y="{ly}" width="14" height="10" fill="{colour}"/><text class="vt-legend" x="{tx}" y="{ty}">≥{}</text>"##,
                esc(&with_unit(from)),
                tx = x + 17.0,
                ty = ly + 9.0
            ));
        }
    }
    let mut lx = GAP;
    let ly2 = ly + 16.0;
    let no_data = if zh { "无数据" } else { "no data" };
    svg.push_str(&format!(
        r##"<rect x="{lx}" y="{ly2}" width="14" height="10" fill="{NO_DATA}" stroke="#bbbbbb"/><text class="vt-legend" x="{tx}" y="{ty}">{no_data}</text>"##,
        tx = lx + 17.0,
        ty = ly2 + 9.0
    ));
    lx += 62.0;
    if let Some(t) = target {
        let (met, short) = if zh {
            (format!("达到目标 {}", with_unit(t)), "低于目标".to_string())
        } else {
            (format!("meets the target {}", with_unit(t)), "below the target".to_string())
        };
        svg.push_str(&format!(
            r##"<rect x="{lx}" y="{ly2}" width="14" height="10" fill="#ffffff" class="vt-met"/><text class="vt-legend" x="{tx}" y="{ty}">{}</text>"##,
            esc(&met),
            tx = lx + 17.0,
            ty = ly2 + 9.0
        ));
        lx += 130.0;
        svg.push_str(&format!(
            r##"<rect x="{lx}" y="{ly2}" width="14" height="10" fill="#ffffff" class="vt-short"/><text class="vt-legend" x="{tx}" y="{ty}">{short}</text>"##,
            tx = lx + 17.0,
            ty = ly2 + 9.0
        ));
    }
    svg.push_str(&format!(
        r##"<text class="vt-note" x="{GAP}" y="{}">{}</text></svg>"##,
        ly2 + 26.0,
        esc(if zh { &map.note_zh } else { &map.note_en })
    ));
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(code: &str, name: &str, value: Option<f64>) -> DistrictValue {
        DistrictValue { district: code.into(), name: name.into(), value, href: Some(format!("/d/{code}")) }
    }

    #[test]
    fn each_district_gets_its_tile_its_figure_and_a_mark_against_a_target_for_every_district() {
        let map = TileMap::default_map();
        let c = Chart { name: "“双师型”教师占比", unit: "%", decimals: 1, lang: Lang::Zh };
        let values =
            [v("440106", "天河区", Some(72.5)), v("440113", "番禺区", Some(61.0)), v("440115", "南沙区", None)];
        let svg = districts(&map, &values, &c, Some(70.0));
        assert!(svg.contains("<title>天河区：72.5%（达到目标）</title>"), "{svg}");
        assert!(svg.contains("<title>番禺区：61.0%（低于目标）</title>"), "{svg}");
        assert!(svg.contains("<title>南沙区：无数据</title>"), "{svg}");
        assert!(svg.contains(r##"<a href="/d/440106">"##));
        assert!(svg.contains(">天河<"), "names without 区 on the tile");
        assert!(svg.contains("达到目标 70.0%") && svg.contains("不表示区界"), "legend and note");
        assert_eq!(svg.matches("<rect").count(), 3 + 5 + 1 + 2, "three tiles, five steps, no data, two marks");
        assert!(
            svg.contains(r##"fill="#08519c" class="vt-met""##) && svg.contains(r##"fill="#deebf7" class="vt-short""##),
            "the highest darkest, the lowest lightest"
        );
    }

    #[test]
    fn a_map_in_english_has_no_chinese_but_the_names_it_is_given() {
        let map = TileMap::default_map();
        let c = Chart { name: "Enrolment", unit: "10k", decimals: 2, lang: Lang::En };
        let svg = districts(&map, &[v("440106", "Tianhe", Some(1.5))], &c, None);
        assert!(svg.contains("Tianhe: 1.50 10k") && svg.contains("no boundaries"), "{svg}");
        assert!(!svg.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch)), "{svg}");
    }
}

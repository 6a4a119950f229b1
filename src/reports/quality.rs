//! A quality report as a document (HTML, PDF through Typst, DOCX): the title with its status and
//! the data version it was read at, the chapters as written (plain text: `## ` headings, `- `
//! lists, `[[table:ID]]` placing a data table), the tables no chapter placed in an appendix, and
//! the trends of the key rows.

use std::collections::HashSet;

use super::chart::{Chart, trend_of};
use super::docx::{CHART_STYLE, Doc, package, png};
use super::pdf::{fonts, s as tq, table as ttable};
use crate::figures::quality::{Frozen, FrozenTable};
use crate::store::StoreError;

/// What a report is made of.
pub struct Document {
    pub frozen: Frozen,
    /// (chapter id, name, text) in the template's order.
    pub chapters: Vec<(String, String, String)>,
    /// "草稿", "第 2 版 · 已发布 2025-01-20" …
    pub status_line: String,
    pub hash: Option<String>,
}

/// The report's title: the school's name, the year and the template's name (the city's template
/// names the city already).
pub fn title(f: &Frozen) -> String {
    if f.subject == "city" {
        format!("{}（{} 年度）", f.title_zh, f.year)
    } else {
        format!("{} {} 年度{}", f.subject_name, f.year, f.title_zh)
    }
}

/// A piece of a chapter.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(String),
    Item(String),
    Para(String),
    Table(String),
}

/// Reads a chapter's text into blocks.
pub fn blocks(text: &str) -> Vec<Block> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            if let Some(h) = l.strip_prefix("## ") {
                Block::Heading(h.trim().to_string())
            } else if let Some(i) = l.strip_prefix("- ") {
                Block::Item(i.trim().to_string())
            } else if let Some(id) = l.strip_prefix("[[table:").and_then(|x| x.strip_suffix("]]")) {
                Block::Table(id.trim().to_string())
            } else {
                Block::Para(l.to_string())
            }
        })
        .collect()
}

/// A value as a report prints it (rounded for reading; the JSON keeps it whole).
pub fn shown(value: Option<f64>, unit: &str, note: Option<&str>) -> String {
    match value {
        Some(v)
            if unit == "人"
                || unit == "个"
                || unit == "门"
                || unit == "家"
                || unit == "项"
                || unit == "人次"
                || unit == "人日"
                || unit == "课时" =>
        {
            format!("{v:.0}")
        }
        Some(v) => format!("{v:.1}"),
        None => note.unwrap_or("无数据").to_string(),
    }
}

fn table_rows(t: &FrozenTable) -> Vec<Vec<String>> {
    t.rows
        .iter()
        .map(|r| {
            // A row without a value says why; a unit beside the reason would read as its unit.
            let unit = if r.value.is_some() { r.unit.clone() } else { String::new() };
            vec![r.name_zh.clone(), shown(r.value, &r.unit, r.note_zh.as_deref()), unit]
        })
        .collect()
}

/// The tables placed by the chapters.
fn placed(d: &Document) -> HashSet<String> {
    d.chapters
        .iter()
        .flat_map(|(_, _, text)| blocks(text))
        .filter_map(|b| if let Block::Table(id) = b { Some(id) } else { None })
        .collect()
}

/// The city's table of schools: those in its sums, then those shown apart (省属).
fn school_tables(f: &Frozen) -> Vec<(String, Vec<String>, Vec<Vec<String>>)> {
    if f.schools.is_empty() {
        return Vec::new();
    }
    let mut head: Vec<String> = vec!["学校".into()];
    head.extend(crate::figures::quality::CORE_ROWS.iter().map(|(_, n)| n.to_string()));
    head.push("年报发布".into());
    let rows = |pooled: bool| -> Vec<Vec<String>> {
        f.schools
            .iter()
            .filter(|s| s.pooled == pooled)
            .map(|s| {
                let mut r = vec![s.name.clone()];
                r.extend(s.values.iter().cloned());
                r.push(s.report.clone());
                r
            })
            .collect()
    };
    let mut out = vec![("各校核心数据与年报发布情况".to_string(), head.clone(), rows(true))];
    let apart = rows(false);
    if !apart.is_empty() {
        out.push(("在穗省属及其他学校（不计入全市汇总）".to_string(), head, apart));
    }
    out
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn trend_svg(t: &crate::figures::quality::Trend) -> Option<String> {
    let series: Vec<(i32, f64)> = t.points.iter().filter_map(|(y, v)| v.map(|v| (*y as i32, v))).collect();
    if series.len() < 2 {
        return None;
    }
    let (first, last) = (series[0].0, series[series.len() - 1].0);
    let c = Chart { name: &t.name_zh, unit: &t.unit, decimals: 1, lang: crate::messages::Lang::Zh };
    Some(trend_of(&c, &series, None, None, first, last))
}

fn html_table(t: &FrozenTable) -> String {
    let mut h = format!(
        "<table class=\"grid quality\" id=\"t-{}\"><caption>{}</caption><thead><tr><th scope=\"col\">项目</th><th scope=\"col\">数值</th><th scope=\"col\">单位</th></tr></thead><tbody>",
        esc(&t.id),
        esc(&t.name_zh)
    );
    for r in &t.rows {
        let cls = if r.value.is_some() { "" } else { " class=\"nodata\"" };
        h.push_str(&format!(
            "<tr data-row=\"{}\"><td>{}</td><td{cls}>{}</td><td>{}</td></tr>",
            esc(&r.id),
            esc(&r.name_zh),
            esc(&shown(r.value, &r.unit, r.note_zh.as_deref())),
            esc(if r.value.is_some() { &r.unit } else { "" })
        ));
    }
    h.push_str("</tbody></table>");
    h
}

/// The report as an HTML fragment (the page or the standalone file wraps it).
pub fn html_body(d: &Document) -> String {
    let f = &d.frozen;
    let mut h = format!(
        "<h1>{}</h1><p class=\"meta\">{} · 数据版本 {}{}</p>",
        esc(&title(f)),
        esc(&d.status_line),
        f.data_version,
        d.hash.as_ref().map(|x| format!(" · SHA-256 {}", &x[..16])).unwrap_or_default()
    );
    let by_id = |id: &str| f.tables.iter().find(|t| t.id == id);
    for (i, (_, name, text)) in d.chapters.iter().enumerate() {
        h.push_str(&format!("<h2>{}、{}</h2>", crate::reports::quality::number(i + 1), esc(name)));
        let mut in_list = false;
        for b in blocks(text) {
            if in_list && !matches!(b, Block::Item(_)) {
                h.push_str("</ul>");
                in_list = false;
            }
            match b {
                Block::Heading(x) => h.push_str(&format!("<h3>{}</h3>", esc(&x))),
                Block::Item(x) => {
                    if !in_list {
                        h.push_str("<ul>");
                        in_list = true;
                    }
                    h.push_str(&format!("<li>{}</li>", esc(&x)));
                }
                Block::Para(x) => h.push_str(&format!("<p>{}</p>", esc(&x))),
                Block::Table(id) => match by_id(&id) {
                    Some(t) => h.push_str(&html_table(t)),
                    None => h.push_str(&format!("<p class=\"nodata\">[[table:{}]]</p>", esc(&id))),
                },
            }
        }
        if in_list {
            h.push_str("</ul>");
        }
    }
    for (name, head, rows) in school_tables(f) {
        h.push_str(&format!("<h2>{}</h2><table class=\"grid schools-core\"><thead><tr>", esc(&name)));
        for c in &head {
            h.push_str(&format!("<th scope=\"col\">{}</th>", esc(c)));
        }
        h.push_str("</tr></thead><tbody>");
        for r in rows {
            h.push_str("<tr>");
            for c in r {
                h.push_str(&format!("<td>{}</td>", esc(&c)));
            }
            h.push_str("</tr>");
        }
        h.push_str("</tbody></table>");
    }
    let placed = placed(d);
    let rest: Vec<&FrozenTable> = f.tables.iter().filter(|t| !placed.contains(&t.id)).collect();
    if !rest.is_empty() {
        h.push_str("<h2>附表</h2>");
        for t in rest {
            h.push_str(&html_table(t));
        }
    }
    let charts: Vec<String> = f.trends.iter().filter_map(trend_svg).collect();
    if !charts.is_empty() {
        h.push_str("<h2>主要数据趋势</h2><div class=\"charts\">");
        for c in charts {
            h.push_str(&format!("<figure>{c}</figure>"));
        }
        h.push_str("</div>");
    }
    h
}

/// Chinese ordinal for chapter headings (一 … 十).
pub fn number(n: usize) -> &'static str {
    ["", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"].get(n).copied().unwrap_or("十")
}

/// A standalone HTML file of the report.
pub fn html(d: &Document) -> String {
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title><style>body{{font-family:'Noto Sans CJK SC',sans-serif;max-width:52rem;margin:2rem auto;line-height:1.6}}table{{border-collapse:collapse;margin:1rem 0;width:100%}}td,th{{border:1px solid #a0a8b0;padding:.2rem .4rem}}caption{{font-weight:bold;text-align:left}}.nodata{{color:#8a4b00}}.meta{{color:#555}}svg{{max-width:100%;height:auto}}</style>{CHART_STYLE}</head><body>{}</body></html>",
        esc(&title(&d.frozen)),
        html_body(d)
    )
}

/// The report as a Word document.
pub fn docx(d: &Document) -> Result<Vec<u8>, StoreError> {
    let f = &d.frozen;
    let mut doc = Doc { body: String::new(), images: Vec::new() };
    doc.para(Some("Title"), &title(f));
    doc.para(Some("Meta"), &format!("{} · 数据版本 {}", d.status_line, f.data_version));
    let head = ["项目", "数值", "单位"];
    for (i, (_, name, text)) in d.chapters.iter().enumerate() {
        doc.para(Some("Heading1"), &format!("{}、{name}", number(i + 1)));
        for b in blocks(text) {
            match b {
                Block::Heading(x) => doc.para(Some("Heading1"), &x),
                Block::Item(x) => doc.para(None, &format!("● {x}")),
                Block::Para(x) => doc.para(None, &x),
                Block::Table(id) => {
                    if let Some(t) = f.tables.iter().find(|t| t.id == id) {
                        doc.para(Some("Caption"), &t.name_zh);
                        doc.table(&head, &table_rows(t));
                    }
                }
            }
        }
    }
    for (name, head, rows) in school_tables(f) {
        doc.para(Some("Heading1"), &name);
        let head: Vec<&str> = head.iter().map(String::as_str).collect();
        doc.table(&head, &rows);
    }
    let placed = placed(d);
    let rest: Vec<&FrozenTable> = f.tables.iter().filter(|t| !placed.contains(&t.id)).collect();
    if !rest.is_empty() {
        doc.para(Some("Heading1"), "附表");
        for t in rest {
            doc.para(Some("Caption"), &t.name_zh);
            doc.table(&head, &table_rows(t));
        }
    }
    for t in &f.trends {
        if let Some(svg) = trend_svg(t) {
            let image = png(&svg).map_err(|e| StoreError::refused(format!("chart {}: {e}", t.row)))?;
            doc.picture(image, &format!("{}（{}）", t.name_zh, t.unit), 12.0, 260.0 / 96.0);
        }
    }
    package(&doc).map_err(|e| StoreError::refused(format!("DOCX: {e}")))
}

/// The report as a PDF (real text in embedded CJK fonts).
pub fn pdf(d: &Document) -> Result<Vec<u8>, StoreError> {
    let fonts = fonts()?;
    let f = &d.frozen;
    let mut m = String::from(
        "#set page(paper: \"a4\", margin: (x: 1.8cm, y: 2cm), numbering: \"1 / 1\")\n\
         #set text(font: \"Noto Sans CJK SC\", size: 10pt, lang: \"zh\", region: \"cn\")\n\
         #set par(leading: 0.8em, justify: true)\n\
         #set table(stroke: 0.5pt + rgb(\"#a0a8b0\"), inset: 3.5pt)\n\
         #show heading.where(level: 1): set text(size: 13pt, fill: rgb(\"#0b3d6e\"))\n",
    );
    m.push_str(&format!("#align(center, text(size: 16pt, weight: \"bold\", {}))\n", tq(&title(f))));
    m.push_str(&format!(
        "#align(center, text(size: 8.5pt, fill: rgb(\"#555555\"), {}))\n",
        tq(&format!("{} · 数据版本 {}", d.status_line, f.data_version))
    ));
    let head: Vec<String> = ["项目", "数值", "单位"].map(String::from).to_vec();
    let put_table = |m: &mut String, t: &FrozenTable| {
        m.push_str(&format!("#text(weight: \"bold\", {})\n", tq(&t.name_zh)));
        m.push_str(&ttable(&head, &table_rows(t), "(1fr, auto, auto)"));
    };
    for (i, (_, name, text)) in d.chapters.iter().enumerate() {
        m.push_str(&format!("#heading(level: 1, {})\n", tq(&format!("{}、{name}", number(i + 1)))));
        for b in blocks(text) {
            match b {
                Block::Heading(x) => m.push_str(&format!("#heading(level: 2, {})\n", tq(&x))),
                Block::Item(x) => m.push_str(&format!("#list({})\n", tq(&x))),
                Block::Para(x) => m.push_str(&format!("#par({})\n", tq(&x))),
                Block::Table(id) => {
                    if let Some(t) = f.tables.iter().find(|t| t.id == id) {
                        put_table(&mut m, t);
                    }
                }
            }
        }
    }
    for (name, head, rows) in school_tables(f) {
        m.push_str(&format!("#heading(level: 1, {})\n", tq(&name)));
        m.push_str(&ttable(&head, &rows, "(1fr, auto, auto, auto, auto, auto, auto)"));
    }
    let placed = placed(d);
    let rest: Vec<&FrozenTable> = f.tables.iter().filter(|t| !placed.contains(&t.id)).collect();
    if !rest.is_empty() {
        m.push_str(&format!("#heading(level: 1, {})\n", tq("附表")));
        for t in rest {
            put_table(&mut m, t);
        }
    }
    let mut files = Vec::new();
    let charts: Vec<String> = f.trends.iter().filter_map(trend_svg).collect();
    if !charts.is_empty() {
        m.push_str(&format!("#heading(level: 1, {})\n#grid(columns: 2, gutter: 8pt,\n", tq("主要数据趋势")));
        for (i, c) in charts.into_iter().enumerate() {
            let name = format!("trend{}.svg", i + 1);
            m.push_str(&format!("image({}, width: 100%),\n", tq(&name)));
            files.push((name, c.replacen('>', &format!(">{CHART_STYLE}"), 1).into_bytes()));
        }
        m.push_str(")\n");
    }
    let statics: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let engine = typst_as_lib::TypstEngine::builder()
        .main_file(m)
        .fonts(fonts.iter().map(Vec::as_slice))
        .with_static_file_resolver(statics)
        .build();
    let doc = engine.compile().output.map_err(|err| StoreError::refused(format!("PDF typesetting failed: {err:?}")))?;
    typst_pdf::pdf(&doc, &Default::default()).map_err(|err| StoreError::refused(format!("PDF export failed: {err:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chapter_reads_as_headings_items_paragraphs_and_placed_tables() {
        let b = blocks("## 就业\n毕业生去向落实率稳步提升。\n- 升学\n\n[[table:scorecard]]\n");
        assert_eq!(
            b,
            vec![
                Block::Heading("就业".into()),
                Block::Para("毕业生去向落实率稳步提升。".into()),
                Block::Item("升学".into()),
                Block::Table("scorecard".into()),
            ]
        );
    }
}

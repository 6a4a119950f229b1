//! The evaluation as a Word document (WordprocessingML written directly): real text in headings,
//! paragraphs and tables, and the trend charts as embedded PNG pictures drawn from their SVG.

use std::io::Write;
use std::sync::LazyLock;

use super::chart::{Chart, trend_of};
use super::evaluation::Evaluation;
use super::html::{Line, line};
use crate::store::StoreError;

/// The charts' styles, inside the SVG, so a renderer without the page's stylesheet draws them.
pub const CHART_STYLE: &str = "<style>.axis{stroke:#767676}.target{stroke:#cf222e;stroke-dasharray:4 3}.series{fill:none;stroke:#0b3d6e;stroke-width:2}.point{fill:#0b3d6e}.projection{stroke:#0b3d6e;stroke-dasharray:1 3;stroke-width:2}.tick{font-size:9px;fill:#555555;font-family:sans-serif}</style>";

static FONTS: LazyLock<std::sync::Arc<resvg::usvg::fontdb::Database>> = LazyLock::new(|| {
    let mut db = resvg::usvg::fontdb::Database::new();
    db.load_system_fonts();
    std::sync::Arc::new(db)
});

/// Draws a chart's SVG as a PNG at three times its size (sharp in print).
pub fn png(svg: &str) -> Result<Vec<u8>, String> {
    // Charts carry their own style; the funnel's rules come from here.
    let styled =
        if svg.contains("<style>") { svg.to_string() } else { svg.replacen('>', &format!(">{CHART_STYLE}"), 1) };
    let opt = resvg::usvg::Options { fontdb: FONTS.clone(), ..Default::default() };
    let tree = resvg::usvg::Tree::from_str(&styled, &opt).map_err(|e| e.to_string())?;
    let scale = 3.0;
    let size = tree.size();
    let (w, h) = ((size.width() * scale).ceil() as u32, (size.height() * scale).ceil() as u32);
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w.max(1), h.max(1)).ok_or("the chart has no size")?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(&tree, resvg::tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| e.to_string())
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Builds document.xml piece by piece.
pub(crate) struct Doc {
    pub(crate) body: String,
    pub(crate) images: Vec<Vec<u8>>,
}

impl Doc {
    pub(crate) fn para(&mut self, style: Option<&str>, text: &str) {
        let style = style.map(|s| format!("<w:pPr><w:pStyle w:val=\"{s}\"/></w:pPr>")).unwrap_or_default();
        self.body.push_str(&format!("<w:p>{style}<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>", esc(text)));
    }

    pub(crate) fn table(&mut self, head: &[&str], rows: &[Vec<String>]) {
        let cell = |t: &str, bold: bool| {
            let rpr = if bold { "<w:rPr><w:b/></w:rPr>" } else { "" };
            format!(
                "<w:tc><w:p><w:pPr><w:spacing w:after=\"0\"/></w:pPr><w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r></w:p></w:tc>",
                esc(t)
            )
        };
        self.body.push_str(
            "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"5000\" w:type=\"pct\"/></w:tblPr>",
        );
        self.body.push_str("<w:tr><w:trPr><w:tblHeader/></w:trPr>");
        for h in head {
            self.body.push_str(&cell(h, true));
        }
        self.body.push_str("</w:tr>");
        for r in rows {
            self.body.push_str("<w:tr>");
            for c in r {
                self.body.push_str(&cell(c, false));
            }
            self.body.push_str("</w:tr>");
        }
        self.body.push_str("</w:tbl><w:p/>");
    }

    /// A picture, `width_cm` wide, keeping the chart's proportions.
    pub(crate) fn picture(&mut self, png: Vec<u8>, caption: &str, width_cm: f64, aspect: f64) {
        self.images.push(png);
        let n = self.images.len();
        let cx = (width_cm * 360_000.0) as i64;
        let cy = (cx as f64 / aspect) as i64;
        self.body.push_str(&format!(
            "<w:p><w:pPr><w:keepNext/></w:pPr><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:docPr id=\"{n}\" name=\"chart{n}\" descr=\"{desc}\"/>\
             <a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\"><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">\
             <pic:pic xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:nvPicPr><pic:cNvPr id=\"{n}\" name=\"chart{n}.png\"/><pic:cNvPicPr/></pic:nvPicPr>\
             <pic:blipFill><a:blip r:embed=\"img{n}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
             <pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>\
             </a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p>",
            desc = esc(caption)
        ));
        self.para(Some("Caption"), caption);
    }
}

const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Noto Sans CJK SC" w:hAnsi="Noto Sans CJK SC" w:eastAsia="Noto Sans CJK SC"/><w:sz w:val="21"/><w:lang w:val="zh-CN" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="120"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/><w:spacing w:after="240"/></w:pPr><w:rPr><w:b/><w:sz w:val="36"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:color w:val="0B3D6E"/><w:sz w:val="28"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Normal"/><w:rPr><w:color w:val="555555"/><w:sz w:val="18"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Meta"><w:name w:val="Meta"/><w:basedOn w:val="Normal"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:color w:val="555555"/><w:sz w:val="18"/></w:rPr></w:style>
<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:color="A0A8B0"/><w:left w:val="single" w:sz="4" w:color="A0A8B0"/><w:bottom w:val="single" w:sz="4" w:color="A0A8B0"/><w:right w:val="single" w:sz="4" w:color="A0A8B0"/><w:insideH w:val="single" w:sz="4" w:color="A0A8B0"/><w:insideV w:val="single" w:sz="4" w:color="A0A8B0"/></w:tblBorders><w:tblCellMar><w:left w:w="60" w:type="dxa"/><w:right w:w="60" w:type="dxa"/></w:tblCellMar></w:tblPr><w:rPr><w:sz w:val="18"/></w:rPr></w:style>
</w:styles>"#;

/// A task's line in the reports' tables.
pub fn task_row(t: &super::evaluation::TaskRow) -> Vec<String> {
    vec![
        format!("{} {}", t.code, t.title),
        t.section.clone(),
        t.schools.to_string(),
        t.completion.map_or("—".into(), |c| format!("{c:.0}%")),
        t.overdue.to_string(),
    ]
}

fn rows(lines: &[Line], cols: &[fn(&Line) -> String]) -> Vec<Vec<String>> {
    lines.iter().map(|l| cols.iter().map(|f| f(l)).collect()).collect()
}

pub fn render(e: &Evaluation) -> Result<Vec<u8>, StoreError> {
    let first = e.key.first().and_then(|r| r.series.first().map(|s| s.0)).unwrap_or(2020);
    let key: Vec<Line> = e.key.iter().map(|r| line(r, first)).collect();
    let mut d = Doc { body: String::new(), images: Vec::new() };
    d.para(Some("Title"), &e.title);
    d.para(Some("Meta"), &format!("生成时间 {} · 数据来源：VETIS 学校报送数据（审核通过）", e.generated_at));
    d.para(Some("Heading1"), "一、总体判断");
    for s in &e.summary {
        d.para(None, &format!("● {s}"));
    }
    d.para(Some("Heading1"), "二、主要指标");
    d.table(
        &["指标", "单位", "2020 基期", &format!("{} 年", e.year), "2025 目标", "属性", "状态", "2025 预测"],
        &rows(
            &key,
            &[
                |l| l.name.clone(),
                |l| l.unit.clone(),
                |l| l.baseline.clone(),
                |l| l.value.clone(),
                |l| l.target.clone(),
                |l| l.attribute.clone(),
                |l| l.status.clone(),
                |l| l.projection.clone().unwrap_or_default(),
            ],
        ),
    );
    for (i, r) in e.key.iter().enumerate() {
        let c = Chart { name: &r.name, unit: &r.unit, decimals: r.decimals as usize, lang: crate::messages::Lang::Zh };
        let svg = trend_of(&c, &r.series, r.target, r.projection, first, r.target_year);
        let png = png(&svg).map_err(|err| StoreError::refused(format!("chart {}: {err}", r.id)))?;
        d.picture(
            png,
            &format!("图 {}：{}（实线为实际值，红色虚线为目标，蓝色虚线为趋势预测）", i + 1, r.name),
            12.0,
            260.0 / 96.0,
        );
    }
    d.para(Some("Heading1"), "三、约束性指标预警");
    if e.alerts.is_empty() {
        d.para(None, "无。");
    }
    for a in e.alerts.iter().map(|r| line(r, first)) {
        d.para(None, &format!("● {}：{}{}，目标 {}，{}", a.name, a.value, a.unit, a.target, a.status));
    }
    d.para(Some("Heading1"), "四、数量目标");
    let counted: Vec<Line> = e.counted.iter().map(|r| line(r, first)).collect();
    d.table(
        &["目标", "规划条目", &format!("{} 年", e.year), "目标值", "状态", "说明"],
        &rows(
            &counted,
            &[
                |l| l.name.clone(),
                |l| l.section.clone(),
                |l| format!("{} {}", l.value, l.unit),
                |l| l.target.clone(),
                |l| l.status.clone(),
                |l| l.note.clone(),
            ],
        ),
    );
    d.para(Some("Heading1"), "五、规则类目标");
    let rules: Vec<Line> = e.rules.iter().map(|r| line(r, first)).collect();
    d.table(
        &["目标", "规划条目", &format!("{} 年", e.year), "达标 / 总数", "目标值", "目标年", "状态"],
        &rows(
            &rules,
            &[
                |l| l.name.clone(),
                |l| l.section.clone(),
                |l| format!("{} %", l.value),
                |l| l.passed.clone(),
                |l| l.target.clone(),
                |l| l.target_year.to_string(),
                |l| l.status.clone(),
            ],
        ),
    );
    d.para(Some("Heading1"), "六、分区情况（主要指标）");
    let mut head: Vec<String> = vec!["区".into()];
    head.extend((1..=e.key.len()).map(|i| i.to_string()));
    head.push("达标项数".into());
    let head_refs: Vec<&str> = head.iter().map(String::as_str).collect();
    let drows: Vec<Vec<String>> = e
        .districts
        .iter()
        .map(|dr| {
            let mut r = vec![dr.name.clone()];
            r.extend(dr.cells.iter().map(|(v, _)| v.clone()));
            r.push(dr.met.to_string());
            r
        })
        .collect();
    d.table(&head_refs, &drows);
    d.para(Some("Caption"), "列号对应第二部分的指标序号；总量指标的目标只适用于全市。");
    d.para(Some("Heading1"), "七、规划任务完成情况");
    if e.tasks.is_empty() {
        d.para(None, "尚未分配规划任务。");
    } else {
        let rows: Vec<Vec<String>> = e.tasks.iter().map(task_row).collect();
        d.table(&["任务", "规划条目", "承担学校数", "平均完成度", "逾期未报"], &rows);
    }
    package(&d).map_err(|err| StoreError::refused(format!("DOCX: {err}")))
}

pub(crate) fn package(d: &Doc) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut put = |name: &str, bytes: &[u8]| -> Result<(), Box<dyn std::error::Error>> {
        zip.start_file(name, opts)?;
        zip.write_all(bytes)?;
        Ok(())
    };
    put("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/></Types>"#)?;
    put("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#)?;
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="styles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#,
    );
    for i in 1..=d.images.len() {
        rels.push_str(&format!(r#"<Relationship Id="img{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/chart{i}.png"/>"#));
    }
    rels.push_str("</Relationships>");
    put("word/_rels/document.xml.rels", rels.as_bytes())?;
    put("word/styles.xml", STYLES.as_bytes())?;
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><w:body>{}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1247" w:bottom="1440" w:left="1247" w:header="851" w:footer="992" w:gutter="0"/></w:sectPr></w:body></w:document>"#,
        d.body
    );
    put("word/document.xml", doc.as_bytes())?;
    for (i, img) in d.images.iter().enumerate() {
        put(&format!("word/media/chart{}.png", i + 1), img)?;
    }
    Ok(zip.finish()?.into_inner())
}

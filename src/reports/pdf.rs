//! The evaluation as a PDF, typeset by Typst: real, searchable Chinese text in embedded fonts,
//! tables that repeat their headers across pages, and the trend charts as vector graphics.
//! The fonts come from the machine (Debian's fonts-noto-cjk) or from `VETIS_FONT_DIR`.

use std::path::{Path, PathBuf};

use typst_as_lib::TypstEngine;

use super::chart::{Chart, trend_of};
use super::evaluation::Evaluation;
use super::html::line;
use crate::store::StoreError;

/// Where CJK fonts are looked for, in order.
fn font_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Ok(d) = std::env::var("VETIS_FONT_DIR") {
        dirs.push(PathBuf::from(d));
    }
    dirs.extend(
        [
            "/usr/share/fonts/opentype/noto",
            "/usr/share/fonts/noto-cjk",
            "/usr/share/fonts/google-noto-cjk",
            "/usr/share/fonts",
        ]
        .map(PathBuf::from),
    );
    dirs
}

/// The Noto Sans CJK regular and bold collections, or a message saying how to get them.
pub(crate) fn fonts() -> Result<Vec<Vec<u8>>, StoreError> {
    fn find(dir: &Path, name: &str, depth: usize) -> Option<PathBuf> {
        let entries = std::fs::read_dir(dir).ok()?;
        let mut subdirs = Vec::new();
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                subdirs.push(p);
            } else if p.file_name().and_then(|n| n.to_str()) == Some(name) {
                return Some(p);
            }
        }
        if depth == 0 {
            return None;
        }
        subdirs.into_iter().find_map(|d| find(&d, name, depth - 1))
    }
    let mut out = Vec::new();
    for name in ["NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"] {
        if let Some(p) = font_dirs().iter().find_map(|d| find(d, name, 3)) {
            out.push(std::fs::read(&p).map_err(|e| StoreError::refused(format!("{}: {e}", p.display())))?);
        }
    }
    if out.is_empty() {
        return Err(StoreError::refused(
            "PDF 报告需要中文字体 Noto Sans CJK：请安装 fonts-noto-cjk（Debian/Ubuntu），或把 NotoSansCJK-Regular.ttc 放入 VETIS_FONT_DIR 指定的目录 / the PDF needs the Noto Sans CJK font: install fonts-noto-cjk, or put NotoSansCJK-Regular.ttc in the folder VETIS_FONT_DIR names",
        ));
    }
    Ok(out)
}

/// A Typst string literal.
pub(crate) fn s(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

pub(crate) fn table(head: &[String], rows: &[Vec<String>], widths: &str) -> String {
    let mut t = format!("#table(columns: {widths}, table.header(");
    t.push_str(&head.iter().map(|h| format!("strong({})", s(h))).collect::<Vec<_>>().join(", "));
    t.push_str("),\n");
    for r in rows {
        t.push_str(&r.iter().map(|c| s(c)).collect::<Vec<_>>().join(", "));
        t.push_str(",\n");
    }
    t.push_str(")\n");
    t
}

/// The Typst source of the report, and the charts it names.
pub fn source(e: &Evaluation) -> (String, Vec<(String, Vec<u8>)>) {
    let first = e.key.first().and_then(|r| r.series.first().map(|x| x.0)).unwrap_or(2020);
    let mut m = String::from(
        "#set page(paper: \"a4\", margin: (x: 1.8cm, y: 2cm), numbering: \"1 / 1\")\n\
         #set text(font: \"Noto Sans CJK SC\", size: 9.5pt, lang: \"zh\", region: \"cn\")\n\
         #set par(leading: 0.75em)\n\
         #set table(stroke: 0.5pt + rgb(\"#a0a8b0\"), inset: 3.5pt)\n\
         #show heading.where(level: 1): set text(size: 13pt, fill: rgb(\"#0b3d6e\"))\n\
         #show heading: set block(above: 1.4em, below: 0.8em)\n",
    );
    m.push_str(&format!("#align(center, text(size: 16pt, weight: \"bold\", {}))\n", s(&e.title)));
    m.push_str(&format!(
        "#align(center, text(size: 8.5pt, fill: rgb(\"#555555\"), {}))\n",
        s(&format!("{} · 生成时间 {} · 数据来源：VETIS 学校报送数据（审核通过）", e.plan_name_en, e.generated_at))
    ));
    m.push_str(&format!("#heading(level: 1, {})\n", s("一、总体判断")));
    m.push_str(&format!("#list({})\n", e.summary.iter().map(|x| s(x)).collect::<Vec<_>>().join(", ")));
    m.push_str(&format!("#heading(level: 1, {})\n", s("二、主要指标")));
    let key: Vec<_> = e.key.iter().map(|r| line(r, first)).collect();
    let head: Vec<String> =
        ["序号", "指标", "单位", "2020 基期", &format!("{} 年", e.year), "2025 目标", "属性", "状态", "2025 预测"]
            .map(String::from)
            .to_vec();
    let rows: Vec<Vec<String>> = key
        .iter()
        .enumerate()
        .map(|(i, l)| {
            vec![
                (i + 1).to_string(),
                l.name.clone(),
                l.unit.clone(),
                l.baseline.clone(),
                l.value.clone(),
                l.target.clone(),
                l.attribute.clone(),
                l.status.clone(),
                l.projection.clone().unwrap_or_default(),
            ]
        })
        .collect();
    m.push_str(&table(&head, &rows, "(auto, 1fr, auto, auto, auto, auto, auto, auto, auto)"));
    let mut files = Vec::new();
    m.push_str("#grid(columns: (1fr, 1fr), gutter: 6pt,\n");
    for (i, r) in e.key.iter().enumerate() {
        let name = format!("chart{}.svg", i + 1);
        let c = Chart { name: &r.name, unit: &r.unit, decimals: r.decimals as usize, lang: crate::messages::Lang::Zh };
        let svg = trend_of(&c, &r.series, r.target, r.projection, first, r.target_year);
        files.push((name.clone(), svg.into_bytes()));
        m.push_str(&format!("figure(image({}, width: 100%), caption: text(size: 8pt, {})),\n", s(&name), s(&r.name)));
    }
    m.push_str(")\n");
    m.push_str(&format!("#heading(level: 1, {})\n", s("三、约束性指标预警")));
    if e.alerts.is_empty() {
        m.push_str(&format!("#{}\n", s("无。")));
    } else {
        let items: Vec<String> = e
            .alerts
            .iter()
            .map(|r| line(r, first))
            .map(|a| s(&format!("{}：{}{}，目标 {}，{}", a.name, a.value, a.unit, a.target, a.status)))
            .collect();
        m.push_str(&format!("#list({})\n", items.join(", ")));
    }
    m.push_str(&format!("#heading(level: 1, {})\n", s("四、数量目标")));
    let head: Vec<String> =
        ["目标", "规划条目", &format!("{} 年", e.year), "目标值", "状态", "说明"].map(String::from).to_vec();
    let rows: Vec<Vec<String>> = e
        .counted
        .iter()
        .map(|r| line(r, first))
        .map(|l| vec![l.name, l.section, format!("{} {}", l.value, l.unit), l.target, l.status, l.note])
        .collect();
    m.push_str(&table(&head, &rows, "(1fr, auto, auto, auto, auto, 1fr)"));
    m.push_str(&format!("#heading(level: 1, {})\n", s("五、规则类目标")));
    let head: Vec<String> = ["目标", "规划条目", &format!("{} 年", e.year), "达标 / 总数", "目标值", "目标年", "状态"]
        .map(String::from)
        .to_vec();
    let rows: Vec<Vec<String>> = e
        .rules
        .iter()
        .map(|r| line(r, first))
        .map(|l| {
            vec![l.name, l.section, format!("{} %", l.value), l.passed, l.target, l.target_year.to_string(), l.status]
        })
        .collect();
    m.push_str(&table(&head, &rows, "(1fr, auto, auto, auto, auto, auto, auto)"));
    m.push_str(&format!("#heading(level: 1, {})\n", s("六、分区情况（主要指标）")));
    let mut head: Vec<String> = vec!["区".into()];
    head.extend((1..=e.key.len()).map(|i| i.to_string()));
    head.push("达标项数".into());
    let rows: Vec<Vec<String>> = e
        .districts
        .iter()
        .map(|d| {
            let mut r = vec![d.name.clone()];
            r.extend(d.cells.iter().map(|(v, _)| v.clone()));
            r.push(d.met.to_string());
            r
        })
        .collect();
    m.push_str(&table(&head, &rows, &format!("(auto, {})", vec!["1fr"; e.key.len() + 1].join(", "))));
    m.push_str(&format!(
        "#text(size: 8pt, fill: rgb(\"#555555\"), {})\n",
        s("列号对应第二部分的指标序号；总量指标的目标只适用于全市。")
    ));
    m.push_str(&format!("#heading(level: 1, {})\n", s("七、规划任务完成情况")));
    if e.tasks.is_empty() {
        m.push_str(&format!("#{}\n", s("尚未分配规划任务。")));
    } else {
        let head: Vec<String> = ["任务", "规划条目", "承担学校数", "平均完成度", "逾期未报"].map(String::from).to_vec();
        let rows: Vec<Vec<String>> = e.tasks.iter().map(super::docx::task_row).collect();
        m.push_str(&table(&head, &rows, "(1fr, auto, auto, auto, auto)"));
    }
    (m, files)
}

pub fn render(e: &Evaluation) -> Result<Vec<u8>, StoreError> {
    let fonts = fonts()?;
    let (main, files) = source(e);
    let statics: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let engine = TypstEngine::builder()
        .main_file(main)
        .fonts(fonts.iter().map(Vec::as_slice))
        .with_static_file_resolver(statics)
        .build();
    let doc = engine.compile().output.map_err(|err| StoreError::refused(format!("PDF typesetting failed: {err:?}")))?;
    typst_pdf::pdf(&doc, &Default::default()).map_err(|err| StoreError::refused(format!("PDF export failed: {err:?}")))
}

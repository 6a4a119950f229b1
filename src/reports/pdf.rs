//! The evaluation as a PDF, typeset by Typst: real, searchable Chinese text in embedded fonts,
//! tables that repeat their headers across pages, and the trend charts as vector graphics.
//! The fonts come from the machine (Debian's fonts-noto-cjk) or from `VETIS_FONT_DIR`.

use std::path::{Path, PathBuf};

use typst_as_lib::TypstEngine;

use super::evaluation::document::{Block, Document, TABLE_ROOM, Table};
use crate::messages::Lang;
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
    // The sans faces are needed; the serif faces and the government faces (仿宋, 黑体, 小标宋)
    // are used where the machine has them, each falling back to Noto.
    for name in [
        "NotoSansCJK-Regular.ttc",
        "NotoSansCJK-Bold.ttc",
        "NotoSerifCJK-Regular.ttc",
        "NotoSerifCJK-Bold.ttc",
        "simfang.ttf",
        "simhei.ttf",
        "FZXBSJW.TTF",
    ] {
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

/// A table whose columns are sized to their content and whose figures are right-aligned.
fn sized_table(t: &Table) -> String {
    let widths: Vec<String> = t.widths(TABLE_ROOM).iter().map(|w| format!("{:.0}fr", (w * 100.0).max(1.0))).collect();
    let align: Vec<&str> = t.numeric.iter().map(|n| if *n { "right" } else { "left" }).collect();
    let mut out = format!("#table(columns: ({}), align: ({}),", widths.join(", "), align.join(", "));
    out.push_str(" table.header(");
    out.push_str(&t.head.iter().map(|h| format!("strong({})", s(h))).collect::<Vec<_>>().join(", "));
    out.push_str("),\n");
    for r in &t.rows {
        out.push_str(&r.iter().map(|c| s(c)).collect::<Vec<_>>().join(", "));
        out.push_str(",\n");
    }
    out.push_str(")\n");
    out
}

fn blocks(m: &mut String, files: &mut Vec<(String, Vec<u8>)>, bs: &[Block]) {
    for b in bs {
        match b {
            Block::Para(t) => m.push_str(&format!("#par({})\n", s(t))),
            Block::Note(t) => m.push_str(&format!("#text(size: 8.5pt, fill: rgb(\"#555555\"), {})\n", s(t))),
            Block::List(items) => {
                m.push_str(&format!("#list({})\n", items.iter().map(|x| s(x)).collect::<Vec<_>>().join(", ")));
            }
            Block::Table(t) => m.push_str(&sized_table(t)),
            Block::Charts(figs) => {
                m.push_str("#grid(columns: (1fr, 1fr), gutter: 6pt,\n");
                for f in figs {
                    let name = format!("chart{}.svg", files.len() + 1);
                    files.push((name.clone(), f.svg.clone().into_bytes()));
                    m.push_str(&format!(
                        "figure(image({}, width: 100%), caption: text(size: 8pt, {}), numbering: none),\n",
                        s(&name),
                        s(&f.caption)
                    ));
                }
                m.push_str(")\n");
            }
        }
    }
}

/// The Typst source of the report, and the charts it names: a cover with the issuing body, title
/// and date; a table of contents; the sections with page numbers "— 1 —" from the first of them;
/// the annex. Body in 仿宋 where the machine has it (FangSong), else Noto Serif CJK; headings
/// in a sans face (黑体-like: SimHei, else Noto Sans CJK).
pub fn source(d: &Document) -> (String, Vec<(String, Vec<u8>)>) {
    let (lang, region) = if d.lang == Lang::En { ("en", "gb") } else { ("zh", "cn") };
    let mut m = format!(
        "#set page(paper: \"a4\", margin: (top: 3.2cm, bottom: 3cm, left: 2.8cm, right: 2.6cm))\n\
         #set text(font: (\"FangSong\", \"Noto Serif CJK SC\", \"Noto Sans CJK SC\"), size: 10.5pt, lang: \"{lang}\", region: \"{region}\")\n\
         #set par(leading: 0.8em, justify: true)\n\
         #set table(stroke: 0.5pt + rgb(\"#606060\"), inset: 3.5pt)\n\
         #show table: set text(size: 8.5pt, font: (\"Noto Sans CJK SC\",))\n\
         #show table.cell: set par(justify: false)\n\
         #show heading: set text(font: (\"SimHei\", \"Noto Sans CJK SC\"), size: 14pt, weight: \"bold\")\n\
         #show heading: set block(above: 1.4em, below: 0.8em)\n"
    );
    // The cover: issuing body in red, the title, the date; no page number.
    m.push_str("#page(numbering: none)[\n#v(3cm)\n");
    m.push_str(&format!(
        "#align(center, text(size: 26pt, weight: \"bold\", fill: rgb(\"#c00000\"), font: (\"FZXiaoBiaoSong-B05S\", \"Noto Serif CJK SC\"), {}))\n",
        s(&d.issuer)
    ));
    m.push_str("#v(0.4cm)\n#line(length: 100%, stroke: 1.5pt + rgb(\"#c00000\"))\n#v(2.5cm)\n");
    m.push_str(&format!(
        "#align(center, text(size: 20pt, weight: \"bold\", font: (\"FZXiaoBiaoSong-B05S\", \"Noto Serif CJK SC\"), {}))\n",
        s(&d.title)
    ));
    m.push_str(&format!("#v(1fr)\n#align(center, text(size: 14pt, {}))\n", s(&d.date)));
    m.push_str(&format!(
        "#v(0.6cm)\n#align(center, text(size: 8.5pt, fill: rgb(\"#555555\"), {}))\n#v(1cm)\n]\n",
        s(&d.source)
    ));
    m.push_str(&format!(
        "#page(numbering: none)[#outline(title: text(font: (\"SimHei\", \"Noto Sans CJK SC\"), {}), depth: 1)]\n",
        s(&d.contents)
    ));
    m.push_str(
        "#set page(numbering: \"1\", footer: context align(center, text(size: 12pt, [—#h(0.5em)#counter(page).display()#h(0.5em)—])))\n#counter(page).update(1)\n",
    );
    let mut files = Vec::new();
    for sec in d.sections.iter().chain(&d.annexes) {
        m.push_str(&format!("#heading(level: 1, {})\n", s(&sec.title)));
        blocks(&mut m, &mut files, &sec.blocks);
    }
    (m, files)
}

pub fn render(d: &Document) -> Result<Vec<u8>, StoreError> {
    let fonts = fonts()?;
    let (main, files) = source(d);
    let statics: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).collect();
    let engine = TypstEngine::builder()
        .main_file(main)
        .fonts(fonts.iter().map(Vec::as_slice))
        .with_static_file_resolver(statics)
        .build();
    let doc = engine.compile().output.map_err(|err| StoreError::refused(format!("PDF typesetting failed: {err:?}")))?;
    typst_pdf::pdf(&doc, &Default::default()).map_err(|err| StoreError::refused(format!("PDF export failed: {err:?}")))
}

//! The evaluation as a Word document in the style of a government document (公文): a cover with the
//! issuing body in red over a red rule, the title and the date; a table of contents; numbered
//! sections in 黑体 over a 仿宋 body; tables with columns sized to their content; page numbers
//! "— 1 —" from the first section. The faces are named as a Chinese office has them (仿宋_GB2312,
//! 黑体, 方正小标宋简体) with the fonts to use where they are missing named beside them in the
//! font table (Noto Serif CJK SC, Noto Sans CJK SC), which LibreOffice and Word both honour.

use super::docx::{Doc, Extra, esc, package_with, png};
use super::evaluation::document::{Block, Document, TABLE_ROOM, Table};
use crate::messages::Lang;
use crate::store::StoreError;

/// The text width of the page in twentieths of a point: A4 less the 公文 margins (28 mm, 26 mm).
const TEXT_WIDTH: u32 = 11906 - 1587 - 1474;

const BODY: &str = "仿宋_GB2312";
const HEADING: &str = "黑体";
const TITLE: &str = "方正小标宋简体";

fn styles(lang: Lang) -> String {
    let (latin, lang_tag) = if lang == Lang::En { ("Times New Roman", "en-GB") } else { ("Times New Roman", "zh-CN") };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{BODY}"/><w:sz w:val="28"/><w:lang w:val="{lang_tag}" w:eastAsia="zh-CN"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="80" w:line="400" w:lineRule="exact"/></w:pPr></w:pPrDefault></w:docDefaults>
<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:pPr><w:ind w:firstLineChars="200" w:firstLine="560"/><w:jc w:val="both"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Issuer"><w:name w:val="Issuer"/><w:basedOn w:val="Normal"/><w:pPr><w:pBdr><w:bottom w:val="single" w:sz="18" w:space="12" w:color="C00000"/></w:pBdr><w:spacing w:before="1800" w:after="1600" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{TITLE}"/><w:color w:val="C00000"/><w:spacing w:val="40"/><w:sz w:val="56"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="2400" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{TITLE}"/><w:sz w:val="44"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Date"><w:name w:val="Date"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:firstLine="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="32"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Meta"><w:name w:val="Meta"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:before="600" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:color w:val="555555"/><w:sz w:val="18"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="TOCHeading"><w:name w:val="TOC Heading"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="240"/><w:ind w:firstLine="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:eastAsia="{HEADING}"/><w:sz w:val="32"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/><w:basedOn w:val="Normal"/><w:pPr><w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_WIDTH}"/></w:tabs><w:ind w:firstLine="0"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="240" w:after="120"/><w:ind w:firstLine="0"/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:rFonts w:eastAsia="{HEADING}"/><w:sz w:val="32"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Item"><w:name w:val="Item"/><w:basedOn w:val="Normal"/></w:style>
<w:style w:type="paragraph" w:styleId="Note"><w:name w:val="Note"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:line="300" w:lineRule="exact"/><w:ind w:firstLine="0"/></w:pPr><w:rPr><w:color w:val="555555"/><w:sz w:val="20"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Cell"><w:name w:val="Cell"/><w:basedOn w:val="Normal"/><w:pPr><w:spacing w:after="0" w:line="260" w:lineRule="exact"/><w:ind w:firstLine="0"/><w:jc w:val="left"/></w:pPr><w:rPr><w:sz w:val="18"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Caption"><w:name w:val="caption"/><w:basedOn w:val="Cell"/><w:pPr><w:jc w:val="center"/></w:pPr><w:rPr><w:sz w:val="18"/></w:rPr></w:style>
<w:style w:type="paragraph" w:styleId="Picture"><w:name w:val="Picture"/><w:basedOn w:val="Normal"/><w:pPr><w:keepNext/><w:spacing w:before="60" w:after="0" w:line="240" w:lineRule="auto"/><w:ind w:firstLine="0"/><w:jc w:val="center"/></w:pPr></w:style>
<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/><w:basedOn w:val="Normal"/><w:pPr><w:ind w:firstLine="0"/><w:jc w:val="center"/></w:pPr><w:rPr><w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="宋体"/><w:sz w:val="28"/></w:rPr></w:style>
<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/><w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:color="000000"/><w:left w:val="single" w:sz="4" w:color="000000"/><w:bottom w:val="single" w:sz="4" w:color="000000"/><w:right w:val="single" w:sz="4" w:color="000000"/><w:insideH w:val="single" w:sz="4" w:color="000000"/><w:insideV w:val="single" w:sz="4" w:color="000000"/></w:tblBorders><w:tblCellMar><w:left w:w="60" w:type="dxa"/><w:right w:w="60" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>
</w:styles>"#
    )
}

/// The faces the document names, each with the one to use where it is missing.
fn font_table() -> String {
    let font = |name: &str, alt: &str, family: &str| {
        format!(
            r#"<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/><w:family w:val="{family}"/></w:font>"#
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">{}{}{}{}</w:fonts>"#,
        font(BODY, "Noto Serif CJK SC", "modern"),
        font(HEADING, "Noto Sans CJK SC", "modern"),
        font(TITLE, "Noto Serif CJK SC", "roman"),
        font("宋体", "Noto Serif CJK SC", "roman"),
    )
}

const FOOTER: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:pPr><w:pStyle w:val="Footer"/></w:pPr><w:r><w:t xml:space="preserve">— </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:t xml:space="preserve"> —</w:t></w:r></w:p></w:ftr>"#;

/// Word fills the contents' page numbers when the file is opened.
const SETTINGS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:settings xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:updateFields w:val="true"/></w:settings>"#;

/// The page: A4 with the 公文 margins (37 mm top, 35 mm bottom, 28 mm left, 26 mm right).
const PAGE: &str = r#"<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="2098" w:right="1474" w:bottom="1984" w:left="1587" w:header="851" w:footer="1134" w:gutter="0"/>"#;

fn run(text: &str) -> String {
    format!("<w:r><w:t xml:space=\"preserve\">{}</w:t></w:r>", esc(text))
}

fn para(d: &mut Doc, style: &str, text: &str) {
    d.body.push_str(&format!("<w:p><w:pPr><w:pStyle w:val=\"{style}\"/></w:pPr>{}</w:p>", run(text)));
}

fn heading(d: &mut Doc, n: usize, text: &str) {
    d.body.push_str(&format!(
        "<w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr><w:bookmarkStart w:id=\"{n}\" w:name=\"_Toc{n}\"/>{}<w:bookmarkEnd w:id=\"{n}\"/></w:p>",
        run(text)
    ));
}

fn cell(text: &str, width: u32, right: bool, bold: bool) -> String {
    let jc = if right { "<w:jc w:val=\"right\"/>" } else { "" };
    let rpr = if bold { "<w:rPr><w:rFonts w:eastAsia=\"黑体\"/></w:rPr>" } else { "" };
    format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/></w:tcPr><w:p><w:pPr><w:pStyle w:val=\"Cell\"/>{jc}</w:pPr><w:r>{rpr}<w:t xml:space=\"preserve\">{}</w:t></w:r></w:p></w:tc>",
        esc(text)
    )
}

/// A table with fixed column widths sized to the content, its header repeated on every page.
fn table(d: &mut Doc, t: &Table) {
    let widths: Vec<u32> = t.widths(TABLE_ROOM).iter().map(|w| (w * f64::from(TEXT_WIDTH)).round() as u32).collect();
    d.body.push_str(&format!(
        "<w:tbl><w:tblPr><w:tblStyle w:val=\"TableGrid\"/><w:tblW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>{}</w:tblGrid>",
        widths.iter().map(|w| format!("<w:gridCol w:w=\"{w}\"/>")).collect::<String>()
    ));
    d.body.push_str("<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>");
    for (h, w) in t.head.iter().zip(&widths) {
        d.body.push_str(&cell(h, *w, false, true));
    }
    d.body.push_str("</w:tr>");
    for r in &t.rows {
        d.body.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for (i, (c, w)) in r.iter().zip(&widths).enumerate() {
            d.body.push_str(&cell(c, *w, t.numeric.get(i).copied().unwrap_or(false), false));
        }
        d.body.push_str("</w:tr>");
    }
    d.body.push_str("</w:tbl><w:p/>");
}

/// The charts two to a row, in a table without borders.
fn charts(d: &mut Doc, figs: &[super::evaluation::document::Figure]) -> Result<(), StoreError> {
    let half = TEXT_WIDTH / 2;
    let cx = i64::from(half - 200) * 635; // twips to EMU
    d.body.push_str(&format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid><w:gridCol w:w=\"{half}\"/><w:gridCol w:w=\"{half}\"/></w:tblGrid>"
    ));
    for pair in figs.chunks(2) {
        d.body.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for f in pair {
            let bytes = png(&f.svg).map_err(|err| StoreError::refused(format!("{}: {err}", f.caption)))?;
            d.images.push(bytes);
            let n = d.images.len();
            let cy = (cx as f64 / (260.0 / 96.0)) as i64;
            d.body.push_str(&format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"{half}\" w:type=\"dxa\"/></w:tcPr><w:p><w:pPr><w:pStyle w:val=\"Picture\"/></w:pPr><w:r><w:drawing><wp:inline distT=\"0\" distB=\"0\" distL=\"0\" distR=\"0\"><wp:extent cx=\"{cx}\" cy=\"{cy}\"/><wp:docPr id=\"{n}\" name=\"chart{n}\" descr=\"{desc}\"/>\
                 <a:graphic xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\"><a:graphicData uri=\"http://schemas.openxmlformats.org/drawingml/2006/picture\">\
                 <pic:pic xmlns:pic=\"http://schemas.openxmlformats.org/drawingml/2006/picture\"><pic:nvPicPr><pic:cNvPr id=\"{n}\" name=\"chart{n}.png\"/><pic:cNvPicPr/></pic:nvPicPr>\
                 <pic:blipFill><a:blip r:embed=\"img{n}\"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>\
                 <pic:spPr><a:xfrm><a:off x=\"0\" y=\"0\"/><a:ext cx=\"{cx}\" cy=\"{cy}\"/></a:xfrm><a:prstGeom prst=\"rect\"><a:avLst/></a:prstGeom></pic:spPr></pic:pic>\
                 </a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p><w:p><w:pPr><w:pStyle w:val=\"Caption\"/></w:pPr>{}</w:p></w:tc>",
                run(&f.caption),
                desc = esc(&f.caption)
            ));
        }
        if pair.len() == 1 {
            d.body.push_str(&format!("<w:tc><w:tcPr><w:tcW w:w=\"{half}\" w:type=\"dxa\"/></w:tcPr><w:p/></w:tc>"));
        }
        d.body.push_str("</w:tr>");
    }
    d.body.push_str("</w:tbl><w:p/>");
    Ok(())
}

/// The contents as a field Word updates on opening (with page numbers); until then, and in a
/// word processor that does not update it, it lists the sections, each a link to its heading.
fn contents(d: &mut Doc, doc: &Document) {
    para(d, "TOCHeading", &doc.contents);
    let titles: Vec<&str> = doc.sections.iter().chain(&doc.annexes).map(|s| s.title.as_str()).collect();
    for (i, t) in titles.iter().enumerate() {
        let begin = if i == 0 {
            "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r><w:r><w:instrText xml:space=\"preserve\"> TOC \\o \"1-1\" \\h \\z \\u </w:instrText></w:r><w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>"
        } else {
            ""
        };
        let end = if i + 1 == titles.len() { "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>" } else { "" };
        d.body.push_str(&format!(
            "<w:p><w:pPr><w:pStyle w:val=\"TOC1\"/></w:pPr>{begin}<w:hyperlink w:anchor=\"_Toc{}\">{}</w:hyperlink>{end}</w:p>",
            i + 1,
            run(t)
        ));
    }
}

pub fn render(doc: &Document) -> Result<Vec<u8>, StoreError> {
    let mut d = Doc { body: String::new(), images: Vec::new() };
    para(&mut d, "Issuer", &doc.issuer);
    para(&mut d, "Title", &doc.title);
    para(&mut d, "Date", &doc.date);
    para(&mut d, "Meta", &doc.source);
    d.body.push_str("<w:p><w:r><w:br w:type=\"page\"/></w:r></w:p>");
    contents(&mut d, doc);
    // The cover and contents are a section of their own: no page number; the body counts from 1.
    d.body.push_str(&format!("<w:p><w:pPr><w:sectPr>{PAGE}<w:pgNumType w:start=\"1\"/></w:sectPr></w:pPr></w:p>"));
    for (i, s) in doc.sections.iter().chain(&doc.annexes).enumerate() {
        heading(&mut d, i + 1, &s.title);
        for b in &s.blocks {
            match b {
                Block::Para(t) => para(&mut d, "Normal", t),
                Block::Note(t) => para(&mut d, "Note", t),
                Block::List(items) => {
                    for (k, x) in items.iter().enumerate() {
                        let mark =
                            if doc.lang == Lang::En { format!("{}. ", k + 1) } else { format!("（{}）", k + 1) };
                        para(&mut d, "Item", &format!("{mark}{x}"));
                    }
                }
                Block::Table(t) => table(&mut d, t),
                Block::Charts(figs) => charts(&mut d, figs)?,
            }
        }
    }
    let section = format!("<w:footerReference w:type=\"default\" r:id=\"footer1\"/>{PAGE}<w:pgNumType w:start=\"1\"/>");
    let extras = [
        Extra {
            name: "footer1.xml",
            content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
            rel: Some(("footer1", "footer")),
            xml: FOOTER.to_string(),
        },
        Extra {
            name: "settings.xml",
            content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml",
            rel: Some(("settings", "settings")),
            xml: SETTINGS.to_string(),
        },
        Extra {
            name: "fontTable.xml",
            content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml",
            rel: Some(("fontTable", "fontTable")),
            xml: font_table(),
        },
    ];
    package_with(&d, &styles(doc.lang), &section, &extras).map_err(|err| StoreError::refused(format!("DOCX: {err}")))
}

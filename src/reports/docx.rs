//! Word documents (WordprocessingML written directly): real text in headings, paragraphs and
//! tables, and charts as embedded PNG pictures drawn from their SVG. The pieces every report's
//! DOCX is made of; `official` lays the evaluation out with them.

use std::io::Write;
use std::sync::LazyLock;

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

pub(crate) fn esc(s: &str) -> String {
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

/// A part of the package beyond the document and its styles (a footer, the settings, the font
/// table): where it goes under `word/`, its content type, and its relationship from the document.
pub(crate) struct Extra {
    pub name: &'static str,
    pub content_type: &'static str,
    /// The relationship's id and type, for parts the document refers to.
    pub rel: Option<(&'static str, &'static str)>,
    pub xml: String,
}

/// The plain page: A4 with even margins, no footer.
const PLAIN_SECTION: &str = r#"<w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1440" w:right="1247" w:bottom="1440" w:left="1247" w:header="851" w:footer="992" w:gutter="0"/>"#;

pub(crate) fn package(d: &Doc) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    package_with(d, STYLES, PLAIN_SECTION, &[])
}

/// Zips the document with its styles, the last section's properties and the extra parts.
pub(crate) fn package_with(
    d: &Doc,
    styles: &str,
    section: &str,
    extras: &[Extra],
) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut put = |name: &str, bytes: &[u8]| -> Result<(), Box<dyn std::error::Error>> {
        zip.start_file(name, opts)?;
        zip.write_all(bytes)?;
        Ok(())
    };
    let mut types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/>"#,
    );
    for x in extras {
        types.push_str(&format!(r#"<Override PartName="/word/{}" ContentType="{}"/>"#, x.name, x.content_type));
    }
    types.push_str("</Types>");
    put("[Content_Types].xml", types.as_bytes())?;
    put("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#)?;
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="styles" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#,
    );
    for i in 1..=d.images.len() {
        rels.push_str(&format!(r#"<Relationship Id="img{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="media/chart{i}.png"/>"#));
    }
    for x in extras {
        if let Some((id, kind)) = x.rel {
            rels.push_str(&format!(
                r#"<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" Target="{}"/>"#,
                x.name
            ));
        }
    }
    rels.push_str("</Relationships>");
    put("word/_rels/document.xml.rels", rels.as_bytes())?;
    put("word/styles.xml", styles.as_bytes())?;
    let doc = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"><w:body>{}<w:sectPr>{section}</w:sectPr></w:body></w:document>"#,
        d.body
    );
    put("word/document.xml", doc.as_bytes())?;
    for x in extras {
        put(&format!("word/{}", x.name), x.xml.as_bytes())?;
    }
    for (i, img) in d.images.iter().enumerate() {
        put(&format!("word/media/chart{}.png", i + 1), img)?;
    }
    Ok(zip.finish()?.into_inner())
}

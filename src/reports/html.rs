//! The evaluation as one self-contained HTML file: styles and SVG charts inline, no scripts, so it
//! opens anywhere and prints as it looks (cover and contents on pages of their own).

use std::sync::LazyLock;

use super::evaluation::document::{Block, Document, Section, TABLE_ROOM};
use crate::messages::Lang;
use crate::store::StoreError;

static TEMPLATES: LazyLock<minijinja::Environment<'static>> = LazyLock::new(|| {
    let mut env = minijinja::Environment::new();
    env.add_template("evaluation.html", include_str!("templates/evaluation.html")).expect("the report template parses");
    env
});

fn block(b: &Block) -> serde_json::Value {
    match b {
        Block::Para(t) => serde_json::json!({ "kind": "para", "text": t }),
        Block::Note(t) => serde_json::json!({ "kind": "note", "text": t }),
        Block::List(items) => serde_json::json!({ "kind": "list", "items": items }),
        Block::Charts(fs) => serde_json::json!({
            "kind": "charts",
            "figures": fs.iter().map(|f| serde_json::json!({ "svg": f.svg, "caption": f.caption })).collect::<Vec<_>>(),
        }),
        Block::Table(t) => serde_json::json!({
            "kind": "table",
            "head": t.head,
            "rows": t.rows,
            "numeric": t.numeric,
            "widths": t.widths(TABLE_ROOM).iter().map(|w| format!("{:.1}", w * 100.0)).collect::<Vec<_>>(),
        }),
    }
}

fn section(s: &Section) -> serde_json::Value {
    serde_json::json!({ "title": s.title, "blocks": s.blocks.iter().map(block).collect::<Vec<_>>() })
}

pub fn render(d: &Document) -> Result<String, StoreError> {
    let ctx = serde_json::json!({ "d": {
        "lang": if d.lang == Lang::En { "en" } else { "zh" },
        "issuer": d.issuer,
        "title": d.title,
        "date": d.date,
        "source": d.source,
        "contents": d.contents,
        "sections": d.sections.iter().map(section).collect::<Vec<_>>(),
        "annexes": d.annexes.iter().map(section).collect::<Vec<_>>(),
    }});
    let tmpl = TEMPLATES.get_template("evaluation.html").map_err(|e| StoreError::refused(e.to_string()))?;
    tmpl.render(minijinja::value::Serde(&ctx)).map_err(|e| StoreError::refused(format!("{e:#}")))
}

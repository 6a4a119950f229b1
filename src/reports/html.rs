//! The evaluation as one self-contained HTML file: styles and SVG charts inline, no scripts, so it
//! opens anywhere and prints as it looks.

use std::sync::LazyLock;

use serde::Serialize;

use super::chart::{Chart, trend_of};
use super::evaluation::Evaluation;
use crate::figures::indicators::display;
use crate::figures::targets::TargetResult;
use crate::messages::Lang;
use crate::store::StoreError;

static TEMPLATES: LazyLock<minijinja::Environment<'static>> = LazyLock::new(|| {
    let mut env = minijinja::Environment::new();
    env.add_template("evaluation.html", include_str!("templates/evaluation.html")).expect("the report template parses");
    env
});

/// A target as the report's tables show it.
#[derive(Serialize)]
pub struct Line {
    pub name: String,
    pub section: String,
    pub unit: String,
    pub baseline: String,
    pub value: String,
    pub target: String,
    pub target_year: i32,
    pub attribute: String,
    pub status: String,
    pub status_key: &'static str,
    pub projection: Option<String>,
    pub passed: String,
    pub note: String,
    pub chart: String,
}

pub fn line(r: &TargetResult, first_year: i32) -> Line {
    Line {
        name: r.name.clone(),
        section: r.section.clone(),
        unit: r.unit.clone(),
        baseline: display(r.baseline, r.decimals),
        value: display(r.value, r.decimals),
        target: r.target_text(),
        target_year: r.target_year,
        attribute: match r.attribute.as_deref() {
            Some("binding") => "约束性".into(),
            Some(_) => "预期性".into(),
            None => String::new(),
        },
        status: r.status.zh().into(),
        status_key: r.status.key(),
        projection: r.projection.map(|p| display(Some(p), r.decimals)),
        passed: match (r.numerator, r.denominator) {
            (Some(a), Some(b)) => format!("{a:.0} / {b:.0}"),
            _ => String::new(),
        },
        note: r.note.clone().unwrap_or_default(),
        chart: trend_of(
            &Chart { name: &r.name, unit: &r.unit, decimals: r.decimals as usize, lang: Lang::Zh },
            &r.series,
            r.target,
            r.projection,
            first_year,
            r.target_year,
        ),
    }
}

pub fn render(e: &Evaluation) -> Result<String, StoreError> {
    let first = e.key.first().and_then(|r| r.series.first().map(|s| s.0)).unwrap_or(2020);
    let ctx = serde_json::json!({
        "e": e,
        "key": e.key.iter().map(|r| line(r, first)).collect::<Vec<_>>(),
        "counted": e.counted.iter().map(|r| line(r, first)).collect::<Vec<_>>(),
        "rules": e.rules.iter().map(|r| line(r, first)).collect::<Vec<_>>(),
        "alerts": e.alerts.iter().map(|r| line(r, first)).collect::<Vec<_>>(),
    });
    let tmpl = TEMPLATES.get_template("evaluation.html").map_err(|e| StoreError::refused(e.to_string()))?;
    tmpl.render(minijinja::value::Serde(&ctx)).map_err(|e| StoreError::refused(format!("{e:#}")))
}

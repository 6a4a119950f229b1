//! The annual quality report (质量年度报告, plan 五(三)) as data: a template per edition (secondary
//! school, higher school, city) and year, with the chapters of the national outline (which are
//! required) and the data tables, each row a formula over measures, and each measure a count or
//! sum of approved rows (or one of a few linked counts VETIS computes). Pure: the store computes
//! the measures, `figures::quality` the rows.

pub mod expr;
pub mod report;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::domain::plan::Filter;
use crate::domain::standard::Table;
use expr::Expr;

/// The templates shipped with VETIS (the bureau loads its own over them).
pub const SECONDARY: &str = include_str!("../../../data/quality/secondary.toml");
pub const HIGHER: &str = include_str!("../../../data/quality/higher.toml");
pub const CITY: &str = include_str!("../../../data/quality/city.toml");

/// The chapters of the national outline, in order (their ids are fixed: scripts use them).
pub const OUTLINE: [&str; 7] = ["talent", "service", "culture", "international", "industry", "support", "challenges"];

/// Which report a template writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Edition {
    Secondary,
    Higher,
    City,
}

impl Edition {
    /// A school's edition by its level.
    pub fn of_level(level: &str) -> Edition {
        if level == "secondary" { Edition::Secondary } else { Edition::Higher }
    }
    pub fn key(self) -> &'static str {
        match self {
            Edition::Secondary => "secondary",
            Edition::Higher => "higher",
            Edition::City => "city",
        }
    }
    pub fn shipped(self) -> &'static str {
        match self {
            Edition::Secondary => SECONDARY,
            Edition::Higher => HIGHER,
            Edition::City => CITY,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    pub id: String,
    pub version: String,
    pub edition: Edition,
    /// The first report year the template applies to.
    pub first_year: i32,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    /// A satisfaction share is shown only with at least this many respondents.
    #[serde(default = "thirty")]
    pub min_respondents: f64,
    /// The school's report is due on this month-day of the following year.
    #[serde(default = "january_31")]
    pub deadline: String,
    /// The city edition: the schools it covers (as for the key indicators).
    #[serde(default)]
    pub levels: Vec<String>,
    #[serde(default)]
    pub sponsors: Vec<String>,
    #[serde(rename = "chapter")]
    pub chapters: Vec<Chapter>,
    #[serde(rename = "measure")]
    pub measures: BTreeMap<String, MeasureDef>,
    #[serde(rename = "table")]
    pub tables: Vec<TableDef>,
}

fn thirty() -> f64 {
    30.0
}

fn january_31() -> String {
    "01-31".into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Chapter {
    pub id: String,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub required: bool,
    /// What the chapter should say (shown beside the editor).
    #[serde(default)]
    pub guidance_zh: String,
}

/// How a measure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureKind {
    /// Rows.
    Count,
    /// The sum of `column`.
    Sum,
    /// Distinct values of `column` (at the city, distinct over its schools, not a sum).
    Distinct,
    /// One of the linked counts VETIS computes (`builtin`).
    Builtin,
}

/// The linked counts: across tables or years, by person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Builtin {
    /// Graduates of the year holding a 1+X certificate, vocational qualification or skill level
    /// issued by 31 December of the year (linked by person).
    CertifiedGraduates,
    /// Persons in the school's `student` rows of Y−2 who entered in Y−2.
    RetentionBase,
    /// Of those, the ones in its `student` rows of Y or among its graduates of years up to Y.
    Retained,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasureDef {
    pub kind: MeasureKind,
    #[serde(default)]
    pub table: String,
    #[serde(default)]
    pub filter: Filter,
    #[serde(default)]
    pub column: Option<String>,
    /// The table's year column, when not its usual one (e.g. `graduation_year`).
    #[serde(default)]
    pub year_column: Option<String>,
    #[serde(default)]
    pub builtin: Option<Builtin>,
    #[serde(default)]
    pub name_zh: String,
}

impl MeasureDef {
    /// The table a measure reads (the builtins read theirs).
    pub fn table(&self) -> Option<Table> {
        match self.builtin {
            Some(Builtin::CertifiedGraduates) => Some(Table::Graduate),
            Some(Builtin::RetentionBase | Builtin::Retained) => Some(Table::Student),
            None => Table::from_name(&self.table),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableDef {
    pub id: String,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(rename = "row")]
    pub rows: Vec<RowDef>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowDef {
    pub id: String,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub unit: String,
    /// The formula over measures.
    pub value: String,
    /// Measures that must reach a minimum for the row to show (e.g. respondents ≥ 30); the value
    /// `min_respondents` stands for the template's setting.
    #[serde(default)]
    pub at_least: BTreeMap<String, String>,
    /// A key row: drawn as a trend over the plan years in the report.
    #[serde(default)]
    pub key: bool,
}

impl Template {
    /// Parses and checks a template; every problem is listed.
    pub fn parse(text: &str) -> Result<Template, Vec<String>> {
        let t: Template = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let errors = t.check();
        if errors.is_empty() { Ok(t) } else { Err(errors) }
    }

    fn check(&self) -> Vec<String> {
        let mut errors = crate::domain::pack_identity_errors(&self.id, &self.version);
        let mut seen = Vec::new();
        for c in &self.chapters {
            if seen.contains(&c.id) {
                errors.push(format!("[[chapter]] {}: given twice", c.id));
            }
            seen.push(c.id.clone());
        }
        for id in OUTLINE {
            if !self.chapters.iter().any(|c| c.id == id) {
                errors.push(format!("[[chapter]]: the national outline's chapter '{id}' is missing"));
            }
        }
        for (name, m) in &self.measures {
            let at = format!("[measure.{name}]");
            match (m.kind, m.builtin) {
                (MeasureKind::Builtin, None) => errors.push(format!("{at}: kind = \"builtin\" needs builtin = …")),
                (MeasureKind::Builtin, Some(_)) => continue,
                (_, Some(_)) => errors.push(format!("{at}: builtin needs kind = \"builtin\"")),
                _ => {}
            }
            let Some(table) = m.table() else {
                errors.push(format!("{at}: '{}' is not a table of the data standard", m.table));
                continue;
            };
            let has = |c: &str| table.column(c).is_some();
            for col in m.filter.keys().chain(m.column.iter()).chain(m.year_column.iter()) {
                if !has(col) {
                    errors.push(format!("{at}: '{col}' is not a column of {}", table.key()));
                }
            }
            if matches!(m.kind, MeasureKind::Sum | MeasureKind::Distinct) && m.column.is_none() {
                errors.push(format!("{at}: kind = \"sum\" or \"distinct\" needs column = …"));
            }
            if m.year_column.is_none() && table.year_column().is_none() {
                errors.push(format!("{at}: {} has no year column: give year_column", table.key()));
            }
        }
        let mut ids = Vec::new();
        for t in &self.tables {
            if ids.contains(&t.id) {
                errors.push(format!("[[table]] {}: given twice", t.id));
            }
            ids.push(t.id.clone());
            let mut rows = Vec::new();
            for r in &t.rows {
                let at = format!("[[table]] {} row {}", t.id, r.id);
                if rows.contains(&r.id) {
                    errors.push(format!("{at}: given twice"));
                }
                rows.push(r.id.clone());
                match Expr::parse(&r.value) {
                    Err(e) => errors.push(format!("{at}: {e}")),
                    Ok(e) => {
                        for m in e.measures().into_iter().chain(r.at_least.keys().map(String::as_str)) {
                            if !self.measures.contains_key(m) {
                                errors.push(format!("{at}: '{m}' is not a [measure]"));
                            }
                        }
                    }
                }
                for v in r.at_least.values() {
                    if v != "min_respondents" && v.parse::<f64>().is_err() {
                        errors.push(format!("{at}: at_least takes a number or \"min_respondents\", not '{v}'"));
                    }
                }
            }
        }
        if self.edition == Edition::City && (self.levels.is_empty() || self.sponsors.is_empty()) {
            errors.push("the city edition names the levels and sponsors of the schools it covers".into());
        }
        errors
    }

    /// The row's formula (checked on load).
    pub fn formula(row: &RowDef) -> Expr {
        Expr::parse(&row.value).unwrap_or(Expr::Number(f64::NAN))
    }

    /// The deadline of a year's report: `deadline` (month-day) in the following year.
    pub fn deadline_of(&self, year: i64) -> String {
        format!("{}-{}", year + 1, self.deadline)
    }

    /// A row's minimum for a measure.
    pub fn minimum(&self, v: &str) -> f64 {
        if v == "min_respondents" { self.min_respondents } else { v.parse().unwrap_or(0.0) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_templates_load_with_the_national_outline() {
        for e in [Edition::Secondary, Edition::Higher, Edition::City] {
            let t = Template::parse(e.shipped()).unwrap_or_else(|errs| panic!("{e:?}: {errs:?}"));
            assert_eq!(t.edition, e);
            assert!(t.chapters.iter().filter(|c| c.required).count() >= 6);
            for id in ["scorecard", "resources", "service", "international", "policy"] {
                assert!(t.tables.iter().any(|x| x.id == id), "{e:?} lacks {id}");
            }
        }
    }

    #[test]
    fn a_template_naming_an_unknown_measure_or_column_is_refused() {
        let bad = SECONDARY.replace("value = \"100 * placed / graduates\"", "value = \"100 * placd / graduates\"");
        let errs = Template::parse(&bad).unwrap_err();
        assert!(errs.iter().any(|e| e.contains("'placd' is not a [measure]")), "{errs:?}");
    }
}

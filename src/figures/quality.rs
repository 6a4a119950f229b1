//! The data tables of a quality report, for a school or the city and a year: every row's formula
//! evaluated over the template's measures. The city pools its schools (Σ numerators ÷ Σ
//! denominators; distinct values counted over the union), never a mean of the schools' ratios. A
//! row without data says why (无数据: a table not submitted, a zero denominator, too few
//! respondents). Values are not rounded.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::domain::quality::expr::Missing;
use crate::domain::quality::{Edition, Template};
use crate::messages::Lang;
use crate::store::quality::{self, Measured};
use crate::store::{Db, StoreError, registry};

/// Whose report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    School(String),
    City,
}

/// Why a row has no value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Why {
    /// The table a measure reads has no approved rows (key of the table).
    NotSubmitted(String),
    /// A denominator is 0 (the measure).
    ZeroBase(String),
    /// Fewer than the minimum (measure, count, minimum).
    TooFew(String, f64, f64),
}

impl Why {
    pub fn text(&self, lang: Lang, t: &Template) -> String {
        let zh = lang == Lang::Zh;
        let measure =
            |m: &str| t.measures.get(m).map(|d| d.name_zh.clone()).filter(|n| !n.is_empty()).unwrap_or(m.to_string());
        match self {
            Why::NotSubmitted(table) => {
                let name = crate::domain::standard::Table::from_name(table).map_or(table.as_str(), |x| x.zh());
                if zh {
                    format!("无数据：本年度未报送“{name}”表")
                } else {
                    format!("no data: the {table} table was not submitted")
                }
            }
            Why::ZeroBase(m) => {
                if zh {
                    format!("无数据：{}为 0", measure(m))
                } else {
                    format!("no data: {m} is 0")
                }
            }
            Why::TooFew(m, n, min) => {
                if zh {
                    format!("不公布：{}为 {n}，少于 {min}", measure(m))
                } else {
                    format!("not shown: {m} is {n}, fewer than {min}")
                }
            }
        }
    }
}

/// A row's value.
#[derive(Debug, Clone, Serialize)]
pub struct RowValue {
    pub id: String,
    pub name: String,
    pub value: Option<f64>,
    pub unit: String,
    /// Why there is no value, in the asked language (null with a value).
    pub note: Option<String>,
    #[serde(skip)]
    pub why: Option<Why>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableValue {
    pub id: String,
    pub name: String,
    pub rows: Vec<RowValue>,
}

/// The tables of a report, with the template they follow (serialised as the CLI's JSON:
/// `{"tables": [{"id", "name", "rows": [{"id", "name", "value", "unit", "note"}]}]}`, the note
/// saying why a value is missing).
#[derive(Debug, Clone, Serialize)]
pub struct Tables {
    pub tables: Vec<TableValue>,
    #[serde(skip)]
    pub template: Template,
}

/// The template of a subject's report of a year: of the school's edition (by its level), the
/// loaded one with the latest first year at or before the year (the latest loaded among equals),
/// else the one shipped.
pub async fn template_for(db: &Db, subject: &Subject, year: i64) -> Result<Template, StoreError> {
    let edition = match subject {
        Subject::City => Edition::City,
        Subject::School(code) => {
            let s = registry::school(db, code).await?.ok_or_else(|| {
                StoreError::not_found(format!("学校 {code} 不在名录中 / school {code} is not in the registry"))
            })?;
            Edition::of_level(&s.level)
        }
    };
    template_of(db, edition, year).await
}

/// The template of an edition for a year: the loaded one with the latest first year at or before
/// it (the latest loaded among equals), else the one shipped.
pub async fn template_of(db: &Db, edition: Edition, year: i64) -> Result<Template, StoreError> {
    let mut chosen: Option<Template> = None;
    for text in crate::store::packs::all_sources(db, crate::store::packs::Kind::Quality).await? {
        let Ok(t) = Template::parse(&text) else { continue };
        if t.edition == edition
            && i64::from(t.first_year) <= year
            && chosen.as_ref().is_none_or(|c| t.first_year >= c.first_year)
        {
            chosen = Some(t);
        }
    }
    match chosen {
        Some(t) => Ok(t),
        None => Template::parse(edition.shipped())
            .map_err(|e| StoreError::Internal(format!("the shipped {} template: {}", edition.key(), e.join("; ")))),
    }
}

/// Loads a template (checked by the caller); whether it was new.
pub async fn load_template(db: &Db, t: &Template, source: &str, actor: &str, origin: &str) -> Result<bool, StoreError> {
    let id = crate::store::packs::Identity { id: &t.id, version: &t.version, name_zh: &t.name_zh };
    crate::store::packs::load(db, crate::store::packs::Kind::Quality, &id, source, actor, origin).await
}

/// A measure's value over a set of schools: the sum of theirs (distinct values: the size of their
/// union).
fn pooled(m: &Measured, name: &str, schools: &HashSet<&String>) -> f64 {
    if let Some(d) = m.distinct.get(name) {
        let all: HashSet<&String> = d.iter().filter(|(s, _)| schools.contains(s)).flat_map(|(_, v)| v).collect();
        return all.len() as f64;
    }
    m.values.get(name).map_or(0.0, |by| by.iter().filter(|(s, _)| schools.contains(s)).fold(0.0, |a, (_, v)| a + v))
}

/// The schools a subject's figures cover.
async fn schools_of(db: &Db, t: &Template, subject: &Subject) -> Result<HashSet<String>, StoreError> {
    Ok(match subject {
        Subject::School(c) => HashSet::from([c.clone()]),
        Subject::City => registry::schools(db)
            .await?
            .into_iter()
            .filter(|s| t.levels.contains(&s.level) && t.sponsors.contains(&s.sponsor))
            .map(|s| s.code)
            .collect(),
    })
}

/// Evaluates every row of a template over the schools that returned every table the row reads:
/// a ratio pools numerator and denominator over the same schools; a school (or a city) without
/// them has no data, and the row says which table is missing.
pub fn evaluate(t: &Template, m: &Measured, schools: &HashSet<String>, lang: Lang) -> Vec<TableValue> {
    let zh = lang == Lang::Zh;
    let row_value = |r: &crate::domain::quality::RowDef| -> (Option<f64>, Option<Why>) {
        let formula = Template::formula(r);
        let names: Vec<&str> = formula.measures().into_iter().chain(r.at_least.keys().map(String::as_str)).collect();
        let mut within: HashSet<&String> = schools.iter().collect();
        for name in &names {
            let Some(table) = t.measures.get(*name).and_then(crate::domain::quality::MeasureDef::table) else {
                continue;
            };
            let present = m.present.get(&table);
            within.retain(|s| present.is_some_and(|p| p.contains(*s)));
            if within.is_empty() {
                return (None, Some(Why::NotSubmitted(table.key().to_string())));
            }
        }
        let values: HashMap<String, f64> = names.iter().map(|n| (n.to_string(), pooled(m, n, &within))).collect();
        for (name, min) in &r.at_least {
            let min = t.minimum(min);
            if let Some(v) = values.get(name).filter(|v| **v < min) {
                return (None, Some(Why::TooFew(name.clone(), *v, min)));
            }
        }
        match formula.eval(&values) {
            Ok(v) if v.is_finite() => (Some(v), None),
            Ok(_) => (None, Some(Why::ZeroBase(r.id.clone()))),
            Err(Missing::NoData(n)) => (None, Some(Why::NotSubmitted(n))),
            Err(Missing::Zero(n)) => (None, Some(Why::ZeroBase(n))),
        }
    };
    t.tables
        .iter()
        .map(|table| TableValue {
            id: table.id.clone(),
            name: if zh || table.name_en.is_empty() { table.name_zh.clone() } else { table.name_en.clone() },
            rows: table
                .rows
                .iter()
                .map(|r| {
                    let (value, why) = row_value(r);
                    RowValue {
                        id: r.id.clone(),
                        name: if zh || r.name_en.is_empty() { r.name_zh.clone() } else { r.name_en.clone() },
                        value,
                        unit: r.unit.clone(),
                        note: why.as_ref().map(|w| w.text(lang, t)),
                        why,
                    }
                })
                .collect(),
        })
        .collect()
}

/// The tables of a subject's report of a year.
pub async fn tables(db: &Db, subject: &Subject, year: i64, lang: Lang) -> Result<Tables, StoreError> {
    let template = template_for(db, subject, year).await?;
    let measured = quality::measures(db, &template, year).await?;
    let schools = schools_of(db, &template, subject).await?;
    Ok(Tables { tables: evaluate(&template, &measured, &schools, lang), template })
}

/// A row as a report keeps it: both languages, and why it has no value.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct FrozenRow {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub value: Option<f64>,
    pub unit: String,
    pub note_zh: Option<String>,
    pub note_en: Option<String>,
}

#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct FrozenTable {
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub rows: Vec<FrozenRow>,
}

/// A key row over the years up to the report's.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Trend {
    pub table: String,
    pub row: String,
    pub name_zh: String,
    pub unit: String,
    pub points: Vec<(i64, Option<f64>)>,
}

/// What a report shows of the data: frozen into the published version (its hash is the
/// report's), computed afresh for a draft.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Frozen {
    pub template_id: String,
    pub template_version: String,
    pub title_zh: String,
    pub subject: String,
    pub subject_name: String,
    pub year: i64,
    pub data_version: i64,
    pub tables: Vec<FrozenTable>,
    pub trends: Vec<Trend>,
    /// The city edition: every school's core figures and whether its report was published on
    /// time (省属 schools listed apart: they are not in the city's sums).
    #[serde(default)]
    pub schools: Vec<SchoolLine>,
}

/// A school in the city's report.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct SchoolLine {
    pub code: String,
    pub name: String,
    /// In the city's sums (市属, 区属, 民办), or shown apart (省属 and others).
    pub pooled: bool,
    /// The school's own report of the year: 按时发布, 逾期发布, 逾期未发布 or 未到截止日期.
    pub report: String,
    /// The core rows (`CORE_ROWS`), shown as a report prints them.
    pub values: Vec<String>,
}

/// The rows each school shows in the city's report.
pub const CORE_ROWS: [(&str, &str); 5] = [
    ("full_time_enrolment", "全日制在校生"),
    ("graduates", "毕业生"),
    ("placement_rate", "去向落实率%"),
    ("student_teacher_ratio", "生师比"),
    ("training_person_times", "社会培训人次"),
];

/// A school as the roster of the city's report knows it: code, name, sponsor, and its report's
/// timeliness.
pub struct RosterEntry {
    pub code: String,
    pub name: String,
    pub sponsor: String,
    pub report: String,
}

/// The city report's school lines from measures already read.
pub fn school_lines(t: &Template, m: &Measured, roster: &[RosterEntry]) -> Vec<SchoolLine> {
    roster
        .iter()
        .map(|r| {
            let one = HashSet::from([r.code.clone()]);
            let tables = evaluate(t, m, &one, Lang::Zh);
            let values = CORE_ROWS
                .iter()
                .map(|(id, _)| {
                    let row = tables.iter().flat_map(|x| x.rows.iter()).find(|x| x.id == *id);
                    row.map_or_else(|| "—".into(), |x| crate::reports::quality::shown(x.value, &x.unit, Some("—")))
                })
                .collect();
            SchoolLine {
                code: r.code.clone(),
                name: r.name.clone(),
                pooled: t.sponsors.contains(&r.sponsor),
                report: r.report.clone(),
                values,
            }
        })
        .collect()
}

/// Every school's measures of each year a report's trends need (read once, shared by reports).
pub type MeasuredYears = HashMap<i64, Measured>;

pub async fn measured_years(
    db: &Db,
    t: &Template,
    years: std::ops::RangeInclusive<i64>,
) -> Result<MeasuredYears, StoreError> {
    let mut out = HashMap::new();
    for y in years {
        out.insert(y, quality::measures(db, t, y).await?);
    }
    Ok(out)
}

/// Freezes a subject's tables of a year from measures already read (pure).
pub fn freeze_with(
    t: &Template,
    years: &MeasuredYears,
    schools: &HashSet<String>,
    subject: &Subject,
    subject_name: &str,
    year: i64,
    data_version: i64,
) -> Frozen {
    let empty = Measured::default();
    let zh = evaluate(t, years.get(&year).unwrap_or(&empty), schools, Lang::Zh);
    let en = evaluate(t, years.get(&year).unwrap_or(&empty), schools, Lang::En);
    let tables = zh
        .iter()
        .zip(&en)
        .map(|(a, b)| FrozenTable {
            id: a.id.clone(),
            name_zh: a.name.clone(),
            name_en: b.name.clone(),
            rows: a
                .rows
                .iter()
                .zip(&b.rows)
                .map(|(r, e)| FrozenRow {
                    id: r.id.clone(),
                    name_zh: r.name.clone(),
                    name_en: e.name.clone(),
                    value: r.value,
                    unit: r.unit.clone(),
                    note_zh: r.why.as_ref().map(|w| w.text(Lang::Zh, t)),
                    note_en: r.why.as_ref().map(|w| w.text(Lang::En, t)),
                })
                .collect(),
        })
        .collect();
    let mut trends = Vec::new();
    let first = i64::from(t.first_year).min(year);
    let by_year: Vec<(i64, Vec<TableValue>)> =
        (first..=year).map(|y| (y, evaluate(t, years.get(&y).unwrap_or(&empty), schools, Lang::Zh))).collect();
    for table in &t.tables {
        for r in table.rows.iter().filter(|r| r.key) {
            let points = by_year
                .iter()
                .map(|(y, tv)| {
                    let v = tv
                        .iter()
                        .find(|x| x.id == table.id)
                        .and_then(|x| x.rows.iter().find(|x| x.id == r.id))
                        .and_then(|x| x.value);
                    (*y, v)
                })
                .collect();
            trends.push(Trend {
                table: table.id.clone(),
                row: r.id.clone(),
                name_zh: r.name_zh.clone(),
                unit: r.unit.clone(),
                points,
            });
        }
    }
    Frozen {
        template_id: t.id.clone(),
        template_version: t.version.clone(),
        title_zh: t.name_zh.clone(),
        subject: match subject {
            Subject::School(c) => c.clone(),
            Subject::City => "city".into(),
        },
        subject_name: subject_name.to_string(),
        year,
        data_version,
        tables,
        trends,
        schools: Vec::new(),
    }
}

/// A subject's report data of a year, read now; the city's with its schools' lines (`roster`).
pub async fn freeze(db: &Db, subject: &Subject, year: i64, roster: &[RosterEntry]) -> Result<Frozen, StoreError> {
    let data_version = db.data_version().await?;
    let t = template_for(db, subject, year).await?;
    let first = i64::from(t.first_year).min(year);
    let years = measured_years(db, &t, first..=year).await?;
    let schools = schools_of(db, &t, subject).await?;
    let name = match subject {
        Subject::City => "广州市".to_string(),
        Subject::School(c) => registry::school(db, c).await?.map_or_else(|| c.clone(), |s| s.name),
    };
    let mut frozen = freeze_with(&t, &years, &schools, subject, &name, year, data_version);
    if *subject == Subject::City
        && let Some(m) = years.get(&year)
    {
        frozen.schools = school_lines(&t, m, roster);
    }
    Ok(frozen)
}

/// The schools a subject's figures cover (public for the demo, which freezes many at once).
pub async fn schools_covered(db: &Db, t: &Template, subject: &Subject) -> Result<HashSet<String>, StoreError> {
    schools_of(db, t, subject).await
}

//! Per-student funding by program category (plan 五(二)) as data: per year, a base rate per school
//! level and a coefficient per 专业大类 of the 2021 catalogue (a 专业类 may override its category),
//! optional size adjustments and the floors the rates must respect, each table with its source
//! document; and the allocation formula. Pure: the students come in as counts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::standard::LEVELS;

/// The example shipped with VETIS (not Guangzhou's table: none is published).
pub const DEFAULT_PACK: &str = include_str!("../../data/funding/example-funding.toml");

/// The header of a coefficients file (and of `vetis funding show --format csv`).
pub const COEFFICIENT_COLUMNS: [&str; 5] = ["level", "category_code", "category_name", "base_rate", "coefficient"];

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FundingPack {
    pub id: String,
    pub version: String,
    pub name_zh: String,
    #[serde(default)]
    pub name_en: String,
    /// An example table, not an adopted one: every page that shows it says so.
    #[serde(default)]
    pub example: bool,
    #[serde(rename = "table")]
    pub tables: Vec<RateTable>,
    /// Minimum per-student funding by level (e.g. 高职 ≥ 12,000 元, 财教〔2014〕352号).
    #[serde(default, rename = "floor")]
    pub floors: Vec<Floor>,
}

/// The rates of the years from `from_year` until the next table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateTable {
    pub from_year: i32,
    pub source: String,
    /// Level key (secondary, higher, bachelor) → 元 per full-time student per year.
    pub base_rates: BTreeMap<String, f64>,
    /// The coefficient of a category (2 digits) or class (4 digits) not listed.
    #[serde(default = "one")]
    pub default_coefficient: f64,
    /// Category (2 digits) or class (4 digits, overriding its category) → coefficient.
    #[serde(default)]
    pub coefficients: BTreeMap<String, f64>,
    /// Size adjustments: a school with at most `max_students` funded students gets × `factor`
    /// (the smallest band that fits).
    #[serde(default, rename = "size")]
    pub sizes: Vec<SizeBand>,
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizeBand {
    pub max_students: i64,
    pub factor: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Floor {
    pub level: String,
    pub per_student: f64,
    pub source: String,
}

impl FundingPack {
    /// Parses and checks a funding file; `categories` tells which codes exist (category or class
    /// codes of the catalogue, any level).
    pub fn parse(text: &str, known_code: &dyn Fn(&str) -> bool) -> Result<FundingPack, Vec<String>> {
        let pack: FundingPack = toml::from_str(text).map_err(|e| vec![e.to_string()])?;
        let errors = pack.check(known_code);
        if errors.is_empty() { Ok(pack) } else { Err(errors) }
    }

    fn check(&self, known_code: &dyn Fn(&str) -> bool) -> Vec<String> {
        let mut errors = crate::domain::pack_identity_errors(&self.id, &self.version);
        if self.tables.is_empty() {
            errors.push("no [[table]]: no year could be funded".into());
        }
        let mut years = Vec::new();
        for t in &self.tables {
            let at = format!("[[table]] from_year = {}", t.from_year);
            if years.contains(&t.from_year) {
                errors.push(format!("{at}: given twice"));
            }
            years.push(t.from_year);
            errors.extend(t.check().into_iter().map(|e| format!("{at}: {e}")));
            for code in t.coefficients.keys() {
                if !known_code(code) {
                    errors.push(format!(
                        "{at}: '{code}' is not a 专业大类 (2 digits) or 专业类 (4 digits) of the 2021 catalogue"
                    ));
                }
            }
        }
        for f in &self.floors {
            if !is_level(&f.level) || f.per_student <= 0.0 {
                errors.push(format!(
                    "[[floor]] {}: level must be secondary, higher or bachelor, per_student > 0",
                    f.level
                ));
            }
        }
        errors
    }

    /// The table a year is funded under: the latest from that year or before.
    pub fn for_year(&self, year: i32) -> Option<&RateTable> {
        self.tables.iter().filter(|t| t.from_year <= year).max_by_key(|t| t.from_year)
    }

    /// The pack with one year's table replaced (a what-if kept as a new version): the year gets a
    /// table of its own, and the next year keeps what it had.
    pub fn with_table(&self, year: i32, table: RateTable, version: &str) -> FundingPack {
        let mut out = self.clone();
        out.version = version.to_string();
        let following = self.for_year(year + 1).cloned();
        out.tables.retain(|t| t.from_year != year);
        if let Some(mut next) = following
            && !out.tables.iter().any(|t| t.from_year == year + 1)
            && next.from_year <= year
        {
            next.from_year = year + 1;
            out.tables.push(next);
        }
        out.tables.push(RateTable { from_year: year, ..table });
        out.tables.sort_by_key(|t| t.from_year);
        out
    }
}

fn is_level(level: &str) -> bool {
    LEVELS.iter().any(|c| c.key == level)
}

impl RateTable {
    /// What is wrong with the table (rates ≥ 0, coefficients in (0, 10], size bands, a source).
    pub fn check(&self) -> Vec<String> {
        let mut errors = Vec::new();
        if self.source.trim().is_empty() {
            errors.push("source: name the document the rates come from".into());
        }
        if self.base_rates.is_empty() {
            errors.push("base_rates: give at least one level's rate".into());
        }
        for (level, rate) in &self.base_rates {
            if !is_level(level) {
                errors.push(format!("base_rates: '{level}' is not a level (secondary, higher, bachelor)"));
            }
            if !(rate.is_finite() && *rate >= 0.0) {
                errors.push(format!("base_rates.{level} = {rate}: must be ≥ 0"));
            }
        }
        for (code, k) in
            self.coefficients.iter().chain([(&"default_coefficient".to_string(), &self.default_coefficient)])
        {
            if !(k.is_finite() && *k > 0.0 && *k <= 10.0) {
                errors.push(format!("coefficient of {code} = {k}: must be > 0 and ≤ 10"));
            }
        }
        for s in &self.sizes {
            if s.max_students < 1 || !(s.factor.is_finite() && s.factor > 0.0 && s.factor <= 5.0) {
                errors.push(format!(
                    "[[size]] max_students = {}: needs max_students ≥ 1 and 0 < factor ≤ 5",
                    s.max_students
                ));
            }
        }
        errors
    }

    /// The coefficient of a program (its class first, then its category).
    pub fn coefficient(&self, program_code: &str) -> f64 {
        let class = program_code.get(..4).and_then(|c| self.coefficients.get(c));
        let category = program_code.get(..2).and_then(|c| self.coefficients.get(c));
        *class.or(category).unwrap_or(&self.default_coefficient)
    }

    /// The size factor of a school with `students` funded students.
    pub fn size_factor(&self, students: i64) -> f64 {
        self.sizes
            .iter()
            .filter(|s| students <= s.max_students)
            .min_by_key(|s| s.max_students)
            .map_or(1.0, |s| s.factor)
    }

    /// A school's allocation: Σ over its full-time enrolled students of base rate of its level ×
    /// coefficient of the student's program, times the size factor. `counts`: (program code or its
    /// first 4 digits) → students. None when the table has no rate for the level.
    pub fn allocate(&self, level: &str, counts: &[(String, i64)]) -> Option<(i64, f64)> {
        let base = *self.base_rates.get(level)?;
        let students: i64 = counts.iter().map(|(_, n)| n).sum();
        let sum: f64 = counts.iter().map(|(code, n)| base * self.coefficient(code) * *n as f64).sum();
        Some((students, round2(sum * self.size_factor(students))))
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// One row of a coefficients file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CoefficientRow {
    pub level: String,
    pub category_code: String,
    pub category_name: String,
    pub base_rate: f64,
    pub coefficient: f64,
}

/// Reads a coefficients file (the columns of `vetis funding show --format csv`) as changes to
/// `like`, the table in force: the rates and coefficients it gives replace those of `like`, the rest
/// (other levels and codes, the default coefficient, size bands) stay. Every problem by line.
pub fn parse_coefficients(text: &str, like: &RateTable, source: &str) -> Result<RateTable, Vec<String>> {
    let body = text.trim_start_matches('\u{feff}');
    let mut reader =
        csv::ReaderBuilder::new().has_headers(true).flexible(true).comment(Some(b'#')).from_reader(body.as_bytes());
    match reader.headers() {
        Ok(h) if h.iter().map(str::trim).eq(COEFFICIENT_COLUMNS) => {}
        _ => return Err(vec![format!("{source}: line 1: the header must be: {}", COEFFICIENT_COLUMNS.join(","))]),
    }
    let mut errors = Vec::new();
    let mut table = RateTable { source: format!("{} (what-if: {source})", like.source), ..like.clone() };
    let mut given: BTreeMap<String, (f64, u64)> = BTreeMap::new();
    for rec in reader.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("{source}: {e}"));
                continue;
            }
        };
        let line = rec.position().map_or(0, csv::Position::line);
        let cell = |k: usize| rec.get(k).unwrap_or("").trim();
        let (level, code) = (cell(0), cell(1));
        let number = |k: usize, col: &str, errors: &mut Vec<String>| match cell(k).parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
            _ => {
                errors.push(format!("{source}: line {line}, {col}: '{}' is not a number ≥ 0", cell(k)));
                None
            }
        };
        if !is_level(level) {
            errors.push(format!("{source}: line {line}, level: '{level}' is not secondary, higher or bachelor"));
            continue;
        }
        if !(code.len() == 2 || code.len() == 4) || !code.chars().all(|c| c.is_ascii_digit()) {
            errors.push(format!(
                "{source}: line {line}, category_code: '{code}' is not a 2-digit category or 4-digit class"
            ));
        }
        let (rate, k) = (number(3, "base_rate", &mut errors), number(4, "coefficient", &mut errors));
        if let Some(rate) = rate {
            match given.get(level) {
                Some((r, first)) if (*r - rate).abs() > 1e-9 => errors.push(format!(
                    "{source}: line {line}, base_rate: {rate} differs from {r} on line {first}: a level has one base rate"
                )),
                Some(_) => {}
                None => {
                    given.insert(level.to_string(), (rate, line));
                    table.base_rates.insert(level.to_string(), rate);
                }
            }
        }
        if let Some(k) = k {
            table.coefficients.insert(code.to_string(), k);
        }
    }
    errors.extend(table.check().into_iter().map(|e| format!("{source}: {e}")));
    if errors.is_empty() { Ok(table) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn any(_: &str) -> bool {
        true
    }

    #[test]
    fn the_example_table_loads_and_is_labelled_an_example() {
        let pack = FundingPack::parse(DEFAULT_PACK, &any).unwrap();
        assert!(pack.example);
        assert!(pack.for_year(2020).is_some());
    }

    #[test]
    fn a_class_overrides_its_category_and_size_bands_apply() {
        let pack = FundingPack::parse(DEFAULT_PACK, &any).unwrap();
        let mut t = pack.for_year(2024).unwrap().clone();
        t.coefficients.insert("70".into(), 1.5);
        t.coefficients.insert("7002".into(), 2.0);
        t.sizes = vec![SizeBand { max_students: 100, factor: 1.1 }];
        assert_eq!(t.coefficient("700206"), 2.0);
        assert_eq!(t.coefficient("700101"), 1.5);
        let base = t.base_rates["secondary"];
        let (n, a) = t.allocate("secondary", &[("700206".into(), 10), ("700101".into(), 10)]).unwrap();
        assert_eq!(n, 20);
        assert!((a - base * 35.0 * 1.1).abs() < 0.01);
    }

    #[test]
    fn a_coefficients_file_with_two_rates_for_a_level_is_refused() {
        let pack = FundingPack::parse(DEFAULT_PACK, &any).unwrap();
        let like = pack.for_year(2024).unwrap();
        let text = "level,category_code,category_name,base_rate,coefficient\nsecondary,61,农林牧渔大类,5000,1.2\nsecondary,62,资源环境与安全大类,5100,1\nbogus,63,x,1,1\n";
        let errors = parse_coefficients(text, like, "k.csv").unwrap_err();
        assert!(errors.iter().any(|e| e.contains("line 3, base_rate")), "{errors:?}");
        assert!(errors.iter().any(|e| e.contains("line 4, level")), "{errors:?}");
    }
}

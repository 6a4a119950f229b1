//! Each school's allocation under the funding tables (plan 五(二)): from its full-time enrolled
//! `student` rows by program class, with the checks the plan and the national rules ask for: the
//! per-student floor by level (高职 ≥ 12,000 元) and 两个只增不减 (neither the total nor the
//! per-student amount falls year on year).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::funding::{CoefficientRow, FundingPack, RateTable};
use crate::domain::standard::LEVELS;
use crate::store::{Db, StoreError, funding, registry};

/// One school's allocation in a year.
#[derive(Debug, Clone, Serialize)]
pub struct SchoolAllocation {
    pub school_code: String,
    pub name: String,
    pub district: String,
    pub level: String,
    pub students: i64,
    pub allocation: f64,
    pub per_student: Option<f64>,
    /// (class code, students, amount before the size factor): the rows behind the figure.
    pub classes: Vec<(String, i64, f64)>,
    pub size_factor: f64,
    /// The previous year's (students, allocation), under that year's table.
    pub previous: Option<(i64, f64)>,
    /// The floor of its level, when the per-student amount is below it.
    pub below_floor: Option<f64>,
    pub total_fell: bool,
    pub per_student_fell: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Allocation {
    pub year: i32,
    pub source: String,
    pub example: bool,
    pub version: String,
    pub schools: Vec<SchoolAllocation>,
    /// Schools with funded students whose level the table gives no rate for.
    pub unrated: Vec<String>,
    pub students: i64,
    pub total: f64,
}

type Counts = BTreeMap<String, Vec<(String, i64)>>;

async fn counts(db: &Db, year: i64) -> Result<Counts, StoreError> {
    let mut out: Counts = BTreeMap::new();
    for (school, class, n) in funding::funded_students(db, year).await? {
        out.entry(school).or_default().push((class, n));
    }
    Ok(out)
}

/// Every school's allocation of `year` under `table` (what-if), or under the pack's table for the
/// year; compared with the previous year under the pack's table for that year.
pub async fn allocate(
    db: &Db,
    pack: &FundingPack,
    year: i32,
    table: Option<&RateTable>,
) -> Result<Allocation, StoreError> {
    let table = match table.or_else(|| pack.for_year(year)) {
        Some(t) => t.clone(),
        None => {
            return Err(StoreError::refused(format!(
                "拨款标准中没有适用于 {year} 年的表 / the funding tables have no table for {year}: add a [[table]] with from_year ≤ {year}"
            )));
        }
    };
    let schools = registry::schools(db).await?;
    let now = counts(db, i64::from(year)).await?;
    let before = counts(db, i64::from(year) - 1).await?;
    let prev_table = pack.for_year(year - 1);
    let mut out = Vec::new();
    let mut unrated = Vec::new();
    for s in &schools {
        let Some(rows) = now.get(&s.code) else { continue };
        let Some((students, allocation)) = table.allocate(&s.level, rows) else {
            unrated.push(s.code.clone());
            continue;
        };
        let base = table.base_rates.get(&s.level).copied().unwrap_or(0.0);
        let classes = rows.iter().map(|(c, n)| (c.clone(), *n, base * table.coefficient(c) * *n as f64)).collect();
        let previous = before.get(&s.code).and_then(|r| prev_table.and_then(|t| t.allocate(&s.level, r)));
        let per_student = (students > 0).then(|| allocation / students as f64);
        let floor = pack.floors.iter().find(|f| f.level == s.level).map(|f| f.per_student);
        let prev_per = previous.and_then(|(n, a)| (n > 0).then(|| a / n as f64));
        out.push(SchoolAllocation {
            school_code: s.code.clone(),
            name: s.name.clone(),
            district: s.district.clone(),
            level: s.level.clone(),
            students,
            allocation,
            per_student,
            classes,
            size_factor: table.size_factor(students),
            previous,
            below_floor: floor.filter(|f| per_student.is_some_and(|p| p + 0.005 < *f)),
            total_fell: previous.is_some_and(|(_, a)| allocation + 0.005 < a),
            per_student_fell: matches!((per_student, prev_per), (Some(p), Some(q)) if p + 0.005 < q),
        });
    }
    out.sort_by(|a, b| a.school_code.cmp(&b.school_code));
    let students = out.iter().map(|s| s.students).sum();
    let total = (out.iter().map(|s| s.allocation).sum::<f64>() * 100.0).round() / 100.0;
    Ok(Allocation {
        year,
        source: table.source.clone(),
        example: pack.example,
        version: format!("{} {}", pack.id, pack.version),
        schools: out,
        unrated,
        students,
        total,
    })
}

/// A what-if: each school's allocation under the pack and under the changed table, side by side.
#[derive(Debug, Clone, Serialize)]
pub struct WhatIf {
    pub current: Allocation,
    pub changed: Allocation,
}

impl WhatIf {
    /// (school, current, changed, change) for every school whose allocation changes.
    pub fn changes(&self) -> Vec<(&SchoolAllocation, f64, f64)> {
        self.changed
            .schools
            .iter()
            .filter_map(|c| {
                let before = self.current.schools.iter().find(|s| s.school_code == c.school_code)?.allocation;
                ((c.allocation - before).abs() >= 0.005).then_some((c, before, c.allocation - before))
            })
            .collect()
    }
}

pub async fn what_if(db: &Db, pack: &FundingPack, year: i32, table: &RateTable) -> Result<WhatIf, StoreError> {
    Ok(WhatIf { current: allocate(db, pack, year, None).await?, changed: allocate(db, pack, year, Some(table)).await? })
}

/// The rows of a table as `vetis funding show` prints them: each level with a base rate, each
/// category of its catalogue, then the class overrides.
pub async fn coefficient_rows(db: &Db, table: &RateTable) -> Result<Vec<CoefficientRow>, StoreError> {
    let cats = funding::categories(db).await?;
    let mut out = Vec::new();
    for level in LEVELS.iter().map(|c| c.key) {
        let Some(base) = table.base_rates.get(level) else { continue };
        let mut codes: Vec<(&String, &String)> =
            cats.iter().filter(|((l, c), _)| l == level && c.len() == 2).map(|((_, c), n)| (c, n)).collect();
        codes.extend(
            cats.iter()
                .filter(|((l, c), _)| l == level && c.len() == 4 && table.coefficients.contains_key(c))
                .map(|((_, c), n)| (c, n)),
        );
        for (code, name) in codes {
            out.push(CoefficientRow {
                level: level.to_string(),
                category_code: code.clone(),
                category_name: name.clone(),
                base_rate: *base,
                coefficient: table.coefficients.get(code).copied().unwrap_or(table.default_coefficient),
            });
        }
    }
    Ok(out)
}

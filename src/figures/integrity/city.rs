//! The city's integrity figures of a year (the Integrity issue item 5): grades by district and by
//! training category, complaints per 10,000 person-times, completion and certification rates,
//! subsidised person-times by grade, and the providers whose grade fell since the year before.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::{category_zh, clean_score, scores};
use crate::domain::integrity::{EventKind, ScorecardPack};
use crate::store::integrity::survey::{self, TrainingRow};
use crate::store::integrity::{self as ledger, providers};
use crate::store::{Db, StoreError, registry};

/// Grade → providers, in the pack's grade order.
pub type GradeCounts = BTreeMap<String, i64>;

#[derive(Debug, Clone, Serialize)]
pub struct GradeRow {
    pub key: String,
    pub name: String,
    pub grades: GradeCounts,
}

#[derive(Debug, Clone, Serialize)]
pub struct RateRow {
    pub key: String,
    pub name: String,
    pub person_times: i64,
    pub completed: i64,
    pub certified: i64,
    /// Confirmed complaints of the year (events of kind `complaint`, not withdrawn).
    pub complaints: i64,
    pub complaints_per_10k: Option<f64>,
    pub completion_rate: Option<f64>,
    pub certification_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubsidisedRow {
    pub grade: String,
    pub providers: i64,
    pub person_times: i64,
}

/// A provider whose grade fell.
#[derive(Debug, Clone, Serialize)]
pub struct Drop {
    pub code: String,
    pub name: String,
    pub district_code: String,
    pub from_grade: String,
    pub to_grade: String,
    pub from_score: i64,
    pub to_score: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CityFigures {
    pub year: i64,
    pub grade_order: Vec<String>,
    pub by_district: Vec<GradeRow>,
    pub by_category: Vec<GradeRow>,
    /// Rates by district, then the city (key "city").
    pub rates: Vec<RateRow>,
    pub rates_by_category: Vec<RateRow>,
    pub subsidised: Vec<SubsidisedRow>,
    pub drops: Vec<Drop>,
}

fn rate_row(key: &str, name: &str, rows: &[&TrainingRow], complaints: i64) -> RateRow {
    let person_times: i64 = rows.iter().map(|t| t.person_times).sum();
    let completed: i64 = rows.iter().map(|t| t.completed).sum();
    // Certification over the projects that report it.
    let (cert, cert_base) =
        rows.iter().filter_map(|t| t.certified.map(|c| (c, t.completed))).fold((0, 0), |(a, b), (c, d)| (a + c, b + d));
    let pct = |a: i64, b: i64| (b > 0).then(|| a as f64 * 100.0 / b as f64);
    RateRow {
        key: key.to_string(),
        name: name.to_string(),
        person_times,
        completed,
        certified: cert,
        complaints,
        complaints_per_10k: (person_times > 0).then(|| complaints as f64 * 10_000.0 / person_times as f64),
        completion_rate: pct(completed, person_times),
        certification_rate: pct(cert, cert_base),
    }
}

/// Grades of every provider that trained or has events in a year.
async fn grades_of(db: &Db, pack: &ScorecardPack, year: i64) -> Result<HashMap<String, (i64, String)>, StoreError> {
    let events = ledger::events_of(db, None, Some(year as i32)).await?;
    Ok(scores(pack, &events).into_iter().map(|(k, s)| (k, (s.score, s.grade))).collect())
}

/// The providers whose grade in `year` is below their grade of `year - 1`.
pub async fn drops(db: &Db, year: i64) -> Result<Vec<Drop>, StoreError> {
    let pack = ledger::pack(db).await?;
    let now = grades_of(db, &pack, year).await?;
    let before = grades_of(db, &pack, year - 1).await?;
    let clean = clean_score(&pack);
    let rank = |g: &str| pack.grades.iter().find(|x| x.grade == g).map_or(i64::MIN, |x| x.min);
    let mut out = Vec::new();
    let mut codes: Vec<&String> = now.keys().chain(before.keys()).collect();
    codes.sort();
    codes.dedup();
    for code in codes {
        let (s1, g1) = now.get(code).cloned().unwrap_or((clean.score, clean.grade.clone()));
        let (s0, g0) = before.get(code).cloned().unwrap_or((clean.score, clean.grade.clone()));
        if rank(&g1) < rank(&g0) {
            let named = providers::named(db, code).await?;
            let (name, district_code) =
                named.map_or_else(|| (code.clone(), String::new()), |n| (n.name, n.district_code));
            out.push(Drop {
                code: code.clone(),
                name,
                district_code,
                from_grade: g0,
                to_grade: g1,
                from_score: s0,
                to_score: s1,
            });
        }
    }
    Ok(out)
}

/// The city's figures of a year.
pub async fn figures(db: &Db, year: i64) -> Result<CityFigures, StoreError> {
    let pack = ledger::pack(db).await?;
    let grade_order: Vec<String> = {
        let mut g = pack.grades.clone();
        g.sort_by_key(|x| std::cmp::Reverse(x.min));
        g.into_iter().map(|g| g.grade).collect()
    };
    let events = ledger::events_of(db, None, Some(year as i32)).await?;
    let scores = scores(&pack, &events);
    let clean = clean_score(&pack);
    let training = survey::training(db, year, None).await?;
    let names = registry::district_names(db).await?;
    let mut complaints: HashMap<&str, i64> = HashMap::new();
    for r in events.iter().filter(|r| r.event.kind == EventKind::Complaint && r.event.status.stands()) {
        *complaints.entry(r.school_code.as_str()).or_default() += 1;
    }
    let zero = || grade_order.iter().map(|g| (g.clone(), 0)).collect::<GradeCounts>();
    let mut by_district: BTreeMap<String, GradeCounts> = BTreeMap::new();
    let mut by_category: BTreeMap<String, GradeCounts> = BTreeMap::new();
    let mut rows_by_district: BTreeMap<String, Vec<&TrainingRow>> = BTreeMap::new();
    let mut rows_by_category: BTreeMap<String, Vec<&TrainingRow>> = BTreeMap::new();
    let mut complaints_by_district: HashMap<String, i64> = HashMap::new();
    let mut subsidised: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    let mut all_complaints = 0;
    for p in providers::all(db).await? {
        let rows: Vec<&TrainingRow> = training.iter().filter(|t| t.school_code == p.code).collect();
        if rows.is_empty() && !scores.contains_key(&p.code) {
            continue;
        }
        let grade = scores.get(&p.code).unwrap_or(&clean).grade.clone();
        *by_district.entry(p.district_code.clone()).or_insert_with(zero).entry(grade.clone()).or_default() += 1;
        let mut cats: Vec<&str> = rows.iter().map(|t| t.category.as_str()).collect();
        cats.sort();
        cats.dedup();
        for c in cats {
            *by_category.entry(c.to_string()).or_insert_with(zero).entry(grade.clone()).or_default() += 1;
        }
        let n = complaints.get(p.code.as_str()).copied().unwrap_or(0);
        all_complaints += n;
        *complaints_by_district.entry(p.district_code.clone()).or_default() += n;
        for t in &rows {
            rows_by_district.entry(p.district_code.clone()).or_default().push(t);
            rows_by_category.entry(t.category.clone()).or_default().push(t);
        }
        let sub: i64 = rows
            .iter()
            .filter(|t| pack.survey.subsidised_categories.contains(&t.category))
            .map(|t| t.person_times)
            .sum();
        if sub > 0 {
            let e = subsidised.entry(grade).or_default();
            e.0 += 1;
            e.1 += sub;
        }
    }
    let district_name = |d: &str| names.get(d).cloned().unwrap_or_else(|| d.to_string());
    let mut rates: Vec<RateRow> = rows_by_district
        .iter()
        .map(|(d, rows)| rate_row(d, &district_name(d), rows, complaints_by_district.get(d).copied().unwrap_or(0)))
        .collect();
    let all: Vec<&TrainingRow> = training.iter().collect();
    rates.push(rate_row("city", "全市", &all, all_complaints));
    let rates_by_category = rows_by_category.iter().map(|(c, rows)| rate_row(c, &category_zh(c), rows, 0)).collect();
    Ok(CityFigures {
        year,
        by_district: by_district
            .into_iter()
            .map(|(k, grades)| GradeRow { name: district_name(&k), key: k, grades })
            .collect(),
        by_category: by_category
            .into_iter()
            .map(|(k, grades)| GradeRow { name: category_zh(&k), key: k, grades })
            .collect(),
        subsidised: grade_order
            .iter()
            .map(|g| {
                let (providers, person_times) = subsidised.get(g).copied().unwrap_or((0, 0));
                SubsidisedRow { grade: g.clone(), providers, person_times }
            })
            .collect(),
        grade_order,
        rates,
        rates_by_category,
        drops: drops(db, year).await?,
    })
}

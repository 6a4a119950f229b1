//! Cohort funnels of every agreement and intake year, and the same added up by lower school,
//! district, pathway and for the city (plan 三(二)).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::pathway::funnel::{Funnel, funnel};
use crate::domain::pathway::{Agreement, Pathway};
use crate::store::{Db, StoreError, pathway, registry};

/// One agreement's funnel for one intake.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementFunnel {
    pub agreement: Agreement,
    pub intake: i64,
    pub funnel: Funnel,
}

/// A funnel added up over agreements.
#[derive(Debug, Clone, Serialize)]
pub struct Rollup {
    /// School code, district code, pathway key or "city".
    pub key: String,
    pub label: String,
    pub intake: i64,
    pub funnel: Funnel,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PathwayFigures {
    pub agreements: usize,
    pub funnels: Vec<AgreementFunnel>,
    pub by_school: Vec<Rollup>,
    pub by_district: Vec<Rollup>,
    pub by_pathway: Vec<Rollup>,
    pub city: Vec<Rollup>,
    /// The latest statistical year the records hold for agreement students.
    pub latest_year: Option<i64>,
}

/// The funnels of one agreement (or every one), for one intake year (or every intake the agreement
/// runs up to the latest year on record).
pub async fn funnels(db: &Db, only: Option<&str>, intake: Option<i64>) -> Result<Vec<AgreementFunnel>, StoreError> {
    Ok(funnels_and_latest(db, only, intake).await?.0)
}

async fn funnels_and_latest(
    db: &Db,
    only: Option<&str>,
    intake: Option<i64>,
) -> Result<(Vec<AgreementFunnel>, Option<i64>), StoreError> {
    let list = pathway::agreements(db).await?;
    let facts = pathway::facts(db, &list, only).await?;
    let latest = facts.values().flat_map(|f| f.lower.iter().map(|r| r.year)).max();
    let empty = Default::default();
    let mut out = Vec::new();
    for a in list.into_iter().filter(|a| only.is_none_or(|c| c == a.code)) {
        let f = facts.get(&a.code).unwrap_or(&empty);
        let years: Vec<i64> = match intake {
            Some(y) => vec![y],
            None => (a.first_intake..=a.last_intake.min(latest.unwrap_or(a.first_intake - 1))).collect(),
        };
        for y in years {
            out.push(AgreementFunnel { funnel: funnel(&a, y, f), intake: y, agreement: a.clone() });
        }
    }
    Ok((out, latest))
}

/// Every funnel and its roll-ups.
pub async fn figures(db: &Db) -> Result<PathwayFigures, StoreError> {
    let (rows, latest_year) = funnels_and_latest(db, None, None).await?;
    let schools = registry::schools(db).await?;
    let school = |code: &str| schools.iter().find(|s| s.code == code);
    let districts = registry::district_names(db).await?;
    let mut by_school: BTreeMap<(String, i64), Funnel> = BTreeMap::new();
    let mut by_district: BTreeMap<(String, i64), Funnel> = BTreeMap::new();
    let mut by_pathway: BTreeMap<(Pathway, i64), Funnel> = BTreeMap::new();
    let mut city: BTreeMap<i64, Funnel> = BTreeMap::new();
    for r in &rows {
        let lower = &r.agreement.lower_school;
        by_school.entry((lower.clone(), r.intake)).or_default().add(&r.funnel);
        if let Some(s) = school(lower) {
            by_district.entry((s.district.clone(), r.intake)).or_default().add(&r.funnel);
        }
        by_pathway.entry((r.agreement.pathway, r.intake)).or_default().add(&r.funnel);
        city.entry(r.intake).or_default().add(&r.funnel);
    }
    let roll = |key: String, label: String, intake: i64, funnel: Funnel| Rollup { key, label, intake, funnel };
    Ok(PathwayFigures {
        agreements: rows.iter().map(|r| &r.agreement.code).collect::<std::collections::HashSet<_>>().len(),
        by_school: by_school
            .into_iter()
            .map(|((c, y), f)| roll(c.clone(), school(&c).map_or(c.clone(), |s| s.name.clone()), y, f))
            .collect(),
        by_district: by_district
            .into_iter()
            .map(|((c, y), f)| roll(c.clone(), districts.get(&c).cloned().unwrap_or(c.clone()), y, f))
            .collect(),
        by_pathway: by_pathway.into_iter().map(|((p, y), f)| roll(p.key().into(), p.zh().into(), y, f)).collect(),
        city: city.into_iter().map(|(y, f)| roll("city".into(), "全市".into(), y, f)).collect(),
        funnels: rows,
        latest_year,
    })
}

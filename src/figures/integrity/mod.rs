//! The integrity figures of training providers (plan 四(四)): a provider's year (score, grade and
//! what it means, every deduction with its event), what its public page shows (events once
//! confirmed and until their display period ends, with the fixed disclosure fields; projects with
//! completion, certification and ratings that pass the response rules), and the directory the
//! public searches. City figures live in `city`.

pub mod city;

use std::collections::HashMap;

use serde::Serialize;

use crate::domain::integrity::ratings::{Rating, SurveyKind, SurveyRules, Tally, rate};
use crate::domain::integrity::{Event, EventKind, Score, ScorecardPack, score};
use crate::domain::standard::{TRAINING_CATEGORIES, find_choice};
use crate::store::integrity::providers::{self, Named};
use crate::store::integrity::survey::{self, Tallies, TrainingRow};
use crate::store::integrity::{self as ledger, EventRecord};
use crate::store::{Db, StoreError};

/// The Chinese label of a training category key.
pub fn category_zh(key: &str) -> String {
    find_choice(TRAINING_CATEGORIES, key).map_or_else(|| key.to_string(), |c| c.zh.to_string())
}

/// Every provider's score of a year from its events (providers without events hold the total).
pub fn scores(pack: &ScorecardPack, events: &[EventRecord]) -> HashMap<String, Score> {
    let mut by: HashMap<&str, Vec<Event>> = HashMap::new();
    for r in events {
        by.entry(r.school_code.as_str()).or_default().push(r.event.clone());
    }
    by.into_iter().map(|(code, ev)| (code.to_string(), score(pack, &ev))).collect()
}

/// The score of a provider with no event in the year.
pub fn clean_score(pack: &ScorecardPack) -> Score {
    score(pack, &[])
}

/// An event as the public page discloses it, under the fixed field names of 行政处罚 disclosure.
#[derive(Debug, Clone, Serialize)]
pub struct Disclosure {
    #[serde(rename = "事件编号")]
    pub event: i64,
    #[serde(rename = "事件类型")]
    pub kind: String,
    #[serde(rename = "相对人名称")]
    pub name: String,
    #[serde(rename = "统一社会信用代码")]
    pub credit_code: Option<String>,
    #[serde(rename = "决定书文号")]
    pub decision_no: Option<String>,
    #[serde(rename = "违法事实")]
    pub facts: String,
    #[serde(rename = "处罚依据")]
    pub basis: String,
    #[serde(rename = "处罚内容")]
    pub content: String,
    #[serde(rename = "决定日期")]
    pub date: String,
    #[serde(rename = "公示期限")]
    pub display_until: String,
    #[serde(rename = "当前状态")]
    pub status: String,
    /// The appeal: none, under review (审理中) or its decision.
    #[serde(rename = "申诉")]
    pub appeal: Option<String>,
}

/// Whether an event is on the public page today: confirmed (and not withdrawn), not repaired,
/// within its display period.
pub fn is_public(r: &EventRecord, today: &str) -> bool {
    r.event.status.stands() && !r.event.repaired && r.display_until.as_str() >= today
}

fn disclosure(r: &EventRecord, who: &Named) -> Disclosure {
    let points = r.event.varied_points.unwrap_or(r.event.points);
    let content = if r.event.kind == EventKind::Commendation {
        r.event.kind.zh().to_string()
    } else {
        format!("{}，扣 {points} 分", r.event.kind.zh())
    };
    Disclosure {
        event: r.event.id,
        kind: r.event.kind.key().to_string(),
        name: who.name.clone(),
        credit_code: who.credit_code.clone(),
        decision_no: r.decision_no.clone(),
        facts: r.facts.clone(),
        basis: r.legal_basis.clone(),
        content,
        date: r.event.date.clone(),
        display_until: r.display_until.clone(),
        status: r.event.status.zh().to_string(),
        appeal: r.appeal_reason.as_ref().map(|_| match r.appeal_decision.as_deref() {
            Some("upheld") => "申诉已审结：维持".to_string(),
            Some("varied") => "申诉已审结：变更".to_string(),
            Some("withdrawn") => "申诉已审结：撤销".to_string(),
            _ => "申诉审理中".to_string(),
        }),
    }
}

/// A deduction on the public page: with its event while that is displayed.
#[derive(Debug, Clone, Serialize)]
pub struct ShownDeduction {
    pub indicator: String,
    pub indicator_zh: String,
    pub points: i64,
    /// The event, while it is on the page.
    pub event: Option<i64>,
    pub kind_zh: Option<String>,
    pub date: Option<String>,
}

/// A project as the public sees it.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectView {
    pub school_code: String,
    pub project_code: String,
    pub name: String,
    pub category: String,
    pub category_zh: String,
    pub start_date: String,
    pub end_date: String,
    pub hours: f64,
    pub person_times: i64,
    pub completed: i64,
    pub certified: Option<i64>,
    /// Completed ÷ person-times, %.
    pub completion_rate: Option<f64>,
    /// Certified ÷ completed, %.
    pub certification_rate: Option<f64>,
    pub ratings: Vec<Rating>,
}

/// The city's tally per survey kind (the shrinkage's target).
pub fn city_tallies(tallies: &Tallies) -> HashMap<SurveyKind, Tally> {
    let mut out: HashMap<SurveyKind, Tally> = HashMap::new();
    for ((_, _, kind), t) in tallies {
        out.entry(*kind).or_default().merge(t);
    }
    out
}

fn pct(a: i64, b: i64) -> Option<f64> {
    (b > 0).then(|| a as f64 * 100.0 / b as f64)
}

/// A project with its rates and its two surveys' ratings.
pub fn project_view(
    t: &TrainingRow,
    tallies: &Tallies,
    city: &HashMap<SurveyKind, Tally>,
    rules: &SurveyRules,
) -> ProjectView {
    let empty = Tally::default();
    let ratings = SurveyKind::ALL
        .iter()
        .filter_map(|k| {
            let tally = tallies.get(&(t.school_code.clone(), t.project_code.clone(), *k))?;
            Some(rate(*k, tally, t.completed, city.get(k).unwrap_or(&empty), rules))
        })
        .collect();
    ProjectView {
        school_code: t.school_code.clone(),
        project_code: t.project_code.clone(),
        name: t.name.clone(),
        category: t.category.clone(),
        category_zh: category_zh(&t.category),
        start_date: t.start_date.clone(),
        end_date: t.end_date.clone(),
        hours: t.hours,
        person_times: t.person_times,
        completed: t.completed,
        certified: t.certified,
        completion_rate: pct(t.completed, t.person_times),
        certification_rate: t.certified.and_then(|c| pct(c, t.completed)),
        ratings,
    }
}

/// A provider's public page.
#[derive(Debug, Clone, Serialize)]
pub struct PublicPage {
    pub provider: Named,
    /// The year scored (the latest with training records unless asked).
    pub year: i64,
    pub score: i64,
    pub grade: String,
    pub meaning_zh: String,
    pub meaning_en: String,
    pub previous_grade: Option<String>,
    pub total: i64,
    pub deductions: Vec<ShownDeduction>,
    pub disclosures: Vec<Disclosure>,
    pub projects: Vec<ProjectView>,
    pub rules: SurveyRules,
}

/// The year a page shows by default: the latest with approved training, else this one.
pub async fn default_year(db: &Db, today: chrono::NaiveDate) -> Result<i64, StoreError> {
    use chrono::Datelike;
    Ok(survey::training_years(db).await?.first().copied().unwrap_or(i64::from(today.year())))
}

/// What `/provider/{code}` shows (None for a code that is no provider).
pub async fn public_page(
    db: &Db,
    code: &str,
    year: Option<i64>,
    today: chrono::NaiveDate,
) -> Result<Option<PublicPage>, StoreError> {
    let Some(provider) = providers::named(db, code).await? else { return Ok(None) };
    let year = match year {
        Some(y) => y,
        None => default_year(db, today).await?,
    };
    let pack = ledger::pack(db).await?;
    let today_s = today.to_string();
    let all = ledger::events(db, code, None).await?;
    let of_year = |y: i64| -> Vec<Event> {
        all.iter().filter(|r| r.event.date.starts_with(&format!("{y}-"))).map(|r| r.event.clone()).collect()
    };
    let s = score(&pack, &of_year(year));
    let previous = score(&pack, &of_year(year - 1)).grade;
    let by_id: HashMap<i64, &EventRecord> = all.iter().map(|r| (r.event.id, r)).collect();
    let deductions = s
        .deductions
        .iter()
        .map(|d| {
            let shown = by_id.get(&d.event).filter(|r| is_public(r, &today_s));
            ShownDeduction {
                indicator: d.indicator.clone(),
                indicator_zh: pack.indicator(&d.indicator).map_or_else(String::new, |i| i.name_zh.clone()),
                points: d.points,
                event: shown.map(|r| r.event.id),
                kind_zh: shown.map(|r| r.event.kind.zh().to_string()),
                date: shown.map(|r| r.event.date.clone()),
            }
        })
        .collect();
    let disclosures = all.iter().filter(|r| is_public(r, &today_s)).map(|r| disclosure(r, &provider)).collect();
    let tallies_all = survey::tallies(db, year, None).await?;
    let city = city_tallies(&tallies_all);
    let projects = survey::training(db, year, Some(code))
        .await?
        .iter()
        .map(|t| project_view(t, &tallies_all, &city, &pack.survey))
        .collect();
    let g = pack.grade(s.score);
    Ok(Some(PublicPage {
        provider,
        year,
        score: s.score,
        grade: s.grade.clone(),
        meaning_zh: g.map_or_else(String::new, |g| g.meaning_zh.clone()),
        meaning_en: g.map_or_else(String::new, |g| g.meaning_en.clone()),
        previous_grade: Some(previous),
        total: pack.total,
        deductions,
        disclosures,
        projects,
        rules: pack.survey.clone(),
    }))
}

/// A line of the public directory.
#[derive(Debug, Clone, Serialize)]
pub struct DirectoryRow {
    pub code: String,
    pub name: String,
    pub district_code: String,
    pub score: i64,
    pub grade: String,
    pub categories: Vec<String>,
    pub projects: usize,
    pub person_times: i64,
}

/// What `/training` filters by (empty: any).
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub category: String,
    pub district: String,
    pub grade: String,
    pub text: String,
}

/// The directory of a year: providers that trained or have events, and their projects.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub providers: Vec<DirectoryRow>,
    /// (provider name, project).
    pub projects: Vec<(String, ProjectView)>,
}

impl Directory {
    /// The providers and projects a filter keeps: a provider by district and grade, then by the
    /// category of one of its projects; a text matches a provider's name (all its projects shown)
    /// or a project's name.
    pub fn filtered(&self, f: &Filter) -> Directory {
        let text = f.text.trim().to_lowercase();
        let mut out = Directory::default();
        for p in &self.providers {
            if (!f.district.is_empty() && p.district_code != f.district)
                || (!f.grade.is_empty() && p.grade != f.grade)
                || (!f.category.is_empty() && !p.categories.contains(&f.category))
            {
                continue;
            }
            let name_hit = text.is_empty() || p.name.to_lowercase().contains(&text);
            let mine: Vec<&(String, ProjectView)> = self
                .projects
                .iter()
                .filter(|(_, v)| v.school_code == p.code)
                .filter(|(_, v)| f.category.is_empty() || v.category == f.category)
                .filter(|(_, v)| name_hit || v.name.to_lowercase().contains(&text))
                .collect();
            if !name_hit && mine.is_empty() {
                continue;
            }
            out.providers.push(p.clone());
            out.projects.extend(mine.into_iter().cloned());
        }
        out
    }
}

/// The whole directory of a year (filter it with `Directory::filtered`).
pub async fn directory(db: &Db, year: i64) -> Result<Directory, StoreError> {
    let pack = ledger::pack(db).await?;
    let events = ledger::events_of(db, None, Some(year as i32)).await?;
    let scores = scores(&pack, &events);
    let clean = clean_score(&pack);
    let training = survey::training(db, year, None).await?;
    let tallies = survey::tallies(db, year, None).await?;
    let city = city_tallies(&tallies);
    let mut by_provider: HashMap<&str, Vec<&TrainingRow>> = HashMap::new();
    for t in &training {
        by_provider.entry(t.school_code.as_str()).or_default().push(t);
    }
    let mut out = Directory::default();
    for p in providers::all(db).await? {
        let rows = by_provider.get(p.code.as_str()).cloned().unwrap_or_default();
        if rows.is_empty() && !scores.contains_key(&p.code) {
            continue;
        }
        let s = scores.get(&p.code).unwrap_or(&clean);
        let mut categories: Vec<String> = rows.iter().map(|t| t.category.clone()).collect();
        categories.sort();
        categories.dedup();
        for t in &rows {
            out.projects.push((p.name.clone(), project_view(t, &tallies, &city, &pack.survey)));
        }
        out.providers.push(DirectoryRow {
            code: p.code.clone(),
            name: p.name.clone(),
            district_code: p.district_code.clone(),
            score: s.score,
            grade: s.grade.clone(),
            categories,
            projects: rows.len(),
            person_times: rows.iter().map(|t| t.person_times).sum(),
        });
    }
    Ok(out)
}

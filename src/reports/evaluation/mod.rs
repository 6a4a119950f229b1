//! The evaluation of the plan in a year (五(一): mid-term in 2023, final in 2025): every target
//! with baseline, value, target, status and projection, the binding indicators at risk, the key
//! indicators by district, what it takes to close each gap, the data the figures rest on, and the
//! planner's own sections. `findings` words it; `document` lays it out in either language for the
//! HTML, PDF and DOCX writers.

pub mod document;
pub mod findings;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::status::Status;
use crate::figures::Scope;
use crate::figures::indicators::display;
use crate::figures::shortfall::Shortfall;
use crate::figures::targets::{TargetKind, TargetResult, all_with};
use crate::store::remarks::Remark;
use crate::store::{Db, StoreError, refdata};

#[derive(Debug, Clone, Serialize)]
pub struct DistrictRow {
    pub code: String,
    pub name: String,
    /// The key indicators' values and statuses, in the plan's order.
    pub cells: Vec<(String, Status)>,
    pub met: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    pub plan_name: String,
    pub plan_name_en: String,
    /// Who issues it (the cover's 发文机关).
    pub issuer_zh: String,
    pub issuer_en: String,
    pub year: i32,
    pub target_year: i32,
    pub title: String,
    pub generated_at: String,
    /// The data version the figures were read at.
    pub data_version: i64,
    pub key: Vec<TargetResult>,
    pub counted: Vec<TargetResult>,
    pub rules: Vec<TargetResult>,
    /// Binding key indicators at risk or off track.
    pub alerts: Vec<TargetResult>,
    pub districts: Vec<DistrictRow>,
    /// The plan's tasks by task: undertaking schools, mean completion, overdue reports.
    pub tasks: Vec<TaskRow>,
    /// What it takes to close each key indicator's gap, in the plan's order.
    pub shortfalls: Vec<Shortfall>,
    /// Which schools' returns the figures rest on, per table of the standard.
    pub coverage: Vec<CoverageRow>,
    /// The planner's own 存在问题 and 下一步措施, where saved (else they are drafted).
    pub remarks: Vec<Remark>,
}

/// One table of the standard in the data-coverage annex.
#[derive(Debug, Clone, Serialize)]
pub struct CoverageRow {
    pub table: String,
    pub name_zh: String,
    pub owed: usize,
    pub approved: usize,
    /// Waiting for review (not in the figures).
    pub pending: usize,
    /// The schools without an approved return: code and name.
    pub missing: Vec<(String, String)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskRow {
    pub code: String,
    pub title: String,
    /// The task file's English title (the Chinese one where it has none).
    pub title_en: String,
    pub section: String,
    pub schools: usize,
    pub completion: Option<f64>,
    pub overdue: usize,
}

/// What the evaluation of `year` is called.
pub fn title(plan_name: &str, year: i32, target_year: i32) -> String {
    match year {
        y if y == target_year => format!("{plan_name}终期评估报告（{y} 年）"),
        2023 => format!("{plan_name}中期评估报告（2023 年）"),
        y => format!("{plan_name}实施情况评估（{y} 年）"),
    }
}

/// The title in English.
pub fn title_en(plan_name: &str, year: i32, target_year: i32) -> String {
    match year {
        y if y == target_year => format!("{plan_name}: Final Evaluation ({y})"),
        2023 => format!("{plan_name}: Mid-term Evaluation (2023)"),
        y => format!("{plan_name}: Implementation Review ({y})"),
    }
}

/// The annex: per table of the standard owed that year, how many schools' returns are approved,
/// waiting, and which schools have none approved.
async fn coverage(db: &Db, year: i32) -> Result<Vec<CoverageRow>, StoreError> {
    let board =
        crate::figures::progress::board(db, i64::from(year), &Scope::City, crate::messages::time::today()).await?;
    Ok(board
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.owed > 0)
        .map(|(i, c)| CoverageRow {
            table: c.table.to_string(),
            name_zh: c.name_zh.to_string(),
            owed: c.owed,
            approved: c.approved,
            pending: c.submitted - c.approved,
            missing: board
                .rows
                .iter()
                .filter(|r| {
                    r.cells[i].as_ref().is_some_and(|cell| cell.progress != crate::domain::calendar::Progress::Approved)
                })
                .map(|r| (r.school.clone(), r.name.clone()))
                .collect(),
        })
        .collect())
}

impl Evaluation {
    /// Keeps of the schools named (those holding a gap, those with returns missing) only the ones
    /// in `schools`: a district's officer or a school reads its own district's.
    pub fn keep_schools(&mut self, schools: &std::collections::HashSet<String>) {
        for s in &mut self.shortfalls {
            s.holders.retain(|h| schools.contains(&h.code));
        }
        for c in &mut self.coverage {
            c.missing.retain(|(code, _)| schools.contains(code));
        }
    }
}

pub async fn build(db: &Db, year: i32) -> Result<Evaluation, StoreError> {
    let plan = refdata::active_plan(db).await?;
    let indicators = crate::figures::indicators::compute(db, &plan, &Scope::City, year).await?;
    let results = all_with(db, &plan, &Scope::City, year, &indicators).await?;
    let (mut key, mut counted, mut rules) = (Vec::new(), Vec::new(), Vec::new());
    for r in results {
        match r.kind {
            TargetKind::Key => key.push(r),
            TargetKind::Counted => counted.push(r),
            TargetKind::Rule => rules.push(r),
        }
    }
    let version = db.data_version().await?;
    let shortfalls = crate::figures::shortfall::all(db, &plan, &indicators).await?;
    let alerts: Vec<TargetResult> =
        key.iter().filter(|r| r.attribute.as_deref() == Some("binding") && r.status.is_alarming()).cloned().collect();
    let names: BTreeMap<String, String> = crate::store::registry::districts(db).await?.into_iter().collect();
    let mut districts = Vec::new();
    for (code, name) in names {
        let rs = crate::figures::indicators::compute(db, &plan, &Scope::District(code.clone()), year).await?;
        let met = rs.iter().filter(|r| r.status == Status::Met).count();
        districts.push(DistrictRow {
            code,
            name,
            cells: rs.iter().map(|r| (display(r.value, r.decimals), r.status)).collect(),
            met,
        });
    }
    let mut by_task: BTreeMap<String, TaskRow> = BTreeMap::new();
    let pack = crate::store::tasks::pack(db).await?;
    for a in crate::store::tasks::assignments(db, None, None).await? {
        let title_en = pack
            .task(&a.task_code)
            .map(|t| t.title_en.clone())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| a.task_title.clone());
        let t = by_task.entry(a.task_code.clone()).or_insert(TaskRow {
            code: a.task_code.clone(),
            title: a.task_title.clone(),
            title_en,
            section: a.section.clone(),
            schools: 0,
            completion: None,
            overdue: 0,
        });
        t.completion = match (t.completion, a.completion) {
            (Some(c), Some(x)) => Some((c * t.schools as f64 + x) / (t.schools + 1) as f64),
            (None, x) => x,
            (c, None) => c,
        };
        t.schools += 1;
        t.overdue += a.overdue.len();
    }
    Ok(Evaluation {
        tasks: by_task.into_values().collect(),
        title: title(&plan.name_zh, year, plan.target_year),
        plan_name: plan.name_zh.clone(),
        plan_name_en: plan.name_en.clone(),
        issuer_zh: plan.issuer_zh.clone().unwrap_or_else(|| plan.name_zh.clone()),
        issuer_en: plan.issuer_en.clone().unwrap_or_else(|| plan.name_en.clone()),
        year,
        target_year: plan.target_year,
        generated_at: crate::store::now(),
        data_version: version,
        key,
        counted,
        rules,
        alerts,
        districts,
        shortfalls,
        coverage: coverage(db, year).await?,
        remarks: crate::store::remarks::of_year(db, year).await?,
    })
}

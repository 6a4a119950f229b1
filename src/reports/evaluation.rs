//! The evaluation of the plan in a year (五(一): mid-term in 2023, final in 2025): every target
//! with baseline, value, target, status and projection, the binding indicators at risk, the key
//! indicators by district, and a short summary of findings generated from them.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::domain::status::Status;
use crate::figures::Scope;
use crate::figures::indicators::display;
use crate::figures::targets::{TargetKind, TargetResult, all};
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
    pub year: i32,
    pub title: String,
    pub generated_at: String,
    pub key: Vec<TargetResult>,
    pub counted: Vec<TargetResult>,
    pub rules: Vec<TargetResult>,
    /// Binding key indicators at risk or off track.
    pub alerts: Vec<TargetResult>,
    pub districts: Vec<DistrictRow>,
    /// The plan's tasks by task: undertaking schools, mean completion, overdue reports.
    pub tasks: Vec<TaskRow>,
    pub summary: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TaskRow {
    pub code: String,
    pub title: String,
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

fn count(rs: &[TargetResult], s: Status) -> usize {
    rs.iter().filter(|r| r.status == s).count()
}

fn tally(rs: &[TargetResult]) -> String {
    let parts: Vec<String> = [
        Status::Met,
        Status::OnTrack,
        Status::AtRisk,
        Status::OffTrack,
        Status::NotMet,
        Status::NoTarget,
        Status::NoData,
    ]
    .into_iter()
    .filter_map(|s| {
        let n = count(rs, s);
        (n > 0).then(|| format!("{n} 项{}", s.zh()))
    })
    .collect();
    parts.join("、")
}

fn figure(r: &TargetResult) -> String {
    format!("{}{}", display(r.value, r.decimals), if r.unit == "%" { "%" } else { "" })
}

/// The summary of findings: what is met, what is at risk, where the largest gaps are.
fn summarise(e: &Evaluation) -> Vec<String> {
    let mut out = Vec::new();
    out.push(format!("截至 {} 年，{} 项主要指标中 {}。", e.year, e.key.len(), tally(&e.key)));
    if e.alerts.is_empty() {
        out.push("约束性指标均已达标或进度正常。".into());
    } else {
        let names: Vec<String> = e
            .alerts
            .iter()
            .map(|r| format!("{}（{}，目标 {}，{}）", r.name, figure(r), r.target_text(), r.status.zh()))
            .collect();
        out.push(format!("约束性指标预警：{}。", names.join("；")));
    }
    out.push(format!("{} 项数量目标中 {}。", e.counted.len(), tally(&e.counted)));
    let behind: Vec<String> = e
        .counted
        .iter()
        .filter(|r| matches!(r.status, Status::OffTrack | Status::NotMet))
        .map(|r| format!("{}（{} / {}）", r.name, figure(r), r.target_text()))
        .collect();
    if !behind.is_empty() {
        let off = e.counted.iter().any(|r| r.status == Status::OffTrack);
        let not_met = e.counted.iter().any(|r| r.status == Status::NotMet);
        let label = match (off, not_met) {
            (true, true) => "偏离目标或未达标的数量目标",
            (false, true) => "未达标的数量目标",
            _ => "偏离目标的数量目标",
        };
        out.push(format!("{label}：{}。", behind.join("、")));
    }
    out.push(format!("{} 项规则类目标中 {}。", e.rules.len(), tally(&e.rules)));
    if let Some(worst) = e
        .rules
        .iter()
        .filter(|r| r.value.is_some() && r.target.is_some() && r.status != Status::Met)
        .min_by(|a, b| a.value.partial_cmp(&b.value).unwrap_or(std::cmp::Ordering::Equal))
    {
        out.push(format!("差距最大的规则是“{}”：{}，目标 {}。", worst.name, figure(worst), worst.target_text()));
    }
    if !e.tasks.is_empty() {
        let schools: usize = e.tasks.iter().map(|t| t.schools).sum();
        let done: Vec<f64> = e.tasks.iter().filter_map(|t| t.completion).collect();
        let mean = if done.is_empty() { 0.0 } else { done.iter().sum::<f64>() / done.len() as f64 };
        let overdue: usize = e.tasks.iter().map(|t| t.overdue).sum();
        out.push(format!(
            "{} 项规划任务共分配 {schools} 校次，平均完成度 {mean:.0}%，逾期未报的年度方案或报告 {overdue} 份。",
            e.tasks.len()
        ));
    }
    if let (Some(best), Some(least)) =
        (e.districts.iter().max_by_key(|d| d.met), e.districts.iter().min_by_key(|d| d.met))
        && best.met != least.met
    {
        out.push(format!(
            "分区看，{}达到目标的主要指标最多（{} 项），{}最少（{} 项）。",
            best.name, best.met, least.name, least.met
        ));
    }
    out
}

pub async fn build(db: &Db, year: i32) -> Result<Evaluation, StoreError> {
    let plan = refdata::active_plan(db).await?;
    let results = all(db, &plan, &Scope::City, year).await?;
    let (mut key, mut counted, mut rules) = (Vec::new(), Vec::new(), Vec::new());
    for r in results {
        match r.kind {
            TargetKind::Key => key.push(r),
            TargetKind::Counted => counted.push(r),
            TargetKind::Rule => rules.push(r),
        }
    }
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
    for a in crate::store::tasks::assignments(db, None, None).await? {
        let t = by_task.entry(a.task_code.clone()).or_insert(TaskRow {
            code: a.task_code.clone(),
            title: a.task_title.clone(),
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
    let mut e = Evaluation {
        tasks: by_task.into_values().collect(),
        title: title(&plan.name_zh, year, plan.target_year),
        plan_name: plan.name_zh.clone(),
        plan_name_en: plan.name_en.clone(),
        year,
        generated_at: crate::store::now(),
        key,
        counted,
        rules,
        alerts,
        districts,
        summary: Vec::new(),
    };
    e.summary = summarise(&e);
    Ok(e)
}

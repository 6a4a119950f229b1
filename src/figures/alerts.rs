//! What the product tells people on its own (the bell), besides returns due soon: the undertaking
//! school of a task whose yearly report is overdue, and the users of a scope whose binding
//! indicator is at risk, off track or not met, with what it takes. Each occasion is told once
//! (the notice's occasion key); a change of status is a new occasion.

use super::Scope;
use super::indicators::{compute, display};
use super::shortfall::shortfall;
use crate::domain::plan::Plan;
use crate::domain::tasks::{DueState, ReportKind};
use crate::messages::notice::{self, NoticeKind};
use crate::messages::{Lang, time};
use crate::store::notifications::{self, Audience, Notice};
use crate::store::{Db, StoreError, registry, tasks};

/// Tells each undertaking school of its task reports that are overdue; how many users were told.
pub async fn tell_tasks_overdue(db: &Db) -> Result<u64, StoreError> {
    let pack = tasks::pack(db).await?;
    let mut conn = db.pool.acquire().await?;
    let mut told = 0;
    for a in tasks::assignments(db, None, None).await? {
        let task_en = pack.task(&a.task_code).map_or(a.task_title.as_str(), |t| t.title_en.as_str());
        for d in a.schedule.iter().filter(|d| d.state == DueState::Overdue) {
            let text = notice::task_overdue(
                &a.task_title,
                task_en,
                d.year,
                d.kind == ReportKind::Plan,
                &time::date(d.due, Lang::Zh),
                &time::date(d.due, Lang::En),
            );
            let link = format!("/tasks/{}", a.id);
            let n = Notice {
                kind: NoticeKind::TaskOverdue,
                text,
                link: &link,
                dedup: format!("task:{}:{}:{}", a.id, d.year, d.kind.key()),
            };
            told += notifications::send(&mut conn, &Audience::School(&a.school_code), &n).await?;
        }
    }
    Ok(told)
}

/// Tells the bureau of the city's binding indicators in trouble in `year`, and each district's
/// officers of their district's; how many users were told.
pub async fn tell_indicators_at_risk(db: &Db, plan: &Plan, year: i32) -> Result<u64, StoreError> {
    let mut scopes: Vec<(Scope, String, String)> = vec![(Scope::City, "全市".into(), "the city".into())];
    for (code, name) in registry::districts(db).await? {
        scopes.push((Scope::District(code), name.clone(), name));
    }
    let mut conn = db.pool.acquire().await?;
    let mut told = 0;
    for (scope, scope_zh, scope_en) in &scopes {
        for r in compute(db, plan, scope, year).await?.iter().filter(|r| r.alert) {
            let unit = if r.unit == "%" { "%" } else { "" };
            let value = format!("{}{unit}", display(r.value, r.decimals));
            let target = format!("{}{}{unit}", r.comparator_symbol, display(r.target, r.decimals));
            let gap = shortfall(plan, r, None);
            let text = notice::indicator_at_risk(
                (&r.name, &r.name_en),
                (scope_zh, scope_en),
                year,
                (r.status.zh(), r.status.en()),
                &value,
                &target,
                gap.as_ref().map(|g| (g.text_zh.as_str(), g.text_en.as_str())),
            );
            let (link, to, key) = match scope {
                Scope::District(d) => (
                    format!("/indicator/{}?year={year}&district={d}", r.id),
                    Audience::District(d.as_str()),
                    d.as_str(),
                ),
                _ => (format!("/indicator/{}?year={year}", r.id), Audience::Bureau, "city"),
            };
            let n = Notice {
                kind: NoticeKind::IndicatorAtRisk,
                text,
                link: &link,
                dedup: format!("alert:{key}:{}:{year}:{}", r.id, r.status.key()),
            };
            told += notifications::send(&mut conn, &to, &n).await?;
        }
    }
    Ok(told)
}

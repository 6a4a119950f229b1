//! `vetis targets --year Y [--school C | --district D | --region R] [--format table|json]`: every target of the
//! plan (key indicators, counted targets, rules) with value, target and status.

use std::io::IsTerminal;

use super::Cli;
use super::indicators::{colour, resolve_area};
use crate::figures::indicators::display;
use crate::figures::targets::{TargetResult, all};
use crate::messages::Lang;
use crate::store::refdata;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetsFormat {
    Table,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 统计年度（默认：有在校生数据的最近年度） / statistical year (default: the latest with students)
    #[arg(long)]
    pub year: Option<i32>,
    /// 学校标识码 / a school's targets
    #[arg(long, conflicts_with = "district")]
    pub school: Option<String>,
    /// 区代码 / a district's targets
    #[arg(long, conflicts_with = "region")]
    pub district: Option<String>,
    /// 地区代码：省 2 位（如 44）、市 4 位（如 4401） / a region's targets: a province (44) or a city (4401)
    #[arg(long, conflicts_with = "school")]
    pub region: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: TargetsFormat,
    /// 列出某项规则不达标的学校或教师，或某项数量目标的项目 / list what is behind one target: a
    /// rule's failures (schools, masked teachers) or a counted target's designations
    #[arg(long, value_name = "ID")]
    pub failures: Option<String>,
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let plan = refdata::active_plan(&db).await?;
    let year = match args.year {
        Some(y) => y,
        None => crate::figures::indicators::latest_year(&db, plan.baseline_year).await?,
    };
    let (scope, scope_name) =
        resolve_area(&db, args.school.as_deref(), args.district.as_deref(), args.region.as_deref()).await?;
    if let Some(id) = &args.failures {
        return behind(&db, &plan, id, &scope, year, args.format, cli.lang).await;
    }
    let results = all(&db, &plan, &scope, year).await?;
    match args.format {
        TargetsFormat::Json => println!("{}", serde_json::to_string_pretty(&results)?),
        TargetsFormat::Table => {
            let zh = cli.lang == Lang::Zh;
            if zh {
                println!("{} · 全部目标 · {year} 年 · {scope_name}\n", plan.name_zh);
            } else {
                println!("{} · every target · {year} · {scope_name}\n", plan.name_en);
            }
            print!("{}", render(&results, cli.lang, std::io::stdout().is_terminal()));
        }
    }
    Ok(())
}

pub fn render(results: &[TargetResult], lang: Lang, tty: bool) -> String {
    let zh = lang == Lang::Zh;
    let header: Vec<String> = if zh {
        ["类别", "目标", "规划条目", "数值", "单位", "目标值", "目标年", "状态", "说明"].map(String::from).to_vec()
    } else {
        ["kind", "target", "section", "value", "unit", "target value", "by", "status", "note"]
            .map(String::from)
            .to_vec()
    };
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            vec![
                if zh { r.kind.zh().to_string() } else { format!("{:?}", r.kind).to_lowercase() },
                if zh { r.name.clone() } else { r.name_en.clone() },
                r.section.clone(),
                display(r.value, r.decimals),
                if zh { r.unit.clone() } else { r.unit_en.clone() },
                r.target_text(),
                r.target_year.to_string(),
                colour(r.status, if zh { r.status.zh().into() } else { r.status.en().into() }, tty),
                r.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    super::table::render(&header, &rows, 3)
}

/// What is behind one target: a rule's failures, or a counted target's designations.
async fn behind(
    db: &crate::store::Db,
    plan: &crate::domain::plan::Plan,
    id: &str,
    scope: &crate::figures::Scope,
    year: i32,
    format: TargetsFormat,
    lang: Lang,
) -> anyhow::Result<()> {
    let zh = lang == Lang::Zh;
    if let Some(r) = plan.rule(id) {
        let (_, failures) = crate::figures::targets::rule(db, plan, r, scope, year).await?;
        if format == TargetsFormat::Json {
            println!("{}", serde_json::to_string_pretty(&failures)?);
            return Ok(());
        }
        let header: Vec<String> =
            if zh { ["学校", "对象", "问题"] } else { ["school", "subject", "problem"] }.map(String::from).to_vec();
        let rows: Vec<Vec<String>> = failures
            .iter()
            .map(|f| {
                vec![
                    format!("{} {}", f.school_code, f.school_name).trim().to_string(),
                    f.subject.clone(),
                    if zh { f.detail_zh.clone() } else { f.detail_en.clone() },
                ]
            })
            .collect();
        print!("{}", super::table::render(&header, &rows, 0));
        return Ok(());
    }
    if let Some(t) = plan.targets.iter().find(|t| t.designation_kind == id) {
        let rows = crate::figures::counted::designations(db, t, scope).await?;
        let rows: Vec<_> = rows
            .into_iter()
            .filter(|r| r.counts_from(t).is_some_and(|c| c <= i64::from(year)) || r.status == "in_progress")
            .collect();
        if format == TargetsFormat::Json {
            println!("{}", serde_json::to_string_pretty(&rows)?);
            return Ok(());
        }
        let header: Vec<String> = if zh {
            ["项目编号", "学校", "区", "对象", "级别", "状态", "立项", "验收"]
        } else {
            ["code", "school", "district", "subject", "level", "status", "approved", "accepted"]
        }
        .map(String::from)
        .to_vec();
        let table: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.designation_code.clone(),
                    format!("{} {}", r.school_code, r.school_name),
                    r.district_code.clone(),
                    r.subject.clone().unwrap_or_default(),
                    r.level.clone(),
                    r.status.clone(),
                    r.approved_year.to_string(),
                    r.accepted_year.map(|y| y.to_string()).unwrap_or_default(),
                ]
            })
            .collect();
        print!("{}", super::table::render(&header, &table, 0));
        return Ok(());
    }
    anyhow::bail!("the plan has no rule or counted target '{id}' (see `vetis targets`)")
}

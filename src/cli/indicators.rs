//! `vetis indicators --year Y [--school C | --district D | --region R]`: the plan's key indicators computed from
//! the records, as a terminal table (zh names, coloured status on a TTY), JSON or CSV.

use std::io::IsTerminal;

use super::Cli;
use crate::domain::ids::SchoolCode;
use crate::domain::status::Status;
use crate::figures::Scope;
use crate::figures::breakdown::{By, Group, breakdown};
use crate::figures::indicators::{IndicatorResult, compute, display};
use crate::messages::Lang;
use crate::store::{Db, refdata};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Json,
    Csv,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 统计年度（默认：有在校生数据的最近年度） / statistical year (default: the latest with students)
    #[arg(long)]
    pub year: Option<i32>,
    /// 学校标识码 / a school's figures
    #[arg(long, conflicts_with = "district")]
    pub school: Option<String>,
    /// 区代码，如 440106 / a district's figures, e.g. 440106
    #[arg(long, conflicts_with = "region")]
    pub district: Option<String>,
    /// 地区代码：省 2 位（如 44）、市 4 位（如 4401），用于省级或全国部署 / a region's figures: a
    /// province (44) or a city (4401), for a provincial or national installation
    #[arg(long, conflicts_with = "school")]
    pub region: Option<String>,
    #[arg(long, value_enum, default_value = "table")]
    pub format: OutputFormat,
    /// 分组：按省、区、学校、专业大类或培养模式 / break down by province (a national installation), district,
    /// school, program category or pathway
    #[arg(long, value_enum)]
    pub by: Option<By>,
}

/// The scope named by `--school` or `--district`, with its name; the city without either.
pub async fn resolve_scope(db: &Db, school: Option<&str>, district: Option<&str>) -> anyhow::Result<(Scope, String)> {
    if let Some(s) = school {
        let code = SchoolCode::parse(s).ok_or_else(|| anyhow::anyhow!("'{s}' is not a 10-digit school code"))?;
        let school = crate::store::registry::school(db, code.as_str())
            .await?
            .ok_or_else(|| anyhow::anyhow!("school {} is not in the registry", code.as_str()))?;
        return Ok((Scope::School(code.as_str().into()), school.name));
    }
    if let Some(d) = district {
        let name = crate::store::registry::district_names(db)
            .await?
            .remove(d.trim())
            .ok_or_else(|| anyhow::anyhow!("“{d}”不在区（县）名单中（vetis districts list） / '{d}' is not in the district list (vetis districts list)"))?;
        return Ok((Scope::District(d.trim().into()), name));
    }
    Ok((Scope::City, "全市".into()))
}

/// The scope of `--school`, `--district` or `--region` (a province or a city of a provincial or
/// national installation), with its name; the whole installation without any.
pub async fn resolve_area(
    db: &Db,
    school: Option<&str>,
    district: Option<&str>,
    region: Option<&str>,
) -> anyhow::Result<(Scope, String)> {
    match region.map(str::trim) {
        Some(r) => {
            let (name, _) = crate::store::districts::region(db, r).await?;
            Ok((Scope::Region(r.into()), name))
        }
        None => resolve_scope(db, school, district).await,
    }
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
    if let Some(by) = args.by {
        return breakdowns(&db, &plan, &scope, year, by, args.format, cli.lang).await;
    }
    let results = compute(&db, &plan, &scope, year).await?;
    match args.format {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&results)?),
        OutputFormat::Csv => print_csv(&results)?,
        OutputFormat::Table => {
            let zh = cli.lang == Lang::Zh;
            let title = if zh {
                format!("{} · 主要指标 · {year} 年 · {scope_name}", plan.name_zh)
            } else {
                format!(
                    "{} · key indicators · {year} · {}",
                    plan.name_en,
                    if scope == Scope::City { "city" } else { &scope_name }
                )
            };
            println!("{title}\n");
            print!("{}", render(&results, cli.lang, std::io::stdout().is_terminal()));
            let alerts: Vec<&IndicatorResult> = results.iter().filter(|r| r.alert).collect();
            if !alerts.is_empty() {
                println!();
                for a in alerts {
                    if zh {
                        println!("⚠ 约束性指标预警：{}（{}）", a.name, a.status.zh());
                    } else {
                        println!("⚠ binding indicator alert: {} ({})", a.name_en, a.status.en());
                    }
                }
            }
        }
    }
    Ok(())
}

pub fn colour(status: Status, text: String, tty: bool) -> String {
    if !tty {
        return text;
    }
    let code = match status {
        Status::Met => "32",
        Status::OnTrack => "36",
        Status::AtRisk => "33",
        Status::OffTrack | Status::NotMet => "31",
        Status::NoData | Status::NoTarget => "2",
    };
    format!("\u{1b}[{code}m{text}\u{1b}[0m")
}

pub fn render(results: &[IndicatorResult], lang: Lang, tty: bool) -> String {
    let zh = lang == Lang::Zh;
    let year = results.first().map_or(0, |r| r.year);
    let header: Vec<String> = if zh {
        vec![
            "序号".into(),
            "指标".into(),
            "单位".into(),
            "2020 基期".into(),
            format!("{year} 年"),
            "2025 目标".into(),
            "属性".into(),
            "状态".into(),
            "2025 预测".into(),
        ]
    } else {
        vec![
            "#".into(),
            "indicator".into(),
            "unit".into(),
            "2020 base".into(),
            format!("{year}"),
            "2025 target".into(),
            "attribute".into(),
            "status".into(),
            "2025 projected".into(),
        ]
    };
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            let target = r.target.map_or("—".into(), |t| {
                format!("{}{}", r.comparator_symbol, display(Some(t), if t.fract() == 0.0 { 0 } else { r.decimals }))
            });
            let attr = match (r.attribute.as_str(), zh) {
                ("binding", true) => "约束性",
                ("binding", false) => "binding",
                (_, true) => "预期性",
                (_, false) => "expected",
            };
            vec![
                r.number.to_string(),
                if zh { r.name.clone() } else { r.name_en.clone() },
                if zh { r.unit.clone() } else { r.unit_en.clone() },
                display(r.baseline, r.decimals),
                display(r.value, r.decimals),
                target,
                attr.to_string(),
                colour(r.status, if zh { r.status.zh().into() } else { r.status.en().into() }, tty),
                display(r.projection_2025, r.decimals),
            ]
        })
        .collect();
    super::table::render(&header, &rows, 3)
}

fn print_csv(results: &[IndicatorResult]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(std::io::stdout());
    w.write_record([
        "id",
        "number",
        "name",
        "year",
        "value",
        "unit",
        "baseline",
        "target",
        "comparator",
        "attribute",
        "status",
        "projection_2025",
        "numerator",
        "denominator",
    ])?;
    let f = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for r in results {
        w.write_record([
            r.id.clone(),
            r.number.to_string(),
            r.name.clone(),
            r.year.to_string(),
            f(r.value),
            r.unit.clone(),
            f(r.baseline),
            f(r.target),
            r.comparator.clone(),
            r.attribute.clone(),
            r.status.key().to_string(),
            f(r.projection_2025),
            f(r.numerator),
            f(r.denominator),
        ])?;
    }
    w.flush()?;
    Ok(())
}

#[derive(serde::Serialize)]
struct Broken<'a> {
    id: &'a str,
    name: &'a str,
    year: i32,
    by: By,
    unit: &'a str,
    groups: Vec<Group>,
}

/// Every indicator that the records can break down so, as one table: groups down, indicators across.
async fn breakdowns(
    db: &Db,
    plan: &crate::domain::plan::Plan,
    scope: &Scope,
    year: i32,
    by: By,
    format: OutputFormat,
    lang: Lang,
) -> anyhow::Result<()> {
    let mut all = Vec::new();
    for ind in &plan.indicators {
        if let Some(groups) = breakdown(db, &ind.formula, scope, year, by).await? {
            all.push((ind, groups));
        }
    }
    let zh = lang == Lang::Zh;
    match format {
        OutputFormat::Json => {
            let out: Vec<Broken> = all
                .into_iter()
                .map(|(i, groups)| Broken { id: &i.id, name: &i.name_zh, year, by, unit: &i.unit_zh, groups })
                .collect();
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(std::io::stdout());
            w.write_record(["id", "year", "by", "key", "label", "value", "numerator", "denominator"])?;
            let f = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
            for (i, groups) in &all {
                for g in groups {
                    w.write_record([
                        i.id.clone(),
                        year.to_string(),
                        format!("{by:?}").to_lowercase(),
                        g.key.clone(),
                        g.label.clone(),
                        f(g.value),
                        f(g.numerator),
                        f(g.denominator),
                    ])?;
                }
            }
            w.flush()?;
        }
        OutputFormat::Table => {
            for (i, _) in &all {
                let name = if zh { &i.name_zh } else { &i.name_en };
                println!("{:>2}  {name}（{}）", i.number, if zh { &i.unit_zh } else { &i.unit_en });
            }
            println!();
            let mut keys: Vec<(String, String)> = Vec::new();
            for (_, groups) in &all {
                for g in groups {
                    if !keys.iter().any(|k| k.0 == g.key) {
                        keys.push((g.key.clone(), g.label.clone()));
                    }
                }
            }
            keys.sort();
            let mut header = vec![if zh { "分组".to_string() } else { "group".to_string() }];
            header.extend(all.iter().map(|(i, _)| i.number.to_string()));
            let rows: Vec<Vec<String>> = keys
                .iter()
                .map(|(key, label)| {
                    let mut r = vec![format!("{key} {label}")];
                    for (i, groups) in &all {
                        r.push(display(groups.iter().find(|g| &g.key == key).and_then(|g| g.value), i.decimals));
                    }
                    r
                })
                .collect();
            print!("{}", super::table::render(&header, &rows, 1));
        }
    }
    Ok(())
}

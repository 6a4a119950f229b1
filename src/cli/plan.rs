//! `vetis plan load|check|show`: plans are data; loading one needs no code change.

use std::path::PathBuf;

use super::{Cli, Refused};
use crate::domain::plan::Plan;
use crate::messages::Lang;
use crate::store::audit::os_user;
use crate::store::refdata;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// 载入规划文件并设为当前规划 / load a plan file and make it the active plan
    Load { file: PathBuf },
    /// 只检查规划文件 / check a plan file without loading it
    Check { file: PathBuf },
    /// 显示当前规划 / show the active plan
    Show,
    /// 目标分解到区、校（数据文件） / the city targets' shares by district or school (a data file)
    Shares {
        #[command(subcommand)]
        action: SharesAction,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum SharesAction {
    /// 载入分解文件（如 data/targets/example-target-shares.toml） / load a shares file
    Load { file: PathBuf },
    /// 显示当前的分解 / show the shares in use
    Show,
}

fn read(file: &PathBuf) -> anyhow::Result<String> {
    std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))
}

fn refuse(file: &std::path::Path, errors: &[String]) -> anyhow::Error {
    for e in errors {
        eprintln!("{}: {e}", file.display());
    }
    Refused.into()
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let zh = cli.lang == Lang::Zh;
    match &args.action {
        Action::Shares { action: SharesAction::Load { file } } => {
            let db = super::open(cli).await?;
            match refdata::load_shares(&db, &read(file)?, &os_user(), "cli").await {
                Ok(_) => println!("{}", if zh { "已载入目标分解" } else { "target shares loaded" }),
                Err(crate::store::StoreError::Refused(m)) => {
                    return Err(refuse(file, &[if zh { m.zh } else { m.en }]));
                }
                Err(e) => return Err(e.into()),
            }
        }
        Action::Shares { action: SharesAction::Show } => {
            let db = super::open(cli).await?;
            let plan = refdata::active_plan(&db).await?;
            if plan.shares.is_empty() {
                println!(
                    "{}",
                    if zh {
                        "未载入目标分解：总量指标的目标只适用于全市"
                    } else {
                        "no shares loaded: the totals' targets are the city's only"
                    }
                );
            }
            for s in &plan.shares {
                let to = s.district.as_deref().or(s.school.as_deref()).unwrap_or_default();
                println!("{:<28} {to:<10} {:>6.1}%", s.indicator, s.percent);
            }
        }
        Action::Check { file } => {
            let plan = Plan::from_toml(&read(file)?).map_err(|e| refuse(file, &e))?;
            println!(
                "{}: {} ({} indicators)",
                file.display(),
                if zh { &plan.name_zh } else { &plan.name_en },
                plan.indicators.len()
            );
        }
        Action::Load { file } => {
            let db = super::open(cli).await?;
            let plan = refdata::load_plan(&db, &read(file)?, &os_user()).await.map_err(|e| refuse(file, &e))?;
            if zh {
                println!(
                    "已载入规划：{}（{} 项主要指标，{} 类建设项目）",
                    plan.name_zh,
                    plan.indicators.len(),
                    plan.designation_kinds.len()
                );
            } else {
                println!(
                    "plan loaded: {} ({} key indicators, {} designation kinds)",
                    plan.name_en,
                    plan.indicators.len(),
                    plan.designation_kinds.len()
                );
            }
        }
        Action::Show => {
            let db = super::open(cli).await?;
            let plan = refdata::active_plan(&db).await?;
            println!(
                "{} [{}] {}–{}",
                if zh { &plan.name_zh } else { &plan.name_en },
                plan.id,
                plan.baseline_year,
                plan.target_year
            );
            for i in &plan.indicators {
                let name = if zh { &i.name_zh } else { &i.name_en };
                let base = i.baseline.map_or("—".to_string(), |b| b.to_string());
                println!(
                    "{:>2}. {name}: {base} → {}{} {} ({})",
                    i.number,
                    i.comparator.symbol(),
                    i.target,
                    if zh { &i.unit_zh } else { &i.unit_en },
                    if zh { i.attribute.zh() } else { i.attribute.key() }
                );
            }
        }
    }
    Ok(())
}

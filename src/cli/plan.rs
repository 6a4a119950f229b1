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

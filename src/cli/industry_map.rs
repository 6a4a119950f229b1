//! `vetis industry-map load FILE | show`: the editable mapping of programs to the plan's key
//! industries, behind the industry-coverage rule.

use super::{Cli, Refused};
use crate::messages::Lang;
use crate::store::audit::os_user;
use crate::store::industry_map;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// 载入映射（CSV：prefix,industry,note） / load a mapping (CSV: prefix,industry,note)
    Load { file: std::path::PathBuf },
    /// 显示当前映射 / print the mapping in use
    Show,
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let zh = cli.lang == Lang::Zh;
    match &args.action {
        Action::Load { file } => {
            let text = std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            match industry_map::load(&db, &text, &os_user(), "cli").await {
                Ok(n) => println!(
                    "{}",
                    if zh {
                        format!("已载入 {n} 条专业—产业映射")
                    } else {
                        format!("{n} mapping entries loaded")
                    }
                ),
                Err(errors) => {
                    for e in errors {
                        eprintln!("{}: {e}", file.display());
                    }
                    return Err(Refused.into());
                }
            }
        }
        Action::Show => {
            println!("prefix,industry,note");
            for e in industry_map::list(&db).await? {
                println!("{},{},{}", e.prefix, e.industry, e.note);
            }
        }
    }
    Ok(())
}

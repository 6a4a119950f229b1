//! `vetis catalog load|list`: program catalogue editions are data (the yearly 增补专业 included).

use std::path::PathBuf;

use super::Cli;
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
    /// 载入专业目录版本（与 2021 版同列） / load a catalogue edition (same columns as the 2021 file)
    Load {
        file: PathBuf,
        /// 版本名，如 2022 / edition name, e.g. 2022
        #[arg(long)]
        edition: String,
        #[arg(long)]
        name: Option<String>,
        /// 生效年份 / first statistical year it applies to
        #[arg(long)]
        effective_year: Option<i64>,
    },
    /// 列出已载入的版本 / list loaded editions
    List,
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let zh = cli.lang == Lang::Zh;
    match &args.action {
        Action::Load { file, edition, name, effective_year } => {
            let text = std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let name = name.clone().unwrap_or_else(|| format!("专业目录 {edition}"));
            let n = refdata::load_catalog(&db, &text, edition, &name, *effective_year, &os_user()).await?;
            println!(
                "{}",
                if zh {
                    format!("已载入专业目录版本 {edition}：{n} 条")
                } else {
                    format!("catalogue edition {edition} loaded: {n} items")
                }
            );
        }
        Action::List => {
            for (edition, name, programs) in crate::store::registry::catalog_editions(&db).await? {
                println!("{edition}\t{name}\t{programs} {}", if zh { "个专业" } else { "programs" });
            }
        }
    }
    Ok(())
}

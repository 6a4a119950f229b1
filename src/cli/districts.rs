//! `vetis districts list|load|region`: the installation's districts (区/县). Guangzhou's are
//! loaded at first use; a provincial or national installation loads its own before its registry.

use std::path::PathBuf;

use super::Cli;
use crate::messages::Lang;
use crate::store::audit::os_user;
use crate::store::districts;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// 列出区（县）及各区学校数 / list the districts and the schools in each
    List,
    /// 以文件替换区（县）名单（code,name 两列，UTF-8 或 GBK） / replace the list from a file (code,name; UTF-8 or GBK)
    Load { file: PathBuf },
    /// 以某地区现行的区（县）替换名单：省 44、市 4401、全国 CN / replace the list with a region's current counties: province 44, city 4401, CN for the country
    Region { code: String },
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let zh = cli.lang == Lang::Zh;
    let replaced = match &args.action {
        Action::List => {
            for (d, schools) in districts::list(&db).await? {
                println!("{}\t{}\t{schools} {}", d.code, d.name, if zh { "所学校" } else { "schools" });
            }
            return Ok(());
        }
        Action::Load { file } => {
            let label = file.display().to_string();
            let text = super::read_reference_text(file)?;
            let list = districts::parse_list(&label, &text).map_err(|e| super::refusal(e, cli.lang))?;
            districts::replace(&db, &label, list, &os_user(), "cli").await.map_err(|e| super::refusal(e, cli.lang))?
        }
        Action::Region { code } => {
            let region = if code.eq_ignore_ascii_case("cn") { "" } else { code.trim() };
            let list = districts::of_region(&db, region).await.map_err(|e| super::refusal(e, cli.lang))?;
            districts::replace(&db, &format!("region {code}"), list, &os_user(), "cli")
                .await
                .map_err(|e| super::refusal(e, cli.lang))?
        }
    };
    println!(
        "{}",
        if zh {
            format!("区（县）名单已替换：{replaced} 个")
        } else {
            format!("district list replaced: {replaced}")
        }
    );
    Ok(())
}

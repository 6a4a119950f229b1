//! `vetis template --table T`: the Excel template a school fills in.

use std::path::PathBuf;

use super::Cli;
use crate::domain::standard::Table;
use crate::messages::Lang;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, value_parser = |s: &str| Table::from_name(s).ok_or_else(|| format!("unknown table '{s}'")))]
    pub table: Table,
    /// 输出文件（默认 表名.xlsx） / output file (default: the table's Chinese name .xlsx)
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let bytes = crate::workflow::template::template(&db, args.table).await?;
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from(format!("{}.xlsx", args.table.zh())));
    std::fs::write(&out, bytes).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    println!("{}{}", if cli.lang == Lang::Zh { "已生成模板 " } else { "template written to " }, out.display());
    Ok(())
}

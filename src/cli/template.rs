//! `vetis template --table T`: the Excel template a school fills in; with `--roll-forward`, filled
//! with a school's rows of the year before the one due.

use std::path::PathBuf;

use super::{Cli, write_whole};
use crate::domain::standard::Table;
use crate::messages::Lang;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(long, value_parser = |s: &str| Table::from_name(s).ok_or_else(|| format!("unknown table '{s}'")))]
    pub table: Table,
    /// 输出文件（默认 表名.xlsx） / output file (default: the table's Chinese name .xlsx)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// 用该校上一年度的数据预填（含未脱敏个人信息，记入审计日志），须给出 --school 和 --year / fill it with the school's rows of the year before --year (personal data in full, audited); needs --school and --year
    #[arg(long, requires_all = ["school", "year"])]
    pub roll_forward: bool,
    /// 学校标识码 / the school's code
    #[arg(long)]
    pub school: Option<String>,
    /// 要报送的统计年度 / the statistical year due
    #[arg(long)]
    pub year: Option<i64>,
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    if let (true, Some(school), Some(year)) = (args.roll_forward, &args.school, args.year) {
        let code = crate::domain::ids::SchoolCode::parse(school)
            .ok_or_else(|| anyhow::anyhow!("'{school}' is not a 10-digit school code"))?;
        if crate::store::registry::school(&db, code.as_str()).await?.is_none() {
            anyhow::bail!(if cli.lang == Lang::Zh {
                format!("学校 {school} 不在学校名录中：请先导入 school 表")
            } else {
                format!("school {school} is not in the register: import the school table first")
            });
        }
        let (bytes, n) = crate::workflow::template::roll_forward(
            &db,
            args.table,
            code.as_str(),
            year,
            &crate::store::audit::os_user(),
            "cli",
        )
        .await?;
        let out = args
            .out
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("{}-{}-{year}.xlsx", args.table.zh(), code.as_str())));
        write_whole(&out, &bytes).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
        if cli.lang == Lang::Zh {
            println!(
                "已生成模板 {}：预填 {} 年度的 {n} 行，年度改为 {year}（含未脱敏个人信息，已记入审计日志）",
                out.display(),
                year - 1
            );
        } else {
            println!(
                "template written to {}: {n} rows of {} carried forward to {year} (personal data in full, audited)",
                out.display(),
                year - 1
            );
        }
        return Ok(());
    }
    let bytes = crate::workflow::template::template(&db, args.table).await?;
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from(format!("{}.xlsx", args.table.zh())));
    write_whole(&out, &bytes).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    println!("{}{}", if cli.lang == Lang::Zh { "已生成模板 " } else { "template written to " }, out.display());
    Ok(())
}

//! `vetis export --table T`: the table's current rows in the data standard's columns.

use std::path::PathBuf;

use super::Cli;
use crate::domain::standard::Table;
use crate::messages::Lang;
use crate::store::audit::os_user;
use crate::workflow::export::{ExportRequest, Format, RowRequest, export, export_to_stdout};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 数据表 / the table
    #[arg(long, value_parser = |s: &str| Table::from_name(s).ok_or_else(|| format!("unknown table '{s}'")))]
    pub table: Table,
    /// 统计年度 / statistical year
    #[arg(long)]
    pub year: Option<i64>,
    /// 学校标识码 / school code
    #[arg(long)]
    pub school: Option<String>,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: Format,
    /// 输出文件；不给或为 - 时 CSV 写到标准输出（XLSX 须给文件） / output file; without it, or `-`, CSV goes to standard output (XLSX needs a file)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// 导出未脱敏的个人信息（记入审计日志） / export personal data unmasked (audited)
    #[arg(long)]
    pub unmask: bool,
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let school = match &args.school {
        Some(s) => Some(
            crate::domain::ids::SchoolCode::parse(s)
                .ok_or_else(|| anyhow::anyhow!("'{s}' is not a 10-digit school code"))?
                .as_str()
                .to_string(),
        ),
        None => None,
    };
    let req = ExportRequest {
        rows: RowRequest {
            table: args.table,
            year: args.year,
            school,
            unmask: args.unmask,
            page: None,
            rows_of: None,
            lang: crate::messages::Lang::Zh,
            search: None,
            order: None,
        },
        format: args.format,
    };
    let out = match args.out.as_deref() {
        Some(p) if p != std::path::Path::new("-") => p.to_path_buf(),
        _ if args.format == Format::Xlsx => {
            anyhow::bail!(if cli.lang == Lang::Zh {
                "XLSX 须写到文件：请给出 --out FILE.xlsx"
            } else {
                "XLSX needs a file: give --out FILE.xlsx"
            })
        }
        _ => {
            // As Unix tools do: the rows go to standard output, and the count to standard error.
            let n = export_to_stdout(&db, &req, &os_user(), "cli").await?;
            if cli.lang == Lang::Zh {
                eprintln!(
                    "已导出 {n} 行{}",
                    if args.unmask { "（未脱敏，已记入审计日志）" } else { "（个人信息已脱敏）" }
                );
            } else {
                eprintln!(
                    "exported {n} rows{}",
                    if args.unmask { " (unmasked, audited)" } else { " (personal data masked)" }
                );
            }
            return Ok(());
        }
    };
    let n = export(&db, &req, &out, &os_user(), "cli").await?;
    if cli.lang == Lang::Zh {
        println!(
            "已导出 {n} 行到 {}{}",
            out.display(),
            if args.unmask { "（未脱敏，已记入审计日志）" } else { "（个人信息已脱敏）" }
        );
    } else {
        println!(
            "exported {n} rows to {}{}",
            out.display(),
            if args.unmask { " (unmasked, audited)" } else { " (personal data masked)" }
        );
    }
    Ok(())
}

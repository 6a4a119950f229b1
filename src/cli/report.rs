//! `vetis report evaluation --year 2023|2025 --out FILE.{html,docx,xlsx,pdf}`: the plan's mid-term
//! or final evaluation, written through a temporary file so a failure leaves no half file.

use std::path::PathBuf;

use super::Cli;
use crate::messages::Lang;
use crate::reports::{ReportFormat, evaluation};
use crate::store::audit::{self, Entry, os_user};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub kind: Kind,
}

#[derive(Debug, clap::Subcommand)]
pub enum Kind {
    /// 规划中期（2023）或终期（2025）评估报告 / the plan's mid-term (2023) or final (2025) evaluation
    Evaluation {
        /// 评估年度 / the year evaluated
        #[arg(long)]
        year: i32,
        /// 输出文件，扩展名决定格式：.html .docx .xlsx .pdf / output file; its extension decides the format
        #[arg(long)]
        out: PathBuf,
    },
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let Kind::Evaluation { year, out } = &args.kind;
    let format = ReportFormat::from_extension(out)
        .ok_or_else(|| anyhow::anyhow!("{}: the file must end in .html, .docx, .xlsx or .pdf", out.display()))?;
    let db = super::open(cli).await?;
    let progress = super::progress::CliProgress::new(cli.lang);
    let file = out.display().to_string();
    progress.stage("计算指标与目标 / computing the figures", &file);
    let e = evaluation::build(&db, *year).await?;
    progress.stage("排版 / typesetting", &file);
    let bytes = crate::reports::render(&e, format)?;
    progress.stage("写入 / writing", &file);
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, &bytes)?;
    tmp.persist(out)?;
    // A temporary file is private; a report of aggregates is an ordinary document.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(out, std::fs::Permissions::from_mode(0o644))?;
    }
    audit::record(
        &db.pool,
        &Entry {
            actor: &os_user(),
            action: "report_export",
            object: &format!("evaluation {year}"),
            detail: &out.display().to_string(),
            source: "cli",
        },
    )
    .await?;
    crate::workflow::import::Progress::done(&progress);
    if cli.lang == Lang::Zh {
        println!("已生成 {}：{}", e.title, out.display());
    } else {
        println!("{} written to {}", e.title, out.display());
    }
    for s in &e.summary {
        println!("  {s}");
    }
    Ok(())
}

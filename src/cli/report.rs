//! `vetis report evaluation --year 2023|2025 --out FILE.{html,docx,xlsx,pdf}`: the plan's mid-term
//! or final evaluation in the CLI's language (`--lang en` for English), written through a
//! temporary file so a failure leaves no half file; `vetis report remarks` shows, sets or resets
//! its 存在问题 and 下一步措施 before it goes out.

use std::path::PathBuf;

use super::Cli;
use crate::messages::Lang;
use crate::reports::{ReportFormat, evaluation};
use crate::store::audit::{self, Entry, os_user};
use crate::store::remarks::{self, Section};

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
    /// 评估报告的“存在问题”“下一步措施”：查看草稿或修改 / the evaluation's problems and next steps: show the draft or set them
    Remarks {
        /// 评估年度 / the year evaluated
        #[arg(long)]
        year: i32,
        /// 存在问题，文本文件，每行一条；空文件恢复为自动草稿 / problems, a text file, one per line; an empty file goes back to the draft
        #[arg(long)]
        problems: Option<PathBuf>,
        /// 下一步措施，文本文件，每行一条 / next steps, a text file, one per line
        #[arg(long)]
        measures: Option<PathBuf>,
    },
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let (year, out) = match &args.kind {
        Kind::Evaluation { year, out } => (year, out),
        Kind::Remarks { year, problems, measures } => {
            return remarks(cli, *year, problems.as_deref(), measures.as_deref()).await;
        }
    };
    let format = ReportFormat::from_extension(out)
        .ok_or_else(|| anyhow::anyhow!("{}: the file must end in .html, .docx, .xlsx or .pdf", out.display()))?;
    let db = super::open(cli).await?;
    let progress = super::progress::CliProgress::new(cli.lang);
    let file = out.display().to_string();
    progress.stage("计算指标与目标 / computing the figures", &file);
    let e = evaluation::build(&db, *year).await?;
    progress.stage("排版 / typesetting", &file);
    let bytes = crate::reports::render(&e, format, cli.lang)?;
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
        println!("{} written to {}", evaluation::title_en(&e.plan_name_en, e.year, e.target_year), out.display());
    }
    for s in evaluation::findings::summary(&e, cli.lang) {
        println!("  {s}");
    }
    Ok(())
}

/// Reads a section's text file (UTF-8, or GBK as Windows Notepad saves it; the import's own
/// decoding), one item per line.
fn read_items(path: &std::path::Path) -> anyhow::Result<Vec<String>> {
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let text = crate::ingest::read::decode_text(&bytes)
        .map_err(|_| anyhow::anyhow!("{}: 不是 UTF-8 或 GBK 文本 / not UTF-8 or GBK text", path.display()))?;
    Ok(remarks::items_of(&text))
}

async fn remarks(
    cli: &Cli,
    year: i32,
    problems: Option<&std::path::Path>,
    measures: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    for (section, file) in [(Section::Problems, problems), (Section::Measures, measures)] {
        if let Some(path) = file {
            let items = read_items(path)?;
            remarks::save(&db, year, section, &items, &os_user(), "cli").await?;
        }
    }
    let e = evaluation::build(&db, year).await?;
    for (section, zh, en) in
        [(Section::Problems, "存在问题", "Problems"), (Section::Measures, "下一步措施", "Next steps")]
    {
        let (items, draft) = evaluation::findings::section(&e, section, cli.lang);
        let state = match (cli.lang, draft) {
            (Lang::Zh, true) => "（自动草稿，可修改）",
            (Lang::Zh, false) => "（已修改）",
            (Lang::En, true) => " (draft from the figures; may be edited)",
            (Lang::En, false) => " (edited)",
        };
        println!("{}{state}", if cli.lang == Lang::Zh { zh } else { en });
        for (i, item) in items.iter().enumerate() {
            println!("{}. {item}", i + 1);
        }
        println!();
    }
    Ok(())
}

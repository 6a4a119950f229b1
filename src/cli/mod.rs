//! The command line: one subcommand per module, global options that work after any subcommand.

mod audit;
mod backup;
mod board;
mod catalog;
mod credit;
mod credit_figures;
mod demo;
mod districts;
mod dual;
mod export;
mod figures;
mod funding;
mod import;
pub(crate) mod indicators;
mod industry_map;
mod init;
mod integrity;
mod mail;
mod pathway;
mod plan;
mod pool;
mod progress;
mod quality_report;
mod report;
mod serve;
mod submissions;
mod table;
mod targets;
mod task;
mod template;
mod user;
mod year;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::messages::Lang;
use crate::store::Db;

#[derive(Debug, Parser)]
#[command(
    name = "vetis",
    version,
    about = "VETIS：广州市职业教育发展“十四五”规划信息系统 / the information system of Guangzhou's VET plan"
)]
pub struct Cli {
    /// 数据库：SQLite 文件路径（默认，首次使用时创建）或 postgres://… / a SQLite file (created on first use) or a postgres:// URL
    #[arg(long, global = true, env = "VETIS_DB", default_value = "vetis.db", hide_env_values = true)]
    pub db: String,
    /// 个人信息密钥文件 / the personal-data key file (default: beside a SQLite file, else ~/.config/vetis/)
    #[arg(long, global = true, env = "VETIS_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// 界面语言 / language of messages: zh or en
    #[arg(long, global = true, env = "VETIS_LANG", default_value = "zh", value_parser = parse_lang)]
    pub lang: Lang,
    #[command(subcommand)]
    pub command: Command,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("unknown language '{s}': use zh or en"))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 初始化数据库、参考数据与规划 / create the database, load reference data and the plan
    Init(init::Args),
    /// 导入数据标准文件（CSV/XLSX） / import data-standard files (CSV/XLSX)
    Import(import::Args),
    /// 导出数据表 / export a table
    Export(export::Args),
    /// 生成 Excel 填报模板 / write the Excel template of a table
    Template(template::Args),
    /// 计算规划主要指标 / compute the plan's key indicators
    Indicators(indicators::Args),
    /// 计算规划全部目标（主要指标、数量目标、规则） / every target of the plan: key, counted, rules
    Targets(targets::Args),
    /// 指标构件：重建与核对 / the figures' building blocks: rebuild and check
    Figures(figures::Args),
    /// 规划文件 / plan files
    Plan(plan::Args),
    /// 专业与重点产业映射 / the program-to-industry mapping
    IndustryMap(industry_map::Args),
    /// 专业目录版本 / program catalogue editions
    Catalog(catalog::Args),
    /// 区（县）名单：广州市的区，或省、全国的区县 / the districts: Guangzhou's, or a province's or the country's counties
    Districts(districts::Args),
    /// 提交记录与审核 / submissions, versions and review
    Submissions(submissions::Args),
    /// 报送进度、催报与报送日历 / who has submitted what, reminders, the statistical calendar
    Progress(board::Args),
    /// 账号与 API 令牌 / accounts and API tokens
    User(user::Args),
    /// 规划任务、承担学校与年度报告 / the plan's tasks, undertaking schools and yearly reports
    Task(task::Args),
    /// 学分银行：学习成果的认定、积累与转换 / the credit bank: outcomes recognised, accumulated and converted
    Credit(credit::Args),
    /// “双师型”教师认定：条件与预审 / dual-qualified teachers: the conditions and the pre-check
    Dual(dual::Args),
    /// 市级职业教育兼职教师资源库 / the municipal pool of part-time teachers from enterprises
    Pool(pool::Args),
    Pathway(pathway::Args),
    Funding(funding::Args),
    Integrity(integrity::Args),
    /// 质量年度报告 / the annual quality report of a school or the city
    QualityReport(quality_report::Args),
    /// 报告：规划评估 / reports: the plan's evaluations
    Report(report::Args),
    /// 审计日志 / the audit log
    Audit(audit::Args),
    /// 通知邮件（须设置 VETIS_SMTP） / notices by e-mail (needs VETIS_SMTP)
    Mail(mail::Args),
    /// 年度锁定 / lock or unlock a statistical year
    Year(year::Args),
    /// 备份数据库（在线一致副本，含密钥指纹） / back up the database (a consistent online copy with its key fingerprint)
    Backup(backup::BackupArgs),
    /// 把备份恢复到空数据库 / restore a backup into an empty database
    Restore(backup::RestoreArgs),
    /// 启动网页平台 / serve the web platform
    Serve(serve::Args),
    /// 示例城市：生成并导入 2020–2025 年的示例数据 / the demo city: generate and import 2020–2025
    Demo(demo::Args),
}

/// A refusal the user can act on (exit status 1), as opposed to a usage error (2).
#[derive(Debug)]
pub struct Refused;

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("refused")
    }
}
impl std::error::Error for Refused {}

/// Every database a command opened, closed when it ends.
static OPENED: std::sync::Mutex<Vec<sqlx::AnyPool>> = std::sync::Mutex::new(Vec::new());

pub async fn open(cli: &Cli) -> anyhow::Result<Db> {
    let db = Db::open(&cli.db, cli.key_file.clone()).await?;
    OPENED.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(db.pool.clone());
    Ok(db)
}

/// Closes the pools a command opened. SQLite checkpoints and removes its WAL when the last
/// connection closes; a process that just exits leaves the WAL (495 MB after a million-row
/// import) for the next command to read through first.
async fn close_opened() {
    let pools: Vec<sqlx::AnyPool> =
        std::mem::take(&mut *OPENED.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    for p in pools {
        p.close().await;
    }
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    // Internal faults are logged to standard error (VETIS_LOG=error|warn|info|debug), never shown
    // to a user of the web.
    let level =
        std::env::var("VETIS_LOG").ok().and_then(|s| s.parse::<tracing::Level>().ok()).unwrap_or(tracing::Level::WARN);
    let _ = tracing_subscriber::fmt().with_max_level(level).with_writer(std::io::stderr).try_init();
    // Limits are configuration: checked once, before anything is read.
    match crate::ingest::limits::Limits::from_env() {
        Ok(limits) => limits.install(),
        Err(e) => {
            eprintln!("vetis: {e}");
            return ExitCode::from(2);
        }
    }
    match crate::domain::ids::IdMask::from_env() {
        Ok(mask) => mask.install(),
        Err(e) => {
            eprintln!("vetis: {e}");
            return ExitCode::from(2);
        }
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("vetis: {e}");
            return ExitCode::FAILURE;
        }
    };
    let lang = cli.lang;
    let result = runtime.block_on(async {
        let result = match &cli.command {
            Command::Init(a) => init::run(&cli, a).await,
            Command::Import(a) => import::run(&cli, a).await,
            Command::Export(a) => export::run(&cli, a).await,
            Command::Figures(a) => figures::run(&cli, a).await,
            Command::Template(a) => template::run(&cli, a).await,
            Command::Indicators(a) => indicators::run(&cli, a).await,
            Command::Plan(a) => plan::run(&cli, a).await,
            Command::Targets(a) => targets::run(&cli, a).await,
            Command::IndustryMap(a) => industry_map::run(&cli, a).await,
            Command::Catalog(a) => catalog::run(&cli, a).await,
            Command::Districts(a) => districts::run(&cli, a).await,
            Command::Submissions(a) => submissions::run(&cli, a).await,
            Command::Progress(a) => board::run(&cli, a).await,
            Command::User(a) => user::run(&cli, a).await,
            Command::Report(a) => report::run(&cli, a).await,
            Command::Task(a) => task::run(&cli, a).await,
            Command::Credit(a) => credit::run(&cli, a).await,
            Command::Dual(a) => dual::run(&cli, a).await,
            Command::Pool(a) => pool::run(&cli, a).await,
            Command::Pathway(a) => pathway::run(&cli, a).await,
            Command::Funding(a) => funding::run(&cli, a).await,
            Command::Integrity(a) => integrity::run(&cli, a).await,
            Command::QualityReport(a) => quality_report::run(&cli, a).await,
            Command::Audit(a) => audit::run(&cli, a).await,
            Command::Mail(a) => mail::run(&cli, a).await,
            Command::Year(a) => year::run(&cli, a).await,
            Command::Backup(a) => backup::run_backup(&cli, a).await,
            Command::Restore(a) => backup::run_restore(&cli, a).await,
            Command::Serve(a) => serve::run(&cli, a).await,
            Command::Demo(a) => demo::run(&cli, a).await,
        };
        close_opened().await;
        result
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<Refused>() => ExitCode::FAILURE,
        Err(e) => {
            let label = if lang == Lang::Zh { "错误" } else { "error" };
            eprintln!("vetis: {label}: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Output of the commands that print a table for people or JSON for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// Writes a file whole or not at all (a temporary file beside it, then renamed); it stays private
/// to its owner (0600), as a learner's credential or a list of named students should.
pub(crate) fn write_whole(out: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.persist(out).map_err(|e| e.error)?;
    Ok(())
}

/// The largest reference file (an agreements register, a coefficients table, a rule pack) read
/// whole: far above any real one, far below what would exhaust memory.
const REFERENCE_FILE_LIMIT: u64 = 16 << 20;

/// Reads a bureau's reference file (UTF-8 or GBK), refusing one too large to be one.
pub(crate) fn read_reference_text(file: &std::path::Path) -> anyhow::Result<String> {
    let size = std::fs::metadata(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?.len();
    if size > REFERENCE_FILE_LIMIT {
        anyhow::bail!(
            "{}: 文件过大（{size} 字节，上限 {REFERENCE_FILE_LIMIT}）/ the file is too large ({size} bytes, at most {REFERENCE_FILE_LIMIT}) for a reference file",
            file.display()
        );
    }
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
    crate::ingest::read::decode_text(&bytes).map_err(|p| anyhow::anyhow!("{}: {}", file.display(), p.message(Lang::Zh)))
}

/// A store error for the person at the terminal: a refusal's message printed (exit 1), a fault
/// of the system passed on.
pub(crate) fn refusal(e: crate::store::StoreError, lang: Lang) -> anyhow::Error {
    match e.message() {
        Some(m) => {
            eprintln!("vetis: {}", m.get(lang));
            Refused.into()
        }
        None => e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_work_after_the_subcommand() {
        let cli =
            Cli::try_parse_from(["vetis", "indicators", "--year", "2024", "--db", "x.db", "--lang", "en"]).unwrap();
        assert_eq!(cli.db, "x.db");
        assert_eq!(cli.lang, Lang::En);
    }
}

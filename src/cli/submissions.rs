//! `vetis submissions list|show|approve|return|restore`: the versions of what schools submitted,
//! and the review steps (the web offers the same to reviewers).

use super::Cli;
use crate::domain::standard::Table;
use crate::messages::Lang;
use crate::store::audit::os_user;
use crate::store::submissions::{self, Filter, Submission};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// 列出提交记录 / list submissions, newest first
    List {
        #[arg(long, value_parser = |s: &str| Table::from_name(s).ok_or_else(|| format!("unknown table '{s}'")))]
        table: Option<Table>,
        #[arg(long)]
        school: Option<String>,
        #[arg(long)]
        year: Option<i64>,
        /// submitted, approved, returned or superseded
        #[arg(long)]
        status: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
    /// 查看一次提交 / show one submission with its warnings
    Show { id: i64 },
    /// 审核通过 / approve a submission waiting for review
    Approve { id: i64 },
    /// 退回修改 / return a submission with a comment
    Return {
        id: i64,
        #[arg(long)]
        comment: String,
    },
    /// 恢复被替换的版本 / bring a replaced version back
    Restore { id: i64 },
}

fn status_zh(s: &str) -> &str {
    match s {
        "submitted" => "待审核",
        "approved" => "已通过",
        "returned" => "已退回",
        "superseded" => "已被替换",
        other => other,
    }
}

fn line(s: &Submission, lang: Lang) -> String {
    let status = if lang == Lang::Zh { status_zh(&s.status).to_string() } else { s.status.clone() };
    let year = s.year.map_or("—".to_string(), |y| y.to_string());
    format!(
        "{:>6}  {:<11} {} {:>4}  {:>8} {:<8} {} {} {}",
        s.id, s.table, s.school_code, year, s.row_count, status, s.submitted_at, s.submitted_by, s.file_name
    )
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let actor = os_user();
    let zh = cli.lang == Lang::Zh;
    match &args.action {
        Action::List { table, school, year, status, limit } => {
            let f = Filter {
                table: *table,
                school: school.clone(),
                year: *year,
                status: status.clone(),
                limit: *limit,
                ..Default::default()
            };
            for s in submissions::list(&db, &f).await? {
                println!("{}", line(&s, cli.lang));
            }
        }
        Action::Show { id } => {
            let s = submissions::get(&db, *id).await?;
            println!("{}", serde_json::to_string_pretty(&s)?);
        }
        Action::Approve { id } => {
            let s = submissions::approve(&db, *id, &actor, "cli").await?;
            println!(
                "{}",
                if zh { format!("已审核通过提交 {}", s.id) } else { format!("submission {} approved", s.id) }
            );
        }
        Action::Return { id, comment } => {
            let s = submissions::return_for_changes(&db, *id, &actor, "cli", comment).await?;
            println!("{}", if zh { format!("已退回提交 {}", s.id) } else { format!("submission {} returned", s.id) });
        }
        Action::Restore { id } => {
            let s = submissions::restore(&db, *id, &actor, "cli").await?;
            println!("{}", if zh { format!("已恢复提交 {}", s.id) } else { format!("submission {} restored", s.id) });
        }
    }
    Ok(())
}

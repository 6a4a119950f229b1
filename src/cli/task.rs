//! `vetis task add|assign|list|report|evidence`: the plan's tasks handed to undertaking schools,
//! their yearly plans and progress reports, and completion and overdue items.

use std::path::PathBuf;

use super::{Cli, Refused};
use crate::domain::tasks::ReportKind;
use crate::messages::Lang;
use crate::store::StoreError;
use crate::store::audit::os_user;
use crate::store::tasks;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// 建立规划任务 / add a task of the plan
    Add {
        code: String,
        #[arg(long)]
        title: String,
        /// 规划条目，如 三(七) / the plan section, e.g. 三(七)
        #[arg(long, default_value = "")]
        section: String,
    },
    /// 载入规划任务文件（新增或更新任务） / load the plan's tasks from a file (adds or renames by code)
    Load { file: PathBuf },
    /// 分配给承担学校，附预期成果 / assign a task to an undertaking school with expected outputs
    Assign {
        code: String,
        /// 学校代码或全称 / the school's code or full name
        #[arg(long)]
        school: String,
        /// 年度范围，如 2021-2025 / the years, e.g. 2021-2025
        #[arg(long, default_value = "2021-2025")]
        years: String,
        /// 预期成果：名称:单位:目标（可多次；省略时用任务文件建议的成果） / an expected output: name:unit:target (repeatable; the task file's suggestions when left out)
        #[arg(long = "output")]
        outputs: Vec<String>,
    },
    /// 任务完成情况与逾期事项 / completion and overdue items
    List {
        #[arg(long, conflicts_with = "district")]
        school: Option<String>,
        #[arg(long)]
        district: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// 报送年度实施方案或进展报告 / file a yearly plan or progress report
    Report {
        /// 分配编号（见 task list） / the assignment's number (see task list)
        assignment: i64,
        #[arg(long)]
        year: i64,
        /// plan（年度实施方案）或 progress（年度进展报告）
        #[arg(long)]
        kind: String,
        #[arg(long)]
        text: String,
        /// 成果数值：成果编号=数值（可多次） / a figure: output number=value (repeatable)
        #[arg(long = "figure")]
        figures: Vec<String>,
        /// 证明材料（PDF、图片、Office 文件，可多次） / evidence files (repeatable)
        #[arg(long = "evidence")]
        evidence: Vec<PathBuf>,
    },
}

fn years(s: &str) -> Result<(i64, i64), StoreError> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    match (a.trim().parse(), b.trim().parse()) {
        (Ok(a), Ok(b)) => Ok((a, b)),
        _ => Err(StoreError::refused(format!("“{s}”：年度应写作 2021-2025 / write the years as 2021-2025"))),
    }
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let zh = cli.lang == Lang::Zh;
    let actor = os_user();
    let result: Result<(), StoreError> = async {
        match &args.action {
            Action::Add { code, title, section } => {
                tasks::add_task(&db, code, title, section, &actor, "cli").await?;
                println!("{}", if zh { format!("已建立任务 {code}") } else { format!("task {code} added") });
            }
            Action::Load { file } => {
                let text = std::fs::read_to_string(file)
                    .map_err(|e| StoreError::refused(format!("{}: {e}", file.display())))?;
                let added = tasks::load_pack(&db, &text, &actor, "cli").await?;
                println!(
                    "{}",
                    if zh {
                        format!("已载入规划任务，新增 {added} 项")
                    } else {
                        format!("tasks loaded, {added} new")
                    }
                );
            }
            Action::Assign { code, school, years: y, outputs } => {
                let (first, last) = years(y)?;
                let outs = if outputs.is_empty() {
                    tasks::suggested_outputs(&db, code).await?
                } else {
                    outputs.iter().map(|o| tasks::parse_output(o)).collect::<Result<Vec<_>, _>>()?
                };
                let school = tasks::resolve_school(&db, school).await?;
                let id = tasks::assign(&db, code, &school, first, last, &outs, &actor, "cli").await?;
                println!("{}", if zh { format!("已分配，编号 {id}") } else { format!("assigned as {id}") });
            }
            Action::List { school, district, json } => {
                let list = tasks::assignments(&db, school.as_deref(), district.as_deref()).await?;
                if *json {
                    println!("{}", serde_json::to_string_pretty(&list).unwrap_or_default());
                    return Ok(());
                }
                let header: Vec<String> = if zh {
                    ["编号", "任务", "学校", "年度", "完成度", "逾期", "下一项"]
                } else {
                    ["no.", "task", "school", "years", "complete", "overdue", "next due"]
                }
                .map(String::from)
                .to_vec();
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|a| {
                        vec![
                            a.id.to_string(),
                            format!("{} {}", a.task_code, a.task_title),
                            format!("{} {}", a.school_code, a.school_name),
                            format!("{}–{}", a.first_year, a.last_year),
                            a.completion.map_or("—".into(), |c| format!("{c:.0}%")),
                            a.overdue.len().to_string(),
                            a.next_due().map_or("—".into(), |d| format!("{} {} {}", d.due, d.year, d.kind.zh())),
                        ]
                    })
                    .collect();
                print!("{}", super::table::render(&header, &rows, 0));
            }
            Action::Report { assignment, year, kind, text, figures, evidence } => {
                let kind = ReportKind::parse(kind)
                    .ok_or_else(|| StoreError::refused(format!("--kind 应为 plan 或 progress，而不是“{kind}”")))?;
                let mut figs = Vec::new();
                for f in figures {
                    let parsed = f
                        .split_once('=')
                        .and_then(|(o, v)| Some((o.trim().parse::<i64>().ok()?, v.trim().parse::<f64>().ok()?)));
                    figs.push(parsed.ok_or_else(|| {
                        StoreError::refused(format!("“{f}”：应写作 成果编号=数值 / write output=value"))
                    })?);
                }
                let id = tasks::file_report(&db, *assignment, *year, kind, text, &figs, &actor, "cli").await?;
                for path in evidence {
                    let bytes =
                        std::fs::read(path).map_err(|e| StoreError::refused(format!("{}: {e}", path.display())))?;
                    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("evidence");
                    tasks::add_evidence(&db, id, name, &bytes, &actor, "cli").await?;
                }
                println!(
                    "{}",
                    if zh {
                        format!("已报送 {year} {}（报告 {id}）", kind.zh())
                    } else {
                        format!("{year} {} filed (report {id})", kind.key())
                    }
                );
            }
        }
        Ok(())
    }
    .await;
    match result {
        Err(StoreError::Refused(m) | StoreError::Conflict(m)) => {
            eprintln!("vetis: {m}");
            Err(Refused.into())
        }
        other => Ok(other?),
    }
}

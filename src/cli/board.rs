//! `vetis progress board|remind|calendar`: who has submitted what of a statistical year (报送进度),
//! reminders to the late schools, and the statistical calendar that says when each table is due.

use std::path::PathBuf;

use super::{Cli, Refused, refusal};
use crate::domain::calendar::{Calendar, current_year};
use crate::figures::progress::{self, Scope};
use crate::messages::{Lang, time};
use crate::store::audit::os_user;
use crate::store::progress as store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Xlsx,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

/// Which schools: the city, a district or one school.
#[derive(Debug, clap::Args)]
pub struct Whose {
    /// 统计年度（默认：当前报送的年度） / the statistical year (default: the one being returned now)
    #[arg(long)]
    pub year: Option<i64>,
    /// 某区的学校 / a district's schools
    #[arg(long, conflicts_with = "school")]
    pub district: Option<String>,
    /// 一所学校 / one school
    #[arg(long)]
    pub school: Option<String>,
    /// 按此日期判断逾期（默认今天，北京时间） / judge lateness on this day (default today, Beijing time)
    #[arg(long, value_parser = parse_day)]
    pub on: Option<chrono::NaiveDate>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// 报送进度：学校 × 数据表 / the board: schools × tables
    Board {
        #[command(flatten)]
        whose: Whose,
        /// 只列有逾期的学校 / only schools with late returns
        #[arg(long)]
        late: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// 输出文件（xlsx） / output file (xlsx)
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// 向逾期未报送的学校发送催报通知 / send a reminder to every school with late returns
    Remind {
        #[command(flatten)]
        whose: Whose,
    },
    /// 发送系统通知：即将到期的数据、逾期的任务报告、约束性指标预警（serve 每 6 小时自动执行） / send the notices due now: returns due soon, overdue task reports, binding indicators in trouble (serve does it every 6 hours)
    Notify {
        /// 指标预警所依据的年度（默认：最新有数据的年度） / the year whose indicators are judged (default: the latest with data)
        #[arg(long)]
        year: Option<i32>,
    },
    /// 报送日历 / the statistical calendar
    Calendar {
        #[command(subcommand)]
        action: CalendarAction,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum CalendarAction {
    /// 当前使用的日历 / the calendar in use
    Show {
        #[arg(long)]
        year: Option<i32>,
    },
    /// 载入报送日历（TOML，新版本启用） / load a calendar (TOML; the new version is used)
    Load { file: PathBuf },
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("'{s}' is not a date YYYY-MM-DD"))
}

impl Whose {
    fn scope(&self) -> Scope {
        match (&self.district, &self.school) {
            (_, Some(s)) => Scope::School(s.clone()),
            (Some(d), None) => Scope::District(d.clone()),
            (None, None) => Scope::City,
        }
    }
    fn today(&self) -> chrono::NaiveDate {
        self.on.unwrap_or_else(time::today)
    }
    fn year(&self) -> i64 {
        self.year.unwrap_or_else(|| i64::from(current_year(self.today())))
    }
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let lang = cli.lang;
    let zh = lang == Lang::Zh;
    match &args.action {
        Action::Board { whose, late, format, out } => {
            let mut b = progress::board(&db, whose.year(), &whose.scope(), whose.today()).await?;
            if *late {
                b.rows.retain(|r| r.late > 0);
            }
            match format {
                Format::Json => println!("{}", serde_json::to_string_pretty(&b)?),
                Format::Xlsx => {
                    let out = out.as_ref().ok_or_else(|| anyhow::anyhow!("--format xlsx needs --out FILE.xlsx"))?;
                    super::write_whole(out, &crate::reports::progress::workbook(&b, lang)?)?;
                    println!("{}", out.display());
                }
                Format::Table => {
                    for c in &b.columns {
                        let name = if zh { c.name_zh } else { c.table };
                        let due = if zh { "截止" } else { "due" };
                        let done = if zh { "已报送" } else { "submitted" };
                        let ok = if zh { "已通过" } else { "approved" };
                        let overdue = if zh { "逾期" } else { "late" };
                        println!(
                            "{name:<12} {due} {}  {done} {}/{}  {ok} {}  {overdue} {}",
                            c.due, c.submitted, c.owed, c.approved, c.late
                        );
                    }
                    println!();
                    for r in &b.rows {
                        let cells: Vec<String> =
                            r.cells.iter().map(|c| crate::reports::progress::cell_text(c.as_ref(), lang)).collect();
                        println!("{} {}\t{}\t{}", r.school, r.name, r.district_name, cells.join("\t"));
                    }
                    let total = b.rows.len();
                    if zh {
                        println!(
                            "\n{} / {total} 所学校已报送 {} 年度全部应报数据（{} 为准）",
                            b.complete, b.year, b.today
                        );
                    } else {
                        println!(
                            "\n{} / {total} schools have submitted every {} return they owe (as of {})",
                            b.complete, b.year, b.today
                        );
                    }
                }
            }
        }
        Action::Remind { whose } => {
            let b = progress::board(&db, whose.year(), &whose.scope(), whose.today()).await?;
            let late = b.late();
            let from = if zh { "广州市教育局" } else { "the Guangzhou Education Bureau" };
            let told = store::remind(&db, b.year, &late, from, &b.today.to_string(), &os_user(), "cli")
                .await
                .map_err(|e| refusal(e, lang))?;
            if zh {
                println!("已向 {} 所逾期学校发送催报通知（{told} 个账号）", late.len());
            } else {
                println!("reminded {} late schools ({told} accounts)", late.len());
            }
        }
        Action::Notify { year: judged } => {
            let today = time::today();
            let year = i64::from(current_year(today));
            let mut due = 0;
            for y in [year - 1, year] {
                let b = progress::board(&db, y, &crate::figures::Scope::City, today).await?;
                due += progress::tell_due_soon(&db, &b).await?;
            }
            let tasks = crate::figures::alerts::tell_tasks_overdue(&db).await?;
            let plan = crate::store::refdata::active_plan(&db).await?;
            let judged = match judged {
                Some(y) => *y,
                None => crate::figures::indicators::latest_year(&db, plan.baseline_year).await?,
            };
            let alerts = crate::figures::alerts::tell_indicators_at_risk(&db, &plan, judged).await?;
            if zh {
                println!("已发送通知：数据即将到期 {due} 条，任务报告逾期 {tasks} 条，指标预警 {alerts} 条");
            } else {
                println!(
                    "notices sent: {due} returns due soon, {tasks} task reports overdue, {alerts} indicator alerts"
                );
            }
        }
        Action::Calendar { action: CalendarAction::Show { year } } => {
            let c = store::calendar(&db).await?;
            let y = year.unwrap_or_else(|| current_year(time::today()));
            println!("{} {} · {}", c.id, c.version, if zh { &c.name_zh } else { &c.name_en });
            for t in c.tables() {
                let due = c.due(t, y).map_or_else(String::new, |d| d.to_string());
                println!("{:<16} {:<10} {due}", t.key(), t.zh());
            }
        }
        Action::Calendar { action: CalendarAction::Load { file } } => {
            let text = super::read_reference_text(file)?;
            let c = Calendar::parse(&text).map_err(|errors| {
                for e in errors {
                    eprintln!("{}: {e}", file.display());
                }
                anyhow::Error::from(Refused)
            })?;
            let new = store::load_calendar(&db, &c, &text, &os_user(), "cli").await.map_err(|e| refusal(e, lang))?;
            let state = match (new, zh) {
                (true, true) => "已载入并启用",
                (false, true) => "已启用（此前已载入）",
                (true, false) => "loaded and in use",
                (false, false) => "in use (loaded before)",
            };
            println!("{} {}: {state}", c.id, c.version);
        }
    }
    Ok(())
}

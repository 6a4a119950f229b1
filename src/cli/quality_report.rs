//! `vetis quality-report tables|chapters`: the annual quality report (质量年度报告, plan 五(三)) of
//! a school or the city: its data tables computed from the approved records, and the chapters of
//! its template.

use super::{Cli, Format, refusal};
use crate::figures::quality::{self, Subject};
use crate::messages::Lang;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
    /// 输出格式 / output format
    #[arg(long, value_enum, default_value = "table", global = true)]
    pub format: Format,
}

/// Whose report: a school, or the city.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct Whose {
    /// 学校标识码 / the school
    #[arg(long)]
    school: Option<String>,
    /// 全市报告 / the city's report
    #[arg(long)]
    city: bool,
}

impl Whose {
    fn subject(&self) -> Subject {
        match &self.school {
            Some(s) => Subject::School(s.clone()),
            None => Subject::City,
        }
    }
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// 报告的数据表（由审核通过的数据计算） / the report's data tables, computed from approved records
    Tables {
        #[arg(long)]
        year: i64,
        #[command(flatten)]
        whose: Whose,
    },
    /// 报告的章节（国家大纲） / the report's chapters (the national outline)
    Chapters {
        #[arg(long)]
        year: i64,
        #[command(flatten)]
        whose: Whose,
    },
}

#[derive(serde::Serialize)]
struct ChapterJson<'a> {
    id: &'a str,
    name: &'a str,
    required: bool,
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let zh = cli.lang == Lang::Zh;
    let json = args.format == Format::Json;
    match &args.action {
        Action::Tables { year, whose } => {
            let t = quality::tables(&db, &whose.subject(), *year, cli.lang).await.map_err(|e| refusal(e, cli.lang))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&t)?);
                return Ok(());
            }
            println!("{} {} · {year}", t.template.name_zh, t.template.version);
            for table in &t.tables {
                println!("{} {}", table.id, table.name);
                for r in &table.rows {
                    let shown = match (r.value, &r.why) {
                        (Some(v), _) => format!("{v:.2} {}", r.unit),
                        (None, Some(w)) => w.text(cli.lang, &t.template),
                        (None, None) => "—".into(),
                    };
                    println!("  {:<30} {:<28} {shown}", r.id, r.name);
                }
            }
        }
        Action::Chapters { year: _, whose } => {
            let t = quality::template_for(&db, &whose.subject()).await.map_err(|e| refusal(e, cli.lang))?;
            let list: Vec<ChapterJson> = t
                .chapters
                .iter()
                .map(|c| ChapterJson {
                    id: &c.id,
                    name: if zh || c.name_en.is_empty() { &c.name_zh } else { &c.name_en },
                    required: c.required,
                })
                .collect();
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for c in &list {
                    println!(
                        "{:<14} {}{}",
                        c.id,
                        c.name,
                        if c.required { if zh { "（必写）" } else { " (required)" } } else { "" }
                    );
                }
            }
        }
    }
    Ok(())
}

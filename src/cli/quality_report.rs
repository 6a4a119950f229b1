//! `vetis quality-report tables|chapters|write|submit|approve|return|publish|render|status`: the
//! annual quality report (质量年度报告, plan 五(三)) of a school or the city: its data tables computed
//! from the approved records, the chapters written around them, the review, publication (which
//! freezes the tables) and the documents; and which reports are published, late or missing.

use std::path::PathBuf;

use super::{Cli, Format, Refused, refusal};
use crate::figures::quality::{self, Subject};
use crate::messages::Lang;
use crate::reports::quality as render;
use crate::store::audit::os_user;
use crate::store::quality_report::{self as store, Step};
use crate::workflow::quality_report::{document, publish, subject_key};

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
    /// 撰写一个章节（纯文本：## 标题、- 列表、[[table:ID]] 插入数据表） / write a chapter (## headings, - lists, [[table:ID]])
    Write {
        #[arg(long)]
        year: i64,
        #[command(flatten)]
        whose: Whose,
        #[arg(long)]
        chapter: String,
        #[arg(long)]
        text_file: PathBuf,
    },
    /// 提交审核（必写章节须已填写） / submit for review (every required chapter written)
    Submit {
        #[arg(long)]
        year: i64,
        #[command(flatten)]
        whose: Whose,
    },
    /// 审核通过 / approve
    Approve {
        #[arg(long)]
        year: i64,
        #[command(flatten)]
        whose: Whose,
    },
    /// 退回修改 / return with comments
    Return {
        #[arg(long)]
        year: i64,
        #[command(flatten)]
        whose: Whose,
        #[arg(long)]
        comment: String,
    },
    /// 发布（冻结数据表） / publish (the tables are frozen)
    Publish {
        #[arg(long)]
        year: i64,
        #[command(flatten)]
        whose: Whose,
        /// 发布日期（补录 VETIS 之前已发布的报告） / the day it was published, for a report published before VETIS
        #[arg(long, value_parser = parse_day)]
        published_on: Option<chrono::NaiveDate>,
    },
    /// 生成报告文档（HTML、PDF、DOCX） / write the report as HTML, PDF or DOCX
    Render {
        #[arg(long)]
        year: i64,
        #[command(flatten)]
        whose: Whose,
        /// 已发布的版本（数据冻结） / the published version (frozen data)
        #[arg(long)]
        published: bool,
        #[arg(long)]
        out: PathBuf,
    },
    /// 各校报告的状态与是否按时发布 / every report's status and timeliness
    Status {
        #[arg(long)]
        year: i64,
    },
    /// 报告模板：载入（TOML，按版本与起始年度）或列出 / report templates: load one (TOML) or list them
    Template {
        #[command(subcommand)]
        action: TemplateAction,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum TemplateAction {
    /// 载入模板（如 data/quality/secondary.toml 的新版本） / load a template (a new version of data/quality/*.toml)
    Load { file: PathBuf },
    /// 某年度各版本适用的模板 / the template each edition uses for a year
    List {
        #[arg(long)]
        year: i64,
    },
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("'{s}' is not a date YYYY-MM-DD"))
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
        Action::Chapters { year, whose } => {
            let t = quality::template_for(&db, &whose.subject(), *year).await.map_err(|e| refusal(e, cli.lang))?;
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
        Action::Write { year, whose, chapter, text_file } => {
            let text = super::read_reference_text(text_file)?;
            let t = quality::template_for(&db, &whose.subject(), *year).await.map_err(|e| refusal(e, cli.lang))?;
            let key = subject_key(&whose.subject());
            let r =
                store::write(&db, (&key, *year), &t, chapter, text.trim_start_matches('\u{feff}'), &os_user(), "cli")
                    .await
                    .map_err(|e| refusal(e, cli.lang))?;
            println!("{key} {year} v{} {chapter}: {}", r.version, if zh { "已保存" } else { "saved" });
        }
        Action::Submit { year, whose } | Action::Approve { year, whose } | Action::Return { year, whose, .. } => {
            let t = quality::template_for(&db, &whose.subject(), *year).await.map_err(|e| refusal(e, cli.lang))?;
            let s = match &args.action {
                Action::Submit { .. } => Step::Submit { template: &t },
                Action::Return { comment, .. } => Step::Return { comment },
                _ => Step::Approve,
            };
            let key = subject_key(&whose.subject());
            let r = store::step(&db, &key, *year, &s, &os_user(), "cli").await.map_err(|e| refusal(e, cli.lang))?;
            println!("{key} {year} v{} {}", r.version, if zh { r.status.zh() } else { r.status.key() });
        }
        Action::Publish { year, whose, published_on } => {
            let r = publish(&db, &whose.subject(), *year, *published_on, &os_user(), "cli")
                .await
                .map_err(|e| refusal(e, cli.lang))?;
            println!(
                "{} {year} v{} {} · data version {} · sha256 {}",
                r.subject,
                r.version,
                if zh { r.status.zh() } else { r.status.key() },
                r.data_version.unwrap_or_default(),
                r.snapshot_hash.unwrap_or_default()
            );
        }
        Action::Render { year, whose, published, out } => {
            let d = document(&db, &whose.subject(), *year, *published).await.map_err(|e| refusal(e, cli.lang))?;
            let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
            let bytes = match ext.as_str() {
                "html" | "htm" => render::html(&d).into_bytes(),
                "pdf" => render::pdf(&d).map_err(|e| refusal(e, cli.lang))?,
                "docx" => render::docx(&d).map_err(|e| refusal(e, cli.lang))?,
                _ => {
                    eprintln!(
                        "{}: {}",
                        out.display(),
                        if zh {
                            "请用 .html、.pdf 或 .docx 文件名"
                        } else {
                            "name the file .html, .pdf or .docx"
                        }
                    );
                    return Err(Refused.into());
                }
            };
            super::write_whole(out, &bytes).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
            println!("{} ({} bytes)", out.display(), bytes.len());
        }
        Action::Template { action: TemplateAction::Load { file } } => {
            let text = super::read_reference_text(file)?;
            let t = crate::domain::quality::Template::parse(&text).map_err(|errors| {
                for e in errors {
                    eprintln!("{}: {e}", file.display());
                }
                Refused
            })?;
            let new =
                quality::load_template(&db, &t, &text, &os_user(), "cli").await.map_err(|e| refusal(e, cli.lang))?;
            println!(
                "{} {} ({}, {}–) {}",
                t.id,
                t.version,
                t.edition.key(),
                t.first_year,
                if new { "loaded" } else { "in use (loaded before)" }
            );
        }
        Action::Template { action: TemplateAction::List { year } } => {
            // One school of each edition stands for its edition.
            let all = crate::store::registry::schools(&db).await?;
            let mut subjects = vec![Subject::City];
            for level in ["secondary", "higher"] {
                subjects.extend(all.iter().find(|s| s.level == level).map(|s| Subject::School(s.code.clone())));
            }
            for s in subjects {
                let t = quality::template_for(&db, &s, *year).await?;
                println!("{:<10} {} {} (first year {})", t.edition.key(), t.id, t.version, t.first_year);
            }
        }
        Action::Status { year } => {
            let rows = crate::workflow::quality_report::status(&db, *year).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                for r in rows {
                    println!(
                        "{}\t{}\t{}\t{}\t{}",
                        r.subject,
                        r.name,
                        r.status,
                        r.published_at.unwrap_or_default(),
                        r.timeliness.zh()
                    );
                }
            }
        }
    }
    Ok(())
}

//! `vetis integrity indicators|load|record|confirm|appeal|decide|repair|evidence|score|publish-check`:
//! the integrity ledger of training providers (plan 四(四)): events recorded by the bureau, with
//! their evidence files, confirmed, appealed once, decided, repaired after their display period; a
//! year's score with every deduction explained; what the public page would show. Trainees'
//! surveys, the providers register and the city's figures are in `public`.

mod public;

use chrono::NaiveDate;

use super::{Cli, Format, Refused, refusal};
use crate::domain::integrity::{EventKind, ScorecardPack, score};
use crate::messages::Lang;
use crate::store::audit::os_user;
use crate::store::integrity::{self, NewEvent, Step};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
    /// 输出格式 / output format
    #[arg(long, value_enum, default_value = "table", global = true)]
    pub format: Format,
}

fn parse_kind(s: &str) -> Result<EventKind, String> {
    EventKind::parse(s).ok_or_else(|| {
        let keys: Vec<&str> = EventKind::ALL.iter().map(|k| k.key()).collect();
        format!("'{s}' is not one of {}", keys.join(", "))
    })
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("'{s}' is not a date YYYY-MM-DD"))
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// 评价指标 / the scorecard's indicators
    Indicators,
    /// 载入评价指标（TOML，新版本启用） / load a scorecard (TOML)
    Load { file: std::path::PathBuf },
    /// 记录一个事件（草稿） / record an event (a draft)
    Record {
        #[arg(long)]
        school: String,
        #[arg(long)]
        indicator: String,
        /// complaint, refund, subsidy, reporting, inspection, sanction, commendation
        #[arg(long, value_parser = parse_kind)]
        kind: EventKind,
        #[arg(long, value_parser = parse_date)]
        date: NaiveDate,
        #[arg(long)]
        points: i64,
        #[arg(long)]
        facts: String,
        /// 依据 / legal basis
        #[arg(long, default_value = "")]
        basis: String,
        /// 行政处罚决定书文号 / a sanction's decision number
        #[arg(long)]
        decision_no: Option<String>,
        /// 公示天数（默认按评价指标，一般为 365 天） / days on the public page (default: the scorecard's, usually 365)
        #[arg(long)]
        display_days: Option<i64>,
        /// 证明材料（可多个；PDF、图片、DOCX、XLSX） / evidence files (PDF, images, DOCX, XLSX)
        #[arg(long = "evidence")]
        evidence: Vec<std::path::PathBuf>,
    },
    /// 为事件补充证明材料 / add evidence files to an event
    Evidence {
        id: i64,
        #[arg(required = true)]
        files: Vec<std::path::PathBuf>,
    },
    /// 确认（公示前） / confirm a draft
    Confirm { id: i64 },
    /// 申诉（一次） / appeal (once)
    Appeal {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// 申诉决定 / decide an appeal
    Decide {
        id: i64,
        #[arg(long, group = "decision")]
        uphold: bool,
        #[arg(long, group = "decision")]
        withdraw: bool,
        /// 变更后的分值 / the varied points
        #[arg(long, group = "decision")]
        vary: Option<i64>,
    },
    /// 信用修复（公示期满并整改后） / credit repair (after the display period, with a corrective report)
    Repair {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// 某校某年的得分与等级，逐项说明 / a provider's score and grade of a year, every deduction explained
    Score {
        #[arg(long)]
        school: String,
        #[arg(long)]
        year: i32,
    },
    /// 公示页面将显示的内容 / what the public page would show
    PublishCheck {
        #[arg(long)]
        school: String,
        /// 评分年度（默认：最近有培训数据的年度） / the year scored (default: the latest with training)
        #[arg(long)]
        year: Option<i64>,
    },
    #[command(flatten)]
    Public(public::Action),
}

/// Reads the files given, each checked (kind, size) before anything is stored: (name, bytes).
fn read_files(paths: &[std::path::PathBuf]) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut out = Vec::new();
    for path in paths {
        let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("evidence").to_string();
        integrity::evidence::vet(&name, &bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        out.push((name, bytes));
    }
    Ok(out)
}

/// `vetis integrity indicators --format json`: `[{"id", "name", "max_points"}]`.
#[derive(serde::Serialize)]
struct IndicatorJson<'a> {
    id: &'a str,
    name: &'a str,
    max_points: i64,
}

/// `vetis integrity score --format json`: `{"score", "grade", "deductions", "history"}`.
#[derive(serde::Serialize)]
struct ScoreJson<'a> {
    score: i64,
    grade: &'a str,
    deductions: &'a [crate::domain::integrity::Deduction],
    history: Vec<serde_json::Value>,
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let zh = cli.lang == Lang::Zh;
    let json = args.format == Format::Json;
    let actor = os_user();
    let done = |s: crate::domain::integrity::EventStatus, id: i64| {
        println!("{id} {}", if zh { s.zh() } else { s.key() });
    };
    match &args.action {
        Action::Indicators => {
            let pack = integrity::pack(&db).await?;
            if json {
                let list: Vec<IndicatorJson> = pack
                    .indicators
                    .iter()
                    .map(|i| IndicatorJson {
                        id: &i.id,
                        name: if zh || i.name_en.is_empty() { &i.name_zh } else { &i.name_en },
                        max_points: i.max_points,
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                println!("{} {} · {}", pack.id, pack.version, pack.name_zh);
                for i in &pack.indicators {
                    println!("  {:<12} {:>4}  {}  {}", i.id, i.max_points, i.name_zh, i.rule);
                }
                for g in &pack.grades {
                    println!("  {} ≥ {:<4} {}", g.grade, g.min, if zh { &g.meaning_zh } else { &g.meaning_en });
                }
            }
        }
        Action::Load { file } => {
            let text = super::read_reference_text(file)?;
            let pack = ScorecardPack::parse(&text).map_err(|errors| {
                for e in errors {
                    eprintln!("{}: {e}", file.display());
                }
                Refused
            })?;
            let new = integrity::load_pack(&db, &pack, &text, &actor, "cli").await.map_err(|e| refusal(e, cli.lang))?;
            println!("{} {} {}", pack.id, pack.version, if new { "loaded" } else { "in use (loaded before)" });
        }
        Action::Record { school, indicator, kind, date, points, facts, basis, decision_no, display_days, evidence } => {
            let files = read_files(evidence)?;
            let e = NewEvent {
                school,
                indicator,
                kind: *kind,
                date: *date,
                points: *points,
                facts,
                legal_basis: basis,
                decision_no: decision_no.as_deref(),
                display_days: *display_days,
                evidence: &files,
            };
            let id = integrity::record(&db, &e, &actor, "cli").await.map_err(|e| refusal(e, cli.lang))?;
            if json {
                println!("{}", serde_json::json!({"id": id}));
            } else {
                println!("{id}");
            }
        }
        Action::Confirm { id } => {
            done(
                integrity::step(&db, *id, &Step::Confirm, &actor, "cli").await.map_err(|e| refusal(e, cli.lang))?,
                *id,
            );
        }
        Action::Appeal { id, reason } => {
            let s = integrity::step(&db, *id, &Step::Appeal { reason }, &actor, "cli").await;
            done(s.map_err(|e| refusal(e, cli.lang))?, *id);
        }
        Action::Decide { id, uphold, withdraw, vary } => {
            let s = match (uphold, withdraw, vary) {
                (true, _, _) => Step::Uphold,
                (_, true, _) => Step::Withdraw,
                (_, _, Some(p)) => Step::Vary { points: *p },
                _ => anyhow::bail!("give --uphold, --withdraw or --vary N"),
            };
            done(integrity::step(&db, *id, &s, &actor, "cli").await.map_err(|e| refusal(e, cli.lang))?, *id);
        }
        Action::Repair { id, reason } => {
            let today = chrono::Local::now().date_naive();
            let s = integrity::step(&db, *id, &Step::Repair { reason, today }, &actor, "cli").await;
            done(s.map_err(|e| refusal(e, cli.lang))?, *id);
        }
        Action::Score { school, year } => {
            let pack = integrity::pack(&db).await?;
            let records = integrity::events(&db, school, Some(*year)).await?;
            let events: Vec<_> = records.iter().map(|r| r.event.clone()).collect();
            let s = score(&pack, &events);
            let history: Vec<serde_json::Value> = records
                .iter()
                .map(|r| {
                    serde_json::json!({"event": r.event.id, "indicator": r.event.indicator, "kind": r.event.kind.key(),
                        "date": r.event.date, "points": r.event.points, "varied_points": r.event.varied_points,
                        "status": r.event.status.key(), "repaired": r.event.repaired, "counts": r.event.standing_points() > 0})
                })
                .collect();
            if json {
                let out = ScoreJson { score: s.score, grade: &s.grade, deductions: &s.deductions, history };
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                let meaning =
                    pack.grade(s.score).map_or("", |g| if zh { g.meaning_zh.as_str() } else { g.meaning_en.as_str() });
                println!("{school} {year}: {} · {} · {meaning}", s.score, s.grade);
                for d in &s.deductions {
                    let name = pack.indicator(&d.indicator).map_or("", |i| i.name_zh.as_str());
                    println!("  −{:<4} {} {name} (event {})", d.points, d.indicator, d.event);
                }
                for r in &records {
                    println!(
                        "  #{} {} {} {} {}{}",
                        r.event.id,
                        r.event.date,
                        r.event.kind.zh(),
                        r.event.points,
                        r.event.status.zh(),
                        if r.event.repaired { " · 已修复" } else { "" }
                    );
                }
            }
        }
        Action::Evidence { id, files } => {
            for (name, bytes) in read_files(files)? {
                let saved = integrity::evidence::add(&db, *id, &name, &bytes, &actor, "cli").await;
                let saved = saved.map_err(|e| refusal(e, cli.lang))?;
                println!("{} #{saved}: {name}", if zh { "已保存证明材料" } else { "evidence saved" });
            }
        }
        Action::PublishCheck { school, year } => {
            let today = chrono::Local::now().date_naive();
            let Some(page) = crate::figures::integrity::public_page(&db, school, *year, today).await? else {
                eprintln!(
                    "{}",
                    if zh { format!("{school} 不是培训机构") } else { format!("{school} is not a provider") }
                );
                return Err(Refused.into());
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&page)?);
            } else {
                public::print_page(&page, zh);
            }
        }
        Action::Public(a) => public::run(cli, &db, a, json, &actor).await?,
    }
    Ok(())
}

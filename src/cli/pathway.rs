//! `vetis pathway agreements load|list, scheme load|show, funnel, figures, admissions`: the 3+2,
//! five-year and through agreements (plan 三(二)), the transfer assessment scheme, cohort funnels
//! linked by person across schools, and an upper school's admission list.

use std::path::{Path, PathBuf};

use super::{Cli, Format, Refused, refusal};
use crate::domain::pathway::funnel::{Funnel, Stage};
use crate::domain::pathway::scheme::SchemePack;
use crate::domain::standard::{TRANSFER_EXEMPTIONS, find_choice};
use crate::figures::pathway::{self as figures, Rollup};
use crate::messages::Lang;
use crate::store::audit::{self, Entry, os_user};
use crate::store::{StoreError, pathway};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
    /// 输出格式 / output format
    #[arg(long, value_enum, default_value = "table", global = true)]
    pub format: Format,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// 贯通培养协议名册 / the agreements register
    Agreements {
        #[command(subcommand)]
        action: AgreementsAction,
    },
    /// 转段考核方案 / the transfer assessment scheme
    Scheme {
        #[command(subcommand)]
        action: SchemeAction,
    },
    /// 一个协议一届学生的升学漏斗 / the cohort funnel of one agreement and intake year
    Funnel {
        #[arg(long)]
        agreement: String,
        /// 入学年份 / intake year
        #[arg(long)]
        intake: i64,
    },
    /// 全市、各区、各校、各培养模式的漏斗 / funnels for the city, districts, schools and pathways
    Figures {
        /// 只看某一届 / one intake year only
        #[arg(long)]
        intake: Option<i64>,
        #[arg(long, value_enum, default_value = "city")]
        by: By,
    },
    /// 高职（本科）学校某年的转段录取名单 / an upper school's admission list for a year
    Admissions {
        /// 后段（高职或本科）学校标识码 / the upper school
        #[arg(long)]
        school: String,
        /// 升入后段的年份 / the year of admission
        #[arg(long)]
        year: i64,
        /// 写入 XLSX 文件 / write an XLSX file
        #[arg(long)]
        out: Option<PathBuf>,
        /// 导出未脱敏的个人信息（记入审计日志） / personal data unmasked (audited)
        #[arg(long)]
        unmask: bool,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum AgreementsAction {
    /// 载入名册（CSV，整体替换） / load the register (CSV, replaces it whole)
    Load { file: PathBuf },
    /// 列出名册 / list the register
    List,
}

#[derive(Debug, clap::Subcommand)]
pub enum SchemeAction {
    /// 载入方案（TOML） / load a scheme file (TOML)
    Load { file: PathBuf },
    /// 显示使用中的方案 / print the scheme in use
    Show,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    City,
    District,
    School,
    Pathway,
    Agreement,
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let zh = cli.lang == Lang::Zh;
    let json = args.format == Format::Json;
    match &args.action {
        Action::Agreements { action: AgreementsAction::Load { file } } => {
            let text = super::read_reference_text(file)?;
            match pathway::load_agreements(&db, &text, &os_user(), "cli").await {
                Ok(n) => println!(
                    "{}",
                    if zh { format!("已载入 {n} 个贯通培养协议") } else { format!("{n} agreements loaded") }
                ),
                Err(errors) => {
                    for e in errors {
                        eprintln!("{}: {e}", file.display());
                    }
                    return Err(Refused.into());
                }
            }
        }
        Action::Agreements { action: AgreementsAction::List } => {
            let list = pathway::agreements(&db).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                println!("{}", crate::domain::pathway::AGREEMENT_COLUMNS.join(","));
                for a in list {
                    println!(
                        "{},{},{},{},{},{},{},{},{}",
                        a.code,
                        a.pathway.key(),
                        a.lower_school,
                        a.lower_program,
                        a.upper_school,
                        a.upper_program,
                        a.first_intake,
                        a.last_intake,
                        a.quota.map(|q| q.to_string()).unwrap_or_default()
                    );
                }
            }
        }
        Action::Scheme { action: SchemeAction::Load { file } } => {
            let text = super::read_reference_text(file)?;
            let pack = match SchemePack::parse(&text) {
                Ok(p) => p,
                Err(errors) => {
                    for e in errors {
                        eprintln!("{}: {e}", file.display());
                    }
                    return Err(Refused.into());
                }
            };
            let new =
                pathway::load_scheme(&db, &pack, &text, &os_user(), "cli").await.map_err(|e| refusal(e, cli.lang))?;
            println!(
                "{} {} {}",
                pack.id,
                pack.version,
                match (new, zh) {
                    (true, true) => "已载入并启用",
                    (false, true) => "已启用（此前已载入）",
                    (true, false) => "loaded and in use",
                    (false, false) => "in use (loaded before)",
                }
            );
        }
        Action::Scheme { action: SchemeAction::Show } => {
            let pack = pathway::scheme(&db).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&pack)?);
            } else {
                println!("{} {} {}", pack.id, pack.version, pack.name_zh);
                for s in &pack.schemes {
                    let ex: Vec<&str> = s
                        .exemptions
                        .iter()
                        .map(|k| find_choice(TRANSFER_EXEMPTIONS, k).map_or(k.as_str(), |c| c.zh))
                        .collect();
                    println!(
                        "  {} 级起：满分 {}，{} 分及以上通过；免考：{}；依据：{}",
                        s.from_intake_year,
                        s.max_score,
                        s.threshold,
                        if ex.is_empty() { "无".into() } else { ex.join("、") },
                        s.source
                    );
                    for c in &s.components {
                        println!("    {:>5.1}%  {}", c.weight * 100.0, c.name_zh);
                    }
                }
            }
        }
        Action::Funnel { agreement, intake } => funnel(&db, agreement, *intake, json, cli.lang).await?,
        Action::Figures { intake, by } => {
            let f = figures::figures(&db).await?;
            let rows: Vec<Rollup> = match by {
                By::City => f.city,
                By::District => f.by_district,
                By::School => f.by_school,
                By::Pathway => f.by_pathway,
                By::Agreement => f
                    .funnels
                    .into_iter()
                    .map(|r| Rollup {
                        key: r.agreement.code.clone(),
                        label: format!(
                            "{} {}→{}",
                            r.agreement.pathway.zh(),
                            r.agreement.lower_program,
                            r.agreement.upper_program
                        ),
                        intake: r.intake,
                        funnel: r.funnel,
                    })
                    .collect(),
            };
            let rows: Vec<Rollup> = rows.into_iter().filter(|r| intake.is_none_or(|y| r.intake == y)).collect();
            if json {
                let out: Vec<RollupJson> = rows
                    .iter()
                    .map(|r| RollupJson {
                        key: &r.key,
                        label: &r.label,
                        intake: r.intake,
                        stages: stages_json(&r.funnel),
                        transfer_rate: r.funnel.transfer_rate(),
                        quota: r.funnel.quota,
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                let mut header: Vec<String> =
                    vec![if zh { "范围" } else { "scope" }.into(), if zh { "入学年份" } else { "intake" }.into()];
                header.extend(Stage::ALL.iter().map(|s| if zh { s.zh().to_string() } else { s.key().to_string() }));
                header.push(if zh { "升学率%" } else { "transfer %" }.into());
                let body: Vec<Vec<String>> = rows
                    .iter()
                    .map(|r| {
                        let mut line = vec![r.label.clone(), r.intake.to_string()];
                        line.extend(r.funnel.counts.iter().map(i64::to_string));
                        line.push(pct(r.funnel.transfer_rate()));
                        line
                    })
                    .collect();
                print!("{}", super::table::render(&header, &body, 1));
            }
        }
        Action::Admissions { school, year, out, unmask } => {
            let list = pathway::admissions(&db, school, *year, *unmask).await?;
            let detail = format!(
                "school {school}, year {year}, {} rows, {}",
                list.len(),
                if *unmask { "UNMASKED" } else { "masked" }
            );
            let e = Entry {
                actor: &os_user(),
                action: if *unmask { "admissions_unmasked" } else { "admissions" },
                object: &out.as_ref().map_or("stdout".into(), |p| p.display().to_string()),
                detail: &detail,
                source: "cli",
            };
            audit::record(&db.pool, &e).await.map_err(|e| refusal(e, cli.lang))?;
            admissions(&list, out.as_deref(), json, zh)?;
        }
    }
    Ok(())
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{v:.1}"))
}

/// One stage as scripts read it: `{"stage", "count"}`, in that order.
#[derive(serde::Serialize)]
struct StageCount {
    stage: &'static str,
    count: i64,
}

/// `vetis pathway funnel --format json`: `{"stages": [...], "transfer_rate"}`.
#[derive(serde::Serialize)]
struct FunnelJson {
    stages: Vec<StageCount>,
    transfer_rate: Option<f64>,
}

/// `vetis pathway figures --format json`: a funnel added up, with what it covers.
#[derive(serde::Serialize)]
struct RollupJson<'a> {
    key: &'a str,
    label: &'a str,
    intake: i64,
    stages: Vec<StageCount>,
    transfer_rate: Option<f64>,
    quota: Option<i64>,
}

fn stages_json(f: &Funnel) -> Vec<StageCount> {
    Stage::ALL.iter().map(|s| StageCount { stage: s.key(), count: f.count(*s) }).collect()
}

async fn funnel(db: &crate::store::Db, code: &str, intake: i64, json: bool, lang: Lang) -> anyhow::Result<()> {
    let zh = lang == Lang::Zh;
    let Some(a) = pathway::agreements(db).await?.into_iter().find(|a| a.code == code) else {
        return Err(refusal(
            StoreError::not_found(format!(
                "协议“{code}”不在名册中（vetis pathway agreements list） / agreement '{code}' is not in the register (vetis pathway agreements list)"
            )),
            lang,
        ));
    };
    if !a.runs_intake(intake) {
        return Err(refusal(
            StoreError::refused(format!(
                "协议“{code}”只适用于 {}—{} 年入学 / agreement '{code}' covers intakes {}–{} only",
                a.first_intake, a.last_intake, a.first_intake, a.last_intake
            )),
            lang,
        ));
    }
    let rows = figures::funnels(db, Some(code), Some(intake)).await?;
    let f = rows.into_iter().next().map(|r| r.funnel).unwrap_or_default();
    if json {
        let out = FunnelJson { stages: stages_json(&f), transfer_rate: f.transfer_rate() };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!(
        "{} {} {} {} → {} {} · {} {intake}{}",
        a.code,
        a.pathway.zh(),
        a.lower_school,
        a.lower_program,
        a.upper_school,
        a.upper_program,
        if zh { "入学年份" } else { "intake" },
        a.quota.map(|q| format!(" · {} {q}", if zh { "计划" } else { "quota" })).unwrap_or_default()
    );
    let entered = f.count(Stage::Entered);
    let body: Vec<Vec<String>> = Stage::ALL
        .iter()
        .map(|s| {
            let n = f.count(*s);
            let share = (entered > 0).then(|| n as f64 / entered as f64 * 100.0);
            vec![s.key().to_string(), s.zh().to_string(), n.to_string(), pct(share)]
        })
        .collect();
    let header: Vec<String> =
        ["stage", "阶段", if zh { "人数" } else { "count" }, if zh { "占入学%" } else { "% of entered" }]
            .map(String::from)
            .to_vec();
    print!("{}", super::table::render(&header, &body, 2));
    let [a1, a2] = f.attrition();
    println!(
        "{}: {} · {}: {} · {}: {} / {}",
        if zh { "升学率（升入对口专业 ÷ 入学）" } else { "transfer rate (admitted ÷ entered)" },
        pct(f.transfer_rate()),
        if zh { "占第三年在读" } else { "of year-3 enrolment" },
        pct(f.rate_of_year_3()),
        if zh { "流失率（第一→二年 / 第二→三年）" } else { "attrition (year 1→2 / 2→3)" },
        pct(a1),
        pct(a2)
    );
    if f.unmatched_results > 0 {
        println!(
            "{}",
            if zh {
                format!("注意：{} 条考核结果的学生不在此届名单中（请核对）", f.unmatched_results)
            } else {
                format!("note: {} results are of persons not in this cohort (check them)", f.unmatched_results)
            }
        );
    }
    Ok(())
}

fn admissions(list: &[pathway::Admission], out: Option<&Path>, json: bool, zh: bool) -> anyhow::Result<()> {
    let exemption = |e: &Option<String>| {
        e.as_deref()
            .map_or(String::new(), |k| find_choice(TRANSFER_EXEMPTIONS, k).map_or(k.to_string(), |c| c.zh.to_string()))
    };
    if let Some(path) = out {
        let bytes = crate::reports::xlsx::admission_list(list)?;
        super::write_whole(path, &bytes)?;
        eprintln!(
            "{}",
            if zh {
                format!("已写出 {} 名学生到 {}", list.len(), path.display())
            } else {
                format!("{} students written to {}", list.len(), path.display())
            }
        );
    } else if json {
        println!("{}", serde_json::to_string_pretty(list)?);
    } else {
        let header: Vec<String> = crate::reports::xlsx::ADMISSION_COLUMNS.map(String::from).to_vec();
        let body: Vec<Vec<String>> = list
            .iter()
            .map(|a| {
                vec![
                    a.agreement_code.clone(),
                    a.lower_school_code.clone(),
                    a.lower_program_code.clone(),
                    a.upper_program_code.clone(),
                    a.intake_year.to_string(),
                    a.id_number.clone(),
                    a.name.clone(),
                    a.score.map(|s| format!("{s}")).unwrap_or_default(),
                    exemption(&a.exemption),
                    a.submission_id.to_string(),
                    a.row_no.to_string(),
                ]
            })
            .collect();
        print!("{}", super::table::render(&header, &body, 7));
    }
    Ok(())
}

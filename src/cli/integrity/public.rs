//! `vetis integrity providers|codes|ratings|figures`: who the providers are on the public pages,
//! one-time codes for the trainees' public survey form, each project's ratings under the response
//! rules, and the city's integrity figures; and the text form of a provider's public page.

use std::path::PathBuf;

use super::super::{Cli, Refused, refusal};
use crate::domain::integrity::providers::parse_providers;
use crate::domain::integrity::ratings::{Rating, SurveyKind, Verdict};
use crate::figures::integrity::{self as fig, PublicPage, city};
use crate::store::Db;
use crate::store::integrity::{providers, survey};

fn parse_survey(s: &str) -> Result<SurveyKind, String> {
    SurveyKind::parse(s).ok_or_else(|| format!("'{s}' is not completion or outcome"))
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// 培训机构名册（学校的统一社会信用代码；校外机构） / the providers register
    Providers {
        #[command(subcommand)]
        action: ProvidersAction,
    },
    /// 发放学员评价的一次性邀请码（只显示一次） / issue one-time codes for the public survey form (shown once)
    Codes {
        #[arg(long)]
        school: String,
        #[arg(long)]
        year: i64,
        #[arg(long)]
        project: String,
        /// completion（结业评价）或 outcome（跟踪调查）
        #[arg(long, value_parser = parse_survey)]
        survey: SurveyKind,
        #[arg(long)]
        count: i64,
        /// 写入 CSV 文件（发给学员） / the CSV file to write (to hand out)
        #[arg(long)]
        out: PathBuf,
    },
    /// 各培训项目的评价（达到最低答卷数与答卷率方公布） / each project's ratings under the response rules
    Ratings {
        #[arg(long)]
        school: String,
        #[arg(long)]
        year: Option<i64>,
    },
    /// 全市诚信统计 / the city's integrity figures
    Figures {
        #[arg(long)]
        year: Option<i64>,
    },
}

#[derive(Debug, clap::Subcommand)]
pub enum ProvidersAction {
    /// 载入名册（CSV：provider_code,credit_code,name,district_code,address），整体替换 / load the register (replaces it whole)
    Load { file: PathBuf },
    /// 列出名册 / list the register
    List,
}

pub async fn run(cli: &Cli, db: &Db, action: &Action, json: bool, actor: &str) -> anyhow::Result<()> {
    let zh = cli.lang == crate::messages::Lang::Zh;
    let today = chrono::Local::now().date_naive();
    match action {
        Action::Providers { action: ProvidersAction::Load { file } } => {
            let text = super::super::read_reference_text(file)?;
            let schools: std::collections::HashSet<String> =
                crate::store::registry::schools(db).await?.into_iter().map(|s| s.code).collect();
            let districts = crate::store::registry::district_names(db).await?;
            let list =
                parse_providers(&text, &|c| schools.contains(c), &|d| districts.contains_key(d)).map_err(|errors| {
                    for e in errors {
                        eprintln!("{}: {e}", file.display());
                    }
                    Refused
                })?;
            providers::load(db, &list, actor, "cli").await.map_err(|e| refusal(e, cli.lang))?;
            println!("{} {}", list.len(), if zh { "个培训机构已载入" } else { "providers loaded" });
        }
        Action::Providers { action: ProvidersAction::List } => {
            let all = providers::all(db).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                for p in all {
                    println!(
                        "{}\t{}\t{}\t{}",
                        p.code,
                        p.credit_code.as_deref().unwrap_or("—"),
                        p.district_code,
                        p.name
                    );
                }
            }
        }
        Action::Codes { school, year, project, survey: kind, count, out } => {
            let request = survey::CodeRequest { school, year: *year, project, survey: *kind, count: *count };
            let codes = survey::issue_codes(db, &request, actor, "cli").await.map_err(|e| refusal(e, cli.lang))?;
            let mut text = String::from("\u{feff}code,school_code,year,project_code,survey\n");
            for c in &codes {
                text.push_str(&format!("{c},{school},{year},{project},{}\n", kind.key()));
            }
            super::super::write_whole(out, text.as_bytes()).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
            println!(
                "{} {} → {}",
                codes.len(),
                if zh {
                    "个邀请码（仅此一次显示，库中只存摘要）"
                } else {
                    "codes (shown this once; only digests are kept)"
                },
                out.display()
            );
        }
        Action::Ratings { school, year } => {
            let year = match year {
                Some(y) => *y,
                None => fig::default_year(db, today).await?,
            };
            let Some(page) = fig::public_page(db, school, Some(year), today).await? else {
                eprintln!("{school}: {}", if zh { "不是培训机构" } else { "not a provider" });
                return Err(Refused.into());
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&page.projects)?);
            } else {
                for p in &page.projects {
                    println!("{} {} · {} · {}", p.project_code, p.name, p.category_zh, p.person_times);
                    for r in &p.ratings {
                        println!("  {}", rating_line(r, zh));
                    }
                }
            }
        }
        Action::Figures { year } => {
            let year = match year {
                Some(y) => *y,
                None => fig::default_year(db, today).await?,
            };
            let f = city::figures(db, year).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&f)?);
            } else {
                print_figures(&f, zh);
            }
        }
    }
    Ok(())
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".into(), |v| format!("{v:.1}%"))
}

/// A survey's line: the count and rate always, the items only when published.
pub fn rating_line(r: &Rating, zh: bool) -> String {
    let head = format!(
        "{} n={} / {} ({})",
        if zh { r.survey.zh() } else { r.survey.key() },
        r.responses,
        r.base,
        pct(r.rate.map(|v| v * 100.0))
    );
    match r.verdict {
        Verdict::TooFew { needed } => {
            format!(
                "{head}: {}",
                if zh {
                    format!("答卷少于 {needed} 份，不公布评分")
                } else {
                    format!("fewer than {needed} answers: no rating")
                }
            )
        }
        Verdict::LowRate { needed } => format!(
            "{head}: {}",
            if zh {
                format!("答卷率低于 {:.0}%，不公布评分", needed * 100.0)
            } else {
                format!("response rate below {:.0}%: no rating", needed * 100.0)
            }
        ),
        Verdict::Published => {
            let mut parts: Vec<String> =
                r.items.iter().map(|i| format!("{} {:.2} [{:.2}, {:.2}]", i.item, i.estimate, i.low, i.high)).collect();
            parts.extend(
                r.shares.iter().map(|s| {
                    format!("{} {:.1}% [{:.1}, {:.1}]", s.item, s.share * 100.0, s.low * 100.0, s.high * 100.0)
                }),
            );
            format!("{head}: {}", parts.join(" · "))
        }
    }
}

/// The text form of a provider's public page.
pub fn print_page(p: &PublicPage, zh: bool) {
    println!(
        "{} {} · {} {} · {} {} ({}) · {}",
        p.provider.code,
        p.provider.name,
        p.year,
        if zh { "年度" } else { "" },
        p.score,
        p.grade,
        p.previous_grade.as_deref().unwrap_or("—"),
        if zh { &p.meaning_zh } else { &p.meaning_en }
    );
    for d in &p.deductions {
        let event = d.event.map_or_else(|| "(公示期满)".to_string(), |e| format!("#{e}"));
        println!("  −{:<4} {} {} {event}", d.points, d.indicator, d.indicator_zh);
    }
    if p.disclosures.is_empty() {
        println!("{}", if zh { "公示页面不显示任何事件" } else { "the public page shows no event" });
    }
    for d in &p.disclosures {
        println!(
            "  [{}] {} {} · {} · {} · {} · {}{}",
            d.event,
            d.date,
            d.decision_no.as_deref().unwrap_or("—"),
            d.facts,
            d.content,
            d.status,
            d.display_until,
            d.appeal.as_ref().map(|a| format!(" · {a}")).unwrap_or_default()
        );
    }
    for pr in &p.projects {
        println!("  {} {} · {}", pr.project_code, pr.name, pr.category_zh);
        for r in &pr.ratings {
            println!("    {}", rating_line(r, zh));
        }
    }
}

fn print_figures(f: &city::CityFigures, zh: bool) {
    println!("{} {}", f.year, if zh { "年度培训机构诚信统计" } else { "training integrity figures" });
    println!("{}", if zh { "等级分布（按区）" } else { "grades by district" });
    for r in f.by_district.iter().chain(f.by_category.iter()) {
        let counts: Vec<String> =
            f.grade_order.iter().map(|g| format!("{g} {}", r.grades.get(g).unwrap_or(&0))).collect();
        println!("  {:<16} {}", r.name, counts.join("  "));
    }
    println!("{}", if zh { "投诉与结业、取证（按区、全市）" } else { "complaints, completion and certification" });
    for r in &f.rates {
        println!(
            "  {:<16} {:>8} {} {:>4} ({} /10k) {} {}",
            r.name,
            r.person_times,
            if zh { "人次 投诉" } else { "person-times, complaints" },
            r.complaints,
            r.complaints_per_10k.map_or_else(|| "—".into(), |v| format!("{v:.2}")),
            pct(r.completion_rate),
            pct(r.certification_rate)
        );
    }
    println!("{}", if zh { "补贴性培训人次（按等级）" } else { "subsidised person-times by grade" });
    for s in &f.subsidised {
        println!("  {} {:>4} {:>8}", s.grade, s.providers, s.person_times);
    }
    for d in &f.drops {
        println!("  ↓ {} {} {}({}) → {}({})", d.code, d.name, d.from_grade, d.from_score, d.to_grade, d.to_score);
    }
}

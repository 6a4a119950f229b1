//! `vetis pool add|search|engage|feedback|list|figures`: the municipal pool of part-time teachers
//! from enterprises (市级职业教育兼职教师资源库). A school or the bureau registers an expert (with
//! their consent to be listed), schools search it by program and skill (no personal data shown),
//! record engagements per term and feedback after each.

use super::{Cli, Format, refusal};
use crate::domain::pool::{EngagementForm, ExpertForm};
use crate::messages::Lang;
use crate::store::audit::os_user;
use crate::store::pool;

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
    /// 登记一名企业兼职教师（须本人同意入库） / register an enterprise expert (listed only with consent)
    Add {
        #[arg(long)]
        id_number: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        enterprise_credit_code: String,
        #[arg(long)]
        enterprise_name: String,
        /// 可任教专业代码（可多个） / program codes they can teach
        #[arg(long = "program", required = true, num_args = 1..)]
        programs: Vec<String>,
        /// 专长（可多个） / skills
        #[arg(long = "skill", num_args = 1..)]
        skills: Vec<String>,
        /// 专业技术职务 / professional title
        #[arg(long)]
        title: Option<String>,
        /// 固定岗 fixed 或 流动岗 flexible
        #[arg(long)]
        post: String,
        #[arg(long)]
        available_from: Option<String>,
        #[arg(long)]
        available_until: Option<String>,
        /// 本人同意在资源库中列出 / consents to be listed
        #[arg(long)]
        consent: bool,
        /// 登记学校（不填为教育局） / the registering school (the bureau when absent)
        #[arg(long)]
        school: Option<String>,
    },
    /// 从表格批量登记（CSV/XLSX；全部通过才写入） / register experts from a spreadsheet (all rows or none)
    Import { file: std::path::PathBuf },
    /// 按专业与专长检索（不含个人信息） / search by program and skill (no personal data)
    Search {
        /// 专业代码或其前几位 / a program code or its first digits
        #[arg(long)]
        program: String,
        #[arg(long)]
        skill: Option<String>,
    },
    /// 记录一次聘用 / record an engagement
    Engage {
        #[arg(long)]
        expert: i64,
        #[arg(long)]
        school: String,
        /// 学年学期，如 2025-2026-1 / the term, e.g. 2025-2026-1
        #[arg(long)]
        term: String,
        #[arg(long)]
        courses: String,
        #[arg(long)]
        hours: f64,
        /// 课酬（元） / pay (yuan)
        #[arg(long, default_value_t = 0.0)]
        pay: f64,
        /// 任教专业 / the program taught
        #[arg(long)]
        program: Option<String>,
    },
    /// 学期结束后的评价 / feedback after the term
    Feedback {
        engagement: i64,
        /// 1–5
        #[arg(long)]
        rating: i64,
        #[arg(long, default_value = "")]
        text: String,
    },
    /// 列出登记的专家（脱敏） / the experts registered (masked)
    List {
        #[arg(long)]
        school: Option<String>,
    },
    /// 资源库统计 / the pool's figures
    Figures {
        #[arg(long)]
        year: Option<i32>,
        #[arg(long, conflicts_with = "district")]
        school: Option<String>,
        #[arg(long)]
        district: Option<String>,
    },
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let zh = cli.lang == Lang::Zh;
    let json = args.format == Format::Json;
    let db = super::open(cli).await?;
    let actor = os_user();
    match &args.action {
        Action::Add {
            id_number,
            name,
            enterprise_credit_code,
            enterprise_name,
            programs,
            skills,
            title,
            post,
            available_from,
            available_until,
            consent,
            school,
        } => {
            let form = ExpertForm {
                id_number: id_number.clone(),
                name: name.clone(),
                enterprise_credit_code: enterprise_credit_code.clone(),
                enterprise_name: enterprise_name.clone(),
                programs: programs.clone(),
                skills: skills.clone(),
                title: title.clone(),
                post: post.clone(),
                available_from: available_from.clone(),
                available_until: available_until.clone(),
                consent: *consent,
            };
            let expert = match form.check() {
                Ok(e) => e,
                Err(errors) => {
                    for e in errors {
                        eprintln!("vetis: {e}");
                    }
                    return Err(super::Refused.into());
                }
            };
            let id =
                pool::add(&db, &expert, school.as_deref(), &actor, "cli").await.map_err(|e| refusal(e, cli.lang))?;
            if json {
                println!("{}", serde_json::json!({ "id": id }));
            } else {
                println!("{} {id}", if zh { "已登记入库，编号" } else { "registered in the pool as" });
            }
        }
        Action::Import { file } => {
            let display = file.file_name().and_then(|n| n.to_str()).unwrap_or("file").to_string();
            let rows = match crate::ingest::pool::read_experts(file, &display) {
                Ok(r) => r,
                Err(errors) => {
                    for e in &errors {
                        eprintln!("vetis: {e}");
                    }
                    if zh {
                        eprintln!("vetis: 共 {} 处问题；文件未写入任何内容", errors.len());
                    } else {
                        eprintln!("vetis: {} problems; nothing of the file was written", errors.len());
                    }
                    return Err(super::Refused.into());
                }
            };
            let list: Vec<(&crate::domain::pool::Expert, Option<&str>)> =
                rows.iter().map(|r| (&r.expert, r.school.as_deref())).collect();
            let ids = pool::add_all(&db, &list, &actor, "cli").await.map_err(|e| refusal(e, cli.lang))?;
            println!("{} {}", if zh { "已登记入库：" } else { "registered in the pool:" }, ids.len());
        }
        Action::Search { program, skill } => {
            let found = pool::search(&db, program, skill.as_deref()).await.map_err(|e| refusal(e, cli.lang))?;
            if json {
                let out: Vec<serde_json::Value> = found
                    .iter()
                    .map(|f| serde_json::json!({ "id": f.id, "enterprise_name": f.enterprise_name, "programs": f.programs, "skills": f.skills }))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                for f in &found {
                    println!(
                        "  #{:<5} {} · {} · {}",
                        f.id,
                        f.enterprise_name,
                        f.programs.join(","),
                        f.skills.join("、")
                    );
                }
                println!("{} {}", found.len(), if zh { "名专家" } else { "experts" });
            }
        }
        Action::Engage { expert, school, term, courses, hours, pay, program } => {
            let form = EngagementForm { term: term.clone(), courses: courses.clone(), hours: *hours, pay: *pay };
            let id = pool::engage(&db, *expert, school, program.as_deref(), &form, &actor, "cli")
                .await
                .map_err(|e| refusal(e, cli.lang))?;
            if json {
                println!("{}", serde_json::json!({ "id": id }));
            } else {
                println!("{} {id}", if zh { "已记录聘用，编号" } else { "engagement recorded as" });
            }
        }
        Action::Feedback { engagement, rating, text } => {
            pool::feedback(&db, *engagement, *rating, text, &actor, "cli").await.map_err(|e| refusal(e, cli.lang))?;
            println!("{}", if zh { "已记录评价" } else { "feedback recorded" });
        }
        Action::List { school } => {
            let list = pool::list(&db, school.as_deref()).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for e in &list {
                    println!(
                        "  #{:<5} {} {} · {} · {} · {} {} · {:.0} h",
                        e.id,
                        e.name_masked,
                        e.id_masked,
                        e.enterprise_name,
                        e.programs.join(","),
                        e.engagements,
                        if zh { "次聘用" } else { "engagements" },
                        e.hours
                    );
                }
            }
        }
        Action::Figures { year, school, district } => {
            let plan = crate::store::refdata::active_plan(&db).await?;
            let year = match year {
                Some(y) => *y,
                None => crate::figures::indicators::latest_year(&db, plan.baseline_year).await?,
            };
            let (scope, name) = super::indicators::resolve_scope(&db, school.as_deref(), district.as_deref()).await?;
            let f = crate::figures::pool::figures(&db, &plan, &scope, year).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&f)?);
                return Ok(());
            }
            if zh {
                println!("兼职教师资源库 · {year} 学年 · {name}");
                println!(
                    "  入库专家 {} 名；聘用 {} 次，{:.0} 学时，课酬 {:.0} 元",
                    f.experts, f.engagements, f.hours, f.pay
                );
                println!("  兼职教师 {} 人次，其中在资源库中 {} 人次", f.part_time_rows, f.part_time_in_pool);
                println!("  开设专业 {} 个，无兼职教师任教 {} 个", f.programs_offered, f.programs_without.len());
            } else {
                println!("Part-time teacher pool · school year {year} · {name}");
                println!(
                    "  {} experts listed; {} engagements, {:.0} hours, pay {:.0} yuan",
                    f.experts, f.engagements, f.hours, f.pay
                );
                println!(
                    "  {} part-time teacher rows, {} of them people in the pool",
                    f.part_time_rows, f.part_time_in_pool
                );
                println!(
                    "  {} programs offered, {} without a part-time teacher",
                    f.programs_offered,
                    f.programs_without.len()
                );
            }
            for (k, n) in &f.by_industry {
                println!("    {k}: {n}");
            }
        }
    }
    Ok(())
}

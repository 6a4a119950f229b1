//! `vetis credit`: the credit bank. `rules load FILE | show` (the conversion rule pack), `apply`
//! (convert a learner's outcome into a course; the rules are checked at once), `review` (one
//! review step), `appeal`, `account` (a learner's outcomes and conversions), `revoke`, `issue`
//! (a signed Open Badges 3.0 credential), `verify` (one result per check) and `figures`.

use std::path::PathBuf;

use super::{Cli, Format, Refused, refusal};
use crate::domain::credit::RulePack;
use crate::messages::Lang;
use crate::store::audit::os_user;
use crate::store::credit::{self, Application, Decision, Request, Status};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
    /// 输出格式 / output format
    #[arg(long, value_enum, default_value = "table", global = true)]
    pub format: Format,
}

#[derive(Debug, clap::Subcommand)]
pub enum Rules {
    /// 载入新的转换规则包（校验后生效） / load a conversion rule pack (checked, then active)
    Load { file: PathBuf },
    /// 显示生效的规则包 / show the active rule pack
    Show,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// 学习成果转换规则 / the conversion rules
    Rules {
        #[command(subcommand)]
        what: Rules,
    },
    /// 申请把学习成果转换为课程学分 / apply to convert a learner's outcome into a course
    Apply {
        /// 证书编号 / the certificate number
        #[arg(long)]
        certificate_no: String,
        /// 发证机构统一社会信用代码 / the issuer's credit code
        #[arg(long)]
        issuer: String,
        /// 学习者所在学校 / the learner's school
        #[arg(long)]
        school: String,
        /// 课程表年度 / the curriculum's year
        #[arg(long)]
        year: i64,
        /// 专业代码 / the program
        #[arg(long)]
        program: String,
        /// 被替代的课程代码 / the course it replaces
        #[arg(long)]
        course: String,
    },
    /// 审核一步（学校教务，然后学分银行） / decide one review step (the school, then the credit bank)
    Review {
        id: i64,
        #[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
        approve: bool,
        #[arg(long)]
        reject: bool,
        /// 理由（不予认定时必填） / why (required to reject)
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// 对未予认定的申请申诉一次 / appeal a rejection, once
    Appeal {
        id: i64,
        #[arg(long)]
        reason: String,
    },
    /// 学习者的学习账户 / a learner's account
    Account {
        #[arg(long)]
        id_number: String,
        /// 证件类型（默认居民身份证） / the document type (default resident_id)
        #[arg(long, default_value = "resident_id")]
        id_type: String,
    },
    /// 签发可验证凭证（Open Badges 3.0，VC-JWT） / issue a verifiable credential (Open Badges 3.0, VC-JWT)
    Issue {
        /// 已认定的学分转换申请 / a recognised conversion
        #[arg(long, conflicts_with_all = ["certificate_no", "issuer"], required_unless_present = "certificate_no")]
        application: Option<i64>,
        /// 已登记的学习成果：证书编号 / a registered outcome: the certificate number
        #[arg(long, requires = "issuer")]
        certificate_no: Option<String>,
        /// 发证机构统一社会信用代码 / the outcome's issuer
        #[arg(long, requires = "certificate_no")]
        issuer: Option<String>,
        /// 凭证文件 / where to write the credential
        #[arg(long)]
        out: PathBuf,
    },
    /// 核验凭证：逐项结果；有效时退出码 0，否则 1 / verify a credential: one result per check; exit 0 when valid, 1 when not
    Verify { file: PathBuf },
    /// 学分银行统计：毕业生持1+X证书、学分申请与认定、主要不予转换原因 / the credit bank's figures:
    /// graduates' 1+X certificates, credits asked for and granted, the main reasons not granted
    Figures {
        /// 统计年度（默认：有在校生数据的最近年度） / statistical year (default: the latest with students)
        #[arg(long)]
        year: Option<i32>,
        /// 学校标识码 / one school
        #[arg(long, conflicts_with = "district")]
        school: Option<String>,
        /// 区代码 / one district
        #[arg(long)]
        district: Option<String>,
    },
    /// 撤销学习成果（其上的转换一并撤销） / revoke an outcome and the conversions built on it
    Revoke {
        #[arg(long)]
        certificate_no: String,
        #[arg(long)]
        issuer: String,
        #[arg(long)]
        reason: String,
    },
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let zh = cli.lang == Lang::Zh;
    let json = args.format == Format::Json;
    let actor = os_user();
    match &args.action {
        Action::Rules { what: Rules::Load { file } } => {
            let text = std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let pack = match RulePack::from_toml(&text) {
                Ok(p) => p,
                Err(errors) => {
                    for e in errors {
                        eprintln!("vetis: {}: {e}", file.display());
                    }
                    return Err(Refused.into());
                }
            };
            let new = credit::load_pack(&db, &pack, &text, &actor, "cli").await.map_err(|e| refusal(e, cli.lang))?;
            let what = if new {
                if zh { "已载入" } else { "loaded" }
            } else if zh {
                "已重新启用"
            } else {
                "made active again"
            };
            println!("{what}: {} {} {}", pack.id, pack.version, if zh { &pack.name_zh } else { &pack.name_en });
        }
        Action::Rules { what: Rules::Show } => {
            let pack = credit::active_pack(&db).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&pack)?);
            } else {
                println!("{} {}  {}", pack.id, pack.version, if zh { &pack.name_zh } else { &pack.name_en });
                println!(
                    "{}",
                    if zh {
                        format!(
                            "成果有效期 {} 年；每项成果至多 {} 学分；每名学习者每个专业至多 {}% 学分",
                            pack.max_age_years, pack.max_credits_per_outcome, pack.max_program_share_pct
                        )
                    } else {
                        format!(
                            "outcomes convert for {} years; at most {} credits an outcome; at most {}% of a program's credits a learner",
                            pack.max_age_years, pack.max_credits_per_outcome, pack.max_program_share_pct
                        )
                    }
                );
                for s in &pack.sources {
                    let cap = s.max_credits.map(|c| format!(" ≤{c}")).unwrap_or_default();
                    println!("  {} {} → {}{cap}", s.kinds.join("|"), s.levels.join("|"), s.course_types.join("|"));
                }
            }
        }
        Action::Apply { certificate_no, issuer, school, year, program, course } => {
            let req = Request { issuer, certificate_no, school, year: *year, program, course };
            let app = credit::apply(&db, &req, &actor, "cli").await.map_err(|e| refusal(e, cli.lang))?;
            if json {
                let reasons: Vec<serde_json::Value> = app
                    .reasons
                    .iter()
                    .map(|r| serde_json::json!({ "rule": r.rule, "message": if zh { &r.zh } else { &r.en } }))
                    .collect();
                let out = serde_json::json!({ "id": app.id, "status": app.status, "credits": app.credits, "reasons": reasons });
                println!("{}", serde_json::to_string_pretty(&out)?);
            } else {
                show(&app, zh);
            }
            if app.status == Status::Refused {
                return Err(Refused.into());
            }
        }
        Action::Review { id, approve, reason, .. } => {
            let decision = if *approve { Decision::Approve } else { Decision::Reject };
            let app =
                credit::review(&db, *id, decision, reason, &actor, "cli").await.map_err(|e| refusal(e, cli.lang))?;
            output(&app, json, zh)?;
        }
        Action::Appeal { id, reason } => {
            let app = credit::appeal(&db, *id, reason, &actor, "cli").await.map_err(|e| refusal(e, cli.lang))?;
            output(&app, json, zh)?;
        }
        Action::Account { id_number, id_type } => {
            let pseudonym = db.keys.pseudonym(id_type, &crate::domain::ids::normalise_code(id_number).to_uppercase());
            let account = credit::account(&db, &pseudonym).await?;
            if json {
                let outcomes: Vec<serde_json::Value> = account
                    .outcomes
                    .iter()
                    .map(|o| serde_json::json!({ "certificate_no": o.certificate_no, "issuer": o.issuer, "issuer_name": o.issuer_name, "kind": o.kind, "title": o.title, "level": o.level, "issued_date": o.issued_date, "valid_until": o.valid_until, "school_code": o.school_code, "program_code": o.program_code, "hours": o.hours, "credits": o.credits, "hk_credits": o.hk_credits, "frameworks": o.frameworks, "status": o.status }))
                    .collect();
                let conversions: Vec<serde_json::Value> = account
                    .conversions
                    .iter()
                    .map(|a| serde_json::json!({ "id": a.id, "school_code": a.school_code, "program_code": a.program_code, "course_code": a.course_code, "certificate_no": a.certificate_no, "credits": a.credits, "status": a.status }))
                    .collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &serde_json::json!({ "outcomes": outcomes, "conversions": conversions })
                    )?
                );
            } else {
                if let Some(first) = account.outcomes.first() {
                    println!("{} {}", first.name_masked, first.id_masked);
                }
                println!("{}", if zh { "学习成果：" } else { "outcomes:" });
                for o in &account.outcomes {
                    println!(
                        "  {} {} {} {} {} {}",
                        o.certificate_no,
                        o.title,
                        o.level.as_deref().map_or("—", |l| level_label(l, zh)),
                        o.issued_date,
                        o.school_code,
                        if zh { o.status.zh() } else { o.status.key() }
                    );
                    if !o.frameworks.is_empty() {
                        let hk = o.hk_credits.map_or(String::new(), |c| {
                            if zh {
                                format!(" · 香港资历架构学分 {c}")
                            } else {
                                format!(" · {c} HKQF credits")
                            }
                        });
                        println!("      {}{hk}", placements(&o.frameworks, zh));
                    }
                }
                println!("{}", if zh { "学分转换：" } else { "conversions:" });
                for a in &account.conversions {
                    show(a, zh);
                }
            }
        }
        Action::Issue { application, certificate_no, issuer, out } => {
            let subject = match (application, certificate_no, issuer) {
                (Some(id), _, _) => crate::store::credential::Subject::Application(*id),
                (None, Some(no), Some(u)) => {
                    crate::store::credential::Subject::Outcome { issuer: u, certificate_no: no }
                }
                _ => unreachable!("clap requires an application or an outcome"),
            };
            let public = crate::settings::public_url(&|k| std::env::var(k).ok()).map_err(|e| anyhow::anyhow!(e))?;
            let list = crate::store::credential::status_list_address(public.as_deref());
            let jwt = crate::store::credential::issue(&db, subject, &list, &actor, "cli")
                .await
                .map_err(|e| refusal(e, cli.lang))?;
            super::write_whole(out, jwt.as_bytes()).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
            println!("{}: {}", if zh { "凭证已写入" } else { "credential written to" }, out.display());
        }
        Action::Verify { file } => {
            let text = std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let checks = crate::store::credential::verify(&db, &text).await?;
            let valid = checks.iter().all(|c| c.ok);
            let message = |m: &str| crate::messages::Message::pair(m).get(cli.lang).to_string();
            if json {
                let list: Vec<serde_json::Value> = checks
                    .iter()
                    .map(|c| serde_json::json!({ "check": c.check, "ok": c.ok, "message": message(&c.message) }))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "valid": valid, "checks": list }))?);
            } else {
                for c in &checks {
                    println!("{} {:<10} {}", if c.ok { "✓" } else { "✗" }, c.check, message(&c.message));
                }
                println!(
                    "{}",
                    match (valid, zh) {
                        (true, true) => "凭证有效",
                        (true, false) => "the credential is valid",
                        (false, true) => "凭证无效",
                        (false, false) => "the credential is not valid",
                    }
                );
            }
            if !valid {
                return Err(Refused.into());
            }
        }
        Action::Figures { year, school, district } => {
            let year = match year {
                Some(y) => *y,
                None => {
                    let plan = crate::store::refdata::active_plan(&db).await?;
                    crate::figures::indicators::latest_year(&db, plan.baseline_year).await?
                }
            };
            let (scope, name) = super::indicators::resolve_scope(&db, school.as_deref(), district.as_deref()).await?;
            super::credit_figures::run(&db, &scope, &name, year, json, zh).await?;
        }
        Action::Revoke { certificate_no, issuer, reason } => {
            let n = credit::revoke(&db, issuer, certificate_no, reason, &actor, "cli")
                .await
                .map_err(|e| refusal(e, cli.lang))?;
            if zh {
                println!("已撤销证书 {certificate_no}，其上的 {n} 项学分转换一并撤销");
            } else {
                println!("certificate {certificate_no} revoked, with the {n} conversions built on it");
            }
        }
    }
    Ok(())
}

fn output(app: &Application, json: bool, zh: bool) -> anyhow::Result<()> {
    if json {
        println!("{}", serde_json::to_string_pretty(app)?);
    } else {
        show(app, zh);
    }
    Ok(())
}

fn show(a: &Application, zh: bool) {
    let status = if zh { a.status.zh() } else { a.status.key() };
    println!(
        "  #{} {} {} {} {} ← {} {}: {} ({} {})",
        a.id,
        a.school_code,
        a.year,
        a.program_code,
        a.course_code,
        a.certificate_no,
        status,
        a.credits,
        if zh { "学分" } else { "credits" },
        a.rules_version
    );
    for r in &a.reasons {
        println!("      {}: {}", r.rule, if zh { &r.zh } else { &r.en });
    }
}

/// An outcome's levels as one line: "国家学历层次 中等职业教育… · 广东资历框架 3 · 香港资历架构 3（未核实）".
fn placements(list: &[crate::domain::frameworks::Placement], zh: bool) -> String {
    list.iter()
        .map(|p| {
            let (fz, fe) = p.framework.name();
            let note = p.evidence.note().map(|(z, e)| if zh { format!("（{z}）") } else { format!(" ({e})") });
            let name = if p.framework == crate::domain::frameworks::Framework::National {
                if zh { p.name_zh.clone() } else { p.name_en.clone() }
            } else {
                p.level.clone()
            };
            format!("{} {name}{}", if zh { fz } else { fe }, note.unwrap_or_default())
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A certificate level as the reader's language names it: 初级, or elementary.
fn level_label(key: &str, zh: bool) -> &str {
    use crate::domain::standard::{CERTIFICATE_LEVELS, find_choice};
    match find_choice(CERTIFICATE_LEVELS, key) {
        Some(c) if zh => c.zh,
        _ => key,
    }
}

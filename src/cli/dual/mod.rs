//! `vetis dual`: dual-qualified (“双师型”) teacher recognition. `rules show|load` (the conditions
//! of each level, and whether the records can check them), `precheck` (a school's teachers
//! against one level: every unmet condition named; the panel decides the rest), and the register:
//! `apply`, `evidence`, `decide`, `publish`, `suspend`, `revoke`, `list` and `figures`.

mod register;

use std::path::PathBuf;

use super::{Cli, Format, Refused, refusal};
use crate::domain::dual::{DualPack, Level, precheck};
use crate::messages::Lang;
use crate::store::audit::os_user;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LevelArg {
    Elementary,
    Intermediate,
    Advanced,
}

impl From<LevelArg> for Level {
    fn from(l: LevelArg) -> Level {
        match l {
            LevelArg::Elementary => Level::Elementary,
            LevelArg::Intermediate => Level::Intermediate,
            LevelArg::Advanced => Level::Advanced,
        }
    }
}

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
    /// 显示各级认定条件 / show each level's conditions
    Show,
    /// 载入新版认定条件（TOML，带版本） / load a versioned pack of conditions (TOML)
    Load { file: PathBuf },
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// “双师型”认定条件 / the recognition conditions
    Rules {
        #[command(subcommand)]
        what: Rules,
    },
    /// 按记录预审本校教师申报某一级别 / pre-check a school's teachers for one level on the records
    Precheck {
        /// 学校标识码 / the school
        #[arg(long)]
        school: String,
        /// 申报级别 / the level applied for
        #[arg(long, value_enum)]
        level: LevelArg,
        /// 工号（可多个） / teacher numbers
        #[arg(long = "teacher", required = true, num_args = 1..)]
        teachers: Vec<String>,
        /// 以该年度的教师记录预审（默认：最近一年） / judge on that year's teacher rows (default: the latest)
        #[arg(long)]
        year: Option<i32>,
    },
    /// 学校批量申报（逐人预审） / a school files a batch of applications, each pre-checked
    Apply {
        #[arg(long)]
        school: String,
        #[arg(long, value_enum)]
        level: LevelArg,
        #[arg(long = "teacher", required = true, num_args = 1..)]
        teachers: Vec<String>,
        #[arg(long)]
        year: Option<i32>,
        /// 批次名称 / the batch's title
        #[arg(long, default_value = "")]
        title: String,
    },
    /// 为待评审的申请补充证明材料 / add evidence files to an application waiting for the panel
    Evidence {
        application: i64,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// 专家评审：认定或不予认定 / the panel decides applications
    Decide {
        #[arg(required = true)]
        applications: Vec<i64>,
        /// 认定通过 / recognise
        #[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
        recognise: bool,
        /// 不予认定（须 --reason） / do not recognise (needs --reason)
        #[arg(long)]
        reject: bool,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// 公示批次结果（异议期满后生效） / publish a batch's results (in force after the objection period)
    Publish {
        batch: i64,
        /// 公示日期（默认今天） / the day of publication (default: today)
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
    },
    /// 暂停一项认定（或 --lift 恢复） / suspend a recognition (or --lift the suspension)
    Suspend {
        recognition: i64,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        lift: bool,
        /// 自该日起（默认今天） / from that day (default: today)
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
    },
    /// 撤销一项认定 / revoke a recognition
    Revoke {
        recognition: i64,
        #[arg(long)]
        reason: String,
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
    },
    /// 认定名册与申请 / the register and the applications
    List {
        #[arg(long)]
        school: Option<String>,
        /// 列出申请而非认定 / list applications instead of recognitions
        #[arg(long)]
        applications: bool,
        /// 只列待评审的申请 / only applications waiting for the panel
        #[arg(long)]
        pending: bool,
        /// 批次 / one batch
        #[arg(long)]
        batch: Option<i64>,
        /// 列出认定名册不能支持的“双师型”填报（须 --year） / list dual-qualified claims the register does not back (needs --year)
        #[arg(long, requires = "year")]
        unbacked: bool,
        #[arg(long)]
        year: Option<i32>,
    },
    /// 认定统计：按级别、状态，与填报对照 / figures: by level and standing, claims beside the register
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
    match &args.action {
        Action::Rules { what: Rules::Show } => {
            let db = super::open(cli).await?;
            let pack = crate::store::dual::pack::active(&db).await?;
            show_rules(&pack, zh, json)?;
        }
        Action::Rules { what: Rules::Load { file } } => {
            let text = std::fs::read_to_string(file).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let pack = match DualPack::from_toml(&text) {
                Ok(p) => p,
                Err(errors) => {
                    for e in errors {
                        eprintln!("vetis: {}: {e}", file.display());
                    }
                    return Err(Refused.into());
                }
            };
            let db = super::open(cli).await?;
            let new = crate::store::dual::pack::load(&db, &pack, &text, &os_user(), "cli")
                .await
                .map_err(|e| refusal(e, cli.lang))?;
            let what = match (new, zh) {
                (true, true) => "已载入",
                (true, false) => "loaded",
                (false, true) => "已重新启用",
                (false, false) => "made active again",
            };
            println!("{what}: {} {} {}", pack.id, pack.version, if zh { &pack.name_zh } else { &pack.name_en });
        }
        Action::Precheck { school, level, teachers, year } => {
            let db = super::open(cli).await?;
            let pack = crate::store::dual::pack::active(&db).await?;
            let level = Level::from(*level);
            let mut out = Vec::new();
            for no in teachers {
                let (eligible, unmet) = match crate::store::dual::facts(&db, school, no, *year).await? {
                    Some(facts) => {
                        let r = precheck(&pack, level, &facts);
                        let unmet: Vec<(String, String)> =
                            r.unmet.into_iter().map(|u| (u.condition, if zh { u.zh } else { u.en })).collect();
                        (r.eligible, unmet)
                    }
                    None => {
                        let m = if zh {
                            format!("工号“{no}”不是学校 {school} 的教师")
                        } else {
                            format!("'{no}' is not a teacher of school {school}")
                        };
                        (false, vec![("teacher".to_string(), m)])
                    }
                };
                out.push((no.clone(), eligible, unmet));
            }
            print_prechecks(&out, level, zh, json)?;
            if out.iter().any(|(_, eligible, _)| !eligible) {
                return Err(Refused.into());
            }
        }
        other => register::run(cli, other, json).await?,
    }
    Ok(())
}

fn show_rules(pack: &DualPack, zh: bool, json: bool) -> anyhow::Result<()> {
    if json {
        let out: Vec<serde_json::Value> = pack
            .levels
            .iter()
            .map(|l| {
                let conditions: Vec<serde_json::Value> = l
                    .conditions
                    .iter()
                    .map(|c| serde_json::json!({ "id": c.id, "name": if zh { &c.name_zh } else { &c.name_en }, "checked": c.checked() }))
                    .collect();
                serde_json::json!({ "level": l.key.key(), "conditions": conditions })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("{} {}  {}", pack.id, pack.version, if zh { &pack.name_zh } else { &pack.name_en });
    for l in &pack.levels {
        println!("{}", if zh { l.key.zh() } else { l.key.key() });
        for c in &l.conditions {
            let how = match (c.checked(), zh) {
                (true, true) => "按记录核查",
                (true, false) => "checked on records",
                (false, true) => "专家评议",
                (false, false) => "for the panel",
            };
            println!("  {:<22} {how:<18} {}", c.id, if zh { &c.name_zh } else { &c.name_en });
        }
    }
    Ok(())
}

/// One teacher's pre-check: number, eligible, unmet (condition, message).
type Prechecked = (String, bool, Vec<(String, String)>);

/// Pre-check results as `vetis dual precheck` prints them (JSON:
/// `[{"teacher_no", "level", "eligible", "unmet": [{"condition", "message"}]}]`).
fn print_prechecks(out: &[Prechecked], level: Level, zh: bool, json: bool) -> anyhow::Result<()> {
    if json {
        let list: Vec<serde_json::Value> = out
            .iter()
            .map(|(no, eligible, unmet)| {
                let unmet: Vec<serde_json::Value> =
                    unmet.iter().map(|(c, m)| serde_json::json!({ "condition": c, "message": m })).collect();
                serde_json::json!({ "teacher_no": no, "level": level.key(), "eligible": eligible, "unmet": unmet })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&list)?);
        return Ok(());
    }
    for (no, eligible, unmet) in out {
        let verdict = match (eligible, zh) {
            (true, true) => "符合记录可核查的条件，待专家评议",
            (true, false) => "meets every condition the records can check; the panel decides",
            (false, true) => "不符合",
            (false, false) => "does not meet",
        };
        println!("{no} {}: {verdict}", if zh { level.zh() } else { level.key() });
        for (c, m) in unmet {
            println!("    {c}: {m}");
        }
    }
    Ok(())
}

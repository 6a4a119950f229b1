//! `vetis dual`: dual-qualified (“双师型”) teacher recognition. `rules show` (the conditions of each
//! level, and whether the records can check them) and `precheck` (a school's teachers against one
//! level: every unmet condition named; the panel decides the rest).

use super::{Cli, Refused};
use crate::domain::dual::{DEFAULT_PACK, DualPack, Level, precheck};
use crate::messages::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

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
}

/// The pack in force: the one shipped with VETIS (`data/teachers/dual-qualified-2022.toml`).
fn pack() -> anyhow::Result<DualPack> {
    DualPack::from_toml(DEFAULT_PACK).map_err(|e| anyhow::anyhow!("the shipped dual-qualified pack: {}", e.join("; ")))
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let zh = cli.lang == Lang::Zh;
    let json = args.format == Format::Json;
    let pack = pack()?;
    match &args.action {
        Action::Rules { what: Rules::Show } => {
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
            } else {
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
            }
        }
        Action::Precheck { school, level, teachers, year } => {
            let db = super::open(cli).await?;
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
            if json {
                let list: Vec<serde_json::Value> = out
                    .iter()
                    .map(|(no, eligible, unmet)| {
                        let unmet: Vec<serde_json::Value> = unmet
                            .iter()
                            .map(|(c, m)| serde_json::json!({ "condition": c, "message": m }))
                            .collect();
                        serde_json::json!({ "teacher_no": no, "level": level.key(), "eligible": eligible, "unmet": unmet })
                    })
                    .collect();
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for (no, eligible, unmet) in &out {
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
            }
            if out.iter().any(|(_, eligible, _)| !eligible) {
                return Err(Refused.into());
            }
        }
    }
    Ok(())
}

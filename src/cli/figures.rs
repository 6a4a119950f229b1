//! `vetis figures rebuild|check|duckdb`: the figures' building blocks. `rebuild` recomputes every
//! block from the records (after an upgrade, or to be sure); `check` compares the kept blocks with
//! the records and lists any that differ (exit 1), which should never happen; `duckdb` writes the
//! key indicators' SQL as a DuckDB script over CSV files, for the benchmark to compare with.

use super::{Cli, Refused};
use crate::figures::Scope;
use crate::messages::Lang;
use crate::store::{blocks, credit_blocks, refdata, rule_blocks};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// 由记录重建全部指标构件 / recompute every building block from the records
    Rebuild,
    /// 核对指标构件与记录是否一致 / compare the kept blocks with the records
    Check,
    /// 输出主要指标在 DuckDB 中按 CSV 文件计算的脚本（JSON，供基准对比） / print the key indicators as
    /// a DuckDB script over a directory of CSV files (JSON, for the benchmark)
    Duckdb {
        /// 数据标准 CSV 文件所在目录（school.csv、student.csv…） / the directory of the standard's CSV files
        #[arg(long)]
        csv: std::path::PathBuf,
        /// 另算的地区（省 44、市 4401），可重复 / a region to compute as well (44, 4401); repeatable
        #[arg(long)]
        region: Vec<String>,
        /// 另算的学校，可重复 / a school to compute as well; repeatable
        #[arg(long)]
        school: Vec<String>,
    },
}

fn no_blocks(zh: bool) -> &'static str {
    if zh { "尚无构件（请运行 vetis figures rebuild）" } else { "no blocks yet (run vetis figures rebuild)" }
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let zh = cli.lang == Lang::Zh;
    match &args.action {
        Action::Duckdb { csv, region, school } => {
            let plan = refdata::active_plan(&db).await?;
            let scopes: Vec<Scope> = std::iter::once(Scope::City)
                .chain(region.iter().map(|r| Scope::Region(r.trim().to_string())))
                .chain(school.iter().map(|s| Scope::School(s.trim().to_string())))
                .collect();
            let script = crate::figures::duckdb::script(&plan, csv, &scopes)?;
            println!("{}", serde_json::to_string_pretty(&script)?);
        }
        Action::Rebuild => {
            let start = std::time::Instant::now();
            let n = blocks::rebuild(&db).await?;
            let ms = start.elapsed().as_millis();
            println!(
                "{}",
                if zh {
                    format!("已重建 {n} 个公式与规则的指标构件（{ms} 毫秒）")
                } else {
                    format!("rebuilt the blocks of {n} formulas and rules ({ms} ms)")
                }
            );
        }
        Action::Check => {
            let plan = refdata::active_plan(&db).await?;
            let mut bad = 0;
            // The plan's formulas, and the dual-qualified ones counted the other way.
            let formulas = plan
                .indicators
                .iter()
                .map(|i| (i.id.clone(), &i.formula))
                .chain(plan.dual_alternates.iter().map(|(id, f)| (format!("{id} (alt)"), f)));
            for (id, formula) in formulas {
                if !blocks::registered(&db, formula).await? {
                    println!("{id}: {}", no_blocks(zh));
                    bad += 1;
                    continue;
                }
                let (kept, fresh) = blocks::kept_and_fresh(&db, formula).await?;
                if kept != fresh {
                    let differ = kept.keys().chain(fresh.keys()).filter(|k| kept.get(*k) != fresh.get(*k)).count();
                    println!(
                        "{id}: {differ} {}",
                        if zh { "个构件与记录不符" } else { "blocks differ from the records" }
                    );
                    bad += 1;
                }
            }
            let stale = crate::store::dual::marks::stale(&db).await?;
            if stale > 0 {
                println!(
                    "{}",
                    if zh {
                        format!("“双师型”认定标记：{stale} 个年度的教师记录与认定名册不符")
                    } else {
                        format!("dual-qualified register marks: teacher rows of {stale} years differ from the register")
                    }
                );
                bad += 1;
            }
            for rule in &plan.rules {
                if !rule_blocks::registered(&db, &plan, rule).await? {
                    println!("{}: {}", rule.id, no_blocks(zh));
                    bad += 1;
                    continue;
                }
                let (kept, fresh) = rule_blocks::kept_and_fresh(&db, &plan, rule).await?;
                if kept != fresh {
                    let differ = kept.keys().chain(fresh.keys()).filter(|k| kept.get(*k) != fresh.get(*k)).count();
                    let first = kept.keys().chain(fresh.keys()).find(|k| kept.get(*k) != fresh.get(*k));
                    println!(
                        "{}: {differ} {} {first:?}",
                        rule.id,
                        if zh { "个构件与记录不符" } else { "blocks differ from the records" }
                    );
                    bad += 1;
                }
            }
            if !credit_blocks::registered(&db).await? {
                println!("credit: {}", no_blocks(zh));
                bad += 1;
            } else {
                let (kept, fresh) = credit_blocks::kept_and_fresh(&db).await?;
                if kept != fresh {
                    println!(
                        "credit: {}",
                        if zh {
                            "学分银行构件与记录不符"
                        } else {
                            "the credit blocks differ from the records"
                        }
                    );
                    bad += 1;
                }
            }
            if bad > 0 {
                return Err(Refused.into());
            }
            println!("{}", if zh { "指标构件与记录一致" } else { "the blocks agree with the records" });
        }
    }
    Ok(())
}

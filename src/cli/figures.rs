//! `vetis figures rebuild|check`: the figures' building blocks. `rebuild` recomputes every block
//! from the records (after an upgrade, or to be sure); `check` compares the kept blocks with the
//! records and lists any that differ (exit 1), which should never happen.

use super::{Cli, Refused};
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
}

fn no_blocks(zh: bool) -> &'static str {
    if zh { "尚无构件（请运行 vetis figures rebuild）" } else { "no blocks yet (run vetis figures rebuild)" }
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let zh = cli.lang == Lang::Zh;
    match args.action {
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

//! `vetis audit`: the latest entries of the audit log.

use super::Cli;
use crate::store::audit;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 条数 / how many entries
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    for e in audit::recent(&db, args.limit).await? {
        println!("{}\t{}\t{}\t{}\t{}\t{}", e.at, e.actor, e.source, e.action, e.object, e.detail);
    }
    Ok(())
}

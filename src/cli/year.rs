//! `vetis year lock|unlock|list`: a published year's data cannot change until it is unlocked, and
//! an unlock needs a reason. Both are audited.

use super::{Cli, Refused};
use crate::messages::Lang;
use crate::store::audit::os_user;
use crate::store::{StoreError, locks};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// 锁定年度 / lock a year
    Lock {
        year: i64,
        /// 理由 / why
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// 解锁年度（须说明理由） / unlock a year (a reason is required)
    Unlock {
        year: i64,
        /// 理由（必填） / why (required)
        #[arg(long)]
        reason: String,
    },
    /// 列出锁定的年度 / list the locked years
    List,
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let zh = cli.lang == Lang::Zh;
    let result = match &args.action {
        Action::Lock { year, reason } => locks::lock(&db, *year, reason, &os_user(), "cli").await.map(|()| {
            println!("{}", if zh { format!("已锁定 {year} 年度") } else { format!("{year} is locked") });
        }),
        Action::Unlock { year, reason } => locks::unlock(&db, *year, reason, &os_user(), "cli").await.map(|()| {
            println!("{}", if zh { format!("已解锁 {year} 年度") } else { format!("{year} is unlocked") });
        }),
        Action::List => {
            for l in locks::list(&db).await? {
                println!("{}\t{}\t{}\t{}", l.year, l.locked_by, l.locked_at, l.reason);
            }
            Ok(())
        }
    };
    match result {
        Err(StoreError::Refused(m) | StoreError::Conflict(m)) => {
            eprintln!("vetis: {m}");
            Err(Refused.into())
        }
        other => Ok(other?),
    }
}

//! `vetis mail send|test`: notices by e-mail through the SMTP server of `VETIS_SMTP` (optional;
//! `vetis serve` mails them every minute by itself). `send` mails what waits now (for a cron job
//! beside the server); `test` sends one message to check the setting.

use super::Cli;
use crate::messages::Lang;
use crate::workflow::mail::Mailer;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// 发送待发的通知邮件 / mail the notices waiting
    Send,
    /// 发送一封测试邮件，检查 VETIS_SMTP 设置 / send one test message to check VETIS_SMTP
    Test {
        #[arg(long)]
        to: String,
    },
}

/// The mailer of the environment's setting; an error when there is none or it is wrong.
pub fn mailer_from_env(lang: Lang) -> anyhow::Result<Mailer> {
    let get = |k: &str| std::env::var(k).ok();
    let smtp = crate::settings::smtp(&get).map_err(anyhow::Error::msg)?.ok_or_else(|| {
        anyhow::anyhow!(if lang == Lang::Zh {
            "没有设置邮件服务器：请设置 VETIS_SMTP（如 smtp+starttls://用户名@邮件服务器:587?from=发件地址）"
        } else {
            "no mail server is set: set VETIS_SMTP (e.g. smtp+starttls://user@mail.example:587?from=vetis@example.gov.cn)"
        })
    })?;
    let site = crate::settings::public_url(&get).map_err(anyhow::Error::msg)?;
    Mailer::new(&smtp, site).map_err(anyhow::Error::msg)
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let zh = cli.lang == Lang::Zh;
    let mailer = mailer_from_env(cli.lang)?;
    match &args.action {
        Action::Send => {
            let db = super::open(cli).await?;
            let round = mailer.send_pending(&db).await?;
            println!(
                "{}",
                if zh {
                    format!("已发送 {} 封通知邮件，{} 封未能发送（下次再试）", round.sent, round.failed)
                } else {
                    format!("{} notices mailed, {} failed (tried again next time)", round.sent, round.failed)
                }
            );
            anyhow::ensure!(
                round.failed == 0,
                if zh {
                    "有通知邮件未能发送：详见上面的日志"
                } else {
                    "some notices could not be mailed: see the log above"
                }
            );
        }
        Action::Test { to } => {
            let body =
                "这是 VETIS 的测试邮件：通知邮件的设置可用。\nA test message from VETIS: notices can be mailed.\n";
            mailer.send(to, "VETIS 测试邮件 / test message", body.to_string()).await.map_err(|e| {
                anyhow::anyhow!(if zh {
                    format!("测试邮件未能发送：{e}")
                } else {
                    format!("the test message was not sent: {e}")
                })
            })?;
            println!("{}", if zh { format!("测试邮件已发送到 {to}") } else { format!("test message sent to {to}") });
        }
    }
    Ok(())
}

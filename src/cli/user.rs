//! `vetis user add|passwd|disable|enable|token|email|list`: accounts for the web platform and the API;
//! tokens expire (`--days`), and the list shows each one's expiry and when it was last used.

use std::io::{IsTerminal, Read};

use super::Cli;
use crate::domain::access::Role;
use crate::messages::Lang;
use crate::store::audit::os_user;
use crate::store::tokens;
use crate::store::users::{self, NewUser};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// 新增账号（非终端时从标准输入读取密码，否则生成一次性密码） / add an account (password from stdin when it is not a terminal, else a one-time password)
    Add {
        name: String,
        #[arg(long, value_enum)]
        role: Role,
        /// 学校标识码（学校账号） / school code, for a school officer
        #[arg(long)]
        school: Option<String>,
        /// 区代码（区账号） / district code, for a district officer
        #[arg(long)]
        district: Option<String>,
    },
    /// 重设密码 / set a new password
    Passwd { name: String },
    /// 停用账号（结束会话、吊销令牌） / disable an account (ends sessions, revokes tokens)
    Disable { name: String },
    /// 启用账号 / enable an account
    Enable { name: String },
    /// 生成 API 令牌（只显示一次） / print a new API token (shown once)
    Token {
        name: String,
        /// 有效天数（1–366） / days the token lives (1–366)
        #[arg(long, default_value_t = crate::store::tokens::DEFAULT_DAYS)]
        days: i64,
    },
    /// 设置通知邮件地址（不给地址则删除） / set the address notices are mailed to (none removes it)
    Email { name: String, address: Option<String> },
    /// 列出账号 / list accounts
    List,
}

/// The password from standard input when it is piped; None on a terminal.
fn piped_password() -> anyhow::Result<Option<String>> {
    if std::io::stdin().is_terminal() {
        return Ok(None);
    }
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    let line = s.lines().next().unwrap_or("").to_string();
    anyhow::ensure!(!line.is_empty(), "no password on standard input");
    Ok(Some(line))
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let actor = os_user();
    let zh = cli.lang == Lang::Zh;
    match &args.action {
        Action::Add { name, role, school, district } => {
            let (password, one_time) = match piped_password()? {
                Some(p) => (p, false),
                None => (users::one_time_password(), true),
            };
            let u = NewUser {
                username: name,
                role: *role,
                school: school.as_deref(),
                district: district.as_deref(),
                password: &password,
                must_change: one_time,
            };
            users::create(&db, &u, &actor, "cli").await?;
            println!(
                "{}",
                if zh {
                    format!("已新增账号 {name}（{}）", role.zh())
                } else {
                    format!("account {name} added ({})", role.key())
                }
            );
            if one_time {
                println!(
                    "{}{password}",
                    if zh {
                        "一次性密码（首次登录须修改）："
                    } else {
                        "one-time password (to be changed at first sign-in): "
                    }
                );
            }
        }
        Action::Passwd { name } => {
            let (password, one_time) = match piped_password()? {
                Some(p) => (p, false),
                None => (users::one_time_password(), true),
            };
            users::set_password(&db, name, &password, one_time, &actor, "cli").await?;
            println!("{}", if zh { format!("已重设 {name} 的密码") } else { format!("password of {name} set") });
            if one_time {
                println!("{}{password}", if zh { "一次性密码（首次登录须修改）：" } else { "one-time password: " });
            }
        }
        Action::Disable { name } => {
            users::set_disabled(&db, name, true, &actor, "cli").await?;
            println!("{}", if zh { format!("已停用 {name}") } else { format!("{name} disabled") });
        }
        Action::Enable { name } => {
            users::set_disabled(&db, name, false, &actor, "cli").await?;
            println!("{}", if zh { format!("已启用 {name}") } else { format!("{name} enabled") });
        }
        Action::Email { name, address } => {
            let address = address.as_deref().map(str::trim).filter(|a| !a.is_empty());
            if let Some(a) = address {
                a.parse::<lettre::message::Mailbox>().map_err(|e| {
                    anyhow::anyhow!(if zh {
                        format!("“{a}”不是有效的邮件地址：{e}")
                    } else {
                        format!("'{a}' is not an e-mail address: {e}")
                    })
                })?;
            }
            users::set_email(&db, name, address, &actor, "cli").await?;
            println!(
                "{}",
                match (address, zh) {
                    (Some(a), true) => format!("{name} 的通知将发送到 {a}（须设置 VETIS_SMTP）"),
                    (Some(a), false) => format!("{name}'s notices will be mailed to {a} (needs VETIS_SMTP)"),
                    (None, true) => format!("已删除 {name} 的通知邮件地址"),
                    (None, false) => format!("{name} gets no notices by e-mail"),
                }
            );
        }
        Action::Token { name, days } => println!("{}", tokens::new_token(&db, name, *days, &actor, "cli").await?),
        Action::List => {
            let all_tokens = tokens::list(&db).await?;
            for a in users::list(&db).await? {
                let scope = a.school_code.clone().or(a.district_code.clone()).unwrap_or_default();
                let state = if a.disabled {
                    "disabled"
                } else if a.must_change {
                    "must change password"
                } else {
                    "active"
                };
                // API tokens: each one's expiry and when it was last used, after the account.
                let mine: Vec<String> = all_tokens
                    .iter()
                    .filter(|t| t.username == a.username)
                    .map(|t| {
                        let used = t.last_used_at.as_deref().map_or("-", |u| u.get(..10).unwrap_or(u));
                        let expired = if t.live {
                            ""
                        } else if zh {
                            "（已过期）"
                        } else {
                            " (expired)"
                        };
                        if zh {
                            format!("令牌 至{}{expired} 上次使用 {used}", t.expires_at)
                        } else {
                            format!("token expires {}{expired}, last used {used}", t.expires_at)
                        }
                    })
                    .collect();
                let tokens = if mine.is_empty() { String::new() } else { format!("\t{}", mine.join("; ")) };
                let email = a.email.as_deref().map(|e| format!("\t{e}")).unwrap_or_default();
                println!("{}\t{}\t{scope}\t{state}{email}{tokens}", a.username, a.role);
            }
        }
    }
    Ok(())
}

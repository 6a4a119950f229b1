//! `vetis serve`: the web platform on an address of this machine.

use std::sync::Arc;

use super::Cli;
use crate::messages::Lang;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// 监听地址 / address to listen on
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// 数据库为空时先导入示例城市 / fill an empty database with the demo city first
    #[arg(long)]
    pub demo: bool,
    /// 经 HTTPS 反向代理提供服务时设置 Cookie 的 Secure 标志 / mark cookies Secure (behind an HTTPS proxy)
    #[arg(long)]
    pub secure_cookies: bool,
    /// 可信反向代理地址（其 X-Forwarded-For 用于登录限速），可重复 / a reverse proxy whose X-Forwarded-For is believed (sign-in throttling); repeatable
    #[arg(long = "trusted-proxy", env = "VETIS_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// 请求头须在此秒数内收完 / seconds a request's header may take to arrive
    #[arg(long, env = "VETIS_HEADER_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout: u64,
    /// 请求正文须在此秒数内收完 / seconds a request's body (an upload) may take to arrive
    #[arg(long, env = "VETIS_BODY_TIMEOUT_SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout: u64,
    /// 空闲连接在此秒数后关闭 / seconds an idle connection stays open
    #[arg(long, env = "VETIS_IDLE_TIMEOUT_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    pub idle_timeout: u64,
    /// 同时打开的连接上限 / connections open at once
    #[arg(long, env = "VETIS_MAX_CONNECTIONS", default_value_t = 1024, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: u64,
    /// 每个客户端地址的连接上限（0 为不限，如在代理之后） / connections from one address (0: no limit, e.g. behind a proxy)
    #[arg(long, env = "VETIS_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = 64)]
    pub max_connections_per_address: u64,
}

impl Args {
    fn limits(&self) -> crate::web::server::ServerLimits {
        use std::time::Duration;
        crate::web::server::ServerLimits {
            header_timeout: Duration::from_secs(self.header_timeout),
            body_timeout: Duration::from_secs(self.body_timeout),
            idle_timeout: Duration::from_secs(self.idle_timeout),
            max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
            max_per_address: usize::try_from(self.max_connections_per_address).unwrap_or(usize::MAX),
        }
    }
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    // Settings are checked before anything else happens: a wrong one stops the start, naming it.
    let mut config = crate::web::config::WebConfig::from_env().map_err(anyhow::Error::msg)?;
    config.secure_cookies = args.secure_cookies;
    config.trusted_proxies.clone_from(&args.trusted_proxies);
    let smtp = crate::settings::smtp(&|k| std::env::var(k).ok()).map_err(anyhow::Error::msg)?;
    let mailer = match &smtp {
        Some(s) => Some(crate::workflow::mail::Mailer::new(s, config.public_url.clone()).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let db = super::open(cli).await?;
    let zh = cli.lang == Lang::Zh;
    if args.demo && crate::store::registry::current_rows(&db, crate::domain::standard::Table::Student).await? == 0 {
        // A first start with the demo takes minutes: say what happens, then that it is ready.
        let started = std::time::Instant::now();
        eprintln!(
            "{}",
            if zh {
                "数据库为空：正在生成并导入示例城市（2020–2025 年，约需数分钟，进度见下）……"
            } else {
                "the database is empty: generating and importing the demo city (2020–2025; this takes minutes, progress below)…"
            }
        );
        super::demo::load(&db, cli.lang).await?;
        let secs = started.elapsed().as_secs();
        eprintln!(
            "{}",
            if zh {
                format!("示例城市已导入，用时 {} 分 {} 秒", secs / 60, secs % 60)
            } else {
                format!("the demo city is imported in {} min {} s", secs / 60, secs % 60)
            }
        );
    }
    if args.demo {
        demo_accounts(&db, cli.lang).await?;
    }
    // Figures are sums of building blocks: a database from before them gets them once, now.
    if crate::store::blocks::ensure(&db).await? {
        println!("{}", if zh { "已建立指标构件" } else { "the figures' building blocks are built" });
    }
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    println!(
        "{} http://{}{}",
        if zh { "VETIS 已就绪，请在浏览器打开：" } else { "VETIS is ready: open" },
        args.addr,
        match (args.demo, zh) {
            (true, true) => "（用上面的示例账号登录；按 Ctrl+C 停止）",
            (true, false) => " (sign in with a demo account above; Ctrl+C stops it)",
            (false, true) => "（按 Ctrl+C 停止）",
            (false, false) => " (Ctrl+C stops it)",
        }
    );
    let db = Arc::new(db);
    if let (Some(s), Some(mailer)) = (&smtp, mailer) {
        println!(
            "{}{}",
            if zh { "通知同时以邮件发送，邮件服务器：" } else { "notices are mailed too, through " },
            s.describe()
        );
        tokio::spawn(mail_notices(db.clone(), mailer));
    }
    let app = crate::web::warmed_router(db, config);
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    crate::web::server::serve(listener, app, args.limits(), stop).await?;
    Ok(())
}

/// Every minute, mails the notices waiting (a failed one is tried again in the next round).
async fn mail_notices(db: Arc<crate::store::Db>, mailer: crate::workflow::mail::Mailer) {
    const EVERY: std::time::Duration = std::time::Duration::from_secs(60);
    loop {
        match mailer.send_pending(&db).await {
            Ok(r) if r.sent + r.failed > 0 => {
                tracing::info!(target: "vetis::mail", "{} notices mailed, {} failed", r.sent, r.failed);
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(target: "vetis::mail", "mailing notices failed: {e}"),
        }
        tokio::time::sleep(EVERY).await;
    }
}

/// One account per role for trying the demo: created once, with passwords shown only then.
async fn demo_accounts(db: &crate::store::Db, lang: Lang) -> anyhow::Result<()> {
    use crate::domain::access::Role;
    use crate::store::users::{self, NewUser};
    let zh = lang == Lang::Zh;
    let Some(first) = crate::store::registry::first_secondary_school(db).await? else {
        return Ok(());
    };
    let (school, district, name) = (first.code, first.district, first.name);
    let accounts = [
        ("demo-admin", Role::Admin, None, None),
        ("demo-analyst", Role::Analyst, None, None),
        ("demo-district", Role::District, None, Some(district.as_str())),
        ("demo-school", Role::School, Some(school.as_str()), None),
    ];
    let mut shown = false;
    for (username, role, school, district) in accounts {
        if users::find(db, username).await?.is_some() {
            continue;
        }
        let password = users::one_time_password();
        let u = NewUser { username, role, school, district, password: &password, must_change: false };
        users::create(db, &u, "demo", "cli").await?;
        if !shown {
            println!(
                "{}",
                if zh {
                    "示例账号（密码只显示这一次）："
                } else {
                    "demo accounts (passwords are shown only now):"
                }
            );
            shown = true;
        }
        let scope = match (school, district) {
            (Some(s), _) => format!(" {s} {name}"),
            (_, Some(d)) => format!(" {d}"),
            _ => String::new(),
        };
        println!("  {username:<14} {password}  ({}{scope})", if zh { role.zh() } else { role.key() });
    }
    Ok(())
}

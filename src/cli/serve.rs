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
}

pub async fn run(cli: &Cli, args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    if args.demo && crate::store::registry::current_rows(&db, crate::domain::standard::Table::Student).await? == 0 {
        super::demo::load(&db, cli.lang).await?;
    }
    if args.demo {
        demo_accounts(&db, cli.lang).await?;
    }
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let zh = cli.lang == Lang::Zh;
    println!("{} http://{}", if zh { "VETIS 已启动：" } else { "VETIS is serving on" }, args.addr);
    let app = crate::web::router(Arc::new(db), args.secure_cookies);
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await?;
    Ok(())
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

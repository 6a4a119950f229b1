//! `vetis serve`: the web platform on an address of this machine.

use std::sync::Arc;

use super::Cli;
use crate::ingest::finding::Lang;

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
    if args.demo
        && sqlx::Row::get::<i64, _>(&sqlx::query("SELECT COUNT(*) FROM rec_student").fetch_one(&db.pool).await?, 0) == 0
    {
        super::demo::load(&db, cli.lang).await?;
    }
    let listener = tokio::net::TcpListener::bind(args.addr).await?;
    let zh = cli.lang == Lang::Zh;
    println!("{} http://{}", if zh { "VETIS 已启动：" } else { "VETIS is serving on" }, args.addr);
    let app = crate::web::router(Arc::new(db), args.secure_cookies);
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await?;
    Ok(())
}

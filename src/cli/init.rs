//! `vetis init`: creates the database (or brings it up to date), the key and the reference data.

use super::Cli;
use crate::messages::Lang;
use crate::store::refdata;

#[derive(Debug, clap::Args)]
pub struct Args {}

pub async fn run(cli: &Cli, _args: &Args) -> anyhow::Result<()> {
    let db = super::open(cli).await?;
    let crate::store::registry::ReferenceCounts { programs, editions, divisions, districts } =
        crate::store::registry::reference_counts(&db).await?;
    let plan = refdata::active_plan(&db).await?;
    let version = db.schema_version().await?;
    let zh = cli.lang == Lang::Zh;
    // The first administrator, with a one-time password that must be changed at first sign-in.
    let first_admin = if crate::store::users::count_admins(&db).await? == 0 {
        let password = crate::store::users::one_time_password();
        let u = crate::store::users::NewUser {
            username: "admin",
            role: crate::domain::access::Role::Admin,
            school: None,
            district: None,
            password: &password,
            must_change: true,
        };
        crate::store::users::create(&db, &u, &crate::store::audit::os_user(), "cli").await?;
        Some(password)
    } else {
        None
    };
    if zh {
        println!("数据库已就绪：{}（结构版本 {version}）", db.location);
        println!("专业目录：{editions} 个版本，{programs} 个专业；行政区划代码 {divisions} 个；区（县）{districts} 个");
        println!("规划：{}（{} 项主要指标）", plan.name_zh, plan.indicators.len());
        println!("个人信息密钥指纹：{}（密钥保存在数据库之外，请妥善备份）", db.keys.fingerprint());
    } else {
        println!("database ready: {} (schema version {version})", db.location);
        println!(
            "catalogue: {editions} edition(s), {programs} programs; {divisions} division codes; {districts} districts"
        );
        println!("plan: {} ({} key indicators)", plan.name_en, plan.indicators.len());
        println!(
            "personal-data key fingerprint: {} (the key is kept outside the database: back it up)",
            db.keys.fingerprint()
        );
    }
    if let Some(p) = first_admin {
        if zh {
            println!("首个管理员账号 admin 的一次性密码：{p}（首次登录须修改，只显示这一次）");
        } else {
            println!(
                "first administrator 'admin', one-time password: {p} (change it at first sign-in; shown only now)"
            );
        }
    }
    Ok(())
}

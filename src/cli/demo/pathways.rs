//! The demo city's pathways and funding, as the bureau would read them after the import: the
//! city's cohort funnels by intake year, and every year's allocation under the example funding
//! tables (loaded as the version in use).

use crate::domain::funding::DEFAULT_PACK;
use crate::domain::pathway::funnel::Stage;
use crate::figures::{funding as allocation, pathway};
use crate::messages::Lang;
use crate::store::audit::os_user;
use crate::store::{Db, funding};

pub async fn summary(db: &Db, first_year: i32, last_year: i32, lang: Lang) -> anyhow::Result<()> {
    let zh = lang == Lang::Zh;
    let f = pathway::figures(db).await?;
    let rates: Vec<String> = f
        .city
        .iter()
        .filter(|r| r.funnel.count(Stage::Assessed) > 0)
        .map(|r| {
            let passed = r.funnel.count(Stage::Passed) as f64 / r.funnel.count(Stage::Assessed) as f64 * 100.0;
            format!(
                "{} {}{:.1}% / {}{}",
                r.intake,
                if zh { "通过率 " } else { "pass " },
                passed,
                if zh { "升学率 " } else { "transfer " },
                r.funnel.transfer_rate().map_or("—".into(), |v| format!("{v:.1}%"))
            )
        })
        .collect();
    let rates = if rates.is_empty() {
        (if zh { "尚无转段考核结果" } else { "no transfer results yet" }).to_string()
    } else {
        rates.join(if zh { "，" } else { ", " })
    };
    if zh {
        println!("贯通培养：{} 个协议；各届 {rates}（vetis pathway figures）", f.agreements);
    } else {
        println!("pathways: {} agreements; by intake {rates} (vetis pathway figures)", f.agreements);
    }
    let cats = funding::categories(db).await?;
    let pack = funding::parse(DEFAULT_PACK, &cats).map_err(|e| anyhow::anyhow!(e.join("; ")))?;
    funding::load(db, &pack, DEFAULT_PACK, &os_user(), "demo").await?;
    let mut lines = Vec::new();
    for year in first_year..=last_year {
        let a = allocation::allocate(db, &pack, year, None).await?;
        let flagged =
            a.schools.iter().filter(|s| s.total_fell || s.per_student_fell || s.below_floor.is_some()).count();
        lines.push(format!("{year} {:.2} 亿元（{} 人，提示 {flagged} 校）", a.total / 1e8, a.students));
    }
    if zh {
        println!("生均拨款测算（示例标准）：{}（vetis funding allocate --year Y）", lines.join("；"));
    } else {
        println!("funding (example tables): {} (vetis funding allocate --year Y)", lines.join("; "));
    }
    Ok(())
}

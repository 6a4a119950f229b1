//! The demo city's part-time teacher pool, registered from the demo's `pool/experts.csv` through
//! the same reading and checks as `vetis pool import`; then two school years of engagements: for
//! about half the programs each school runs, an expert found by searching the pool for the program
//! (the school's own part-time teachers first), engaged for a term, with the school's feedback.

use std::path::Path;

use crate::demo::rng::Rng;
use crate::domain::pool::EngagementForm;
use crate::store::Db;
use crate::store::pool;

/// What the demo's pool came to: experts registered, engagements recorded.
pub async fn pool(
    db: &Db,
    file: &Path,
    seed: u64,
    (first_year, last_year): (i32, i32),
) -> anyhow::Result<(usize, usize)> {
    let rows = crate::ingest::pool::read_experts(file, "pool/experts.csv")
        .map_err(|e| anyhow::anyhow!("the demo's pool file: {}", e.join("; ")))?;
    let list: Vec<(&crate::domain::pool::Expert, Option<&str>)> =
        rows.iter().map(|r| (&r.expert, r.school.as_deref())).collect();
    let registered = pool::add_all(db, &list, "demo", "demo").await?;
    let mut rng = Rng::new(seed).fork(9);
    let mut engaged = 0;
    for year in (last_year - 1).max(first_year)..=last_year {
        let offered = pool::offered(db, year).await?;
        for (school, program) in &offered {
            if !rng.chance(0.5) {
                continue;
            }
            let found = pool::search(db, program, None).await?;
            if found.is_empty() {
                continue;
            }
            let expert = &found[rng.below(found.len())];
            let hours = f64::from(16 * rng.range(2, 6) as i32);
            let form = EngagementForm {
                term: format!("{year}-{}-{}", year + 1, 1 + rng.below(2)),
                courses: format!("{}（企业实践课）", expert.skills.first().map_or("专业实践", String::as_str)),
                hours,
                pay: hours * (150.0 + 50.0 * rng.range(0, 5) as f64),
            };
            let id = pool::engage(db, expert.id, school, Some(program), &form, "demo", "demo").await?;
            let rating = [3, 4, 4, 5, 5][rng.below(5)];
            pool::feedback(db, id, rating, if rating == 5 { "学生评价很好，建议续聘" } else { "" }, "demo", "demo")
                .await?;
            engaged += 1;
        }
    }
    Ok((registered.len(), engaged))
}

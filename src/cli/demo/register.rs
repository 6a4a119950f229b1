//! The demo city's register of dual-qualified recognitions (the Teachers issue), made through the
//! same steps as a school's and the bureau's: each June the schools apply for the teachers they
//! claim as dual-qualified whom the register does not yet back, at 中级 where the records support
//! it and 初级 otherwise; the panel recognises those the records support and rejects the rest with
//! a reason; the bureau publishes, and the recognitions are in force after the objection period.
//! A pilot batch in June 2019 gives the earliest claimants recognitions that expire in 2024, so
//! the register shows expiries and renewals; a few teachers are never put forward (claims the
//! register cannot back), and a few schools' last batches are still before the panel.

use chrono::{Datelike, NaiveDate, Weekday};

use crate::domain::dual::register::IndicatorSource;
use crate::domain::dual::{Level, precheck};
use crate::store::Db;
use crate::store::dual::register::{self as reg, Actor};

/// A stable number in 0..100 for a school's teacher: who is never put forward, who waits.
fn lot(school: &str, teacher: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in school.bytes().chain(teacher.bytes()) {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h % 100
}

/// The first working day on or after `day`.
fn working(mut day: NaiveDate) -> NaiveDate {
    while matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
        day += chrono::Duration::days(1);
    }
    day
}

/// What the demo's register came to.
#[derive(Debug, Default)]
pub struct Made {
    pub batches: usize,
    pub recognised: usize,
    pub rejected: usize,
    pub pending: usize,
}

/// Builds the register for `first_year..=last_year`; `progress` is told each year done.
pub async fn register(db: &Db, first_year: i32, last_year: i32, progress: &dyn Fn()) -> anyhow::Result<Made> {
    let who = Actor { name: "demo", origin: "demo" };
    let pack = crate::store::dual::pack::active(db).await?;
    let mut made = Made::default();
    for year in first_year..=last_year {
        let claims = crate::store::dual::marks::unbacked(db, year, None).await?;
        let mut by_school: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
        for c in claims {
            // One in twelve is never put forward.
            if lot(&c.school_code, &c.teacher_no) < 8 {
                continue;
            }
            by_school.entry(c.school_code).or_default().push(c.teacher_no);
        }
        // The register opens with a pilot a year before the first statistical year.
        let published = if year == first_year {
            working(NaiveDate::from_ymd_opt(year - 1, 6, 10).expect("a date"))
        } else {
            working(NaiveDate::from_ymd_opt(year, 6, 10).expect("a date"))
        };
        for (school, teachers) in by_school {
            let mut levels: [Vec<String>; 2] = [Vec::new(), Vec::new()];
            for t in teachers {
                let Some(facts) = crate::store::dual::facts(db, &school, &t, Some(year)).await? else { continue };
                let mid = precheck(&pack, Level::Intermediate, &facts).eligible;
                levels[usize::from(mid)].push(t);
            }
            for (i, list) in levels.iter().enumerate().filter(|(_, l)| !l.is_empty()) {
                let level = if i == 1 { Level::Intermediate } else { Level::Elementary };
                let title = format!("{year} 年度“双师型”教师认定（{}）", level.zh());
                let b = reg::apply(db, &school, level, Some(year), list, &title, &who).await?;
                made.batches += 1;
                // The last year's batches of one school in ten are still before the panel.
                if year == last_year && lot(&school, "panel") < 10 {
                    made.pending += b.applications.len();
                    continue;
                }
                let (yes, no): (Vec<&reg::Application>, Vec<&reg::Application>) =
                    b.applications.iter().partition(|a| a.eligible);
                let ids = |list: &[&reg::Application]| list.iter().map(|a| a.id).collect::<Vec<i64>>();
                if !yes.is_empty() {
                    made.recognised += reg::decide_many(db, &ids(&yes), true, "", &who).await?.len();
                }
                if !no.is_empty() {
                    let reason = "记录不满足认定条件，请补充企业实践后再申报";
                    made.rejected += reg::decide_many(db, &ids(&no), false, reason, &who).await?.len();
                }
                reg::publish(db, b.id, published, &who).await?;
            }
        }
        progress();
    }
    Ok(made)
}

/// One line on the register for the demo's closing print.
pub fn summary(made: &Made, source: IndicatorSource, zh: bool) -> String {
    let by = match (source, zh) {
        (IndicatorSource::Claims, true) => "指标按学校填报计",
        (IndicatorSource::Register, true) => "指标按认定名册计",
        (IndicatorSource::Claims, false) => "the indicator counts the claims",
        (IndicatorSource::Register, false) => "the indicator counts the register",
    };
    if zh {
        format!(
            "“双师型”认定：{} 个批次，认定 {} 人，不予认定 {} 人，待评审 {} 人（{by}；vetis dual figures 对照两者）",
            made.batches, made.recognised, made.rejected, made.pending
        )
    } else {
        format!(
            "dual-qualified register: {} batches, {} recognised, {} not recognised, {} waiting for the panel ({by}; vetis dual figures shows both)",
            made.batches, made.recognised, made.rejected, made.pending
        )
    }
}

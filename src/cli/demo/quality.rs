//! The demo city's quality reports: every school and the city publish a report for each year
//! before the last (the last year's are not due until the January after it), written from their
//! own figures (each chapter places its table and says what the figures show), reviewed and
//! published by their deadline, a few of them late.

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::domain::quality::{Edition, Template};
use crate::figures::quality::{Frozen, Subject, freeze_with, measured_years, schools_covered};
use crate::messages::Lang;
use crate::store::quality_report::{self as store, Step};
use crate::store::{Db, registry};
use crate::workflow::quality_report::publish_frozen;

fn value(f: &Frozen, row: &str) -> String {
    f.tables
        .iter()
        .flat_map(|t| t.rows.iter())
        .find(|r| r.id == row)
        .map_or_else(|| "—".into(), |r| crate::reports::quality::shown(r.value, &r.unit, Some("—")))
}

/// The chapters a school would write around its figures.
fn chapters(f: &Frozen) -> Vec<(&'static str, String)> {
    let y = f.year;
    vec![
        (
            "talent",
            format!(
                "## 学生发展\n{y} 年，全日制在校生 {} 人，毕业生 {} 人，毕业去向落实率 {}%，其中升学 {}%、就业 {}%。\n- 对口就业率 {}%\n- 毕业生证书获取率 {}%\n[[table:scorecard]]",
                value(f, "full_time_enrolment"),
                value(f, "graduates"),
                value(f, "placement_rate"),
                value(f, "progression_rate"),
                value(f, "employment_rate"),
                value(f, "in_field_rate"),
                value(f, "certificate_rate")
            ),
        ),
        (
            "service",
            format!(
                "面向社会开展职业技能培训 {} 人次，技术服务项目 {} 项。\n[[table:service]]",
                value(f, "training_person_times"),
                value(f, "tech_service_projects")
            ),
        ),
        ("culture", "弘扬劳模精神、劳动精神、工匠精神，把岭南文化融入专业教学与校园活动。".into()),
        ("international", "[[table:international]]\n与境外院校和企业开展交流合作，服务企业“走出去”。".into()),
        (
            "industry",
            format!(
                "与 {} 家企业开展合作，订单培养学生 {} 人。\n- 现代学徒制试点\n- 共建实训基地",
                value(f, "cooperation_enterprises"),
                value(f, "order_class_students")
            ),
        ),
        (
            "support",
            format!(
                "专任教师 {} 人，生师比 {}:1，“双师型”教师占 {}%。\n[[table:resources]]\n[[table:policy]]",
                value(f, "full_time_teachers"),
                value(f, "student_teacher_ratio"),
                value(f, "dual_qualified_share")
            ),
        ),
        ("challenges", "专业结构与区域产业的对接仍需加强；高水平“双师型”教师仍然不足。下一年度将……".into()),
    ]
}

/// Writes, reviews and publishes the reports of `first..=last - 1`; how many were published and
/// how many of them late.
pub async fn reports(db: &Db, first: i32, last: i32, seed: u64, lang: Lang) -> anyhow::Result<()> {
    let years = i64::from(first.max(2021))..=i64::from(last) - 1;
    if years.is_empty() {
        return Ok(());
    }
    let templates: HashMap<Edition, Template> = [Edition::Secondary, Edition::Higher, Edition::City]
        .into_iter()
        .map(|e| Ok((e, Template::parse(e.shipped()).map_err(|e| anyhow::anyhow!(e.join("; ")))?)))
        .collect::<anyhow::Result<_>>()?;
    // Every template reads the same measures: one reading per year serves every report.
    let measured = measured_years(db, &templates[&Edition::City], *years.start()..=*years.end()).await?;
    let data_version = db.data_version().await?;
    let mut subjects: Vec<(Subject, String, Edition)> = Vec::new();
    for s in registry::schools(db).await? {
        let e = Edition::of_level(&s.level);
        subjects.push((Subject::School(s.code), s.name, e));
    }
    // The city's last: its report lists whether each school's was published on time.
    subjects.push((Subject::City, "广州市".into(), Edition::City));
    let mut rng = crate::demo::rng::Rng::new(seed ^ 0x5157);
    let (mut published, mut late) = (0, 0);
    for year in years {
        for (subject, name, edition) in &subjects {
            let t = &templates[edition];
            let covered = schools_covered(db, t, subject).await?;
            let mut frozen = freeze_with(t, &measured, &covered, subject, name, year, data_version);
            if *subject == Subject::City
                && let Some(m) = measured.get(&year)
            {
                let roster = crate::workflow::quality_report::roster(db, subject, year).await?;
                frozen.schools = crate::figures::quality::school_lines(t, m, &roster);
            }
            let key = crate::workflow::quality_report::subject_key(subject);
            for (chapter, text) in chapters(&frozen) {
                store::write(db, (&key, year), t, chapter, &text, "demo", "demo").await?;
            }
            store::step(db, &key, year, &Step::Submit { template: t }, "demo", "demo").await?;
            store::step(db, &key, year, &Step::Approve, "demo", "demo").await?;
            // Most publish in January; one in eight misses the deadline by up to two months.
            let deadline = NaiveDate::parse_from_str(&t.deadline_of(year), "%Y-%m-%d")?;
            let is_late = *subject != Subject::City && rng.chance(0.125);
            let on = if is_late {
                deadline + chrono::Duration::days(rng.range(3, 60))
            } else {
                deadline - chrono::Duration::days(rng.range(0, 20))
            };
            publish_frozen(db, (&key, year), &frozen, Some(on), "demo", "demo").await?;
            published += 1;
            late += usize::from(is_late);
        }
    }
    if lang == Lang::Zh {
        println!(
            "质量年度报告：发布 {published} 份（{first}—{} 年度，其中逾期 {late} 份）（vetis quality-report status --year Y）",
            last - 1
        );
    } else {
        println!(
            "quality reports: {published} published for {first}–{} ({late} late) (vetis quality-report status --year Y)",
            last - 1
        );
    }
    Ok(())
}

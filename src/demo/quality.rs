//! The demo city's returns for the quality reports (data standard v1.6): each school's funding
//! and staffing (`finance`), its international cooperation (`international`, mostly small, larger
//! at the better schools and the colleges) and satisfaction surveys of its students, graduates and
//! employers (`survey`; some schools ask too few employers for a published share).

use super::city::School;
use super::rng::Rng;
use super::writer::Tables;
use crate::domain::standard::Table;

pub fn write(
    rng: &mut Rng,
    schools: &[School],
    year: i32,
    enrolled: &[usize],
    out: &mut Tables,
) -> std::io::Result<()> {
    let y = year.to_string();
    for (i, s) in schools.iter().enumerate() {
        let n = enrolled[i].max(200) as f64;
        let public = s.sponsor != "民办";
        // 生均拨款标准: 中职 and 高职 standards rise over the period (元 per student).
        let standard = if s.level == 0 {
            10_000.0 + 500.0 * f64::from(year - 2020)
        } else {
            12_000.0 + 600.0 * f64::from(year - 2020)
        };
        let appropriation = if public { n * standard * (1.05 + rng.unit() * 0.3) / 10_000.0 } else { 0.0 };
        let quota = if public { (n / 14.0).round() as i64 } else { 0 };
        let on_quota = (quota as f64 * (0.88 + rng.unit() * 0.14)).round() as i64;
        let hours = (n * (1.5 + rng.unit() * 2.0)).round();
        let pay = hours * (80.0 + rng.unit() * 60.0) / 10_000.0;
        let (std_cell, quota_cell, on_cell) = if public {
            (format!("{standard:.0}"), quota.to_string(), on_quota.to_string())
        } else {
            (String::new(), String::new(), String::new())
        };
        out.row(
            Table::Finance,
            &[
                &s.code,
                &y,
                &format!("{appropriation:.2}"),
                &std_cell,
                &quota_cell,
                &on_cell,
                &format!("{hours:.0}"),
                &format!("{pay:.2}"),
            ],
        )?;
        let reach = s.quality * if s.level > 0 { 3.0 } else { 1.0 };
        let small = |rng: &mut Rng, scale: f64| ((rng.unit() * scale * reach).floor() as i64).to_string();
        let row = [
            s.code.clone(),
            y.clone(),
            small(rng, 12.0),
            small(rng, 300.0),
            small(rng, 400.0),
            small(rng, 120.0),
            small(rng, 3.0),
            small(rng, 3.0),
            small(rng, 2.0),
        ];
        let cells: Vec<&str> = row.iter().map(String::as_str).collect();
        out.row(Table::International, &cells)?;
        let satisfaction = 0.82 + s.quality * 0.14;
        for (group, asked) in [
            ("在校生", (n * (0.3 + rng.unit() * 0.3)).round() as i64),
            ("毕业生", (n * (0.08 + rng.unit() * 0.1)).round() as i64),
            ("用人单位", 12 + rng.below(50) as i64),
        ] {
            let yes =
                ((asked as f64) * (satisfaction + (rng.unit() - 0.5) * 0.06)).round().clamp(0.0, asked as f64) as i64;
            out.row(Table::Survey, &[&s.code, &y, group, &asked.to_string(), &yes.to_string()])?;
        }
    }
    Ok(())
}

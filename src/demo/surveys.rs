//! The demo city's trainee surveys (data standard v1.5 `training_survey`), for the last year: at
//! every third school, one project answered by most of its trainees on both surveys (a rating
//! the public page shows) and one answered by a handful (too few: no rating), the scores leaning
//! with the school's quality.

use chrono::Duration;

use super::activity::Project;
use super::city::School;
use super::rng::Rng;
use super::writer::Tables;
use crate::domain::standard::Table;

/// A score of 1–5 around the school's level.
fn score(rng: &mut Rng, centre: f64) -> i64 {
    (centre + (rng.unit() - 0.5) * 2.4).round().clamp(1.0, 5.0) as i64
}

pub fn write(rng: &mut Rng, schools: &[School], projects: &[Project], out: &mut Tables) -> std::io::Result<()> {
    for (i, school) in schools.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        let mine: Vec<&Project> = projects.iter().filter(|p| p.school == i && p.completed >= 60).collect();
        let (Some(full), Some(few)) = (mine.first(), mine.get(1)) else { continue };
        let centre = 3.4 + school.quality * 1.3;
        for (p, share) in [(full, 0.55 + rng.unit() * 0.3), (few, 0.0)] {
            let n = if share > 0.0 { (p.completed as f64 * share).ceil() as usize } else { 12 + rng.below(10) };
            let year = p.end.format("%Y").to_string();
            for k in 0..n.min(p.completed) {
                let date = (p.end + Duration::days(rng.range(0, 3))).format("%Y-%m-%d").to_string();
                let overall = score(rng, centre);
                let cells = [
                    score(rng, centre).to_string(),
                    score(rng, centre - 0.2).to_string(),
                    score(rng, centre - 0.4).to_string(),
                    overall.to_string(),
                ];
                let row = [
                    school.code.as_str(),
                    &year,
                    &p.code,
                    "结业评价",
                    &format!("C{:05}", k + 1),
                    &date,
                    &cells[0],
                    &cells[1],
                    &cells[2],
                    &cells[3],
                    "",
                    "",
                    "",
                ];
                out.row(Table::TrainingSurvey, &row)?;
            }
            // The outcome survey, six to eight months after the end, answered by fewer.
            let n = if share > 0.0 { (p.completed as f64 * (share - 0.05)).ceil() as usize } else { 8 };
            for k in 0..n.min(p.completed) {
                let date = (p.end + Duration::days(rng.range(190, 240))).format("%Y-%m-%d").to_string();
                let yes = |rng: &mut Rng, p: f64| if rng.chance(p) { "是" } else { "否" };
                let employed = yes(rng, 0.6 + school.quality * 0.3);
                let certified = yes(rng, 0.5 + school.quality * 0.3);
                let promoted = yes(rng, 0.15 + school.quality * 0.2);
                let row = [
                    school.code.as_str(),
                    &year,
                    &p.code,
                    "跟踪调查",
                    &format!("O{:05}", k + 1),
                    &date,
                    "",
                    "",
                    "",
                    "",
                    employed,
                    certified,
                    promoted,
                ];
                out.row(Table::TrainingSurvey, &row)?;
            }
        }
    }
    Ok(())
}

//! The evaluation's edited sections (存在问题, 下一步措施) per year: the planner's own words, which
//! replace the draft made from the figures. Saving one is a write like any other (it moves the
//! data version, so reports made before it are made again) and is audited.

use sqlx::Row;

use super::audit::{self, Entry};
use super::{Db, StoreError, now};

/// The sections of the evaluation a planner writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// 存在问题
    Problems,
    /// 下一步措施
    Measures,
}

impl Section {
    pub const ALL: [Section; 2] = [Section::Problems, Section::Measures];

    pub fn key(self) -> &'static str {
        match self {
            Section::Problems => "problems",
            Section::Measures => "measures",
        }
    }

    pub fn parse(s: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|x| x.key() == s)
    }
}

/// A section as saved: its items, and who saved it when.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Remark {
    pub section: Section,
    pub items: Vec<String>,
    pub updated_by: String,
    pub updated_at: String,
}

/// The items of a text, one per non-empty line, without list marks a word processor leaves.
pub fn items_of(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim().trim_start_matches(['●', '•', '-', '*', '·']).trim())
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// The saved sections of a year's evaluation.
pub async fn of_year(db: &Db, year: i32) -> Result<Vec<Remark>, StoreError> {
    let rows = sqlx::query(
        "SELECT section, body, updated_by, updated_at FROM evaluation_remark WHERE year = $1 ORDER BY section",
    )
    .bind(i64::from(year))
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .filter_map(|r| {
            Some(Remark {
                section: Section::parse(&r.get::<String, _>(0))?,
                items: items_of(&r.get::<String, _>(1)),
                updated_by: r.get(2),
                updated_at: r.get(3),
            })
        })
        .collect())
}

/// Saves a section's items (replacing what was saved); no items goes back to the draft.
pub async fn save(
    db: &Db,
    year: i32,
    section: Section,
    items: &[String],
    actor: &str,
    origin: &str,
) -> Result<(), StoreError> {
    if items.iter().map(String::len).sum::<usize>() > 20_000 {
        return Err(StoreError::refused("内容过长（上限 20,000 字节）/ the text is too long (20,000 bytes at most)"));
    }
    let mut w = db.begin_write().await?;
    let tx = w.conn();
    sqlx::query("DELETE FROM evaluation_remark WHERE year = $1 AND section = $2")
        .bind(i64::from(year))
        .bind(section.key())
        .execute(&mut *tx)
        .await?;
    if !items.is_empty() {
        sqlx::query(
            "INSERT INTO evaluation_remark (year, section, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(i64::from(year))
        .bind(section.key())
        .bind(items.join("\n"))
        .bind(actor.to_string())
        .bind(now())
        .execute(&mut *tx)
        .await?;
    }
    let object = format!("evaluation {year} {}", section.key());
    let detail = if items.is_empty() { "draft".to_string() } else { format!("{} items", items.len()) };
    audit::record(
        &mut *tx,
        &Entry { actor, action: "evaluation_remark", object: &object, detail: &detail, source: origin },
    )
    .await?;
    w.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_lines_without_their_list_marks() {
        assert_eq!(items_of("● 一\n\n  - 二 \n三"), vec!["一", "二", "三"]);
    }
}

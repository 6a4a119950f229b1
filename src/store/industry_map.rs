//! The program-to-industry mapping behind the key-industry coverage rule: reference data the
//! bureau edits (a CSV of program-code prefixes and industry keys), checked whole before it
//! replaces the one in use.

use sqlx::Row;

use super::audit::{self, Entry};
use super::records::{SqlValue, insert_batch};
use super::{Db, StoreError};

/// The default shipped with VETIS (data/ref/gz-industry-map.csv).
pub const DEFAULT: &str = include_str!("../../data/ref/gz-industry-map.csv");

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MapEntry {
    pub prefix: String,
    pub industry: String,
    pub note: String,
}

/// Parses the mapping; every bad line is reported as `line N: …`. Lines starting with `#` are notes.
pub fn parse(text: &str, industries: &[String]) -> Result<Vec<MapEntry>, Vec<String>> {
    let body: String = text.lines().filter(|l| !l.trim_start().starts_with('#')).map(|l| format!("{l}\n")).collect();
    let mut errors = Vec::new();
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(body.as_bytes());
    match reader.headers() {
        Ok(h) if h.iter().take(2).eq(["prefix", "industry"]) => {}
        _ => return Err(vec!["the first line must be the header: prefix,industry,note".into()]),
    }
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let prefix = rec.get(0).unwrap_or("").trim().to_string();
        let industry = rec.get(1).unwrap_or("").trim().to_string();
        if !(prefix.len() == 2 || prefix.len() == 4 || prefix.len() == 6) || !prefix.chars().all(|c| c.is_ascii_digit())
        {
            errors.push(format!("line {line}: prefix '{prefix}' must be 2, 4 or 6 digits of a program code"));
        }
        if !industries.contains(&industry) {
            errors.push(format!(
                "line {line}: '{industry}' is not a key industry of the plan ({})",
                industries.join(", ")
            ));
        }
        if !seen.insert((prefix.clone(), industry.clone())) {
            errors.push(format!("line {line}: {prefix} → {industry} is listed twice"));
        }
        out.push(MapEntry { prefix, industry, note: rec.get(2).unwrap_or("").trim().to_string() });
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Replaces the mapping in use, in one transaction, with an audit entry.
pub async fn load(db: &Db, text: &str, actor: &str, source: &str) -> Result<usize, Vec<String>> {
    let plan = super::refdata::active_plan(db).await.map_err(|e| vec![e.to_string()])?;
    let keys: Vec<String> = plan.key_industries.iter().map(|k| k.key.clone()).collect();
    let entries = parse(text, &keys)?;
    let n = entries.len();
    let run = async {
        let mut w = db.begin_write().await?;
        let tx = w.conn();
        sqlx::query("DELETE FROM industry_map").execute(&mut *tx).await?;
        let rows = entries
            .into_iter()
            .map(|e| vec![SqlValue::Text(e.prefix), SqlValue::Text(e.industry), SqlValue::Text(e.note)])
            .collect();
        insert_batch(&mut *tx, db.backend, "industry_map", &["prefix", "industry", "note"], rows).await?;
        // Which industries a program covers changed: so did every school's coverage.
        super::rule_blocks::rebuild_on(&mut *tx, &plan, Some(crate::domain::targets::Check::IndustryCoverage)).await?;
        audit::record(
            &mut *tx,
            &Entry {
                actor,
                action: "industry_map_load",
                object: "industry_map",
                detail: &format!("{n} entries"),
                source,
            },
        )
        .await?;
        w.commit().await?;
        Ok::<_, StoreError>(())
    };
    run.await.map_err(|e| vec![e.to_string()])?;
    Ok(n)
}

pub async fn list(db: &Db) -> Result<Vec<MapEntry>, StoreError> {
    let rows = sqlx::query("SELECT prefix, industry, note FROM industry_map ORDER BY industry, prefix")
        .fetch_all(&db.pool)
        .await?;
    Ok(rows.iter().map(|r| MapEntry { prefix: r.get(0), industry: r.get(1), note: r.get(2) }).collect())
}

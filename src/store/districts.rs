//! The installation's districts (区/县), the level between the city and its schools in every
//! breakdown, in the registry's `district_code` and in a district officer's account. Guangzhou's
//! eleven are loaded at first use; a provincial or national installation replaces them with its own
//! list (a file, or the current counties of a region of the division codes), checked as a whole.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::Row;

use super::audit::{self, Entry};
use super::records::{SqlValue, insert_batch};
use super::{Db, StoreError};

/// Every problem of a list at once, each line in both languages.
fn refused(errors: Vec<(String, String)>) -> StoreError {
    let (zh, en): (Vec<String>, Vec<String>) = errors.into_iter().unzip();
    StoreError::Refused(crate::messages::Message::new(zh.join("\n"), en.join("\n")))
}

/// One district of the list: its 6-digit division code and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct District {
    pub code: String,
    pub name: String,
}

/// Reads a district list (`code,name` and any further columns, as `data/ref/guangzhou-districts.csv`):
/// every unreadable line or bad name with its line, or the list in file order (line = index + 2).
pub fn parse_list(label: &str, text: &str) -> Result<Vec<District>, StoreError> {
    let text = text.trim_start_matches('\u{feff}');
    let mut rdr = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let header = rdr.headers().map_err(|e| StoreError::refused(format!("{label}: {e}")))?.clone();
    let col = |n: &str| header.iter().position(|h| h.trim() == n);
    let (Some(code_at), Some(name_at)) = (col("code"), col("name")) else {
        return Err(StoreError::refused(format!(
            "{label}：第 1 行须有 code 和 name 两列（如 data/ref/guangzhou-districts.csv） / \
             {label}: line 1 must name the columns code and name (as data/ref/guangzhou-districts.csv)"
        )));
    };
    let mut out = Vec::new();
    let mut errors: Vec<(String, String)> = Vec::new();
    for (i, r) in rdr.records().enumerate() {
        let line = i + 2;
        let r = match r {
            Ok(r) => r,
            Err(e) => {
                errors.push((format!("{label} 第 {line} 行：{e}"), format!("{label} line {line}: {e}")));
                continue;
            }
        };
        let code = r.get(code_at).unwrap_or("").trim().to_string();
        let name = r.get(name_at).unwrap_or("").trim().to_string();
        if name.is_empty() || name.chars().count() > 50 {
            errors.push((
                format!("{label} 第 {line} 行 name 列：名称须为 1–50 个字"),
                format!("{label} line {line}, column name: 1 to 50 characters"),
            ));
        }
        out.push(District { code, name });
    }
    if !errors.is_empty() {
        return Err(refused(errors));
    }
    // The codes' shape and repeats are checked by `replace`, for a file's list and a region's alike.
    Ok(out)
}

/// Codes of six digits below a city (not ending in 00), each once.
fn check_shape(label: &str, list: &[(usize, District)]) -> Result<(), StoreError> {
    let mut errors: Vec<(String, String)> = Vec::new();
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (line, d) in list {
        if !(d.code.len() == 6 && d.code.bytes().all(|b| b.is_ascii_digit()) && !d.code.ends_with("00")) {
            errors.push((
                format!("{label} 第 {line} 行 code 列：“{}”不是区（县）级的 6 位行政区划代码", d.code),
                format!("{label} line {line}, column code: '{}' is not a 6-digit county-level division code", d.code),
            ));
        } else if let Some(first) = seen.insert(&d.code, *line) {
            errors.push((
                format!("{label} 第 {line} 行 code 列：“{}”已在第 {first} 行", d.code),
                format!("{label} line {line}, column code: '{}' is already on line {first}", d.code),
            ));
        }
    }
    if list.is_empty() {
        errors.push((format!("{label}：名单是空的"), format!("{label}: the list is empty")));
    }
    if errors.is_empty() { Ok(()) } else { Err(refused(errors)) }
}

/// The current county-level divisions under a region: a province (`44`), a city (`4401`), or the
/// whole country (`""`), from the division codes loaded with the reference data.
pub async fn of_region(db: &Db, region: &str) -> Result<Vec<District>, StoreError> {
    if !region.is_empty() {
        check_region(region)?;
    }
    let rows = sqlx::query(
        "SELECT code, MAX(name) FROM division WHERE code LIKE $1 AND valid_to IS NULL \
         AND SUBSTR(code, 5, 2) <> '00' GROUP BY code ORDER BY code",
    )
    .bind(format!("{region}%"))
    .fetch_all(&db.pool)
    .await?;
    let list: Vec<District> = rows.iter().map(|r| District { code: r.get(0), name: r.get(1) }).collect();
    if list.is_empty() {
        return Err(StoreError::refused(format!(
            "地区 {region} 下没有现行的区（县）代码 / no current county-level division under {region}"
        )));
    }
    Ok(list)
}

/// A region is the leading 2 (province) or 4 (city) digits of its districts' codes.
fn check_region(region: &str) -> Result<(), StoreError> {
    if matches!(region.len(), 2 | 4) && region.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    Err(StoreError::refused(format!(
        "“{region}”不是地区代码：省 2 位（如 44）、市 4 位（如 4401），全国用 CN / \
         '{region}' is not a region: 2 digits for a province (44), 4 for a city (4401), CN for the country"
    )))
}

/// A region of the installation's districts, by its code (`44`, `4401`): its name from the
/// division codes (the code itself when they do not name it) and how many districts of the list
/// it holds. Refused when it holds none: its figures would be empty, not zero.
pub async fn region(db: &Db, region: &str) -> Result<(String, i64), StoreError> {
    check_region(region)?;
    let held: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM gz_district WHERE code LIKE $1")
        .bind(format!("{region}%"))
        .fetch_one(&db.pool)
        .await?;
    if held == 0 {
        return Err(StoreError::refused(format!(
            "地区 {region} 下没有本系统名单中的区（县）（vetis districts list） / \
             no district of this installation's list is under {region} (vetis districts list)"
        )));
    }
    // A province's own code is 440000, a city's 440100.
    let own = format!("{region:0<6}");
    let name: Option<String> =
        sqlx::query_scalar("SELECT MAX(name) FROM division WHERE code = $1").bind(&own).fetch_one(&db.pool).await?;
    Ok((name.unwrap_or_else(|| region.to_string()), held))
}

/// The provinces the district list spans, each with its name from the division codes (its code
/// when they do not name it), in code order.
pub async fn provinces(db: &Db) -> Result<Vec<(String, String)>, StoreError> {
    let rows = sqlx::query(
        "SELECT SUBSTR(d.code, 1, 2), MAX(v.name) FROM gz_district d \
         LEFT JOIN division v ON v.code = SUBSTR(d.code, 1, 2) || '0000' GROUP BY SUBSTR(d.code, 1, 2) ORDER BY 1",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            let code: String = r.get(0);
            let name: Option<String> = r.get(1);
            (code.clone(), name.unwrap_or(code))
        })
        .collect())
}

/// The districts as loaded, each with how many schools of the current registry it holds.
pub async fn list(db: &Db) -> Result<Vec<(District, i64)>, StoreError> {
    let rows = sqlx::query(
        "SELECT d.code, d.name, (SELECT COUNT(*) FROM rec_school s WHERE s.is_current = 1 AND s.district_code = d.code) \
         FROM gz_district d ORDER BY d.code",
    )
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.iter().map(|r| (District { code: r.get(0), name: r.get(1) }, r.get::<i64, _>(2))).collect())
}

/// Replaces the district list whole, in one write transaction, or refuses it whole: every code
/// must be a current division code, and every district a school of the registry or a district
/// officer's account is in must stay. Returns how many districts.
pub async fn replace(
    db: &Db,
    label: &str,
    list: Vec<District>,
    actor: &str,
    source: &str,
) -> Result<usize, StoreError> {
    let numbered: Vec<(usize, District)> = list.into_iter().enumerate().map(|(i, d)| (i + 2, d)).collect();
    check_shape(label, &numbered)?;
    let mut w = db.begin_write().await?;
    let known: BTreeSet<String> = sqlx::query("SELECT DISTINCT code FROM division WHERE valid_to IS NULL")
        .fetch_all(w.conn())
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut errors: Vec<(String, String)> = numbered
        .iter()
        .filter(|(_, d)| !known.contains(&d.code))
        .map(|(line, d)| {
            (
                format!("{label} 第 {line} 行 code 列：“{}”不是现行的行政区划代码", d.code),
                format!("{label} line {line}, column code: '{}' is not a current division code", d.code),
            )
        })
        .collect();
    let new: BTreeSet<&str> = numbered.iter().map(|(_, d)| d.code.as_str()).collect();
    let in_use = sqlx::query(
        "SELECT district_code, COUNT(*) FROM rec_school WHERE is_current = 1 GROUP BY district_code \
         UNION ALL SELECT district_code, COUNT(*) FROM app_user WHERE district_code IS NOT NULL GROUP BY district_code",
    )
    .fetch_all(w.conn())
    .await?;
    let mut kept_out: BTreeMap<String, i64> = BTreeMap::new();
    for r in in_use {
        let code: String = r.get(0);
        if !new.contains(code.as_str()) {
            *kept_out.entry(code).or_default() += r.get::<i64, _>(1);
        }
    }
    for (code, n) in &kept_out {
        errors.push((
            format!("{label}：区（县）{code} 仍有 {n} 所学校或账号，名单须保留它"),
            format!("{label}: district {code} still holds {n} schools or accounts; the list must keep it"),
        ));
    }
    if !errors.is_empty() {
        w.rollback().await?;
        return Err(refused(errors));
    }
    let n = numbered.len();
    sqlx::query("DELETE FROM gz_district").execute(w.conn()).await?;
    let rows = numbered.into_iter().map(|(_, d)| vec![SqlValue::Text(d.code), SqlValue::Text(d.name)]).collect();
    insert_batch(w.conn(), db.backend, "gz_district", &["code", "name"], rows).await?;
    let detail = format!("{n} districts from {label}");
    audit::record(w.conn(), &Entry { actor, action: "districts.replace", object: label, detail: &detail, source })
        .await?;
    w.commit().await?;
    Ok(n)
}

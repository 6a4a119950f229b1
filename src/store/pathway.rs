//! The pathway agreements register, the transfer assessment scheme in use, and what the records say
//! of each agreement's persons (the facts its cohort funnels are computed from).

use std::collections::{HashMap, HashSet};

use sqlx::{AnyConnection, AssertSqlSafe, Row};

use super::audit::{self, Entry};
use super::packs::{self, Identity, Kind};
use super::records::{SqlValue, insert_batch};
use super::{Db, StoreError};
use crate::domain::pathway::funnel::{Facts, LowerRow};
use crate::domain::pathway::scheme::{DEFAULT_PACK, SchemePack};
use crate::domain::pathway::{AGREEMENT_COLUMNS, Agreement, Pathway, Register, Registry, parse_agreements};

/// The registry and catalogue as the register is checked against them.
struct Known {
    levels: HashMap<String, String>,
    programs: HashSet<(String, String)>,
}

impl Registry for Known {
    fn level(&self, school: &str) -> Option<String> {
        self.levels.get(school).cloned()
    }
    fn has_program(&self, level: &str, program: &str) -> bool {
        self.programs.contains(&(level.to_string(), program.to_string()))
    }
}

async fn known(conn: &mut AnyConnection) -> Result<Known, StoreError> {
    let levels = sqlx::query("SELECT school_code, level FROM rec_school WHERE is_current = 1")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let programs = sqlx::query("SELECT level, code FROM catalog_item WHERE item_level = 'MAJOR'")
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    Ok(Known { levels, programs })
}

/// Replaces the register with a file's agreements, checked whole first (every problem by line);
/// one transaction, audited. Returns how many agreements it holds.
pub async fn load_agreements(db: &Db, text: &str, actor: &str, origin: &str) -> Result<usize, Vec<String>> {
    let fail = |e: StoreError| vec![e.to_string()];
    let mut w = db.begin_write().await.map_err(fail)?;
    let reg = known(w.conn()).await.map_err(fail)?;
    let list = parse_agreements(text, &reg)?;
    let n = list.len();
    let run = async {
        let tx = w.conn();
        sqlx::query("DELETE FROM pathway_agreement").execute(&mut *tx).await?;
        let rows = list
            .into_iter()
            .map(|a| {
                vec![
                    SqlValue::Text(a.code),
                    SqlValue::text(a.pathway.key()),
                    SqlValue::Text(a.lower_school),
                    SqlValue::Text(a.lower_program),
                    SqlValue::Text(a.upper_school),
                    SqlValue::Text(a.upper_program),
                    SqlValue::Int(a.first_intake),
                    SqlValue::Int(a.last_intake),
                    a.quota.map_or(SqlValue::NullInt, SqlValue::Int),
                ]
            })
            .collect();
        insert_batch(&mut *tx, db.backend, "pathway_agreement", &AGREEMENT_COLUMNS, rows).await?;
        let e = Entry {
            actor,
            action: "pathway_agreements_load",
            object: "pathway_agreement",
            detail: &format!("{n} agreements"),
            source: origin,
        };
        audit::record(&mut *tx, &e).await?;
        Ok::<_, StoreError>(())
    };
    run.await.map_err(fail)?;
    w.commit().await.map_err(fail)?;
    Ok(n)
}

fn agreement_from(r: &sqlx::any::AnyRow) -> Agreement {
    let pathway: String = r.get(1);
    Agreement {
        code: r.get(0),
        pathway: Pathway::parse(&pathway).unwrap_or(Pathway::ThreePlusTwo),
        lower_school: r.get(2),
        lower_program: r.get(3),
        upper_school: r.get(4),
        upper_program: r.get(5),
        first_intake: r.get(6),
        last_intake: r.get(7),
        quota: r.get(8),
    }
}

/// The register, on a connection (the import reads it inside its transaction).
pub async fn register_on(conn: &mut AnyConnection) -> Result<Register, StoreError> {
    let sql = format!("SELECT {} FROM pathway_agreement ORDER BY agreement_code", AGREEMENT_COLUMNS.join(", "));
    let rows = sqlx::query(AssertSqlSafe(sql)).fetch_all(&mut *conn).await?;
    Ok(Register { agreements: rows.iter().map(agreement_from).collect() })
}

/// Every agreement, by code.
pub async fn agreements(db: &Db) -> Result<Vec<Agreement>, StoreError> {
    let mut conn = db.pool.acquire().await?;
    Ok(register_on(&mut conn).await?.agreements)
}

/// The transfer assessment scheme in use (the shipped one until the bureau loads another).
pub async fn scheme_on(conn: &mut AnyConnection) -> Result<SchemePack, StoreError> {
    let text = packs::active_source(conn, Kind::Transfer).await?.unwrap_or_else(|| DEFAULT_PACK.to_string());
    SchemePack::parse(&text).map_err(|e| StoreError::Internal(format!("the stored transfer scheme: {}", e.join("; "))))
}

pub async fn scheme(db: &Db) -> Result<SchemePack, StoreError> {
    let mut conn = db.pool.acquire().await?;
    scheme_on(&mut conn).await
}

/// Loads a scheme (checked by the caller); whether it was new.
pub async fn load_scheme(
    db: &Db,
    pack: &SchemePack,
    source: &str,
    actor: &str,
    origin: &str,
) -> Result<bool, StoreError> {
    let id = Identity { id: &pack.id, version: &pack.version, name_zh: &pack.name_zh };
    packs::load(db, Kind::Transfer, &id, source, actor, origin).await
}

/// The facts of every agreement of `list` (the register, or one agreement of it: `only`), by
/// agreement code: its lower-side rows, its persons' rows in the partner program and graduations
/// from it, and the lower school's results.
pub async fn facts(db: &Db, list: &[Agreement], only: Option<&str>) -> Result<HashMap<String, Facts>, StoreError> {
    let mut conn = db.pool.acquire().await?;
    let conn = &mut *conn;
    let (filter, bind) = match only {
        Some(code) => (" AND a.agreement_code = $1", Some(code.to_string())),
        None => ("", None),
    };
    let query = |sql: String| {
        let q = sqlx::query(AssertSqlSafe(sql));
        match &bind {
            Some(b) => q.bind(b.clone()),
            None => q,
        }
    };
    let mut out: HashMap<String, Facts> = HashMap::new();
    let lower = format!(
        "SELECT a.agreement_code, s.id_pseudo, s.year, s.entry_year FROM pathway_agreement a \
         JOIN rec_student s ON s.school_code = a.lower_school_code AND s.program_code = a.lower_program_code \
         AND s.pathway = a.pathway \
         WHERE s.is_current = 1 AND s.entry_year >= a.first_intake_year AND s.entry_year <= a.last_intake_year{filter}"
    );
    for r in query(lower).fetch_all(&mut *conn).await? {
        out.entry(r.get(0)).or_default().lower.push(LowerRow {
            person: r.get(1),
            year: r.get(2),
            entry_year: r.get(3),
        });
    }
    // The partner programs' rows, read by program and joined to the lower side's persons here: a
    // correlated person lookup let SQLite (without statistics) scan a program per row.
    let list: Vec<&Agreement> = list.iter().filter(|a| only.is_none_or(|c| c == a.code)).collect();
    if list.is_empty() {
        return Ok(out);
    }
    let persons: HashMap<String, HashSet<String>> =
        out.iter().map(|(code, f)| (code.clone(), f.lower.iter().map(|r| r.person.clone()).collect())).collect();
    let mut by_program: HashMap<(String, String), Vec<&Agreement>> = HashMap::new();
    for a in list.iter().copied() {
        by_program.entry((a.upper_school.clone(), a.upper_program.clone())).or_default().push(a);
    }
    let (upper_filter, graduate_filter) = match only {
        Some(_) => {
            (" AND s.school_code = $1 AND s.program_code = $2", " AND s.school_code = $1 AND s.program_code = $2")
        }
        None => ("", ""),
    };
    let partner = "EXISTS (SELECT 1 FROM pathway_agreement a WHERE a.upper_school_code = s.school_code AND a.upper_program_code = s.program_code)";
    let bind_pair = |sql: String| {
        let q = sqlx::query(AssertSqlSafe(sql));
        match list.first().filter(|_| only.is_some()) {
            Some(a) => q.bind(a.upper_school.clone()).bind(a.upper_program.clone()),
            None => q,
        }
    };
    let upper = format!(
        "SELECT s.school_code, s.program_code, s.id_pseudo, s.year FROM rec_student s WHERE s.is_current = 1 AND {partner}{upper_filter}"
    );
    for r in bind_pair(upper).fetch_all(&mut *conn).await? {
        let (school, program, person, year): (String, String, String, i64) = (r.get(0), r.get(1), r.get(2), r.get(3));
        for a in by_program.get(&(school, program)).into_iter().flatten() {
            if year >= a.first_intake + crate::domain::pathway::LOWER_YEARS
                && persons.get(&a.code).is_some_and(|p| p.contains(&person))
            {
                out.entry(a.code.clone()).or_default().upper.push((person.clone(), year));
            }
        }
    }
    let graduated = format!(
        "SELECT s.school_code, s.program_code, s.id_pseudo FROM rec_graduate s WHERE s.is_current = 1 AND {partner}{graduate_filter}"
    );
    for r in bind_pair(graduated).fetch_all(&mut *conn).await? {
        let (school, program, person): (String, String, String) = (r.get(0), r.get(1), r.get(2));
        for a in by_program.get(&(school, program)).into_iter().flatten() {
            if persons.get(&a.code).is_some_and(|p| p.contains(&person)) {
                out.entry(a.code.clone()).or_default().graduated.insert(person.clone());
            }
        }
    }
    let results = format!(
        "SELECT a.agreement_code, t.intake_year, t.id_pseudo, t.result FROM pathway_agreement a \
         JOIN rec_transfer t ON t.agreement_code = a.agreement_code AND t.school_code = a.lower_school_code \
         WHERE t.is_current = 1{filter}"
    );
    for r in query(results).fetch_all(&mut *conn).await? {
        out.entry(r.get(0)).or_default().results.insert((r.get(1), r.get(2)), r.get(3));
    }
    Ok(out)
}

/// One line of an upper school's admission list.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Admission {
    pub agreement_code: String,
    pub lower_school_code: String,
    pub lower_program_code: String,
    pub upper_program_code: String,
    pub intake_year: i64,
    pub id_number: String,
    pub name: String,
    pub score: Option<f64>,
    pub exemption: Option<String>,
    /// Where the result comes from: the submission and its row.
    pub submission_id: i64,
    pub row_no: i64,
}

/// The students an upper school admits in `year`: those who passed the transfer assessment of an
/// agreement it is the partner of, from the intake `year - 3`. Personal data masked unless
/// `unmask` (the caller checks the right and audits it).
pub async fn admissions(db: &Db, upper_school: &str, year: i64, unmask: bool) -> Result<Vec<Admission>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.agreement_code, a.lower_school_code, a.lower_program_code, a.upper_program_code, t.intake_year, \
         t.id_masked, t.id_enc, t.name_masked, t.name_enc, t.score, t.exemption, t.submission_id, t.row_no \
         FROM rec_transfer t JOIN pathway_agreement a ON a.agreement_code = t.agreement_code AND a.lower_school_code = t.school_code \
         WHERE t.is_current = 1 AND t.result = 'passed' AND a.upper_school_code = $1 AND t.intake_year = $2 \
         ORDER BY a.agreement_code, t.school_code, t.submission_id, t.row_no",
    )
    .bind(upper_school.to_string())
    .bind(year - crate::domain::pathway::LOWER_YEARS)
    .fetch_all(&db.pool)
    .await?;
    let reveal = |masked: String, enc: String| -> Result<String, StoreError> {
        if unmask { db.keys.decrypt(&enc).map_err(|e| StoreError::Internal(e.to_string())) } else { Ok(masked) }
    };
    rows.into_iter()
        .map(|r| {
            Ok(Admission {
                agreement_code: r.get(0),
                lower_school_code: r.get(1),
                lower_program_code: r.get(2),
                upper_program_code: r.get(3),
                intake_year: r.get(4),
                id_number: reveal(crate::domain::ids::remask(&r.get::<String, _>(5)), r.get(6))?,
                name: reveal(r.get(7), r.get(8))?,
                score: r.get(9),
                exemption: r.get(10),
                submission_id: r.get(11),
                row_no: r.get(12),
            })
        })
        .collect()
}
